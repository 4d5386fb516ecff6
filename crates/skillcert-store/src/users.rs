//! Users, role grants, sessions and login attempts.

use chrono::{DateTime, Utc};
use serde::Serialize;
use skillcert_domain::access::{Grant, Role};
use sqlx::FromRow;

use crate::{Conn, StoreError, on};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub employee_id: Option<i64>,
    pub locale: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct GrantRow {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    pub department_id: Option<i64>,
}

impl GrantRow {
    pub fn grant(&self) -> Option<Grant> {
        Some(Grant {
            role: Role::parse(&self.role)?,
            department_id: self.department_id,
        })
    }
}

/// A user with what a session needs to authorize requests.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SessionUser {
    pub session_id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub employee_id: Option<i64>,
    pub locale: Option<String>,
    pub csrf_token: String,
    pub kind: String,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

macro_rules! user_cols {
    () => {
        "id, username, display_name, password_hash, employee_id, locale, active, created_at, updated_at"
    };
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub employee_id: Option<i64>,
}

pub async fn insert_user(
    c: &mut Conn<'_>,
    u: &NewUser<'_>,
    now: DateTime<Utc>,
) -> Result<User, StoreError> {
    Ok(on!(c, |c| {
        sqlx::query_as::<_, User>(concat!(
        "INSERT INTO users (username, display_name, password_hash, employee_id, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, TRUE, $5, $5) RETURNING ",
        user_cols!()
    ))
    .bind(u.username)
    .bind(u.display_name)
    .bind(u.password_hash)
    .bind(u.employee_id)
    .bind(now)
    .fetch_one(&mut *c)
    .await
    })?)
}

pub async fn get_user(c: &mut Conn<'_>, id: i64) -> Result<User, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, User>(concat!(
        "SELECT ",
        user_cols!(),
        " FROM users WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn find_user_by_username(
    c: &mut Conn<'_>,
    username: &str,
) -> Result<Option<User>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, User>(concat!(
        "SELECT ",
        user_cols!(),
        " FROM users WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(&mut *c)
    .await)?)
}

pub async fn list_users(c: &mut Conn<'_>) -> Result<Vec<User>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, User>(concat!(
        "SELECT ",
        user_cols!(),
        " FROM users ORDER BY username"
    ))
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn count_users(c: &mut Conn<'_>) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn set_password(
    c: &mut Conn<'_>,
    user_id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let n = on!(c, |c| sqlx::query(
        "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(user_id)
    .bind(hash)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_active(
    c: &mut Conn<'_>,
    user_id: i64,
    active: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE users SET active = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(user_id)
    .bind(active)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_locale(c: &mut Conn<'_>, user_id: i64, locale: &str) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE users SET locale = $2 WHERE id = $1"
    )
    .bind(user_id)
    .bind(locale)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

// ---------- grants ----------

pub async fn grants_of(c: &mut Conn<'_>, user_id: i64) -> Result<Vec<GrantRow>, StoreError> {
    Ok(on!(c, |c| {
        sqlx::query_as::<_, GrantRow>(
        "SELECT id, user_id, role, department_id FROM grants WHERE user_id = $1 ORDER BY role, department_id"
    )
    .bind(user_id)
    .fetch_all(&mut *c)
    .await
    })?)
}

pub async fn all_grants(c: &mut Conn<'_>) -> Result<Vec<GrantRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, GrantRow>(
        "SELECT id, user_id, role, department_id FROM grants ORDER BY user_id, role"
    )
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn insert_grant(
    c: &mut Conn<'_>,
    user_id: i64,
    g: Grant,
    now: DateTime<Utc>,
) -> Result<GrantRow, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, GrantRow>(
        "INSERT INTO grants (user_id, role, department_id, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id, user_id, role, department_id"
    )
    .bind(user_id)
    .bind(g.role.key())
    .bind(g.department_id)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn delete_grant(c: &mut Conn<'_>, grant_id: i64) -> Result<GrantRow, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, GrantRow>(
        "DELETE FROM grants WHERE id = $1 RETURNING id, user_id, role, department_id"
    )
    .bind(grant_id)
    .fetch_one(&mut *c)
    .await)?)
}

// ---------- sessions ----------

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub kind: &'a str,
    pub csrf_token: &'a str,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_session(
    c: &mut Conn<'_>,
    s: &NewSession<'_>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(on!(c, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, expires_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $5) RETURNING id"
    )
    .bind(s.token_hash)
    .bind(s.user_id)
    .bind(s.kind)
    .bind(s.csrf_token)
    .bind(now)
    .bind(s.expires_at)
    .fetch_one(&mut *c)
    .await
    })?)
}

/// The live session with this token hash, if any (expired sessions and inactive users are not).
pub async fn find_session(
    c: &mut Conn<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<SessionUser>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, SessionUser>(
        "SELECT s.id AS session_id, u.id AS user_id, u.username, u.display_name, u.employee_id, \
         u.locale, s.csrf_token, s.kind, s.expires_at, s.last_seen_at \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *c)
    .await)?)
}

#[derive(FromRow)]
struct SessionGrantRow {
    #[sqlx(flatten)]
    user: SessionUser,
    grant_role: Option<String>,
    grant_department_id: Option<i64>,
}

/// [`find_session`] and the user's grants in one round trip (every request does this).
pub async fn find_session_with_grants(
    c: &mut Conn<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(SessionUser, Vec<Grant>)>, StoreError> {
    let rows: Vec<SessionGrantRow> = on!(c, |c| {
        sqlx::query_as(
        "SELECT s.id AS session_id, u.id AS user_id, u.username, u.display_name, u.employee_id, \
         u.locale, s.csrf_token, s.kind, s.expires_at, s.last_seen_at, \
         g.role AS grant_role, g.department_id AS grant_department_id \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         LEFT JOIN grants g ON g.user_id = u.id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_all(&mut *c)
    .await
    })?;
    let grants = rows
        .iter()
        .filter_map(|r| {
            Some(Grant {
                role: Role::parse(r.grant_role.as_deref()?)?,
                department_id: r.grant_department_id,
            })
        })
        .collect();
    Ok(rows.into_iter().next().map(|r| (r.user, grants)))
}

/// Slides a session's expiry forward.
pub async fn touch_session(
    c: &mut Conn<'_>,
    session_id: i64,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1"
    )
    .bind(session_id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_session(c: &mut Conn<'_>, session_id: i64) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(session_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of a user, e.g. after a password change or reset; `keep` survives.
pub async fn delete_sessions_of(
    c: &mut Conn<'_>,
    user_id: i64,
    keep: Option<i64>,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND id <> $2"
    )
    .bind(user_id)
    .bind(keep.unwrap_or(-1))
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_expired_sessions(
    c: &mut Conn<'_>,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(on!(c, |c| sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= $1"
    )
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?)
}

// ---------- login attempts ----------

pub async fn record_login_attempt(
    c: &mut Conn<'_>,
    username: &str,
    succeeded: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, |c| sqlx::query(
        "INSERT INTO login_attempts (username, succeeded, at) VALUES ($1, $2, $3)"
    )
    .bind(username)
    .bind(succeeded)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Failed attempts for `username` since `since`, counted after the last success.
pub async fn recent_failures(
    c: &mut Conn<'_>,
    username: &str,
    since: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
    Ok(on!(c, |c| {
        sqlx::query_as::<_, (i64, Option<DateTime<Utc>>)>(
            "SELECT COUNT(*), MIN(at) FROM login_attempts \
         WHERE username = $1 AND NOT succeeded AND at > $2 AND at > COALESCE( \
           (SELECT MAX(at) FROM login_attempts WHERE username = $1 AND succeeded), $2)",
        )
        .bind(username)
        .bind(since)
        .fetch_one(&mut *c)
        .await
    })?)
}
