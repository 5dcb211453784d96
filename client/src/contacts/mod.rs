//! Contacts: the people at a customer an interaction is with.

use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::generated::{self, types};
use crate::id::{IntoId, checked_id};
use crate::included::FromRaw;
use crate::list::{List, Listed, with_list_params};
use crate::model::{ContactAssociation, ContactSalutation};
use crate::query::ListParams;
use crate::request::Request;

mod changes;

pub use changes::ContactChanges;

/// The contact operations of a [`Client`], from [`Client::contacts`].
#[derive(Debug, Clone, Copy)]
pub struct Contacts<'a> {
    client: &'a Client,
}

/// Lists contacts; from [`Contacts::list`].
pub type ListContacts<'a> = List<'a, Contact>;

/// A relationship of a contact, to fetch with a list of contacts through `include`
/// (the values the reference documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContactRelated {
    /// The user who recorded the contact.
    Author,
    /// The customer accounts the contact belongs to.
    Accounts,
    /// The contact's interactions.
    Interactions,
    /// The organisation.
    Organisation,
}

impl ContactRelated {
    /// The relationship's name, as used in `include`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ContactRelated::Author => "author",
            ContactRelated::Accounts => "accounts",
            ContactRelated::Interactions => "interactions",
            ContactRelated::Organisation => "organisation",
        }
    }
}

impl List<'_, Contact> {
    /// Includes these related resources in each page ([`Page::included`](crate::Page::included)).
    ///
    /// ```no_run
    /// use ctrlhub::ContactRelated;
    ///
    /// # async fn demo(client: ctrlhub::Client) -> Result<(), ctrlhub::Error> {
    /// let page = client.contacts().list().include([ContactRelated::Accounts]).page().await?;
    /// println!("{} accounts included", page.included.len());
    /// # Ok(()) }
    /// ```
    pub fn include(mut self, related: impl IntoIterator<Item = ContactRelated>) -> Self {
        self.query
            .include(related.into_iter().map(ContactRelated::as_str));
        self
    }
}

impl<'a> Contacts<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Contacts { client }
    }

    /// Lists the organisation's contacts, a page at a time or as a stream.
    ///
    /// The list's path is inferred from the reference (`x-ctrlhub-source: inferred` in the
    /// spec): its get page is documented, its list page was not found.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client) -> Result<(), ctrlhub::Error> {
    /// let found = client
    ///     .contacts()
    ///     .list()
    ///     .filter("email", "ada@example.com")
    ///     .page()
    ///     .await?;
    /// if let Some(contact) = found.items.first() {
    ///     println!("{} {:?}", contact.id, contact.last_name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListContacts<'a> {
        List::new(self.client)
    }

    /// Fetches one contact.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// let contact = client.contacts().get(id).send().await?;
    /// println!("{:?} {:?}", contact.first_name, contact.email);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl IntoId) -> Request<Contact> {
        let client = self.client.clone();
        let id = id.into_id();
        Request::new(async move {
            let id = checked_id("id", id)?;
            let org = client.organisation_id;
            let answer = client
                .call(
                    |raw| async move { raw.get_contact().org_id(org).contact_id(id).send().await },
                )
                .await?;
            Ok(Contact::from_raw(answer.into_inner().data))
        })
    }

    /// Changes a contact's `first_name`, `last_name`, `email` or `telephone` (the
    /// attributes of the reference's update example), leaving every field `changes` does
    /// not mention as it is.
    ///
    /// As for [`Interactions::update`](crate::Interactions::update), the reference does
    /// not say whether a PUT clears the fields it leaves out, so the contact is read first
    /// and every one of those fields is sent: the new value, or the current one. That
    /// costs a second request and leaves a race (a change made by someone else between
    /// the read and the write to a field not mentioned is overwritten);
    /// [`update_may_clear_unmentioned`](Contacts::update_may_clear_unmentioned) sends one.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// let changes = ctrlhub::ContactChanges::new().telephone("+44 20 7946 0000");
    /// let contact = client.contacts().update(id, changes).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, id: impl IntoId, changes: ContactChanges) -> Request<Contact> {
        self.put(id, changes, true)
    }

    /// Like [`update`](Contacts::update), in one request carrying only the fields
    /// `changes` sets: should Ctrl Hub replace the record with what a PUT carries, the
    /// fields not mentioned are cleared.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// let changes = ctrlhub::ContactChanges::new()
    ///     .first_name("Ada")
    ///     .last_name("Lovelace")
    ///     .email("ada@example.com")
    ///     .telephone("+44 20 7946 0000");
    /// client.contacts().update_may_clear_unmentioned(id, changes).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update_may_clear_unmentioned(
        &self,
        id: impl IntoId,
        changes: ContactChanges,
    ) -> Request<Contact> {
        self.put(id, changes, false)
    }

    fn put(self, id: impl IntoId, changes: ContactChanges, read_first: bool) -> Request<Contact> {
        let client = self.client.clone();
        let id = id.into_id();
        Request::new(async move {
            let id = checked_id("id", id)?;
            changes.check()?;
            let org = client.organisation_id;
            let changes = if read_first {
                let current =
                    client
                        .call(|raw| async move {
                            raw.get_contact().org_id(org).contact_id(id).send().await
                        })
                        .await?;
                changes.over(current.into_inner().data.attributes.unwrap_or_default())
            } else {
                changes
            };
            let body = changes.into_document(id);
            let answer = client
                .call(|raw| async move {
                    raw.update_contact()
                        .org_id(org)
                        .contact_id(id)
                        .body(body)
                        .send()
                        .await
                })
                .await?;
            Ok(Contact::from_raw(answer.into_inner().data))
        })
    }
}

/// A contact (a person at a customer) as Ctrl Hub stored it.
///
/// Every attribute is optional because Ctrl Hub does not document which it always sends.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Contact {
    /// The contact's id.
    pub id: Uuid,
    /// How the contact is associated with a property, such as
    /// [`ContactAssociation::Occupier`].
    pub association: Option<ContactAssociation>,
    /// How the contact is addressed, such as [`ContactSalutation::Mr`].
    pub salutation: Option<ContactSalutation>,
    /// The contact's first name.
    pub first_name: Option<String>,
    /// The contact's last name.
    pub last_name: Option<String>,
    /// The contact's email address.
    pub email: Option<String>,
    /// The contact's telephone number.
    pub telephone: Option<String>,
    /// The customer accounts the contact belongs to.
    pub accounts: Vec<Uuid>,
    /// The contact's interactions.
    pub interactions: Vec<Uuid>,
    /// The user who recorded the contact.
    pub author: Option<Uuid>,
    /// The organisation the contact belongs to.
    pub organisation: Option<Uuid>,
}

impl FromRaw for Contact {
    type Raw = types::ContactResource;

    fn from_raw(resource: types::ContactResource) -> Self {
        let attributes = resource.attributes.unwrap_or_default();
        let relationships = resource.relationships.unwrap_or_default();
        Contact {
            id: resource.id,
            association: attributes.association,
            salutation: attributes.salutation,
            first_name: attributes.first_name,
            last_name: attributes.last_name,
            email: attributes.email,
            telephone: attributes.telephone,
            accounts: relationships.accounts.map(|l| l.ids()).unwrap_or_default(),
            interactions: relationships
                .interactions
                .map(|l| l.ids())
                .unwrap_or_default(),
            author: relationships.author.and_then(|l| l.id()),
            organisation: relationships.organisation.and_then(|l| l.id()),
        }
    }
}

impl Listed for Contact {
    type Document = types::ContactListDocument;

    async fn request(
        raw: generated::Client,
        org: Uuid,
        params: ListParams,
        offset: Option<u64>,
    ) -> crate::call::RawResult<Self::Document> {
        let request = raw.list_contacts().org_id(org);
        with_list_params!(request, params, offset, include)
            .send()
            .await
    }

    fn from_item(item: types::ContactResource) -> Self {
        Contact::from_raw(item)
    }
}

/// An email address as far as the client can check it without asking Ctrl Hub: one `@`
/// with text on both sides, no white space or control characters.
pub(crate) fn check_email(field: &str, email: &str) -> Result<(), Error> {
    let plausible = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if plausible {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            format!("`{email}` is not an email address"),
        ))
    }
}
