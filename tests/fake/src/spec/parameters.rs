//! A request's path and query parameters, checked against the operation the spec
//! declares.

use serde_json::Value;

use super::{resolve, spec};

/// A path or query parameter that breaks the spec: its name and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadParameter {
    pub(crate) name: String,
    pub(crate) detail: String,
}

/// Checks a request's path and query against the operation the spec declares for
/// `method` on `path`: every path parameter of `format: uuid` is a hyphenated UUID, and
/// every query parameter is one the operation declares (`filter[FIELD]` for a deep-object
/// `filter`). A path the spec does not have is left to the router.
pub(crate) fn check_parameters(
    method: &str,
    path: &str,
    query: &[(String, String)],
) -> Result<(), BadParameter> {
    let Some((template, operation, item)) = operation_at(method, path) else {
        return Ok(());
    };
    let declared: Vec<&Value> = [item, operation]
        .into_iter()
        .filter_map(|node| node.get("parameters").and_then(Value::as_array))
        .flatten()
        .map(resolve)
        .collect();
    for (segment, value) in template.split('/').zip(path.split('/')) {
        let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            continue;
        };
        let is_uuid = declared.iter().any(|p| {
            p.get("name").and_then(Value::as_str) == Some(name)
                && p.pointer("/schema/format").and_then(Value::as_str) == Some("uuid")
        });
        if is_uuid && !is_hyphenated_uuid(value) {
            return Err(BadParameter {
                name: name.to_owned(),
                detail: format!("`{value}` is not a hyphenated UUID"),
            });
        }
    }
    for (key, _) in query {
        let known = declared.iter().any(|p| {
            let name = p.get("name").and_then(Value::as_str);
            let in_query = p.get("in").and_then(Value::as_str) == Some("query");
            let deep = p.get("style").and_then(Value::as_str) == Some("deepObject");
            in_query
                && name.is_some_and(|name| {
                    if deep {
                        key.strip_prefix(name).is_some_and(|rest| {
                            rest.len() > 2 && rest.starts_with('[') && rest.ends_with(']')
                        })
                    } else {
                        key == name
                    }
                })
        });
        if !known {
            return Err(BadParameter {
                name: key.clone(),
                detail: format!("`{key}` is not a parameter of this operation"),
            });
        }
    }
    Ok(())
}

/// The spec's path template matching `path`, its operation for `method`, and its path item.
pub(super) fn operation_at(
    method: &str,
    path: &str,
) -> Option<(&'static str, &'static Value, &'static Value)> {
    let paths = spec().get("paths")?.as_object()?;
    paths.iter().find_map(|(template, item)| {
        let segments: Vec<&str> = template.split('/').collect();
        let actual: Vec<&str> = path.split('/').collect();
        let matches = segments.len() == actual.len()
            && segments
                .iter()
                .zip(&actual)
                .all(|(t, a)| t.starts_with('{') || t == a);
        let operation = item.get(method.to_ascii_lowercase())?;
        matches.then_some((template.as_str(), operation, item))
    })
}

/// A UUID in its hyphenated form only (not `urn:uuid:`, braced or simple).
pub(crate) fn is_hyphenated_uuid(text: &str) -> bool {
    text.len() == 36 && uuid::Uuid::try_parse(text).is_ok()
}
