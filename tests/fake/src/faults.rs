//! Faults: what a test queues to fail the next API requests with, and how the intake
//! answers a request with the oldest queued one.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::FakeCtrlHub;
use crate::state::{Inner, lock};

/// A failure the fake gives the next API request instead of serving it (token requests
/// are never faulted). Faults queue up and are used one per request, oldest first.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status, extra headers and body.
    Status {
        /// The HTTP status.
        status: u16,
        /// Extra headers, such as `retry-after`.
        headers: Vec<(String, String)>,
        /// The body (empty for none).
        body: String,
    },
    /// Never answer: the request stays open until the client gives up.
    Hang,
    /// Answer `307 Temporary Redirect` to this location.
    Redirect(String),
    /// Serve the request as usual: to fault a later request, not the next one.
    Pass,
    /// Serve the request (a create stores its interaction), then answer with this fault
    /// instead of the real answer: the client cannot tell that it was stored.
    AfterServing(Box<Fault>),
}

impl Fault {
    /// A bodyless answer with `status`.
    pub fn status(status: u16) -> Fault {
        Fault::Status {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    /// The same fault with one more header (for [`Fault::Status`]).
    pub fn with_header(mut self, name: &str, value: &str) -> Fault {
        if let Fault::Status { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }
}

impl FakeCtrlHub {
    /// Queues a fault for the next API request.
    pub fn push_fault(&self, fault: Fault) {
        lock(&self.inner.faults).push_back(fault);
    }

    /// Faults not used yet.
    pub fn pending_faults(&self) -> usize {
        lock(&self.inner.faults).len()
    }

    /// Fails every `every`th API request from now on, before anything is stored: a 429
    /// (`Retry-After: 1`), a 503, no answer, a 502, in turn (`ctrlhub fake --fail-every`).
    /// Runs until the task it returns is aborted or the fake is dropped.
    pub fn fail_every(self: &std::sync::Arc<Self>, every: usize) -> tokio::task::JoinHandle<()> {
        let fake = std::sync::Arc::downgrade(self);
        let every = every.max(1);
        tokio::spawn(async move {
            let faults = [
                Fault::status(429).with_header("retry-after", "1"),
                Fault::status(503),
                Fault::Hang,
                Fault::status(502),
            ];
            let mut next = 0;
            while let Some(fake) = fake.upgrade() {
                while fake.pending_faults() < 4 * every {
                    for _ in 1..every {
                        fake.push_fault(Fault::Pass);
                    }
                    fake.push_fault(faults[next % faults.len()].clone());
                    next += 1;
                }
                drop(fake);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
    }
}

/// The next queued fault, if any.
pub(crate) fn next(inner: &Inner) -> Option<Fault> {
    lock(&inner.faults).pop_front()
}

/// A fault's answer (`None` for one that serves the request as usual); a hang never
/// returns.
pub(crate) async fn answer(fault: Fault) -> Option<Response> {
    Some(match fault {
        Fault::Status {
            status,
            headers,
            body,
        } => {
            let mut response = (
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                body,
            )
                .into_response();
            for (name, value) in headers {
                if let (Ok(name), Ok(value)) = (
                    header::HeaderName::from_bytes(name.as_bytes()),
                    header::HeaderValue::from_str(&value),
                ) {
                    response.headers_mut().insert(name, value);
                }
            }
            response
        }
        Fault::Hang => std::future::pending().await,
        Fault::Pass => return None,
        // Served by the intake before the fault is answered.
        Fault::AfterServing(after) => return Box::pin(answer(*after)).await,
        Fault::Redirect(location) => (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response(),
    })
}
