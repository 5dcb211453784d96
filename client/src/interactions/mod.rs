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

mod get;
mod list;
mod new;
mod update;

pub use get::{GetInteraction, IncludedResource, InteractionDetails, Related};
pub use list::{Features, InteractionStream, ListInteractions, Page, Pagination, SortDirection};
pub use new::{NewInteraction, NewInteractionBuilder};
pub use update::InteractionUpdate;

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
    /// # Never twice
    ///
    /// One call never creates two interactions. The request is sent again only when it
    /// provably was not processed: no connection could be made, or (with a service-account
    /// key) Ctrl Hub refused the access token with a 401 and a renewed token is tried once.
    ///
    /// It is never sent again after a timeout, a connection dropped mid-answer, a 5xx (a
    /// proxy's error page included) or a success answer that could not be read. Then
    /// [`Error::is_outcome_unknown`] is true ([`Outcome::Unknown`](crate::Outcome::Unknown)
    /// on the [`Error::Transport`], [`Error::Api`] or [`Error::Decode`]), and the caller
    /// should look for the interaction (for example with [`list`](Interactions::list))
    /// before creating it again.
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

    /// Lists the organisation's interactions, a page at a time or as a stream.
    pub fn list(&self) -> ListInteractions<'a> {
        ListInteractions::new(self.client)
    }

    /// Fetches one interaction; add [`include`](GetInteraction::include) to fetch related
    /// resources with it.
    pub fn get(&self, id: impl IntoId) -> GetInteraction<'a> {
        GetInteraction::new(self.client, id.into_id())
    }

    /// Changes the interaction's `date_time`, `contacted` or `notes` (the attributes
    /// documented as updatable); only those set in `update` are sent.
    pub async fn update(
        &self,
        id: impl IntoId,
        update: InteractionUpdate,
    ) -> Result<Interaction, Error> {
        let id = id
            .into_id()
            .map_err(|reason| Error::invalid_input("id", reason))?;
        let body = update.into_document(id)?;
        let call = Call::new(self.client.raw(), Method::PUT);
        let result = call
            .raw
            .update_customer_interaction()
            .org_id(self.client.organisation_id())
            .customer_interaction_id(id)
            .body(body)
            .send()
            .await;
        let document = call.finish(result).await?.into_inner();
        Ok(Interaction::from_resource(document.data))
    }

    /// Links the interaction to another contact.
    pub async fn set_contact(&self, id: impl IntoId, contact_id: impl IntoId) -> Result<(), Error> {
        self.relink(Relationship::Contact, id, contact_id).await
    }

    /// Links the interaction to another customer account.
    pub async fn set_account(&self, id: impl IntoId, account_id: impl IntoId) -> Result<(), Error> {
        self.relink(Relationship::Account, id, account_id).await
    }

    /// Makes another organisation member (a user) the interaction's representative.
    pub async fn set_representative(
        &self,
        id: impl IntoId,
        user_id: impl IntoId,
    ) -> Result<(), Error> {
        self.relink(Relationship::Representative, id, user_id).await
    }

    async fn relink(
        &self,
        relationship: Relationship,
        id: impl IntoId,
        target: impl IntoId,
    ) -> Result<(), Error> {
        let id = id
            .into_id()
            .map_err(|reason| Error::invalid_input("id", reason))?;
        let target = target
            .into_id()
            .map_err(|reason| Error::invalid_input(relationship.field(), reason))?;
        let body = types::RelationshipDocument {
            data: Some(ResourceIdentifier::new(
                relationship.resource_type(),
                target,
            )),
        };
        let call = Call::new(self.client.raw(), Method::PATCH);
        let org = self.client.organisation_id();
        let raw = &call.raw;
        // Each relationship has its own endpoint (and generated method).
        let result = match relationship {
            Relationship::Contact => {
                raw.set_customer_interaction_contact()
                    .org_id(org)
                    .customer_interaction_id(id)
                    .body(body)
                    .send()
                    .await
            }
            Relationship::Account => {
                raw.set_customer_interaction_account()
                    .org_id(org)
                    .customer_interaction_id(id)
                    .body(body)
                    .send()
                    .await
            }
            Relationship::Representative => {
                raw.set_customer_interaction_representative()
                    .org_id(org)
                    .customer_interaction_id(id)
                    .body(body)
                    .send()
                    .await
            }
        };
        call.finish_allowing_no_content(result).await.map(|_| ())
    }
}

/// Notes are free text, but a NUL character cannot be stored; both create and update
/// check them the same way.
fn check_notes(notes: Option<&str>) -> Result<(), Error> {
    match notes {
        Some(notes) if notes.contains('\0') => {
            Err(Error::invalid_input("notes", "contains a NUL character"))
        }
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, Copy)]
enum Relationship {
    Contact,
    Account,
    Representative,
}

impl Relationship {
    fn field(self) -> &'static str {
        match self {
            Relationship::Contact => "contact_id",
            Relationship::Account => "account_id",
            Relationship::Representative => "user_id",
        }
    }

    fn resource_type(self) -> &'static str {
        match self {
            Relationship::Contact => resource_types::CONTACT,
            Relationship::Account => resource_types::ACCOUNT,
            Relationship::Representative => resource_types::USER,
        }
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
