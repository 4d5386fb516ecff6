//! How an assessment event forms and uses its panel: the pools drawn from and their quotas,
//! per event or per candidate, the conflicts that exclude a judge, whether judges see each
//! other's marks before all have submitted, and the trimming policy.
//!
//! The trimming policy is the scheme's panel policy when the event feeds a scheme, copied
//! when the event is planned, so the result on the event page and the scheme's panel
//! component are computed by the same function from the same marks.

use serde::{Deserialize, Serialize};

use super::draw::{ConflictRules, DrawScope, PoolSpec};
use super::rubric::Rubric;
use crate::scheme::{Labels, PanelPolicy, Score, Trim, is_valid_key};

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelRules {
    pub pools: Vec<PoolSpec>,
    pub scope: DrawScope,
    #[serde(default)]
    pub conflicts: ConflictRules,
    /// Judges see the other sheets of a candidate only once every seated judge has
    /// submitted, so that nobody anchors on a colleague's marks.
    #[serde(default = "yes")]
    pub blind: bool,
    pub policy: PanelPolicy,
}

/// Why panel rules were refused. `code()` is stable and has a locale key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("at least one pool of judges is needed")]
    NoPools,
    #[error("pool key {0:?} must be lowercase letters, digits, - or _")]
    PoolKey(String),
    #[error("pool {0:?} is listed twice")]
    DuplicatePool(String),
    #[error("pool {0:?} has a quota of 0")]
    ZeroQuota(String),
    #[error("the policy needs {min} marks but the panel has only {panel} judges")]
    MinAbovePanel { min: u32, panel: u32 },
    #[error("dropping {drops} marks leaves nothing of a panel of {panel}")]
    DropsAbovePanel { drops: u32, panel: u32 },
    #[error(
        "per-item trimming adds the items' trimmed means, so it needs a rubric out of 100 \
         without N/A or critical items"
    )]
    PerItemRubric,
}

impl RuleError {
    pub fn code(&self) -> &'static str {
        match self {
            RuleError::NoPools => "rules-no-pools",
            RuleError::PoolKey(_) => "rules-pool-key",
            RuleError::DuplicatePool(_) => "rules-pool-duplicate",
            RuleError::ZeroQuota(_) => "rules-quota-zero",
            RuleError::MinAbovePanel { .. } => "rules-min-above-panel",
            RuleError::DropsAbovePanel { .. } => "rules-drops-above-panel",
            RuleError::PerItemRubric => "rules-per-item-rubric",
        }
    }
}

impl PanelRules {
    /// S4 (seed-rules §4.2): 7 judges drawn 3 : 4 from the leadership group and its office,
    /// once for the event, the highest and the lowest mark dropped.
    pub fn s4() -> PanelRules {
        PanelRules {
            pools: vec![
                PoolSpec {
                    key: "leadership".into(),
                    labels: Labels::new("领导小组", "Leadership group"),
                    quota: 3,
                },
                PoolSpec {
                    key: "office".into(),
                    labels: Labels::new("领导小组办公室", "Leadership group office"),
                    quota: 4,
                },
            ],
            scope: DrawScope::Event,
            conflicts: ConflictRules::default(),
            blind: true,
            policy: PanelPolicy {
                min_marks: 7,
                drop_highest: 1,
                drop_lowest: 1,
                trim: Trim::Total,
                divergence_tolerance: None,
            },
        }
    }

    /// Judges on one panel: the sum of the quotas.
    pub fn panel_size(&self) -> u32 {
        self.pools.iter().map(|p| p.quota).sum()
    }

    /// Every problem at once. A calibration has no draw (every judge scores), so quotas
    /// only matter for assessments.
    pub fn check(&self, rubric: &Rubric, calibration: bool) -> Vec<RuleError> {
        let mut errors = Vec::new();
        if self.pools.is_empty() {
            errors.push(RuleError::NoPools);
        }
        let mut seen = std::collections::BTreeSet::new();
        for p in &self.pools {
            if !is_valid_key(&p.key) {
                errors.push(RuleError::PoolKey(p.key.clone()));
            }
            if !seen.insert(p.key.as_str()) {
                errors.push(RuleError::DuplicatePool(p.key.clone()));
            }
            if p.quota == 0 && !calibration {
                errors.push(RuleError::ZeroQuota(p.key.clone()));
            }
        }
        let panel = self.panel_size();
        let drops = self.policy.drop_highest + self.policy.drop_lowest;
        if !calibration && !self.pools.is_empty() {
            if self.policy.min_marks > panel {
                errors.push(RuleError::MinAbovePanel {
                    min: self.policy.min_marks,
                    panel,
                });
            }
            if drops >= panel {
                errors.push(RuleError::DropsAbovePanel { drops, panel });
            }
        }
        if self.policy.trim == Trim::PerItem && !per_item_ready(rubric) {
            errors.push(RuleError::PerItemRubric);
        }
        errors
    }
}

/// Per-item trimming feeds each item's marks to the scheme as they are, so the items must
/// add up to 100 and no sheet-level rule (N/A, critical caps) may change them.
pub fn per_item_ready(rubric: &Rubric) -> bool {
    rubric.max_points() == 100
        && rubric
            .items()
            .all(|i| !i.allow_na && i.critical.is_none() && i.max <= 100)
}

/// A score as whole points, for item marks (which never exceed 100 on a per-item rubric).
pub fn item_score(points: u32) -> Score {
    Score::from_hundredths(points.saturating_mul(100)).unwrap_or(Score::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::practical::rubric;

    fn s4_rubric() -> Rubric {
        Rubric::parse_toml(rubric::preset("s4-call-scoring").unwrap()).unwrap()
    }

    #[test]
    fn s4_rules_are_valid_and_seat_seven() {
        let r = PanelRules::s4();
        assert_eq!(r.panel_size(), 7);
        assert!(r.check(&s4_rubric(), false).is_empty());
        // The preset's panel policy is the scheme's.
        let scheme = crate::scheme::presets::get("s4-routine-assessment").unwrap();
        assert_eq!(
            scheme.component("onsite").unwrap().panel.as_ref(),
            Some(&r.policy)
        );
    }

    #[test]
    fn impossible_rules_say_why() {
        let mut r = PanelRules::s4();
        r.policy.min_marks = 9;
        r.pools[1].quota = 0;
        r.pools.push(r.pools[0].clone());
        let codes: Vec<&str> = r
            .check(&s4_rubric(), false)
            .iter()
            .map(|e| e.code())
            .collect();
        assert!(codes.contains(&"rules-min-above-panel"), "{codes:?}");
        assert!(codes.contains(&"rules-quota-zero"), "{codes:?}");
        assert!(codes.contains(&"rules-pool-duplicate"), "{codes:?}");
        let mut r = PanelRules::s4();
        r.policy.drop_highest = 4;
        r.policy.drop_lowest = 3;
        r.policy.min_marks = 1;
        let codes: Vec<&str> = r
            .check(&s4_rubric(), false)
            .iter()
            .map(|e| e.code())
            .collect();
        assert_eq!(codes, ["rules-drops-above-panel"]);
        let none = PanelRules {
            pools: vec![],
            ..PanelRules::s4()
        };
        let codes: Vec<&str> = none
            .check(&s4_rubric(), false)
            .iter()
            .map(|e| e.code())
            .collect();
        assert_eq!(codes, ["rules-no-pools"]);
    }

    #[test]
    fn per_item_trimming_needs_a_plain_rubric_out_of_100() {
        let mut r = PanelRules::s4();
        r.policy.trim = Trim::PerItem;
        assert!(per_item_ready(&s4_rubric()));
        assert!(r.check(&s4_rubric(), false).is_empty());
        let with_na = rubric::preset("s4-call-scoring").unwrap().replacen(
            "allow_na = false",
            "allow_na = true",
            1,
        );
        if let Ok(na) = Rubric::parse_toml(&with_na)
            && na.items().any(|i| i.allow_na)
        {
            assert_eq!(
                r.check(&na, false)
                    .iter()
                    .map(|e| e.code())
                    .collect::<Vec<_>>(),
                ["rules-per-item-rubric"]
            );
        }
    }

    #[test]
    fn rules_round_trip_through_json() {
        let r = PanelRules::s4();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<PanelRules>(&json).unwrap(), r);
    }
}
