//! Certification schemes: presets and stored versions, saving a version, evaluating inputs.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use skillcert_app::schemes::{self, Origin, Pick, Version, VersionInfo};
use skillcert_domain::scheme::{Evaluation, Inputs, Labels, SchemeDocument, Score, Weight};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{PREFIX, created};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::session::Me;
use crate::state::AppState;

#[derive(Serialize)]
pub struct WeightView {
    pub key: String,
    pub weight: Weight,
}

#[derive(Serialize)]
pub struct SchemeSummary {
    pub key: String,
    pub version: u32,
    pub origin: Origin,
    pub labels: Labels,
    pub pass_line: Score,
    pub weights: Vec<WeightView>,
    pub stored_versions: usize,
}

#[derive(Serialize)]
pub struct SchemeView {
    pub key: String,
    pub version: u32,
    pub origin: Origin,
    /// The TOML source.
    pub document: String,
    /// The validated scheme as data.
    pub scheme: SchemeDocument,
    pub versions: Vec<VersionInfo>,
}

fn summary(v: &Version, stored_versions: usize) -> SchemeSummary {
    SchemeSummary {
        key: v.key.clone(),
        version: v.version,
        origin: v.origin,
        labels: v.scheme.labels().clone(),
        pass_line: v.scheme.pass_line(),
        weights: v
            .scheme
            .components()
            .iter()
            .map(|c| WeightView {
                key: c.key.clone(),
                weight: c.weight,
            })
            .collect(),
        stored_versions,
    }
}

pub async fn list(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<SchemeSummary>>, WebError> {
    let items = schemes::list(&state.app, &me).await?;
    Ok(Json(
        items
            .iter()
            .map(|s| summary(&s.version, s.stored_versions))
            .collect(),
    ))
}

/// `version`: `latest` (default), `preset` or a stored version number.
#[derive(Deserialize)]
pub struct VersionParam {
    #[serde(default)]
    pub version: Option<String>,
}

fn pick(raw: Option<&str>) -> Result<Pick, WebError> {
    Pick::parse(raw.unwrap_or("")).ok_or(WebError::BadRequest("bad-query"))
}

pub async fn get(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<VersionParam>,
) -> Result<Json<SchemeView>, WebError> {
    let d = schemes::get(&state.app, &me, &key, pick(q.version.as_deref())?).await?;
    Ok(Json(SchemeView {
        key: d.current.key.clone(),
        version: d.current.version,
        origin: d.current.origin,
        scheme: d.current.scheme.to_document(),
        document: d.current.document,
        versions: d.versions,
    }))
}

#[derive(Deserialize)]
pub struct NewVersion {
    pub document: String,
    /// The version edited: `latest` (default), `preset` or a stored version number.
    #[serde(default)]
    pub base: Option<String>,
}

pub async fn create_version(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(key): ApiPath<String>,
    ApiJson(body): ApiJson<NewVersion>,
) -> Result<Response, WebError> {
    let base =
        Pick::parse(body.base.as_deref().unwrap_or("")).ok_or(WebError::BadRequest("bad-json"))?;
    let row = schemes::save_version(&state.app, &me, &key, base, &body.document).await?;
    Ok(created(
        format!("{PREFIX}/schemes/{}?version={}", row.key, row.version),
        row,
    ))
}

/// `Inputs` as the domain reads them, plus the version to use.
#[derive(Deserialize)]
pub struct EvaluateBody {
    #[serde(flatten)]
    pub inputs: Inputs,
    /// `"latest"` (default), `"preset"`, or a stored version number (as a number or text).
    #[serde(default)]
    pub version: Option<serde_json::Value>,
}

#[derive(Serialize)]
pub struct EvaluationView {
    #[serde(flatten)]
    pub evaluation: Evaluation,
    /// The reasoning as sentences in the request's language.
    pub explanation: Vec<String>,
}

pub async fn evaluate(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    ApiPath(key): ApiPath<String>,
    ApiJson(body): ApiJson<EvaluateBody>,
) -> Result<Json<EvaluationView>, WebError> {
    let raw = match &body.version {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(_) => return Err(WebError::BadRequest("bad-json")),
    };
    let p = Pick::parse(&raw).ok_or(WebError::BadRequest("bad-json"))?;
    let (v, evaluation) = schemes::evaluate(&state.app, &me, &key, p, &body.inputs).await?;
    let sl = match lang {
        Lang::ZhCn => skillcert_domain::scheme::Lang::ZhCn,
        Lang::En => skillcert_domain::scheme::Lang::En,
    };
    let explanation = evaluation.explain(&v.scheme, sl);
    Ok(Json(EvaluationView {
        evaluation,
        explanation,
    }))
}
