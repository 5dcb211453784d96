//! `ctrlhub`: the Ctrl Hub customer API from a shell, on the `ctrlhub` crate.
//!
//! See `ctrlhub --help`, and README.md for the exit codes.
#![forbid(unsafe_code)]

mod args;
mod commands;
mod exit;
mod import;
mod journal;
mod output;
mod records;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;
use crate::exit::Exit;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.verbose {
        commands::trace_to_stderr();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: could not start: {e}");
            return Exit::Local.into();
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(exit) => exit.into(),
        Err(failure) => {
            eprintln!("error: {failure}");
            failure.exit.into()
        }
    }
}
