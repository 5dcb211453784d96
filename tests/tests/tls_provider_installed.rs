//! With no crypto provider installed, building a client installs the one of `ctrlhub`'s
//! enabled feature (default `rustls-ring`). Its own process: the provider is global.

use std::sync::Arc;

#[test]
fn building_a_client_installs_the_features_provider_when_the_process_has_none() {
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    ctrlhub::Client::builder()
        .organisation_id("9b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b")
        .session_token("t")
        .build()
        .unwrap();
    let installed: Arc<rustls::crypto::CryptoProvider> =
        rustls::crypto::CryptoProvider::get_default()
            .cloned()
            .unwrap();
    let ring = rustls::crypto::ring::default_provider();
    let aws_lc = rustls::crypto::aws_lc_rs::default_provider();
    let suites =
        |p: &rustls::crypto::CryptoProvider| format!("{:?}{:?}", p.cipher_suites, p.kx_groups);
    assert_ne!(
        suites(&ring),
        suites(&aws_lc),
        "the two providers can be told apart"
    );
    assert_eq!(
        suites(&installed),
        suites(&ring),
        "rustls-ring is the default feature"
    );
    // A second client keeps it.
    ctrlhub::Client::builder()
        .organisation_id("9b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b")
        .session_token("t")
        .build()
        .unwrap();
    let again = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap();
    assert!(Arc::ptr_eq(&installed, &again));
}
