//! The question bank: one row per question (its current version denormalised for listing),
//! immutable versions, and skill tags. Also the competency model the tags come from.

use chrono::{DateTime, Utc};
use serde::Serialize;
use skillcert_domain::exam::paper::PoolQuestion;
use skillcert_domain::exam::question::{Difficulty, Question, QuestionType};
use skillcert_domain::exam::skills::{Skill, SkillGroup};
use sqlx::{FromRow, QueryBuilder};

use crate::org::escape_like;
use crate::{Conn, Dir, Page, StoreError, on};

/// A question as listed: its current version's headline fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct QuestionRow {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub qtype: String,
    pub difficulty: i32,
    /// Default points in hundredths.
    pub points: i32,
    pub stem: String,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One immutable version of a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionVersion {
    pub id: i64,
    pub question_id: i64,
    pub version: i32,
    pub question: Question,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct VersionRecord {
    id: i64,
    question_id: i64,
    version: i32,
    content: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
}

impl VersionRecord {
    fn decode(self) -> Result<QuestionVersion, StoreError> {
        let question = serde_json::from_str(&self.content)
            .map_err(|e| StoreError::Corrupt(format!("question version {}: {e}", self.id)))?;
        Ok(QuestionVersion {
            id: self.id,
            question_id: self.question_id,
            version: self.version,
            question,
            created_by: self.created_by,
            created_at: self.created_at,
        })
    }
}

macro_rules! question_cols {
    () => {
        "q.id, q.code, q.version, q.qtype, q.difficulty, q.points, q.stem, q.archived, \
         q.created_at, q.updated_at"
    };
}

fn search_text(code: &str, q: &Question) -> String {
    format!("{code} {}", q.stem).to_lowercase()
}

fn encode(q: &Question) -> Result<String, StoreError> {
    serde_json::to_string(q).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn points_of(q: &Question) -> i32 {
    q.points.hundredths() as i32
}

/// The code the next question gets when none is given: `Q` and six digits.
pub async fn next_code(c: &mut Conn<'_>) -> Result<String, StoreError> {
    let max: Option<i64> = on!(c, |c| sqlx::query_scalar("SELECT MAX(id) FROM questions")
        .fetch_one(&mut *c)
        .await)?;
    let mut n = max.unwrap_or(0) + 1;
    loop {
        let code = format!("Q{n:06}");
        let taken: i64 = on!(c, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM questions WHERE code = $1"
        )
        .bind(&code)
        .fetch_one(&mut *c)
        .await)?;
        if taken == 0 {
            return Ok(code);
        }
        n += 1;
    }
}

async fn insert_version(
    c: &mut Conn<'_>,
    question_id: i64,
    version: i32,
    q: &Question,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let content = encode(q)?;
    let id: i64 = on!(c, |c| sqlx::query_scalar(
        "INSERT INTO question_versions (question_id, version, content, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(question_id)
    .bind(version)
    .bind(&content)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?;
    on!(c, |c| sqlx::query(
        "DELETE FROM question_tags WHERE question_id = $1"
    )
    .bind(question_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    for t in &q.tags {
        on!(c, |c| sqlx::query(
            "INSERT INTO question_tags (question_id, skill_code) VALUES ($1, $2)"
        )
        .bind(question_id)
        .bind(t)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(id)
}

/// Stores a new question as version 1; returns `(question id, version id)`.
pub async fn insert(
    c: &mut Conn<'_>,
    code: &str,
    q: &Question,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(i64, i64), StoreError> {
    let id: i64 = on!(c, |c| {
        sqlx::query_scalar(
        "INSERT INTO questions (code, version, qtype, difficulty, points, stem, search, archived, \
         created_at, updated_at) VALUES ($1, 1, $2, $3, $4, $5, $6, FALSE, $7, $7) RETURNING id"
    )
    .bind(code)
    .bind(q.body.qtype().key())
    .bind(i32::from(q.difficulty.level()))
    .bind(points_of(q))
    .bind(&q.stem)
    .bind(search_text(code, q))
    .bind(now)
    .fetch_one(&mut *c)
    .await
    })?;
    let version_id = insert_version(c, id, 1, q, by, now).await?;
    Ok((id, version_id))
}

/// Stores `q` as the next version of question `id`; earlier versions stay as they were, so
/// attempts that used them still show what the candidate saw. Returns the new version.
pub async fn add_version(
    c: &mut Conn<'_>,
    id: i64,
    q: &Question,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<QuestionRow, StoreError> {
    let row = get(c, id).await?;
    let version = row.version + 1;
    on!(c, |c| sqlx::query(
        "UPDATE questions SET version = $2, qtype = $3, difficulty = $4, points = $5, stem = $6, \
         search = $7, updated_at = $8 WHERE id = $1"
    )
    .bind(id)
    .bind(version)
    .bind(q.body.qtype().key())
    .bind(i32::from(q.difficulty.level()))
    .bind(points_of(q))
    .bind(&q.stem)
    .bind(search_text(&row.code, q))
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    insert_version(c, id, version, q, by, now).await?;
    get(c, id).await
}

/// Archives or restores a question; archived questions are not drawn by new sessions.
pub async fn set_archived(
    c: &mut Conn<'_>,
    id: i64,
    archived: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE questions SET archived = $2, updated_at = $3 WHERE id = $1"
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

pub async fn get(c: &mut Conn<'_>, id: i64) -> Result<QuestionRow, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, QuestionRow>(concat!(
        "SELECT ",
        question_cols!(),
        " FROM questions q WHERE q.id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn get_by_code(c: &mut Conn<'_>, code: &str) -> Result<QuestionRow, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, QuestionRow>(concat!(
        "SELECT ",
        question_cols!(),
        " FROM questions q WHERE q.code = $1"
    ))
    .bind(code)
    .fetch_one(&mut *c)
    .await)?)
}

/// The current version of question `id`.
pub async fn current(c: &mut Conn<'_>, id: i64) -> Result<QuestionVersion, StoreError> {
    let r: VersionRecord = on!(c, |c| sqlx::query_as(
        "SELECT v.id, v.question_id, v.version, v.content, v.created_by, v.created_at \
         FROM question_versions v JOIN questions q ON q.id = v.question_id \
         WHERE q.id = $1 AND v.version = q.version"
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await)?;
    r.decode()
}

/// Every version of question `id`, newest first.
pub async fn history(c: &mut Conn<'_>, id: i64) -> Result<Vec<QuestionVersion>, StoreError> {
    let rs: Vec<VersionRecord> = on!(c, |c| sqlx::query_as(
        "SELECT id, question_id, version, content, created_by, created_at \
         FROM question_versions WHERE question_id = $1 ORDER BY version DESC"
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await)?;
    rs.into_iter().map(VersionRecord::decode).collect()
}

/// The versions with these ids (in no particular order).
pub async fn versions(c: &mut Conn<'_>, ids: &[i64]) -> Result<Vec<QuestionVersion>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rs: Vec<VersionRecord> = on!(c, |c| {
            let mut qb = QueryBuilder::new(
                "SELECT id, question_id, version, content, created_by, created_at \
                 FROM question_versions WHERE id IN (",
            );
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(&mut *c).await
        })?;
        for r in rs {
            out.push(r.decode()?);
        }
    }
    Ok(out)
}

#[derive(FromRow)]
struct PoolRecord {
    question_id: i64,
    version_id: i64,
    qtype: String,
    difficulty: i32,
    points: i32,
    content: String,
}

/// Every question a new exam session may draw from: not archived, at its current version.
pub async fn pool(c: &mut Conn<'_>) -> Result<Vec<PoolQuestion>, StoreError> {
    let rs: Vec<PoolRecord> = on!(c, |c| {
        sqlx::query_as(
        "SELECT q.id AS question_id, v.id AS version_id, q.qtype, q.difficulty, q.points, v.content \
         FROM questions q JOIN question_versions v ON v.question_id = q.id AND v.version = q.version \
         WHERE NOT q.archived ORDER BY q.id"
    )
    .fetch_all(&mut *c)
    .await
    })?;
    rs.into_iter()
        .map(|r| {
            let q: Question = serde_json::from_str(&r.content)
                .map_err(|e| StoreError::Corrupt(format!("question {}: {e}", r.question_id)))?;
            let qtype = QuestionType::parse(&r.qtype)
                .ok_or_else(|| StoreError::Corrupt(format!("question type {}", r.qtype)))?;
            let difficulty = u8::try_from(r.difficulty)
                .ok()
                .and_then(Difficulty::new)
                .ok_or_else(|| StoreError::Corrupt(format!("difficulty {}", r.difficulty)))?;
            Ok(PoolQuestion {
                question_id: r.question_id,
                version_id: r.version_id,
                qtype,
                tags: q.tags.clone(),
                difficulty,
                points: r.points.max(0) as u32,
                options: q.body.options().len() as u8,
            })
        })
        .collect()
}

/// Filters and order of the question list.
#[derive(Debug, Clone, Default)]
pub struct QuestionQuery {
    /// Matches code or stem, case-insensitively.
    pub q: Option<String>,
    pub qtype: Option<QuestionType>,
    pub tag: Option<String>,
    pub difficulty: Option<Difficulty>,
    /// `Some(false)` (the default for pages) hides archived questions.
    pub archived: Option<bool>,
    pub sort: QuestionSort,
    pub dir: Dir,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QuestionSort {
    #[default]
    Code,
    Type,
    Difficulty,
    Points,
    Updated,
}

impl QuestionSort {
    pub fn parse(raw: &str) -> Option<QuestionSort> {
        Some(match raw {
            "code" => QuestionSort::Code,
            "type" => QuestionSort::Type,
            "difficulty" => QuestionSort::Difficulty,
            "points" => QuestionSort::Points,
            "updated" => QuestionSort::Updated,
            _ => return None,
        })
    }

    pub fn key(self) -> &'static str {
        match self {
            QuestionSort::Code => "code",
            QuestionSort::Type => "type",
            QuestionSort::Difficulty => "difficulty",
            QuestionSort::Points => "points",
            QuestionSort::Updated => "updated",
        }
    }

    fn column(self) -> &'static str {
        match self {
            QuestionSort::Code => "q.code",
            QuestionSort::Type => "q.qtype",
            QuestionSort::Difficulty => "q.difficulty",
            QuestionSort::Points => "q.points",
            QuestionSort::Updated => "q.updated_at",
        }
    }
}

macro_rules! push_question_filters {
    ($qb:expr, $q:expr) => {{
        let qb = &mut $qb;
        let q: &QuestionQuery = $q;
        qb.push(" WHERE 1=1");
        if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            qb.push(" AND q.search LIKE ");
            qb.push_bind(format!("%{}%", escape_like(&text.to_lowercase())));
            qb.push(" ESCAPE '\\'");
        }
        if let Some(t) = q.qtype {
            qb.push(" AND q.qtype = ");
            qb.push_bind(t.key());
        }
        if let Some(d) = q.difficulty {
            qb.push(" AND q.difficulty = ");
            qb.push_bind(i32::from(d.level()));
        }
        if let Some(a) = q.archived {
            qb.push(" AND q.archived = ");
            qb.push_bind(a);
        }
        if let Some(tag) = &q.tag {
            qb.push(" AND EXISTS (SELECT 1 FROM question_tags t WHERE t.question_id = q.id AND t.skill_code = ");
            qb.push_bind(tag.clone());
            qb.push(")");
        }
    }};
}

/// One page of questions matching `q`.
pub async fn list(c: &mut Conn<'_>, q: &QuestionQuery) -> Result<Page<QuestionRow>, StoreError> {
    let per_page = q.per_page.clamp(1, 500);
    let page = q.page.max(1);
    let offset = (page - 1) * per_page;
    let items: Vec<QuestionRow> = on!(c, |c| {
        let mut qb = QueryBuilder::new(concat!("SELECT ", question_cols!(), " FROM questions q"));
        push_question_filters!(qb, q);
        qb.push(format!(
            " ORDER BY {} {}, q.id ASC LIMIT {per_page} OFFSET {offset}",
            q.sort.column(),
            q.dir.sql()
        ));
        qb.build_query_as().fetch_all(&mut *c).await
    })?;
    let total = on!(c, |c| {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM questions q");
        push_question_filters!(qb, q);
        qb.build_query_scalar::<i64>().fetch_one(&mut *c).await
    })?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// Current versions of every question matching `q` (all pages), for export.
pub async fn export(
    c: &mut Conn<'_>,
    q: &QuestionQuery,
) -> Result<Vec<(QuestionRow, QuestionVersion)>, StoreError> {
    let rows: Vec<QuestionRow> = on!(c, |c| {
        let mut qb = QueryBuilder::new(concat!("SELECT ", question_cols!(), " FROM questions q"));
        push_question_filters!(qb, q);
        qb.push(" ORDER BY q.code ASC");
        qb.build_query_as().fetch_all(&mut *c).await
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let v = current(c, r.id).await?;
        out.push((r, v));
    }
    Ok(out)
}

#[derive(FromRow)]
struct SkillRecord {
    code: String,
    grp: String,
    name_zh: String,
    name_en: String,
}

/// The competency model in its defined order.
pub async fn skills(c: &mut Conn<'_>) -> Result<Vec<Skill>, StoreError> {
    let rs: Vec<SkillRecord> = on!(c, |c| sqlx::query_as(
        "SELECT code, grp, name_zh, name_en FROM skills ORDER BY position, code"
    )
    .fetch_all(&mut *c)
    .await)?;
    rs.into_iter()
        .map(|r| {
            Ok(Skill {
                group: SkillGroup::parse(&r.grp)
                    .ok_or_else(|| StoreError::Corrupt(format!("skill group {}", r.grp)))?,
                code: r.code,
                name_zh: r.name_zh,
                name_en: r.name_en,
            })
        })
        .collect()
}

/// Whether some question already has `code`.
pub async fn code_exists(c: &mut Conn<'_>, code: &str) -> Result<bool, StoreError> {
    let n: i64 = on!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM questions WHERE code = $1"
    )
    .bind(code)
    .fetch_one(&mut *c)
    .await)?;
    Ok(n > 0)
}

/// `n` codes for new questions (`Q` and six digits, continuing from [`next_code`]), none of
/// them taken in the bank or listed in `reserved` (codes an import file gives explicitly).
pub async fn next_codes(
    c: &mut Conn<'_>,
    n: usize,
    reserved: &[String],
) -> Result<Vec<String>, StoreError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let max: Option<i64> = on!(c, |c| sqlx::query_scalar("SELECT MAX(id) FROM questions")
        .fetch_one(&mut *c)
        .await)?;
    let taken: Vec<String> = on!(c, |c| sqlx::query_scalar(
        "SELECT code FROM questions WHERE code LIKE 'Q%'"
    )
    .fetch_all(&mut *c)
    .await)?;
    let taken: std::collections::HashSet<&str> = taken
        .iter()
        .map(String::as_str)
        .chain(reserved.iter().map(String::as_str))
        .collect();
    let mut out = Vec::with_capacity(n);
    let mut k = max.unwrap_or(0) + 1;
    while out.len() < n {
        let code = format!("Q{k:06}");
        if !taken.contains(code.as_str()) {
            out.push(code);
        }
        k += 1;
    }
    Ok(out)
}

/// The questions with these codes (in no particular order; unknown codes are left out).
pub async fn by_codes(c: &mut Conn<'_>, codes: &[String]) -> Result<Vec<QuestionRow>, StoreError> {
    let mut out = Vec::with_capacity(codes.len());
    for chunk in codes.chunks(500) {
        let rows: Vec<QuestionRow> = on!(c, |c| {
            let mut qb = QueryBuilder::new(concat!(
                "SELECT ",
                question_cols!(),
                " FROM questions q WHERE q.code IN ("
            ));
            let mut sep = qb.separated(", ");
            for code in chunk {
                sep.push_bind(code.clone());
            }
            qb.push(")");
            qb.build_query_as().fetch_all(&mut *c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// The questions with these ids (in no particular order; unknown ids are left out).
pub async fn by_ids(c: &mut Conn<'_>, ids: &[i64]) -> Result<Vec<QuestionRow>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<QuestionRow> = on!(c, |c| {
            let mut qb = QueryBuilder::new(concat!(
                "SELECT ",
                question_cols!(),
                " FROM questions q WHERE q.id IN ("
            ));
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(&mut *c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}
