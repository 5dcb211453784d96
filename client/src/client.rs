//! The [`Client`] users hold: the resource handles, and the generic path that any
//! operation of the generated client can go through.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use progenitor_client::{ClientInfo, ResponseValue};
use uuid::Uuid;

use crate::builder::ClientBuilder;
use crate::call::{Call, RawResult};
use crate::contacts::Contacts;
use crate::customer_accounts::CustomerAccounts;
use crate::error::Error;
use crate::generated;
use crate::interactions::Interactions;
use crate::members::Members;
use crate::pages::{ListDocument, ListStream, stream_pages};
use crate::query::UsedOptions;

/// A client for one Ctrl Hub organisation.
///
/// Cheap to clone; clones share the connection pool and credentials.
///
/// ```no_run
/// # async fn demo() -> Result<(), ctrlhub::Error> {
/// let client = ctrlhub::Client::builder()
///     .organisation_id("3c90c3cc-0d44-4b50-8888-8dd25736052a")
///     .session_token("my-session-token")
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    /// Shared, so a clone (each typed request owns one) copies no base URL.
    pub(crate) raw: Arc<generated::Client>,
    pub(crate) organisation_id: Uuid,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.raw.baseurl())
            .field("organisation_id", &self.organisation_id)
            .field("transport", self.raw.inner())
            .finish()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment variables listed in
    /// [`EnvVar`](crate::EnvVar): the organisation, and either a session token or a
    /// service-account key, with optional base and token URLs.
    ///
    /// A missing or malformed variable is an [`Error::InvalidInput`] naming it; so is
    /// setting both kinds of credentials.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), ctrlhub::Error> {
    /// let client = ctrlhub::Client::from_env()?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the variable that is missing or malformed, or
    /// saying that both kinds of credentials are set.
    pub fn from_env() -> Result<Client, Error> {
        crate::env::from_lookup(|name| std::env::var(name))
    }

    /// Customer interactions: letters, emails, calls and text messages with customers.
    #[must_use]
    pub fn interactions(&self) -> Interactions<'_> {
        Interactions::new(self)
    }

    /// Contacts: the people at a customer an interaction is with.
    #[must_use]
    pub fn contacts(&self) -> Contacts<'_> {
        Contacts::new(self)
    }

    /// Customer accounts: the contacts and properties of one customer.
    #[must_use]
    pub fn customer_accounts(&self) -> CustomerAccounts<'_> {
        CustomerAccounts::new(self)
    }

    /// The organisation's members (users), such as an interaction's representative.
    #[must_use]
    pub fn members(&self) -> Members<'_> {
        Members::new(self)
    }

    /// The organisation this client works for.
    #[must_use]
    pub fn organisation_id(&self) -> Uuid {
        self.organisation_id
    }

    /// The latest `Date` header Ctrl Hub sent on an answer to this client or one of its
    /// clones, if any answer had one: a lower bound of Ctrl Hub's clock now, to compare
    /// with the times Ctrl Hub gives its resources (`created_at`) where the local clock
    /// may be off. Whole seconds, as HTTP dates are.
    #[must_use]
    pub fn latest_server_date(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.raw.inner().shared.latest_date()
    }

    /// The base URL requests go to, without a trailing slash.
    #[must_use]
    pub fn base_url(&self) -> &str {
        self.raw.baseurl()
    }

    /// The low-level client generated from the OpenAPI document. It shares this client's
    /// credentials, retries and tracing, but its errors are progenitor's: send its
    /// operations through [`call`](Client::call) to get an [`Error`] instead.
    #[must_use]
    pub fn raw(&self) -> &generated::Client {
        &self.raw
    }

    /// Sends one operation of the [generated client](crate::generated), for anything the
    /// typed API does not wrap (yet), and returns its answer or this crate's [`Error`].
    ///
    /// `operation` gets a low-level client for this one call and sends one operation with
    /// it. The call then gets what typed calls get: credentials, retries, tracing, and an
    /// [`Error`] with the status, Ctrl Hub's error document, `X-Trace-Id` and
    /// `Retry-After`. Whether a failure leaves the outcome unknown
    /// ([`Error::is_outcome_unknown`]) is decided from the method the request was sent
    /// with: a `POST` is never repeated once it may have reached Ctrl Hub.
    ///
    /// Send exactly one operation, with the client `operation` is given (not with
    /// [`raw`](Client::raw), whose answers this call would not see).
    ///
    /// ```no_run
    /// # async fn demo(client: ctrlhub::Client, id: uuid::Uuid) -> Result<(), ctrlhub::Error> {
    /// let org = client.organisation_id();
    /// let answer = client
    ///     .call(|raw| async move {
    ///         raw.get_customer_interaction()
    ///             .org_id(org)
    ///             .customer_interaction_id(id)
    ///             .send()
    ///             .await
    ///     })
    ///     .await?;
    /// println!("{:?}", answer.headers().get("x-trace-id"));
    /// let document = answer.into_inner();
    /// println!("{:?}", document.data.attributes);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`]: Ctrl Hub's error document ([`Error::Api`]), an answer that could not
    /// be read ([`Error::Decode`]), a transport failure ([`Error::Transport`], which says
    /// whether the request may have been processed), or credentials that could not be had
    /// ([`Error::Auth`]).
    pub async fn call<T, F, Fut>(&self, operation: F) -> Result<ResponseValue<T>, Error>
    where
        F: FnOnce(generated::Client) -> Fut,
        Fut: Future<Output = RawResult<T>>,
    {
        let (call, raw) = Call::start(&self.raw);
        // The operation's result is not kept across the await of `fail`, so this future
        // makes no room for it.
        let error = match operation(raw).await {
            Ok(answer) => return Ok(answer),
            Err(error) => error,
        };
        Err(call.fail(error).await)
    }

    /// Every item of a list operation of the [generated client](crate::generated), page
    /// after page, as a [`ListStream`]: for any operation whose answer carries Ctrl Hub's
    /// `meta.pagination` (its document implements [`ListDocument`]).
    ///
    /// `list` sends one page's request with the client and the offset it is given
    /// (0 for the first page, then each page's `offsets.next`, or predicted offsets: the
    /// next page is requested while the current one is read, see [`ListStream`]), as
    /// through [`call`](Client::call). The stream owns a clone of this client and `list`,
    /// so it is `'static` and `Send`.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    ///
    /// # async fn demo(client: ctrlhub::Client) -> Result<(), ctrlhub::Error> {
    /// let org = client.organisation_id();
    /// let mut emails = client.paginate(move |raw, offset| async move {
    ///     raw.list_customer_interactions()
    ///         .org_id(org)
    ///         .limit(100u32)
    ///         .offset(offset)
    ///         .send()
    ///         .await
    /// });
    /// while let Some(resource) = emails.next().await {
    ///     println!("{}", resource?.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn paginate<D, F, Fut>(&self, mut list: F) -> ListStream<D::Item>
    where
        D: ListDocument + Send + 'static,
        D::Item: Send + 'static,
        F: FnMut(generated::Client, u64) -> Fut + Send + 'static,
        Fut: Future<Output = RawResult<D>> + Send + 'static,
    {
        self.list_stream(
            None,
            crate::list::DEFAULT_PAGES_IN_FLIGHT,
            None,
            move |raw, offset| list(raw, offset.unwrap_or(0)),
            |item| item,
        )
    }

    /// The stream of every item of a list from `start` (`None`: the server's default),
    /// each converted by `item`: the path of [`paginate`](Client::paginate) and of the
    /// typed lists.
    pub(crate) fn list_stream<D, T, F, Fut>(
        &self,
        start: Option<u64>,
        ahead: usize,
        check: Option<UsedOptions>,
        mut list: F,
        item: fn(D::Item) -> T,
    ) -> ListStream<T>
    where
        D: ListDocument + Send + 'static,
        T: Send + 'static,
        F: FnMut(generated::Client, Option<u64>) -> Fut + Send + 'static,
        Fut: Future<Output = RawResult<D>> + Send + 'static,
    {
        let client = self.clone();
        stream_pages(start, ahead, move |offset| {
            let (call, raw) = Call::start(&client.raw);
            let request = list(raw, offset);
            let check = check.clone();
            async move {
                let error = match request.await {
                    Ok(answer) => {
                        let page = answer.into_inner().into_page();
                        if let Some(used) = check {
                            used.check(&page.features)?;
                        }
                        return Ok(page.map(item));
                    }
                    Err(error) => error,
                };
                Err(call.fail(error).await)
            }
        })
    }
}
