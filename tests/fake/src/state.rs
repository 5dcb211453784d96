//! What a running fake holds: the `Inner` state its handlers share, the contacts, account,
//! members and interactions it is seeded with, and `lock`, which every part is taken with.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use serde_json::{Value, json};
use uuid::Uuid;

use crate::bodies::link;
use crate::lists::Paging;
use crate::spec::ResourceTypes;
use crate::tokens::Tokens;
use crate::{
    DEFAULT_REQUIRED_ON_CREATE, FakeCtrlHub, Fault, RecordedRequest, UnnamedOnPut, UpdateSemantics,
};

/// What a running fake holds, shared by its handlers and the [`FakeCtrlHub`] they serve.
pub(crate) struct Inner {
    /// The JSON:API type strings the fake sends, read from the spec.
    pub(crate) types: &'static ResourceTypes,
    pub(crate) org_id: Uuid,
    pub(crate) session_token: String,
    pub(crate) author_id: Uuid,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) interactions: Mutex<Vec<Value>>,
    pub(crate) contacts: Mutex<Vec<Value>>,
    pub(crate) accounts: Mutex<Vec<Value>>,
    pub(crate) members: Mutex<Vec<Value>>,
    pub(crate) requests: Mutex<Vec<RecordedRequest>>,
    pub(crate) update_semantics: Mutex<UpdateSemantics>,
    /// Attributes the server has and the spec does not name, and what a PUT does with them.
    pub(crate) unnamed: Mutex<Vec<(String, UnnamedOnPut)>>,
    /// Whether a list ignores a filter or sort outside its features instead of refusing it.
    pub(crate) ignore_unsupported: Mutex<bool>,
    pub(crate) required_on_create: Mutex<Vec<String>>,
    /// How long a create takes before it is stored (a slow service).
    pub(crate) create_delay: Mutex<std::time::Duration>,
    pub(crate) paging: Mutex<Paging>,
    pub(crate) tokens: Mutex<Tokens>,
    pub(crate) faults: Mutex<VecDeque<Fault>>,
}

impl Inner {
    /// The state of a new fake serving `org_id` and accepting `session_token` (by default
    /// a random one): fresh service-account credentials and author, the seeded people,
    /// whose resources are of the spec's `types`.
    pub(crate) fn new(
        org_id: Uuid,
        session_token: Option<String>,
        types: &'static ResourceTypes,
    ) -> Inner {
        let author_id = Uuid::new_v4();
        let (contacts, accounts, members) = seed_people(types, org_id, author_id);
        Inner {
            types,
            org_id,
            session_token: session_token
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
        }
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FakeCtrlHub {
    /// Stores `count` interactions directly (for benchmarks and large lists), as if each
    /// had been created through the API, a minute apart.
    pub fn seed_interactions(&self, count: usize) {
        let start = chrono::DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|_| chrono::Utc::now());
        let types = self.inner.types;
        let mut interactions = lock(&self.inner.interactions);
        for i in 0..count {
            let at = (start + chrono::Duration::minutes(i as i64))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let mut relationships = serde_json::Map::new();
            relationships.insert("author".into(), link(&types.user, self.inner.author_id));
            relationships.insert(
                "organisation".into(),
                link(types.organisation, self.inner.org_id),
            );
            relationships.insert("contact".into(), link(&types.contact, Uuid::new_v4()));
            let method = ["letter", "email", "telephone", "sms"][i % 4];
            interactions.push(json!({
                "id": Uuid::new_v4(),
                "type": types.interaction,
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
}

/// The seeded contacts, customer account and members of a new fake.
fn seed_people(
    types: &ResourceTypes,
    org_id: Uuid,
    author_id: Uuid,
) -> (Vec<Value>, Vec<Value>, Vec<Value>) {
    let now = "2026-01-05T09:00:00Z";
    let contact = |first: &str, last: &str, salutation: &str, association: &str| {
        json!({
            "id": Uuid::new_v4(),
            "type": types.contact,
            "attributes": {
                "association": association, "salutation": salutation,
                "first_name": first, "last_name": last,
                "email": format!("{}@example.com", first.to_lowercase()),
                "telephone": "01632 960000"
            },
            "meta": {"created_at": now, "updated_at": now},
            "relationships": {
                "accounts": {"data": []},
                "author": link(&types.user, author_id),
                "interactions": {"data": []},
                "organisation": link(types.organisation, org_id)
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
        json!({"data": [{"type": types.account, "id": account_id}]});
    let accounts = vec![json!({
        "id": account_id,
        "type": types.account,
        "meta": {"created_at": now, "updated_at": now},
        "relationships": {
            "author": link(&types.user, author_id),
            "organisation": link(types.organisation, org_id),
            "contacts": {"data": [{"type": types.contact, "id": contacts[0]["id"]}]},
            "interactions": {"data": []},
            "properties": {"data": []}
        }
    })];
    let member = |id: Uuid, email: &str, name: &str, title: &str| {
        json!({
            "id": id,
            "type": types.user,
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
                "organisations": {"data": [{"type": types.organisation, "id": org_id}]},
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
