//! JSON:API 1.0 envelope types: documents, resources, resource identifiers, to-one
//! relationships and error documents.
//!
//! The generated client uses these for the envelope pieces the spec shares between
//! resources, and they are public for anyone who talks to an endpoint the typed API does
//! not cover yet. Every type tolerates members it does not know.

use std::collections::BTreeMap;
use std::fmt;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The JSON:API media type, `application/vnd.api+json`: the client sends it as `Accept`
/// and as the `Content-Type` of request bodies.
pub const MEDIA_TYPE: &str = "application/vnd.api+json";

/// A JSON object (`meta`, `links`, untyped `attributes`).
pub type Object = Map<String, Value>;

/// Exact-match filters of a list request, sent as `filter[field]=value` and `ANDed`.
///
/// The keys are field names; the `filter[...]` wrapping is added when the filters are
/// sent. Iteration (and so the query string) is in field-name order.
///
/// progenitor's httpmock helper for the `filter` parameter cannot match these exploded
/// parameters; match them with `into_inner().query_param("filter[field]", value)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters(BTreeMap<String, String>);

impl Filters {
    /// No filters.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the filter on `field`.
    pub fn insert(&mut self, field: impl Into<String>, value: impl Into<String>) {
        self.0.insert(field.into(), value.into());
    }

    /// Whether there are no filters.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The filters as (field, value) pairs, in field-name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl Serialize for Filters {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (field, value) in &self.0 {
            map.serialize_entry(&format!("filter[{field}]"), value)?;
        }
        map.end()
    }
}

/// The filters as they appear in a query string, percent-encoded.
impl fmt::Display for Filters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let encoded = serde_urlencoded::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&encoded)
    }
}

/// Any resource, with its attributes and relationships left as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// The resource type, such as `contacts`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The resource id (a UUID for every Ctrl Hub resource seen so far).
    pub id: String,
    /// The resource's attributes.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub attributes: Object,
    /// The resource's relationships, by name.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub relationships: Object,
    /// Non-standard information about the resource.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub meta: Object,
    /// Links related to the resource.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub links: Object,
}

/// Names one resource by type and id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResourceIdentifier {
    /// The resource type, such as `contacts`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The resource id.
    pub id: Uuid,
}

impl ResourceIdentifier {
    /// An identifier for the resource of type `type_` with id `id`.
    pub fn new(type_: impl Into<String>, id: Uuid) -> Self {
        Self {
            type_: type_.into(),
            id,
        }
    }
}

/// A to-one relationship. `data` is `None` when nothing is linked; it is then written as
/// `"data": null`, which is how JSON:API clears a link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToOne {
    /// The linked resource, if any.
    #[serde(default)]
    pub data: Option<ResourceIdentifier>,
    /// Non-standard information about the relationship.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub meta: Object,
}

impl ToOne {
    /// A relationship linking to `identifier`.
    #[must_use]
    pub fn to(identifier: ResourceIdentifier) -> Self {
        Self {
            data: Some(identifier),
            meta: Object::new(),
        }
    }

    /// The id of the linked resource, if any.
    #[must_use]
    pub fn id(&self) -> Option<Uuid> {
        self.data.as_ref().map(|data| data.id)
    }
}

/// A to-many relationship: the linked resources, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToMany {
    /// The linked resources.
    #[serde(default)]
    pub data: Vec<ResourceIdentifier>,
    /// Non-standard information about the relationship.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub meta: Object,
}

impl ToMany {
    /// A relationship linking to `identifiers`.
    #[must_use]
    pub fn to(identifiers: Vec<ResourceIdentifier>) -> Self {
        Self {
            data: identifiers,
            meta: Object::new(),
        }
    }

    /// The ids of the linked resources, in order.
    #[must_use]
    pub fn ids(&self) -> Vec<Uuid> {
        self.data.iter().map(|data| data.id).collect()
    }
}

/// The `jsonapi` member: the server's JSON:API version.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JsonApi {
    /// The JSON:API version, such as `1.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Non-standard information.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub meta: Object,
}

/// An error answer from Ctrl Hub.
///
/// Ctrl Hub sends two shapes: the API guide shows a document with an `errors` array, the
/// reference pages a bare error object. Both decode into this type; a bare object becomes
/// the only entry of `errors`. It is always written back as the standard `errors` form.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ErrorDocument {
    /// The problems found.
    pub errors: Vec<ErrorObject>,
    /// Non-standard information about the answer.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub meta: Object,
    /// The server's JSON:API implementation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jsonapi: Option<JsonApi>,
}

impl<'de> Deserialize<'de> for ErrorDocument {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct List {
            errors: Vec<ErrorObject>,
            #[serde(default)]
            meta: Object,
            #[serde(default)]
            jsonapi: Option<JsonApi>,
        }

        // Decide by the `errors` member rather than trying both shapes: a malformed
        // `errors` is then reported as such instead of passing as an empty bare object.
        let object = Object::deserialize(deserializer)?;
        if object.contains_key("errors") {
            let list =
                List::deserialize(Value::Object(object)).map_err(serde::de::Error::custom)?;
            Ok(ErrorDocument {
                errors: list.errors,
                meta: list.meta,
                jsonapi: list.jsonapi,
            })
        } else {
            let error = ErrorObject::deserialize(Value::Object(object))
                .map_err(serde::de::Error::custom)?;
            Ok(ErrorDocument {
                errors: vec![error],
                ..ErrorDocument::default()
            })
        }
    }
}

/// One problem reported by Ctrl Hub.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// An identifier for this occurrence of the problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The HTTP status, as a string (`"400"`). A number is accepted too.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "string_or_number"
    )]
    pub status: Option<String>,
    /// An application-specific error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A short summary of the problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// An explanation of this occurrence of the problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Where in the request the problem was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ErrorSource>,
    /// Non-standard details; Ctrl Hub puts `field`, `type` and `value` here.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub meta: Object,
    /// Members JSON:API does not define, kept as received: a gateway's
    /// `{"error": .., "error_description": ..}` lands here rather than being lost.
    #[serde(flatten)]
    pub other: Object,
}

impl ErrorObject {
    /// The part of the request the problem is about, as precisely as the answer says:
    /// `source.pointer`, `source.parameter`, `source.header` or Ctrl Hub's `meta.field`.
    #[must_use]
    pub fn location(&self) -> Option<&str> {
        let source = self.source.as_ref();
        source
            .and_then(|s| s.pointer.as_deref())
            .or_else(|| source.and_then(|s| s.parameter.as_deref()))
            .or_else(|| source.and_then(|s| s.header.as_deref()))
            .or_else(|| self.meta.get("field").and_then(Value::as_str))
    }
}

/// Shows the error's words: `title: detail`, else its `code`, else whatever else it
/// carries (unknown members, `meta`, `status`), so that no text Ctrl Hub (or a gateway)
/// sent is lost; then where the problem is.
impl std::fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = [self.title.as_deref(), self.detail.as_deref()]
            .into_iter()
            .flatten()
            .filter(|part| !part.is_empty())
            .peekable();
        if parts.peek().is_none() {
            if let Some(code) = self.code.as_deref().filter(|c| !c.is_empty()) {
                f.write_str(code)?;
            } else if !self.other.is_empty() {
                write_members(f, &self.other)?;
            } else if !self.meta.is_empty() {
                f.write_str("meta ")?;
                write_members(f, &self.meta)?;
            } else if let Some(status) = &self.status {
                write!(f, "status {status}, with no title or detail")?;
            } else {
                f.write_str("an error object with no members")?;
            }
        }
        for (i, part) in parts.enumerate() {
            if i > 0 {
                f.write_str(": ")?;
            }
            f.write_str(part)?;
        }
        if let Some(location) = self.location() {
            write!(f, " (at {location})")?;
        }
        Ok(())
    }
}

/// `key: value, key: value`, strings unquoted.
fn write_members(f: &mut std::fmt::Formatter<'_>, members: &Object) -> std::fmt::Result {
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        match value {
            Value::String(text) => write!(f, "{key}: {text}")?,
            other => write!(f, "{key}: {other}")?,
        }
    }
    Ok(())
}

/// Where in the request a problem was found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorSource {
    /// A JSON pointer into the request document, such as `/data/attributes/method`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// The query parameter at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// The request header at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
}

fn string_or_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(deserializer)? {
        Some(Value::String(text)) => Some(text),
        Some(Value::Number(number)) => Some(number.to_string()),
        Some(Value::Null) | None => None,
        Some(other) => {
            return Err(serde::de::Error::custom(format!(
                "error status must be a string or a number, not {other}"
            )));
        }
    })
}

#[cfg(test)]
mod tests;
