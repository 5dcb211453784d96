//! Customer accounts: the contacts and properties of one customer.

use uuid::Uuid;

use crate::error::Error;
use crate::generated::ToManyRelationshipDocumentEndpoint;
use crate::generated::types;
use crate::id::{GivenId, IntoId, checked_id};
use crate::jsonapi::{Object, ResourceIdentifier, ToMany};
use crate::request::Request;
use crate::resource::{NewResource, Resources, TypedResource, relate};

/// The customer-account operations of a [`Client`](crate::Client), from
/// [`Client::customer_accounts`](crate::Client::customer_accounts):
/// [`create`](Resources::create) (a customer account has no attributes of its own), and
/// below, changes to its contacts.
pub type CustomerAccounts<'a> = Resources<'a, CustomerAccount>;

impl Resources<'_, CustomerAccount> {
    /// Adds these contacts to the account (at least one).
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, account: uuid::Uuid, contact: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// client.customer_accounts().add_contacts(account, [contact]).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn add_contacts<I: IntoId>(
        &self,
        id: impl IntoId,
        contacts: impl IntoIterator<Item = I>,
    ) -> Request<()> {
        self.contacts(
            ToManyRelationshipDocumentEndpoint::AddCustomerAccountContacts,
            id,
            contacts,
        )
    }

    /// Replaces the account's contacts with these (none clears them).
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, account: uuid::Uuid, contact: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// client.customer_accounts().set_contacts(account, [contact]).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn set_contacts<I: IntoId>(
        &self,
        id: impl IntoId,
        contacts: impl IntoIterator<Item = I>,
    ) -> Request<()> {
        self.contacts(
            ToManyRelationshipDocumentEndpoint::SetCustomerAccountContacts,
            id,
            contacts,
        )
    }

    /// Ctrl Hub's success answer is not documented: a 200 with the linkage or a 204
    /// without are both success, and no body is read.
    fn contacts<I: IntoId>(
        self,
        endpoint: ToManyRelationshipDocumentEndpoint,
        id: impl IntoId,
        contacts: impl IntoIterator<Item = I>,
    ) -> Request<()> {
        let contacts: Vec<GivenId> = contacts.into_iter().map(IntoId::into_id).collect();
        let adds = endpoint == ToManyRelationshipDocumentEndpoint::AddCustomerAccountContacts;
        relate(self.client.clone(), endpoint, id.into_id(), move |type_| {
            if adds && contacts.is_empty() {
                return Err(Error::invalid_input(
                    "contacts",
                    "adds nothing: give at least one",
                ));
            }
            Ok(types::ToManyRelationshipDocument {
                data: ids("contacts", contacts)?
                    .into_iter()
                    .map(|id| ResourceIdentifier::new(type_, id))
                    .collect(),
            })
        })
    }
}

/// Checked ids; a bad one is refused naming `field[index]`.
fn ids(field: &str, ids: Vec<GivenId>) -> Result<Vec<Uuid>, Error> {
    ids.into_iter()
        .enumerate()
        .map(|(i, id)| checked_id(&format!("{field}[{i}]"), id))
        .collect()
}

/// A customer account to create, for [`CustomerAccounts::create`](Resources::create): the contacts and
/// properties it links. Ids are checked when the create is sent.
///
/// ```
/// let new = ctrlhub::NewCustomerAccount::new()
///     .contact("9b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b")
///     .property("3c90c3cc-0d44-4b50-8888-8dd25736052a");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use = "a new account does nothing until passed to `create`"]
pub struct NewCustomerAccount {
    contacts: Vec<GivenId>,
    properties: Vec<GivenId>,
}

impl NewCustomerAccount {
    /// An account that links nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Links a contact.
    pub fn contact(mut self, id: impl IntoId) -> Self {
        self.contacts.push(id.into_id());
        self
    }

    /// Links a property.
    pub fn property(mut self, id: impl IntoId) -> Self {
        self.properties.push(id.into_id());
        self
    }
}

impl NewResource for NewCustomerAccount {
    type Resource = CustomerAccount;
    type Document = types::NewCustomerAccountDocument;

    fn into_document(self) -> Result<types::NewCustomerAccountDocument, Error> {
        Ok(types::NewCustomerAccountDocument {
            data: types::NewCustomerAccountResource {
                type_: types::NewCustomerAccountResourceType::CustomerAccounts,
                relationships: types::NewCustomerAccountRelationships {
                    contacts: Some(ids("contacts", self.contacts)?.into_iter().collect()),
                    properties: Some(ids("properties", self.properties)?.into_iter().collect()),
                },
            },
        })
    }
}

/// A customer account as Ctrl Hub stored it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CustomerAccount {
    /// The account's id.
    pub id: Uuid,
    /// The account's contacts.
    pub contacts: Vec<Uuid>,
    /// The account's properties.
    pub properties: Vec<Uuid>,
    /// The account's interactions.
    pub interactions: Vec<Uuid>,
    /// The user who created the account.
    pub author: Option<Uuid>,
    /// The organisation the account belongs to.
    pub organisation: Option<Uuid>,
    /// Attributes, should Ctrl Hub send any (none is documented).
    pub attributes: Object,
    /// Relationships Ctrl Hub sent that this version does not name, as received (each a
    /// JSON:API relationship object, such as `{"data": {"type": .., "id": ..}}`).
    pub other_relationships: Object,
}

impl TypedResource for CustomerAccount {
    type Raw = types::CustomerAccountResource;

    fn from_raw(resource: types::CustomerAccountResource) -> Self {
        let relationships = resource.relationships.unwrap_or_default();
        let ids = |link: Option<ToMany>| link.map(|l| l.ids()).unwrap_or_default();
        CustomerAccount {
            id: resource.id,
            contacts: ids(relationships.contacts),
            properties: ids(relationships.properties),
            interactions: ids(relationships.interactions),
            author: relationships.author.and_then(|l| l.id()),
            organisation: relationships.organisation.and_then(|l| l.id()),
            attributes: resource.attributes,
            other_relationships: relationships.extra,
        }
    }
}
