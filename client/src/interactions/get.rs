//! Fetching one interaction, with the related resources of a compound document.

use super::Interaction;
use crate::client::Client;
use crate::contacts::Contact;
use crate::customer_accounts::CustomerAccount;
use crate::error::Error;
use crate::generated::types;
use crate::id::{GivenId, checked_id};
use crate::included::{FromRaw, IncludedResource};
use crate::jsonapi::{Resource, ToOne};
use crate::members::Member;
use crate::query::include_param;

/// A relationship of an interaction, to fetch with it through `include`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum InteractionRelated {
    /// The contact the interaction was with.
    Contact,
    /// The customer account.
    Account,
    /// The property.
    Property,
    /// The organisation member who represented the organisation.
    Representative,
    /// The user who recorded the interaction.
    Author,
    /// The organisation.
    Organisation,
}

impl InteractionRelated {
    /// Every relationship, in the order they are documented.
    pub const ALL: [InteractionRelated; 6] = [
        InteractionRelated::Author,
        InteractionRelated::Organisation,
        InteractionRelated::Representative,
        InteractionRelated::Account,
        InteractionRelated::Contact,
        InteractionRelated::Property,
    ];

    /// The relationship's name, as used in `include`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            InteractionRelated::Contact => "contact",
            InteractionRelated::Account => "account",
            InteractionRelated::Property => "property",
            InteractionRelated::Representative => "representative",
            InteractionRelated::Author => "author",
            InteractionRelated::Organisation => "organisation",
        }
    }

    pub(super) fn link(self, relationships: &types::InteractionRelationships) -> Option<&ToOne> {
        match self {
            InteractionRelated::Contact => relationships.contact.as_ref(),
            InteractionRelated::Account => relationships.account.as_ref(),
            InteractionRelated::Property => relationships.property.as_ref(),
            InteractionRelated::Representative => relationships.representative.as_ref(),
            InteractionRelated::Author => relationships.author.as_ref(),
            InteractionRelated::Organisation => relationships.organisation.as_ref(),
        }
    }
}

impl std::fmt::Display for InteractionRelated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Fetches one interaction; from [`Interactions::get`](super::Interactions::get).
#[derive(Debug, Clone)]
#[must_use = "nothing is fetched until `send` is awaited"]
pub struct GetInteraction<'a> {
    client: &'a Client,
    id: GivenId,
    include: Vec<InteractionRelated>,
}

impl<'a> GetInteraction<'a> {
    pub(crate) fn new(client: &'a Client, id: GivenId) -> Self {
        GetInteraction {
            client,
            id,
            include: Vec::new(),
        }
    }

    /// Fetches these related resources in the same request (`include=contact,author`).
    pub fn include(mut self, related: impl IntoIterator<Item = InteractionRelated>) -> Self {
        self.include.extend(related);
        self
    }

    /// Sends the request. A malformed or nil id is an [`Error::InvalidInput`] naming
    /// `id`, and nothing is sent.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a malformed id (nothing is sent), or any error of
    /// [`Client::call`](crate::Client::call).
    pub async fn send(self) -> Result<InteractionDetails, Error> {
        let id = checked_id("id", self.id)?;
        let names: Vec<&str> = self.include.iter().map(|r| r.as_str()).collect();
        let include = include_param(&names);
        let org = self.client.organisation_id;
        let answer = self
            .client
            .call(|raw| async move {
                let mut request = raw
                    .get_customer_interaction()
                    .org_id(org)
                    .customer_interaction_id(id);
                if let Some(include) = include {
                    request = request.include(include);
                }
                request.send().await
            })
            .await?;
        let document = answer.into_inner();
        Ok(InteractionDetails::new(document.data, document.included))
    }
}

impl<'a> std::future::IntoFuture for GetInteraction<'a> {
    type Output = Result<InteractionDetails, Error>;
    type IntoFuture =
        std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 'a>>;

    /// Awaiting the request sends it, as [`send`](GetInteraction::send) does.
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// An interaction with the related resources Ctrl Hub included.
#[derive(Debug, Clone, PartialEq)]
pub struct InteractionDetails {
    /// The interaction.
    pub interaction: Interaction,
    included: Vec<IncludedResource>,
}

impl InteractionDetails {
    pub(crate) fn new(resource: types::InteractionResource, included: Vec<Resource>) -> Self {
        InteractionDetails {
            interaction: Interaction::from_resource(resource),
            included: IncludedResource::all_of(included),
        }
    }

    /// The included resource for `relationship`, found by the link's type and id as
    /// JSON:API defines; `None` when the interaction has no such link or Ctrl Hub did not
    /// include it.
    #[must_use]
    pub fn related(&self, relationship: InteractionRelated) -> Option<&IncludedResource> {
        let link = self.interaction.link(relationship)?;
        IncludedResource::find(&self.included, link)
    }

    /// The contact, typed, if Ctrl Hub included it (ask with [`InteractionRelated::Contact`]).
    /// `Ok(None)` when the interaction has no contact or it was not included; an
    /// [`Error::Decode`] when it was included in a shape that is not a contact's.
    /// [`related`](InteractionDetails::related) gives its JSON.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the included contact is not in a contact's shape.
    pub fn contact(&self) -> Result<Option<Contact>, Error> {
        self.typed(InteractionRelated::Contact)
    }

    /// The customer account, typed, if included; as for
    /// [`contact`](InteractionDetails::contact).
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the included account is not in the shape of its type.
    pub fn account(&self) -> Result<Option<CustomerAccount>, Error> {
        self.typed(InteractionRelated::Account)
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
        self.typed(InteractionRelated::Representative)
    }

    /// The author (an organisation member), typed, if included; as for
    /// [`contact`](InteractionDetails::contact).
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the included author is not in the shape of its type.
    pub fn author(&self) -> Result<Option<Member>, Error> {
        self.typed(InteractionRelated::Author)
    }

    fn typed<T: FromRaw>(&self, relationship: InteractionRelated) -> Result<Option<T>, Error> {
        self.related(relationship)
            .map(IncludedResource::decode)
            .transpose()
    }

    /// The organisation, if included, as JSON (organisations are not documented).
    #[must_use]
    pub fn organisation(&self) -> Option<&IncludedResource> {
        self.related(InteractionRelated::Organisation)
    }
}
