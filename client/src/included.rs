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
    /// The resource `identifier` names among `included`, by (type, id) as JSON:API
    /// defines; `None` when Ctrl Hub did not include it.
    pub(crate) fn find<'a>(
        included: &'a [IncludedResource],
        identifier: &ResourceIdentifier,
    ) -> Option<&'a Self> {
        included
            .iter()
            .find(|candidate| candidate.type_ == identifier.type_ && candidate.id == identifier.id)
    }

    /// A compound document's `included`, typed. A resource whose id is not a UUID cannot
    /// be what a relationship of this API points at (their ids are UUIDs), so it is left
    /// out.
    pub(crate) fn all_of(included: Vec<Resource>) -> Vec<Self> {
        included
            .into_iter()
            .filter_map(|resource| {
                let id = Uuid::try_parse(&resource.id).ok()?;
                Some(IncludedResource {
                    type_: resource.type_,
                    id,
                    attributes: resource.attributes,
                    relationships: resource.relationships,
                    meta: resource.meta,
                })
            })
            .collect()
    }

    /// The attributes decoded as `T`; a mismatch is an [`Error::Decode`].
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] naming the resource when its attributes are not a `T`.
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
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&serde_json::Value> {
        self.attributes.get(name)
    }
}
