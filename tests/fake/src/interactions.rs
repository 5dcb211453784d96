//! Customer interactions: create, list, read, update, and relink one to another resource.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::answers::{document, error, invalid_at, not_found, not_found_interaction};
use crate::bodies::{attributes_of, lift_accepted, link, put_update, request_body};
use crate::intake::{query_pairs, query_value};
use crate::lists::{features_of, include_options, included_among, list_page};
use crate::spec;
use crate::state::{Inner, lock};

const INTERACTIONS: &str = "/v3/orgs/{org_id}/customers/interactions";
const INTERACTION: &str = "/v3/orgs/{org_id}/customers/interactions/{customer_interaction_id}";

pub(crate) async fn create_interaction(State(inner): State<Arc<Inner>>, body: Bytes) -> Response {
    let (body, lifted, _) = lift_accepted(&inner, &body);
    let data = match request_body(INTERACTIONS, "post", &body, None) {
        Ok(data) => data,
        Err(response) => return response,
    };
    let mut attributes = attributes_of(&data);
    attributes.extend(lifted);
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
    let types = inner.types;
    relationships.insert("author".into(), link(&types.user, inner.author_id));
    relationships.insert(
        "organisation".into(),
        link(types.organisation, inner.org_id),
    );
    // Names, identifiers and their types were checked against the spec.
    for (name, given) in data["relationships"].as_object().into_iter().flatten() {
        if given["data"].is_object() {
            relationships.insert(name.clone(), json!({"data": given["data"]}));
        }
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let resource = json!({
        "id": Uuid::new_v4(),
        "type": types.interaction,
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

pub(crate) async fn list_interactions(State(inner): State<Arc<Inner>>, uri: Uri) -> Response {
    list_page(
        &inner,
        &uri,
        &inner.interactions,
        features_of(INTERACTIONS),
        include_options(INTERACTIONS).as_deref(),
    )
    .await
}

fn find_interaction(inner: &Inner, id: &str) -> Option<usize> {
    lock(&inner.interactions)
        .iter()
        .position(|resource| resource["id"] == id)
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

pub(crate) async fn get_interaction(
    State(inner): State<Arc<Inner>>,
    Path((_, id)): Path<(String, String)>,
    uri: Uri,
) -> Response {
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

pub(crate) async fn update_interaction(
    State(inner): State<Arc<Inner>>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let Some(index) = find_interaction(&inner, &id) else {
        return not_found_interaction(&id);
    };
    put_update(&inner, &inner.interactions, index, INTERACTION, &body, &id)
}

pub(crate) async fn relink_interaction(
    State(inner): State<Arc<Inner>>,
    Path((_, id, name)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
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
