//! Storage for skillcert: SQLite (the embedded default) or PostgreSQL, chosen at run time.
//!
//! Each query is written once, inside [`on!`], and compiled for both backends; where the SQL
//! really differs there is an explicit `match` on [`Conn`]. Nothing outside this crate sees SQL.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod db;
mod error;

pub mod audit;
pub mod certification;
pub mod exam_reports;
pub mod exams;
pub mod org;
pub mod papers;
pub mod practical;
pub mod questions;
pub mod rubrics;
pub mod scenarios;
pub mod schemes;
pub mod training;
pub mod training_more;
pub mod training_records;
pub mod users;

pub use db::{Backend, Conn, Db, DbOptions, Reader, Tx};
pub use error::StoreError;

/// One page of a listing, with the total number of matching rows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        if self.total == 0 {
            1
        } else {
            (self.total + self.per_page - 1) / self.per_page
        }
    }
}

/// Sort direction of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dir {
    #[default]
    Asc,
    Desc,
}

impl Dir {
    pub(crate) fn sql(self) -> &'static str {
        match self {
            Dir::Asc => "ASC",
            Dir::Desc => "DESC",
        }
    }
}
