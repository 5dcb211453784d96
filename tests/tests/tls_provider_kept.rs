//! A crypto provider the application installed first is the one a client uses: building
//! a client does not replace it. Its own process: the provider is global.

use std::sync::Arc;

#[test]
fn a_provider_the_process_installed_first_is_kept() {
    rustls::crypto::aws_lc_rs::default_provider()
        .install_default()
        .unwrap();
    let before = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap();
    ctrlhub::Client::builder()
        .organisation_id("9b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b")
        .session_token("t")
        .build()
        .unwrap();
    let after = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap();
    assert!(
        Arc::ptr_eq(&before, &after),
        "the application's provider stays"
    );
}
