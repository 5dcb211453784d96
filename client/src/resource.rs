//! The operations resources share, written once. [`Resources`] gives each typed resource
//! the get, list, create and update it declares through the sealed traits of this module:
//! [`TypedResource`] (how its generated resource becomes the typed one), [`Fetch`] (its
//! get), [`Listed`] (its list), [`Includes`] (what `include` can name), [`Changes`] (its
//! change set and update) and [`NewResource`] (its create).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::call::RawResult;
use crate::client::Client;
use crate::error::Error;
use crate::generated;
use crate::id::{GivenId, IntoId, checked_id};
use crate::included::IncludedResource;
use crate::jsonapi::{Object, Resource, ResourceIdentifier, ToMany, ToOne};
use crate::list::{List, Listed};
use crate::query::include_param;
use crate::request::Request;

/// A JSON:API document whose primary data is one resource. build-support implements it
/// for every such document of the spec.
pub trait SingleDocument {
    /// The primary data's type.
    type Data;
    /// The primary data and the document's `included` (empty without one).
    fn into_parts(self) -> (Self::Data, Vec<Resource>);
}

pub(crate) mod sealed {
    /// Implemented by this crate's resources, relationships and inputs only, so that the
    /// traits of [`resource`](super) can change without breaking anyone.
    pub trait Sealed {}

    impl Sealed for crate::Interaction {}
    impl Sealed for crate::Contact {}
    impl Sealed for crate::Member {}
    impl Sealed for crate::CustomerAccount {}
    impl Sealed for crate::InteractionChanges {}
    impl Sealed for crate::ContactChanges {}
    impl Sealed for crate::NewInteraction {}
    impl Sealed for crate::NewCustomerAccount {}
}

/// The JSON:API type string of a generated resource, from the spec (build-support).
pub trait ResourceType {
    /// The type string, such as `contacts`.
    const TYPE: &'static str;
    /// The names of its fields and options.
    const FIELDS: crate::ResourceFields;
}

/// A typed resource of this crate, such as [`Contact`](crate::Contact), made from the
/// generated resource it is decoded as. Sealed.
pub trait TypedResource: sealed::Sealed + Sized + Send + 'static {
    #[doc(hidden)]
    type Raw: DeserializeOwned + ResourceType + Send + 'static;
    #[doc(hidden)]
    fn from_raw(raw: Self::Raw) -> Self;
}

/// Where one operation on one resource goes, for the generated request.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Target {
    /// The organisation.
    pub org: Uuid,
    /// The resource's id, checked.
    pub id: Uuid,
    /// The `include` value, for a get that takes one.
    pub include: Option<String>,
}

/// A resource's get, as the spec declares it: implemented by the generated code on the
/// generated resource (see build-support's `operations`).
pub trait GetOperation: Sized {
    /// The answer.
    type Document: SingleDocument<Data = Self> + Send + 'static;
    /// Sends the get of `at.id`.
    fn get(
        raw: generated::Client,
        at: Target,
    ) -> impl Future<Output = RawResult<Self::Document>> + Send + 'static;
}

/// A resource's update (`PUT`), implemented by the generated code on its request body.
pub trait PutOperation: Sized {
    /// The answer.
    type Answer: SingleDocument + Send + 'static;
    /// The attributes the body can carry, as the spec names them.
    const FIELDS: &'static [&'static str];
    /// Sends this body to `at.id`.
    fn put(
        self,
        raw: generated::Client,
        at: Target,
    ) -> impl Future<Output = RawResult<Self::Answer>> + Send + 'static;
}

/// A resource's create (`POST`), implemented by the generated code on its request body.
pub trait PostOperation: Sized {
    /// The answer.
    type Answer: SingleDocument + Send + 'static;
    /// Sends this body.
    fn post(
        self,
        raw: generated::Client,
        org: Uuid,
    ) -> impl Future<Output = RawResult<Self::Answer>> + Send + 'static;
}

/// The endpoints of one kind of relationship change (`.../{id}/relationships/{name}`),
/// implemented by the generated code on an enum of them; their success answers are read
/// without a body.
pub trait RelationshipEndpoint: Copy + Send + Sync + 'static {
    /// The request body.
    type Body: Send + 'static;
    /// Sends `body` to the endpoint of resource `at.id`.
    fn send(
        self,
        raw: generated::Client,
        at: Target,
        body: Self::Body,
    ) -> impl Future<Output = RawResult<()>> + Send + 'static;
    /// The type string of the resources the body links to (the spec's `x-ctrlhub-target`).
    fn target(self) -> &'static str;
}

/// A change to one relationship of resource `id` through `endpoint`: the id checked, then
/// the body made from the target's type string (or refused, naming the field), then one
/// call.
pub(crate) fn relate<E: RelationshipEndpoint>(
    client: Client,
    endpoint: E,
    id: GivenId,
    body: impl FnOnce(&'static str) -> Result<E::Body, Error> + Send + 'static,
) -> Request<()> {
    Request::new(async move {
        let at = Target {
            org: client.organisation_id,
            id: checked_id("id", id)?,
            include: None,
        };
        let body = body(endpoint.target())?;
        client.call(|raw| endpoint.send(raw, at, body)).await?;
        Ok(())
    })
}

/// A resource that can be fetched by id ([`Resources::get`]): every typed resource whose
/// spec section has a get. Sealed.
pub trait Fetch: TypedResource<Raw: GetOperation> {}

impl<T: TypedResource<Raw: GetOperation>> Fetch for T {}

/// A relationship that `include` can name, such as
/// [`InteractionRelated`](crate::InteractionRelated). Sealed.
pub trait Relationship: sealed::Sealed + Copy + Eq + fmt::Debug + Send + Sync + 'static {
    /// The relationship's name, as used in `include`.
    fn name(self) -> &'static str;
}

/// A resource whose get and list take `include`: the related resources to fetch with it.
/// Sealed.
pub trait Includes: TypedResource {
    /// What `include` can name.
    type Related: Relationship;
    #[doc(hidden)]
    fn all_links(&self) -> &[(Self::Related, ResourceIdentifier)];
}

/// The changes to make to one resource ([`Resources::update`]), such as
/// [`ContactChanges`](crate::ContactChanges). Sealed.
pub trait Changes: sealed::Sealed + Clone + Send + 'static {
    /// The resource they change.
    type Resource: Fetch;
    #[doc(hidden)]
    type Document: PutOperation<Answer: SingleDocument<Data = <Self::Resource as TypedResource>::Raw>>
        + Send
        + 'static;
    /// Whether these changes set no field at all.
    #[doc(hidden)]
    fn sets_nothing(&self) -> bool;
    /// Refuses a value that cannot be stored, naming its field.
    #[doc(hidden)]
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }
    /// These changes, with every updatable field they leave out taken from `current`, and
    /// the attributes of `current` that the spec does not name.
    #[doc(hidden)]
    #[must_use]
    fn over(self, current: <Self::Resource as TypedResource>::Raw) -> Self;
    /// The attributes these changes carry that the spec does not name.
    #[doc(hidden)]
    fn unnamed(&mut self) -> &mut Object;
    #[doc(hidden)]
    fn into_document(self, id: Uuid) -> Self::Document;
}

/// A resource to create ([`Resources::create`]), such as
/// [`NewInteraction`](crate::NewInteraction). Sealed.
pub trait NewResource: sealed::Sealed + Clone + Send + 'static {
    /// The resource it creates.
    type Resource: TypedResource;
    #[doc(hidden)]
    type Document: PostOperation<Answer: SingleDocument<Data = <Self::Resource as TypedResource>::Raw>>
        + Send
        + 'static;
    /// The request document, or an [`Error::InvalidInput`] naming the field at fault.
    #[doc(hidden)]
    fn into_document(self) -> Result<Self::Document, Error>;
    /// The attributes it carries that the spec does not name (sent as they are, and
    /// dropped on a resend should Ctrl Hub refuse them); `None` when it carries none.
    #[doc(hidden)]
    fn unnamed(&mut self) -> Option<&mut Object> {
        None
    }
}

/// The operations on one kind of resource, such as [`Client::contacts`]
/// ([`Contacts`](crate::Contacts) is `Resources<'_, Contact>`). Each operation is here
/// once, for every resource that declares it.
///
/// Every operation returns a request that is sent by awaiting it (or its `.send()`);
/// lists by [`page`](List::page) or [`stream`](List::stream). Input is checked then, and
/// a bad value is an [`Error::InvalidInput`] naming the field: nothing is sent.
pub struct Resources<'a, T> {
    pub(crate) client: &'a Client,
    resource: PhantomData<fn() -> T>,
}

// Not derived: derives would ask `T: Clone`, `T: Debug`.
impl<T> Clone for Resources<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Resources<'_, T> {}

impl<T> fmt::Debug for Resources<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resources")
            .field("resource", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}

impl<'a, T> Resources<'a, T> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Resources {
            client,
            resource: PhantomData,
        }
    }
}

impl<'a, T: Listed> Resources<'a, T> {
    /// Lists the organisation's resources of this kind, a page at a time or as a stream.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    ///
    /// # async fn demo(client: ctrlhub::Client) -> Result<(), ctrlhub::Error> {
    /// let page = client.interactions().list().filter("method", "email").page().await?;
    /// let mut members = client.members().list().limit(50).stream();
    /// while let Some(member) = members.next().await {
    ///     println!("{:?}", member?.email);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> List<'a, T> {
        List::new(self.client)
    }
}

impl<T: Fetch> Resources<'_, T> {
    /// Fetches one resource by id. Where the spec's get takes `include`, add
    /// [`include`](Get::include) to fetch related resources with it, as [`Details`].
    ///
    /// ```no_run
    /// use ctrlhub::InteractionRelated;
    ///
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// let contact = client.contacts().get(id).await?;
    /// let details = client
    ///     .interactions()
    ///     .get(id)
    ///     .include([InteractionRelated::Contact])
    ///     .await?;
    /// println!("{:?} {:?}", contact.email, details.contact()?);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl IntoId) -> Get<T> {
        Get {
            client: self.client.clone(),
            id: id.into_id(),
            resource: PhantomData,
        }
    }

    /// Changes the fields `changes` sets, leaving every other field as it is.
    ///
    /// # Safe whatever Ctrl Hub does with absent fields
    ///
    /// The reference does not say whether a PUT that leaves a field out keeps it or
    /// clears it. So this reads the resource first (one GET), and sends every updatable
    /// field: the ones in `changes`, and the current value of the others. Under either
    /// behaviour only the fields `changes` names are changed.
    ///
    /// The cost is a second request. The race it leaves: a change another client makes to
    /// an unmentioned field between the read and the write is overwritten with the value
    /// read. [`update_may_clear_unmentioned`](Resources::update_may_clear_unmentioned)
    /// sends one request instead, at the risk its name says.
    ///
    /// # Attributes this version does not know
    ///
    /// Attributes Ctrl Hub sent that the spec does not name (the resource's `other`) are
    /// sent back as read, so that a replacing PUT cannot clear them either. Should Ctrl
    /// Hub refuse one (a 400 naming it: a PUT it refuses was not processed, and an
    /// attribute it will not take is not one a PUT clears), the update is sent again
    /// without the attributes it named.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// let changes = ctrlhub::InteractionChanges::new().contacted(true);
    /// let stored = client.interactions().update(id, changes).await?;
    /// let changes = ctrlhub::ContactChanges::new().telephone("+44 20 7946 0000");
    /// let contact = client.contacts().update(id, changes).await?;
    /// # Ok(()) }
    /// ```
    pub fn update<C: Changes<Resource = T>>(&self, id: impl IntoId, changes: C) -> Request<T> {
        update(self.client.clone(), id.into_id(), changes, true)
    }

    /// Like [`update`](Resources::update), in one request that carries only the fields
    /// `changes` sets. Should Ctrl Hub replace the record with what a PUT carries, the
    /// fields not mentioned are cleared: use it only where that is known not to happen,
    /// or where every updatable field is set.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid, at: chrono::DateTime<chrono::Utc>) -> Result<(), ctrlhub::Error> {
    /// let all = ctrlhub::InteractionChanges::new().date_time(at).contacted(true).notes("Done");
    /// client.interactions().update_may_clear_unmentioned(id, all).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_may_clear_unmentioned<C: Changes<Resource = T>>(
        &self,
        id: impl IntoId,
        changes: C,
    ) -> Request<T> {
        update(self.client.clone(), id.into_id(), changes, false)
    }
}

impl<T: TypedResource> Resources<'_, T> {
    /// Creates a resource and returns it as Ctrl Hub stored it. Ctrl Hub answers 201 (or
    /// 200); an answer of 400 names the attribute it wants in [`Error::Api`].
    ///
    /// # Never twice
    ///
    /// One call never creates two resources. The request is sent again only when it
    /// provably was not processed: no connection could be made, or (with a service-account
    /// key) Ctrl Hub refused the access token with a 401 and a renewed token is tried once.
    ///
    /// It is never sent again after a timeout, a connection dropped mid-answer, a 5xx (a
    /// proxy's error page included) or a success answer that could not be read. Then
    /// [`Error::is_outcome_unknown`] is true ([`Outcome::Unknown`](crate::Outcome::Unknown)
    /// on the [`Error::Transport`], [`Error::Api`] or [`Error::Decode`]), and the caller
    /// should look for the resource (for example with a list) before creating it again.
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
    /// let stored = client.interactions().create(call).await?;
    /// # Ok(()) }
    /// ```
    pub fn create<N: NewResource<Resource = T>>(&self, new: N) -> Request<T> {
        let client = self.client.clone();
        Request::new(async move {
            let org = client.organisation_id;
            let mut new = new;
            // Each pass drops at least one carried attribute, or ends. Without carried
            // attributes (the usual create), the input is not copied.
            let answer = loop {
                let carries = new.unnamed().is_some_and(|unnamed| !unnamed.is_empty());
                if !carries {
                    let body = new.into_document()?;
                    break client.call(|raw| body.post(raw, org)).await?;
                }
                let body = new.clone().into_document()?;
                let error = match client.call(|raw| body.post(raw, org)).await {
                    Ok(answer) => break answer,
                    Err(error) => error,
                };
                drop_refused(error, new.unnamed())?;
            };
            Ok(T::from_raw(answer.into_inner().into_parts().0))
        })
    }
}

/// The read-then-write update, or (`read_first` false) the single PUT.
fn update<C: Changes>(
    client: Client,
    id: GivenId,
    changes: C,
    read_first: bool,
) -> Request<C::Resource> {
    Request::new(async move {
        let id = checked_id("id", id)?;
        if changes.sets_nothing() {
            let fields = <C::Document as PutOperation>::FIELDS;
            return Err(Error::invalid_input(
                "update",
                format!("sets nothing: set {}", one_of(fields)),
            ));
        }
        changes.check()?;
        let at = Target {
            org: client.organisation_id,
            id,
            include: None,
        };
        let mut changes = if read_first {
            let current = client
                .call(|raw| <C::Resource as TypedResource>::Raw::get(raw, at.clone()))
                .await?;
            changes.over(current.into_inner().into_parts().0)
        } else {
            changes
        };
        // Each pass drops at least one carried attribute, or ends.
        let answer = loop {
            let body = changes.clone().into_document(id);
            let error = match client.call(|raw| body.put(raw, at.clone())).await {
                Ok(answer) => break answer,
                Err(error) => error,
            };
            drop_refused(error, Some(changes.unnamed()))?;
        };
        Ok(C::Resource::from_raw(answer.into_inner().into_parts().0))
    })
}

/// Removes from `unnamed` the attributes the refusal `error` names; `Err(error)` when it
/// names none of them (so a resend without them could not differ).
fn drop_refused(error: Error, unnamed: Option<&mut Object>) -> Result<(), Error> {
    let Some(unnamed) = unnamed else {
        return Err(error);
    };
    let refused = refused_unnamed(&error, unnamed);
    if refused.is_empty() {
        return Err(error);
    }
    for name in refused {
        unnamed.remove(&name);
    }
    Ok(())
}

/// The attributes of `unnamed` that a 400 answer names as the problem (by
/// `/data/attributes/NAME` or Ctrl Hub's `data.attributes.NAME`): a PUT that carried them
/// was refused, not processed, so it can be sent again without them.
fn refused_unnamed(error: &Error, unnamed: &Object) -> Vec<String> {
    let Error::Api(api) = error else {
        return Vec::new();
    };
    if api.status != reqwest::StatusCode::BAD_REQUEST {
        return Vec::new();
    }
    api.errors
        .iter()
        .filter_map(|e| {
            let location = e.location()?;
            location
                .strip_prefix("/data/attributes/")
                .or_else(|| location.strip_prefix("data.attributes."))
        })
        .filter(|name| unnamed.contains_key(*name))
        .map(str::to_owned)
        .collect()
}

/// `a, b or c`.
fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'static>>;

/// Fetches one resource; from [`Resources::get`]. Send it by awaiting it (or
/// [`send`](Get::send)); a malformed or nil id is an [`Error::InvalidInput`] naming
/// `id`, and nothing is sent.
#[must_use = "nothing is fetched until it is awaited"]
pub struct Get<T> {
    client: Client,
    id: GivenId,
    resource: PhantomData<fn() -> T>,
}

impl<T: Fetch> Get<T> {
    /// Sends the request and waits for the resource.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a malformed id (nothing is sent), or any error of
    /// [`Client::call`](crate::Client::call).
    pub async fn send(self) -> Result<T, Error> {
        let (resource, _) = fetch::<T>(&self.client, self.id, None).await?;
        Ok(T::from_raw(resource))
    }
}

impl<T: Fetch + Includes> Get<T> {
    /// Fetches these related resources in the same request (`include=contact,author`);
    /// the answer is then the resource with them, as [`Details`].
    pub fn include(self, related: impl IntoIterator<Item = T::Related>) -> GetIncluding<T> {
        GetIncluding {
            client: self.client,
            id: self.id,
            include: related.into_iter().collect(),
        }
    }
}

impl<T: Fetch> IntoFuture for Get<T> {
    type Output = Result<T, Error>;
    type IntoFuture = BoxFuture<T>;

    /// Awaiting the request sends it, as [`send`](Get::send) does.
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<T> fmt::Debug for Get<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Get")
            .field("resource", &std::any::type_name::<T>())
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Fetches one resource with related resources; from [`Get::include`]. Send it by
/// awaiting it (or [`send`](GetIncluding::send)).
#[must_use = "nothing is fetched until it is awaited"]
pub struct GetIncluding<T: Includes> {
    client: Client,
    id: GivenId,
    include: Vec<T::Related>,
}

impl<T: Fetch + Includes> GetIncluding<T> {
    /// Fetches these related resources too.
    pub fn include(mut self, related: impl IntoIterator<Item = T::Related>) -> Self {
        self.include.extend(related);
        self
    }

    /// Sends the request and waits for the resource and the related resources Ctrl Hub
    /// included.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a malformed id (nothing is sent), or any error of
    /// [`Client::call`](crate::Client::call).
    pub async fn send(self) -> Result<Details<T>, Error> {
        let names: Vec<&str> = self.include.iter().map(|r| r.name()).collect();
        let (resource, included) = fetch::<T>(&self.client, self.id, include_param(&names)).await?;
        Ok(Details {
            resource: T::from_raw(resource),
            included: IncludedResource::all_of(included),
        })
    }
}

impl<T: Fetch + Includes> IntoFuture for GetIncluding<T> {
    type Output = Result<Details<T>, Error>;
    type IntoFuture = BoxFuture<Details<T>>;

    /// Awaiting the request sends it, as [`send`](GetIncluding::send) does.
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<T: Includes> fmt::Debug for GetIncluding<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetIncluding")
            .field("resource", &std::any::type_name::<T>())
            .field("id", &self.id)
            .field("include", &self.include)
            .finish_non_exhaustive()
    }
}

/// The get every resource shares: the checked id, then one call.
async fn fetch<T: Fetch>(
    client: &Client,
    id: GivenId,
    include: Option<String>,
) -> Result<(T::Raw, Vec<Resource>), Error> {
    let at = Target {
        org: client.organisation_id,
        id: checked_id("id", id)?,
        include,
    };
    let answer = client.call(|raw| T::Raw::get(raw, at)).await?;
    Ok(answer.into_inner().into_parts())
}

/// A resource with the related resources Ctrl Hub included, from a get with
/// [`include`](Get::include).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Details<T> {
    /// The resource.
    pub resource: T,
    included: Vec<IncludedResource>,
}

impl<T: Includes> Details<T> {
    /// Every included resource, as Ctrl Hub sent them.
    #[must_use]
    pub fn included(&self) -> &[IncludedResource] {
        &self.included
    }

    /// The included resource `relationship` links to (the first, for a to-many one),
    /// found by the link's type and id as JSON:API defines; `None` when there is no such
    /// link or Ctrl Hub did not include it.
    #[must_use]
    pub fn related(&self, relationship: T::Related) -> Option<&IncludedResource> {
        self.related_all(relationship).next()
    }

    /// Every included resource `relationship` links to, in the order of the links; a link
    /// whose resource Ctrl Hub did not include is skipped.
    pub fn related_all(
        &self,
        relationship: T::Related,
    ) -> impl Iterator<Item = &IncludedResource> + '_ {
        related_in(&self.resource, &self.included, relationship)
    }

    /// The included resource `relationship` links to, as the typed `R`: `Ok(None)` when it
    /// was not included, an [`Error::Decode`] when it is not in `R`'s shape.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] naming the resource when it is not an `R`.
    pub fn related_as<R: TypedResource>(
        &self,
        relationship: T::Related,
    ) -> Result<Option<R>, Error> {
        self.related(relationship)
            .map(IncludedResource::decode)
            .transpose()
    }
}

/// The resources among `included` that `resource`'s `relationship` links to, in the order
/// of its links (a link whose resource is not included is skipped): a get's and a page's.
pub(crate) fn related_in<'a, T: Includes>(
    resource: &'a T,
    included: &'a [IncludedResource],
    relationship: T::Related,
) -> impl Iterator<Item = &'a IncludedResource> + 'a {
    resource
        .all_links()
        .iter()
        .filter(move |(kind, _)| *kind == relationship)
        .filter_map(|(_, link)| IncludedResource::find(included, link))
}

/// A relationship member of a generated resource: its identifiers, whatever its kind.
pub(crate) trait Linkage {
    fn identifiers(&self) -> &[ResourceIdentifier];
}

impl Linkage for Option<ToOne> {
    fn identifiers(&self) -> &[ResourceIdentifier] {
        self.as_ref()
            .and_then(|link| link.data.as_ref())
            .map_or(&[], std::slice::from_ref)
    }
}

impl Linkage for Option<ToMany> {
    fn identifiers(&self) -> &[ResourceIdentifier] {
        self.as_ref().map_or(&[], |link| &link.data)
    }
}

/// A resource's relationships that `include` can name: the enum, its names (the
/// generated relationships' member names), and each link of a generated resource.
macro_rules! relationships {
    (
        $(#[$meta:meta])*
        $name:ident of $raw:ty {
            $( $(#[$vmeta:meta])* $variant:ident => $member:ident, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every relationship, in the order they are documented.
            pub const ALL: [$name; <[$name]>::len(&[$( $name::$variant, )+])] =
                [$( $name::$variant, )+];

            /// The relationship's name, as used in `include`.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => stringify!($member), )+
                }
            }

            /// Each identifier in `relationships`, with the relationship holding it.
            pub(crate) fn links_of(
                relationships: &$raw,
            ) -> Vec<($name, $crate::jsonapi::ResourceIdentifier)> {
                use $crate::resource::Linkage;
                let mut links = Vec::new();
                $(
                    links.extend(
                        relationships.$member.identifiers().iter().map(|id| ($name::$variant, id.clone())),
                    );
                )+
                links
            }
        }

        impl $crate::resource::sealed::Sealed for $name {}

        impl $crate::resource::Relationship for $name {
            fn name(self) -> &'static str {
                self.as_str()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use relationships;

#[cfg(test)]
mod tests;
