//! Changes to an existing interaction.

use chrono::DateTime;
use uuid::Uuid;

use super::Interaction;
use crate::error::Error;
use crate::generated::types;
use crate::jsonapi::Object;
use crate::resource::Changes;

/// The changes to make to an interaction, for [`Interactions::update`](super::Interactions::update).
///
/// Ctrl Hub documents `date_time`, `contacted` and `notes` as updatable. The fields set
/// here are changed; [`update`](super::Interactions::update) leaves the rest as they
/// are. Checked when the update is sent.
///
/// ```
/// let update = ctrlhub::InteractionChanges::new()
///     .contacted(true)
///     .notes("Reached on the second attempt");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use = "changes do nothing until passed to `update`"]
pub struct InteractionChanges {
    attributes: types::InteractionUpdateAttributes,
}

impl InteractionChanges {
    /// Changes that change nothing yet.
    pub fn new() -> Self {
        Self::default()
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

    /// Free text about the interaction (replaces the current notes).
    pub fn notes(mut self, notes: impl Into<String>) -> Self {
        self.attributes.notes = Some(notes.into());
        self
    }
}

impl Changes for InteractionChanges {
    type Resource = Interaction;
    type Document = types::InteractionUpdateDocument;

    fn sets_nothing(&self) -> bool {
        self.attributes == types::InteractionUpdateAttributes::default()
    }

    fn check(&self) -> Result<(), Error> {
        crate::checks::check_notes(self.attributes.notes.as_deref())
    }

    fn over(self, current: types::InteractionResource) -> Self {
        let (changed, current) = (self.attributes, current.attributes.unwrap_or_default());
        InteractionChanges {
            attributes: types::InteractionUpdateAttributes {
                date_time: changed.date_time.or(current.date_time),
                contacted: changed.contacted.or(current.contacted),
                notes: changed.notes.or(current.notes),
                extra: current.extra,
            },
        }
    }

    fn unnamed(&mut self) -> &mut Object {
        &mut self.attributes.extra
    }

    fn into_document(self, id: Uuid) -> types::InteractionUpdateDocument {
        types::InteractionUpdateDocument {
            data: types::InteractionUpdateResource {
                id,
                type_: types::InteractionUpdateResourceType::CustomerInteractions,
                attributes: self.attributes,
            },
        }
    }
}
