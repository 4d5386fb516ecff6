//! The rules of one attempt: its deadline, whether a save is taken, what the candidate may see.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::answer::Answer;

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptStatus {
    /// Taking answers until submitted or its deadline passes.
    Open,
    /// Closed; short answers await markers.
    Submitted,
    /// Every item has its score.
    Graded,
}

impl AttemptStatus {
    pub fn key(self) -> &'static str {
        match self {
            AttemptStatus::Open => "open",
            AttemptStatus::Submitted => "submitted",
            AttemptStatus::Graded => "graded",
        }
    }

    pub fn parse(raw: &str) -> Option<AttemptStatus> {
        match raw {
            "open" => Some(AttemptStatus::Open),
            "submitted" => Some(AttemptStatus::Submitted),
            "graded" => Some(AttemptStatus::Graded),
            _ => None,
        }
    }
}

/// When an attempt must end: its duration from the start, but never after the session
/// closes; a candidate's extra time extends both.
pub fn deadline(
    started: DateTime<Utc>,
    duration_minutes: u32,
    extra_minutes: u32,
    session_closes: DateTime<Utc>,
) -> DateTime<Utc> {
    let extra = Duration::minutes(i64::from(extra_minutes));
    (started + Duration::minutes(i64::from(duration_minutes))).min(session_closes) + extra
}

/// Why a save was refused; each maps to one stable code and status.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SaveRefusal {
    #[error("the attempt has been submitted")]
    Submitted,
    #[error("the time is up")]
    Expired,
    #[error("a newer answer (sequence {stored}) is already saved")]
    Stale { stored: i64 },
    #[error("sequence {seq} was already used for a different answer")]
    SequenceReused { seq: i64 },
    #[error("the sequence number must be positive")]
    BadSequence,
}

impl SaveRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            SaveRefusal::Submitted => "attempt-submitted",
            SaveRefusal::Expired => "attempt-expired",
            SaveRefusal::Stale { .. } => "answer-stale",
            SaveRefusal::SequenceReused { .. } => "answer-sequence-reused",
            SaveRefusal::BadSequence => "answer-bad-sequence",
        }
    }
}

/// What to do with a save that is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Store it: it is newer than what is stored.
    Apply,
    /// Exactly this save is already stored (a retry after a lost acknowledgement).
    Duplicate,
}

/// Decides a save of `answer` with client sequence `seq` for one question. `stored` is the
/// sequence and answer already stored for that question. Saves are idempotent: the same
/// `(attempt, question, seq)` with the same answer is acknowledged again without a write.
pub fn decide_save(
    status: AttemptStatus,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
    stored: Option<(i64, &Answer)>,
    seq: i64,
    answer: &Answer,
) -> Result<SaveOutcome, SaveRefusal> {
    if seq <= 0 {
        return Err(SaveRefusal::BadSequence);
    }
    if let Some((s, a)) = stored
        && s == seq
    {
        // A retry of an acknowledged save is acknowledged again even after the deadline:
        // the answer was taken in time.
        return if a == answer {
            Ok(SaveOutcome::Duplicate)
        } else {
            Err(SaveRefusal::SequenceReused { seq })
        };
    }
    if status != AttemptStatus::Open {
        return Err(SaveRefusal::Submitted);
    }
    if now >= deadline {
        return Err(SaveRefusal::Expired);
    }
    match stored {
        Some((s, _)) if s > seq => Err(SaveRefusal::Stale { stored: s }),
        _ => Ok(SaveOutcome::Apply),
    }
}

/// When a candidate may see their score and the key, set per exam session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewPolicy {
    /// Nothing until the results are released by other means.
    Never,
    /// The score once graded; answers and key never.
    ScoreWhenGraded,
    /// The score once graded and the session has closed.
    #[default]
    ScoreAfterClose,
    /// Score, key and explanations once the session has closed.
    FullAfterClose,
}

impl ReviewPolicy {
    pub const ALL: [ReviewPolicy; 4] = [
        ReviewPolicy::Never,
        ReviewPolicy::ScoreWhenGraded,
        ReviewPolicy::ScoreAfterClose,
        ReviewPolicy::FullAfterClose,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ReviewPolicy::Never => "never",
            ReviewPolicy::ScoreWhenGraded => "score_when_graded",
            ReviewPolicy::ScoreAfterClose => "score_after_close",
            ReviewPolicy::FullAfterClose => "full_after_close",
        }
    }

    pub fn parse(raw: &str) -> Option<ReviewPolicy> {
        Self::ALL.into_iter().find(|p| p.key() == raw.trim())
    }
}

/// What a candidate may see of their own attempt now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Visibility {
    Nothing,
    Score,
    Full,
}

pub fn visibility(policy: ReviewPolicy, status: AttemptStatus, session_closed: bool) -> Visibility {
    let graded = status == AttemptStatus::Graded;
    match policy {
        ReviewPolicy::Never => Visibility::Nothing,
        ReviewPolicy::ScoreWhenGraded if graded => Visibility::Score,
        ReviewPolicy::ScoreAfterClose if graded && session_closed => Visibility::Score,
        ReviewPolicy::FullAfterClose if graded && session_closed => Visibility::Full,
        _ => Visibility::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(min)
    }

    #[test]
    fn deadline_is_capped_by_the_session_and_extended_by_extra_time() {
        assert_eq!(deadline(t(0), 60, 0, t(120)), t(60));
        assert_eq!(deadline(t(100), 60, 0, t(120)), t(120));
        assert_eq!(deadline(t(100), 60, 15, t(120)), t(135));
    }

    #[test]
    fn saves_are_idempotent_and_ordered() {
        let a = Answer::Choice(vec![1]);
        let b = Answer::Choice(vec![2]);
        let open = AttemptStatus::Open;
        assert_eq!(
            decide_save(open, t(10), t(0), None, 1, &a),
            Ok(SaveOutcome::Apply)
        );
        assert_eq!(
            decide_save(open, t(10), t(0), Some((1, &a)), 1, &a),
            Ok(SaveOutcome::Duplicate)
        );
        assert_eq!(
            decide_save(open, t(10), t(0), Some((1, &a)), 1, &b),
            Err(SaveRefusal::SequenceReused { seq: 1 })
        );
        assert_eq!(
            decide_save(open, t(10), t(0), Some((3, &a)), 5, &b),
            Ok(SaveOutcome::Apply)
        );
        assert_eq!(
            decide_save(open, t(10), t(0), Some((5, &b)), 3, &a),
            Err(SaveRefusal::Stale { stored: 5 })
        );
        assert_eq!(
            decide_save(open, t(10), t(0), None, 0, &a),
            Err(SaveRefusal::BadSequence)
        );
    }

    #[test]
    fn late_and_closed_saves_are_refused_but_retries_still_acknowledged() {
        let a = Answer::Truth(true);
        let sub = AttemptStatus::Submitted;
        assert_eq!(
            decide_save(AttemptStatus::Open, t(10), t(10), None, 1, &a),
            Err(SaveRefusal::Expired)
        );
        assert_eq!(
            decide_save(sub, t(10), t(0), None, 1, &a),
            Err(SaveRefusal::Submitted)
        );
        assert_eq!(
            decide_save(sub, t(10), t(20), Some((4, &a)), 4, &a),
            Ok(SaveOutcome::Duplicate)
        );
    }

    #[test]
    fn nothing_is_shown_before_the_policy_allows() {
        use AttemptStatus::*;
        use ReviewPolicy::*;
        for s in [Open, Submitted] {
            for p in ReviewPolicy::ALL {
                assert_eq!(visibility(p, s, true), Visibility::Nothing);
            }
        }
        assert_eq!(
            visibility(ScoreWhenGraded, Graded, false),
            Visibility::Score
        );
        assert_eq!(
            visibility(ScoreAfterClose, Graded, false),
            Visibility::Nothing
        );
        assert_eq!(visibility(ScoreAfterClose, Graded, true), Visibility::Score);
        assert_eq!(
            visibility(FullAfterClose, Graded, false),
            Visibility::Nothing
        );
        assert_eq!(visibility(FullAfterClose, Graded, true), Visibility::Full);
        assert_eq!(visibility(Never, Graded, true), Visibility::Nothing);
    }
}
