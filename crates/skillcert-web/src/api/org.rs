//! Departments, units (service windows and teams), positions, employees and employee import.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use skillcert_app::import::{self, ImportReport, RowIssue};
use skillcert_app::org::{
    self, DepartmentInput, DepartmentNode, EmployeeInput, PositionInput, UnitInput,
};
use skillcert_app::store::org::{Department, Employee, EmployeeView, Position, Unit};
use skillcert_app::{AppError, Page};
use skillcert_domain::access::Permission;

use super::extract::{ApiJson, ApiPath, ApiQuery, RawBody};
use super::{PREFIX, created};
use crate::error::WebError;
use crate::html::employees::ListQuery;
use crate::i18n::Lang;
use crate::session::Me;
use crate::state::AppState;

pub const CSV_MIME: &str = "text/csv";
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The optional header naming an uploaded file.
pub const FILE_NAME_HEADER: &str = "x-file-name";

// ---------- departments ----------

pub async fn list_departments(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<DepartmentNode>>, WebError> {
    Ok(Json(org::department_tree(&state.app, &me).await?))
}

pub async fn create_department(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(input): ApiJson<DepartmentInput>,
) -> Result<Response, WebError> {
    let d = org::create_department(&state.app, &me, &input).await?;
    Ok(created(format!("{PREFIX}/departments/{}", d.id), d))
}

pub async fn get_department(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Department>, WebError> {
    Ok(Json(org::get_department(&state.app, &me, id).await?))
}

pub async fn update_department(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<DepartmentInput>,
) -> Result<Json<Department>, WebError> {
    Ok(Json(
        org::update_department(&state.app, &me, id, &input).await?,
    ))
}

// ---------- units ----------

pub async fn list_units(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<Unit>>, WebError> {
    Ok(Json(org::list_units(&state.app, &me).await?))
}

pub async fn create_unit(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(input): ApiJson<UnitInput>,
) -> Result<Response, WebError> {
    let u = org::create_unit(&state.app, &me, &input).await?;
    Ok(created(format!("{PREFIX}/units/{}", u.id), u))
}

pub async fn get_unit(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Unit>, WebError> {
    Ok(Json(org::get_unit(&state.app, &me, id).await?))
}

pub async fn update_unit(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<UnitInput>,
) -> Result<Json<Unit>, WebError> {
    Ok(Json(org::update_unit(&state.app, &me, id, &input).await?))
}

// ---------- positions ----------

pub async fn list_positions(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<Position>>, WebError> {
    Ok(Json(org::list_positions(&state.app, &me).await?))
}

pub async fn create_position(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(input): ApiJson<PositionInput>,
) -> Result<Response, WebError> {
    let p = org::create_position(&state.app, &me, &input).await?;
    Ok(created(format!("{PREFIX}/positions/{}", p.id), p))
}

pub async fn get_position(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Position>, WebError> {
    Ok(Json(org::get_position(&state.app, &me, id).await?))
}

pub async fn update_position(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<PositionInput>,
) -> Result<Json<Position>, WebError> {
    Ok(Json(
        org::update_position(&state.app, &me, id, &input).await?,
    ))
}

// ---------- employees ----------

/// `GET /employees`: the same filters as the list page; values that do not parse are ignored.
pub async fn list_employees(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(f): ApiQuery<ListQuery>,
) -> Result<Json<Page<EmployeeView>>, WebError> {
    let (q, department) = f.to_query();
    Ok(Json(
        org::list_employees(&state.app, &me, q, department).await?,
    ))
}

pub async fn create_employee(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(input): ApiJson<EmployeeInput>,
) -> Result<Response, WebError> {
    let e = org::create_employee(&state.app, &me, &input).await?;
    Ok(created(format!("{PREFIX}/employees/{}", e.id), e))
}

pub async fn get_employee(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EmployeeView>, WebError> {
    Ok(Json(org::get_employee(&state.app, &me, id).await?))
}

pub async fn update_employee(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<EmployeeInput>,
) -> Result<Json<Employee>, WebError> {
    Ok(Json(
        org::update_employee(&state.app, &me, id, &input).await?,
    ))
}

// ---------- import ----------

#[derive(Debug, Default, Deserialize)]
pub struct ImportParams {
    /// Check the file and report what would change, without writing.
    #[serde(default)]
    pub dry_run: bool,
}

/// The name an upload goes by: the `X-File-Name` header, else one derived from its type.
/// The name only helps to tell the format (the content decides when it can) and is recorded
/// in the audit log.
fn upload_name(headers: &HeaderMap) -> String {
    let named = headers
        .get(FILE_NAME_HEADER)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(n) = named {
        return n.to_string();
    }
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match mime.as_str() {
        CSV_MIME => "upload.csv".into(),
        XLSX_MIME => "upload.xlsx".into(),
        _ => "upload".into(),
    }
}

/// `POST /employees/import`: the file is the request body. A refused file is a 422 whose
/// error body carries the report (`import`).
pub async fn import_employees(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(p): ApiQuery<ImportParams>,
    headers: HeaderMap,
    RawBody(bytes): RawBody,
) -> Result<Json<ImportReport>, WebError> {
    me.require(Permission::EmployeeImport)?;
    if bytes.is_empty() {
        return Err(AppError::ImportRejected(Box::new(ImportReport {
            issues: vec![RowIssue {
                line: 0,
                column: None,
                code: "file-empty".into(),
                detail: None,
            }],
            dry_run: p.dry_run,
            ..ImportReport::default()
        }))
        .into());
    }
    let name = upload_name(&headers);
    Ok(Json(
        import::import_employees(&state.app, &me, &name, &bytes, p.dry_run).await?,
    ))
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TemplateFormat {
    #[default]
    Csv,
    Xlsx,
}

#[derive(Debug, Default, Deserialize)]
pub struct TemplateParams {
    #[serde(default)]
    pub format: TemplateFormat,
    /// `zh-CN` or `en`; the request's language when absent.
    pub lang: Option<String>,
}

/// `GET /employees/import/template`: an empty import file with headers and examples.
pub async fn import_template(
    lang: Lang,
    Me(me): Me,
    ApiQuery(p): ApiQuery<TemplateParams>,
) -> Result<Response, WebError> {
    me.require(Permission::EmployeeImport)?;
    let lang = match p.lang.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => lang,
        Some(raw) => Lang::parse(raw).ok_or(WebError::BadRequest("bad-query"))?,
    };
    let (bytes, mime, name) = match p.format {
        TemplateFormat::Csv => (
            skillcert_reports::employees::employee_template_csv(lang.reports()),
            "text/csv; charset=utf-8",
            "employees-template.csv",
        ),
        TemplateFormat::Xlsx => (
            skillcert_reports::employees::employee_template_xlsx(lang.reports())
                .map_err(|e| AppError::Internal(anyhow::anyhow!("xlsx template: {e}")))?,
            XLSX_MIME,
            "employees-template.xlsx",
        ),
    };
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_bytes(v.as_bytes()).unwrap());
        }
        h
    }

    #[test]
    fn upload_names_come_from_the_header_or_the_type() {
        assert_eq!(
            upload_name(&headers(&[("x-file-name", "hr.xlsx")])),
            "hr.xlsx"
        );
        assert_eq!(
            upload_name(&headers(&[("content-type", "text/csv; charset=utf-8")])),
            "upload.csv"
        );
        assert_eq!(
            upload_name(&headers(&[("content-type", XLSX_MIME)])),
            "upload.xlsx"
        );
        assert_eq!(
            upload_name(&headers(&[
                ("content-type", "text/csv"),
                ("x-file-name", " 员工.csv ")
            ])),
            "员工.csv"
        );
        assert_eq!(
            upload_name(&headers(&[("content-type", "application/octet-stream")])),
            "upload"
        );
        assert_eq!(upload_name(&HeaderMap::new()), "upload");
    }
}
