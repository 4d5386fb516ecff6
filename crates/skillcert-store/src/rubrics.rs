//! Scoring rubrics edited in the product: one row per version of a key.
//!
//! Like schemes, the shipped presets are files in `skillcert-domain` and are never stored;
//! a stored row whose `preset` is set started from that preset. Rows are never updated:
//! sheets and results refer to the exact version they were judged with.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::FromRow;

use crate::{Conn, StoreError, on};

/// One stored version of a rubric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct StoredRubric {
    pub id: i64,
    pub key: String,
    pub version: i32,
    /// The TOML source exactly as edited.
    pub document: String,
    /// The preset this key started from, when it did.
    pub preset: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// What a new version is made of; the version number is given by the caller, who reads
/// [`max_version`] in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRubric<'a> {
    pub key: &'a str,
    pub version: i32,
    pub document: &'a str,
    pub preset: Option<&'a str>,
    pub created_by: Option<i64>,
}

macro_rules! cols {
    () => {
        "id, key, version, document, preset, created_by, created_at"
    };
}

pub async fn insert(
    c: &mut Conn<'_>,
    s: &NewRubric<'_>,
    now: DateTime<Utc>,
) -> Result<StoredRubric, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, StoredRubric>(concat!(
        "INSERT INTO rubrics (key, version, document, preset, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
        cols!()
    ))
    .bind(s.key)
    .bind(s.version)
    .bind(s.document)
    .bind(s.preset)
    .bind(s.created_by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn get(c: &mut Conn<'_>, id: i64) -> Result<StoredRubric, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, StoredRubric>(concat!(
        "SELECT ",
        cols!(),
        " FROM rubrics WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *c)
    .await)?)
}

/// One version of a key, or the latest when `version` is `None`.
pub async fn get_version(
    c: &mut Conn<'_>,
    key: &str,
    version: Option<i32>,
) -> Result<StoredRubric, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, StoredRubric>(concat!(
        "SELECT ",
        cols!(),
        " FROM rubrics WHERE key = $1 AND ($2 IS NULL OR version = $2) \
         ORDER BY version DESC LIMIT 1"
    ))
    .bind(key)
    .bind(version)
    .fetch_one(&mut *c)
    .await)?)
}

/// The highest version stored for `key`, `None` when the key is new.
pub async fn max_version(c: &mut Conn<'_>, key: &str) -> Result<Option<i32>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar::<_, Option<i32>>(
        "SELECT MAX(version) FROM rubrics WHERE key = $1"
    )
    .bind(key)
    .fetch_one(&mut *c)
    .await)?)
}

/// The latest version of every stored key, ordered by key.
pub async fn list_latest(c: &mut Conn<'_>) -> Result<Vec<StoredRubric>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, StoredRubric>(concat!(
        "SELECT ",
        cols!(),
        " FROM rubrics s WHERE version = \
         (SELECT MAX(version) FROM rubrics m WHERE m.key = s.key) ORDER BY key"
    ))
    .fetch_all(&mut *c)
    .await)?)
}

/// Every version of one key, newest first.
pub async fn list_versions(c: &mut Conn<'_>, key: &str) -> Result<Vec<StoredRubric>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, StoredRubric>(concat!(
        "SELECT ",
        cols!(),
        " FROM rubrics WHERE key = $1 ORDER BY version DESC"
    ))
    .bind(key)
    .fetch_all(&mut *c)
    .await)?)
}
