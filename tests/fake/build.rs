//! Puts the OpenAPI document the fake reads its rules from into `OUT_DIR`: the one this
//! crate carries, or the copy `CTRLHUB_OPENAPI` names (as the client's build does, so the
//! spec-mutation test builds both from one edited copy).

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-env-changed=CTRLHUB_OPENAPI");
    let spec = std::env::var_os("CTRLHUB_OPENAPI")
        .map_or_else(|| PathBuf::from("openapi/ctrlhub.yaml"), PathBuf::from);
    println!("cargo::rerun-if-changed={}", spec.display());
    let Some(out) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        println!("cargo::error=OUT_DIR is not set: run as a build script");
        return;
    };
    if let Err(e) = std::fs::copy(&spec, out.join("ctrlhub.yaml")) {
        println!("cargo::error=cannot copy {}: {e}", spec.display());
    }
}
