//! More training queries of the records area (issue 7), beside `training` and
//! `training_records`: what an employee's homework page and a session's homework list read,
//! the sessions a trainee attended (for a follow-up), and names for the overdue lists.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, QueryBuilder};

use crate::{Conn, StoreError, on};

/// Ids bound per query of an `IN (…)` list.
const IDS_PER_QUERY: usize = 5_000;

/// A homework of a session the employee is enrolled in, with their submission if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct MyAssignmentRow {
    pub id: i64,
    pub session_id: i64,
    pub session_code: String,
    pub session_topic: String,
    pub title: String,
    pub deadline: DateTime<Utc>,
    pub max_points: i32,
    /// JSON of the domain `LatePolicy`.
    pub late_policy: String,
    pub submission_id: Option<i64>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// JSON of the domain `Lateness`.
    pub lateness: Option<String>,
    pub points: Option<i32>,
    /// Hundredths of 0-100 after the late penalty.
    pub final_score: Option<i32>,
    pub comment: Option<String>,
    pub marked_at: Option<DateTime<Utc>>,
}

/// The homework of every session (not cancelled) the employee is enrolled in, latest
/// deadline first.
pub async fn assignments_of_employee(
    c: &mut Conn<'_>,
    employee_id: i64,
) -> Result<Vec<MyAssignmentRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT a.id, a.session_id, s.code AS session_code, s.topic AS session_topic, a.title, \
         a.deadline, a.max_points, a.late_policy, h.id AS submission_id, h.submitted_at, \
         h.lateness, h.points, h.final_score, h.comment, h.marked_at \
         FROM session_enrolments x JOIN training_sessions s ON s.id = x.session_id \
         JOIN homework_assignments a ON a.session_id = s.id \
         LEFT JOIN homework_submissions h ON h.assignment_id = a.id \
         AND h.employee_id = x.employee_id \
         WHERE x.employee_id = $1 AND s.status = 'planned' \
         ORDER BY a.deadline DESC, a.id DESC"
    )
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// An assignment with its counts of submissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct AssignmentSummary {
    pub id: i64,
    pub session_id: i64,
    pub title: String,
    pub deadline: DateTime<Utc>,
    pub max_points: i32,
    pub late_policy: String,
    pub submitted: i64,
    pub marked: i64,
}

/// The assignments of a session by deadline, with how many were handed in and marked.
pub async fn assignment_summaries(
    c: &mut Conn<'_>,
    session_id: i64,
) -> Result<Vec<AssignmentSummary>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT a.id, a.session_id, a.title, a.deadline, a.max_points, a.late_policy, \
         (SELECT COUNT(*) FROM homework_submissions h WHERE h.assignment_id = a.id) \
         AS submitted, \
         (SELECT COUNT(*) FROM homework_submissions h WHERE h.assignment_id = a.id \
         AND h.marked_at IS NOT NULL) AS marked \
         FROM homework_assignments a WHERE a.session_id = $1 ORDER BY a.deadline, a.id"
    )
    .bind(session_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// A session a trainee attended (present or late), for choosing the follow-up's session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct AttendedSessionRow {
    pub session_id: i64,
    pub code: String,
    pub topic: String,
    pub ends_at: DateTime<Utc>,
}

/// The sessions (not cancelled) the employee attended, present or late, latest first.
pub async fn attended_sessions(
    c: &mut Conn<'_>,
    employee_id: i64,
) -> Result<Vec<AttendedSessionRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT s.id AS session_id, s.code, s.topic, s.ends_at FROM attendance a \
         JOIN training_sessions s ON s.id = a.session_id \
         WHERE a.employee_id = $1 AND a.mark IN ('present', 'late') AND s.status = 'planned' \
         ORDER BY s.ends_at DESC, s.id DESC"
    )
    .bind(employee_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// `(id, employee number, name)` of the given employees, by id.
pub async fn employee_labels(
    c: &mut Conn<'_>,
    ids: &[i64],
) -> Result<Vec<(i64, String, String)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let rows: Vec<(i64, String, String)> = on!(c, |c| {
            let mut qb =
                QueryBuilder::new("SELECT id, employee_no, name FROM employees WHERE id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(") ORDER BY id");
            qb.build_query_as().fetch_all(&mut *c).await
        })?;
        out.extend(rows);
    }
    out.sort_unstable();
    Ok(out)
}

/// `(id, code, topic)` of the given sessions, by id.
pub async fn session_labels(
    c: &mut Conn<'_>,
    ids: &[i64],
) -> Result<Vec<(i64, String, String)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let rows: Vec<(i64, String, String)> = on!(c, |c| {
            let mut qb =
                QueryBuilder::new("SELECT id, code, topic FROM training_sessions WHERE id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(") ORDER BY id");
            qb.build_query_as().fetch_all(&mut *c).await
        })?;
        out.extend(rows);
    }
    out.sort_unstable();
    Ok(out)
}

/// A follow-up owed and not held yet: a session a current mentee attended (present or
/// late) with no follow-up for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct OwedRow {
    pub mentee_id: i64,
    pub mentor_id: i64,
    pub session_id: i64,
    pub ends_at: DateTime<Utc>,
}

/// Company-wide, in one query: the sessions (not cancelled) that ended in `[from, to)` and
/// were attended by mentees (who have not left) without a follow-up for them; by end.
pub async fn follow_ups_owed(
    c: &mut Conn<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<OwedRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT m.mentee_id, m.mentor_id, s.id AS session_id, s.ends_at \
         FROM mentorships m JOIN employees e ON e.id = m.mentee_id \
         JOIN attendance a ON a.employee_id = m.mentee_id \
         JOIN training_sessions s ON s.id = a.session_id \
         WHERE e.status <> 'left' AND a.mark IN ('present', 'late') AND s.status = 'planned' \
         AND s.ends_at >= $1 AND s.ends_at < $2 AND NOT EXISTS (SELECT 1 FROM mentor_follow_ups f \
         WHERE f.mentee_id = m.mentee_id AND f.session_id = s.id) \
         ORDER BY s.ends_at, m.mentee_id, s.id"
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await)?)
}

/// Whether `user_id` already has a message of `kind` pointing at `link` (reminders are
/// sent once).
pub async fn message_sent(
    c: &mut Conn<'_>,
    user_id: i64,
    kind: &str,
    link: &str,
) -> Result<bool, StoreError> {
    let n: i64 = on!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM inbox_messages WHERE user_id = $1 AND kind = $2 AND link = $3"
    )
    .bind(user_id)
    .bind(kind)
    .bind(link)
    .fetch_one(&mut *c)
    .await)?;
    Ok(n > 0)
}
