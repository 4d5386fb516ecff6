//! What training leaves behind: homework with its submissions and files, mentors and their
//! 1:1 follow-ups, external training with its proof, the training-hour ledger with its
//! yearly totals, and the versions of the compliance rules.
//!
//! The yearly totals (`training_hours_yearly`) always equal the sums over the ledger
//! (`training_hours`) for each (year, employee): every function that writes the ledger
//! adjusts them with the same connection, so run it inside the caller's transaction.
//!
//! The store does not know the company's time zone. Functions that select sessions by
//! calendar day take the UTC offset of the days they are given (China Standard Time is
//! `FixedOffset::east_opt(8 * 3600)`), and compare instants with the day's local midnight.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, QueryBuilder};

use crate::{Conn, Page, StoreError, on};

/// Ids bound per query of an `IN (…)` list: far below either backend's parameter limit.
const IDS_PER_QUERY: usize = 5_000;

/// The name reported when a second submission for the same assignment is refused.
pub const SUBMISSION_UNIQUE: &str = "homework_submissions_assignment_id_employee_id_key";

/// The instant at which `day` begins at `offset`; days are clamped to years 1 to 9999 so
/// that both backends store the instant in the same text form.
fn day_start(day: NaiveDate, offset: FixedOffset) -> DateTime<Utc> {
    let lo = NaiveDate::from_ymd_opt(1, 1, 2).unwrap_or(NaiveDate::MIN);
    let hi = NaiveDate::from_ymd_opt(9999, 12, 30).unwrap_or(NaiveDate::MAX);
    let day = day.clamp(lo, hi);
    let local = day.and_time(NaiveTime::MIN);
    local
        .checked_sub_signed(Duration::seconds(i64::from(offset.local_minus_utc())))
        .unwrap_or(local)
        .and_utc()
}

/// The instant at which the day after `day` begins at `offset`.
fn day_end(day: NaiveDate, offset: FixedOffset) -> DateTime<Utc> {
    day_start(day.succ_opt().unwrap_or(day), offset)
}

// ---------------------------------------------------------------- homework

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct AssignmentRow {
    pub id: i64,
    pub session_id: i64,
    pub title: String,
    pub instructions: String,
    pub deadline: DateTime<Utc>,
    pub max_points: i32,
    /// JSON of the domain `LatePolicy`.
    pub late_policy: String,
    pub rubric_key: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! assignment_cols {
    () => {
        "id, session_id, title, instructions, deadline, max_points, late_policy, rubric_key, \
         created_by, created_at, updated_at"
    };
}

/// What the service writes for an assignment (its session is fixed when it is set).
#[derive(Debug, Clone)]
pub struct AssignmentFields {
    pub title: String,
    pub instructions: String,
    pub deadline: DateTime<Utc>,
    pub max_points: i32,
    pub late_policy: String,
    pub rubric_key: Option<String>,
}

pub async fn insert_assignment(
    c: &mut Conn<'_>,
    session_id: i64,
    f: &AssignmentFields,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<AssignmentRow, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "INSERT INTO homework_assignments (session_id, title, instructions, deadline, \
         max_points, late_policy, rubric_key, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING ",
        assignment_cols!()
    ))
    .bind(session_id)
    .bind(&f.title)
    .bind(&f.instructions)
    .bind(f.deadline)
    .bind(f.max_points)
    .bind(&f.late_policy)
    .bind(&f.rubric_key)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

/// Rewrites an assignment's fields; `false` when there is no such assignment.
pub async fn update_assignment(
    c: &mut Conn<'_>,
    id: i64,
    f: &AssignmentFields,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE homework_assignments SET title = $2, instructions = $3, deadline = $4, \
         max_points = $5, late_policy = $6, rubric_key = $7, updated_at = $8 WHERE id = $1"
    )
    .bind(id)
    .bind(&f.title)
    .bind(&f.instructions)
    .bind(f.deadline)
    .bind(f.max_points)
    .bind(&f.late_policy)
    .bind(&f.rubric_key)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get_assignment(c: &mut Conn<'_>, id: i64) -> Result<AssignmentRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        assignment_cols!(),
        " FROM homework_assignments WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

/// The assignments of a session, by deadline.
pub async fn assignments_of_session(
    c: &mut Conn<'_>,
    session_id: i64,
) -> Result<Vec<AssignmentRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        assignment_cols!(),
        " FROM homework_assignments WHERE session_id = $1 ORDER BY deadline, id"
    ))
    .bind(session_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// A submission with its author and the number of its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SubmissionRow {
    pub id: i64,
    pub assignment_id: i64,
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department_id: i64,
    pub department: String,
    pub text: String,
    /// JSON of the domain `Lateness`, fixed when handed in.
    pub lateness: String,
    pub submitted_at: DateTime<Utc>,
    pub points: Option<i32>,
    pub comment: String,
    /// Hundredths of 0-100 after the late penalty.
    pub final_score: Option<i32>,
    pub marked_by: Option<i64>,
    pub marked_at: Option<DateTime<Utc>>,
    pub files: i64,
}

macro_rules! submission_select {
    () => {
        "SELECT h.id, h.assignment_id, h.employee_id, e.employee_no, e.name, e.department_id, \
         d.name AS department, h.text, h.lateness, h.submitted_at, h.points, h.comment, \
         h.final_score, h.marked_by, h.marked_at, \
         (SELECT COUNT(*) FROM homework_files f WHERE f.submission_id = h.id) AS files \
         FROM homework_submissions h JOIN employees e ON e.id = h.employee_id \
         JOIN departments d ON d.id = e.department_id "
    };
}

#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub assignment_id: i64,
    pub employee_id: i64,
    pub text: String,
    pub lateness: String,
}

/// A file handed in with a submission.
#[derive(Debug, Clone, Copy)]
pub struct NewHomeworkFile<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub data: &'a [u8],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct HomeworkFileRow {
    pub id: i64,
    pub submission_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i32,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

macro_rules! file_cols {
    () => {
        "id, submission_id, filename, content_type, size, sha256, created_at"
    };
}

async fn insert_files(
    c: &mut Conn<'_>,
    submission_id: i64,
    files: &[NewHomeworkFile<'_>],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for f in files {
        let size = i32::try_from(f.data.len()).unwrap_or(i32::MAX);
        on!(c, |c| sqlx::query(
            "INSERT INTO homework_files (submission_id, filename, content_type, size, sha256, \
             data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(submission_id)
        .bind(f.filename)
        .bind(f.content_type)
        .bind(size)
        .bind(f.sha256)
        .bind(f.data)
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Hands a submission in with its files (call inside a transaction). A second submission
/// of the same employee for the same assignment is refused with
/// [`StoreError::Conflict`] naming [`SUBMISSION_UNIQUE`], and the transaction stays usable.
pub async fn insert_submission(
    c: &mut Conn<'_>,
    s: &NewSubmission,
    files: &[NewHomeworkFile<'_>],
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id: Option<i64> = on!(c, |c| sqlx::query_scalar(
        "INSERT INTO homework_submissions (assignment_id, employee_id, text, lateness, \
         submitted_at, comment) VALUES ($1, $2, $3, $4, $5, '') \
         ON CONFLICT (assignment_id, employee_id) DO NOTHING RETURNING id"
    )
    .bind(s.assignment_id)
    .bind(s.employee_id)
    .bind(&s.text)
    .bind(&s.lateness)
    .bind(now)
    .fetch_optional(&mut *c)
    .await)?;
    let Some(id) = id else {
        return Err(StoreError::Conflict {
            constraint: SUBMISSION_UNIQUE.into(),
        });
    };
    insert_files(c, id, files, now).await?;
    Ok(id)
}

/// Replaces the text, lateness and files of a submission not yet marked (call inside a
/// transaction); `false` when it is marked already or does not exist.
pub async fn replace_submission(
    c: &mut Conn<'_>,
    id: i64,
    text: &str,
    lateness: &str,
    files: &[NewHomeworkFile<'_>],
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE homework_submissions SET text = $2, lateness = $3, submitted_at = $4 \
         WHERE id = $1 AND marked_at IS NULL AND points IS NULL"
    )
    .bind(id)
    .bind(text)
    .bind(lateness)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(false);
    }
    on!(c, |c| sqlx::query(
        "DELETE FROM homework_files WHERE submission_id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    insert_files(c, id, files, now).await?;
    Ok(true)
}

pub async fn get_submission(c: &mut Conn<'_>, id: i64) -> Result<SubmissionRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        submission_select!(),
        "WHERE h.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

/// The submission of `employee_id` for an assignment, if any.
pub async fn submission_of(
    c: &mut Conn<'_>,
    assignment_id: i64,
    employee_id: i64,
) -> Result<Option<SubmissionRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        submission_select!(),
        "WHERE h.assignment_id = $1 AND h.employee_id = $2"
    ))
    .bind(assignment_id)
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?)
}

/// The submissions of an assignment by employee number: all of them (`marked: None`), only
/// the marked ones (`Some(true)`) or only those awaiting a mark (`Some(false)`).
pub async fn submissions_of_assignment(
    c: &mut Conn<'_>,
    assignment_id: i64,
    marked: Option<bool>,
) -> Result<Vec<SubmissionRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        submission_select!(),
        "WHERE h.assignment_id = $1 \
         AND ($2 IS NULL OR (h.marked_at IS NOT NULL) = $2) ORDER BY e.employee_no, h.id"
    ))
    .bind(assignment_id)
    .bind(marked)
    .fetch_all(&mut *c)
    .await)?)
}

/// The files of a submission, without their bytes, in the order handed in.
pub async fn submission_files(
    c: &mut Conn<'_>,
    submission_id: i64,
) -> Result<Vec<HomeworkFileRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        file_cols!(),
        " FROM homework_files WHERE submission_id = $1 ORDER BY id"
    ))
    .bind(submission_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// A file of a submission with its bytes.
pub async fn submission_file(
    c: &mut Conn<'_>,
    id: i64,
) -> Result<(HomeworkFileRow, Vec<u8>), StoreError> {
    let row: HomeworkFileRow = on!(c, |c| sqlx::query_as(concat!(
        "SELECT ",
        file_cols!(),
        " FROM homework_files WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)?;
    let data: Vec<u8> = on!(c, |c| sqlx::query_scalar(
        "SELECT data FROM homework_files WHERE id = $1"
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await)?;
    Ok((row, data))
}

/// Marks a submission; marking again replaces the earlier mark. `false` when there is no
/// such submission.
pub async fn mark_submission(
    c: &mut Conn<'_>,
    id: i64,
    points: i32,
    comment: &str,
    final_score: i32,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE homework_submissions SET points = $2, comment = $3, final_score = $4, \
         marked_by = $5, marked_at = $6 WHERE id = $1"
    )
    .bind(id)
    .bind(points)
    .bind(comment)
    .bind(final_score)
    .bind(by)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A marked homework of an employee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct HomeworkScore {
    pub employee_id: i64,
    pub assignment_id: i64,
    pub session_id: i64,
    /// Hundredths of 0-100 after the late penalty.
    pub final_score: i32,
}

/// The final scores of the marked homework of `employee_ids`, over the assignments of
/// sessions starting on the days `from..=to` (at `offset`); by employee, then session start.
/// One query per 5,000 employees.
pub async fn homework_scores(
    c: &mut Conn<'_>,
    employee_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
    offset: FixedOffset,
) -> Result<Vec<HomeworkScore>, StoreError> {
    let (lo, hi) = (day_start(from, offset), day_end(to, offset));
    let mut out = Vec::new();
    for ids in employee_ids.chunks(IDS_PER_QUERY) {
        let rows: Vec<HomeworkScore> = on!(c, |c| {
            let mut qb = QueryBuilder::new(
                "SELECT h.employee_id, h.assignment_id, a.session_id, h.final_score \
                 FROM homework_submissions h \
                 JOIN homework_assignments a ON a.id = h.assignment_id \
                 JOIN training_sessions s ON s.id = a.session_id \
                 WHERE h.final_score IS NOT NULL AND s.starts_at >= ",
            );
            qb.push_bind(lo);
            qb.push(" AND s.starts_at < ");
            qb.push_bind(hi);
            qb.push(" AND h.employee_id IN (");
            let mut sep = qb.separated(", ");
            for id in ids {
                sep.push_bind(*id);
            }
            qb.push(") ORDER BY h.employee_id, s.starts_at, a.id");
            qb.build_query_as::<HomeworkScore>()
                .fetch_all(&mut *c)
                .await
        })?;
        out.extend(rows);
    }
    if employee_ids.len() > IDS_PER_QUERY {
        out.sort_by_key(|r| r.employee_id);
    }
    Ok(out)
}

// ---------------------------------------------------------------- mentoring

/// A mentee with their mentor, both named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct MentorshipRow {
    pub mentee_id: i64,
    pub mentee_no: String,
    pub mentee_name: String,
    pub mentee_department_id: i64,
    pub mentee_department: String,
    pub mentor_id: i64,
    pub mentor_no: String,
    pub mentor_name: String,
    pub since: NaiveDate,
    pub assigned_by: Option<i64>,
}

macro_rules! mentorship_select {
    () => {
        "SELECT m.mentee_id, me.employee_no AS mentee_no, me.name AS mentee_name, \
         me.department_id AS mentee_department_id, md.name AS mentee_department, m.mentor_id, \
         mo.employee_no AS mentor_no, mo.name AS mentor_name, m.since, m.assigned_by \
         FROM mentorships m JOIN employees me ON me.id = m.mentee_id \
         JOIN departments md ON md.id = me.department_id \
         JOIN employees mo ON mo.id = m.mentor_id "
    };
}

/// Makes `mentor_id` the mentor of `mentee_id` (call inside a transaction) and returns the
/// mentor they had before, if any. Assigning the same mentor again keeps the first `since`.
pub async fn assign_mentor(
    c: &mut Conn<'_>,
    mentee_id: i64,
    mentor_id: i64,
    since: NaiveDate,
    by: Option<i64>,
) -> Result<Option<i64>, StoreError> {
    let previous: Option<i64> = on!(c, |c| sqlx::query_scalar(
        "SELECT mentor_id FROM mentorships WHERE mentee_id = $1"
    )
    .bind(mentee_id)
    .fetch_optional(&mut *c)
    .await)?;
    if previous == Some(mentor_id) {
        return Ok(previous);
    }
    on!(c, |c| sqlx::query(
        "INSERT INTO mentorships (mentee_id, mentor_id, since, assigned_by) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (mentee_id) DO UPDATE SET \
         mentor_id = excluded.mentor_id, since = excluded.since, \
         assigned_by = excluded.assigned_by"
    )
    .bind(mentee_id)
    .bind(mentor_id)
    .bind(since)
    .bind(by)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(previous)
}

/// Removes the mentor of `mentee_id`; returns who it was.
pub async fn unassign_mentor(c: &mut Conn<'_>, mentee_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "DELETE FROM mentorships WHERE mentee_id = $1 RETURNING mentor_id"
    )
    .bind(mentee_id)
    .fetch_optional(&mut *c)
    .await)?)
}

pub async fn mentor_of(
    c: &mut Conn<'_>,
    mentee_id: i64,
) -> Result<Option<MentorshipRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        mentorship_select!(),
        "WHERE m.mentee_id = $1"
    ))
    .bind(mentee_id)
    .fetch_optional(&mut *c)
    .await)?)
}

/// The mentees of a mentor by employee number.
pub async fn mentees_of(
    c: &mut Conn<'_>,
    mentor_id: i64,
) -> Result<Vec<MentorshipRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        mentorship_select!(),
        "WHERE m.mentor_id = $1 ORDER BY me.employee_no"
    ))
    .bind(mentor_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Every mentorship, by mentor then mentee number.
pub async fn all_mentorships(
    c: &mut Conn<'_>,
    page: i64,
    per_page: i64,
) -> Result<Page<MentorshipRow>, StoreError> {
    let per_page = per_page.clamp(1, 500);
    let page = page.max(1);
    let items = on!(c, |c| sqlx::query_as(concat!(
        mentorship_select!(),
        "ORDER BY mo.employee_no, me.employee_no LIMIT $1 OFFSET $2"
    ))
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(&mut *c)
    .await)?;
    let total: i64 = on!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM mentorships"
    )
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
pub struct FollowUpRow {
    pub id: i64,
    pub mentee_id: i64,
    pub mentee_name: String,
    pub mentor_id: i64,
    pub mentor_name: String,
    pub session_id: Option<i64>,
    pub session_code: Option<String>,
    pub session_topic: Option<String>,
    pub held_on: NaiveDate,
    pub notes: String,
    /// Hundredths of 0-100, or none.
    pub evaluation: Option<i32>,
    pub recorded_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

macro_rules! follow_up_select {
    () => {
        "SELECT f.id, f.mentee_id, me.name AS mentee_name, f.mentor_id, mo.name AS mentor_name, \
         f.session_id, s.code AS session_code, s.topic AS session_topic, f.held_on, f.notes, \
         f.evaluation, f.recorded_by, f.created_at \
         FROM mentor_follow_ups f JOIN employees me ON me.id = f.mentee_id \
         JOIN employees mo ON mo.id = f.mentor_id \
         LEFT JOIN training_sessions s ON s.id = f.session_id "
    };
}

#[derive(Debug, Clone)]
pub struct NewFollowUp {
    pub mentee_id: i64,
    pub mentor_id: i64,
    pub session_id: Option<i64>,
    pub held_on: NaiveDate,
    pub notes: String,
    pub evaluation: Option<i32>,
}

pub async fn insert_follow_up(
    c: &mut Conn<'_>,
    f: &NewFollowUp,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "INSERT INTO mentor_follow_ups (mentee_id, mentor_id, session_id, held_on, notes, \
         evaluation, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         RETURNING id"
    )
    .bind(f.mentee_id)
    .bind(f.mentor_id)
    .bind(f.session_id)
    .bind(f.held_on)
    .bind(&f.notes)
    .bind(f.evaluation)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

/// The follow-ups of a mentee, latest first.
pub async fn follow_ups_of_mentee(
    c: &mut Conn<'_>,
    mentee_id: i64,
) -> Result<Vec<FollowUpRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        follow_up_select!(),
        "WHERE f.mentee_id = $1 ORDER BY f.held_on DESC, f.id DESC"
    ))
    .bind(mentee_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// The follow-ups a mentor held (with any mentee, past ones included), latest first.
pub async fn follow_ups_of_mentor(
    c: &mut Conn<'_>,
    mentor_id: i64,
) -> Result<Vec<FollowUpRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(concat!(
        follow_up_select!(),
        "WHERE f.mentor_id = $1 ORDER BY f.held_on DESC, f.id DESC"
    ))
    .bind(mentor_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// `(employee id, evaluation)`: the evaluation of each employee's latest follow-up that
/// carries one (by day, then the later recorded), as the domain's `latest_evaluation`.
/// Employees without one are left out. One query per 5,000 employees.
pub async fn latest_evaluations(
    c: &mut Conn<'_>,
    employee_ids: &[i64],
) -> Result<Vec<(i64, i32)>, StoreError> {
    let mut out = Vec::new();
    for ids in employee_ids.chunks(IDS_PER_QUERY) {
        let rows: Vec<(i64, i32)> = on!(c, |c| {
            let mut qb = QueryBuilder::new(
                "SELECT mentee_id, evaluation FROM (SELECT mentee_id, evaluation, \
                 ROW_NUMBER() OVER (PARTITION BY mentee_id ORDER BY held_on DESC, id DESC) AS rn \
                 FROM mentor_follow_ups WHERE evaluation IS NOT NULL AND mentee_id IN (",
            );
            let mut sep = qb.separated(", ");
            for id in ids {
                sep.push_bind(*id);
            }
            qb.push(")) x WHERE rn = 1 ORDER BY mentee_id");
            qb.build_query_as::<(i64, i32)>().fetch_all(&mut *c).await
        })?;
        out.extend(rows);
    }
    if employee_ids.len() > IDS_PER_QUERY {
        out.sort_unstable();
    }
    Ok(out)
}

/// A session a mentee attended (marked present or late).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct AttendedRow {
    pub mentee_id: i64,
    pub session_id: i64,
    pub ends_at: DateTime<Utc>,
}

/// The sessions (not cancelled) that the current mentees of `mentor_id` attended, present
/// or late, ending on the days `from..=to` (at `offset`); by end, mentee, session.
pub async fn sessions_attended_by_mentees(
    c: &mut Conn<'_>,
    mentor_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    offset: FixedOffset,
) -> Result<Vec<AttendedRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT a.employee_id AS mentee_id, s.id AS session_id, s.ends_at \
         FROM mentorships m JOIN attendance a ON a.employee_id = m.mentee_id \
         JOIN training_sessions s ON s.id = a.session_id \
         WHERE m.mentor_id = $1 AND a.mark IN ('present', 'late') AND s.status = 'planned' \
         AND s.ends_at >= $2 AND s.ends_at < $3 \
         ORDER BY s.ends_at, a.employee_id, s.id"
    )
    .bind(mentor_id)
    .bind(day_start(from, offset))
    .bind(day_end(to, offset))
    .fetch_all(&mut *c)
    .await)?)
}

/// A follow-up owed and not held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct OverdueRow {
    pub mentee_id: i64,
    pub mentor_id: i64,
    /// Since when the mentor is the mentee's mentor (the service may skip older sessions).
    pub since: NaiveDate,
    pub session_id: i64,
    pub ends_at: DateTime<Utc>,
}

/// Company-wide, in one query: sessions (not cancelled) attended present or late by
/// mentees (who have not left) that have no follow-up for that session and whose end day
/// (at `offset`) plus `days` is before `today`, i.e. past the domain's due day. Oldest
/// first.
pub async fn overdue_candidates(
    c: &mut Conn<'_>,
    today: NaiveDate,
    days: i64,
    offset: FixedOffset,
) -> Result<Vec<OverdueRow>, StoreError> {
    // end day + days < today  <=>  end day < today - days  <=>  ends before that day starts.
    let last_day = today
        .checked_sub_signed(Duration::days(days.max(0)))
        .unwrap_or(NaiveDate::MIN);
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT m.mentee_id, m.mentor_id, m.since, s.id AS session_id, s.ends_at \
         FROM mentorships m JOIN employees e ON e.id = m.mentee_id \
         JOIN attendance a ON a.employee_id = m.mentee_id \
         JOIN training_sessions s ON s.id = a.session_id \
         WHERE e.status <> 'left' AND a.mark IN ('present', 'late') AND s.status = 'planned' \
         AND s.ends_at < $1 AND NOT EXISTS (SELECT 1 FROM mentor_follow_ups f \
         WHERE f.mentee_id = m.mentee_id AND f.session_id = s.id) \
         ORDER BY s.ends_at, m.mentee_id, s.id"
    )
    .bind(day_start(last_day, offset))
    .fetch_all(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- external training

/// An external training without its proof's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ExternalRow {
    pub id: i64,
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department_id: i64,
    pub department: String,
    pub title: String,
    pub provider: String,
    pub held_on: NaiveDate,
    pub minutes: i32,
    pub level: String,
    pub proof_filename: String,
    pub proof_content_type: String,
    pub proof_size: i64,
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

macro_rules! external_select {
    () => {
        "SELECT x.id, x.employee_id, e.employee_no, e.name, e.department_id, \
         d.name AS department, x.title, x.provider, x.held_on, x.minutes, x.level, \
         x.proof_filename, x.proof_content_type, CAST(LENGTH(x.proof) AS BIGINT) AS proof_size, \
         x.status, x.decided_by, x.decided_at, x.decision_note, x.created_by, x.created_at \
         FROM external_trainings x JOIN employees e ON e.id = x.employee_id \
         JOIN departments d ON d.id = e.department_id "
    };
}

#[derive(Debug, Clone, Copy)]
pub struct NewExternal<'a> {
    pub employee_id: i64,
    pub title: &'a str,
    pub provider: &'a str,
    pub held_on: NaiveDate,
    pub minutes: i32,
    pub level: &'a str,
    pub proof_filename: &'a str,
    pub proof_content_type: &'a str,
    pub proof: &'a [u8],
    pub created_by: Option<i64>,
}

/// Records an external training, pending the training manager's decision.
pub async fn insert_external(
    c: &mut Conn<'_>,
    x: &NewExternal<'_>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "INSERT INTO external_trainings (employee_id, title, provider, held_on, minutes, level, \
         proof_filename, proof_content_type, proof, status, decision_note, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', '', $10, $11) \
         RETURNING id"
    )
    .bind(x.employee_id)
    .bind(x.title)
    .bind(x.provider)
    .bind(x.held_on)
    .bind(x.minutes)
    .bind(x.level)
    .bind(x.proof_filename)
    .bind(x.proof_content_type)
    .bind(x.proof)
    .bind(x.created_by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn get_external(c: &mut Conn<'_>, id: i64) -> Result<ExternalRow, StoreError> {
    on!(c, |c| sqlx::query_as(concat!(
        external_select!(),
        "WHERE x.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

/// `(filename, content type, bytes)` of an external training's proof.
pub async fn external_proof(
    c: &mut Conn<'_>,
    id: i64,
) -> Result<(String, String, Vec<u8>), StoreError> {
    on!(c, |c| sqlx::query_as(
        "SELECT proof_filename, proof_content_type, proof FROM external_trainings WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?
    .ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, Default)]
pub struct ExternalQuery {
    /// `pending`, `approved` or `rejected`; `None` for all.
    pub status: Option<String>,
    pub employee_id: Option<i64>,
    pub page: i64,
    pub per_page: i64,
}

macro_rules! external_filter {
    () => {
        "($1 IS NULL OR x.status = $1) AND ($2 IS NULL OR x.employee_id = $2)"
    };
}

/// External trainings, newest first.
pub async fn list_external(
    c: &mut Conn<'_>,
    q: &ExternalQuery,
) -> Result<Page<ExternalRow>, StoreError> {
    let per_page = q.per_page.clamp(1, 200);
    let page = q.page.max(1);
    let items = on!(c, |c| sqlx::query_as(concat!(
        external_select!(),
        "WHERE ",
        external_filter!(),
        " ORDER BY x.id DESC LIMIT $3 OFFSET $4"
    ))
    .bind(&q.status)
    .bind(q.employee_id)
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(&mut *c)
    .await)?;
    let total: i64 = on!(c, |c| sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM external_trainings x WHERE ",
        external_filter!()
    ))
    .bind(&q.status)
    .bind(q.employee_id)
    .fetch_one(&mut *c)
    .await)?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// Approves or rejects a pending external training; `false` when it was not pending (a
/// second decision changes nothing). Crediting the approved minutes is
/// [`credit_external`]'s job, in the same transaction.
pub async fn decide_external(
    c: &mut Conn<'_>,
    id: i64,
    approve: bool,
    by: Option<i64>,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let status = if approve { "approved" } else { "rejected" };
    let n = on!(c, |c| sqlx::query(
        "UPDATE external_trainings SET status = $2, decided_by = $3, decided_at = $4, \
         decision_note = $5 WHERE id = $1 AND status = 'pending'"
    )
    .bind(id)
    .bind(status)
    .bind(by)
    .bind(now)
    .bind(note)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

// ---------------------------------------------------------------- the ledger

/// Adds to (or, negative, takes from) the yearly totals of an employee.
async fn add_to_year(
    c: &mut Conn<'_>,
    year: i32,
    employee_id: i64,
    minutes: i32,
    basic_minutes: i32,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "INSERT INTO training_hours_yearly (year, employee_id, minutes, basic_minutes) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (year, employee_id) DO UPDATE SET \
         minutes = training_hours_yearly.minutes + excluded.minutes, \
         basic_minutes = training_hours_yearly.basic_minutes + excluded.basic_minutes"
    )
    .bind(year)
    .bind(employee_id)
    .bind(minutes)
    .bind(basic_minutes)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

fn basic_part(level: &str, minutes: i32) -> i32 {
    if level == "basic" { minutes } else { 0 }
}

/// Credits an attended session to an employee in the year of `held_on` (call inside a
/// transaction). Crediting the same session to the same employee again changes nothing and
/// returns `false`.
#[allow(clippy::too_many_arguments)]
pub async fn credit_session(
    c: &mut Conn<'_>,
    employee_id: i64,
    session_id: i64,
    held_on: NaiveDate,
    minutes: i32,
    level: &str,
    topic: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let year = held_on.year();
    let n = on!(c, |c| sqlx::query(
        "INSERT INTO training_hours (employee_id, year, held_on, minutes, level, session_id, \
         topic, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (session_id, employee_id) DO NOTHING"
    )
    .bind(employee_id)
    .bind(year)
    .bind(held_on)
    .bind(minutes)
    .bind(level)
    .bind(session_id)
    .bind(topic)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(false);
    }
    add_to_year(c, year, employee_id, minutes, basic_part(level, minutes)).await?;
    Ok(true)
}

/// Takes a session's credit back (the mark turned absent or excused; call inside a
/// transaction); `false` when it was not credited.
pub async fn uncredit_session(
    c: &mut Conn<'_>,
    employee_id: i64,
    session_id: i64,
) -> Result<bool, StoreError> {
    let gone: Option<(i32, i32, String)> = on!(c, |c| sqlx::query_as(
        "DELETE FROM training_hours WHERE session_id = $1 AND employee_id = $2 \
         RETURNING year, minutes, level"
    )
    .bind(session_id)
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?;
    let Some((year, minutes, level)) = gone else {
        return Ok(false);
    };
    add_to_year(c, year, employee_id, -minutes, -basic_part(&level, minutes)).await?;
    Ok(true)
}

/// Credits an approved external training to its employee (call inside a transaction, after
/// [`decide_external`]); `false` when it is not approved or was credited already.
pub async fn credit_external(
    c: &mut Conn<'_>,
    external_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let x: Option<(i64, NaiveDate, i32, String, String, String)> = on!(c, |c| sqlx::query_as(
        "SELECT employee_id, held_on, minutes, level, title, status FROM external_trainings \
         WHERE id = $1"
    )
    .bind(external_id)
    .fetch_optional(&mut *c)
    .await)?;
    let Some((employee_id, held_on, minutes, level, title, status)) = x else {
        return Err(StoreError::NotFound);
    };
    if status != "approved" {
        return Ok(false);
    }
    let year = held_on.year();
    let n = on!(c, |c| sqlx::query(
        "INSERT INTO training_hours (employee_id, year, held_on, minutes, level, external_id, \
         topic, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (external_id) DO NOTHING"
    )
    .bind(employee_id)
    .bind(year)
    .bind(held_on)
    .bind(minutes)
    .bind(&level)
    .bind(external_id)
    .bind(&title)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(false);
    }
    add_to_year(c, year, employee_id, minutes, basic_part(&level, minutes)).await?;
    Ok(true)
}

/// Takes an external training's credit back; `false` when it was not credited.
pub async fn uncredit_external(c: &mut Conn<'_>, external_id: i64) -> Result<bool, StoreError> {
    let gone: Option<(i64, i32, i32, String)> = on!(c, |c| sqlx::query_as(
        "DELETE FROM training_hours WHERE external_id = $1 \
         RETURNING employee_id, year, minutes, level"
    )
    .bind(external_id)
    .fetch_optional(&mut *c)
    .await)?;
    let Some((employee_id, year, minutes, level)) = gone else {
        return Ok(false);
    };
    add_to_year(c, year, employee_id, -minutes, -basic_part(&level, minutes)).await?;
    Ok(true)
}

/// An employee with their training minutes of a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct YearlyRow {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department_id: i64,
    pub department: String,
    pub status: String,
    pub hire_date: NaiveDate,
    pub minutes: i32,
    pub basic_minutes: i32,
}

/// `[id, no, name, department id, department, status, hire date, minutes, basic minutes]`
type YearlyTuple = (
    i64,
    String,
    String,
    i64,
    String,
    String,
    NaiveDate,
    i32,
    i32,
);

/// Every employee who has not left, with their minutes of `year` (0 without any), by
/// employee number; one query reading one totals row per employee.
///
/// The rows come back as one JSON array rather than row by row: sqlx's per-value cost on
/// SQLite made 100,000 employees take about half a second, one JSON text a third of that.
pub async fn yearly_totals(c: &mut Conn<'_>, year: i32) -> Result<Vec<YearlyRow>, StoreError> {
    let (json, sort): (String, bool) = match c {
        // The inner ORDER BY walks the employee-number index; sorting again in Rust (BINARY
        // collation is byte order) makes the order certain and costs one pass.
        Conn::Sqlite(c) => (
            sqlx::query_scalar(
                "SELECT json_group_array(json_array(x.id, x.employee_no, x.name, \
                 x.department_id, x.department, x.status, x.hire_date, x.minutes, \
                 x.basic_minutes)) FROM (SELECT e.id, e.employee_no, e.name, e.department_id, \
                 d.name AS department, e.status, e.hire_date, COALESCE(y.minutes, 0) AS minutes, \
                 COALESCE(y.basic_minutes, 0) AS basic_minutes \
                 FROM employees e JOIN departments d ON d.id = e.department_id \
                 LEFT JOIN training_hours_yearly y ON y.year = $1 AND y.employee_id = e.id \
                 WHERE e.status <> 'left' ORDER BY e.employee_no) x",
            )
            .bind(year)
            .fetch_one(&mut **c)
            .await?,
            true,
        ),
        Conn::Postgres(c) => (
            sqlx::query_scalar(
                "SELECT CAST(COALESCE(json_agg(json_build_array(e.id, e.employee_no, e.name, \
                 e.department_id, d.name, e.status, e.hire_date, COALESCE(y.minutes, 0), \
                 COALESCE(y.basic_minutes, 0)) ORDER BY e.employee_no), '[]') AS TEXT) \
                 FROM employees e JOIN departments d ON d.id = e.department_id \
                 LEFT JOIN training_hours_yearly y ON y.year = $1 AND y.employee_id = e.id \
                 WHERE e.status <> 'left'",
            )
            .bind(year)
            .fetch_one(&mut **c)
            .await?,
            false,
        ),
    };
    let tuples: Vec<YearlyTuple> = serde_json::from_str(&json)
        .map_err(|e| StoreError::Corrupt(format!("yearly totals: {e}")))?;
    let mut rows: Vec<YearlyRow> = tuples
        .into_iter()
        .map(
            |(
                employee_id,
                employee_no,
                name,
                department_id,
                department,
                status,
                hire_date,
                minutes,
                basic_minutes,
            )| YearlyRow {
                employee_id,
                employee_no,
                name,
                department_id,
                department,
                status,
                hire_date,
                minutes,
                basic_minutes,
            },
        )
        .collect();
    if sort {
        rows.sort_by(|a, b| a.employee_no.cmp(&b.employee_no));
    }
    Ok(rows)
}

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct LedgerRow {
    pub id: i64,
    pub employee_id: i64,
    pub year: i32,
    pub held_on: NaiveDate,
    pub minutes: i32,
    pub level: String,
    pub session_id: Option<i64>,
    pub external_id: Option<i64>,
    pub topic: String,
    pub created_at: DateTime<Utc>,
}

/// The ledger of an employee for a year, by day.
pub async fn ledger_of_employee(
    c: &mut Conn<'_>,
    employee_id: i64,
    year: i32,
) -> Result<Vec<LedgerRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT id, employee_id, year, held_on, minutes, level, session_id, external_id, topic, \
         created_at FROM training_hours WHERE employee_id = $1 AND year = $2 \
         ORDER BY held_on, id"
    )
    .bind(employee_id)
    .bind(year)
    .fetch_all(&mut *c)
    .await)?)
}

/// Basic-training minutes credited to an employee on the days `from..=to` (the new-hire
/// rule counts those before going on duty).
pub async fn basic_minutes_between(
    c: &mut Conn<'_>,
    employee_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT COALESCE(SUM(minutes), 0) FROM training_hours WHERE employee_id = $1 \
         AND level = 'basic' AND held_on >= $2 AND held_on <= $3"
    )
    .bind(employee_id)
    .bind(from)
    .bind(to)
    .fetch_one(&mut *c)
    .await)?)
}

/// The distinct topics of the advanced sessions (not cancelled) starting in `year` at
/// `offset`, alphabetically.
pub async fn advanced_topics(
    c: &mut Conn<'_>,
    year: i32,
    offset: FixedOffset,
) -> Result<Vec<String>, StoreError> {
    let year = year.clamp(1, 9998);
    let (Some(first), Some(next)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year + 1, 1, 1),
    ) else {
        return Ok(Vec::new());
    };
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT DISTINCT topic FROM training_sessions WHERE level = 'advanced' \
         AND status = 'planned' AND starts_at >= $1 AND starts_at < $2 ORDER BY topic"
    )
    .bind(day_start(first, offset))
    .bind(day_start(next, offset))
    .fetch_all(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- compliance rules

/// Saves a new version of the compliance rules (TOML) and returns its number: one more
/// than the latest, 1 for the first.
pub async fn save_rules(
    c: &mut Conn<'_>,
    document: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i32, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "INSERT INTO compliance_rules (version, document, created_by, created_at) \
         VALUES ((SELECT COALESCE(MAX(version), 0) + 1 FROM compliance_rules), $1, $2, $3) \
         RETURNING version"
    )
    .bind(document)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

/// `(version, document)` of the rules that apply: the newest.
pub async fn latest_rules(c: &mut Conn<'_>) -> Result<Option<(i32, String)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT version, document FROM compliance_rules ORDER BY version DESC LIMIT 1"
    )
    .fetch_optional(&mut *c)
    .await)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn days_start_at_local_midnight() {
        let cst = FixedOffset::east_opt(8 * 3600).unwrap();
        assert_eq!(
            day_start(d(2026, 1, 1), cst).to_rfc3339(),
            "2025-12-31T16:00:00+00:00"
        );
        assert_eq!(
            day_end(d(2026, 12, 31), cst).to_rfc3339(),
            "2026-12-31T16:00:00+00:00"
        );
        let west = FixedOffset::west_opt(5 * 3600).unwrap();
        assert_eq!(
            day_start(d(2026, 1, 1), west).to_rfc3339(),
            "2026-01-01T05:00:00+00:00"
        );
        // Extreme days stay within four-digit years.
        assert!(day_end(NaiveDate::MAX, cst).year() <= 9999);
        assert!(day_start(NaiveDate::MIN, west).year() >= 1);
    }
}
