//! An interaction with the related resources of a compound document. Its relationships,
//! [`InteractionRelated`], are generated from the spec's `include` values.

use super::Interaction;
use crate::contacts::Contact;
use crate::customer_accounts::CustomerAccount;
use crate::error::Error;
pub use crate::generated::InteractionRelated;
use crate::included::IncludedResource;
use crate::members::Member;
use crate::resource::Details;

/// An interaction with the related resources Ctrl Hub included; from a get with
/// [`include`](crate::Get::include).
pub type InteractionDetails = Details<Interaction>;

impl Details<Interaction> {
    /// The contact, typed, if Ctrl Hub included it (ask with [`InteractionRelated::Contact`]).
    /// `Ok(None)` when the interaction has no contact or it was not included; an
    /// [`Error::Decode`] when it was included in a shape that is not a contact's.
    /// [`related`](InteractionDetails::related) gives its JSON.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the included contact is not in a contact's shape.
    pub fn contact(&self) -> Result<Option<Contact>, Error> {
        self.related_as(InteractionRelated::Contact)
    }

    /// The customer account, typed, if included; as for
    /// [`contact`](InteractionDetails::contact).
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the included account is not in the shape of its type.
    pub fn account(&self) -> Result<Option<CustomerAccount>, Error> {
        self.related_as(InteractionRelated::Account)
    }

    /// The property, if included, as JSON (properties are not documented).
    #[must_use]
    pub fn property(&self) -> Option<&IncludedResource> {
        self.related(InteractionRelated::Property)
    }

    /// The representative (an organisation member), typed, if included; as for
    /// [`contact`](InteractionDetails::contact).
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the included representative is not in the shape of its type.
    pub fn representative(&self) -> Result<Option<Member>, Error> {
        self.related_as(InteractionRelated::Representative)
    }

    /// The author (an organisation member), typed, if included; as for
    /// [`contact`](InteractionDetails::contact).
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the included author is not in the shape of its type.
    pub fn author(&self) -> Result<Option<Member>, Error> {
        self.related_as(InteractionRelated::Author)
    }

    /// The organisation, if included, as JSON (organisations are not documented).
    #[must_use]
    pub fn organisation(&self) -> Option<&IncludedResource> {
        self.related(InteractionRelated::Organisation)
    }
}
