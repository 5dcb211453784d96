//! Customer interactions: the typed API over the generated client.

use futures_util::stream::Stream;
use uuid::Uuid;

use crate::generated::RelationshipDocumentEndpoint;
use crate::generated::types;
use crate::id::{IntoId, checked_id};
use crate::jsonapi::{Object, ResourceIdentifier, ToOne};
use crate::list::List;
use crate::model::{InteractionDirection, InteractionMethod, InteractionStatus};
use crate::request::Request;
use crate::resource::{Includes, Resources, TypedResource, relate};
use chrono::{DateTime, Utc};

mod bulk;
mod changes;
mod get;
mod new;
mod settle;

pub use bulk::{CreateMany, CreateManyReport, Created, CreatedStream};
pub use changes::InteractionChanges;
pub use get::{InteractionDetails, InteractionRelated};
pub use new::NewInteraction;
pub use settle::{KnownCreate, Settle, Settled, UnknownCreate, Unsettled};

/// The customer-interaction operations of a [`Client`](crate::Client), from
/// [`Client::interactions`](crate::Client::interactions): [`create`](Resources::create),
/// [`get`](Resources::get), [`list`](Resources::list), [`update`](Resources::update), and
/// below, [`create_many`](Resources::create_many) and the relationship changes.
pub type Interactions<'a> = Resources<'a, Interaction>;

/// Lists interactions; from [`Interactions::list`](Resources::list).
pub type ListInteractions<'a> = List<'a, Interaction>;

impl Resources<'_, Interaction> {
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
    ///
    /// The items are read as they are sent, so an iterator over a large file runs in flat
    /// memory with [`CreateMany::stream`]; it must own what it reads (`Send + 'static`).
    pub fn create_many<I>(&self, items: I) -> CreateMany
    where
        I: IntoIterator<Item = NewInteraction>,
        I::IntoIter: Send + 'static,
    {
        CreateMany::new(
            self.client.clone(),
            Box::pin(futures_util::stream::iter(items)),
        )
    }

    /// [`create_many`](Resources::create_many) for inputs that arrive as a stream (rows
    /// read on another task, say): each is read only when a slot is free to send it.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, calls: Vec<ctrlhub::NewInteraction>) {
    /// use futures_util::StreamExt;
    /// let (tx, rx) = tokio::sync::mpsc::channel(64);
    /// tokio::spawn(async move {
    ///     for call in calls {
    ///         if tx.send(call).await.is_err() {
    ///             break;
    ///         }
    ///     }
    /// });
    /// let inputs = futures_util::stream::unfold(rx, |mut rx| async move {
    ///     rx.recv().await.map(|call| (call, rx))
    /// });
    /// let mut results = client.interactions().create_many_from_stream(inputs).stream();
    /// while let Some(done) = results.next().await {
    ///     println!("input {}: {}", done.index, if done.result.is_ok() { "created" } else { "failed" });
    /// }
    /// # }
    /// ```
    pub fn create_many_from_stream(
        &self,
        items: impl Stream<Item = NewInteraction> + Send + 'static,
    ) -> CreateMany {
        CreateMany::new(self.client.clone(), Box::pin(items))
    }

    /// Looks up creates whose outcome is unknown: was each stored (and as which
    /// interaction), not stored (safe to send again), or is it still unknown (and why)?
    /// The rules are in [`Settle`]'s module docs, summed up in [`Settled`]; add this run's
    /// known creates as [`controls`](Settle::controls), without which nothing is called
    /// not stored.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, new: ctrlhub::NewInteraction) -> Result<(), ctrlhub::Error> {
    /// use ctrlhub::{Settled, UnknownCreate};
    /// let before = client.latest_server_date().unwrap_or_default();
    /// if let Err(e) = client.interactions().create(new.clone()).await {
    ///     if e.is_outcome_unknown() {
    ///         let row = UnknownCreate { new, first_sent_after: before, last_sent_after: before };
    ///         match &client.interactions().settle(vec![row]).send().await?[0] {
    ///             Settled::Created(found) => println!("stored as {}", found.id),
    ///             Settled::NotStored => println!("not stored: send it again"),
    ///             Settled::Unknown(why) => println!("still unknown: {why}"),
    ///             _ => {}
    ///         }
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn settle(&self, unknown: impl IntoIterator<Item = UnknownCreate>) -> Settle {
        Settle::new(self.client.clone(), unknown.into_iter().collect())
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
        let target = target.into_id();
        relate(
            self.client.clone(),
            link.endpoint(),
            id.into_id(),
            move |type_| {
                let target = checked_id(link.field(), target)?;
                Ok(types::RelationshipDocument {
                    data: ResourceIdentifier::new(type_, target),
                })
            },
        )
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

    fn endpoint(self) -> RelationshipDocumentEndpoint {
        match self {
            Link::Contact => RelationshipDocumentEndpoint::SetCustomerInteractionContact,
            Link::Account => RelationshipDocumentEndpoint::SetCustomerInteractionAccount,
            Link::Representative => {
                RelationshipDocumentEndpoint::SetCustomerInteractionRepresentative
            }
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
    /// The attributes Ctrl Hub sent that the fields above do not name, as received: ones
    /// the spec does not name either (an [`update`](crate::Resources::update) sends those
    /// back unchanged), and ones the spec names that have no field yet. Read any attribute
    /// by name with [`attribute`](Self::attribute).
    pub other: Object,
    /// Relationships Ctrl Hub sent that this version does not name, as received (each a
    /// JSON:API relationship object, such as `{"data": {"type": .., "id": ..}}`).
    pub other_relationships: Object,
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
}

impl Interaction {
    /// The attribute `name` as JSON, whichever field holds it (a typed field or
    /// [`other`](Self::other)); `None` when Ctrl Hub did not send it.
    ///
    /// The names are the spec's
    /// ([`ResourceFields::attributes`](crate::ResourceFields::attributes)) and any other
    /// that Ctrl Hub sent.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<serde_json::Value> {
        fn json(value: Option<impl serde::Serialize>) -> Option<serde_json::Value> {
            value.and_then(|value| serde_json::to_value(value).ok())
        }
        match name {
            "method" => json(self.method.as_ref()),
            "direction" => json(self.direction.as_ref()),
            "date_time" => json(self.date_time.as_ref()),
            "contacted" => json(self.contacted),
            "status" => json(self.status.as_ref()),
            "notes" => json(self.notes.as_ref()),
            _ => self.other.get(name).cloned(),
        }
    }
}

/// The attributes [`Interaction`] has a field for; [`Interaction::attribute`] matches the
/// same names.
const TYPED_ATTRIBUTES: [&str; 6] = [
    "method",
    "direction",
    "date_time",
    "contacted",
    "status",
    "notes",
];

/// The attributes of `attributes` that [`Interaction`] has no field for: those the spec
/// does not name (`extra`), and, when the spec names more than the fields, those too.
fn untyped(attributes: &types::InteractionAttributes) -> Object {
    let spec = crate::ResourceFields::of::<Interaction>().attributes;
    if spec.iter().all(|name| TYPED_ATTRIBUTES.contains(name)) {
        return attributes.extra.clone();
    }
    match serde_json::to_value(attributes) {
        Ok(serde_json::Value::Object(all)) => without_typed(all),
        _ => attributes.extra.clone(),
    }
}

/// `all` without the attributes [`Interaction`] has a field for, and without nulls (an
/// attribute Ctrl Hub did not send).
fn without_typed(mut all: Object) -> Object {
    all.retain(|name, value| !TYPED_ATTRIBUTES.contains(&name.as_str()) && !value.is_null());
    all
}

impl Includes for Interaction {
    type Related = InteractionRelated;

    fn all_links(&self) -> &[(InteractionRelated, ResourceIdentifier)] {
        &self.links
    }
}

impl TypedResource for Interaction {
    type Raw = types::InteractionResource;

    fn from_raw(resource: types::InteractionResource) -> Self {
        let mut attributes = resource.attributes.unwrap_or_default();
        let other = untyped(&attributes);
        attributes.extra = Object::new();
        let meta = resource.meta.unwrap_or_default();
        let mut relationships = resource.relationships.unwrap_or_default();
        let other_relationships = std::mem::take(&mut relationships.extra);
        let links = InteractionRelated::links_of(&relationships);
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
            other,
            other_relationships,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_untyped_attributes_are_the_others_that_were_sent() {
        let all = serde_json::json!({
            "notes": "typed", "method": "email", "channel": "web", "score": 3,
            "missing": null, "status": null
        });
        let serde_json::Value::Object(all) = all else {
            unreachable!()
        };
        assert_eq!(
            serde_json::Value::Object(without_typed(all)),
            serde_json::json!({"channel": "web", "score": 3})
        );
    }
}
