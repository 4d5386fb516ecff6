//! Appeals (S0's review mechanism): within the window an employee disputes their own
//! result, whole or one component or item; a reviewer who took no part in the original
//! scoring upholds it or re-scores (a re-marked exam score, or the marks of a new panel
//! drawn by the same rules). Before and after are both kept; certificates of the result are
//! suspended while the appeal is pending.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use skillcert_domain::access::Permission;
use skillcert_domain::certification::round::appeal_open;
use skillcert_domain::scheme::{Input, Inputs, Score, SourceKind};
use skillcert_domain::text::clean;
use skillcert_store::Conn;
use skillcert_store::certification::{self as store, AppealRow, NewAppeal, NewResult, ResultRow};

use super::{Round, certificates, inbox};
use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult, Problem};

pub const REASON_MAX: usize = 1000;
pub const ITEM_MAX: usize = 100;

fn rejected(field: impl Into<String>, code: &'static str) -> AppError {
    AppError::Rejected(vec![Problem::new(field, code)])
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AppealInput {
    /// A component key, or empty for the whole result.
    pub component: String,
    /// A rubric item or question, free text, optional.
    pub item: String,
    pub reason: String,
}

/// The employee appeals their own published result.
pub async fn file(app: &App, actor: &Actor, result_id: i64, input: &AppealInput) -> AppResult<i64> {
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let result = store::get_result(c, result_id).await?;
    // Whose result it is comes first: someone else's result says so whatever the form holds.
    if Some(result.employee_id) != actor.employee_id || !result.current {
        return Err(rejected("result", "appeal-not-yours"));
    }
    let reason = clean(&input.reason, REASON_MAX)
        .map_err(|_| rejected("reason", "appeal-reason-missing"))?;
    let item = if input.item.trim().is_empty() {
        None
    } else {
        Some(clean(&input.item, ITEM_MAX).map_err(|e| AppError::field("item", e.into()))?)
    };
    let round = Round::decode(store::get_round(c, result.round_id).await?)?;
    let open = round.is("published")
        && round
            .row
            .published_on
            .is_some_and(|p| appeal_open(p, round.plan.appeal_days, app.today()));
    if !open {
        return Err(rejected("result", "appeal-window-closed"));
    }
    let component = input.component.trim();
    let component = if component.is_empty() {
        None
    } else if round.scheme.component(component).is_some() {
        Some(component.to_string())
    } else {
        return Err(rejected("component", "appeal-component-unknown"));
    };
    if store::appeals_of_round(c, round.row.id)
        .await?
        .iter()
        .any(|a| a.result_id == result_id && a.status == "pending")
    {
        return Err(rejected("result", "appeal-pending"));
    }
    let id = store::insert_appeal(
        c,
        &NewAppeal {
            result_id,
            round_id: round.row.id,
            employee_id: result.employee_id,
            component_key: component.clone(),
            item: item.clone(),
            reason: reason.clone(),
            created_by: Some(actor.user_id),
        },
        app.now(),
    )
    .await?;
    let author = Author::from(actor);
    audit::record(
        app,
        c,
        &author,
        "appeal.file",
        "appeal",
        id,
        None::<&()>,
        Some(&serde_json::json!({"result_id": result_id, "component": component, "item": item, "reason": reason})),
    )
    .await?;
    certificates::suspend_for_result(app, c, &author, &result, true).await?;
    tx.commit().await?;
    Ok(id)
}

/// Users who took part in scoring this result: markers of the exam, judges and the chief
/// judge of the panel, whoever typed a score in, and the appellant.
async fn involved(c: &mut Conn<'_>, round: &Round, result: &ResultRow) -> AppResult<Vec<i64>> {
    let mut users = Vec::new();
    for s in store::sources(c, round.row.id).await? {
        if let Some(session) = s.exam_session_id {
            users.extend(store::exam_markers(c, session, result.employee_id).await?);
        }
        if let Some(event) = s.event_id {
            users.extend(store::panel_users(c, event, result.employee_id).await?);
        }
    }
    users.extend(store::score_enterers(c, round.row.id, result.employee_id).await?);
    if let Some(own) = skillcert_store::practical::user_of_employee(c, result.employee_id).await? {
        users.push(own);
    }
    users.sort_unstable();
    users.dedup();
    Ok(users)
}

/// A reviewer's decision.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    /// `uphold` or `rescore`.
    pub decision: String,
    pub note: String,
    /// Component key → the new score (`86.5`), or for a panel component the new panel's
    /// marks separated by commas.
    pub scores: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppealDetail {
    pub appeal: AppealRow,
    /// Every revision of the result, oldest first: before and after.
    pub history: Vec<ResultRow>,
    pub before: Inputs,
    /// Whether the actor may decide it (reviewer and not involved).
    pub may_decide: bool,
    pub involved: bool,
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<AppealDetail> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let appeal = store::get_appeal(c, id).await?;
    let own = Some(appeal.employee_id) == actor.employee_id;
    if !own && !actor.can(Permission::AppealReview) && !actor.can(Permission::CertificationManage) {
        return Err(AppError::Forbidden);
    }
    let result = store::get_result(c, appeal.result_id).await?;
    let round = Round::decode(store::get_round(c, appeal.round_id).await?)?;
    let involved_users = involved(c, &round, &result).await?;
    let is_involved = involved_users.contains(&actor.user_id);
    let before: Inputs = serde_json::from_str(&result.inputs).map_err(anyhow::Error::from)?;
    Ok(AppealDetail {
        history: store::result_history(c, result.round_id, result.employee_id).await?,
        may_decide: appeal.status == "pending"
            && actor.can(Permission::AppealReview)
            && !is_involved,
        involved: is_involved,
        before,
        appeal,
    })
}

/// Pending appeals (reviewers) or one's own (employees).
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<AppealRow>> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    if actor.can(Permission::AppealReview) {
        return Ok(store::pending_appeals(c).await?);
    }
    match actor.employee_id {
        Some(e) => Ok(store::appeals_of_employee(c, e).await?),
        None => Err(AppError::Forbidden),
    }
}

fn parse_rescore(
    round: &Round,
    before: &Inputs,
    scores: &BTreeMap<String, String>,
    from_panel: Option<(&str, Input)>,
) -> Result<Inputs, Vec<Problem>> {
    let mut after = before.clone();
    let mut problems = Vec::new();
    let mut changed = 0;
    // The new panel's marks, unless the reviewer typed marks for that component.
    if let Some((key, input)) = from_panel
        && scores.get(key).is_none_or(|v| v.trim().is_empty())
    {
        after.values.insert(key.to_string(), input);
        changed += 1;
    }
    for (key, raw) in scores {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let field = format!("scores.{key}");
        let Some(comp) = round.scheme.component(key) else {
            problems.push(Problem::new(field, "appeal-component-unknown"));
            continue;
        };
        let input = if comp.source == SourceKind::Panel {
            let marks: Result<Vec<Score>, _> = raw
                .split(|ch: char| ch == ',' || ch == '，' || ch.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(Score::parse)
                .collect();
            marks.map(Input::Marks)
        } else {
            Score::parse(raw).map(Input::Score)
        };
        match input {
            Ok(i) => {
                after.values.insert(key.clone(), i);
                changed += 1;
            }
            Err(_) => problems.push(Problem::new(field, "score-out-of-range")),
        }
    }
    if changed == 0 && problems.is_empty() {
        problems.push(Problem::new("scores", "appeal-rescore-empty"));
    }
    if let Err(errors) = round.scheme.evaluate(&after) {
        for e in errors.0 {
            problems.push(Problem::new("scores", e.code()));
        }
    }
    if problems.is_empty() {
        Ok(after)
    } else {
        Err(problems)
    }
}

/// Decides a pending appeal: uphold, or re-score into a new revision of the result.
pub async fn decide(app: &App, actor: &Actor, id: i64, input: &DecisionInput) -> AppResult<()> {
    actor.require(Permission::AppealReview)?;
    let note =
        clean(&input.note, REASON_MAX).map_err(|_| rejected("note", "appeal-reason-missing"))?;
    let author = Author::from(actor);
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let appeal = store::get_appeal(c, id).await?;
    if appeal.status != "pending" {
        return Err(rejected("status", "appeal-decided"));
    }
    let result = store::get_result(c, appeal.result_id).await?;
    let round = Round::decode(store::get_round(c, appeal.round_id).await?)?;
    if involved(c, &round, &result).await?.contains(&actor.user_id) {
        return Err(rejected("reviewer", "appeal-reviewer-involved"));
    }
    let before: Inputs = serde_json::from_str(&result.inputs).map_err(anyhow::Error::from)?;
    let (status, new_result) = match input.decision.as_str() {
        "uphold" => ("upheld", None),
        "rescore" => {
            let from_panel = match (appeal.rescore_event_id, appeal.component_key.as_deref()) {
                (Some(event), Some(key)) => {
                    let feed = crate::practical::results::panel_feed(c, event).await?;
                    match feed.get(&result.employee_id) {
                        Some(input) => Some((key, input.clone())),
                        None if input.scores.get(key).is_none_or(|v| v.trim().is_empty()) => {
                            return Err(rejected(format!("scores.{key}"), "appeal-panel-pending"));
                        }
                        None => None,
                    }
                }
                _ => None,
            };
            let after = parse_rescore(&round, &before, &input.scores, from_panel)
                .map_err(AppError::Rejected)?;
            let e = round
                .scheme
                .evaluate(&after)
                .map_err(AppError::InputsInvalid)?;
            let awarded = match (
                e.passed(),
                e.level(),
                store::get_application(c, result.application_id).await,
            ) {
                (Some(true), Some(level), Ok(a)) => skillcert_domain::certification::awarded_level(
                    &round.scheme,
                    level,
                    &a.level_key,
                )
                .map(str::to_string),
                _ => None,
            };
            let new_id = store::insert_result(
                c,
                &NewResult {
                    round_id: result.round_id,
                    employee_id: result.employee_id,
                    application_id: result.application_id,
                    revision: result.revision + 1,
                    attempt: result.attempt,
                    inputs: serde_json::to_string(&after).map_err(anyhow::Error::from)?,
                    evaluation: serde_json::to_string(&e).map_err(anyhow::Error::from)?,
                    total: e
                        .total()
                        .map_or(0, |t| i32::try_from(t.hundredths()).unwrap_or(0)),
                    passed: e.passed() == Some(true),
                    level_key: e.level().map(str::to_string),
                    awarded_level: awarded,
                    step_key: e.consequence().map(|s| s.key.clone()),
                },
                app.now(),
            )
            .await?;
            ("rescored", Some(new_id))
        }
        _ => return Err(rejected("decision", "appeal-rescore-empty")),
    };
    if !store::decide_appeal(c, id, status, actor.user_id, &note, new_result, app.now()).await? {
        return Err(rejected("status", "appeal-decided"));
    }
    audit::record(
        app,
        c,
        &author,
        "appeal.decide",
        "appeal",
        id,
        Some(&serde_json::json!({"status": "pending", "result_id": result.id, "inputs": before})),
        Some(&serde_json::json!({"status": status, "note": note, "new_result_id": new_result})),
    )
    .await?;
    match new_result {
        None => certificates::suspend_for_result(app, c, &author, &result, false).await?,
        Some(new_id) => {
            let new = store::get_result(c, new_id).await?;
            certificates::replace_after_rescore(app, c, &author, &round, &result, &new).await?;
        }
    }
    inbox::notify_employee(
        app,
        c,
        appeal.employee_id,
        "inbox-appeal-decided",
        &serde_json::json!({"round": round.row.code, "status": status}),
        &format!("/appeals/{id}"),
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Opens a new panel for an appeal against a panel component: a copy of the original event
/// (same rubric, pools, quotas, trimming) for this candidate only, with the original judges
/// excluded as declared conflicts. The reviewer then publishes its seed and draws on the
/// event page; once its result is final, the re-score takes its marks.
pub async fn open_panel(app: &App, actor: &Actor, id: i64) -> AppResult<i64> {
    actor.require(Permission::AppealReview)?;
    actor.require(Permission::AssessmentManage)?;
    let (appeal, result, round, original) = {
        let mut r = app.db.read().await?;
        let c = &mut r.conn();
        let appeal = store::get_appeal(c, id).await?;
        let result = store::get_result(c, appeal.result_id).await?;
        let round = Round::decode(store::get_round(c, appeal.round_id).await?)?;
        if involved(c, &round, &result).await?.contains(&actor.user_id) {
            return Err(rejected("reviewer", "appeal-reviewer-involved"));
        }
        let key = appeal.component_key.clone().unwrap_or_default();
        let event = store::sources(c, round.row.id)
            .await?
            .into_iter()
            .find(|s| s.component_key == key)
            .and_then(|s| s.event_id);
        let Some(event) = event else {
            return Err(rejected("component", "appeal-no-panel"));
        };
        (appeal, result, round, event)
    };
    if appeal.status != "pending" {
        return Err(rejected("status", "appeal-decided"));
    }
    if appeal.rescore_event_id.is_some() {
        return Err(rejected("status", "appeal-panel-open"));
    }
    let view = crate::practical::events::get(app, actor, original).await?;
    let mut input = crate::practical::events::input_of(&view);
    input.code = format!("{}-AP{id}", view.row.code);
    input.title = format!("{} · 申诉复评 / appeal re-score", view.row.title);
    input.held_on = app.today().to_string();
    input.chief = String::new();
    let event = crate::practical::events::create(app, actor, &input).await?;
    let new_id = event.row.id;
    let employee = {
        let mut r = app.db.read().await?;
        skillcert_store::org::get_employee(&mut r.conn(), result.employee_id).await?
    };
    let event = crate::practical::events::set_subjects(
        app,
        actor,
        new_id,
        &crate::practical::events::SubjectsInput {
            candidates: employee.employee_no.clone(),
            recordings: String::new(),
        },
    )
    .await?;
    let subject = event
        .subjects
        .first()
        .map(|s| s.id)
        .ok_or_else(|| anyhow::anyhow!("appeal panel without its candidate"))?;
    let original_subject = view
        .subjects
        .iter()
        .find(|s| s.employee_id == Some(result.employee_id))
        .map(|s| s.id);
    let judges: Vec<String> = view
        .seats
        .iter()
        .filter(|s| Some(s.subject_id) == original_subject)
        .filter_map(|s| view.pools.iter().find(|m| m.employee_id == s.judge_id))
        .map(|m| m.employee_no.clone())
        .collect();
    for judge in judges {
        crate::practical::events::add_conflict(
            app,
            actor,
            new_id,
            &crate::practical::events::ConflictInput {
                judge,
                subject_id: subject,
                reason: format!("原评委 / original panel ({})", round.row.code),
            },
        )
        .await?;
    }
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    if !store::set_rescore_event(c, id, new_id).await? {
        return Err(rejected("status", "appeal-panel-open"));
    }
    audit::record(
        app,
        c,
        &Author::from(actor),
        "appeal.panel",
        "appeal",
        id,
        None::<&()>,
        Some(&serde_json::json!({"event_id": new_id, "event": input.code})),
    )
    .await?;
    tx.commit().await?;
    Ok(new_id)
}
