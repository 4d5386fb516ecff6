//! The scenario library: one row per card (its current version denormalised for listing),
//! immutable versions as JSON of the domain [`Scenario`], and skill tags.

use chrono::{DateTime, Utc};
use serde::Serialize;
use skillcert_domain::practical::scenario::{Scenario, ScenarioKind};
use sqlx::{FromRow, QueryBuilder};

use crate::org::escape_like;
use crate::{Conn, Dir, Page, StoreError, on};

/// A card as listed: its current version's headline fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ScenarioRow {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub kind: String,
    pub title: String,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One immutable version of a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioVersion {
    pub id: i64,
    pub scenario_id: i64,
    pub version: i32,
    pub scenario: Scenario,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct VersionRecord {
    id: i64,
    scenario_id: i64,
    version: i32,
    content: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
}

impl VersionRecord {
    fn decode(self) -> Result<ScenarioVersion, StoreError> {
        let scenario = serde_json::from_str(&self.content)
            .map_err(|e| StoreError::Corrupt(format!("scenario version {}: {e}", self.id)))?;
        Ok(ScenarioVersion {
            id: self.id,
            scenario_id: self.scenario_id,
            version: self.version,
            scenario,
            created_by: self.created_by,
            created_at: self.created_at,
        })
    }
}

macro_rules! scenario_cols {
    () => {
        "s.id, s.code, s.version, s.kind, s.title, s.archived, s.created_at, s.updated_at"
    };
}

macro_rules! version_cols {
    () => {
        "v.id, v.scenario_id, v.version, v.content, v.created_by, v.created_at"
    };
}

fn search_text(code: &str, s: &Scenario) -> String {
    format!("{code} {}", s.title).to_lowercase()
}

fn encode(s: &Scenario) -> Result<String, StoreError> {
    serde_json::to_string(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The code the next card gets when none is given: `SC` and six digits, not yet taken.
pub async fn next_code(c: &mut Conn<'_>) -> Result<String, StoreError> {
    let max: Option<i64> = on!(c, |c| sqlx::query_scalar("SELECT MAX(id) FROM scenarios")
        .fetch_one(&mut *c)
        .await)?;
    let mut n = max.unwrap_or(0) + 1;
    loop {
        let code = format!("SC{n:06}");
        if !code_exists(c, &code).await? {
            return Ok(code);
        }
        n += 1;
    }
}

/// Whether some card already has `code`.
pub async fn code_exists(c: &mut Conn<'_>, code: &str) -> Result<bool, StoreError> {
    let n: i64 = on!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM scenarios WHERE code = $1"
    )
    .bind(code)
    .fetch_one(&mut *c)
    .await)?;
    Ok(n > 0)
}

async fn insert_version(
    c: &mut Conn<'_>,
    scenario_id: i64,
    version: i32,
    s: &Scenario,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let content = encode(s)?;
    let id: i64 = on!(c, |c| sqlx::query_scalar(
        "INSERT INTO scenario_versions (scenario_id, version, content, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(scenario_id)
    .bind(version)
    .bind(&content)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?;
    // Tags follow the current version, for the list's skill filter.
    on!(c, |c| sqlx::query(
        "DELETE FROM scenario_tags WHERE scenario_id = $1"
    )
    .bind(scenario_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    for skill in &s.skills {
        on!(c, |c| sqlx::query(
            "INSERT INTO scenario_tags (scenario_id, skill_code) VALUES ($1, $2)"
        )
        .bind(scenario_id)
        .bind(skill)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(id)
}

/// Stores a new card as version 1; returns `(scenario id, version id)`.
pub async fn insert(
    c: &mut Conn<'_>,
    code: &str,
    s: &Scenario,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(i64, i64), StoreError> {
    let id: i64 = on!(c, |c| sqlx::query_scalar(
        "INSERT INTO scenarios (code, version, kind, title, search, archived, created_at, \
         updated_at) VALUES ($1, 1, $2, $3, $4, FALSE, $5, $5) RETURNING id"
    )
    .bind(code)
    .bind(s.kind.key())
    .bind(&s.title)
    .bind(search_text(code, s))
    .bind(now)
    .fetch_one(&mut *c)
    .await)?;
    let version_id = insert_version(c, id, 1, s, by, now).await?;
    Ok((id, version_id))
}

/// Stores `s` as the next version of card `id`; earlier versions stay as they were, so events
/// that used them still show what their candidates faced. Returns the updated row.
pub async fn add_version(
    c: &mut Conn<'_>,
    id: i64,
    s: &Scenario,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<ScenarioRow, StoreError> {
    let row = get(c, id).await?;
    let version = row.version + 1;
    on!(c, |c| sqlx::query(
        "UPDATE scenarios SET version = $2, kind = $3, title = $4, search = $5, updated_at = $6 \
         WHERE id = $1"
    )
    .bind(id)
    .bind(version)
    .bind(s.kind.key())
    .bind(&s.title)
    .bind(search_text(&row.code, s))
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    insert_version(c, id, version, s, by, now).await?;
    get(c, id).await
}

/// Archives or restores a card; archived cards are not offered to new events.
pub async fn set_archived(
    c: &mut Conn<'_>,
    id: i64,
    archived: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE scenarios SET archived = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(archived)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn get(c: &mut Conn<'_>, id: i64) -> Result<ScenarioRow, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, ScenarioRow>(concat!(
        "SELECT ",
        scenario_cols!(),
        " FROM scenarios s WHERE s.id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn get_by_code(c: &mut Conn<'_>, code: &str) -> Result<ScenarioRow, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, ScenarioRow>(concat!(
        "SELECT ",
        scenario_cols!(),
        " FROM scenarios s WHERE s.code = $1"
    ))
    .bind(code)
    .fetch_one(&mut *c)
    .await)?)
}

/// The current version of card `id`.
pub async fn current(c: &mut Conn<'_>, id: i64) -> Result<ScenarioVersion, StoreError> {
    let r: VersionRecord = on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        version_cols!(),
        " FROM scenario_versions v JOIN scenarios s ON s.id = v.scenario_id \
         WHERE s.id = $1 AND v.version = s.version"
    ))
    .bind(id)
    .fetch_one(&mut *c)
    .await)?;
    r.decode()
}

/// Version number `version` of card `id`.
pub async fn version(
    c: &mut Conn<'_>,
    id: i64,
    version: i32,
) -> Result<ScenarioVersion, StoreError> {
    let r: VersionRecord = on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        version_cols!(),
        " FROM scenario_versions v WHERE v.scenario_id = $1 AND v.version = $2"
    ))
    .bind(id)
    .bind(version)
    .fetch_one(&mut *c)
    .await)?;
    r.decode()
}

/// The version with this id, whichever card it belongs to (events store version ids).
pub async fn version_by_id(c: &mut Conn<'_>, id: i64) -> Result<ScenarioVersion, StoreError> {
    let r: VersionRecord = on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        version_cols!(),
        " FROM scenario_versions v WHERE v.id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *c)
    .await)?;
    r.decode()
}

/// The id of the current version of card `id`.
pub async fn current_version_id(c: &mut Conn<'_>, id: i64) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT v.id FROM scenario_versions v JOIN scenarios s ON s.id = v.scenario_id \
         WHERE s.id = $1 AND v.version = s.version"
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await)?)
}

/// Every version of card `id`, newest first.
pub async fn history(c: &mut Conn<'_>, id: i64) -> Result<Vec<ScenarioVersion>, StoreError> {
    let rs: Vec<VersionRecord> = on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        version_cols!(),
        " FROM scenario_versions v WHERE v.scenario_id = $1 ORDER BY v.version DESC"
    ))
    .bind(id)
    .fetch_all(&mut *c)
    .await)?;
    rs.into_iter().map(VersionRecord::decode).collect()
}

/// Filters and order of the card list.
#[derive(Debug, Clone, Default)]
pub struct ScenarioQuery {
    /// Matches code or title, case-insensitively.
    pub q: Option<String>,
    pub kind: Option<ScenarioKind>,
    /// A skill code the current version is tagged with.
    pub skill: Option<String>,
    /// `Some(false)` (the default for pages) hides archived cards; `None` shows all.
    pub archived: Option<bool>,
    pub sort: ScenarioSort,
    pub dir: Dir,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ScenarioSort {
    #[default]
    Code,
    Title,
    Kind,
    Updated,
}

impl ScenarioSort {
    pub const ALL: [ScenarioSort; 4] = [
        ScenarioSort::Code,
        ScenarioSort::Title,
        ScenarioSort::Kind,
        ScenarioSort::Updated,
    ];

    pub fn parse(raw: &str) -> Option<ScenarioSort> {
        Self::ALL.into_iter().find(|s| s.key() == raw.trim())
    }

    pub fn key(self) -> &'static str {
        match self {
            ScenarioSort::Code => "code",
            ScenarioSort::Title => "title",
            ScenarioSort::Kind => "kind",
            ScenarioSort::Updated => "updated",
        }
    }

    fn column(self) -> &'static str {
        match self {
            ScenarioSort::Code => "s.code",
            ScenarioSort::Title => "s.title",
            ScenarioSort::Kind => "s.kind",
            ScenarioSort::Updated => "s.updated_at",
        }
    }
}

macro_rules! push_scenario_filters {
    ($qb:expr, $q:expr) => {{
        let qb = &mut $qb;
        let q: &ScenarioQuery = $q;
        qb.push(" WHERE 1=1");
        if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            qb.push(" AND s.search LIKE ");
            qb.push_bind(format!("%{}%", escape_like(&text.to_lowercase())));
            qb.push(" ESCAPE '\\'");
        }
        if let Some(k) = q.kind {
            qb.push(" AND s.kind = ");
            qb.push_bind(k.key());
        }
        if let Some(a) = q.archived {
            qb.push(" AND s.archived = ");
            qb.push_bind(a);
        }
        if let Some(skill) = &q.skill {
            qb.push(
                " AND EXISTS (SELECT 1 FROM scenario_tags t WHERE t.scenario_id = s.id \
                 AND t.skill_code = ",
            );
            qb.push_bind(skill.clone());
            qb.push(")");
        }
    }};
}

/// One page of cards matching `q`.
pub async fn list(c: &mut Conn<'_>, q: &ScenarioQuery) -> Result<Page<ScenarioRow>, StoreError> {
    let per_page = q.per_page.clamp(1, 500);
    let page = q.page.max(1);
    let offset = (page - 1) * per_page;
    let items: Vec<ScenarioRow> = on!(c, |c| {
        let mut qb = QueryBuilder::new(concat!("SELECT ", scenario_cols!(), " FROM scenarios s"));
        push_scenario_filters!(qb, q);
        qb.push(format!(
            " ORDER BY {} {}, s.id ASC LIMIT {per_page} OFFSET {offset}",
            q.sort.column(),
            q.dir.sql()
        ));
        qb.build_query_as().fetch_all(&mut *c).await
    })?;
    let total = on!(c, |c| {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM scenarios s");
        push_scenario_filters!(qb, q);
        qb.build_query_scalar::<i64>().fetch_one(&mut *c).await
    })?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// The skill codes each of these cards is tagged with (current versions), by card id.
pub async fn tags(
    c: &mut Conn<'_>,
    ids: &[i64],
) -> Result<std::collections::BTreeMap<i64, Vec<String>>, StoreError> {
    let mut out: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, String)> = on!(c, |c| {
            let mut qb = QueryBuilder::new(
                "SELECT scenario_id, skill_code FROM scenario_tags WHERE scenario_id IN (",
            );
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(") ORDER BY scenario_id, skill_code");
            qb.build_query_as().fetch_all(&mut *c).await
        })?;
        for (id, code) in rows {
            out.entry(id).or_default().push(code);
        }
    }
    Ok(out)
}
