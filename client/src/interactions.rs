//! Customer interactions: the typed API over the generated client.

use chrono::{DateTime, Utc};
use reqwest::Method;
use uuid::Uuid;

use crate::client::{Client, IntoId};
use crate::error::Error;
use crate::generated::types;
use crate::jsonapi::{ResourceIdentifier, ToOne};
use crate::model::{InteractionDirection, InteractionMethod, InteractionStatus};
use crate::transport::Call;

/// JSON:API type strings. Users never write them; the typed API fills them in.
pub mod resource_types {
    /// A customer interaction.
    pub const INTERACTION: &str = "customer-interactions";
    /// A contact (a person at a customer).
    pub const CONTACT: &str = "contacts";
    /// A customer account.
    pub const ACCOUNT: &str = "customer-accounts";
    /// A property.
    pub const PROPERTY: &str = "properties";
    /// A user, such as an organisation member acting as representative.
    pub const USER: &str = "users";
    /// An organisation.
    pub const ORGANISATION: &str = "organisations";
}

/// The customer-interaction operations of a [`Client`], from [`Client::interactions`].
#[derive(Debug, Clone, Copy)]
pub struct Interactions<'a> {
    client: &'a Client,
}

impl<'a> Interactions<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Interactions { client }
    }

    /// Records a new customer interaction and returns it as Ctrl Hub stored it.
    ///
    /// Ctrl Hub answers 201 (or 200) with the stored interaction. An answer of 400 names
    /// the attribute it wants in [`Error::Api`].
    ///
    /// A create is never sent twice for one call: if the outcome is unknown (a timeout, a
    /// dropped connection, a 5xx), the error says so ([`crate::Outcome::Unknown`]) and the
    /// caller should check before creating again.
    pub async fn create(&self, new: NewInteraction) -> Result<Interaction, Error> {
        let call = Call::new(self.client.raw(), Method::POST);
        let result = call
            .raw
            .create_customer_interaction()
            .org_id(self.client.organisation_id())
            .body(new.into_document())
            .send()
            .await;
        let document = call.finish(result).await?.into_inner();
        Ok(Interaction::from_resource(document.data))
    }
}

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

    fn into_document(self) -> types::NewInteractionDocument {
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
        if let Some(notes) = &self.attributes.notes
            && notes.contains('\0')
        {
            return Err(Error::invalid_input("notes", "contains a NUL character"));
        }
        Ok(NewInteraction {
            attributes: self.attributes,
            relationships,
        })
    }
}

/// A customer interaction as Ctrl Hub stored it.
///
/// Every attribute is optional because Ctrl Hub does not document which it always sends.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Interaction {
    /// The interaction's id.
    pub id: Uuid,
    /// How the customer was contacted.
    pub method: Option<InteractionMethod>,
    /// Who started the interaction.
    pub direction: Option<InteractionDirection>,
    /// When the interaction happened (or is scheduled to).
    pub date_time: Option<DateTime<Utc>>,
    /// Whether the customer was reached.
    pub contacted: Option<bool>,
    /// The interaction's status.
    pub status: Option<InteractionStatus>,
    /// Free text about the interaction.
    pub notes: Option<String>,
    /// When Ctrl Hub created the record.
    pub created_at: Option<DateTime<Utc>>,
    /// When Ctrl Hub last updated the record.
    pub updated_at: Option<DateTime<Utc>>,
    /// When the record was last modified.
    pub modified_at: Option<DateTime<Utc>>,
    /// The contact the interaction was with.
    pub contact: Option<Uuid>,
    /// The customer account.
    pub account: Option<Uuid>,
    /// The property.
    pub property: Option<Uuid>,
    /// The organisation member who represented the organisation.
    pub representative: Option<Uuid>,
    /// The user who recorded the interaction.
    pub author: Option<Uuid>,
    /// The organisation the interaction belongs to.
    pub organisation: Option<Uuid>,
}

impl Interaction {
    pub(crate) fn from_resource(resource: types::InteractionResource) -> Self {
        let attributes = resource.attributes.unwrap_or_default();
        let meta = resource.meta.unwrap_or_default();
        let relationships = resource.relationships.unwrap_or_default();
        let id_of = |link: Option<ToOne>| link.and_then(|link| link.id());
        Interaction {
            id: resource.id,
            method: attributes.method,
            direction: attributes.direction,
            date_time: attributes.date_time,
            contacted: attributes.contacted,
            status: attributes.status,
            notes: attributes.notes,
            created_at: meta.created_at,
            updated_at: meta.updated_at,
            modified_at: meta.modified_at,
            contact: id_of(relationships.contact),
            account: id_of(relationships.account),
            property: id_of(relationships.property),
            representative: id_of(relationships.representative),
            author: id_of(relationships.author),
            organisation: id_of(relationships.organisation),
        }
    }
}
