//! Customer interactions: the typed API over the generated client.

use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::generated::types;
use crate::id::{IntoId, checked_id};
use crate::jsonapi::{ResourceIdentifier, ToOne};
use crate::model::{InteractionDirection, InteractionMethod, InteractionStatus};
use crate::request::Request;
use crate::resource_types;
use chrono::{DateTime, Utc};

mod bulk;
mod changes;
mod get;
mod list;
mod new;

pub use bulk::{CreateMany, CreateManyReport, Created, CreatedStream};
pub use changes::InteractionChanges;
pub use get::{GetInteraction, InteractionDetails, InteractionRelated};
pub use list::ListInteractions;
pub use new::NewInteraction;

/// The customer-interaction operations of a [`Client`], from [`Client::interactions`].
///
/// Every operation returns a request that is sent with `.send().await` (lists: `.page()`
/// or `.stream()`); input is checked then, and nothing is sent when it is refused.
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
    /// the attribute it wants in [`Error::Api`]. A malformed or nil id in `new` is an
    /// [`Error::InvalidInput`] naming the field, and nothing is sent.
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
    ///
    /// ```no_run
    /// use ctrlhub::{InteractionDirection, InteractionMethod, NewInteraction};
    ///
    /// # async fn demo(client: ctrlhub::Client) -> Result<(), ctrlhub::Error> {
    /// let call = NewInteraction::new()
    ///     .method(InteractionMethod::Telephone)
    ///     .direction(InteractionDirection::Inbound)
    ///     .date_time(chrono::Utc::now())
    ///     .contact("9b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b");
    /// let stored = client.interactions().create(call).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, new: NewInteraction) -> Request<Interaction> {
        let client = self.client.clone();
        Request::new(async move {
            let body = new.into_document()?;
            let org = client.organisation_id;
            let answer = client
                .call(|raw| async move {
                    raw.create_customer_interaction()
                        .org_id(org)
                        .body(body)
                        .send()
                        .await
                })
                .await?;
            Ok(Interaction::from_resource(answer.into_inner().data))
        })
    }

    /// Records many interactions, up to [`concurrency`](CreateMany::concurrency) at once,
    /// with one result per input, tagged with the input's position.
    ///
    /// Every rule of [`create`](Interactions::create) stands, so no input is ever created
    /// twice. One more applies: a 429 means Ctrl Hub refused the request without
    /// processing it, so that input is sent again after `Retry-After` (or the retry
    /// policy's backoff), within the policy's bounds on attempts and time, and every
    /// worker waits until then, so the whole batch slows down together. Each failed
    /// input's error says whether its outcome is unknown; the report counts them.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, calls: Vec<ctrlhub::NewInteraction>) {
    /// let report = client.interactions().create_many(calls).concurrency(16).send().await;
    /// println!(
    ///     "{} created, {} failed ({} may have been stored)",
    ///     report.created, report.failed, report.outcome_unknown
    /// );
    /// for item in report.results.iter().filter(|item| item.result.is_err()) {
    ///     println!("input {} failed", item.index);
    /// }
    /// # }
    /// ```
    pub fn create_many(&self, items: impl IntoIterator<Item = NewInteraction>) -> CreateMany {
        CreateMany::new(self.client.clone(), items.into_iter().collect())
    }

    /// Lists the organisation's interactions, a page at a time or as a stream.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client) -> Result<(), ctrlhub::Error> {
    /// let page = client.interactions().list().filter("method", "email").page().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListInteractions<'a> {
        ListInteractions::new(self.client)
    }

    /// Fetches one interaction; add [`include`](GetInteraction::include) to fetch related
    /// resources with it.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// let details = client.interactions().get(id).send().await?;
    /// println!("{:?}", details.interaction.notes);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl IntoId) -> GetInteraction<'a> {
        GetInteraction::new(self.client, id.into_id())
    }

    /// Changes the interaction's `date_time`, `contacted` or `notes` (the attributes
    /// documented as updatable), leaving every field `changes` does not mention as it is.
    ///
    /// # Safe whatever Ctrl Hub does with absent fields
    ///
    /// The reference does not say whether a PUT that leaves a field out keeps it or
    /// clears it. So this reads the interaction first (one GET), and sends every
    /// updatable field: the ones in `changes`, and the current value of the others.
    /// Under either behaviour only the fields `changes` names are changed.
    ///
    /// The cost is a second request. The race it leaves: a change another client makes to
    /// an unmentioned field between the read and the write is overwritten with the value
    /// read. [`update_may_clear_unmentioned`](Interactions::update_may_clear_unmentioned)
    /// sends one request instead, at the risk its name says.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// let changes = ctrlhub::InteractionChanges::new().contacted(true);
    /// let stored = client.interactions().update(id, changes).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, id: impl IntoId, changes: InteractionChanges) -> Request<Interaction> {
        self.put(id, changes, true)
    }

    /// Like [`update`](Interactions::update), in one request that carries only the fields
    /// `changes` sets. Should Ctrl Hub replace the record with what a PUT carries, the
    /// fields not mentioned are cleared: use it only where that is known not to happen,
    /// or where every updatable field is set.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid, at: chrono::DateTime<chrono::Utc>) -> Result<(), ctrlhub::Error> {
    /// let all = ctrlhub::InteractionChanges::new().date_time(at).contacted(true).notes("Done");
    /// client.interactions().update_may_clear_unmentioned(id, all).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update_may_clear_unmentioned(
        &self,
        id: impl IntoId,
        changes: InteractionChanges,
    ) -> Request<Interaction> {
        self.put(id, changes, false)
    }

    fn put(
        self,
        id: impl IntoId,
        changes: InteractionChanges,
        read_first: bool,
    ) -> Request<Interaction> {
        let client = self.client.clone();
        let id = id.into_id();
        Request::new(async move {
            let id = checked_id("id", id)?;
            changes.check()?;
            let org = client.organisation_id;
            let changes = if read_first {
                let current = client
                    .call(|raw| async move {
                        raw.get_customer_interaction()
                            .org_id(org)
                            .customer_interaction_id(id)
                            .send()
                            .await
                    })
                    .await?;
                changes.over(current.into_inner().data.attributes.unwrap_or_default())
            } else {
                changes
            };
            let body = changes.into_document(id);
            let answer = client
                .call(|raw| async move {
                    raw.update_customer_interaction()
                        .org_id(org)
                        .customer_interaction_id(id)
                        .body(body)
                        .send()
                        .await
                })
                .await?;
            Ok(Interaction::from_resource(answer.into_inner().data))
        })
    }

    /// Links the interaction to another contact.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid, contact: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// client.interactions().set_contact(id, contact).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn set_contact(&self, id: impl IntoId, contact_id: impl IntoId) -> Request<()> {
        self.relink(Link::Contact, id, contact_id)
    }

    /// Links the interaction to another customer account.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid, account: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// client.interactions().set_account(id, account).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn set_account(&self, id: impl IntoId, account_id: impl IntoId) -> Request<()> {
        self.relink(Link::Account, id, account_id)
    }

    /// Makes another organisation member (a user) the interaction's representative.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid, user: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// client.interactions().set_representative(id, user).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn set_representative(&self, id: impl IntoId, user_id: impl IntoId) -> Request<()> {
        self.relink(Link::Representative, id, user_id)
    }

    /// Ctrl Hub documents a 200 with the linkage or a 204 without; the generated operation
    /// takes either as success and reads no body.
    fn relink(self, link: Link, id: impl IntoId, target: impl IntoId) -> Request<()> {
        let client = self.client.clone();
        let (id, target) = (id.into_id(), target.into_id());
        Request::new(async move {
            let id = checked_id("id", id)?;
            let target = checked_id(link.field(), target)?;
            let body = types::RelationshipDocument {
                data: Some(ResourceIdentifier::new(link.resource_type(), target)),
            };
            let org = client.organisation_id;
            client
                .call(|raw| async move {
                    // Each relationship has its own endpoint (and generated method).
                    match link {
                        Link::Contact => {
                            raw.set_customer_interaction_contact()
                                .org_id(org)
                                .customer_interaction_id(id)
                                .body(body)
                                .send()
                                .await
                        }
                        Link::Account => {
                            raw.set_customer_interaction_account()
                                .org_id(org)
                                .customer_interaction_id(id)
                                .body(body)
                                .send()
                                .await
                        }
                        Link::Representative => {
                            raw.set_customer_interaction_representative()
                                .org_id(org)
                                .customer_interaction_id(id)
                                .body(body)
                                .send()
                                .await
                        }
                    }
                })
                .await?;
            Ok(())
        })
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

/// A relationship that has its own endpoint.
#[derive(Debug, Clone, Copy)]
enum Link {
    Contact,
    Account,
    Representative,
}

impl Link {
    fn field(self) -> &'static str {
        match self {
            Link::Contact => "contact_id",
            Link::Account => "account_id",
            Link::Representative => "user_id",
        }
    }

    fn resource_type(self) -> &'static str {
        match self {
            Link::Contact => resource_types::CONTACT,
            Link::Account => resource_types::CUSTOMER_ACCOUNT,
            Link::Representative => resource_types::USER,
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
    /// Each relationship's identifier, as Ctrl Hub sent it (type and id).
    links: Vec<(InteractionRelated, ResourceIdentifier)>,
}

impl Interaction {
    /// The identifier (type and id) of the resource `relationship` points at, as Ctrl Hub
    /// sent it; `None` when the interaction has no such link. A page's
    /// [`related`](crate::Page::related) or an [`InteractionDetails`] finds the included
    /// resource it names.
    #[must_use]
    pub fn link(&self, relationship: InteractionRelated) -> Option<&ResourceIdentifier> {
        self.links
            .iter()
            .find(|(kind, _)| *kind == relationship)
            .map(|(_, link)| link)
    }

    pub(crate) fn from_resource(resource: types::InteractionResource) -> Self {
        let attributes = resource.attributes.unwrap_or_default();
        let meta = resource.meta.unwrap_or_default();
        let relationships = resource.relationships.unwrap_or_default();
        let links = InteractionRelated::ALL
            .into_iter()
            .filter_map(|kind| Some((kind, kind.link(&relationships)?.data.clone()?)))
            .collect();
        let id_of = |link: Option<ToOne>| link.and_then(|link| link.id());
        Interaction {
            links,
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
