//! Pages of the question bank and papers: the bank's list with search, filters and sort,
//! question detail with its versions, the question form, archive/restore, CSV/XLSX import
//! with a dry run, templates and exports; papers with their check and a drawn preview.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use skillcert_app::exams::bank::{
    self, PaperDetail, PaperFailure, PaperInput, PaperIssue, PartInput, Points, Preview,
    QuestionDetail, QuestionImportReport,
};
use skillcert_app::import::{ImportReport, RowIssue};
use skillcert_app::store::Dir;
use skillcert_app::store::questions::{QuestionQuery, QuestionSort, QuestionVersion};
use skillcert_app::{Actor, AppError};
use skillcert_domain::access::Permission;
use skillcert_domain::exam::question::{
    Body, Difficulty, MAX_OPTIONS, QuestionInput, QuestionType, letter,
};
use skillcert_domain::exam::skills::{Skill, SkillGroup};

use super::employees::{IssueLine, SortLink, issue_lines};
use super::{Ctx, FormErrors, Pager, WebForm, render};
use crate::error::{WebError, form_errors, urlencode};
use crate::i18n::{Lang, t, tf};
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/questions", get(list))
        .route("/questions/new", get(new_form).post(create))
        .route("/questions/import", get(import_form).post(import_upload))
        .route("/questions/import/template.csv", get(template_csv))
        .route("/questions/import/template.xlsx", get(template_xlsx))
        .route("/questions/export.csv", get(export_csv))
        .route("/questions/export.xlsx", get(export_xlsx))
        .route("/questions/{id}", get(show))
        .route("/questions/{id}/edit", get(edit_form).post(update))
        .route("/questions/{id}/archive", post(archive))
        .route("/papers", get(papers))
        .route("/papers/new", get(new_paper_form).post(create_paper))
        .route("/papers/{id}", get(show_paper))
        .route("/papers/{id}/edit", get(edit_paper_form).post(update_paper))
        .route("/papers/{id}/preview", get(preview))
}

pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The label of a question type key (`single`, …).
pub fn type_label(lang: Lang, key: &str) -> &'static str {
    t(lang, &format!("qtype-{key}"))
}

fn skill_group_label(lang: Lang, g: SkillGroup) -> &'static str {
    t(lang, &format!("skill-group-{}", g.key()))
}

fn skill_name(lang: Lang, skills: &[Skill], code: &str) -> String {
    match skills.iter().find(|s| s.code == code) {
        Some(s) => s.name(lang == Lang::ZhCn).to_string(),
        None => code.to_string(),
    }
}

fn types(lang: Lang) -> Vec<(&'static str, &'static str)> {
    QuestionType::ALL
        .iter()
        .map(|t| (t.key(), type_label(lang, t.key())))
        .collect()
}

fn points_text(h: i32) -> String {
    Points(u64::try_from(h).unwrap_or(0)).to_string()
}

/// Text typed in a multi-line box, as one line: the bank keeps stems and explanations free of
/// control characters.
fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------- list ----------

/// The list's query string (also the API's and the export's); values that do not parse are
/// ignored.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    #[serde(rename = "type")]
    pub qtype: Option<String>,
    pub tag: Option<String>,
    pub difficulty: Option<String>,
    /// `false` or empty: only questions in use; `true`: only archived ones; `all`: both.
    pub archived: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// Exports: `csv` (default) or `xlsx`.
    pub format: Option<String>,
}

impl ListQuery {
    pub fn to_query(&self) -> QuestionQuery {
        let nonempty = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        QuestionQuery {
            q: nonempty(&self.q),
            qtype: self.qtype.as_deref().and_then(QuestionType::parse),
            tag: nonempty(&self.tag),
            difficulty: self
                .difficulty
                .as_deref()
                .and_then(|d| d.trim().parse().ok())
                .and_then(Difficulty::new),
            archived: match self.archived.as_deref().map(str::trim) {
                Some("true" | "1") => Some(true),
                Some("all") => None,
                _ => Some(false),
            },
            sort: self
                .sort
                .as_deref()
                .and_then(QuestionSort::parse)
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
        }
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
        add("type", &self.qtype);
        add("tag", &self.tag);
        add("difficulty", &self.difficulty);
        add("archived", &self.archived);
        add("per_page", &self.per_page);
        if with_sort {
            add("sort", &self.sort);
            add("dir", &self.dir);
        }
        parts.join("&")
    }

    fn is(&self, field: &Option<String>, value: &str) -> bool {
        field.as_deref() == Some(value)
    }
}

/// A question as listed.
struct Row {
    id: i64,
    code: String,
    stem: String,
    qtype: &'static str,
    difficulty: i32,
    points: String,
    version: i32,
    updated: String,
    archived: bool,
}

#[derive(Template)]
#[template(path = "questions/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    pager: Pager,
    f: ListQuery,
    types: Vec<(&'static str, &'static str)>,
    skills: Vec<Skill>,
    columns: Vec<SortLink>,
    /// The query string of the filters, for the export links.
    filters: String,
}

impl ListPage {
    fn selected(&self, field: &Option<String>, value: &str) -> bool {
        self.f.is(field, value)
    }

    fn skill(&self, s: &Skill) -> String {
        s.name(self.ctx.lang == Lang::ZhCn).to_string()
    }
}

/// Shortens a stem for the list.
fn excerpt(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(f): Query<ListQuery>,
) -> Result<Response, WebError> {
    let q = f.to_query();
    let (sort, dir) = (q.sort, q.dir);
    let page = bank::list_questions(&state.app, &me, &q).await?;
    let skills = bank::list_skills(&state.app, &me).await?;
    let base = f.base(false);
    let columns = SortLink::columns(
        &[
            ("code", "questions-code"),
            ("type", "questions-type"),
            ("difficulty", "questions-difficulty"),
            ("points", "questions-points"),
            ("updated", "questions-updated"),
        ],
        sort.key(),
        dir,
        |key, next_dir| format!("/questions?{base}&sort={key}&dir={next_dir}"),
    );
    let ctx = Ctx::new(lang, Some(&me), "/questions");
    let rows = page
        .items
        .iter()
        .map(|r| Row {
            id: r.id,
            code: r.code.clone(),
            stem: excerpt(&r.stem, 80),
            qtype: type_label(lang, &r.qtype),
            difficulty: r.difficulty,
            points: points_text(r.points),
            version: r.version,
            updated: ctx.time(&r.updated_at),
            archived: r.archived,
        })
        .collect();
    let pager = Pager {
        page: page.page,
        pages: page.pages(),
        total: page.total,
        base: format!("/questions?{}", f.base(true)),
    };
    render(&ListPage {
        ctx,
        rows,
        pager,
        filters: f.base(true),
        f,
        types: types(lang),
        skills,
        columns,
    })
}

// ---------- detail ----------

/// A version of a question as shown.
struct VersionView {
    version: i32,
    created_at: String,
    qtype: &'static str,
    stem: String,
    /// `(letter, text, correct)`.
    options: Vec<(char, String, bool)>,
    key: String,
    points: String,
    tags: Vec<String>,
    difficulty: u8,
    explanation: Option<String>,
    key_points: Vec<String>,
    model_answer: Option<String>,
}

fn version_view(ctx: &Ctx, skills: &[Skill], v: &QuestionVersion) -> VersionView {
    let q = &v.question;
    let correct = |i: u8| match &q.body {
        Body::Single { key, .. } => *key == i,
        Body::Multiple { key, .. } => key.contains(&i),
        _ => false,
    };
    let (key_points, model_answer) = match &q.body {
        Body::Short {
            key_points,
            model_answer,
        } => (key_points.clone(), model_answer.clone()),
        _ => (Vec::new(), None),
    };
    let key = match &q.body {
        Body::TrueFalse { key } => ctx
            .t(if *key {
                "questions-true"
            } else {
                "questions-false"
            })
            .to_string(),
        other => other.key_text(),
    };
    VersionView {
        version: v.version,
        created_at: ctx.time(&v.created_at),
        qtype: type_label(ctx.lang, q.body.qtype().key()),
        stem: q.stem.clone(),
        options: q
            .body
            .options()
            .iter()
            .enumerate()
            .map(|(i, o)| (letter(i as u8), o.clone(), correct(i as u8)))
            .collect(),
        key,
        points: q.points.to_string(),
        tags: q
            .tags
            .iter()
            .map(|t| format!("{} ({t})", skill_name(ctx.lang, skills, t)))
            .collect(),
        difficulty: q.difficulty.level(),
        explanation: q.explanation.clone(),
        key_points,
        model_answer,
    }
}

#[derive(Template)]
#[template(path = "questions/show.html")]
struct ShowPage {
    ctx: Ctx,
    d: QuestionDetail,
    current: VersionView,
    /// Earlier versions, newest first.
    earlier: Vec<VersionView>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    pub done: Option<String>,
}

fn done_message(lang: Lang, done: Option<&str>) -> Option<String> {
    match done? {
        d @ ("created" | "saved" | "archived" | "restored") => {
            Some(t(lang, &format!("questions-done-{d}")).to_string())
        }
        _ => None,
    }
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let d = bank::get_question(&state.app, &me, id).await?;
    let skills = bank::list_skills(&state.app, &me).await?;
    let ctx = Ctx::new(lang, Some(&me), &format!("/questions/{id}"))
        .with_flash(done_message(lang, q.done.as_deref()));
    let current = version_view(&ctx, &skills, &d.current);
    let earlier = d
        .history
        .iter()
        .filter(|v| v.version != d.current.version)
        .map(|v| version_view(&ctx, &skills, v))
        .collect();
    render(&ShowPage {
        ctx,
        d,
        current,
        earlier,
    })
}

// ---------- form ----------

/// A skill as a checkbox of the form.
struct SkillBox {
    code: String,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "questions/form.html")]
struct FormPage {
    ctx: Ctx,
    /// `None` for a new question.
    id: Option<i64>,
    /// The version an edit creates.
    next_version: i32,
    code: String,
    v: QuestionInput,
    /// `(letter, field name, value)` for options A to H.
    options: Vec<(char, String, String)>,
    types: Vec<(&'static str, &'static str)>,
    groups: Vec<(&'static str, Vec<SkillBox>)>,
    errors: FormErrors,
}

/// The question fields of a posted form (`options` come as `option_a` … `option_h`, tags as
/// repeated `tags` checkboxes).
fn question_form(pairs: &[(String, String)]) -> (String, QuestionInput) {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let tags: Vec<&str> = pairs
        .iter()
        .filter(|(n, _)| n == "tags")
        .map(|(_, v)| v.as_str())
        .collect();
    let input = QuestionInput {
        qtype: get("qtype"),
        stem: one_line(&get("stem")),
        options: (0..MAX_OPTIONS)
            .map(|i| get(&format!("option_{}", letter(i as u8).to_ascii_lowercase())))
            .collect(),
        key: get("key"),
        points: get("points"),
        tags: tags.join(";"),
        difficulty: get("difficulty"),
        explanation: one_line(&get("explanation")),
        key_points: get("key_points"),
        model_answer: one_line(&get("model_answer")),
    };
    (get("code"), input)
}

async fn form_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: Option<i64>,
    code: String,
    v: QuestionInput,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let (here, next_version) = match id {
        Some(id) => {
            let d = bank::get_question(&state.app, me, id).await?;
            (format!("/questions/{id}/edit"), d.row.version + 1)
        }
        None => ("/questions/new".to_string(), 1),
    };
    let skills = bank::list_skills(&state.app, me).await?;
    let chosen: Vec<&str> = v
        .tags
        .split(|c: char| c == ';' || c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    let groups = SkillGroup::ALL
        .iter()
        .map(|g| {
            (
                skill_group_label(lang, *g),
                skills
                    .iter()
                    .filter(|s| s.group == *g)
                    .map(|s| SkillBox {
                        code: s.code.clone(),
                        name: s.name(lang == Lang::ZhCn).to_string(),
                        checked: chosen.contains(&s.code.as_str()),
                    })
                    .collect(),
            )
        })
        .collect();
    let options = (0..MAX_OPTIONS)
        .map(|i| {
            let l = letter(i as u8);
            (
                l,
                format!("option_{}", l.to_ascii_lowercase()),
                v.options.get(i).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        ctx: Ctx::new(lang, Some(me), &here),
        id,
        next_version,
        code,
        v,
        options,
        types: types(lang),
        groups,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    let v = QuestionInput {
        qtype: QuestionType::Single.key().into(),
        points: "1".into(),
        difficulty: Difficulty::DEFAULT.level().to_string(),
        ..QuestionInput::default()
    };
    form_page(
        &state,
        lang,
        &me,
        None,
        String::new(),
        v,
        FormErrors::none(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    let (code, input) = question_form(&pairs);
    match bank::create_question(&state.app, &me, Some(&code), &input).await {
        Ok(d) => Ok(Redirect::to(&format!("/questions/{}?done=created", d.row.id)).into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let errors = FormErrors(form_errors(lang, &e));
            form_page(&state, lang, &me, None, code, input, errors).await
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
    let d = bank::get_question(&state.app, &me, id).await?;
    let v = QuestionInput::from_question(&d.current.question);
    form_page(
        &state,
        lang,
        &me,
        Some(id),
        d.row.code,
        v,
        FormErrors::none(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    let (_, input) = question_form(&pairs);
    match bank::update_question(&state.app, &me, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/questions/{id}?done=saved")).into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let d = bank::get_question(&state.app, &me, id).await?;
            let errors = FormErrors(form_errors(lang, &e));
            form_page(&state, lang, &me, Some(id), d.row.code, input, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ArchiveForm {
    archived: String,
}

/// `POST /questions/{id}/archive` with `archived=true` (archive) or `false` (restore).
pub async fn archive(
    State(state): State<AppState>,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<ArchiveForm>,
) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    let archived = match f.archived.trim() {
        "true" | "1" => true,
        "false" | "0" => false,
        _ => return Err(WebError::BadRequest("bad-form")),
    };
    let row = bank::set_archived(&state.app, &me, id, archived).await?;
    let done = if row.archived { "archived" } else { "restored" };
    Ok(Redirect::to(&format!("/questions/{id}?done={done}")).into_response())
}

// ---------- import, templates, export ----------

#[derive(Template)]
#[template(path = "questions/import.html")]
struct ImportPage {
    ctx: Ctx,
    report: Option<QuestionImportReport>,
    issues: Vec<IssueLine>,
    file_name: String,
}

impl ImportPage {
    fn column(&self, key: &str) -> String {
        t(self.ctx.lang, &format!("column-{key}")).to_string()
    }
}

/// The issues of a refused file, located and localized like the employee import's.
pub fn question_issue_lines(lang: Lang, issues: &[RowIssue]) -> Vec<IssueLine> {
    issue_lines(
        lang,
        &ImportReport {
            issues: issues.to_vec(),
            ..ImportReport::default()
        },
    )
}

/// A refused import as a report of this module's shape.
pub fn rejected(r: ImportReport) -> QuestionImportReport {
    QuestionImportReport {
        rows: r.rows,
        issues: r.issues,
        dry_run: r.dry_run,
        ..QuestionImportReport::default()
    }
}

pub async fn import_form(lang: Lang, Me(me): Me) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    render(&ImportPage {
        ctx: Ctx::new(lang, Some(&me), "/questions/import"),
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
    me.require(Permission::QuestionBank)?;
    let mut upload = crate::upload::read(mp).await?;
    let dry_run = upload.field("dry_run").is_some();
    let file = upload.take_file();
    let (name, bytes) = file.unwrap_or_default();
    let (status, report) =
        match bank::import_questions(&state.app, &me, &name, &bytes, dry_run).await {
            Ok(r) => (StatusCode::OK, r),
            Err(AppError::ImportRejected(r)) => (StatusCode::UNPROCESSABLE_ENTITY, rejected(*r)),
            Err(e) => return Err(e.into()),
        };
    let page = ImportPage {
        issues: question_issue_lines(lang, &report.issues),
        ctx: Ctx::new(lang, Some(&me), "/questions/import"),
        report: Some(report),
        file_name: name,
    };
    Ok((status, render(&page)?).into_response())
}

fn download(mime: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
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

pub async fn template_csv(lang: Lang, Me(me): Me) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    let bytes = skillcert_reports::questions::question_template_csv(lang.reports());
    Ok(download(
        "text/csv; charset=utf-8",
        "questions-template.csv",
        bytes,
    ))
}

pub async fn template_xlsx(lang: Lang, Me(me): Me) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    let bytes =
        skillcert_reports::questions::question_template_xlsx(lang.reports()).map_err(xlsx_error)?;
    Ok(download(XLSX_MIME, "questions-template.xlsx", bytes))
}

pub async fn export_csv(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(f): Query<ListQuery>,
) -> Result<Response, WebError> {
    let items = bank::export_questions(&state.app, &me, &f.to_query()).await?;
    let bytes = skillcert_reports::questions::questions_csv(lang.reports(), &items);
    Ok(download("text/csv; charset=utf-8", "questions.csv", bytes))
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(f): Query<ListQuery>,
) -> Result<Response, WebError> {
    let items = bank::export_questions(&state.app, &me, &f.to_query()).await?;
    let bytes =
        skillcert_reports::questions::questions_xlsx(lang.reports(), &items).map_err(xlsx_error)?;
    Ok(download(XLSX_MIME, "questions.xlsx", bytes))
}

// ---------- papers ----------

/// The localized sentence of one paper problem.
pub fn issue_message(lang: Lang, i: &PaperIssue) -> String {
    let args: Vec<(&str, &str)> = i
        .args
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    tf(lang, &i.message_key(), &args)
}

fn policy_label(lang: Lang, key: &str) -> &'static str {
    t(lang, &format!("papers-policy-{key}"))
}

/// A paper as listed.
struct PaperRow {
    id: i64,
    code: String,
    title: String,
    total: String,
    items: u64,
    parts: usize,
    updated: String,
    archived: bool,
}

#[derive(Template)]
#[template(path = "papers/list.html")]
struct PapersPage {
    ctx: Ctx,
    rows: Vec<PaperRow>,
    all: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct PapersQuery {
    /// `all` includes archived papers.
    pub archived: Option<String>,
}

pub async fn papers(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<PapersQuery>,
) -> Result<Response, WebError> {
    let all = q.archived.as_deref() == Some("all");
    let list = bank::list_papers(&state.app, &me, all).await?;
    let ctx = Ctx::new(lang, Some(&me), "/papers");
    let rows = list
        .iter()
        .map(|p| PaperRow {
            id: p.id,
            code: p.code.clone(),
            title: p.title.clone(),
            total: Points(u64::from(p.spec.total)).to_string(),
            items: p
                .spec
                .parts
                .iter()
                .map(|part| match part {
                    skillcert_domain::exam::paper::Part::Fixed { .. } => 1,
                    skillcert_domain::exam::paper::Part::Rule { count, .. } => u64::from(*count),
                })
                .sum(),
            parts: p.spec.parts.len(),
            updated: ctx.time(&p.updated_at),
            archived: p.archived,
        })
        .collect();
    render(&PapersPage { ctx, rows, all })
}

/// A part as shown on the paper page.
struct PartLine {
    kind: &'static str,
    question_id: Option<i64>,
    question_code: String,
    what: String,
    count: u32,
    points: String,
    subtotal: String,
}

#[derive(Template)]
#[template(path = "papers/show.html")]
struct PaperPage {
    ctx: Ctx,
    d: PaperDetail,
    parts: Vec<PartLine>,
    policy: &'static str,
    problems: Vec<String>,
    /// The parts add up to the declared total.
    total_ok: bool,
}

pub async fn show_paper(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let d = bank::get_paper(&state.app, &me, id).await?;
    let skills = bank::list_skills(&state.app, &me).await?;
    let flash = match q.done.as_deref() {
        Some(d @ ("created" | "saved")) => Some(t(lang, &format!("papers-done-{d}")).to_string()),
        _ => None,
    };
    let ctx = Ctx::new(lang, Some(&me), &format!("/papers/{id}")).with_flash(flash);
    let parts = d
        .parts
        .iter()
        .map(|p| {
            let what = if p.kind == "fixed" {
                p.question_stem
                    .as_deref()
                    .map(|s| excerpt(s, 60))
                    .unwrap_or_default()
            } else {
                let mut bits = vec![
                    p.qtype
                        .map(|t| type_label(lang, t.key()).to_string())
                        .unwrap_or_default(),
                ];
                if let Some(tag) = &p.tag {
                    bits.push(skill_name(lang, &skills, tag));
                }
                if let Some(level) = p.difficulty {
                    bits.push(tf(
                        lang,
                        "papers-difficulty-n",
                        &[("n", &level.to_string())],
                    ));
                }
                bits.join(" · ")
            };
            PartLine {
                kind: if p.kind == "fixed" {
                    t(lang, "papers-kind-fixed")
                } else {
                    t(lang, "papers-kind-rule")
                },
                question_id: p.question_id,
                question_code: p.question_code.clone().unwrap_or_default(),
                what,
                count: p.count,
                points: p.points.to_string(),
                subtotal: p.subtotal.to_string(),
            }
        })
        .collect();
    let problems = d.problems.iter().map(|i| issue_message(lang, i)).collect();
    render(&PaperPage {
        policy: policy_label(lang, d.paper.spec.policy.key()),
        total_ok: d.sum == d.declared_total,
        ctx,
        d,
        parts,
        problems,
    })
}

/// One line of the paper form.
struct PartRow {
    i: usize,
    p: PartInput,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "papers/form.html")]
struct PaperFormPage {
    ctx: Ctx,
    id: Option<i64>,
    v: PaperInput,
    rows: Vec<PartRow>,
    types: Vec<(&'static str, &'static str)>,
    skills: Vec<(String, String)>,
    errors: FormErrors,
}

/// Blank lines the form always offers; "more lines" adds this many again.
const BLANK_ROWS: usize = 5;

/// The paper of a posted form: `p{i}_kind`, `p{i}_question`, … per line; blank lines are
/// dropped so that line numbers in errors match the parts sent.
fn paper_form(pairs: &[(String, String)]) -> (PaperInput, bool) {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let has = |k: &str| pairs.iter().any(|(n, v)| n == k && !v.is_empty());
    let mut lines: BTreeMap<usize, PartInput> = BTreeMap::new();
    for (name, value) in pairs {
        let Some((i, field)) = name
            .strip_prefix('p')
            .and_then(|rest| rest.split_once('_'))
            .and_then(|(i, f)| Some((i.parse::<usize>().ok()?, f)))
        else {
            continue;
        };
        let line = lines.entry(i).or_default();
        let slot = match field {
            "kind" => &mut line.kind,
            "question" => &mut line.question,
            "qtype" => &mut line.qtype,
            "tag" => &mut line.tag,
            "difficulty" => &mut line.difficulty,
            "count" => &mut line.count,
            "points" => &mut line.points,
            _ => continue,
        };
        *slot = value.trim().to_string();
    }
    let input = PaperInput {
        code: get("code"),
        title: get("title"),
        total: get("total"),
        policy: get("policy"),
        shuffle_questions: has("shuffle_questions"),
        shuffle_options: has("shuffle_options"),
        archived: has("archived"),
        parts: lines.into_values().filter(|p| !p.is_blank()).collect(),
    };
    (input, has("_more"))
}

#[allow(clippy::too_many_arguments)]
async fn paper_form_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: Option<i64>,
    v: PaperInput,
    blank: usize,
    issues: &[PaperIssue],
    other: Option<&AppError>,
) -> Result<Response, WebError> {
    let here = match id {
        Some(id) => format!("/papers/{id}/edit"),
        None => "/papers/new".to_string(),
    };
    let skills = bank::list_skills(&state.app, me)
        .await?
        .into_iter()
        .map(|s| {
            let name = s.name(lang == Lang::ZhCn).to_string();
            (s.code, name)
        })
        .collect();
    let mut rows: Vec<PartRow> = v
        .parts
        .iter()
        .cloned()
        .chain(std::iter::repeat_n(PartInput::default(), blank))
        .enumerate()
        .map(|(i, p)| PartRow {
            i,
            p,
            errors: Vec::new(),
        })
        .collect();
    let mut errors = Vec::new();
    for issue in issues {
        let message = issue_message(lang, issue);
        let line = issue
            .field
            .strip_prefix("parts[")
            .and_then(|rest| rest.split_once(']'))
            .and_then(|(i, _)| i.parse::<usize>().ok());
        match line.and_then(|i| rows.get_mut(i)) {
            Some(row) => row.errors.push(message),
            None => errors.push((issue.field.clone(), message)),
        }
    }
    if let Some(e) = other {
        errors.extend(form_errors(lang, e));
    }
    let status = if errors.is_empty() && rows.iter().all(|r| r.errors.is_empty()) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PaperFormPage {
        ctx: Ctx::new(lang, Some(me), &here),
        id,
        v,
        rows,
        types: types(lang),
        skills,
        errors: FormErrors(errors),
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn new_paper_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    let v = PaperInput {
        total: "100".into(),
        policy: "all_or_nothing".into(),
        shuffle_questions: true,
        shuffle_options: true,
        ..PaperInput::default()
    };
    paper_form_page(&state, lang, &me, None, v, BLANK_ROWS, &[], None).await
}

/// Renders the outcome of saving a paper: to the paper, or back to the form with problems.
async fn saved_paper(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: Option<i64>,
    input: PaperInput,
    result: Result<PaperDetail, PaperFailure>,
) -> Result<Response, WebError> {
    match result {
        Ok(d) => {
            let done = if id.is_some() { "saved" } else { "created" };
            Ok(Redirect::to(&format!("/papers/{}?done={done}", d.paper.id)).into_response())
        }
        Err(PaperFailure::Invalid(issues)) => {
            paper_form_page(state, lang, me, id, input, BLANK_ROWS, &issues, None).await
        }
        Err(PaperFailure::App(e @ (AppError::Validation(_) | AppError::Conflict(_)))) => {
            paper_form_page(state, lang, me, id, input, BLANK_ROWS, &[], Some(&e)).await
        }
        Err(PaperFailure::App(e)) => Err(e.into()),
    }
}

pub async fn create_paper(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    let (input, more) = paper_form(&pairs);
    if more {
        return paper_form_page(&state, lang, &me, None, input, 2 * BLANK_ROWS, &[], None).await;
    }
    let result = bank::create_paper(&state.app, &me, &input).await;
    saved_paper(&state, lang, &me, None, input, result).await
}

pub async fn edit_paper_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let v = bank::paper_input(&state.app, &me, id).await?;
    paper_form_page(&state, lang, &me, Some(id), v, BLANK_ROWS, &[], None).await
}

pub async fn update_paper(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    let (mut input, more) = paper_form(&pairs);
    // The code cannot change; the form shows the stored one.
    input.code = bank::get_paper(&state.app, &me, id).await?.paper.code;
    if more {
        return paper_form_page(
            &state,
            lang,
            &me,
            Some(id),
            input,
            2 * BLANK_ROWS,
            &[],
            None,
        )
        .await;
    }
    let result = bank::update_paper(&state.app, &me, id, &input).await;
    saved_paper(&state, lang, &me, Some(id), input, result).await
}

/// A drawn question as shown.
struct PreviewLine {
    position: usize,
    question_id: i64,
    code: String,
    version: i32,
    qtype: &'static str,
    stem: String,
    points: String,
    /// `(letter shown, text, correct, letter in the bank)`.
    options: Vec<(String, String, bool, String)>,
    key: String,
    key_points: Vec<String>,
}

#[derive(Template)]
#[template(path = "papers/preview.html")]
struct PreviewPage {
    ctx: Ctx,
    id: i64,
    code: String,
    title: String,
    seed: u64,
    total: String,
    lines: Vec<PreviewLine>,
    problems: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PreviewQuery {
    /// Draw this seed again (as shown under a preview); a random one otherwise.
    pub seed: Option<String>,
}

pub async fn preview(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<PreviewQuery>,
) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    let seed = q.seed.as_deref().and_then(|s| s.trim().parse::<u64>().ok());
    let ctx = Ctx::new(lang, Some(&me), &format!("/papers/{id}/preview"));
    let (status, p, problems): (StatusCode, Option<Preview>, Vec<String>) =
        match bank::preview_paper(&state.app, &me, id, seed).await {
            Ok(p) => (StatusCode::OK, Some(p), Vec::new()),
            Err(PaperFailure::Invalid(issues)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                issues.iter().map(|i| issue_message(lang, i)).collect(),
            ),
            Err(PaperFailure::App(e)) => return Err(e.into()),
        };
    let page = match p {
        Some(p) => PreviewPage {
            id,
            code: p.code,
            title: p.title,
            seed: p.seed,
            total: p.total.to_string(),
            lines: p
                .items
                .into_iter()
                .map(|it| PreviewLine {
                    position: it.position,
                    question_id: it.question_id,
                    code: it.code,
                    version: it.version,
                    qtype: type_label(lang, it.qtype.key()),
                    stem: it.stem,
                    points: it.points.to_string(),
                    options: it
                        .options
                        .into_iter()
                        .map(|o| (o.letter, o.text, o.correct, o.original))
                        .collect(),
                    key: match it.qtype {
                        QuestionType::TrueFalse if it.key == "T" => {
                            t(lang, "questions-true").to_string()
                        }
                        QuestionType::TrueFalse => t(lang, "questions-false").to_string(),
                        _ => it.key,
                    },
                    key_points: it.key_points,
                })
                .collect(),
            problems,
            ctx,
        },
        None => {
            let d = bank::get_paper(&state.app, &me, id).await?;
            PreviewPage {
                id,
                code: d.paper.code,
                title: d.paper.title,
                seed: 0,
                total: d.declared_total.to_string(),
                lines: Vec::new(),
                problems,
                ctx,
            }
        }
    };
    Ok((status, render(&page)?).into_response())
}
