//! Listing interactions: one page, or every page as a stream.

use uuid::Uuid;

use super::Interaction;
use super::get::InteractionRelated;
use crate::call::RawResult;
use crate::generated::{self, types};
use crate::list::{List, Listed, with_list_params};
use crate::query::ListParams;

/// Lists interactions; from [`Interactions::list`](super::Interactions::list).
pub type ListInteractions<'a> = List<'a, Interaction>;

impl List<'_, Interaction> {
    /// Includes these related resources in each page ([`Page::included`](crate::Page::included)).
    pub fn include(mut self, related: impl IntoIterator<Item = InteractionRelated>) -> Self {
        self.query
            .include(related.into_iter().map(InteractionRelated::as_str));
        self
    }
}

impl Listed for Interaction {
    type Document = types::InteractionListDocument;

    async fn request(
        raw: generated::Client,
        org: Uuid,
        params: ListParams,
        offset: Option<u64>,
    ) -> RawResult<Self::Document> {
        let request = raw.list_customer_interactions().org_id(org);
        with_list_params!(request, params, offset, include)
            .send()
            .await
    }

    fn from_item(item: types::InteractionResource) -> Self {
        Interaction::from_resource(item)
    }
}
