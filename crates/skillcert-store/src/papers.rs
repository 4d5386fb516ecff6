//! Papers: a title and a [`PaperSpec`] stored as JSON.

use chrono::{DateTime, Utc};
use serde::Serialize;
use skillcert_domain::exam::paper::PaperSpec;
use sqlx::FromRow;

use crate::{Conn, StoreError, on};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paper {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub spec: PaperSpec,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct PaperRecord {
    id: i64,
    code: String,
    title: String,
    spec: String,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl PaperRecord {
    fn decode(self) -> Result<Paper, StoreError> {
        Ok(Paper {
            spec: serde_json::from_str(&self.spec)
                .map_err(|e| StoreError::Corrupt(format!("paper {}: {e}", self.id)))?,
            id: self.id,
            code: self.code,
            title: self.title,
            archived: self.archived,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

macro_rules! paper_cols {
    () => {
        "id, code, title, spec, archived, created_at, updated_at"
    };
}

fn encode(spec: &PaperSpec) -> Result<String, StoreError> {
    serde_json::to_string(spec).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub async fn insert(
    c: &mut Conn<'_>,
    code: &str,
    title: &str,
    spec: &PaperSpec,
    now: DateTime<Utc>,
) -> Result<Paper, StoreError> {
    let spec = encode(spec)?;
    let r: PaperRecord = on!(c, |c| sqlx::query_as(concat!(
        "INSERT INTO papers (code, title, spec, archived, created_at, updated_at) \
         VALUES ($1, $2, $3, FALSE, $4, $4) RETURNING ",
        paper_cols!()
    ))
    .bind(code)
    .bind(title)
    .bind(&spec)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?;
    r.decode()
}

pub async fn update(
    c: &mut Conn<'_>,
    id: i64,
    title: &str,
    spec: &PaperSpec,
    archived: bool,
    now: DateTime<Utc>,
) -> Result<Paper, StoreError> {
    let spec = encode(spec)?;
    let r: PaperRecord = on!(c, |c| sqlx::query_as(concat!(
        "UPDATE papers SET title = $2, spec = $3, archived = $4, updated_at = $5 WHERE id = $1 \
         RETURNING ",
        paper_cols!()
    ))
    .bind(id)
    .bind(title)
    .bind(&spec)
    .bind(archived)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?;
    r.decode()
}

pub async fn get(c: &mut Conn<'_>, id: i64) -> Result<Paper, StoreError> {
    let r: PaperRecord = on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        paper_cols!(),
        " FROM papers WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *c)
    .await)?;
    r.decode()
}

/// Every paper, newest first (a bank holds tens of papers, not thousands).
pub async fn list(c: &mut Conn<'_>, include_archived: bool) -> Result<Vec<Paper>, StoreError> {
    let rs: Vec<PaperRecord> = on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        paper_cols!(),
        " FROM papers WHERE ($1 OR NOT archived) ORDER BY updated_at DESC, id DESC"
    ))
    .bind(include_archived)
    .fetch_all(&mut *c)
    .await)?;
    rs.into_iter().map(PaperRecord::decode).collect()
}

pub async fn get_by_code(c: &mut Conn<'_>, code: &str) -> Result<Paper, StoreError> {
    let r: PaperRecord = on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        paper_cols!(),
        " FROM papers WHERE code = $1"
    ))
    .bind(code)
    .fetch_one(&mut *c)
    .await)?;
    r.decode()
}
