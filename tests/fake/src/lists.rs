//! Lists: one page of a collection (limit and offset, filter, sort), the features a list
//! reports, the resources an `include` adds, and how the fake pages.

use std::sync::Mutex;

use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use crate::answers::{bad_parameter, document};
use crate::intake::{query_pairs, query_value};
use crate::spec;
use crate::state::{Inner, lock};

/// The page size when the request names none, as the older docs give.
pub const DEFAULT_LIMIT: usize = 10;

/// How the fake pages lists.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Paging {
    /// The most items a page holds, whatever the request's limit.
    pub(crate) max_page_size: Option<usize>,
    /// How long a list answer takes (a slow network or database).
    pub(crate) delay: std::time::Duration,
    /// How far lists lag behind what is stored: a resource created less than this long
    /// ago (by its `meta.created_at`) is not listed yet, as a replica that lags.
    pub(crate) lag: std::time::Duration,
}

/// A field of a resource as filters and sorts see it: an attribute, else a `meta` member
/// (`created_at`, ...).
fn field_of<'a>(resource: &'a Value, field: &str) -> &'a Value {
    match &resource["attributes"][field] {
        Value::Null => &resource["meta"][field],
        value => value,
    }
}

/// Whether a resource is too new for a list that lags by `lag`.
fn lagging(resource: &Value, lag: std::time::Duration, now: chrono::DateTime<chrono::Utc>) -> bool {
    !lag.is_zero()
        && resource["meta"]["created_at"]
            .as_str()
            .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
            .is_none_or(|created| {
                now.signed_duration_since(created)
                    .to_std()
                    .map_or(true, |age| age < lag)
            })
}

/// The resource to include for a link: the stored contact, account or member when there
/// is one, else a made-up resource with a `name` attribute.
pub(crate) fn related_resource(inner: &Inner, type_: &str, id: &str) -> Value {
    let types = inner.types;
    let stored = [
        (&types.contact, &inner.contacts),
        (&types.account, &inner.accounts),
        (&types.user, &inner.members),
    ]
    .into_iter()
    .find_map(|(stored_type, stored)| (stored_type == type_).then_some(stored));
    if let Some(found) =
        stored.and_then(|stored| lock(stored).iter().find(|r| r["id"] == id).cloned())
    {
        return found;
    }
    json!({
        "type": type_,
        "id": id,
        "attributes": {"name": format!("{type_} {}", &id[..8])},
    })
}

/// The included resources for `include` over `resources`, whose relationships that may be
/// included are `options`; to-one and to-many links alike.
pub(crate) fn included_among(
    inner: &Inner,
    include: Option<&str>,
    resources: &[Value],
    options: &[&str],
) -> Result<Vec<Value>, Response> {
    let mut included: Vec<Value> = Vec::new();
    let Some(include) = include else {
        return Ok(included);
    };
    for name in include.split(',') {
        if !options.contains(&name) {
            return Err(bad_parameter("include", &format!("cannot include {name}")));
        }
        for resource in resources {
            let data = &resource["relationships"][name]["data"];
            let links: Vec<&Value> = match data {
                Value::Array(items) => items.iter().collect(),
                one => vec![one],
            };
            for data in links {
                let (Some(type_), Some(id)) = (data["type"].as_str(), data["id"].as_str()) else {
                    continue;
                };
                let candidate = related_resource(inner, type_, id);
                if !included.contains(&candidate) {
                    included.push(candidate);
                }
            }
        }
    }
    Ok(included)
}

/// The features a list reports: its include, sort and filter options, from the spec
/// (`null` where the list takes none).
pub(crate) fn features_of(template: &str) -> Value {
    let options = |name: &str| {
        let values = spec::parameter_values(template, "get", name);
        if values.is_empty() {
            Value::Null
        } else {
            json!(values)
        }
    };
    json!({"params": {
        "include": {"options": options("include")},
        "sort": {"options": options("sort")},
        "filter": {"options": options("filter")}
    }})
}

/// The include options of a list, from the spec (`None` when it takes no `include`).
pub(crate) fn include_options(template: &str) -> Option<Vec<&'static str>> {
    let values = spec::parameter_values(template, "get", "include");
    (!values.is_empty()).then_some(values)
}

/// One page of `collection` for the list request `uri`: `limit`, `offset`,
/// `filter[field]` (exact, on attributes), `sort` (one field), and `include` among
/// `include_options` where the list takes one.
pub(crate) async fn list_page(
    inner: &Inner,
    uri: &Uri,
    collection: &Mutex<Vec<Value>>,
    features: Value,
    include_options: Option<&[&str]>,
) -> Response {
    let paging = *lock(&inner.paging);
    if !paging.delay.is_zero() {
        tokio::time::sleep(paging.delay).await;
    }
    let pairs = query_pairs(uri);
    let parse = |name: &str, default: usize| match query_value(&pairs, name) {
        None => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| bad_parameter(name, "must be a whole number")),
    };
    let (limit, offset) = match (parse("limit", DEFAULT_LIMIT), parse("offset", 0)) {
        (Ok(limit), Ok(offset)) if limit > 0 => (limit, offset),
        (Err(response), _) | (_, Err(response)) => return response,
        _ => return bad_parameter("limit", "must be at least 1"),
    };
    // A filter or sort outside the features the list reports: refused as documented, or
    // (playing a lax server) ignored, so that the list comes back unfiltered.
    let options = |name: &str| -> Vec<String> {
        features["params"][name]["options"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o.as_str().map(str::to_owned))
            .collect()
    };
    let (filters, sorts) = (options("filter"), options("sort"));
    let ignore = *lock(&inner.ignore_unsupported);
    let mut pairs = pairs;
    let mut refused = None;
    pairs.retain(|(key, value)| {
        let (parameter, option, supported) = match key
            .strip_prefix("filter[")
            .and_then(|k| k.strip_suffix(']'))
        {
            Some(field) => ("filter", field, &filters),
            None if key == "sort" => ("sort", value.trim_start_matches('-'), &sorts),
            None => return true,
        };
        let known = supported.is_empty() || supported.iter().any(|s| s == option);
        if !known && !ignore && refused.is_none() {
            refused = Some(bad_parameter(
                parameter,
                &format!("{option} is not one of {}", supported.join(", ")),
            ));
        }
        known
    });
    if let Some(response) = refused {
        return response;
    }
    // References, not copies: only the page itself is cloned, so a large organisation
    // costs the fake little memory per request.
    let items = lock(collection);
    let now = chrono::Utc::now();
    let mut matching: Vec<&Value> = items
        .iter()
        .filter(|resource| !lagging(resource, paging.lag, now))
        .filter(|resource| {
            pairs.iter().all(|(key, value)| {
                let Some(field) = key
                    .strip_prefix("filter[")
                    .and_then(|k| k.strip_suffix(']'))
                else {
                    return true;
                };
                match field_of(resource, field) {
                    Value::String(text) => text == value,
                    Value::Null => false,
                    other => serde_json::from_str::<Value>(value).ok().as_ref() == Some(other),
                }
            })
        })
        .collect();
    if let Some(sort) = query_value(&pairs, "sort") {
        let (field, descending) = match sort.strip_prefix('-') {
            Some(field) => (field, true),
            None => (sort, false),
        };
        matching.sort_by(|a, b| {
            let order = field_of(a, field)
                .to_string()
                .cmp(&field_of(b, field).to_string());
            if descending { order.reverse() } else { order }
        });
    }
    let total = matching.len();
    let served = paging
        .max_page_size
        .map_or(limit, |max| limit.min(max.max(1)));
    let page: Vec<Value> = matching
        .into_iter()
        .skip(offset)
        .take(served)
        .cloned()
        .collect();
    drop(items);
    let include = query_value(&pairs, "include");
    let Some(options) = include_options.or(include.is_none().then_some(&[][..])) else {
        return bad_parameter("include", "this list includes nothing");
    };
    let included = match included_among(inner, include, &page, options) {
        Ok(included) => included,
        Err(response) => return response,
    };
    let next = (offset + served < total).then_some(offset + served);
    let previous = (offset > 0).then(|| offset.saturating_sub(limit));
    document(
        StatusCode::OK,
        json!({
            "data": page,
            "included": included,
            "meta": {
                "pagination": {
                    "counts": {"pages": total.div_ceil(limit), "resources": total},
                    "current_page": offset / limit + 1,
                    "offsets": {"next": next, "previous": previous},
                    "requested": {"limit": limit, "offset": offset}
                },
                "features": features
            },
            "jsonapi": {"version": "1.0"}
        }),
    )
}
