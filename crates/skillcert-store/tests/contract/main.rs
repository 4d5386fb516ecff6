//! The storage contract: every test runs against SQLite, and against PostgreSQL too when
//! `SKILLCERT_TEST_PG_URL` names a server (each test then gets a database of its own).

#![allow(clippy::unwrap_used)]

mod audit;
mod certification;
mod db;
mod exams;
mod org;
mod questions;
mod rubrics;
mod scenarios;
mod schema;
mod schemes;
mod support;
mod training;
mod training_more_hours;
mod training_more_needs;
mod training_more_records;
mod training_more_sessions;
mod training_records;
mod users;
