//! Organisation members: the users of an organisation, such as an interaction's
//! representative.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::client::Client;
use crate::generated::{self, types};
use crate::id::{IntoId, checked_id};
use crate::included::FromRaw;
use crate::jsonapi::{Object, ToMany};
use crate::list::{List, Listed, with_list_params};
use crate::query::ListParams;
use crate::request::Request;

/// The organisation-member operations of a [`Client`], from [`Client::members`].
#[derive(Debug, Clone, Copy)]
pub struct Members<'a> {
    client: &'a Client,
}

/// Lists organisation members; from [`Members::list`].
pub type ListMembers<'a> = List<'a, Member>;

impl<'a> Members<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Members { client }
    }

    /// Lists the organisation's members, a page at a time or as a stream.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    ///
    /// # async fn demo(client: ctrlhub::Client) -> Result<(), ctrlhub::Error> {
    /// let mut members = client.members().list().limit(50).stream();
    /// while let Some(member) = members.next().await {
    ///     let member = member?;
    ///     println!("{} {:?}", member.id, member.email);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListMembers<'a> {
        List::new(self.client)
    }

    /// Fetches one member.
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// let member = client.members().get(id).send().await?;
    /// println!("{:?}", member.profile.work);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl IntoId) -> Request<Member> {
        let client = self.client.clone();
        let id = id.into_id();
        Request::new(async move {
            let id = checked_id("id", id)?;
            let org = client.organisation_id;
            let answer = client
                .call(|raw| async move { raw.get_member().org_id(org).member_id(id).send().await })
                .await?;
            Ok(Member::from_raw(answer.into_inner().data))
        })
    }
}

/// An organisation member (a user) as Ctrl Hub stored it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Member {
    /// The member's id (a `users` resource).
    pub id: Uuid,
    /// The member's email address.
    pub email: Option<String>,
    /// The member's identities, as Ctrl Hub sent them (their members are not documented).
    pub identities: Vec<Object>,
    /// The member's profile.
    pub profile: MemberProfile,
    /// The organisations the member belongs to.
    pub organisations: Vec<Uuid>,
    /// The member's teams.
    pub teams: Vec<Uuid>,
}

impl FromRaw for Member {
    type Raw = types::MemberResource;

    fn from_raw(resource: types::MemberResource) -> Self {
        let attributes = resource.attributes.unwrap_or_default();
        let relationships = resource.relationships.unwrap_or_default();
        let ids = |link: Option<ToMany>| link.map(|l| l.ids()).unwrap_or_default();
        Member {
            id: resource.id,
            email: attributes.email,
            identities: attributes.identities,
            profile: attributes.profile.unwrap_or_default(),
            organisations: ids(relationships.organisations),
            teams: ids(relationships.teams),
        }
    }
}

impl Listed for Member {
    type Document = types::MemberListDocument;

    async fn request(
        raw: generated::Client,
        org: Uuid,
        params: ListParams,
        offset: Option<u64>,
    ) -> crate::call::RawResult<Self::Document> {
        let request = raw.list_members().org_id(org);
        with_list_params!(request, params, offset).send().await
    }

    fn from_item(item: types::MemberResource) -> Self {
        Member::from_raw(item)
    }
}

/// A member's profile. The reference names its parts but not their members, so each
/// part is JSON, and any other part Ctrl Hub sends is kept in [`other`](MemberProfile::other).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MemberProfile {
    /// Work details.
    #[serde(
        default,
        deserialize_with = "object_or_null",
        skip_serializing_if = "Object::is_empty"
    )]
    pub work: Object,
    /// Personal details.
    #[serde(
        default,
        deserialize_with = "object_or_null",
        skip_serializing_if = "Object::is_empty"
    )]
    pub personal: Object,
    /// Contact details.
    #[serde(
        default,
        deserialize_with = "object_or_null",
        skip_serializing_if = "Object::is_empty"
    )]
    pub contact: Object,
    /// The member's address.
    #[serde(
        default,
        deserialize_with = "object_or_null",
        skip_serializing_if = "Object::is_empty"
    )]
    pub address: Object,
    /// The member's settings.
    #[serde(
        default,
        deserialize_with = "object_or_null",
        skip_serializing_if = "Object::is_empty"
    )]
    pub settings: Object,
    /// Every other member of the profile, as received.
    #[serde(flatten)]
    pub other: Object,
}

/// A profile part may come as `null`; it is then empty.
fn object_or_null<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Object, D::Error> {
    Ok(Option::<Object>::deserialize(deserializer)?.unwrap_or_default())
}
