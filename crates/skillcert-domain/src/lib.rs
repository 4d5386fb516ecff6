//! The pure rules of skillcert.
//!
//! Nothing in this crate performs I/O, awaits, or knows about SQL or HTTP: it holds the types
//! that make illegal states unrepresentable and the rules that every front end shares.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod access;
pub mod audit;
pub mod certification;
pub mod demo;
pub mod exam;
pub mod org;
pub mod practical;
pub mod scheme;
pub mod text;
pub mod training;
