//! The fake's request rules, read from the OpenAPI document the client is generated
//! from (`openapi/ctrlhub.yaml`, packaged with this crate): types, formats, enum values
//! (an open set's `x-extensible-enum` accepts any value, as the spec says it may grow),
//! the resource `type` (a request's relationships name their target's in their identifier
//! schemas; a relationship endpoint's body in `x-ctrlhub-target`), the relationship names
//! a schema declares; and the type strings the fake itself sends (`types`). Not a second
//! hand-written copy of the rules.

use std::sync::OnceLock;

use serde_json::Value;

/// The spec this crate carries, parsed once: the document, or why it could not be read.
fn parsed() -> &'static Result<Value, String> {
    static SPEC: OnceLock<Result<Value, String>> = OnceLock::new();
    SPEC.get_or_init(|| parse(include_str!(concat!(env!("OUT_DIR"), "/ctrlhub.yaml"))))
}

/// `text` as an OpenAPI document with `paths`.
fn parse(text: &str) -> Result<Value, String> {
    let doc: Value = serde_norway::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
    if doc.get("paths").and_then(Value::as_object).is_none() {
        return Err("it has no `paths`".into());
    }
    Ok(doc)
}

/// Whether the spec loaded, and the resource types the fake sends, read from it: a fake
/// does not start without them (it would refuse everything, or have nothing to send).
pub(crate) fn loaded() -> Result<&'static ResourceTypes, String> {
    parsed().as_ref().map_err(Clone::clone)?;
    types::resource_types()
}

/// The spec (`null` if it did not load, which [`loaded`] keeps a fake from starting with).
fn spec() -> &'static Value {
    static NULL: Value = Value::Null;
    parsed().as_ref().unwrap_or(&NULL)
}

/// A request body that breaks the spec: where (a JSON pointer) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    pub(crate) pointer: String,
    pub(crate) detail: String,
}

/// Checks `body` against the request schema of `method` on the path `template` (as it is
/// written in the spec, such as `/v3/orgs/{org_id}/customers/interactions`).
pub(crate) fn check_request(template: &str, method: &str, body: &Value) -> Result<(), Violation> {
    let operation = spec()
        .pointer(&operation_pointer(template, method))
        .ok_or_else(|| Violation {
            pointer: String::new(),
            detail: format!("the spec has no {method} {template}"),
        })?;
    let body_spec = operation.get("requestBody");
    let schema = body_spec
        .and_then(|b| b.pointer("/content/application~1vnd.api+json/schema"))
        .ok_or_else(|| Violation {
            pointer: String::new(),
            detail: format!("{method} {template} takes no body"),
        })?;
    check(schema, body, "")?;
    // A relationship endpoint's body names resources of one type.
    if let Some(target) = body_spec
        .and_then(|b| b.get("x-ctrlhub-target"))
        .and_then(Value::as_str)
    {
        check_target(target, body, "")?;
    }
    Ok(())
}

/// Checks an answer to `method` on `path` (a request path, such as
/// `/v3/orgs/1f.../customers/interactions`) against the response the spec declares for
/// `status` (or its `4XX`/`5XX` range). A bodyless answer passes where the response has no
/// content.
pub(crate) fn check_response(
    method: &str,
    path: &str,
    status: u16,
    body: Option<&Value>,
) -> Result<(), Violation> {
    let (template, operation, _) = operation_at(method, path).ok_or_else(|| Violation {
        pointer: String::new(),
        detail: format!("the spec has no {method} {path}"),
    })?;
    let responses = operation.get("responses").and_then(Value::as_object);
    let range = format!("{}XX", status / 100);
    let response = responses
        .and_then(|r| r.get(&status.to_string()).or_else(|| r.get(&range)))
        .map(resolve)
        .ok_or_else(|| Violation {
            pointer: String::new(),
            detail: format!("{method} {template} does not document a {status}"),
        })?;
    let schema = response.pointer("/content/application~1vnd.api+json/schema");
    match (schema, body) {
        (Some(schema), Some(body)) => check(schema, body, ""),
        (None, None) => Ok(()),
        (Some(_), None) => Err(violation("", "the documented answer has a body")),
        (None, Some(_)) => Err(violation("", "the documented answer has no body")),
    }
}

/// Whether the spec has the operation `method` on the path `template`.
pub(crate) fn has_operation(template: &str, method: &str) -> bool {
    spec()
        .pointer(&operation_pointer(template, method))
        .is_some()
}

fn operation_pointer(template: &str, method: &str) -> String {
    format!(
        "/paths/{}/{method}",
        template.replace('~', "~0").replace('/', "~1")
    )
}

fn violation(pointer: &str, detail: impl Into<String>) -> Violation {
    Violation {
        pointer: if pointer.is_empty() {
            "/".into()
        } else {
            pointer.into()
        },
        detail: detail.into(),
    }
}

/// `body` (a relationship object or document) links only resources of type `target`.
fn check_target(target: &str, body: &Value, at: &str) -> Result<(), Violation> {
    let data = &body["data"];
    let items: Vec<(String, &Value)> = match data {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("{at}/data/{i}"), item))
            .collect(),
        Value::Null => Vec::new(),
        one => vec![(format!("{at}/data"), one)],
    };
    for (pointer, item) in items {
        if item["type"] != target {
            return Err(violation(
                &format!("{pointer}/type"),
                format!("must be `{target}`, not {}", item["type"]),
            ));
        }
    }
    Ok(())
}

fn resolve(schema: &Value) -> &Value {
    resolve_in(spec(), schema)
}

/// Checks `value` against `schema` (the OpenAPI 3.0 subset the spec uses). Objects are
/// closed where they declare `properties` and no `additionalProperties`: a member the
/// spec does not name (a misspelt attribute, the SDK's `customer_account` relationship)
/// is refused.
fn check(schema: &Value, value: &Value, at: &str) -> Result<(), Violation> {
    let schema = resolve(schema);
    if schema.is_null() {
        return Err(violation(at, "the spec does not describe this"));
    }
    if value.is_null() {
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        return if nullable {
            Ok(())
        } else {
            Err(violation(at, "must not be null"))
        };
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for part in all {
            check(part, value, at)?;
        }
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array)
        && !any.iter().any(|part| check(part, value, at).is_ok())
    {
        return Err(violation(at, "matches none of the documented shapes"));
    }
    if let Some(kind) = schema.get("type").and_then(Value::as_str) {
        check_type(schema, kind, value, at)?;
    }
    Ok(())
}

fn check_type(schema: &Value, kind: &str, value: &Value, at: &str) -> Result<(), Violation> {
    let fits = match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => true,
    };
    if !fits {
        return Err(violation(
            at,
            format!("must be of type {kind}, not {value}"),
        ));
    }
    match value {
        Value::String(text) => check_string(schema, text, at),
        Value::Array(items) => {
            let item_schema = schema.get("items").unwrap_or(&Value::Null);
            for (i, item) in items.iter().enumerate() {
                if !item_schema.is_null() {
                    check(item_schema, item, &format!("{at}/{i}"))?;
                }
            }
            Ok(())
        }
        Value::Object(members) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            for name in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !members.contains_key(name) {
                    return Err(violation(
                        &format!("{at}/{name}"),
                        format!("{name} is required"),
                    ));
                }
            }
            let closed = properties.is_some() && schema.get("additionalProperties").is_none();
            for (name, member) in members {
                match properties.and_then(|p| p.get(name)) {
                    Some(member_schema) => check(member_schema, member, &format!("{at}/{name}"))?,
                    None if closed => {
                        return Err(violation(
                            &format!("{at}/{name}"),
                            format!("{name} is not a documented member here"),
                        ));
                    }
                    None => {}
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn check_string(schema: &Value, text: &str, at: &str) -> Result<(), Violation> {
    // `x-extensible-enum` lists the values known so far of an open set: any is accepted.
    let allowed = schema.get("enum").and_then(Value::as_array);
    if let Some(allowed) = allowed
        && !allowed.iter().any(|v| v == text)
    {
        let listed: Vec<String> = allowed.iter().map(|v| v.to_string()).collect();
        return Err(violation(
            at,
            format!("`{text}` is not one of {}", listed.join(", ")),
        ));
    }
    let format = schema.get("format").and_then(Value::as_str);
    let ok = match format {
        Some("uuid") => is_hyphenated_uuid(text),
        Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        Some("email") => text
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.')),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(violation(
            at,
            format!("`{text}` is not a valid {}", format.unwrap_or("value")),
        ))
    }
}

/// The `x-ctrlhub-values` of the parameter `name` of `method` on `template` (on the
/// parameter or its schema): a list's include, sort or filter options.
pub(crate) fn parameter_values(template: &str, method: &str, name: &str) -> Vec<&'static str> {
    let path = format!("/paths/{}", template.replace('~', "~0").replace('/', "~1"));
    let Some(item) = spec().pointer(&path) else {
        return Vec::new();
    };
    let operation = item.get(method);
    [Some(item), operation]
        .into_iter()
        .flatten()
        .filter_map(|node| node.get("parameters").and_then(Value::as_array))
        .flatten()
        .map(resolve)
        .filter(|p| p.get("name").and_then(Value::as_str) == Some(name))
        .find_map(|p| {
            p.get("x-ctrlhub-values")
                .or_else(|| p.pointer("/schema/x-ctrlhub-values"))
                .and_then(Value::as_array)
        })
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The attributes a PUT on `template` may carry: its body's `data.attributes` members.
pub(crate) fn updatable(template: &str) -> Vec<&'static str> {
    let body = spec()
        .pointer(&operation_pointer(template, "put"))
        .and_then(|op| op.pointer("/requestBody/content/application~1vnd.api+json/schema"));
    body.map(resolve)
        .and_then(|document| document.pointer("/properties/data"))
        .map(resolve)
        .and_then(|data| data.pointer("/properties/attributes"))
        .map(resolve)
        .and_then(|attributes| attributes.get("properties"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, _)| name.as_str())
        .collect()
}

mod parameters;
mod types;

#[cfg(test)]
pub(crate) use parameters::BadParameter;
use parameters::operation_at;
pub(crate) use parameters::{check_parameters, is_hyphenated_uuid};
pub(crate) use types::ResourceTypes;
use types::resolve_in;

#[cfg(test)]
mod tests;
