//! Certification rounds and what follows them: applications and their attachments, typed-in
//! component scores, frozen results and their revisions, appeals, certificates with their
//! gapless numbers and status-list positions, re-evaluation tasks, retake consequences,
//! employee status changes and the in-app inbox.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::FromRow;

use crate::{Conn, Page, StoreError, on};

// ---------------------------------------------------------------- rounds

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct RoundRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub scheme_key: String,
    pub scheme_version: i32,
    #[serde(skip)]
    pub scheme: String,
    #[serde(skip)]
    pub plan: String,
    pub status: String,
    pub reviewed_by: Option<i64>,
    pub published_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! round_cols {
    () => {
        "id, code, title, scheme_key, scheme_version, scheme, plan, status, reviewed_by, \
         published_on, closed_on, created_by, created_at, updated_at"
    };
}

/// What the service writes for a round.
#[derive(Debug, Clone)]
pub struct RoundFields {
    pub code: String,
    pub title: String,
    pub scheme_key: String,
    pub scheme_version: i32,
    pub scheme: String,
    pub plan: String,
}

/// A line of the round list, with progress counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct RoundSummary {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub scheme_key: String,
    pub status: String,
    pub published_on: Option<NaiveDate>,
    pub applications: i64,
    pub approved: i64,
    pub results: i64,
    pub passed: i64,
}

#[derive(Debug, Clone, Default)]
pub struct RoundQuery {
    pub search: Option<String>,
    pub status: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

pub async fn insert_round(
    c: &mut Conn<'_>,
    f: &RoundFields,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<RoundRow, StoreError> {
    let search = format!("{} {}", f.code, f.title).to_lowercase();
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "INSERT INTO cert_rounds (code, title, scheme_key, scheme_version, scheme, plan, \
         status, search, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $9) RETURNING ",
        round_cols!()
    ))
    .bind(&f.code)
    .bind(&f.title)
    .bind(&f.scheme_key)
    .bind(f.scheme_version)
    .bind(&f.scheme)
    .bind(&f.plan)
    .bind(&search)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

/// Changes title and plan while the round is still open.
pub async fn update_round_plan(
    c: &mut Conn<'_>,
    id: i64,
    title: &str,
    plan: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let search_code: Option<String> = on!(c, |c| sqlx::query_scalar(
        "SELECT code FROM cert_rounds WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?;
    let Some(code) = search_code else {
        return Err(StoreError::NotFound);
    };
    let search = format!("{code} {title}").to_lowercase();
    let n = on!(c, |c| sqlx::query(
        "UPDATE cert_rounds SET title = $2, plan = $3, search = $4, updated_at = $5 \
         WHERE id = $1 AND status = 'open'"
    )
    .bind(id)
    .bind(title)
    .bind(plan)
    .bind(&search)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Moves a round from `from` to `to`; `false` when it was not in `from` (a race or a
/// repeated click), so the caller can refuse without having changed anything.
#[allow(clippy::too_many_arguments)]
pub async fn set_round_status(
    c: &mut Conn<'_>,
    id: i64,
    from: &str,
    to: &str,
    reviewed_by: Option<i64>,
    published_on: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE cert_rounds SET status = $3, reviewed_by = COALESCE($4, reviewed_by), \
         published_on = COALESCE($5, published_on), closed_on = COALESCE($6, closed_on), \
         updated_at = $7 WHERE id = $1 AND status = $2"
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(reviewed_by)
    .bind(published_on)
    .bind(closed_on)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Back from `reviewed` to `open` (the manager found a missing score): results frozen by
/// the review are discarded with it.
pub async fn reopen_round(
    c: &mut Conn<'_>,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE cert_rounds SET status = 'open', reviewed_by = NULL, updated_at = $2 \
         WHERE id = $1 AND status = 'reviewed'"
    )
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 1 {
        on!(c, |c| sqlx::query(
            "DELETE FROM round_results WHERE round_id = $1"
        )
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(n == 1)
}

pub async fn get_round(c: &mut Conn<'_>, id: i64) -> Result<RoundRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        round_cols!(),
        " FROM cert_rounds WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

pub async fn round_by_code(c: &mut Conn<'_>, code: &str) -> Result<Option<RoundRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        round_cols!(),
        " FROM cert_rounds WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(&mut *c)
    .await)?)
}

/// Rounds in a given state (the closing job looks for published rounds).
pub async fn rounds_in(c: &mut Conn<'_>, status: &str) -> Result<Vec<RoundRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        round_cols!(),
        " FROM cert_rounds WHERE status = $1 ORDER BY id"
    ))
    .bind(status)
    .fetch_all(&mut *c)
    .await)?)
}

macro_rules! round_filter {
    () => {
        "($1 IS NULL OR r.search LIKE $1) AND ($2 IS NULL OR r.status = $2)"
    };
}

pub async fn list_rounds(
    c: &mut Conn<'_>,
    q: &RoundQuery,
) -> Result<Page<RoundSummary>, StoreError> {
    let per_page = q.per_page.clamp(1, 200);
    let page = q.page.max(1);
    let like = q.search.as_ref().map(|s| format!("%{}%", s.to_lowercase()));
    let items: Vec<RoundSummary> = on!(c, |c| sqlx::query_as(concat!(
        "SELECT r.id, r.code, r.title, r.scheme_key, r.status, r.published_on, \
         (SELECT COUNT(*) FROM round_applications a WHERE a.round_id = r.id) AS applications, \
         (SELECT COUNT(*) FROM round_applications a WHERE a.round_id = r.id \
          AND a.status = 'approved') AS approved, \
         (SELECT COUNT(*) FROM round_results x WHERE x.round_id = r.id AND x.current) AS results, \
         (SELECT COUNT(*) FROM round_results x WHERE x.round_id = r.id AND x.current \
          AND x.passed) AS passed \
         FROM cert_rounds r WHERE ",
        round_filter!(),
        " ORDER BY r.id DESC LIMIT $3 OFFSET $4"
    ))
    .bind(&like)
    .bind(&q.status)
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(&mut *c)
    .await)?;
    let total: i64 = on!(c, |c| sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM cert_rounds r WHERE ",
        round_filter!()
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SourceRow {
    pub component_key: String,
    pub exam_session_id: Option<i64>,
    pub event_id: Option<i64>,
}

/// Replaces the sources of a round's components.
pub async fn set_sources(
    c: &mut Conn<'_>,
    round_id: i64,
    sources: &[SourceRow],
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "DELETE FROM round_sources WHERE round_id = $1"
    )
    .bind(round_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    for s in sources {
        on!(c, |c| sqlx::query(
            "INSERT INTO round_sources (round_id, component_key, exam_session_id, event_id) \
             VALUES ($1, $2, $3, $4)"
        )
        .bind(round_id)
        .bind(&s.component_key)
        .bind(s.exam_session_id)
        .bind(s.event_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub async fn sources(c: &mut Conn<'_>, round_id: i64) -> Result<Vec<SourceRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT component_key, exam_session_id, event_id FROM round_sources \
         WHERE round_id = $1 ORDER BY component_key"
    )
    .bind(round_id)
    .fetch_all(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- applications

/// An application with the applicant's organisation, as S1 template 4 lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ApplicationRow {
    pub id: i64,
    pub round_id: i64,
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub department_id: i64,
    pub position: Option<String>,
    pub employee_status: String,
    pub level_key: String,
    pub training_completed_on: Option<NaiveDate>,
    pub mentor_comment: String,
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: String,
    pub attachments: i64,
    pub created_at: DateTime<Utc>,
}

macro_rules! application_select {
    () => {
        "SELECT a.id, a.round_id, a.employee_id, e.employee_no, e.name, d.name AS department, \
         e.department_id, p.name AS position, e.status AS employee_status, a.level_key, \
         a.training_completed_on, a.mentor_comment, a.status, a.decided_by, a.decided_at, \
         a.decision_note, \
         (SELECT COUNT(*) FROM application_attachments t WHERE t.application_id = a.id) \
         AS attachments, a.created_at \
         FROM round_applications a JOIN employees e ON e.id = a.employee_id \
         JOIN departments d ON d.id = e.department_id \
         LEFT JOIN positions p ON p.id = e.position_id "
    };
}

#[derive(Debug, Clone)]
pub struct ApplicationFields {
    pub round_id: i64,
    pub employee_id: i64,
    pub level_key: String,
    pub training_completed_on: Option<NaiveDate>,
    pub mentor_comment: String,
}

pub async fn insert_application(
    c: &mut Conn<'_>,
    f: &ApplicationFields,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "INSERT INTO round_applications (round_id, employee_id, level_key, \
         training_completed_on, mentor_comment, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $6) RETURNING id"
    )
    .bind(f.round_id)
    .bind(f.employee_id)
    .bind(&f.level_key)
    .bind(f.training_completed_on)
    .bind(&f.mentor_comment)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

/// Submits a withdrawn application again with new fields; its old attachments go, so that
/// what the manager reads is what was sent last. `false` unless it was withdrawn.
pub async fn resubmit_application(
    c: &mut Conn<'_>,
    id: i64,
    f: &ApplicationFields,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE round_applications SET level_key = $2, training_completed_on = $3, \
         mentor_comment = $4, status = 'submitted', decided_by = NULL, decided_at = NULL, \
         decision_note = '', updated_at = $5 WHERE id = $1 AND status = 'withdrawn'"
    )
    .bind(id)
    .bind(&f.level_key)
    .bind(f.training_completed_on)
    .bind(&f.mentor_comment)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(false);
    }
    on!(c, |c| sqlx::query(
        "DELETE FROM application_attachments WHERE application_id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(true)
}

pub async fn get_application(c: &mut Conn<'_>, id: i64) -> Result<ApplicationRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        application_select!(),
        "WHERE a.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

pub async fn application_of(
    c: &mut Conn<'_>,
    round_id: i64,
    employee_id: i64,
) -> Result<Option<ApplicationRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        application_select!(),
        "WHERE a.round_id = $1 AND a.employee_id = $2"
    ))
    .bind(round_id)
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?)
}

pub async fn applications_of_round(
    c: &mut Conn<'_>,
    round_id: i64,
) -> Result<Vec<ApplicationRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        application_select!(),
        "WHERE a.round_id = $1 ORDER BY e.employee_no"
    ))
    .bind(round_id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn applications_of_employee(
    c: &mut Conn<'_>,
    employee_id: i64,
) -> Result<Vec<ApplicationRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        application_select!(),
        "WHERE a.employee_id = $1 ORDER BY a.id DESC"
    ))
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Approves or rejects a submitted application; `false` if it was already decided.
pub async fn decide_application(
    c: &mut Conn<'_>,
    id: i64,
    status: &str,
    by: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE round_applications SET status = $2, decided_by = $3, decided_at = $5, \
         decision_note = $4, updated_at = $5 WHERE id = $1 AND status = 'submitted'"
    )
    .bind(id)
    .bind(status)
    .bind(by)
    .bind(note)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The applicant withdraws before a decision.
pub async fn withdraw_application(
    c: &mut Conn<'_>,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE round_applications SET status = 'withdrawn', updated_at = $2 \
         WHERE id = $1 AND status = 'submitted'"
    )
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct AttachmentRow {
    pub id: i64,
    pub application_id: i64,
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size: i32,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

pub struct NewAttachment<'a> {
    pub application_id: i64,
    pub kind: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub data: &'a [u8],
}

pub async fn insert_attachment(
    c: &mut Conn<'_>,
    a: &NewAttachment<'_>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let size = i32::try_from(a.data.len()).unwrap_or(i32::MAX);
    Ok(on!(c, |c| sqlx::query_scalar(
        "INSERT INTO application_attachments (application_id, kind, filename, content_type, \
         size, sha256, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(a.application_id)
    .bind(a.kind)
    .bind(a.filename)
    .bind(a.content_type)
    .bind(size)
    .bind(a.sha256)
    .bind(a.data)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn attachments(
    c: &mut Conn<'_>,
    application_id: i64,
) -> Result<Vec<AttachmentRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT id, application_id, kind, filename, content_type, size, sha256, created_at \
         FROM application_attachments WHERE application_id = $1 ORDER BY id"
    )
    .bind(application_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// An attachment with its bytes.
pub async fn attachment_data(
    c: &mut Conn<'_>,
    id: i64,
) -> Result<(AttachmentRow, Vec<u8>), StoreError> {
    let row: AttachmentRow = on!(c, |c| sqlx::query_as(
        "SELECT id, application_id, kind, filename, content_type, size, sha256, created_at \
         FROM application_attachments WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)?;
    let data: Vec<u8> = on!(c, |c| sqlx::query_scalar(
        "SELECT data FROM application_attachments WHERE id = $1"
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await)?;
    Ok((row, data))
}

// ---------------------------------------------------------------- typed-in scores

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ScoreRow {
    pub employee_id: i64,
    pub component_key: String,
    pub score: i32,
}

pub async fn upsert_score(
    c: &mut Conn<'_>,
    round_id: i64,
    employee_id: i64,
    component_key: &str,
    hundredths: i32,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "INSERT INTO round_scores (round_id, employee_id, component_key, score, entered_by, \
         entered_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (round_id, employee_id, component_key) DO UPDATE SET \
         score = excluded.score, entered_by = excluded.entered_by, entered_at = excluded.entered_at"
    )
    .bind(round_id)
    .bind(employee_id)
    .bind(component_key)
    .bind(hundredths)
    .bind(by)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn scores(c: &mut Conn<'_>, round_id: i64) -> Result<Vec<ScoreRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT employee_id, component_key, score FROM round_scores WHERE round_id = $1"
    )
    .bind(round_id)
    .fetch_all(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- results

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ResultRow {
    pub id: i64,
    pub round_id: i64,
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub department_id: i64,
    pub application_id: i64,
    pub revision: i32,
    pub attempt: i32,
    #[serde(skip)]
    pub inputs: String,
    #[serde(skip)]
    pub evaluation: String,
    pub total: i32,
    pub passed: bool,
    pub level_key: Option<String>,
    pub awarded_level: Option<String>,
    pub step_key: Option<String>,
    pub current: bool,
    pub created_at: DateTime<Utc>,
}

macro_rules! result_select {
    () => {
        "SELECT x.id, x.round_id, x.employee_id, e.employee_no, e.name, d.name AS department, \
         e.department_id, x.application_id, x.revision, x.attempt, x.inputs, x.evaluation, \
         x.total, x.passed, x.level_key, x.awarded_level, x.step_key, x.current, x.created_at \
         FROM round_results x JOIN employees e ON e.id = x.employee_id \
         JOIN departments d ON d.id = e.department_id "
    };
}

#[derive(Debug, Clone)]
pub struct NewResult {
    pub round_id: i64,
    pub employee_id: i64,
    pub application_id: i64,
    pub revision: i32,
    pub attempt: i32,
    pub inputs: String,
    pub evaluation: String,
    pub total: i32,
    pub passed: bool,
    pub level_key: Option<String>,
    pub awarded_level: Option<String>,
    pub step_key: Option<String>,
}

/// Stores a result as the current one, retiring the earlier revision in the same step.
pub async fn insert_result(
    c: &mut Conn<'_>,
    r: &NewResult,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE round_results SET current = FALSE \
         WHERE round_id = $1 AND employee_id = $2 AND current"
    )
    .bind(r.round_id)
    .bind(r.employee_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(on!(c, |c| sqlx::query_scalar(
        "INSERT INTO round_results (round_id, employee_id, application_id, revision, attempt, \
         inputs, evaluation, total, passed, level_key, awarded_level, step_key, current, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, TRUE, $13) \
         RETURNING id"
    )
    .bind(r.round_id)
    .bind(r.employee_id)
    .bind(r.application_id)
    .bind(r.revision)
    .bind(r.attempt)
    .bind(&r.inputs)
    .bind(&r.evaluation)
    .bind(r.total)
    .bind(r.passed)
    .bind(&r.level_key)
    .bind(&r.awarded_level)
    .bind(&r.step_key)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn current_results(
    c: &mut Conn<'_>,
    round_id: i64,
) -> Result<Vec<ResultRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        result_select!(),
        "WHERE x.round_id = $1 AND x.current ORDER BY x.total DESC, e.employee_no"
    ))
    .bind(round_id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn get_result(c: &mut Conn<'_>, id: i64) -> Result<ResultRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        result_select!(),
        "WHERE x.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

/// Every revision of one candidate's result in a round, oldest first.
pub async fn result_history(
    c: &mut Conn<'_>,
    round_id: i64,
    employee_id: i64,
) -> Result<Vec<ResultRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        result_select!(),
        "WHERE x.round_id = $1 AND x.employee_id = $2 ORDER BY x.revision"
    ))
    .bind(round_id)
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Current results of one employee across published rounds of a scheme, newest first.
pub async fn published_results_of(
    c: &mut Conn<'_>,
    employee_id: i64,
) -> Result<Vec<ResultRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        result_select!(),
        "JOIN cert_rounds r ON r.id = x.round_id \
         WHERE x.employee_id = $1 AND x.current AND r.status IN ('published', 'closed') \
         ORDER BY x.id DESC"
    ))
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Failed current results of `employee_id` under `scheme_key` published in
/// `[from, before]`: the retake ladder counts failures within a year.
pub async fn failures_between(
    c: &mut Conn<'_>,
    employee_id: i64,
    scheme_key: &str,
    from: NaiveDate,
    before: NaiveDate,
    except_round: i64,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM round_results x JOIN cert_rounds r ON r.id = x.round_id \
         WHERE x.employee_id = $1 AND r.scheme_key = $2 AND x.current AND NOT x.passed \
         AND r.published_on >= $3 AND r.published_on <= $4 AND r.id <> $5"
    )
    .bind(employee_id)
    .bind(scheme_key)
    .bind(from)
    .bind(before)
    .bind(except_round)
    .fetch_one(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- appeals

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct AppealRow {
    pub id: i64,
    pub result_id: i64,
    pub round_id: i64,
    pub round_code: String,
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub component_key: Option<String>,
    pub item: Option<String>,
    pub reason: String,
    pub status: String,
    pub reviewer_user_id: Option<i64>,
    pub reviewer: Option<String>,
    pub decision_note: String,
    pub new_result_id: Option<i64>,
    pub rescore_event_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

macro_rules! appeal_select {
    () => {
        "SELECT a.id, a.result_id, a.round_id, r.code AS round_code, a.employee_id, \
         e.employee_no, e.name, a.component_key, a.item, a.reason, a.status, \
         a.reviewer_user_id, u.display_name AS reviewer, a.decision_note, a.new_result_id, \
         a.rescore_event_id, a.created_at, a.decided_at \
         FROM appeals a JOIN cert_rounds r ON r.id = a.round_id \
         JOIN employees e ON e.id = a.employee_id \
         LEFT JOIN users u ON u.id = a.reviewer_user_id "
    };
}

#[derive(Debug, Clone)]
pub struct NewAppeal {
    pub result_id: i64,
    pub round_id: i64,
    pub employee_id: i64,
    pub component_key: Option<String>,
    pub item: Option<String>,
    pub reason: String,
    pub created_by: Option<i64>,
}

pub async fn insert_appeal(
    c: &mut Conn<'_>,
    a: &NewAppeal,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "INSERT INTO appeals (result_id, round_id, employee_id, component_key, item, reason, \
         status, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) \
         RETURNING id"
    )
    .bind(a.result_id)
    .bind(a.round_id)
    .bind(a.employee_id)
    .bind(&a.component_key)
    .bind(&a.item)
    .bind(&a.reason)
    .bind(a.created_by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn get_appeal(c: &mut Conn<'_>, id: i64) -> Result<AppealRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        appeal_select!(),
        "WHERE a.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

pub async fn appeals_of_round(
    c: &mut Conn<'_>,
    round_id: i64,
) -> Result<Vec<AppealRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        appeal_select!(),
        "WHERE a.round_id = $1 ORDER BY a.id"
    ))
    .bind(round_id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn appeals_of_employee(
    c: &mut Conn<'_>,
    employee_id: i64,
) -> Result<Vec<AppealRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        appeal_select!(),
        "WHERE a.employee_id = $1 ORDER BY a.id DESC"
    ))
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Pending appeals everywhere, oldest first (the reviewers' queue).
pub async fn pending_appeals(c: &mut Conn<'_>) -> Result<Vec<AppealRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        appeal_select!(),
        "WHERE a.status = 'pending' ORDER BY a.id"
    ))
    .fetch_all(&mut *c)
    .await)?)
}

/// Links the new panel drawn for a pending appeal; `false` if it is no longer pending or
/// already has one.
pub async fn set_rescore_event(
    c: &mut Conn<'_>,
    id: i64,
    event_id: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE appeals SET rescore_event_id = $2 WHERE id = $1 AND status = 'pending' \
         AND rescore_event_id IS NULL"
    )
    .bind(id)
    .bind(event_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Decides a pending appeal; `false` if someone decided it first.
pub async fn decide_appeal(
    c: &mut Conn<'_>,
    id: i64,
    status: &str,
    reviewer: i64,
    note: &str,
    new_result_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE appeals SET status = $2, reviewer_user_id = $3, decision_note = $4, \
         new_result_id = $5, decided_at = $6 WHERE id = $1 AND status = 'pending'"
    )
    .bind(id)
    .bind(status)
    .bind(reviewer)
    .bind(note)
    .bind(new_result_id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

// ---------------------------------------------------------------- certificates

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct CertificateRow {
    pub id: i64,
    pub number: String,
    pub scheme_key: String,
    pub round_id: Option<i64>,
    pub round_code: Option<String>,
    pub result_id: Option<i64>,
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub department_id: i64,
    pub supervisor_id: Option<i64>,
    pub level_key: String,
    pub total: i32,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub reevaluation_due: NaiveDate,
    pub awarded_on: NaiveDate,
    pub suspended: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub superseded_by: Option<i64>,
    pub superseded_by_number: Option<String>,
    pub revocation_index: i32,
    pub suspension_index: i32,
    #[serde(skip)]
    pub credential: String,
    pub created_at: DateTime<Utc>,
}

macro_rules! certificate_select {
    () => {
        "SELECT c.id, c.number, c.scheme_key, c.round_id, r.code AS round_code, c.result_id, \
         c.employee_id, e.employee_no, e.name, d.name AS department, e.department_id, \
         e.supervisor_id, c.level_key, c.total, c.issued_on, c.valid_until, c.reevaluation_due, \
         c.awarded_on, c.suspended, c.revoked_at, c.revoked_reason, c.superseded_by, \
         s.number AS superseded_by_number, c.revocation_index, c.suspension_index, \
         c.credential, c.created_at \
         FROM certificates c JOIN employees e ON e.id = c.employee_id \
         JOIN departments d ON d.id = e.department_id \
         LEFT JOIN cert_rounds r ON r.id = c.round_id \
         LEFT JOIN certificates s ON s.id = c.superseded_by "
    };
}

/// The status computed in SQL, the same precedence as the domain's
/// `CertificateStatus::on` ($1 is today): filters and counts need it in the query.
macro_rules! certificate_status_sql {
    () => {
        "(CASE WHEN c.revoked_at IS NOT NULL THEN 'revoked' \
         WHEN c.superseded_by IS NOT NULL THEN 'superseded' \
         WHEN c.suspended THEN 'suspended' \
         WHEN c.valid_until < $1 THEN 'expired' \
         WHEN c.reevaluation_due <= $1 THEN 'expiring' ELSE 'valid' END)"
    };
}

/// The next number of `scheme_key` in `year`. Called in the issuing transaction, so a
/// rollback gives the number back and concurrent issuers wait on the row: no gaps, no
/// duplicates.
pub async fn next_sequence(
    c: &mut Conn<'_>,
    scheme_key: &str,
    year: i32,
) -> Result<i32, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "INSERT INTO cert_sequences (scheme_key, year, last) VALUES ($1, $2, 1) \
         ON CONFLICT (scheme_key, year) DO UPDATE SET last = cert_sequences.last + 1 \
         RETURNING last"
    )
    .bind(scheme_key)
    .bind(year)
    .fetch_one(&mut *c)
    .await)?)
}

#[derive(Debug, Clone)]
pub struct NewCertificate {
    pub number: String,
    pub scheme_key: String,
    pub seq_year: i32,
    pub seq: i32,
    pub round_id: Option<i64>,
    pub result_id: Option<i64>,
    pub employee_id: i64,
    pub level_key: String,
    pub total: i32,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub reevaluation_due: NaiveDate,
    pub awarded_on: NaiveDate,
    pub revocation_index: i32,
    pub suspension_index: i32,
    pub credential: String,
}

pub async fn insert_certificate(
    c: &mut Conn<'_>,
    n: &NewCertificate,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "INSERT INTO certificates (number, scheme_key, seq_year, seq, round_id, result_id, \
         employee_id, level_key, total, issued_on, valid_until, reevaluation_due, awarded_on, \
         suspended, revocation_index, suspension_index, credential, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, FALSE, $14, $15, $16, \
         $17) RETURNING id"
    )
    .bind(&n.number)
    .bind(&n.scheme_key)
    .bind(n.seq_year)
    .bind(n.seq)
    .bind(n.round_id)
    .bind(n.result_id)
    .bind(n.employee_id)
    .bind(&n.level_key)
    .bind(n.total)
    .bind(n.issued_on)
    .bind(n.valid_until)
    .bind(n.reevaluation_due)
    .bind(n.awarded_on)
    .bind(n.revocation_index)
    .bind(n.suspension_index)
    .bind(&n.credential)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

/// Whether a status-list position is taken (positions are drawn at random).
pub async fn status_index_taken(c: &mut Conn<'_>, index: i32) -> Result<bool, StoreError> {
    let n: i64 = on!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM certificates WHERE revocation_index = $1 OR suspension_index = $1"
    )
    .bind(index)
    .fetch_one(&mut *c)
    .await)?;
    Ok(n > 0)
}

pub async fn certificate_by_number(
    c: &mut Conn<'_>,
    number: &str,
) -> Result<Option<CertificateRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        certificate_select!(),
        "WHERE c.number = $1"
    ))
    .bind(number)
    .fetch_optional(&mut *c)
    .await)?)
}

pub async fn get_certificate(c: &mut Conn<'_>, id: i64) -> Result<CertificateRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        certificate_select!(),
        "WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

pub async fn certificates_of_employee(
    c: &mut Conn<'_>,
    employee_id: i64,
) -> Result<Vec<CertificateRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        certificate_select!(),
        "WHERE c.employee_id = $1 ORDER BY c.issued_on DESC, c.id DESC"
    ))
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn certificates_of_result(
    c: &mut Conn<'_>,
    round_id: i64,
    employee_id: i64,
) -> Result<Vec<CertificateRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        certificate_select!(),
        "WHERE c.round_id = $1 AND c.employee_id = $2 ORDER BY c.id"
    ))
    .bind(round_id)
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?)
}

#[derive(Debug, Clone, Default)]
pub struct CertificateQuery {
    pub today: NaiveDate,
    pub search: Option<String>,
    pub status: Option<String>,
    pub department_ids: Option<Vec<i64>>,
    pub round_id: Option<i64>,
    pub page: i64,
    /// 0: every row (exports).
    pub per_page: i64,
}

macro_rules! certificate_filter {
    () => {
        concat!(
            "($2 IS NULL OR LOWER(c.number) LIKE $2 OR e.search LIKE $2) AND ($3 IS NULL OR ",
            certificate_status_sql!(),
            " = $3) AND ($4 IS NULL OR c.round_id = $4) "
        )
    };
}

/// Certificates matching the query, newest first. Department scoping is applied by the
/// caller's list of departments (empty list = none).
pub async fn list_certificates(
    c: &mut Conn<'_>,
    q: &CertificateQuery,
) -> Result<Page<CertificateRow>, StoreError> {
    let like = q.search.as_ref().map(|s| format!("%{}%", s.to_lowercase()));
    let per_page = if q.per_page <= 0 {
        i64::MAX
    } else {
        q.per_page.clamp(1, 500)
    };
    let page = q.page.max(1);
    if q.department_ids.is_none() && q.per_page > 0 {
        // Everywhere: one page from SQL and a count.
        let items: Vec<CertificateRow> = on!(c, |c| sqlx::query_as(concat!(
            certificate_select!(),
            "WHERE ",
            certificate_filter!(),
            "ORDER BY c.issued_on DESC, c.number DESC LIMIT $5 OFFSET $6"
        ))
        .bind(q.today)
        .bind(&like)
        .bind(&q.status)
        .bind(q.round_id)
        .bind(per_page)
        .bind((page - 1) * per_page)
        .fetch_all(&mut *c)
        .await)?;
        let total: i64 = on!(c, |c| {
            sqlx::query_scalar(concat!(
            "SELECT COUNT(*) FROM certificates c JOIN employees e ON e.id = c.employee_id WHERE ",
            certificate_filter!()
        ))
        .bind(q.today)
        .bind(&like)
        .bind(&q.status)
        .bind(q.round_id)
        .fetch_one(&mut *c)
        .await
        })?;
        return Ok(Page {
            items,
            total,
            page,
            per_page,
        });
    }
    // Scoped to departments (a list of any length), or every row for an export: filtered
    // here, since the department list cannot be one bound parameter on both backends.
    let rows: Vec<CertificateRow> = on!(c, |c| sqlx::query_as(concat!(
        certificate_select!(),
        "WHERE ",
        certificate_filter!(),
        "ORDER BY c.issued_on DESC, c.number DESC"
    ))
    .bind(q.today)
    .bind(&like)
    .bind(&q.status)
    .bind(q.round_id)
    .fetch_all(&mut *c)
    .await)?;
    let rows: Vec<CertificateRow> = match &q.department_ids {
        Some(ids) => rows
            .into_iter()
            .filter(|r| ids.contains(&r.department_id))
            .collect(),
        None => rows,
    };
    let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(per_page).unwrap_or(usize::MAX);
    Ok(Page {
        items: rows.into_iter().skip(skip).take(take).collect(),
        total,
        page,
        per_page: if q.per_page <= 0 {
            total.max(1)
        } else {
            per_page
        },
    })
}

/// Count of certificates per computed status on `today`.
pub async fn certificate_counts(
    c: &mut Conn<'_>,
    today: NaiveDate,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        certificate_status_sql!(),
        " AS status, COUNT(*) FROM certificates c GROUP BY 1 ORDER BY 1"
    ))
    .bind(today)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn set_suspended(c: &mut Conn<'_>, id: i64, suspended: bool) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE certificates SET suspended = $2 WHERE id = $1 AND revoked_at IS NULL"
    )
    .bind(id)
    .bind(suspended)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn revoke(
    c: &mut Conn<'_>,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE certificates SET revoked_at = $2, revoked_reason = $3, suspended = FALSE \
         WHERE id = $1 AND revoked_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .bind(reason)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn supersede(c: &mut Conn<'_>, id: i64, by: i64) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE certificates SET superseded_by = $2 WHERE id = $1 AND superseded_by IS NULL \
         AND revoked_at IS NULL"
    )
    .bind(id)
    .bind(by)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Status-list positions currently set for `purpose` ("revocation" or "suspension").
pub async fn status_bits(c: &mut Conn<'_>, purpose: &str) -> Result<Vec<i32>, StoreError> {
    let rows: Vec<i32> = match purpose {
        "revocation" => on!(c, |c| sqlx::query_scalar(
            "SELECT revocation_index FROM certificates WHERE revoked_at IS NOT NULL"
        )
        .fetch_all(&mut *c)
        .await)?,
        _ => on!(c, |c| sqlx::query_scalar(
            "SELECT suspension_index FROM certificates WHERE suspended AND revoked_at IS NULL"
        )
        .fetch_all(&mut *c)
        .await)?,
    };
    Ok(rows)
}

// ---------------------------------------------------------------- re-evaluation

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub certificate_id: i64,
    pub number: String,
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub department_id: i64,
    pub level_key: String,
    pub valid_until: NaiveDate,
    pub due_on: NaiveDate,
    pub status: String,
    pub new_certificate_id: Option<i64>,
    pub new_number: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Certificates whose re-evaluation lead time has started on `today`, still current, and
/// without a task yet.
pub async fn due_without_task(
    c: &mut Conn<'_>,
    today: NaiveDate,
) -> Result<Vec<CertificateRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        certificate_select!(),
        "WHERE c.reevaluation_due <= $1 AND c.valid_until >= $1 AND c.revoked_at IS NULL \
         AND c.superseded_by IS NULL \
         AND NOT EXISTS (SELECT 1 FROM reevaluation_tasks t WHERE t.certificate_id = c.id) \
         ORDER BY c.id"
    ))
    .bind(today)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn insert_task(
    c: &mut Conn<'_>,
    certificate_id: i64,
    due_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "INSERT INTO reevaluation_tasks (certificate_id, due_on, status, created_at) \
         VALUES ($1, $2, 'open', $3) RETURNING id"
    )
    .bind(certificate_id)
    .bind(due_on)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn tasks(c: &mut Conn<'_>, status: Option<&str>) -> Result<Vec<TaskRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT t.id, t.certificate_id, c.number, c.employee_id, e.employee_no, e.name, \
         d.name AS department, e.department_id, c.level_key, c.valid_until, t.due_on, \
         t.status, t.new_certificate_id, n.number AS new_number, t.created_at \
         FROM reevaluation_tasks t JOIN certificates c ON c.id = t.certificate_id \
         JOIN employees e ON e.id = c.employee_id JOIN departments d ON d.id = e.department_id \
         LEFT JOIN certificates n ON n.id = t.new_certificate_id \
         WHERE ($1 IS NULL OR t.status = $1) ORDER BY c.valid_until, c.number"
    )
    .bind(status)
    .fetch_all(&mut *c)
    .await)?)
}

/// Marks open tasks of certificates expired before `today` as lapsed; returns how many.
pub async fn lapse_tasks(
    c: &mut Conn<'_>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(on!(c, |c| sqlx::query(
        "UPDATE reevaluation_tasks SET status = 'lapsed', closed_at = $2 WHERE status = 'open' \
         AND certificate_id IN (SELECT id FROM certificates WHERE valid_until < $1)"
    )
    .bind(today)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Closes the open task of a certificate as passed (a successor was issued) or lapsed.
pub async fn close_task(
    c: &mut Conn<'_>,
    certificate_id: i64,
    status: &str,
    new_certificate_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE reevaluation_tasks SET status = $2, new_certificate_id = $3, closed_at = $4 \
         WHERE certificate_id = $1 AND status = 'open'"
    )
    .bind(certificate_id)
    .bind(status)
    .bind(new_certificate_id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

// ---------------------------------------------------------------- inbox

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub params: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

pub async fn insert_message(
    c: &mut Conn<'_>,
    user_id: i64,
    kind: &str,
    params: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "INSERT INTO inbox_messages (user_id, kind, params, link, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(user_id)
    .bind(kind)
    .bind(params)
    .bind(link)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn messages(
    c: &mut Conn<'_>,
    user_id: i64,
    page: i64,
    per_page: i64,
) -> Result<Page<MessageRow>, StoreError> {
    let per_page = per_page.clamp(1, 200);
    let page = page.max(1);
    let items = on!(c, |c| sqlx::query_as(
        "SELECT id, user_id, kind, params, link, created_at, read_at FROM inbox_messages \
         WHERE user_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
    )
    .bind(user_id)
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(&mut *c)
    .await)?;
    let total: i64 = on!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM inbox_messages WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_one(&mut *c)
    .await)?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

pub async fn unread_count(c: &mut Conn<'_>, user_id: i64) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM inbox_messages WHERE user_id = $1 AND read_at IS NULL"
    )
    .bind(user_id)
    .fetch_one(&mut *c)
    .await)?)
}

/// Marks one message (or, with `None`, all) of `user_id` read.
pub async fn mark_read(
    c: &mut Conn<'_>,
    user_id: i64,
    id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(on!(c, |c| sqlx::query(
        "UPDATE inbox_messages SET read_at = $3 WHERE user_id = $1 \
         AND ($2 IS NULL OR id = $2) AND read_at IS NULL"
    )
    .bind(user_id)
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?)
}

// ---------------------------------------------------------------- consequences

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ConsequenceRow {
    pub id: i64,
    pub result_id: i64,
    pub round_id: i64,
    pub round_code: String,
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub department_id: i64,
    pub failure_number: i32,
    pub step_key: String,
    pub withhold_pay_percent: i32,
    pub off_duty_days: i32,
    pub off_duty_until: Option<NaiveDate>,
    pub probation_until: Option<NaiveDate>,
    pub hr_procedure: String,
    pub retake_allowed: bool,
    pub retake_from: Option<NaiveDate>,
    pub status_before: String,
    pub status_now: Option<String>,
    pub returned_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewConsequence {
    pub result_id: i64,
    pub round_id: i64,
    pub employee_id: i64,
    pub failure_number: i32,
    pub step_key: String,
    pub withhold_pay_percent: i32,
    pub off_duty_days: i32,
    pub off_duty_until: Option<NaiveDate>,
    pub probation_until: Option<NaiveDate>,
    pub hr_procedure: String,
    pub retake_allowed: bool,
    pub retake_from: Option<NaiveDate>,
    pub status_before: String,
    pub status_now: Option<String>,
}

pub async fn insert_consequence(
    c: &mut Conn<'_>,
    n: &NewConsequence,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "INSERT INTO consequences (result_id, round_id, employee_id, failure_number, step_key, \
         withhold_pay_percent, off_duty_days, off_duty_until, probation_until, hr_procedure, \
         retake_allowed, retake_from, status_before, status_now, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id"
    )
    .bind(n.result_id)
    .bind(n.round_id)
    .bind(n.employee_id)
    .bind(n.failure_number)
    .bind(&n.step_key)
    .bind(n.withhold_pay_percent)
    .bind(n.off_duty_days)
    .bind(n.off_duty_until)
    .bind(n.probation_until)
    .bind(&n.hr_procedure)
    .bind(n.retake_allowed)
    .bind(n.retake_from)
    .bind(&n.status_before)
    .bind(&n.status_now)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

macro_rules! consequence_select {
    () => {
        "SELECT k.id, k.result_id, k.round_id, r.code AS round_code, k.employee_id, \
         e.employee_no, e.name, d.name AS department, e.department_id, k.failure_number, \
         k.step_key, k.withhold_pay_percent, k.off_duty_days, k.off_duty_until, \
         k.probation_until, k.hr_procedure, k.retake_allowed, k.retake_from, k.status_before, \
         k.status_now, k.returned_on, k.created_at \
         FROM consequences k JOIN cert_rounds r ON r.id = k.round_id \
         JOIN employees e ON e.id = k.employee_id JOIN departments d ON d.id = e.department_id "
    };
}

pub async fn consequences(
    c: &mut Conn<'_>,
    round_id: Option<i64>,
    employee_id: Option<i64>,
) -> Result<Vec<ConsequenceRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        consequence_select!(),
        "WHERE ($1 IS NULL OR k.round_id = $1) AND ($2 IS NULL OR k.employee_id = $2) \
         ORDER BY k.id DESC"
    ))
    .bind(round_id)
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn get_consequence(c: &mut Conn<'_>, id: i64) -> Result<ConsequenceRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        consequence_select!(),
        "WHERE k.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

/// Records the employee's return to duty; `false` if already returned.
pub async fn mark_returned(
    c: &mut Conn<'_>,
    id: i64,
    on_day: NaiveDate,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE consequences SET returned_on = $2 WHERE id = $1 AND returned_on IS NULL \
         AND status_now IS NOT NULL"
    )
    .bind(id)
    .bind(on_day)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Changes an employee's status and records why, in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn change_employee_status(
    c: &mut Conn<'_>,
    employee_id: i64,
    from: &str,
    to: &str,
    reason: &str,
    consequence_id: Option<i64>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE employees SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2"
    )
    .bind(employee_id)
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(false);
    }
    on!(c, |c| sqlx::query(
        "INSERT INTO employee_status_changes (employee_id, from_status, to_status, reason, \
         consequence_id, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(employee_id)
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(consequence_id)
    .bind(by)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(true)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct StatusChangeRow {
    pub id: i64,
    pub employee_id: i64,
    pub from_status: String,
    pub to_status: String,
    pub reason: String,
    pub consequence_id: Option<i64>,
    pub changed_at: DateTime<Utc>,
}

pub async fn status_changes(
    c: &mut Conn<'_>,
    employee_id: i64,
) -> Result<Vec<StatusChangeRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT id, employee_id, from_status, to_status, reason, consequence_id, changed_at \
         FROM employee_status_changes WHERE employee_id = $1 ORDER BY id"
    )
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- sources

/// `(id, title)` of the exam session with `code`.
pub async fn exam_session_by_code(
    c: &mut Conn<'_>,
    code: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT id, title FROM exam_sessions WHERE code = $1"
    )
    .bind(code)
    .fetch_optional(&mut *c)
    .await)?)
}

/// `(id, title)` of the assessment event with `code`.
pub async fn event_by_code(
    c: &mut Conn<'_>,
    code: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT id, title FROM assessment_events WHERE code = $1 AND kind = 'assessment'"
    )
    .bind(code)
    .fetch_optional(&mut *c)
    .await)?)
}

/// `(code, title)` of an exam session and of an event, for showing sources.
pub async fn source_labels(
    c: &mut Conn<'_>,
    exam_session_id: Option<i64>,
    event_id: Option<i64>,
) -> Result<Option<(String, String)>, StoreError> {
    if let Some(id) = exam_session_id {
        return Ok(on!(c, |c| sqlx::query_as(
            "SELECT code, title FROM exam_sessions WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?);
    }
    if let Some(id) = event_id {
        return Ok(on!(c, |c| sqlx::query_as(
            "SELECT code, title FROM assessment_events WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?);
    }
    Ok(None)
}

/// Graded attempts of a session: `(attempt id, employee id, score, max score)`.
pub async fn graded_attempts(
    c: &mut Conn<'_>,
    session_id: i64,
) -> Result<Vec<(i64, i64, i32, i32)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT id, employee_id, score, max_score FROM exam_attempts \
         WHERE session_id = $1 AND status = 'graded' AND score IS NOT NULL AND max_score > 0 \
         ORDER BY employee_id, id"
    )
    .bind(session_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Users who marked any answer of `employee_id` in a session: they may not review an
/// appeal against it.
pub async fn exam_markers(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
) -> Result<Vec<i64>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT DISTINCT m.marker_user_id FROM exam_marks m \
         JOIN exam_attempts a ON a.id = m.attempt_id \
         WHERE a.session_id = $1 AND a.employee_id = $2"
    )
    .bind(session_id)
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Users of the judges seated for `employee_id` at an event, and its chief judge.
pub async fn panel_users(
    c: &mut Conn<'_>,
    event_id: i64,
    employee_id: i64,
) -> Result<Vec<i64>, StoreError> {
    let mut users: Vec<i64> = on!(c, |c| sqlx::query_scalar(
        "SELECT u.id FROM panel_seats p JOIN event_subjects s ON s.id = p.subject_id \
         JOIN users u ON u.employee_id = p.judge_id \
         WHERE s.event_id = $1 AND s.employee_id = $2"
    )
    .bind(event_id)
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?;
    let chief: Option<Option<i64>> = on!(c, |c| sqlx::query_scalar(
        "SELECT chief_user_id FROM assessment_events WHERE id = $1"
    )
    .bind(event_id)
    .fetch_optional(&mut *c)
    .await)?;
    users.extend(chief.flatten());
    Ok(users)
}

/// Puts an approved applicant on a session's candidate list (sessions open to a list).
pub async fn add_session_candidate(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "INSERT INTO exam_session_candidates (session_id, employee_id) VALUES ($1, $2) \
         ON CONFLICT (session_id, employee_id) DO NOTHING"
    )
    .bind(session_id)
    .bind(employee_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The user account of an employee and of their supervisor, for inbox messages.
pub async fn users_to_notify(
    c: &mut Conn<'_>,
    employee_id: i64,
) -> Result<(Option<i64>, Option<i64>), StoreError> {
    let row: Option<(Option<i64>, Option<i64>)> = on!(c, |c| sqlx::query_as(
        "SELECT (SELECT u.id FROM users u WHERE u.employee_id = e.id AND u.active), \
         (SELECT u.id FROM users u WHERE u.employee_id = e.supervisor_id AND u.active) \
         FROM employees e WHERE e.id = $1"
    )
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(row.unwrap_or((None, None)))
}

/// Users who typed a score in for `employee_id` in a round.
pub async fn score_enterers(
    c: &mut Conn<'_>,
    round_id: i64,
    employee_id: i64,
) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<Option<i64>> = on!(c, |c| sqlx::query_scalar(
        "SELECT DISTINCT entered_by FROM round_scores WHERE round_id = $1 AND employee_id = $2"
    )
    .bind(round_id)
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows.into_iter().flatten().collect())
}

/// Every question's skill tags, `(question id, skill code)`.
pub async fn question_skills(c: &mut Conn<'_>) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT question_id, skill_code FROM question_tags ORDER BY question_id"
    )
    .fetch_all(&mut *c)
    .await)?)
}
