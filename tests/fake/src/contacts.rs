//! Contacts: list, read and update (the fake starts with three, and creates none).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde_json::json;

use crate::answers::{document, find_in};
use crate::bodies::put_update;
use crate::intake::{query_pairs, query_value};
use crate::lists::{features_of, include_options, included_among, list_page};
use crate::spec;
use crate::state::{Inner, lock};

const CONTACT: &str = "/v3/orgs/{org_id}/customers/contacts/{contact_id}";
const CONTACTS: &str = "/v3/orgs/{org_id}/customers/contacts";

pub(crate) async fn list_contacts(State(inner): State<Arc<Inner>>, uri: Uri) -> Response {
    list_page(
        &inner,
        &uri,
        &inner.contacts,
        features_of(CONTACTS),
        include_options(CONTACTS).as_deref(),
    )
    .await
}

pub(crate) async fn get_contact(
    State(inner): State<Arc<Inner>>,
    Path((_, id)): Path<(String, String)>,
    uri: Uri,
) -> Response {
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

pub(crate) async fn update_contact(
    State(inner): State<Arc<Inner>>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let index = match find_in(&inner.contacts, &id, "contact", "contact_id") {
        Ok(index) => index,
        Err(response) => return response,
    };
    put_update(&inner, &inner.contacts, index, CONTACT, &body, &id)
}
