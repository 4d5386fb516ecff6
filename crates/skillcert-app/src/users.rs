//! User accounts and role grants (administrators only).

use serde::{Deserialize, Serialize};
use skillcert_domain::access::{Grant, Permission, Role};
use skillcert_domain::org::{FieldError, FieldReason};
use skillcert_domain::text::{TextError, clean};
use skillcert_store::users::{self as store, GrantRow, NewUser, User};
use skillcert_store::{Conn, org};

use crate::audit::{self, Author};
use crate::auth::{check_new_password, hash_password};
use crate::error::on_conflict;
use crate::{Actor, App, AppError, AppResult};

#[derive(Debug, Clone, Serialize)]
pub struct UserWithGrants {
    #[serde(flatten)]
    pub user: User,
    pub grants: Vec<GrantRow>,
}

pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<UserWithGrants>> {
    actor.require(Permission::UserManage)?;
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let users = store::list_users(&mut c).await?;
    let grants = store::all_grants(&mut c).await?;
    Ok(users
        .into_iter()
        .map(|u| UserWithGrants {
            grants: grants
                .iter()
                .filter(|g| g.user_id == u.id)
                .cloned()
                .collect(),
            user: u,
        })
        .collect())
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<UserWithGrants> {
    actor.require(Permission::UserManage)?;
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let user = store::get_user(&mut c, id).await?;
    let grants = store::grants_of(&mut c, id).await?;
    Ok(UserWithGrants { user, grants })
}

/// The form or API body of a new user.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    #[serde(default)]
    pub employee_no: String,
    /// Role key granted at creation (optional).
    #[serde(default)]
    pub role: String,
    pub department_id: Option<i64>,
}

fn parse_username(raw: &str) -> Result<String, FieldReason> {
    let s = clean(raw, 64)?;
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(FieldReason::Text(TextError::BadCharacters));
    }
    Ok(s)
}

/// Creates a user without authorization checks: for the CLI's first-run bootstrap and the
/// demo loader, which act as the system itself.
pub async fn create_unchecked(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    input: &UserInput,
) -> AppResult<User> {
    let mut errors = Vec::new();
    let username = parse_username(&input.username)
        .map_err(|e| errors.push(FieldError::new("username", e)))
        .ok();
    let display = if input.display_name.trim().is_empty() {
        input.username.trim().to_string()
    } else {
        clean(&input.display_name, 64)
            .map_err(|e| errors.push(FieldError::new("display_name", e)))
            .unwrap_or_default()
    };
    if let Err(AppError::Validation(v)) = check_new_password("password", &input.password) {
        errors.extend(v);
    }
    let role = match input.role.trim() {
        "" => None,
        r => match Role::parse(r) {
            Some(r) => Some(r),
            None => {
                errors.push(FieldError::new("role", FieldReason::NotAllowed));
                None
            }
        },
    };
    let employee_id = match input.employee_no.trim() {
        "" => None,
        no => match org::find_employee_by_no(c, no).await? {
            Some(e) => Some(e.id),
            None => {
                errors.push(FieldError::new("employee_no", FieldReason::NotFound));
                None
            }
        },
    };
    let Some(username) = username.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let hash = hash_password(app, &input.password)?;
    let now = app.now();
    let user = store::insert_user(
        c,
        &NewUser {
            username: &username,
            display_name: &display,
            password_hash: &hash,
            employee_id,
        },
        now,
    )
    .await
    .map_err(|e| match e {
        skillcert_store::StoreError::Conflict { constraint } if constraint.contains("employee") => {
            AppError::field("employee_no", FieldReason::Duplicate)
        }
        other => on_conflict("username")(other),
    })?;
    audit::record(
        app,
        c,
        author,
        "user.create",
        "user",
        user.id,
        None::<&()>,
        Some(&user),
    )
    .await?;
    if let Some(role) = role {
        let department_id = if role.scopable() {
            input.department_id
        } else {
            None
        };
        add_grant_unchecked(
            app,
            c,
            author,
            user.id,
            Grant {
                role,
                department_id,
            },
        )
        .await?;
    }
    Ok(user)
}

pub async fn create(app: &App, actor: &Actor, input: &UserInput) -> AppResult<User> {
    actor.require(Permission::UserManage)?;
    let mut tx = app.db.begin().await?;
    let user = create_unchecked(app, &mut tx.conn(), &Author::from(actor), input).await?;
    tx.commit().await?;
    Ok(user)
}

async fn add_grant_unchecked(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    user_id: i64,
    grant: Grant,
) -> AppResult<GrantRow> {
    if let Some(d) = grant.department_id
        && org::get_department(c, d).await.is_err()
    {
        return Err(AppError::field("department_id", FieldReason::NotFound));
    }
    let g = store::insert_grant(c, user_id, grant, app.now())
        .await
        .map_err(on_conflict("role"))?;
    audit::record(
        app,
        c,
        author,
        "grant.create",
        "user",
        user_id,
        None::<&()>,
        Some(&g),
    )
    .await?;
    Ok(g)
}

pub async fn add_grant(
    app: &App,
    actor: &Actor,
    user_id: i64,
    role: &str,
    department_id: Option<i64>,
) -> AppResult<GrantRow> {
    actor.require(Permission::UserManage)?;
    let role = Role::parse(role).ok_or(AppError::field("role", FieldReason::NotAllowed))?;
    let department_id = if role.scopable() { department_id } else { None };
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    store::get_user(&mut c, user_id).await?;
    let g = add_grant_unchecked(
        app,
        &mut c,
        &Author::from(actor),
        user_id,
        Grant {
            role,
            department_id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(g)
}

pub async fn remove_grant(app: &App, actor: &Actor, user_id: i64, grant_id: i64) -> AppResult<()> {
    actor.require(Permission::UserManage)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let grants = store::grants_of(&mut c, user_id).await?;
    let Some(g) = grants.iter().find(|g| g.id == grant_id) else {
        return Err(AppError::NotFound);
    };
    // Keep at least one administrator able to sign in.
    if g.role == Role::Admin.key() && user_id == actor.user_id {
        return Err(AppError::Conflict("last-admin"));
    }
    store::delete_grant(&mut c, grant_id).await?;
    audit::record(
        app,
        &mut c,
        &Author::from(actor),
        "grant.delete",
        "user",
        user_id,
        Some(g),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password for another user (admin reset); their sessions end.
pub async fn reset_password(
    app: &App,
    actor: &Actor,
    user_id: i64,
    password: &str,
) -> AppResult<()> {
    actor.require(Permission::UserManage)?;
    check_new_password("password", password)?;
    let hash = hash_password(app, password)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    store::set_password(&mut c, user_id, &hash, app.now()).await?;
    store::delete_sessions_of(&mut c, user_id, None).await?;
    audit::record(
        app,
        &mut c,
        &Author::from(actor),
        "user.password_reset",
        "user",
        user_id,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Blocks or unblocks sign-in for a user; blocking ends their sessions.
pub async fn set_active(app: &App, actor: &Actor, user_id: i64, active: bool) -> AppResult<()> {
    actor.require(Permission::UserManage)?;
    if user_id == actor.user_id && !active {
        return Err(AppError::Conflict("self-deactivate"));
    }
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let before = store::get_user(&mut c, user_id).await?;
    store::set_active(&mut c, user_id, active, app.now()).await?;
    if !active {
        store::delete_sessions_of(&mut c, user_id, None).await?;
    }
    #[derive(Serialize)]
    struct Active {
        active: bool,
    }
    audit::record(
        app,
        &mut c,
        &Author::from(actor),
        if active {
            "user.activate"
        } else {
            "user.deactivate"
        },
        "user",
        user_id,
        Some(&Active {
            active: before.active,
        }),
        Some(&Active { active }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The first administrator, created from the command line on an empty system.
pub async fn bootstrap_admin(app: &App, username: &str, password: &str) -> AppResult<User> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let input = UserInput {
        username: username.into(),
        display_name: String::new(),
        password: password.into(),
        role: Role::Admin.key().into(),
        ..UserInput::default()
    };
    let user = create_unchecked(app, &mut c, &Author::system("cli"), &input).await?;
    tx.commit().await?;
    Ok(user)
}

/// Sets a password from the command line (a forgotten admin password).
pub async fn cli_reset_password(app: &App, username: &str, password: &str) -> AppResult<()> {
    check_new_password("password", password)?;
    let hash = hash_password(app, password)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let user = store::find_user_by_username(&mut c, username)
        .await?
        .ok_or(AppError::NotFound)?;
    store::set_password(&mut c, user.id, &hash, app.now()).await?;
    store::delete_sessions_of(&mut c, user.id, None).await?;
    audit::record(
        app,
        &mut c,
        &Author::system("cli"),
        "user.password_reset",
        "user",
        user.id,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
