//! Item analysis of a theory exam: how hard each question was, whether it told strong
//! candidates from weak ones, which options were picked, and how reliable the whole test is.
//!
//! The input is a response matrix given as rows ([`Response`]): one row per candidate and
//! question that candidate answered. [`analyze`] validates the rows and computes everything
//! in one pass over the matrix; it is pure arithmetic on `f64`, without I/O.
//!
//! # Conventions
//!
//! * **Candidates and items.** A candidate is every distinct `candidate` string, an item
//!   every distinct `question` string, both compared exactly. Items are reported in the order
//!   of their first row in the input.
//! * **Missing responses.** A candidate without a row for a question scores 0 on it wherever
//!   *test-level* figures are computed: the total score, its mean and SD, alpha/KR-20 and the
//!   ranking used for discrimination. The *item* statistics (`n`, mean, facility, item–rest
//!   correlation, discrimination, option shares) are computed over the candidates that have a
//!   row for that item; their rest score is still their total (with 0 for their own missing
//!   items) minus their score on the item.
//! * **Variances.** Sample variances (divisor n − 1) are used throughout: item and total
//!   variances in alpha, and the SD of totals. KR-20 is written with population variances
//!   (Σ p q / σ²), which is the same ratio: the factor n / (n − 1) appears above and below the
//!   fraction bar and cancels, so alpha and KR-20 agree exactly on 0/1 data.
//! * **Undefined figures** are `None` (JSON `null`), never `NaN`: a correlation with a
//!   constant variable, alpha with fewer than two items or with constant totals, an SD of
//!   one candidate. A variance counts as zero when it is below 10⁻²⁰ of the mean square of
//!   the values, so that rounding noise in sums of equal scores is not mistaken for spread.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Share of candidates in each of the upper and lower groups for [`ItemStats::discrimination`].
pub const GROUP_SHARE: f64 = 0.27;
/// [`Flag::TooHard`] below this facility.
pub const TOO_HARD_BELOW: f64 = 0.2;
/// [`Flag::TooEasy`] above this facility.
pub const TOO_EASY_ABOVE: f64 = 0.9;
/// [`Flag::LowDiscrimination`] below this item–rest correlation.
pub const LOW_DISCRIMINATION_BELOW: f64 = 0.2;
/// [`Flag::RareOption`] when an option's share is below this.
pub const RARE_OPTION_BELOW: f64 = 0.05;

/// Relative size under which a sum of squared deviations is rounding noise (see the
/// module documentation).
const NEGLIGIBLE: f64 = 1e-20;

/// One candidate's result on one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub candidate: String,
    pub question: String,
    /// Points obtained, `0 ≤ score ≤ max`.
    pub score: f64,
    /// Points available on the question; the same on every row of the question.
    pub max: f64,
    /// What the candidate picked, for option frequencies (e.g. `"B"`, or `"A|C"` for a
    /// multiple-answer question, counted as one pattern). `None` or blank: not recorded.
    pub choice: Option<String>,
}

/// The result of [`analyze`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Distinct candidates (N).
    pub candidates: usize,
    /// Cronbach's alpha of the total score (equal to KR-20 when [`Analysis::kr20`]):
    /// `k/(k−1) × (1 − Σ item variances / variance of totals)`. `None` with fewer than two
    /// items, fewer than two candidates, or totals that do not vary. Alpha cannot exceed 1
    /// mathematically; a value computed a rounding error above 1 is reported as 1. It can be
    /// negative (items that contradict each other).
    pub alpha: Option<f64>,
    /// `true` when every item is dichotomous (every score is 0 or the item's max), so that
    /// alpha was computed as KR-20: `k/(k−1) × (1 − Σ m² p q / σ²)` with p the share of
    /// candidates scoring the max m, q = 1 − p and σ² the population variance of totals.
    pub kr20: bool,
    /// Mean total score.
    pub mean: f64,
    /// Sample standard deviation (n − 1) of the total scores; `None` with one candidate.
    pub sd: Option<f64>,
    /// Standard error of measurement, `sd × √(1 − alpha)`; `None` when alpha or sd is.
    /// With a negative alpha it exceeds the SD: the test measures nothing consistent.
    pub sem: Option<f64>,
    /// One entry per question, in the order of their first row in the input.
    pub items: Vec<ItemStats>,
}

/// Statistics of one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStats {
    pub question: String,
    /// Candidates with a row for this question.
    pub n: usize,
    /// Points available.
    pub max: f64,
    /// Mean score of the `n` candidates who have a row.
    pub mean: f64,
    /// Facility (difficulty index, p-value): `mean / max`, in `[0, 1]`; higher is easier.
    pub facility: f64,
    /// Item–rest correlation: Pearson's r between the item score and the rest score
    /// (candidate total − this item's score), over the `n` candidates with a row. Unlike the
    /// item–total correlation it does not correlate the item with itself. `None` when either
    /// side does not vary (or `n < 2`).
    pub item_rest_r: Option<f64>,
    /// Upper–lower 27 % discrimination index, in `[−1, 1]`.
    ///
    /// The `n` candidates with a row are ranked by total score, ascending; ties are broken by
    /// candidate id (ascending, byte order), so the ranking never depends on the input order.
    /// The lower group is the first `g`, the upper group the last `g`, with
    /// `g = max(1, round(0.27 × n))`; for `n ≥ 2` the groups never overlap. The index is
    /// `(mean item score of upper − mean of lower) / max`. `None` when `n < 2`.
    pub discrimination: Option<f64>,
    /// How often each distinct `choice` string was given, sorted by the string. Empty when no
    /// choices were recorded for the item.
    pub options: Vec<OptionFreq>,
    /// Warnings, in the order of [`Flag`]'s declaration.
    pub flags: Vec<Flag>,
}

/// How often one option (one distinct choice string) was picked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionFreq {
    /// The choice exactly as given (trimmed); `"A|C"` and `"AC"` are different patterns.
    pub choice: String,
    pub count: usize,
    /// `count / n`: the share of the candidates with a row for the item, including those
    /// whose row records no choice.
    pub share: f64,
}

/// A warning on a question. Each is tested on its own, so a negative correlation is flagged
/// both [`Flag::LowDiscrimination`] and [`Flag::NegativeDiscrimination`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Facility below 0.2.
    TooHard,
    /// Facility above 0.9.
    TooEasy,
    /// Item–rest correlation below 0.2.
    LowDiscrimination,
    /// Item–rest correlation below 0: stronger candidates did worse on this question
    /// (a wrong key, an ambiguous wording).
    NegativeDiscrimination,
    /// An option that was picked has a share below 5 % (a distractor nobody believes).
    RareOption,
}

impl Flag {
    pub const ALL: [Flag; 5] = [
        Flag::TooHard,
        Flag::TooEasy,
        Flag::LowDiscrimination,
        Flag::NegativeDiscrimination,
        Flag::RareOption,
    ];

    /// The serialized name, e.g. `too_hard`.
    pub fn key(self) -> &'static str {
        match self {
            Flag::TooHard => "too_hard",
            Flag::TooEasy => "too_easy",
            Flag::LowDiscrimination => "low_discrimination",
            Flag::NegativeDiscrimination => "negative_discrimination",
            Flag::RareOption => "rare_option",
        }
    }
}

/// Why the responses cannot be analysed.
///
/// Row problems carry the 0-based `index` of the row in the input slice; [`Display`]
/// names it "response N" (1-based). A caller that knows better names for rows (line numbers
/// of a file) formats the same message with [`AnalysisError::describe`].
///
/// [`Display`]: std::fmt::Display
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{}", self.describe(&|i| format!("response {}", i + 1)))]
pub enum AnalysisError {
    /// No rows at all.
    Empty,
    /// The candidate or the question is blank.
    Blank { index: usize, field: &'static str },
    /// The score or the max is NaN or infinite.
    NotANumber {
        index: usize,
        candidate: String,
        question: String,
    },
    /// `max ≤ 0`.
    MaxNotPositive {
        index: usize,
        question: String,
        max: f64,
    },
    /// `score < 0` or `score > max`.
    ScoreOutOfRange {
        index: usize,
        candidate: String,
        question: String,
        score: f64,
        max: f64,
    },
    /// The question's max differs from the one on its first row (`first`).
    InconsistentMax {
        index: usize,
        first: usize,
        question: String,
        max: f64,
        first_max: f64,
    },
    /// A second row for the same candidate and question; the first is `first`.
    Duplicate {
        index: usize,
        first: usize,
        candidate: String,
        question: String,
    },
}

impl AnalysisError {
    /// A stable identifier, for translations.
    pub fn code(&self) -> &'static str {
        match self {
            AnalysisError::Empty => "analysis-empty",
            AnalysisError::Blank { .. } => "analysis-blank",
            AnalysisError::NotANumber { .. } => "analysis-not-a-number",
            AnalysisError::MaxNotPositive { .. } => "analysis-max-not-positive",
            AnalysisError::ScoreOutOfRange { .. } => "analysis-score-out-of-range",
            AnalysisError::InconsistentMax { .. } => "analysis-inconsistent-max",
            AnalysisError::Duplicate { .. } => "analysis-duplicate",
        }
    }

    /// The 0-based index of the offending row; `None` for [`AnalysisError::Empty`].
    pub fn index(&self) -> Option<usize> {
        match self {
            AnalysisError::Empty => None,
            AnalysisError::Blank { index, .. }
            | AnalysisError::NotANumber { index, .. }
            | AnalysisError::MaxNotPositive { index, .. }
            | AnalysisError::ScoreOutOfRange { index, .. }
            | AnalysisError::InconsistentMax { index, .. }
            | AnalysisError::Duplicate { index, .. } => Some(*index),
        }
    }

    /// The message, with rows named by `place` (given a 0-based index), e.g.
    /// `|i| format!("line {}", lines[i])`.
    pub fn describe(&self, place: &dyn Fn(usize) -> String) -> String {
        match self {
            AnalysisError::Empty => "there are no responses to analyze".to_string(),
            AnalysisError::Blank { index, field } => {
                format!("{}: the {field} is empty", place(*index))
            }
            AnalysisError::NotANumber {
                index,
                candidate,
                question,
            } => format!(
                "{}: candidate {candidate:?}, question {question:?}: score and max must be finite numbers",
                place(*index)
            ),
            AnalysisError::MaxNotPositive {
                index,
                question,
                max,
            } => format!(
                "{}: question {question:?}: the max {max} must be greater than 0",
                place(*index)
            ),
            AnalysisError::ScoreOutOfRange {
                index,
                candidate,
                question,
                score,
                max,
            } => {
                let why = if *score < 0.0 {
                    "is below 0".to_string()
                } else {
                    format!("is above the max {max}")
                };
                format!(
                    "{}: candidate {candidate:?}, question {question:?}: the score {score} {why}",
                    place(*index)
                )
            }
            AnalysisError::InconsistentMax {
                index,
                first,
                question,
                max,
                first_max,
            } => format!(
                "{}: question {question:?} has the max {max}, but {first_max} at {}",
                place(*index),
                place(*first)
            ),
            AnalysisError::Duplicate {
                index,
                first,
                candidate,
                question,
            } => format!(
                "{}: candidate {candidate:?} answered question {question:?} twice (first at {})",
                place(*index),
                place(*first)
            ),
        }
    }
}

/// Every problem with the rows, in input order (a row may have more than one).
/// [`analyze`] fails with the first of them; a file importer reports them all.
pub fn problems(responses: &[Response]) -> Vec<AnalysisError> {
    if responses.is_empty() {
        return vec![AnalysisError::Empty];
    }
    let mut out = Vec::new();
    // Question → (index of its first row, its max).
    let mut maxes: HashMap<&str, (usize, f64)> = HashMap::new();
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for (index, r) in responses.iter().enumerate() {
        let mut blank = false;
        for (field, value) in [("candidate", &r.candidate), ("question", &r.question)] {
            if value.trim().is_empty() {
                out.push(AnalysisError::Blank { index, field });
                blank = true;
            }
        }
        if !r.score.is_finite() || !r.max.is_finite() {
            out.push(AnalysisError::NotANumber {
                index,
                candidate: r.candidate.clone(),
                question: r.question.clone(),
            });
        } else if r.max <= 0.0 {
            out.push(AnalysisError::MaxNotPositive {
                index,
                question: r.question.clone(),
                max: r.max,
            });
        } else if r.score < 0.0 || r.score > r.max {
            out.push(AnalysisError::ScoreOutOfRange {
                index,
                candidate: r.candidate.clone(),
                question: r.question.clone(),
                score: r.score,
                max: r.max,
            });
        }
        if blank {
            continue;
        }
        // Only a usable max is compared or becomes the reference: a NaN or non-positive
        // one was reported above and is not reported again.
        let usable = r.max.is_finite() && r.max > 0.0;
        match maxes.get(r.question.as_str()) {
            None if usable => {
                maxes.insert(&r.question, (index, r.max));
            }
            Some(&(first, first_max)) if usable && r.max != first_max => {
                out.push(AnalysisError::InconsistentMax {
                    index,
                    first,
                    question: r.question.clone(),
                    max: r.max,
                    first_max,
                });
            }
            _ => {}
        }
        if let Some(&first) = seen.get(&(r.candidate.as_str(), r.question.as_str())) {
            out.push(AnalysisError::Duplicate {
                index,
                first,
                candidate: r.candidate.clone(),
                question: r.question.clone(),
            });
        } else {
            seen.insert((&r.candidate, &r.question), index);
        }
    }
    out
}

/// Analyses a response matrix; see the module documentation for the conventions.
///
/// Fails with the first of [`problems`]: empty input, a blank id, a non-finite number,
/// `max ≤ 0`, a score outside `0..=max`, a max that differs between rows of one question, or
/// a second row for the same candidate and question.
pub fn analyze(responses: &[Response]) -> Result<Analysis, AnalysisError> {
    if let Some(first) = problems(responses).into_iter().next() {
        return Err(first);
    }
    let matrix = Matrix::build(responses);
    let totals = matrix.totals();
    let n_candidates = matrix.candidates.len();

    let items = (0..matrix.items.len())
        .map(|q| item_stats(&matrix, &totals, q))
        .collect();

    let columns: Vec<Vec<f64>> = (0..matrix.items.len())
        .map(|q| matrix.column_filled(q))
        .collect();
    let maxes: Vec<f64> = matrix.items.iter().map(|i| i.max).collect();
    let kr20 = matrix.dichotomous();
    let alpha = if kr20 {
        kr20_alpha(&columns, &maxes)
    } else {
        cronbach_alpha(&columns)
    };
    let (mean, ss) = centered(&totals);
    let sd = (n_candidates >= 2).then(|| {
        if negligible(ss, &totals) {
            0.0
        } else {
            (ss / (n_candidates - 1) as f64).sqrt()
        }
    });
    let sem = match (sd, alpha) {
        (Some(sd), Some(alpha)) => Some(sd * (1.0 - alpha).sqrt()),
        _ => None,
    };
    Ok(Analysis {
        candidates: n_candidates,
        alpha,
        kr20,
        mean,
        sd,
        sem,
        items,
    })
}

struct Item<'a> {
    question: &'a str,
    max: f64,
    /// `scores[c]`: the score of candidate `c`, `None` without a row.
    scores: Vec<Option<f64>>,
    /// Choice string → count.
    choices: BTreeMap<&'a str, usize>,
}

/// The responses as a candidates × items matrix, ids in order of first appearance.
struct Matrix<'a> {
    candidates: Vec<&'a str>,
    items: Vec<Item<'a>>,
}

impl<'a> Matrix<'a> {
    /// Expects rows without [`problems`].
    fn build(responses: &'a [Response]) -> Matrix<'a> {
        let mut candidate_index: HashMap<&str, usize> = HashMap::new();
        let mut item_index: HashMap<&str, usize> = HashMap::new();
        let mut candidates = Vec::new();
        let mut cells = Vec::with_capacity(responses.len());
        let mut items: Vec<Item<'a>> = Vec::new();
        for r in responses {
            let c = *candidate_index.entry(&r.candidate).or_insert_with(|| {
                candidates.push(r.candidate.as_str());
                candidates.len() - 1
            });
            let q = *item_index.entry(&r.question).or_insert_with(|| {
                items.push(Item {
                    question: &r.question,
                    max: r.max,
                    scores: Vec::new(),
                    choices: BTreeMap::new(),
                });
                items.len() - 1
            });
            if let Some(choice) = r.choice.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                *items[q].choices.entry(choice).or_insert(0) += 1;
            }
            cells.push((c, q, r.score));
        }
        for item in &mut items {
            item.scores = vec![None; candidates.len()];
        }
        for (c, q, score) in cells {
            items[q].scores[c] = Some(score);
        }
        Matrix { candidates, items }
    }

    /// Total score of each candidate, 0 for a missing row; summed in item order.
    fn totals(&self) -> Vec<f64> {
        let mut totals = vec![0.0; self.candidates.len()];
        for item in &self.items {
            for (t, s) in totals.iter_mut().zip(&item.scores) {
                *t += s.unwrap_or(0.0);
            }
        }
        totals
    }

    /// Item `q`'s score of every candidate, 0 for a missing row.
    fn column_filled(&self, q: usize) -> Vec<f64> {
        self.items[q]
            .scores
            .iter()
            .map(|s| s.unwrap_or(0.0))
            .collect()
    }

    /// Every score given is 0 or its item's max.
    fn dichotomous(&self) -> bool {
        self.items.iter().all(|item| {
            item.scores
                .iter()
                .flatten()
                .all(|s| *s == 0.0 || *s == item.max)
        })
    }
}

fn item_stats(matrix: &Matrix<'_>, totals: &[f64], q: usize) -> ItemStats {
    let item = &matrix.items[q];
    // (candidate, score, total) of those with a row.
    let rows: Vec<(usize, f64, f64)> = item
        .scores
        .iter()
        .enumerate()
        .filter_map(|(c, s)| s.map(|s| (c, s, totals[c])))
        .collect();
    let n = rows.len();
    let scores: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let rest: Vec<f64> = rows.iter().map(|r| r.2 - r.1).collect();
    let mean = mean(&scores);
    let facility = (mean / item.max).clamp(0.0, 1.0);
    let item_rest_r = pearson(&scores, &rest);

    let discrimination = (n >= 2).then(|| {
        let mut ranked = rows.clone();
        ranked.sort_by(|a, b| {
            a.2.total_cmp(&b.2)
                .then_with(|| matrix.candidates[a.0].cmp(matrix.candidates[b.0]))
        });
        let g = group_size(n);
        let lower: Vec<f64> = ranked[..g].iter().map(|r| r.1).collect();
        let upper: Vec<f64> = ranked[n - g..].iter().map(|r| r.1).collect();
        ((self::mean(&upper) - self::mean(&lower)) / item.max).clamp(-1.0, 1.0)
    });

    let options: Vec<OptionFreq> = item
        .choices
        .iter()
        .map(|(choice, count)| OptionFreq {
            choice: (*choice).to_string(),
            count: *count,
            share: *count as f64 / n as f64,
        })
        .collect();

    let mut flags = Vec::new();
    if facility < TOO_HARD_BELOW {
        flags.push(Flag::TooHard);
    }
    if facility > TOO_EASY_ABOVE {
        flags.push(Flag::TooEasy);
    }
    if let Some(r) = item_rest_r {
        if r < LOW_DISCRIMINATION_BELOW {
            flags.push(Flag::LowDiscrimination);
        }
        if r < 0.0 {
            flags.push(Flag::NegativeDiscrimination);
        }
    }
    if options.iter().any(|o| o.share < RARE_OPTION_BELOW) {
        flags.push(Flag::RareOption);
    }

    ItemStats {
        question: item.question.to_string(),
        n,
        max: item.max,
        mean,
        facility,
        item_rest_r,
        discrimination,
        options,
        flags,
    }
}

/// `max(1, round(0.27 × n))`: the size of the upper and of the lower group.
fn group_size(n: usize) -> usize {
    ((GROUP_SHARE * n as f64).round() as usize).max(1)
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// `(mean, Σ (v − mean)²)`, two-pass for accuracy.
fn centered(values: &[f64]) -> (f64, f64) {
    let m = mean(values);
    (m, values.iter().map(|v| (v - m) * (v - m)).sum())
}

/// Whether a sum of squared deviations is zero up to rounding (see [`NEGLIGIBLE`]).
fn negligible(ss: f64, values: &[f64]) -> bool {
    let squares: f64 = values.iter().map(|v| v * v).sum();
    ss <= NEGLIGIBLE * squares
}

/// Pearson's r, or `None` when a side does not vary (or fewer than two pairs).
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() < 2 || x.len() != y.len() {
        return None;
    }
    let (mx, sxx) = centered(x);
    let (my, syy) = centered(y);
    if negligible(sxx, x) || negligible(syy, y) {
        return None;
    }
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// `(Σ item sample variances, sample variance of the totals, the totals)` of complete item
/// columns, or `None` when alpha is undefined (k < 2, N < 2, constant totals).
fn variance_parts(columns: &[Vec<f64>]) -> Option<(f64, f64, Vec<f64>)> {
    let k = columns.len();
    let n = columns.first().map_or(0, Vec::len);
    if k < 2 || n < 2 {
        return None;
    }
    let mut totals = vec![0.0; n];
    for column in columns {
        for (t, v) in totals.iter_mut().zip(column) {
            *t += v;
        }
    }
    let (_, ss_total) = centered(&totals);
    if negligible(ss_total, &totals) {
        return None;
    }
    let var_total = ss_total / (n - 1) as f64;
    let sum_items: f64 = columns.iter().map(|c| centered(c).1 / (n - 1) as f64).sum();
    Some((sum_items, var_total, totals))
}

/// Cronbach's alpha of complete item columns (one value per candidate in each), with
/// sample variances; capped at 1 (see [`Analysis::alpha`]).
fn cronbach_alpha(columns: &[Vec<f64>]) -> Option<f64> {
    let (sum_items, var_total, _) = variance_parts(columns)?;
    let k = columns.len() as f64;
    Some((k / (k - 1.0) * (1.0 - sum_items / var_total)).min(1.0))
}

/// KR-20 of complete dichotomous columns (each value 0 or the column's max m):
/// `k/(k−1) × (1 − Σ m² p q / σ²)`, σ² the population variance of totals.
fn kr20_alpha(columns: &[Vec<f64>], maxes: &[f64]) -> Option<f64> {
    let (_, _, totals) = variance_parts(columns)?;
    let n = totals.len() as f64;
    let (_, ss_total) = centered(&totals);
    let var_total = ss_total / n;
    let sum_pq: f64 = columns
        .iter()
        .zip(maxes)
        .map(|(column, m)| {
            let p = column.iter().filter(|v| **v == *m).count() as f64 / n;
            m * m * p * (1.0 - p)
        })
        .sum();
    let k = columns.len() as f64;
    Some((k / (k - 1.0) * (1.0 - sum_pq / var_total)).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TOL: f64 = 1e-9;

    fn row(
        candidate: &str,
        question: &str,
        score: f64,
        max: f64,
        choice: Option<&str>,
    ) -> Response {
        Response {
            candidate: candidate.to_string(),
            question: question.to_string(),
            score,
            max,
            choice: choice.map(str::to_string),
        }
    }

    fn ok(responses: &[Response]) -> Analysis {
        match analyze(responses) {
            Ok(a) => a,
            Err(e) => panic!("{e}"),
        }
    }

    fn item<'a>(a: &'a Analysis, question: &str) -> &'a ItemStats {
        match a.items.iter().find(|i| i.question == question) {
            Some(i) => i,
            None => panic!("no item {question}"),
        }
    }

    #[track_caller]
    fn close(actual: Option<f64>, expected: f64) {
        match actual {
            Some(v) => assert!(
                (v - expected).abs() <= TOL,
                "{v} is not {expected} (±{TOL})"
            ),
            None => panic!("None instead of {expected}"),
        }
    }

    /// A wide matrix, one string of space-separated scores per candidate, as rows.
    fn wide(lines: &[&str], max: f64) -> Vec<Response> {
        let mut out = Vec::new();
        for (c, line) in lines.iter().enumerate() {
            for (q, v) in line.split_whitespace().enumerate() {
                let score = match v.parse() {
                    Ok(s) => s,
                    Err(e) => panic!("{v}: {e}"),
                };
                out.push(row(
                    &format!("c{c}"),
                    &format!("Q{}", q + 1),
                    score,
                    max,
                    None,
                ));
            }
        }
        out
    }

    /// The fixture file's rows (`candidate,question,score,max,choice`, no quoting).
    fn fixture(only: &[&str]) -> Vec<Response> {
        include_str!("../../tests/fixtures/item_analysis_responses.csv")
            .lines()
            .skip(1)
            .filter_map(|line| {
                let f: Vec<&str> = line.split(',').collect();
                let num = |s: &str| match s.parse::<f64>() {
                    Ok(v) => v,
                    Err(e) => panic!("{line}: {e}"),
                };
                (only.is_empty() || only.contains(&f[1])).then(|| {
                    row(
                        f[0],
                        f[1],
                        num(f[2]),
                        num(f[3]),
                        Some(f[4]).filter(|c| !c.is_empty()),
                    )
                })
            })
            .collect()
    }

    #[test]
    fn two_dichotomous_items_by_hand() {
        // c1 11, c2 10, c3 01, c4 00: the items are uncorrelated.
        let rows = [
            row("c1", "q1", 1.0, 1.0, None),
            row("c1", "q2", 1.0, 1.0, None),
            row("c2", "q1", 1.0, 1.0, None),
            row("c2", "q2", 0.0, 1.0, None),
            row("c3", "q1", 0.0, 1.0, None),
            row("c3", "q2", 1.0, 1.0, None),
            row("c4", "q1", 0.0, 1.0, None),
            row("c4", "q2", 0.0, 1.0, None),
        ];
        let a = ok(&rows);
        assert_eq!(a.candidates, 4);
        assert!(a.kr20);
        // Item variances 1/3 each, totals 2,1,1,0 with variance 2/3: alpha = 2 (1 − 1) = 0.
        close(a.alpha, 0.0);
        assert_eq!(a.mean, 1.0);
        close(a.sd, (2.0f64 / 3.0).sqrt());
        close(a.sem, (2.0f64 / 3.0).sqrt());
        let q1 = item(&a, "q1");
        assert_eq!((q1.n, q1.max, q1.mean, q1.facility), (4, 1.0, 0.5, 0.5));
        // The rest score of q1 is q2: 1,0,1,0 against 1,1,0,0.
        close(q1.item_rest_r, 0.0);
        // g = round(1.08) = 1: the lower group is c4 (0), the upper c1 (2).
        close(q1.discrimination, 1.0);
        close(item(&a, "q2").discrimination, 1.0);
        assert_eq!(q1.flags, [Flag::LowDiscrimination]);
        assert!(q1.options.is_empty());
        assert_eq!(
            a.items
                .iter()
                .map(|i| i.question.as_str())
                .collect::<Vec<_>>(),
            ["q1", "q2"]
        );
    }

    #[test]
    fn missing_rows_count_zero_in_totals_only_and_alpha_may_be_negative() {
        let rows = [
            row("c1", "q1", 1.0, 1.0, Some("A")),
            row("c1", "q2", 2.0, 4.0, Some(" B ")),
            row("c2", "q1", 0.0, 1.0, Some("B")),
            row("c2", "q2", 4.0, 4.0, None),
            row("c3", "q1", 1.0, 1.0, Some("A")),
            // c3 has no row for q2: total 1.
        ];
        let a = ok(&rows);
        assert!(!a.kr20, "q2 has partial credit");
        // Totals 3, 4, 1.
        close(Some(a.mean), 8.0 / 3.0);
        close(a.sd, (7.0f64 / 3.0).sqrt());
        // Item variances (0 for the missing row) 1/3 and 4; total variance 7/3:
        // alpha = 2 (1 − (13/3) / (7/3)) = −12/7, and the SEM exceeds the SD.
        close(a.alpha, -12.0 / 7.0);
        close(a.sem, (19.0f64 / 3.0).sqrt());

        let q1 = item(&a, "q1");
        assert_eq!(q1.n, 3);
        close(Some(q1.facility), 2.0 / 3.0);
        // Scores 1,0,1 against rest scores 2,4,0: r = −2 / √(2/3 · 8) = −√3/2.
        close(q1.item_rest_r, -(3.0f64.sqrt()) / 2.0);
        // Ranked c3 (1), c1 (3), c2 (4): lower c3 scored 1, upper c2 scored 0.
        close(q1.discrimination, -1.0);
        assert_eq!(
            q1.flags,
            [Flag::LowDiscrimination, Flag::NegativeDiscrimination]
        );
        assert_eq!(
            q1.options,
            [
                OptionFreq {
                    choice: "A".into(),
                    count: 2,
                    share: 2.0 / 3.0
                },
                OptionFreq {
                    choice: "B".into(),
                    count: 1,
                    share: 1.0 / 3.0
                },
            ]
        );

        let q2 = item(&a, "q2");
        assert_eq!((q2.n, q2.mean, q2.facility), (2, 3.0, 0.75));
        // Only c1 and c2 count: scores 2,4 against rest 1,0.
        close(q2.item_rest_r, -1.0);
        close(q2.discrimination, 0.5);
        // The share is of the 2 candidates with a row, one of whom gave no choice.
        assert_eq!(
            q2.options,
            [OptionFreq {
                choice: "B".into(),
                count: 1,
                share: 0.5
            }]
        );
    }

    #[test]
    fn ties_are_broken_by_candidate_id_whatever_the_input_order() {
        // a and b tie at 1 for the lower group, c and d at 2 for the upper: g = 1, so the
        // lower group is a and the upper d.
        let mut rows = vec![
            row("b", "q1", 0.0, 1.0, None),
            row("b", "q2", 1.0, 1.0, None),
            row("a", "q1", 1.0, 1.0, None),
            row("a", "q2", 0.0, 1.0, None),
            row("d", "q1", 1.0, 1.0, None),
            row("d", "q2", 1.0, 1.0, None),
            row("c", "q1", 1.0, 1.0, None),
            row("c", "q2", 1.0, 1.0, None),
        ];
        for _ in 0..2 {
            let a = ok(&rows);
            close(item(&a, "q1").discrimination, 0.0);
            close(item(&a, "q2").discrimination, 1.0);
            rows.reverse();
        }
    }

    #[test]
    fn group_size_is_27_percent_rounded_at_least_one() {
        assert_eq!(group_size(1), 1);
        assert_eq!(group_size(2), 1);
        assert_eq!(group_size(5), 1);
        assert_eq!(group_size(6), 2);
        assert_eq!(group_size(39), 11);
        assert_eq!(group_size(100), 27);
        for n in 2..500 {
            assert!(2 * group_size(n) <= n, "groups overlap at n = {n}");
        }
    }

    /// The real-statistics.com example (15 subjects, 10 items scored 1–7), also used by the
    /// tests of pingouin (Python) against R's psych: alpha = 0.592.
    #[test]
    fn alpha_of_a_textbook_example() {
        let rows = wide(
            &[
                "3 2 4 1 4 5 1 4 3 2",
                "5 4 6 3 5 1 2 5 5 5",
                "7 3 5 5 6 4 3 3 6 5",
                "2 4 3 3 2 2 2 6 6 3",
                "6 5 6 5 4 4 4 6 7 5",
                "1 2 3 4 2 5 2 3 5 2",
                "4 3 5 3 5 2 1 2 4 3",
                "2 4 4 3 7 2 2 4 6 5",
                "6 5 5 5 1 6 5 2 3 2",
                "5 4 6 4 3 5 3 1 7 2",
                "4 3 5 2 5 3 2 3 4 1",
                "4 2 3 2 5 3 4 2 3 4",
                "5 5 6 2 3 3 2 4 4 5",
                "6 5 5 4 2 2 1 4 6 5",
                "4 3 5 5 3 1 3 2 3 4",
            ],
            7.0,
        );
        let a = ok(&rows);
        assert!(!a.kr20);
        assert_eq!(a.candidates, 15);
        assert_eq!(a.items.len(), 10);
        let alpha = a.alpha.unwrap_or(f64::NAN);
        assert!((alpha - 0.592).abs() < 0.0005, "{alpha}");
        // Full precision from numpy (tests/fixtures/item_analysis_reference.py).
        close(a.alpha, 0.591_718_848_599_582_8);
        close(Some(a.mean), 37.2);
        close(a.sd, 6.603_029_607_687_672);
        close(a.sem, 4.219_130_028_934_661);
    }

    struct Expected {
        question: &'static str,
        n: usize,
        max: f64,
        mean: f64,
        r: f64,
        discrimination: f64,
        options: &'static [(&'static str, usize)],
        flags: &'static [Flag],
    }

    /// `tests/fixtures/item_analysis_responses.csv` (40 candidates, five single/multiple-choice
    /// items — mc4 deliberately miskeyed —, three partial-credit items, three missing rows)
    /// against the numbers of the independent numpy implementation in
    /// `tests/fixtures/item_analysis_reference.py`.
    #[test]
    fn fixture_matches_the_numpy_reference() {
        let a = ok(&fixture(&[]));
        assert_eq!(a.candidates, 40);
        assert!(!a.kr20);
        close(a.alpha, 0.682_582_881_392_789_6);
        close(Some(a.mean), 8.275);
        close(a.sd, 3.727_840_510_509_385);
        close(a.sem, 2.100_257_266_641_538_7);
        let rare = &[Flag::RareOption][..];
        let expected = [
            Expected {
                question: "mc1",
                n: 40,
                max: 1.0,
                mean: 0.85,
                r: 0.492_217_034_560_366_75,
                discrimination: 0.454_545_454_545_454_6,
                options: &[("A", 34), ("B", 2), ("C", 3), ("D", 1)],
                flags: rare,
            },
            Expected {
                question: "mc2",
                n: 40,
                max: 1.0,
                mean: 0.575,
                r: 0.551_246_288_794_402_5,
                discrimination: 0.727_272_727_272_727_3,
                options: &[("A", 4), ("B", 12), ("C", 23), ("D", 1)],
                flags: rare,
            },
            Expected {
                question: "mc3",
                n: 39,
                max: 1.0,
                mean: 0.538_461_538_461_538_4,
                r: 0.458_867_862_082_497_8,
                discrimination: 0.727_272_727_272_727_3,
                options: &[("A", 6), ("B", 21), ("C", 5), ("D", 7)],
                flags: &[],
            },
            Expected {
                question: "mc4",
                n: 40,
                max: 1.0,
                mean: 0.4,
                r: -0.295_756_635_220_246_2,
                discrimination: -0.272_727_272_727_272_7,
                // C has a share of exactly 5 %: not rare.
                options: &[("A", 9), ("B", 13), ("C", 2), ("D", 16)],
                flags: &[Flag::LowDiscrimination, Flag::NegativeDiscrimination],
            },
            Expected {
                question: "mc5",
                n: 40,
                max: 1.0,
                mean: 0.525,
                r: 0.503_708_470_818_227_8,
                discrimination: 0.818_181_818_181_818_1,
                options: &[("A", 1), ("AB", 9), ("AC", 21), ("BC", 7), ("C", 2)],
                flags: rare,
            },
            Expected {
                question: "sa1",
                n: 40,
                max: 2.0,
                mean: 1.025,
                r: 0.611_251_995_454_891_2,
                discrimination: 0.681_818_181_818_181_9,
                options: &[],
                flags: &[],
            },
            Expected {
                question: "sa2",
                n: 39,
                max: 3.0,
                mean: 1.794_871_794_871_795,
                r: 0.473_969_107_248_115_3,
                discrimination: 0.515_151_515_151_515_1,
                options: &[],
                flags: &[],
            },
            Expected {
                question: "essay",
                n: 39,
                max: 5.0,
                mean: 2.692_307_692_307_692_5,
                r: 0.650_417_541_970_897_2,
                discrimination: 0.672_727_272_727_272_6,
                options: &[],
                flags: &[],
            },
        ];
        assert_eq!(a.items.len(), expected.len());
        for (got, want) in a.items.iter().zip(&expected) {
            assert_eq!(got.question, want.question);
            assert_eq!(got.n, want.n, "{}", want.question);
            assert_eq!(got.max, want.max, "{}", want.question);
            close(Some(got.mean), want.mean);
            close(Some(got.facility), want.mean / want.max);
            close(got.item_rest_r, want.r);
            close(got.discrimination, want.discrimination);
            let options: Vec<(&str, usize)> = got
                .options
                .iter()
                .map(|o| (o.choice.as_str(), o.count))
                .collect();
            assert_eq!(options, want.options, "{}", want.question);
            for o in &got.options {
                close(Some(o.share), o.count as f64 / want.n as f64);
            }
            assert_eq!(got.flags, want.flags, "{}", want.question);
        }
    }

    #[test]
    fn kr20_on_the_dichotomous_items_matches_numpy_and_the_general_formula() {
        let a = ok(&fixture(&["mc1", "mc2", "mc3", "mc4", "mc5"]));
        assert!(a.kr20);
        close(a.alpha, 0.298_715_203_426_124_23);
        close(Some(a.mean), 2.875);
        close(a.sd, 1.223_435_683_554_665_6);
        close(a.sem, 1.024_538_670_416_830_7);
        close(item(&a, "mc4").item_rest_r, -0.233_381_959_640_693_2);
        close(item(&a, "mc4").discrimination, 0.0);

        // The same columns through the general formula.
        let rows = fixture(&["mc1", "mc2", "mc3", "mc4", "mc5"]);
        let matrix = Matrix::build(&rows);
        let columns: Vec<Vec<f64>> = (0..5).map(|q| matrix.column_filled(q)).collect();
        close(cronbach_alpha(&columns), 0.298_715_203_426_124_23);
    }

    #[test]
    fn kr20_holds_for_items_worth_more_than_one_point() {
        // Dichotomous items scored 0 or 2 and 0 or 3.
        let rows = wide(&["2 3 0", "0 3 2", "2 0 0", "2 3 2", "0 0 0"], 3.0);
        let rows: Vec<Response> = rows
            .into_iter()
            .map(|mut r| {
                r.max = match r.question.as_str() {
                    "Q2" => 3.0,
                    _ => 2.0,
                };
                r
            })
            .collect();
        let a = ok(&rows);
        assert!(a.kr20);
        let matrix = Matrix::build(&rows);
        let columns: Vec<Vec<f64>> = (0..3).map(|q| matrix.column_filled(q)).collect();
        let general = cronbach_alpha(&columns).unwrap_or(f64::NAN);
        close(a.alpha, general);
        close(kr20_alpha(&columns, &[2.0, 3.0, 2.0]), general);
    }

    #[test]
    fn undefined_figures_are_none_not_nan() {
        // One candidate: no SD, no alpha, no correlation, no groups.
        let a = ok(&[
            row("c1", "q1", 1.0, 1.0, None),
            row("c1", "q2", 0.0, 1.0, None),
        ]);
        assert_eq!((a.sd, a.alpha, a.sem), (None, None, None));
        assert_eq!(a.items[0].item_rest_r, None);
        assert_eq!(a.items[0].discrimination, None);

        // One item: no alpha, but an SD.
        let a = ok(&[
            row("c1", "q1", 1.0, 1.0, None),
            row("c2", "q1", 0.0, 1.0, None),
        ]);
        assert_eq!(a.alpha, None);
        assert_eq!(a.sem, None);
        close(a.sd, 0.5f64.sqrt());
        // The rest score is always 0: no correlation.
        assert_eq!(a.items[0].item_rest_r, None);

        // Everybody scores the same total: no alpha; an item everybody got right has no r.
        let a = ok(&wide(&["1 0.1 0.2", "1 0.2 0.1", "1 0.3 0.0"], 1.0));
        assert_eq!(a.alpha, None);
        assert_eq!(a.sd, Some(0.0));
        assert_eq!(item(&a, "Q1").item_rest_r, None);
        assert_eq!(item(&a, "Q1").flags, [Flag::TooEasy]);
    }

    #[test]
    fn facility_flags_use_strict_thresholds() {
        let rows: Vec<Response> = (0..10)
            .flat_map(|c| {
                let c = format!("c{c}");
                [
                    row(
                        &c,
                        "hard",
                        if c.as_str() < "c2" { 1.0 } else { 0.0 },
                        1.0,
                        None,
                    ),
                    row(
                        &c,
                        "harder",
                        if c.as_str() < "c1" { 1.0 } else { 0.0 },
                        1.0,
                        None,
                    ),
                    row(
                        &c,
                        "easy",
                        if c.as_str() < "c9" { 1.0 } else { 0.0 },
                        1.0,
                        None,
                    ),
                    row(&c, "easier", 1.0, 1.0, None),
                ]
            })
            .collect();
        let a = ok(&rows);
        let has = |q: &str, f: Flag| item(&a, q).flags.contains(&f);
        assert!(!has("hard", Flag::TooHard), "0.2 is not below 0.2");
        assert!(has("harder", Flag::TooHard));
        assert!(!has("easy", Flag::TooEasy), "0.9 is not above 0.9");
        assert!(has("easier", Flag::TooEasy));
    }

    #[test]
    fn rare_options_need_recorded_choices() {
        let mut rows: Vec<Response> = (0..25)
            .map(|c| row(&format!("c{c:02}"), "q", 1.0, 1.0, Some("A")))
            .collect();
        assert!(!ok(&rows).items[0].flags.contains(&Flag::RareOption));
        rows[0].choice = Some("B".into()); // 1 of 25 = 4 %
        let a = ok(&rows);
        assert!(a.items[0].flags.contains(&Flag::RareOption));
        assert_eq!(a.items[0].options[1].share, 0.04);
        // Without choices there are no options and nothing is rare.
        for r in &mut rows {
            r.choice = None;
        }
        assert!(ok(&rows).items[0].options.is_empty());
    }

    #[test]
    fn every_bad_row_is_named() {
        let rows = [
            row("c1", "q1", 1.0, 1.0, None),
            row("c1", "q1", 0.0, 1.0, None),
            row("c2", "q1", 2.0, 2.0, None),
            row("c3", "q1", 1.5, 1.0, None),
            row("c4", "q1", -1.0, 1.0, None),
            row("c5", "q2", 0.0, 0.0, None),
            row(" ", "q2", f64::NAN, 1.0, None),
            // Not "inconsistent" with the max 0 above, which is reported already.
            row("c6", "q2", 1.0, 1.0, None),
        ];
        let all = problems(&rows);
        let codes: Vec<(Option<usize>, &str)> = all.iter().map(|e| (e.index(), e.code())).collect();
        assert_eq!(
            codes,
            [
                (Some(1), "analysis-duplicate"),
                (Some(2), "analysis-inconsistent-max"),
                (Some(3), "analysis-score-out-of-range"),
                (Some(4), "analysis-score-out-of-range"),
                (Some(5), "analysis-max-not-positive"),
                (Some(6), "analysis-blank"),
                (Some(6), "analysis-not-a-number"),
            ]
        );
        assert_eq!(analyze(&rows), Err(all[0].clone()));
        assert_eq!(
            all[0].to_string(),
            "response 2: candidate \"c1\" answered question \"q1\" twice (first at response 1)"
        );
        let lines = |i: usize| format!("line {}", i + 2);
        assert_eq!(
            all[1].describe(&lines),
            "line 4: question \"q1\" has the max 2, but 1 at line 2"
        );
        assert_eq!(
            all[2].describe(&lines),
            "line 5: candidate \"c3\", question \"q1\": the score 1.5 is above the max 1"
        );
        assert_eq!(
            all[3].describe(&lines),
            "line 6: candidate \"c4\", question \"q1\": the score -1 is below 0"
        );
        assert_eq!(
            all[4].describe(&lines),
            "line 7: question \"q2\": the max 0 must be greater than 0"
        );
        assert_eq!(all[5].describe(&lines), "line 8: the candidate is empty");
        assert_eq!(analyze(&[]), Err(AnalysisError::Empty));
        assert_eq!(
            AnalysisError::Empty.to_string(),
            "there are no responses to analyze"
        );
    }

    #[test]
    fn serializes_with_snake_case_flags_and_nulls() {
        let a = ok(&[row("c1", "q1", 0.0, 1.0, Some("B"))]);
        let json = match serde_json::to_value(&a) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            json,
            serde_json::json!({
                "candidates": 1, "alpha": null, "kr20": true, "mean": 0.0, "sd": null,
                "sem": null,
                "items": [{
                    "question": "q1", "n": 1, "max": 1.0, "mean": 0.0, "facility": 0.0,
                    "item_rest_r": null, "discrimination": null,
                    "options": [{"choice": "B", "count": 1, "share": 1.0}],
                    "flags": ["too_hard"]
                }]
            })
        );
        for f in Flag::ALL {
            assert_eq!(
                serde_json::to_value(f).ok(),
                Some(serde_json::Value::String(f.key().into()))
            );
        }
    }

    /// Random response matrices: N candidates × k items, each item with its own max and
    /// either whole or half points, some rows missing, some choices.
    fn matrices() -> impl Strategy<Value = Vec<Response>> {
        (1usize..25, 1usize..7).prop_flat_map(|(n, k)| {
            let maxes = proptest::collection::vec(prop_oneof![Just(1u32), 1u32..6], k);
            let cells = proptest::collection::vec((0.0f64..=1.0, any::<bool>(), 0u8..6), n * k);
            (Just((n, k)), maxes, cells).prop_map(|((n, k), maxes, cells)| {
                let mut rows = Vec::new();
                for c in 0..n {
                    for (q, max) in maxes.iter().enumerate() {
                        let (u, keep, choice) = cells[c * k + q];
                        // Drop about one row in six, but never the whole first candidate,
                        // so there is always at least one row.
                        if choice == 5 && !(c == 0 && q == 0) && keep {
                            continue;
                        }
                        let max = f64::from(*max);
                        let score = if q % 2 == 0 {
                            (u * max).round()
                        } else {
                            (u * max * 2.0).round() / 2.0
                        };
                        let choice =
                            (choice < 4).then(|| ["A", "B", "C", "AC"][usize::from(choice)]);
                        rows.push(row(&format!("c{c}"), &format!("q{q}"), score, max, choice));
                    }
                }
                rows
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn statistics_stay_in_their_ranges(rows in matrices()) {
            let a = analyze(&rows).map_err(|e| TestCaseError::fail(e.to_string()))?;
            if let Some(alpha) = a.alpha {
                prop_assert!(alpha <= 1.0 && alpha.is_finite(), "alpha {}", alpha);
            }
            if let Some(sem) = a.sem {
                prop_assert!(sem >= 0.0 && sem.is_finite());
            }
            if let Some(sd) = a.sd {
                prop_assert!(sd >= 0.0 && sd.is_finite());
            }
            for i in &a.items {
                prop_assert!(i.n >= 1 && i.n <= a.candidates);
                prop_assert!((0.0..=1.0).contains(&i.facility), "facility {}", i.facility);
                if let Some(r) = i.item_rest_r {
                    prop_assert!(r.abs() <= 1.0, "r {}", r);
                }
                if let Some(d) = i.discrimination {
                    prop_assert!((-1.0..=1.0).contains(&d), "discrimination {}", d);
                }
                let shares: f64 = i.options.iter().map(|o| o.share).sum();
                prop_assert!(shares <= 1.0 + 1e-12);
                prop_assert!(i.options.iter().all(|o| o.count >= 1));
            }
        }

        #[test]
        fn the_order_of_the_rows_does_not_matter(rows in matrices(), seed in any::<u64>()) {
            let a = analyze(&rows).map_err(|e| TestCaseError::fail(e.to_string()))?;
            // A deterministic shuffle.
            let mut shuffled = rows.clone();
            let mut s = seed | 1;
            for i in (1..shuffled.len()).rev() {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                shuffled.swap(i, (s % (i as u64 + 1)) as usize);
            }
            let b = analyze(&shuffled).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let near = |x: Option<f64>, y: Option<f64>| match (x, y) {
                (Some(x), Some(y)) => (x - y).abs() <= 1e-9,
                (None, None) => true,
                _ => false,
            };
            prop_assert_eq!(a.candidates, b.candidates);
            prop_assert_eq!(a.kr20, b.kr20);
            prop_assert!(near(a.alpha, b.alpha), "{:?} {:?}", a.alpha, b.alpha);
            prop_assert!(near(a.sd, b.sd));
            for i in &a.items {
                let j = b.items.iter().find(|j| j.question == i.question);
                prop_assert!(j.is_some());
                let Some(j) = j else { continue };
                prop_assert_eq!(i.n, j.n);
                prop_assert!(near(Some(i.facility), Some(j.facility)));
                prop_assert!(near(i.item_rest_r, j.item_rest_r));
                prop_assert!(near(i.discrimination, j.discrimination));
                prop_assert_eq!(&i.options, &j.options);
            }
        }

        #[test]
        fn kr20_equals_the_general_formula_on_dichotomous_data(
            cells in proptest::collection::vec(any::<bool>(), 2 * 2..40 * 6),
            k in 2usize..6,
            max in 1u32..4,
        ) {
            let n = cells.len() / k;
            prop_assume!(n >= 2);
            let max = f64::from(max);
            let columns: Vec<Vec<f64>> = (0..k)
                .map(|q| (0..n).map(|c| if cells[c * k + q] { max } else { 0.0 }).collect())
                .collect();
            let general = cronbach_alpha(&columns);
            let kr20 = kr20_alpha(&columns, &vec![max; k]);
            match (general, kr20) {
                (Some(g), Some(r)) => prop_assert!((g - r).abs() <= 1e-9, "{} vs {}", g, r),
                (None, None) => {}
                other => prop_assert!(false, "{:?}", other),
            }
        }
    }
}
