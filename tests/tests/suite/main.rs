//! Integration suites of the `ctrlhub` crate, in one test binary to keep linking cheap.

mod answer_limit;
mod common;
mod create_contract;
mod create_errors;
mod create_many;
mod every_operation;
mod fake_checks;
mod fake_end_to_end;
mod fake_neighbours;
mod generic_path;
mod neighbours_contract;
mod read_and_change;
mod resilience;
mod seed_fixtures;
mod update_semantics;
