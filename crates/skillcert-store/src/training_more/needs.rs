//! More training queries of the needs area (issue 7), beside `training` and `training_records`:
//! writing the competency model, the survey list by phase (draft / open / closed), the
//! invitees a supervisor rates, an employee's open surveys, and the opening notice sent to
//! every invitee in one statement.
//!
//! A survey is a *draft* until it is opened: `needs_surveys.status` only knows `open` and
//! `closed`, so opening is recorded in the survey's audience JSON as `"opened_at": "<time>"`
//! (written by the service; a draft carries `"opened_at": null`). [`OPENED`] is the text
//! the queries look for.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, QueryBuilder};

use crate::org::escape_like;
use crate::training::SurveySummary;
use crate::{Conn, Page, StoreError, on};

/// The mark an opened survey's audience JSON carries (`"opened_at":"2026-…"`).
pub const OPENED: &str = "%\"opened_at\":\"%";

fn like_pattern(search: Option<&str>) -> Option<String> {
    search
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| format!("%{}%", escape_like(&s.to_lowercase())))
}

fn paging(page: i64, per_page: i64) -> (i64, i64) {
    (page.max(1), per_page.clamp(1, 200))
}

// ---------------------------------------------------------------- skills

/// One skill of the competency model with its place in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SkillRow {
    pub code: String,
    /// `basic`, `professional` or `etiquette`.
    #[serde(rename = "group")]
    pub grp: String,
    pub name_zh: String,
    pub name_en: String,
    pub position: i32,
}

/// Every skill, in list order (position, then code).
pub async fn skill_rows(c: &mut Conn<'_>) -> Result<Vec<SkillRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT code, grp, name_zh, name_en, position \
         FROM skills ORDER BY position, code"
    )
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn skill_by_code(c: &mut Conn<'_>, code: &str) -> Result<Option<SkillRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT code, grp, name_zh, name_en, position \
         FROM skills WHERE code = $1"
    )
    .bind(code)
    .fetch_optional(&mut *c)
    .await)?)
}

/// Adds a skill. A taken code is [`StoreError::Conflict`].
pub async fn insert_skill(c: &mut Conn<'_>, s: &SkillRow) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "INSERT INTO skills (code, grp, name_zh, name_en, position) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(&s.code)
    .bind(&s.grp)
    .bind(&s.name_zh)
    .bind(&s.name_en)
    .bind(s.position)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Rewrites group, names and position of a skill (the code never changes: questions,
/// rubrics and surveys refer to it). `false` when there is no such skill.
pub async fn update_skill(c: &mut Conn<'_>, s: &SkillRow) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE skills SET grp = $2, name_zh = $3, name_en = $4, position = $5 WHERE code = $1"
    )
    .bind(&s.code)
    .bind(&s.grp)
    .bind(&s.name_zh)
    .bind(&s.name_en)
    .bind(s.position)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

// ---------------------------------------------------------------- surveys by phase

#[derive(Debug, Clone, Default)]
pub struct PhaseQuery {
    pub search: Option<String>,
    /// `draft`, `open` or `closed`; `None` for all.
    pub phase: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

macro_rules! phase_filter {
    () => {
        "($1 IS NULL OR s.search LIKE $1 ESCAPE '\\') AND ($2 IS NULL \
         OR ($2 = 'closed' AND s.status = 'closed') \
         OR ($2 = 'open' AND s.status = 'open' AND s.audience LIKE $3) \
         OR ($2 = 'draft' AND s.status = 'open' AND s.audience NOT LIKE $3))"
    };
}

/// Surveys newest first, with how many were invited and how many answered.
pub async fn list_surveys(
    c: &mut Conn<'_>,
    q: &PhaseQuery,
) -> Result<Page<SurveySummary>, StoreError> {
    let (page, per_page) = paging(q.page, q.per_page);
    let like = like_pattern(q.search.as_deref());
    let items: Vec<SurveySummary> = on!(c, |c| sqlx::query_as(concat!(
        "SELECT s.id, s.code, s.title, s.opens_on, s.closes_on, s.status, \
         (SELECT COUNT(*) FROM survey_invitees i WHERE i.survey_id = s.id) AS invitees, \
         (SELECT COUNT(*) FROM survey_responses r WHERE r.survey_id = s.id) AS responses \
         FROM needs_surveys s WHERE ",
        phase_filter!(),
        " ORDER BY s.id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(&like)
    .bind(&q.phase)
    .bind(OPENED)
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(&mut *c)
    .await)?;
    let total: i64 = on!(c, |c| sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM needs_surveys s WHERE ",
        phase_filter!()
    ))
    .bind(&like)
    .bind(&q.phase)
    .bind(OPENED)
    .fetch_one(&mut *c)
    .await)?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// Appends ` AND e.department_id IN (…)` when `departments` is given (an empty list
/// matches nobody). A macro so that one text serves the `QueryBuilder` of either backend.
macro_rules! push_departments {
    ($qb:expr, $departments:expr) => {{
        if let Some(ds) = $departments {
            if ds.is_empty() {
                $qb.push(" AND 1 = 0");
            } else {
                $qb.push(" AND e.department_id IN (");
                let mut sep = $qb.separated(", ");
                for d in ds {
                    sep.push_bind(*d);
                }
                $qb.push(")");
            }
        }
    }};
}

/// How many were invited, counting only those now in `departments` when given.
pub async fn invitee_count(
    c: &mut Conn<'_>,
    survey_id: i64,
    departments: Option<&[i64]>,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT COUNT(*) FROM survey_invitees i JOIN employees e ON e.id = i.employee_id \
             WHERE i.survey_id = ",
        );
        qb.push_bind(survey_id);
        push_departments!(qb, departments);
        qb.build_query_scalar::<i64>().fetch_one(&mut *c).await
    })?)
}

/// An invitee as a supervisor's rating page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct RateLine {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department_id: i64,
    pub department_name: String,
    pub position_name: Option<String>,
    /// The employee has answered the survey.
    pub answered: bool,
    /// JSON of the supervisor ratings given so far.
    pub ratings: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RateQuery {
    pub search: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// The invitees of a survey now working in `departments` (all when `None`), by employee
/// number, with whether they answered and the supervisor ratings given so far.
pub async fn rate_lines(
    c: &mut Conn<'_>,
    survey_id: i64,
    departments: Option<&[i64]>,
    q: &RateQuery,
) -> Result<Page<RateLine>, StoreError> {
    let (page, per_page) = paging(q.page, q.per_page);
    let like = like_pattern(q.search.as_deref());
    let items = on!(c, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT e.id AS employee_id, e.employee_no, e.name, e.department_id, \
             d.name AS department_name, p.name AS position_name, \
             EXISTS (SELECT 1 FROM survey_responses r WHERE r.survey_id = i.survey_id \
             AND r.employee_id = e.id) AS answered, v.ratings \
             FROM survey_invitees i JOIN employees e ON e.id = i.employee_id \
             JOIN departments d ON d.id = e.department_id \
             LEFT JOIN positions p ON p.id = e.position_id \
             LEFT JOIN survey_supervisor_ratings v ON v.survey_id = i.survey_id \
             AND v.employee_id = e.id WHERE i.survey_id = ",
        );
        qb.push_bind(survey_id);
        push_departments!(qb, departments);
        if let Some(l) = &like {
            qb.push(" AND (LOWER(e.employee_no) LIKE ");
            qb.push_bind(l.clone());
            qb.push(" ESCAPE '\\' OR LOWER(e.name) LIKE ");
            qb.push_bind(l.clone());
            qb.push(" ESCAPE '\\')");
        }
        qb.push(" ORDER BY e.employee_no LIMIT ");
        qb.push_bind(per_page);
        qb.push(" OFFSET ");
        qb.push_bind((page - 1) * per_page);
        qb.build_query_as::<RateLine>().fetch_all(&mut *c).await
    })?;
    let total = on!(c, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT COUNT(*) FROM survey_invitees i JOIN employees e ON e.id = i.employee_id \
             WHERE i.survey_id = ",
        );
        qb.push_bind(survey_id);
        push_departments!(qb, departments);
        if let Some(l) = &like {
            qb.push(" AND (LOWER(e.employee_no) LIKE ");
            qb.push_bind(l.clone());
            qb.push(" ESCAPE '\\' OR LOWER(e.name) LIKE ");
            qb.push_bind(l.clone());
            qb.push(" ESCAPE '\\')");
        }
        qb.build_query_scalar::<i64>().fetch_one(&mut *c).await
    })?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// A survey an employee was invited to and that has not been closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct MySurveyRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub opens_on: chrono::NaiveDate,
    pub closes_on: chrono::NaiveDate,
    pub answered_at: Option<DateTime<Utc>>,
}

/// The opened, not closed surveys `employee_id` was invited to, closing soonest first.
pub async fn open_surveys_of(
    c: &mut Conn<'_>,
    employee_id: i64,
) -> Result<Vec<MySurveyRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT s.id, s.code, s.title, s.opens_on, s.closes_on, r.updated_at AS answered_at \
         FROM survey_invitees i JOIN needs_surveys s ON s.id = i.survey_id \
         LEFT JOIN survey_responses r ON r.survey_id = s.id AND r.employee_id = i.employee_id \
         WHERE i.employee_id = $1 AND s.status = 'open' AND s.audience LIKE $2 \
         ORDER BY s.closes_on, s.id"
    )
    .bind(employee_id)
    .bind(OPENED)
    .fetch_all(&mut *c)
    .await)?)
}

/// Sends one inbox message to the active account of every invitee, in one statement.
/// Returns how many messages were written (invitees without an account get none).
pub async fn notify_invitees(
    c: &mut Conn<'_>,
    survey_id: i64,
    kind: &str,
    params: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(on!(c, |c| sqlx::query(
        "INSERT INTO inbox_messages (user_id, kind, params, link, created_at) \
         SELECT u.id, $2, $3, $4, $5 FROM survey_invitees i \
         JOIN users u ON u.employee_id = i.employee_id AND u.active \
         WHERE i.survey_id = $1"
    )
    .bind(survey_id)
    .bind(kind)
    .bind(params)
    .bind(link)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Whether a plan already has `code`.
pub async fn plan_code_taken(c: &mut Conn<'_>, code: &str) -> Result<bool, StoreError> {
    let n: i64 = on!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM training_plans WHERE code = $1"
    )
    .bind(code)
    .fetch_one(&mut *c)
    .await)?;
    Ok(n > 0)
}

/// How many answered, counting only respondents who answered from `departments` when given
/// (the department snapshot of the response, as the report groups them).
pub async fn response_count(
    c: &mut Conn<'_>,
    survey_id: i64,
    departments: Option<&[i64]>,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| {
        let mut qb =
            QueryBuilder::new("SELECT COUNT(*) FROM survey_responses e WHERE e.survey_id = ");
        qb.push_bind(survey_id);
        push_departments!(qb, departments);
        qb.build_query_scalar::<i64>().fetch_one(&mut *c).await
    })?)
}
