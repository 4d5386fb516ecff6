//! A candidate's answer, its shape check and automatic grading.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::question::Body;

/// Longest short answer accepted, in characters.
pub const TEXT_MAX: usize = 5000;

/// What a candidate chose. Options are named by their index in the question as written,
/// never by the shuffled position on screen, so a shuffle cannot corrupt an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Answer {
    /// Picked options; empty means the candidate cleared the question.
    Choice(Vec<u8>),
    Truth(bool),
    Text(String),
}

/// Why an answer does not fit its question.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShapeError {
    #[error("this question takes a different kind of answer")]
    WrongKind,
    #[error("option {0} does not exist")]
    NoSuchOption(u8),
    #[error("a single-choice question takes one option")]
    TooManyChoices,
    #[error("the answer is longer than {TEXT_MAX} characters")]
    TooLong,
}

impl ShapeError {
    pub fn code(&self) -> &'static str {
        match self {
            ShapeError::WrongKind => "answer-wrong-kind",
            ShapeError::NoSuchOption(_) => "answer-no-such-option",
            ShapeError::TooManyChoices => "answer-too-many-choices",
            ShapeError::TooLong => "answer-too-long",
        }
    }
}

impl Answer {
    /// Checks the answer against its question and returns it in canonical form (choices
    /// sorted and distinct), so equal answers compare equal when a save is retried.
    pub fn normalized(self, body: &Body) -> Result<Answer, ShapeError> {
        match (self, body) {
            (
                Answer::Choice(mut picks),
                Body::Single { options, .. } | Body::Multiple { options, .. },
            ) => {
                picks.sort_unstable();
                picks.dedup();
                if let Some(bad) = picks.iter().find(|p| usize::from(**p) >= options.len()) {
                    return Err(ShapeError::NoSuchOption(*bad));
                }
                if matches!(body, Body::Single { .. }) && picks.len() > 1 {
                    return Err(ShapeError::TooManyChoices);
                }
                Ok(Answer::Choice(picks))
            }
            (a @ Answer::Truth(_), Body::TrueFalse { .. }) => Ok(a),
            (Answer::Text(t), Body::Short { .. }) => {
                if t.chars().count() > TEXT_MAX {
                    return Err(ShapeError::TooLong);
                }
                Ok(Answer::Text(t))
            }
            _ => Err(ShapeError::WrongKind),
        }
    }

    /// Whether the candidate actually answered (a cleared choice or blank text does not count).
    pub fn is_given(&self) -> bool {
        match self {
            Answer::Choice(p) => !p.is_empty(),
            Answer::Truth(_) => true,
            Answer::Text(t) => !t.trim().is_empty(),
        }
    }

    /// The answer as item analysis counts it: `A`, `AC`, `T`, `F`; `None` for text.
    pub fn choice_label(&self) -> Option<String> {
        match self {
            Answer::Choice(p) if !p.is_empty() => {
                Some(p.iter().map(|i| super::question::letter(*i)).collect())
            }
            Answer::Truth(t) => Some(if *t { "T" } else { "F" }.to_string()),
            _ => None,
        }
    }
}

/// How a multiple-choice question is scored; chosen per paper.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MultiplePolicy {
    /// Full points for exactly the key, otherwise nothing.
    #[default]
    AllOrNothing,
    /// A share of the points per correct pick, as long as no wrong option was picked.
    Partial,
}

impl MultiplePolicy {
    pub fn key(self) -> &'static str {
        match self {
            MultiplePolicy::AllOrNothing => "all_or_nothing",
            MultiplePolicy::Partial => "partial",
        }
    }

    pub fn parse(raw: &str) -> Option<MultiplePolicy> {
        match raw.trim() {
            "all_or_nothing" => Some(MultiplePolicy::AllOrNothing),
            "partial" => Some(MultiplePolicy::Partial),
            _ => None,
        }
    }
}

/// The outcome of grading one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    /// Scored automatically, in hundredths of a point.
    Auto(u32),
    /// A short answer: goes to the marking queue.
    Manual,
}

/// Grades one answer worth `points` hundredths. Partial credit rounds down to the hundredth,
/// so the sum over a paper never exceeds its total.
pub fn grade(body: &Body, answer: Option<&Answer>, points: u32, policy: MultiplePolicy) -> Grade {
    match body {
        Body::Short { .. } => Grade::Manual,
        Body::Single { key, .. } => Grade::Auto(match answer {
            Some(Answer::Choice(p)) if p.as_slice() == [*key] => points,
            _ => 0,
        }),
        Body::TrueFalse { key } => Grade::Auto(match answer {
            Some(Answer::Truth(t)) if t == key => points,
            _ => 0,
        }),
        Body::Multiple { key, .. } => Grade::Auto(match answer {
            Some(Answer::Choice(p)) if !p.is_empty() => {
                let wrong = p.iter().any(|x| !key.contains(x));
                let right = p.iter().filter(|x| key.contains(x)).count() as u64;
                match policy {
                    _ if wrong => 0,
                    MultiplePolicy::AllOrNothing if right as usize == key.len() => points,
                    MultiplePolicy::AllOrNothing => 0,
                    MultiplePolicy::Partial => {
                        (u64::from(points) * right / key.len().max(1) as u64) as u32
                    }
                }
            }
            _ => 0,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn multiple() -> Body {
        Body::Multiple {
            options: vec!["a".into(), "b".into(), "c".into(), "d".into()],
            key: vec![0, 2, 3],
        }
    }

    #[test]
    fn single_and_true_false() {
        let s = Body::Single {
            options: vec!["a".into(), "b".into()],
            key: 1,
        };
        let p = MultiplePolicy::AllOrNothing;
        assert_eq!(
            grade(&s, Some(&Answer::Choice(vec![1])), 200, p),
            Grade::Auto(200)
        );
        assert_eq!(
            grade(&s, Some(&Answer::Choice(vec![0])), 200, p),
            Grade::Auto(0)
        );
        assert_eq!(grade(&s, None, 200, p), Grade::Auto(0));
        let tf = Body::TrueFalse { key: false };
        assert_eq!(
            grade(&tf, Some(&Answer::Truth(false)), 100, p),
            Grade::Auto(100)
        );
        assert_eq!(
            grade(&tf, Some(&Answer::Truth(true)), 100, p),
            Grade::Auto(0)
        );
    }

    #[test]
    fn multiple_all_or_nothing() {
        let p = MultiplePolicy::AllOrNothing;
        assert_eq!(
            grade(&multiple(), Some(&Answer::Choice(vec![0, 2, 3])), 300, p),
            Grade::Auto(300)
        );
        assert_eq!(
            grade(&multiple(), Some(&Answer::Choice(vec![0, 2])), 300, p),
            Grade::Auto(0)
        );
    }

    #[test]
    fn multiple_partial_without_wrong_picks() {
        let p = MultiplePolicy::Partial;
        assert_eq!(
            grade(&multiple(), Some(&Answer::Choice(vec![0, 2])), 300, p),
            Grade::Auto(200)
        );
        assert_eq!(
            grade(&multiple(), Some(&Answer::Choice(vec![0, 1])), 300, p),
            Grade::Auto(0)
        );
        assert_eq!(
            grade(&multiple(), Some(&Answer::Choice(vec![])), 300, p),
            Grade::Auto(0)
        );
        // 2 of 3 picks of 1.00 point: 0.666… rounds down to 0.66.
        assert_eq!(
            grade(&multiple(), Some(&Answer::Choice(vec![2, 3])), 100, p),
            Grade::Auto(66)
        );
    }

    #[test]
    fn short_answers_go_to_markers() {
        let b = Body::Short {
            key_points: vec!["x".into()],
            model_answer: None,
        };
        assert_eq!(
            grade(
                &b,
                Some(&Answer::Text("t".into())),
                1000,
                MultiplePolicy::Partial
            ),
            Grade::Manual
        );
    }

    #[test]
    fn shapes_are_checked_and_normalized() {
        let m = multiple();
        assert_eq!(
            Answer::Choice(vec![3, 0, 3]).normalized(&m),
            Ok(Answer::Choice(vec![0, 3]))
        );
        assert_eq!(
            Answer::Choice(vec![4]).normalized(&m),
            Err(ShapeError::NoSuchOption(4))
        );
        assert_eq!(
            Answer::Truth(true).normalized(&m),
            Err(ShapeError::WrongKind)
        );
        let s = Body::Single {
            options: vec!["a".into(), "b".into()],
            key: 0,
        };
        assert_eq!(
            Answer::Choice(vec![0, 1]).normalized(&s),
            Err(ShapeError::TooManyChoices)
        );
        let t = Body::Short {
            key_points: vec!["x".into()],
            model_answer: None,
        };
        assert_eq!(
            Answer::Text("长".repeat(TEXT_MAX + 1)).normalized(&t),
            Err(ShapeError::TooLong)
        );
    }

    #[test]
    fn answers_have_a_stable_json_shape() {
        let a: Answer = serde_json::from_str(r#"{"choice":[0,2]}"#).unwrap();
        assert_eq!(a, Answer::Choice(vec![0, 2]));
        let a: Answer = serde_json::from_str(r#"{"truth":true}"#).unwrap();
        assert_eq!(a, Answer::Truth(true));
        assert!(serde_json::from_str::<Answer>(r#"{"choice":"A"}"#).is_err());
    }
}
