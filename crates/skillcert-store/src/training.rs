//! Training management: needs surveys (invitees, responses, supervisor ratings and the rows
//! of the needs report), yearly training plans, training sessions, enrolment with a capacity
//! that holds under concurrent enrolments, and attendance marks with the counts the
//! attendance rate is computed from.
//!
//! The store keeps plain columns and JSON text; services validate with
//! `skillcert_domain::training` before calling in. Time windows given as `from`/`to` are
//! half-open on the session start: `from <= starts_at < to`.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{FromRow, QueryBuilder};

use crate::org::escape_like;
use crate::{Conn, Page, StoreError, on};

/// Ids per statement where a list of ids is bound (well under either backend's limit).
const ID_CHUNK: usize = 5000;

fn like_pattern(search: Option<&str>) -> Option<String> {
    search
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| format!("%{}%", escape_like(&s.to_lowercase())))
}

fn paging(page: i64, per_page: i64) -> (i64, i64) {
    (page.max(1), per_page.clamp(1, 200))
}

/// Appends the audience filter to a query over `employees e`: not left, in one of the
/// departments or their sub-departments (a recursive subquery over the department tree),
/// and in one of the positions; an empty list does not restrict. A macro so that one text
/// serves the `QueryBuilder` of either backend.
macro_rules! push_audience {
    ($qb:expr, $departments:expr, $positions:expr) => {{
        let qb = &mut $qb;
        let departments: &[i64] = $departments;
        let positions: &[i64] = $positions;
        qb.push(" WHERE e.status <> 'left'");
        if !departments.is_empty() {
            qb.push(
                " AND e.department_id IN (WITH RECURSIVE sub(id) AS \
                 (SELECT id FROM departments WHERE id IN (",
            );
            let mut sep = qb.separated(", ");
            for d in departments {
                sep.push_bind(*d);
            }
            qb.push(
                ") UNION SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id) \
                 SELECT id FROM sub)",
            );
        }
        if !positions.is_empty() {
            qb.push(" AND e.position_id IN (");
            let mut sep = qb.separated(", ");
            for p in positions {
                sep.push_bind(*p);
            }
            qb.push(")");
        }
    }};
}

// ---------------------------------------------------------------- surveys

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SurveyRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// JSON: the skill codes asked, in order.
    pub skills: String,
    /// JSON: skill code -> target level in hundredths of the 1-5 scale.
    pub targets: String,
    /// JSON: `{"departments": [ids], "positions": [ids]}`.
    pub audience: String,
    pub status: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! survey_cols {
    () => {
        "id, code, title, opens_on, closes_on, skills, targets, audience, status, created_by, \
         created_at, updated_at"
    };
}

/// What the service writes for a survey.
#[derive(Debug, Clone)]
pub struct SurveyFields {
    pub code: String,
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub skills: String,
    pub targets: String,
    pub audience: String,
}

impl SurveyFields {
    fn search(&self) -> String {
        format!("{} {}", self.code, self.title).to_lowercase()
    }
}

/// A line of the survey list, with how many were asked and how many answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SurveySummary {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub status: String,
    pub invitees: i64,
    pub responses: i64,
}

#[derive(Debug, Clone, Default)]
pub struct SurveyQuery {
    pub search: Option<String>,
    pub status: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// Creates an open survey. A taken code is [`StoreError::Conflict`].
pub async fn insert_survey(
    c: &mut Conn<'_>,
    f: &SurveyFields,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<SurveyRow, StoreError> {
    let search = f.search();
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "INSERT INTO needs_surveys (code, title, opens_on, closes_on, skills, targets, audience, \
         status, search, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, $10) RETURNING ",
        survey_cols!()
    ))
    .bind(&f.code)
    .bind(&f.title)
    .bind(f.opens_on)
    .bind(f.closes_on)
    .bind(&f.skills)
    .bind(&f.targets)
    .bind(&f.audience)
    .bind(&search)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

/// Rewrites a survey while it is open; `false` when it is closed or missing.
pub async fn update_survey(
    c: &mut Conn<'_>,
    id: i64,
    f: &SurveyFields,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let search = f.search();
    let n = on!(c, |c| sqlx::query(
        "UPDATE needs_surveys SET code = $2, title = $3, opens_on = $4, closes_on = $5, \
         skills = $6, targets = $7, audience = $8, search = $9, updated_at = $10 \
         WHERE id = $1 AND status = 'open'"
    )
    .bind(id)
    .bind(&f.code)
    .bind(&f.title)
    .bind(f.opens_on)
    .bind(f.closes_on)
    .bind(&f.skills)
    .bind(&f.targets)
    .bind(&f.audience)
    .bind(&search)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Moves a survey from `from` to `to` (`open`/`closed`); `false` when it was not in `from`.
pub async fn set_survey_status(
    c: &mut Conn<'_>,
    id: i64,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE needs_surveys SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2"
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get_survey(c: &mut Conn<'_>, id: i64) -> Result<SurveyRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        survey_cols!(),
        " FROM needs_surveys WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

pub async fn survey_by_code(c: &mut Conn<'_>, code: &str) -> Result<Option<SurveyRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        survey_cols!(),
        " FROM needs_surveys WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(&mut *c)
    .await)?)
}

macro_rules! survey_filter {
    () => {
        "($1 IS NULL OR s.search LIKE $1 ESCAPE '\\') AND ($2 IS NULL OR s.status = $2)"
    };
}

/// Surveys, newest first.
pub async fn list_surveys(
    c: &mut Conn<'_>,
    q: &SurveyQuery,
) -> Result<Page<SurveySummary>, StoreError> {
    let (page, per_page) = paging(q.page, q.per_page);
    let like = like_pattern(q.search.as_deref());
    let items: Vec<SurveySummary> = on!(c, |c| sqlx::query_as(concat!(
        "SELECT s.id, s.code, s.title, s.opens_on, s.closes_on, s.status, \
         (SELECT COUNT(*) FROM survey_invitees i WHERE i.survey_id = s.id) AS invitees, \
         (SELECT COUNT(*) FROM survey_responses r WHERE r.survey_id = s.id) AS responses \
         FROM needs_surveys s WHERE ",
        survey_filter!(),
        " ORDER BY s.id DESC LIMIT $3 OFFSET $4"
    ))
    .bind(&like)
    .bind(&q.status)
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(&mut *c)
    .await)?;
    let total: i64 = on!(c, |c| sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM needs_surveys s WHERE ",
        survey_filter!()
    ))
    .bind(&like)
    .bind(&q.status)
    .fetch_one(&mut *c)
    .await)?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// Invites everyone who has not left and works in one of `department_ids` (or below it in
/// the department tree) and holds one of `position_ids`; an empty list means everyone.
/// One `INSERT … SELECT`; people invited before stay and are not counted again, so calling
/// it twice is harmless. Returns how many were newly invited.
pub async fn invite_audience(
    c: &mut Conn<'_>,
    survey_id: i64,
    department_ids: &[i64],
    position_ids: &[i64],
) -> Result<u64, StoreError> {
    Ok(on!(c, |c| {
        let mut qb =
            QueryBuilder::new("INSERT INTO survey_invitees (survey_id, employee_id) SELECT ");
        qb.push_bind(survey_id);
        qb.push(", e.id FROM employees e");
        push_audience!(qb, department_ids, position_ids);
        qb.push(" ON CONFLICT (survey_id, employee_id) DO NOTHING");
        qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
    })?)
}

/// Ids of the employees an audience covers, with the same rules as [`invite_audience`]
/// (for enrolling a department or position with [`enrol_many`]), ordered by employee number.
pub async fn audience_employees(
    c: &mut Conn<'_>,
    department_ids: &[i64],
    position_ids: &[i64],
) -> Result<Vec<i64>, StoreError> {
    Ok(on!(c, |c| {
        let mut qb = QueryBuilder::new("SELECT e.id FROM employees e");
        push_audience!(qb, department_ids, position_ids);
        qb.push(" ORDER BY e.employee_no");
        qb.build_query_scalar::<i64>().fetch_all(&mut *c).await
    })?)
}

pub async fn is_invited(
    c: &mut Conn<'_>,
    survey_id: i64,
    employee_id: i64,
) -> Result<bool, StoreError> {
    let found: Option<i64> = on!(c, |c| sqlx::query_scalar(
        "SELECT employee_id FROM survey_invitees WHERE survey_id = $1 AND employee_id = $2"
    )
    .bind(survey_id)
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(found.is_some())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ResponseRow {
    pub id: i64,
    pub survey_id: i64,
    pub employee_id: i64,
    pub department_id: i64,
    pub position_id: Option<i64>,
    /// JSON: skill code -> 1..5.
    pub ratings: String,
    pub desired_content: String,
    pub format: String,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! response_cols {
    () => {
        "id, survey_id, employee_id, department_id, position_id, ratings, desired_content, \
         format, submitted_at, updated_at"
    };
}

/// An answer as the service writes it; department and position are where the respondent
/// stands when answering.
#[derive(Debug, Clone)]
pub struct ResponseFields {
    pub survey_id: i64,
    pub employee_id: i64,
    pub department_id: i64,
    pub position_id: Option<i64>,
    pub ratings: String,
    pub desired_content: String,
    /// `online`, `offline` or `either`.
    pub format: String,
}

/// Stores an employee's answer, replacing an earlier one (which keeps its id and
/// `submitted_at`). Returns the response id, or `None` when the survey is not open (closing
/// and answering may race; the answer then does not count).
pub async fn upsert_response(
    c: &mut Conn<'_>,
    f: &ResponseFields,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "INSERT INTO survey_responses (survey_id, employee_id, department_id, position_id, \
         ratings, desired_content, format, submitted_at, updated_at) \
         SELECT s.id, $2, $3, $4, $5, $6, $7, $8, $8 FROM needs_surveys s \
         WHERE s.id = $1 AND s.status = 'open' \
         ON CONFLICT (survey_id, employee_id) DO UPDATE SET \
         department_id = excluded.department_id, position_id = excluded.position_id, \
         ratings = excluded.ratings, desired_content = excluded.desired_content, \
         format = excluded.format, updated_at = excluded.updated_at \
         RETURNING id"
    )
    .bind(f.survey_id)
    .bind(f.employee_id)
    .bind(f.department_id)
    .bind(f.position_id)
    .bind(&f.ratings)
    .bind(&f.desired_content)
    .bind(&f.format)
    .bind(now)
    .fetch_optional(&mut *c)
    .await)?)
}

pub async fn response_of(
    c: &mut Conn<'_>,
    survey_id: i64,
    employee_id: i64,
) -> Result<Option<ResponseRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        response_cols!(),
        " FROM survey_responses WHERE survey_id = $1 AND employee_id = $2"
    ))
    .bind(survey_id)
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SupervisorRatingRow {
    pub survey_id: i64,
    pub employee_id: i64,
    pub rated_by: i64,
    /// JSON: skill code -> 1..5 (only the skills the supervisor rated).
    pub ratings: String,
    pub updated_at: DateTime<Utc>,
}

/// Stores a supervisor's rating of an employee, replacing an earlier one.
pub async fn upsert_supervisor_rating(
    c: &mut Conn<'_>,
    survey_id: i64,
    employee_id: i64,
    rated_by: i64,
    ratings: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "INSERT INTO survey_supervisor_ratings (survey_id, employee_id, rated_by, ratings, \
         updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (survey_id, employee_id) DO UPDATE SET rated_by = excluded.rated_by, \
         ratings = excluded.ratings, updated_at = excluded.updated_at"
    )
    .bind(survey_id)
    .bind(employee_id)
    .bind(rated_by)
    .bind(ratings)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn supervisor_rating_of(
    c: &mut Conn<'_>,
    survey_id: i64,
    employee_id: i64,
) -> Result<Option<SupervisorRatingRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT survey_id, employee_id, rated_by, ratings, updated_at \
         FROM survey_supervisor_ratings WHERE survey_id = $1 AND employee_id = $2"
    )
    .bind(survey_id)
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?)
}

/// Every supervisor rating of a survey, by employee.
pub async fn supervisor_ratings(
    c: &mut Conn<'_>,
    survey_id: i64,
) -> Result<Vec<SupervisorRatingRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT survey_id, employee_id, rated_by, ratings, updated_at \
         FROM survey_supervisor_ratings WHERE survey_id = $1 ORDER BY employee_id"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// One response as the needs report reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ReportRow {
    pub response_id: i64,
    pub employee_id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub position_id: Option<i64>,
    pub position_name: Option<String>,
    /// JSON: skill code -> 1..5.
    pub ratings: String,
    /// JSON of the supervisor's ratings; `None` when the supervisor has not rated.
    pub supervisor_ratings: Option<String>,
    pub desired_content: String,
    pub format: String,
}

/// Every response of a survey with its groups' names and the supervisor's ratings, in one
/// query (through the `(survey_id, employee_id)` indexes), ordered by response id.
pub async fn report_rows(c: &mut Conn<'_>, survey_id: i64) -> Result<Vec<ReportRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT r.id AS response_id, r.employee_id, r.department_id, \
         d.name AS department_name, r.position_id, p.name AS position_name, r.ratings, \
         v.ratings AS supervisor_ratings, r.desired_content, r.format \
         FROM survey_responses r JOIN departments d ON d.id = r.department_id \
         LEFT JOIN positions p ON p.id = r.position_id \
         LEFT JOIN survey_supervisor_ratings v \
         ON v.survey_id = r.survey_id AND v.employee_id = r.employee_id \
         WHERE r.survey_id = $1 ORDER BY r.id"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- plans

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub code: String,
    pub year: i32,
    pub title: String,
    /// JSON: `[{"name": .., "starts_on": .., "ends_on": ..}]`.
    pub stages: String,
    pub status: String,
    pub source_survey_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! plan_cols {
    () => {
        "id, code, year, title, stages, status, source_survey_id, created_by, created_at, \
         updated_at"
    };
}

#[derive(Debug, Clone)]
pub struct PlanFields {
    pub code: String,
    pub year: i32,
    pub title: String,
    pub stages: String,
    pub source_survey_id: Option<i64>,
}

impl PlanFields {
    fn search(&self) -> String {
        format!("{} {}", self.code, self.title).to_lowercase()
    }
}

/// A line of the plan list, with its number of sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct PlanSummary {
    pub id: i64,
    pub code: String,
    pub year: i32,
    pub title: String,
    pub status: String,
    pub source_survey_id: Option<i64>,
    pub sessions: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct PlanQuery {
    pub year: Option<i32>,
    pub search: Option<String>,
    pub status: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// Creates a draft plan. A taken code is [`StoreError::Conflict`].
pub async fn insert_plan(
    c: &mut Conn<'_>,
    f: &PlanFields,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<PlanRow, StoreError> {
    let search = f.search();
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "INSERT INTO training_plans (code, year, title, stages, status, source_survey_id, \
         search, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $8) RETURNING ",
        plan_cols!()
    ))
    .bind(&f.code)
    .bind(f.year)
    .bind(&f.title)
    .bind(&f.stages)
    .bind(f.source_survey_id)
    .bind(&search)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

/// Rewrites a plan unless it is archived; `false` when archived or missing.
pub async fn update_plan(
    c: &mut Conn<'_>,
    id: i64,
    f: &PlanFields,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let search = f.search();
    let n = on!(c, |c| sqlx::query(
        "UPDATE training_plans SET code = $2, year = $3, title = $4, stages = $5, \
         source_survey_id = $6, search = $7, updated_at = $8 \
         WHERE id = $1 AND status <> 'archived'"
    )
    .bind(id)
    .bind(&f.code)
    .bind(f.year)
    .bind(&f.title)
    .bind(&f.stages)
    .bind(f.source_survey_id)
    .bind(&search)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Moves a plan from `from` to `to` (`draft`/`published`/`archived`); `false` when it was
/// not in `from`.
pub async fn set_plan_status(
    c: &mut Conn<'_>,
    id: i64,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE training_plans SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2"
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get_plan(c: &mut Conn<'_>, id: i64) -> Result<PlanRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        plan_cols!(),
        " FROM training_plans WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

pub async fn plan_by_code(c: &mut Conn<'_>, code: &str) -> Result<Option<PlanRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        plan_cols!(),
        " FROM training_plans WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(&mut *c)
    .await)?)
}

macro_rules! plan_filter {
    () => {
        "($1 IS NULL OR p.year = $1) AND ($2 IS NULL OR p.search LIKE $2 ESCAPE '\\') \
         AND ($3 IS NULL OR p.status = $3)"
    };
}

/// Plans, newest year first, then by code.
pub async fn list_plans(c: &mut Conn<'_>, q: &PlanQuery) -> Result<Page<PlanSummary>, StoreError> {
    let (page, per_page) = paging(q.page, q.per_page);
    let like = like_pattern(q.search.as_deref());
    let items: Vec<PlanSummary> = on!(c, |c| sqlx::query_as(concat!(
        "SELECT p.id, p.code, p.year, p.title, p.status, p.source_survey_id, \
         (SELECT COUNT(*) FROM training_sessions s WHERE s.plan_id = p.id) AS sessions, \
         p.updated_at FROM training_plans p WHERE ",
        plan_filter!(),
        " ORDER BY p.year DESC, p.code LIMIT $4 OFFSET $5"
    ))
    .bind(q.year)
    .bind(&like)
    .bind(&q.status)
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(&mut *c)
    .await)?;
    let total: i64 = on!(c, |c| sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM training_plans p WHERE ",
        plan_filter!()
    ))
    .bind(q.year)
    .bind(&like)
    .bind(&q.status)
    .fetch_one(&mut *c)
    .await)?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

// ---------------------------------------------------------------- sessions

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub plan_id: Option<i64>,
    pub code: String,
    pub topic: String,
    pub level: String,
    /// JSON: skill codes the session trains.
    pub skills: String,
    pub goal: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub minutes: i32,
    pub place: String,
    pub online_link: String,
    pub lecturer_user_id: Option<i64>,
    pub lecturer_external: String,
    pub target_group: String,
    pub outline: String,
    pub materials: String,
    pub assessment_method: String,
    /// `None`: no limit.
    pub capacity: Option<i32>,
    pub mandatory: bool,
    pub open_lead_minutes: i32,
    pub late_after_minutes: i32,
    #[serde(skip)]
    pub checkin_secret: String,
    pub status: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! session_cols {
    () => {
        "id, plan_id, code, topic, level, skills, goal, starts_at, ends_at, minutes, place, \
         online_link, lecturer_user_id, lecturer_external, target_group, outline, materials, \
         assessment_method, capacity, mandatory, open_lead_minutes, late_after_minutes, \
         checkin_secret, status, created_by, created_at, updated_at"
    };
}

/// What the service writes for a session (the check-in secret is set once, on insert).
#[derive(Debug, Clone)]
pub struct SessionFields {
    pub plan_id: Option<i64>,
    pub code: String,
    pub topic: String,
    /// `basic`, `advanced` or `other`.
    pub level: String,
    pub skills: String,
    pub goal: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub minutes: i32,
    pub place: String,
    pub online_link: String,
    pub lecturer_user_id: Option<i64>,
    pub lecturer_external: String,
    pub target_group: String,
    pub outline: String,
    pub materials: String,
    pub assessment_method: String,
    pub capacity: Option<i32>,
    pub mandatory: bool,
    pub open_lead_minutes: i32,
    pub late_after_minutes: i32,
}

impl SessionFields {
    fn search(&self) -> String {
        format!("{} {}", self.code, self.topic).to_lowercase()
    }
}

/// A line of the session list and calendar, with enrolment and attendance counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SessionSummary {
    pub id: i64,
    pub plan_id: Option<i64>,
    pub code: String,
    pub topic: String,
    pub level: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub minutes: i32,
    pub place: String,
    pub lecturer_user_id: Option<i64>,
    pub lecturer_external: String,
    pub capacity: Option<i32>,
    pub mandatory: bool,
    pub status: String,
    pub enrolled: i64,
    /// Marked present or late.
    pub attended: i64,
}

macro_rules! session_summary_select {
    () => {
        "SELECT s.id, s.plan_id, s.code, s.topic, s.level, s.starts_at, s.ends_at, s.minutes, \
         s.place, s.lecturer_user_id, s.lecturer_external, s.capacity, s.mandatory, s.status, \
         (SELECT COUNT(*) FROM session_enrolments x WHERE x.session_id = s.id) AS enrolled, \
         (SELECT COUNT(*) FROM attendance a WHERE a.session_id = s.id \
          AND a.mark IN ('present', 'late')) AS attended \
         FROM training_sessions s "
    };
}

#[derive(Debug, Clone, Default)]
pub struct SessionQuery {
    /// Sessions starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Sessions starting before.
    pub to: Option<DateTime<Utc>>,
    pub plan_id: Option<i64>,
    pub search: Option<String>,
    pub lecturer_user_id: Option<i64>,
    pub page: i64,
    pub per_page: i64,
}

/// Creates a planned session. A taken code is [`StoreError::Conflict`].
pub async fn insert_session(
    c: &mut Conn<'_>,
    f: &SessionFields,
    checkin_secret: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<SessionRow, StoreError> {
    let search = f.search();
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "INSERT INTO training_sessions (plan_id, code, topic, level, skills, goal, starts_at, \
         ends_at, minutes, place, online_link, lecturer_user_id, lecturer_external, \
         target_group, outline, materials, assessment_method, capacity, mandatory, \
         open_lead_minutes, late_after_minutes, checkin_secret, status, search, created_by, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22, 'planned', $23, $24, $25, $25) RETURNING ",
        session_cols!()
    ))
    .bind(f.plan_id)
    .bind(&f.code)
    .bind(&f.topic)
    .bind(&f.level)
    .bind(&f.skills)
    .bind(&f.goal)
    .bind(f.starts_at)
    .bind(f.ends_at)
    .bind(f.minutes)
    .bind(&f.place)
    .bind(&f.online_link)
    .bind(f.lecturer_user_id)
    .bind(&f.lecturer_external)
    .bind(&f.target_group)
    .bind(&f.outline)
    .bind(&f.materials)
    .bind(&f.assessment_method)
    .bind(f.capacity)
    .bind(f.mandatory)
    .bind(f.open_lead_minutes)
    .bind(f.late_after_minutes)
    .bind(checkin_secret)
    .bind(&search)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

/// Rewrites a planned session; `false` when it is cancelled or missing. Lowering the
/// capacity below the number enrolled keeps those enrolled and admits nobody new.
pub async fn update_session(
    c: &mut Conn<'_>,
    id: i64,
    f: &SessionFields,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let search = f.search();
    let n = on!(c, |c| sqlx::query(
        "UPDATE training_sessions SET plan_id = $2, code = $3, topic = $4, level = $5, \
         skills = $6, goal = $7, starts_at = $8, ends_at = $9, minutes = $10, place = $11, \
         online_link = $12, lecturer_user_id = $13, lecturer_external = $14, \
         target_group = $15, outline = $16, materials = $17, assessment_method = $18, \
         capacity = $19, mandatory = $20, open_lead_minutes = $21, late_after_minutes = $22, \
         search = $23, updated_at = $24 WHERE id = $1 AND status = 'planned'"
    )
    .bind(id)
    .bind(f.plan_id)
    .bind(&f.code)
    .bind(&f.topic)
    .bind(&f.level)
    .bind(&f.skills)
    .bind(&f.goal)
    .bind(f.starts_at)
    .bind(f.ends_at)
    .bind(f.minutes)
    .bind(&f.place)
    .bind(&f.online_link)
    .bind(f.lecturer_user_id)
    .bind(&f.lecturer_external)
    .bind(&f.target_group)
    .bind(&f.outline)
    .bind(&f.materials)
    .bind(&f.assessment_method)
    .bind(f.capacity)
    .bind(f.mandatory)
    .bind(f.open_lead_minutes)
    .bind(f.late_after_minutes)
    .bind(&search)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Cancels a planned session; `false` when it was cancelled already or is missing.
pub async fn cancel_session(
    c: &mut Conn<'_>,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE training_sessions SET status = 'cancelled', updated_at = $2 \
         WHERE id = $1 AND status = 'planned'"
    )
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get_session(c: &mut Conn<'_>, id: i64) -> Result<SessionRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        session_cols!(),
        " FROM training_sessions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

pub async fn session_by_code(
    c: &mut Conn<'_>,
    code: &str,
) -> Result<Option<SessionRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        session_cols!(),
        " FROM training_sessions WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(&mut *c)
    .await)?)
}

macro_rules! session_filter {
    () => {
        "($1 IS NULL OR s.starts_at >= $1) AND ($2 IS NULL OR s.starts_at < $2) \
         AND ($3 IS NULL OR s.plan_id = $3) AND ($4 IS NULL OR s.search LIKE $4 ESCAPE '\\') \
         AND ($5 IS NULL OR s.lecturer_user_id = $5)"
    };
}

/// Sessions (cancelled ones too, with their status) by start, then id.
pub async fn list_sessions(
    c: &mut Conn<'_>,
    q: &SessionQuery,
) -> Result<Page<SessionSummary>, StoreError> {
    let (page, per_page) = paging(q.page, q.per_page);
    let like = like_pattern(q.search.as_deref());
    let items: Vec<SessionSummary> = on!(c, |c| sqlx::query_as(concat!(
        session_summary_select!(),
        "WHERE ",
        session_filter!(),
        " ORDER BY s.starts_at, s.id LIMIT $6 OFFSET $7"
    ))
    .bind(q.from)
    .bind(q.to)
    .bind(q.plan_id)
    .bind(&like)
    .bind(q.lecturer_user_id)
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(&mut *c)
    .await)?;
    let total: i64 = on!(c, |c| sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM training_sessions s WHERE ",
        session_filter!()
    ))
    .bind(q.from)
    .bind(q.to)
    .bind(q.plan_id)
    .bind(&like)
    .bind(q.lecturer_user_id)
    .fetch_one(&mut *c)
    .await)?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// Every session starting in `[from, to)` (a calendar month), cancelled ones included, by
/// start.
pub async fn sessions_between(
    c: &mut Conn<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<SessionSummary>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        session_summary_select!(),
        "WHERE s.starts_at >= $1 AND s.starts_at < $2 ORDER BY s.starts_at, s.id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- enrolment

/// What an enrolment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolOutcome {
    Enrolled,
    /// The person was enrolled before; nothing changed.
    AlreadyEnrolled,
    /// The session has reached its capacity.
    Full,
    /// The session is cancelled.
    Cancelled,
}

/// Locks the session row on PostgreSQL so that concurrent enrolments in the same session
/// take turns (under READ COMMITTED a count check alone can race). SQLite needs nothing:
/// its write transactions are serialized already. Returns the session's status, or
/// `None` when there is no such session.
async fn lock_session(c: &mut Conn<'_>, session_id: i64) -> Result<Option<String>, StoreError> {
    let status: Option<String> = match c {
        Conn::Postgres(pg) => {
            sqlx::query_scalar("SELECT status FROM training_sessions WHERE id = $1 FOR UPDATE")
                .bind(session_id)
                .fetch_optional(&mut **pg)
                .await?
        }
        Conn::Sqlite(lite) => {
            sqlx::query_scalar("SELECT status FROM training_sessions WHERE id = $1")
                .bind(session_id)
                .fetch_optional(&mut **lite)
                .await?
        }
    };
    Ok(status)
}

/// Enrols one person, atomically against the capacity and a second enrolment of the same
/// person: one conditional `INSERT … SELECT … WHERE count < capacity`, after locking the
/// session row on PostgreSQL. Call it inside a write transaction ([`crate::Db::begin`]).
/// A missing session is [`StoreError::NotFound`].
pub async fn enrol(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
    via: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<EnrolOutcome, StoreError> {
    let Some(status) = lock_session(c, session_id).await? else {
        return Err(StoreError::NotFound);
    };
    let n = on!(c, |c| sqlx::query(
        "INSERT INTO session_enrolments (session_id, employee_id, via, enrolled_by, \
         created_at) SELECT s.id, $2, $3, $4, $5 FROM training_sessions s \
         WHERE s.id = $1 AND s.status = 'planned' AND (s.capacity IS NULL OR \
         (SELECT COUNT(*) FROM session_enrolments x WHERE x.session_id = s.id) < s.capacity) \
         ON CONFLICT (session_id, employee_id) DO NOTHING"
    )
    .bind(session_id)
    .bind(employee_id)
    .bind(via)
    .bind(by)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 1 {
        return Ok(EnrolOutcome::Enrolled);
    }
    if is_enrolled(c, session_id, employee_id).await? {
        return Ok(EnrolOutcome::AlreadyEnrolled);
    }
    if status != "planned" {
        return Ok(EnrolOutcome::Cancelled);
    }
    Ok(EnrolOutcome::Full)
}

/// Enrols many people (a department or a position) in the order given while places last:
/// returns `(enrolled, skipped as already enrolled, skipped as full)`. Duplicates in
/// `employee_ids` count once. Call it inside a write transaction; the session row is locked
/// on PostgreSQL first, so the capacity holds against concurrent enrolments. A missing
/// session is [`StoreError::NotFound`]; a cancelled one is [`StoreError::Conflict`] with
/// constraint `session_cancelled`.
pub async fn enrol_many(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_ids: &[i64],
    via: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(u64, u64, u64), StoreError> {
    let Some(status) = lock_session(c, session_id).await? else {
        return Err(StoreError::NotFound);
    };
    if status != "planned" {
        return Err(StoreError::Conflict {
            constraint: "session_cancelled".into(),
        });
    }
    let mut seen = HashSet::with_capacity(employee_ids.len());
    let wanted: Vec<i64> = employee_ids
        .iter()
        .copied()
        .filter(|id| seen.insert(*id))
        .collect();
    let (count, capacity): (i64, Option<i32>) = on!(c, |c| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM session_enrolments x WHERE x.session_id = s.id), \
         s.capacity FROM training_sessions s WHERE s.id = $1"
    )
    .bind(session_id)
    .fetch_one(&mut *c)
    .await)?;
    let mut already: HashSet<i64> = HashSet::new();
    for chunk in wanted.chunks(ID_CHUNK) {
        let found: Vec<i64> = on!(c, |c| {
            let mut qb =
                QueryBuilder::new("SELECT employee_id FROM session_enrolments WHERE session_id = ");
            qb.push_bind(session_id);
            qb.push(" AND employee_id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_scalar::<i64>().fetch_all(&mut *c).await
        })?;
        already.extend(found);
    }
    let new: Vec<i64> = wanted
        .iter()
        .copied()
        .filter(|id| !already.contains(id))
        .collect();
    let room = match capacity {
        None => new.len(),
        Some(cap) => usize::try_from((i64::from(cap) - count).max(0)).unwrap_or(0),
    };
    let admitted = &new[..room.min(new.len())];
    let mut enrolled = 0u64;
    // 5 parameters a row.
    for chunk in admitted.chunks(1000) {
        enrolled += on!(c, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO session_enrolments (session_id, employee_id, via, enrolled_by, \
                 created_at) ",
            );
            qb.push_values(chunk, |mut b, id| {
                b.push_bind(session_id)
                    .push_bind(*id)
                    .push_bind(via)
                    .push_bind(by)
                    .push_bind(now);
            });
            qb.push(" ON CONFLICT (session_id, employee_id) DO NOTHING");
            qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    let skipped_already = already.len() as u64;
    let skipped_full = (new.len() - admitted.len()) as u64;
    Ok((enrolled, skipped_already, skipped_full))
}

pub async fn is_enrolled(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
) -> Result<bool, StoreError> {
    let found: Option<i64> = on!(c, |c| sqlx::query_scalar(
        "SELECT employee_id FROM session_enrolments WHERE session_id = $1 AND employee_id = $2"
    )
    .bind(session_id)
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(found.is_some())
}

/// Takes a person off a session's list; `false` when not enrolled, or when the person
/// already has an attendance mark (the sign-in sheet is a record and stays whole).
pub async fn unenrol(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "DELETE FROM session_enrolments WHERE session_id = $1 AND employee_id = $2 \
         AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = $1 \
         AND a.employee_id = $2)"
    )
    .bind(session_id)
    .bind(employee_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A person on a session's list, with the mark if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct EnrolledRow {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department_id: i64,
    pub department: String,
    pub position: Option<String>,
    pub employee_status: String,
    pub via: String,
    pub enrolled_by: Option<i64>,
    pub enrolled_at: DateTime<Utc>,
    pub mark: Option<String>,
    pub mark_source: Option<String>,
}

/// The session's list (the sign-in sheet), by employee number.
pub async fn enrolled(c: &mut Conn<'_>, session_id: i64) -> Result<Vec<EnrolledRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT x.employee_id, e.employee_no, e.name, e.department_id, d.name AS department, \
         p.name AS position, e.status AS employee_status, x.via, x.enrolled_by, \
         x.created_at AS enrolled_at, a.mark, a.source AS mark_source \
         FROM session_enrolments x JOIN employees e ON e.id = x.employee_id \
         JOIN departments d ON d.id = e.department_id \
         LEFT JOIN positions p ON p.id = e.position_id \
         LEFT JOIN attendance a ON a.session_id = x.session_id AND a.employee_id = x.employee_id \
         WHERE x.session_id = $1 ORDER BY e.employee_no"
    )
    .bind(session_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// A session of one employee (their "my training" page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct EmployeeSessionRow {
    pub session_id: i64,
    pub code: String,
    pub topic: String,
    pub level: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub minutes: i32,
    pub place: String,
    pub online_link: String,
    pub mandatory: bool,
    pub status: String,
    pub via: String,
    pub mark: Option<String>,
}

/// The sessions an employee is enrolled in that start in `[from, to)`, cancelled ones
/// included, by start.
pub async fn sessions_of_employee(
    c: &mut Conn<'_>,
    employee_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<EmployeeSessionRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT s.id AS session_id, s.code, s.topic, s.level, s.starts_at, s.ends_at, \
         s.minutes, s.place, s.online_link, s.mandatory, s.status, x.via, a.mark \
         FROM session_enrolments x JOIN training_sessions s ON s.id = x.session_id \
         LEFT JOIN attendance a ON a.session_id = x.session_id AND a.employee_id = x.employee_id \
         WHERE x.employee_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 \
         ORDER BY s.starts_at, s.id"
    )
    .bind(employee_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- attendance

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct MarkRow {
    pub session_id: i64,
    pub employee_id: i64,
    /// `present`, `late`, `excused` or `absent`.
    pub mark: String,
    /// `lecturer` or `self_check_in`.
    pub source: String,
    pub marked_by: Option<i64>,
    pub marked_at: DateTime<Utc>,
}

/// Sets (or replaces) a person's mark; `false`, storing nothing, when the person is not
/// enrolled in the session.
pub async fn set_mark(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
    mark: &str,
    source: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "INSERT INTO attendance (session_id, employee_id, mark, source, marked_by, marked_at) \
         SELECT x.session_id, x.employee_id, $3, $4, $5, $6 FROM session_enrolments x \
         WHERE x.session_id = $1 AND x.employee_id = $2 \
         ON CONFLICT (session_id, employee_id) DO UPDATE SET mark = excluded.mark, \
         source = excluded.source, marked_by = excluded.marked_by, \
         marked_at = excluded.marked_at"
    )
    .bind(session_id)
    .bind(employee_id)
    .bind(mark)
    .bind(source)
    .bind(by)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Stores a mark only if the person has none yet (a self check-in, which never overrides:
/// two check-ins racing cannot turn present into late). `false` when a mark was there or
/// the person is not enrolled.
pub async fn insert_mark_if_unmarked(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
    mark: &str,
    source: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "INSERT INTO attendance (session_id, employee_id, mark, source, marked_by, marked_at) \
         SELECT x.session_id, x.employee_id, $3, $4, $5, $6 FROM session_enrolments x \
         WHERE x.session_id = $1 AND x.employee_id = $2 \
         ON CONFLICT (session_id, employee_id) DO NOTHING"
    )
    .bind(session_id)
    .bind(employee_id)
    .bind(mark)
    .bind(source)
    .bind(by)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get_mark(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
) -> Result<Option<MarkRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT session_id, employee_id, mark, source, marked_by, marked_at FROM attendance \
         WHERE session_id = $1 AND employee_id = $2"
    )
    .bind(session_id)
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?)
}

/// Every mark of a session, by employee id.
pub async fn marks_of_session(
    c: &mut Conn<'_>,
    session_id: i64,
) -> Result<Vec<MarkRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT session_id, employee_id, mark, source, marked_by, marked_at FROM attendance \
         WHERE session_id = $1 ORDER BY employee_id"
    )
    .bind(session_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// `(ends_at, mark)` of every non-cancelled session the employee is enrolled in that starts
/// in `[from, to)`, unmarked ones as `None`, by start: the input of the attendance rate.
pub async fn marks_of_employee_between(
    c: &mut Conn<'_>,
    employee_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, Option<String>)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT s.ends_at, a.mark FROM session_enrolments x \
         JOIN training_sessions s ON s.id = x.session_id \
         LEFT JOIN attendance a ON a.session_id = x.session_id AND a.employee_id = x.employee_id \
         WHERE x.employee_id = $1 AND s.status = 'planned' \
         AND s.starts_at >= $2 AND s.starts_at < $3 ORDER BY s.starts_at, s.id"
    )
    .bind(employee_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await)?)
}

/// An employee's session counts for the attendance rate (see the domain's `Tally`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, FromRow)]
pub struct AttendanceCounts {
    pub employee_id: i64,
    pub present: i64,
    pub late: i64,
    pub excused: i64,
    pub absent: i64,
    /// No mark and the session ended before `now`: the rate counts these as absent.
    pub unmarked_ended: i64,
    /// No mark and the session not over at `now`: not counted.
    pub pending: i64,
}

/// Counts of every employee in `employee_ids` over the non-cancelled sessions they are
/// enrolled in that start in `[from, to)`, as of `now`: one grouped query (per 5 000 ids).
/// One row per distinct id, by id; people without sessions get zeros.
pub async fn attendance_rates(
    c: &mut Conn<'_>,
    employee_ids: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<AttendanceCounts>, StoreError> {
    let mut out: BTreeMap<i64, AttendanceCounts> = employee_ids
        .iter()
        .map(|id| {
            (
                *id,
                AttendanceCounts {
                    employee_id: *id,
                    ..AttendanceCounts::default()
                },
            )
        })
        .collect();
    let ids: Vec<i64> = out.keys().copied().collect();
    for chunk in ids.chunks(ID_CHUNK) {
        let rows: Vec<AttendanceCounts> = on!(c, |c| {
            let mut qb = QueryBuilder::new(
                "SELECT x.employee_id, \
                 COUNT(CASE WHEN a.mark = 'present' THEN 1 END) AS present, \
                 COUNT(CASE WHEN a.mark = 'late' THEN 1 END) AS late, \
                 COUNT(CASE WHEN a.mark = 'excused' THEN 1 END) AS excused, \
                 COUNT(CASE WHEN a.mark = 'absent' THEN 1 END) AS absent, \
                 COUNT(CASE WHEN a.mark IS NULL AND s.ends_at < ",
            );
            qb.push_bind(now);
            qb.push(
                " THEN 1 END) AS unmarked_ended, COUNT(CASE WHEN a.mark IS NULL AND s.ends_at >= ",
            );
            qb.push_bind(now);
            qb.push(
                " THEN 1 END) AS pending \
                 FROM session_enrolments x JOIN training_sessions s ON s.id = x.session_id \
                 LEFT JOIN attendance a ON a.session_id = x.session_id \
                 AND a.employee_id = x.employee_id \
                 WHERE s.status = 'planned' AND s.starts_at >= ",
            );
            qb.push_bind(from);
            qb.push(" AND s.starts_at < ");
            qb.push_bind(to);
            qb.push(" AND x.employee_id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(") GROUP BY x.employee_id");
            qb.build_query_as().fetch_all(&mut *c).await
        })?;
        for r in rows {
            out.insert(r.employee_id, r);
        }
    }
    Ok(out.into_values().collect())
}
