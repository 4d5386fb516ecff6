//! Homework after a training session (seed-rules §3: "analyse a real case, rewrite a
//! service script"): the deadline and its late policy, what a submission may contain, and
//! how a mark becomes the 0–100 score that feeds the `daily` component.
//!
//! Arithmetic of the final score, in the order it happens:
//! 1. the mark as a percentage of the maximum, `points × 100 / max`, kept exact;
//! 2. minus the late penalty in percentage points of the maximum (10% per day, two days
//!    late: 85% becomes 65%), floored at 0;
//! 3. rounded half-up once, to hundredths: 1 of 800 points is 0.125%, shown and used as
//!    0.13.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::certification::attachment::{self, AttachmentError};
use crate::scheme::{Score, Weight};

/// Longest submission text, in characters (not bytes: Chinese text counts per character).
pub const TEXT_MAX: usize = 20_000;
/// Most files one submission may carry; each is checked by [`attachment::sniff`].
pub const ATTACHMENTS_MAX: usize = 5;
/// Longest marker's comment, in characters.
pub const COMMENT_MAX: usize = 2_000;
/// Largest maximum score: enough for fine-grained marking, small enough for exact `u64`
/// arithmetic without checks.
pub const MAX_POINTS_LIMIT: u16 = 1_000;
/// Most late days a penalty policy may accept; a longer tail is `accept` in disguise.
pub const LATE_DAYS_LIMIT: u16 = 365;

/// Why an assignment, a submission or a mark was refused; `code()` is stable and has a
/// locale key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HomeworkError {
    #[error("the maximum score must be between 1 and {MAX_POINTS_LIMIT} points")]
    MaxPoints,
    #[error("a late penalty must deduct more than 0% per day")]
    PenaltyRate,
    #[error("the late days accepted must be between 1 and {LATE_DAYS_LIMIT}")]
    LateDays,
    #[error("the deadline has passed")]
    DeadlinePassed,
    #[error("{days} started days late; at most {max} are accepted")]
    TooLate { days: u32, max: u16 },
    #[error("a submission needs a text or an attachment")]
    Empty,
    #[error("the text must be at most {TEXT_MAX} characters")]
    TextTooLong,
    #[error("the text contains characters that are not allowed")]
    TextCharacters,
    #[error("at most {ATTACHMENTS_MAX} attachments are accepted")]
    TooManyAttachments,
    #[error("attachment {number}: {error}", number = .index + 1)]
    Attachment {
        /// Zero-based position in the uploaded list.
        index: usize,
        error: AttachmentError,
    },
    #[error("the score must be between 0 and {max} points")]
    PointsOutOfRange { max: u16 },
    #[error("the comment must be at most {COMMENT_MAX} characters")]
    CommentTooLong,
    #[error("the comment contains characters that are not allowed")]
    CommentCharacters,
}

impl HomeworkError {
    /// An attachment error keeps the code of [`AttachmentError`] (`attachment-type`, …) so
    /// that one translation serves applications and homework alike.
    pub fn code(&self) -> &'static str {
        match self {
            HomeworkError::MaxPoints => "homework-max-points",
            HomeworkError::PenaltyRate => "homework-penalty-rate",
            HomeworkError::LateDays => "homework-late-days",
            HomeworkError::DeadlinePassed => "homework-deadline-passed",
            HomeworkError::TooLate { .. } => "homework-too-late",
            HomeworkError::Empty => "homework-empty",
            HomeworkError::TextTooLong => "homework-text-too-long",
            HomeworkError::TextCharacters => "homework-text-characters",
            HomeworkError::TooManyAttachments => "homework-too-many-attachments",
            HomeworkError::Attachment { error, .. } => error.code(),
            HomeworkError::PointsOutOfRange { .. } => "homework-points-out-of-range",
            HomeworkError::CommentTooLong => "homework-comment-too-long",
            HomeworkError::CommentCharacters => "homework-comment-characters",
        }
    }

    /// The form field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            HomeworkError::MaxPoints => "max_points",
            HomeworkError::PenaltyRate => "penalty_per_day",
            HomeworkError::LateDays => "max_late_days",
            HomeworkError::DeadlinePassed | HomeworkError::TooLate { .. } => "submitted_at",
            HomeworkError::Empty | HomeworkError::TextTooLong | HomeworkError::TextCharacters => {
                "text"
            }
            HomeworkError::TooManyAttachments | HomeworkError::Attachment { .. } => "attachments",
            HomeworkError::PointsOutOfRange { .. } => "points",
            HomeworkError::CommentTooLong | HomeworkError::CommentCharacters => "comment",
        }
    }
}

/// The points a homework is marked out of, 1 to [`MAX_POINTS_LIMIT`]. Marks are whole
/// points: a finer scale is a larger maximum (8.5 of 10 is 85 of 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct MaxPoints(u16);

impl MaxPoints {
    pub fn new(points: u16) -> Result<MaxPoints, HomeworkError> {
        if (1..=MAX_POINTS_LIMIT).contains(&points) {
            Ok(MaxPoints(points))
        } else {
            Err(HomeworkError::MaxPoints)
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for MaxPoints {
    type Error = HomeworkError;
    fn try_from(points: u16) -> Result<MaxPoints, HomeworkError> {
        MaxPoints::new(points)
    }
}

impl From<MaxPoints> for u16 {
    fn from(m: MaxPoints) -> u16 {
        m.0
    }
}

/// A late penalty: `per_day` percentage points of the maximum deducted per *started* day
/// late (one second late is one day), and nothing accepted after `max_days` started days.
/// Both are checked on construction: a 0% penalty is `accept` and 0 days is `strict`, and
/// letting them pass would make two spellings of one policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PenaltyDocument")]
pub struct PenaltyPolicy {
    per_day: Weight,
    max_days: u16,
}

/// The unchecked form read from storage.
#[derive(Deserialize)]
struct PenaltyDocument {
    per_day: Weight,
    max_days: u16,
}

impl TryFrom<PenaltyDocument> for PenaltyPolicy {
    type Error = HomeworkError;
    fn try_from(d: PenaltyDocument) -> Result<PenaltyPolicy, HomeworkError> {
        PenaltyPolicy::new(d.per_day, d.max_days)
    }
}

impl PenaltyPolicy {
    pub fn new(per_day: Weight, max_days: u16) -> Result<PenaltyPolicy, HomeworkError> {
        if per_day.basis_points() == 0 {
            return Err(HomeworkError::PenaltyRate);
        }
        if !(1..=LATE_DAYS_LIMIT).contains(&max_days) {
            return Err(HomeworkError::LateDays);
        }
        Ok(PenaltyPolicy { per_day, max_days })
    }

    pub fn per_day(self) -> Weight {
        self.per_day
    }

    pub fn max_days(self) -> u16 {
        self.max_days
    }

    /// The deduction for `days` started days, capped at 100%.
    pub fn deduction(self, days: u32) -> Weight {
        let bp = u64::from(self.per_day.basis_points()).saturating_mul(u64::from(days));
        u32::try_from(bp.min(10_000))
            .ok()
            .and_then(|b| Weight::from_basis_points(b).ok())
            .unwrap_or(Weight::FULL)
    }
}

/// What happens to a submission after the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LatePolicy {
    /// Taken at any time without penalty, but flagged late so the trainer sees it.
    Accept,
    /// Taken for a limited number of days, with a deduction per started day.
    Penalty(PenaltyPolicy),
    /// Refused after the deadline.
    Strict,
}

impl LatePolicy {
    pub fn key(self) -> &'static str {
        match self {
            LatePolicy::Accept => "accept",
            LatePolicy::Penalty(_) => "penalty",
            LatePolicy::Strict => "strict",
        }
    }
}

/// One homework as set by the trainer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// The last instant a submission is on time (inclusive).
    pub deadline: DateTime<Utc>,
    pub max_points: MaxPoints,
    pub late_policy: LatePolicy,
}

/// Whether a submission was on time, fixed when it is taken so that a later change of the
/// policy does not rewrite marks already given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Lateness {
    OnTime,
    /// `days` started days after the deadline; `penalty` is 0 under `accept`.
    Late {
        days: u32,
        penalty: Weight,
    },
}

impl Lateness {
    pub fn is_late(self) -> bool {
        matches!(self, Lateness::Late { .. })
    }

    /// The deduction in percentage points of the maximum; zero when on time.
    pub fn penalty(self) -> Weight {
        match self {
            Lateness::OnTime => Weight::default(),
            Lateness::Late { penalty, .. } => penalty,
        }
    }
}

/// Started days between `deadline` and `at`: 0 when on or before the deadline, 1 from one
/// nanosecond after it up to exactly 24 hours after, and so on.
pub fn started_days_late(deadline: DateTime<Utc>, at: DateTime<Utc>) -> u32 {
    let late = at.signed_duration_since(deadline);
    if late <= TimeDelta::zero() {
        return 0;
    }
    // ceil(late / 1 day) = floor((late - 1 ns) / 1 day) + 1 for any positive `late`.
    late.checked_sub(&TimeDelta::nanoseconds(1))
        .and_then(|d| u32::try_from(d.num_days()).ok())
        .map_or(u32::MAX, |d| d.saturating_add(1))
}

/// Whether a submission at `at` is taken, and how late it is. A submission exactly at the
/// deadline is on time.
pub fn check_submission(
    assignment: &Assignment,
    at: DateTime<Utc>,
) -> Result<Lateness, HomeworkError> {
    let days = started_days_late(assignment.deadline, at);
    if days == 0 {
        return Ok(Lateness::OnTime);
    }
    match assignment.late_policy {
        LatePolicy::Accept => Ok(Lateness::Late {
            days,
            penalty: Weight::default(),
        }),
        LatePolicy::Strict => Err(HomeworkError::DeadlinePassed),
        LatePolicy::Penalty(p) if days > u32::from(p.max_days) => Err(HomeworkError::TooLate {
            days,
            max: p.max_days,
        }),
        LatePolicy::Penalty(p) => Ok(Lateness::Late {
            days,
            penalty: p.deduction(days),
        }),
    }
}

/// Why a long free text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LongTextError {
    TooLong,
    Characters,
}

/// Cleans a multi-line text typed into a text area: browsers send line ends as CRLF, so
/// they are normalised to LF before counting (a newline is one character, whatever the
/// browser); then trimmed, at most `max` characters, and no control characters other than
/// newline and tab. `None` when blank.
pub(crate) fn clean_long_text(raw: &str, max: usize) -> Result<Option<String>, LongTextError> {
    let normalised = raw.replace("\r\n", "\n").replace('\r', "\n");
    let s = normalised.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > max {
        return Err(LongTextError::TooLong);
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(LongTextError::Characters);
    }
    Ok(Some(s.to_string()))
}

/// A file taken with a submission, as recognised from its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    /// `application/pdf`, `image/png` or `image/jpeg`, from [`attachment::sniff`].
    pub content_type: String,
    pub bytes: usize,
}

/// What a trainee handed in: a text, files, or both; produced by [`check_content`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionContent {
    pub text: Option<String>,
    pub attachments: Vec<AttachmentInfo>,
}

/// Checks what a trainee hands in. Files are the ones applications accept (PDF, PNG, JPEG
/// up to 5 MB, recognised by content, see [`attachment::sniff`]): a rewritten script goes
/// in the text or as an exported PDF, a case analysis as a PDF or a photo of the page.
pub fn check_content(text: &str, files: &[&[u8]]) -> Result<SubmissionContent, HomeworkError> {
    if files.len() > ATTACHMENTS_MAX {
        return Err(HomeworkError::TooManyAttachments);
    }
    let text = clean_long_text(text, TEXT_MAX).map_err(|e| match e {
        LongTextError::TooLong => HomeworkError::TextTooLong,
        LongTextError::Characters => HomeworkError::TextCharacters,
    })?;
    let attachments = files
        .iter()
        .enumerate()
        .map(|(index, bytes)| {
            attachment::sniff(bytes)
                .map(|t| AttachmentInfo {
                    content_type: t.to_string(),
                    bytes: bytes.len(),
                })
                .map_err(|error| HomeworkError::Attachment { index, error })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if text.is_none() && attachments.is_empty() {
        return Err(HomeworkError::Empty);
    }
    Ok(SubmissionContent { text, attachments })
}

/// A submission that was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub submitted_at: DateTime<Utc>,
    pub lateness: Lateness,
    pub content: SubmissionContent,
}

/// Takes a submission at `at`: the deadline first (a refused late submission need not
/// report its content), then the content.
pub fn submit(
    assignment: &Assignment,
    at: DateTime<Utc>,
    text: &str,
    files: &[&[u8]],
) -> Result<Submission, HomeworkError> {
    let lateness = check_submission(assignment, at)?;
    let content = check_content(text, files)?;
    Ok(Submission {
        submitted_at: at,
        lateness,
        content,
    })
}

/// The score after the late penalty, as a percentage of the maximum (see the module doc):
/// `max(points × 100 / max − penalty, 0)`, rounded half-up once to hundredths.
pub fn final_score(
    points: u16,
    max: MaxPoints,
    lateness: Lateness,
) -> Result<Score, HomeworkError> {
    if points > max.get() {
        return Err(HomeworkError::PointsOutOfRange { max: max.get() });
    }
    let den = u64::from(max.get());
    // Hundredths of a percent, times `den`; both terms are at most 10⁷.
    let raw = u64::from(points) * 10_000;
    let deduction = u64::from(lateness.penalty().basis_points()) * den;
    let num = raw.saturating_sub(deduction);
    let hundredths = (2 * num + den) / (2 * den);
    // points ≤ max bounds the result by 10 000.
    Ok(u32::try_from(hundredths)
        .ok()
        .and_then(|h| Score::from_hundredths(h).ok())
        .unwrap_or(Score::MAX))
}

/// A marker's verdict on one submission. Remarking builds a new `Mark` that replaces the
/// old one; keeping the history is the caller's business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    /// Points awarded, 0 to the maximum, before any late penalty.
    pub points: u16,
    pub comment: Option<String>,
    /// The score that counts, after the penalty; see [`final_score`].
    pub final_score: Score,
}

impl Mark {
    /// Marks a submission taken with `lateness`. The comment is optional (blank is none)
    /// and may span lines.
    pub fn new(
        assignment: &Assignment,
        lateness: Lateness,
        points: u16,
        comment: &str,
    ) -> Result<Mark, HomeworkError> {
        let final_score = final_score(points, assignment.max_points, lateness)?;
        let comment = clean_long_text(comment, COMMENT_MAX).map_err(|e| match e {
            LongTextError::TooLong => HomeworkError::CommentTooLong,
            LongTextError::Characters => HomeworkError::CommentCharacters,
        })?;
        Ok(Mark {
            points,
            comment,
            final_score,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    const DEADLINE: &str = "2026-11-20T18:00:00Z";

    fn assignment(late_policy: LatePolicy) -> Assignment {
        Assignment {
            deadline: t(DEADLINE),
            max_points: MaxPoints::new(20).unwrap(),
            late_policy,
        }
    }

    fn penalty(percent: u8, max_days: u16) -> LatePolicy {
        LatePolicy::Penalty(PenaltyPolicy::new(Weight::percent(percent), max_days).unwrap())
    }

    fn late(days: u32, percent: u8) -> Lateness {
        Lateness::Late {
            days,
            penalty: Weight::percent(percent),
        }
    }

    fn code<T: std::fmt::Debug>(r: Result<T, HomeworkError>) -> &'static str {
        r.unwrap_err().code()
    }

    #[test]
    fn strict_takes_the_deadline_itself_and_refuses_one_second_after() {
        let a = assignment(LatePolicy::Strict);
        assert_eq!(
            check_submission(&a, t("2026-11-19T09:00:00Z")),
            Ok(Lateness::OnTime)
        );
        assert_eq!(check_submission(&a, t(DEADLINE)), Ok(Lateness::OnTime));
        let e = check_submission(&a, t("2026-11-20T18:00:01Z")).unwrap_err();
        assert_eq!(e.code(), "homework-deadline-passed");
        assert_eq!(e.field(), "submitted_at");
        // Sub-second lateness is still late.
        assert!(check_submission(&a, t("2026-11-20T18:00:00.001Z")).is_err());
    }

    #[test]
    fn accept_flags_late_without_penalty() {
        let a = assignment(LatePolicy::Accept);
        assert_eq!(check_submission(&a, t(DEADLINE)), Ok(Lateness::OnTime));
        assert_eq!(
            check_submission(&a, t("2026-11-20T18:00:01Z")),
            Ok(late(1, 0))
        );
        let months = check_submission(&a, t("2027-02-20T18:00:00Z")).unwrap();
        assert!(months.is_late());
        assert_eq!(months.penalty(), Weight::default());
        assert_eq!(months, late(92, 0));
    }

    #[test]
    fn penalty_counts_started_days() {
        let a = assignment(penalty(10, 3));
        let at = |s: &str| check_submission(&a, t(s));
        assert_eq!(at(DEADLINE), Ok(Lateness::OnTime));
        assert_eq!(at("2026-11-20T18:00:01Z"), Ok(late(1, 10)));
        assert_eq!(at("2026-11-21T18:00:00Z"), Ok(late(1, 10)));
        assert_eq!(at("2026-11-21T18:00:01Z"), Ok(late(2, 20)));
        assert_eq!(at("2026-11-22T18:00:00Z"), Ok(late(2, 20)));
        // The last accepted instant: exactly `max_days` days after the deadline.
        assert_eq!(at("2026-11-23T18:00:00Z"), Ok(late(3, 30)));
        let e = at("2026-11-23T18:00:01Z").unwrap_err();
        assert_eq!(e, HomeworkError::TooLate { days: 4, max: 3 });
        assert_eq!(e.code(), "homework-too-late");
    }

    #[test]
    fn penalty_is_capped_at_everything() {
        let a = assignment(penalty(40, 5));
        assert_eq!(
            check_submission(&a, t("2026-11-23T12:00:00Z")),
            Ok(late(3, 100))
        );
        let p = PenaltyPolicy::new(Weight::percent(100), LATE_DAYS_LIMIT).unwrap();
        assert_eq!(p.deduction(u32::MAX), Weight::FULL);
        assert_eq!(p.deduction(0), Weight::default());
    }

    #[test]
    fn started_days_handle_extremes() {
        let d = t(DEADLINE);
        assert_eq!(started_days_late(d, t("1970-01-01T00:00:00Z")), 0);
        // The far end of the calendar does not overflow.
        assert!(started_days_late(d, DateTime::<Utc>::MAX_UTC) > 95_000_000);
        assert_eq!(started_days_late(d, t("2026-11-30T18:00:00Z")), 10);
    }

    #[test]
    fn policies_and_maxima_are_checked() {
        assert_eq!(code(MaxPoints::new(0)), "homework-max-points");
        assert_eq!(code(MaxPoints::new(1_001)), "homework-max-points");
        assert_eq!(MaxPoints::new(1_000).map(MaxPoints::get), Ok(1_000));
        let p = |pct, days| PenaltyPolicy::new(Weight::percent(pct), days);
        assert_eq!(code(p(0, 3)), "homework-penalty-rate");
        assert_eq!(code(p(10, 0)), "homework-late-days");
        assert_eq!(code(p(10, 366)), "homework-late-days");
        assert!(p(10, 365).is_ok());
        let e = p(0, 3).unwrap_err();
        assert_eq!(e.field(), "penalty_per_day");
    }

    #[test]
    fn assignments_round_trip_through_json() -> Result<(), serde_json::Error> {
        let a = Assignment {
            max_points: MaxPoints::new(100).unwrap(),
            late_policy: LatePolicy::Penalty(
                PenaltyPolicy::new(Weight::parse_percent("12.5").unwrap(), 4).unwrap(),
            ),
            ..assignment(LatePolicy::Strict)
        };
        let json = serde_json::to_string(&a)?;
        assert!(json.contains(r#""late_policy":{"kind":"penalty","per_day":12.5,"max_days":4}"#));
        assert_eq!(serde_json::from_str::<Assignment>(&json)?, a);
        let strict: LatePolicy = serde_json::from_str(r#"{"kind":"strict"}"#)?;
        assert_eq!(strict.key(), "strict");
        assert!(
            serde_json::from_str::<LatePolicy>(r#"{"kind":"penalty","per_day":0,"max_days":4}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<MaxPoints>("0").is_err());
        let l: Lateness = serde_json::from_str(r#"{"kind":"late","days":2,"penalty":20}"#)?;
        assert_eq!(l, late(2, 20));
        Ok(())
    }

    const PDF: &[u8] = b"%PDF-1.7\n";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\nrest";

    #[test]
    fn content_needs_text_or_a_file() {
        assert_eq!(code(check_content("", &[])), "homework-empty");
        let e = check_content(" \r\n\t ", &[]).unwrap_err();
        assert_eq!((e.code(), e.field()), ("homework-empty", "text"));
        let c = check_content("  改写后的话术\r\n第二行 ", &[]).unwrap();
        assert_eq!(c.text.as_deref(), Some("改写后的话术\n第二行"));
        assert!(c.attachments.is_empty());
        let c = check_content("", &[PDF, PNG]).unwrap();
        assert_eq!(c.text, None);
        assert_eq!(
            c.attachments,
            [
                AttachmentInfo {
                    content_type: "application/pdf".into(),
                    bytes: PDF.len()
                },
                AttachmentInfo {
                    content_type: "image/png".into(),
                    bytes: PNG.len()
                }
            ]
        );
    }

    #[test]
    fn text_is_limited_in_characters_not_bytes() {
        let max = "话".repeat(TEXT_MAX);
        assert!(check_content(&max, &[]).is_ok());
        assert_eq!(
            code(check_content(&format!("{max}术"), &[])),
            "homework-text-too-long"
        );
        // CRLF counts as one character, as the trainee sees it.
        let lines = "a\r\n".repeat(TEXT_MAX / 2);
        assert!(check_content(&lines, &[]).is_ok());
        assert_eq!(
            code(check_content("a\u{7}b", &[])),
            "homework-text-characters"
        );
        assert!(check_content("a\tb", &[]).is_ok());
    }

    #[test]
    fn files_are_counted_and_sniffed() {
        let six = [PDF; 6];
        let e = check_content("x", &six).unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("homework-too-many-attachments", "attachments")
        );
        assert!(check_content("x", &[PDF; 5]).is_ok());
        let e = check_content("x", &[PDF, b"<html>"]).unwrap_err();
        assert_eq!(
            e,
            HomeworkError::Attachment {
                index: 1,
                error: AttachmentError::WrongType
            }
        );
        assert_eq!(e.code(), "attachment-type");
        assert_eq!(
            e.to_string(),
            "attachment 2: only PDF, PNG and JPEG files are accepted"
        );
        assert_eq!(code(check_content("", &[b""])), "attachment-empty");
        let mut big = PDF.to_vec();
        big.resize(attachment::MAX_BYTES + 1, 0);
        assert_eq!(code(check_content("", &[&big])), "attachment-too-large");
    }

    #[test]
    fn submit_checks_the_deadline_before_the_content() {
        let a = assignment(LatePolicy::Strict);
        assert_eq!(
            code(submit(&a, t("2026-11-21T00:00:00Z"), "", &[])),
            "homework-deadline-passed"
        );
        assert_eq!(code(submit(&a, t(DEADLINE), "", &[])), "homework-empty");
        let s = submit(
            &assignment(penalty(10, 3)),
            t("2026-11-21T10:00:00Z"),
            "ok",
            &[],
        )
        .unwrap();
        assert_eq!(s.lateness, late(1, 10));
        assert_eq!(s.content.text.as_deref(), Some("ok"));
    }

    fn score(raw: &str) -> Score {
        Score::parse(raw).unwrap()
    }

    fn fin(points: u16, max: u16, lateness: Lateness) -> Score {
        final_score(points, MaxPoints::new(max).unwrap(), lateness).unwrap()
    }

    #[test]
    fn final_scores_are_percentages_rounded_half_up() {
        assert_eq!(fin(17, 20, Lateness::OnTime), score("85"));
        assert_eq!(fin(20, 20, Lateness::OnTime), Score::MAX);
        assert_eq!(fin(0, 20, Lateness::OnTime), Score::ZERO);
        assert_eq!(fin(2, 3, Lateness::OnTime), score("66.67"));
        assert_eq!(fin(1, 3, Lateness::OnTime), score("33.33"));
        // 0.125% is exactly half a hundredth: up.
        assert_eq!(fin(1, 800, Lateness::OnTime), score("0.13"));
        assert_eq!(fin(1, 1_000, Lateness::OnTime), score("0.1"));
    }

    #[test]
    fn the_penalty_deducts_points_of_the_maximum_and_floors_at_zero() {
        assert_eq!(fin(17, 20, late(2, 20)), score("65"));
        assert_eq!(fin(17, 20, late(5, 0)), score("85"));
        assert_eq!(fin(3, 20, late(2, 20)), Score::ZERO);
        assert_eq!(fin(20, 20, late(3, 100)), Score::ZERO);
        // 66.666…% − 12.5% = 54.1666…% → 54.17: rounded once, after the deduction.
        let l = Lateness::Late {
            days: 1,
            penalty: Weight::parse_percent("12.5").unwrap(),
        };
        assert_eq!(fin(2, 3, l), score("54.17"));
    }

    #[test]
    fn marks_check_points_and_comment() {
        let a = assignment(penalty(10, 3));
        let e = Mark::new(&a, Lateness::OnTime, 21, "").unwrap_err();
        assert_eq!(e, HomeworkError::PointsOutOfRange { max: 20 });
        assert_eq!(
            (e.code(), e.field()),
            ("homework-points-out-of-range", "points")
        );
        let long = "评".repeat(COMMENT_MAX + 1);
        assert_eq!(
            code(Mark::new(&a, Lateness::OnTime, 10, &long)),
            "homework-comment-too-long"
        );
        assert_eq!(
            code(Mark::new(&a, Lateness::OnTime, 10, "\u{1b}[31m")),
            "homework-comment-characters"
        );
        let m = Mark::new(&a, late(1, 10), 18, "  共情到位\r\n结尾欠缺  ").unwrap();
        assert_eq!(m.points, 18);
        assert_eq!(m.comment.as_deref(), Some("共情到位\n结尾欠缺"));
        assert_eq!(m.final_score, score("80"));
        let blank = Mark::new(&a, Lateness::OnTime, 20, "   ").unwrap();
        assert_eq!(blank.comment, None);
    }

    #[test]
    fn a_remark_replaces_the_mark() {
        let a = assignment(LatePolicy::Accept);
        let first = Mark::new(&a, Lateness::OnTime, 12, "first").unwrap();
        let again = Mark::new(&a, Lateness::OnTime, 15, "after review").unwrap();
        assert_eq!(first.final_score, score("60"));
        assert_eq!(again.final_score, score("75"));
        assert_eq!(again.comment.as_deref(), Some("after review"));
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Started days are the ceiling of the delay in days, whatever the delay.
        #[test]
        fn started_days_are_the_ceiling(secs in 0i64..100_000_000, nanos in 0u32..1_000_000_000) {
            let deadline = DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap();
            let delay = TimeDelta::seconds(secs) + TimeDelta::nanoseconds(i64::from(nanos));
            let days = started_days_late(deadline, deadline + delay);
            let total_ns = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
            let day_ns: i128 = 86_400 * 1_000_000_000;
            let expected = (total_ns + day_ns - 1) / day_ns;
            prop_assert_eq!(i128::from(days), expected);
        }

        /// The final score stays in 0..=100, never exceeds the unpenalised score, and grows
        /// with the points awarded.
        #[test]
        fn final_score_is_bounded_and_monotone(
            max in 1u16..=MAX_POINTS_LIMIT, a in 0u16..=MAX_POINTS_LIMIT,
            b in 0u16..=MAX_POINTS_LIMIT, penalty in 0u32..=10_000, days in 1u32..10,
        ) {
            let m = MaxPoints::new(max).unwrap();
            let (lo, hi) = (a.min(b).min(max), a.max(b).min(max));
            let l = Lateness::Late { days, penalty: Weight::from_basis_points(penalty).unwrap() };
            let lo_s = final_score(lo, m, l).unwrap();
            let hi_s = final_score(hi, m, l).unwrap();
            prop_assert!(lo_s <= hi_s);
            prop_assert!(hi_s <= Score::MAX);
            prop_assert!(hi_s <= final_score(hi, m, Lateness::OnTime).unwrap());
        }
    }
}
