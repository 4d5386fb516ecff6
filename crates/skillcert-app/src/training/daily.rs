//! The scheme's `attendance` and `daily` components computed from training records, for
//! certification results (seed-rules §4.4).
//!
//! A round component whose source is typed `training …` (see
//! `domain::certification::training_source`) takes, for each candidate and over the round's
//! training period: the attendance rate (`domain::training::attendance`, with the round's
//! late credit) for an `attendance` component; for a `daily` component the composite of
//! `domain::training::mentoring::daily` from that rate, the final scores of the candidate's
//! marked homework of sessions in the period and their mentor's latest evaluation, with the
//! round's sub-weights. Results compute them live, as they do exam and panel scores; the
//! breakdown ([`TrainingPart`]) is shown on the results page and the employee's result, and
//! frozen with the result at review.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use skillcert_domain::certification::RoundPlan;
use skillcert_domain::certification::training_source::{self, TrainingSource};
use skillcert_domain::scheme::{Input, Inputs, Scheme, Score, SourceKind};
use skillcert_domain::training::attendance::Tally;
use skillcert_domain::training::mentoring::{DailyPart, daily};
use skillcert_store::Conn;
use skillcert_store::training as sessions_store;
use skillcert_store::training_records as records;

use crate::AppResult;

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[
    "round-training-syntax",
    "round-training-period",
    "round-training-weights",
    "round-training-weights-daily",
    "round-training-late",
    "round-training-kind",
];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[];

/// The company's offset from UTC (China Standard Time), for the days of a period.
pub(crate) fn china() -> chrono::FixedOffset {
    use chrono::Offset;
    chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The instant at which `day` begins in China.
pub(crate) fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc() - Duration::hours(8)
}

/// The training sources typed in a round form (values starting with `training`), read
/// without the scheme: `parse_sources` refuses those that do not fit their component, so
/// the plan is stored only with valid ones.
pub fn training_sources(sources: &BTreeMap<String, String>) -> BTreeMap<String, TrainingSource> {
    sources
        .iter()
        .filter(|(_, v)| training_source::is_training(v))
        .filter_map(|(k, v)| {
            training_source::parse(v, SourceKind::Daily)
                .ok()
                .map(|s| (k.clone(), s))
        })
        .collect()
}

/// How a training-fed component was reached for one candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingPart {
    pub component: String,
    /// `attendance` or `daily`.
    pub kind: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The component's value; `None` when nothing counts yet.
    pub score: Option<Score>,
    /// The attendance rate over the period.
    pub attendance: Option<Score>,
    /// The mean of the marked homework's final scores (daily only).
    pub homework: Option<Score>,
    pub homework_count: usize,
    /// The mentor's latest evaluation (daily only).
    pub mentor: Option<Score>,
    /// Sub-weights in percent, attendance / homework / mentor (daily only).
    pub weights: Option<[String; 3]>,
    /// A missing part made the others count for more (daily only).
    pub renormalised: bool,
}

/// Component key → employee id → how the component was reached.
pub type Fed = BTreeMap<String, BTreeMap<i64, TrainingPart>>;

/// Computes every training-fed component of a round for `employee_ids` as of `now`.
pub async fn feed(
    c: &mut Conn<'_>,
    plan: &RoundPlan,
    scheme: &Scheme,
    employee_ids: &[i64],
    now: DateTime<Utc>,
) -> AppResult<Fed> {
    let mut out = Fed::new();
    for (key, src) in &plan.training_sources {
        let Some(comp) = scheme.component(key) else {
            continue;
        };
        let (from, to) = src.period(plan);
        let counts = sessions_store::attendance_rates(
            c,
            employee_ids,
            day_start(from),
            day_start(to.succ_opt().unwrap_or(to)),
            now,
        )
        .await?;
        let rate: BTreeMap<i64, Option<Score>> = counts
            .iter()
            .map(|n| {
                let t = Tally {
                    present: u32::try_from(n.present).unwrap_or(u32::MAX),
                    late: u32::try_from(n.late).unwrap_or(u32::MAX),
                    excused: u32::try_from(n.excused).unwrap_or(u32::MAX),
                    absent: u32::try_from(n.absent + n.unmarked_ended).unwrap_or(u32::MAX),
                    pending: u32::try_from(n.pending).unwrap_or(u32::MAX),
                };
                (n.employee_id, t.rate(src.late_credit()))
            })
            .collect();
        let mut values = BTreeMap::new();
        if comp.source == SourceKind::Daily {
            let mut homework: BTreeMap<i64, Vec<Score>> = BTreeMap::new();
            for h in records::homework_scores(c, employee_ids, from, to, china()).await? {
                if let Some(s) = score_of(h.final_score) {
                    homework.entry(h.employee_id).or_default().push(s);
                }
            }
            let mentor: BTreeMap<i64, Score> = records::latest_evaluations(c, employee_ids)
                .await?
                .into_iter()
                .filter_map(|(e, v)| score_of(v).map(|s| (e, s)))
                .collect();
            let weights = src.weights();
            let pct = |p| weights.of(p).to_string().trim_end_matches('%').to_string();
            for id in employee_ids {
                let scores = homework.get(id).cloned().unwrap_or_default();
                let attendance = rate.get(id).copied().flatten();
                let m = mentor.get(id).copied();
                let b = daily(&weights, attendance, &scores, m);
                values.insert(
                    *id,
                    TrainingPart {
                        component: key.clone(),
                        kind: "daily".into(),
                        from,
                        to,
                        score: b.total,
                        attendance,
                        homework: b.lines[1].value,
                        homework_count: scores.len(),
                        mentor: m,
                        weights: Some([
                            pct(DailyPart::Attendance),
                            pct(DailyPart::Homework),
                            pct(DailyPart::Mentor),
                        ]),
                        renormalised: b.renormalised(),
                    },
                );
            }
        } else {
            for id in employee_ids {
                let attendance = rate.get(id).copied().flatten();
                values.insert(
                    *id,
                    TrainingPart {
                        component: key.clone(),
                        kind: "attendance".into(),
                        from,
                        to,
                        score: attendance,
                        attendance,
                        homework: None,
                        homework_count: 0,
                        mentor: None,
                        weights: None,
                        renormalised: false,
                    },
                );
            }
        }
        out.insert(key.clone(), values);
    }
    Ok(out)
}

fn score_of(hundredths: i32) -> Option<Score> {
    u32::try_from(hundredths)
        .ok()
        .and_then(|h| Score::from_hundredths(h).ok())
}

/// The component inputs of the fed components: an employee whose component has no value
/// yet (no counted session, nothing marked, no evaluation) gets none, and their result
/// waits like one of a candidate absent from an exam.
pub fn inputs_of(fed: &Fed) -> BTreeMap<String, BTreeMap<i64, Input>> {
    fed.iter()
        .map(|(k, per)| {
            (
                k.clone(),
                per.iter()
                    .filter_map(|(e, p)| p.score.map(|s| (*e, Input::Score(s))))
                    .collect(),
            )
        })
        .collect()
}

/// The breakdowns of one employee, in component order.
pub fn parts_of(fed: &Fed, employee_id: i64) -> Vec<TrainingPart> {
    fed.values()
        .filter_map(|per| per.get(&employee_id).cloned())
        .collect()
}

/// The stored form of a result's inputs: the scheme's inputs plus, under `training`, the
/// breakdowns the training-fed components had when the result was frozen (`Inputs` ignores
/// the extra key when read back).
pub fn inputs_json(inputs: &Inputs, parts: &[TrainingPart]) -> AppResult<String> {
    let mut v = serde_json::to_value(inputs).map_err(anyhow::Error::from)?;
    if !parts.is_empty()
        && let Some(o) = v.as_object_mut()
    {
        o.insert(
            "training".into(),
            serde_json::to_value(parts).map_err(anyhow::Error::from)?,
        );
    }
    Ok(v.to_string())
}

/// The breakdowns frozen with a stored result (none for results stored without them).
pub fn stored_parts(inputs_json: &str) -> Vec<TrainingPart> {
    serde_json::from_str::<serde_json::Value>(inputs_json)
        .ok()
        .and_then(|mut v| v.get_mut("training").map(serde_json::Value::take))
        .and_then(|t| serde_json::from_value(t).ok())
        .unwrap_or_default()
}

/// The signed-in employee's training-fed components in an open round, computed now: what
/// their result page shows before the results are frozen. Empty for a round without such a
/// component, a round no longer open, or a user without an employee record; only for
/// approved candidates (nobody else's records are shown).
pub async fn my_preview(
    app: &crate::App,
    actor: &crate::Actor,
    round_id: i64,
) -> AppResult<Vec<TrainingPart>> {
    let Some(employee) = actor.employee_id else {
        return Ok(Vec::new());
    };
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let round = crate::certification::Round::decode(
        skillcert_store::certification::get_round(c, round_id).await?,
    )?;
    if round.row.status != "open" || round.plan.training_sources.is_empty() {
        return Ok(Vec::new());
    }
    let approved = skillcert_store::certification::application_of(c, round_id, employee)
        .await?
        .is_some_and(|a| a.status == "approved");
    if !approved {
        return Ok(Vec::new());
    }
    let fed = feed(c, &round.plan, &round.scheme, &[employee], app.now()).await?;
    Ok(parts_of(&fed, employee))
}
