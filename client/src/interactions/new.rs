//! What a new interaction is made of.

use chrono::DateTime;

use crate::error::Error;
use serde_json::Value;

use crate::generated::types;
use crate::id::{GivenId, IntoId, checked_id};
use crate::jsonapi::Object;
use crate::model::{InteractionDirection, InteractionMethod, InteractionStatus};
use crate::resource::NewResource;

/// A customer interaction to record, for [`Interactions::create`](super::Interactions::create).
///
/// Which attributes Ctrl Hub requires is not documented, so none is required here; the
/// API answers 400 naming any it wants. Ids are checked when the create is sent.
///
/// ```
/// use ctrlhub::{InteractionDirection, InteractionMethod, NewInteraction};
///
/// let call = NewInteraction::new()
///     .method(InteractionMethod::Telephone)
///     .direction(InteractionDirection::Inbound)
///     .contacted(true)
///     .contact("9b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use = "a new interaction does nothing until passed to `create`"]
pub struct NewInteraction {
    attributes: types::NewInteractionAttributes,
    contact: Option<GivenId>,
    account: Option<GivenId>,
    property: Option<GivenId>,
    representative: Option<GivenId>,
    /// Attributes set by name ([`attribute`](Self::attribute)), checked when sent.
    by_name: Object,
    /// Attributes the spec does not name ([`carry`](Self::carry)).
    carried: Object,
}

impl NewInteraction {
    /// An interaction with nothing set yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// How the customer was contacted.
    pub fn method(mut self, method: InteractionMethod) -> Self {
        self.attributes.method = Some(method);
        self
    }

    /// Who started the interaction.
    pub fn direction(mut self, direction: InteractionDirection) -> Self {
        self.attributes.direction = Some(direction);
        self
    }

    /// When the interaction happened (or is scheduled to), in any time zone.
    ///
    /// It is sent in UTC at whole seconds (`2023-11-07T05:31:56Z`), the form every
    /// example of the reference uses: a fraction of a second is dropped (truncated, not
    /// rounded), so the interaction Ctrl Hub returns carries the same time as was sent.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "a builder takes its values as callers write them: `.date_time(Utc::now())`"
    )]
    pub fn date_time<Tz: chrono::TimeZone>(mut self, at: DateTime<Tz>) -> Self {
        self.attributes.date_time = Some(crate::model::whole_seconds(&at));
        self
    }

    /// Whether the customer was reached.
    pub fn contacted(mut self, contacted: bool) -> Self {
        self.attributes.contacted = Some(contacted);
        self
    }

    /// The interaction's status, such as [`InteractionStatus::Scheduled`].
    pub fn status(mut self, status: InteractionStatus) -> Self {
        self.attributes.status = Some(status);
        self
    }

    /// Free text about the interaction.
    pub fn notes(mut self, notes: impl Into<String>) -> Self {
        self.attributes.notes = Some(notes.into());
        self
    }

    /// The contact (person) the interaction was with.
    pub fn contact(mut self, id: impl IntoId) -> Self {
        self.contact = Some(id.into_id());
        self
    }

    /// The customer account the interaction belongs to.
    pub fn account(mut self, id: impl IntoId) -> Self {
        self.account = Some(id.into_id());
        self
    }

    /// The property the interaction is about.
    pub fn property(mut self, id: impl IntoId) -> Self {
        self.property = Some(id.into_id());
        self
    }

    /// The organisation member who represented the organisation.
    pub fn representative(mut self, id: impl IntoId) -> Self {
        self.representative = Some(id.into_id());
        self
    }

    /// Sets the attribute `name`, one a create may set
    /// ([`ResourceFields::create_attributes`](crate::ResourceFields::create_attributes)),
    /// by its name in the spec: for an attribute the spec has gained that this crate has no
    /// method for yet. It replaces what a method set. When the create is sent, a name the
    /// spec does not give a create, or a value of the wrong type, is an
    /// [`Error::InvalidInput`] naming `attributes.NAME`, and nothing is sent.
    ///
    /// ```
    /// let call = ctrlhub::NewInteraction::new().attribute("notes", "Called back");
    /// ```
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.by_name.insert(name.into(), value.into());
        self
    }

    /// Sends the attribute `name`, which the spec does not name, as it is: for an
    /// attribute Ctrl Hub sent that this version does not know (an [`Interaction`](super::Interaction)'s
    /// [`other`](super::Interaction::other), or a CLI export's `extra` column).
    ///
    /// The rule is the [update](crate::Resources::update)'s: should Ctrl Hub refuse it
    /// (a 400 naming `/data/attributes/NAME`), nothing was stored, and the create is sent
    /// once more without the attributes the refusal names. A name the spec does name is
    /// set as [`attribute`](Self::attribute) sets it.
    pub fn carry(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        let name = name.into();
        if create_attributes().contains(&name.as_str()) {
            return self.attribute(name, value);
        }
        self.carried.insert(name, value.into());
        self
    }
}

fn create_attributes() -> &'static [&'static str] {
    crate::ResourceFields::of::<super::Interaction>().create_attributes
}

/// `typed` with each attribute of `by_name` set, each checked: a name a create may set,
/// a value its type takes.
fn set_by_name(
    typed: types::NewInteractionAttributes,
    by_name: Object,
) -> Result<types::NewInteractionAttributes, Error> {
    if by_name.is_empty() {
        return Ok(typed);
    }
    let mut attributes = typed;
    for (name, value) in by_name {
        let field = format!("attributes.{name}");
        if !create_attributes().contains(&name.as_str()) {
            return Err(Error::invalid_input(
                field,
                format!(
                    "a create may not set it: the attributes it may set are {}",
                    create_attributes().join(", ")
                ),
            ));
        }
        // A struct of named fields serialises to an object; anything else is refused.
        let Ok(Value::Object(mut object)) = serde_json::to_value(&attributes) else {
            return Err(Error::invalid_input(field, "cannot be combined"));
        };
        object.insert(name, value);
        attributes = serde_json::from_value(Value::Object(object))
            .map_err(|e| Error::invalid_input(field, format!("not a value it takes: {e}")))?;
    }
    Ok(attributes)
}

impl NewResource for NewInteraction {
    type Resource = super::Interaction;
    type Document = types::NewInteractionDocument;

    fn into_document(self) -> Result<types::NewInteractionDocument, Error> {
        let link =
            |field: &str, id: Option<GivenId>| id.map(|id| checked_id(field, id)).transpose();
        let relationships = types::NewInteractionRelationships {
            contact: link("contact", self.contact)?.map(Into::into),
            account: link("account", self.account)?.map(Into::into),
            property: link("property", self.property)?.map(Into::into),
            representative: link("representative", self.representative)?.map(Into::into),
        };
        let mut attributes = set_by_name(self.attributes, self.by_name)?;
        attributes.extra = self.carried;
        crate::checks::check_notes(attributes.notes.as_deref())?;
        let has_relationships = relationships != types::NewInteractionRelationships::default();
        Ok(types::NewInteractionDocument {
            data: types::NewInteractionResource {
                type_: types::NewInteractionResourceType::CustomerInteractions,
                attributes,
                relationships: has_relationships.then_some(relationships),
            },
        })
    }

    fn unnamed(&mut self) -> Option<&mut Object> {
        Some(&mut self.carried)
    }
}
