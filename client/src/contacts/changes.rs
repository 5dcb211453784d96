//! Changes to an existing contact.

use uuid::Uuid;

use super::Contact;
use crate::checks::check_email;
use crate::error::Error;
use crate::generated::types;
use crate::jsonapi::Object;
use crate::resource::Changes;

/// The changes to make to a contact, for [`Contacts::update`](super::Contacts::update).
///
/// The reference's update example carries `first_name`, `last_name`, `email` and
/// `telephone`. The fields set here are changed; [`update`](super::Contacts::update)
/// leaves the rest as they are. Checked when the update is sent.
///
/// ```
/// let changes = ctrlhub::ContactChanges::new()
///     .email("ada@example.com")
///     .telephone("+44 20 7946 0000");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use = "changes do nothing until passed to `update`"]
pub struct ContactChanges {
    attributes: types::ContactUpdateAttributes,
}

impl ContactChanges {
    /// Changes that change nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The contact's first name.
    pub fn first_name(mut self, name: impl Into<String>) -> Self {
        self.attributes.first_name = Some(name.into());
        self
    }

    /// The contact's last name.
    pub fn last_name(mut self, name: impl Into<String>) -> Self {
        self.attributes.last_name = Some(name.into());
        self
    }

    /// The contact's email address; checked for its shape when sent.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.attributes.email = Some(email.into());
        self
    }

    /// The contact's telephone number.
    pub fn telephone(mut self, telephone: impl Into<String>) -> Self {
        self.attributes.telephone = Some(telephone.into());
        self
    }
}

impl Changes for ContactChanges {
    type Resource = Contact;
    type Document = types::ContactUpdateDocument;

    fn sets_nothing(&self) -> bool {
        self.attributes == types::ContactUpdateAttributes::default()
    }

    fn check(&self) -> Result<(), Error> {
        match &self.attributes.email {
            Some(email) => check_email("email", email),
            None => Ok(()),
        }
    }

    fn over(self, current: types::ContactResource) -> Self {
        let (changed, current) = (self.attributes, current.attributes.unwrap_or_default());
        ContactChanges {
            attributes: types::ContactUpdateAttributes {
                first_name: changed.first_name.or(current.first_name),
                last_name: changed.last_name.or(current.last_name),
                email: changed.email.or(current.email),
                telephone: changed.telephone.or(current.telephone),
                extra: current.extra,
            },
        }
    }

    fn unnamed(&mut self) -> &mut Object {
        &mut self.attributes.extra
    }

    fn into_document(self, id: Uuid) -> types::ContactUpdateDocument {
        types::ContactUpdateDocument {
            data: types::ContactUpdateResource {
                id,
                type_: types::ContactUpdateResourceType::Contacts,
                attributes: self.attributes,
            },
        }
    }
}
