//! The rubric library: the shipped presets and the versions edited in the product.
//!
//! Rubrics are policy, like schemes: reading needs `SchemeRead`, saving `SchemeManage`. A
//! key names a rubric; presets are read-only files, editing one stores version 1 of its
//! key (recording the preset), and every later edit stores the next version. Rows are
//! never changed, so a sheet judged with a version can always be re-scored with it.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::Serialize;
use skillcert_domain::access::Permission;
use skillcert_domain::exam::skills::Skill;
use skillcert_domain::practical::rubric::{
    self as domain, Rubric, RubricErrorKind, RubricErrors, SheetErrors, SheetMarks, SheetScore,
};
use skillcert_store::rubrics::{self as store, NewRubric, StoredRubric};
use skillcert_store::{Conn, StoreError};

use crate::audit::{self, Author};
use crate::schemes::{Origin, with_version};
use crate::{Actor, App, AppError, AppResult, Problem};

/// One version of a rubric, parsed.
#[derive(Debug, Clone)]
pub struct RubricVersion {
    pub key: String,
    /// The stored version number, or the preset's own `version`.
    pub version: u32,
    /// The TOML source.
    pub document: String,
    pub rubric: Rubric,
    pub origin: Origin,
    /// Set for stored versions.
    pub stored: Option<StoredRubric>,
}

/// A line of a version history.
#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    pub origin: Origin,
    pub version: u32,
    /// `preset` or the version number, as URLs carry it.
    pub param: String,
    pub created_at: Option<DateTime<Utc>>,
    pub created_by: Option<i64>,
}

/// One row of the library: a key at its latest version.
#[derive(Debug, Clone)]
pub struct Summary {
    pub latest: RubricVersion,
    /// Number of stored versions of the key.
    pub stored_versions: usize,
    pub has_preset: bool,
}

/// A rubric with its history and the skills its items name, for the detail page.
#[derive(Debug, Clone)]
pub struct Detail {
    pub current: RubricVersion,
    /// Newest first; the preset, when the key has one, comes last.
    pub versions: Vec<VersionInfo>,
    /// The competency skills (code and names) the items are tagged with.
    pub skills: Vec<Skill>,
}

/// Which version of a key is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pick {
    /// The latest stored version, or the preset when nothing is stored.
    #[default]
    Latest,
    Preset,
    /// A stored version; the preset when nothing is stored under that number and the
    /// preset carries it (events created before the first edit refer to the preset so).
    Version(u32),
}

impl Pick {
    /// `""`/`latest`, `preset` or a version number; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Pick> {
        match raw.trim() {
            "" | "latest" => Some(Pick::Latest),
            "preset" => Some(Pick::Preset),
            n => n.parse::<u32>().ok().filter(|v| *v >= 1).map(Pick::Version),
        }
    }
}

/// Problem codes of a refused document: the domain code prefixed with `rubric-`, so they
/// cannot collide with other areas' codes in the translation files.
pub fn document_problems(errors: &RubricErrors) -> Vec<Problem> {
    errors
        .0
        .iter()
        .map(|e| Problem::new(e.field.clone(), problem_code(&e.kind)))
        .collect()
}

/// Every code [`document_problems`] can produce, for completeness tests.
pub const DOCUMENT_PROBLEM_CODES: [&str; 23] = [
    "rubric-syntax",
    "rubric-required",
    "rubric-too-long",
    "rubric-too-short",
    "rubric-bad-characters",
    "rubric-bad-key",
    "rubric-version-zero",
    "rubric-no-sections",
    "rubric-no-items",
    "rubric-duplicate-section",
    "rubric-duplicate-item",
    "rubric-duplicate-text",
    "rubric-item-max-zero",
    "rubric-section-max-mismatch",
    "rubric-no-bands",
    "rubric-band-inverted",
    "rubric-band-out-of-range",
    "rubric-bands-overlap",
    "rubric-max-not-reached",
    "rubric-fail-below-out-of-range",
    "rubric-cap-missing",
    "rubric-cap-not-allowed",
    "rubric-cap-too-high",
];

/// Codes the service adds to the domain's: a document naming another key, an unknown skill.
pub const SERVICE_PROBLEM_CODES: [&str; 2] = ["rubric-key-mismatch", "rubric-unknown-skill"];

/// Every code of a refused sheet (see [`SheetErrors`]).
pub const SHEET_PROBLEM_CODES: [&str; 7] = [
    "sheet-missing-item",
    "sheet-unknown-item",
    "sheet-value-not-allowed",
    "sheet-na-not-allowed",
    "sheet-text-required",
    "sheet-text-too-long",
    "sheet-unknown-text",
];

fn problem_code(kind: &RubricErrorKind) -> &'static str {
    let code = kind.code();
    DOCUMENT_PROBLEM_CODES
        .iter()
        .find(|c| c.strip_prefix("rubric-") == Some(code))
        .copied()
        .unwrap_or("rubric-syntax")
}

/// A refused sheet as problems; the detail ("allowed: 0, 2") is English and left out.
pub fn sheet_problems(errors: &SheetErrors) -> Vec<Problem> {
    errors
        .0
        .iter()
        .map(|e| Problem::new(e.field.clone(), e.code))
        .collect()
}

fn from_preset(key: &str) -> Option<RubricVersion> {
    let document = domain::preset(key)?;
    let rubric = Rubric::parse_toml(document).ok()?;
    Some(RubricVersion {
        key: key.to_string(),
        version: rubric.version(),
        document: document.to_string(),
        rubric,
        origin: Origin::Preset,
        stored: None,
    })
}

/// Parses a stored row; the stored version number is authoritative.
fn from_stored(row: StoredRubric) -> AppResult<RubricVersion> {
    let rubric = Rubric::parse_toml(&row.document)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored rubric {}: {e}", row.id)))?;
    let version = u32::try_from(row.version)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("stored rubric {}: version", row.id)))?;
    Ok(RubricVersion {
        key: row.key.clone(),
        version,
        document: row.document.clone(),
        rubric,
        origin: Origin::Stored,
        stored: Some(row),
    })
}

async fn load(c: &mut Conn<'_>, key: &str, pick: Pick) -> AppResult<RubricVersion> {
    let wanted = match pick {
        Pick::Preset => return from_preset(key).ok_or(AppError::NotFound),
        Pick::Latest => None,
        Pick::Version(v) => Some(i32::try_from(v).map_err(|_| AppError::NotFound)?),
    };
    match store::get_version(c, key, wanted).await {
        Ok(row) => from_stored(row),
        Err(StoreError::NotFound) => from_preset(key)
            .filter(|p| wanted.is_none() || pick == Pick::Version(p.version))
            .ok_or(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// The version of `key` a caller asked for: `None` = the latest stored version, else the
/// preset. No permission check: the caller (an assessment event, a sheet) has made it.
pub async fn resolve(app: &App, key: &str, version: Option<u32>) -> AppResult<RubricVersion> {
    let mut r = app.db.read().await?;
    let pick = version.map_or(Pick::Latest, Pick::Version);
    load(&mut r.conn(), key, pick).await
}

/// Every key at its latest version: the presets (or their stored edits), then the other
/// stored keys, by key.
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<Summary>> {
    actor.require(Permission::SchemeRead)?;
    let mut r = app.db.read().await?;
    let latest = store::list_latest(&mut r.conn()).await?;
    let mut out = Vec::new();
    for (key, _) in domain::PRESETS {
        let row = latest.iter().find(|s| s.key == key).cloned();
        let stored_versions = row
            .as_ref()
            .map_or(0, |s| usize::try_from(s.version).unwrap_or(0));
        let latest = match row {
            Some(row) => from_stored(row)?,
            None => from_preset(key).ok_or(AppError::NotFound)?,
        };
        out.push(Summary {
            latest,
            stored_versions,
            has_preset: true,
        });
    }
    for row in latest {
        if domain::preset(&row.key).is_some() {
            continue;
        }
        let stored_versions = usize::try_from(row.version).unwrap_or(0);
        out.push(Summary {
            latest: from_stored(row)?,
            stored_versions,
            has_preset: false,
        });
    }
    Ok(out)
}

/// One version of a key (the latest by default) with the key's history.
pub async fn get(app: &App, actor: &Actor, key: &str, pick: Pick) -> AppResult<Detail> {
    actor.require(Permission::SchemeRead)?;
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let current = load(&mut c, key, pick).await?;
    let mut versions: Vec<VersionInfo> = store::list_versions(&mut c, key)
        .await?
        .into_iter()
        .map(|s| VersionInfo {
            origin: Origin::Stored,
            version: u32::try_from(s.version).unwrap_or(0),
            param: s.version.to_string(),
            created_at: Some(s.created_at),
            created_by: s.created_by,
        })
        .collect();
    if let Some(p) = from_preset(key) {
        versions.push(VersionInfo {
            origin: Origin::Preset,
            version: p.version,
            param: "preset".into(),
            created_at: None,
            created_by: None,
        });
    }
    let used: HashSet<&str> = current
        .rubric
        .items()
        .filter_map(|it| it.skill.as_deref())
        .collect();
    let skills = skillcert_store::questions::skills(&mut c)
        .await?
        .into_iter()
        .filter(|s| used.contains(s.code.as_str()))
        .collect();
    Ok(Detail {
        current,
        versions,
        skills,
    })
}

/// Stores `document` as the next version of `key`.
///
/// The document must validate, name `key`, and tag items only with known skills; every
/// problem comes back with its field path and nothing is stored. The `version` line is
/// rewritten to the number stored, so the text always states its own version.
pub async fn save_version(
    app: &App,
    actor: &Actor,
    key: &str,
    document: &str,
) -> AppResult<StoredRubric> {
    actor.require(Permission::SchemeManage)?;
    let parsed =
        Rubric::parse_toml(document).map_err(|e| AppError::Rejected(document_problems(&e)))?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut problems = Vec::new();
    if parsed.key() != key {
        problems.push(Problem::new("key", "rubric-key-mismatch"));
    }
    let known: HashSet<String> = skillcert_store::questions::skills(&mut c)
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect();
    for (i, s) in parsed.sections().iter().enumerate() {
        for (j, it) in s.items.iter().enumerate() {
            if it.skill.as_ref().is_some_and(|k| !known.contains(k)) {
                problems.push(Problem::new(
                    format!("sections[{}].items[{}].skill", i + 1, j + 1),
                    "rubric-unknown-skill",
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Rejected(problems));
    }
    let next = store::max_version(&mut c, key).await?.unwrap_or(0) + 1;
    let text = with_version(document, u32::try_from(next).unwrap_or(1));
    // The rewritten text must still be a valid rubric (it differs in one line only).
    Rubric::parse_toml(&text).map_err(|e| AppError::Rejected(document_problems(&e)))?;
    let preset = if next == 1 {
        domain::preset(key).map(|_| key.to_string())
    } else {
        store::get_version(&mut c, key, Some(next - 1))
            .await?
            .preset
    };
    let row = store::insert(
        &mut c,
        &NewRubric {
            key,
            version: next,
            document: &text,
            preset: preset.as_deref(),
            created_by: Some(actor.user_id),
        },
        app.now(),
    )
    .await?;
    audit::created(app, &mut c, &Author::from(actor), "rubric", row.id, &row).await?;
    tx.commit().await?;
    Ok(row)
}

/// Scores one sheet under a version of a key; nothing is written. A refused sheet lists
/// every problem.
pub async fn score(
    app: &App,
    actor: &Actor,
    key: &str,
    pick: Pick,
    marks: &SheetMarks,
) -> AppResult<(RubricVersion, SheetScore)> {
    actor.require(Permission::SchemeRead)?;
    let mut r = app.db.read().await?;
    let v = load(&mut r.conn(), key, pick).await?;
    let s = v
        .rubric
        .score_sheet(marks)
        .map_err(|e| AppError::Rejected(sheet_problems(&e)))?;
    Ok((v, s))
}
