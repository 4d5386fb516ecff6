//! Exam sessions, attempts, answers and marks.
//!
//! Times compared in SQL (opening, closing, deadlines) are Unix milliseconds in both
//! backends. An attempt's drawn paper is JSON and never changes once written.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, QueryBuilder};

use crate::{Conn, Page, StoreError, on};

/// An exam session as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub paper_id: Option<i64>,
    pub mode: String,
    pub opens_at_ms: i64,
    pub closes_at_ms: i64,
    pub duration_minutes: i32,
    pub attempts_allowed: i32,
    /// Pass line in hundredths.
    pub pass_mark: i32,
    pub review: String,
    pub double_marking: bool,
    /// Hundredths.
    pub divergence: i32,
    pub audience: String,
    #[serde(skip)]
    pub paper_spec: Option<String>,
    #[serde(skip)]
    pub pool: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The frozen paper and pool can be large; they are read only by [`get_frozen`].
macro_rules! session_cols {
    () => {
        "id, code, title, paper_id, mode, opens_at_ms, closes_at_ms, \
    duration_minutes, attempts_allowed, pass_mark, review, double_marking, divergence, audience, \
    CAST(NULL AS TEXT) AS paper_spec, CAST(NULL AS TEXT) AS pool, status, created_at, updated_at"
    };
}

/// The settings of a session that people edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFields {
    pub code: String,
    pub title: String,
    pub paper_id: Option<i64>,
    pub mode: String,
    pub opens_at_ms: i64,
    pub closes_at_ms: i64,
    pub duration_minutes: i32,
    pub attempts_allowed: i32,
    pub pass_mark: i32,
    pub review: String,
    pub double_marking: bool,
    pub divergence: i32,
    pub audience: String,
}

pub async fn insert_session(
    c: &mut Conn<'_>,
    f: &SessionFields,
    now: DateTime<Utc>,
) -> Result<SessionRow, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, SessionRow>(concat!(
        "INSERT INTO exam_sessions (code, title, paper_id, mode, opens_at_ms, closes_at_ms, \
         duration_minutes, attempts_allowed, pass_mark, review, double_marking, divergence, \
         audience, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'draft', $14, $14) \
         RETURNING ",
        session_cols!()
    ))
    .bind(&f.code)
    .bind(&f.title)
    .bind(f.paper_id)
    .bind(&f.mode)
    .bind(f.opens_at_ms)
    .bind(f.closes_at_ms)
    .bind(f.duration_minutes)
    .bind(f.attempts_allowed)
    .bind(f.pass_mark)
    .bind(&f.review)
    .bind(f.double_marking)
    .bind(f.divergence)
    .bind(&f.audience)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn update_session(
    c: &mut Conn<'_>,
    id: i64,
    f: &SessionFields,
    now: DateTime<Utc>,
) -> Result<SessionRow, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, SessionRow>(concat!(
        "UPDATE exam_sessions SET code = $2, title = $3, paper_id = $4, mode = $5, \
         opens_at_ms = $6, closes_at_ms = $7, duration_minutes = $8, attempts_allowed = $9, \
         pass_mark = $10, review = $11, double_marking = $12, divergence = $13, audience = $14, \
         updated_at = $15 WHERE id = $1 RETURNING ",
        session_cols!()
    ))
    .bind(id)
    .bind(&f.code)
    .bind(&f.title)
    .bind(f.paper_id)
    .bind(&f.mode)
    .bind(f.opens_at_ms)
    .bind(f.closes_at_ms)
    .bind(f.duration_minutes)
    .bind(f.attempts_allowed)
    .bind(f.pass_mark)
    .bind(&f.review)
    .bind(f.double_marking)
    .bind(f.divergence)
    .bind(&f.audience)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

/// Publishes (freezing the paper and its pool), cancels, or returns a session to draft.
pub async fn set_session_status(
    c: &mut Conn<'_>,
    id: i64,
    status: &str,
    paper_spec: Option<&str>,
    pool: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE exam_sessions SET status = $2, paper_spec = $3, pool = $4, updated_at = $5 \
         WHERE id = $1"
    )
    .bind(id)
    .bind(status)
    .bind(paper_spec)
    .bind(pool)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get_session(c: &mut Conn<'_>, id: i64) -> Result<SessionRow, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, SessionRow>(concat!(
        "SELECT ",
        session_cols!(),
        " FROM exam_sessions WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *c)
    .await)?)
}

/// The paper and question pool frozen into a published session (JSON), with the session's
/// `updated_at` they belong to.
pub async fn get_frozen(
    c: &mut Conn<'_>,
    id: i64,
) -> Result<(Option<String>, Option<String>, DateTime<Utc>), StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<
        _,
        (Option<String>, Option<String>, DateTime<Utc>),
    >(
        "SELECT paper_spec, pool, updated_at FROM exam_sessions WHERE id = $1"
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await)?)
}

/// Sessions, newest opening first; `status` filters when given.
pub async fn list_sessions(
    c: &mut Conn<'_>,
    status: Option<&str>,
    page: i64,
    per_page: i64,
) -> Result<Page<SessionRow>, StoreError> {
    let per_page = per_page.clamp(1, 500);
    let page = page.max(1);
    let offset = (page - 1) * per_page;
    let items: Vec<SessionRow> = on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        session_cols!(),
        " FROM exam_sessions WHERE ($1 IS NULL OR status = $1) \
         ORDER BY opens_at_ms DESC, id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(status)
    .bind(per_page)
    .bind(offset)
    .fetch_all(&mut *c)
    .await)?;
    let total: i64 = on!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM exam_sessions WHERE ($1 IS NULL OR status = $1)"
    )
    .bind(status)
    .fetch_one(&mut *c)
    .await)?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// Published sessions that include `department_ids` or list `employee_id`, still open or
/// opening after `now_ms` minus a day (so a candidate also sees what just closed).
pub async fn sessions_for_candidate(
    c: &mut Conn<'_>,
    employee_id: i64,
    department_ids: &[i64],
    since_ms: i64,
) -> Result<Vec<SessionRow>, StoreError> {
    Ok(on!(c, |c| {
        let mut qb = QueryBuilder::new(concat!(
            "SELECT ",
            session_cols!(),
            " FROM exam_sessions s WHERE s.status = 'published' \
             AND s.mode = 'online' AND s.closes_at_ms >= "
        ));
        qb.push_bind(since_ms);
        qb.push(
            " AND ((s.audience = 'list' AND EXISTS (SELECT 1 FROM exam_session_candidates x \
             WHERE x.session_id = s.id AND x.employee_id = ",
        );
        qb.push_bind(employee_id);
        qb.push("))");
        if !department_ids.is_empty() {
            qb.push(
                " OR (s.audience = 'departments' AND EXISTS (SELECT 1 FROM \
                 exam_session_departments d WHERE d.session_id = s.id AND d.department_id IN (",
            );
            let mut sep = qb.separated(", ");
            for d in department_ids {
                sep.push_bind(*d);
            }
            qb.push(")))");
        }
        qb.push(") ORDER BY s.opens_at_ms, s.id");
        qb.build_query_as::<SessionRow>().fetch_all(&mut *c).await
    })?)
}

pub async fn set_departments(c: &mut Conn<'_>, id: i64, ds: &[i64]) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "DELETE FROM exam_session_departments WHERE session_id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    for d in ds {
        on!(c, |c| sqlx::query(
            "INSERT INTO exam_session_departments (session_id, department_id) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(*d)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub async fn departments(c: &mut Conn<'_>, id: i64) -> Result<Vec<i64>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT department_id FROM exam_session_departments WHERE session_id = $1 \
         ORDER BY department_id"
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn set_candidates(c: &mut Conn<'_>, id: i64, es: &[i64]) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "DELETE FROM exam_session_candidates WHERE session_id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    for chunk in es.chunks(400) {
        on!(c, |c| {
            let mut qb =
                QueryBuilder::new("INSERT INTO exam_session_candidates (session_id, employee_id) ");
            qb.push_values(chunk, |mut b, e| {
                b.push_bind(id).push_bind(*e);
            });
            qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn candidates(c: &mut Conn<'_>, id: i64) -> Result<Vec<i64>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT employee_id FROM exam_session_candidates WHERE session_id = $1 \
         ORDER BY employee_id"
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn is_listed(c: &mut Conn<'_>, id: i64, employee_id: i64) -> Result<bool, StoreError> {
    let n: i64 = on!(c, |c| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM exam_session_candidates WHERE session_id = $1 AND employee_id = $2"
    )
    .bind(id)
    .bind(employee_id)
    .fetch_one(&mut *c)
    .await
    })?;
    Ok(n > 0)
}

/// A candidate's extra time and extra attempts in a session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, FromRow)]
pub struct Override {
    pub extra_minutes: i32,
    pub extra_attempts: i32,
}

pub async fn get_override(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
) -> Result<Override, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, Override>(
        "SELECT extra_minutes, extra_attempts FROM exam_overrides \
         WHERE session_id = $1 AND employee_id = $2"
    )
    .bind(session_id)
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?
    .unwrap_or_default())
}

pub async fn put_override(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
    o: Override,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "INSERT INTO exam_overrides (session_id, employee_id, extra_minutes, extra_attempts) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (session_id, employee_id) DO UPDATE SET \
         extra_minutes = excluded.extra_minutes, extra_attempts = excluded.extra_attempts"
    )
    .bind(session_id)
    .bind(employee_id)
    .bind(o.extra_minutes)
    .bind(o.extra_attempts)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// One attempt as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct AttemptRow {
    pub id: i64,
    pub session_id: i64,
    pub employee_id: i64,
    pub number: i32,
    pub seed: i64,
    /// JSON of the drawn items.
    #[serde(skip)]
    pub paper: String,
    pub status: String,
    pub started_at_ms: i64,
    pub deadline_ms: i64,
    pub submitted_at_ms: Option<i64>,
    pub closed_by: Option<String>,
    pub max_score: i32,
    pub score: Option<i32>,
    pub passed: Option<bool>,
}

macro_rules! attempt_cols {
    () => {
        "id, session_id, employee_id, number, seed, paper, status, \
    started_at_ms, deadline_ms, submitted_at_ms, closed_by, max_score, score, passed"
    };
}

/// What a new attempt is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttempt<'a> {
    pub session_id: i64,
    pub employee_id: i64,
    pub number: i32,
    pub seed: i64,
    pub paper: &'a str,
    pub status: &'a str,
    pub started_at_ms: i64,
    pub deadline_ms: i64,
    pub max_score: i32,
}

/// Inserts an attempt unless the candidate already has an open one in the session (the
/// partial unique index decides, not a prior check); `None` when one was open.
pub async fn insert_attempt(
    c: &mut Conn<'_>,
    a: &NewAttempt<'_>,
) -> Result<Option<i64>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO exam_attempts (session_id, employee_id, number, seed, paper, status, \
         started_at_ms, deadline_ms, max_score) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT DO NOTHING RETURNING id"
    )
    .bind(a.session_id)
    .bind(a.employee_id)
    .bind(a.number)
    .bind(a.seed)
    .bind(a.paper)
    .bind(a.status)
    .bind(a.started_at_ms)
    .bind(a.deadline_ms)
    .bind(a.max_score)
    .fetch_optional(&mut *c)
    .await)?)
}

pub async fn get_attempt(c: &mut Conn<'_>, id: i64) -> Result<AttemptRow, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, AttemptRow>(concat!(
        "SELECT ",
        attempt_cols!(),
        " FROM exam_attempts WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *c)
    .await)?)
}

/// `(status, deadline_ms)` of an attempt: the part of it that changes.
pub async fn attempt_state(c: &mut Conn<'_>, id: i64) -> Result<(String, i64), StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, (String, i64)>(
        "SELECT status, deadline_ms FROM exam_attempts WHERE id = $1"
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await)?)
}

/// Every attempt of a candidate in a session, first first.
pub async fn attempts_of(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
) -> Result<Vec<AttemptRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, AttemptRow>(concat!(
        "SELECT ",
        attempt_cols!(),
        " FROM exam_attempts WHERE session_id = $1 AND employee_id = $2 \
         ORDER BY number"
    ))
    .bind(session_id)
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Closes an open attempt; `false` when it was no longer open (someone else closed it).
pub async fn close_attempt(
    c: &mut Conn<'_>,
    id: i64,
    closed_by: &str,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE exam_attempts SET status = 'submitted', closed_by = $2, submitted_at_ms = $3 \
         WHERE id = $1 AND status = 'open'"
    )
    .bind(id)
    .bind(closed_by)
    .bind(at_ms)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Sets the result of an attempt; `score = None` keeps it submitted (marking pending).
pub async fn set_result(
    c: &mut Conn<'_>,
    id: i64,
    score: Option<i32>,
    passed: Option<bool>,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE exam_attempts SET score = $2, passed = $3, \
         status = CASE WHEN $2 IS NULL THEN status ELSE 'graded' END WHERE id = $1"
    )
    .bind(id)
    .bind(score)
    .bind(passed)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Reopens a closed attempt with a new deadline (a staff override).
pub async fn reopen_attempt(c: &mut Conn<'_>, id: i64, deadline_ms: i64) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE exam_attempts SET status = 'open', deadline_ms = $2, closed_by = NULL, \
         submitted_at_ms = NULL, score = NULL, passed = NULL WHERE id = $1"
    )
    .bind(id)
    .bind(deadline_ms)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    on!(c, |c| sqlx::query(
        "UPDATE exam_answers SET score = NULL, needs_marking = FALSE WHERE attempt_id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    on!(c, |c| sqlx::query(
        "DELETE FROM exam_answers WHERE attempt_id = $1 AND answer IS NULL"
    )
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_deadline(c: &mut Conn<'_>, id: i64, deadline_ms: i64) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE exam_attempts SET deadline_ms = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(deadline_ms)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Open attempts whose deadline has passed, oldest first.
pub async fn expired_attempts(
    c: &mut Conn<'_>,
    now_ms: i64,
    limit: i64,
) -> Result<Vec<i64>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT id FROM exam_attempts WHERE status = 'open' AND deadline_ms <= $1 \
         ORDER BY deadline_ms LIMIT $2"
    )
    .bind(now_ms)
    .bind(limit)
    .fetch_all(&mut *c)
    .await)?)
}

/// One stored answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct AnswerRow {
    pub position: i32,
    pub seq: i64,
    /// JSON of the domain Answer, `None` when never answered.
    pub answer: Option<String>,
    pub saved_at_ms: i64,
    pub needs_marking: bool,
    pub score: Option<i32>,
}

pub async fn answer_at(
    c: &mut Conn<'_>,
    attempt_id: i64,
    position: i32,
) -> Result<Option<(i64, Option<String>)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, (i64, Option<String>)>(
        "SELECT seq, answer FROM exam_answers WHERE attempt_id = $1 AND position = $2"
    )
    .bind(attempt_id)
    .bind(position)
    .fetch_optional(&mut *c)
    .await)?)
}

/// Stores the latest answer to one question.
pub async fn put_answer(
    c: &mut Conn<'_>,
    attempt_id: i64,
    position: i32,
    seq: i64,
    answer: &str,
    at_ms: i64,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "INSERT INTO exam_answers (attempt_id, position, seq, answer, saved_at_ms) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (attempt_id, position) DO UPDATE SET \
         seq = excluded.seq, answer = excluded.answer, saved_at_ms = excluded.saved_at_ms"
    )
    .bind(attempt_id)
    .bind(position)
    .bind(seq)
    .bind(answer)
    .bind(at_ms)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn answers(c: &mut Conn<'_>, attempt_id: i64) -> Result<Vec<AnswerRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, AnswerRow>(
        "SELECT position, seq, answer, saved_at_ms, needs_marking, score FROM exam_answers \
         WHERE attempt_id = $1 ORDER BY position"
    )
    .bind(attempt_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Records the grading of every item at submission: `(position, score, needs marking)`.
/// Items never answered get a row too, so every item has a score for analysis.
pub async fn grade_items(
    c: &mut Conn<'_>,
    attempt_id: i64,
    items: &[(i32, Option<i32>, bool)],
    at_ms: i64,
) -> Result<(), StoreError> {
    for chunk in items.chunks(500) {
        on!(c, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO exam_answers (attempt_id, position, seq, answer, saved_at_ms, \
                 needs_marking, score) ",
            );
            qb.push_values(chunk, |mut b, (pos, score, needs)| {
                b.push_bind(attempt_id)
                    .push_bind(*pos)
                    .push_bind(0_i64)
                    .push_bind(None::<String>)
                    .push_bind(at_ms)
                    .push_bind(*needs)
                    .push_bind(*score);
            });
            qb.push(
                " ON CONFLICT (attempt_id, position) DO UPDATE SET \
                 needs_marking = excluded.needs_marking, score = excluded.score",
            );
            qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// A marker's mark of one short answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct MarkRow {
    pub round: i32,
    pub marker_user_id: i64,
    pub score: i32,
    pub comment: Option<String>,
    pub marked_at: DateTime<Utc>,
}

pub async fn marks(
    c: &mut Conn<'_>,
    attempt_id: i64,
    position: i32,
) -> Result<Vec<MarkRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, MarkRow>(
        "SELECT round, marker_user_id, score, comment, marked_at FROM exam_marks \
         WHERE attempt_id = $1 AND position = $2 ORDER BY round"
    )
    .bind(attempt_id)
    .bind(position)
    .fetch_all(&mut *c)
    .await)?)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_mark(
    c: &mut Conn<'_>,
    attempt_id: i64,
    position: i32,
    round: i32,
    marker: i64,
    score: i32,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "INSERT INTO exam_marks (attempt_id, position, round, marker_user_id, score, comment, \
         marked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(attempt_id)
    .bind(position)
    .bind(round)
    .bind(marker)
    .bind(score)
    .bind(comment)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets the final mark of a short answer.
pub async fn finish_marking(
    c: &mut Conn<'_>,
    attempt_id: i64,
    position: i32,
    score: i32,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE exam_answers SET score = $3, needs_marking = FALSE \
         WHERE attempt_id = $1 AND position = $2"
    )
    .bind(attempt_id)
    .bind(position)
    .bind(score)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A short answer waiting for a marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct QueueItem {
    pub attempt_id: i64,
    pub position: i32,
    pub session_id: i64,
    pub marks_given: i64,
}

/// Short answers awaiting marks in a session (or all sessions) that `marker` has not marked
/// yet, for candidates in `departments` (all when `None`), oldest attempt first.
pub async fn marking_queue(
    c: &mut Conn<'_>,
    session_id: Option<i64>,
    marker: i64,
    departments: Option<&[i64]>,
    limit: i64,
) -> Result<Vec<QueueItem>, StoreError> {
    Ok(on!(c, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT a.attempt_id, a.position, t.session_id, \
             (SELECT COUNT(*) FROM exam_marks m WHERE m.attempt_id = a.attempt_id \
                AND m.position = a.position) AS marks_given \
             FROM exam_answers a JOIN exam_attempts t ON t.id = a.attempt_id \
             JOIN employees e ON e.id = t.employee_id WHERE a.needs_marking",
        );
        if let Some(s) = session_id {
            qb.push(" AND t.session_id = ");
            qb.push_bind(s);
        }
        if let Some(ds) = departments {
            if ds.is_empty() {
                qb.push(" AND 1=0");
            } else {
                qb.push(" AND e.department_id IN (");
                let mut sep = qb.separated(", ");
                for d in ds {
                    sep.push_bind(*d);
                }
                qb.push(")");
            }
        }
        qb.push(
            " AND NOT EXISTS (SELECT 1 FROM exam_marks m WHERE m.attempt_id = a.attempt_id \
             AND m.position = a.position AND m.marker_user_id = ",
        );
        qb.push_bind(marker);
        qb.push(") ORDER BY a.attempt_id, a.position LIMIT ");
        qb.push_bind(limit);
        qb.build_query_as::<QueueItem>().fetch_all(&mut *c).await
    })?)
}

/// Items of an attempt still awaiting a marker.
pub async fn pending_marks(c: &mut Conn<'_>, attempt_id: i64) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM exam_answers WHERE attempt_id = $1 AND needs_marking"
    )
    .bind(attempt_id)
    .fetch_one(&mut *c)
    .await)?)
}

/// A row of a session's result list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ResultRow {
    pub attempt_id: i64,
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department_id: i64,
    pub number: i32,
    pub status: String,
    pub started_at_ms: i64,
    pub submitted_at_ms: Option<i64>,
    pub closed_by: Option<String>,
    pub max_score: i32,
    pub score: Option<i32>,
    pub passed: Option<bool>,
}

/// Every attempt of a session with its candidate, optionally limited to departments.
pub async fn results(
    c: &mut Conn<'_>,
    session_id: i64,
    departments: Option<&[i64]>,
) -> Result<Vec<ResultRow>, StoreError> {
    Ok(on!(c, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT t.id AS attempt_id, t.employee_id, e.employee_no, e.name, e.department_id, \
             t.number, t.status, t.started_at_ms, t.submitted_at_ms, t.closed_by, t.max_score, \
             t.score, t.passed FROM exam_attempts t JOIN employees e ON e.id = t.employee_id \
             WHERE t.session_id = ",
        );
        qb.push_bind(session_id);
        if let Some(ds) = departments {
            if ds.is_empty() {
                qb.push(" AND 1=0");
            } else {
                qb.push(" AND e.department_id IN (");
                let mut sep = qb.separated(", ");
                for d in ds {
                    sep.push_bind(*d);
                }
                qb.push(")");
            }
        }
        qb.push(" ORDER BY e.employee_no, t.number");
        qb.build_query_as::<ResultRow>().fetch_all(&mut *c).await
    })?)
}

/// Every graded item of a session: `(attempt, position, score, answer JSON)`.
pub async fn graded_items(
    c: &mut Conn<'_>,
    session_id: i64,
) -> Result<Vec<(i64, i32, i32, Option<String>)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<
        _,
        (i64, i32, i32, Option<String>),
    >(
        "SELECT a.attempt_id, a.position, a.score, a.answer FROM exam_answers a \
         JOIN exam_attempts t ON t.id = a.attempt_id \
         WHERE t.session_id = $1 AND t.status = 'graded' AND a.score IS NOT NULL \
         ORDER BY a.attempt_id, a.position"
    )
    .bind(session_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Counts for a session's overview: `(open, submitted, graded)` attempts.
pub async fn attempt_counts(
    c: &mut Conn<'_>,
    session_id: i64,
) -> Result<(i64, i64, i64), StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN status = 'graded' THEN 1 ELSE 0 END), 0) \
         FROM exam_attempts WHERE session_id = $1"
    )
    .bind(session_id)
    .fetch_one(&mut *c)
    .await)?)
}

/// `(id, status, number)` of a candidate's attempts in a session.
pub async fn attempt_numbers(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
) -> Result<Vec<(i64, String, i32)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT id, status, number FROM exam_attempts WHERE session_id = $1 AND employee_id = $2"
    )
    .bind(session_id)
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// The candidate's open attempt in a session, if any.
pub async fn open_attempt(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT id FROM exam_attempts WHERE session_id = $1 AND employee_id = $2 \
         AND status = 'open'"
    )
    .bind(session_id)
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?)
}

/// What a save is decided on, in one read: the attempt's status and deadline and the
/// stored sequence and answer of the question.
#[allow(clippy::type_complexity)]
pub async fn save_state(
    c: &mut Conn<'_>,
    attempt_id: i64,
    position: i32,
) -> Result<Option<(String, i64, Option<i64>, Option<String>)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT t.status, t.deadline_ms, a.seq, a.answer FROM exam_attempts t \
         LEFT JOIN exam_answers a ON a.attempt_id = t.id AND a.position = $2 WHERE t.id = $1"
    )
    .bind(attempt_id)
    .bind(position)
    .fetch_optional(&mut *c)
    .await)?)
}

/// Marks an attempt entered from a paper exam as closed offline.
pub async fn close_offline(c: &mut Conn<'_>, id: i64, at_ms: i64) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE exam_attempts SET closed_by = 'offline', submitted_at_ms = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(at_ms)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The attempt holding a candidate's offline (paper) score in a session, if any.
pub async fn offline_attempt(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT id FROM exam_attempts WHERE session_id = $1 AND employee_id = $2 \
         AND closed_by = 'offline' ORDER BY number DESC LIMIT 1"
    )
    .bind(session_id)
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?)
}

/// What starting an attempt needs, in one round trip: the session, the candidate's
/// department and their override.
#[derive(Debug, Clone, FromRow)]
pub struct StartFacts {
    #[sqlx(flatten)]
    pub session: SessionRow,
    pub department_id: i64,
    pub extra_minutes: i32,
    pub extra_attempts: i32,
}

pub async fn start_facts(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
) -> Result<StartFacts, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, StartFacts>(
        "SELECT s.id, s.code, s.title, s.paper_id, s.mode, s.opens_at_ms, s.closes_at_ms, \
         s.duration_minutes, s.attempts_allowed, s.pass_mark, s.review, s.double_marking, \
         s.divergence, s.audience, CAST(NULL AS TEXT) AS paper_spec, CAST(NULL AS TEXT) AS pool, \
         s.status, s.created_at, s.updated_at, e.department_id, \
         COALESCE(o.extra_minutes, 0) AS extra_minutes, \
         COALESCE(o.extra_attempts, 0) AS extra_attempts \
         FROM exam_sessions s JOIN employees e ON e.id = $2 \
         LEFT JOIN exam_overrides o ON o.session_id = s.id AND o.employee_id = e.id \
         WHERE s.id = $1"
    )
    .bind(session_id)
    .bind(employee_id)
    .fetch_one(&mut *c)
    .await)?)
}
