//! A round component fed by training records (issue 7, seed-rules §4.4): an `attendance`
//! component takes the person's attendance rate over the round's training period, a `daily`
//! component the composite of `training::mentoring::daily` (attendance, homework, mentor
//! evaluation) with its sub-weights. The settings are stored in the round plan, so the
//! policy is data and a later change of the defaults does not move a round already planned.
//!
//! Typed in the round form as one line in the component's source field:
//! `training [FROM..TO] [A/H/M] [late=P]`, e.g. `training`, `training 30/40/30` or
//! `training 2026-09-01..2026-12-31 20/50/30 late=50`: the period (default: from
//! [`DEFAULT_LOOKBACK_DAYS`] days before registration opens to the end of the assessment),
//! the daily sub-weights in percent (daily components only; default 30/40/30) and the credit
//! of a late arrival in percent of a present one (default 100).

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::RoundPlan;
use crate::scheme::{SourceKind, Weight};
use crate::training::attendance::DEFAULT_LATE_CREDIT;
use crate::training::mentoring::{DailyPart, DailyWeights};

/// The word that marks a typed source as training records.
pub const KEYWORD: &str = "training";
/// Days before registration opens that the default training period starts: a quarter,
/// the training that prepares a round.
pub const DEFAULT_LOOKBACK_DAYS: i64 = 90;

/// Why a typed training source was refused; `code()` has a locale key `problem-<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TrainingSourceError {
    #[error("write `training`, optionally followed by FROM..TO, A/H/M weights and late=P")]
    Syntax,
    #[error("the training period ends before it starts")]
    PeriodOrder,
    #[error("the daily sub-weights must add up to 100")]
    WeightsSum,
    #[error("sub-weights apply to a daily component only")]
    WeightsNotDaily,
    #[error("the late credit must be a percentage between 0 and 100")]
    LateCredit,
    #[error("training records feed attendance and daily components only")]
    Kind,
}

impl TrainingSourceError {
    pub const ALL: [TrainingSourceError; 6] = [
        TrainingSourceError::Syntax,
        TrainingSourceError::PeriodOrder,
        TrainingSourceError::WeightsSum,
        TrainingSourceError::WeightsNotDaily,
        TrainingSourceError::LateCredit,
        TrainingSourceError::Kind,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TrainingSourceError::Syntax => "round-training-syntax",
            TrainingSourceError::PeriodOrder => "round-training-period",
            TrainingSourceError::WeightsSum => "round-training-weights",
            TrainingSourceError::WeightsNotDaily => "round-training-weights-daily",
            TrainingSourceError::LateCredit => "round-training-late",
            TrainingSourceError::Kind => "round-training-kind",
        }
    }
}

/// How a training-fed component is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingSource {
    /// First day of the training period; `None`: the default (see the module doc).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Last day of the training period; `None`: the last day of the assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// The daily sub-weights; `None`: the default 30/40/30. Only for daily components.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<DailyWeights>,
    /// Credit of a late arrival; `None`: full credit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_credit: Option<Weight>,
}

/// Whether a typed source names training records (its first word is [`KEYWORD`]).
pub fn is_training(raw: &str) -> bool {
    raw.split_whitespace()
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case(KEYWORD))
}

fn percent(raw: &str) -> Option<Weight> {
    Weight::parse_percent(raw.trim().trim_end_matches('%')).ok()
}

/// Reads a typed training source for a component of kind `kind`.
pub fn parse(raw: &str, kind: SourceKind) -> Result<TrainingSource, TrainingSourceError> {
    let mut words = raw.split_whitespace();
    if !words
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case(KEYWORD))
    {
        return Err(TrainingSourceError::Syntax);
    }
    if !matches!(kind, SourceKind::Attendance | SourceKind::Daily) {
        return Err(TrainingSourceError::Kind);
    }
    let mut out = TrainingSource {
        from: None,
        to: None,
        weights: None,
        late_credit: None,
    };
    for w in words {
        if let Some((a, b)) = w.split_once("..") {
            if out.from.is_some() {
                return Err(TrainingSourceError::Syntax);
            }
            let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            let (Some(from), Some(to)) = (day(a), day(b)) else {
                return Err(TrainingSourceError::Syntax);
            };
            if to < from {
                return Err(TrainingSourceError::PeriodOrder);
            }
            out.from = Some(from);
            out.to = Some(to);
        } else if let Some(p) = w.to_ascii_lowercase().strip_prefix("late=") {
            if out.late_credit.is_some() {
                return Err(TrainingSourceError::Syntax);
            }
            out.late_credit = Some(percent(p).ok_or(TrainingSourceError::LateCredit)?);
        } else if w.contains('/') {
            if out.weights.is_some() {
                return Err(TrainingSourceError::Syntax);
            }
            if kind != SourceKind::Daily {
                return Err(TrainingSourceError::WeightsNotDaily);
            }
            let parts: Vec<Option<Weight>> = w.split('/').map(percent).collect();
            let [Some(a), Some(h), Some(m)] = parts.as_slice() else {
                return Err(TrainingSourceError::Syntax);
            };
            out.weights =
                Some(DailyWeights::new(*a, *h, *m).map_err(|_| TrainingSourceError::WeightsSum)?);
        } else {
            return Err(TrainingSourceError::Syntax);
        }
    }
    Ok(out)
}

impl TrainingSource {
    /// The first and last day of the training period of a round planned as `plan`.
    pub fn period(&self, plan: &RoundPlan) -> (NaiveDate, NaiveDate) {
        let from = self.from.unwrap_or_else(|| {
            plan.registration_opens
                .checked_sub_signed(Duration::days(DEFAULT_LOOKBACK_DAYS))
                .unwrap_or(plan.registration_opens)
        });
        (from, self.to.unwrap_or(plan.assessment_ends))
    }

    pub fn weights(&self) -> DailyWeights {
        self.weights.unwrap_or_default()
    }

    pub fn late_credit(&self) -> Weight {
        self.late_credit.unwrap_or(DEFAULT_LATE_CREDIT)
    }

    /// The typed form, as [`parse`] reads it back.
    pub fn text(&self) -> String {
        let mut out = KEYWORD.to_string();
        if let (Some(f), Some(t)) = (self.from, self.to) {
            out.push_str(&format!(" {f}..{t}"));
        }
        if let Some(w) = self.weights {
            let p = |part| {
                let s = w.of(part).to_string();
                s.trim_end_matches('%').to_string()
            };
            out.push_str(&format!(
                " {}/{}/{}",
                p(DailyPart::Attendance),
                p(DailyPart::Homework),
                p(DailyPart::Mentor)
            ));
        }
        if let Some(l) = self.late_credit {
            out.push_str(&format!(" late={}", l.to_string().trim_end_matches('%')));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::round::tests::plan;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_bare_keyword_takes_the_defaults() {
        let s = parse("training", SourceKind::Daily).unwrap();
        assert_eq!(s.weights(), DailyWeights::default());
        assert_eq!(s.late_credit(), Weight::FULL);
        // 90 days before 2026-11-01, to the end of the assessment.
        assert_eq!(s.period(&plan()), (d("2026-08-03"), d("2026-11-30")));
        assert_eq!(s.text(), "training");
        assert!(is_training(" Training 30/40/30"));
        assert!(!is_training("EXAM-1"));
    }

    #[test]
    fn settings_round_trip() {
        let raw = "training 2026-09-01..2026-12-31 20/50/30 late=50";
        let s = parse(raw, SourceKind::Daily).unwrap();
        assert_eq!(s.period(&plan()), (d("2026-09-01"), d("2026-12-31")));
        assert_eq!(s.weights().of(DailyPart::Homework), Weight::percent(50));
        assert_eq!(s.late_credit(), Weight::percent(50));
        assert_eq!(s.text(), raw);
        assert_eq!(parse(&s.text(), SourceKind::Daily), Ok(s));
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<TrainingSource>(&json).unwrap(), s);
    }

    #[test]
    fn bad_settings_are_refused_with_their_code() {
        let code = |raw: &str, kind| parse(raw, kind).unwrap_err().code();
        assert_eq!(code("train", SourceKind::Daily), "round-training-syntax");
        assert_eq!(
            code("training soon", SourceKind::Daily),
            "round-training-syntax"
        );
        assert_eq!(
            code("training 2026-12-01..2026-11-01", SourceKind::Daily),
            "round-training-period"
        );
        assert_eq!(
            code("training 30/40/40", SourceKind::Daily),
            "round-training-weights"
        );
        assert_eq!(
            code("training 30/70", SourceKind::Daily),
            "round-training-syntax"
        );
        assert_eq!(
            code("training 30/40/30", SourceKind::Attendance),
            "round-training-weights-daily"
        );
        assert_eq!(
            code("training late=120", SourceKind::Daily),
            "round-training-late"
        );
        assert_eq!(code("training", SourceKind::Exam), "round-training-kind");
        assert!(parse("training late=80", SourceKind::Attendance).is_ok());
    }
}
