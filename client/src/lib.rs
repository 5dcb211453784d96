#![doc = include_str!("lib.md")]
#![warn(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// As the anchors lint: each pedantic lint is met or allowed where it stands, with the reason
// (the generated module and the unit tests are exempt).
#![cfg_attr(not(test), warn(clippy::pedantic))]

mod auth;
mod builder;
mod call;
mod checks;
mod client;
mod contacts;
mod customer_accounts;
mod env;
mod error;
mod fields;
pub mod generated;
mod hooks;
mod id;
mod included;
mod interactions;
pub mod jsonapi;
mod list;
mod members;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;
mod model;
mod network;
mod pages;
mod query;
mod request;
mod resource;
mod retry;
mod tls;
mod transport;
mod waits;

pub use crate::builder::{ClientBuilder, Endpoints};
pub use crate::client::Client;
pub use crate::contacts::{
    Contact, ContactChanges, ContactDetails, ContactRelated, Contacts, ListContacts,
};
pub use crate::customer_accounts::{CustomerAccount, CustomerAccounts, NewCustomerAccount};
pub use crate::env::EnvVar;
pub use crate::error::{
    ApiError, AuthError, DecodeError, Error, InputError, Outcome, TransportCause, TransportError,
    TransportErrorKind, UnsupportedOption,
};
pub use crate::fields::ResourceFields;
pub use crate::id::IntoId;
pub use crate::included::IncludedResource;
pub use crate::interactions::{
    CreateMany, CreateManyReport, Created, CreatedStream, Interaction, InteractionChanges,
    InteractionDetails, InteractionRelated, Interactions, KnownCreate, ListInteractions,
    NewInteraction, Settle, Settled, UnknownCreate, Unsettled,
};
pub use crate::list::{List, Listed};
pub use crate::members::{ListMembers, Member, MemberProfile, Members};
pub use crate::model::{
    ContactAssociation, ContactSalutation, InteractionDirection, InteractionMethod,
    InteractionStatus, UnknownValue,
};
pub use crate::pages::{Features, InvalidItem, ListDocument, ListStream, Page, Pagination};
pub use crate::query::SortDirection;
pub use crate::request::Request;
pub use crate::resource::{
    Changes, Details, Fetch, Get, GetIncluding, Includes, NewResource, Relationship, Resources,
    TypedResource,
};
pub use crate::retry::RetryPolicy;
pub use crate::waits::{RetryCause, Wait, WaitReason};
pub use progenitor_client::ResponseValue;
/// The HTTP status of an answer ([`ApiError::status`], [`Error::status`]), as `reqwest`
/// (and `http`) name it.
pub use reqwest::StatusCode;

/// The date and time crate of this API's times (`DateTime<Utc>`), so that a user need
/// not depend on a matching version of it.
pub use chrono;
/// The UUID crate of this API's ids (`Uuid`), so that a user need not depend on a
/// matching version of it.
pub use uuid;

/// The README's examples, compiled as doctests (the crate docs above are `src/lib.md`).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
