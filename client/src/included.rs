//! Related resources of a compound document (`included`), resolved by (type, id).

use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::{DecodeError, Error};
use crate::jsonapi::{Object, Resource, ResourceIdentifier};

/// A typed resource made from its generated type.
pub(crate) trait FromRaw: Sized {
    /// The generated resource type it is decoded as.
    type Raw: DeserializeOwned;

    fn from_raw(raw: Self::Raw) -> Self;
}

/// A related resource from a compound document.
///
/// Ctrl Hub does not document the attributes of contacts, accounts, properties, users or
/// organisations, so they are JSON here; [`attributes_as`](IncludedResource::attributes_as)
/// decodes them into a type of your own.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IncludedResource {
    /// The resource type, such as `contacts`.
    pub type_: String,
    /// The resource id.
    pub id: Uuid,
    /// The resource's attributes.
    pub attributes: Object,
    /// The resource's relationships, as JSON.
    pub relationships: Object,
    /// The resource's `meta`.
    pub meta: Object,
}

impl IncludedResource {
    /// The resource `identifier` names, looked up in a compound document's `included` by
    /// (type, id) as JSON:API defines; `None` when Ctrl Hub did not include it.
    pub(crate) fn find(included: &[Resource], identifier: &ResourceIdentifier) -> Option<Self> {
        let found = included.iter().find(|candidate| {
            candidate.type_ == identifier.type_
                && Uuid::try_parse(&candidate.id).ok() == Some(identifier.id)
        })?;
        Some(Self::from_resource(identifier.id, found))
    }

    fn from_resource(id: Uuid, resource: &Resource) -> Self {
        IncludedResource {
            type_: resource.type_.clone(),
            id,
            attributes: resource.attributes.clone(),
            relationships: resource.relationships.clone(),
            meta: resource.meta.clone(),
        }
    }

    /// The attributes decoded as `T`; a mismatch is an [`Error::Decode`].
    pub fn attributes_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_value(serde_json::Value::Object(self.attributes.clone())).map_err(|e| {
            DecodeError::without_answer(format!("attributes of {} {}: {e}", self.type_, self.id))
        })
    }

    /// The resource as the typed value `T`; a mismatch is an [`Error::Decode`] naming it.
    pub(crate) fn decode<T: FromRaw>(&self) -> Result<T, Error> {
        let value = serde_json::json!({
            "id": self.id,
            "type": self.type_,
            "attributes": self.attributes,
            "relationships": self.relationships,
            "meta": self.meta,
        });
        serde_json::from_value::<T::Raw>(value)
            .map(T::from_raw)
            .map_err(|e| {
                DecodeError::without_answer(format!("included {} {}: {e}", self.type_, self.id))
            })
    }

    /// One attribute, if present.
    pub fn attribute(&self, name: &str) -> Option<&serde_json::Value> {
        self.attributes.get(name)
    }
}
