//! Constructors for the request-side relationship schemas: an identifier schema (required
//! `type` with a one-value `enum`, and `id`) gets `From<Uuid>`; a to-one relationship (a
//! required `data` that is one identifier) gets `From<Uuid>`; a to-many one (`data`, an
//! array of identifiers) gets `FromIterator<Uuid>`. The type string is the spec's: the
//! handwritten layer never writes it.

use serde_json::Value;

use crate::component_schemas;

/// A request identifier schema and its type string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identifier {
    /// The schema name.
    pub name: String,
    /// The one value of its `type`.
    pub type_: String,
}

/// A relationship schema whose `data` is one identifier or an array of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    /// The schema name.
    pub name: String,
    /// The identifier schema of `data`.
    pub identifier: String,
    /// Whether `data` is an array.
    pub many: bool,
}

/// The identifier schemas of the spec, in name order.
pub(crate) fn identifiers(doc: &Value) -> Vec<Identifier> {
    component_schemas(doc)
        .filter_map(|(name, schema)| {
            let required = schema.get("required")?.as_array()?;
            let has = |member: &str| required.iter().any(|r| r == member);
            let values = schema.pointer("/properties/type/enum")?.as_array()?;
            let format = schema.pointer("/properties/id/format")?.as_str()?;
            let only_type_and_id = schema.get("properties")?.as_object()?.len() == 2;
            match values.as_slice() {
                [one] if has("type") && has("id") && format == "uuid" && only_type_and_id => {
                    Some(Identifier {
                        name: name.clone(),
                        type_: one.as_str()?.to_owned(),
                    })
                }
                _ => None,
            }
        })
        .collect()
}

/// The relationship schemas over `identifiers`, in name order.
pub(crate) fn links(doc: &Value, identifiers: &[Identifier]) -> Vec<Link> {
    let identifier_of = |target: Option<&Value>| {
        let name = target?.as_str()?.strip_prefix("#/components/schemas/")?;
        identifiers
            .iter()
            .any(|i| i.name == name)
            .then(|| name.to_owned())
    };
    component_schemas(doc)
        .filter_map(|(name, schema)| {
            let required = schema.get("required")?.as_array()?;
            if !required.iter().any(|r| r == "data") {
                return None;
            }
            let data = schema.pointer("/properties/data")?;
            let (identifier, many) = match identifier_of(data.get("$ref")) {
                Some(one) => (one, false),
                None => (identifier_of(data.pointer("/items/$ref"))?, true),
            };
            Some(Link {
                name: name.clone(),
                identifier,
                many,
            })
        })
        .collect()
}

/// `customer-accounts` → `CustomerAccounts`, as progenitor names an enum value's variant.
fn variant(value: &str) -> String {
    value
        .split(['-', '_', ' '])
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// The impls, as Rust source.
pub(crate) fn source(identifiers: &[Identifier], links: &[Link]) -> String {
    let mut source = String::new();
    for identifier in identifiers {
        source.push_str(&format!(
            "/// A `{type_}` identifier for the id.\n\
             impl ::std::convert::From<::uuid::Uuid> for types::{name} {{\n\
                 fn from(id: ::uuid::Uuid) -> Self {{\n\
                     Self {{ id, type_: types::{name}Type::{variant} }}\n\
                 }}\n\
             }}\n",
            name = identifier.name,
            type_ = identifier.type_,
            variant = variant(&identifier.type_),
        ));
    }
    for link in links {
        let name = &link.name;
        if link.many {
            source.push_str(&format!(
                "/// A relationship to the resources of these ids.\n\
                 impl ::std::iter::FromIterator<::uuid::Uuid> for types::{name} {{\n\
                     fn from_iter<I: ::std::iter::IntoIterator<Item = ::uuid::Uuid>>(ids: I) -> Self {{\n\
                         Self {{ data: ids.into_iter().map(::std::convert::Into::into).collect() }}\n\
                     }}\n\
                 }}\n"
            ));
        } else {
            source.push_str(&format!(
                "/// A relationship to the resource of the id.\n\
                 impl ::std::convert::From<::uuid::Uuid> for types::{name} {{\n\
                     fn from(id: ::uuid::Uuid) -> Self {{\n\
                         Self {{ data: id.into() }}\n\
                     }}\n\
                 }}\n"
            ));
        }
    }
    source
}
