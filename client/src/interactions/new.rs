//! What a new interaction is made of.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::resource_types;
use crate::client::IntoId;
use crate::error::Error;
use crate::generated::types;
use crate::jsonapi::{ResourceIdentifier, ToOne};
use crate::model::{InteractionDirection, InteractionMethod, InteractionStatus};

/// A customer interaction to record, made with [`NewInteraction::builder`].
///
/// Which attributes Ctrl Hub requires is not documented, so none is required here; the
/// API answers 400 naming any it wants.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInteraction {
    attributes: types::InteractionAttributes,
    relationships: types::NewInteractionRelationships,
}

impl NewInteraction {
    /// Starts describing an interaction.
    pub fn builder() -> NewInteractionBuilder {
        NewInteractionBuilder::default()
    }

    pub(crate) fn into_document(self) -> types::NewInteractionDocument {
        let relationships = self.relationships;
        let has_relationships = relationships != types::NewInteractionRelationships::default();
        types::NewInteractionDocument {
            data: types::NewInteractionResource {
                type_: resource_types::INTERACTION.to_owned(),
                attributes: self.attributes,
                relationships: has_relationships.then_some(relationships),
            },
        }
    }
}

/// Builds a [`NewInteraction`]. Ids are checked by [`build`](NewInteractionBuilder::build).
#[derive(Debug, Default, Clone)]
pub struct NewInteractionBuilder {
    attributes: types::InteractionAttributes,
    contact: Option<Result<Uuid, String>>,
    account: Option<Result<Uuid, String>>,
    property: Option<Result<Uuid, String>>,
    representative: Option<Result<Uuid, String>>,
}

impl NewInteractionBuilder {
    /// How the customer was contacted.
    pub fn method(mut self, method: InteractionMethod) -> Self {
        self.attributes.method = Some(method);
        self
    }

    /// Who started the interaction.
    pub fn direction(mut self, direction: InteractionDirection) -> Self {
        self.attributes.direction = Some(direction);
        self
    }

    /// When the interaction happened (or is scheduled to).
    pub fn date_time<Tz: chrono::TimeZone>(mut self, at: DateTime<Tz>) -> Self {
        self.attributes.date_time = Some(at.with_timezone(&Utc));
        self
    }

    /// Whether the customer was reached.
    pub fn contacted(mut self, contacted: bool) -> Self {
        self.attributes.contacted = Some(contacted);
        self
    }

    /// The interaction's status, such as [`InteractionStatus::Scheduled`].
    pub fn status(mut self, status: InteractionStatus) -> Self {
        self.attributes.status = Some(status);
        self
    }

    /// Free text about the interaction.
    pub fn notes(mut self, notes: impl Into<String>) -> Self {
        self.attributes.notes = Some(notes.into());
        self
    }

    /// The contact (person) the interaction was with.
    pub fn contact(mut self, id: impl IntoId) -> Self {
        self.contact = Some(id.into_id());
        self
    }

    /// The customer account the interaction belongs to.
    pub fn account(mut self, id: impl IntoId) -> Self {
        self.account = Some(id.into_id());
        self
    }

    /// The property the interaction is about.
    pub fn property(mut self, id: impl IntoId) -> Self {
        self.property = Some(id.into_id());
        self
    }

    /// The organisation member who represented the organisation.
    pub fn representative(mut self, id: impl IntoId) -> Self {
        self.representative = Some(id.into_id());
        self
    }

    /// Checks the ids and makes the [`NewInteraction`].
    ///
    /// A malformed or nil id is an [`Error::InvalidInput`] naming the field.
    pub fn build(self) -> Result<NewInteraction, Error> {
        let link = |field: &str, id: Option<Result<Uuid, String>>, type_: &str| {
            id.transpose()
                .map_err(|reason| Error::invalid_input(field, reason))
                .map(|id| id.map(|id| ToOne::to(ResourceIdentifier::new(type_, id))))
        };
        let relationships = types::NewInteractionRelationships {
            contact: link("contact", self.contact, resource_types::CONTACT)?,
            account: link("account", self.account, resource_types::ACCOUNT)?,
            property: link("property", self.property, resource_types::PROPERTY)?,
            representative: link("representative", self.representative, resource_types::USER)?,
        };
        super::check_notes(self.attributes.notes.as_deref())?;
        Ok(NewInteraction {
            attributes: self.attributes,
            relationships,
        })
    }
}
