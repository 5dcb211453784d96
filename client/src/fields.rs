//! The names of a resource's fields and options, generated from the OpenAPI document.

use crate::resource::{ResourceType, TypedResource};

/// The names a resource's fields and list options go by, as the OpenAPI document this
/// version was generated from writes them, each list in the document's order.
///
/// These are the one list of them: the CLI's columns are made from them, and the by-name
/// accessors ([`Interaction::attribute`](crate::Interaction::attribute),
/// [`NewInteraction::attribute`](crate::NewInteraction::attribute)) reach an attribute the
/// typed fields do not name yet. The filter, sort and include values are the document's
/// assumptions (`x-ctrlhub-source: inferred` where Ctrl Hub does not document them); the
/// server's own `meta.features` decides (see [`Features`](crate::Features)).
///
/// ```
/// let fields = ctrlhub::ResourceFields::of::<ctrlhub::Interaction>();
/// assert!(fields.attributes.contains(&"notes"));
/// assert!(fields.create_relationships.contains(&"contact"));
/// assert!(!fields.create_attributes.contains(&"created_at"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResourceFields {
    /// The attributes an answer carries.
    pub attributes: &'static [&'static str],
    /// The relationships an answer carries.
    pub relationships: &'static [&'static str],
    /// The members of the resource's `meta` (Ctrl Hub's times).
    pub meta: &'static [&'static str],
    /// The attributes a create may set; empty when the resource has no create.
    pub create_attributes: &'static [&'static str],
    /// The relationships a create may set; empty when the resource has no create.
    pub create_relationships: &'static [&'static str],
    /// The attributes an update may set; empty when the resource has no update.
    pub update_attributes: &'static [&'static str],
    /// The fields a list may filter on (`filter[FIELD]`).
    pub filters: &'static [&'static str],
    /// The fields a list may sort by.
    pub sorts: &'static [&'static str],
    /// The relationships a get (or else a list) may include.
    pub includes: &'static [&'static str],
}

impl ResourceFields {
    /// The fields of the typed resource `T`.
    #[must_use]
    pub fn of<T: TypedResource>() -> &'static ResourceFields {
        &<T::Raw as ResourceType>::FIELDS
    }
}
