//! `ctrlhub auth check`.

use ctrlhub::Client;
use serde_json::Value;

use super::connect::given;
use super::one;
use crate::args::Connection;
use crate::exit::{Exit, Failure};
use crate::output::{Format, Record};

/// Makes one cheap authenticated call and shows who and where.
pub async fn check(
    client: &Client,
    connection: &Connection,
    host: &str,
    format: Format,
) -> Result<Exit, Failure> {
    let page = client
        .interactions()
        .list()
        .limit(1)
        .page()
        .await
        .map_err(|e| Failure::api(&e, host))?;
    let credentials = match given(&connection.client_id) {
        // Both kinds at once were refused by `connect`.
        Some(id) => format!("service account {id}"),
        _ => "session token".to_owned(),
    };
    let mut record = Record::default();
    record.push("api", client.base_url());
    record.push("organisation", client.organisation_id().to_string());
    record.push("credentials", credentials);
    record.push(
        "interactions",
        page.pagination.resources.map_or(Value::Null, Value::from),
    );
    record.push("result", "ok");
    one(format, record)
}
