//! Training needs (issue 7 items 1–2): the competency model's edit pages, needs surveys,
//! answering them, the supervisor's rating, and the needs-analysis report (page, XLSX, PDF)
//! with its one-click draft plan.
//!
//! Actions post a form and come back with a flash (`?done=…`); a refused action shows the
//! page again with the reason next to the field and the values typed.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::FixedOffset;
use serde::Deserialize;
use skillcert_app::store::training_more::needs::{PhaseQuery, RateQuery, SkillRow};
use skillcert_app::training::needs::{self as needs_service, NO_POSITION, NeedsReport};
use skillcert_app::training::skills::{self as skills_service, SkillInput};
use skillcert_app::training::surveys::{self as surveys_service, PHASES, Survey, SurveyInput};
use skillcert_app::{Actor, AppError};
use skillcert_domain::access::Permission;
use skillcert_domain::exam::skills::SkillGroup;
use skillcert_domain::training::survey::{
    PreferredFormat, RatingLevel, RawAnswer, RawSupervisorRating, SkillNeed,
};
use skillcert_reports::needs_report::{
    NeedsCell, NeedsReportData, NeedsTable, needs_pdf, needs_xlsx,
};

use super::nonblank;
use super::{Ctx, FormErrors, Pager, WebForm, download, refusal_status, render, shown_on_page};
use crate::error::{WebError, form_errors, urlencode};
use crate::i18n::{Lang, t};
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/skills", get(skills_list))
        .route("/skills/new", get(skill_new).post(skill_create))
        .route("/skills/{code}", get(skill_edit).post(skill_update))
        .route("/surveys", get(survey_list))
        .route("/surveys/new", get(survey_new).post(survey_create))
        .route("/surveys/{id}", get(survey_show))
        .route("/surveys/{id}/edit", get(survey_edit).post(survey_update))
        .route("/surveys/{id}/open", post(survey_open))
        .route("/surveys/{id}/close", post(survey_close))
        .route("/surveys/{id}/respond", get(respond_form).post(respond))
        .route("/surveys/{id}/rate", get(rate_page))
        .route("/surveys/{id}/rate/{employee_id}", post(rate))
        .route("/surveys/{id}/report", get(report_page))
        .route("/surveys/{id}/report.xlsx", get(report_xlsx))
        .route("/surveys/{id}/report.pdf", get(report_pdf))
        .route("/surveys/{id}/draft-plan", post(draft_plan))
        .route("/my-training/surveys", get(my_surveys))
}

/// Flash messages after a finished action (`?done=…`).
const DONE: [&str; 7] = [
    "created", "saved", "opened", "closed", "answered", "rated", "skill",
];
/// Fields of the skill form that show their own errors.
const SKILL_FIELDS: [&str; 5] = ["code", "group", "name_zh", "name_en", "position"];
/// Fields of the survey form that show their own errors.
const SURVEY_FIELDS: [&str; 7] = [
    "code",
    "title",
    "opens_on",
    "closes_on",
    "skills",
    "departments",
    "positions",
];

/// Every message key these pages build at run time, for the completeness test.
pub fn dynamic_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for p in PHASES {
        keys.push(format!("needs-phase-{p}"));
    }
    for g in SkillGroup::ALL {
        keys.push(format!("needs-group-{}", g.key()));
    }
    for f in PreferredFormat::ALL {
        keys.push(format!("needs-format-{}", f.key()));
    }
    for d in DONE {
        keys.push(format!("needs-done-{d}"));
    }
    for c in skillcert_app::training::skills::ERROR_CODES
        .iter()
        .chain(skillcert_app::training::surveys::ERROR_CODES)
        .chain(skillcert_app::training::needs::ERROR_CODES)
    {
        keys.push(format!("problem-{c}"));
        keys.push(format!("error-{c}"));
    }
    keys.extend(
        skillcert_app::training::surveys::INBOX_KINDS
            .iter()
            .map(|k| k.to_string()),
    );
    keys
}

// ---------- helpers ----------

fn num(v: &Option<String>, default: i64) -> i64 {
    v.as_deref()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(default)
}

fn done_message(lang: Lang, done: Option<&str>) -> Option<String> {
    let d = done?;
    DONE.contains(&d)
        .then(|| t(lang, &format!("needs-done-{d}")).to_string())
}

fn skill_name(lang: Lang, s: &SkillRow) -> String {
    match lang {
        Lang::ZhCn => s.name_zh.clone(),
        Lang::En => s.name_en.clone(),
    }
}

fn phase_label(lang: Lang, phase: &str) -> &'static str {
    t(lang, &format!("needs-phase-{phase}"))
}

fn level_text(l: Option<RatingLevel>) -> String {
    l.map_or_else(|| "—".into(), |l| l.to_string())
}

fn gap_text(gap: i32) -> String {
    let sign = if gap < 0 { "−" } else { "" };
    let a = gap.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Basis points as a percentage with one decimal.
fn bp_text(bp: Option<i64>) -> String {
    bp.map_or_else(
        || "—".into(),
        |b| format!("{}.{}%", b / 100, (b % 100 + 5) / 10 % 10),
    )
}

fn bp_percent(bp: u32) -> String {
    format!("{:.1}%", f64::from(bp) / 100.0)
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

// ---------- skills ----------

pub struct SkillGroupView {
    pub key: &'static str,
    pub name: &'static str,
    pub skills: Vec<SkillRow>,
}

#[derive(Template)]
#[template(path = "training_needs/skills.html")]
struct SkillsPage {
    ctx: Ctx,
    groups: Vec<SkillGroupView>,
    can_manage: bool,
}

pub async fn skills_list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    if !me.can(Permission::TrainingManage) {
        me.require(Permission::TrainingRead)?;
    }
    let all = skills_service::list(&state.app, &me).await?;
    let groups = SkillGroup::ALL
        .iter()
        .map(|g| SkillGroupView {
            key: g.key(),
            name: t(lang, &format!("needs-group-{}", g.key())),
            skills: all.iter().filter(|s| s.grp == g.key()).cloned().collect(),
        })
        .collect();
    render(&SkillsPage {
        ctx: Ctx::new(lang, Some(&me), "/skills").with_flash(done_message(lang, q.done.as_deref())),
        groups,
        can_manage: me.can(Permission::TrainingManage),
    })
}

#[derive(Template)]
#[template(path = "training_needs/skill_form.html")]
struct SkillFormPage {
    ctx: Ctx,
    editing: bool,
    v: SkillInput,
    groups: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    general: Vec<String>,
}

fn skill_form(
    lang: Lang,
    me: &Actor,
    editing: bool,
    v: SkillInput,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let here = if editing {
        format!("/skills/{}", urlencode(&v.code))
    } else {
        "/skills/new".to_string()
    };
    let general = errors
        .0
        .iter()
        .filter(|(f, _)| !SKILL_FIELDS.contains(&f.as_str()))
        .map(|(_, m)| m.clone())
        .collect();
    let page = SkillFormPage {
        ctx: Ctx::new(lang, Some(me), &here),
        editing,
        groups: SkillGroup::ALL
            .iter()
            .map(|g| (g.key(), t(lang, &format!("needs-group-{}", g.key()))))
            .collect(),
        v,
        errors,
        general,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn skill_new(lang: Lang, Me(me): Me) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let v = SkillInput {
        group: "basic".into(),
        ..SkillInput::default()
    };
    skill_form(lang, &me, false, v, FormErrors::none(), StatusCode::OK)
}

pub async fn skill_create(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(v): WebForm<SkillInput>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    match skills_service::create(&state.app, &me, &v).await {
        Ok(_) => Ok(Redirect::to("/skills?done=skill").into_response()),
        Err(e) if shown_on_page(&e) => skill_form(
            lang,
            &me,
            false,
            v,
            FormErrors(form_errors(lang, &e)),
            refusal_status(&e),
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn skill_edit(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let row = skills_service::get(&state.app, &me, &code).await?;
    skill_form(
        lang,
        &me,
        true,
        SkillInput::of(&row),
        FormErrors::none(),
        StatusCode::OK,
    )
}

pub async fn skill_update(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(code): Path<String>,
    WebForm(mut v): WebForm<SkillInput>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    match skills_service::update(&state.app, &me, &code, &v).await {
        Ok(_) => Ok(Redirect::to("/skills?done=skill").into_response()),
        Err(e) if shown_on_page(&e) => {
            v.code = code;
            skill_form(
                lang,
                &me,
                true,
                v,
                FormErrors(form_errors(lang, &e)),
                refusal_status(&e),
            )
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the survey list ----------

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub phase: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub done: Option<String>,
}

pub struct SurveyLine {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub window: String,
    pub phase: &'static str,
    pub phase_label: &'static str,
    pub invitees: i64,
    pub responses: i64,
    pub rate: String,
}

#[derive(Template)]
#[template(path = "training_needs/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<SurveyLine>,
    pager: Pager,
    q: String,
    phase: String,
    phases: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    filtered: bool,
}

fn phase_of(status: &str, invitees: i64) -> &'static str {
    if status == "closed" {
        "closed"
    } else if invitees > 0 {
        "open"
    } else {
        "draft"
    }
}

pub async fn survey_list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(lq): Query<ListQuery>,
) -> Result<Response, WebError> {
    let phase = nonblank(&lq.phase).filter(|p| PHASES.contains(&p.as_str()));
    let search = nonblank(&lq.q);
    let q = PhaseQuery {
        search: search.clone(),
        phase: phase.clone(),
        page: num(&lq.page, 1),
        per_page: num(&lq.per_page, 50),
    };
    let page = surveys_service::list(&state.app, &me, &q).await?;
    let mut base = Vec::new();
    if let Some(s) = &search {
        base.push(format!("q={}", urlencode(s)));
    }
    if let Some(p) = &phase {
        base.push(format!("phase={p}"));
    }
    let pager = Pager {
        page: page.page,
        pages: page.pages(),
        total: page.total,
        base: format!("/surveys?{}", base.join("&")),
    };
    let rows = page
        .items
        .into_iter()
        .map(|s| {
            // Opened surveys have invitees (opening refuses an empty audience).
            let phase = phase_of(&s.status, s.invitees);
            SurveyLine {
                window: format!("{} – {}", s.opens_on, s.closes_on),
                phase,
                phase_label: phase_label(lang, phase),
                rate: bp_text(
                    (s.invitees > 0).then(|| (s.responses * 10_000 + s.invitees / 2) / s.invitees),
                ),
                id: s.id,
                code: s.code,
                title: s.title,
                invitees: s.invitees,
                responses: s.responses,
            }
        })
        .collect();
    render(&ListPage {
        ctx: Ctx::new(lang, Some(&me), "/surveys")
            .with_flash(done_message(lang, lq.done.as_deref())),
        rows,
        pager,
        filtered: search.is_some() || phase.is_some(),
        q: search.unwrap_or_default(),
        phase: phase.unwrap_or_default(),
        phases: PHASES.iter().map(|p| (*p, phase_label(lang, p))).collect(),
        can_manage: me.can(Permission::TrainingManage),
    })
}

// ---------- the survey form ----------

pub struct SkillChoice {
    pub code: String,
    pub name: String,
    pub group: &'static str,
    pub checked: bool,
    pub target: String,
    pub error: Option<String>,
}

pub struct OrgChoice {
    pub id: i64,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "training_needs/form.html")]
struct SurveyFormPage {
    ctx: Ctx,
    id: Option<i64>,
    v: SurveyInput,
    skills: Vec<SkillChoice>,
    departments: Vec<OrgChoice>,
    positions: Vec<OrgChoice>,
    errors: FormErrors,
    general: Vec<String>,
    locked: bool,
}

/// Builds the input from the posted pairs: `skill` per asked skill, `target_<code>` per
/// skill, `department` and `position` per ticked box.
fn survey_input(pairs: &[(String, String)]) -> SurveyInput {
    let mut v = SurveyInput::default();
    for (k, val) in pairs {
        match k.as_str() {
            "code" => v.code = val.clone(),
            "title" => v.title = val.clone(),
            "opens_on" => v.opens_on = val.clone(),
            "closes_on" => v.closes_on = val.clone(),
            "skill" => v.skills.push(val.trim().to_string()),
            "department" => {
                if let Ok(id) = val.trim().parse() {
                    v.departments.push(id);
                }
            }
            "position" => {
                if let Ok(id) = val.trim().parse() {
                    v.positions.push(id);
                }
            }
            other => {
                if let Some(skill) = other.strip_prefix("target_") {
                    v.targets.insert(skill.to_string(), val.trim().to_string());
                }
            }
        }
    }
    v
}

fn input_of(s: &Survey) -> SurveyInput {
    SurveyInput {
        code: s.row.code.clone(),
        title: s.row.title.clone(),
        opens_on: s.row.opens_on.to_string(),
        closes_on: s.row.closes_on.to_string(),
        skills: s.skill_list.clone(),
        targets: s
            .target_levels
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect(),
        departments: s.audience_detail.departments.clone(),
        positions: s.audience_detail.positions.clone(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn survey_form(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: Option<i64>,
    v: SurveyInput,
    errors: FormErrors,
    locked: bool,
    status: StatusCode,
) -> Result<Response, WebError> {
    let model = skills_service::list(&state.app, me).await?;
    let (departments, positions) = {
        let mut r = state.app.db.read().await.map_err(AppError::from)?;
        let c = &mut r.conn();
        let ds = skillcert_app::store::org::list_departments(c)
            .await
            .map_err(AppError::from)?;
        let ps = skillcert_app::store::org::list_positions(c)
            .await
            .map_err(AppError::from)?;
        (ds, ps)
    };
    let skills = model
        .iter()
        .map(|s| SkillChoice {
            checked: v.skills.iter().any(|c| c == &s.code),
            target: v
                .targets
                .get(&s.code)
                .cloned()
                .unwrap_or_else(|| RatingLevel::DEFAULT_TARGET.to_string()),
            error: errors
                .get(&format!("targets.{}", s.code))
                .or_else(|| errors.get(&format!("skills.{}", s.code)))
                .map(str::to_string),
            name: skill_name(lang, s),
            group: t(lang, &format!("needs-group-{}", s.grp)),
            code: s.code.clone(),
        })
        .collect();
    // Departments in tree order, indented by depth.
    let mut ordered = Vec::new();
    fn walk(
        ds: &[skillcert_app::store::org::Department],
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<(usize, skillcert_app::store::org::Department)>,
    ) {
        for d in ds.iter().filter(|d| d.parent_id == parent) {
            out.push((depth, d.clone()));
            walk(ds, Some(d.id), depth + 1, out);
        }
    }
    walk(&departments, None, 0, &mut ordered);
    let departments = ordered
        .into_iter()
        .map(|(depth, d)| OrgChoice {
            id: d.id,
            name: format!("{}{} ({})", "— ".repeat(depth), d.name, d.code),
            checked: v.departments.contains(&d.id),
        })
        .collect();
    let positions = positions
        .into_iter()
        .map(|p| OrgChoice {
            id: p.id,
            name: format!("{} ({})", p.name, p.code),
            checked: v.positions.contains(&p.id),
        })
        .collect();
    // Problems of a listed skill show on its row; everything else above the form.
    let shown = |f: &str| {
        SURVEY_FIELDS.contains(&f)
            || f.strip_prefix("targets.")
                .or_else(|| f.strip_prefix("skills."))
                .is_some_and(|code| model.iter().any(|m| m.code == code))
    };
    let general = errors
        .0
        .iter()
        .filter(|(f, _)| !shown(f))
        .map(|(_, m)| m.clone())
        .collect();
    let here = match id {
        Some(id) => format!("/surveys/{id}/edit"),
        None => "/surveys/new".to_string(),
    };
    let page = SurveyFormPage {
        ctx: Ctx::new(lang, Some(me), &here),
        id,
        v,
        skills,
        departments,
        positions,
        errors,
        general,
        locked,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn survey_new(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let today = state.app.today();
    let model = skills_service::list(&state.app, &me).await?;
    let v = SurveyInput {
        opens_on: today.to_string(),
        closes_on: (today + chrono::Duration::days(14)).to_string(),
        skills: model.iter().map(|s| s.code.clone()).collect(),
        ..SurveyInput::default()
    };
    survey_form(
        &state,
        lang,
        &me,
        None,
        v,
        FormErrors::none(),
        false,
        StatusCode::OK,
    )
    .await
}

pub async fn survey_create(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let v = survey_input(&pairs);
    match surveys_service::create(&state.app, &me, &v).await {
        Ok(row) => Ok(Redirect::to(&format!("/surveys/{}?done=created", row.id)).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = FormErrors(form_errors(lang, &e));
            survey_form(
                &state,
                lang,
                &me,
                None,
                v,
                errors,
                false,
                refusal_status(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn survey_edit(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let d = surveys_service::detail(&state.app, &me, id).await?;
    let locked = d.survey.phase != "draft";
    let errors = if locked {
        // Shown, but saving is refused: say so up front.
        FormErrors(vec![(
            "survey".to_string(),
            t(lang, "problem-survey-not-draft").to_string(),
        )])
    } else {
        FormErrors::none()
    };
    let v = input_of(&d.survey);
    survey_form(
        &state,
        lang,
        &me,
        Some(id),
        v,
        errors,
        locked,
        StatusCode::OK,
    )
    .await
}

pub async fn survey_update(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let v = survey_input(&pairs);
    match surveys_service::update(&state.app, &me, id, &v).await {
        Ok(_) => Ok(Redirect::to(&format!("/surveys/{id}?done=saved")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let d = surveys_service::detail(&state.app, &me, id).await?;
            let locked = d.survey.phase != "draft";
            let errors = FormErrors(form_errors(lang, &e));
            survey_form(
                &state,
                lang,
                &me,
                Some(id),
                v,
                errors,
                locked,
                refusal_status(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the survey page ----------

#[derive(Template)]
#[template(path = "training_needs/show.html")]
struct ShowPage {
    ctx: Ctx,
    s: Survey,
    phase: &'static str,
    invitees: i64,
    responses: i64,
    rate: String,
    skills: Vec<(String, String)>,
    audience_departments: String,
    audience_positions: String,
    can_manage: bool,
    can_rate: bool,
    errors: Vec<String>,
}

async fn show_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    flash: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let d = surveys_service::detail(&state.app, me, id).await?;
    let model = skills_service::list(&state.app, me).await?;
    let (ds, ps) = {
        let mut r = state.app.db.read().await.map_err(AppError::from)?;
        let c = &mut r.conn();
        (
            skillcert_app::store::org::list_departments(c)
                .await
                .map_err(AppError::from)?,
            skillcert_app::store::org::list_positions(c)
                .await
                .map_err(AppError::from)?,
        )
    };
    let sep = if lang == Lang::ZhCn { "、" } else { ", " };
    let a = &d.survey.audience_detail;
    let audience_departments = if a.departments.is_empty() {
        t(lang, "needs-everyone").to_string()
    } else {
        ds.iter()
            .filter(|x| a.departments.contains(&x.id))
            .map(|x| x.name.clone())
            .collect::<Vec<_>>()
            .join(sep)
    };
    let audience_positions = if a.positions.is_empty() {
        t(lang, "needs-every-position").to_string()
    } else {
        ps.iter()
            .filter(|x| a.positions.contains(&x.id))
            .map(|x| x.name.clone())
            .collect::<Vec<_>>()
            .join(sep)
    };
    let skills = d
        .survey
        .skill_list
        .iter()
        .map(|code| {
            let name = model
                .iter()
                .find(|m| &m.code == code)
                .map_or_else(|| code.clone(), |m| skill_name(lang, m));
            (name, d.survey.target(code).to_string())
        })
        .collect();
    let page = ShowPage {
        ctx: Ctx::new(lang, Some(me), &format!("/surveys/{id}")).with_flash(flash),
        phase: phase_label(lang, d.survey.phase),
        invitees: d.invitees,
        responses: d.responses,
        rate: bp_text(d.response_rate),
        skills,
        audience_departments,
        audience_positions,
        can_manage: me.can(Permission::TrainingManage),
        can_rate: me.can(Permission::TeamRate),
        s: d.survey,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn survey_show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let flash = done_message(lang, q.done.as_deref());
    show_page(&state, lang, &me, id, flash, Vec::new(), StatusCode::OK).await
}

async fn after_action(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    result: Result<(), AppError>,
    done: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/surveys/{id}?done={done}")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = form_errors(lang, &e).into_iter().map(|(_, m)| m).collect();
            show_page(state, lang, me, id, None, errors, refusal_status(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn survey_open(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let r = surveys_service::open(&state.app, &me, id).await.map(|_| ());
    after_action(&state, lang, &me, id, r, "opened").await
}

pub async fn survey_close(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let r = surveys_service::close(&state.app, &me, id).await;
    after_action(&state, lang, &me, id, r, "closed").await
}

// ---------- the employee's side ----------

pub struct MyLine {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub window: String,
    pub accepting: bool,
    pub answered: Option<String>,
}

#[derive(Template)]
#[template(path = "training_needs/mine.html")]
struct MinePage {
    ctx: Ctx,
    rows: Vec<MyLine>,
    has_employee: bool,
}

pub async fn my_surveys(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let ctx = Ctx::new(lang, Some(&me), "/my-training/surveys")
        .with_flash(done_message(lang, q.done.as_deref()));
    let rows = surveys_service::mine(&state.app, &me)
        .await?
        .into_iter()
        .map(|m| MyLine {
            window: format!("{} – {}", m.row.opens_on, m.row.closes_on),
            answered: m.row.answered_at.as_ref().map(|a| ctx.time(a)),
            accepting: m.accepting,
            id: m.row.id,
            code: m.row.code,
            title: m.row.title,
        })
        .collect();
    render(&MinePage {
        ctx,
        rows,
        has_employee: me.employee_id.is_some(),
    })
}

pub struct RatingRow {
    pub code: String,
    pub name: String,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "training_needs/respond.html")]
struct RespondPage {
    ctx: Ctx,
    s: Survey,
    refusal: Option<String>,
    answered: Option<String>,
    rows: Vec<RatingRow>,
    desired_content: String,
    format: String,
    formats: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    general: Vec<String>,
}

fn answer_from(pairs: &[(String, String)]) -> RawAnswer {
    let mut raw = RawAnswer::default();
    for (k, v) in pairs {
        match k.as_str() {
            "desired_content" => raw.desired_content = v.clone(),
            "format" => raw.format = v.clone(),
            other => {
                if let Some(skill) = other.strip_prefix("r.") {
                    raw.ratings.insert(skill.to_string(), v.clone());
                }
            }
        }
    }
    raw
}

async fn respond_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    typed: Option<RawAnswer>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let sheet = surveys_service::sheet(&state.app, me, id).await?;
    let model = skills_service::list(&state.app, me).await?;
    let stored: RawAnswer = sheet
        .answer
        .as_ref()
        .map(|a| RawAnswer {
            ratings: serde_json::from_str::<BTreeMap<String, u8>>(&a.ratings)
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.to_string()))
                .collect(),
            desired_content: a.desired_content.clone(),
            format: a.format.clone(),
        })
        .unwrap_or_default();
    let v = typed.unwrap_or(stored);
    let ctx = Ctx::new(lang, Some(me), &format!("/surveys/{id}/respond"));
    let answered = sheet.answer.as_ref().map(|a| ctx.time(&a.updated_at));
    let rows = sheet
        .survey
        .skill_list
        .iter()
        .map(|code| RatingRow {
            name: model
                .iter()
                .find(|m| &m.code == code)
                .map_or_else(|| code.clone(), |m| skill_name(lang, m)),
            value: v.ratings.get(code).cloned().unwrap_or_default(),
            error: errors.get(&format!("ratings.{code}")).map(str::to_string),
            code: code.clone(),
        })
        .collect();
    let general = errors
        .0
        .iter()
        .filter(|(f, _)| !f.starts_with("ratings.") && f != "desired_content" && f != "format")
        .map(|(_, m)| m.clone())
        .collect();
    let page = RespondPage {
        ctx,
        refusal: sheet
            .refusal
            .map(|c| t(lang, &format!("problem-{c}")).to_string()),
        answered,
        rows,
        desired_content: v.desired_content,
        format: v.format,
        formats: PreferredFormat::ALL
            .iter()
            .map(|f| (f.key(), t(lang, &format!("needs-format-{}", f.key()))))
            .collect(),
        s: sheet.survey,
        errors,
        general,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn respond_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    respond_page(
        &state,
        lang,
        &me,
        id,
        None,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

pub async fn respond(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let raw = answer_from(&pairs);
    match surveys_service::answer(&state.app, &me, id, &raw).await {
        Ok(_) => Ok(Redirect::to("/my-training/surveys?done=answered").into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = FormErrors(form_errors(lang, &e));
            respond_page(&state, lang, &me, id, Some(raw), errors, refusal_status(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the supervisor's rating ----------

pub struct RatePerson {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub position: String,
    pub answered: bool,
    /// `(skill code, value)` per skill of the survey.
    pub values: Vec<(String, String)>,
    pub errors: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RateListQuery {
    pub q: Option<String>,
    pub page: Option<String>,
    pub done: Option<String>,
}

#[derive(Template)]
#[template(path = "training_needs/rate.html")]
struct RatePage {
    ctx: Ctx,
    s: Survey,
    /// `(code, name)` of the skills asked.
    skills: Vec<(String, String)>,
    people: Vec<RatePerson>,
    pager: Pager,
    q: String,
    page: i64,
    refusal: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn rate_view(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    lq: &RateListQuery,
    typed: Option<(i64, RawSupervisorRating, Vec<String>)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let search = nonblank(&lq.q);
    let page_no = num(&lq.page, 1);
    let q = RateQuery {
        search: search.clone(),
        page: page_no,
        per_page: 20,
    };
    let sheet = surveys_service::rate_sheet(&state.app, me, id, &q).await?;
    let model = skills_service::list(&state.app, me).await?;
    let skills: Vec<(String, String)> = sheet
        .survey
        .skill_list
        .iter()
        .map(|code| {
            let name = model
                .iter()
                .find(|m| &m.code == code)
                .map_or_else(|| code.clone(), |m| skill_name(lang, m));
            (code.clone(), name)
        })
        .collect();
    let people = sheet
        .people
        .items
        .iter()
        .map(|p| {
            let stored: BTreeMap<String, String> = p
                .ratings
                .as_deref()
                .and_then(|j| serde_json::from_str::<BTreeMap<String, u8>>(j).ok())
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.to_string()))
                .collect();
            let (given, errors) = match &typed {
                Some((e, raw, errs)) if *e == p.employee_id => (raw.ratings.clone(), errs.clone()),
                _ => (stored, Vec::new()),
            };
            RatePerson {
                employee_id: p.employee_id,
                employee_no: p.employee_no.clone(),
                name: p.name.clone(),
                department: p.department_name.clone(),
                position: p.position_name.clone().unwrap_or_default(),
                answered: p.answered,
                values: skills
                    .iter()
                    .map(|(c, _)| (c.clone(), given.get(c).cloned().unwrap_or_default()))
                    .collect(),
                errors,
            }
        })
        .collect();
    // A typed rating refused for someone not on this page still gets its message.
    let mut flash = done_message(lang, lq.done.as_deref());
    if let Some((e, _, errs)) = &typed
        && !sheet.people.items.iter().any(|p| p.employee_id == *e)
    {
        flash = Some(errs.join(" "));
    }
    let refusal = match sheet.survey.check_accepting(state.app.today()) {
        Err(AppError::Rejected(p)) => p
            .first()
            .map(|p| t(lang, &format!("problem-{}", p.code)).to_string()),
        _ => None,
    };
    let mut base = Vec::new();
    if let Some(s) = &search {
        base.push(format!("q={}", urlencode(s)));
    }
    let pager = Pager {
        page: sheet.people.page,
        pages: sheet.people.pages(),
        total: sheet.people.total,
        base: format!("/surveys/{id}/rate?{}", base.join("&")),
    };
    let page = RatePage {
        ctx: Ctx::new(lang, Some(me), &format!("/surveys/{id}/rate")).with_flash(flash),
        s: sheet.survey,
        skills,
        people,
        pager,
        q: search.unwrap_or_default(),
        page: page_no,
        refusal,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn rate_page(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(lq): Query<RateListQuery>,
) -> Result<Response, WebError> {
    me.require(Permission::TeamRate)?;
    rate_view(&state, lang, &me, id, &lq, None, StatusCode::OK).await
}

pub async fn rate(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path((id, employee_id)): Path<(i64, i64)>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    me.require(Permission::TeamRate)?;
    let mut raw = RawSupervisorRating::default();
    let mut back = RateListQuery::default();
    for (k, v) in &pairs {
        match k.as_str() {
            "q" => back.q = Some(v.clone()),
            "page" => back.page = Some(v.clone()),
            other => {
                if let Some(skill) = other.strip_prefix("r.")
                    && !v.trim().is_empty()
                {
                    raw.ratings.insert(skill.to_string(), v.clone());
                }
            }
        }
    }
    match surveys_service::rate(&state.app, &me, id, employee_id, &raw).await {
        Ok(()) => {
            let mut query = vec!["done=rated".to_string()];
            if let Some(q) = nonblank(&back.q) {
                query.push(format!("q={}", urlencode(&q)));
            }
            if let Some(p) = nonblank(&back.page) {
                query.push(format!("page={}", urlencode(&p)));
            }
            Ok(Redirect::to(&format!("/surveys/{id}/rate?{}", query.join("&"))).into_response())
        }
        Err(e) if shown_on_page(&e) => {
            let errs = form_errors(lang, &e).into_iter().map(|(_, m)| m).collect();
            rate_view(
                &state,
                lang,
                &me,
                id,
                &back,
                Some((employee_id, raw, errs)),
                refusal_status(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the needs-analysis report ----------

/// One line of a skill table.
pub struct NeedLine {
    pub group: String,
    pub skill: String,
    pub target: String,
    pub self_average: String,
    pub self_count: u32,
    pub supervisor_average: String,
    pub supervisor_count: u32,
    pub basis: String,
    pub gap: String,
    pub short: bool,
}

fn need_line(report: &NeedsReport, lang: Lang, group: &str, n: &SkillNeed) -> NeedLine {
    NeedLine {
        group: group.to_string(),
        skill: report
            .skill(&n.skill)
            .map_or_else(|| n.skill.clone(), |s| skill_name(lang, s)),
        target: n.target.to_string(),
        self_average: level_text(n.self_average),
        self_count: n.self_count,
        supervisor_average: level_text(n.supervisor_average),
        supervisor_count: n.supervisor_count,
        basis: n.basis.to_string(),
        gap: gap_text(n.gap),
        short: n.gap > 0,
    }
}

fn group_name(lang: Lang, key: &str, name: &str) -> String {
    if key == NO_POSITION || name.is_empty() {
        t(lang, "needs-no-position").to_string()
    } else {
        name.to_string()
    }
}

/// The report's tables as the page, the workbook and the PDF show them.
struct ReportView {
    summary: Vec<(String, String)>,
    weakest: Vec<NeedLine>,
    skills: Vec<NeedLine>,
    departments: Vec<NeedLine>,
    positions: Vec<NeedLine>,
    /// `(topic, count, share of responses)`.
    topics: Vec<(String, u32, String)>,
    /// `(format, count, share)`.
    formats: Vec<(&'static str, u32, String)>,
    /// `(title, skill, gap, target group, format)`.
    drafts: Vec<(String, String, String, String, &'static str)>,
}

fn report_view(report: &NeedsReport, lang: Lang) -> ReportView {
    let a = &report.analysis;
    let sep = if lang == Lang::ZhCn { "、" } else { ", " };
    let f = &a.formats;
    let summary = vec![
        (
            t(lang, "needs-window").to_string(),
            format!(
                "{} – {}",
                report.survey.row.opens_on, report.survey.row.closes_on
            ),
        ),
        (
            t(lang, "needs-phase").to_string(),
            phase_label(lang, report.survey.phase).to_string(),
        ),
        (
            t(lang, "needs-invitees").to_string(),
            a.invited.map_or_else(|| "—".into(), |i| i.to_string()),
        ),
        (
            t(lang, "needs-responses").to_string(),
            a.responses.to_string(),
        ),
        (
            t(lang, "needs-response-rate").to_string(),
            a.response_rate.map_or_else(|| "—".into(), bp_percent),
        ),
    ];
    let skills = a
        .skills
        .iter()
        .map(|n| need_line(report, lang, "", n))
        .collect();
    let weakest = a
        .weakest
        .iter()
        .map(|n| need_line(report, lang, "", n))
        .collect();
    let mut departments = Vec::new();
    for g in &a.departments {
        let name = format!("{} ({})", g.name, g.responses);
        departments.extend(g.skills.iter().map(|n| need_line(report, lang, &name, n)));
    }
    let mut positions = Vec::new();
    for g in &a.positions {
        let name = format!("{} ({})", group_name(lang, &g.key, &g.name), g.responses);
        positions.extend(g.skills.iter().map(|n| need_line(report, lang, &name, n)));
    }
    let responses = a.responses.max(1);
    let topics = a
        .top_topics
        .iter()
        .map(|tc| {
            (
                tc.topic.clone(),
                tc.count,
                format!("{:.1}%", f64::from(tc.count) * 100.0 / f64::from(responses)),
            )
        })
        .collect();
    let formats = vec![
        ("online", f.online, bp_percent(f.online_share)),
        ("offline", f.offline, bp_percent(f.offline_share)),
        ("either", f.either, bp_percent(f.either_share)),
    ]
    .into_iter()
    .map(|(k, n, s)| (t(lang, &format!("needs-format-{k}")), n, s))
    .collect();
    let drafts = needs_service::draft_topics(report, needs_service::DRAFT_TOPICS)
        .into_iter()
        .map(|d| {
            (
                d.title.clone(),
                report
                    .skill(&d.skill)
                    .map_or_else(|| d.skill.clone(), |s| skill_name(lang, s)),
                gap_text(d.gap),
                d.target_group
                    .iter()
                    .map(|g| g.name.clone())
                    .collect::<Vec<_>>()
                    .join(sep),
                t(lang, &format!("needs-format-{}", d.format.key())),
            )
        })
        .collect();
    ReportView {
        summary,
        weakest,
        skills,
        departments,
        positions,
        topics,
        formats,
        drafts,
    }
}

#[derive(Template)]
#[template(path = "training_needs/report.html")]
struct ReportPage {
    ctx: Ctx,
    s: Survey,
    v: ReportView,
    scoped: bool,
    can_manage: bool,
    errors: Vec<String>,
}

async fn report_view_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let report = needs_service::report(&state.app, me, id).await?;
    let page = ReportPage {
        ctx: Ctx::new(lang, Some(me), &format!("/surveys/{id}/report")),
        v: report_view(&report, lang),
        scoped: report.scoped,
        can_manage: me.can(Permission::TrainingManage),
        s: report.survey,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn report_page(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    report_view_page(&state, lang, &me, id, Vec::new(), StatusCode::OK).await
}

fn need_rows(lines: &[NeedLine], with_group: bool) -> Vec<Vec<NeedsCell>> {
    let level = |s: &str| NeedsCell::Level(s.parse::<f64>().ok());
    lines
        .iter()
        .map(|l| {
            let mut row = Vec::new();
            if with_group {
                row.push(NeedsCell::Text(l.group.clone()));
            }
            row.extend([
                NeedsCell::Text(l.skill.clone()),
                level(&l.target),
                level(&l.self_average),
                NeedsCell::Int(i64::from(l.self_count)),
                level(&l.supervisor_average),
                NeedsCell::Int(i64::from(l.supervisor_count)),
                level(&l.basis),
                NeedsCell::Level(l.gap.replace('−', "-").parse::<f64>().ok()),
            ]);
            row
        })
        .collect()
}

fn file_data(report: &NeedsReport, lang: Lang) -> NeedsReportData {
    let v = report_view(report, lang);
    let tr = |k: &str| t(lang, k).to_string();
    let need_headers = |group: Option<&str>| {
        let mut h = Vec::new();
        if let Some(g) = group {
            h.push(tr(g));
        }
        h.extend(
            [
                "needs-col-skill",
                "needs-col-target",
                "needs-col-self",
                "needs-col-self-n",
                "needs-col-supervisor",
                "needs-col-supervisor-n",
                "needs-col-basis",
                "needs-col-gap",
            ]
            .map(tr),
        );
        h
    };
    let empty = tr("needs-report-empty");
    let table =
        |heading: &str, sheet: &str, headers: Vec<String>, rows: Vec<Vec<NeedsCell>>| NeedsTable {
            heading: tr(heading),
            sheet: tr(sheet),
            headers,
            rows,
            empty: empty.clone(),
        };
    NeedsReportData {
        lang: Some(lang.reports()),
        title: tr("needs-report-title"),
        subtitle: format!("{} · {}", report.survey.row.code, report.survey.row.title),
        summary_heading: tr("needs-report-summary"),
        summary_sheet: tr("needs-sheet-summary"),
        summary: v.summary.clone(),
        figure: tr("needs-col-figure"),
        value: tr("needs-col-value"),
        tables: vec![
            table(
                "needs-report-weakest",
                "needs-sheet-weakest",
                need_headers(None),
                need_rows(&v.weakest, false),
            ),
            table(
                "needs-report-skills",
                "needs-sheet-skills",
                need_headers(None),
                need_rows(&v.skills, false),
            ),
            table(
                "needs-report-departments",
                "needs-sheet-departments",
                need_headers(Some("needs-col-department")),
                need_rows(&v.departments, true),
            ),
            table(
                "needs-report-positions",
                "needs-sheet-positions",
                need_headers(Some("needs-col-position")),
                need_rows(&v.positions, true),
            ),
            table(
                "needs-report-topics",
                "needs-sheet-topics",
                vec![
                    tr("needs-col-topic"),
                    tr("needs-col-count"),
                    tr("needs-col-share"),
                ],
                v.topics
                    .iter()
                    .map(|(topic, n, _)| {
                        vec![
                            NeedsCell::Text(topic.clone()),
                            NeedsCell::Int(i64::from(*n)),
                            NeedsCell::Share(
                                (report.analysis.responses > 0)
                                    .then(|| f64::from(*n) / f64::from(report.analysis.responses)),
                            ),
                        ]
                    })
                    .collect(),
            ),
            table(
                "needs-report-formats",
                "needs-sheet-formats",
                vec![
                    tr("needs-col-format"),
                    tr("needs-col-count"),
                    tr("needs-col-share"),
                ],
                {
                    let f = &report.analysis.formats;
                    let any = f.total() > 0;
                    [
                        ("online", f.online, f.online_share),
                        ("offline", f.offline, f.offline_share),
                        ("either", f.either, f.either_share),
                    ]
                    .into_iter()
                    .map(|(k, n, s)| {
                        vec![
                            NeedsCell::Text(tr(&format!("needs-format-{k}"))),
                            NeedsCell::Int(i64::from(n)),
                            NeedsCell::Share(any.then(|| f64::from(s) / 10_000.0)),
                        ]
                    })
                    .collect()
                },
            ),
            table(
                "needs-report-drafts",
                "needs-sheet-drafts",
                vec![
                    tr("needs-col-topic"),
                    tr("needs-col-skill"),
                    tr("needs-col-gap"),
                    tr("needs-col-target-group"),
                    tr("needs-col-format"),
                ],
                v.drafts
                    .iter()
                    .map(|(title, skill, gap, group, format)| {
                        vec![
                            NeedsCell::Text(title.clone()),
                            NeedsCell::Text(skill.clone()),
                            NeedsCell::Level(gap.replace('−', "-").parse::<f64>().ok()),
                            NeedsCell::Text(group.clone()),
                            NeedsCell::Text((*format).to_string()),
                        ]
                    })
                    .collect(),
            ),
        ],
    }
}

/// `/surveys/{id}/report.xlsx`: one sheet per section.
pub async fn report_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let report = needs_service::report(&state.app, &me, id).await?;
    let bytes = needs_xlsx(&file_data(&report, lang))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("needs report xlsx: {e}")))?;
    Ok(download::attachment(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &download::file_name(&report.survey.row.code, "needs.xlsx"),
    ))
}

/// `/surveys/{id}/report.pdf`: A4, page numbers in the reader's language.
pub async fn report_pdf(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let report = needs_service::report(&state.app, &me, id).await?;
    let cst = FixedOffset::east_opt(8 * 3600)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("UTC+8 offset")))?;
    let bytes = needs_pdf(
        &file_data(&report, lang),
        state.app.now().with_timezone(&cst),
    );
    Ok(download::inline(
        bytes,
        "application/pdf",
        &download::file_name(&report.survey.row.code, "needs.pdf"),
    ))
}

pub async fn draft_plan(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    match needs_service::draft_plan(&state.app, &me, id).await {
        Ok(plan) => Ok(Redirect::to(&format!("/training/plans/{plan}")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = form_errors(lang, &e).into_iter().map(|(_, m)| m).collect();
            report_view_page(&state, lang, &me, id, errors, refusal_status(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::has;

    #[test]
    fn dynamic_keys_exist_in_both_languages() {
        let mut missing = Vec::new();
        for lang in Lang::ALL {
            for k in dynamic_keys() {
                if !has(lang, &k) {
                    missing.push(format!("{} {k}", lang.tag()));
                }
            }
        }
        assert!(missing.is_empty(), "missing: {missing:#?}");
    }

    #[test]
    fn numbers_print_as_the_report_shows_them() {
        assert_eq!(gap_text(142), "1.42");
        assert_eq!(gap_text(-5), "−0.05");
        assert_eq!(bp_text(Some(8_333)), "83.3%");
        assert_eq!(bp_text(Some(10_000)), "100.0%");
        assert_eq!(bp_text(None), "—");
        assert_eq!(phase_of("open", 0), "draft");
        assert_eq!(phase_of("closed", 0), "closed");
    }
}
