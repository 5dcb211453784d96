//! An in-memory Ctrl Hub for tests and examples, such as the `ctrlhub` quickstart.
//!
//! Users of the `ctrlhub` crate can run it in their own tests, as `stripe-mock` serves
//! Stripe users:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let fake = ctrlhub_fake::FakeCtrlHub::start().await?;
//! // Point the client at it: base URL, organisation and session token.
//! let (base_url, org, token) = (fake.base_url(), fake.org_id(), fake.session_token());
//! # let _ = (base_url, org, token);
//! // ... run the code under test, then look at what the fake stored and received:
//! assert!(fake.interactions().is_empty());
//! assert!(fake.requests().is_empty());
//! # Ok(()) }
//! ```
//!
//! It serves the documented customer-interaction endpoints, and those of the contacts,
//! customer accounts and organisation members an interaction links to, on a loopback port.
//! It keeps what it is sent in memory (starting with a few seeded contacts, an account
//! and two members), and checks requests the way the real API is documented to:
//! credentials, media type, JSON:API shape and type strings. It speaks only HTTP and JSON
//! and knows nothing of the `ctrlhub` crate.

// Handlers return an early axum `Response` as their error, which is the axum idiom.
#![allow(clippy::result_large_err)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use serde_json::{Value, json};
use uuid::Uuid;

mod spec;

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

struct Inner {
    org_id: Uuid,
    session_token: String,
    author_id: Uuid,
    client_id: String,
    client_secret: String,
    interactions: Mutex<Vec<Value>>,
    contacts: Mutex<Vec<Value>>,
    accounts: Mutex<Vec<Value>>,
    members: Mutex<Vec<Value>>,
    requests: Mutex<Vec<RecordedRequest>>,
    update_semantics: Mutex<UpdateSemantics>,
    /// Attributes the server has and the spec does not name, and what a PUT does with them.
    unnamed: Mutex<Vec<(String, UnnamedOnPut)>>,
    /// Whether a list ignores a filter or sort outside its features instead of refusing it.
    ignore_unsupported: Mutex<bool>,
    required_on_create: Mutex<Vec<String>>,
    /// How long a create takes before it is stored (a slow service).
    create_delay: Mutex<std::time::Duration>,
    paging: Mutex<Paging>,
    tokens: Mutex<Tokens>,
    faults: Mutex<VecDeque<Fault>>,
}

#[derive(Default)]
struct Tokens {
    /// Access tokens issued and still accepted.
    valid: Vec<String>,
    issued: usize,
    /// `expires_in` of new tokens; `None` leaves it out of the answer.
    expires_in: Option<u64>,
    /// When set, every access token is refused, even a new one.
    refuse_all: bool,
    /// When set, the token endpoint answers 200 with this body instead of a token.
    broken_answer: Option<String>,
}

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

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What a PUT does with the updatable attributes it leaves out. The reference does not
/// say, so the fake can play either answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UpdateSemantics {
    /// Attributes left out keep their values.
    #[default]
    Merge,
    /// The updatable attributes become exactly those sent: one left out is cleared.
    Replace,
}

/// What a PUT does with an attribute the spec does not name (one the fake holds, see
/// [`FakeCtrlHub::hold_unnamed_attribute`]). The reference does not say, so the fake can
/// play either server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnnamedOnPut {
    /// Refused with the documented 400 naming it, as the spec's closed request says.
    #[default]
    Refuse,
    /// Taken like an updatable attribute (and, under [`UpdateSemantics::Replace`],
    /// cleared by a PUT that leaves it out).
    Accept,
}

/// The attributes the fake requires on create unless told otherwise: an assumption (the
/// reference does not say which are required), see [`FakeCtrlHub::require_on_create`].
pub const DEFAULT_REQUIRED_ON_CREATE: &[&str] = &["method", "direction", "date_time"];

/// How the fake pages lists.
#[derive(Debug, Clone, Copy, Default)]
struct Paging {
    /// The most items a page holds, whatever the request's limit.
    max_page_size: Option<usize>,
    /// How long a list answer takes (a slow network or database).
    delay: std::time::Duration,
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
        spec::loaded().map_err(|problem| {
            std::io::Error::other(format!("the fake's openapi/ctrlhub.yaml: {problem}"))
        })?;
        let org_id = options.org_id.unwrap_or_else(Uuid::new_v4);
        let author_id = Uuid::new_v4();
        let (contacts, accounts, members) = seed_people(org_id, author_id);
        let inner = Arc::new(Inner {
            org_id,
            session_token: options
                .session_token
                .unwrap_or_else(|| format!("fake-session-{}", Uuid::new_v4().simple())),
            author_id,
            client_id: format!("fake-client-{}", Uuid::new_v4().simple()),
            client_secret: format!("fake-secret-{}", Uuid::new_v4().simple()),
            interactions: Mutex::new(Vec::new()),
            contacts: Mutex::new(contacts),
            accounts: Mutex::new(accounts),
            members: Mutex::new(members),
            requests: Mutex::new(Vec::new()),
            update_semantics: Mutex::new(UpdateSemantics::default()),
            unnamed: Mutex::new(Vec::new()),
            ignore_unsupported: Mutex::new(false),
            paging: Mutex::new(Paging::default()),
            create_delay: Mutex::new(std::time::Duration::ZERO),
            required_on_create: Mutex::new(
                DEFAULT_REQUIRED_ON_CREATE
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            ),
            tokens: Mutex::new(Tokens {
                expires_in: Some(3600),
                ..Tokens::default()
            }),
            faults: Mutex::new(VecDeque::new()),
        });
        let app = Router::new()
            .route(
                "/v3/orgs/{org_id}/customers/interactions",
                post(create_interaction).get(list_interactions),
            )
            .route(
                "/v3/orgs/{org_id}/customers/interactions/{id}",
                get(get_interaction).put(update_interaction),
            )
            .route(
                "/v3/orgs/{org_id}/customers/interactions/{id}/relationships/{name}",
                patch(relink_interaction),
            )
            .route("/v3/orgs/{org_id}/customers/contacts", get(list_contacts))
            .route(
                "/v3/orgs/{org_id}/customers/contacts/{id}",
                get(get_contact).put(update_contact),
            )
            .route("/v3/orgs/{org_id}/customers/accounts", post(create_account))
            .route(
                "/v3/orgs/{org_id}/customers/accounts/{id}/relationships/contacts",
                post(add_account_contacts).patch(set_account_contacts),
            )
            .route("/v3/orgs/{org_id}/iam/members", get(list_members))
            .route("/v3/orgs/{org_id}/iam/members/{id}", get(get_member))
            .route("/oauth2/token", post(issue_token))
            .fallback(not_found)
            .with_state(inner.clone());
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

    /// Stores `count` interactions directly (for benchmarks and large lists), as if each
    /// had been created through the API, a minute apart.
    pub fn seed_interactions(&self, count: usize) {
        let start = chrono::DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|_| chrono::Utc::now());
        let mut interactions = lock(&self.inner.interactions);
        for i in 0..count {
            let at = (start + chrono::Duration::minutes(i as i64))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let mut relationships = serde_json::Map::new();
            relationships.insert("author".into(), link("users", self.inner.author_id));
            relationships.insert(
                "organisation".into(),
                link("organisations", self.inner.org_id),
            );
            relationships.insert("contact".into(), link("contacts", Uuid::new_v4()));
            let method = ["letter", "email", "telephone", "sms"][i % 4];
            interactions.push(json!({
                "id": Uuid::new_v4(),
                "type": "customer-interactions",
                "attributes": {
                    "method": method,
                    "direction": if i % 2 == 0 { "inbound" } else { "outbound" },
                    "date_time": at,
                    "contacted": i % 3 != 0,
                    "status": "scheduled",
                    "notes": format!("Seeded interaction number {i}, about the annual boiler service"),
                },
                "meta": {"created_at": at, "updated_at": at, "modified_at": at},
                "relationships": relationships,
            }));
        }
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

    /// The OAuth2 token URL of the fake.
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.base_url())
    }

    /// The service account's client id.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The service account's client secret.
    pub fn client_secret(&self) -> &str {
        &self.inner.client_secret
    }

    /// The `expires_in` of tokens issued from now on (`None`: left out).
    pub fn set_token_lifetime(&self, seconds: Option<u64>) {
        lock(&self.inner.tokens).expires_in = seconds;
    }

    /// Stops accepting every access token issued so far (as if they expired).
    pub fn revoke_tokens(&self) {
        lock(&self.inner.tokens).valid.clear();
    }

    /// Refuses every access token, even newly issued ones, until called with `false`.
    pub fn refuse_all_tokens(&self, refuse: bool) {
        lock(&self.inner.tokens).refuse_all = refuse;
    }

    /// Makes the token endpoint answer 200 with `body` instead of a token (`None`: mend it).
    pub fn break_token_answer(&self, body: Option<&str>) {
        lock(&self.inner.tokens).broken_answer = body.map(str::to_owned);
    }

    /// What PUTs do with the updatable attributes they leave out from now on (default
    /// [`UpdateSemantics::Merge`]).
    pub fn set_update_semantics(&self, semantics: UpdateSemantics) {
        *lock(&self.inner.update_semantics) = semantics;
    }

    /// Plays a server that knows an attribute the spec does not name: every interaction and
    /// contact stored now gets `name` set to `value` (in its answers, too), and a PUT that
    /// carries it is refused or taken as `on_put` says.
    pub fn hold_unnamed_attribute(&self, name: &str, value: Value, on_put: UnnamedOnPut) {
        for store in [&self.inner.interactions, &self.inner.contacts] {
            for resource in lock(store).iter_mut() {
                if !resource["attributes"].is_object() {
                    resource["attributes"] = json!({});
                }
                resource["attributes"][name] = value.clone();
            }
        }
        let mut unnamed = lock(&self.inner.unnamed);
        unnamed.retain(|(held, _)| held != name);
        unnamed.push((name.to_owned(), on_put));
    }

    /// Plays a server whose lists ignore a filter or sort outside the features they report
    /// (answering with everything, unfiltered), instead of refusing it with a 400 (the
    /// default: stricter than a lax server, so that a misspelt option fails a test).
    pub fn ignore_unsupported_options(&self, ignore: bool) {
        *lock(&self.inner.ignore_unsupported) = ignore;
    }

    /// The attributes a create must carry from now on. Which ones Ctrl Hub requires is
    /// not documented (it answers 400 naming a missing one): the default,
    /// [`DEFAULT_REQUIRED_ON_CREATE`], is an assumption, and `&[]` plays the other answer.
    pub fn require_on_create(&self, attributes: &[&str]) {
        *lock(&self.inner.required_on_create) = attributes.iter().map(|s| s.to_string()).collect();
    }

    /// The most items a list page holds from now on, whatever the request asks (`None`: as
    /// asked). The page still reports the requested limit, and `offsets.next` follows
    /// what was served: as a server that caps page sizes, or a list that changed, would.
    pub fn set_max_page_size(&self, size: Option<usize>) {
        lock(&self.inner.paging).max_page_size = size;
    }

    /// How long each list answer takes from now on (default none), to measure a client
    /// against network latency on loopback.
    pub fn set_list_delay(&self, delay: std::time::Duration) {
        lock(&self.inner.paging).delay = delay;
    }

    /// Makes every create take `delay` before the interaction is stored (a slow service);
    /// a client that gives up first leaves nothing stored.
    pub fn set_create_delay(&self, delay: std::time::Duration) {
        *lock(&self.inner.create_delay) = delay;
    }

    /// Queues a fault for the next API request.
    pub fn push_fault(&self, fault: Fault) {
        lock(&self.inner.faults).push_back(fault);
    }

    /// Faults not used yet.
    pub fn pending_faults(&self) -> usize {
        lock(&self.inner.faults).len()
    }
}

/// Where the fake serves OAuth2 client credentials.
pub const TOKEN_PATH: &str = "/oauth2/token";

async fn issue_token(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    record(&inner, &method, &uri, &headers, &body);
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let oauth_error = |status: StatusCode, error: &str, description: &str| {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            json!({"error": error, "error_description": description}).to_string(),
        )
            .into_response()
    };
    if field("grant_type") != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only client_credentials is supported",
        );
    }
    if field("client_id") != Some(inner.client_id.as_str())
        || field("client_secret") != Some(inner.client_secret.as_str())
    {
        // RFC 6749 section 5.2: 400, as the client did not authenticate with a header.
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "Client authentication failed",
        );
    }
    let mut tokens = lock(&inner.tokens);
    if let Some(body) = &tokens.broken_answer {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body.clone(),
        )
            .into_response();
    }
    tokens.issued += 1;
    let token = format!("fake-access-{}-{}", tokens.issued, Uuid::new_v4().simple());
    tokens.valid.push(token.clone());
    let mut answer = json!({"access_token": token, "token_type": "Bearer"});
    if let Some(seconds) = tokens.expires_in {
        answer["expires_in"] = seconds.into();
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        answer.to_string(),
    )
        .into_response()
}

/// The next queued fault's answer, if any; a hang never returns.
async fn fault(inner: &Inner) -> Option<Response> {
    let fault = lock(&inner.faults).pop_front()?;
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
        Fault::Redirect(location) => (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response(),
    })
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
        received_at: std::time::Instant::now(),
    };
    lock(&inner.requests).push(request);
}

/// A JSON:API answer.
fn document(status: StatusCode, body: Value) -> Response {
    let trace_id = Uuid::new_v4().simple().to_string();
    (
        status,
        [
            (header::CONTENT_TYPE, JSON_API.to_owned()),
            (TRACE_ID, trace_id),
        ],
        body.to_string(),
    )
        .into_response()
}

/// The header Ctrl Hub identifies each answer with; the fake sends a fresh one each time.
const TRACE_ID: header::HeaderName = header::HeaderName::from_static("x-trace-id");

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

/// What every API handler does first: record the request, then answer with a queued
/// fault or a refusal (credentials, organisation, media type), if any.
async fn intake(
    inner: &Inner,
    org_id: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Option<Response> {
    record(inner, method, uri, headers, body);
    if let Some(response) = fault(inner).await {
        return Some(response);
    }
    if let Some(response) = refuse(inner, org_id, headers, !body.is_empty()) {
        return Some(response);
    }
    spec::check_parameters(method.as_str(), uri.path(), &query_pairs(uri))
        .err()
        .map(|bad| bad_parameter(&bad.name, &bad.detail))
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

/// The `data` of a request document for the operation `method` on the spec's path
/// `template`, checked against `openapi/ctrlhub.yaml` (see [`spec`]), or the documented
/// 400 naming where it breaks the spec. `id`, for an update, must be the URL's (409).
fn request_body(
    template: &str,
    method: &str,
    body: &Bytes,
    id: Option<&str>,
) -> Result<Value, Response> {
    let mut request: Value = serde_json::from_slice(body).map_err(|_| {
        error(
            StatusCode::BAD_REQUEST,
            "The request body is not valid",
            "body is not JSON",
            "data",
        )
    })?;
    if let Err(violation) = spec::check_request(template, method, &request) {
        return Err(invalid_at(&violation.pointer, &violation.detail));
    }
    let data = request["data"].take();
    if id.is_some_and(|id| data["id"] != id) {
        return Err(error(
            StatusCode::CONFLICT,
            "Conflict",
            "the id must be that of the URL",
            "data.id",
        ));
    }
    Ok(data)
}

/// A PUT's attribute changes, checked against the spec, and the unnamed attributes the
/// fake accepts on a PUT (which the spec check would refuse: they are lifted out of the
/// body before it, and put back in the changes after).
fn update_body(
    inner: &Inner,
    template: &str,
    body: &Bytes,
    id: &str,
) -> Result<(serde_json::Map<String, Value>, Vec<String>), Response> {
    let accepted: Vec<String> = lock(&inner.unnamed)
        .iter()
        .filter(|(_, on_put)| *on_put == UnnamedOnPut::Accept)
        .map(|(name, _)| name.clone())
        .collect();
    let mut lifted = serde_json::Map::new();
    let mut request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if let Some(attributes) = request["data"]["attributes"].as_object_mut() {
        for name in &accepted {
            if let Some(value) = attributes.remove(name) {
                lifted.insert(name.clone(), value);
            }
        }
    }
    let body = if lifted.is_empty() {
        body.clone()
    } else {
        Bytes::from(request.to_string())
    };
    let mut changes = attributes_of(&request_body(template, "put", &body, Some(id))?);
    changes.extend(lifted);
    Ok((changes, accepted))
}

/// The documented 400 for a request body that breaks the spec at `pointer`.
fn invalid_at(pointer: &str, detail: &str) -> Response {
    let field = pointer.trim_start_matches('/').replace('/', ".");
    document(
        StatusCode::BAD_REQUEST,
        json!({
            "errors": [{
                "status": "400",
                "title": "The request body is not valid",
                "detail": detail,
                "source": {"pointer": pointer},
                "meta": {"field": field, "type": "invalid"}
            }],
            "jsonapi": {"meta": {}, "version": "1.0"},
            "meta": {}
        }),
    )
}

/// The attributes of a resource document's `data`, empty when it has none.
fn attributes_of(data: &Value) -> serde_json::Map<String, Value> {
    data["attributes"].as_object().cloned().unwrap_or_default()
}

const INTERACTIONS: &str = "/v3/orgs/{org_id}/customers/interactions";
const INTERACTION: &str = "/v3/orgs/{org_id}/customers/interactions/{customer_interaction_id}";
const CONTACT: &str = "/v3/orgs/{org_id}/customers/contacts/{contact_id}";
const CONTACTS: &str = "/v3/orgs/{org_id}/customers/contacts";
const MEMBERS: &str = "/v3/orgs/{org_id}/iam/members";
const ACCOUNTS: &str = "/v3/orgs/{org_id}/customers/accounts";
const ACCOUNT_CONTACTS: &str =
    "/v3/orgs/{org_id}/customers/accounts/{customer_account_id}/relationships/contacts";

async fn create_interaction(
    State(inner): State<Arc<Inner>>,
    Path(org_id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = intake(&inner, &org_id, &method, &uri, &headers, &body).await {
        return response;
    }
    let data = match request_body(INTERACTIONS, "post", &body, None) {
        Ok(data) => data,
        Err(response) => return response,
    };
    let attributes = attributes_of(&data);
    // Which attributes Ctrl Hub requires is not documented: this rule is the fake's
    // assumption, and `require_on_create` changes it.
    for required in lock(&inner.required_on_create).iter() {
        if !attributes.contains_key(required) {
            return error(
                StatusCode::BAD_REQUEST,
                "The request body is not valid",
                &format!("{required} is required"),
                &format!("data.attributes.{required}"),
            );
        }
    }
    let delay = *lock(&inner.create_delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut relationships = serde_json::Map::new();
    relationships.insert("author".into(), link("users", inner.author_id));
    relationships.insert("organisation".into(), link("organisations", inner.org_id));
    // Names, identifiers and their types were checked against the spec.
    for (name, given) in data["relationships"].as_object().into_iter().flatten() {
        if given["data"].is_object() {
            relationships.insert(name.clone(), json!({"data": given["data"]}));
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

/// Query parameters, decoded (`filter[method]` stays one key).
fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .map(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).unwrap_or_default())
        .unwrap_or_default()
}

fn query_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn bad_parameter(name: &str, detail: &str) -> Response {
    document(
        StatusCode::BAD_REQUEST,
        json!({
            "id": Uuid::new_v4(),
            "status": "400",
            "title": "A validation error was encountered",
            "detail": detail,
            "source": {"parameter": name},
            "meta": {"resource": "wrong_value"}
        }),
    )
}

/// The page size when the request names none, as the older docs give.
pub const DEFAULT_LIMIT: usize = 10;

/// The resource to include for a link: the stored contact, account or member when there
/// is one, else a made-up resource with a `name` attribute.
fn related_resource(inner: &Inner, type_: &str, id: &str) -> Value {
    let stored = match type_ {
        "contacts" => Some(&inner.contacts),
        "customer-accounts" => Some(&inner.accounts),
        "users" => Some(&inner.members),
        _ => None,
    };
    if let Some(found) =
        stored.and_then(|stored| lock(stored).iter().find(|r| r["id"] == id).cloned())
    {
        return found;
    }
    json!({
        "type": type_,
        "id": id,
        "attributes": {"name": format!("{type_} {}", &id[..8])},
    })
}

/// The included resources for `include` (comma separated) over `resources`.
fn included_for(
    inner: &Inner,
    include: Option<&str>,
    resources: &[Value],
) -> Result<Vec<Value>, Response> {
    included_among(
        inner,
        include,
        resources,
        &spec::parameter_values(INTERACTIONS, "get", "include"),
    )
}

/// The included resources for `include` over `resources`, whose relationships that may be
/// included are `options`; to-one and to-many links alike.
fn included_among(
    inner: &Inner,
    include: Option<&str>,
    resources: &[Value],
    options: &[&str],
) -> Result<Vec<Value>, Response> {
    let mut included: Vec<Value> = Vec::new();
    let Some(include) = include else {
        return Ok(included);
    };
    for name in include.split(',') {
        if !options.contains(&name) {
            return Err(bad_parameter("include", &format!("cannot include {name}")));
        }
        for resource in resources {
            let data = &resource["relationships"][name]["data"];
            let links: Vec<&Value> = match data {
                Value::Array(items) => items.iter().collect(),
                one => vec![one],
            };
            for data in links {
                let (Some(type_), Some(id)) = (data["type"].as_str(), data["id"].as_str()) else {
                    continue;
                };
                let candidate = related_resource(inner, type_, id);
                if !included.contains(&candidate) {
                    included.push(candidate);
                }
            }
        }
    }
    Ok(included)
}

/// The features a list reports: its include, sort and filter options, from the spec
/// (`null` where the list takes none).
fn features_of(template: &str) -> Value {
    let options = |name: &str| {
        let values = spec::parameter_values(template, "get", name);
        if values.is_empty() {
            Value::Null
        } else {
            json!(values)
        }
    };
    json!({"params": {
        "include": {"options": options("include")},
        "sort": {"options": options("sort")},
        "filter": {"options": options("filter")}
    }})
}

/// The include options of a list, from the spec (`None` when it takes no `include`).
fn include_options(template: &str) -> Option<Vec<&'static str>> {
    let values = spec::parameter_values(template, "get", "include");
    (!values.is_empty()).then_some(values)
}

async fn list_interactions(
    State(inner): State<Arc<Inner>>,
    Path(org_id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = intake(&inner, &org_id, &method, &uri, &headers, &Bytes::new()).await {
        return response;
    }
    list_page(
        &inner,
        &uri,
        &inner.interactions,
        features_of(INTERACTIONS),
        include_options(INTERACTIONS).as_deref(),
    )
    .await
}

async fn list_contacts(
    State(inner): State<Arc<Inner>>,
    Path(org_id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = intake(&inner, &org_id, &method, &uri, &headers, &Bytes::new()).await {
        return response;
    }
    list_page(
        &inner,
        &uri,
        &inner.contacts,
        features_of(CONTACTS),
        include_options(CONTACTS).as_deref(),
    )
    .await
}

async fn list_members(
    State(inner): State<Arc<Inner>>,
    Path(org_id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = intake(&inner, &org_id, &method, &uri, &headers, &Bytes::new()).await {
        return response;
    }
    list_page(&inner, &uri, &inner.members, features_of(MEMBERS), None).await
}

/// One page of `collection` for the list request `uri`: `limit`, `offset`,
/// `filter[field]` (exact, on attributes), `sort` (one field), and `include` among
/// `include_options` where the list takes one.
async fn list_page(
    inner: &Inner,
    uri: &Uri,
    collection: &Mutex<Vec<Value>>,
    features: Value,
    include_options: Option<&[&str]>,
) -> Response {
    let paging = *lock(&inner.paging);
    if !paging.delay.is_zero() {
        tokio::time::sleep(paging.delay).await;
    }
    let pairs = query_pairs(uri);
    let parse = |name: &str, default: usize| match query_value(&pairs, name) {
        None => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| bad_parameter(name, "must be a whole number")),
    };
    let (limit, offset) = match (parse("limit", DEFAULT_LIMIT), parse("offset", 0)) {
        (Ok(limit), Ok(offset)) if limit > 0 => (limit, offset),
        (Err(response), _) | (_, Err(response)) => return response,
        _ => return bad_parameter("limit", "must be at least 1"),
    };
    // A filter or sort outside the features the list reports: refused as documented, or
    // (playing a lax server) ignored, so that the list comes back unfiltered.
    let options = |name: &str| -> Vec<String> {
        features["params"][name]["options"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o.as_str().map(str::to_owned))
            .collect()
    };
    let (filters, sorts) = (options("filter"), options("sort"));
    let ignore = *lock(&inner.ignore_unsupported);
    let mut pairs = pairs;
    let mut refused = None;
    pairs.retain(|(key, value)| {
        let (parameter, option, supported) = match key
            .strip_prefix("filter[")
            .and_then(|k| k.strip_suffix(']'))
        {
            Some(field) => ("filter", field, &filters),
            None if key == "sort" => ("sort", value.trim_start_matches('-'), &sorts),
            None => return true,
        };
        let known = supported.is_empty() || supported.iter().any(|s| s == option);
        if !known && !ignore && refused.is_none() {
            refused = Some(bad_parameter(
                parameter,
                &format!("{option} is not one of {}", supported.join(", ")),
            ));
        }
        known
    });
    if let Some(response) = refused {
        return response;
    }
    // References, not copies: only the page itself is cloned, so a large organisation
    // costs the fake little memory per request.
    let items = lock(collection);
    let mut matching: Vec<&Value> = items
        .iter()
        .filter(|resource| {
            pairs.iter().all(|(key, value)| {
                let Some(field) = key
                    .strip_prefix("filter[")
                    .and_then(|k| k.strip_suffix(']'))
                else {
                    return true;
                };
                match &resource["attributes"][field] {
                    Value::String(text) => text == value,
                    Value::Null => false,
                    other => serde_json::from_str::<Value>(value).ok().as_ref() == Some(other),
                }
            })
        })
        .collect();
    if let Some(sort) = query_value(&pairs, "sort") {
        let (field, descending) = match sort.strip_prefix('-') {
            Some(field) => (field, true),
            None => (sort, false),
        };
        matching.sort_by(|a, b| {
            let order = a["attributes"][field]
                .to_string()
                .cmp(&b["attributes"][field].to_string());
            if descending { order.reverse() } else { order }
        });
    }
    let total = matching.len();
    let served = paging
        .max_page_size
        .map_or(limit, |max| limit.min(max.max(1)));
    let page: Vec<Value> = matching
        .into_iter()
        .skip(offset)
        .take(served)
        .cloned()
        .collect();
    drop(items);
    let include = query_value(&pairs, "include");
    let Some(options) = include_options.or(include.is_none().then_some(&[][..])) else {
        return bad_parameter("include", "this list includes nothing");
    };
    let included = match included_among(inner, include, &page, options) {
        Ok(included) => included,
        Err(response) => return response,
    };
    let next = (offset + served < total).then_some(offset + served);
    let previous = (offset > 0).then(|| offset.saturating_sub(limit));
    document(
        StatusCode::OK,
        json!({
            "data": page,
            "included": included,
            "meta": {
                "pagination": {
                    "counts": {"pages": total.div_ceil(limit), "resources": total},
                    "current_page": offset / limit + 1,
                    "offsets": {"next": next, "previous": previous},
                    "requested": {"limit": limit, "offset": offset}
                },
                "features": features
            },
            "jsonapi": {"version": "1.0"}
        }),
    )
}

fn find_interaction(inner: &Inner, id: &str) -> Option<usize> {
    lock(&inner.interactions)
        .iter()
        .position(|resource| resource["id"] == id)
}

fn not_found_interaction(id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "Not found",
        &format!("no customer interaction {id}"),
        "customer_interaction_id",
    )
}

async fn get_interaction(
    State(inner): State<Arc<Inner>>,
    Path((org_id, id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = intake(&inner, &org_id, &method, &uri, &headers, &Bytes::new()).await {
        return response;
    }
    let Some(index) = find_interaction(&inner, &id) else {
        return not_found_interaction(&id);
    };
    let resource = lock(&inner.interactions)[index].clone();
    let pairs = query_pairs(&uri);
    let included = match included_for(
        &inner,
        query_value(&pairs, "include"),
        std::slice::from_ref(&resource),
    ) {
        Ok(included) => included,
        Err(response) => return response,
    };
    document(
        StatusCode::OK,
        json!({"data": resource, "included": included, "jsonapi": {"version": "1.0"}}),
    )
}

async fn update_interaction(
    State(inner): State<Arc<Inner>>,
    Path((org_id, id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = intake(&inner, &org_id, &method, &uri, &headers, &body).await {
        return response;
    }
    let Some(index) = find_interaction(&inner, &id) else {
        return not_found_interaction(&id);
    };
    let (changes, updatable) = match update_body(&inner, INTERACTION, &body, &id) {
        Ok(update) => update,
        Err(response) => return response,
    };
    let replace = *lock(&inner.update_semantics) == UpdateSemantics::Replace;
    let mut interactions = lock(&inner.interactions);
    let resource = &mut interactions[index];
    let mut updatable: Vec<&str> = updatable.iter().map(String::as_str).collect();
    updatable.extend(spec::updatable(INTERACTION));
    apply_update(resource, changes, &updatable, replace);
    resource["meta"]["updated_at"] = chrono::Utc::now()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        .into();
    document(
        StatusCode::OK,
        json!({"data": resource.clone(), "jsonapi": {"version": "1.0"}}),
    )
}

async fn relink_interaction(
    State(inner): State<Arc<Inner>>,
    Path((org_id, id, name)): Path<(String, String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = intake(&inner, &org_id, &method, &uri, &headers, &body).await {
        return response;
    }
    let template = format!("{INTERACTION}/relationships/{name}");
    if !spec::has_operation(&template, "patch") {
        return not_found().await;
    }
    let Some(index) = find_interaction(&inner, &id) else {
        return not_found_interaction(&id);
    };
    let data = match request_body(&template, "patch", &body, None) {
        Ok(data) => data,
        Err(response) => return response,
    };
    let (Some(type_), Some(target)) = (data["type"].as_str(), data["id"].as_str()) else {
        return invalid_at("/data", "a relationship cannot be cleared here");
    };
    let (type_, target) = (type_.to_owned(), target.to_owned());
    lock(&inner.interactions)[index]["relationships"][&name] =
        json!({"data": {"type": type_, "id": target}});
    // The docs leave the success answer open: the representative answers 200 with the
    // linkage, the others 204, so both are exercised.
    if name == "representative" {
        document(
            StatusCode::OK,
            json!({"data": {"type": type_, "id": target}}),
        )
    } else {
        StatusCode::NO_CONTENT.into_response()
    }
}

/// The seeded contacts, customer account and members of a new fake.
fn seed_people(org_id: Uuid, author_id: Uuid) -> (Vec<Value>, Vec<Value>, Vec<Value>) {
    let now = "2026-01-05T09:00:00Z";
    let contact = |first: &str, last: &str, salutation: &str, association: &str| {
        json!({
            "id": Uuid::new_v4(),
            "type": "contacts",
            "attributes": {
                "association": association, "salutation": salutation,
                "first_name": first, "last_name": last,
                "email": format!("{}@example.com", first.to_lowercase()),
                "telephone": "01632 960000"
            },
            "meta": {"created_at": now, "updated_at": now},
            "relationships": {
                "accounts": {"data": []},
                "author": link("users", author_id),
                "interactions": {"data": []},
                "organisation": link("organisations", org_id)
            }
        })
    };
    let mut contacts = vec![
        contact("Alan", "Turing", "Mr", "occupier"),
        contact("Ada", "Lovelace", "Mrs", "occupier"),
        contact("Grace", "Hopper", "Dr", "landlord"),
    ];
    let account_id = Uuid::new_v4();
    contacts[0]["relationships"]["accounts"] =
        json!({"data": [{"type": "customer-accounts", "id": account_id}]});
    let accounts = vec![json!({
        "id": account_id,
        "type": "customer-accounts",
        "meta": {"created_at": now, "updated_at": now},
        "relationships": {
            "author": link("users", author_id),
            "organisation": link("organisations", org_id),
            "contacts": {"data": [{"type": "contacts", "id": contacts[0]["id"]}]},
            "interactions": {"data": []},
            "properties": {"data": []}
        }
    })];
    let member = |id: Uuid, email: &str, name: &str, title: &str| {
        json!({
            "id": id,
            "type": "users",
            "attributes": {
                "email": email,
                "identities": [{"provider": "password"}],
                "profile": {
                    "work": {"job_title": title},
                    "personal": {"name": name},
                    "contact": {}, "address": {}, "settings": {}
                }
            },
            "relationships": {
                "organisations": {"data": [{"type": "organisations", "id": org_id}]},
                "teams": {"data": []}
            }
        })
    };
    let members = vec![
        member(
            author_id,
            "author@example.com",
            "Annie Author",
            "Office manager",
        ),
        member(
            Uuid::new_v4(),
            "rep@example.com",
            "Ray Rep",
            "Customer representative",
        ),
    ];
    (contacts, accounts, members)
}

/// Finds the resource with `id` in `collection`: its index, or a 404 naming `what`.
fn find_in(
    collection: &Mutex<Vec<Value>>,
    id: &str,
    what: &str,
    field: &str,
) -> Result<usize, Response> {
    lock(collection)
        .iter()
        .position(|resource| resource["id"] == id)
        .ok_or_else(|| {
            error(
                StatusCode::NOT_FOUND,
                "Not found",
                &format!("no {what} {id}"),
                field,
            )
        })
}

async fn get_contact(
    State(inner): State<Arc<Inner>>,
    Path((org_id, id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = intake(&inner, &org_id, &method, &uri, &headers, &Bytes::new()).await {
        return response;
    }
    let index = match find_in(&inner.contacts, &id, "contact", "contact_id") {
        Ok(index) => index,
        Err(response) => return response,
    };
    let resource = lock(&inner.contacts)[index].clone();
    let pairs = query_pairs(&uri);
    let include = query_value(&pairs, "include");
    let included = match included_among(
        &inner,
        include,
        std::slice::from_ref(&resource),
        &spec::parameter_values(CONTACT, "get", "include"),
    ) {
        Ok(included) => included,
        Err(response) => return response,
    };
    document(
        StatusCode::OK,
        json!({"data": resource, "included": included, "jsonapi": {"version": "1.0"}}),
    )
}

async fn update_contact(
    State(inner): State<Arc<Inner>>,
    Path((org_id, id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = intake(&inner, &org_id, &method, &uri, &headers, &body).await {
        return response;
    }
    let index = match find_in(&inner.contacts, &id, "contact", "contact_id") {
        Ok(index) => index,
        Err(response) => return response,
    };
    let (changes, updatable) = match update_body(&inner, CONTACT, &body, &id) {
        Ok(update) => update,
        Err(response) => return response,
    };
    let replace = *lock(&inner.update_semantics) == UpdateSemantics::Replace;
    let mut contacts = lock(&inner.contacts);
    let resource = &mut contacts[index];
    let mut updatable: Vec<&str> = updatable.iter().map(String::as_str).collect();
    updatable.extend(spec::updatable(CONTACT));
    apply_update(resource, changes, &updatable, replace);
    resource["meta"]["updated_at"] = chrono::Utc::now()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        .into();
    document(
        StatusCode::OK,
        json!({"data": resource.clone(), "jsonapi": {"version": "1.0"}}),
    )
}

/// The ids of a to-many linkage whose shape the spec check has already accepted.
fn ids_of(data: &Value) -> Vec<Uuid> {
    data.as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["id"].as_str().and_then(|id| Uuid::parse_str(id).ok()))
        .collect()
}

fn to_many(type_: &str, ids: &[Uuid]) -> Value {
    let data: Vec<Value> = ids
        .iter()
        .map(|id| json!({"type": type_, "id": id}))
        .collect();
    json!({"data": data})
}

async fn create_account(
    State(inner): State<Arc<Inner>>,
    Path(org_id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = intake(&inner, &org_id, &method, &uri, &headers, &body).await {
        return response;
    }
    let data = match request_body(ACCOUNTS, "post", &body, None) {
        Ok(data) => data,
        Err(response) => return response,
    };
    let contacts = ids_of(&data["relationships"]["contacts"]["data"]);
    let properties = ids_of(&data["relationships"]["properties"]["data"]);
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let resource = json!({
        "id": Uuid::new_v4(),
        "type": "customer-accounts",
        "meta": {"created_at": now, "updated_at": now},
        "relationships": {
            "author": link("users", inner.author_id),
            "organisation": link("organisations", inner.org_id),
            "contacts": to_many("contacts", &contacts),
            "interactions": {"data": []},
            "properties": to_many("properties", &properties)
        }
    });
    lock(&inner.accounts).push(resource.clone());
    let included: Vec<Value> = contacts
        .iter()
        .map(|id| related_resource(&inner, "contacts", &id.to_string()))
        .collect();
    document(
        StatusCode::CREATED,
        json!({"data": resource, "included": included, "jsonapi": {"version": "1.0"}}),
    )
}

async fn add_account_contacts(
    State(inner): State<Arc<Inner>>,
    Path((org_id, id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change_account_contacts(&inner, &org_id, &id, &method, &uri, &headers, &body, true).await
}

async fn set_account_contacts(
    State(inner): State<Arc<Inner>>,
    Path((org_id, id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change_account_contacts(&inner, &org_id, &id, &method, &uri, &headers, &body, false).await
}

/// Adds (POST) or replaces (PATCH) an account's contacts. The docs leave the success
/// answer open: adding answers 204, replacing 200 with the linkage, so both are played.
#[allow(clippy::too_many_arguments)]
async fn change_account_contacts(
    inner: &Inner,
    org_id: &str,
    id: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    add: bool,
) -> Response {
    if let Some(response) = intake(inner, org_id, method, uri, headers, body).await {
        return response;
    }
    let index = match find_in(
        &inner.accounts,
        id,
        "customer account",
        "customer_account_id",
    ) {
        Ok(index) => index,
        Err(response) => return response,
    };
    let method_name = if add { "post" } else { "patch" };
    let given = match request_body(ACCOUNT_CONTACTS, method_name, body, None) {
        Ok(data) => ids_of(&data),
        Err(response) => return response,
    };
    let mut accounts = lock(&inner.accounts);
    let linked = &mut accounts[index]["relationships"]["contacts"];
    let mut ids: Vec<Uuid> = if add {
        linked["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item["id"].as_str().and_then(|id| Uuid::parse_str(id).ok()))
            .collect()
    } else {
        Vec::new()
    };
    for id in given {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    *linked = to_many("contacts", &ids);
    if add {
        StatusCode::NO_CONTENT.into_response()
    } else {
        document(StatusCode::OK, linked.clone())
    }
}

async fn get_member(
    State(inner): State<Arc<Inner>>,
    Path((org_id, id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = intake(&inner, &org_id, &method, &uri, &headers, &Bytes::new()).await {
        return response;
    }
    let index = match find_in(&inner.members, &id, "member", "member_id") {
        Ok(index) => index,
        Err(response) => return response,
    };
    let resource = lock(&inner.members)[index].clone();
    document(
        StatusCode::OK,
        json!({"data": resource, "jsonapi": {"version": "1.0"}}),
    )
}

/// Writes `changes` into `resource`'s attributes; under replace semantics the
/// `updatable` attributes not in `changes` are removed first.
fn apply_update(
    resource: &mut Value,
    changes: serde_json::Map<String, Value>,
    updatable: &[&str],
    replace: bool,
) {
    if !resource["attributes"].is_object() {
        resource["attributes"] = json!({});
    }
    if let Some(attributes) = resource["attributes"].as_object_mut() {
        if replace {
            for name in updatable {
                if !changes.contains_key(*name) {
                    attributes.remove(*name);
                }
            }
        }
        attributes.extend(changes);
    }
}
