//! User accounts: list, creation, role grants, password reset and blocking (administrators).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use skillcert_app::org::{self, DepartmentNode};
use skillcert_app::store::users::{GrantRow, User};
use skillcert_app::users::{self, UserInput};
use skillcert_app::{Actor, AppError};
use skillcert_domain::access::{Permission, Role};

use super::{Ctx, FormErrors, WebForm, opt_id, render};
use crate::error::{WebError, form_errors};
use crate::i18n::{Lang, t};
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list))
        .route("/users/new", get(new_form).post(create))
        .route("/users/{id}", get(show))
        .route("/users/{id}/grants", post(add_grant))
        .route("/users/{id}/grants/{grant_id}/delete", post(remove_grant))
        .route("/users/{id}/password", post(reset_password))
        .route("/users/{id}/active", post(set_active))
}

/// A role as offered in a select.
pub struct RoleOption {
    pub key: &'static str,
    pub scopable: bool,
}

fn role_options() -> Vec<RoleOption> {
    Role::ALL
        .iter()
        .map(|r| RoleOption {
            key: r.key(),
            scopable: r.scopable(),
        })
        .collect()
}

/// A grant as shown: the role key and where it applies ("" for roles that are always global).
pub struct GrantView {
    pub id: i64,
    pub role: String,
    pub scope: String,
}

/// Department names by id, for showing where grants apply.
fn department_names(tree: &[DepartmentNode]) -> HashMap<i64, String> {
    tree.iter()
        .map(|d| (d.department.id, d.department.name.clone()))
        .collect()
}

fn grant_views(lang: Lang, grants: &[GrantRow], names: &HashMap<i64, String>) -> Vec<GrantView> {
    grants
        .iter()
        .map(|g| {
            let scopable = Role::parse(&g.role).is_none_or(|r| r.scopable());
            let scope = match g.department_id {
                _ if !scopable => String::new(),
                None => t(lang, "user-scope-all").to_string(),
                Some(d) => names.get(&d).cloned().unwrap_or_else(|| format!("#{d}")),
            };
            GrantView {
                id: g.id,
                role: g.role.clone(),
                scope,
            }
        })
        .collect()
}

fn errors_of(lang: Lang, e: &AppError) -> FormErrors {
    FormErrors(form_errors(lang, e))
}

fn status_of(errors: &FormErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

// ---------- list ----------

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
}

/// One line of the user list.
pub struct UserLine {
    pub user: User,
    pub grants: Vec<GrantView>,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    ctx: Ctx,
    q: String,
    users: Vec<UserLine>,
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(f): Query<ListQuery>,
) -> Result<Response, WebError> {
    me.require(Permission::UserManage)?;
    let q = f.q.unwrap_or_default().trim().to_string();
    let needle = q.to_lowercase();
    let names = department_names(&org::department_choices(&state.app, &me).await?);
    let users = users::list(&state.app, &me)
        .await?
        .into_iter()
        .filter(|u| {
            needle.is_empty()
                || u.user.username.to_lowercase().contains(&needle)
                || u.user.display_name.to_lowercase().contains(&needle)
        })
        .map(|u| UserLine {
            grants: grant_views(lang, &u.grants, &names),
            user: u.user,
        })
        .collect();
    render(&ListPage {
        ctx: Ctx::new(lang, Some(&me), "/users"),
        q,
        users,
    })
}

// ---------- new user ----------

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    ctx: Ctx,
    v: UserInput,
    roles: Vec<RoleOption>,
    departments: Vec<DepartmentNode>,
    errors: FormErrors,
}

impl FormPage {
    fn is(&self, v: &Option<i64>, id: &i64) -> bool {
        *v == Some(*id)
    }
}

/// The new-user form as posted; missing fields are empty and fail validation.
#[derive(Debug, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    employee_no: String,
    #[serde(default)]
    role: String,
    department_id: Option<String>,
}

impl UserForm {
    fn input(&self) -> UserInput {
        UserInput {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            password: self.password.clone(),
            employee_no: self.employee_no.clone(),
            role: self.role.clone(),
            department_id: opt_id(&self.department_id),
        }
    }
}

async fn form_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    mut v: UserInput,
    errors: FormErrors,
) -> Result<Response, WebError> {
    // A password is never sent back to the browser.
    v.password.clear();
    let status = status_of(&errors);
    let page = FormPage {
        ctx: Ctx::new(lang, Some(me), "/users/new"),
        v,
        roles: role_options(),
        departments: org::department_choices(&state.app, me).await?,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    me.require(Permission::UserManage)?;
    form_page(&state, lang, &me, UserInput::default(), FormErrors::none()).await
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(f): WebForm<UserForm>,
) -> Result<Response, WebError> {
    let input = f.input();
    match users::create(&state.app, &me, &input).await {
        Ok(u) => Ok(Redirect::to(&format!("/users/{}?done=created", u.id)).into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let errors = errors_of(lang, &e);
            form_page(&state, lang, &me, input, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- detail and changes ----------

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    pub done: Option<String>,
}

/// The flash message of a finished change; unknown keys show nothing.
fn done_message(lang: Lang, done: Option<&str>) -> Option<String> {
    let key = match done? {
        "created" => "user-done-created",
        "grant-added" => "user-done-grant-added",
        "grant-removed" => "user-done-grant-removed",
        "password-reset" => "user-done-password-reset",
        "activated" => "user-done-activated",
        "deactivated" => "user-done-deactivated",
        _ => return None,
    };
    Some(t(lang, key).to_string())
}

/// The add-grant form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    role: String,
    department_id: Option<String>,
}

#[derive(Template)]
#[template(path = "users/show.html")]
struct ShowPage {
    ctx: Ctx,
    u: User,
    grants: Vec<GrantView>,
    roles: Vec<RoleOption>,
    departments: Vec<DepartmentNode>,
    /// The add-grant form's values, kept when it is shown again with errors.
    grant: GrantForm,
    errors: FormErrors,
}

impl ShowPage {
    fn grant_department_is(&self, id: &i64) -> bool {
        opt_id(&self.grant.department_id) == Some(*id)
    }
}

async fn show_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    flash: Option<String>,
    grant: GrantForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    me.require(Permission::UserManage)?;
    let uw = users::get(&state.app, me, id).await?;
    let departments = org::department_choices(&state.app, me).await?;
    let names = department_names(&departments);
    let status = status_of(&errors);
    let page = ShowPage {
        ctx: Ctx::new(lang, Some(me), &format!("/users/{id}")).with_flash(flash),
        grants: grant_views(lang, &uw.grants, &names),
        u: uw.user,
        roles: role_options(),
        departments,
        grant,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let flash = done_message(lang, q.done.as_deref());
    show_page(
        &state,
        lang,
        &me,
        id,
        flash,
        GrantForm::default(),
        FormErrors::none(),
    )
    .await
}

/// Redirects after a change, or shows the detail page again with the change's errors.
async fn after_change(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    result: Result<&'static str, AppError>,
    grant: GrantForm,
) -> Result<Response, WebError> {
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/users/{id}?done={done}")).into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let errors = errors_of(lang, &e);
            show_page(state, lang, me, id, None, grant, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_grant(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<GrantForm>,
) -> Result<Response, WebError> {
    let result = users::add_grant(&state.app, &me, id, &f.role, opt_id(&f.department_id))
        .await
        .map(|_| "grant-added");
    after_change(&state, lang, &me, id, result, f).await
}

pub async fn remove_grant(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path((id, grant_id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let result = users::remove_grant(&state.app, &me, id, grant_id)
        .await
        .map(|()| "grant-removed");
    after_change(&state, lang, &me, id, result, GrantForm::default()).await
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<PasswordForm>,
) -> Result<Response, WebError> {
    let result = users::reset_password(&state.app, &me, id, &f.password)
        .await
        .map(|()| "password-reset");
    after_change(&state, lang, &me, id, result, GrantForm::default()).await
}

#[derive(Debug, Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    active: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<ActiveForm>,
) -> Result<Response, WebError> {
    let active = match f.active.trim() {
        "true" => true,
        "false" => false,
        _ => {
            let errors = FormErrors(vec![("active".into(), t(lang, "field-not-allowed").into())]);
            return show_page(&state, lang, &me, id, None, GrantForm::default(), errors).await;
        }
    };
    let result = users::set_active(&state.app, &me, id, active)
        .await
        .map(|()| if active { "activated" } else { "deactivated" });
    after_change(&state, lang, &me, id, result, GrantForm::default()).await
}
