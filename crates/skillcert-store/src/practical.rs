//! Practical assessment events: subjects (candidates or recordings), pools of judges,
//! declared conflicts, draws and the seats they produced, score sheets and their
//! corrections. Rules, draw inputs and sheet marks are JSON the service decodes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{FromRow, QueryBuilder};

use crate::{Conn, Page, StoreError, on};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct EventRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub scheme_key: Option<String>,
    pub component_key: Option<String>,
    pub rubric_key: String,
    pub rubric_version: i32,
    #[serde(skip)]
    pub rubric: String,
    #[serde(skip)]
    pub rules: String,
    pub chief_user_id: Option<i64>,
    pub next_seed: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! event_cols {
    () => {
        "id, code, title, kind, held_on, place, scheme_key, component_key, rubric_key, \
         rubric_version, rubric, rules, chief_user_id, next_seed, status, created_at, updated_at"
    };
}

/// What the service writes for an event.
#[derive(Debug, Clone)]
pub struct EventFields {
    pub code: String,
    pub title: String,
    pub kind: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub scheme_key: Option<String>,
    pub component_key: Option<String>,
    pub rubric_key: String,
    pub rubric_version: i32,
    pub rubric: String,
    pub rules: String,
    pub chief_user_id: Option<i64>,
}

/// A line of the event list, with progress counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct EventSummary {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub status: String,
    pub subjects: i64,
    pub seats: i64,
    pub submitted: i64,
}

pub async fn insert_event(
    c: &mut Conn<'_>,
    f: &EventFields,
    now: DateTime<Utc>,
) -> Result<EventRow, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "INSERT INTO assessment_events (code, title, kind, held_on, place, scheme_key, \
         component_key, rubric_key, rubric_version, rubric, rules, chief_user_id, next_seed, \
         status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, 'planning', $13, $13) \
         RETURNING ",
        event_cols!()
    ))
    .bind(&f.code)
    .bind(&f.title)
    .bind(&f.kind)
    .bind(f.held_on)
    .bind(&f.place)
    .bind(&f.scheme_key)
    .bind(&f.component_key)
    .bind(&f.rubric_key)
    .bind(f.rubric_version)
    .bind(&f.rubric)
    .bind(&f.rules)
    .bind(f.chief_user_id)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn update_event(
    c: &mut Conn<'_>,
    id: i64,
    f: &EventFields,
    now: DateTime<Utc>,
) -> Result<EventRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        "UPDATE assessment_events SET code = $2, title = $3, kind = $4, held_on = $5, \
         place = $6, scheme_key = $7, component_key = $8, rubric_key = $9, \
         rubric_version = $10, rubric = $11, rules = $12, chief_user_id = $13, \
         updated_at = $14 WHERE id = $1 RETURNING ",
        event_cols!()
    ))
    .bind(id)
    .bind(&f.code)
    .bind(&f.title)
    .bind(&f.kind)
    .bind(f.held_on)
    .bind(&f.place)
    .bind(&f.scheme_key)
    .bind(&f.component_key)
    .bind(&f.rubric_key)
    .bind(f.rubric_version)
    .bind(&f.rubric)
    .bind(&f.rules)
    .bind(f.chief_user_id)
    .bind(now)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

pub async fn get_event(c: &mut Conn<'_>, id: i64) -> Result<EventRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        event_cols!(),
        " FROM assessment_events WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

pub async fn set_status(
    c: &mut Conn<'_>,
    id: i64,
    status: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE assessment_events SET status = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(status)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_next_seed(
    c: &mut Conn<'_>,
    id: i64,
    seed: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE assessment_events SET next_seed = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(seed)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Filters of the event list.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// Lower-cased text matched against code and title.
    pub search: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

macro_rules! event_filter {
    () => {
        "($1 IS NULL OR LOWER(e.code) LIKE $1 OR LOWER(e.title) LIKE $1) \
         AND ($2 IS NULL OR e.status = $2) AND ($3 IS NULL OR e.kind = $3)"
    };
}

pub async fn list_events(
    c: &mut Conn<'_>,
    q: &EventQuery,
) -> Result<Page<EventSummary>, StoreError> {
    let per_page = q.per_page.clamp(1, 200);
    let page = q.page.max(1);
    let like = q.search.as_ref().map(|s| format!("%{}%", s.to_lowercase()));
    let items: Vec<EventSummary> = on!(c, |c| sqlx::query_as(concat!(
        "SELECT e.id, e.code, e.title, e.kind, e.held_on, e.place, e.status, \
         (SELECT COUNT(*) FROM event_subjects s WHERE s.event_id = e.id) AS subjects, \
         (SELECT COUNT(*) FROM panel_seats p JOIN event_subjects s ON s.id = p.subject_id \
          WHERE s.event_id = e.id) AS seats, \
         (SELECT COUNT(*) FROM score_sheets h JOIN event_subjects s ON s.id = h.subject_id \
          WHERE s.event_id = e.id AND h.status = 'submitted') AS submitted \
         FROM assessment_events e WHERE ",
        event_filter!(),
        " ORDER BY e.held_on DESC, e.id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(&like)
    .bind(&q.status)
    .bind(&q.kind)
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(&mut *c)
    .await)?;
    let total: i64 = on!(c, |c| sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM assessment_events e WHERE ",
        event_filter!()
    ))
    .bind(&like)
    .bind(&q.status)
    .bind(&q.kind)
    .fetch_one(&mut *c)
    .await)?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// Earlier assessment events of the same scheme in which `employee_id` was a subject,
/// held in `[from, before)`: the retake ladder counts failures within a year.
pub async fn earlier_events_of(
    c: &mut Conn<'_>,
    employee_id: i64,
    scheme_key: &str,
    from: NaiveDate,
    before: NaiveDate,
    except_event: i64,
) -> Result<Vec<i64>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT e.id FROM assessment_events e JOIN event_subjects s ON s.event_id = e.id \
         WHERE s.employee_id = $1 AND e.scheme_key = $2 AND e.kind = 'assessment' \
         AND e.held_on >= $3 AND e.held_on < $4 AND e.id <> $5 ORDER BY e.held_on, e.id"
    )
    .bind(employee_id)
    .bind(scheme_key)
    .bind(from)
    .bind(before)
    .bind(except_event)
    .fetch_all(&mut *c)
    .await)?)
}

/// A subject with the employee facts the draw and the pages need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SubjectRow {
    pub id: i64,
    pub event_id: i64,
    pub position: i32,
    pub employee_id: Option<i64>,
    pub label: String,
    pub inputs: String,
    pub reference: Option<i32>,
    pub released_by: Option<i64>,
    pub release_note: Option<String>,
    pub employee_no: Option<String>,
    pub name: Option<String>,
    pub department_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub supervisor_id: Option<i64>,
}

macro_rules! subject_select {
    () => {
        "SELECT s.id, s.event_id, s.position, s.employee_id, s.label, \
     s.inputs, s.reference, s.released_by, s.release_note, e.employee_no, e.name, \
     e.department_id, e.unit_id, e.supervisor_id \
     FROM event_subjects s LEFT JOIN employees e ON e.id = s.employee_id"
    };
}

pub async fn subjects(c: &mut Conn<'_>, event_id: i64) -> Result<Vec<SubjectRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        subject_select!(),
        " WHERE s.event_id = $1 ORDER BY s.position"
    ))
    .bind(event_id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn subject(c: &mut Conn<'_>, id: i64) -> Result<SubjectRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        subject_select!(),
        " WHERE s.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

/// A subject to store: an employee, or a labelled recording with its reference total.
#[derive(Debug, Clone)]
pub struct NewSubject {
    pub employee_id: Option<i64>,
    pub label: String,
    pub reference: Option<i32>,
}

/// Replaces the subjects of an event still being planned (no seats or sheets exist yet).
/// Subjects that stay keep their id, inputs and declared conflicts; positions follow the
/// new order.
pub async fn set_subjects(
    c: &mut Conn<'_>,
    event_id: i64,
    list: &[NewSubject],
) -> Result<(), StoreError> {
    let existing = subjects(c, event_id).await?;
    // Park every position out of the way first: (event, position) is unique.
    on!(c, |c| sqlx::query(
        "UPDATE event_subjects SET position = -1 - position WHERE event_id = $1"
    )
    .bind(event_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    let mut kept = Vec::new();
    for (i, s) in list.iter().enumerate() {
        // Positions count from 1, as people number candidates.
        let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
        let same = existing
            .iter()
            .find(|e| match (e.employee_id, s.employee_id) {
                (Some(a), Some(b)) => a == b,
                (None, None) => e.label == s.label,
                _ => false,
            });
        match same {
            Some(e) => {
                kept.push(e.id);
                on!(c, |c| sqlx::query(
                    "UPDATE event_subjects SET position = $2, label = $3, reference = $4 \
                     WHERE id = $1"
                )
                .bind(e.id)
                .bind(position)
                .bind(&s.label)
                .bind(s.reference)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))?;
            }
            None => {
                let id: i64 = on!(c, |c| sqlx::query_scalar(
                    "INSERT INTO event_subjects (event_id, position, employee_id, label, \
                     inputs, reference) VALUES ($1, $2, $3, $4, '{}', $5) RETURNING id"
                )
                .bind(event_id)
                .bind(position)
                .bind(s.employee_id)
                .bind(&s.label)
                .bind(s.reference)
                .fetch_one(&mut *c)
                .await)?;
                kept.push(id);
            }
        }
    }
    for e in existing.iter().filter(|e| !kept.contains(&e.id)) {
        on!(c, |c| sqlx::query(
            "DELETE FROM event_conflicts WHERE subject_id = $1"
        )
        .bind(e.id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        on!(c, |c| sqlx::query(
            "DELETE FROM event_subjects WHERE id = $1"
        )
        .bind(e.id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub async fn set_subject_inputs(
    c: &mut Conn<'_>,
    subject_id: i64,
    inputs: &str,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE event_subjects SET inputs = $2 WHERE id = $1"
    )
    .bind(subject_id)
    .bind(inputs)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn release_subject(
    c: &mut Conn<'_>,
    subject_id: i64,
    user_id: i64,
    note: &str,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE event_subjects SET released_by = $2, release_note = $3 WHERE id = $1"
    )
    .bind(subject_id)
    .bind(user_id)
    .bind(note)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A member of a judges' pool, with whether they can sign in to score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct PoolMemberRow {
    pub pool: String,
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub unit_id: Option<i64>,
    pub user_id: Option<i64>,
}

pub async fn pool_members(
    c: &mut Conn<'_>,
    event_id: i64,
) -> Result<Vec<PoolMemberRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT m.pool, m.employee_id, e.employee_no, e.name, e.unit_id, u.id AS user_id \
         FROM event_pool_members m JOIN employees e ON e.id = m.employee_id \
         LEFT JOIN users u ON u.employee_id = e.id \
         WHERE m.event_id = $1 ORDER BY m.pool, e.employee_no"
    )
    .bind(event_id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn set_pool_members(
    c: &mut Conn<'_>,
    event_id: i64,
    pools: &[(String, Vec<i64>)],
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "DELETE FROM event_pool_members WHERE event_id = $1"
    )
    .bind(event_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    for (pool, members) in pools {
        for m in members {
            on!(c, |c| sqlx::query(
                "INSERT INTO event_pool_members (event_id, pool, employee_id) VALUES ($1, $2, $3)"
            )
            .bind(event_id)
            .bind(pool)
            .bind(m)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ConflictRow {
    pub judge_id: i64,
    pub subject_id: i64,
    pub reason: String,
    pub judge_no: String,
    pub judge_name: String,
}

pub async fn conflicts(c: &mut Conn<'_>, event_id: i64) -> Result<Vec<ConflictRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT x.judge_id, x.subject_id, x.reason, e.employee_no AS judge_no, \
         e.name AS judge_name FROM event_conflicts x JOIN employees e ON e.id = x.judge_id \
         WHERE x.event_id = $1 ORDER BY x.subject_id, e.employee_no"
    )
    .bind(event_id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn add_conflict(
    c: &mut Conn<'_>,
    event_id: i64,
    judge_id: i64,
    subject_id: i64,
    reason: &str,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "INSERT INTO event_conflicts (event_id, judge_id, subject_id, reason) \
         VALUES ($1, $2, $3, $4)"
    )
    .bind(event_id)
    .bind(judge_id)
    .bind(subject_id)
    .bind(reason)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn remove_conflict(
    c: &mut Conn<'_>,
    event_id: i64,
    judge_id: i64,
    subject_id: i64,
) -> Result<bool, StoreError> {
    let r = on!(c, |c| sqlx::query(
        "DELETE FROM event_conflicts WHERE event_id = $1 AND judge_id = $2 AND subject_id = $3"
    )
    .bind(event_id)
    .bind(judge_id)
    .bind(subject_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r > 0)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct DrawRow {
    pub id: i64,
    pub event_id: i64,
    pub number: i32,
    pub seed: String,
    #[serde(skip)]
    pub input: String,
    #[serde(skip)]
    pub outcome: String,
    pub reason: Option<String>,
    pub drawn_by: Option<i64>,
    /// Username of who drew.
    pub drawn_by_name: Option<String>,
    pub drawn_at: DateTime<Utc>,
}

pub async fn draws(c: &mut Conn<'_>, event_id: i64) -> Result<Vec<DrawRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT d.id, d.event_id, d.number, d.seed, d.input, d.outcome, d.reason, d.drawn_by, \
         u.username AS drawn_by_name, d.drawn_at FROM panel_draws d \
         LEFT JOIN users u ON u.id = d.drawn_by WHERE d.event_id = $1 ORDER BY d.number"
    )
    .bind(event_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// A draw to record.
#[derive(Debug, Clone)]
pub struct NewDraw<'a> {
    pub event_id: i64,
    pub number: i32,
    pub seed: &'a str,
    pub input: &'a str,
    pub outcome: &'a str,
    pub reason: Option<&'a str>,
    pub drawn_by: Option<i64>,
}

/// Records a draw and makes its panels the current seats of the event's subjects.
pub async fn record_draw(
    c: &mut Conn<'_>,
    d: &NewDraw<'_>,
    seats: &[(i64, i64, String)],
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id: i64 = on!(c, |c| sqlx::query_scalar(
        "INSERT INTO panel_draws (event_id, number, seed, input, outcome, reason, drawn_by, \
         drawn_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(d.event_id)
    .bind(d.number)
    .bind(d.seed)
    .bind(d.input)
    .bind(d.outcome)
    .bind(d.reason)
    .bind(d.drawn_by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?;
    on!(c, |c| sqlx::query(
        "DELETE FROM panel_seats WHERE subject_id IN \
         (SELECT id FROM event_subjects WHERE event_id = $1)"
    )
    .bind(d.event_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    for (subject, judge, pool) in seats {
        on!(c, |c| sqlx::query(
            "INSERT INTO panel_seats (subject_id, judge_id, pool, draw_id) VALUES ($1, $2, $3, $4)"
        )
        .bind(subject)
        .bind(judge)
        .bind(pool)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(id)
}

/// Sets seats without a draw (a calibration seats every pool member on every recording).
pub async fn seat_everyone(
    c: &mut Conn<'_>,
    event_id: i64,
    draw_id: i64,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "INSERT INTO panel_seats (subject_id, judge_id, pool, draw_id) \
         SELECT s.id, m.employee_id, MIN(m.pool), $2 FROM event_subjects s \
         JOIN event_pool_members m ON m.event_id = s.event_id \
         WHERE s.event_id = $1 GROUP BY s.id, m.employee_id"
    )
    .bind(event_id)
    .bind(draw_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A seat with the judge's name and the sheet's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SeatRow {
    pub subject_id: i64,
    pub judge_id: i64,
    pub pool: String,
    pub draw_id: i64,
    pub judge_no: String,
    pub judge_name: String,
    pub sheet_id: Option<i64>,
    pub sheet_status: Option<String>,
}

pub async fn seats(c: &mut Conn<'_>, event_id: i64) -> Result<Vec<SeatRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT p.subject_id, p.judge_id, p.pool, p.draw_id, e.employee_no AS judge_no, \
         e.name AS judge_name, h.id AS sheet_id, h.status AS sheet_status \
         FROM panel_seats p JOIN event_subjects s ON s.id = p.subject_id \
         JOIN employees e ON e.id = p.judge_id \
         LEFT JOIN score_sheets h ON h.subject_id = p.subject_id AND h.judge_id = p.judge_id \
         WHERE s.event_id = $1 ORDER BY s.position, p.pool, e.employee_no"
    )
    .bind(event_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// The panel of one subject, with each judge's sheet state.
pub async fn seats_of_subject(
    c: &mut Conn<'_>,
    subject_id: i64,
) -> Result<Vec<SeatRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT p.subject_id, p.judge_id, p.pool, p.draw_id, e.employee_no AS judge_no, \
         e.name AS judge_name, h.id AS sheet_id, h.status AS sheet_status \
         FROM panel_seats p JOIN employees e ON e.id = p.judge_id \
         LEFT JOIN score_sheets h ON h.subject_id = p.subject_id AND h.judge_id = p.judge_id \
         WHERE p.subject_id = $1 ORDER BY p.pool, e.employee_no"
    )
    .bind(subject_id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn is_seated(
    c: &mut Conn<'_>,
    subject_id: i64,
    judge_id: i64,
) -> Result<bool, StoreError> {
    let n: i64 = on!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM panel_seats WHERE subject_id = $1 AND judge_id = $2"
    )
    .bind(subject_id)
    .bind(judge_id)
    .fetch_one(&mut *c)
    .await)?;
    Ok(n > 0)
}

/// One seat of a judge, with its event, for the judge's own list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct MySeatRow {
    pub event_id: i64,
    pub event_code: String,
    pub event_title: String,
    pub kind: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub status: String,
    pub subject_id: i64,
    pub position: i32,
    pub label: String,
    pub employee_no: Option<String>,
    pub name: Option<String>,
    pub sheet_status: Option<String>,
}

pub async fn seats_of_judge(c: &mut Conn<'_>, judge_id: i64) -> Result<Vec<MySeatRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT ev.id AS event_id, ev.code AS event_code, ev.title AS event_title, ev.kind, \
         ev.held_on, ev.place, ev.status, s.id AS subject_id, s.position, s.label, \
         e.employee_no, e.name, h.status AS sheet_status \
         FROM panel_seats p JOIN event_subjects s ON s.id = p.subject_id \
         JOIN assessment_events ev ON ev.id = s.event_id \
         LEFT JOIN employees e ON e.id = s.employee_id \
         LEFT JOIN score_sheets h ON h.subject_id = p.subject_id AND h.judge_id = p.judge_id \
         WHERE p.judge_id = $1 AND ev.status <> 'planning' \
         ORDER BY ev.held_on DESC, ev.id DESC, s.position"
    )
    .bind(judge_id)
    .fetch_all(&mut *c)
    .await)?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SheetRow {
    pub id: i64,
    pub subject_id: i64,
    pub judge_id: i64,
    pub status: String,
    #[serde(skip)]
    pub marks: String,
    pub total: Option<i32>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! sheet_cols {
    () => {
        "h.id, h.subject_id, h.judge_id, h.status, h.marks, h.total, h.submitted_at, h.updated_at"
    };
}

pub async fn sheet(
    c: &mut Conn<'_>,
    subject_id: i64,
    judge_id: i64,
) -> Result<Option<SheetRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        sheet_cols!(),
        " FROM score_sheets h WHERE h.subject_id = $1 AND h.judge_id = $2"
    ))
    .bind(subject_id)
    .bind(judge_id)
    .fetch_optional(&mut *c)
    .await)?)
}

pub async fn sheet_by_id(c: &mut Conn<'_>, id: i64) -> Result<SheetRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        sheet_cols!(),
        " FROM score_sheets h WHERE h.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

pub async fn sheets_of_subject(
    c: &mut Conn<'_>,
    subject_id: i64,
) -> Result<Vec<SheetRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        sheet_cols!(),
        " FROM score_sheets h WHERE h.subject_id = $1 ORDER BY h.id"
    ))
    .bind(subject_id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn sheets_of_event(c: &mut Conn<'_>, event_id: i64) -> Result<Vec<SheetRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        sheet_cols!(),
        " FROM score_sheets h JOIN event_subjects s ON s.id = h.subject_id \
         WHERE s.event_id = $1 ORDER BY s.position, h.id"
    ))
    .bind(event_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Saves a draft; `false` when the sheet is already submitted (nothing changed).
pub async fn save_draft(
    c: &mut Conn<'_>,
    subject_id: i64,
    judge_id: i64,
    marks: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "INSERT INTO score_sheets (subject_id, judge_id, status, marks, total, submitted_at, \
         updated_at) VALUES ($1, $2, 'draft', $3, NULL, NULL, $4) \
         ON CONFLICT (subject_id, judge_id) DO UPDATE SET marks = excluded.marks, \
         updated_at = excluded.updated_at WHERE score_sheets.status = 'draft'"
    )
    .bind(subject_id)
    .bind(judge_id)
    .bind(marks)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Submits and locks a sheet; `false` when it was already submitted (nothing changed).
pub async fn submit(
    c: &mut Conn<'_>,
    subject_id: i64,
    judge_id: i64,
    marks: &str,
    total: i32,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "INSERT INTO score_sheets (subject_id, judge_id, status, marks, total, submitted_at, \
         updated_at) VALUES ($1, $2, 'submitted', $3, $4, $5, $5) \
         ON CONFLICT (subject_id, judge_id) DO UPDATE SET status = 'submitted', \
         marks = excluded.marks, total = excluded.total, submitted_at = excluded.submitted_at, \
         updated_at = excluded.updated_at WHERE score_sheets.status = 'draft'"
    )
    .bind(subject_id)
    .bind(judge_id)
    .bind(marks)
    .bind(total)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// A correction of a submitted sheet.
#[derive(Debug, Clone)]
pub struct Correction<'a> {
    pub sheet_id: i64,
    pub by: i64,
    pub reason: &'a str,
    pub before: &'a str,
    pub after: &'a str,
    pub total: i32,
}

pub async fn correct(
    c: &mut Conn<'_>,
    k: &Correction<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "INSERT INTO sheet_corrections (sheet_id, corrected_by, reason, before_marks, \
         after_marks, corrected_at) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(k.sheet_id)
    .bind(k.by)
    .bind(k.reason)
    .bind(k.before)
    .bind(k.after)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    on!(c, |c| sqlx::query(
        "UPDATE score_sheets SET marks = $2, total = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(k.sheet_id)
    .bind(k.after)
    .bind(k.total)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct CorrectionRow {
    pub id: i64,
    pub sheet_id: i64,
    pub subject_id: i64,
    pub judge_id: i64,
    pub corrected_by: Option<i64>,
    pub corrector: Option<String>,
    pub reason: String,
    pub before_marks: String,
    pub after_marks: String,
    pub corrected_at: DateTime<Utc>,
}

pub async fn corrections(
    c: &mut Conn<'_>,
    event_id: i64,
) -> Result<Vec<CorrectionRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT k.id, k.sheet_id, h.subject_id, h.judge_id, k.corrected_by, \
         u.display_name AS corrector, k.reason, k.before_marks, k.after_marks, k.corrected_at \
         FROM sheet_corrections k JOIN score_sheets h ON h.id = k.sheet_id \
         JOIN event_subjects s ON s.id = h.subject_id LEFT JOIN users u ON u.id = k.corrected_by \
         WHERE s.event_id = $1 ORDER BY k.id"
    )
    .bind(event_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Assessment events held in `[from, to]` that have submitted sheets, for judge analytics
/// over time.
pub async fn events_between(
    c: &mut Conn<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<EventRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        event_cols!(),
        " FROM assessment_events WHERE kind = 'assessment' AND held_on >= $1 AND held_on <= $2 \
         ORDER BY held_on, id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await)?)
}

/// Names of employees by id (judges on result pages).
pub async fn employee_names(
    c: &mut Conn<'_>,
    ids: &[i64],
) -> Result<Vec<(i64, String, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on!(c, |c| {
        let mut qb = QueryBuilder::new("SELECT id, employee_no, name FROM employees WHERE id IN (");
        let mut sep = qb.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        qb.push(")");
        qb.build_query_as().fetch_all(&mut *c).await
    })?)
}

/// The current version of a scenario, by its code: `(version id, title)`.
pub async fn scenario_by_code(
    c: &mut Conn<'_>,
    code: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT v.id, s.title FROM scenarios s JOIN scenario_versions v \
         ON v.scenario_id = s.id AND v.version = s.version WHERE s.code = $1 AND NOT s.archived"
    )
    .bind(code)
    .fetch_optional(&mut *c)
    .await)?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct EventScenarioRow {
    pub position: i32,
    pub scenario_id: i64,
    pub version_id: i64,
    pub version: i32,
    pub code: String,
    pub kind: String,
    pub title: String,
}

pub async fn event_scenarios(
    c: &mut Conn<'_>,
    event_id: i64,
) -> Result<Vec<EventScenarioRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT x.position, s.id AS scenario_id, v.id AS version_id, v.version, s.code, s.kind, \
         s.title FROM event_scenarios x JOIN scenario_versions v ON v.id = x.scenario_version_id \
         JOIN scenarios s ON s.id = v.scenario_id WHERE x.event_id = $1 ORDER BY x.position"
    )
    .bind(event_id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn set_event_scenarios(
    c: &mut Conn<'_>,
    event_id: i64,
    version_ids: &[i64],
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "DELETE FROM event_scenarios WHERE event_id = $1"
    )
    .bind(event_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    for (i, v) in version_ids.iter().enumerate() {
        on!(c, |c| sqlx::query(
            "INSERT INTO event_scenarios (event_id, position, scenario_version_id) \
             VALUES ($1, $2, $3)"
        )
        .bind(event_id)
        .bind(i32::try_from(i).unwrap_or(i32::MAX))
        .bind(v)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Users that may chair a panel, by username: `(user id, display name)`.
pub async fn user_by_username(
    c: &mut Conn<'_>,
    username: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT id, display_name FROM users WHERE username = $1 AND active"
    )
    .bind(username)
    .fetch_optional(&mut *c)
    .await)?)
}

pub async fn username_of(c: &mut Conn<'_>, id: i64) -> Result<Option<String>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT username FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?)
}

/// Removes drafts of judges who no longer sit on the subject's panel (after a redraw).
pub async fn delete_unseated_drafts(c: &mut Conn<'_>, event_id: i64) -> Result<u64, StoreError> {
    Ok(on!(c, |c| sqlx::query(
        "DELETE FROM score_sheets WHERE status = 'draft' AND subject_id IN \
         (SELECT id FROM event_subjects WHERE event_id = $1) AND NOT EXISTS \
         (SELECT 1 FROM panel_seats p WHERE p.subject_id = score_sheets.subject_id \
          AND p.judge_id = score_sheets.judge_id)"
    )
    .bind(event_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// The account linked to an employee, if any.
pub async fn user_of_employee(
    c: &mut Conn<'_>,
    employee_id: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT id FROM users WHERE employee_id = $1"
    )
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?)
}
