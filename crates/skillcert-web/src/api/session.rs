//! Signing in and out, the signed-in user, their password and their dashboard.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use skillcert_app::auth::{self, NewLogin, SessionKind};
use skillcert_app::dashboard::{self, Dashboard};
use skillcert_domain::access::{Grant, Permission};

use super::extract::ApiJson;
use crate::error::WebError;
use crate::session::Me;
use crate::state::AppState;

/// Every permission, in the order `GET /me` lists them.
pub const ALL_PERMISSIONS: [Permission; 23] = [
    Permission::Dashboard,
    Permission::OrgRead,
    Permission::OrgWrite,
    Permission::EmployeeImport,
    Permission::UserManage,
    Permission::AuditRead,
    Permission::SchemeRead,
    Permission::SchemeManage,
    Permission::QuestionBank,
    Permission::ExamManage,
    Permission::ExamMark,
    Permission::ExamResults,
    Permission::AssessmentManage,
    Permission::AssessmentJudge,
    Permission::AssessmentResults,
    Permission::CertificationManage,
    Permission::CertificationResults,
    Permission::AppealReview,
    Permission::TrainingManage,
    Permission::TrainingRead,
    Permission::TrainingTeach,
    Permission::TeamRate,
    Permission::Mentoring,
];

#[derive(Debug, Deserialize)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

/// `POST /session`: a bearer token for API calls.
pub async fn login(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<LoginBody>,
) -> Result<Json<NewLogin>, WebError> {
    Ok(Json(
        auth::login(&state.app, &b.username, &b.password, SessionKind::Api).await?,
    ))
}

/// `DELETE /session`: ends the session the request is made with.
pub async fn logout(State(state): State<AppState>, Me(me): Me) -> Result<StatusCode, WebError> {
    auth::logout(&state.app, &me).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user as `GET /me` shows them.
#[derive(Debug, Serialize)]
pub struct MeView {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub employee_id: Option<i64>,
    pub roles: Vec<Grant>,
    pub permissions: Vec<Permission>,
}

pub async fn me(Me(me): Me) -> Json<MeView> {
    let permissions = ALL_PERMISSIONS.into_iter().filter(|p| me.can(*p)).collect();
    Json(MeView {
        user_id: me.user_id,
        username: me.username,
        display_name: me.display_name,
        employee_id: me.employee_id,
        roles: me.grants,
        permissions,
    })
}

#[derive(Debug, Deserialize)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

/// `POST /me/password`: the user's other sessions end; this one stays.
pub async fn change_password(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(b): ApiJson<PasswordChange>,
) -> Result<StatusCode, WebError> {
    auth::change_password(
        &state.app,
        &me,
        &b.current_password,
        &b.new_password,
        &b.confirm_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn dashboard(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Dashboard>, WebError> {
    Ok(Json(dashboard::load(&state.app, &me).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails to compile when a permission is added, as a reminder to list it.
    fn index(p: Permission) -> usize {
        match p {
            Permission::Dashboard => 0,
            Permission::OrgRead => 1,
            Permission::OrgWrite => 2,
            Permission::EmployeeImport => 3,
            Permission::UserManage => 4,
            Permission::AuditRead => 5,
            Permission::SchemeRead => 6,
            Permission::SchemeManage => 7,
            Permission::QuestionBank => 8,
            Permission::ExamManage => 9,
            Permission::ExamMark => 10,
            Permission::ExamResults => 11,
            Permission::AssessmentManage => 12,
            Permission::AssessmentJudge => 13,
            Permission::AssessmentResults => 14,
            Permission::CertificationManage => 15,
            Permission::CertificationResults => 16,
            Permission::AppealReview => 17,
            Permission::TrainingManage => 18,
            Permission::TrainingRead => 19,
            Permission::TrainingTeach => 20,
            Permission::TeamRate => 21,
            Permission::Mentoring => 22,
        }
    }

    #[test]
    fn all_permissions_are_listed_once() {
        for (i, p) in ALL_PERMISSIONS.into_iter().enumerate() {
            assert_eq!(index(p), i);
        }
    }
}
