//! More training queries of the hours area (issue 7), beside `training` and `training_records`:
//! the sessions a new hire or a retaking employee is put on, whether a plan is completed,
//! what is still open of an assignment, and who was already reminded.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::FromRow;

use crate::{Conn, StoreError, on};

/// A planned session starting later, as the onboarding and retake assignments pick them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct UpcomingSession {
    pub id: i64,
    pub code: String,
    pub topic: String,
    pub starts_at: DateTime<Utc>,
    pub minutes: i32,
}

/// Planned (not cancelled) sessions of `level` starting after `after`, earliest first, at
/// most `limit`.
pub async fn upcoming_sessions(
    c: &mut Conn<'_>,
    level: &str,
    after: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<UpcomingSession>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT id, code, topic, starts_at, minutes FROM training_sessions \
         WHERE level = $1 AND status = 'planned' AND starts_at > $2 \
         ORDER BY starts_at, id LIMIT $3"
    )
    .bind(level)
    .bind(after)
    .bind(limit.max(0))
    .fetch_all(&mut *c)
    .await)?)
}

/// `(mandatory sessions, of which attended present or late)` of the plan `code` for an
/// employee, counting sessions that are not cancelled; `None` when there is no such plan.
/// A plan is completed when both numbers are equal.
pub async fn plan_progress(
    c: &mut Conn<'_>,
    code: &str,
    employee_id: i64,
) -> Result<Option<(i64, i64)>, StoreError> {
    let plan: Option<i64> = on!(c, |c| sqlx::query_scalar(
        "SELECT id FROM training_plans WHERE code = $1"
    )
    .bind(code)
    .fetch_optional(&mut *c)
    .await)?;
    let Some(plan_id) = plan else {
        return Ok(None);
    };
    let counts: (i64, i64) = on!(c, |c| sqlx::query_as(
        "SELECT COUNT(*), COUNT(a.session_id) FROM training_sessions s \
         LEFT JOIN attendance a ON a.session_id = s.id AND a.employee_id = $2 \
         AND a.mark IN ('present', 'late') \
         WHERE s.plan_id = $1 AND s.mandatory AND s.status = 'planned'"
    )
    .bind(plan_id)
    .bind(employee_id)
    .fetch_one(&mut *c)
    .await)?;
    Ok(Some(counts))
}

/// How many planned sessions an employee is enrolled on `via` (e.g. `retake`) without a
/// present or late mark yet: the part of an assignment still to do.
pub async fn open_enrolments(
    c: &mut Conn<'_>,
    employee_id: i64,
    via: &str,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM session_enrolments x \
         JOIN training_sessions s ON s.id = x.session_id \
         LEFT JOIN attendance a ON a.session_id = x.session_id AND a.employee_id = x.employee_id \
         AND a.mark IN ('present', 'late') \
         WHERE x.employee_id = $1 AND x.via = $2 AND s.status = 'planned' \
         AND a.session_id IS NULL"
    )
    .bind(employee_id)
    .bind(via)
    .fetch_one(&mut *c)
    .await)?)
}

/// How the employee came to be enrolled on a session (`person`, `retake`, …), if they are.
pub async fn enrolment_via(
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
) -> Result<Option<String>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT via FROM session_enrolments WHERE session_id = $1 AND employee_id = $2"
    )
    .bind(session_id)
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?)
}

/// The users who already hold an inbox message of `kind` with `link`, sorted: reminders
/// carry the year in their link, so this is who was reminded for that year.
pub async fn users_messaged(
    c: &mut Conn<'_>,
    kind: &str,
    link: &str,
) -> Result<Vec<i64>, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar(
        "SELECT DISTINCT user_id FROM inbox_messages WHERE kind = $1 AND link = $2 ORDER BY user_id"
    )
    .bind(kind)
    .bind(link)
    .fetch_all(&mut *c)
    .await)?)
}

/// The credited minutes of an employee in `year` (0 without any), from the yearly totals.
pub async fn yearly_minutes(
    c: &mut Conn<'_>,
    employee_id: i64,
    year: i32,
) -> Result<i64, StoreError> {
    let m: Option<i32> = on!(c, |c| sqlx::query_scalar(
        "SELECT minutes FROM training_hours_yearly WHERE year = $1 AND employee_id = $2"
    )
    .bind(year)
    .bind(employee_id)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(i64::from(m.unwrap_or(0)))
}
