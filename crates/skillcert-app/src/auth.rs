//! Sign-in, sessions, passwords.
//!
//! Session tokens are 256 random bits; only their SHA-256 is stored, so a copy of the database
//! does not hand out sessions. Failed sign-ins are counted per account and throttled.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use rand::rngs::OsRng;
use serde::Serialize;
use sha2::{Digest, Sha256};
use skillcert_domain::org::FieldReason;
use skillcert_domain::text::TextError;
use skillcert_store::users::{self, NewSession};
use skillcert_store::{Conn, org};

use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult};

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

/// Whether a session came from the web sign-in form or the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Web,
    Api,
}

impl SessionKind {
    fn key(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

/// What a successful sign-in hands back: the token goes into a cookie or an API header.
#[derive(Debug, Clone, Serialize)]
pub struct NewLogin {
    pub token: String,
    pub csrf_token: String,
    pub user_id: i64,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

fn argon(app: &App) -> AppResult<Argon2<'static>> {
    let params = Params::new(
        app.config.argon_memory_kib,
        app.config.argon_iterations,
        1,
        None,
    )
    .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(app: &App, password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon(app)?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))?
        .to_string())
}

fn verify_password(app: &App, password: &str, hash: &str) -> AppResult<bool> {
    let parsed = PasswordHash::new(hash).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
    Ok(argon(app)?
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

/// Checks a new password's length; the message names the bounds.
pub fn check_new_password(field: &'static str, password: &str) -> AppResult<()> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(AppError::field(
            field,
            FieldReason::Text(TextError::TooShort { min: PASSWORD_MIN }),
        ));
    }
    if n > PASSWORD_MAX {
        return Err(AppError::field(
            field,
            FieldReason::Text(TextError::TooLong { max: PASSWORD_MAX }),
        ));
    }
    Ok(())
}

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Signs a user in. Throttles after too many failures; the same answer is given for an
/// unknown user and a wrong password.
pub async fn login(
    app: &App,
    username: &str,
    password: &str,
    kind: SessionKind,
) -> AppResult<NewLogin> {
    let username = username.trim();
    let now = app.now();
    let since = now - app.config.throttle_window;
    let user = {
        let mut r = app.db.read().await?;
        let mut c = r.conn();
        let (failures, first) = users::recent_failures(&mut c, username, since).await?;
        if failures >= app.config.throttle_failures {
            let until = first.unwrap_or(now) + app.config.throttle_window;
            let minutes = ((until - now).num_seconds() + 59) / 60;
            return Err(AppError::Throttled {
                minutes: minutes.max(1),
            });
        }
        users::find_user_by_username(&mut c, username).await?
    };
    // argon2 takes tens of milliseconds of CPU: off the async workers, so that a crowd
    // signing in before an exam does not stall everyone else's requests.
    let stored = user
        .as_ref()
        .filter(|u| u.active)
        .map(|u| u.password_hash.clone());
    let (worker, password_owned) = (app.clone(), password.to_string());
    let _slot = app
        .password_slots
        .acquire()
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password slots: {e}")))?;
    let ok = tokio::task::spawn_blocking(move || match stored {
        Some(hash) => verify_password(&worker, &password_owned, &hash),
        None => {
            // Spend the same effort as a real check so timing does not reveal usernames.
            let _ = hash_password(&worker, &password_owned);
            Ok(false)
        }
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("password check: {e}")))??;
    let mut tx = app.db.begin().await?;
    users::record_login_attempt(&mut tx.conn(), username, ok, now).await?;
    let Some(user) = user.filter(|_| ok) else {
        tx.commit().await?;
        return Err(AppError::BadCredentials);
    };
    let token = random_token();
    let csrf_token = random_token();
    let expires_at = now + app.config.session_idle;
    users::insert_session(
        &mut tx.conn(),
        &NewSession {
            token_hash: &token_hash(&token),
            user_id: user.id,
            kind: kind.key(),
            csrf_token: &csrf_token,
            expires_at,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(NewLogin {
        token,
        csrf_token,
        user_id: user.id,
        expires_at,
    })
}

/// Loads the signed-in user behind a session token, or `Unauthenticated`.
pub async fn authenticate(app: &App, token: &str) -> AppResult<Actor> {
    let now = app.now();
    let hash = token_hash(token);
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let (s, grants) = users::find_session_with_grants(&mut c, &hash, now)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let tree = department_tree(&mut c).await?;
    drop(r);
    // Slide the expiry, but write at most once a minute per session to keep reads cheap.
    // While most of the idle time is left, the request does not wait for that write (a lost
    // one costs nothing: the next request writes it); near expiry it does, so a session in
    // use never lapses.
    if now - s.last_seen_at > chrono::Duration::minutes(1) {
        let expires_at = now + app.config.session_idle;
        if s.expires_at - now < app.config.session_idle / 2 {
            crate::exams::touch_session(app, s.session_id, now, expires_at).await?;
        } else {
            let (app, session_id) = (app.clone(), s.session_id);
            tokio::spawn(async move {
                if let Err(e) = crate::exams::touch_session(&app, session_id, now, expires_at).await
                {
                    tracing::warn!(error = %e, "sliding a session's expiry failed");
                }
            });
        }
    }
    Ok(Actor::from_session(s, grants, tree))
}

pub(crate) async fn department_tree(c: &mut Conn<'_>) -> AppResult<Vec<(i64, Option<i64>)>> {
    Ok(org::department_parents(c).await?)
}

pub async fn logout(app: &App, actor: &Actor) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    users::delete_session(&mut tx.conn(), actor.session_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes one's own password; other sessions of the user end.
pub async fn change_password(
    app: &App,
    actor: &Actor,
    current: &str,
    new: &str,
    confirm: &str,
) -> AppResult<()> {
    check_new_password("new_password", new)?;
    if new != confirm {
        return Err(AppError::field("confirm_password", FieldReason::Mismatch));
    }
    let user = {
        let mut r = app.db.read().await?;
        users::get_user(&mut r.conn(), actor.user_id).await?
    };
    if !verify_password(app, current, &user.password_hash)? {
        return Err(AppError::field(
            "current_password",
            FieldReason::WrongPassword,
        ));
    }
    let hash = hash_password(app, new)?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    users::set_password(&mut c, actor.user_id, &hash, now).await?;
    users::delete_sessions_of(&mut c, actor.user_id, Some(actor.session_id)).await?;
    audit::record(
        app,
        &mut c,
        &Author::from(actor),
        "user.password_change",
        "user",
        actor.user_id,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
