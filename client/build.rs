//! Generates the low-level client from the `OpenAPI` document; see `ctrlhub-build-support`.

fn main() {
    ctrlhub_build_support::build_script("openapi/ctrlhub.yaml");
}
