//! How the fake answers: a JSON:API document, the error documents the API guide shows
//! (a refusal, a bad query parameter, a body that breaks the spec) and the 404s.

use std::sync::Mutex;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::JSON_API;
use crate::state::lock;

/// A JSON:API answer.
pub(crate) fn document(status: StatusCode, body: Value) -> Response {
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
pub(crate) fn error(status: StatusCode, title: &str, detail: &str, field: &str) -> Response {
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

pub(crate) fn bad_parameter(name: &str, detail: &str) -> Response {
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

/// The documented 400 for a request body that breaks the spec at `pointer`.
pub(crate) fn invalid_at(pointer: &str, detail: &str) -> Response {
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

pub(crate) async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not found", "no such route", "path")
}

/// Finds the resource with `id` in `collection`: its index, or a 404 naming `what`.
pub(crate) fn find_in(
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

pub(crate) fn not_found_interaction(id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "Not found",
        &format!("no customer interaction {id}"),
        "customer_interaction_id",
    )
}
