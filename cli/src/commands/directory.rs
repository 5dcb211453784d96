//! `ctrlhub contacts` and `ctrlhub members`: the organisation's people, listed or one
//! by id.

use ctrlhub::{Client, List, Listed};

use super::{apply_query, list_pages, show};
use crate::args::{ContactListArgs, ContactsCommand, MembersCommand};
use crate::exit::{Exit, Failure};
use crate::output::{Format, Record};
use crate::records;

pub async fn contacts(
    client: &Client,
    command: ContactsCommand,
    format: Format,
    host: &str,
) -> Result<Exit, Failure> {
    match command {
        ContactsCommand::List(args) => {
            let list = client.contacts().list();
            list_others(list, &args, format, host, records::contact).await
        }
        ContactsCommand::Get(args) => {
            let request = client.contacts().get(args.id.as_str());
            show(request, format, host, records::contact).await
        }
    }
}

pub async fn members(
    client: &Client,
    command: MembersCommand,
    format: Format,
    host: &str,
) -> Result<Exit, Failure> {
    match command {
        MembersCommand::List(args) => {
            let list = client.members().list();
            list_others(list, &args, format, host, records::member).await
        }
        MembersCommand::Get(args) => {
            let request = client.members().get(args.id.as_str());
            show(request, format, host, records::member).await
        }
    }
}

async fn list_others<T: Listed>(
    list: List<'_, T>,
    args: &ContactListArgs,
    format: Format,
    host: &str,
    record: fn(&T) -> Record,
) -> Result<Exit, Failure> {
    let list = apply_query(list, &args.query);
    list_pages(list, args.limit, args.offset, format, host, |item, _| {
        record(item)
    })
    .await
}
