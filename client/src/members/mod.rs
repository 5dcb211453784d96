//! Organisation members: the users of an organisation, such as an interaction's
//! representative.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::generated::types;
use crate::jsonapi::{Object, ToMany};
use crate::list::List;
use crate::resource::{Resources, TypedResource};

/// The organisation-member operations of a [`Client`](crate::Client), from
/// [`Client::members`](crate::Client::members): [`get`](Resources::get) and
/// [`list`](Resources::list).
pub type Members<'a> = Resources<'a, Member>;

/// Lists organisation members; from [`Members::list`](Resources::list).
pub type ListMembers<'a> = List<'a, Member>;

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
    /// Attributes Ctrl Hub sent that this version does not name, as received.
    pub other: Object,
    /// Relationships Ctrl Hub sent that this version does not name, as received (each a
    /// JSON:API relationship object, such as `{"data": {"type": .., "id": ..}}`).
    pub other_relationships: Object,
}

impl TypedResource for Member {
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
            other: attributes.extra,
            other_relationships: relationships.extra,
        }
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
        deserialize_with = "or_empty",
        skip_serializing_if = "Object::is_empty"
    )]
    pub work: Object,
    /// Personal details.
    #[serde(
        default,
        deserialize_with = "or_empty",
        skip_serializing_if = "Object::is_empty"
    )]
    pub personal: Object,
    /// Contact details.
    #[serde(
        default,
        deserialize_with = "or_empty",
        skip_serializing_if = "Object::is_empty"
    )]
    pub contact: Object,
    /// The member's address.
    #[serde(
        default,
        deserialize_with = "or_empty",
        skip_serializing_if = "Object::is_empty"
    )]
    pub address: Object,
    /// The member's settings.
    #[serde(
        default,
        deserialize_with = "or_empty",
        skip_serializing_if = "Object::is_empty"
    )]
    pub settings: Object,
    /// Every other member of the profile, as received.
    #[serde(flatten)]
    pub other: Object,
}

/// A profile part may come as `null`; it is then empty.
fn or_empty<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Object, D::Error> {
    Ok(Option::<Object>::deserialize(deserializer)?.unwrap_or_default())
}
