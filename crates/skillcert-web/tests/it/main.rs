//! The web application end to end, in-process: pages and the JSON API over a fresh database
//! with the demo loaded. A subset also runs on PostgreSQL when `SKILLCERT_TEST_PG_URL` is set.

#![allow(clippy::unwrap_used)]

mod appeals;
mod audit;
mod auth;
mod certificates;
mod employees;
mod events;
mod exams;
mod helpers;
mod i18n;
mod import;
mod judging;
mod questions;
mod roles;
mod round_report;
mod rounds;
mod rubrics;
mod scenarios;
mod schemes;
mod take;
mod training_hours;
mod training_needs;
mod training_records;
mod training_sessions;
