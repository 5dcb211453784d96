//! Generates the low-level client from the `OpenAPI` document; see `ctrlhub-build-support`.
//!
//! `CTRLHUB_OPENAPI`, when set, names another copy of the document to generate from (the
//! spec-mutation test builds the client, the fake and the CLI from an edited copy with it).

fn main() {
    println!("cargo::rerun-if-env-changed=CTRLHUB_OPENAPI");
    let spec = std::env::var("CTRLHUB_OPENAPI").unwrap_or_else(|_| "openapi/ctrlhub.yaml".into());
    ctrlhub_build_support::build_script(&spec);
}
