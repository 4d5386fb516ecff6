//! The judge's score sheet: marks per rubric item, free-text fields, a draft saved as the
//! judge goes, a submission that locks it. A submitted sheet changes only through a
//! correction by the chief judge, with a reason, kept beside the sheet and in the audit log.

use serde::Serialize;
use skillcert_domain::access::Permission;
use skillcert_domain::org::FieldReason;
use skillcert_domain::practical::rubric::{Rubric, SheetErrors, SheetMarks, SheetScore};
use skillcert_domain::scheme::Score;
use skillcert_domain::text::clean;
use skillcert_store::Conn;
use skillcert_store::practical::{self as store, EventScenarioRow, MySeatRow, SheetRow};

use super::Loaded;
use super::events::REASON_MAX;
use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult, Problem};

/// Where the judge sits: the event and the candidate (or recording).
#[derive(Debug, Clone, Serialize)]
pub struct SheetHead {
    pub event_id: i64,
    pub event_code: String,
    pub event_title: String,
    pub kind: String,
    pub held_on: chrono::NaiveDate,
    pub place: String,
    pub event_status: String,
    pub rubric_key: String,
    pub rubric_version: i32,
    pub subject_id: i64,
    pub position: i32,
    pub label: String,
    pub employee_no: Option<String>,
    pub name: Option<String>,
}

/// Another judge's sheet, shown once the panel's marks may be seen.
#[derive(Debug, Clone, Serialize)]
pub struct OtherSheet {
    pub judge_id: i64,
    pub judge_no: String,
    pub judge_name: String,
    pub status: Option<String>,
    pub total: Option<Score>,
}

/// What a calibration shows a judge after submitting.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationFeedback {
    pub mine: Score,
    pub reference: Option<Score>,
    /// Mean of the other judges' submitted totals.
    pub others_mean: Option<f64>,
    pub from_reference: Option<f64>,
    pub from_others: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SheetView {
    pub head: SheetHead,
    #[serde(skip)]
    pub rubric: Rubric,
    /// `new`, `draft` or `submitted`.
    pub status: String,
    pub marks: SheetMarks,
    /// The full score of a submitted (or complete) sheet.
    pub score: Option<SheetScore>,
    /// Points of the items marked so far.
    pub running_points: u32,
    pub seated: usize,
    pub submitted: usize,
    /// `None` while the panel is blind and not everyone has submitted.
    pub others: Option<Vec<OtherSheet>>,
    pub calibration: Option<CalibrationFeedback>,
    pub scenarios: Vec<EventScenarioRow>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The judge's seats, newest event first.
pub async fn my_panels(app: &App, actor: &Actor) -> AppResult<Vec<MySeatRow>> {
    actor.require(Permission::AssessmentJudge)?;
    let judge = actor.employee_id.ok_or(AppError::Conflict("no-employee"))?;
    let mut r = app.db.read().await?;
    Ok(store::seats_of_judge(&mut r.conn(), judge).await?)
}

fn problems(e: SheetErrors) -> AppError {
    AppError::Rejected(
        e.0.into_iter()
            .map(|p| Problem::new(p.field, p.code))
            .collect(),
    )
}

fn decode_marks(row: &SheetRow) -> AppResult<SheetMarks> {
    Ok(serde_json::from_str(&row.marks)
        .map_err(|e| anyhow::anyhow!("sheet {} marks: {e}", row.id))?)
}

fn running_points(marks: &SheetMarks) -> u32 {
    use skillcert_domain::practical::rubric::ItemMark;
    marks
        .items
        .values()
        .map(|m| match m {
            ItemMark::Points(p) => *p,
            ItemMark::NotApplicable => 0,
        })
        .sum()
}

/// The seat of the signed-in judge on `subject_id`, and the event.
async fn seat(c: &mut Conn<'_>, actor: &Actor, subject_id: i64) -> AppResult<(Loaded, i64)> {
    actor.require(Permission::AssessmentJudge)?;
    let judge = actor.employee_id.ok_or(AppError::Conflict("no-employee"))?;
    let subject = store::subject(c, subject_id).await?;
    if !store::is_seated(c, subject_id, judge).await? {
        return Err(AppError::Unprocessable("sheet-not-seated"));
    }
    let event = Loaded::decode(store::get_event(c, subject.event_id).await?)?;
    Ok((event, judge))
}

async fn view(
    c: &mut Conn<'_>,
    event: Loaded,
    subject_id: i64,
    judge: i64,
) -> AppResult<SheetView> {
    let subject = store::subject(c, subject_id).await?;
    let row = store::sheet(c, subject_id, judge).await?;
    let marks = match &row {
        Some(r) => decode_marks(r)?,
        None => SheetMarks::default(),
    };
    let status = row.as_ref().map_or("new".to_string(), |r| r.status.clone());
    let score = event.rubric.score_sheet(&marks).ok();
    let seats = store::seats_of_subject(c, subject_id).await?;
    let sheets = store::sheets_of_subject(c, subject_id).await?;
    let submitted = sheets.iter().filter(|s| s.status == "submitted").count();
    let all_in = submitted == seats.len() && !seats.is_empty();
    let mine_submitted = status == "submitted";
    let visible = mine_submitted && (!event.rules.panel.blind || all_in);
    let total_of = |judge_id: i64| {
        sheets
            .iter()
            .find(|s| s.judge_id == judge_id && s.status == "submitted")
            .and_then(|s| s.total)
            .and_then(|t| Score::from_hundredths(u32::try_from(t).ok()?).ok())
    };
    let others = visible.then(|| {
        seats
            .iter()
            .filter(|s| s.judge_id != judge)
            .map(|s| OtherSheet {
                judge_id: s.judge_id,
                judge_no: s.judge_no.clone(),
                judge_name: s.judge_name.clone(),
                status: s.sheet_status.clone(),
                total: total_of(s.judge_id),
            })
            .collect::<Vec<_>>()
    });
    let calibration = match (event.is_calibration(), mine_submitted, total_of(judge)) {
        (true, true, Some(mine)) => {
            let reference = subject
                .reference
                .and_then(|r| Score::from_hundredths(u32::try_from(r).ok()?).ok());
            let other_totals: Vec<f64> = if visible {
                seats
                    .iter()
                    .filter(|s| s.judge_id != judge)
                    .filter_map(|s| total_of(s.judge_id))
                    .map(score_f64)
                    .collect()
            } else {
                Vec::new()
            };
            let others_mean = (!other_totals.is_empty())
                .then(|| other_totals.iter().sum::<f64>() / other_totals.len() as f64);
            Some(CalibrationFeedback {
                mine,
                reference,
                from_reference: reference.map(|r| score_f64(mine) - score_f64(r)),
                from_others: others_mean.map(|m| score_f64(mine) - m),
                others_mean,
            })
        }
        _ => None,
    };
    Ok(SheetView {
        head: SheetHead {
            event_id: event.row.id,
            event_code: event.row.code.clone(),
            event_title: event.row.title.clone(),
            kind: event.row.kind.clone(),
            held_on: event.row.held_on,
            place: event.row.place.clone(),
            event_status: event.row.status.clone(),
            rubric_key: event.row.rubric_key.clone(),
            rubric_version: event.row.rubric_version,
            subject_id,
            position: subject.position,
            label: subject.label.clone(),
            employee_no: subject.employee_no.clone(),
            name: subject.name.clone(),
        },
        running_points: running_points(&marks),
        scenarios: store::event_scenarios(c, event.row.id).await?,
        rubric: event.rubric,
        status,
        marks,
        score,
        seated: seats.len(),
        submitted,
        others,
        calibration,
        submitted_at: row.and_then(|r| r.submitted_at),
    })
}

pub(crate) fn score_f64(s: Score) -> f64 {
    f64::from(s.hundredths()) / 100.0
}

/// The signed-in judge's sheet for a candidate on their panel.
pub async fn open(app: &App, actor: &Actor, subject_id: i64) -> AppResult<SheetView> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let (event, judge) = seat(c, actor, subject_id).await?;
    view(c, event, subject_id, judge).await
}

/// Saves the sheet as a draft (`submit == false`) or submits and locks it. Bad marks are
/// refused with every problem and nothing is saved; a second submission is refused.
pub async fn save(
    app: &App,
    actor: &Actor,
    subject_id: i64,
    marks: &SheetMarks,
    submit: bool,
) -> AppResult<SheetView> {
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let (event, judge) = seat(c, actor, subject_id).await?;
    if event.row.status != "scoring" {
        return Err(AppError::Conflict("event-not-scoring"));
    }
    let json = serde_json::to_string(marks).map_err(anyhow::Error::from)?;
    let before = store::sheet(c, subject_id, judge).await?;
    if before.as_ref().is_some_and(|s| s.status == "submitted") {
        return Err(AppError::Conflict("sheet-already-submitted"));
    }
    if submit {
        let score = event.rubric.score_sheet(marks).map_err(problems)?;
        let total = i32::try_from(score.total.hundredths()).unwrap_or(0);
        if !store::submit(c, subject_id, judge, &json, total, app.now()).await? {
            return Err(AppError::Conflict("sheet-already-submitted"));
        }
        audit::record(
            app,
            c,
            &Author::from(actor),
            "score_sheet.submit",
            "score_sheet",
            format!("{subject_id}:{judge}"),
            None::<&()>,
            Some(&serde_json::json!({ "marks": marks, "total": score.total })),
        )
        .await?;
    } else {
        event.rubric.check_draft(marks).map_err(problems)?;
        if !store::save_draft(c, subject_id, judge, &json, app.now()).await? {
            return Err(AppError::Conflict("sheet-already-submitted"));
        }
        audit::record(
            app,
            c,
            &Author::from(actor),
            "score_sheet.draft",
            "score_sheet",
            format!("{subject_id}:{judge}"),
            None::<&()>,
            Some(marks),
        )
        .await?;
    }
    let v = view(c, event, subject_id, judge).await?;
    tx.commit().await?;
    Ok(v)
}

/// A correction of a submitted sheet by the chief judge (or a manager).
pub async fn correct(
    app: &App,
    actor: &Actor,
    sheet_id: i64,
    marks: &SheetMarks,
    reason: &str,
) -> AppResult<SheetRow> {
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let sheet = store::sheet_by_id(c, sheet_id).await?;
    let subject = store::subject(c, sheet.subject_id).await?;
    let event = Loaded::decode(store::get_event(c, subject.event_id).await?)?;
    if !event.may_arbitrate(actor) {
        return Err(AppError::Forbidden);
    }
    if event.row.status == "closed" {
        return Err(AppError::Conflict("event-closed"));
    }
    if sheet.status != "submitted" {
        return Err(AppError::Conflict("sheet-not-submitted"));
    }
    let reason =
        clean(reason, REASON_MAX).map_err(|e| AppError::field("reason", FieldReason::Text(e)))?;
    let score = event.rubric.score_sheet(marks).map_err(problems)?;
    let after = serde_json::to_string(marks).map_err(anyhow::Error::from)?;
    let total = i32::try_from(score.total.hundredths()).unwrap_or(0);
    store::correct(
        c,
        &store::Correction {
            sheet_id,
            by: actor.user_id,
            reason: &reason,
            before: &sheet.marks,
            after: &after,
            total,
        },
        app.now(),
    )
    .await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "score_sheet.correct",
        "score_sheet",
        sheet_id,
        Some(&serde_json::json!({ "marks": decode_marks(&sheet)?, "total": sheet.total })),
        Some(&serde_json::json!({ "marks": marks, "total": score.total, "reason": reason })),
    )
    .await?;
    let row = store::sheet_by_id(c, sheet_id).await?;
    tx.commit().await?;
    Ok(row)
}

/// A submitted sheet as the chief judge (or a manager) sees it before correcting it.
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionView {
    pub sheet: SheetRow,
    pub head: SheetHead,
    #[serde(skip)]
    pub rubric: Rubric,
    pub marks: SheetMarks,
    pub score: Option<SheetScore>,
    pub judge_no: String,
    pub judge_name: String,
}

/// The sheet `sheet_id` for the correction form: only those who may correct it see it, and
/// only once it is submitted (`sheet-not-submitted` otherwise).
pub async fn for_correction(app: &App, actor: &Actor, sheet_id: i64) -> AppResult<CorrectionView> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let sheet = store::sheet_by_id(c, sheet_id).await?;
    let subject = store::subject(c, sheet.subject_id).await?;
    let event = Loaded::decode(store::get_event(c, subject.event_id).await?)?;
    if !event.may_arbitrate(actor) {
        return Err(AppError::Forbidden);
    }
    if sheet.status != "submitted" {
        return Err(AppError::Conflict("sheet-not-submitted"));
    }
    let marks = decode_marks(&sheet)?;
    let (judge_no, judge_name) = store::employee_names(c, &[sheet.judge_id])
        .await?
        .into_iter()
        .next()
        .map(|(_, no, name)| (no, name))
        .unwrap_or_default();
    Ok(CorrectionView {
        score: event.rubric.score_sheet(&marks).ok(),
        head: SheetHead {
            event_id: event.row.id,
            event_code: event.row.code.clone(),
            event_title: event.row.title.clone(),
            kind: event.row.kind.clone(),
            held_on: event.row.held_on,
            place: event.row.place.clone(),
            event_status: event.row.status.clone(),
            rubric_key: event.row.rubric_key.clone(),
            rubric_version: event.row.rubric_version,
            subject_id: subject.id,
            position: subject.position,
            label: subject.label.clone(),
            employee_no: subject.employee_no.clone(),
            name: subject.name.clone(),
        },
        rubric: event.rubric,
        marks,
        sheet,
        judge_no,
        judge_name,
    })
}
