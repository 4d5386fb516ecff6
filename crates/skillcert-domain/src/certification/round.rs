//! A certification round: a scheme version, the levels offered, a registration window, an
//! assessment period, and the notice and appeal periods that follow publication.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::scheme::Scheme;

/// Basic or advanced certification; decides the time limit of seed-rules §3 (S0: basic
/// completes within 2 weeks, advanced within 1 month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Track {
    Basic,
    Advanced,
}

impl Track {
    pub fn key(self) -> &'static str {
        match self {
            Track::Basic => "basic",
            Track::Advanced => "advanced",
        }
    }

    pub fn parse(raw: &str) -> Option<Track> {
        match raw {
            "basic" => Some(Track::Basic),
            "advanced" => Some(Track::Advanced),
            _ => None,
        }
    }

    /// Longest assessment period in days, first and last day included.
    pub fn limit_days(self) -> i64 {
        match self {
            Track::Basic => 14,
            Track::Advanced => 31,
        }
    }
}

/// When certificates are issued: after the appeal window closes (the default, so that no
/// certificate has to be withdrawn after a successful appeal) or at publication.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueAt {
    #[default]
    AppealClose,
    Publication,
}

impl IssueAt {
    pub fn key(self) -> &'static str {
        match self {
            IssueAt::AppealClose => "appeal_close",
            IssueAt::Publication => "publication",
        }
    }

    pub fn parse(raw: &str) -> Option<IssueAt> {
        match raw {
            "appeal_close" => Some(IssueAt::AppealClose),
            "publication" => Some(IssueAt::Publication),
            _ => None,
        }
    }
}

/// Longest notice or appeal period accepted, in days.
pub const PERIOD_MAX_DAYS: u32 = 90;

/// What a training manager plans; validated against the round's scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundPlan {
    pub track: Track,
    /// Band keys of the scheme that candidates may apply for.
    pub levels: Vec<String>,
    /// Level → the level (or above) an applicant must already hold (S1: "intermediate or
    /// above before senior").
    #[serde(default)]
    pub requires: BTreeMap<String, String>,
    /// New hires (staff on probation) may apply for the lowest offered level only (S0).
    #[serde(default = "yes")]
    pub new_hires_basic_only: bool,
    pub registration_opens: NaiveDate,
    pub registration_closes: NaiveDate,
    pub assessment_starts: NaiveDate,
    pub assessment_ends: NaiveDate,
    /// Days results stay on public notice after publication.
    pub notice_days: u32,
    /// Days after publication within which an employee may appeal.
    pub appeal_days: u32,
    #[serde(default)]
    pub issue_at: IssueAt,
    /// Training an applicant must have done (issue 7): plans completed and hours in the year.
    #[serde(default, skip_serializing_if = "TrainingPrerequisites::is_empty")]
    pub training: TrainingPrerequisites,
    /// Components fed by training records (attendance rate, the daily composite), by
    /// component key; see [`super::training_source`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub training_sources: BTreeMap<String, super::training_source::TrainingSource>,
}

/// Upper bound of a round's training-hours prerequisite: 1,000 hours, far above any rule.
pub const TRAINING_MINUTES_MAX: u32 = 1_000 * 60;

/// The training prerequisites of a round (issue 7 item 8). Plans are named by code and
/// checked against the stored plans by the service, which also knows the ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingPrerequisites {
    /// Training minutes credited in the calendar year of the application; 0 for none.
    #[serde(default)]
    pub min_minutes: u32,
    /// Codes of training plans whose mandatory sessions the applicant must all have attended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub completed_plans: Vec<String>,
}

impl TrainingPrerequisites {
    pub fn is_empty(&self) -> bool {
        self.min_minutes == 0 && self.completed_plans.is_empty()
    }
}

fn yes() -> bool {
    true
}

/// Why a round plan was refused; `code()` is stable and has a locale key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoundError {
    #[error("the round offers no level")]
    NoLevels,
    #[error("level {0:?} is not a band of the scheme")]
    UnknownLevel(String),
    #[error("level {0:?} is listed twice")]
    DuplicateLevel(String),
    #[error("the prerequisite of {0:?} names a level the scheme does not have")]
    UnknownPrerequisite(String),
    #[error("the scheme has no levels and no certificate rules")]
    NotCertifying,
    #[error("registration closes before it opens")]
    RegistrationOrder,
    #[error("the assessment ends before it starts")]
    AssessmentOrder,
    #[error("the assessment starts before registration opens")]
    AssessmentBeforeRegistration,
    #[error("a period is longer than {PERIOD_MAX_DAYS} days")]
    PeriodTooLong,
    #[error("the appeal window must be at least one day")]
    NoAppealWindow,
    #[error("the training hours required must be at most 1,000")]
    TrainingHoursRange,
}

impl RoundError {
    pub fn code(&self) -> &'static str {
        match self {
            RoundError::NoLevels => "round-no-levels",
            RoundError::UnknownLevel(_) => "round-level-unknown",
            RoundError::DuplicateLevel(_) => "round-level-duplicate",
            RoundError::UnknownPrerequisite(_) => "round-prerequisite-unknown",
            RoundError::NotCertifying => "round-not-certifying",
            RoundError::RegistrationOrder => "round-registration-order",
            RoundError::AssessmentOrder => "round-assessment-order",
            RoundError::AssessmentBeforeRegistration => "round-assessment-early",
            RoundError::PeriodTooLong => "round-period-long",
            RoundError::NoAppealWindow => "round-appeal-window",
            RoundError::TrainingHoursRange => "round-training-hours-range",
        }
    }

    /// The form field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            RoundError::NoLevels | RoundError::UnknownLevel(_) | RoundError::DuplicateLevel(_) => {
                "levels"
            }
            RoundError::UnknownPrerequisite(_) => "requires",
            RoundError::NotCertifying => "scheme",
            RoundError::RegistrationOrder => "registration_closes",
            RoundError::AssessmentOrder | RoundError::AssessmentBeforeRegistration => {
                "assessment_ends"
            }
            RoundError::PeriodTooLong => "appeal_days",
            RoundError::NoAppealWindow => "appeal_days",
            RoundError::TrainingHoursRange => "training_hours",
        }
    }
}

impl RoundPlan {
    /// Every problem of the plan, not just the first.
    pub fn validate(&self, scheme: &Scheme) -> Vec<RoundError> {
        let mut out = Vec::new();
        if scheme.bands().is_empty() || scheme.certificate().is_none() {
            out.push(RoundError::NotCertifying);
        }
        if self.levels.is_empty() {
            out.push(RoundError::NoLevels);
        }
        let band = |k: &str| scheme.bands().iter().any(|b| b.key == k);
        for (i, level) in self.levels.iter().enumerate() {
            if !band(level) {
                out.push(RoundError::UnknownLevel(level.clone()));
            } else if self.levels[..i].contains(level) {
                out.push(RoundError::DuplicateLevel(level.clone()));
            }
        }
        for (level, required) in &self.requires {
            if !band(level) || !band(required) {
                out.push(RoundError::UnknownPrerequisite(level.clone()));
            }
        }
        if self.registration_closes < self.registration_opens {
            out.push(RoundError::RegistrationOrder);
        }
        if self.assessment_ends < self.assessment_starts {
            out.push(RoundError::AssessmentOrder);
        }
        if self.assessment_starts < self.registration_opens {
            out.push(RoundError::AssessmentBeforeRegistration);
        }
        if self.notice_days > PERIOD_MAX_DAYS || self.appeal_days > PERIOD_MAX_DAYS {
            out.push(RoundError::PeriodTooLong);
        }
        if self.appeal_days == 0 {
            out.push(RoundError::NoAppealWindow);
        }
        if self.training.min_minutes > TRAINING_MINUTES_MAX {
            out.push(RoundError::TrainingHoursRange);
        }
        out
    }

    /// Days of the assessment period, first and last included.
    pub fn assessment_days(&self) -> i64 {
        (self.assessment_ends - self.assessment_starts).num_days() + 1
    }

    /// A warning, not a refusal: S0's time limits are a goal the plan should meet, and a
    /// manager may have reasons (holidays) to exceed it knowingly.
    pub fn exceeds_time_limit(&self) -> bool {
        self.assessment_days() > self.track.limit_days()
    }

    pub fn registration_open(&self, today: NaiveDate) -> bool {
        self.registration_opens <= today && today <= self.registration_closes
    }

    /// The levels in the scheme's order (lowest band first), whatever order they were
    /// typed in.
    pub fn levels_in_order<'a>(&'a self, scheme: &'a Scheme) -> Vec<&'a str> {
        scheme
            .bands()
            .iter()
            .filter(|b| self.levels.contains(&b.key))
            .map(|b| b.key.as_str())
            .collect()
    }
}

/// The last day of the notice period that starts on `published`.
pub fn notice_ends(published: NaiveDate, notice_days: u32) -> NaiveDate {
    published + Duration::days(i64::from(notice_days))
}

/// The last day on which an appeal is accepted: publication day plus the window.
pub fn appeal_closes(published: NaiveDate, appeal_days: u32) -> NaiveDate {
    published + Duration::days(i64::from(appeal_days))
}

/// Appeals are accepted from publication to the closing day, both included.
pub fn appeal_open(published: NaiveDate, appeal_days: u32, today: NaiveDate) -> bool {
    published <= today && today <= appeal_closes(published, appeal_days)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::scheme::presets;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub(crate) fn s1() -> Scheme {
        presets::get("s1-certification").unwrap()
    }

    pub(crate) fn plan() -> RoundPlan {
        RoundPlan {
            track: Track::Advanced,
            levels: vec!["junior".into(), "intermediate".into(), "senior".into()],
            requires: BTreeMap::from([("senior".into(), "intermediate".into())]),
            new_hires_basic_only: true,
            registration_opens: d("2026-11-01"),
            registration_closes: d("2026-11-10"),
            assessment_starts: d("2026-11-12"),
            assessment_ends: d("2026-11-30"),
            notice_days: 7,
            appeal_days: 7,
            issue_at: IssueAt::AppealClose,
            training: TrainingPrerequisites::default(),
            training_sources: BTreeMap::new(),
        }
    }

    #[test]
    fn a_good_plan_passes() {
        assert!(plan().validate(&s1()).is_empty());
        assert!(!plan().exceeds_time_limit());
    }

    #[test]
    fn every_problem_is_reported() {
        let mut p = plan();
        p.levels = vec!["junior".into(), "junior".into(), "guru".into()];
        p.requires.insert("senior".into(), "guru".into());
        p.registration_closes = d("2026-10-01");
        p.assessment_ends = d("2026-11-11");
        p.appeal_days = 0;
        let codes: Vec<_> = p.validate(&s1()).iter().map(|e| e.code()).collect();
        assert_eq!(
            codes,
            [
                "round-level-duplicate",
                "round-level-unknown",
                "round-prerequisite-unknown",
                "round-registration-order",
                "round-assessment-order",
                "round-appeal-window"
            ]
        );
        p.levels.clear();
        p.notice_days = 91;
        let codes: Vec<_> = p.validate(&s1()).iter().map(|e| e.code()).collect();
        assert!(codes.contains(&"round-no-levels"));
        assert!(codes.contains(&"round-period-long"));
    }

    #[test]
    fn training_prerequisites_are_bounded_and_optional_in_json() {
        let mut p = plan();
        let json = serde_json::to_value(&p).unwrap();
        assert!(
            json.get("training").is_none(),
            "empty prerequisites are left out"
        );
        let back: RoundPlan = serde_json::from_value(json).unwrap();
        assert!(back.training.is_empty(), "older plans read without them");
        p.training.min_minutes = TRAINING_MINUTES_MAX + 1;
        let codes: Vec<_> = p.validate(&s1()).iter().map(|e| e.code()).collect();
        assert_eq!(codes, ["round-training-hours-range"]);
        p.training.min_minutes = 480;
        p.training.completed_plans = vec!["PLAN-2026".into()];
        assert!(p.validate(&s1()).is_empty());
    }

    #[test]
    fn a_scheme_without_levels_cannot_certify() {
        let s4 = presets::get("s4-routine-assessment").unwrap();
        let codes: Vec<_> = plan().validate(&s4).iter().map(|e| e.code()).collect();
        assert!(codes.contains(&"round-not-certifying"));
    }

    #[test]
    fn time_limits_follow_s0() {
        let mut p = plan();
        p.track = Track::Basic;
        p.assessment_starts = d("2026-11-12");
        p.assessment_ends = d("2026-11-25");
        assert_eq!(p.assessment_days(), 14);
        assert!(!p.exceeds_time_limit());
        p.assessment_ends = d("2026-11-26");
        assert!(p.exceeds_time_limit());
        p.track = Track::Advanced;
        p.assessment_ends = d("2026-12-12");
        assert_eq!(p.assessment_days(), 31);
        assert!(!p.exceeds_time_limit());
        p.assessment_ends = d("2026-12-13");
        assert!(p.exceeds_time_limit());
    }

    #[test]
    fn windows_include_both_ends() {
        let p = plan();
        assert!(!p.registration_open(d("2026-10-31")));
        assert!(p.registration_open(d("2026-11-01")));
        assert!(p.registration_open(d("2026-11-10")));
        assert!(!p.registration_open(d("2026-11-11")));
        let published = d("2026-12-01");
        assert_eq!(appeal_closes(published, 7), d("2026-12-08"));
        assert!(!appeal_open(published, 7, d("2026-11-30")));
        assert!(appeal_open(published, 7, published));
        assert!(appeal_open(published, 7, d("2026-12-08")));
        assert!(!appeal_open(published, 7, d("2026-12-09")));
        assert_eq!(notice_ends(published, 5), d("2026-12-06"));
    }

    #[test]
    fn levels_come_out_lowest_first() {
        let mut p = plan();
        p.levels = vec!["senior".into(), "junior".into()];
        assert_eq!(p.levels_in_order(&s1()), ["junior", "senior"]);
    }
}
