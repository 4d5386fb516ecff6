//! Panel trimming: several judges mark the same performance, the extremes are dropped and
//! the rest averaged (S4: 7 judges, drop 1 highest and 1 lowest).
//!
//! Ties: the highest marks are dropped first, then the lowest from what remains; among
//! equal marks the judge with the lowest index is dropped first. Which of two equal marks
//! goes never changes the mean, range or standard error — the rule only makes the record
//! of who was dropped reproducible.

use std::cmp::Reverse;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::Score;
use super::score::round_half_up;

/// Whether marks are trimmed as whole scores or item by item on a rubric.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trim {
    /// Each judge gives one mark out of 100.
    #[default]
    Total,
    /// Each judge marks every rubric item; each item is trimmed on its own and the
    /// items' trimmed means are added up, so one judge's outlier on one item cannot hide
    /// behind a normal total.
    PerItem,
}

/// How a panel component turns marks into a score. The scheme guarantees
/// `min_marks > drop_highest + drop_lowest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelPolicy {
    pub min_marks: u32,
    pub drop_highest: u32,
    pub drop_lowest: u32,
    pub trim: Trim,
    /// When the kept marks spread more than this, the result is held for review: judges
    /// that far apart suggest a scoring mistake or a misunderstanding of the rubric.
    pub divergence_tolerance: Option<Score>,
}

impl PanelPolicy {
    /// One mark or more, nothing dropped: a plain mean.
    pub fn plain() -> PanelPolicy {
        PanelPolicy {
            min_marks: 1,
            drop_highest: 0,
            drop_lowest: 0,
            trim: Trim::Total,
            divergence_tolerance: None,
        }
    }

    fn drops(&self) -> usize {
        self.drop_highest as usize + self.drop_lowest as usize
    }

    fn is_insufficient(&self, judges: usize) -> bool {
        judges < self.min_marks as usize || judges <= self.drops()
    }
}

/// One judge's mark; `judge` is the 0-based position in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub judge: usize,
    pub score: Score,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    Highest,
    Lowest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DroppedMark {
    pub judge: usize,
    pub score: Score,
    pub reason: DropReason,
}

/// The result of trimming one set of marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelOutcome {
    /// In judge order.
    pub kept: Vec<Mark>,
    /// Highest drops first, then lowest.
    pub dropped: Vec<DroppedMark>,
    /// Sum of the kept marks in hundredths, kept so that later rounding starts from the
    /// exact mean rather than from an already rounded one.
    pub kept_sum: u64,
    /// Mean of the kept marks, half-up to hundredths; `None` without marks.
    pub mean: Option<Score>,
    /// Highest minus lowest kept mark.
    pub range: Option<Score>,
    /// Standard error of the mean of the kept marks (sample deviation / √n), half-up to
    /// hundredths; `None` with fewer than 2 kept marks.
    pub standard_error: Option<Score>,
    pub held_for_review: bool,
    /// Fewer marks than the policy's minimum (or too few to drop from). Such a panel is
    /// not trimmed — dropping from too few marks would distort the mean further — and its
    /// plain mean is shown for information only; evaluation refuses it.
    pub insufficient: bool,
}

impl PanelOutcome {
    /// The exact mean of the kept marks rounded half-up once to `decimals`.
    pub fn mean_rounded(&self, decimals: u8) -> Option<Score> {
        mean_rounded(self.kept_sum, self.kept.len(), decimals)
    }
}

fn mean_rounded(sum: u64, count: usize, decimals: u8) -> Option<Score> {
    if count == 0 {
        return None;
    }
    let unit: u128 = match decimals {
        0 => 100,
        1 => 10,
        _ => 1,
    };
    let h = round_half_up(u128::from(sum), count as u128 * unit) * unit;
    Score::from_hundredths(u32::try_from(h).ok()?).ok()
}

/// Trims `marks` (one per judge, in judge order) according to `policy`.
pub fn trim(marks: &[Score], policy: &PanelPolicy) -> PanelOutcome {
    let n = marks.len();
    let insufficient = policy.is_insufficient(n);
    let mut dropped = Vec::new();
    let mut is_dropped = vec![false; n];
    if !insufficient {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| (Reverse(marks[i]), i));
        let (highest, rest) = order.split_at(policy.drop_highest as usize);
        let mut rest = rest.to_vec();
        rest.sort_by_key(|&i| (marks[i], i));
        let lowest = &rest[..policy.drop_lowest as usize];
        for (indices, reason) in [(highest, DropReason::Highest), (lowest, DropReason::Lowest)] {
            for &judge in indices {
                is_dropped[judge] = true;
                dropped.push(DroppedMark {
                    judge,
                    score: marks[judge],
                    reason,
                });
            }
        }
    }
    let kept: Vec<Mark> = marks
        .iter()
        .enumerate()
        .filter(|(i, _)| !is_dropped[*i])
        .map(|(judge, &score)| Mark { judge, score })
        .collect();
    let kept_sum: u64 = kept.iter().map(|m| u64::from(m.score.hundredths())).sum();
    let min = kept.iter().map(|m| m.score).min();
    let max = kept.iter().map(|m| m.score).max();
    let range = min
        .zip(max)
        .and_then(|(lo, hi)| Score::from_hundredths(hi.hundredths() - lo.hundredths()).ok());
    let held_for_review = match (range, policy.divergence_tolerance) {
        (Some(r), Some(t)) => r > t,
        _ => false,
    };
    PanelOutcome {
        mean: mean_rounded(kept_sum, kept.len(), 2),
        standard_error: standard_error(&kept),
        kept,
        dropped,
        kept_sum,
        range,
        held_for_review,
        insufficient,
    }
}

/// √(Σ(x−x̄)² / (k(k−1))) in hundredths, rounded half-up without floats: with
/// Q = kΣx² − (Σx)² and D = k²(k−1), the rounded root is the largest r for which
/// (r − ½)² ≤ Q/D, that is 4Q ≥ (2r − 1)²·D.
fn standard_error(kept: &[Mark]) -> Option<Score> {
    let k = kept.len() as u128;
    if k < 2 {
        return None;
    }
    let sum: u128 = kept.iter().map(|m| u128::from(m.score.hundredths())).sum();
    let squares: u128 = kept
        .iter()
        .map(|m| u128::from(m.score.hundredths()).pow(2))
        .sum();
    let q = k * squares - sum * sum;
    let d = k * k * (k - 1);
    let fits = |r: u128| r == 0 || 4 * q >= (2 * r - 1).pow(2) * d;
    // The standard error never exceeds the range, so 10 000 bounds the search.
    let (mut lo, mut hi) = (0u128, 10_000u128);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Score::from_hundredths(u32::try_from(lo).ok()?).ok()
}

/// Why per-item marks could not be combined. `code()` is stable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PanelError {
    #[error("judge {} gave {got} item marks where {expected} were expected", judge + 1)]
    Ragged {
        judge: usize,
        expected: usize,
        got: usize,
    },
    #[error("the judges gave no item marks")]
    NoItems,
    #[error("the items' trimmed means add up to more than 100")]
    SumAbove100,
}

impl PanelError {
    pub fn code(&self) -> &'static str {
        match self {
            PanelError::Ragged { .. } => "ragged-items",
            PanelError::NoItems => "no-items",
            PanelError::SumAbove100 => "item-sum-above-100",
        }
    }
}

/// The result of trimming a rubric item by item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemPanelOutcome {
    /// One outcome per rubric item, in item order.
    pub items: Vec<PanelOutcome>,
    /// Sum of the items' trimmed means, half-up to hundredths; `None` when insufficient.
    pub total: Option<Score>,
    pub held_for_review: bool,
    pub insufficient: bool,
}

impl ItemPanelOutcome {
    /// The exact sum of the items' means rounded half-up once to `decimals`. Every item
    /// keeps the same number of marks, so the sum is one fraction over that number.
    pub fn total_rounded(&self, decimals: u8) -> Option<Score> {
        if self.insufficient {
            return None;
        }
        let kept = self.items.first().map_or(0, |i| i.kept.len());
        mean_rounded(self.items.iter().map(|i| i.kept_sum).sum(), kept, decimals)
    }
}

/// Trims `marks[judge][item]` item by item and adds up the items' trimmed means.
pub fn trim_per_item(
    marks: &[Vec<Score>],
    policy: &PanelPolicy,
) -> Result<ItemPanelOutcome, PanelError> {
    let items = marks.first().map_or(0, Vec::len);
    if !marks.is_empty() && items == 0 {
        return Err(PanelError::NoItems);
    }
    if let Some((judge, row)) = marks.iter().enumerate().find(|(_, r)| r.len() != items) {
        return Err(PanelError::Ragged {
            judge,
            expected: items,
            got: row.len(),
        });
    }
    let outcomes: Vec<PanelOutcome> = (0..items)
        .map(|item| {
            let column: Vec<Score> = marks.iter().map(|row| row[item]).collect();
            trim(&column, policy)
        })
        .collect();
    let insufficient = policy.is_insufficient(marks.len());
    let mut outcome = ItemPanelOutcome {
        held_for_review: outcomes.iter().any(|o| o.held_for_review),
        items: outcomes,
        total: None,
        insufficient,
    };
    if !insufficient {
        let kept = marks.len() - policy.drops();
        let sum: u64 = outcome.items.iter().map(|o| o.kept_sum).sum();
        if sum > 10_000 * kept as u64 {
            return Err(PanelError::SumAbove100);
        }
        outcome.total = outcome.total_rounded(2);
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scores(values: &[u32]) -> Vec<Score> {
        values
            .iter()
            .filter_map(|v| Score::from_hundredths(v * 100).ok())
            .collect()
    }

    fn policy(min: u32, high: u32, low: u32) -> PanelPolicy {
        PanelPolicy {
            min_marks: min,
            drop_highest: high,
            drop_lowest: low,
            ..PanelPolicy::plain()
        }
    }

    #[test]
    fn s4_seven_judges_drop_one_highest_and_one_lowest() {
        let out = trim(&scores(&[88, 90, 75, 92, 85, 79, 91]), &policy(7, 1, 1));
        assert_eq!(
            out.dropped,
            vec![
                DroppedMark {
                    judge: 3,
                    score: Score::points(92),
                    reason: DropReason::Highest
                },
                DroppedMark {
                    judge: 2,
                    score: Score::points(75),
                    reason: DropReason::Lowest
                },
            ]
        );
        let kept: Vec<usize> = out.kept.iter().map(|m| m.judge).collect();
        assert_eq!(kept, vec![0, 1, 4, 5, 6]);
        // (88 + 90 + 85 + 79 + 91) / 5 = 86.6
        assert_eq!(out.mean, Score::parse("86.6").ok());
        assert_eq!(out.range, Some(Score::points(12)));
        // sample sd of the kept marks = √(93.2 / 4) ≈ 4.827, / √5 ≈ 2.1587
        assert_eq!(out.standard_error, Score::parse("2.16").ok());
        assert!(!out.insufficient && !out.held_for_review);
    }

    #[test]
    fn ties_drop_the_lowest_judge_index_first() {
        let out = trim(&scores(&[90, 70, 90, 70, 80]), &policy(3, 1, 1));
        let dropped: Vec<(usize, DropReason)> =
            out.dropped.iter().map(|d| (d.judge, d.reason)).collect();
        assert_eq!(
            dropped,
            vec![(0, DropReason::Highest), (1, DropReason::Lowest)]
        );
        let all_equal = trim(&scores(&[80, 80, 80]), &policy(3, 1, 1));
        let dropped: Vec<usize> = all_equal.dropped.iter().map(|d| d.judge).collect();
        assert_eq!(dropped, vec![0, 1]);
        assert_eq!(all_equal.mean, Some(Score::points(80)));
    }

    #[test]
    fn too_few_marks_are_flagged_and_not_trimmed() {
        let out = trim(&scores(&[88, 90, 75, 92, 85, 79]), &policy(7, 1, 1));
        assert!(out.insufficient);
        assert!(out.dropped.is_empty());
        assert_eq!(out.kept.len(), 6);
        let none = trim(&[], &PanelPolicy::plain());
        assert!(none.insufficient);
        assert_eq!(
            (none.mean, none.range, none.standard_error),
            (None, None, None)
        );
    }

    #[test]
    fn divergent_kept_marks_are_held_for_review() {
        let mut p = policy(5, 1, 1);
        p.divergence_tolerance = Some(Score::points(10));
        assert!(!trim(&scores(&[80, 85, 90, 0, 100]), &p).held_for_review);
        assert!(trim(&scores(&[79, 85, 90, 0, 100]), &p).held_for_review);
    }

    #[test]
    fn mean_rounds_half_up_from_the_exact_value() {
        // 85.01 + 85.02 = 170.03, / 2 = 85.015 → 85.02
        let marks = [Score::parse("85.01"), Score::parse("85.02")];
        let marks: Vec<Score> = marks.into_iter().filter_map(Result::ok).collect();
        let out = trim(&marks, &PanelPolicy::plain());
        assert_eq!(out.mean, Score::parse("85.02").ok());
        // 84.5 exactly rounds up at 0 decimals, 84.49 does not
        let out = trim(&scores(&[84, 85]), &PanelPolicy::plain());
        assert_eq!(out.mean_rounded(0), Some(Score::points(85)));
        let out = trim(&scores(&[84, 84, 85]), &PanelPolicy::plain());
        assert_eq!(out.mean_rounded(0), Some(Score::points(84)));
    }

    #[test]
    fn per_item_trims_each_item_and_adds_the_means() -> Result<(), PanelError> {
        // Three judges, two items (out of 30 and 70); drop 1 highest and 1 lowest per item.
        let marks = vec![scores(&[10, 60]), scores(&[20, 50]), scores(&[30, 55])];
        let out = trim_per_item(&marks, &policy(3, 1, 1))?;
        assert_eq!(
            out.items[0].kept,
            vec![Mark {
                judge: 1,
                score: Score::points(20)
            }]
        );
        assert_eq!(
            out.items[1].kept,
            vec![Mark {
                judge: 2,
                score: Score::points(55)
            }]
        );
        assert_eq!(out.total, Some(Score::points(75)));
        let ragged = vec![scores(&[10, 60]), scores(&[20])];
        assert_eq!(
            trim_per_item(&ragged, &policy(1, 0, 0)),
            Err(PanelError::Ragged {
                judge: 1,
                expected: 2,
                got: 1
            })
        );
        let too_much = vec![scores(&[60, 60])];
        assert_eq!(
            trim_per_item(&too_much, &policy(1, 0, 0)),
            Err(PanelError::SumAbove100)
        );
        assert_eq!(
            trim_per_item(&[vec![]], &policy(1, 0, 0)),
            Err(PanelError::NoItems)
        );
        let few = trim_per_item(&marks[..2], &policy(3, 1, 1))?;
        assert!(few.insufficient && few.total.is_none());
        Ok(())
    }

    fn arb_marks() -> impl Strategy<Value = Vec<Score>> {
        prop::collection::vec(
            (0u32..=10_000).prop_map(|h| Score::from_hundredths(h).unwrap_or_default()),
            0..12,
        )
    }

    fn raise(score: Score, by: u32) -> Score {
        Score::from_hundredths((score.hundredths() + by).min(10_000)).unwrap_or(Score::MAX)
    }

    /// The same marks twice, the second time in another order.
    fn arb_shuffled() -> impl Strategy<Value = (Vec<Score>, Vec<Score>)> {
        arb_marks().prop_flat_map(|m| (Just(m.clone()), Just(m).prop_shuffle()))
    }

    proptest! {
        #[test]
        fn trimmed_mean_stays_within_the_kept_marks(
            marks in arb_marks(),
            high in 0u32..3,
            low in 0u32..3,
        ) {
            let out = trim(&marks, &policy(high + low + 1, high, low));
            let kept = || out.kept.iter().map(|m| m.score);
            if let (Some(mean), Some(lo), Some(hi)) = (out.mean, kept().min(), kept().max()) {
                prop_assert!(lo <= mean && mean <= hi);
            }
        }

        #[test]
        fn dropping_removes_exactly_what_the_policy_says(
            marks in arb_marks(),
            high in 0u32..3,
            low in 0u32..3,
        ) {
            let out = trim(&marks, &policy(high + low + 1, high, low));
            let (want_high, want_low) = if out.insufficient { (0, 0) } else { (high, low) };
            let count = |r| out.dropped.iter().filter(|d| d.reason == r).count();
            prop_assert_eq!(count(DropReason::Highest), want_high as usize);
            prop_assert_eq!(count(DropReason::Lowest), want_low as usize);
            prop_assert_eq!(out.kept.len() + out.dropped.len(), marks.len());
            // No kept mark is above a dropped-high or below a dropped-low mark.
            for d in &out.dropped {
                for k in &out.kept {
                    match d.reason {
                        DropReason::Highest => prop_assert!(k.score <= d.score),
                        DropReason::Lowest => prop_assert!(k.score >= d.score),
                    }
                }
            }
        }

        #[test]
        fn the_order_of_marks_never_matters((marks, shuffled) in arb_shuffled()) {
            let p = policy(3, 1, 1);
            let (a, b) = (trim(&marks, &p), trim(&shuffled, &p));
            prop_assert_eq!(
                (a.mean, a.range, a.standard_error, a.kept_sum),
                (b.mean, b.range, b.standard_error, b.kept_sum)
            );
        }

        #[test]
        fn raising_a_mark_never_lowers_the_mean(
            marks in arb_marks(),
            which in any::<prop::sample::Index>(),
            up in 0u32..10_000,
        ) {
            prop_assume!(marks.len() >= 3);
            let p = policy(3, 1, 1);
            let i = which.index(marks.len());
            let mut raised = marks.clone();
            raised[i] = raise(marks[i], up);
            prop_assert!(trim(&raised, &p).mean >= trim(&marks, &p).mean);
        }
    }
}
