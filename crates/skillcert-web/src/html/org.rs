//! The organisation pages: the department tree, service windows/teams and positions, each with
//! a list and create/edit forms. Forms re-render with field errors (422) when the service refuses
//! the input; any other failure becomes the usual error page.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use skillcert_app::org::{self, DepartmentInput, DepartmentNode, PositionInput, UnitInput};
use skillcert_app::store::org::{Department, Position};
use skillcert_app::{Actor, AppError};
use skillcert_domain::access::{Permission, Scope};
use skillcert_domain::org::{DepartmentDraft, FieldError, FieldReason, UnitKind, subtree};
use skillcert_domain::text::TextError;

use super::{Ctx, FormErrors, WebForm, opt_id, render};
use crate::error::{WebError, form_errors};
use crate::i18n::{Lang, t};
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/departments", get(departments))
        .route(
            "/departments/new",
            get(new_department).post(create_department),
        )
        .route(
            "/departments/{id}/edit",
            get(edit_department).post(update_department),
        )
        .route("/units", get(units))
        .route("/units/new", get(new_unit).post(create_unit))
        .route("/units/{id}/edit", get(edit_unit).post(update_unit))
        .route("/positions", get(positions))
        .route("/positions/new", get(new_position).post(create_position))
        .route(
            "/positions/{id}/edit",
            get(edit_position).post(update_position),
        )
}

// ---------- shared ----------

/// One option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A department as an option, indented by its depth in the tree.
fn department_choice(n: &DepartmentNode, selected: Option<i64>) -> Choice {
    Choice {
        value: n.department.id.to_string(),
        label: format!("{}{}", "\u{3000}".repeat(n.depth), n.department.name),
        selected: selected == Some(n.department.id),
    }
}

/// The unit kinds as options; their labels come from `unit-kind-<key>`.
fn kind_choices(lang: Lang, selected: &str) -> Vec<Choice> {
    [UnitKind::Window, UnitKind::Team]
        .into_iter()
        .map(|k| Choice {
            value: k.key().to_string(),
            label: kind_label(lang, k).to_string(),
            selected: selected == k.key(),
        })
        .collect()
}

fn kind_label(lang: Lang, kind: UnitKind) -> &'static str {
    t(lang, &format!("unit-kind-{}", kind.key()))
}

/// 200 for a fresh form, 422 for one shown again with errors.
fn form_status(errors: &FormErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Whether the actor may change the organisation everywhere (top-level departments, positions).
fn writes_everywhere(me: &Actor) -> bool {
    me.scope(Permission::OrgWrite) == Scope::All
}

/// Positions are company-wide: changing them needs a company-wide grant.
fn require_global_write(me: &Actor) -> Result<(), WebError> {
    if me.require(Permission::OrgWrite)? == Scope::All {
        Ok(())
    } else {
        Err(AppError::Forbidden.into())
    }
}

/// The error re-rendered in the form, or the error to propagate.
fn refused(lang: Lang, e: AppError) -> Result<FormErrors, WebError> {
    match e {
        AppError::Validation(_) | AppError::Conflict(_) => Ok(FormErrors(form_errors(lang, &e))),
        other => Err(other.into()),
    }
}

// ---------- departments ----------

/// One line of the department tree.
pub struct DepartmentRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Ideographic spaces before the name, by depth (they are not collapsed like ASCII spaces).
    pub indent: String,
    pub headcount: i64,
    pub writable: bool,
}

impl From<&DepartmentNode> for DepartmentRow {
    fn from(n: &DepartmentNode) -> Self {
        DepartmentRow {
            id: n.department.id,
            code: n.department.code.clone(),
            name: n.department.name.clone(),
            indent: "\u{3000}".repeat(2 * n.depth),
            headcount: n.headcount,
            writable: n.writable,
        }
    }
}

/// The fields of a department form: the list's inline form and the form page share them.
pub struct DepartmentFields {
    pub v: DepartmentInput,
    /// The possible parents, the top level aside.
    pub parents: Vec<Choice>,
    /// Whether "top level" may be chosen; otherwise a parent is required.
    pub top_level: bool,
    pub errors: FormErrors,
}

impl DepartmentFields {
    /// `editing` is the stored department when changing one: it cannot be its own parent, and
    /// keeping its current parent (or top-level place) is always offered.
    fn new(
        lang: Lang,
        me: &Actor,
        nodes: &[DepartmentNode],
        editing: Option<&Department>,
        v: DepartmentInput,
        errors: FormErrors,
    ) -> Self {
        let self_id = editing.map(|d| d.id);
        let mut parents = Vec::new();
        if let Some(p) = editing.and_then(|d| d.parent_id)
            && !nodes.iter().any(|n| n.writable && n.department.id == p)
        {
            // The current parent lies outside the actor's write scope: keeping it is allowed.
            let label = nodes
                .iter()
                .find(|n| n.department.id == p)
                .map(|n| n.department.name.clone())
                .unwrap_or_else(|| t(lang, "dept-parent-unchanged").to_string());
            parents.push(Choice {
                value: p.to_string(),
                label,
                selected: v.parent_id == Some(p),
            });
        }
        parents.extend(
            nodes
                .iter()
                .filter(|n| n.writable && Some(n.department.id) != self_id)
                .map(|n| department_choice(n, v.parent_id)),
        );
        DepartmentFields {
            top_level: top_level_allowed(me, editing),
            v,
            parents,
            errors,
        }
    }
}

/// A department may be placed at the top level by a company-wide writer, or kept there.
fn top_level_allowed(me: &Actor, editing: Option<&Department>) -> bool {
    writes_everywhere(me) || editing.is_some_and(|d| d.parent_id.is_none())
}

/// A missing parent where one is required, reported with the form's other problems instead of
/// being refused as forbidden by the service.
fn missing_parent(
    lang: Lang,
    me: &Actor,
    input: &DepartmentInput,
    editing: Option<&Department>,
) -> Option<FormErrors> {
    if input.parent_id.is_some() || top_level_allowed(me, editing) {
        return None;
    }
    let mut errors = DepartmentDraft::parse(&input.code, &input.name, None)
        .err()
        .unwrap_or_default();
    errors.push(FieldError::new(
        "parent_id",
        FieldReason::Text(TextError::Empty),
    ));
    Some(FormErrors(form_errors(lang, &AppError::Validation(errors))))
}

#[derive(Template)]
#[template(path = "org/departments.html")]
struct DepartmentsPage {
    ctx: Ctx,
    rows: Vec<DepartmentRow>,
    can_write: bool,
    form: DepartmentFields,
}

pub async fn departments(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    let nodes = org::department_tree(&state.app, &me).await?;
    let form = DepartmentFields::new(
        lang,
        &me,
        &nodes,
        None,
        DepartmentInput::default(),
        FormErrors::none(),
    );
    render(&DepartmentsPage {
        ctx: Ctx::new(lang, Some(&me), "/departments"),
        rows: nodes.iter().map(DepartmentRow::from).collect(),
        can_write: me.can(Permission::OrgWrite),
        form,
    })
}

#[derive(Template)]
#[template(path = "org/department_form.html")]
struct DepartmentFormPage {
    ctx: Ctx,
    /// `None` for a new department.
    id: Option<i64>,
    /// The stored name of the department being changed.
    title: Option<String>,
    form: DepartmentFields,
}

/// The department form; the caller has checked the actor may write.
async fn department_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    editing: Option<&Department>,
    v: DepartmentInput,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let nodes = org::department_choices(&state.app, me).await?;
    let here = match editing {
        Some(d) => format!("/departments/{}/edit", d.id),
        None => "/departments/new".to_string(),
    };
    let status = form_status(&errors);
    let page = DepartmentFormPage {
        ctx: Ctx::new(lang, Some(me), &here),
        id: editing.map(|d| d.id),
        title: editing.map(|d| d.name.clone()),
        form: DepartmentFields::new(lang, me, &nodes, editing, v, errors),
    };
    Ok((status, render(&page)?).into_response())
}

/// The department form as posted: the parent arrives as text ("" = top level).
#[derive(Debug, Deserialize)]
pub struct DepartmentForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    parent_id: Option<String>,
}

impl DepartmentForm {
    fn input(&self) -> DepartmentInput {
        DepartmentInput {
            code: self.code.clone(),
            name: self.name.clone(),
            parent_id: opt_id(&self.parent_id),
        }
    }
}

pub async fn new_department(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    me.require(Permission::OrgWrite)?;
    department_page(
        &state,
        lang,
        &me,
        None,
        DepartmentInput::default(),
        FormErrors::none(),
    )
    .await
}

pub async fn create_department(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(f): WebForm<DepartmentForm>,
) -> Result<Response, WebError> {
    me.require(Permission::OrgWrite)?;
    let input = f.input();
    if let Some(errors) = missing_parent(lang, &me, &input, None) {
        return department_page(&state, lang, &me, None, input, errors).await;
    }
    match org::create_department(&state.app, &me, &input).await {
        Ok(_) => Ok(Redirect::to("/departments").into_response()),
        Err(e) => {
            let errors = refused(lang, e)?;
            department_page(&state, lang, &me, None, input, errors).await
        }
    }
}

pub async fn edit_department(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let d = org::get_department(&state.app, &me, id).await?;
    me.require_in(Permission::OrgWrite, d.id)?;
    let v = DepartmentInput {
        code: d.code.clone(),
        name: d.name.clone(),
        parent_id: d.parent_id,
    };
    department_page(&state, lang, &me, Some(&d), v, FormErrors::none()).await
}

pub async fn update_department(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<DepartmentForm>,
) -> Result<Response, WebError> {
    let d = org::get_department(&state.app, &me, id).await?;
    me.require_in(Permission::OrgWrite, d.id)?;
    let input = f.input();
    if let Some(errors) = missing_parent(lang, &me, &input, Some(&d)) {
        return department_page(&state, lang, &me, Some(&d), input, errors).await;
    }
    match org::update_department(&state.app, &me, id, &input).await {
        Ok(_) => Ok(Redirect::to("/departments").into_response()),
        Err(e) => {
            let errors = refused(lang, e)?;
            department_page(&state, lang, &me, Some(&d), input, errors).await
        }
    }
}

// ---------- units (service windows and teams) ----------

/// The list's filters; bad values are ignored.
#[derive(Debug, Default, Deserialize)]
pub struct UnitQuery {
    pub department: Option<String>,
    pub kind: Option<String>,
}

/// One line of the unit list.
pub struct UnitRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub department: String,
    pub writable: bool,
}

#[derive(Template)]
#[template(path = "org/units.html")]
struct UnitsPage {
    ctx: Ctx,
    rows: Vec<UnitRow>,
    /// Filter options.
    departments: Vec<Choice>,
    kinds: Vec<Choice>,
    filtered: bool,
    can_write: bool,
}

pub async fn units(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<UnitQuery>,
) -> Result<Response, WebError> {
    let all = org::list_units(&state.app, &me).await?;
    let nodes = org::department_choices(&state.app, &me).await?;
    let department = opt_id(&q.department);
    let kind = q.kind.as_deref().and_then(UnitKind::parse);
    // A department filter means the department and everything below it.
    let within = department.map(|d| subtree(&[d], &me.tree));
    let write = me.scope(Permission::OrgWrite);
    let rows = all
        .into_iter()
        .filter(|u| within.as_ref().is_none_or(|w| w.contains(&u.department_id)))
        .filter(|u| kind.is_none_or(|k| u.kind() == k))
        .map(|u| UnitRow {
            kind: u.kind().key(),
            kind_label: kind_label(lang, u.kind()),
            department: nodes
                .iter()
                .find(|n| n.department.id == u.department_id)
                .map(|n| n.department.name.clone())
                .unwrap_or_default(),
            writable: write.covers(u.department_id),
            id: u.id,
            code: u.code,
            name: u.name,
        })
        .collect();
    let mut here = String::from("/units");
    let params: Vec<String> = [
        ("department", department.map(|d| d.to_string())),
        ("kind", kind.map(|k| k.key().to_string())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
    .collect();
    if !params.is_empty() {
        here.push('?');
        here.push_str(&params.join("&"));
    }
    render(&UnitsPage {
        ctx: Ctx::new(lang, Some(&me), &here),
        rows,
        departments: nodes
            .iter()
            .map(|n| department_choice(n, department))
            .collect(),
        kinds: kind_choices(lang, kind.map(UnitKind::key).unwrap_or_default()),
        filtered: department.is_some() || kind.is_some(),
        can_write: me.can(Permission::OrgWrite),
    })
}

#[derive(Template)]
#[template(path = "org/unit_form.html")]
struct UnitFormPage {
    ctx: Ctx,
    /// `None` for a new unit.
    id: Option<i64>,
    title: Option<String>,
    v: UnitInput,
    kinds: Vec<Choice>,
    departments: Vec<Choice>,
    errors: FormErrors,
}

/// The unit form; the caller has checked the actor may write. `editing` is `(id, stored name)`.
async fn unit_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    editing: Option<(i64, String)>,
    v: UnitInput,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let nodes = org::department_choices(&state.app, me).await?;
    let here = match &editing {
        Some((id, _)) => format!("/units/{id}/edit"),
        None => "/units/new".to_string(),
    };
    let status = form_status(&errors);
    let (id, title) = editing.unzip();
    let page = UnitFormPage {
        ctx: Ctx::new(lang, Some(me), &here),
        id,
        title,
        kinds: kind_choices(lang, &v.kind),
        departments: nodes
            .iter()
            .filter(|n| n.writable)
            .map(|n| department_choice(n, v.department_id))
            .collect(),
        v,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

/// The unit form as posted.
#[derive(Debug, Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    department_id: Option<String>,
}

impl UnitForm {
    fn input(&self) -> UnitInput {
        UnitInput {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            department_id: opt_id(&self.department_id),
        }
    }
}

pub async fn new_unit(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<UnitQuery>,
) -> Result<Response, WebError> {
    me.require(Permission::OrgWrite)?;
    // Coming from a filtered list, start with its department and kind.
    let v = UnitInput {
        kind: q
            .kind
            .as_deref()
            .and_then(UnitKind::parse)
            .map(|k| k.key().to_string())
            .unwrap_or_default(),
        department_id: opt_id(&q.department),
        ..UnitInput::default()
    };
    unit_page(&state, lang, &me, None, v, FormErrors::none()).await
}

pub async fn create_unit(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(f): WebForm<UnitForm>,
) -> Result<Response, WebError> {
    me.require(Permission::OrgWrite)?;
    let input = f.input();
    match org::create_unit(&state.app, &me, &input).await {
        Ok(_) => Ok(Redirect::to("/units").into_response()),
        Err(e) => {
            let errors = refused(lang, e)?;
            unit_page(&state, lang, &me, None, input, errors).await
        }
    }
}

pub async fn edit_unit(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let u = org::get_unit(&state.app, &me, id).await?;
    me.require_in(Permission::OrgWrite, u.department_id)?;
    let v = UnitInput {
        kind: u.kind().key().to_string(),
        department_id: Some(u.department_id),
        code: u.code,
        name: u.name.clone(),
    };
    unit_page(&state, lang, &me, Some((id, u.name)), v, FormErrors::none()).await
}

pub async fn update_unit(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<UnitForm>,
) -> Result<Response, WebError> {
    let u = org::get_unit(&state.app, &me, id).await?;
    me.require_in(Permission::OrgWrite, u.department_id)?;
    let input = f.input();
    match org::update_unit(&state.app, &me, id, &input).await {
        Ok(_) => Ok(Redirect::to("/units").into_response()),
        Err(e) => {
            let errors = refused(lang, e)?;
            unit_page(&state, lang, &me, Some((id, u.name)), input, errors).await
        }
    }
}

// ---------- positions ----------

#[derive(Template)]
#[template(path = "org/positions.html")]
struct PositionsPage {
    ctx: Ctx,
    items: Vec<Position>,
    can_write: bool,
}

pub async fn positions(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    let items = org::list_positions(&state.app, &me).await?;
    render(&PositionsPage {
        ctx: Ctx::new(lang, Some(&me), "/positions"),
        items,
        can_write: writes_everywhere(&me),
    })
}

#[derive(Template)]
#[template(path = "org/position_form.html")]
struct PositionFormPage {
    ctx: Ctx,
    /// `None` for a new position.
    id: Option<i64>,
    title: Option<String>,
    v: PositionInput,
    errors: FormErrors,
}

/// The position form; the caller has checked the actor may write. `editing` is `(id, stored name)`.
fn position_page(
    lang: Lang,
    me: &Actor,
    editing: Option<(i64, String)>,
    v: PositionInput,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let here = match &editing {
        Some((id, _)) => format!("/positions/{id}/edit"),
        None => "/positions/new".to_string(),
    };
    let status = form_status(&errors);
    let (id, title) = editing.unzip();
    let page = PositionFormPage {
        ctx: Ctx::new(lang, Some(me), &here),
        id,
        title,
        v,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

/// The position form as posted.
#[derive(Debug, Deserialize)]
pub struct PositionForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

impl PositionForm {
    fn input(&self) -> PositionInput {
        PositionInput {
            code: self.code.clone(),
            name: self.name.clone(),
        }
    }
}

pub async fn new_position(lang: Lang, Me(me): Me) -> Result<Response, WebError> {
    require_global_write(&me)?;
    position_page(
        lang,
        &me,
        None,
        PositionInput::default(),
        FormErrors::none(),
    )
}

pub async fn create_position(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(f): WebForm<PositionForm>,
) -> Result<Response, WebError> {
    require_global_write(&me)?;
    let input = f.input();
    match org::create_position(&state.app, &me, &input).await {
        Ok(_) => Ok(Redirect::to("/positions").into_response()),
        Err(e) => {
            let errors = refused(lang, e)?;
            position_page(lang, &me, None, input, errors)
        }
    }
}

pub async fn edit_position(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    require_global_write(&me)?;
    let p = org::get_position(&state.app, &me, id).await?;
    let v = PositionInput {
        code: p.code,
        name: p.name.clone(),
    };
    position_page(lang, &me, Some((id, p.name)), v, FormErrors::none())
}

pub async fn update_position(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<PositionForm>,
) -> Result<Response, WebError> {
    require_global_write(&me)?;
    let p = org::get_position(&state.app, &me, id).await?;
    let input = f.input();
    match org::update_position(&state.app, &me, id, &input).await {
        Ok(_) => Ok(Redirect::to("/positions").into_response()),
        Err(e) => {
            let errors = refused(lang, e)?;
            position_page(lang, &me, Some((id, p.name)), input, errors)
        }
    }
}
