//! `ctrlhub interactions` create, get, list and update: the flags checked as an import
//! row is, then one request (or a few pages).

use chrono::DateTime;
use ctrlhub::{Client, Error, InteractionChanges, InteractionRelated, NewInteraction};
use serde_json::Value;

use super::{apply_query, list_pages, new_values, one, show};
use crate::args::{CreateArgs, GetArgs, ListArgs, UpdateArgs};
use crate::exit::{Exit, Failure};
use crate::output::Format;
use crate::records;

/// Records one interaction.
pub async fn create(
    client: &Client,
    args: &CreateArgs,
    format: Format,
    host: &str,
) -> Result<Exit, Failure> {
    let request = client.interactions().create(new_interaction(args)?);
    show(request, format, host, records::interaction).await
}

fn bool_flag(flag: &str, value: &str) -> Result<bool, Failure> {
    records::parse_contacted(value).map_err(|reason| Failure::refused(&format!("--{flag}"), reason))
}

fn date_flag(flag: &str, value: &str) -> Result<DateTime<chrono::FixedOffset>, Failure> {
    records::parse_date_time(value).map_err(|reason| Failure::refused(&format!("--{flag}"), reason))
}

/// The interaction the flags describe, checked as an import row is (the same columns,
/// the same rules), with errors naming the flag.
fn new_interaction(args: &CreateArgs) -> Result<NewInteraction, Failure> {
    let row = records::Row {
        line: 0,
        cells: records::IMPORTED_COLUMNS
            .iter()
            .map(|column| flag_for(args, column).cloned().unwrap_or_default())
            .collect(),
    };
    row.to_new(new_values(args.allow_new_values)).map_err(|e| {
        let column = e.column.unwrap_or_default().replace('_', "-");
        Failure::refused(&format!("--{column}"), e.reason)
    })
}

/// The value of the `create` flag for an imported column; `None` for a column that has
/// no flag (a column the importer learns before `create` does is left unset, not read
/// from another flag).
fn flag_for<'a>(args: &'a CreateArgs, column: &str) -> Option<&'a String> {
    match column {
        "method" => args.method.as_ref(),
        "direction" => args.direction.as_ref(),
        "date_time" => args.date_time.as_ref(),
        "contacted" => args.contacted.as_ref(),
        "status" => args.status.as_ref(),
        "notes" => args.notes.as_ref(),
        "contact" => args.contact.as_ref(),
        "account" => args.account.as_ref(),
        "property" => args.property.as_ref(),
        "representative" => args.representative.as_ref(),
        _ => None,
    }
}

fn related(names: &[String]) -> Result<Vec<InteractionRelated>, Failure> {
    names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|name| {
            InteractionRelated::ALL
                .into_iter()
                .find(|r| r.as_str() == name.trim())
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        InteractionRelated::ALL.iter().map(|r| r.as_str()).collect();
                    Failure::refused(
                        "--include",
                        format!("{name:?} is not one of {}", known.join(", ")),
                    )
                })
        })
        .collect()
}

pub async fn get(
    client: &Client,
    args: GetArgs,
    format: Format,
    host: &str,
) -> Result<Exit, Failure> {
    let include = related(&args.include)?;
    let details = client
        .interactions()
        .get(args.id.as_str())
        .include(include.clone())
        .send()
        .await
        .map_err(|e| Failure::api(&e, host))?;
    let mut record = records::interaction(&details.resource);
    for relationship in include {
        record.push(
            format!("included.{relationship}"),
            details
                .related(relationship)
                .map_or(Value::Null, records::included),
        );
    }
    one(format, record)
}

pub async fn list(
    client: &Client,
    args: ListArgs,
    format: Format,
    host: &str,
) -> Result<Exit, Failure> {
    let include = related(&args.include)?;
    let list = apply_query(client.interactions().list(), &args.query).include(include.clone());
    list_pages(list, args.limit, args.offset, format, host, |item, page| {
        let mut record = records::interaction(item);
        for relationship in &include {
            let linked = item.link(*relationship).and_then(|link| page.related(link));
            record.push(
                format!("included.{relationship}"),
                linked.map_or(Value::Null, records::included),
            );
        }
        record
    })
    .await
}

pub async fn update(
    client: &Client,
    args: UpdateArgs,
    format: Format,
    host: &str,
) -> Result<Exit, Failure> {
    let fail = |e: Error| Failure::api(&e, host);
    let mut changes = InteractionChanges::new();
    let mut attributes = false;
    if let Some(v) = &args.date_time {
        changes = changes.date_time(date_flag("date-time", v)?);
        attributes = true;
    }
    if let Some(v) = &args.contacted {
        changes = changes.contacted(bool_flag("contacted", v)?);
        attributes = true;
    }
    if let Some(v) = &args.notes {
        changes = changes.notes(v.as_str());
        attributes = true;
    }
    let relinks = [&args.contact, &args.account, &args.representative];
    if !attributes && relinks.iter().all(|r| r.is_none()) {
        return Err(Failure {
            exit: Exit::Usage,
            message: "nothing to change: give --date-time, --contacted, --notes, --contact, \
                      --account or --representative"
                .to_owned(),
        });
    }
    let interactions = client.interactions();
    let id = args.id.as_str();
    let mut stored = None;
    if attributes {
        stored = Some(
            interactions
                .update(id, changes)
                .send()
                .await
                .map_err(fail)?,
        );
    }
    if let Some(contact) = &args.contact {
        interactions
            .set_contact(id, contact.as_str())
            .send()
            .await
            .map_err(fail)?;
    }
    if let Some(account) = &args.account {
        interactions
            .set_account(id, account.as_str())
            .send()
            .await
            .map_err(fail)?;
    }
    if let Some(member) = &args.representative {
        interactions
            .set_representative(id, member.as_str())
            .send()
            .await
            .map_err(fail)?;
    }
    let stored = match stored {
        Some(stored) if relinks.iter().all(|r| r.is_none()) => stored,
        // Relinked: show the interaction as it is now.
        _ => interactions.get(id).await.map_err(fail)?,
    };
    one(format, records::interaction(&stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_imported_column_is_read_from_its_own_create_flag_and_no_other() {
        let own = |name: &str| Some(format!("value of {name}"));
        let args = CreateArgs {
            method: own("method"),
            direction: own("direction"),
            date_time: own("date_time"),
            contacted: own("contacted"),
            status: own("status"),
            notes: own("notes"),
            contact: own("contact"),
            account: own("account"),
            property: own("property"),
            representative: own("representative"),
            allow_new_values: false,
        };
        for column in records::IMPORTED_COLUMNS.iter() {
            let expected = (*column != records::EXTRA).then(|| own(column)).flatten();
            assert_eq!(flag_for(&args, column), expected.as_ref(), "{column}");
        }
        // A column with no flag is not set, whatever the other flags say.
        assert_eq!(flag_for(&args, "channel"), None);
    }

    #[test]
    fn flags_are_checked_before_anything_is_sent() {
        assert!(bool_flag("contacted", "False").is_ok_and(|b| !b));
        assert!(bool_flag("contacted", "TRUE").is_ok_and(|b| b));
        let error = bool_flag("contacted", "1").unwrap_err();
        assert_eq!(error.exit, Exit::InvalidInput);
        assert!(error.message.contains("--contacted"));
        assert!(date_flag("date-time", "2026-01-05T09:00:00Z").is_ok());
        assert!(
            date_flag("date-time", "2026-01-05")
                .unwrap_err()
                .message
                .contains("--date-time")
        );
        assert_eq!(
            related(&["contact".into(), " account".into(), String::new()]).unwrap(),
            [InteractionRelated::Contact, InteractionRelated::Account]
        );
        assert!(related(&["contacts".into()]).is_err());
    }
}
