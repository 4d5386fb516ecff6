//! Opening and running a certification round: the plan, the sources of each component,
//! review, publication and closing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use skillcert_domain::access::Permission;
use skillcert_domain::certification::round::{appeal_closes, notice_ends};
use skillcert_domain::certification::{IssueAt, RoundPlan, Track, TrainingPrerequisites};
use skillcert_domain::org::{Checker, FieldReason, parse_date};
use skillcert_domain::scheme::SourceKind;
use skillcert_domain::text::{Code, clean};
use skillcert_store::certification::{
    self as store, RoundFields, RoundQuery, RoundRow, RoundSummary, SourceRow,
};
use skillcert_store::{Conn, Page};

use super::Round;
use crate::audit::{self, Author};
use crate::schemes::{self, Pick};
use crate::{Actor, App, AppError, AppResult, Problem};

pub const TITLE_MAX: usize = 100;

/// The round form or API body, every field as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RoundInput {
    pub code: String,
    pub title: String,
    pub scheme_key: String,
    /// Empty for the latest version, `preset`, or a stored version number.
    pub scheme_version: String,
    /// `basic` or `advanced`.
    pub track: String,
    /// Band keys offered, separated by commas or spaces.
    pub levels: String,
    /// `senior:intermediate` pairs, one per line or comma-separated.
    pub requires: String,
    pub new_hires_basic_only: Option<bool>,
    pub registration_opens: String,
    pub registration_closes: String,
    pub assessment_starts: String,
    pub assessment_ends: String,
    pub notice_days: String,
    pub appeal_days: String,
    /// `appeal_close` or `publication`.
    pub issue_at: String,
    /// Component key → exam session code (exam components) or event code (panel
    /// components); other components are typed in and take no source.
    pub sources: BTreeMap<String, String>,
    /// Whole training hours an applicant must have credited in the year; empty for none.
    pub training_hours: String,
    /// Codes of training plans an applicant must have completed, separated by commas or spaces.
    pub training_plans: String,
}

impl RoundInput {
    /// The form pre-filled for a scheme: every level offered, the top level requiring the
    /// one below (S1: "intermediate or above before senior"), S1's periods.
    pub fn defaults(app: &App, scheme: &skillcert_domain::scheme::Scheme) -> RoundInput {
        let today = app.today();
        let bands: Vec<&str> = scheme.bands().iter().map(|b| b.key.as_str()).collect();
        let requires = match bands.as_slice() {
            [.., below, top] if bands.len() >= 3 => format!("{top}:{below}"),
            _ => String::new(),
        };
        RoundInput {
            scheme_key: scheme.key().to_string(),
            track: "advanced".into(),
            levels: bands.join(", "),
            requires,
            new_hires_basic_only: Some(true),
            registration_opens: today.to_string(),
            registration_closes: (today + chrono::Duration::days(7)).to_string(),
            assessment_starts: (today + chrono::Duration::days(8)).to_string(),
            assessment_ends: (today + chrono::Duration::days(30)).to_string(),
            notice_days: "7".into(),
            appeal_days: "7".into(),
            issue_at: "appeal_close".into(),
            ..RoundInput::default()
        }
    }
}

fn split_list(raw: &str) -> Vec<String> {
    raw.split(|ch: char| ch.is_whitespace() || matches!(ch, ',' | '，' | ';' | '；'))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_days(ck: &mut Checker, field: &'static str, raw: &str) -> Option<u32> {
    match raw.trim().parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            ck.push(field, FieldReason::BadNumber);
            None
        }
    }
}

/// Parses the form into a plan; field errors are collected, plan rules checked after.
fn parse_plan(input: &RoundInput, ck: &mut Checker) -> Option<RoundPlan> {
    let track = Track::parse(input.track.trim());
    if track.is_none() {
        ck.push("track", FieldReason::NotAllowed);
    }
    let issue_at = if input.issue_at.trim().is_empty() {
        Some(IssueAt::default())
    } else {
        IssueAt::parse(input.issue_at.trim())
    };
    if issue_at.is_none() {
        ck.push("issue_at", FieldReason::NotAllowed);
    }
    let mut requires = BTreeMap::new();
    for pair in split_list(&input.requires) {
        match pair.split_once(':') {
            Some((level, req)) if !level.is_empty() && !req.is_empty() => {
                requires.insert(level.to_string(), req.to_string());
            }
            _ => ck.push("requires", FieldReason::NotAllowed),
        }
    }
    let ro = ck.check("registration_opens", parse_date(&input.registration_opens));
    let rc = ck.check(
        "registration_closes",
        parse_date(&input.registration_closes),
    );
    let st = ck.check("assessment_starts", parse_date(&input.assessment_starts));
    let en = ck.check("assessment_ends", parse_date(&input.assessment_ends));
    let notice = parse_days(ck, "notice_days", &input.notice_days);
    let appeal = parse_days(ck, "appeal_days", &input.appeal_days);
    let training_hours = if input.training_hours.trim().is_empty() {
        Some(0)
    } else {
        parse_days(ck, "training_hours", &input.training_hours)
    };
    Some(RoundPlan {
        track: track?,
        levels: split_list(&input.levels),
        requires,
        new_hires_basic_only: input.new_hires_basic_only.unwrap_or(true),
        registration_opens: ro?,
        registration_closes: rc?,
        assessment_starts: st?,
        assessment_ends: en?,
        notice_days: notice?,
        appeal_days: appeal?,
        issue_at: issue_at?,
        training_sources: crate::training::daily::training_sources(&input.sources),
        training: TrainingPrerequisites {
            min_minutes: training_hours?.saturating_mul(60),
            completed_plans: split_list(&input.training_plans),
        },
    })
}

/// Resolves the typed sources against the scheme's components.
async fn parse_sources(
    c: &mut Conn<'_>,
    scheme: &skillcert_domain::scheme::Scheme,
    input: &RoundInput,
) -> AppResult<(Vec<SourceRow>, Vec<Problem>)> {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (key, code) in &input.sources {
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let field = format!("sources.{key}");
        let Some(component) = scheme.component(key) else {
            problems.push(Problem::new(field, "round-source-kind"));
            continue;
        };
        // Training records (issue 7): the plan keeps the settings (`parse_plan`); here only
        // the refusal, with its field.
        if skillcert_domain::certification::training_source::is_training(code) {
            if let Err(e) =
                skillcert_domain::certification::training_source::parse(code, component.source)
            {
                problems.push(Problem::new(field, e.code()));
            }
            continue;
        }
        match component.source {
            SourceKind::Exam => match store::exam_session_by_code(c, code).await? {
                Some((id, _)) => rows.push(SourceRow {
                    component_key: key.clone(),
                    exam_session_id: Some(id),
                    event_id: None,
                }),
                None => problems.push(Problem::new(field, "round-source-unknown")),
            },
            SourceKind::Panel => match store::event_by_code(c, code).await? {
                Some((id, _)) => rows.push(SourceRow {
                    component_key: key.clone(),
                    exam_session_id: None,
                    event_id: Some(id),
                }),
                None => problems.push(Problem::new(field, "round-source-unknown")),
            },
            _ => problems.push(Problem::new(field, "round-source-kind")),
        }
    }
    Ok((rows, problems))
}

fn plan_problems(
    plan: &RoundPlan,
    scheme: &skillcert_domain::scheme::Scheme,
    mut problems: Vec<Problem>,
) -> AppResult<()> {
    for e in plan.validate(scheme) {
        problems.push(Problem::new(e.field(), e.code()));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::Rejected(problems))
    }
}

pub async fn create(app: &App, actor: &Actor, input: &RoundInput) -> AppResult<RoundRow> {
    actor.require(Permission::CertificationManage)?;
    let mut ck = Checker::default();
    let code = ck.check("code", Code::parse(&input.code));
    let title = ck.check("title", clean(&input.title, TITLE_MAX));
    let plan = parse_plan(input, &mut ck);
    let pick = if input.scheme_version.trim().is_empty() {
        Some(Pick::Latest)
    } else {
        Pick::parse(input.scheme_version.trim())
    };
    if pick.is_none() {
        ck.push("scheme_version", FieldReason::NotAllowed);
    }
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let version = match schemes::load(c, input.scheme_key.trim(), pick.unwrap_or_default()).await {
        Ok(v) => Some(v),
        Err(AppError::NotFound) => {
            ck.push("scheme_key", FieldReason::NotFound);
            None
        }
        Err(e) => return Err(e),
    };
    if let Some(code) = &code
        && store::round_by_code(c, code.as_str()).await?.is_some()
    {
        ck.push("code", FieldReason::Duplicate);
    }
    let (code, title, plan, version) = ck
        .finish(code.zip(title).zip(plan).zip(version))
        .map(|(((a, b), c), d)| (a, b, c, d))
        .map_err(AppError::Validation)?;
    let (sources, problems) = parse_sources(c, &version.scheme, input).await?;
    let problems = crate::training::links::plan_code_problems(c, &plan, problems).await?;
    plan_problems(&plan, &version.scheme, problems)?;
    let fields = RoundFields {
        code: code.as_str().to_string(),
        title,
        scheme_key: version.key.clone(),
        scheme_version: i32::try_from(version.version).unwrap_or(i32::MAX),
        scheme: version.document.clone(),
        plan: serde_json::to_string(&plan).map_err(anyhow::Error::from)?,
    };
    let row = store::insert_round(c, &fields, Some(actor.user_id), app.now()).await?;
    store::set_sources(c, row.id, &sources).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "round.create",
        "round",
        row.id,
        None::<&()>,
        Some(&serde_json::json!({"round": &row, "plan": &plan, "sources": &sources})),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Changes title, plan and sources while applications are still being taken.
pub async fn update(app: &App, actor: &Actor, id: i64, input: &RoundInput) -> AppResult<RoundRow> {
    actor.require(Permission::CertificationManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let round = Round::decode(store::get_round(c, id).await?)?;
    round.require("open", "round-not-open")?;
    let mut ck = Checker::default();
    let title = ck.check("title", clean(&input.title, TITLE_MAX));
    let plan = parse_plan(input, &mut ck);
    let (title, plan) = ck.finish(title.zip(plan)).map_err(AppError::Validation)?;
    let (sources, problems) = parse_sources(c, &round.scheme, input).await?;
    let problems = crate::training::links::plan_code_problems(c, &plan, problems).await?;
    plan_problems(&plan, &round.scheme, problems)?;
    let before_sources = store::sources(c, id).await?;
    let plan_json = serde_json::to_string(&plan).map_err(anyhow::Error::from)?;
    if !store::update_round_plan(c, id, &title, &plan_json, app.now()).await? {
        return Err(AppError::Rejected(vec![Problem::new(
            "status",
            "round-not-open",
        )]));
    }
    store::set_sources(c, id, &sources).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "round.update",
        "round",
        id,
        Some(&serde_json::json!({"title": round.row.title, "plan": round.plan, "sources": before_sources})),
        Some(&serde_json::json!({"title": title, "plan": plan, "sources": sources})),
    )
    .await?;
    let row = store::get_round(c, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Rounds are listed to managers and to anyone who may see results.
pub async fn list(app: &App, actor: &Actor, q: &RoundQuery) -> AppResult<Page<RoundSummary>> {
    if !actor.can(Permission::CertificationManage) {
        actor.require(Permission::CertificationResults)?;
    }
    let mut r = app.db.read().await?;
    Ok(store::list_rounds(&mut r.conn(), q).await?)
}

/// One component and where its scores come from.
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub component_key: String,
    pub source: SourceKind,
    pub weight_percent: String,
    /// `exam`, `event` or `manual`.
    pub kind: &'static str,
    pub exam_session_id: Option<i64>,
    pub event_id: Option<i64>,
    pub code: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundDetail {
    pub round: RoundRow,
    pub plan: RoundPlan,
    #[serde(skip)]
    pub scheme: skillcert_domain::scheme::Scheme,
    pub sources: Vec<SourceView>,
    /// The plan exceeds S0's time limit for its track.
    pub exceeds_time_limit: bool,
    pub notice_ends: Option<chrono::NaiveDate>,
    pub appeal_closes: Option<chrono::NaiveDate>,
    pub registration_open: bool,
}

pub(crate) async fn sources_view(c: &mut Conn<'_>, round: &Round) -> AppResult<Vec<SourceView>> {
    let stored = store::sources(c, round.row.id).await?;
    let mut out = Vec::new();
    for comp in round.scheme.components() {
        let s = stored.iter().find(|s| s.component_key == comp.key);
        let (exam, event) = s.map_or((None, None), |s| (s.exam_session_id, s.event_id));
        let label = store::source_labels(c, exam, event).await?;
        let training = round.plan.training_sources.get(&comp.key);
        out.push(SourceView {
            component_key: comp.key.clone(),
            source: comp.source,
            weight_percent: format!("{}", comp.weight.basis_points() / 100),
            kind: if exam.is_some() {
                "exam"
            } else if event.is_some() {
                "event"
            } else if training.is_some() {
                "training"
            } else {
                "manual"
            },
            exam_session_id: exam,
            event_id: event,
            code: label
                .as_ref()
                .map(|l| l.0.clone())
                .or_else(|| training.map(|t| t.text())),
            title: label.map(|l| l.1),
        });
    }
    Ok(out)
}

pub(crate) fn detail_of(app: &App, round: Round, sources: Vec<SourceView>) -> RoundDetail {
    let published = round.row.published_on;
    RoundDetail {
        exceeds_time_limit: round.plan.exceeds_time_limit(),
        notice_ends: published.map(|p| notice_ends(p, round.plan.notice_days)),
        appeal_closes: published.map(|p| appeal_closes(p, round.plan.appeal_days)),
        registration_open: round.is("open") && round.plan.registration_open(app.today()),
        round: round.row,
        plan: round.plan,
        scheme: round.scheme,
        sources,
    }
}

/// A round as everyone signed in may see it: employees need it to apply.
pub async fn detail(app: &App, _actor: &Actor, id: i64) -> AppResult<RoundDetail> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let round = Round::decode(store::get_round(c, id).await?)?;
    let sources = sources_view(c, &round).await?;
    Ok(detail_of(app, round, sources))
}

/// Rounds currently taking applications, for the employee's "apply" list.
pub async fn open_for_applications(app: &App) -> AppResult<Vec<RoundDetail>> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let mut out = Vec::new();
    for row in store::rounds_in(c, "open").await? {
        let round = Round::decode(row)?;
        if round.plan.registration_open(app.today()) {
            let sources = sources_view(c, &round).await?;
            out.push(detail_of(app, round, sources));
        }
    }
    Ok(out)
}

/// The form of an existing round, for editing.
pub fn input_of(detail: &RoundDetail) -> RoundInput {
    let p = &detail.plan;
    RoundInput {
        code: detail.round.code.clone(),
        title: detail.round.title.clone(),
        scheme_key: detail.round.scheme_key.clone(),
        scheme_version: detail.round.scheme_version.to_string(),
        track: p.track.key().into(),
        levels: p.levels.join(", "),
        requires: p
            .requires
            .iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect::<Vec<_>>()
            .join(", "),
        new_hires_basic_only: Some(p.new_hires_basic_only),
        registration_opens: p.registration_opens.to_string(),
        registration_closes: p.registration_closes.to_string(),
        assessment_starts: p.assessment_starts.to_string(),
        assessment_ends: p.assessment_ends.to_string(),
        notice_days: p.notice_days.to_string(),
        appeal_days: p.appeal_days.to_string(),
        issue_at: p.issue_at.key().into(),
        sources: detail
            .sources
            .iter()
            .filter_map(|s| s.code.clone().map(|c| (s.component_key.clone(), c)))
            .collect(),
        training_hours: match p.training.min_minutes {
            0 => String::new(),
            m => (m / 60).to_string(),
        },
        training_plans: p.training.completed_plans.join(", "),
    }
}
