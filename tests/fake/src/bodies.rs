//! Request documents: a body checked against the spec and its `data` read, a PUT's
//! changes applied to a stored resource, and the JSON:API linkage resources are made of.

use std::sync::Mutex;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::answers::{document, error, invalid_at};
use crate::spec;
use crate::state::{Inner, lock};
use crate::{UnnamedOnPut, UpdateSemantics};

/// The `data` of a request document for the operation `method` on the spec's path
/// `template`, checked against `openapi/ctrlhub.yaml` (see [`spec`]), or the documented
/// 400 naming where it breaks the spec. `id`, for an update, must be the URL's (409).
pub(crate) fn request_body(
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

/// The unnamed attributes the fake accepts (see [`UnnamedOnPut`]), lifted out of the
/// request `body` so that the spec check, which would refuse them, sees the rest: the
/// body left, what was lifted, and the names accepted.
pub(crate) fn lift_accepted(
    inner: &Inner,
    body: &Bytes,
) -> (Bytes, serde_json::Map<String, Value>, Vec<String>) {
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
    (body, lifted, accepted)
}

/// A PUT's attribute changes, checked against the spec, and the unnamed attributes the
/// fake accepts on a PUT (lifted out of the body before the check, and put back in the
/// changes after).
fn update_body(
    inner: &Inner,
    template: &str,
    body: &Bytes,
    id: &str,
) -> Result<(serde_json::Map<String, Value>, Vec<String>), Response> {
    let (body, lifted, accepted) = lift_accepted(inner, body);
    let mut changes = attributes_of(&request_body(template, "put", &body, Some(id))?);
    changes.extend(lifted);
    Ok((changes, accepted))
}

/// A PUT of `body` to the resource at `index` of `store` (the operation on `template`):
/// checked, applied under the fake's update semantics (the spec's updatable attributes and
/// any unnamed one it accepts), and answered with the stored resource.
pub(crate) fn put_update(
    inner: &Inner,
    store: &Mutex<Vec<Value>>,
    index: usize,
    template: &str,
    body: &Bytes,
    id: &str,
) -> Response {
    let (changes, accepted) = match update_body(inner, template, body, id) {
        Ok(update) => update,
        Err(response) => return response,
    };
    let replace = *lock(&inner.update_semantics) == UpdateSemantics::Replace;
    let mut updatable: Vec<&str> = accepted.iter().map(String::as_str).collect();
    updatable.extend(spec::updatable(template));
    let mut resources = lock(store);
    let resource = &mut resources[index];
    apply_update(resource, changes, &updatable, replace);
    resource["meta"]["updated_at"] = chrono::Utc::now()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        .into();
    document(
        StatusCode::OK,
        json!({"data": resource.clone(), "jsonapi": {"version": "1.0"}}),
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

/// The attributes of a resource document's `data`, empty when it has none.
pub(crate) fn attributes_of(data: &Value) -> serde_json::Map<String, Value> {
    data["attributes"].as_object().cloned().unwrap_or_default()
}

pub(crate) fn link(type_: &str, id: Uuid) -> Value {
    json!({"data": {"type": type_, "id": id}})
}

/// The ids of a to-many linkage whose shape the spec check has already accepted.
pub(crate) fn ids_of(data: &Value) -> Vec<Uuid> {
    data.as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["id"].as_str().and_then(|id| Uuid::parse_str(id).ok()))
        .collect()
}

pub(crate) fn to_many(type_: &str, ids: &[Uuid]) -> Value {
    let data: Vec<Value> = ids
        .iter()
        .map(|id| json!({"type": type_, "id": id}))
        .collect();
    json!({"data": data})
}
