//! What a failed result sets in motion (seed-rules §4.5): the ladder step for this
//! attempt, the off-duty period, a probation extension, an HR procedure, and the retake.
//!
//! skillcert records and reports these; payroll and HR act on them.

use chrono::{Duration, Months, NaiveDate};
use serde::Serialize;

use crate::org::EmployeeStatus;
use crate::scheme::{HrProcedure, Step};

/// The consequences of one failure, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consequence {
    /// 1 for the first failure within the counting period.
    pub failure_number: u32,
    pub step_key: String,
    pub withhold_pay_percent: u8,
    pub off_duty_days: u32,
    /// The last day of off-duty training, when there is any.
    pub off_duty_until: Option<NaiveDate>,
    /// The new end of probation, for staff still on probation.
    pub probation_until: Option<NaiveDate>,
    pub hr_procedure: HrProcedure,
    pub retake_allowed: bool,
    /// The first day a retake may be taken: after off-duty training, else the next day.
    pub retake_from: Option<NaiveDate>,
    /// The status the employee moves to now (off-duty training), if it changes.
    pub status_now: Option<EmployeeStatus>,
}

/// The consequence of the `failure_number`-th failure under `step`, decided on `decided`
/// for an employee now in `status` whose probation ends on `probation_ends` (if known).
pub fn consequence_of(
    step: &Step,
    failure_number: u32,
    decided: NaiveDate,
    status: EmployeeStatus,
    probation_ends: Option<NaiveDate>,
) -> Consequence {
    let off_duty_until = (step.off_duty_days > 0)
        .then(|| decided + Duration::days(i64::from(step.off_duty_days) - 1));
    let on_probation = status == EmployeeStatus::Probation;
    let probation_until = (on_probation && step.probation_extension_months > 0)
        .then(|| {
            probation_ends
                .unwrap_or(decided)
                .checked_add_months(Months::new(step.probation_extension_months))
        })
        .flatten();
    let retake_from = step.retake_allowed.then(|| match off_duty_until {
        Some(last) => last + Duration::days(1),
        None => decided + Duration::days(1),
    });
    // Staff on probation keep that status during training: the probation clock is what
    // matters for them, and S1 extends it instead.
    let status_now = (step.off_duty_days > 0 && !on_probation)
        .then_some(EmployeeStatus::OffDutyTraining)
        .filter(|s| *s != status);
    Consequence {
        failure_number,
        step_key: step.key.clone(),
        withhold_pay_percent: step.withhold_pay_percent,
        off_duty_days: step.off_duty_days,
        off_duty_until,
        probation_until,
        hr_procedure: step.hr_procedure,
        retake_allowed: step.retake_allowed,
        retake_from,
        status_now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheme::presets;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_s4_routine_ladder_escalates() {
        let s4 = presets::get("s4-routine-assessment").unwrap();
        let day = d("2026-11-23");
        let first = consequence_of(
            s4.ladder().step_for(1).unwrap(),
            1,
            day,
            EmployeeStatus::Active,
            None,
        );
        assert_eq!(first.withhold_pay_percent, 10);
        assert_eq!(first.off_duty_until, Some(d("2026-12-02")), "10 days");
        assert_eq!(first.retake_from, Some(d("2026-12-03")));
        assert_eq!(first.status_now, Some(EmployeeStatus::OffDutyTraining));
        let second = consequence_of(
            s4.ladder().step_for(2).unwrap(),
            2,
            day,
            EmployeeStatus::Active,
            None,
        );
        assert_eq!(second.withhold_pay_percent, 20);
        assert_eq!(second.off_duty_until, Some(d("2026-12-12")));
        let third = consequence_of(
            s4.ladder().step_for(3).unwrap(),
            3,
            day,
            EmployeeStatus::Active,
            None,
        );
        assert_eq!(third.hr_procedure, HrProcedure::TransferOrTermination);
        assert!(!third.retake_allowed);
        assert_eq!(third.retake_from, None);
        assert_eq!(third.status_now, None);
    }

    #[test]
    fn s1_extends_probation_for_new_hires_only() {
        let s1 = presets::get("s1-certification").unwrap();
        let step = s1.ladder().step_for(1).unwrap();
        let day = d("2026-11-23");
        let hire = consequence_of(
            step,
            1,
            day,
            EmployeeStatus::Probation,
            Some(d("2027-01-15")),
        );
        assert_eq!(hire.probation_until, Some(d("2027-02-15")));
        assert_eq!(hire.retake_from, Some(d("2026-11-24")));
        assert_eq!(hire.status_now, None);
        let staff = consequence_of(step, 1, day, EmployeeStatus::Active, None);
        assert_eq!(staff.probation_until, None);
    }

    #[test]
    fn an_employee_already_off_duty_does_not_change_status() {
        let s4 = presets::get("s4-routine-assessment").unwrap();
        let c = consequence_of(
            s4.ladder().step_for(1).unwrap(),
            1,
            d("2026-11-23"),
            EmployeeStatus::OffDutyTraining,
            None,
        );
        assert_eq!(c.status_now, None);
    }
}
