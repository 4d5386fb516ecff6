//! Results of a round: computed by the scheme engine from the exam, the panel and the typed-in
//! scores as soon as a candidate's inputs are complete; frozen when the training manager
//! reviews them; published with a notice period and an appeal window; the round closes
//! when the window has passed and no appeal is pending.

use std::collections::BTreeMap;

use chrono::Duration;
use serde::Serialize;
use skillcert_domain::access::{Permission, Scope};
use skillcert_domain::certification::round::appeal_closes;
use skillcert_domain::certification::{IssueAt, awarded_level, consequence_of};
use skillcert_domain::org::EmployeeStatus;
use skillcert_domain::scheme::{Evaluation, Input, Inputs, Score};
use skillcert_store::Conn;
use skillcert_store::certification::{
    self as store, ApplicationRow, NewConsequence, NewResult, ResultRow,
};

use super::rounds::{RoundDetail, detail_of, sources_view};
use super::{Round, certificates, inbox};
use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult, Problem};

/// One candidate's line.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateResult {
    pub application: ApplicationRow,
    pub inputs: Inputs,
    /// Components still without a score.
    pub missing: Vec<String>,
    pub evaluation: Option<Evaluation>,
    /// The level certified: the band reached, capped at the level applied for.
    pub awarded: Option<String>,
    /// Why complete inputs could not be evaluated (codes), e.g. too few panel marks.
    pub errors: Vec<String>,
    /// 1-based rank by total among the candidates shown; ties share a rank.
    pub rank: Option<usize>,
    /// The stored result once the round has been reviewed.
    pub stored: Option<ResultRow>,
    /// How the training-fed components (attendance, daily) were reached.
    pub training: Vec<crate::training::daily::TrainingPart>,
}

impl CandidateResult {
    pub fn complete(&self) -> bool {
        self.missing.is_empty() && self.evaluation.is_some()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundResults {
    pub detail: RoundDetail,
    pub rows: Vec<CandidateResult>,
    /// Results are frozen (reviewed, published or closed).
    pub frozen: bool,
}

fn score_of(hundredths: i64) -> Option<Score> {
    u32::try_from(hundredths)
        .ok()
        .and_then(|h| Score::from_hundredths(h).ok())
}

/// The theory score out of 100 of the best graded attempt, rounded half-up to hundredths.
fn exam_score(score: i32, max: i32) -> Option<Score> {
    let (s, m) = (i64::from(score), i64::from(max));
    if m <= 0 || s < 0 {
        return None;
    }
    score_of((s * 10_000 * 2 + m) / (2 * m))
}

/// Inputs of every approved candidate, from the round's sources.
async fn gather(
    c: &mut Conn<'_>,
    round: &Round,
    approved: &[ApplicationRow],
    today: chrono::NaiveDate,
    fed: &crate::training::daily::Fed,
) -> AppResult<Vec<(Inputs, Vec<String>)>> {
    let sources = store::sources(c, round.row.id).await?;
    let mut per_component: BTreeMap<String, BTreeMap<i64, Input>> = BTreeMap::new();
    // The training-fed components' values, built once for every component to take from.
    let mut from_training = crate::training::daily::inputs_of(fed);
    for comp in round.scheme.components() {
        let src = sources.iter().find(|s| s.component_key == comp.key);
        let mut values = BTreeMap::new();
        match (
            src.and_then(|s| s.exam_session_id),
            src.and_then(|s| s.event_id),
        ) {
            (Some(session), _) => {
                for (_, employee, score, max) in store::graded_attempts(c, session).await? {
                    if let Some(s) = exam_score(score, max) {
                        let best = values.entry(employee).or_insert(Input::Score(s));
                        if let Input::Score(b) = best
                            && s > *b
                        {
                            *b = s;
                        }
                    }
                }
            }
            (None, Some(event)) => values = crate::practical::results::panel_feed(c, event).await?,
            (None, None) => {
                if let Some(v) = from_training.remove(&comp.key) {
                    values = v;
                }
            }
        }
        per_component.insert(comp.key.clone(), values);
    }
    for row in store::scores(c, round.row.id).await? {
        let panel = round
            .scheme
            .component(&row.component_key)
            .is_some_and(|comp| comp.panel.is_some());
        if let (Some(values), Some(s)) = (
            per_component.get_mut(&row.component_key),
            score_of(i64::from(row.score)),
        ) {
            // A typed score counts only where the component has no source of its own. For
            // a panel component it is the panel's one agreed mark (a panel held on paper);
            // a scheme that trims needs the event as the source instead.
            let input = if panel {
                Input::Marks(vec![s])
            } else {
                Input::Score(s)
            };
            values.entry(row.employee_id).or_insert(input);
        }
    }
    let mut out = Vec::new();
    let year_ago = today - Duration::days(365);
    for app in approved {
        let mut inputs = Inputs::new();
        let mut missing = Vec::new();
        for comp in round.scheme.components() {
            match per_component
                .get(&comp.key)
                .and_then(|v| v.get(&app.employee_id))
            {
                Some(input) => {
                    inputs.values.insert(comp.key.clone(), input.clone());
                }
                None => missing.push(comp.key.clone()),
            }
        }
        let failures = store::failures_between(
            c,
            app.employee_id,
            &round.row.scheme_key,
            year_ago,
            today,
            round.row.id,
        )
        .await?;
        inputs.attempt = u32::try_from(failures).unwrap_or(0) + 1;
        out.push((inputs, missing));
    }
    Ok(out)
}

fn evaluate(
    round: &Round,
    app: &ApplicationRow,
    inputs: &Inputs,
) -> (Option<Evaluation>, Option<String>, Vec<String>) {
    match round.scheme.evaluate(inputs) {
        Ok(e) => {
            let awarded = match (e.passed(), e.level()) {
                (Some(true), Some(level)) => {
                    awarded_level(&round.scheme, level, &app.level_key).map(str::to_string)
                }
                _ => None,
            };
            (Some(e), awarded, Vec::new())
        }
        Err(errors) => (
            None,
            None,
            errors.0.iter().map(|e| e.code().to_string()).collect(),
        ),
    }
}

fn visible(scope: &Scope, department_id: i64) -> bool {
    match scope {
        Scope::All => true,
        s => s.covers(department_id),
    }
}

/// Ranks by total, highest first; equal totals share a rank (1, 2, 2, 4).
fn rank(rows: &mut [CandidateResult]) {
    rows.sort_by(|a, b| {
        let ta = a.evaluation.as_ref().and_then(Evaluation::total);
        let tb = b.evaluation.as_ref().and_then(Evaluation::total);
        tb.cmp(&ta)
            .then_with(|| a.application.employee_no.cmp(&b.application.employee_no))
    });
    let mut last: Option<(Score, usize)> = None;
    for (i, row) in rows.iter_mut().enumerate() {
        let Some(total) = row.evaluation.as_ref().and_then(Evaluation::total) else {
            continue;
        };
        let r = match last {
            Some((t, r)) if t == total => r,
            _ => i + 1,
        };
        row.rank = Some(r);
        last = Some((total, r));
    }
}

pub(crate) async fn compute(
    app: &App,
    c: &mut Conn<'_>,
    round: &Round,
    scope: &Scope,
) -> AppResult<Vec<CandidateResult>> {
    let applications: Vec<ApplicationRow> = store::applications_of_round(c, round.row.id)
        .await?
        .into_iter()
        .filter(|a| a.status == "approved" && visible(scope, a.department_id))
        .collect();
    let mut rows = Vec::new();
    if round.is("open") {
        let ids: Vec<i64> = applications.iter().map(|a| a.employee_id).collect();
        let fed =
            crate::training::daily::feed(c, &round.plan, &round.scheme, &ids, app.now()).await?;
        let gathered = gather(c, round, &applications, app.today(), &fed).await?;
        for (application, (inputs, missing)) in applications.into_iter().zip(gathered) {
            let training = crate::training::daily::parts_of(&fed, application.employee_id);
            let (evaluation, awarded, errors) = if missing.is_empty() {
                evaluate(round, &application, &inputs)
            } else {
                (None, None, Vec::new())
            };
            rows.push(CandidateResult {
                application,
                inputs,
                missing,
                evaluation,
                awarded,
                errors,
                rank: None,
                stored: None,
                training,
            });
        }
    } else {
        let stored = store::current_results(c, round.row.id).await?;
        for application in applications {
            let mine = stored
                .iter()
                .find(|r| r.employee_id == application.employee_id);
            let (inputs, missing, evaluation, awarded) = match mine {
                Some(r) => {
                    let inputs: Inputs = serde_json::from_str(&r.inputs)
                        .map_err(|e| anyhow::anyhow!("result {} inputs: {e}", r.id))?;
                    let (evaluation, _, _) = evaluate(round, &application, &inputs);
                    (inputs, Vec::new(), evaluation, r.awarded_level.clone())
                }
                // Not complete at review: absent from an exam or the panel.
                None => (
                    Inputs::new(),
                    round
                        .scheme
                        .components()
                        .iter()
                        .map(|c| c.key.clone())
                        .collect(),
                    None,
                    None,
                ),
            };
            let training = mine
                .map(|r| crate::training::daily::stored_parts(&r.inputs))
                .unwrap_or_default();
            rows.push(CandidateResult {
                application,
                inputs,
                missing,
                evaluation,
                awarded,
                errors: Vec::new(),
                rank: None,
                stored: mine.cloned(),
                training,
            });
        }
    }
    rank(&mut rows);
    Ok(rows)
}

/// Where the actor may see results: managers everywhere, others in their departments;
/// before publication only managers see them.
fn results_scope(actor: &Actor, round: &Round) -> AppResult<Scope> {
    if actor.can(Permission::CertificationManage) {
        return Ok(Scope::All);
    }
    let scope = actor.require(Permission::CertificationResults)?;
    if round.is("open") || round.is("reviewed") {
        return Err(AppError::Forbidden);
    }
    Ok(scope)
}

pub async fn results(app: &App, actor: &Actor, round_id: i64) -> AppResult<RoundResults> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let round = Round::decode(store::get_round(c, round_id).await?)?;
    let scope = results_scope(actor, &round)?;
    let rows = compute(app, c, &round, &scope).await?;
    let frozen = !round.is("open");
    let sources = sources_view(c, &round).await?;
    Ok(RoundResults {
        detail: detail_of(app, round, sources),
        rows,
        frozen,
    })
}

/// Types in (or corrects) a component score that has no source of its own: daily
/// performance, attendance, imported metrics.
pub async fn enter_score(
    app: &App,
    actor: &Actor,
    round_id: i64,
    employee_id: i64,
    component: &str,
    raw: &str,
) -> AppResult<()> {
    actor.require(Permission::CertificationManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let round = Round::decode(store::get_round(c, round_id).await?)?;
    round.require("open", "round-not-open")?;
    let sources = store::sources(c, round_id).await?;
    // Any component without a source of its own is typed in, including an exam held on
    // paper.
    let manual = round.scheme.component(component).is_some()
        && !sources.iter().any(|s| s.component_key == component)
        && !round.plan.training_sources.contains_key(component);
    if !manual {
        return Err(AppError::Rejected(vec![Problem::new(
            format!("scores.{component}"),
            "score-not-manual",
        )]));
    }
    let score = Score::parse(raw.trim()).map_err(|_| {
        AppError::Rejected(vec![Problem::new(
            format!("scores.{component}"),
            "score-out-of-range",
        )])
    })?;
    match store::application_of(c, round_id, employee_id).await? {
        Some(a) if a.status == "approved" => {}
        _ => {
            return Err(AppError::Rejected(vec![Problem::new(
                "employee",
                "score-not-candidate",
            )]));
        }
    }
    let hundredths = i32::try_from(score.hundredths()).unwrap_or(i32::MAX);
    store::upsert_score(
        c,
        round_id,
        employee_id,
        component,
        hundredths,
        Some(actor.user_id),
        app.now(),
    )
    .await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "round.score",
        "round",
        round_id,
        None::<&()>,
        Some(&serde_json::json!({"employee_id": employee_id, "component": component, "score": score})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The training manager reviews the computed results: complete ones are frozen (absent
/// candidates get none), and the round waits for publication.
pub async fn review(app: &App, actor: &Actor, round_id: i64) -> AppResult<usize> {
    actor.require(Permission::CertificationManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let round = Round::decode(store::get_round(c, round_id).await?)?;
    round.require("open", "round-not-open")?;
    let rows = compute(app, c, &round, &Scope::All).await?;
    let complete: Vec<&CandidateResult> = rows.iter().filter(|r| r.complete()).collect();
    if complete.is_empty() {
        return Err(AppError::Rejected(vec![Problem::new(
            "status",
            "round-no-results",
        )]));
    }
    let now = app.now();
    for row in &complete {
        let Some(e) = &row.evaluation else { continue };
        let total = e
            .total()
            .map_or(0, |t| i32::try_from(t.hundredths()).unwrap_or(0));
        store::insert_result(
            c,
            &NewResult {
                round_id,
                employee_id: row.application.employee_id,
                application_id: row.application.id,
                revision: 1,
                attempt: i32::try_from(row.inputs.attempt).unwrap_or(1),
                inputs: crate::training::daily::inputs_json(&row.inputs, &row.training)?,
                evaluation: serde_json::to_string(e).map_err(anyhow::Error::from)?,
                total,
                passed: e.passed() == Some(true),
                level_key: e.level().map(str::to_string),
                awarded_level: row.awarded.clone(),
                step_key: e.consequence().map(|s| s.key.clone()),
            },
            now,
        )
        .await?;
    }
    if !store::set_round_status(
        c,
        round_id,
        "open",
        "reviewed",
        Some(actor.user_id),
        None,
        None,
        now,
    )
    .await?
    {
        return Err(AppError::Rejected(vec![Problem::new(
            "status",
            "round-not-open",
        )]));
    }
    audit::record(
        app,
        c,
        &Author::from(actor),
        "round.review",
        "round",
        round_id,
        None::<&()>,
        Some(&serde_json::json!({
            "results": complete.len(),
            "absent": rows.len() - complete.len(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(complete.len())
}

/// Back to open: the frozen results are dropped (nothing was published yet).
pub async fn reopen(app: &App, actor: &Actor, round_id: i64) -> AppResult<()> {
    actor.require(Permission::CertificationManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    if !store::reopen_round(c, round_id, app.now()).await? {
        return Err(AppError::Rejected(vec![Problem::new(
            "status",
            "round-not-reviewed",
        )]));
    }
    audit::record(
        app,
        c,
        &Author::from(actor),
        "round.reopen",
        "round",
        round_id,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records the ladder's consequence of a failed result and applies the status change.
pub(crate) async fn record_consequence(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    round: &Round,
    result: &ResultRow,
) -> AppResult<()> {
    let failure = u32::try_from(result.attempt).unwrap_or(1).max(1);
    let Some(step) = round.scheme.ladder().step_for(failure) else {
        return Ok(());
    };
    let employee = skillcert_store::org::get_employee(c, result.employee_id).await?;
    let status = EmployeeStatus::parse(&employee.status).unwrap_or(EmployeeStatus::Active);
    let k = consequence_of(step, failure, app.today(), status, None);
    let id = store::insert_consequence(
        c,
        &NewConsequence {
            result_id: result.id,
            round_id: round.row.id,
            employee_id: result.employee_id,
            failure_number: i32::try_from(k.failure_number).unwrap_or(1),
            step_key: k.step_key.clone(),
            withhold_pay_percent: i32::from(k.withhold_pay_percent),
            off_duty_days: i32::try_from(k.off_duty_days).unwrap_or(0),
            off_duty_until: k.off_duty_until,
            probation_until: k.probation_until,
            hr_procedure: k.hr_procedure.key().to_string(),
            retake_allowed: k.retake_allowed,
            retake_from: k.retake_from,
            status_before: status.key().to_string(),
            status_now: k.status_now.map(|s| s.key().to_string()),
        },
        app.now(),
    )
    .await?;
    audit::record(
        app,
        c,
        author,
        "consequence.record",
        "consequence",
        id,
        None::<&()>,
        Some(&k),
    )
    .await?;
    crate::training::links::assign_retake_training(
        app,
        c,
        author,
        id,
        result.employee_id,
        k.off_duty_days,
    )
    .await?;
    if let Some(to) = k.status_now {
        let reason = format!("{} · {}", round.row.code, k.step_key);
        if store::change_employee_status(
            c,
            result.employee_id,
            status.key(),
            to.key(),
            &reason,
            Some(id),
            author.user_id,
            app.now(),
        )
        .await?
        {
            audit::record(
                app,
                c,
                author,
                "employee.status",
                "employee",
                result.employee_id,
                Some(&serde_json::json!({"status": status.key()})),
                Some(&serde_json::json!({"status": to.key(), "reason": reason})),
            )
            .await?;
        }
    }
    Ok(())
}

/// Publishes reviewed results: the notice period and the appeal window start today;
/// failures get their ladder step; candidates are told in their inbox; certificates are
/// issued now when the round says so.
pub async fn publish(app: &App, actor: &Actor, round_id: i64) -> AppResult<()> {
    actor.require(Permission::CertificationManage)?;
    let author = Author::from(actor);
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let round = Round::decode(store::get_round(c, round_id).await?)?;
    round.require("reviewed", "round-not-reviewed")?;
    let today = app.today();
    if !store::set_round_status(
        c,
        round_id,
        "reviewed",
        "published",
        None,
        Some(today),
        None,
        app.now(),
    )
    .await?
    {
        return Err(AppError::Rejected(vec![Problem::new(
            "status",
            "round-not-reviewed",
        )]));
    }
    let results = store::current_results(c, round_id).await?;
    for r in &results {
        if r.passed {
            super::consequences::return_on_pass(app, c, &author, r.employee_id).await?;
        } else {
            record_consequence(app, c, &author, &round, r).await?;
        }
        inbox::notify_employee(
            app,
            c,
            r.employee_id,
            "inbox-result-published",
            &serde_json::json!({
                "round": round.row.code,
                "title": round.row.title,
                "appeal_closes": appeal_closes(today, round.plan.appeal_days).to_string(),
            }),
            &format!("/rounds/{round_id}/mine"),
            false,
        )
        .await?;
    }
    audit::record(
        app,
        c,
        &author,
        "round.publish",
        "round",
        round_id,
        None::<&()>,
        Some(&serde_json::json!({"published_on": today, "results": results.len()})),
    )
    .await?;
    if round.plan.issue_at == IssueAt::Publication {
        for r in results
            .iter()
            .filter(|r| r.passed && r.awarded_level.is_some())
        {
            certificates::issue_for_result(app, c, &author, &round, r).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Closes a published round once its appeal window has passed and no appeal is pending;
/// certificates are issued now unless they were at publication.
pub async fn close(app: &App, author: &Author, round_id: i64) -> AppResult<usize> {
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let round = Round::decode(store::get_round(c, round_id).await?)?;
    round.require("published", "round-not-published")?;
    let published = round.row.published_on.unwrap_or_else(|| app.today());
    if app.today() <= appeal_closes(published, round.plan.appeal_days) {
        return Err(AppError::Rejected(vec![Problem::new(
            "status",
            "round-appeal-window-open",
        )]));
    }
    if store::appeals_of_round(c, round_id)
        .await?
        .iter()
        .any(|a| a.status == "pending")
    {
        return Err(AppError::Rejected(vec![Problem::new(
            "status",
            "round-appeals-pending",
        )]));
    }
    if !store::set_round_status(
        c,
        round_id,
        "published",
        "closed",
        None,
        None,
        Some(app.today()),
        app.now(),
    )
    .await?
    {
        return Err(AppError::Rejected(vec![Problem::new(
            "status",
            "round-not-published",
        )]));
    }
    let mut issued = 0;
    if round.plan.issue_at == IssueAt::AppealClose {
        for r in store::current_results(c, round_id).await? {
            if r.passed && r.awarded_level.is_some() {
                certificates::issue_for_result(app, c, author, &round, &r).await?;
                issued += 1;
            }
        }
    }
    audit::record(
        app,
        c,
        author,
        "round.close",
        "round",
        round_id,
        None::<&()>,
        Some(&serde_json::json!({"certificates": issued})),
    )
    .await?;
    tx.commit().await?;
    Ok(issued)
}

/// A manager closes a round by hand (the scheduler does it too).
pub async fn close_by(app: &App, actor: &Actor, round_id: i64) -> AppResult<usize> {
    actor.require(Permission::CertificationManage)?;
    close(app, &Author::from(actor), round_id).await
}

/// Closes every published round whose appeal window has passed without pending appeals.
/// Run by the server's hourly housekeeping and by `demo`.
pub async fn close_due(app: &App) -> AppResult<usize> {
    let rounds = {
        let mut r = app.db.read().await?;
        store::rounds_in(&mut r.conn(), "published").await?
    };
    let author = Author::system("scheduler");
    let mut closed = 0;
    for row in rounds {
        match close(app, &author, row.id).await {
            Ok(_) => closed += 1,
            Err(AppError::Rejected(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theory_scores_scale_to_100_half_up() {
        assert_eq!(exam_score(80, 100), Score::from_hundredths(8000).ok());
        assert_eq!(exam_score(1, 3), Score::from_hundredths(3333).ok());
        assert_eq!(exam_score(2, 3), Score::from_hundredths(6667).ok());
        assert_eq!(exam_score(5, 0), None);
        assert_eq!(exam_score(-1, 10), None);
    }
}
