//! Papers: fixed lists or draw rules, checked against their declared total, drawn per
//! attempt from a recorded seed so the exact paper a candidate saw can be shown again.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::answer::MultiplePolicy;
use super::question::{Difficulty, QuestionType};
use super::rng::SplitMix64;

/// The usual total of a paper (seed-rules §4.1: scored out of 100), in hundredths.
pub const DEFAULT_TOTAL: u32 = 10_000;
pub const MAX_ITEMS: usize = 500;

/// One line of a paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Part {
    /// A chosen question; `points` in hundredths, `None` for the question's own points.
    Fixed {
        question_id: i64,
        points: Option<u32>,
    },
    /// `count` questions of a type (and optionally a skill tag and difficulty), drawn per
    /// attempt, at `points` hundredths each.
    Rule {
        qtype: QuestionType,
        tag: Option<String>,
        difficulty: Option<Difficulty>,
        count: u32,
        points: u32,
    },
}

/// How a paper is built and scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperSpec {
    /// The declared total in hundredths; the parts must add up to it.
    pub total: u32,
    pub policy: MultiplePolicy,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub parts: Vec<Part>,
}

/// A question a paper may use, as frozen when an exam session is published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolQuestion {
    pub question_id: i64,
    pub version_id: i64,
    pub qtype: QuestionType,
    pub tags: Vec<String>,
    pub difficulty: Difficulty,
    /// The question's default points in hundredths.
    pub points: u32,
    /// Number of options (0 for true/false and short answers).
    pub options: u8,
}

/// One question of a drawn paper, in the order the candidate sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawnItem {
    pub question_id: i64,
    pub version_id: i64,
    pub points: u32,
    /// Original option indexes in display order (empty when the question has no options).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<u8>,
}

/// Why a paper cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum PaperError {
    #[error("the paper has no questions")]
    Empty,
    #[error("the paper has more than {MAX_ITEMS} questions")]
    TooManyItems,
    #[error("part {part}: question {question_id} is not in the bank")]
    UnknownQuestion { part: usize, question_id: i64 },
    #[error("part {part}: question {question_id} appears twice")]
    DuplicateQuestion { part: usize, question_id: i64 },
    #[error("part {part}: a rule must draw at least one question worth more than 0 points")]
    EmptyRule { part: usize },
    #[error("part {part}: the bank has {available} matching questions, the rule needs {needed}")]
    NotEnoughQuestions {
        part: usize,
        needed: u32,
        available: usize,
    },
    #[error("the parts add up to {sum} hundredths, the paper declares {total}")]
    TotalMismatch { sum: u64, total: u32 },
}

impl PaperError {
    pub fn code(&self) -> &'static str {
        match self {
            PaperError::Empty => "paper-empty",
            PaperError::TooManyItems => "paper-too-many-items",
            PaperError::UnknownQuestion { .. } => "paper-unknown-question",
            PaperError::DuplicateQuestion { .. } => "paper-duplicate-question",
            PaperError::EmptyRule { .. } => "paper-empty-rule",
            PaperError::NotEnoughQuestions { .. } => "paper-not-enough-questions",
            PaperError::TotalMismatch { .. } => "paper-total-mismatch",
        }
    }
}

fn matches(
    q: &PoolQuestion,
    qtype: QuestionType,
    tag: &Option<String>,
    d: Option<Difficulty>,
) -> bool {
    q.qtype == qtype
        && tag.as_ref().is_none_or(|t| q.tags.iter().any(|x| x == t))
        && d.is_none_or(|d| q.difficulty == d)
}

/// Seeds tried by [`PaperSpec::check`]: overlapping rules can fail for some draws only.
const CHECK_SEEDS: u64 = 64;

impl PaperSpec {
    /// The points of each part and the paper's sum, or every reason the paper is unusable.
    pub fn check(&self, pool: &[PoolQuestion]) -> Result<(), Vec<PaperError>> {
        let mut errors = Vec::new();
        if self.parts.is_empty() {
            errors.push(PaperError::Empty);
        }
        let mut sum: u64 = 0;
        let mut items: u64 = 0;
        let mut fixed: Vec<i64> = Vec::new();
        for (i, part) in self.parts.iter().enumerate() {
            let n = i + 1;
            match part {
                Part::Fixed {
                    question_id,
                    points,
                } => {
                    items += 1;
                    match pool.iter().find(|q| q.question_id == *question_id) {
                        None => errors.push(PaperError::UnknownQuestion {
                            part: n,
                            question_id: *question_id,
                        }),
                        Some(q) => sum += u64::from(points.unwrap_or(q.points)),
                    }
                    if fixed.contains(question_id) {
                        errors.push(PaperError::DuplicateQuestion {
                            part: n,
                            question_id: *question_id,
                        });
                    }
                    fixed.push(*question_id);
                }
                Part::Rule {
                    qtype,
                    tag,
                    difficulty,
                    count,
                    points,
                } => {
                    items += u64::from(*count);
                    if *count == 0 || *points == 0 {
                        errors.push(PaperError::EmptyRule { part: n });
                        continue;
                    }
                    sum += u64::from(*count) * u64::from(*points);
                    let available = pool
                        .iter()
                        .filter(|q| matches(q, *qtype, tag, *difficulty))
                        .filter(|q| !self.is_fixed(q.question_id))
                        .count();
                    if available < *count as usize {
                        errors.push(PaperError::NotEnoughQuestions {
                            part: n,
                            needed: *count,
                            available,
                        });
                    }
                }
            }
        }
        if items > MAX_ITEMS as u64 {
            errors.push(PaperError::TooManyItems);
        }
        if errors.is_empty() && sum != u64::from(self.total) {
            errors.push(PaperError::TotalMismatch {
                sum,
                total: self.total,
            });
        }
        if errors.is_empty() {
            for seed in 0..CHECK_SEEDS {
                if let Err(e) = self.draw(pool, seed) {
                    errors.push(e);
                    break;
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn is_fixed(&self, id: i64) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Fixed { question_id, .. } if *question_id == id))
    }

    /// Draws the paper of one attempt. The same pool and seed always give the same paper.
    /// Rules draw without replacement, never repeating a fixed question or an earlier draw.
    pub fn draw(&self, pool: &[PoolQuestion], seed: u64) -> Result<Vec<DrawnItem>, PaperError> {
        let mut rng = SplitMix64::new(seed);
        let mut used: Vec<i64> = Vec::new();
        let mut items: Vec<(DrawnItem, u8)> = Vec::new();
        for (i, part) in self.parts.iter().enumerate() {
            match part {
                Part::Fixed {
                    question_id,
                    points,
                } => {
                    let q = pool.iter().find(|q| q.question_id == *question_id).ok_or(
                        PaperError::UnknownQuestion {
                            part: i + 1,
                            question_id: *question_id,
                        },
                    )?;
                    used.push(q.question_id);
                    items.push((item(q, points.unwrap_or(q.points)), q.options));
                }
                Part::Rule {
                    qtype,
                    tag,
                    difficulty,
                    count,
                    points,
                } => {
                    let mut eligible: Vec<&PoolQuestion> = pool
                        .iter()
                        .filter(|q| matches(q, *qtype, tag, *difficulty))
                        .filter(|q| !self.is_fixed(q.question_id) && !used.contains(&q.question_id))
                        .collect();
                    let needed = *count as usize;
                    if eligible.len() < needed {
                        return Err(PaperError::NotEnoughQuestions {
                            part: i + 1,
                            needed: *count,
                            available: eligible.len(),
                        });
                    }
                    // A partial Fisher–Yates: the first `needed` slots become the draw.
                    for k in 0..needed {
                        let j = k + rng.below(eligible.len() - k);
                        eligible.swap(k, j);
                    }
                    for q in &eligible[..needed] {
                        used.push(q.question_id);
                        items.push((item(q, *points), q.options));
                    }
                }
            }
        }
        if self.shuffle_questions {
            rng.shuffle(&mut items);
        }
        Ok(items
            .into_iter()
            .map(|(mut it, n)| {
                if n > 0 {
                    it.order = (0..n).collect();
                    if self.shuffle_options {
                        rng.shuffle(&mut it.order);
                    }
                }
                it
            })
            .collect())
    }
}

fn item(q: &PoolQuestion, points: u32) -> DrawnItem {
    DrawnItem {
        question_id: q.question_id,
        version_id: q.version_id,
        points,
        order: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pool() -> Vec<PoolQuestion> {
        (1..=30)
            .map(|i| PoolQuestion {
                question_id: i,
                version_id: 100 + i,
                qtype: if i <= 24 {
                    QuestionType::Single
                } else {
                    QuestionType::Short
                },
                tags: if i % 2 == 0 {
                    vec!["listening".into()]
                } else {
                    vec!["empathy".into()]
                },
                difficulty: Difficulty::new((i % 5 + 1) as u8).unwrap(),
                points: 200,
                options: if i <= 24 { 4 } else { 0 },
            })
            .collect()
    }

    /// Seed-rules §4.1: 20 single-choice at 2 points + 2 short answers at 30.
    fn s1_paper() -> PaperSpec {
        PaperSpec {
            total: DEFAULT_TOTAL,
            policy: MultiplePolicy::AllOrNothing,
            shuffle_questions: true,
            shuffle_options: true,
            parts: vec![
                Part::Rule {
                    qtype: QuestionType::Single,
                    tag: None,
                    difficulty: None,
                    count: 20,
                    points: 200,
                },
                Part::Rule {
                    qtype: QuestionType::Short,
                    tag: None,
                    difficulty: None,
                    count: 2,
                    points: 3000,
                },
            ],
        }
    }

    #[test]
    fn the_s1_template_paper_checks_and_draws() {
        let p = s1_paper();
        assert_eq!(p.check(&pool()), Ok(()));
        let d = p.draw(&pool(), 9).unwrap();
        assert_eq!(d.len(), 22);
        assert_eq!(d.iter().map(|i| u64::from(i.points)).sum::<u64>(), 10_000);
        assert_eq!(d, p.draw(&pool(), 9).unwrap(), "replayable from the seed");
        assert_ne!(d, p.draw(&pool(), 10).unwrap());
    }

    #[test]
    fn total_must_match_the_declaration() {
        let mut p = s1_paper();
        p.total = 12_000;
        assert_eq!(
            p.check(&pool()),
            Err(vec![PaperError::TotalMismatch {
                sum: 10_000,
                total: 12_000
            }])
        );
    }

    #[test]
    fn rules_need_enough_questions_and_fixed_ones_must_exist() {
        let p = PaperSpec {
            parts: vec![
                Part::Fixed {
                    question_id: 99,
                    points: None,
                },
                Part::Rule {
                    qtype: QuestionType::Short,
                    tag: Some("listening".into()),
                    difficulty: None,
                    count: 5,
                    points: 100,
                },
            ],
            ..s1_paper()
        };
        let errs = p.check(&pool()).unwrap_err();
        assert_eq!(
            errs,
            vec![
                PaperError::UnknownQuestion {
                    part: 1,
                    question_id: 99
                },
                PaperError::NotEnoughQuestions {
                    part: 2,
                    needed: 5,
                    available: 3
                }
            ]
        );
    }

    #[test]
    fn fixed_questions_keep_their_place_without_shuffle() {
        let p = PaperSpec {
            total: 400,
            policy: MultiplePolicy::Partial,
            shuffle_questions: false,
            shuffle_options: false,
            parts: vec![
                Part::Fixed {
                    question_id: 3,
                    points: None,
                },
                Part::Fixed {
                    question_id: 1,
                    points: Some(200),
                },
            ],
        };
        assert_eq!(p.check(&pool()), Ok(()));
        let d = p.draw(&pool(), 1).unwrap();
        assert_eq!(
            d.iter().map(|i| i.question_id).collect::<Vec<_>>(),
            vec![3, 1]
        );
        assert_eq!(d[0].order, vec![0, 1, 2, 3]);
    }

    proptest! {
        #[test]
        fn draws_never_repeat_and_always_sum_to_the_total(seed in any::<u64>(), count in 1u32..=24) {
            let p = PaperSpec {
                total: count * 100,
                policy: MultiplePolicy::AllOrNothing,
                shuffle_questions: true,
                shuffle_options: true,
                parts: vec![Part::Rule { qtype: QuestionType::Single, tag: None, difficulty: None, count, points: 100 }],
            };
            let d = p.draw(&pool(), seed).unwrap();
            let mut ids: Vec<i64> = d.iter().map(|i| i.question_id).collect();
            ids.sort_unstable();
            ids.dedup();
            prop_assert_eq!(ids.len(), count as usize);
            prop_assert_eq!(d.iter().map(|i| i.points).sum::<u32>(), p.total);
            for it in &d {
                let mut o = it.order.clone();
                o.sort_unstable();
                prop_assert_eq!(o, vec![0u8, 1, 2, 3]);
            }
        }
    }
}
