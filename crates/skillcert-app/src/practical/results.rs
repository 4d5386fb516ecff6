//! Results of an event, computed from the submitted sheets every time they are shown (never
//! stored apart from them, so a correction can't leave a stale result behind): every mark,
//! the ones dropped and why, the panel score with its standard error, a hold when the kept
//! marks diverge, and — when the event feeds a scheme — the scheme's verdict, level and
//! retake-ladder step, with failures counted over the year before the event.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use serde::Serialize;
use skillcert_domain::access::Scope;
use skillcert_domain::practical::aggregate::{self, Combined, JudgeSheet};
use skillcert_domain::practical::rubric::SheetMarks;
use skillcert_domain::scheme::{Evaluation, Input, Inputs, Scheme, Score};
use skillcert_domain::text::clean;
use skillcert_store::Conn;
use skillcert_store::practical::{self as store, CorrectionRow, SeatRow, SheetRow, SubjectRow};

use super::Loaded;
use super::events::REASON_MAX;
use crate::audit::{self, Author};
use crate::schemes::{self, Pick};
use crate::{Actor, App, AppError, AppResult};

/// One candidate's result.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectResult {
    pub subject: SubjectRow,
    /// The panel, with each judge's sheet state.
    pub seats: Vec<SeatRow>,
    pub combined: Combined,
    /// The scheme's evaluation; `None` without a scheme.
    pub evaluation: Option<Evaluation>,
    /// Why the scheme could not evaluate yet (codes), e.g. missing components.
    pub evaluation_errors: Vec<String>,
    /// Failures of this scheme in the year before this event, plus one: the ladder step
    /// a failure here would take.
    pub attempt: u32,
    /// A held result released by the chief judge.
    pub released: bool,
}

impl SubjectResult {
    /// A result is final when computed and not held (or held and released).
    pub fn is_final(&self) -> bool {
        self.combined.score.is_some() && (!self.combined.held || self.released)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EventResults {
    pub event: store::EventRow,
    pub rules: super::StoredRules,
    #[serde(skip)]
    pub scheme: Option<Scheme>,
    pub rows: Vec<SubjectResult>,
    pub corrections: Vec<CorrectionRow>,
}

/// Submitted sheets of a subject in panel order, scored again from their marks.
fn judge_sheets(event: &Loaded, seats: &[SeatRow], sheets: &[SheetRow]) -> Vec<JudgeSheet> {
    let mut out = Vec::new();
    let ordered = seats.iter().filter_map(|seat| {
        sheets
            .iter()
            .find(|s| s.judge_id == seat.judge_id && s.status == "submitted")
    });
    for sheet in ordered {
        let Ok(marks) = serde_json::from_str::<SheetMarks>(&sheet.marks) else {
            continue;
        };
        if let Ok(score) = event.rubric.score_sheet(&marks) {
            out.push(JudgeSheet {
                judge: sheet.judge_id,
                score,
                items: marks.items,
            });
        }
    }
    out
}

/// The scheme of an event at the version it was planned with.
async fn scheme_of(c: &mut Conn<'_>, event: &Loaded) -> AppResult<Option<Scheme>> {
    let Some(key) = event.row.scheme_key.as_deref() else {
        return Ok(None);
    };
    let pick = event
        .rules
        .scheme_version
        .as_deref()
        .and_then(Pick::parse)
        .unwrap_or_default();
    Ok(Some(schemes::load(c, key, pick).await?.scheme))
}

fn evaluate(
    event: &Loaded,
    scheme: &Scheme,
    subject: &SubjectRow,
    sheets: &[JudgeSheet],
    attempt: u32,
) -> Result<Evaluation, Vec<String>> {
    let mut values: BTreeMap<String, Input> =
        serde_json::from_str::<BTreeMap<String, Score>>(&subject.inputs)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, Input::Score(v)))
            .collect();
    if let Some(component) = &event.row.component_key
        && !sheets.is_empty()
    {
        values.insert(
            component.clone(),
            aggregate::scheme_input(&event.rubric, &event.rules.panel.policy, sheets),
        );
    }
    scheme
        .evaluate(&Inputs { attempt, values })
        .map_err(|e| e.0.iter().map(|x| x.code().to_string()).collect())
}

/// Who failed each earlier event, computed once per event however many of this event's
/// candidates sat it.
type FailedIn = BTreeMap<i64, BTreeSet<i64>>;

/// The employees who failed assessment event `id` under `scheme`.
async fn failed_in(c: &mut Conn<'_>, id: i64, scheme: &Scheme) -> AppResult<BTreeSet<i64>> {
    let other = Loaded::decode(store::get_event(c, id).await?)?;
    let seats = store::seats(c, id).await?;
    let sheets = store::sheets_of_event(c, id).await?;
    let mut failed = BTreeSet::new();
    for subject in store::subjects(c, id).await? {
        let Some(employee) = subject.employee_id else {
            continue;
        };
        let mine: Vec<SeatRow> = seats
            .iter()
            .filter(|s| s.subject_id == subject.id)
            .cloned()
            .collect();
        let theirs: Vec<SheetRow> = sheets
            .iter()
            .filter(|s| s.subject_id == subject.id)
            .cloned()
            .collect();
        let js = judge_sheets(&other, &mine, &theirs);
        // Pass or fail does not depend on the attempt number.
        if let Ok(e) = evaluate(&other, scheme, &subject, &js, 1)
            && e.passed() == Some(false)
        {
            failed.insert(employee);
        }
    }
    Ok(failed)
}

/// Failures of `employee_id` under the event's scheme in assessment events held in the
/// 365 days before this one.
async fn failures_before(
    c: &mut Conn<'_>,
    event: &Loaded,
    scheme: &Scheme,
    employee_id: i64,
    known: &mut FailedIn,
) -> AppResult<u32> {
    let Some(key) = event.row.scheme_key.as_deref() else {
        return Ok(0);
    };
    let from = event.row.held_on - Duration::days(365);
    let earlier =
        store::earlier_events_of(c, employee_id, key, from, event.row.held_on, event.row.id)
            .await?;
    let mut failures = 0;
    for id in earlier {
        let failed = match known.entry(id) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(failed_in(c, id, scheme).await?)
            }
        };
        if failed.contains(&employee_id) {
            failures += 1;
        }
    }
    Ok(failures)
}

pub async fn results(app: &App, actor: &Actor, id: i64) -> AppResult<EventResults> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let event = Loaded::decode(store::get_event(c, id).await?)?;
    let scope = super::results_scope(actor, &event)?;
    let scheme = scheme_of(c, &event).await?;
    let seats = store::seats(c, id).await?;
    let sheets = store::sheets_of_event(c, id).await?;
    let mut rows = Vec::new();
    let mut known = FailedIn::new();
    for subject in store::subjects(c, id).await? {
        let visible = match (&scope, subject.department_id) {
            (Scope::All, _) => true,
            (s, Some(d)) => s.covers(d),
            (_, None) => false,
        };
        if !visible {
            continue;
        }
        let my_seats: Vec<SeatRow> = seats
            .iter()
            .filter(|s| s.subject_id == subject.id)
            .cloned()
            .collect();
        let my_sheets: Vec<SheetRow> = sheets
            .iter()
            .filter(|s| s.subject_id == subject.id)
            .cloned()
            .collect();
        let js = judge_sheets(&event, &my_seats, &my_sheets);
        let combined = aggregate::combine(&event.rubric, &event.rules.panel.policy, &js);
        let (evaluation, evaluation_errors, attempt) = match (&scheme, subject.employee_id) {
            (Some(scheme), Some(employee)) => {
                let attempt = failures_before(c, &event, scheme, employee, &mut known).await? + 1;
                match evaluate(&event, scheme, &subject, &js, attempt) {
                    Ok(e) => (Some(e), Vec::new(), attempt),
                    Err(errs) => (None, errs, attempt),
                }
            }
            _ => (None, Vec::new(), 1),
        };
        rows.push(SubjectResult {
            released: subject.released_by.is_some(),
            subject,
            seats: my_seats,
            combined,
            evaluation,
            evaluation_errors,
            attempt,
        });
    }
    Ok(EventResults {
        corrections: store::corrections(c, id).await?,
        rules: event.rules,
        event: event.row,
        scheme,
        rows,
    })
}

/// The chief judge confirms a result held because the kept marks diverged.
pub async fn release(app: &App, actor: &Actor, subject_id: i64, note: &str) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let subject = store::subject(c, subject_id).await?;
    let event = Loaded::decode(store::get_event(c, subject.event_id).await?)?;
    if !event.may_arbitrate(actor) {
        return Err(AppError::Forbidden);
    }
    let note = clean(note, REASON_MAX)
        .map_err(|e| AppError::field("note", skillcert_domain::org::FieldReason::Text(e)))?;
    let seats = store::seats_of_subject(c, subject_id).await?;
    let sheets = judge_sheets(
        &event,
        &seats,
        &store::sheets_of_subject(c, subject_id).await?,
    );
    let combined = aggregate::combine(&event.rubric, &event.rules.panel.policy, &sheets);
    if !combined.held || subject.released_by.is_some() {
        return Err(AppError::Conflict("result-not-held"));
    }
    store::release_subject(c, subject_id, actor.user_id, &note).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "event_result.release",
        "event_subject",
        subject_id,
        None::<&()>,
        Some(
            &serde_json::json!({ "note": note, "score": combined.score, "range": combined.range }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The panel input of every candidate of event `id` whose result is final (computed and
/// not held for divergence, or released), keyed by employee: what a certification round
/// feeds into its scheme's panel component.
pub(crate) async fn panel_feed(c: &mut Conn<'_>, id: i64) -> AppResult<BTreeMap<i64, Input>> {
    let event = Loaded::decode(store::get_event(c, id).await?)?;
    let seats = store::seats(c, id).await?;
    let sheets = store::sheets_of_event(c, id).await?;
    let mut out = BTreeMap::new();
    for subject in store::subjects(c, id).await? {
        let Some(employee) = subject.employee_id else {
            continue;
        };
        let mine: Vec<SeatRow> = seats
            .iter()
            .filter(|s| s.subject_id == subject.id)
            .cloned()
            .collect();
        let theirs: Vec<SheetRow> = sheets
            .iter()
            .filter(|s| s.subject_id == subject.id)
            .cloned()
            .collect();
        let js = judge_sheets(&event, &mine, &theirs);
        let combined = aggregate::combine(&event.rubric, &event.rules.panel.policy, &js);
        let released = subject.released_by.is_some();
        if combined.score.is_some() && (!combined.held || released) {
            out.insert(
                employee,
                aggregate::scheme_input(&event.rubric, &event.rules.panel.policy, &js),
            );
        }
    }
    Ok(out)
}
