//! The questions API: the bank (questions with their versions, archive, import, templates,
//! export), the competency model, and papers with their check and a drawn preview. Every
//! route needs the question-bank permission: questions carry their keys.

use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use skillcert_app::exams::bank::{
    self, PaperDetail, PaperFailure, PaperInput, Preview, QuestionDetail, QuestionImportReport,
    lenient_text,
};
use skillcert_app::store::papers::Paper;
use skillcert_app::store::questions::QuestionRow;
use skillcert_app::{AppError, Page};
use skillcert_domain::access::Permission;
use skillcert_domain::exam::question::QuestionInput;
use skillcert_domain::exam::skills::Skill;

use super::extract::{ApiJson, ApiPath, ApiQuery, RawBody};
use super::org::{
    CSV_MIME, FILE_NAME_HEADER, ImportParams, TemplateFormat, TemplateParams, XLSX_MIME,
};
use super::{Operation, PREFIX, created, get, post, put};
use crate::error::WebError;
use crate::html::questions::{ListQuery, issue_message};
use crate::i18n::{Lang, t};
use crate::session::Me;
use crate::state::AppState;

pub fn operations() -> Vec<Operation> {
    vec![
        get("/skills", list_skills),
        get("/questions", list_questions),
        post("/questions", create_question),
        post("/questions/import", import_questions),
        get("/questions/import/template", import_template),
        get("/questions/export", export_questions),
        get("/questions/{id}", get_question),
        put("/questions/{id}", update_question),
        post("/questions/{id}/archive", archive_question),
        get("/papers", list_papers),
        post("/papers", create_paper),
        get("/papers/{id}", get_paper),
        put("/papers/{id}", update_paper),
        post("/papers/{id}/preview", preview_paper),
    ]
}

// ---------- lenient bodies ----------

/// A string, or a list of strings joined with `sep` (tags as `["a", "b"]` or `"a;b"`).
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

fn tags_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    text_or_list(d, ";")
}

fn lines_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    text_or_list(d, "\n")
}

/// The body of `POST /questions` and `PUT /questions/{id}`: like the form, every value may be
/// text; numbers may also be numbers and lists may be lists.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QuestionBody {
    /// Create only: empty for a generated code.
    pub code: String,
    #[serde(alias = "type")]
    pub qtype: String,
    pub stem: String,
    pub options: Vec<String>,
    #[serde(deserialize_with = "lenient_text")]
    pub key: String,
    #[serde(deserialize_with = "lenient_text")]
    pub points: String,
    #[serde(deserialize_with = "tags_text")]
    pub tags: String,
    #[serde(deserialize_with = "lenient_text")]
    pub difficulty: String,
    pub explanation: String,
    #[serde(deserialize_with = "lines_text")]
    pub key_points: String,
    pub model_answer: String,
}

impl QuestionBody {
    fn input(self) -> (String, QuestionInput) {
        (
            self.code,
            QuestionInput {
                qtype: self.qtype,
                stem: self.stem,
                options: self.options,
                key: self.key,
                points: self.points,
                tags: self.tags,
                difficulty: self.difficulty,
                explanation: self.explanation,
                key_points: self.key_points,
                model_answer: self.model_answer,
            },
        )
    }
}

// ---------- questions ----------

pub async fn list_skills(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<Skill>>, WebError> {
    Ok(Json(bank::list_skills(&state.app, &me).await?))
}

/// `GET /questions`: the list page's filters (`q`, `type`, `tag`, `difficulty`, `archived`,
/// `sort`, `dir`, `page`, `per_page`); values that do not parse are ignored.
pub async fn list_questions(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(f): ApiQuery<ListQuery>,
) -> Result<Json<Page<QuestionRow>>, WebError> {
    Ok(Json(
        bank::list_questions(&state.app, &me, &f.to_query()).await?,
    ))
}

pub async fn create_question(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(body): ApiJson<QuestionBody>,
) -> Result<Response, WebError> {
    let (code, input) = body.input();
    let d = bank::create_question(&state.app, &me, Some(&code), &input).await?;
    Ok(created(format!("{PREFIX}/questions/{}", d.row.id), d))
}

pub async fn get_question(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<QuestionDetail>, WebError> {
    Ok(Json(bank::get_question(&state.app, &me, id).await?))
}

/// `PUT /questions/{id}`: saves a new version (`code` is ignored: it never changes).
pub async fn update_question(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<QuestionBody>,
) -> Result<Json<QuestionDetail>, WebError> {
    let (_, input) = body.input();
    Ok(Json(
        bank::update_question(&state.app, &me, id, &input).await?,
    ))
}

#[derive(Debug, Deserialize)]
pub struct ArchiveBody {
    pub archived: bool,
}

pub async fn archive_question(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ArchiveBody>,
) -> Result<Json<QuestionRow>, WebError> {
    Ok(Json(
        bank::set_archived(&state.app, &me, id, body.archived).await?,
    ))
}

/// The name an upload goes by: `X-File-Name`, else one derived from its type.
fn upload_name(headers: &HeaderMap) -> String {
    let named = headers
        .get(FILE_NAME_HEADER)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(n) = named {
        return n.to_string();
    }
    match content_type(headers).as_str() {
        CSV_MIME => "upload.csv".into(),
        XLSX_MIME => "upload.xlsx".into(),
        _ => "upload".into(),
    }
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// `POST /questions/import`: a `multipart/form-data` upload (field `file`, optional field
/// `dry_run`), or the file itself as the body (`X-File-Name` names it; `?dry_run=true`). A
/// refused file is a 422 whose error body carries the report (`import`).
pub async fn import_questions(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(p): ApiQuery<ImportParams>,
    req: Request,
) -> Result<Json<QuestionImportReport>, WebError> {
    me.require(Permission::QuestionBank)?;
    let mut dry_run = p.dry_run;
    let (name, bytes) = if content_type(req.headers()) == "multipart/form-data" {
        let mp = Multipart::from_request(req, &state).await;
        let mut upload = crate::upload::read(mp).await?;
        if upload.field("dry_run").is_some() {
            dry_run = upload.flag("dry_run");
        }
        upload.file.take().unwrap_or_default()
    } else {
        let name = upload_name(req.headers());
        let RawBody(bytes) = RawBody::from_request(req, &state).await?;
        (name, bytes.to_vec())
    };
    Ok(Json(
        bank::import_questions(&state.app, &me, &name, &bytes, dry_run).await?,
    ))
}

fn file_response(mime: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn xlsx_error(e: skillcert_reports::ExportError) -> WebError {
    WebError::App(AppError::Internal(anyhow::anyhow!("xlsx: {e}")))
}

fn lang_param(lang: Lang, raw: Option<&str>) -> Result<Lang, WebError> {
    match raw.map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(lang),
        Some(raw) => Lang::parse(raw).ok_or(WebError::BadRequest("bad-query")),
    }
}

/// `GET /questions/import/template?format=csv|xlsx`: headers and one example of each type.
pub async fn import_template(
    lang: Lang,
    Me(me): Me,
    ApiQuery(p): ApiQuery<TemplateParams>,
) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    let lang = lang_param(lang, p.lang.as_deref())?.reports();
    Ok(match p.format {
        TemplateFormat::Csv => file_response(
            "text/csv; charset=utf-8",
            "questions-template.csv",
            skillcert_reports::questions::question_template_csv(lang),
        ),
        TemplateFormat::Xlsx => file_response(
            XLSX_MIME,
            "questions-template.xlsx",
            skillcert_reports::questions::question_template_xlsx(lang).map_err(xlsx_error)?,
        ),
    })
}

/// `GET /questions/export?format=csv|xlsx`: every question matching the list's filters, in
/// the import format.
pub async fn export_questions(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    ApiQuery(f): ApiQuery<ListQuery>,
) -> Result<Response, WebError> {
    let format = match f.format.as_deref().map(str::trim) {
        None | Some("" | "csv") => TemplateFormat::Csv,
        Some("xlsx") => TemplateFormat::Xlsx,
        Some(_) => return Err(WebError::BadRequest("bad-query")),
    };
    let items = bank::export_questions(&state.app, &me, &f.to_query()).await?;
    let lang = lang.reports();
    Ok(match format {
        TemplateFormat::Csv => file_response(
            "text/csv; charset=utf-8",
            "questions.csv",
            skillcert_reports::questions::questions_csv(lang, &items),
        ),
        TemplateFormat::Xlsx => file_response(
            XLSX_MIME,
            "questions.xlsx",
            skillcert_reports::questions::questions_xlsx(lang, &items).map_err(xlsx_error)?,
        ),
    })
}

// ---------- papers ----------

/// One field problem of a paper, as in every error body.
#[derive(Serialize)]
struct FieldBody {
    field: String,
    code: String,
    message: String,
}

#[derive(Serialize)]
struct InvalidBody {
    code: &'static str,
    message: String,
    fields: Vec<FieldBody>,
}

/// A paper failure as HTTP: problems of the paper are a 422 `validation` error listing each
/// (`field` such as `parts[2]`, the check's `code` and its message); others as usual.
fn paper_error(lang: Lang, e: PaperFailure) -> Response {
    match e {
        PaperFailure::App(e) => WebError::from(e).into_response(),
        PaperFailure::Invalid(issues) => {
            let body = InvalidBody {
                code: "validation",
                message: t(lang, "error-validation").to_string(),
                fields: issues
                    .iter()
                    .map(|i| FieldBody {
                        field: i.field.clone(),
                        code: i.code.clone(),
                        message: issue_message(lang, i),
                    })
                    .collect(),
            };
            (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PapersQuery {
    /// Include archived papers.
    #[serde(default)]
    pub archived: bool,
}

pub async fn list_papers(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<PapersQuery>,
) -> Result<Json<Vec<Paper>>, WebError> {
    Ok(Json(bank::list_papers(&state.app, &me, q.archived).await?))
}

pub async fn create_paper(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    ApiJson(input): ApiJson<PaperInput>,
) -> Response {
    match bank::create_paper(&state.app, &me, &input).await {
        Ok(d) => created(format!("{PREFIX}/papers/{}", d.paper.id), d),
        Err(e) => paper_error(lang, e),
    }
}

pub async fn get_paper(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PaperDetail>, WebError> {
    Ok(Json(bank::get_paper(&state.app, &me, id).await?))
}

pub async fn update_paper(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<PaperInput>,
) -> Response {
    match bank::update_paper(&state.app, &me, id, &input).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => paper_error(lang, e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PreviewBody {
    /// Draw this seed again; a random one when absent.
    pub seed: Option<u64>,
}

/// `POST /papers/{id}/preview`: draws the paper once from today's bank. The body
/// (`{"seed": n}`) is optional.
pub async fn preview_paper(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    RawBody(body): RawBody,
) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    let params: PreviewBody = if body.iter().all(u8::is_ascii_whitespace) {
        PreviewBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|_| WebError::BadRequest("bad-json"))?
    };
    Ok(
        match bank::preview_paper(&state.app, &me, id, params.seed).await {
            Ok(p) => Json::<Preview>(p).into_response(),
            Err(e) => paper_error(lang, e),
        },
    )
}
