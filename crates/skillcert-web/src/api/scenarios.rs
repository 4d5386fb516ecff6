//! The scenario library API: cards with their versions, and archive/restore. Reading needs
//! the question-bank or assessment-management permission, writing the question-bank one.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use skillcert_app::Page;
use skillcert_app::exams::bank::lenient_text;
use skillcert_app::scenarios::{self, ScenarioDetail, ScenarioListItem};
use skillcert_app::store::scenarios::{ScenarioRow, ScenarioVersion};
use skillcert_domain::practical::scenario::ScenarioInput;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{Operation, PREFIX, created, get, post, put};
use crate::error::WebError;
use crate::html::scenarios::ListQuery;
use crate::session::Me;
use crate::state::AppState;

pub fn operations() -> Vec<Operation> {
    vec![
        get("/scenarios", list_scenarios),
        post("/scenarios", create_scenario),
        get("/scenarios/{id}", get_scenario),
        put("/scenarios/{id}", update_scenario),
        get("/scenarios/{id}/versions/{version}", get_version),
        post("/scenarios/{id}/archive", archive_scenario),
    ]
}

/// A string, or a list of strings joined with `sep` (skills as `["a", "b"]` or `"a;b"`).
fn text_or_list<'de, D: Deserializer<'de>>(d: D, sep: &'static str) -> Result<String, D::Error> {
    struct V(&'static str);
    impl<'de> Visitor<'de> for V {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_unit<E: de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
            let mut parts: Vec<String> = Vec::new();
            while let Some(s) = seq.next_element::<String>()? {
                parts.push(s);
            }
            Ok(parts.join(self.0))
        }
    }
    d.deserialize_any(V(sep))
}

fn codes_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    text_or_list(d, ";")
}

fn lines_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    text_or_list(d, "\n")
}

/// The body of `POST /scenarios` and `PUT /scenarios/{id}`: like the form, values may be
/// text; the duration may be a number and lists may be lists. `null` means empty.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScenarioBody {
    /// Create only: empty for a generated code.
    pub code: String,
    #[serde(alias = "type", deserialize_with = "lenient_text")]
    pub kind: String,
    #[serde(deserialize_with = "lenient_text")]
    pub title: String,
    #[serde(deserialize_with = "lenient_text")]
    pub customer_brief: String,
    #[serde(deserialize_with = "lenient_text")]
    pub judge_notes: String,
    #[serde(deserialize_with = "lines_text")]
    pub expected_behaviours: String,
    #[serde(alias = "tags", deserialize_with = "codes_text")]
    pub skills: String,
    #[serde(deserialize_with = "lenient_text")]
    pub duration_minutes: String,
    #[serde(deserialize_with = "lenient_text")]
    pub recording: String,
}

impl ScenarioBody {
    fn input(self) -> (String, ScenarioInput) {
        (
            self.code,
            ScenarioInput {
                kind: self.kind,
                title: self.title,
                customer_brief: self.customer_brief,
                judge_notes: self.judge_notes,
                expected_behaviours: self.expected_behaviours,
                skills: self.skills,
                duration_minutes: self.duration_minutes,
                recording: self.recording,
            },
        )
    }
}

/// `GET /scenarios`: the list page's filters (`q`, `kind`, `skill`, `archived`, `sort`,
/// `dir`, `page`, `per_page`); values that do not parse are ignored.
pub async fn list_scenarios(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(f): ApiQuery<ListQuery>,
) -> Result<Json<Page<ScenarioListItem>>, WebError> {
    Ok(Json(
        scenarios::list_scenarios(&state.app, &me, &f.to_query()).await?,
    ))
}

pub async fn create_scenario(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(body): ApiJson<ScenarioBody>,
) -> Result<Response, WebError> {
    let (code, input) = body.input();
    let d = scenarios::create_scenario(&state.app, &me, Some(&code), &input).await?;
    Ok(created(format!("{PREFIX}/scenarios/{}", d.row.id), d))
}

pub async fn get_scenario(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ScenarioDetail>, WebError> {
    Ok(Json(scenarios::get_scenario(&state.app, &me, id).await?))
}

/// `PUT /scenarios/{id}`: saves a new version when something changed (`code` is ignored: it
/// never changes).
pub async fn update_scenario(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ScenarioBody>,
) -> Result<Json<ScenarioDetail>, WebError> {
    let (_, input) = body.input();
    let (d, _) = scenarios::update_scenario(&state.app, &me, id, &input).await?;
    Ok(Json(d))
}

pub async fn get_version(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath((id, version)): ApiPath<(i64, i32)>,
) -> Result<Json<ScenarioVersion>, WebError> {
    Ok(Json(
        scenarios::get_version(&state.app, &me, id, version).await?,
    ))
}

#[derive(Debug, Deserialize)]
pub struct ArchiveBody {
    pub archived: bool,
}

pub async fn archive_scenario(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ArchiveBody>,
) -> Result<Json<ScenarioRow>, WebError> {
    Ok(Json(
        scenarios::set_archived(&state.app, &me, id, body.archived).await?,
    ))
}
