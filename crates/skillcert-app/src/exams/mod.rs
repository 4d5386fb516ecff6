//! Theory exams: the question bank and papers ([`bank`]), exam sessions and their
//! per-candidate overrides ([`sessions`]), the candidate's attempt ([`attempts`]) whose writes
//! go through one group-committing writer ([`writer`]), marking of short answers
//! ([`marking`]) and results with item analysis ([`results`]).

pub mod attempts;
pub mod bank;
mod cache;
pub mod marking;
pub mod results;
pub mod sessions;
pub mod staff;
mod writer;

pub use cache::ExamRuntime;

/// Codes of the refusals this module gives (`AppError::Conflict` / `Unprocessable`), listed
/// so the translation test can check each has a message.
pub const ERROR_CODES: &[&str] = &[
    "attempt-submitted",
    "attempt-expired",
    "answer-stale",
    "answer-sequence-reused",
    "answer-bad-sequence",
    "answer-wrong-kind",
    "answer-no-such-option",
    "answer-too-many-choices",
    "answer-too-long",
    "answer-no-such-question",
    "attempts-exhausted",
    "session-not-open",
    "session-not-published",
    "session-not-draft",
    "session-has-attempts",
    "session-offline",
    "session-not-offline",
    "not-a-candidate",
    "no-employee",
    "attempt-open",
    "attempt-not-closed",
    "mark-above-points",
    "already-marked",
    "not-awaiting-marks",
    "paper-empty",
    "paper-too-many-items",
    "paper-unknown-question",
    "paper-duplicate-question",
    "paper-empty-rule",
    "paper-not-enough-questions",
    "paper-total-mismatch",
];

/// Milliseconds since the Unix epoch, the unit SQL compares exam times in.
pub fn ms(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

/// The instant of `ms` milliseconds since the Unix epoch.
pub fn from_ms(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Slides a sign-in session's expiry through the group-committing writer (see
/// [`writer`]), so that exam-day traffic does not pay one fsync per candidate per minute.
pub(crate) async fn touch_session(
    app: &crate::App,
    session_id: i64,
    now: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
) -> crate::AppResult<()> {
    writer::write(
        app,
        writer::Op::Touch {
            session_id,
            now,
            expires_at,
        },
    )
    .await
    .map(|_| ())
}
