#![doc = include_str!("../../README.md")]
#![warn(missing_docs)]

mod auth;
mod client;
pub mod error;
pub mod generated;
mod interactions;
pub mod jsonapi;
#[cfg(feature = "mock")]
pub mod mock;
pub mod model;
mod retry;
pub mod transport;

pub use crate::auth::{DEFAULT_TOKEN_URL, SESSION_TOKEN_HEADER, STAGING_TOKEN_URL};
pub use crate::client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
    ENV_AUTH_URL, ENV_BASE_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_ORG_ID, ENV_SESSION_TOKEN,
    IntoId, STAGING_BASE_URL,
};
pub use crate::error::{
    ApiError, AuthError, DecodeError, Error, InputError, Outcome, TransportError,
    TransportErrorKind,
};
pub use crate::interactions::{
    Features, GetInteraction, IncludedResource, Interaction, InteractionDetails, InteractionStream,
    InteractionUpdate, Interactions, ListInteractions, NewInteraction, NewInteractionBuilder, Page,
    Pagination, Related, SortDirection, resource_types,
};
pub use crate::model::{InteractionDirection, InteractionMethod, InteractionStatus};
pub use crate::retry::RetryPolicy;
