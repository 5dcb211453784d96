//! The intake every API request passes before its handler, as one middleware: the
//! request is recorded, then answered by a queued fault, refused (credentials,
//! organisation, media type) or refused for a query parameter the spec does not declare.
//! Also the recorded request itself and how a query is read.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::answers::{bad_parameter, error};
use crate::faults::Fault;
use crate::state::{Inner, lock};
use crate::{JSON_API, faults, spec};

/// A request the fake received, as it arrived.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, parsed as JSON when it is JSON.
    pub body: Option<Value>,
    /// When the fake had read the whole request, on the process's monotonic clock: a
    /// test can order it against what else happened in the process (`Instant::now()`).
    pub received_at: std::time::Instant,
}

impl RecordedRequest {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// What every API request passes before its handler (a middleware on each API route):
/// record the request, then answer with a queued fault or a refusal (credentials,
/// organisation, media type, query parameters), if any; else serve it.
///
/// A read (GET, or HEAD served by it) takes no body: it is recorded without one and its
/// body is left unread. Any other request's body is read here, within the body limit of
/// axum's `Bytes` extractor, and handed on to the handler as read.
pub(crate) async fn intake(
    State(inner): State<Arc<Inner>>,
    Path(params): Path<HashMap<String, String>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let (read, body) = if parts.method == Method::GET || parts.method == Method::HEAD {
        (Bytes::new(), body)
    } else {
        match Bytes::from_request(Request::from_parts(parts.clone(), body), &()).await {
            Ok(read) => (read.clone(), Body::from(read)),
            Err(rejection) => return rejection.into_response(),
        }
    };
    record(&inner, &parts.method, &parts.uri, &parts.headers, &read);
    let fault = faults::next(&inner);
    let after_serving = match fault {
        Some(Fault::AfterServing(after)) => Some(*after),
        Some(fault) => match faults::answer(fault).await {
            Some(response) => return response,
            None => None,
        },
        None => None,
    };
    let served = serve(&inner, &params, parts, body, !read.is_empty(), next).await;
    match after_serving {
        Some(fault) => faults::answer(fault).await.unwrap_or(served),
        None => served,
    }
}

/// The checks and the handler, after any fault.
async fn serve(
    inner: &Inner,
    params: &HashMap<String, String>,
    parts: axum::http::request::Parts,
    body: Body,
    has_body: bool,
    next: Next,
) -> Response {
    let org_id = params.get("org_id").map_or("", String::as_str);
    if let Some(response) = refuse(inner, org_id, &parts.headers, has_body) {
        return response;
    }
    if let Err(bad) = spec::check_parameters(
        parts.method.as_str(),
        parts.uri.path(),
        &query_pairs(&parts.uri),
    ) {
        return bad_parameter(&bad.name, &bad.detail);
    }
    next.run(Request::from_parts(parts, body)).await
}

/// Checks credentials, the organisation and the request media type; the answer refusing
/// the request, if it is refused.
fn refuse(inner: &Inner, org_id: &str, headers: &HeaderMap, has_body: bool) -> Option<Response> {
    let session = headers.get("x-session-token").and_then(|v| v.to_str().ok());
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let admitted = session == Some(inner.session_token.as_str())
        || bearer.is_some_and(|token| {
            let tokens = lock(&inner.tokens);
            !tokens.refuse_all && tokens.valid.iter().any(|t| t == token)
        });
    if !admitted {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "missing or invalid session token",
            "X-Session-Token",
        ));
    }
    if org_id != inner.org_id.to_string() {
        return Some(error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "not a member of this organisation",
            "org_id",
        ));
    }
    if has_body {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        if content_type != Some(JSON_API) {
            return Some(error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                "send application/vnd.api+json",
                "Content-Type",
            ));
        }
    }
    None
}

pub(crate) fn record(inner: &Inner, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) {
    let request = RecordedRequest {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: serde_json::from_slice(body).ok(),
        received_at: std::time::Instant::now(),
    };
    lock(&inner.requests).push(request);
}

/// Query parameters, decoded (`filter[method]` stays one key).
pub(crate) fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .map(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).unwrap_or_default())
        .unwrap_or_default()
}

pub(crate) fn query_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
