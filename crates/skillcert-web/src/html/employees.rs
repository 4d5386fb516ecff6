//! Employee list, detail, create/edit forms and file import.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use skillcert_app::import::{self, ImportReport};
use skillcert_app::org::{self, Choices, EmployeeInput};
use skillcert_app::store::Dir;
use skillcert_app::store::org::{EmployeeQuery, EmployeeSort, EmployeeView};
use skillcert_app::{AppError, Page};
use skillcert_domain::access::Permission;
use skillcert_domain::org::EmployeeStatus;

use super::{Ctx, FormErrors, Pager, WebForm, opt_id, render};
use crate::error::{WebError, form_errors, urlencode};
use crate::i18n::{Lang, t, tf};
use crate::session::Me;
use crate::state::AppState;

/// The list's query string; every value is optional and bad values are ignored.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub department: Option<String>,
    pub status: Option<String>,
    pub position: Option<String>,
    pub unit: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl ListQuery {
    pub fn to_query(&self) -> (EmployeeQuery, Option<i64>) {
        let q = EmployeeQuery {
            q: self.q.clone().filter(|s| !s.trim().is_empty()),
            departments: None,
            status: self.status.as_deref().and_then(EmployeeStatus::parse),
            position_id: opt_id(&self.position),
            unit_id: opt_id(&self.unit),
            supervisor_id: None,
            sort: self
                .sort
                .as_deref()
                .and_then(EmployeeSort::parse)
                .unwrap_or_default(),
            dir: if self.dir.as_deref() == Some("desc") {
                Dir::Desc
            } else {
                Dir::Asc
            },
            page: self
                .page
                .as_deref()
                .and_then(|p| p.parse().ok())
                .unwrap_or(1),
            per_page: self
                .per_page
                .as_deref()
                .and_then(|p| p.parse().ok())
                .unwrap_or(50),
        };
        (q, opt_id(&self.department))
    }

    /// The query string of the current filters, without page (and without sort if asked).
    fn base(&self, with_sort: bool) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: &Option<String>| {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", urlencode(v)));
            }
        };
        add("q", &self.q);
        add("department", &self.department);
        add("status", &self.status);
        add("position", &self.position);
        add("unit", &self.unit);
        add("per_page", &self.per_page);
        if with_sort {
            add("sort", &self.sort);
            add("dir", &self.dir);
        }
        parts.join("&")
    }
}

/// A sortable column header.
pub struct SortLink {
    pub key: &'static str,
    pub label_key: &'static str,
    pub href: String,
    /// "asc", "desc" or "" when not sorted by this column.
    pub state: &'static str,
}

impl SortLink {
    /// The headers of a sortable list: `(key, label key)` per column; `href(key, dir)` builds
    /// a column's link. Clicking the active column flips the direction.
    pub fn columns(
        cols: &[(&'static str, &'static str)],
        active: &str,
        dir: Dir,
        href: impl Fn(&str, &str) -> String,
    ) -> Vec<SortLink> {
        cols.iter()
            .map(|&(key, label_key)| {
                let is_active = active == key;
                let next_dir = if is_active && dir == Dir::Asc {
                    "desc"
                } else {
                    "asc"
                };
                SortLink {
                    key,
                    label_key,
                    href: href(key, next_dir),
                    state: match (is_active, dir) {
                        (false, _) => "",
                        (true, Dir::Asc) => "asc",
                        (true, Dir::Desc) => "desc",
                    },
                }
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "employees/list.html")]
struct ListPage {
    ctx: Ctx,
    page: Page<EmployeeView>,
    pager: Pager,
    f: ListQuery,
    choices: Choices,
    statuses: Vec<&'static str>,
    columns: Vec<SortLink>,
    can_write: bool,
    can_import: bool,
}

impl ListPage {
    fn selected(&self, field: &Option<String>, value: &str) -> bool {
        field.as_deref() == Some(value)
    }
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(f): Query<ListQuery>,
) -> Result<Response, WebError> {
    let (q, department) = f.to_query();
    let (sort, dir) = (q.sort, q.dir);
    let page = org::list_employees(&state.app, &me, q, department).await?;
    let choices = org::choices(&state.app, &me).await?;
    let base = f.base(false);
    let columns = SortLink::columns(
        &[
            ("employee_no", "employee-no"),
            ("name", "employee-name"),
            ("department", "employee-department"),
            ("hire_date", "employee-hire-date"),
            ("status", "employee-status"),
        ],
        sort.key(),
        dir,
        |key, next_dir| format!("/employees?{base}&sort={key}&dir={next_dir}"),
    );
    let pager = Pager {
        page: page.page,
        pages: page.pages(),
        total: page.total,
        base: format!("/employees?{}", f.base(true)),
    };
    render(&ListPage {
        ctx: Ctx::new(lang, Some(&me), "/employees"),
        can_write: me.can(Permission::OrgWrite),
        can_import: me.can(Permission::EmployeeImport),
        page,
        pager,
        f,
        choices,
        statuses: EmployeeStatus::ALL.iter().map(|s| s.key()).collect(),
        columns,
    })
}

#[derive(Template)]
#[template(path = "employees/show.html")]
struct ShowPage {
    ctx: Ctx,
    e: EmployeeView,
    can_write: bool,
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let e = org::get_employee(&state.app, &me, id).await?;
    let can_write = me.scope(Permission::OrgWrite).covers(e.department_id);
    render(&ShowPage {
        ctx: Ctx::new(lang, Some(&me), &format!("/employees/{id}")),
        e,
        can_write,
    })
}

#[derive(Template)]
#[template(path = "employees/form.html")]
struct FormPage {
    ctx: Ctx,
    /// `None` for a new employee.
    id: Option<i64>,
    v: EmployeeInput,
    choices: Choices,
    statuses: Vec<&'static str>,
    errors: FormErrors,
}

impl FormPage {
    fn is(&self, v: &Option<i64>, id: &i64) -> bool {
        *v == Some(*id)
    }
}

/// The form as posted: ids arrive as text ("" = none).
#[derive(Debug, Deserialize)]
pub struct EmployeeForm {
    employee_no: String,
    name: String,
    department_id: Option<String>,
    position_id: Option<String>,
    unit_id: Option<String>,
    #[serde(default)]
    supervisor_no: String,
    hire_date: String,
    #[serde(default)]
    status: String,
}

impl EmployeeForm {
    fn input(&self) -> EmployeeInput {
        EmployeeInput {
            employee_no: self.employee_no.clone(),
            name: self.name.clone(),
            department_id: opt_id(&self.department_id),
            position_id: opt_id(&self.position_id),
            unit_id: opt_id(&self.unit_id),
            supervisor_no: self.supervisor_no.clone(),
            hire_date: self.hire_date.clone(),
            status: self.status.clone(),
        }
    }
}

async fn form_page(
    state: &AppState,
    lang: Lang,
    me: &skillcert_app::Actor,
    id: Option<i64>,
    v: EmployeeInput,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let here = match id {
        Some(id) => format!("/employees/{id}/edit"),
        None => "/employees/new".to_string(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        ctx: Ctx::new(lang, Some(me), &here),
        id,
        v,
        choices: org::choices(&state.app, me).await?,
        statuses: EmployeeStatus::ALL.iter().map(|s| s.key()).collect(),
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    me.require(Permission::OrgWrite)?;
    let v = EmployeeInput {
        status: EmployeeStatus::Probation.key().into(),
        hire_date: state.app.today().to_string(),
        ..EmployeeInput::default()
    };
    form_page(&state, lang, &me, None, v, FormErrors::none()).await
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(f): WebForm<EmployeeForm>,
) -> Result<Response, WebError> {
    let input = f.input();
    match org::create_employee(&state.app, &me, &input).await {
        Ok(e) => Ok(Redirect::to(&format!("/employees/{}", e.id)).into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            form_page(
                &state,
                lang,
                &me,
                None,
                input,
                FormErrors(form_errors(lang, &e)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let e = org::get_employee(&state.app, &me, id).await?;
    me.require_in(Permission::OrgWrite, e.department_id)?;
    let v = EmployeeInput {
        employee_no: e.employee_no,
        name: e.name,
        department_id: Some(e.department_id),
        position_id: e.position_id,
        unit_id: e.unit_id,
        supervisor_no: e.supervisor_no.unwrap_or_default(),
        hire_date: e.hire_date.to_string(),
        status: e.status,
    };
    form_page(&state, lang, &me, Some(id), v, FormErrors::none()).await
}

pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<EmployeeForm>,
) -> Result<Response, WebError> {
    let input = f.input();
    match org::update_employee(&state.app, &me, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/employees/{id}")).into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            form_page(
                &state,
                lang,
                &me,
                Some(id),
                input,
                FormErrors(form_errors(lang, &e)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- import ----------

/// One line of an import report as shown to people.
pub struct IssueLine {
    pub line: String,
    pub column: String,
    pub message: String,
}

/// Localizes an import report's problems.
pub fn issue_lines(lang: Lang, r: &ImportReport) -> Vec<IssueLine> {
    r.issues
        .iter()
        .map(|i| {
            let detail = i.detail.clone().unwrap_or_default();
            IssueLine {
                line: if i.line == 0 {
                    t(lang, "import-file").to_string()
                } else {
                    i.line.to_string()
                },
                column: i
                    .column
                    .as_deref()
                    .map(|c| t(lang, &format!("column-{c}")).to_string())
                    .unwrap_or_default(),
                message: tf(
                    lang,
                    &format!("import-issue-{}", i.code),
                    &[("detail", &detail), ("limit", &detail)],
                ),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "employees/import.html")]
struct ImportPage {
    ctx: Ctx,
    report: Option<ImportReport>,
    issues: Vec<IssueLine>,
    file_name: String,
}

impl ImportPage {
    fn column(&self, key: &str) -> String {
        t(self.ctx.lang, &format!("column-{key}")).to_string()
    }
}

pub async fn import_form(lang: Lang, Me(me): Me) -> Result<Response, WebError> {
    me.require(Permission::EmployeeImport)?;
    render(&ImportPage {
        ctx: Ctx::new(lang, Some(&me), "/employees/import"),
        report: None,
        issues: Vec::new(),
        file_name: String::new(),
    })
}

pub async fn import_upload(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    me.require(Permission::EmployeeImport)?;
    let mut upload = crate::upload::read(mp).await?;
    let dry_run = upload.field("dry_run").is_some();
    let file = upload.take_file();
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let report = ImportReport {
            issues: vec![import::RowIssue {
                line: 0,
                column: None,
                code: "file-empty".into(),
                detail: None,
            }],
            ..ImportReport::default()
        };
        let page = ImportPage {
            issues: issue_lines(lang, &report),
            ctx: Ctx::new(lang, Some(&me), "/employees/import"),
            report: Some(report),
            file_name: String::new(),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let (status, report) =
        match import::import_employees(&state.app, &me, &name, &bytes, dry_run).await {
            Ok(r) => (StatusCode::OK, r),
            Err(AppError::ImportRejected(r)) => (StatusCode::UNPROCESSABLE_ENTITY, *r),
            Err(e) => return Err(e.into()),
        };
    let page = ImportPage {
        issues: issue_lines(lang, &report),
        ctx: Ctx::new(lang, Some(&me), "/employees/import"),
        report: Some(report),
        file_name: name,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn template_csv(lang: Lang, Me(me): Me) -> Result<Response, WebError> {
    me.require(Permission::EmployeeImport)?;
    let bytes = skillcert_reports::employees::employee_template_csv(lang.reports());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"employees-template.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn template_xlsx(lang: Lang, Me(me): Me) -> Result<Response, WebError> {
    me.require(Permission::EmployeeImport)?;
    let bytes = skillcert_reports::employees::employee_template_xlsx(lang.reports())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("xlsx template: {e}")))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"employees-template.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
