//! Contacts: the people at a customer an interaction is with.

use uuid::Uuid;

pub use crate::generated::ContactRelated;
use crate::generated::types;
use crate::jsonapi::{Object, ResourceIdentifier};
use crate::list::List;
use crate::model::{ContactAssociation, ContactSalutation};
use crate::resource::{Details, Includes, Resources, TypedResource};

mod changes;

pub use changes::ContactChanges;

/// The contact operations of a [`Client`](crate::Client), from
/// [`Client::contacts`](crate::Client::contacts): [`get`](Resources::get),
/// [`list`](Resources::list) (its path is inferred, see the spec) and
/// [`update`](Resources::update).
pub type Contacts<'a> = Resources<'a, Contact>;

/// Lists contacts; from [`Contacts::list`](Resources::list).
pub type ListContacts<'a> = List<'a, Contact>;

/// A contact with the related resources Ctrl Hub included ([`crate::Get::include`]).
pub type ContactDetails = Details<Contact>;

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
    /// Attributes Ctrl Hub sent that this version does not name, as received.
    pub other: Object,
    /// Relationships Ctrl Hub sent that this version does not name, as received (each a
    /// JSON:API relationship object, such as `{"data": {"type": .., "id": ..}}`).
    pub other_relationships: Object,
    /// Each relationship's identifiers, as Ctrl Hub sent them.
    links: Vec<(ContactRelated, ResourceIdentifier)>,
}

impl TypedResource for Contact {
    type Raw = types::ContactResource;

    fn from_raw(resource: types::ContactResource) -> Self {
        let attributes = resource.attributes.unwrap_or_default();
        let mut relationships = resource.relationships.unwrap_or_default();
        let other_relationships = std::mem::take(&mut relationships.extra);
        let links = ContactRelated::links_of(&relationships);
        let ids = |kind| {
            links
                .iter()
                .filter(move |(k, _)| *k == kind)
                .map(|(_, l)| l.id)
        };
        Contact {
            id: resource.id,
            association: attributes.association,
            salutation: attributes.salutation,
            first_name: attributes.first_name,
            last_name: attributes.last_name,
            email: attributes.email,
            telephone: attributes.telephone,
            accounts: ids(ContactRelated::Accounts).collect(),
            interactions: ids(ContactRelated::Interactions).collect(),
            author: ids(ContactRelated::Author).next(),
            organisation: ids(ContactRelated::Organisation).next(),
            other: attributes.extra,
            other_relationships,
            links,
        }
    }
}

impl Includes for Contact {
    type Related = ContactRelated;

    fn all_links(&self) -> &[(ContactRelated, ResourceIdentifier)] {
        &self.links
    }
}
