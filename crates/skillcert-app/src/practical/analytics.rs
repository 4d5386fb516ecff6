//! How the judges judged: per event and over a period, each judge's leniency (their mark
//! minus the other judges' mean for the same candidate), how often their marks were
//! dropped, item-level disagreement, and the panel's reliability as ICC(1,1), ICC(1,k) and
//! Krippendorff's alpha (interval). A calibration adds each judge's deviation from the
//! reference score of every recording.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use skillcert_domain::access::{Permission, Scope};
use skillcert_domain::practical::aggregate::{self, JudgeSheet};
use skillcert_domain::practical::reliability::{
    self, Icc, ItemDisagreement, JudgeStat, SubjectMarks,
};
use skillcert_domain::practical::rubric::{ItemMark, SheetMarks};
use skillcert_domain::scheme::{Labels, Score};
use skillcert_store::Conn;
use skillcert_store::practical::{self as store, EventRow, SeatRow};

use super::Loaded;
use super::sheets::score_f64;
use crate::{Actor, App, AppError, AppResult};

#[derive(Debug, Clone, Serialize)]
pub struct JudgeRow {
    pub judge_id: i64,
    pub judge_no: String,
    pub judge_name: String,
    pub stat: JudgeStat,
    /// Calibration: mean of (own total − reference) over the recordings with a reference.
    pub from_reference: Option<f64>,
    /// Calibration: mean absolute deviation from the reference.
    pub abs_from_reference: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemAnalytics {
    pub key: String,
    pub labels: Labels,
    pub max: u32,
    pub disagreement: ItemDisagreement,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventAnalytics {
    pub event: EventRow,
    /// Candidates (or recordings) with at least two submitted sheets.
    pub subjects: usize,
    pub judges: Vec<JudgeRow>,
    pub icc: Option<Icc>,
    pub alpha_interval: Option<f64>,
    pub items: Vec<ItemAnalytics>,
    /// Calibration: `[recording][judge]` totals with the reference, for the deviation table.
    pub calibration: Vec<CalibrationRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalibrationRow {
    pub subject_id: i64,
    pub label: String,
    pub reference: Option<Score>,
    pub totals: Vec<(i64, Score)>,
    pub panel_mean: Option<f64>,
}

/// Everything one event contributes to the statistics.
struct EventMarks {
    subjects: Vec<SubjectMarks>,
    /// Per rubric item, per subject, the judges' marks.
    items: Vec<(String, Vec<Vec<f64>>)>,
    calibration: Vec<CalibrationRow>,
    names: BTreeMap<i64, (String, String)>,
}

async fn event_marks(c: &mut Conn<'_>, event: &Loaded) -> AppResult<EventMarks> {
    let id = event.row.id;
    let seats = store::seats(c, id).await?;
    let sheets = store::sheets_of_event(c, id).await?;
    let mut names = BTreeMap::new();
    for s in &seats {
        names.insert(s.judge_id, (s.judge_no.clone(), s.judge_name.clone()));
    }
    let mut subjects = Vec::new();
    let mut per_item: BTreeMap<String, Vec<Vec<f64>>> = BTreeMap::new();
    let mut calibration = Vec::new();
    for subject in store::subjects(c, id).await? {
        let my_seats: Vec<&SeatRow> = seats
            .iter()
            .filter(|s| s.subject_id == subject.id)
            .collect();
        let mut js = Vec::new();
        for seat in &my_seats {
            let Some(sheet) = sheets.iter().find(|s| {
                s.subject_id == subject.id && s.judge_id == seat.judge_id && s.status == "submitted"
            }) else {
                continue;
            };
            let Ok(marks) = serde_json::from_str::<SheetMarks>(&sheet.marks) else {
                continue;
            };
            if let Ok(score) = event.rubric.score_sheet(&marks) {
                js.push(JudgeSheet {
                    judge: sheet.judge_id,
                    score,
                    items: marks.items,
                });
            }
        }
        let combined = aggregate::combine(&event.rubric, &event.rules.panel.policy, &js);
        let dropped = combined
            .marks
            .iter()
            .filter(|m| m.dropped.is_some())
            .map(|m| m.judge.to_string())
            .collect();
        subjects.push(SubjectMarks {
            subject: subject.id.to_string(),
            marks: js
                .iter()
                .map(|s| (s.judge.to_string(), score_f64(s.score.total)))
                .collect(),
            dropped,
        });
        for item in event.rubric.items() {
            let marks: Vec<f64> = js
                .iter()
                .filter_map(|s| match s.items.get(&item.key) {
                    Some(ItemMark::Points(p)) => Some(f64::from(*p)),
                    _ => None,
                })
                .collect();
            per_item.entry(item.key.clone()).or_default().push(marks);
        }
        if event.is_calibration() {
            let totals: Vec<(i64, Score)> = js.iter().map(|s| (s.judge, s.score.total)).collect();
            let panel_mean = (!totals.is_empty()).then(|| {
                totals.iter().map(|(_, t)| score_f64(*t)).sum::<f64>() / totals.len() as f64
            });
            calibration.push(CalibrationRow {
                subject_id: subject.id,
                label: subject.label.clone(),
                reference: subject
                    .reference
                    .and_then(|r| Score::from_hundredths(u32::try_from(r).ok()?).ok()),
                totals,
                panel_mean,
            });
        }
    }
    let items = event
        .rubric
        .items()
        .map(|i| (i.key.clone(), per_item.remove(&i.key).unwrap_or_default()))
        .collect();
    Ok(EventMarks {
        subjects,
        items,
        calibration,
        names,
    })
}

fn judge_rows(
    stats: Vec<JudgeStat>,
    names: &BTreeMap<i64, (String, String)>,
    calibration: &[CalibrationRow],
) -> Vec<JudgeRow> {
    stats
        .into_iter()
        .filter_map(|stat| {
            let id: i64 = stat.judge.parse().ok()?;
            let (no, name) = names.get(&id).cloned().unwrap_or_default();
            let deviations: Vec<f64> = calibration
                .iter()
                .filter_map(|row| {
                    let r = row.reference?;
                    let (_, t) = row.totals.iter().find(|(j, _)| *j == id)?;
                    Some(score_f64(*t) - score_f64(r))
                })
                .collect();
            let n = deviations.len() as f64;
            Some(JudgeRow {
                judge_id: id,
                judge_no: no,
                judge_name: name,
                from_reference: (n > 0.0).then(|| deviations.iter().sum::<f64>() / n),
                abs_from_reference: (n > 0.0)
                    .then(|| deviations.iter().map(|d| d.abs()).sum::<f64>() / n),
                stat,
            })
        })
        .collect()
}

/// Analytics compare judges across candidates, so they need results for the whole
/// company, a manager, or the event's chief judge.
fn require_all(actor: &Actor, event: Option<&Loaded>) -> AppResult<()> {
    if event.is_some_and(|e| e.may_arbitrate(actor))
        || actor.can(Permission::AssessmentManage)
        || actor.scope(Permission::AssessmentResults) == Scope::All
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn event(app: &App, actor: &Actor, id: i64) -> AppResult<EventAnalytics> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let event = Loaded::decode(store::get_event(c, id).await?)?;
    require_all(actor, Some(&event))?;
    let m = event_marks(c, &event).await?;
    let groups: Vec<Vec<f64>> = m
        .subjects
        .iter()
        .map(|s| s.marks.iter().map(|(_, v)| *v).collect())
        .collect();
    let items = event
        .rubric
        .items()
        .zip(reliability::item_disagreement(&m.items))
        .map(|(i, d)| ItemAnalytics {
            key: i.key.clone(),
            labels: i.labels.clone(),
            max: i.max,
            disagreement: d,
        })
        .collect();
    Ok(EventAnalytics {
        subjects: groups.iter().filter(|g| g.len() >= 2).count(),
        icc: reliability::icc_oneway(&groups),
        alpha_interval: reliability::krippendorff_interval(&groups),
        judges: judge_rows(
            reliability::judge_stats(&m.subjects),
            &m.names,
            &m.calibration,
        ),
        items,
        calibration: m.calibration,
        event: event.row,
    })
}

/// One judge over a period: overall and event by event.
#[derive(Debug, Clone, Serialize)]
pub struct JudgeTrend {
    pub judge_id: i64,
    pub judge_no: String,
    pub judge_name: String,
    pub overall: JudgeStat,
    pub events: Vec<JudgeEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JudgeEvent {
    pub event_id: i64,
    pub code: String,
    pub held_on: NaiveDate,
    pub stat: JudgeStat,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trends {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub events: usize,
    pub judges: Vec<JudgeTrend>,
}

/// Judges across the assessment events held in `[from, to]`.
pub async fn over_time(
    app: &App,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Trends> {
    require_all(actor, None)?;
    if to < from || (to - from).num_days() > 3 * 366 {
        return Err(AppError::field(
            "to",
            skillcert_domain::org::FieldReason::OutOfRange,
        ));
    }
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let rows = store::events_between(c, from, to).await?;
    let mut all_subjects = Vec::new();
    let mut names = BTreeMap::new();
    let mut per_judge: BTreeMap<i64, Vec<JudgeEvent>> = BTreeMap::new();
    let count = rows.len();
    for row in rows {
        let event = Loaded::decode(row)?;
        let m = event_marks(c, &event).await?;
        for stat in reliability::judge_stats(&m.subjects) {
            if let Ok(id) = stat.judge.parse::<i64>() {
                per_judge.entry(id).or_default().push(JudgeEvent {
                    event_id: event.row.id,
                    code: event.row.code.clone(),
                    held_on: event.row.held_on,
                    stat,
                });
            }
        }
        names.extend(m.names);
        // Subjects are keyed by event too, so candidates of different events stay apart.
        all_subjects.extend(m.subjects.into_iter().map(|mut s| {
            s.subject = format!("{}:{}", event.row.id, s.subject);
            s
        }));
    }
    let judges = reliability::judge_stats(&all_subjects)
        .into_iter()
        .filter_map(|overall| {
            let id: i64 = overall.judge.parse().ok()?;
            let (no, name) = names.get(&id).cloned().unwrap_or_default();
            Some(JudgeTrend {
                judge_id: id,
                judge_no: no,
                judge_name: name,
                events: per_judge.remove(&id).unwrap_or_default(),
                overall,
            })
        })
        .collect();
    Ok(Trends {
        from,
        to,
        events: count,
        judges,
    })
}
