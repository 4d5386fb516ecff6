//! Certificates over the API: the record table, one certificate, revocation, the signed
//! credential and the public verification (both without sign-in), and the re-evaluation
//! tasks. Every handler is one call of `skillcert_app::certification::certificates`.
//!
//! The status lists a credential points to (`{public URL}/status/{purpose}`) are served
//! outside `/api/v1`, by the pages' router, because their address is written into every
//! signed credential.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use skillcert_app::certification::certificates::{self, Certificate, Verification};
use skillcert_app::store::certification::{CertificateQuery, TaskRow};
use skillcert_app::{AppError, Page};
use skillcert_domain::access::Permission;
use skillcert_domain::certification::CertificateStatus;
use skillcert_domain::scheme::Labels;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{Operation, get, post};
use crate::error::WebError;
use crate::html::certificates::TASK_STATUSES;
use crate::session::Me;
use crate::state::AppState;

pub fn operations() -> Vec<Operation> {
    vec![
        get("/certificates", list),
        get("/certificates/{number}", get_one),
        post("/certificates/{number}/revoke", revoke),
        get("/certificates/{number}/credential", credential),
        get("/verify/{number}", verify),
        get("/reevaluation/tasks", tasks),
        post("/reevaluation/sync", sync),
    ]
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub round_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn nonblank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `GET /certificates?q=&status=&round_id=&page=&per_page=`: newest first, in the caller's
/// departments. An unknown status is a 400 `bad-query`.
pub async fn list(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<Certificate>>, WebError> {
    let status = match nonblank(&q.status) {
        Some(s) => Some(
            CertificateStatus::parse(&s)
                .ok_or(WebError::BadRequest("bad-query"))?
                .key()
                .to_string(),
        ),
        None => None,
    };
    let query = CertificateQuery {
        search: nonblank(&q.q),
        status,
        round_id: q.round_id,
        page: q.page.unwrap_or(1).max(1),
        per_page: q.per_page.unwrap_or(50).clamp(1, 500),
        ..CertificateQuery::default()
    };
    Ok(Json(certificates::list(&state.app, &me, query).await?))
}

pub async fn get_one(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(number): ApiPath<String>,
) -> Result<Json<Certificate>, WebError> {
    Ok(Json(certificates::get(&state.app, &me, &number).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevokeBody {
    pub reason: String,
}

/// `POST /certificates/{number}/revoke {reason}`: for good; answers with the certificate
/// as it now is.
pub async fn revoke(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<RevokeBody>,
) -> Result<Json<Certificate>, WebError> {
    certificates::revoke(&state.app, &me, &number, &body.reason).await?;
    Ok(Json(certificates::get(&state.app, &me, &number).await?))
}

/// `GET /certificates/{number}/credential` (public): the signed Open Badges 3.0 credential
/// as issued. Served as `application/json`; the content is a W3C VC 2.0 document secured
/// with an embedded Data Integrity proof.
pub async fn credential(
    State(state): State<AppState>,
    ApiPath(number): ApiPath<String>,
) -> Result<Response, WebError> {
    let doc = certificates::credential(&state.app, &number).await?;
    let body = serde_json::to_vec_pretty(&doc)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("credential JSON: {e}")))?;
    let stem: String = number
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{stem}.credential.json\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// What anyone may learn about a certificate by its number: the holder's name masked, no
/// employee number, no score and no revocation reason (that stays with the staff pages).
#[derive(Debug, Clone, Serialize)]
pub struct PublicVerification {
    pub number: String,
    pub status: CertificateStatus,
    /// Whether the holder may rely on it today (`valid` or `expiring`).
    pub current: bool,
    pub holder: String,
    pub department: String,
    pub level: Labels,
    pub scheme: Labels,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub superseded_by: Option<String>,
    pub issuer: String,
    pub checked_on: NaiveDate,
}

impl PublicVerification {
    pub fn of(v: Verification, today: NaiveDate) -> PublicVerification {
        PublicVerification {
            current: v.status.is_current(),
            number: v.number,
            status: v.status,
            holder: v.holder,
            department: v.department,
            level: v.level,
            scheme: v.scheme,
            issued_on: v.issued_on,
            valid_until: v.valid_until,
            superseded_by: v.superseded_by,
            issuer: v.issuer,
            checked_on: today,
        }
    }
}

/// `GET /verify/{number}` (public): what the verification page shows.
pub async fn verify(
    State(state): State<AppState>,
    ApiPath(number): ApiPath<String>,
) -> Result<Json<PublicVerification>, WebError> {
    let v = crate::html::certificates::lookup(&state, &number).await?;
    Ok(Json(PublicVerification::of(v, state.app.today())))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TaskQuery {
    pub status: Option<String>,
}

/// `GET /reevaluation/tasks?status=open|passed|lapsed`, soonest expiry first.
pub async fn tasks(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> Result<Json<Vec<TaskRow>>, WebError> {
    let status = match nonblank(&q.status) {
        Some(s) if TASK_STATUSES.contains(&s.as_str()) => Some(s),
        Some(_) => return Err(WebError::BadRequest("bad-query")),
        None => None,
    };
    Ok(Json(
        certificates::tasks(&state.app, &me, status.as_deref()).await?,
    ))
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncResult {
    /// Tasks opened by this run.
    pub opened: usize,
}

/// `POST /reevaluation/sync`: what the server does hourly, now.
pub async fn sync(State(state): State<AppState>, Me(me): Me) -> Result<Json<SyncResult>, WebError> {
    me.require(Permission::CertificationManage)?;
    let opened = certificates::sync_reevaluation(&state.app).await?;
    Ok(Json(SyncResult { opened }))
}
