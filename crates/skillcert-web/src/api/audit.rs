//! Reading and verifying the hash-chained audit log.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use skillcert_app::Page;
use skillcert_app::audit::{self, Verification};
use skillcert_app::store::audit::{AuditQuery, AuditRow};

use super::extract::ApiQuery;
use crate::error::WebError;
use crate::session::Me;
use crate::state::AppState;

/// The filters of `GET /audit`; empty values mean no filter, numbers that do not parse fall
/// back to the defaults (page 1, 50 per page).
#[derive(Debug, Default, Deserialize)]
pub struct AuditParams {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    pub actor: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl AuditParams {
    pub fn to_query(&self) -> AuditQuery {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let number = |v: &Option<String>, default: i64| {
            v.as_deref()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(default)
        };
        AuditQuery {
            entity: text(&self.entity),
            entity_id: text(&self.entity_id),
            action: text(&self.action),
            actor: text(&self.actor),
            page: number(&self.page, 1),
            per_page: number(&self.per_page, 50),
            ..AuditQuery::default()
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Json<Page<AuditRow>>, WebError> {
    Ok(Json(audit::list(&state.app, &me, &p.to_query()).await?))
}

pub async fn verify(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Verification>, WebError> {
    Ok(Json(audit::verify_as(&state.app, &me).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_trimmed_and_numbers_default() {
        let p = AuditParams {
            entity: Some(" employee ".into()),
            action: Some(String::new()),
            page: Some("x".into()),
            per_page: Some("20".into()),
            ..AuditParams::default()
        };
        let q = p.to_query();
        assert_eq!(q.entity.as_deref(), Some("employee"));
        assert_eq!(q.action, None);
        assert_eq!(q.page, 1);
        assert_eq!(q.per_page, 20);
    }
}
