//! Typed httpmock helpers generated from the spec (feature `mock`).
//!
//! `MockServerExt` adds one method per operation to `httpmock::MockServer`, with `When`
//! and `Then` wrappers whose methods take the operation's typed parameters and bodies.
#![allow(
    missing_docs,
    missing_debug_implementations,
    clippy::all,
    clippy::pedantic
)]

include!(concat!(env!("OUT_DIR"), "/mock.rs"));
