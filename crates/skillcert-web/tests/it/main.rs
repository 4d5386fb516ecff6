//! The web application end to end, in-process: pages and the JSON API over a fresh database
//! with the demo loaded. A subset also runs on PostgreSQL when `SKILLCERT_TEST_PG_URL` is set.

#![allow(clippy::unwrap_used)]

mod audit;
mod auth;
mod employees;
mod exams;
mod helpers;
mod i18n;
mod import;
mod questions;
mod roles;
mod schemes;
mod take;
