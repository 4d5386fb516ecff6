//! The staff pages of practical assessments: the event list, the planning form, the event
//! page (candidates, conflicts, other components' scores, the draw by lot with its published
//! seed and history, closing), the replay of a draw, the results with every mark and the
//! scheme's verdict (and their Excel export), the judge analytics of an event and of judges
//! over time.
//!
//! Actions post a form and come back to the event page with a flash (`?done=…`); a refused
//! action shows the page again with the reason and the values typed.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use skillcert_app::practical::analytics::{self, EventAnalytics, Trends};
use skillcert_app::practical::draw as draws;
use skillcert_app::practical::events::{
    self, ConflictInput, EventInput, EventView, POOLS_MAX, PoolInput, SubjectsInput,
};
use skillcert_app::practical::results::{self as results_service, EventResults, SubjectResult};
use skillcert_app::practical::{ERROR_CODES, StoredRules};
use skillcert_app::store::practical::{EventQuery, EventSummary};
use skillcert_app::{Actor, AppError, Page, rubrics, schemes};
use skillcert_domain::access::{Permission, Scope};
use skillcert_domain::practical::draw::{ConflictReason, DrawOutcome, DrawScope};
use skillcert_domain::practical::reliability::{IccBand, icc_band};
use skillcert_domain::practical::rubric::{ItemMark, Rubric, SheetMarks};
use skillcert_domain::practical::rules::RuleError;
use skillcert_domain::scheme::{DropReason, Lang as LabelLang, PanelPolicy, Scheme, Score, Trim};
use skillcert_reports::Cell;

use super::{Ctx, FormErrors, Pager, WebForm, render};
use crate::error::{WebError, form_errors, urlencode};
use crate::i18n::{Lang, has, t, tf};
use crate::session::Me;
use crate::state::AppState;

use super::download;
use super::{refusal_status, shown_on_page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events", get(list))
        .route("/events/new", get(new_form).post(create))
        .route("/events/{id}", get(show))
        .route("/events/{id}/edit", get(edit_form).post(update))
        .route("/events/{id}/subjects", post(set_subjects))
        .route("/events/{id}/conflicts", post(add_conflict))
        .route("/events/{id}/conflicts/delete", post(remove_conflict))
        .route("/events/{id}/inputs", post(set_inputs))
        .route("/events/{id}/seed", post(publish_seed))
        .route("/events/{id}/draw", post(run_draw))
        .route("/events/{id}/close", post(close))
        .route("/events/{id}/draws/{number}", get(replay))
        .route("/events/{id}/results", get(results))
        .route("/events/{id}/results.xlsx", get(results_xlsx))
        .route("/events/{id}/release", post(release))
        .route("/events/{id}/analytics", get(analytics_page))
        .route("/judges/analytics", get(judge_trends))
}

/// Event statuses and kinds as stored.
pub const STATUSES: [&str; 3] = ["planning", "scoring", "closed"];
pub const KINDS: [&str; 2] = ["assessment", "calibration"];
/// Sheet states on a panel (`new` is a seat without a sheet).
const SHEET_STATES: [&str; 3] = ["new", "draft", "submitted"];
/// Readings of Krippendorff's alpha (Krippendorff 2004: ≥ .8 reliable, ≥ .667 tentative).
const ALPHA_BANDS: [&str; 3] = ["reliable", "tentative", "unreliable"];

/// Flash messages after a finished action (`?done=…`).
const DONE: [&str; 11] = [
    "created",
    "saved",
    "subjects",
    "conflict-added",
    "conflict-removed",
    "inputs",
    "seed",
    "drawn",
    "redrawn",
    "closed",
    "released",
];

/// The `problem-…` keys of the codes `AppError::Rejected` carries from event planning and
/// draws: the panel rules' codes, the draw's, and those of the other components' scores.
fn problem_keys() -> Vec<String> {
    let rules = [
        RuleError::NoPools,
        RuleError::PoolKey(String::new()),
        RuleError::DuplicatePool(String::new()),
        RuleError::ZeroQuota(String::new()),
        RuleError::MinAbovePanel { min: 0, panel: 0 },
        RuleError::DropsAbovePanel { drops: 0, panel: 0 },
        RuleError::PerItemRubric,
    ];
    let mut v: Vec<String> = rules
        .iter()
        .map(|r| format!("problem-{}", r.code()))
        .collect();
    v.extend(
        [
            "problem-draw-no-pools",
            "problem-draw-zero-quota",
            "problem-draw-duplicate-pool",
            "problem-draw-quota-too-large",
            "problem-draw-not-enough-eligible",
            "problem-draw-no-subjects",
            "problem-draw-duplicate-subject",
            "problem-input-unknown-component",
            "problem-input-bad-score",
        ]
        .map(String::from),
    );
    v
}

/// Every message key the event pages build at run time, for the completeness test.
pub fn dynamic_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for s in STATUSES {
        keys.push(format!("events-status-{s}"));
    }
    for k in KINDS {
        keys.push(format!("events-kind-{k}"));
    }
    for s in SHEET_STATES {
        keys.push(format!("events-sheet-{s}"));
    }
    for d in DONE {
        keys.push(format!("events-done-{d}"));
    }
    for s in [DrawScope::Event, DrawScope::Subject] {
        keys.push(format!("events-scope-{}", s.code()));
    }
    for r in [
        ConflictReason::Candidate,
        ConflictReason::Supervisor,
        ConflictReason::Mentor,
        ConflictReason::SameUnit,
        ConflictReason::Declared,
    ] {
        keys.push(format!("events-conflict-{}", r.code()));
    }
    for b in [
        IccBand::Poor,
        IccBand::Moderate,
        IccBand::Good,
        IccBand::Excellent,
    ] {
        keys.push(format!("events-band-{}", b.key()));
    }
    for a in ALPHA_BANDS {
        keys.push(format!("events-alpha-{a}"));
    }
    for c in ERROR_CODES {
        keys.push(format!("error-{c}"));
    }
    keys.extend(problem_keys());
    keys
}

// ---------- formatting ----------

fn label_lang(lang: Lang) -> LabelLang {
    match lang {
        Lang::ZhCn => LabelLang::ZhCn,
        Lang::En => LabelLang::En,
    }
}

fn label(lang: Lang, prefix: &str, key: &str) -> &'static str {
    t(lang, &format!("{prefix}{key}"))
}

fn score_text(s: Option<Score>) -> String {
    s.map(|s| s.to_string()).unwrap_or_else(|| "—".into())
}

fn score_f64(s: Score) -> f64 {
    f64::from(s.hundredths()) / 100.0
}

/// A figure with `d` decimals; undefined as a dash.
fn fixed(v: Option<f64>, d: usize) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:.d$}"),
        _ => "—".into(),
    }
}

/// A signed figure with two decimals (`+1.25`, `−0.50`).
fn signed(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => {
            let r = (v * 100.0).round() / 100.0;
            if r > 0.0 {
                format!("+{r:.2}")
            } else if r < 0.0 {
                format!("−{:.2}", -r)
            } else {
                "0.00".into()
            }
        }
        _ => "—".into(),
    }
}

fn percent(v: f64) -> String {
    if v.is_finite() {
        format!("{:.1}%", v * 100.0)
    } else {
        "—".into()
    }
}

fn when(at: &chrono::DateTime<chrono::Utc>) -> String {
    (*at + Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn policy_text(lang: Lang, p: &PanelPolicy) -> String {
    let mut s = tf(
        lang,
        "events-policy",
        &[
            ("min", &p.min_marks.to_string()),
            ("high", &p.drop_highest.to_string()),
            ("low", &p.drop_lowest.to_string()),
            (
                "trim",
                t(
                    lang,
                    match p.trim {
                        Trim::Total => "events-trim-total",
                        Trim::PerItem => "events-trim-per-item",
                    },
                ),
            ),
        ],
    );
    if let Some(tol) = p.divergence_tolerance {
        s.push_str("; ");
        s.push_str(&tf(
            lang,
            "events-policy-tolerance",
            &[("points", &tol.to_string())],
        ));
    }
    s
}

fn done_message(lang: Lang, done: Option<&str>) -> Option<String> {
    let d = done?;
    DONE.contains(&d)
        .then(|| t(lang, &format!("events-done-{d}")).to_string())
}

/// Error messages for a page that holds several forms: each names its field.
fn described(lang: Lang, e: &AppError) -> Vec<(String, String)> {
    form_errors(lang, e)
        .into_iter()
        .map(|(field, msg)| {
            let key = format!("events-field-{field}");
            if !field.is_empty() && has(lang, &key) {
                let name = t(lang, &key);
                (field, format!("{name}: {msg}"))
            } else {
                (field, msg)
            }
        })
        .collect()
}

// ---------- list ----------

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl ListQuery {
    fn pick(v: &Option<String>, allowed: &[&str]) -> Option<String> {
        v.as_deref()
            .map(str::trim)
            .filter(|s| allowed.contains(s))
            .map(str::to_string)
    }

    fn to_query(&self) -> EventQuery {
        EventQuery {
            search: self
                .q
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            status: Self::pick(&self.status, &STATUSES),
            kind: Self::pick(&self.kind, &KINDS),
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
}

pub struct ListRow {
    pub e: EventSummary,
    pub kind: &'static str,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "events/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<ListRow>,
    pager: Pager,
    q: String,
    status: String,
    kind: String,
    statuses: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    can_analyse: bool,
    filtered: bool,
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(lq): Query<ListQuery>,
) -> Result<Response, WebError> {
    let q = lq.to_query();
    let page: Page<EventSummary> = events::list(&state.app, &me, &q).await?;
    let mut base = Vec::new();
    if let Some(s) = &q.search {
        base.push(format!("q={}", urlencode(s)));
    }
    if let Some(s) = &q.status {
        base.push(format!("status={s}"));
    }
    if let Some(k) = &q.kind {
        base.push(format!("kind={k}"));
    }
    if let Some(p) = lq.per_page.as_deref().filter(|p| !p.is_empty()) {
        base.push(format!("per_page={}", urlencode(p)));
    }
    let pager = Pager {
        page: page.page,
        pages: page.pages(),
        total: page.total,
        base: format!("/events?{}", base.join("&")),
    };
    let rows = page
        .items
        .into_iter()
        .map(|e| ListRow {
            kind: label(lang, "events-kind-", &e.kind),
            status: label(lang, "events-status-", &e.status),
            e,
        })
        .collect();
    render(&ListPage {
        ctx: Ctx::new(lang, Some(&me), "/events"),
        rows,
        pager,
        filtered: q.search.is_some() || q.status.is_some() || q.kind.is_some(),
        q: q.search.unwrap_or_default(),
        status: q.status.unwrap_or_default(),
        kind: q.kind.unwrap_or_default(),
        statuses: STATUSES
            .iter()
            .map(|s| (*s, label(lang, "events-status-", s)))
            .collect(),
        kinds: KINDS
            .iter()
            .map(|k| (*k, label(lang, "events-kind-", k)))
            .collect(),
        can_manage: me.can(Permission::AssessmentManage),
        can_analyse: may_analyse(&me),
    })
}

/// Judge analytics compare judges across candidates: managers and readers of all results.
fn may_analyse(me: &Actor) -> bool {
    me.can(Permission::AssessmentManage) || me.scope(Permission::AssessmentResults) == Scope::All
}

// ---------- the event form ----------

/// A scheme's panel component offered on the form.
pub struct SchemeChoice {
    /// `scheme:component`.
    pub value: String,
    pub label: String,
    pub selected: bool,
    /// The scheme's trimming, in words.
    pub policy: String,
}

pub struct RubricChoice {
    pub key: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "events/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    v: EventInput,
    pools: Vec<PoolInput>,
    schemes: Vec<SchemeChoice>,
    rubrics: Vec<RubricChoice>,
    kinds: Vec<(&'static str, &'static str)>,
    /// The chosen scheme's trimming, when one is chosen.
    scheme_policy: Option<String>,
    errors: FormErrors,
}

impl FormPage {
    fn checked(&self, v: &Option<bool>) -> bool {
        v.unwrap_or(true)
    }
}

/// Builds the input from the posted pairs: pools as `pool0_key`, `pool0_quota`, …; a
/// checkbox that is not posted is off.
fn event_input(pairs: &[(String, String)]) -> EventInput {
    let mut v = EventInput {
        exclude_supervisor: Some(false),
        exclude_mentor: Some(false),
        exclude_same_unit: Some(false),
        blind: Some(false),
        ..EventInput::default()
    };
    let mut pools = vec![PoolInput::default(); POOLS_MAX];
    let on = |val: &str| matches!(val, "on" | "true" | "1" | "yes");
    for (k, val) in pairs {
        match k.as_str() {
            "code" => v.code = val.clone(),
            "title" => v.title = val.clone(),
            "kind" => v.kind = val.clone(),
            "held_on" => v.held_on = val.clone(),
            "place" => v.place = val.clone(),
            "scheme" => {
                let (s, c) = val.split_once(':').unwrap_or((val.as_str(), ""));
                v.scheme_key = s.trim().to_string();
                v.component_key = c.trim().to_string();
            }
            "rubric_key" => v.rubric_key = val.clone(),
            "rubric_version" => v.rubric_version = val.clone(),
            "chief" => v.chief = val.clone(),
            "scope" => v.scope = val.clone(),
            "exclude_supervisor" => v.exclude_supervisor = Some(on(val)),
            "exclude_mentor" => v.exclude_mentor = Some(on(val)),
            "exclude_same_unit" => v.exclude_same_unit = Some(on(val)),
            "blind" => v.blind = Some(on(val)),
            "min_marks" => v.min_marks = val.clone(),
            "drop_highest" => v.drop_highest = val.clone(),
            "drop_lowest" => v.drop_lowest = val.clone(),
            "trim" => v.trim = val.clone(),
            "tolerance" => v.tolerance = val.clone(),
            "scenarios" => v.scenarios = val.clone(),
            other => {
                let Some(rest) = other.strip_prefix("pool") else {
                    continue;
                };
                let Some((n, field)) = rest.split_once('_') else {
                    continue;
                };
                let Some(p) = n.parse::<usize>().ok().and_then(|n| pools.get_mut(n)) else {
                    continue;
                };
                match field {
                    "key" => p.key = val.clone(),
                    "name_zh" => p.name_zh = val.clone(),
                    "name_en" => p.name_en = val.clone(),
                    "quota" => p.quota = val.clone(),
                    "members" => p.members = val.clone(),
                    _ => {}
                }
            }
        }
    }
    v.pools = pools;
    v
}

async fn form_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: Option<i64>,
    v: EventInput,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let ll = label_lang(lang);
    let here = match id {
        Some(id) => format!("/events/{id}/edit"),
        None => "/events/new".to_string(),
    };
    let mut scheme_choices = Vec::new();
    let mut scheme_policy = None;
    for s in schemes::list(&state.app, me).await? {
        let scheme = &s.version.scheme;
        let panels: Vec<_> = scheme
            .components()
            .iter()
            .filter(|c| c.panel.is_some())
            .collect();
        for (i, c) in panels.iter().enumerate() {
            let selected = v.scheme_key.trim() == s.version.key
                && (v.component_key.trim() == c.key
                    || (v.component_key.trim().is_empty() && i == 0));
            let policy = c
                .panel
                .as_ref()
                .map(|p| policy_text(lang, p))
                .unwrap_or_default();
            if selected {
                scheme_policy = Some(policy.clone());
            }
            scheme_choices.push(SchemeChoice {
                value: format!("{}:{}", s.version.key, c.key),
                label: format!(
                    "{} · {} ({})",
                    scheme.labels().get(ll),
                    c.labels.get(ll),
                    s.version.key
                ),
                selected,
                policy,
            });
        }
    }
    let rubric_choices = rubrics::list(&state.app, me)
        .await?
        .into_iter()
        .map(|r| RubricChoice {
            selected: v.rubric_key.trim() == r.latest.key,
            label: format!("{} ({})", r.latest.rubric.labels().get(ll), r.latest.key),
            key: r.latest.key,
        })
        .collect();
    let mut pools = v.pools.clone();
    pools.resize(POOLS_MAX.max(pools.len()), PoolInput::default());
    let page = FormPage {
        ctx: Ctx::new(lang, Some(me), &here),
        id,
        v,
        pools,
        schemes: scheme_choices,
        rubrics: rubric_choices,
        kinds: KINDS
            .iter()
            .map(|k| (*k, label(lang, "events-kind-", k)))
            .collect(),
        scheme_policy,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    me.require(Permission::AssessmentManage)?;
    let v = events::defaults(&state.app);
    form_page(
        &state,
        lang,
        &me,
        None,
        v,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    me.require(Permission::AssessmentManage)?;
    let input = event_input(&pairs);
    match events::create(&state.app, &me, &input).await {
        Ok(v) => Ok(Redirect::to(&format!("/events/{}?done=created", v.row.id)).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = FormErrors(form_errors(lang, &e));
            form_page(&state, lang, &me, None, input, errors, refusal_status(&e)).await
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
    me.require(Permission::AssessmentManage)?;
    let view = events::get(&state.app, &me, id).await?;
    let errors = if view.row.status == "planning" {
        FormErrors::none()
    } else {
        // Shown, but saving is refused: say so up front.
        FormErrors(vec![(
            String::new(),
            t(lang, "error-event-not-planning").to_string(),
        )])
    };
    let v = events::input_of(&view);
    form_page(&state, lang, &me, Some(id), v, errors, StatusCode::OK).await
}

pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    me.require(Permission::AssessmentManage)?;
    let input = event_input(&pairs);
    match events::update(&state.app, &me, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}?done=saved")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = FormErrors(form_errors(lang, &e));
            form_page(
                &state,
                lang,
                &me,
                Some(id),
                input,
                errors,
                refusal_status(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the event page ----------

pub struct Member {
    pub no: String,
    pub name: String,
    pub has_account: bool,
}

pub struct PoolView {
    pub key: String,
    pub name: String,
    pub quota: u32,
    pub members: Vec<Member>,
}

pub struct SeatView {
    pub judge_no: String,
    pub judge_name: String,
    pub pool: String,
    pub state: &'static str,
    pub state_key: String,
}

pub struct InputCell {
    pub key: String,
    pub name: String,
    pub value: String,
}

pub struct SubjectView {
    pub id: i64,
    pub position: i32,
    pub label: String,
    pub name: String,
    pub reference: String,
    pub inputs: Vec<InputCell>,
    pub seats: Vec<SeatView>,
}

pub struct ConflictView {
    pub judge_id: i64,
    pub subject_id: i64,
    pub judge: String,
    pub subject: String,
    pub reason: String,
}

pub struct DrawView {
    pub number: i32,
    pub seed: String,
    pub reason: String,
    pub who: String,
    pub when: String,
}

/// What a refused action leaves on the event page.
#[derive(Default)]
struct Leftover {
    errors: Vec<(String, String)>,
    candidates: Option<String>,
    recordings: Option<String>,
    conflict: ConflictForm,
    reason: String,
    inputs: Option<(i64, BTreeMap<String, String>)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ConflictForm {
    #[serde(default)]
    pub judge: String,
    #[serde(default)]
    pub subject_id: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Template)]
#[template(path = "events/show.html")]
struct ShowPage {
    ctx: Ctx,
    v: EventView,
    kind: &'static str,
    status: &'static str,
    scope: &'static str,
    rubric_name: String,
    scheme_name: String,
    policy: String,
    conflict_rules: String,
    pools: Vec<PoolView>,
    subjects: Vec<SubjectView>,
    conflicts: Vec<ConflictView>,
    draws: Vec<DrawView>,
    components: Vec<(String, String)>,
    can_manage: bool,
    can_analyse: bool,
    errors: FormErrors,
    candidates: String,
    recordings: String,
    conflict: ConflictForm,
    reason: String,
    members_without_account: usize,
}

impl ShowPage {
    fn is_planning(&self) -> bool {
        self.v.row.status == "planning"
    }
    fn is_scoring(&self) -> bool {
        self.v.row.status == "scoring"
    }
    fn is_closed(&self) -> bool {
        self.v.row.status == "closed"
    }
    fn is_calibration(&self) -> bool {
        self.v.row.kind == "calibration"
    }
    fn has_draws(&self) -> bool {
        !self.v.draws.is_empty()
    }
    fn any_submitted(&self) -> bool {
        self.v
            .seats
            .iter()
            .any(|s| s.sheet_status.as_deref() == Some("submitted"))
    }
    fn subject_selected(&self, id: &i64) -> bool {
        self.conflict.subject_id.trim() == id.to_string()
    }
}

/// The scheme an event feeds, at the version it was planned with.
async fn scheme_of(state: &AppState, me: &Actor, key: &str, rules: &StoredRules) -> Option<Scheme> {
    let pick = rules
        .scheme_version
        .as_deref()
        .and_then(schemes::Pick::parse)
        .unwrap_or_default();
    schemes::get(&state.app, me, key, pick)
        .await
        .ok()
        .map(|d| d.current.scheme)
}

fn inputs_of(raw: &str) -> BTreeMap<String, Score> {
    serde_json::from_str(raw).unwrap_or_default()
}

async fn show_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    flash: Option<String>,
    left: Leftover,
    status: StatusCode,
) -> Result<Response, WebError> {
    let v = events::get(&state.app, me, id).await?;
    let ll = label_lang(lang);
    let scheme = match v.row.scheme_key.as_deref() {
        Some(key) => scheme_of(state, me, key, &v.rules).await,
        None => None,
    };
    let components: Vec<(String, String)> = scheme
        .as_ref()
        .map(|s| {
            s.components()
                .iter()
                .filter(|c| c.panel.is_none())
                .map(|c| (c.key.clone(), c.labels.get(ll).to_string()))
                .collect()
        })
        .unwrap_or_default();
    let pool_name = |key: &str| {
        v.rules
            .panel
            .pools
            .iter()
            .find(|p| p.key == key)
            .map_or(key.to_string(), |p| p.labels.get(ll).to_string())
    };
    let pools: Vec<PoolView> = v
        .rules
        .panel
        .pools
        .iter()
        .map(|p| PoolView {
            key: p.key.clone(),
            name: p.labels.get(ll).to_string(),
            quota: p.quota,
            members: v
                .pools
                .iter()
                .filter(|m| m.pool == p.key)
                .map(|m| Member {
                    no: m.employee_no.clone(),
                    name: m.name.clone(),
                    has_account: m.user_id.is_some(),
                })
                .collect(),
        })
        .collect();
    let members_without_account = pools
        .iter()
        .flat_map(|p| &p.members)
        .filter(|m| !m.has_account)
        .count();
    let typed_inputs = left.inputs.as_ref();
    let subjects: Vec<SubjectView> = v
        .subjects
        .iter()
        .map(|s| {
            let stored = inputs_of(&s.inputs);
            SubjectView {
                id: s.id,
                position: s.position,
                label: s.employee_no.clone().unwrap_or_else(|| s.label.clone()),
                name: s.name.clone().unwrap_or_default(),
                reference: s
                    .reference
                    .and_then(|r| Score::from_hundredths(u32::try_from(r).ok()?).ok())
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "—".into()),
                inputs: components
                    .iter()
                    .map(|(k, n)| InputCell {
                        key: k.clone(),
                        name: n.clone(),
                        value: match typed_inputs {
                            Some((sid, typed)) if *sid == s.id => {
                                typed.get(k).cloned().unwrap_or_default()
                            }
                            _ => stored.get(k).map(|x| x.to_string()).unwrap_or_default(),
                        },
                    })
                    .collect(),
                seats: v
                    .seats_of(s.id)
                    .map(|seat| {
                        let key = seat.sheet_status.clone().unwrap_or_else(|| "new".into());
                        SeatView {
                            judge_no: seat.judge_no.clone(),
                            judge_name: seat.judge_name.clone(),
                            pool: pool_name(&seat.pool),
                            state: label(lang, "events-sheet-", &key),
                            state_key: key,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let subject_label = |id: i64| {
        v.subjects
            .iter()
            .find(|s| s.id == id)
            .map(|s| match (&s.employee_no, &s.name) {
                (Some(no), Some(name)) => format!("{no} {name}"),
                _ => s.label.clone(),
            })
            .unwrap_or_else(|| id.to_string())
    };
    let conflicts = v
        .conflicts
        .iter()
        .map(|c| ConflictView {
            judge_id: c.judge_id,
            subject_id: c.subject_id,
            judge: format!("{} {}", c.judge_no, c.judge_name),
            subject: subject_label(c.subject_id),
            reason: c.reason.clone(),
        })
        .collect();
    let draws = v
        .draws
        .iter()
        .map(|d| DrawView {
            number: d.number,
            seed: d.seed.clone(),
            reason: d.reason.clone().unwrap_or_else(|| "—".into()),
            who: d.drawn_by_name.clone().unwrap_or_else(|| "—".into()),
            when: when(&d.drawn_at),
        })
        .collect();
    let candidates = left.candidates.unwrap_or_else(|| {
        v.subjects
            .iter()
            .filter_map(|s| s.employee_no.clone())
            .collect::<Vec<_>>()
            .join("\n")
    });
    let recordings = left.recordings.unwrap_or_else(|| {
        v.subjects
            .iter()
            .filter(|s| s.employee_id.is_none())
            .map(|s| {
                match s
                    .reference
                    .and_then(|r| Score::from_hundredths(u32::try_from(r).ok()?).ok())
                {
                    Some(r) => format!("{} | {r}", s.label),
                    None => s.label.clone(),
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    let c = &v.rules.panel.conflicts;
    let mut rules = Vec::new();
    if c.supervisor {
        rules.push(t(lang, "events-conflict-supervisor"));
    }
    if c.mentor {
        rules.push(t(lang, "events-conflict-mentor"));
    }
    if c.same_unit {
        rules.push(t(lang, "events-conflict-same_unit"));
    }
    rules.push(t(lang, "events-conflict-candidate"));
    rules.push(t(lang, "events-conflict-declared"));
    let sep = if lang == Lang::ZhCn { "、" } else { ", " };
    let page = ShowPage {
        ctx: Ctx::new(lang, Some(me), &format!("/events/{id}")).with_flash(flash),
        kind: label(lang, "events-kind-", &v.row.kind),
        status: label(lang, "events-status-", &v.row.status),
        scope: label(lang, "events-scope-", v.rules.panel.scope.code()),
        rubric_name: v.rubric_labels.get(ll).to_string(),
        scheme_name: match (&scheme, &v.row.scheme_key) {
            (Some(s), _) => {
                let comp = v
                    .row
                    .component_key
                    .as_deref()
                    .and_then(|k| s.component(k))
                    .map(|c| c.labels.get(ll).to_string())
                    .unwrap_or_default();
                format!("{} · {comp}", s.labels().get(ll))
            }
            (None, Some(k)) => k.clone(),
            (None, None) => "—".into(),
        },
        policy: policy_text(lang, &v.rules.panel.policy),
        conflict_rules: rules.join(sep),
        pools,
        subjects,
        conflicts,
        draws,
        components,
        can_manage: me.can(Permission::AssessmentManage),
        can_analyse: may_analyse(me) || v.row.chief_user_id == Some(me.user_id),
        errors: FormErrors(left.errors),
        candidates,
        recordings,
        conflict: left.conflict,
        reason: left.reason,
        members_without_account,
        v,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    pub done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let flash = done_message(lang, q.done.as_deref());
    show_page(
        &state,
        lang,
        &me,
        id,
        flash,
        Leftover::default(),
        StatusCode::OK,
    )
    .await
}

/// Back to the event page after an action, or the page again with why it was refused.
async fn after_action<T>(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    result: Result<T, AppError>,
    done: &str,
    mut left: Leftover,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}?done={done}")).into_response()),
        Err(e) if shown_on_page(&e) => {
            left.errors.extend(described(lang, &e));
            show_page(state, lang, me, id, None, left, refusal_status(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn set_subjects(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<SubjectsInput>,
) -> Result<Response, WebError> {
    me.require(Permission::AssessmentManage)?;
    let result = events::set_subjects(&state.app, &me, id, &f).await;
    let left = Leftover {
        candidates: Some(f.candidates),
        recordings: Some(f.recordings),
        ..Leftover::default()
    };
    after_action(&state, lang, &me, id, result, "subjects", left).await
}

pub async fn add_conflict(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<ConflictForm>,
) -> Result<Response, WebError> {
    me.require(Permission::AssessmentManage)?;
    let result = match f.subject_id.trim().parse::<i64>() {
        Ok(subject_id) => {
            let input = ConflictInput {
                judge: f.judge.clone(),
                subject_id,
                reason: f.reason.clone(),
            };
            events::add_conflict(&state.app, &me, id, &input).await
        }
        Err(_) => Err(AppError::field(
            "subject_id",
            skillcert_domain::org::FieldReason::NotFound,
        )),
    };
    let left = Leftover {
        conflict: f,
        ..Leftover::default()
    };
    after_action(&state, lang, &me, id, result, "conflict-added", left).await
}

#[derive(Debug, Default, Deserialize)]
pub struct RemoveConflictForm {
    #[serde(default)]
    pub judge_id: String,
    #[serde(default)]
    pub subject_id: String,
}

pub async fn remove_conflict(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<RemoveConflictForm>,
) -> Result<Response, WebError> {
    me.require(Permission::AssessmentManage)?;
    let (Ok(judge), Ok(subject)) = (
        f.judge_id.trim().parse::<i64>(),
        f.subject_id.trim().parse::<i64>(),
    ) else {
        return Err(WebError::BadRequest("bad-form"));
    };
    let result = events::remove_conflict(&state.app, &me, id, judge, subject).await;
    after_action(
        &state,
        lang,
        &me,
        id,
        result,
        "conflict-removed",
        Leftover::default(),
    )
    .await
}

pub async fn set_inputs(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    me.require(Permission::AssessmentManage)?;
    let mut subject = None;
    let mut values = BTreeMap::new();
    for (k, v) in pairs {
        match k.as_str() {
            "_csrf" => {}
            "subject_id" => subject = v.trim().parse::<i64>().ok(),
            _ => {
                if let Some(key) = k.strip_prefix("c_") {
                    values.insert(key.to_string(), v);
                }
            }
        }
    }
    let view = events::get(&state.app, &me, id).await?;
    let result = match subject.filter(|s| view.subjects.iter().any(|x| x.id == *s)) {
        Some(s) => events::set_inputs(&state.app, &me, s, &values).await,
        None => Err(AppError::field(
            "subject_id",
            skillcert_domain::org::FieldReason::NotFound,
        )),
    };
    let left = Leftover {
        inputs: subject.map(|s| (s, values)),
        ..Leftover::default()
    };
    after_action(&state, lang, &me, id, result, "inputs", left).await
}

pub async fn publish_seed(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::AssessmentManage)?;
    let result = draws::publish_seed(&state.app, &me, id).await;
    after_action(&state, lang, &me, id, result, "seed", Leftover::default()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct DrawForm {
    #[serde(default)]
    pub reason: String,
}

pub async fn run_draw(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<DrawForm>,
) -> Result<Response, WebError> {
    me.require(Permission::AssessmentManage)?;
    let before = events::get(&state.app, &me, id).await?;
    let done = if before.draws.is_empty() {
        "drawn"
    } else {
        "redrawn"
    };
    let result = draws::run(&state.app, &me, id, &f.reason).await;
    let left = Leftover {
        reason: f.reason,
        ..Leftover::default()
    };
    after_action(&state, lang, &me, id, result, done, left).await
}

pub async fn close(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::AssessmentManage)?;
    let result = events::close(&state.app, &me, id).await;
    after_action(&state, lang, &me, id, result, "closed", Leftover::default()).await
}

// ---------- the replay of a draw ----------

pub struct ReplayPool {
    pub name: String,
    pub quota: u32,
    /// `(employee no, name)` in the order the draw works on: by employee id.
    pub members: Vec<(i64, String, String)>,
}

pub struct ReplayExclusion {
    pub judge: String,
    pub subject: String,
    pub reason: &'static str,
}

pub struct ReplayPanel {
    pub subject: String,
    pub recorded: Vec<String>,
    pub replayed: Vec<String>,
    pub same: bool,
}

#[derive(Template)]
#[template(path = "events/replay.html")]
struct ReplayPage {
    ctx: Ctx,
    event_id: i64,
    event_code: String,
    event_title: String,
    number: i32,
    seed: String,
    seed_number: String,
    scope: &'static str,
    pools: Vec<ReplayPool>,
    exclusions: Vec<ReplayExclusion>,
    panels: Vec<ReplayPanel>,
    identical: bool,
    has_input: bool,
}

pub async fn replay(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path((id, number)): Path<(i64, i32)>,
) -> Result<Response, WebError> {
    let v = events::get(&state.app, &me, id).await?;
    let r = draws::replay(&state.app, &me, id, number).await?;
    let ll = label_lang(lang);
    let person = |id: i64| -> (String, String) {
        r.people
            .iter()
            .find(|(p, _, _)| *p == id)
            .map(|(_, no, name)| (no.clone(), name.clone()))
            .unwrap_or_else(|| (id.to_string(), String::new()))
    };
    let who = |id: i64| {
        let (no, name) = person(id);
        format!("{no} {name}")
    };
    let subject_name = |sid: i64| -> String {
        let emp = r
            .input
            .as_ref()
            .and_then(|i| i.subjects.iter().find(|s| s.id == sid))
            .map(|s| s.employee_id);
        match emp {
            Some(e) => who(e),
            None => v
                .subjects
                .iter()
                .find(|s| s.id == sid)
                .map_or(sid.to_string(), |s| s.label.clone()),
        }
    };
    let pool_name = |key: &str| {
        v.rules
            .panel
            .pools
            .iter()
            .find(|p| p.key == key)
            .map_or(key.to_string(), |p| p.labels.get(ll).to_string())
    };
    let pools = r
        .input
        .as_ref()
        .map(|i| {
            i.pools
                .iter()
                .map(|p| {
                    let mut ids: Vec<i64> = p.members.iter().map(|m| m.id).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    ReplayPool {
                        name: format!("{} ({})", pool_name(&p.key), p.key),
                        quota: p.quota,
                        members: ids
                            .into_iter()
                            .map(|id| {
                                let (no, name) = person(id);
                                (id, no, name)
                            })
                            .collect(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let exclusions = r
        .recorded
        .as_ref()
        .map(|o| {
            o.excluded
                .iter()
                .map(|x| ReplayExclusion {
                    judge: who(x.judge),
                    subject: subject_name(x.subject),
                    reason: label(lang, "events-conflict-", x.reason.code()),
                })
                .collect()
        })
        .unwrap_or_default();
    let seats_of = |o: &Option<DrawOutcome>, sid: i64| -> Vec<String> {
        o.as_ref()
            .and_then(|o| o.panels.iter().find(|p| p.subject == sid))
            .map(|p| {
                p.seats
                    .iter()
                    .map(|s| format!("{} · {}", who(s.judge), pool_name(&s.pool)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let subject_ids: Vec<i64> = r
        .recorded
        .as_ref()
        .map(|o| o.panels.iter().map(|p| p.subject).collect())
        .unwrap_or_default();
    let panels = subject_ids
        .into_iter()
        .map(|sid| {
            let recorded = seats_of(&r.recorded, sid);
            let replayed = seats_of(&r.replayed, sid);
            ReplayPanel {
                subject: subject_name(sid),
                same: recorded == replayed,
                recorded,
                replayed,
            }
        })
        .collect();
    let page = ReplayPage {
        ctx: Ctx::new(lang, Some(&me), &format!("/events/{id}/draws/{number}")),
        event_id: id,
        event_code: v.row.code.clone(),
        event_title: v.row.title.clone(),
        number: r.number,
        seed_number: r
            .input
            .as_ref()
            .map(|i| i.seed.to_string())
            .unwrap_or_else(|| "—".into()),
        seed: if r.seed.is_empty() {
            "—".into()
        } else {
            r.seed.clone()
        },
        scope: r
            .input
            .as_ref()
            .map_or(label(lang, "events-scope-", "event"), |i| {
                label(lang, "events-scope-", i.scope.code())
            }),
        has_input: r.input.is_some(),
        identical: r.identical,
        pools,
        exclusions,
        panels,
    };
    render(&page)
}

// ---------- results ----------

pub struct MarkView {
    pub judge: String,
    pub mark: String,
    /// The reason the mark was dropped, in words; empty when kept.
    pub dropped: String,
}

pub struct ItemLine {
    pub name: String,
    pub max: u32,
    /// Per judge in panel order: the mark, struck when dropped.
    pub cells: Vec<(String, bool)>,
    pub mean: String,
    pub spread: String,
}

pub struct Consequence {
    pub label: String,
    pub parts: Vec<String>,
}

pub struct ResultView {
    pub subject_id: i64,
    pub position: i32,
    pub label: String,
    pub name: String,
    pub marks: Vec<MarkView>,
    pub judges: Vec<String>,
    pub items: Vec<ItemLine>,
    pub score: String,
    pub se: String,
    pub range: String,
    pub held: bool,
    pub released: bool,
    pub release_note: String,
    pub waiting: Option<String>,
    pub seats: usize,
    pub sheets: usize,
    pub verdict: Option<bool>,
    pub total: String,
    pub level: String,
    pub step: Option<Consequence>,
    pub explanation: Vec<String>,
    pub problems: Vec<String>,
}

pub struct CorrectionView {
    pub subject: String,
    pub judge: String,
    pub by: String,
    pub reason: String,
    pub when: String,
    pub changes: String,
}

#[derive(Template)]
#[template(path = "events/results.html")]
struct ResultsPage {
    ctx: Ctx,
    id: i64,
    code: String,
    title: String,
    status: &'static str,
    policy: String,
    has_scheme: bool,
    rows: Vec<ResultView>,
    corrections: Vec<CorrectionView>,
    may_arbitrate: bool,
    can_analyse: bool,
    errors: FormErrors,
    note: String,
    note_subject: i64,
}

fn drop_reason(lang: Lang, r: DropReason) -> &'static str {
    t(
        lang,
        match r {
            DropReason::Highest => "events-dropped-highest",
            DropReason::Lowest => "events-dropped-lowest",
        },
    )
}

fn consequence(lang: Lang, step: &skillcert_domain::scheme::Step) -> Consequence {
    let mut parts = Vec::new();
    if step.withhold_pay_percent > 0 {
        let p = step.withhold_pay_percent.to_string();
        parts.push(tf(lang, "schemes-withhold", &[("n", &p)]));
    }
    if step.off_duty_days > 0 {
        let d = step.off_duty_days.to_string();
        parts.push(tf(lang, "schemes-off-duty", &[("n", &d)]));
    }
    if step.probation_extension_months > 0 {
        let m = step.probation_extension_months.to_string();
        parts.push(tf(lang, "schemes-probation", &[("n", &m)]));
    }
    parts.push(
        t(
            lang,
            if step.retake_allowed {
                "schemes-retake-yes"
            } else {
                "schemes-retake-no"
            },
        )
        .to_string(),
    );
    parts.push(t(lang, &format!("schemes-hr-{}", step.hr_procedure.key())).to_string());
    Consequence {
        label: step.labels.get(label_lang(lang)).to_string(),
        parts,
    }
}

fn result_view(
    lang: Lang,
    r: &SubjectResult,
    rubric: Option<&Rubric>,
    scheme: Option<&Scheme>,
) -> ResultView {
    let ll = label_lang(lang);
    let judge_of = |id: i64| {
        r.seats
            .iter()
            .find(|s| s.judge_id == id)
            .map_or(id.to_string(), |s| {
                format!("{} {}", s.judge_no, s.judge_name)
            })
    };
    let c = &r.combined;
    let marks = c
        .marks
        .iter()
        .map(|m| MarkView {
            judge: judge_of(m.judge),
            mark: m.mark.to_string(),
            dropped: m
                .dropped
                .map(|d| drop_reason(lang, d).to_string())
                .unwrap_or_default(),
        })
        .collect();
    let judge_ids: Vec<i64> = c.marks.iter().map(|m| m.judge).collect();
    let items = c
        .items
        .iter()
        .map(|row| {
            let item = rubric.and_then(|rb| rb.item(&row.key));
            ItemLine {
                name: item.map_or(row.key.clone(), |i| i.labels.get(ll).to_string()),
                max: item.map_or(0, |i| i.max),
                cells: judge_ids
                    .iter()
                    .map(|j| {
                        let mark = row
                            .marks
                            .iter()
                            .find(|(id, _)| id == j)
                            .map(|(_, p)| match p {
                                Some(p) => p.to_string(),
                                None => t(lang, "events-na").to_string(),
                            })
                            .unwrap_or_else(|| "—".into());
                        let dropped = row.dropped.iter().any(|(id, _)| id == j);
                        (mark, dropped)
                    })
                    .collect(),
                mean: row
                    .mean
                    .and_then(|m| Score::from_hundredths(m).ok())
                    .map_or("—".into(), |s| s.to_string()),
                spread: row.spread.map_or("—".into(), |s| s.to_string()),
            }
        })
        .collect();
    let waiting = c.insufficient.then(|| {
        let n = (c.min_sheets as usize).saturating_sub(c.sheets).max(1);
        tf(lang, "events-waiting", &[("n", &n.to_string())])
    });
    let (verdict, total, level, step, explanation, mut problems) = match (&r.evaluation, scheme) {
        (Some(e), Some(s)) => {
            let level = e
                .level()
                .and_then(|k| s.bands().iter().find(|b| b.key == k))
                .map(|b| b.labels.get(ll).to_string())
                .unwrap_or_else(|| "—".into());
            let step = e.consequence().map(|st| consequence(lang, st));
            let mut problems = Vec::new();
            if let skillcert_domain::scheme::Status::Incomplete { missing } = &e.status {
                let names: Vec<String> = missing
                    .iter()
                    .map(|k| {
                        s.component(k)
                            .map_or(k.clone(), |c| c.labels.get(ll).to_string())
                    })
                    .collect();
                problems.push(tf(
                    lang,
                    "events-missing-components",
                    &[("names", &names.join(", "))],
                ));
            }
            (
                e.passed(),
                score_text(e.total()),
                level,
                step,
                e.explain(s, ll),
                problems,
            )
        }
        _ => (None, "—".into(), "—".into(), None, Vec::new(), Vec::new()),
    };
    for code in &r.evaluation_errors {
        problems.push(t(lang, &format!("input-error-{code}")).to_string());
    }
    ResultView {
        subject_id: r.subject.id,
        position: r.subject.position,
        label: r
            .subject
            .employee_no
            .clone()
            .unwrap_or_else(|| r.subject.label.clone()),
        name: r.subject.name.clone().unwrap_or_default(),
        marks,
        judges: judge_ids.iter().map(|j| judge_of(*j)).collect(),
        items,
        score: score_text(c.score),
        se: score_text(c.standard_error),
        range: score_text(c.range),
        held: c.held && !r.released,
        released: r.released,
        release_note: r.subject.release_note.clone().unwrap_or_default(),
        waiting,
        seats: r.seats.len(),
        sheets: c.sheets,
        verdict,
        total,
        level,
        step,
        explanation,
        problems,
    }
}

fn mark_changes(lang: Lang, rubric: Option<&Rubric>, before: &str, after: &str) -> String {
    let (Ok(b), Ok(a)) = (
        serde_json::from_str::<SheetMarks>(before),
        serde_json::from_str::<SheetMarks>(after),
    ) else {
        return String::new();
    };
    let text = |m: Option<&ItemMark>| match m {
        Some(ItemMark::Points(p)) => p.to_string(),
        Some(ItemMark::NotApplicable) => t(lang, "events-na").to_string(),
        None => "—".into(),
    };
    let mut keys: Vec<&String> = b.items.keys().chain(a.items.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| b.items.get(*k) != a.items.get(*k))
        .map(|k| {
            let name = rubric
                .and_then(|r| r.item(k))
                .map_or(k.clone(), |i| i.labels.get(label_lang(lang)).to_string());
            format!(
                "{name}: {} → {}",
                text(b.items.get(k)),
                text(a.items.get(k))
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[derive(Debug, Default, Deserialize)]
pub struct ReleaseForm {
    #[serde(default)]
    pub subject_id: String,
    #[serde(default)]
    pub note: String,
}

async fn results_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    flash: Option<String>,
    left: (Vec<(String, String)>, ReleaseForm),
    status: StatusCode,
) -> Result<Response, WebError> {
    let res: EventResults = results_service::results(&state.app, me, id).await?;
    let rubric = Rubric::parse_toml(&res.event.rubric).ok();
    let rows = res
        .rows
        .iter()
        .map(|r| result_view(lang, r, rubric.as_ref(), res.scheme.as_ref()))
        .collect();
    let subject_label = |sid: i64| {
        res.rows.iter().find(|r| r.subject.id == sid).map(|r| {
            format!(
                "{} {}",
                r.subject
                    .employee_no
                    .clone()
                    .unwrap_or(r.subject.label.clone()),
                r.subject.name.clone().unwrap_or_default()
            )
        })
    };
    let judge_label = |sid: i64, jid: i64| {
        res.rows
            .iter()
            .find(|r| r.subject.id == sid)
            .and_then(|r| r.seats.iter().find(|s| s.judge_id == jid))
            .map_or(jid.to_string(), |s| {
                format!("{} {}", s.judge_no, s.judge_name)
            })
    };
    let corrections = res
        .corrections
        .iter()
        // Corrections of candidates outside the reader's scope stay hidden.
        .filter_map(|c| {
            Some(CorrectionView {
                subject: subject_label(c.subject_id)?,
                judge: judge_label(c.subject_id, c.judge_id),
                by: c.corrector.clone().unwrap_or_else(|| "—".into()),
                reason: c.reason.clone(),
                when: when(&c.corrected_at),
                changes: mark_changes(lang, rubric.as_ref(), &c.before_marks, &c.after_marks),
            })
        })
        .collect();
    let may_arbitrate =
        me.can(Permission::AssessmentManage) || res.event.chief_user_id == Some(me.user_id);
    let (errors, form) = left;
    let page = ResultsPage {
        ctx: Ctx::new(lang, Some(me), &format!("/events/{id}/results")).with_flash(flash),
        id,
        code: res.event.code.clone(),
        title: res.event.title.clone(),
        status: label(lang, "events-status-", &res.event.status),
        policy: policy_text(lang, &res.rules.panel.policy),
        has_scheme: res.scheme.is_some(),
        rows,
        corrections,
        may_arbitrate,
        can_analyse: may_analyse(me) || res.event.chief_user_id == Some(me.user_id),
        errors: FormErrors(errors),
        note_subject: form.subject_id.trim().parse().unwrap_or(0),
        note: form.note,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn results(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let flash = done_message(lang, q.done.as_deref());
    results_page(
        &state,
        lang,
        &me,
        id,
        flash,
        (Vec::new(), ReleaseForm::default()),
        StatusCode::OK,
    )
    .await
}

pub async fn release(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<ReleaseForm>,
) -> Result<Response, WebError> {
    let v = events::get(&state.app, &me, id).await?;
    if !(me.can(Permission::AssessmentManage) || v.row.chief_user_id == Some(me.user_id)) {
        return Err(AppError::Forbidden.into());
    }
    let subject = f
        .subject_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|s| v.subjects.iter().any(|x| x.id == *s));
    let result = match subject {
        Some(s) => results_service::release(&state.app, &me, s, &f.note).await,
        None => Err(AppError::field(
            "subject_id",
            skillcert_domain::org::FieldReason::NotFound,
        )),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/events/{id}/results?done=released")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = described(lang, &e);
            let status = refusal_status(&e);
            results_page(&state, lang, &me, id, None, (errors, f), status).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn results_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let res = results_service::results(&state.app, &me, id).await?;
    let rubric = Rubric::parse_toml(&res.event.rubric).ok();
    let headers: Vec<&str> = [
        "events-col-position",
        "events-col-candidate",
        "events-col-name",
        "events-col-sheets",
        "events-col-marks",
        "events-col-dropped",
        "events-col-score",
        "events-col-se",
        "events-col-range",
        "events-col-held",
        "events-col-total",
        "events-col-verdict",
        "events-col-level",
        "events-col-step",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let text = |s: String| {
        if s == "—" || s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    };
    let num = |s: Option<Score>| s.map_or(Cell::Empty, |s| Cell::Number(score_f64(s)));
    let cells: Vec<Vec<Cell>> = res
        .rows
        .iter()
        .map(|r| {
            let v = result_view(lang, r, rubric.as_ref(), res.scheme.as_ref());
            let c = &r.combined;
            vec![
                Cell::Number(f64::from(v.position)),
                Cell::Text(v.label.clone()),
                text(v.name.clone()),
                Cell::Number(c.sheets as f64),
                text(
                    v.marks
                        .iter()
                        .map(|m| format!("{} {}", m.judge, m.mark))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                text(
                    v.marks
                        .iter()
                        .filter(|m| !m.dropped.is_empty())
                        .map(|m| format!("{} {} ({})", m.judge, m.mark, m.dropped))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                num(c.score),
                num(c.standard_error),
                num(c.range),
                Cell::Text(t(lang, if v.held { "events-yes" } else { "events-no" }).to_string()),
                num(r.evaluation.as_ref().and_then(|e| e.total())),
                match v.verdict {
                    Some(true) => Cell::Text(t(lang, "events-passed").to_string()),
                    Some(false) => Cell::Text(t(lang, "events-failed").to_string()),
                    None => Cell::Empty,
                },
                text(v.level.clone()),
                v.step.as_ref().map_or(Cell::Empty, |s| {
                    Cell::Text(format!("{}: {}", s.label, s.parts.join("; ")))
                }),
            ]
        })
        .collect();
    let bytes = skillcert_reports::write_xlsx(t(lang, "events-results-sheet"), &headers, &cells)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("event results xlsx: {e}")))?;
    Ok(download::attachment(
        bytes,
        crate::api::org::XLSX_MIME,
        &download::file_name(&res.event.code, "results.xlsx"),
    ))
}

// ---------- analytics of an event ----------

pub struct JudgeLine {
    pub judge: String,
    pub n: usize,
    pub leniency: String,
    pub dropped: String,
    pub mad: String,
    pub from_reference: String,
    pub abs_from_reference: String,
}

pub struct ItemDisagreementLine {
    pub name: String,
    pub max: u32,
    pub subjects: usize,
    pub mean_sd: String,
    pub max_range: String,
}

pub struct CalibrationLine {
    pub label: String,
    pub reference: String,
    pub panel_mean: String,
    /// Per judge (in the judges table's order): total and deviation from the reference.
    pub cells: Vec<(String, String)>,
}

pub struct Figure {
    pub value: String,
    pub band: String,
    pub meaning: String,
}

#[derive(Template)]
#[template(path = "events/analytics.html")]
struct AnalyticsPage {
    ctx: Ctx,
    id: i64,
    code: String,
    title: String,
    calibration: bool,
    subjects: usize,
    few: bool,
    icc1: Figure,
    icck: Figure,
    alpha: Figure,
    judges: Vec<JudgeLine>,
    items: Vec<ItemDisagreementLine>,
    cal_judges: Vec<String>,
    cal_rows: Vec<CalibrationLine>,
}

fn icc_figure(lang: Lang, v: Option<f64>, meaning: String) -> Figure {
    Figure {
        value: fixed(v, 3),
        band: v
            .filter(|v| v.is_finite())
            .map(|v| label(lang, "events-band-", icc_band(v).key()).to_string())
            .unwrap_or_default(),
        meaning,
    }
}

fn alpha_band(v: f64) -> &'static str {
    if v >= 0.8 {
        "reliable"
    } else if v >= 0.667 {
        "tentative"
    } else {
        "unreliable"
    }
}

pub async fn analytics_page(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let a: EventAnalytics = analytics::event(&state.app, &me, id).await?;
    let ll = label_lang(lang);
    let k = a
        .icc
        .map(|i| fixed(Some(i.k), 1))
        .unwrap_or_else(|| "—".into());
    let icc1 = icc_figure(
        lang,
        a.icc.map(|i| i.icc1),
        t(lang, "events-icc1-means").to_string(),
    );
    let icck = icc_figure(
        lang,
        a.icc.map(|i| i.icck),
        tf(lang, "events-icck-means", &[("k", &k)]),
    );
    let alpha = Figure {
        value: fixed(a.alpha_interval, 3),
        band: a
            .alpha_interval
            .filter(|v| v.is_finite())
            .map(|v| label(lang, "events-alpha-", alpha_band(v)).to_string())
            .unwrap_or_default(),
        meaning: t(lang, "events-alpha-means").to_string(),
    };
    let judges: Vec<JudgeLine> = a
        .judges
        .iter()
        .map(|j| JudgeLine {
            judge: format!("{} {}", j.judge_no, j.judge_name),
            n: j.stat.n,
            leniency: signed(j.stat.leniency),
            dropped: percent(j.stat.dropped_share),
            mad: fixed(j.stat.mean_abs_deviation, 2),
            from_reference: signed(j.from_reference),
            abs_from_reference: fixed(j.abs_from_reference, 2),
        })
        .collect();
    let items = a
        .items
        .iter()
        .map(|i| ItemDisagreementLine {
            name: i.labels.get(ll).to_string(),
            max: i.max,
            subjects: i.disagreement.subjects,
            mean_sd: fixed(i.disagreement.mean_sd, 2),
            max_range: if i.disagreement.subjects == 0 {
                "—".into()
            } else {
                fixed(Some(i.disagreement.max_range), 0)
            },
        })
        .collect();
    let cal_rows = a
        .calibration
        .iter()
        .map(|row| CalibrationLine {
            label: row.label.clone(),
            reference: score_text(row.reference),
            panel_mean: fixed(row.panel_mean, 2),
            cells: a
                .judges
                .iter()
                .map(
                    |j| match row.totals.iter().find(|(id, _)| *id == j.judge_id) {
                        Some((_, total)) => (
                            total.to_string(),
                            row.reference
                                .map(|r| signed(Some(score_f64(*total) - score_f64(r))))
                                .unwrap_or_else(|| "—".into()),
                        ),
                        None => ("—".into(), "—".into()),
                    },
                )
                .collect(),
        })
        .collect();
    let page = AnalyticsPage {
        ctx: Ctx::new(lang, Some(&me), &format!("/events/{id}/analytics")),
        id,
        code: a.event.code.clone(),
        title: a.event.title.clone(),
        calibration: a.event.kind == "calibration",
        subjects: a.subjects,
        few: a.subjects < 5,
        icc1,
        icck,
        alpha,
        cal_judges: judges.iter().map(|j| j.judge.clone()).collect(),
        judges,
        items,
        cal_rows,
    };
    render(&page)
}

// ---------- judges over time ----------

#[derive(Debug, Default, Deserialize)]
pub struct TrendQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

pub struct TrendEvent {
    pub event_id: i64,
    pub code: String,
    pub held_on: String,
    pub n: usize,
    pub leniency: String,
    pub dropped: String,
}

pub struct TrendLine {
    pub judge: String,
    pub n: usize,
    pub leniency: String,
    pub dropped: String,
    pub mad: String,
    pub events: Vec<TrendEvent>,
}

#[derive(Template)]
#[template(path = "events/judges.html")]
struct TrendsPage {
    ctx: Ctx,
    from: String,
    to: String,
    events: usize,
    judges: Vec<TrendLine>,
    errors: FormErrors,
}

fn parse_date(raw: Option<&str>) -> Result<Option<NaiveDate>, ()> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ()),
    }
}

pub async fn judge_trends(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<TrendQuery>,
) -> Result<Response, WebError> {
    if !may_analyse(&me) {
        return Err(AppError::Forbidden.into());
    }
    let today = state.app.today();
    let mut errors = Vec::new();
    let to = parse_date(q.to.as_deref()).unwrap_or_else(|_| {
        errors.push((
            "to".to_string(),
            crate::error::field_message(lang, "bad-date", None),
        ));
        None
    });
    let from = parse_date(q.from.as_deref()).unwrap_or_else(|_| {
        errors.push((
            "from".to_string(),
            crate::error::field_message(lang, "bad-date", None),
        ));
        None
    });
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to - Duration::days(365));
    let trends: Option<Trends> = if errors.is_empty() {
        match analytics::over_time(&state.app, &me, from, to).await {
            Ok(t) => Some(t),
            Err(e) if shown_on_page(&e) => {
                errors.extend(form_errors(lang, &e));
                None
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (events, judges) = match trends {
        Some(tr) => (
            tr.events,
            tr.judges
                .into_iter()
                .map(|j| TrendLine {
                    judge: format!("{} {}", j.judge_no, j.judge_name),
                    n: j.overall.n,
                    leniency: signed(j.overall.leniency),
                    dropped: percent(j.overall.dropped_share),
                    mad: fixed(j.overall.mean_abs_deviation, 2),
                    events: j
                        .events
                        .into_iter()
                        .map(|e| TrendEvent {
                            event_id: e.event_id,
                            code: e.code,
                            held_on: e.held_on.format("%Y-%m-%d").to_string(),
                            n: e.stat.n,
                            leniency: signed(e.stat.leniency),
                            dropped: percent(e.stat.dropped_share),
                        })
                        .collect(),
                })
                .collect(),
        ),
        None => (0, Vec::new()),
    };
    let page = TrendsPage {
        ctx: Ctx::new(lang, Some(&me), "/judges/analytics"),
        from: q
            .from
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| from.format("%Y-%m-%d").to_string()),
        to: q
            .to
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| to.format("%Y-%m-%d").to_string()),
        events,
        judges,
        errors: FormErrors(errors),
    };
    Ok((status, render(&page)?).into_response())
}
