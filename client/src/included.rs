//! Related resources of a compound document (`included`), resolved by (type, id).

use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::{DecodeError, Error};
use crate::jsonapi::{Object, Resource, ResourceIdentifier};
use crate::resource::{ResourceType, TypedResource};

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

    /// The resource as this crate's typed `T`, such as a [`Contact`](crate::Contact).
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] naming the resource when it is not in `T`'s shape.
    ///
    /// A resource of another type this crate knows (an account decoded as a contact, say)
    /// is refused. A type string the spec does not name is decoded: the spec's strings
    /// come from Ctrl Hub's SDK, not its reference, and a real answer may differ.
    pub fn decode<T: TypedResource>(&self) -> Result<T, Error> {
        let expected = <T::Raw as ResourceType>::TYPE;
        if self.type_ != expected && crate::generated::RESOURCE_TYPES.contains(&&*self.type_) {
            return Err(DecodeError::without_answer(format!(
                "included {} {} is not one of `{expected}`",
                self.type_, self.id
            )));
        }
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
