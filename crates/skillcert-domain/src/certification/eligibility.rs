//! Who may apply for which level of a round (seed-rules §1, §5): within the registration
//! window, for an offered level, new hires for the basic level only, and higher levels
//! only for holders of the level below.

use chrono::NaiveDate;

use super::round::RoundPlan;
use crate::scheme::Scheme;

/// What the caller knows about an applicant on the day they apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    pub today: NaiveDate,
    /// Staff still on probation are new hires.
    pub on_probation: bool,
    /// Band keys of this scheme the applicant holds a current certificate for.
    pub held: Vec<String>,
    pub already_applied: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EligibilityError {
    #[error("registration is not open")]
    OutsideWindow,
    #[error("level {0:?} is not offered in this round")]
    LevelNotOffered(String),
    #[error("new hires apply for the basic level {0:?} first")]
    NewHireBasicOnly(String),
    #[error("level {level:?} requires holding {required:?} or above")]
    PrerequisiteMissing { level: String, required: String },
    #[error("already applied to this round")]
    AlreadyApplied,
    #[error("the round requires {required} training minutes this year; {done} are credited")]
    TrainingHoursMissing { required: u32, done: u64 },
    #[error("the round requires completing the training plan {0:?}")]
    TrainingPlanMissing(String),
}

impl EligibilityError {
    pub fn code(&self) -> &'static str {
        match self {
            EligibilityError::OutsideWindow => "apply-outside-window",
            EligibilityError::LevelNotOffered(_) => "apply-level-not-offered",
            EligibilityError::NewHireBasicOnly(_) => "apply-new-hire-basic",
            EligibilityError::PrerequisiteMissing { .. } => "apply-prerequisite",
            EligibilityError::AlreadyApplied => "apply-duplicate",
            EligibilityError::TrainingHoursMissing { .. } => "apply-training-hours",
            EligibilityError::TrainingPlanMissing(_) => "apply-training-plan",
        }
    }

    pub fn field(&self) -> &'static str {
        match self {
            EligibilityError::OutsideWindow | EligibilityError::AlreadyApplied => "round",
            EligibilityError::TrainingHoursMissing { .. }
            | EligibilityError::TrainingPlanMissing(_) => "training",
            _ => "level",
        }
    }
}

/// The rank of a band in the scheme, lowest first.
fn rank(scheme: &Scheme, key: &str) -> Option<usize> {
    scheme.bands().iter().position(|b| b.key == key)
}

/// Every reason the application is refused; empty when it may be taken.
pub fn check_application(
    plan: &RoundPlan,
    scheme: &Scheme,
    applicant: &Applicant,
    level: &str,
) -> Vec<EligibilityError> {
    let mut out = Vec::new();
    if !plan.registration_open(applicant.today) {
        out.push(EligibilityError::OutsideWindow);
    }
    if applicant.already_applied {
        out.push(EligibilityError::AlreadyApplied);
    }
    let offered = plan.levels_in_order(scheme);
    if !offered.contains(&level) {
        out.push(EligibilityError::LevelNotOffered(level.to_string()));
        return out;
    }
    if plan.new_hires_basic_only
        && applicant.on_probation
        && let Some(&basic) = offered.first()
        && basic != level
    {
        out.push(EligibilityError::NewHireBasicOnly(basic.to_string()));
    }
    if let Some(required) = plan.requires.get(level) {
        let needed = rank(scheme, required);
        let holds = applicant.held.iter().filter_map(|h| rank(scheme, h)).max();
        if needed.is_some() && holds < needed {
            out.push(EligibilityError::PrerequisiteMissing {
                level: level.to_string(),
                required: required.clone(),
            });
        }
    }
    out
}

/// What the applicant has done of the training a round requires (issue 7 item 8).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrainingDone {
    /// Minutes credited in the calendar year of the application.
    pub minutes: u64,
    /// Codes of the required plans the applicant has completed.
    pub completed_plans: Vec<String>,
}

/// Every training prerequisite of the round the applicant misses.
pub fn check_training(plan: &RoundPlan, done: &TrainingDone) -> Vec<EligibilityError> {
    let req = &plan.training;
    let mut out = Vec::new();
    if u64::from(req.min_minutes) > done.minutes {
        out.push(EligibilityError::TrainingHoursMissing {
            required: req.min_minutes,
            done: done.minutes,
        });
    }
    for code in &req.completed_plans {
        if !done.completed_plans.contains(code) {
            out.push(EligibilityError::TrainingPlanMissing(code.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::round::tests::{plan, s1};

    fn applicant() -> Applicant {
        Applicant {
            today: NaiveDate::from_ymd_opt(2026, 11, 5).unwrap(),
            on_probation: false,
            held: vec![],
            already_applied: false,
        }
    }

    fn codes(a: &Applicant, level: &str) -> Vec<&'static str> {
        check_application(&plan(), &s1(), a, level)
            .iter()
            .map(|e| e.code())
            .collect()
    }

    #[test]
    fn an_experienced_employee_may_apply_for_intermediate() {
        assert!(codes(&applicant(), "intermediate").is_empty());
        assert!(codes(&applicant(), "junior").is_empty());
    }

    #[test]
    fn training_prerequisites_name_what_is_missing() {
        let mut p = plan();
        assert!(
            check_training(&p, &TrainingDone::default()).is_empty(),
            "none required"
        );
        p.training.min_minutes = 480;
        p.training.completed_plans = vec!["PLAN-A".into(), "PLAN-B".into()];
        let done = TrainingDone {
            minutes: 479,
            completed_plans: vec!["PLAN-A".into()],
        };
        let got = check_training(&p, &done);
        let codes: Vec<_> = got.iter().map(|e| e.code()).collect();
        assert_eq!(codes, ["apply-training-hours", "apply-training-plan"]);
        assert_eq!(
            got[1],
            EligibilityError::TrainingPlanMissing("PLAN-B".into())
        );
        let done = TrainingDone {
            minutes: 480,
            completed_plans: vec!["PLAN-B".into(), "PLAN-A".into()],
        };
        assert!(check_training(&p, &done).is_empty());
    }

    #[test]
    fn senior_needs_intermediate_or_above() {
        assert_eq!(codes(&applicant(), "senior"), ["apply-prerequisite"]);
        let mut a = applicant();
        a.held = vec!["junior".into()];
        assert_eq!(codes(&a, "senior"), ["apply-prerequisite"]);
        a.held = vec!["intermediate".into()];
        assert!(codes(&a, "senior").is_empty());
        a.held = vec!["senior".into()];
        assert!(codes(&a, "senior").is_empty(), "or above");
    }

    #[test]
    fn new_hires_take_the_basic_level() {
        let mut a = applicant();
        a.on_probation = true;
        assert!(codes(&a, "junior").is_empty());
        assert_eq!(codes(&a, "intermediate"), ["apply-new-hire-basic"]);
        let mut p = plan();
        p.new_hires_basic_only = false;
        assert!(check_application(&p, &s1(), &a, "intermediate").is_empty());
    }

    #[test]
    fn window_level_and_duplicates_are_checked() {
        let mut a = applicant();
        a.today = NaiveDate::from_ymd_opt(2026, 11, 11).unwrap();
        a.already_applied = true;
        assert_eq!(
            codes(&a, "expert"),
            [
                "apply-outside-window",
                "apply-duplicate",
                "apply-level-not-offered"
            ]
        );
        let mut p = plan();
        p.levels = vec!["junior".into()];
        assert_eq!(
            check_application(&p, &s1(), &applicant(), "senior")[0].code(),
            "apply-level-not-offered"
        );
    }
}
