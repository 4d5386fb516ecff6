//! Practical assessments: events planned by the training manager, panels of judges drawn
//! by lot from published seeds, judges' score sheets, trimmed results that feed the
//! scheme's panel component, and the statistics that show how the judges judged.
//!
//! Who may do what:
//! - planning, drawing and closing: `AssessmentManage`;
//! - scoring: `AssessmentJudge` and a seat on the candidate's panel;
//! - correcting a submitted sheet or releasing a held result: the event's chief judge, or
//!   `AssessmentManage`;
//! - results and analytics: `AssessmentResults` covering the candidate's department (the
//!   whole company for analytics), or `AssessmentManage`, or the chief judge.

pub mod analytics;
pub mod draw;
pub mod events;
pub mod results;
pub mod sheets;

use serde::{Deserialize, Serialize};
use skillcert_domain::access::{Permission, Scope};
use skillcert_domain::practical::rubric::Rubric;
use skillcert_domain::practical::rules::PanelRules;
use skillcert_store::practical::EventRow;

use crate::{Actor, AppError, AppResult};

/// Error codes of this module that pages and the API translate (`error-<code>`).
pub const ERROR_CODES: [&str; 12] = [
    "event-not-planning",
    "event-not-scoring",
    "event-closed",
    "event-no-seed",
    "event-no-subjects",
    "event-sheets-submitted",
    "sheet-not-seated",
    "sheet-already-submitted",
    "sheet-not-submitted",
    "event-calibration",
    "no-employee",
    "result-not-held",
];

/// What an event stores as its rules: the panel rules and the scheme version they came
/// from, so a result is always evaluated under the version the event was planned with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRules {
    #[serde(flatten)]
    pub panel: PanelRules,
    /// `preset` or a stored version number (see [`crate::schemes::Pick::as_param`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme_version: Option<String>,
}

/// An event with its rubric and rules decoded.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub row: EventRow,
    pub rules: StoredRules,
    pub rubric: Rubric,
}

impl Loaded {
    pub fn decode(row: EventRow) -> AppResult<Loaded> {
        let rules: StoredRules = serde_json::from_str(&row.rules)
            .map_err(|e| anyhow::anyhow!("event {} rules: {e}", row.id))?;
        let rubric = Rubric::parse_toml(&row.rubric)
            .map_err(|e| anyhow::anyhow!("event {} rubric: {e}", row.id))?;
        Ok(Loaded { row, rules, rubric })
    }

    pub fn is_calibration(&self) -> bool {
        self.row.kind == "calibration"
    }

    /// The chief judge, or a manager, may correct sheets and release held results.
    pub fn may_arbitrate(&self, actor: &Actor) -> bool {
        self.row.chief_user_id == Some(actor.user_id) || actor.can(Permission::AssessmentManage)
    }
}

/// Results are shown to managers, to the chief judge, and to holders of
/// `AssessmentResults` for the candidates in their departments.
pub(crate) fn results_scope(actor: &Actor, event: &Loaded) -> AppResult<Scope> {
    if event.may_arbitrate(actor) {
        return Ok(Scope::All);
    }
    let scope = actor.scope(Permission::AssessmentResults);
    if scope.allows_any() {
        Ok(scope)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Parses a list of employee numbers (spaces, commas, semicolons or new lines).
pub(crate) fn employee_numbers(raw: &str) -> Vec<&str> {
    raw.split(|ch: char| ch.is_whitespace() || matches!(ch, ',' | '，' | ';' | '；'))
        .filter(|s| !s.is_empty())
        .collect()
}
