//! How far a panel's judges agree, and how each judge leans (issue 5 §7).
//!
//! These figures are reported to the chief judge and the scheme owner; they never decide a
//! candidate's result, which is why they are plain `f64` while scores are exact decimals.
//! Every function returns `None` (or leaves a subject out) rather than a misleading number
//! when a figure is undefined: too few subjects, no variance, a mark that is not finite.
//!
//! Sums of squares are taken around the first mark, so that identical marks give exactly
//! zero variance instead of rounding noise that would turn 0/0 into a spurious ICC.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One-way random-effects ICC (Shrout & Fleiss 1979, case 1): judges differ per candidate,
/// as with panels drawn by lot, so judge and error variance cannot be told apart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Icc {
    /// Reliability of one judge's mark: (MSB − MSW) / (MSB + (k − 1) MSW).
    pub icc1: f64,
    /// Reliability of the mean of k marks: (MSB − MSW) / MSB.
    pub icck: f64,
    /// Subjects with at least two marks: the only ones that carry within-subject variance.
    pub subjects: usize,
    /// Marks per subject; when the counts differ, k0 = (N − Σnᵢ²/N) / (n − 1) of the
    /// unbalanced one-way ANOVA (N marks, n subjects, nᵢ marks of subject i).
    pub k: f64,
    /// Mean square between subjects.
    pub msb: f64,
    /// Mean square within subjects.
    pub msw: f64,
}

/// ICC(1,1) and ICC(1,k) of `groups`, each subject's marks.
///
/// Subjects with fewer than 2 marks are left out. `None` with fewer than 2 subjects left,
/// a mark that is not finite, or no variance between subjects (MSB = 0), where the ratio
/// is 0/0 or says nothing.
pub fn icc_oneway(groups: &[Vec<f64>]) -> Option<Icc> {
    let groups: Vec<&[f64]> = pairable(groups)?;
    let a = groups.len();
    if a < 2 {
        return None;
    }
    let origin = groups[0][0];
    let total: usize = groups.iter().map(|g| g.len()).sum();
    let grand = groups
        .iter()
        .flat_map(|g| g.iter())
        .map(|v| v - origin)
        .sum::<f64>()
        / total as f64;
    let (mut ssb, mut ssw, mut squares) = (0.0, 0.0, 0.0);
    for g in &groups {
        let n = g.len() as f64;
        let mean = g.iter().map(|v| v - origin).sum::<f64>() / n;
        ssb += n * (mean - grand).powi(2);
        ssw += g.iter().map(|v| (v - origin - mean).powi(2)).sum::<f64>();
        squares += n * n;
    }
    let (n, big_n) = (a as f64, total as f64);
    let msb = ssb / (n - 1.0);
    let msw = ssw / (big_n - n);
    if msb.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let k = (big_n - squares / big_n) / (n - 1.0);
    Some(Icc {
        icc1: (msb - msw) / (msb + (k - 1.0) * msw),
        icck: (msb - msw) / msb,
        subjects: a,
        k,
        msb,
        msw,
    })
}

/// Krippendorff's alpha with the interval metric δ² = (c − k)², missing marks allowed:
/// `units` are the subjects, each with the marks it got (any judges, any count).
///
/// Units with fewer than 2 values cannot be paired and are left out. With n pairable
/// values, D_o = (1/n) Σ_u 1/(m_u − 1) Σ_{i≠j in u} (v_i − v_j)² and
/// D_e = 1/(n(n − 1)) Σ_{i≠j} (v_i − v_j)² over all pairable values; α = 1 − D_o/D_e.
/// `None` when D_e = 0 (every value the same, or nothing pairable) or a value is not
/// finite.
pub fn krippendorff_interval(units: &[Vec<f64>]) -> Option<f64> {
    let units = pairable(units)?;
    let origin = units.first().and_then(|u| u.first()).copied()?;
    let n = units.iter().map(|u| u.len()).sum::<usize>() as f64;
    let mean = units
        .iter()
        .flat_map(|u| u.iter())
        .map(|v| v - origin)
        .sum::<f64>()
        / n;
    // Over the ordered pairs of m values, Σ (v_i − v_j)² = 2 m Σ (v − v̄)².
    let observed: f64 = units
        .iter()
        .map(|u| {
            let m = u.len() as f64;
            2.0 * m * sum_of_squares(u, origin) / (m - 1.0)
        })
        .sum::<f64>()
        / n;
    let spread: f64 = units
        .iter()
        .flat_map(|u| u.iter())
        .map(|v| (v - origin - mean).powi(2))
        .sum();
    let expected = 2.0 * spread / (n - 1.0);
    if expected.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    Some(1.0 - observed / expected)
}

/// The subjects with at least two marks, or `None` if any mark is not finite.
fn pairable(groups: &[Vec<f64>]) -> Option<Vec<&[f64]>> {
    if groups.iter().flatten().any(|v| !v.is_finite()) {
        return None;
    }
    Some(
        groups
            .iter()
            .filter(|g| g.len() >= 2)
            .map(Vec::as_slice)
            .collect(),
    )
}

/// Σ (v − v̄)², shifted by `origin` for accuracy.
fn sum_of_squares(values: &[f64], origin: f64) -> f64 {
    let mean = values.iter().map(|v| v - origin).sum::<f64>() / values.len() as f64;
    values.iter().map(|v| (v - origin - mean).powi(2)).sum()
}

/// One subject's marks as given to [`judge_stats`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectMarks {
    pub subject: String,
    /// (judge, mark); normally one mark per judge.
    pub marks: Vec<(String, f64)>,
    /// The judges whose mark was trimmed.
    pub dropped: Vec<String>,
}

/// How one judge marks compared with the rest of the panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeStat {
    pub judge: String,
    /// Marks the judge gave.
    pub n: usize,
    /// Mean over the judge's subjects of (their mark − the mean of the other judges' marks
    /// for that subject): positive is lenient, negative severe. Leaving the judge out of
    /// the reference keeps one harsh judge from pulling their own yardstick. Subjects with
    /// no other mark are skipped; `None` when none are left.
    pub leniency: Option<f64>,
    /// Marks of the judge that were trimmed.
    pub dropped: usize,
    /// `dropped / n`: a judge who is trimmed far more often than (drops ÷ panel size) is
    /// out of line with the panel.
    pub dropped_share: f64,
    /// Mean of |mark − mean of the other judges' marks|: large with a leniency near 0
    /// means erratic rather than biased.
    pub mean_abs_deviation: Option<f64>,
}

/// Leniency, trimming rate and deviation of every judge in `subjects`, sorted by judge.
///
/// A judge named in a subject's `dropped` counts as dropped there only as often as they
/// marked it.
pub fn judge_stats(subjects: &[SubjectMarks]) -> Vec<JudgeStat> {
    #[derive(Default)]
    struct Acc {
        n: usize,
        dropped: usize,
        deviations: usize,
        deviation: f64,
        absolute: f64,
    }
    let mut judges: BTreeMap<&str, Acc> = BTreeMap::new();
    for s in subjects {
        let count = s.marks.len();
        let total: f64 = s.marks.iter().map(|(_, m)| m).sum();
        let mut marked: BTreeMap<&str, usize> = BTreeMap::new();
        for (judge, mark) in &s.marks {
            *marked.entry(judge.as_str()).or_default() += 1;
            let acc = judges.entry(judge.as_str()).or_default();
            acc.n += 1;
            if count >= 2 {
                let others = (total - mark) / (count - 1) as f64;
                let d = mark - others;
                acc.deviations += 1;
                acc.deviation += d;
                acc.absolute += d.abs();
            }
        }
        for judge in &s.dropped {
            if let Some(left) = marked.get_mut(judge.as_str()).filter(|left| **left > 0) {
                *left -= 1;
                judges.entry(judge.as_str()).or_default().dropped += 1;
            }
        }
    }
    judges
        .into_iter()
        .map(|(judge, a)| {
            let mean = |sum: f64| (a.deviations > 0).then(|| sum / a.deviations as f64);
            JudgeStat {
                judge: judge.to_string(),
                n: a.n,
                leniency: mean(a.deviation),
                dropped: a.dropped,
                dropped_share: if a.n == 0 {
                    0.0
                } else {
                    a.dropped as f64 / a.n as f64
                },
                mean_abs_deviation: mean(a.absolute),
            }
        })
        .collect()
}

/// Item-level disagreement: where on the rubric the judges part ways, which points at a
/// band descriptor that needs rewording or at judges who need calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDisagreement {
    pub item: String,
    /// Subjects with at least two marks on the item (the others cannot disagree).
    pub subjects: usize,
    /// Mean over those subjects of the sample SD of the judges' marks; `None` without any.
    pub mean_sd: Option<f64>,
    /// Largest range (highest − lowest mark) on one subject; 0 without any.
    pub max_range: f64,
}

/// Disagreement per item, in input order; `per_item` holds, for each item, each subject's
/// marks from the judges. Non-finite marks are ignored.
pub fn item_disagreement(per_item: &[(String, Vec<Vec<f64>>)]) -> Vec<ItemDisagreement> {
    per_item
        .iter()
        .map(|(item, subjects)| {
            let mut count = 0usize;
            let mut sd_sum = 0.0;
            let mut max_range = 0.0f64;
            for marks in subjects {
                let marks: Vec<f64> = marks.iter().copied().filter(|v| v.is_finite()).collect();
                let (Some(&first), true) = (marks.first(), marks.len() >= 2) else {
                    continue;
                };
                let m = marks.len() as f64;
                sd_sum += (sum_of_squares(&marks, first) / (m - 1.0)).sqrt();
                let lo = marks.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = marks.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                max_range = max_range.max(hi - lo);
                count += 1;
            }
            ItemDisagreement {
                item: item.clone(),
                subjects: count,
                mean_sd: (count > 0).then(|| sd_sum / count as f64),
                max_range,
            }
        })
        .collect()
}

/// Koo & Li (2016) reading of an ICC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IccBand {
    /// Below 0.5.
    Poor,
    /// 0.5 up to 0.75.
    Moderate,
    /// 0.75 up to 0.9.
    Good,
    /// 0.9 and above.
    Excellent,
}

impl IccBand {
    /// Stable key, also the translation key.
    pub fn key(self) -> &'static str {
        match self {
            IccBand::Poor => "poor",
            IccBand::Moderate => "moderate",
            IccBand::Good => "good",
            IccBand::Excellent => "excellent",
        }
    }
}

/// Koo & Li 2016 band of an ICC: poor < .5 ≤ moderate < .75 ≤ good < .9 ≤ excellent.
/// NaN reads as poor: an undefined reliability must never look reassuring.
pub fn icc_band(v: f64) -> IccBand {
    if v >= 0.9 {
        IccBand::Excellent
    } else if v >= 0.75 {
        IccBand::Good
    } else if v >= 0.5 {
        IccBand::Moderate
    } else {
        IccBand::Poor
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// Expected figures from pingouin and krippendorff (scripts/fixtures/panel_reliability.py).
    const FIXTURE: &str = include_str!("../../tests/fixtures/panel_reliability.json");

    struct Set {
        name: String,
        /// marks[subject][judge], `None` = no mark.
        marks: Vec<Vec<Option<f64>>>,
        icc1: Option<f64>,
        icck: Option<f64>,
        k0: Option<f64>,
        alpha: Option<f64>,
    }

    fn fixture() -> Vec<Set> {
        let v: Value = serde_json::from_str(FIXTURE).unwrap();
        v["sets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| Set {
                name: s["name"].as_str().unwrap().to_string(),
                marks: s["marks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|row| row.as_array().unwrap().iter().map(Value::as_f64).collect())
                    .collect(),
                icc1: s["icc1"].as_f64(),
                icck: s["icck"].as_f64(),
                k0: s["k0"].as_f64(),
                alpha: s["alpha_interval"].as_f64(),
            })
            .collect()
    }

    fn groups(set: &Set) -> Vec<Vec<f64>> {
        set.marks
            .iter()
            .map(|row| row.iter().flatten().copied().collect())
            .collect()
    }

    #[track_caller]
    fn close(name: &str, got: Option<f64>, want: Option<f64>) {
        match (got, want) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-6, "{name}: {g} is not {w}"),
            (None, None) => {}
            _ => panic!("{name}: {got:?} is not {want:?}"),
        }
    }

    #[test]
    fn matches_pingouin_and_krippendorff_on_the_fixture() {
        let sets = fixture();
        assert_eq!(sets.len(), 3);
        for set in &sets {
            let icc = icc_oneway(&groups(set));
            close(&format!("{} icc1", set.name), icc.map(|i| i.icc1), set.icc1);
            close(&format!("{} icck", set.name), icc.map(|i| i.icck), set.icck);
            if let Some(k0) = set.k0 {
                close(&format!("{} k0", set.name), icc.map(|i| i.k), Some(k0));
            }
            close(
                &format!("{} alpha", set.name),
                krippendorff_interval(&groups(set)),
                set.alpha,
            );
        }
        let balanced = icc_oneway(&groups(&sets[0])).unwrap();
        assert_eq!((balanced.subjects, balanced.k), (10, 7.0));
        // The candidate with a single mark is left out.
        assert_eq!(icc_oneway(&groups(&sets[1])).unwrap().subjects, 7);
    }

    #[test]
    fn hand_computed_icc_and_alpha() {
        // Subjects (1, 3) and (5, 7): means 2 and 6, grand 4; SSB = 2·4 + 2·4 = 16, MSB = 16;
        // SSW = 4, MSW = 2; ICC(1,1) = 14/18, ICC(1,2) = 14/16.
        let g = vec![vec![1.0, 3.0], vec![5.0, 7.0]];
        let icc = icc_oneway(&g).unwrap();
        assert!((icc.icc1 - 14.0 / 18.0).abs() < 1e-12);
        assert!((icc.icck - 14.0 / 16.0).abs() < 1e-12);
        assert_eq!((icc.msb, icc.msw, icc.k), (16.0, 2.0, 2.0));
        // n = 4; D_o = (1/4)(8 + 8) = 4; Σ over ordered pairs = 2·4·20 = 160, D_e = 160/12.
        let alpha = krippendorff_interval(&g).unwrap();
        assert!((alpha - (1.0 - 4.0 * 12.0 / 160.0)).abs() < 1e-12);
    }

    #[test]
    fn degenerate_inputs_are_undefined() {
        let same = vec![vec![80.1; 3]; 4];
        assert_eq!(icc_oneway(&same), None);
        assert_eq!(krippendorff_interval(&same), None);
        let one = vec![vec![70.0, 80.0, 90.0]];
        assert_eq!(icc_oneway(&one), None);
        assert_eq!(krippendorff_interval(&one), Some(0.0));
        // Subjects with a single mark are not pairable.
        let singles = vec![vec![70.0], vec![80.0], vec![90.0]];
        assert_eq!(icc_oneway(&singles), None);
        assert_eq!(krippendorff_interval(&singles), None);
        assert_eq!(icc_oneway(&[]), None);
        assert_eq!(krippendorff_interval(&[]), None);
        let nan = vec![vec![70.0, f64::NAN], vec![80.0, 85.0]];
        assert_eq!(icc_oneway(&nan), None);
        assert_eq!(krippendorff_interval(&nan), None);
        // Perfect agreement within subjects that differ: ICC 1.
        let perfect = vec![vec![60.0; 3], vec![90.0; 3]];
        assert_eq!(
            icc_oneway(&perfect).map(|i| (i.icc1, i.icck)),
            Some((1.0, 1.0))
        );
        assert_eq!(krippendorff_interval(&perfect), Some(1.0));
    }

    fn subject(name: &str, marks: &[(&str, f64)], dropped: &[&str]) -> SubjectMarks {
        SubjectMarks {
            subject: name.into(),
            marks: marks.iter().map(|(j, m)| (j.to_string(), *m)).collect(),
            dropped: dropped.iter().map(|j| j.to_string()).collect(),
        }
    }

    #[test]
    fn leniency_and_dropped_share_by_hand() {
        let subjects = [
            // a: 90 − (80 + 70)/2 = 15; b: 80 − 80 = 0; c: 70 − 85 = −15
            subject("s1", &[("a", 90.0), ("b", 80.0), ("c", 70.0)], &["a", "c"]),
            // a: 60 − 64 = −4; c: 64 − 60 = 4
            subject("s2", &[("c", 64.0), ("a", 60.0)], &["a"]),
            // b alone: no one to compare with; `z` did not mark it and is ignored.
            subject("s3", &[("b", 75.0)], &["b", "z"]),
        ];
        let stats = judge_stats(&subjects);
        let names: Vec<&str> = stats.iter().map(|s| s.judge.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        let (a, b, c) = (&stats[0], &stats[1], &stats[2]);
        assert_eq!((a.n, a.dropped, a.dropped_share), (2, 2, 1.0));
        assert_eq!(a.leniency, Some(5.5));
        assert_eq!(a.mean_abs_deviation, Some(9.5));
        assert_eq!((b.n, b.dropped, b.dropped_share), (2, 1, 0.5));
        assert_eq!((b.leniency, b.mean_abs_deviation), (Some(0.0), Some(0.0)));
        assert_eq!((c.n, c.dropped, c.dropped_share), (2, 1, 0.5));
        assert_eq!(c.leniency, Some(-5.5));
        let alone = judge_stats(&[subject("s", &[("x", 50.0)], &[])]);
        assert_eq!(
            (alone[0].leniency, alone[0].mean_abs_deviation),
            (None, None)
        );
        assert!(judge_stats(&[]).is_empty());
    }

    #[test]
    fn item_disagreement_by_hand() {
        let items = vec![
            (
                "greeting".to_string(),
                vec![vec![4.0, 6.0], vec![5.0, 5.0, 5.0], vec![3.0]],
            ),
            ("empathy".to_string(), vec![vec![2.0]]),
        ];
        let d = item_disagreement(&items);
        assert_eq!(d[0].item, "greeting");
        assert_eq!(d[0].subjects, 2);
        // SDs √2 and 0.
        assert!((d[0].mean_sd.unwrap() - 2f64.sqrt() / 2.0).abs() < 1e-12);
        assert_eq!(d[0].max_range, 2.0);
        assert_eq!(
            (d[1].subjects, d[1].mean_sd, d[1].max_range),
            (0, None, 0.0)
        );
    }

    #[test]
    fn koo_and_li_bands() {
        let bands: Vec<IccBand> = [-0.2, 0.49, 0.5, 0.749, 0.75, 0.899, 0.9, 1.0, f64::NAN]
            .into_iter()
            .map(icc_band)
            .collect();
        use IccBand::*;
        assert_eq!(
            bands,
            [
                Poor, Poor, Moderate, Moderate, Good, Good, Excellent, Excellent, Poor
            ]
        );
        assert_eq!(Good.key(), "good");
    }

    /// A fully crossed panel: marks[subject][judge] in hundredths, 2–8 subjects × 2–7 judges.
    fn arb_panel() -> impl Strategy<Value = Vec<Vec<f64>>> {
        (2usize..8, 2usize..8).prop_flat_map(|(subjects, judges)| {
            prop::collection::vec(
                prop::collection::vec((0u32..=10_000).prop_map(|h| f64::from(h) / 100.0), judges),
                subjects,
            )
        })
    }

    proptest! {
        #[test]
        fn the_panel_mean_is_at_least_as_reliable_as_one_judge(panel in arb_panel()) {
            if let Some(icc) = icc_oneway(&panel) {
                if icc.icc1 > 0.0 {
                    prop_assert!(icc.icck >= icc.icc1 - 1e-12, "{icc:?}");
                }
                prop_assert!(icc.icc1 <= 1.0 + 1e-12 && icc.icck <= 1.0 + 1e-12);
            }
        }

        #[test]
        fn alpha_ignores_a_shift_of_every_mark(
            panel in arb_panel(),
            missing in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
            shift in -50i32..50,
        ) {
            let mut units = panel;
            for m in missing {
                let u = m.index(units.len());
                if !units[u].is_empty() {
                    let v = m.index(units[u].len());
                    units[u].remove(v);
                }
            }
            let shifted: Vec<Vec<f64>> = units
                .iter()
                .map(|u| u.iter().map(|v| v + f64::from(shift)).collect())
                .collect();
            match (krippendorff_interval(&units), krippendorff_interval(&shifted)) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9, "{a} vs {b}"),
                (a, b) => prop_assert_eq!(a, b),
            }
        }

        #[test]
        fn leniency_sums_to_zero_on_a_crossed_panel(panel in arb_panel()) {
            let subjects: Vec<SubjectMarks> = panel
                .iter()
                .enumerate()
                .map(|(s, row)| SubjectMarks {
                    subject: format!("s{s}"),
                    marks: row.iter().enumerate().map(|(j, m)| (format!("j{j}"), *m)).collect(),
                    dropped: Vec::new(),
                })
                .collect();
            let stats = judge_stats(&subjects);
            prop_assert_eq!(stats.len(), panel[0].len());
            let sum: f64 = stats.iter().filter_map(|s| s.leniency).sum();
            prop_assert!(sum.abs() < 1e-9, "{sum}");
        }
    }
}
