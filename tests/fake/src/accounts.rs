//! Customer accounts: create one, and add to or replace the contacts it links.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::answers::{document, find_in};
use crate::bodies::{ids_of, link, request_body, to_many};
use crate::lists::related_resource;
use crate::state::{Inner, lock};

const ACCOUNTS: &str = "/v3/orgs/{org_id}/customers/accounts";
const ACCOUNT_CONTACTS: &str =
    "/v3/orgs/{org_id}/customers/accounts/{customer_account_id}/relationships/contacts";

pub(crate) async fn create_account(State(inner): State<Arc<Inner>>, body: Bytes) -> Response {
    let data = match request_body(ACCOUNTS, "post", &body, None) {
        Ok(data) => data,
        Err(response) => return response,
    };
    let contacts = ids_of(&data["relationships"]["contacts"]["data"]);
    let properties = ids_of(&data["relationships"]["properties"]["data"]);
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let types = inner.types;
    let resource = json!({
        "id": Uuid::new_v4(),
        "type": types.account,
        "meta": {"created_at": now, "updated_at": now},
        "relationships": {
            "author": link(&types.user, inner.author_id),
            "organisation": link(types.organisation, inner.org_id),
            "contacts": to_many(&types.contact, &contacts),
            "interactions": {"data": []},
            "properties": to_many(&types.property, &properties)
        }
    });
    lock(&inner.accounts).push(resource.clone());
    let included: Vec<Value> = contacts
        .iter()
        .map(|id| related_resource(&inner, &types.contact, &id.to_string()))
        .collect();
    document(
        StatusCode::CREATED,
        json!({"data": resource, "included": included, "jsonapi": {"version": "1.0"}}),
    )
}

pub(crate) async fn add_account_contacts(
    State(inner): State<Arc<Inner>>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    change_account_contacts(&inner, &id, &body, true).await
}

pub(crate) async fn set_account_contacts(
    State(inner): State<Arc<Inner>>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    change_account_contacts(&inner, &id, &body, false).await
}

/// Adds (POST) or replaces (PATCH) an account's contacts. The docs leave the success
/// answer open: adding answers 204, replacing 200 with the linkage, so both are played.
async fn change_account_contacts(inner: &Inner, id: &str, body: &Bytes, add: bool) -> Response {
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
    *linked = to_many(&inner.types.contact, &ids);
    if add {
        StatusCode::NO_CONTENT.into_response()
    } else {
        document(StatusCode::OK, linked.clone())
    }
}
