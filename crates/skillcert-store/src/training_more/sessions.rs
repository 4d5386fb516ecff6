//! More training queries of the sessions area (issue 7), beside `training` and `training_records`.
//!
//! The employee's own page lists every session they are enrolled in with what it needs to
//! show (materials, lecturer, the check-in window) in one query, instead of one read per
//! session.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::FromRow;

use crate::{Conn, StoreError, on};

/// One session of an employee with its details, the lecturer's name and the mark if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct MySessionRow {
    pub session_id: i64,
    pub code: String,
    pub topic: String,
    pub level: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub minutes: i32,
    pub place: String,
    pub online_link: String,
    pub materials: String,
    pub mandatory: bool,
    pub open_lead_minutes: i32,
    pub late_after_minutes: i32,
    pub status: String,
    pub via: String,
    /// The internal lecturer's display name, else the external lecturer's name.
    pub lecturer: String,
    pub mark: Option<String>,
}

/// The sessions `employee_id` is enrolled in that start in `[from, to)`, cancelled ones
/// included, by start then id.
pub async fn sessions_of_employee_detailed(
    c: &mut Conn<'_>,
    employee_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<MySessionRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as(
        "SELECT s.id AS session_id, s.code, s.topic, s.level, s.starts_at, s.ends_at, \
         s.minutes, s.place, s.online_link, s.materials, s.mandatory, s.open_lead_minutes, \
         s.late_after_minutes, s.status, x.via, \
         COALESCE(u.display_name, s.lecturer_external) AS lecturer, a.mark \
         FROM session_enrolments x JOIN training_sessions s ON s.id = x.session_id \
         LEFT JOIN users u ON u.id = s.lecturer_user_id \
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
