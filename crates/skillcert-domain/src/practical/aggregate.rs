//! From the judges' submitted sheets to one panel score: which marks count, which were
//! dropped and why, the standard error, and whether the result is held for the chief judge.
//!
//! The trimming itself is [`crate::scheme::trim`] / [`crate::scheme::trim_per_item`], the
//! very functions the scheme engine runs for its panel component, and [`scheme_input`]
//! hands the scheme the same marks — so the event's result page and the scheme's verdict
//! can never disagree.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::rubric::{ItemMark, Rubric, SheetScore};
use super::rules::item_score;
use crate::scheme::{
    DropReason, Input, PanelOutcome, PanelPolicy, Score, Trim, trim, trim_per_item,
};

/// One judge's submitted sheet, as the aggregation needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgeSheet {
    pub judge: i64,
    pub score: SheetScore,
    pub items: BTreeMap<String, ItemMark>,
}

/// A judge's mark on the result page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudgeMark {
    pub judge: i64,
    pub mark: Score,
    /// Set when trimming dropped this mark (on the total); per-item drops are on the items.
    pub dropped: Option<DropReason>,
}

/// One rubric item across the panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRow {
    pub key: String,
    /// `(judge, points)`; `None` for N/A.
    pub marks: Vec<(i64, Option<u32>)>,
    /// Judges whose mark on this item was dropped (per-item trimming only).
    pub dropped: Vec<(i64, DropReason)>,
    /// Trimmed mean in hundredths of a point (per-item trimming only).
    pub mean: Option<u32>,
    /// Highest minus lowest mark given, in points: where judges disagree.
    pub spread: Option<u32>,
}

/// The panel's result for one candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Combined {
    pub trim: Trim,
    pub marks: Vec<JudgeMark>,
    pub items: Vec<ItemRow>,
    /// `None` while too few sheets are in.
    pub score: Option<Score>,
    pub standard_error: Option<Score>,
    /// Range of the kept totals (per total), or the largest kept range of an item.
    pub range: Option<Score>,
    /// The kept marks diverge beyond the policy's tolerance.
    pub held: bool,
    /// Fewer sheets than the policy's minimum: no result yet.
    pub insufficient: bool,
    pub sheets: usize,
    pub min_sheets: u32,
}

/// Combines submitted sheets, in the order given (the order decides which of two equal
/// marks is recorded as dropped — never the score).
pub fn combine(rubric: &Rubric, policy: &PanelPolicy, sheets: &[JudgeSheet]) -> Combined {
    let totals: Vec<Score> = sheets.iter().map(|s| s.score.total).collect();
    let mut items: Vec<ItemRow> = rubric
        .items()
        .map(|item| {
            let marks: Vec<(i64, Option<u32>)> = sheets
                .iter()
                .map(|s| {
                    let m = match s.items.get(&item.key) {
                        Some(ItemMark::Points(p)) => Some(*p),
                        _ => None,
                    };
                    (s.judge, m)
                })
                .collect();
            let given: Vec<u32> = marks.iter().filter_map(|(_, m)| *m).collect();
            let spread = given
                .iter()
                .max()
                .zip(given.iter().min())
                .map(|(hi, lo)| hi - lo);
            ItemRow {
                key: item.key.clone(),
                marks,
                dropped: Vec::new(),
                mean: None,
                spread,
            }
        })
        .collect();
    let mut out = Combined {
        trim: policy.trim,
        marks: sheets
            .iter()
            .map(|s| JudgeMark {
                judge: s.judge,
                mark: s.score.total,
                dropped: None,
            })
            .collect(),
        items: Vec::new(),
        score: None,
        standard_error: None,
        range: None,
        held: false,
        insufficient: true,
        sheets: sheets.len(),
        min_sheets: policy.min_marks,
    };
    match policy.trim {
        Trim::Total => {
            let o = trim(&totals, policy);
            for d in &o.dropped {
                if let Some(m) = out.marks.get_mut(d.judge) {
                    m.dropped = Some(d.reason);
                }
            }
            fill(&mut out, &o);
        }
        Trim::PerItem => {
            let matrix = item_matrix(rubric, sheets);
            if let Ok(o) = trim_per_item(&matrix, policy) {
                for (row, item) in items.iter_mut().zip(&o.items) {
                    row.dropped = item
                        .dropped
                        .iter()
                        .filter_map(|d| sheets.get(d.judge).map(|s| (s.judge, d.reason)))
                        .collect();
                    row.mean = item.mean.map(Score::hundredths);
                }
                out.insufficient = o.insufficient;
                out.held = o.held_for_review;
                out.score = o.total;
                out.range = o.items.iter().filter_map(|i| i.range).max();
                out.standard_error = None;
            }
        }
    }
    out.items = items;
    out
}

fn fill(out: &mut Combined, o: &PanelOutcome) {
    out.insufficient = o.insufficient;
    out.held = o.held_for_review;
    out.range = o.range;
    out.standard_error = o.standard_error;
    out.score = if o.insufficient { None } else { o.mean };
}

/// `[judge][item]` in whole points, in rubric order. Per-item trimming only runs on
/// rubrics without N/A ([`super::rules::per_item_ready`]), so a missing mark is 0.
fn item_matrix(rubric: &Rubric, sheets: &[JudgeSheet]) -> Vec<Vec<Score>> {
    sheets
        .iter()
        .map(|s| {
            rubric
                .items()
                .map(|i| match s.items.get(&i.key) {
                    Some(ItemMark::Points(p)) => item_score(*p),
                    _ => Score::ZERO,
                })
                .collect()
        })
        .collect()
}

/// The scheme's panel component input for these sheets.
pub fn scheme_input(rubric: &Rubric, policy: &PanelPolicy, sheets: &[JudgeSheet]) -> Input {
    match policy.trim {
        Trim::Total => Input::Marks(sheets.iter().map(|s| s.score.total).collect()),
        Trim::PerItem => Input::ItemMarks(item_matrix(rubric, sheets)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::practical::rubric::{self, SheetMarks};
    use crate::practical::rules::PanelRules;
    use crate::scheme::{Inputs, presets};

    fn s4() -> Rubric {
        Rubric::parse_toml(rubric::preset("s4-call-scoring").unwrap()).unwrap()
    }

    /// A sheet with every item at `fraction` of its maximum, snapped to an allowed value.
    fn sheet(r: &Rubric, judge: i64, fraction: f64) -> JudgeSheet {
        let mut marks = SheetMarks::default();
        for item in r.items() {
            let v = item.nearest_allowed(fraction * f64::from(item.max));
            marks.items.insert(item.key.clone(), ItemMark::Points(v));
        }
        JudgeSheet {
            judge,
            score: r.score_sheet(&marks).unwrap(),
            items: marks.items,
        }
    }

    #[test]
    fn s4_panel_drops_the_highest_and_the_lowest_sheet() {
        let r = s4();
        let policy = PanelRules::s4().policy;
        let sheets: Vec<JudgeSheet> = [0.9, 0.8, 1.0, 0.85, 0.3, 0.88, 0.92]
            .iter()
            .enumerate()
            .map(|(i, f)| sheet(&r, 100 + i as i64, *f))
            .collect();
        let out = combine(&r, &policy, &sheets);
        assert!(!out.insufficient);
        let dropped: Vec<(i64, DropReason)> = out
            .marks
            .iter()
            .filter_map(|m| m.dropped.map(|d| (m.judge, d)))
            .collect();
        assert_eq!(
            dropped,
            vec![(102, DropReason::Highest), (104, DropReason::Lowest)]
        );
        // The score is the mean of the five kept totals.
        let kept: u32 = out
            .marks
            .iter()
            .filter(|m| m.dropped.is_none())
            .map(|m| m.mark.hundredths())
            .sum();
        let mean = out.score.unwrap().hundredths();
        assert!((i64::from(mean) * 5 - i64::from(kept)).abs() <= 5);
        assert!(out.standard_error.is_some());
        assert_eq!(out.items.len(), r.items().count());
    }

    #[test]
    fn too_few_sheets_give_no_score() {
        let r = s4();
        let policy = PanelRules::s4().policy;
        let sheets: Vec<JudgeSheet> = (0..6).map(|i| sheet(&r, i, 0.9)).collect();
        let out = combine(&r, &policy, &sheets);
        assert!(out.insufficient);
        assert_eq!(out.score, None);
        assert_eq!((out.sheets, out.min_sheets), (6, 7));
    }

    #[test]
    fn divergent_kept_marks_hold_the_result() {
        let r = s4();
        let mut policy = PanelRules::s4().policy;
        policy.divergence_tolerance = Some(Score::points(10));
        let sheets: Vec<JudgeSheet> = [0.95, 0.9, 0.6, 0.92, 0.95, 0.6, 0.9]
            .iter()
            .enumerate()
            .map(|(i, f)| sheet(&r, i as i64, *f))
            .collect();
        assert!(combine(&r, &policy, &sheets).held);
        policy.divergence_tolerance = Some(Score::points(60));
        assert!(!combine(&r, &policy, &sheets).held);
    }

    #[test]
    fn the_scheme_gets_the_same_panel_score_as_the_result_page() {
        let r = s4();
        let scheme = presets::get("s4-routine-assessment").unwrap();
        let policy = scheme.component("onsite").unwrap().panel.clone().unwrap();
        let sheets: Vec<JudgeSheet> = [0.9, 0.8, 1.0, 0.85, 0.7, 0.88, 0.92]
            .iter()
            .enumerate()
            .map(|(i, f)| sheet(&r, i as i64, *f))
            .collect();
        let out = combine(&r, &policy, &sheets);
        let mut values = std::collections::BTreeMap::new();
        values.insert("onsite".to_string(), scheme_input(&r, &policy, &sheets));
        values.insert("attendance".to_string(), Input::Score(Score::points(100)));
        values.insert("inspection".to_string(), Input::Score(Score::points(95)));
        let e = scheme.evaluate(&Inputs { attempt: 1, values }).unwrap();
        assert_eq!(e.component("onsite").unwrap().score, out.score);
    }

    #[test]
    fn per_item_trimming_drops_per_item_and_adds_the_means() {
        let r = s4();
        let mut policy = PanelRules::s4().policy;
        policy.trim = Trim::PerItem;
        let sheets: Vec<JudgeSheet> = [0.9, 0.8, 1.0, 0.85, 0.3, 0.88, 0.92]
            .iter()
            .enumerate()
            .map(|(i, f)| sheet(&r, i as i64, *f))
            .collect();
        let out = combine(&r, &policy, &sheets);
        assert!(!out.insufficient);
        assert!(out.marks.iter().all(|m| m.dropped.is_none()));
        assert!(
            out.items
                .iter()
                .all(|i| i.dropped.len() == 2 && i.mean.is_some())
        );
        let sum: u32 = out.items.iter().filter_map(|i| i.mean).sum();
        assert!(sum.abs_diff(out.score.unwrap().hundredths()) <= 1);
    }
}
