//! The rubric library: presets and stored versions, saving a version, scoring a sheet.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use skillcert_app::rubrics::{self, Pick, RubricVersion, VersionInfo};
use skillcert_app::schemes::Origin;
use skillcert_domain::practical::rubric::{RubricDocument, SheetMarks, SheetScore};
use skillcert_domain::scheme::Labels;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{Operation, PREFIX, created, get, post};
use crate::error::WebError;
use crate::session::Me;
use crate::state::AppState;

pub fn operations() -> Vec<Operation> {
    vec![
        get("/rubrics", list),
        get("/rubrics/{key}", show),
        post("/rubrics/{key}/versions", create_version),
        post("/rubrics/{key}/score", score),
    ]
}

#[derive(Serialize)]
pub struct RubricSummary {
    pub key: String,
    pub version: u32,
    pub origin: Origin,
    pub labels: Labels,
    pub sections: usize,
    pub max_points: u32,
    pub stored_versions: usize,
    pub has_preset: bool,
}

#[derive(Serialize)]
pub struct RubricView {
    pub key: String,
    pub version: u32,
    pub origin: Origin,
    /// The TOML source.
    pub document: String,
    /// The validated rubric as data, in the shape of the TOML document.
    pub rubric: RubricDocument,
    pub max_points: u32,
    pub versions: Vec<VersionInfo>,
}

fn summary(v: &RubricVersion, stored_versions: usize, has_preset: bool) -> RubricSummary {
    RubricSummary {
        key: v.key.clone(),
        version: v.version,
        origin: v.origin,
        labels: v.rubric.labels().clone(),
        sections: v.rubric.sections().len(),
        max_points: v.rubric.max_points(),
        stored_versions,
        has_preset,
    }
}

pub async fn list(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<RubricSummary>>, WebError> {
    let items = rubrics::list(&state.app, &me).await?;
    Ok(Json(
        items
            .iter()
            .map(|s| summary(&s.latest, s.stored_versions, s.has_preset))
            .collect(),
    ))
}

/// `version`: `latest` (default), `preset` or a version number.
#[derive(Deserialize)]
pub struct VersionParam {
    #[serde(default)]
    pub version: Option<String>,
}

fn pick(raw: Option<&str>) -> Result<Pick, WebError> {
    Pick::parse(raw.unwrap_or("")).ok_or(WebError::BadRequest("bad-query"))
}

pub async fn show(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<VersionParam>,
) -> Result<Json<RubricView>, WebError> {
    let d = rubrics::get(&state.app, &me, &key, pick(q.version.as_deref())?).await?;
    Ok(Json(RubricView {
        key: d.current.key.clone(),
        version: d.current.version,
        origin: d.current.origin,
        rubric: d.current.rubric.to_document(),
        max_points: d.current.rubric.max_points(),
        document: d.current.document,
        versions: d.versions,
    }))
}

#[derive(Deserialize)]
pub struct NewVersion {
    pub document: String,
}

pub async fn create_version(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(key): ApiPath<String>,
    ApiJson(body): ApiJson<NewVersion>,
) -> Result<Response, WebError> {
    let row = rubrics::save_version(&state.app, &me, &key, &body.document).await?;
    Ok(created(
        format!("{PREFIX}/rubrics/{}?version={}", row.key, row.version),
        row,
    ))
}

pub async fn score(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<VersionParam>,
    ApiJson(marks): ApiJson<SheetMarks>,
) -> Result<Json<SheetScore>, WebError> {
    let (_, s) = rubrics::score(&state.app, &me, &key, pick(q.version.as_deref())?, &marks).await?;
    Ok(Json(s))
}
