//! Training hours (issue 7 items 7–8): the ledger, external training with proof and its
//! approval, the compliance page with reminders, and the compliance rules.
//!
//! - `/my-training/hours`: the signed-in employee's ledger and yearly total against the
//!   rules' minimum, their external trainings, and the form to record one with its proof;
//! - `/external-trainings`: the training manager's queue (status filter, employee number,
//!   pages) with approve / reject; `/external-trainings/{id}/proof` shows the proof;
//! - `/compliance`: who and which department falls short in a year, the company's advanced
//!   topics, the XLSX export and "send reminders";
//! - `/compliance/rules`: the rules in force (S2 by default) and their TOML, saved as a new
//!   version.

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use skillcert_app::store::training_records::ExternalRow;
use skillcert_app::training::compliance::{self, CompliancePage, ComplianceQuery, RulesView};
use skillcert_app::training::hours::{self, ExternalFilter, ExternalInput, Ledger, Proof};
use skillcert_app::{Actor, AppError, Page};
use skillcert_domain::access::Permission;
use skillcert_domain::training::compliance::NewHireOutcome;
use skillcert_reports::Cell;
use skillcert_reports::compliance_report::{Sheet, compliance_xlsx};

use super::download::{attachment, inline};
use super::{Ctx, FormErrors, Pager, WebForm, render};
use crate::error::{WebError, form_errors, urlencode};
use crate::i18n::{Lang, t, tf};
use crate::session::Me;
use crate::state::AppState;
use crate::upload;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/my-training/hours", get(my_hours))
        .route("/my-training/hours/external", post(record_external))
        .route("/external-trainings", get(queue))
        .route("/external-trainings/{id}/proof", get(proof))
        .route("/external-trainings/{id}/decide", post(decide))
        .route("/compliance", get(compliance_page))
        .route("/compliance.xlsx", get(compliance_export))
        .route("/compliance/remind", post(remind))
        .route("/compliance/rules", get(rules_page).post(save_rules))
}

/// Flash messages after a finished action (`?done=…`).
const DONE: [&str; 5] = ["recorded", "approved", "rejected", "reminded", "saved"];
/// Training levels as stored.
const LEVELS: [&str; 3] = ["basic", "advanced", "other"];
/// New-hire outcomes, shown in words.
const OUTCOMES: [&str; 4] = [
    "completed_before_duty",
    "on_duty_without_basic",
    "ready_for_duty",
    "in_training",
];
/// Fields of the external-training form that show their own errors.
const EXTERNAL_FIELDS: [&str; 6] = ["title", "provider", "held_on", "hours", "level", "proof"];

/// Every message key these pages build at run time, for the completeness test.
pub fn dynamic_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for d in DONE {
        keys.push(format!("training-hours-done-{d}"));
    }
    for l in LEVELS {
        keys.push(format!("training-hours-level-{l}"));
    }
    for s in hours::STATUSES {
        keys.push(format!("training-hours-status-{s}"));
    }
    for o in OUTCOMES {
        keys.push(format!("training-hours-outcome-{o}"));
    }
    keys
}

/// Minutes as hours with at most two decimals: 480 → "8", 90 → "1.5", 50 → "0.83".
pub fn hours_text(minutes: i64) -> String {
    let hundredths = (minutes * 100 + 30) / 60;
    let whole = hundredths / 100;
    let frac = hundredths % 100;
    if frac == 0 {
        whole.to_string()
    } else if frac % 10 == 0 {
        format!("{whole}.{}", frac / 10)
    } else {
        format!("{whole}.{frac:02}")
    }
}

fn u64_hours(m: u64) -> String {
    hours_text(i64::try_from(m).unwrap_or(i64::MAX / 100))
}

fn flash(lang: Lang, done: Option<&str>, n: Option<&str>) -> Option<String> {
    let d = done.filter(|d| DONE.contains(d))?;
    Some(tf(
        lang,
        &format!("training-hours-done-{d}"),
        &[("n", n.unwrap_or("0"))],
    ))
}

fn level_label(lang: Lang, level: &str) -> &'static str {
    if LEVELS.contains(&level) {
        t(lang, &format!("training-hours-level-{level}"))
    } else {
        t(lang, "training-hours-level-other")
    }
}

fn status_label(lang: Lang, status: &str) -> &'static str {
    if hours::STATUSES.contains(&status) {
        t(lang, &format!("training-hours-status-{status}"))
    } else {
        t(lang, "training-hours-status-pending")
    }
}

fn parse_year(raw: &Option<String>) -> Result<Option<i32>, AppError> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse::<i32>().map(Some).map_err(|_| year_refused()),
    }
}

fn year_refused() -> AppError {
    AppError::Rejected(vec![skillcert_app::Problem::new(
        "year",
        "compliance-year-out-of-range",
    )])
}

// ---------- the employee's ledger ----------

/// One ledger line as shown.
pub struct EntryLine {
    pub held_on: String,
    pub what: String,
    pub level: &'static str,
    pub hours: String,
}

/// One external training as shown.
pub struct ExternalLine {
    pub x: ExternalRow,
    pub hours: String,
    pub level: &'static str,
    pub status: &'static str,
}

fn external_line(lang: Lang, x: ExternalRow) -> ExternalLine {
    ExternalLine {
        hours: hours_text(i64::from(x.minutes)),
        level: level_label(lang, &x.level),
        status: status_label(lang, &x.status),
        x,
    }
}

#[derive(Template)]
#[template(path = "training_hours/mine.html")]
struct MinePage {
    ctx: Ctx,
    year: i32,
    prev_year: i32,
    next_year: i32,
    is_employee: bool,
    entries: Vec<EntryLine>,
    total: String,
    required: String,
    short: String,
    met: bool,
    externals: Vec<ExternalLine>,
    v: ExternalInput,
    levels: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    general: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MineQuery {
    pub year: Option<String>,
    pub done: Option<String>,
    pub n: Option<String>,
}

async fn mine_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    year: Option<i32>,
    v: ExternalInput,
    errors: FormErrors,
    flash_text: Option<String>,
) -> Result<Response, WebError> {
    let ledger: Ledger = hours::my_ledger(&state.app, me, year).await?;
    let entries = ledger
        .entries
        .iter()
        .map(|e| EntryLine {
            held_on: e.held_on.to_string(),
            what: if e.external_id.is_some() {
                tf(
                    lang,
                    "training-hours-entry-external",
                    &[("topic", &e.topic)],
                )
            } else {
                e.topic.clone()
            },
            level: level_label(lang, &e.level),
            hours: hours_text(i64::from(e.minutes)),
        })
        .collect();
    let required = i64::from(ledger.required_minutes);
    let general = errors
        .general(&EXTERNAL_FIELDS)
        .into_iter()
        .map(str::to_string)
        .collect();
    render(&MinePage {
        ctx: Ctx::new(
            lang,
            Some(me),
            &format!("/my-training/hours?year={}", ledger.year),
        )
        .with_flash(flash_text),
        year: ledger.year,
        prev_year: ledger.year - 1,
        next_year: ledger.year + 1,
        is_employee: ledger.employee_id.is_some(),
        entries,
        total: hours_text(ledger.total_minutes),
        required: hours_text(required),
        short: hours_text((required - ledger.total_minutes).max(0)),
        met: ledger.total_minutes >= required,
        externals: ledger
            .external
            .into_iter()
            .map(|x| external_line(lang, x))
            .collect(),
        v,
        levels: LEVELS.iter().map(|l| (*l, level_label(lang, l))).collect(),
        errors,
        general,
    })
}

pub async fn my_hours(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<MineQuery>,
) -> Result<Response, WebError> {
    let year = parse_year(&q.year)?;
    let v = ExternalInput {
        level: "other".into(),
        ..ExternalInput::default()
    };
    let f = flash(lang, q.done.as_deref(), q.n.as_deref());
    mine_page(&state, lang, &me, year, v, FormErrors::none(), f).await
}

/// `POST /my-training/hours/external` (multipart, `_csrf` in the query): the fields of
/// [`ExternalInput`] and the proof as `file`.
pub async fn record_external(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let mut form = upload::read(mp).await?;
    let field = |k: &str| form.field(k).unwrap_or_default().to_string();
    let v = ExternalInput {
        title: field("title"),
        provider: field("provider"),
        held_on: field("held_on"),
        hours: field("hours"),
        level: field("level"),
    };
    let proof = form
        .take_file()
        .map(|(filename, bytes)| Proof { filename, bytes });
    match hours::record_external(&state.app, &me, &v, proof.as_ref()).await {
        Ok(_) => Ok(Redirect::to("/my-training/hours?done=recorded").into_response()),
        Err(e) if super::shown_on_page(&e) => {
            let errors = FormErrors(form_errors(lang, &e));
            let page = mine_page(&state, lang, &me, None, v, errors, None).await?;
            Ok((super::refusal_status(&e), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the training manager's queue ----------

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    pub status: Option<String>,
    pub employee_no: Option<String>,
    pub page: Option<String>,
    pub done: Option<String>,
}

pub struct StatusChip {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "training_hours/queue.html")]
struct QueuePage {
    ctx: Ctx,
    rows: Vec<ExternalLine>,
    chips: Vec<StatusChip>,
    status: String,
    employee_no: String,
    pager: Pager,
    filtered: bool,
    error: Option<String>,
}

async fn queue_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    q: &QueueQuery,
    error: Option<String>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let status = q
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| hours::STATUSES.contains(s))
        .unwrap_or_default()
        .to_string();
    let employee_no = q.employee_no.clone().unwrap_or_default().trim().to_string();
    let page_no = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let page: Page<ExternalRow> = hours::list_external(
        &state.app,
        me,
        &ExternalFilter {
            status: status.clone(),
            employee_no: employee_no.clone(),
            page: page_no,
            per_page: 50,
        },
    )
    .await?;
    let no_part = if employee_no.is_empty() {
        String::new()
    } else {
        format!("&employee_no={}", urlencode(&employee_no))
    };
    let mut chips = vec![StatusChip {
        href: format!("/external-trainings?status={no_part}"),
        label: t(lang, "training-hours-all"),
        active: status.is_empty(),
    }];
    for s in hours::STATUSES {
        chips.push(StatusChip {
            href: format!("/external-trainings?status={s}{no_part}"),
            label: status_label(lang, s),
            active: status == s,
        });
    }
    let pager = Pager {
        page: page.page,
        pages: page.pages(),
        total: page.total,
        base: format!("/external-trainings?status={status}{no_part}"),
    };
    let f = flash(lang, q.done.as_deref(), None);
    render(&QueuePage {
        ctx: Ctx::new(lang, Some(me), "/external-trainings").with_flash(f),
        rows: page
            .items
            .into_iter()
            .map(|x| external_line(lang, x))
            .collect(),
        chips,
        filtered: !status.is_empty() || !employee_no.is_empty(),
        status,
        employee_no,
        pager,
        error,
    })
}

pub async fn queue(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    queue_page(&state, lang, &me, &q, None).await
}

pub async fn proof(
    State(state): State<AppState>,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (name, content_type, bytes) = hours::proof(&state.app, &me, id).await?;
    Ok(inline(bytes, &content_type, &name))
}

#[derive(Debug, Default, Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub status: String,
}

/// Approve or reject; a second decision shows the queue again with the reason.
pub async fn decide(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<DecideForm>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let approve = match f.decision.as_str() {
        "approve" => Ok(true),
        "reject" => Ok(false),
        _ => Err(AppError::Rejected(vec![skillcert_app::Problem::new(
            "decision",
            "external-decision",
        )])),
    };
    let result = match approve {
        Ok(a) => hours::decide_external(&state.app, &me, id, a, &f.note)
            .await
            .map(|_| a),
        Err(e) => Err(e),
    };
    match result {
        Ok(a) => {
            let done = if a { "approved" } else { "rejected" };
            Ok(Redirect::to(&format!(
                "/external-trainings?status={}&done={done}",
                urlencode(&f.status)
            ))
            .into_response())
        }
        Err(e) if super::shown_on_page(&e) => {
            let message = form_errors(lang, &e)
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join(" ");
            let q = QueueQuery {
                status: Some(f.status.clone()),
                ..QueueQuery::default()
            };
            let page = queue_page(&state, lang, &me, &q, Some(message)).await?;
            Ok((super::refusal_status(&e), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- compliance ----------

#[derive(Debug, Default, Deserialize)]
pub struct ComplianceParams {
    pub year: Option<String>,
    pub department: Option<String>,
    pub page: Option<String>,
    pub done: Option<String>,
    pub n: Option<String>,
}

impl ComplianceParams {
    fn query(&self, per_page: i64) -> Result<ComplianceQuery, AppError> {
        Ok(ComplianceQuery {
            year: parse_year(&self.year)?,
            department_id: super::opt_id(&self.department),
            page: self
                .page
                .as_deref()
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or(1),
            per_page,
        })
    }
}

pub struct PersonView {
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub done: String,
    pub required: String,
    pub short: String,
    pub hours_short: bool,
    pub new_hire: Option<String>,
    pub basic: String,
}

pub struct DeptOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

pub struct DepartmentView {
    pub id: i64,
    pub name: String,
    pub headcount: u64,
    pub compliant: u64,
    pub short: u64,
    pub rate: String,
    pub average: String,
    pub new_hires_short: u64,
}

#[derive(Template)]
#[template(path = "training_hours/compliance.html")]
struct ComplianceT {
    ctx: Ctx,
    p: CompliancePage,
    options: Vec<DeptOption>,
    people: Vec<PersonView>,
    departments: Vec<DepartmentView>,
    topics: Vec<String>,
    company_rate: String,
    company_average: String,
    required: String,
    pager: Pager,
    export: String,
    can_manage: bool,
    error: Option<String>,
}

fn outcome_key(o: NewHireOutcome) -> &'static str {
    match o {
        NewHireOutcome::CompletedBeforeDuty => "completed_before_duty",
        NewHireOutcome::OnDutyWithoutBasic => "on_duty_without_basic",
        NewHireOutcome::ReadyForDuty => "ready_for_duty",
        NewHireOutcome::InTraining => "in_training",
    }
}

/// A share in basis points as a percentage with one decimal.
fn rate_text(bp: u32) -> String {
    format!("{}.{}%", bp / 100, (bp % 100) / 10)
}

fn person_view(lang: Lang, p: &skillcert_app::training::compliance::PersonLine) -> PersonView {
    PersonView {
        employee_no: p.employee_no.clone(),
        name: p.name.clone(),
        department: p.department.clone(),
        done: u64_hours(p.credited_minutes),
        required: hours_text(i64::from(p.required_minutes)),
        short: u64_hours(p.shortfall_minutes),
        hours_short: p.hours_short,
        new_hire: p.new_hire.map(|n| {
            t(
                lang,
                &format!("training-hours-outcome-{}", outcome_key(n.outcome)),
            )
            .to_string()
        }),
        basic: p.new_hire.map_or_else(String::new, |n| {
            format!(
                "{} / {}",
                u64_hours(n.basic_minutes),
                hours_text(i64::from(n.required_minutes))
            )
        }),
    }
}

async fn compliance_view(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    params: &ComplianceParams,
    error: Option<String>,
) -> Result<Response, WebError> {
    let p = compliance::page(&state.app, me, &params.query(compliance::PER_PAGE)?).await?;
    let dept = p
        .department_id
        .map(|d| format!("&department={d}"))
        .unwrap_or_default();
    let people = p
        .people
        .items
        .iter()
        .map(|x| person_view(lang, x))
        .collect();
    let departments = p
        .departments
        .iter()
        .map(|d| DepartmentView {
            id: d.department_id,
            name: d.department.clone(),
            headcount: d.headcount,
            compliant: d.compliant,
            short: d.short,
            rate: rate_text(d.compliant_share_bp),
            average: u64_hours(d.average_minutes),
            new_hires_short: d.new_hires_short,
        })
        .collect();
    let topics = p
        .company
        .advanced_topics
        .iter()
        .map(|t| match t {
            skillcert_domain::training::compliance::AdvancedTopic::Topic(s) => s.clone(),
            skillcert_domain::training::compliance::AdvancedTopic::Session(id) => {
                format!("#{id}")
            }
        })
        .collect();
    let pager = Pager {
        page: p.people.page,
        pages: p.people.pages(),
        total: p.people.total,
        base: format!("/compliance?year={}{dept}", p.year),
    };
    let f = flash(lang, params.done.as_deref(), params.n.as_deref());
    let options = p
        .department_choices
        .iter()
        .map(|(id, name)| DeptOption {
            id: *id,
            name: name.clone(),
            selected: p.department_id == Some(*id),
        })
        .collect();
    render(&ComplianceT {
        options,
        ctx: Ctx::new(
            lang,
            Some(me),
            &format!("/compliance?year={}{dept}", p.year),
        )
        .with_flash(f),
        people,
        departments,
        topics,
        company_rate: rate_text(p.company.compliant_share_bp),
        company_average: u64_hours(p.company.average_minutes),
        required: hours_text(i64::from(p.rules.min_minutes_per_year())),
        pager,
        export: format!("/compliance.xlsx?year={}{dept}", p.year),
        can_manage: me.can(Permission::TrainingManage),
        error,
        p,
    })
}

pub async fn compliance_page(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<ComplianceParams>,
) -> Result<Response, WebError> {
    compliance_view(&state, lang, &me, &q, None).await
}

/// `/compliance.xlsx`: everyone short (not just a page), the departments and the company.
pub async fn compliance_export(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<ComplianceParams>,
) -> Result<Response, WebError> {
    let p = compliance::page(&state.app, &me, &q.query(0)?).await?;
    let h = |k: &str| t(lang, k);
    let yes_no = |b: bool| {
        Cell::Text(
            h(if b {
                "training-hours-yes"
            } else {
                "training-hours-no"
            })
            .into(),
        )
    };
    let hours_cell = |m: u64| Cell::Number(m as f64 / 60.0);
    let people: Vec<Vec<Cell>> = p
        .people
        .items
        .iter()
        .map(|x| {
            let v = person_view(lang, x);
            vec![
                Cell::Text(x.employee_no.clone()),
                Cell::Text(x.name.clone()),
                Cell::Text(x.department.clone()),
                Cell::Date(x.hire_date),
                hours_cell(x.credited_minutes),
                Cell::Number(f64::from(x.required_minutes) / 60.0),
                hours_cell(x.shortfall_minutes),
                yes_no(x.hours_short),
                v.new_hire.map_or(Cell::Empty, Cell::Text),
                x.new_hire
                    .map_or(Cell::Empty, |n| hours_cell(n.basic_minutes)),
            ]
        })
        .collect();
    let departments: Vec<Vec<Cell>> = p
        .departments
        .iter()
        .map(|d| {
            vec![
                Cell::Text(d.department.clone()),
                Cell::Number(d.headcount as f64),
                Cell::Number(d.compliant as f64),
                Cell::Number(d.short as f64),
                Cell::Number(f64::from(d.compliant_share_bp) / 10_000.0),
                hours_cell(d.average_minutes),
                Cell::Number(d.new_hires_short as f64),
            ]
        })
        .collect();
    let c = &p.company;
    let topics: Vec<String> = c
        .advanced_topics
        .iter()
        .map(|t| match t {
            skillcert_domain::training::compliance::AdvancedTopic::Topic(s) => s.clone(),
            skillcert_domain::training::compliance::AdvancedTopic::Session(id) => {
                format!("#{id}")
            }
        })
        .collect();
    let company = vec![
        vec![
            Cell::Text(h("training-hours-year").into()),
            Cell::Number(f64::from(p.year)),
        ],
        vec![
            Cell::Text(h("training-hours-col-headcount").into()),
            Cell::Number(c.headcount as f64),
        ],
        vec![
            Cell::Text(h("training-hours-col-compliant").into()),
            Cell::Number(c.compliant as f64),
        ],
        vec![
            Cell::Text(h("training-hours-col-rate").into()),
            Cell::Number(f64::from(c.compliant_share_bp) / 10_000.0),
        ],
        vec![
            Cell::Text(h("training-hours-col-average").into()),
            hours_cell(c.average_minutes),
        ],
        vec![
            Cell::Text(h("training-hours-advanced-topics").into()),
            Cell::Text(format!(
                "{} / {}: {}",
                topics.len(),
                c.advanced_topics_required,
                topics.join(", ")
            )),
        ],
        vec![
            Cell::Text(h("training-hours-advanced-met").into()),
            yes_no(c.advanced_topics_met),
        ],
        vec![
            Cell::Text(h("training-hours-new-hires").into()),
            Cell::Number(c.new_hires as f64),
        ],
        vec![
            Cell::Text(h("training-hours-new-hires-without-basic").into()),
            Cell::Number(c.new_hires_without_basic as f64),
        ],
    ];
    let bytes = compliance_xlsx(&[
        Sheet {
            name: h("training-hours-sheet-people"),
            headers: vec![
                h("training-hours-col-employee-no"),
                h("training-hours-col-name"),
                h("training-hours-col-department"),
                h("training-hours-col-hire-date"),
                h("training-hours-col-done"),
                h("training-hours-col-required"),
                h("training-hours-col-short"),
                h("training-hours-col-hours-short"),
                h("training-hours-col-new-hire"),
                h("training-hours-col-basic"),
            ],
            rows: people,
        },
        Sheet {
            name: h("training-hours-sheet-departments"),
            headers: vec![
                h("training-hours-col-department"),
                h("training-hours-col-headcount"),
                h("training-hours-col-compliant"),
                h("training-hours-col-short-count"),
                h("training-hours-col-rate"),
                h("training-hours-col-average"),
                h("training-hours-col-new-hires-short"),
            ],
            rows: departments,
        },
        Sheet {
            name: h("training-hours-sheet-company"),
            headers: vec![
                h("training-hours-col-figure"),
                h("training-hours-col-value"),
            ],
            rows: company,
        },
    ])
    .map_err(|e| AppError::Internal(anyhow::anyhow!("compliance xlsx: {e}")))?;
    Ok(attachment(
        bytes,
        crate::api::org::XLSX_MIME,
        &format!("compliance-{}.xlsx", p.year),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct RemindForm {
    #[serde(default)]
    pub year: String,
}

/// "Send reminders": the page again with the number sent, or the reason none can be.
pub async fn remind(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(f): WebForm<RemindForm>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let year = parse_year(&Some(f.year.clone()));
    let result = match year {
        Ok(y) => compliance::send_reminders(&state.app, &me, y).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(n) => Ok(Redirect::to(&format!(
            "/compliance?year={}&done=reminded&n={n}",
            urlencode(f.year.trim())
        ))
        .into_response()),
        Err(e) if super::shown_on_page(&e) => {
            let message = form_errors(lang, &e)
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join(" ");
            let params = ComplianceParams::default();
            let page = compliance_view(&state, lang, &me, &params, Some(message)).await?;
            Ok((super::refusal_status(&e), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the rules ----------

#[derive(Template)]
#[template(path = "training_hours/rules.html")]
struct RulesPage {
    ctx: Ctx,
    r: RulesView,
    document: String,
    min_hours: String,
    basic_hours: String,
    can_manage: bool,
    errors: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RulesQuery {
    pub done: Option<String>,
}

async fn rules_view(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    document: Option<String>,
    errors: Vec<String>,
    flash_text: Option<String>,
) -> Result<Response, WebError> {
    let r = compliance::rules(&state.app, me).await?;
    render(&RulesPage {
        ctx: Ctx::new(lang, Some(me), "/compliance/rules").with_flash(flash_text),
        document: document.unwrap_or_else(|| r.document.clone()),
        min_hours: hours_text(i64::from(r.rules.min_minutes_per_year())),
        basic_hours: hours_text(i64::from(r.rules.basic_day_minutes())),
        can_manage: me.can(Permission::TrainingManage),
        errors,
        r,
    })
}

pub async fn rules_page(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<RulesQuery>,
) -> Result<Response, WebError> {
    let f = flash(lang, q.done.as_deref(), None);
    rules_view(&state, lang, &me, None, Vec::new(), f).await
}

#[derive(Debug, Default, Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    pub document: String,
}

pub async fn save_rules(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(f): WebForm<RulesForm>,
) -> Result<Response, WebError> {
    match compliance::save_rules(&state.app, &me, &f.document).await {
        Ok(_) => Ok(Redirect::to("/compliance/rules?done=saved").into_response()),
        Err(e) if super::shown_on_page(&e) => {
            let errors = form_errors(lang, &e)
                .into_iter()
                .map(|(field, m)| format!("{field}: {m}"))
                .collect();
            let page = rules_view(&state, lang, &me, Some(f.document), errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_shown_with_at_most_two_decimals() {
        assert_eq!(hours_text(480), "8");
        assert_eq!(hours_text(90), "1.5");
        assert_eq!(hours_text(50), "0.83");
        assert_eq!(hours_text(0), "0");
        assert_eq!(rate_text(10_000), "100.0%");
        assert_eq!(rate_text(6_667), "66.6%");
    }

    #[test]
    fn dynamic_keys_exist_in_both_languages() {
        for k in dynamic_keys() {
            for lang in [Lang::ZhCn, Lang::En] {
                assert!(crate::i18n::has(lang, &k), "{k} missing in {lang:?}");
            }
        }
    }
}
