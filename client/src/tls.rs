//! The TLS crypto provider a client's connections use.
//!
//! reqwest is built without a provider of its own choosing (`rustls-no-provider`), and
//! asks rustls for the process's default when a client is built. The rule:
//!
//! 1. a provider the process already installed (by the application, or another library)
//!    is used as it is;
//! 2. otherwise this crate installs the provider of its enabled feature: `rustls-aws-lc`
//!    if it is on (with both on, since Cargo features add up, aws-lc-rs wins), else
//!    `rustls-ring`;
//! 3. with neither feature and no provider installed, building a client is an
//!    [`Error::InvalidInput`] naming `tls`, not a panic.
//!
//! reqwest still builds the TLS configuration from that provider, so its root-certificate
//! settings (the operating system's trust store) apply unchanged.

use crate::error::Error;

/// Makes sure the process has a default crypto provider (see the module docs).
pub(crate) fn ensure_provider() -> Result<(), Error> {
    if rustls::crypto::CryptoProvider::get_default().is_some() {
        return Ok(());
    }
    install()
}

#[cfg(feature = "rustls-aws-lc")]
#[allow(
    clippy::unnecessary_wraps,
    reason = "one signature for every feature: without a provider feature it fails"
)]
fn install() -> Result<(), Error> {
    // An `Err` means another thread installed one first: that one is the default now.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    Ok(())
}

#[cfg(all(feature = "rustls-ring", not(feature = "rustls-aws-lc")))]
#[allow(
    clippy::unnecessary_wraps,
    reason = "one signature for every feature: without a provider feature it fails"
)]
fn install() -> Result<(), Error> {
    // An `Err` means another thread installed one first: that one is the default now.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(())
}

#[cfg(not(any(feature = "rustls-ring", feature = "rustls-aws-lc")))]
fn install() -> Result<(), Error> {
    Err(Error::invalid_input(
        "tls",
        "no TLS crypto provider: enable the `rustls-ring` (default) or `rustls-aws-lc` \
         feature of ctrlhub, or install a rustls CryptoProvider before building a client",
    ))
}
