//! Integration suites of the `ctrlhub` crate, in one test binary to keep linking cheap.

mod answer_limit;
mod common;
mod corporate_network;
mod create_contract;
mod create_errors;
mod create_many;
mod every_operation;
mod fake_answers;
mod fake_checks;
mod fake_end_to_end;
mod fake_neighbours;
mod generic_path;
mod get_include;
mod interaction_mocks;
mod list_paging;
mod list_query;
mod neighbours_contract;
mod resilience;
mod seed_fixtures;
mod settle;
mod unnamed_fields;
mod update_and_relink;
mod update_semantics;
mod waits;
