//! Listing interactions: one page, or every page as a stream.

use super::Interaction;
use super::get::Related;
use crate::call::RawResult;
use crate::client::Client;
use crate::error::Error;
use crate::generated::{self, types};
use crate::pages::{ListDocument, ListStream, Page, failed_stream};
use crate::query::{ListParams, ListQuery, list_settings};

/// Every interaction of a list, page after page; from [`ListInteractions::stream`].
pub type InteractionStream = ListStream<Interaction>;

/// Lists interactions; from [`Interactions::list`](super::Interactions::list).
///
/// Settings are checked when a page is requested; a bad one is an
/// [`Error::InvalidInput`] naming it, and nothing is sent.
#[derive(Debug, Clone)]
#[must_use = "nothing is fetched until `page` or `stream` is used"]
pub struct ListInteractions<'a> {
    client: &'a Client,
    query: ListQuery,
}

impl<'a> ListInteractions<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        ListInteractions {
            client,
            query: ListQuery::default(),
        }
    }

    list_settings!("interactions");

    /// Includes these related resources in each page ([`Page::included`]).
    pub fn include(mut self, related: impl IntoIterator<Item = Related>) -> Self {
        self.query.include(related.into_iter().map(Related::as_str));
        self
    }

    /// Fetches one page, starting at [`offset`](ListInteractions::offset).
    pub async fn page(&self) -> Result<Page<Interaction>, Error> {
        let params = self.query.params()?;
        let (org, offset) = (self.client.organisation_id, self.query.offset);
        let answer = self
            .client
            .call(|raw| request(raw, org, params, offset))
            .await?;
        Ok(answer
            .into_inner()
            .into_page()
            .map(Interaction::from_resource))
    }

    /// Every interaction, page after page, fetched lazily as the stream is polled; see
    /// [`ListStream`] for its guarantees. It owns a clone of the client, so it can be
    /// stored or moved to another task.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    ///
    /// # async fn demo(client: ctrlhub::Client) -> Result<(), ctrlhub::Error> {
    /// let mut all = client.interactions().list().limit(100).stream();
    /// let task = tokio::spawn(async move {
    ///     let mut count = 0;
    ///     while let Some(interaction) = all.next().await {
    ///         interaction?;
    ///         count += 1;
    ///     }
    ///     Ok::<_, ctrlhub::Error>(count)
    /// });
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> InteractionStream {
        let params = match self.query.params() {
            Ok(params) => params,
            Err(error) => return failed_stream(error),
        };
        let org = self.client.organisation_id;
        self.client.list_stream(
            self.query.offset,
            move |raw, offset| request(raw, org, params.clone(), offset),
            Interaction::from_resource,
        )
    }
}

async fn request(
    raw: generated::Client,
    org: uuid::Uuid,
    params: ListParams,
    offset: Option<u64>,
) -> RawResult<types::InteractionListDocument> {
    let mut request = raw.list_customer_interactions().org_id(org);
    if let Some(limit) = params.limit {
        request = request.limit(limit);
    }
    if let Some(offset) = offset {
        request = request.offset(offset);
    }
    if let Some(filter) = params.filter {
        request = request.filter(filter);
    }
    if let Some(sort) = params.sort {
        request = request.sort(sort);
    }
    if let Some(include) = params.include {
        request = request.include(include);
    }
    request.send().await
}
