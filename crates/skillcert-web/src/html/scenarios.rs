//! Pages of the scenario library: the list with search, filters and sort, a card with its
//! versions (`?version=N`), a printable brief for the actor, the card form, and archive or
//! restore behind a confirmation page that works without JavaScript.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use skillcert_app::scenarios::{self, ScenarioDetail};
use skillcert_app::store::Dir;
use skillcert_app::store::scenarios::{ScenarioQuery, ScenarioSort, ScenarioVersion};
use skillcert_app::{Actor, AppError};
use skillcert_domain::access::Permission;
use skillcert_domain::exam::skills::{Skill, SkillGroup};
use skillcert_domain::practical::scenario::{ScenarioInput, ScenarioKind, split_codes};

use super::employees::SortLink;
use super::{Ctx, FormErrors, Pager, WebForm, render};
use crate::error::{WebError, form_errors, urlencode};
use crate::i18n::{Lang, t};
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/scenarios", get(list))
        .route("/scenarios/new", get(new_form).post(create))
        .route("/scenarios/{id}", get(show))
        .route("/scenarios/{id}/brief", get(brief))
        .route("/scenarios/{id}/edit", get(edit_form).post(update))
        .route(
            "/scenarios/{id}/archive",
            get(archive_confirm).post(archive),
        )
}

/// The label of a card kind key (`role_play`, …).
pub fn kind_label(lang: Lang, key: &str) -> &'static str {
    t(lang, &format!("scenarios-kind-{key}"))
}

fn kinds(lang: Lang) -> Vec<(&'static str, &'static str)> {
    ScenarioKind::ALL
        .iter()
        .map(|k| (k.key(), kind_label(lang, k.key())))
        .collect()
}

/// A skill's name in the page's language, with its code when it is no longer in the model.
fn skill_name(lang: Lang, skills: &[Skill], code: &str) -> String {
    match skills.iter().find(|s| s.code == code) {
        Some(s) => s.name(lang == Lang::ZhCn).to_string(),
        None => code.to_string(),
    }
}

// ---------- list ----------

/// The list's query string (also the API's); values that do not parse are ignored.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub skill: Option<String>,
    /// `false` or empty: cards in use; `true`: archived ones; `all`: both.
    pub archived: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl ListQuery {
    pub fn to_query(&self) -> ScenarioQuery {
        let nonempty = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        ScenarioQuery {
            q: nonempty(&self.q),
            kind: self.kind.as_deref().and_then(ScenarioKind::parse),
            skill: nonempty(&self.skill),
            archived: match self.archived.as_deref().map(str::trim) {
                Some("true" | "1") => Some(true),
                Some("all") => None,
                _ => Some(false),
            },
            sort: self
                .sort
                .as_deref()
                .and_then(ScenarioSort::parse)
                .unwrap_or_default(),
            dir: if self.dir.as_deref() == Some("desc") {
                Dir::Desc
            } else {
                Dir::Asc
            },
            page: self
                .page
                .as_deref()
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or(1),
            per_page: self
                .per_page
                .as_deref()
                .and_then(|p| p.trim().parse().ok())
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
        add("kind", &self.kind);
        add("skill", &self.skill);
        add("archived", &self.archived);
        add("per_page", &self.per_page);
        if with_sort {
            add("sort", &self.sort);
            add("dir", &self.dir);
        }
        parts.join("&")
    }
}

/// A card as listed.
struct Row {
    id: i64,
    code: String,
    title: String,
    kind: &'static str,
    skills: String,
    version: i32,
    updated: String,
    archived: bool,
}

#[derive(Template)]
#[template(path = "scenarios/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    pager: Pager,
    f: ListQuery,
    kinds: Vec<(&'static str, &'static str)>,
    skills: Vec<Skill>,
    columns: Vec<SortLink>,
    can_write: bool,
    /// Whether any filter is set (the empty state then suggests clearing them).
    filtered: bool,
}

impl ListPage {
    fn selected(&self, field: &Option<String>, value: &str) -> bool {
        field.as_deref() == Some(value)
    }

    fn skill(&self, s: &Skill) -> String {
        s.name(self.ctx.lang == Lang::ZhCn).to_string()
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
    let page = scenarios::list_scenarios(&state.app, &me, &q).await?;
    let skills = scenarios::list_skills(&state.app, &me).await?;
    let base = f.base(false);
    let columns = SortLink::columns(
        &[
            ("code", "scenarios-code"),
            ("title", "scenarios-title"),
            ("kind", "scenarios-kind"),
            ("updated", "scenarios-updated"),
        ],
        sort.key(),
        dir,
        |key, next_dir| format!("/scenarios?{base}&sort={key}&dir={next_dir}"),
    );
    let ctx = Ctx::new(lang, Some(&me), "/scenarios");
    let rows = page
        .items
        .iter()
        .map(|r| Row {
            id: r.row.id,
            code: r.row.code.clone(),
            title: r.row.title.clone(),
            kind: kind_label(lang, &r.row.kind),
            skills: r
                .skills
                .iter()
                .map(|c| skill_name(lang, &skills, c))
                .collect::<Vec<_>>()
                .join(", "),
            version: r.row.version,
            updated: ctx.time(&r.row.updated_at),
            archived: r.row.archived,
        })
        .collect();
    let pager = Pager {
        page: page.page,
        pages: page.pages(),
        total: page.total,
        base: format!("/scenarios?{}", f.base(true)),
    };
    let filtered =
        q.q.is_some() || q.kind.is_some() || q.skill.is_some() || q.archived != Some(false);
    render(&ListPage {
        ctx,
        rows,
        pager,
        f,
        kinds: kinds(lang),
        skills,
        columns,
        can_write: scenarios::can_write(&me),
        filtered,
    })
}

// ---------- card ----------

/// A version of a card as shown.
struct VersionView {
    version: i32,
    created_at: String,
    kind: &'static str,
    title: String,
    customer_brief: String,
    judge_notes: String,
    behaviours: Vec<String>,
    skills: Vec<String>,
    duration: Option<u32>,
    recording: Option<String>,
}

fn version_view(ctx: &Ctx, skills: &[Skill], v: &ScenarioVersion) -> VersionView {
    let s = &v.scenario;
    VersionView {
        version: v.version,
        created_at: ctx.time(&v.created_at),
        kind: kind_label(ctx.lang, s.kind.key()),
        title: s.title.clone(),
        customer_brief: s.customer_brief.clone(),
        judge_notes: s.judge_notes.clone(),
        behaviours: s.expected_behaviours.clone(),
        skills: s
            .skills
            .iter()
            .map(|c| skill_name(ctx.lang, skills, c))
            .collect(),
        duration: s.duration_minutes,
        recording: s.recording.clone(),
    }
}

/// A line of the version history.
struct HistoryLine {
    version: i32,
    created_at: String,
    title: String,
    /// The one being shown.
    shown: bool,
}

#[derive(Template)]
#[template(path = "scenarios/show.html")]
struct ShowPage {
    ctx: Ctx,
    d: ScenarioDetail,
    v: VersionView,
    /// Whether `v` is the current version.
    is_current: bool,
    history: Vec<HistoryLine>,
    can_write: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    pub done: Option<String>,
    pub version: Option<String>,
}

impl ShowQuery {
    /// The version asked for: `Ok(None)` for the current one, `Err` when not a number.
    fn version(&self) -> Result<Option<i32>, WebError> {
        match self
            .version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| WebError::App(AppError::NotFound)),
        }
    }
}

fn done_message(lang: Lang, done: Option<&str>) -> Option<String> {
    match done? {
        d @ ("created" | "saved" | "unchanged" | "archived" | "restored") => {
            Some(t(lang, &format!("scenarios-done-{d}")).to_string())
        }
        _ => None,
    }
}

/// The version `asked` of `d` (the current one when `None`); unknown versions are not found.
fn pick(d: &ScenarioDetail, asked: Option<i32>) -> Result<&ScenarioVersion, WebError> {
    match asked {
        None => Ok(&d.current),
        Some(n) => d
            .history
            .iter()
            .find(|v| v.version == n)
            .ok_or(WebError::App(AppError::NotFound)),
    }
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let asked = q.version()?;
    let d = scenarios::get_scenario(&state.app, &me, id).await?;
    let skills = scenarios::list_skills(&state.app, &me).await?;
    let ctx = Ctx::new(lang, Some(&me), &format!("/scenarios/{id}"))
        .with_flash(done_message(lang, q.done.as_deref()));
    let shown = pick(&d, asked)?;
    let v = version_view(&ctx, &skills, shown);
    let is_current = shown.version == d.current.version;
    let history = d
        .history
        .iter()
        .map(|h| HistoryLine {
            version: h.version,
            created_at: ctx.time(&h.created_at),
            title: h.scenario.title.clone(),
            shown: h.version == shown.version,
        })
        .collect();
    render(&ShowPage {
        ctx,
        v,
        is_current,
        history,
        can_write: scenarios::can_write(&me),
        d,
    })
}

#[derive(Template)]
#[template(path = "scenarios/brief.html")]
struct BriefPage {
    ctx: Ctx,
    code: String,
    v: VersionView,
}

/// `GET /scenarios/{id}/brief[?version=N]`: the actor's brief alone, laid out for printing
/// (no judges' notes: the sheet is handed to the colleague playing the customer).
pub async fn brief(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let asked = q.version()?;
    let d = scenarios::get_scenario(&state.app, &me, id).await?;
    let skills = scenarios::list_skills(&state.app, &me).await?;
    let ctx = Ctx::new(lang, Some(&me), &format!("/scenarios/{id}/brief"));
    let v = version_view(&ctx, &skills, pick(&d, asked)?);
    render(&BriefPage {
        ctx,
        code: d.row.code,
        v,
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
#[template(path = "scenarios/form.html")]
struct FormPage {
    ctx: Ctx,
    /// `None` for a new card.
    id: Option<i64>,
    /// The version an edit creates if something changes.
    next_version: i32,
    code: String,
    v: ScenarioInput,
    kinds: Vec<(&'static str, &'static str)>,
    groups: Vec<(&'static str, Vec<SkillBox>)>,
    errors: FormErrors,
}

/// The fields of a posted form (skills come as repeated `skills` checkboxes).
fn scenario_form(pairs: &[(String, String)]) -> (String, ScenarioInput) {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let skills: Vec<&str> = pairs
        .iter()
        .filter(|(n, _)| n == "skills")
        .map(|(_, v)| v.as_str())
        .collect();
    let input = ScenarioInput {
        kind: get("kind"),
        title: get("title"),
        customer_brief: get("customer_brief"),
        judge_notes: get("judge_notes"),
        expected_behaviours: get("expected_behaviours"),
        skills: skills.join(";"),
        duration_minutes: get("duration_minutes"),
        recording: get("recording"),
    };
    (get("code"), input)
}

async fn form_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: Option<i64>,
    code: String,
    v: ScenarioInput,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let (here, next_version) = match id {
        Some(id) => {
            let d = scenarios::get_scenario(&state.app, me, id).await?;
            (format!("/scenarios/{id}/edit"), d.row.version + 1)
        }
        None => ("/scenarios/new".to_string(), 1),
    };
    let skills = scenarios::list_skills(&state.app, me).await?;
    let chosen: Vec<&str> = split_codes(&v.skills).collect();
    let groups = SkillGroup::ALL
        .iter()
        .map(|g| {
            (
                t(lang, &format!("skill-group-{}", g.key())),
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
        kinds: kinds(lang),
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
    let v = ScenarioInput {
        kind: ScenarioKind::RolePlay.key().into(),
        ..ScenarioInput::default()
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
    let (code, input) = scenario_form(&pairs);
    match scenarios::create_scenario(&state.app, &me, Some(&code), &input).await {
        Ok(d) => Ok(Redirect::to(&format!("/scenarios/{}?done=created", d.row.id)).into_response()),
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
    me.require(Permission::QuestionBank)?;
    let d = scenarios::get_scenario(&state.app, &me, id).await?;
    let v = ScenarioInput::from_scenario(&d.current.scenario);
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
    let (_, input) = scenario_form(&pairs);
    match scenarios::update_scenario(&state.app, &me, id, &input).await {
        Ok((_, changed)) => {
            let done = if changed { "saved" } else { "unchanged" };
            Ok(Redirect::to(&format!("/scenarios/{id}?done={done}")).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let d = scenarios::get_scenario(&state.app, &me, id).await?;
            let errors = FormErrors(form_errors(lang, &e));
            form_page(&state, lang, &me, Some(id), d.row.code, input, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- archive ----------

#[derive(Template)]
#[template(path = "scenarios/archive.html")]
struct ArchivePage {
    ctx: Ctx,
    d: ScenarioDetail,
}

/// `GET /scenarios/{id}/archive`: asks before archiving (or restoring) the card.
pub async fn archive_confirm(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::QuestionBank)?;
    let d = scenarios::get_scenario(&state.app, &me, id).await?;
    render(&ArchivePage {
        ctx: Ctx::new(lang, Some(&me), &format!("/scenarios/{id}/archive")),
        d,
    })
}

#[derive(Debug, Deserialize)]
pub struct ArchiveForm {
    archived: String,
}

/// `POST /scenarios/{id}/archive` with `archived=true` (archive) or `false` (restore).
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
    let row = scenarios::set_archived(&state.app, &me, id, archived).await?;
    let done = if row.archived { "archived" } else { "restored" };
    Ok(Redirect::to(&format!("/scenarios/{id}?done={done}")).into_response())
}
