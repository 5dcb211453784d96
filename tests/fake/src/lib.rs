#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Handlers return an early axum `Response` as their error, which is the axum idiom.
#![allow(clippy::result_large_err)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, get, patch, post};
use serde_json::Value;
use uuid::Uuid;

mod accounts;
mod answers;
mod bodies;
mod contacts;
mod control;
mod faults;
mod intake;
mod interactions;
mod lists;
mod members;
#[cfg(feature = "network")]
#[cfg_attr(docsrs, doc(cfg(feature = "network")))]
pub mod network;
mod spec;
mod state;
mod tokens;

pub use control::{DEFAULT_REQUIRED_ON_CREATE, UnnamedOnPut, UpdateSemantics};
pub use faults::Fault;
pub use intake::RecordedRequest;
pub use lists::DEFAULT_LIMIT;
pub use tokens::TOKEN_PATH;

use state::{Inner, lock};

/// The JSON:API media type.
pub const JSON_API: &str = "application/vnd.api+json";

/// A running fake Ctrl Hub. Stops when dropped.
pub struct FakeCtrlHub {
    addr: SocketAddr,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeCtrlHub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How to start a [`FakeCtrlHub`]: a fixed port, organisation or session token, for a
/// fake that other programs are told about in advance. From [`FakeCtrlHub::builder`].
#[derive(Debug, Clone, Default)]
pub struct FakeBuilder {
    port: Option<u16>,
    org_id: Option<Uuid>,
    session_token: Option<String>,
}

impl FakeBuilder {
    /// Listens on `127.0.0.1:port` (by default a free port the system picks).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Serves this organisation (by default a random one).
    pub fn org_id(mut self, org_id: Uuid) -> Self {
        self.org_id = Some(org_id);
        self
    }

    /// Accepts this session token (by default a random one).
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// Starts the fake. Fails if the port cannot be bound (it is taken, say).
    pub async fn start(self) -> std::io::Result<FakeCtrlHub> {
        FakeCtrlHub::start_with(self).await
    }
}

/// Checks an answer of the fake (or of any server) to `method` on `path` against the
/// response the spec declares for `status`: `Err` names where it breaks the schema. The
/// fake's own suite runs every operation through it, so that the fake answers only as the
/// docs say.
///
/// # Errors
///
/// A JSON pointer into `body` and what is wrong there.
pub fn check_answer(
    method: &str,
    path: &str,
    status: u16,
    body: Option<&Value>,
) -> Result<(), String> {
    spec::check_response(method, path, status, body)
        .map_err(|violation| format!("{}: {}", violation.pointer, violation.detail))
}

impl FakeCtrlHub {
    /// Starts a fake on a free loopback port, with a fresh organisation and session token.
    pub async fn start() -> std::io::Result<FakeCtrlHub> {
        FakeCtrlHub::start_with(FakeBuilder::default()).await
    }

    /// A fake with a fixed port, organisation or session token.
    ///
    /// ```no_run
    /// # async fn demo() -> std::io::Result<()> {
    /// let fake = ctrlhub_fake::FakeCtrlHub::builder()
    ///     .port(8080)
    ///     .session_token("dev-token")
    ///     .start()
    ///     .await?;
    /// assert_eq!(fake.base_url(), "http://127.0.0.1:8080");
    /// # Ok(()) }
    /// ```
    pub fn builder() -> FakeBuilder {
        FakeBuilder::default()
    }

    async fn start_with(options: FakeBuilder) -> std::io::Result<FakeCtrlHub> {
        let types = spec::loaded().map_err(|problem| {
            std::io::Error::other(format!("the fake's openapi/ctrlhub.yaml: {problem}"))
        })?;
        let org_id = options.org_id.unwrap_or_else(Uuid::new_v4);
        let inner = Arc::new(Inner::new(org_id, options.session_token, types));
        let app = router(&inner);
        let listener =
            tokio::net::TcpListener::bind(("127.0.0.1", options.port.unwrap_or(0))).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            // The server only ends when the fake is dropped (the task is aborted).
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeCtrlHub { addr, inner, task })
    }

    /// The base URL to give the client (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The organisation the fake serves.
    pub fn org_id(&self) -> Uuid {
        self.inner.org_id
    }

    /// The session token the fake accepts.
    pub fn session_token(&self) -> &str {
        &self.inner.session_token
    }

    /// The user the fake records as the author of what is created.
    pub fn author_id(&self) -> Uuid {
        self.inner.author_id
    }

    /// The interactions stored so far, as JSON:API resources, oldest first.
    pub fn interactions(&self) -> Vec<Value> {
        lock(&self.inner.interactions).clone()
    }

    /// The contacts stored, as JSON:API resources (three are seeded: Alan Turing
    /// `alan@example.com`, Ada Lovelace `ada@example.com`, Grace Hopper
    /// `grace@example.com`).
    pub fn contacts(&self) -> Vec<Value> {
        lock(&self.inner.contacts).clone()
    }

    /// The customer accounts stored, as JSON:API resources (one is seeded, linking the
    /// first contact).
    pub fn customer_accounts(&self) -> Vec<Value> {
        lock(&self.inner.accounts).clone()
    }

    /// The organisation members, as JSON:API resources: the author
    /// (`author@example.com`, [`author_id`](FakeCtrlHub::author_id)) and a representative
    /// (`rep@example.com`).
    pub fn members(&self) -> Vec<Value> {
        lock(&self.inner.members).clone()
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner.requests).clone()
    }

    /// The API requests received so far (everything but token requests).
    pub fn api_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path != TOKEN_PATH)
            .collect()
    }

    /// How many token requests were received.
    pub fn token_requests(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.path == TOKEN_PATH)
            .count()
    }
}

/// The fake's routes: each API route behind the one intake, the token endpoint and the
/// fallback 404 without it.
fn router(inner: &Arc<Inner>) -> Router {
    // `MethodRouter::route_layer`, not `Router::route_layer`: the latter would also put the
    // intake before the 405 for a method a path does not serve, which goes unrecorded.
    let api = |routes: MethodRouter<Arc<Inner>>| {
        routes.route_layer(from_fn_with_state(inner.clone(), intake::intake))
    };
    Router::new()
        .route(
            "/v3/orgs/{org_id}/customers/interactions",
            api(post(interactions::create_interaction).get(interactions::list_interactions)),
        )
        .route(
            "/v3/orgs/{org_id}/customers/interactions/{id}",
            api(get(interactions::get_interaction).put(interactions::update_interaction)),
        )
        .route(
            "/v3/orgs/{org_id}/customers/interactions/{id}/relationships/{name}",
            api(patch(interactions::relink_interaction)),
        )
        .route(
            "/v3/orgs/{org_id}/customers/contacts",
            api(get(contacts::list_contacts)),
        )
        .route(
            "/v3/orgs/{org_id}/customers/contacts/{id}",
            api(get(contacts::get_contact).put(contacts::update_contact)),
        )
        .route(
            "/v3/orgs/{org_id}/customers/accounts",
            api(post(accounts::create_account)),
        )
        .route(
            "/v3/orgs/{org_id}/customers/accounts/{id}/relationships/contacts",
            api(post(accounts::add_account_contacts).patch(accounts::set_account_contacts)),
        )
        .route(
            "/v3/orgs/{org_id}/iam/members",
            api(get(members::list_members)),
        )
        .route(
            "/v3/orgs/{org_id}/iam/members/{id}",
            api(get(members::get_member)),
        )
        .route("/oauth2/token", post(tokens::issue_token))
        .fallback(answers::not_found)
        .with_state(inner.clone())
}
