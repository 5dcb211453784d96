//! Interactions as an httpmock server answers them, for the list, get, update and relink
//! suites.

use serde_json::{Value, json};

use crate::common::*;

/// The id of interaction `n`.
pub fn id(n: u8) -> String {
    format!("00000000-0000-4000-8000-0000000000{n:02}")
}

/// Interaction `n` as Ctrl Hub sends it.
pub fn resource(n: u8) -> Value {
    json!({
        "id": id(n),
        "type": "customer-interactions",
        "attributes": {"method": "email", "direction": "inbound", "notes": format!("item {n}")},
        "relationships": {"contact": {"data": {"type": "contacts", "id": SEED_ID}}}
    })
}

/// A page of `items` at `offset`, naming `next`.
pub fn page(items: &[u8], offset: u64, next: Option<u64>) -> Value {
    json!({
        "data": items.iter().map(|n| resource(*n)).collect::<Vec<_>>(),
        "meta": {"pagination": {
            "counts": {"pages": 3, "resources": 5},
            "current_page": offset / 2 + 1,
            "offsets": {"next": next, "previous": null},
            "requested": {"limit": 2, "offset": offset}
        }},
        "jsonapi": {"version": "1.0"}
    })
}

/// The interactions list's path.
pub fn list_path() -> String {
    create_path()
}

/// Interaction `n`'s path.
pub fn item_path(n: u8) -> String {
    format!("{}/{}", create_path(), id(n))
}
