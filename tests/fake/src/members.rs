//! Organisation members: list and read (the fake holds two, the author and a
//! representative).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde_json::json;

use crate::answers::{document, find_in};
use crate::lists::{features_of, list_page};
use crate::state::{Inner, lock};

const MEMBERS: &str = "/v3/orgs/{org_id}/iam/members";

pub(crate) async fn list_members(State(inner): State<Arc<Inner>>, uri: Uri) -> Response {
    list_page(&inner, &uri, &inner.members, features_of(MEMBERS), None).await
}

pub(crate) async fn get_member(
    State(inner): State<Arc<Inner>>,
    Path((_, id)): Path<(String, String)>,
) -> Response {
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
