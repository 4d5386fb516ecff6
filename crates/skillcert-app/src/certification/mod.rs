//! Certification rounds end to end (issue 6): a round freezes a scheme version and plans
//! levels, windows and sources; employees apply; results are computed from the exam, the
//! panel and typed-in scores, frozen at review and published; appeals are decided by an
//! uninvolved reviewer; certificates are issued with gapless numbers as signed Open
//! Badges 3.0 credentials; failures record the retake ladder's consequences.

pub mod appeals;
pub mod applications;
pub mod certificates;
pub mod consequences;
pub mod inbox;
pub mod issuer;
pub mod report;
pub mod results;
pub mod rounds;

use skillcert_domain::certification::RoundPlan;
use skillcert_domain::scheme::Scheme;
use skillcert_store::certification::RoundRow;

use crate::{AppError, AppResult};

/// Every problem code the certification services may return; each has a locale key
/// `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[
    "round-no-levels",
    "round-level-unknown",
    "round-level-duplicate",
    "round-prerequisite-unknown",
    "round-not-certifying",
    "round-registration-order",
    "round-assessment-order",
    "round-assessment-early",
    "round-period-long",
    "round-appeal-window",
    "round-source-kind",
    "round-source-unknown",
    "round-not-open",
    "round-not-reviewed",
    "round-not-published",
    "round-no-results",
    "round-appeals-pending",
    "round-appeal-window-open",
    "apply-outside-window",
    "apply-level-not-offered",
    "apply-new-hire-basic",
    "apply-prerequisite",
    "apply-duplicate",
    "apply-not-employee",
    "apply-decided",
    "attachment-empty",
    "attachment-too-large",
    "attachment-type",
    "attachment-kind",
    "attachment-too-many",
    "score-out-of-range",
    "score-not-manual",
    "score-not-candidate",
    "appeal-window-closed",
    "appeal-not-yours",
    "appeal-pending",
    "appeal-decided",
    "appeal-component-unknown",
    "appeal-reviewer-involved",
    "appeal-reason-missing",
    "appeal-rescore-empty",
    "appeal-panel-pending",
    "appeal-no-panel",
    "appeal-panel-open",
    "certificate-revoked",
    "certificate-reason-missing",
    "consequence-returned",
];

/// A stored round with its frozen scheme and plan decoded.
#[derive(Debug, Clone)]
pub struct Round {
    pub row: RoundRow,
    pub scheme: Scheme,
    pub plan: RoundPlan,
}

impl Round {
    pub fn decode(row: RoundRow) -> AppResult<Round> {
        let scheme = Scheme::parse_toml(&row.scheme)
            .map_err(|e| anyhow::anyhow!("round {} scheme: {e}", row.id))?;
        let plan: RoundPlan = serde_json::from_str(&row.plan)
            .map_err(|e| anyhow::anyhow!("round {} plan: {e}", row.id))?;
        Ok(Round { row, scheme, plan })
    }

    pub fn is(&self, status: &str) -> bool {
        self.row.status == status
    }

    /// Refuses with `code` unless the round is in `status`.
    pub fn require(&self, status: &str, code: &'static str) -> AppResult<()> {
        if self.is(status) {
            Ok(())
        } else {
            Err(AppError::Rejected(vec![crate::Problem::new(
                "status", code,
            )]))
        }
    }
}
