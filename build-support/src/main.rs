//! Prints the Rust source generated from the Ctrl Hub OpenAPI document, so that a person
//! can read what `client/build.rs` produces.
//!
//! Usage: `cargo run -p ctrlhub-build-support -- [SPEC] [--mock]`
//! (SPEC defaults to `openapi/ctrlhub.yaml` at the workspace root).
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut spec = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/ctrlhub.yaml"));
    let mut mock = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--mock" => mock = true,
            "-h" | "--help" => {
                println!("usage: ctrlhub-codegen [SPEC] [--mock]");
                return ExitCode::SUCCESS;
            }
            _ => spec = PathBuf::from(arg),
        }
    }
    match ctrlhub_build_support::generate(&spec, "crate::generated") {
        Ok(generated) => {
            for operation in &generated.bodyless_successes {
                eprintln!("note: {operation}: its success answers are read without a body");
            }
            print!(
                "{}",
                if mock {
                    generated.mock
                } else {
                    generated.client
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
