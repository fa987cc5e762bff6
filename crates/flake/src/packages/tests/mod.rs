//! Tests of the package operations: snapshots of every operation on every
//! layout fixture, the seed article step by step, bad input; every edited
//! file judged by the real Nix evaluator against the stubs.

mod borrowed;
mod errors;
mod folds;
mod helpers;
mod images;
mod imported;
mod inherited;
mod layouts;
mod merged_systems;
mod seed;
mod shells;
pub(crate) mod support;
mod values;
