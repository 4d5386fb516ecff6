//! Retake ladders: what happens after the 1st, 2nd, 3rd… failure.

use serde::{Deserialize, Serialize};

use super::Labels;

/// A procedure HR must start; the system records the decision, people carry it out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HrProcedure {
    #[default]
    None,
    Transfer,
    /// Under Labour Contract Law art. 40(2) in the seeds: still unfit after training.
    Termination,
    /// The seeds leave the choice between the two to HR.
    TransferOrTermination,
}

impl HrProcedure {
    pub fn key(self) -> &'static str {
        match self {
            HrProcedure::None => "none",
            HrProcedure::Transfer => "transfer",
            HrProcedure::Termination => "termination",
            HrProcedure::TransferOrTermination => "transfer_or_termination",
        }
    }
}

/// The consequences of one failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub key: String,
    pub labels: Labels,
    /// Share of performance pay withheld, 0–100.
    #[serde(default)]
    pub withhold_pay_percent: u8,
    /// Days of off-duty training before the employee may work again.
    #[serde(default)]
    pub off_duty_days: u32,
    /// Months added to the probation period; applies only to staff still on probation.
    #[serde(default)]
    pub probation_extension_months: u32,
    /// Required rather than defaulted: silently granting or refusing a retake is exactly
    /// the mistake an author must not make by omission.
    pub retake_allowed: bool,
    #[serde(default)]
    pub hr_procedure: HrProcedure,
}

/// The ordered steps; validated by the scheme (unique keys, percentages ≤ 100).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetakeLadder {
    steps: Vec<Step>,
}

impl RetakeLadder {
    pub(crate) fn new(steps: Vec<Step>) -> RetakeLadder {
        RetakeLadder { steps }
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The step for the `failure_number`-th failure, counted from 1.
    ///
    /// Failures beyond the last step get the last step again: the seeds end their ladders
    /// with the harshest measure (termination, or "retrain and retake"), and repeating it
    /// is the only reading that never invents a milder consequence. `0` and an empty
    /// ladder give `None`.
    pub fn step_for(&self, failure_number: u32) -> Option<&Step> {
        let index = usize::try_from(failure_number.checked_sub(1)?).ok()?;
        self.steps.get(index).or_else(|| self.steps.last())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(key: &str) -> Step {
        Step {
            key: key.to_string(),
            labels: Labels::new(key, key),
            withhold_pay_percent: 0,
            off_duty_days: 0,
            probation_extension_months: 0,
            retake_allowed: true,
            hr_procedure: HrProcedure::None,
        }
    }

    #[test]
    fn failures_count_from_one_and_repeat_the_last_step() {
        let ladder = RetakeLadder::new(vec![step("a"), step("b"), step("c")]);
        let key = |n| ladder.step_for(n).map(|s| s.key.as_str());
        assert_eq!(key(0), None);
        assert_eq!(key(1), Some("a"));
        assert_eq!(key(2), Some("b"));
        assert_eq!(key(3), Some("c"));
        assert_eq!(key(4), Some("c"));
        assert_eq!(key(u32::MAX), Some("c"));
        assert_eq!(RetakeLadder::default().step_for(1), None);
    }
}
