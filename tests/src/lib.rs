//! A fake Ctrl Hub for end-to-end tests and the quickstart example.
//!
//! It serves the documented customer-interaction endpoints on a loopback port, keeps what
//! it is sent in memory, and checks requests the way the real API is documented to:
//! credentials, media type, JSON:API shape and type strings. It speaks only HTTP and JSON
//! and knows nothing of the `ctrlhub` crate.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use uuid::Uuid;

/// The JSON:API media type.
pub const JSON_API: &str = "application/vnd.api+json";

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

struct Inner {
    org_id: Uuid,
    session_token: String,
    author_id: Uuid,
    interactions: Mutex<Vec<Value>>,
    requests: Mutex<Vec<RecordedRequest>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

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

impl FakeCtrlHub {
    /// Starts a fake on a free loopback port, with a fresh organisation and session token.
    pub async fn start() -> std::io::Result<FakeCtrlHub> {
        let inner = Arc::new(Inner {
            org_id: Uuid::new_v4(),
            session_token: format!("fake-session-{}", Uuid::new_v4().simple()),
            author_id: Uuid::new_v4(),
            interactions: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route(
                "/v3/orgs/{org_id}/customers/interactions",
                post(create_interaction),
            )
            .fallback(not_found)
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
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

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner.requests).clone()
    }
}

fn record(inner: &Inner, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) {
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
    };
    lock(&inner.requests).push(request);
}

/// A JSON:API answer.
fn document(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, JSON_API)], body.to_string()).into_response()
}

/// An error document in the shape of the API guide.
fn error(status: StatusCode, title: &str, detail: &str, field: &str) -> Response {
    document(
        status,
        json!({
            "errors": [{
                "status": status.as_u16().to_string(),
                "title": title,
                "detail": detail,
                "meta": {"field": field, "type": "required"}
            }],
            "jsonapi": {"meta": {}, "version": "1.0"},
            "meta": {}
        }),
    )
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not found", "no such route", "path")
}

/// Checks credentials, the organisation and the request media type; the answer refusing
/// the request, if it is refused.
fn refuse(inner: &Inner, org_id: &str, headers: &HeaderMap, has_body: bool) -> Option<Response> {
    let token = headers.get("x-session-token").and_then(|v| v.to_str().ok());
    if token != Some(inner.session_token.as_str()) {
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

const RELATIONSHIP_TYPES: &[(&str, &str)] = &[
    ("contact", "contacts"),
    ("account", "customer-accounts"),
    ("property", "properties"),
    ("representative", "users"),
];

async fn create_interaction(
    State(inner): State<Arc<Inner>>,
    Path(org_id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    record(&inner, &method, &uri, &headers, &body);
    if let Some(response) = refuse(&inner, &org_id, &headers, true) {
        return response;
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "The request body is not valid",
            "body is not JSON",
            "data",
        );
    };
    let data = &request["data"];
    if data["type"] != "customer-interactions" {
        return error(
            StatusCode::CONFLICT,
            "Conflict",
            "type must be customer-interactions",
            "data.type",
        );
    }
    let Some(attributes) = data["attributes"].as_object() else {
        return error(
            StatusCode::BAD_REQUEST,
            "The request body is not valid",
            "attributes is required",
            "data",
        );
    };
    for required in ["method", "direction", "date_time"] {
        if !attributes.get(required).is_some_and(Value::is_string) {
            return error(
                StatusCode::BAD_REQUEST,
                "The request body is not valid",
                &format!("{required} is required"),
                &format!("data.attributes.{required}"),
            );
        }
    }
    let mut relationships = serde_json::Map::new();
    relationships.insert("author".into(), link("users", inner.author_id));
    relationships.insert("organisation".into(), link("organisations", inner.org_id));
    for (name, type_) in RELATIONSHIP_TYPES {
        let given = &data["relationships"][name]["data"];
        if given.is_null() {
            continue;
        }
        let id = given["id"].as_str().and_then(|id| Uuid::parse_str(id).ok());
        match id {
            Some(id) if given["type"] == *type_ => {
                relationships.insert((*name).into(), link(type_, id));
            }
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "The request body is not valid",
                    &format!("{name} must be a {type_} resource identifier"),
                    &format!("data.relationships.{name}"),
                );
            }
        }
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let resource = json!({
        "id": Uuid::new_v4(),
        "type": "customer-interactions",
        "attributes": attributes,
        "meta": {"created_at": now, "updated_at": now, "modified_at": now},
        "relationships": relationships,
    });
    lock(&inner.interactions).push(resource.clone());
    document(
        StatusCode::CREATED,
        json!({"data": resource, "jsonapi": {"version": "1.0"}}),
    )
}

fn link(type_: &str, id: Uuid) -> Value {
    json!({"data": {"type": type_, "id": id}})
}
