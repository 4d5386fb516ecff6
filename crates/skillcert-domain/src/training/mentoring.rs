//! Mentors, their 1:1 follow-ups, and the `daily` component (seed-rules §3: "a mentor 1:1
//! follow-up within 1 week after the training"; §4.4: S1's daily performance of 20% from
//! attendance, homework quality and mentor evaluation).
//!
//! The mentor evaluation is a 0–100 [`Score`] rather than a 1–5 rating, so that it enters
//! the daily component without a conversion and with the same two decimals as every other
//! score.
//!
//! The daily component, in the order it happens:
//! 1. each part's value: the attendance rate (a percentage), the mean of the trainee's
//!    final homework scores rounded half-up to hundredths (the value shown is the value
//!    used), and the mentor evaluation; any of them may be missing;
//! 2. each present part contributes `value × weight` exactly ([`ExactPoints`]);
//! 3. the total is the sum of the contributions divided by the sum of the present parts'
//!    weights, rounded half-up once to hundredths. With every part present the divisor is
//!    100% and this is the plain weighted sum; with one missing the remaining weights are
//!    renormalised (attendance 90 and mentor 80 at 30% each, homework missing: 27 + 24 =
//!    51 over 60% = 85). A part weighted 0 never counts, and with no present part of
//!    positive weight there is no total.
//!
//! The default weights (attendance 30%, homework 40%, mentor 30%) are ours: the seeds name
//! the three parts but not their shares.

use std::collections::{BTreeMap, btree_map::Entry};

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::homework::{LongTextError, clean_long_text};
use crate::scheme::{ExactPoints, NumberError, Score, Weight};

/// Longest follow-up notes, in characters.
pub const NOTES_MAX: usize = 2_000;
/// Longest follow-up period a company may configure, in days.
pub const FOLLOW_UP_DAYS_MAX: u16 = 60;

/// Why a mentoring record or the daily weights were refused; `code()` is stable and has a
/// locale key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MentoringError {
    #[error("a mentor cannot be their own mentee")]
    SelfMentor,
    #[error("employee {trainee} is not a mentee of employee {mentor}")]
    NotMentee { mentor: i64, trainee: i64 },
    #[error("employee {0} is listed with more than one mentor")]
    DuplicateMentee(i64),
    #[error("the notes must not be empty")]
    NotesEmpty,
    #[error("the notes must be at most {NOTES_MAX} characters")]
    NotesTooLong,
    #[error("the notes contain characters that are not allowed")]
    NotesCharacters,
    #[error("a follow-up cannot be dated after today")]
    FutureFollowUp,
    #[error("the follow-up period must be between 1 and {FOLLOW_UP_DAYS_MAX} days")]
    FollowUpDays,
    #[error("the evaluation {0}")]
    Evaluation(NumberError),
    #[error("the daily weights add up to {basis_points} basis points instead of 10000")]
    WeightsSum { basis_points: u32 },
}

impl MentoringError {
    pub fn code(&self) -> &'static str {
        match self {
            MentoringError::SelfMentor => "mentoring-self",
            MentoringError::NotMentee { .. } => "mentoring-not-mentee",
            MentoringError::DuplicateMentee(_) => "mentoring-duplicate-mentee",
            MentoringError::NotesEmpty => "mentoring-notes-empty",
            MentoringError::NotesTooLong => "mentoring-notes-too-long",
            MentoringError::NotesCharacters => "mentoring-notes-characters",
            MentoringError::FutureFollowUp => "mentoring-follow-up-future",
            MentoringError::FollowUpDays => "mentoring-follow-up-days",
            MentoringError::Evaluation(e) if e.is_out_of_range() => {
                "mentoring-evaluation-out-of-range"
            }
            MentoringError::Evaluation(_) => "mentoring-evaluation-invalid",
            MentoringError::WeightsSum { .. } => "daily-weights-sum",
        }
    }

    /// The form field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            MentoringError::SelfMentor
            | MentoringError::NotMentee { .. }
            | MentoringError::DuplicateMentee(_) => "mentee",
            MentoringError::NotesEmpty
            | MentoringError::NotesTooLong
            | MentoringError::NotesCharacters => "notes",
            MentoringError::FutureFollowUp => "held_on",
            MentoringError::FollowUpDays => "follow_up_days",
            MentoringError::Evaluation(_) => "evaluation",
            MentoringError::WeightsSum { .. } => "daily_weights",
        }
    }
}

/// Reads a typed mentor evaluation (0–100, two decimals at most).
pub fn parse_evaluation(raw: &str) -> Result<Score, MentoringError> {
    Score::parse(raw).map_err(MentoringError::Evaluation)
}

/// A mentor and one mentee (employee ids); never the same person, since a follow-up with
/// oneself proves nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "MentorshipDocument")]
pub struct Mentorship {
    mentor: i64,
    mentee: i64,
}

#[derive(Deserialize)]
struct MentorshipDocument {
    mentor: i64,
    mentee: i64,
}

impl TryFrom<MentorshipDocument> for Mentorship {
    type Error = MentoringError;
    fn try_from(d: MentorshipDocument) -> Result<Mentorship, MentoringError> {
        Mentorship::new(d.mentor, d.mentee)
    }
}

impl Mentorship {
    pub fn new(mentor: i64, mentee: i64) -> Result<Mentorship, MentoringError> {
        if mentor == mentee {
            Err(MentoringError::SelfMentor)
        } else {
            Ok(Mentorship { mentor, mentee })
        }
    }

    pub fn mentor(self) -> i64 {
        self.mentor
    }

    pub fn mentee(self) -> i64 {
        self.mentee
    }
}

/// Who mentors whom: at most one mentor per trainee, any number of mentees per mentor.
/// Stored as the list of pairs; a list naming a mentee twice is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Mentorship>", into = "Vec<Mentorship>")]
pub struct Mentors {
    /// Mentee → mentor.
    by_mentee: BTreeMap<i64, i64>,
}

impl TryFrom<Vec<Mentorship>> for Mentors {
    type Error = MentoringError;
    fn try_from(pairs: Vec<Mentorship>) -> Result<Mentors, MentoringError> {
        let mut by_mentee = BTreeMap::new();
        for p in pairs {
            match by_mentee.entry(p.mentee) {
                Entry::Vacant(v) => {
                    v.insert(p.mentor);
                }
                Entry::Occupied(o) if *o.get() == p.mentor => {}
                Entry::Occupied(_) => return Err(MentoringError::DuplicateMentee(p.mentee)),
            }
        }
        Ok(Mentors { by_mentee })
    }
}

impl From<Mentors> for Vec<Mentorship> {
    fn from(m: Mentors) -> Vec<Mentorship> {
        m.pairs().collect()
    }
}

impl Mentors {
    pub fn new() -> Mentors {
        Mentors::default()
    }

    /// Gives the mentee this mentor, replacing any previous one (returned).
    pub fn assign(&mut self, pair: Mentorship) -> Option<i64> {
        self.by_mentee.insert(pair.mentee, pair.mentor)
    }

    /// Leaves the trainee without a mentor; returns the one they had.
    pub fn unassign(&mut self, mentee: i64) -> Option<i64> {
        self.by_mentee.remove(&mentee)
    }

    pub fn mentor_of(&self, mentee: i64) -> Option<i64> {
        self.by_mentee.get(&mentee).copied()
    }

    /// The mentor's mentees, in id order.
    pub fn mentees_of(&self, mentor: i64) -> Vec<i64> {
        self.by_mentee
            .iter()
            .filter(|&(_, m)| *m == mentor)
            .map(|(&mentee, _)| mentee)
            .collect()
    }

    /// Every pair, by mentee id.
    pub fn pairs(&self) -> impl Iterator<Item = Mentorship> + '_ {
        self.by_mentee
            .iter()
            .map(|(&mentee, &mentor)| Mentorship { mentor, mentee })
    }

    /// Only a trainee's own mentor records their follow-ups.
    pub fn check_mentee(&self, mentor: i64, trainee: i64) -> Result<(), MentoringError> {
        if self.mentor_of(trainee) == Some(mentor) {
            Ok(())
        } else {
            Err(MentoringError::NotMentee { mentor, trainee })
        }
    }
}

/// Days after a training session within which its 1:1 follow-up is due: 1 to
/// [`FOLLOW_UP_DAYS_MAX`], 7 by default (S1: "within 1 week").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct FollowUpDays(u16);

impl FollowUpDays {
    pub const DEFAULT: FollowUpDays = FollowUpDays(7);

    pub fn new(days: u16) -> Result<FollowUpDays, MentoringError> {
        if (1..=FOLLOW_UP_DAYS_MAX).contains(&days) {
            Ok(FollowUpDays(days))
        } else {
            Err(MentoringError::FollowUpDays)
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl Default for FollowUpDays {
    fn default() -> FollowUpDays {
        FollowUpDays::DEFAULT
    }
}

impl TryFrom<u16> for FollowUpDays {
    type Error = MentoringError;
    fn try_from(days: u16) -> Result<FollowUpDays, MentoringError> {
        FollowUpDays::new(days)
    }
}

impl From<FollowUpDays> for u16 {
    fn from(d: FollowUpDays) -> u16 {
        d.0
    }
}

/// The last day on which the follow-up of a session that ended on `session_end_date` is
/// on time: a session ending on Friday the 20th with 7 days is due by Friday the 27th.
/// Saturates at the last representable date rather than panic.
pub fn due_on(session_end_date: NaiveDate, days: FollowUpDays) -> NaiveDate {
    session_end_date
        .checked_add_days(Days::new(u64::from(days.get())))
        .unwrap_or(NaiveDate::MAX)
}

/// What a mentor types after a 1:1 conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUpDraft<'a> {
    pub mentor: i64,
    pub trainee: i64,
    /// The training session the follow-up belongs to.
    pub session: i64,
    pub held_on: NaiveDate,
    pub notes: &'a str,
    pub evaluation: Option<Score>,
}

/// A recorded 1:1 follow-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub mentor: i64,
    pub trainee: i64,
    pub session: i64,
    pub held_on: NaiveDate,
    pub notes: String,
    /// The mentor's evaluation of the trainee at this point, 0–100.
    pub evaluation: Option<Score>,
}

impl FollowUp {
    /// Records a follow-up: only by the trainee's mentor, not dated in the future, with
    /// notes (a follow-up without notes is no evidence that it happened) of at most
    /// [`NOTES_MAX`] characters, line breaks allowed.
    pub fn record(
        mentors: &Mentors,
        draft: FollowUpDraft<'_>,
        today: NaiveDate,
    ) -> Result<FollowUp, MentoringError> {
        mentors.check_mentee(draft.mentor, draft.trainee)?;
        if draft.held_on > today {
            return Err(MentoringError::FutureFollowUp);
        }
        let notes = clean_long_text(draft.notes, NOTES_MAX)
            .map_err(|e| match e {
                LongTextError::TooLong => MentoringError::NotesTooLong,
                LongTextError::Characters => MentoringError::NotesCharacters,
            })?
            .ok_or(MentoringError::NotesEmpty)?;
        Ok(FollowUp {
            mentor: draft.mentor,
            trainee: draft.trainee,
            session: draft.session,
            held_on: draft.held_on,
            notes,
            evaluation: draft.evaluation,
        })
    }
}

/// The mentor evaluation that counts for the daily component: the one of the latest
/// follow-up that carries one, since it describes the trainee as they are now (on the same
/// day, the later in the list).
pub fn latest_evaluation(follow_ups: &[FollowUp]) -> Option<Score> {
    follow_ups
        .iter()
        .filter_map(|f| f.evaluation.map(|e| (f.held_on, e)))
        .max_by_key(|&(day, _)| day)
        .map(|(_, e)| e)
}

/// A training session a trainee attended, which calls for a follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendedSession {
    pub trainee: i64,
    pub session: i64,
    pub ended_on: NaiveDate,
}

/// A follow-up owed for one attended session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpSlot {
    pub trainee: i64,
    pub session: i64,
    pub due: NaiveDate,
    /// The day of the first follow-up recorded for it.
    pub held_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    /// Not held yet, still on time (the due day included).
    Pending,
    /// Not held and past due.
    Overdue,
    Done,
    /// Held, but after the due day.
    DoneLate,
}

impl FollowUpSlot {
    pub fn status(&self, today: NaiveDate) -> FollowUpStatus {
        match self.held_on {
            Some(day) if day <= self.due => FollowUpStatus::Done,
            Some(_) => FollowUpStatus::DoneLate,
            None if today <= self.due => FollowUpStatus::Pending,
            None => FollowUpStatus::Overdue,
        }
    }
}

/// The follow-ups owed: one per attended (trainee, session), due [`due_on`] the session's
/// end, matched with the follow-ups recorded for it by any mentor (a trainee who changed
/// mentor is not owed a second one). In (trainee, session) order; a session listed twice
/// counts once, with its later end.
pub fn follow_up_slots(
    attended: &[AttendedSession],
    recorded: &[FollowUp],
    days: FollowUpDays,
) -> Vec<FollowUpSlot> {
    let mut ends: BTreeMap<(i64, i64), NaiveDate> = BTreeMap::new();
    for a in attended {
        let end = ends.entry((a.trainee, a.session)).or_insert(a.ended_on);
        *end = (*end).max(a.ended_on);
    }
    ends.into_iter()
        .map(|((trainee, session), ended_on)| FollowUpSlot {
            trainee,
            session,
            due: due_on(ended_on, days),
            held_on: recorded
                .iter()
                .filter(|f| f.trainee == trainee && f.session == session)
                .map(|f| f.held_on)
                .min(),
        })
        .collect()
}

/// A missing follow-up past its due day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overdue {
    pub trainee: i64,
    pub session: i64,
    pub due: NaiveDate,
    /// Days since the due day; 1 on the day after it.
    pub days_overdue: u32,
}

/// The missing follow-ups past due on `today`, the longest overdue first (then by trainee
/// and session). A follow-up is not overdue on its due day.
pub fn overdue(follow_ups: &[FollowUpSlot], today: NaiveDate) -> Vec<Overdue> {
    let mut out: Vec<Overdue> = follow_ups
        .iter()
        .filter(|s| s.status(today) == FollowUpStatus::Overdue)
        .map(|s| Overdue {
            trainee: s.trainee,
            session: s.session,
            due: s.due,
            days_overdue: u32::try_from((today - s.due).num_days()).unwrap_or(u32::MAX),
        })
        .collect();
    out.sort_by_key(|o| (o.due, o.trainee, o.session));
    out
}

/// One of the three parts of the daily component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DailyPart {
    Attendance,
    Homework,
    Mentor,
}

impl DailyPart {
    pub const ALL: [DailyPart; 3] = [
        DailyPart::Attendance,
        DailyPart::Homework,
        DailyPart::Mentor,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DailyPart::Attendance => "attendance",
            DailyPart::Homework => "homework",
            DailyPart::Mentor => "mentor",
        }
    }

    pub fn parse(raw: &str) -> Option<DailyPart> {
        DailyPart::ALL.into_iter().find(|p| p.key() == raw.trim())
    }
}

/// The shares of the daily component's parts, adding up to exactly 100% (10 000 basis
/// points). Written in documents as percentages: `{attendance = 30, homework = 40,
/// mentor = 30}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DailyWeightsDocument")]
pub struct DailyWeights {
    attendance: Weight,
    homework: Weight,
    mentor: Weight,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DailyWeightsDocument {
    attendance: Weight,
    homework: Weight,
    mentor: Weight,
}

impl TryFrom<DailyWeightsDocument> for DailyWeights {
    type Error = MentoringError;
    fn try_from(d: DailyWeightsDocument) -> Result<DailyWeights, MentoringError> {
        DailyWeights::new(d.attendance, d.homework, d.mentor)
    }
}

impl Default for DailyWeights {
    /// Our choice, not the seeds': homework is the part with the most evidence behind it.
    fn default() -> DailyWeights {
        DailyWeights {
            attendance: Weight::percent(30),
            homework: Weight::percent(40),
            mentor: Weight::percent(30),
        }
    }
}

impl DailyWeights {
    pub fn new(
        attendance: Weight,
        homework: Weight,
        mentor: Weight,
    ) -> Result<DailyWeights, MentoringError> {
        let basis_points =
            attendance.basis_points() + homework.basis_points() + mentor.basis_points();
        if basis_points != Weight::FULL.basis_points() {
            return Err(MentoringError::WeightsSum { basis_points });
        }
        Ok(DailyWeights {
            attendance,
            homework,
            mentor,
        })
    }

    pub fn of(&self, part: DailyPart) -> Weight {
        match part {
            DailyPart::Attendance => self.attendance,
            DailyPart::Homework => self.homework,
            DailyPart::Mentor => self.mentor,
        }
    }
}

/// The mean of a trainee's final homework scores, rounded half-up to hundredths; `None`
/// without any. Homework not handed in counts only if the caller passes it as 0.
pub fn homework_mean(scores: &[Score]) -> Option<Score> {
    let n = u64::try_from(scores.len()).ok().filter(|n| *n > 0)?;
    let sum: u64 = scores.iter().map(|s| u64::from(s.hundredths())).sum();
    let mean = (2 * sum + n) / (2 * n);
    // A mean of scores is a score.
    u32::try_from(mean)
        .ok()
        .and_then(|h| Score::from_hundredths(h).ok())
}

/// One row of the daily breakdown on the result page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DailyLine {
    pub part: DailyPart,
    /// `None` when the part is missing (no attendance record, no marked homework, no
    /// mentor evaluation).
    pub value: Option<Score>,
    /// The configured weight, before any renormalisation.
    pub weight: Weight,
    /// `value × weight`, exact; `None` when the value is missing.
    pub contribution: Option<ExactPoints>,
}

/// The daily component and how it was reached; see the module doc for the arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DailyBreakdown {
    /// Attendance, homework, mentor, in that order.
    pub lines: [DailyLine; 3],
    /// The sum of the present parts' weights: the divisor of the total.
    pub present_weight: Weight,
    /// The sum of the contributions.
    pub weighted_sum: ExactPoints,
    /// `weighted_sum / present_weight`, rounded half-up to hundredths; `None` when no part
    /// of positive weight is present.
    pub total: Option<Score>,
}

impl DailyBreakdown {
    /// True when a missing part made the remaining weights count for more.
    pub fn renormalised(&self) -> bool {
        self.total.is_some() && self.present_weight != Weight::FULL
    }
}

/// Computes the daily component from the attendance rate (0–100), the trainee's final
/// homework scores and the mentor evaluation.
pub fn daily(
    weights: &DailyWeights,
    attendance: Option<Score>,
    homework: &[Score],
    mentor: Option<Score>,
) -> DailyBreakdown {
    let line = |part: DailyPart, value: Option<Score>| {
        let weight = weights.of(part);
        DailyLine {
            part,
            value,
            weight,
            contribution: value.map(|v| ExactPoints::weighted(v, weight)),
        }
    };
    let lines = [
        line(DailyPart::Attendance, attendance),
        line(DailyPart::Homework, homework_mean(homework)),
        line(DailyPart::Mentor, mentor),
    ];
    let present: u32 = lines
        .iter()
        .filter(|l| l.value.is_some())
        .map(|l| l.weight.basis_points())
        .sum();
    let weighted_sum: ExactPoints = lines.iter().filter_map(|l| l.contribution).sum();
    let total = (present > 0)
        .then(|| {
            // Millionths of a point over basis points are hundredths of a point.
            let (num, den) = (weighted_sum.millionths(), u64::from(present));
            let hundredths = (2 * num + den) / (2 * den);
            u32::try_from(hundredths)
                .ok()
                .and_then(|h| Score::from_hundredths(h).ok())
        })
        .flatten();
    DailyBreakdown {
        lines,
        // The weights add up to 100%, so any subset does too.
        present_weight: Weight::from_basis_points(present).unwrap_or(Weight::FULL),
        weighted_sum,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn s(raw: &str) -> Score {
        Score::parse(raw).unwrap()
    }

    fn mentors() -> Mentors {
        let mut m = Mentors::new();
        m.assign(Mentorship::new(100, 1).unwrap());
        m.assign(Mentorship::new(100, 2).unwrap());
        m.assign(Mentorship::new(200, 3).unwrap());
        m
    }

    fn draft(mentor: i64, trainee: i64, notes: &str) -> FollowUpDraft<'_> {
        FollowUpDraft {
            mentor,
            trainee,
            session: 10,
            held_on: d("2026-11-25"),
            notes,
            evaluation: Some(s("85")),
        }
    }

    const TODAY: &str = "2026-11-26";

    #[test]
    fn nobody_mentors_themselves() {
        let e = Mentorship::new(7, 7).unwrap_err();
        assert_eq!((e.code(), e.field()), ("mentoring-self", "mentee"));
        assert!(serde_json::from_str::<Mentorship>(r#"{"mentor":7,"mentee":7}"#).is_err());
    }

    #[test]
    fn one_mentor_per_trainee() {
        let mut m = mentors();
        assert_eq!(m.mentees_of(100), [1, 2]);
        assert_eq!(m.assign(Mentorship::new(200, 2).unwrap()), Some(100));
        assert_eq!(m.mentor_of(2), Some(200));
        assert_eq!(m.mentees_of(100), [1]);
        assert_eq!(m.mentees_of(200), [2, 3]);
        assert_eq!(m.unassign(1), Some(100));
        assert_eq!(m.mentor_of(1), None);
    }

    #[test]
    fn registries_round_trip_and_refuse_two_mentors() -> Result<(), serde_json::Error> {
        let m = mentors();
        let json = serde_json::to_string(&m)?;
        assert_eq!(
            json,
            r#"[{"mentor":100,"mentee":1},{"mentor":100,"mentee":2},{"mentor":200,"mentee":3}]"#
        );
        assert_eq!(serde_json::from_str::<Mentors>(&json)?, m);
        let twice = r#"[{"mentor":100,"mentee":1},{"mentor":100,"mentee":1}]"#;
        assert_eq!(
            serde_json::from_str::<Mentors>(twice)?.mentor_of(1),
            Some(100)
        );
        let clash = r#"[{"mentor":100,"mentee":1},{"mentor":200,"mentee":1}]"#;
        assert!(serde_json::from_str::<Mentors>(clash).is_err());
        let e = Mentors::try_from(vec![
            Mentorship::new(100, 1).unwrap(),
            Mentorship::new(200, 1).unwrap(),
        ])
        .unwrap_err();
        assert_eq!(e.code(), "mentoring-duplicate-mentee");
        Ok(())
    }

    #[test]
    fn only_the_mentor_records_a_follow_up() {
        let m = mentors();
        let today = d(TODAY);
        let f = FollowUp::record(&m, draft(100, 1, "  谈了投诉处理\r\n下周复盘 "), today).unwrap();
        assert_eq!(f.notes, "谈了投诉处理\n下周复盘");
        assert_eq!(f.evaluation, Some(s("85")));
        let e = FollowUp::record(&m, draft(100, 3, "notes"), today).unwrap_err();
        assert_eq!(
            e,
            MentoringError::NotMentee {
                mentor: 100,
                trainee: 3
            }
        );
        assert_eq!((e.code(), e.field()), ("mentoring-not-mentee", "mentee"));
        // Unassigned trainees and the mentor themselves are not mentees either.
        for (mentor, trainee) in [(100, 9), (100, 100)] {
            let e = FollowUp::record(&m, draft(mentor, trainee, "n"), today).unwrap_err();
            assert_eq!(e.code(), "mentoring-not-mentee");
        }
    }

    #[test]
    fn follow_up_notes_and_dates_are_checked() {
        let m = mentors();
        let today = d(TODAY);
        let code = |dr: FollowUpDraft<'_>| FollowUp::record(&m, dr, today).unwrap_err().code();
        assert_eq!(code(draft(100, 1, " \r\n ")), "mentoring-notes-empty");
        let max = "记".repeat(NOTES_MAX);
        assert!(FollowUp::record(&m, draft(100, 1, &max), today).is_ok());
        let long = format!("{max}录");
        assert_eq!(code(draft(100, 1, &long)), "mentoring-notes-too-long");
        assert_eq!(code(draft(100, 1, "a\u{0}b")), "mentoring-notes-characters");
        let future = FollowUpDraft {
            held_on: d("2026-11-27"),
            ..draft(100, 1, "n")
        };
        let e = FollowUp::record(&m, future, today).unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("mentoring-follow-up-future", "held_on")
        );
        let same_day = FollowUpDraft {
            held_on: today,
            ..draft(100, 1, "n")
        };
        assert!(FollowUp::record(&m, same_day, today).is_ok());
    }

    #[test]
    fn evaluations_are_scores() {
        assert_eq!(parse_evaluation("85.5"), Ok(s("85.5")));
        let e = parse_evaluation("101").unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("mentoring-evaluation-out-of-range", "evaluation")
        );
        assert_eq!(
            parse_evaluation("-3").unwrap_err().code(),
            "mentoring-evaluation-out-of-range"
        );
        assert_eq!(
            parse_evaluation("good").unwrap_err().code(),
            "mentoring-evaluation-invalid"
        );
        assert_eq!(
            parse_evaluation("").unwrap_err().code(),
            "mentoring-evaluation-invalid"
        );
    }

    #[test]
    fn the_latest_evaluation_counts() {
        let m = mentors();
        let at = |day: &str, eval: Option<&str>| {
            let dr = FollowUpDraft {
                held_on: d(day),
                evaluation: eval.map(s),
                ..draft(100, 1, "n")
            };
            FollowUp::record(&m, dr, d(TODAY)).unwrap()
        };
        assert_eq!(latest_evaluation(&[]), None);
        let list = [
            at("2026-11-20", Some("70")),
            at("2026-11-24", Some("80")),
            at("2026-11-22", Some("60")),
            at("2026-11-25", None),
        ];
        assert_eq!(latest_evaluation(&list), Some(s("80")));
        let same_day = [at("2026-11-24", Some("80")), at("2026-11-24", Some("90"))];
        assert_eq!(latest_evaluation(&same_day), Some(s("90")));
    }

    #[test]
    fn follow_up_days_are_bounded() {
        assert_eq!(FollowUpDays::default().get(), 7);
        let e = FollowUpDays::new(0).unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("mentoring-follow-up-days", "follow_up_days")
        );
        assert!(FollowUpDays::new(61).is_err());
        assert_eq!(FollowUpDays::new(60).map(FollowUpDays::get), Ok(60));
        assert!(serde_json::from_str::<FollowUpDays>("0").is_err());
        assert_eq!(
            serde_json::from_str::<FollowUpDays>("14").unwrap().get(),
            14
        );
    }

    #[test]
    fn due_dates_count_calendar_days() {
        let seven = FollowUpDays::DEFAULT;
        assert_eq!(due_on(d("2026-11-20"), seven), d("2026-11-27"));
        assert_eq!(due_on(d("2026-12-28"), seven), d("2027-01-04"));
        assert_eq!(due_on(d("2028-02-25"), seven), d("2028-03-03"));
        assert_eq!(
            due_on(d("2026-11-20"), FollowUpDays::new(1).unwrap()),
            d("2026-11-21")
        );
        assert_eq!(due_on(NaiveDate::MAX, seven), NaiveDate::MAX);
    }

    fn attended(trainee: i64, session: i64, ended: &str) -> AttendedSession {
        AttendedSession {
            trainee,
            session,
            ended_on: d(ended),
        }
    }

    fn held(trainee: i64, session: i64, day: &str) -> FollowUp {
        FollowUp {
            mentor: 100,
            trainee,
            session,
            held_on: d(day),
            notes: "n".into(),
            evaluation: None,
        }
    }

    #[test]
    fn overdue_lists_missing_follow_ups_past_due() {
        let sessions = [
            attended(1, 10, "2026-11-20"),
            attended(2, 10, "2026-11-20"),
            attended(3, 11, "2026-11-25"),
            attended(4, 10, "2026-11-20"),
        ];
        let recorded = [
            held(2, 10, "2026-11-25"),
            held(4, 10, "2026-11-30"),
            // A follow-up for another session does not settle session 10.
            held(1, 11, "2026-11-22"),
        ];
        let slots = follow_up_slots(&sessions, &recorded, FollowUpDays::DEFAULT);
        assert_eq!(slots.len(), 4);
        assert_eq!(slots[0].due, d("2026-11-27"));
        assert_eq!(slots[2].due, d("2026-12-02"));
        // The due day itself is still on time.
        assert!(overdue(&slots, d("2026-11-27")).is_empty());
        let late = overdue(&slots, d("2026-11-28"));
        assert_eq!(
            late,
            [Overdue {
                trainee: 1,
                session: 10,
                due: d("2026-11-27"),
                days_overdue: 1
            }]
        );
        let later: Vec<_> = overdue(&slots, d("2026-12-05"))
            .iter()
            .map(|o| (o.trainee, o.days_overdue))
            .collect();
        assert_eq!(later, [(1, 8), (3, 3)]);
        let statuses: Vec<_> = slots.iter().map(|s| s.status(d("2026-11-28"))).collect();
        assert_eq!(
            statuses,
            [
                FollowUpStatus::Overdue,
                FollowUpStatus::Done,
                FollowUpStatus::Pending,
                FollowUpStatus::DoneLate
            ]
        );
    }

    #[test]
    fn slots_count_each_session_once_and_the_first_follow_up() {
        let sessions = [attended(1, 10, "2026-11-18"), attended(1, 10, "2026-11-20")];
        let recorded = [held(1, 10, "2026-11-29"), held(1, 10, "2026-11-26")];
        let slots = follow_up_slots(&sessions, &recorded, FollowUpDays::new(3).unwrap());
        assert_eq!(
            slots,
            [FollowUpSlot {
                trainee: 1,
                session: 10,
                due: d("2026-11-23"),
                held_on: Some(d("2026-11-26")),
            }]
        );
        assert_eq!(slots[0].status(d("2026-12-01")), FollowUpStatus::DoneLate);
        assert!(overdue(&slots, d("2026-12-01")).is_empty());
    }

    fn w(a: u8, h: u8, m: u8) -> Result<DailyWeights, MentoringError> {
        DailyWeights::new(Weight::percent(a), Weight::percent(h), Weight::percent(m))
    }

    #[test]
    fn weights_must_add_up_to_everything() {
        assert_eq!(w(30, 40, 30), Ok(DailyWeights::default()));
        let e = w(30, 40, 40).unwrap_err();
        assert_eq!(
            e,
            MentoringError::WeightsSum {
                basis_points: 11_000
            }
        );
        assert_eq!(
            (e.code(), e.field()),
            ("daily-weights-sum", "daily_weights")
        );
        assert_eq!(w(30, 40, 29).unwrap_err().code(), "daily-weights-sum");
        assert!(w(0, 100, 0).is_ok());
        let third = Weight::from_basis_points(3_333).unwrap();
        assert!(DailyWeights::new(third, third, third).is_err());
        let rest = Weight::from_basis_points(3_334).unwrap();
        assert!(DailyWeights::new(third, third, rest).is_ok());
    }

    #[test]
    fn weights_read_as_percentages() -> Result<(), serde_json::Error> {
        let weights: DailyWeights =
            serde_json::from_str(r#"{"attendance":20,"homework":"50","mentor":30}"#)?;
        assert_eq!(weights.of(DailyPart::Homework), Weight::percent(50));
        assert_eq!(
            serde_json::to_string(&DailyWeights::default())?,
            r#"{"attendance":30,"homework":40,"mentor":30}"#
        );
        assert!(
            serde_json::from_str::<DailyWeights>(r#"{"attendance":50,"homework":50,"mentor":50}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<DailyWeights>(r#"{"attendance":100,"homework":0}"#).is_err()
        );
        Ok(())
    }

    #[test]
    fn parts_have_keys() {
        for p in DailyPart::ALL {
            assert_eq!(DailyPart::parse(p.key()), Some(p));
        }
        assert_eq!(DailyPart::parse("survey"), None);
    }

    #[test]
    fn homework_mean_rounds_half_up() {
        assert_eq!(homework_mean(&[]), None);
        assert_eq!(homework_mean(&[s("80"), s("85")]), Some(s("82.5")));
        assert_eq!(homework_mean(&[s("100"), s("0"), s("0")]), Some(s("33.33")));
        assert_eq!(homework_mean(&[s("0.01"), s("0.02")]), Some(s("0.02")));
        assert_eq!(homework_mean(&[Score::MAX; 7]), Some(Score::MAX));
    }

    fn points(raw: &str) -> ExactPoints {
        // ExactPoints in millionths, from a decimal with up to 6 places.
        let (i, f) = raw.split_once('.').unwrap_or((raw, ""));
        let frac = format!("{f:0<6}");
        ExactPoints::from_millionths(
            i.parse::<u64>().unwrap() * 1_000_000 + frac.parse::<u64>().unwrap(),
        )
    }

    #[test]
    fn all_parts_present_is_the_plain_weighted_sum() {
        let b = daily(
            &DailyWeights::default(),
            Some(s("90")),
            &[s("80"), s("85")],
            Some(s("70")),
        );
        // 90 × 30% + 82.5 × 40% + 70 × 30% = 27 + 33 + 21 = 81.
        let contributions: Vec<_> = b.lines.iter().map(|l| l.contribution).collect();
        assert_eq!(
            contributions,
            [Some(points("27")), Some(points("33")), Some(points("21"))]
        );
        assert_eq!(b.lines[1].value, Some(s("82.5")));
        assert_eq!(b.lines[1].weight, Weight::percent(40));
        assert_eq!(b.present_weight, Weight::FULL);
        assert_eq!(b.weighted_sum, points("81"));
        assert_eq!(b.total, Some(s("81")));
        assert!(!b.renormalised());
    }

    #[test]
    fn a_missing_part_renormalises_the_others() {
        // Homework missing: (27 + 24) / 60% = 85.
        let b = daily(&DailyWeights::default(), Some(s("90")), &[], Some(s("80")));
        assert_eq!(b.lines[1].value, None);
        assert_eq!(b.lines[1].contribution, None);
        assert_eq!(b.present_weight, Weight::percent(60));
        assert_eq!(b.weighted_sum, points("51"));
        assert_eq!(b.total, Some(s("85")));
        assert!(b.renormalised());
        // Mentor missing: (30 + 28) / 70% = 82.857… → 82.86.
        let b = daily(&DailyWeights::default(), Some(s("100")), &[s("70")], None);
        assert_eq!(b.total, Some(s("82.86")));
        // Attendance missing, half-up at the last digit: (33.33 × 40% + 66.67 × 30%) / 70%
        // = (13.332 + 20.001) / 0.7 = 47.618571… → 47.62.
        let b = daily(
            &DailyWeights::default(),
            None,
            &[s("33.33")],
            Some(s("66.67")),
        );
        assert_eq!(b.weighted_sum, points("33.333"));
        assert_eq!(b.total, Some(s("47.62")));
    }

    #[test]
    fn nothing_present_is_no_total() {
        let b = daily(&DailyWeights::default(), None, &[], None);
        assert_eq!(b.total, None);
        assert_eq!(b.present_weight, Weight::default());
        assert_eq!(b.weighted_sum, ExactPoints::default());
        assert!(!b.renormalised());
        // A part weighted 0 does not count, even when it is the only one present.
        let b = daily(&w(50, 50, 0).unwrap(), None, &[], Some(s("90")));
        assert_eq!(b.lines[2].contribution, Some(ExactPoints::default()));
        assert_eq!(b.total, None);
        let b = daily(&w(50, 50, 0).unwrap(), Some(s("60")), &[], Some(s("90")));
        assert_eq!(b.total, Some(s("60")));
    }

    #[test]
    fn breakdowns_serialise_for_the_result_page() -> Result<(), serde_json::Error> {
        let b = daily(&DailyWeights::default(), Some(s("90")), &[], Some(s("80")));
        let v = serde_json::to_value(b)?;
        assert_eq!(v["total"], serde_json::json!(85));
        assert_eq!(v["lines"][0]["part"], "attendance");
        assert_eq!(v["lines"][0]["contribution"], "27");
        assert_eq!(v["lines"][1]["value"], serde_json::Value::Null);
        assert_eq!(v["present_weight"], serde_json::json!(60));
        Ok(())
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn score() -> impl Strategy<Value = Score> {
        (0u32..=10_000).prop_map(|h| Score::from_hundredths(h).unwrap())
    }

    /// Weights adding up to 10 000 basis points, each possibly 0.
    fn weights() -> impl Strategy<Value = DailyWeights> {
        (0u32..=10_000, 0u32..=10_000).prop_map(|(a, b)| {
            let (lo, hi) = (a.min(b), a.max(b));
            let bp = |x| Weight::from_basis_points(x).unwrap();
            DailyWeights::new(bp(lo), bp(hi - lo), bp(10_000 - hi)).unwrap()
        })
    }

    proptest! {
        /// The total lies between the smallest and the largest present part (so within
        /// 0..=100), and exists exactly when a part of positive weight is present.
        #[test]
        fn total_is_within_the_present_parts(
            weights in weights(),
            attendance in proptest::option::of(score()),
            homework in proptest::collection::vec(score(), 0..6),
            mentor in proptest::option::of(score()),
        ) {
            let b = daily(&weights, attendance, &homework, mentor);
            let present: Vec<Score> = b.lines.iter()
                .filter(|l| l.weight.basis_points() > 0)
                .filter_map(|l| l.value)
                .collect();
            match b.total {
                None => prop_assert!(present.is_empty()),
                Some(t) => {
                    prop_assert!(t <= Score::MAX);
                    prop_assert!(present.iter().min().is_some_and(|lo| *lo <= t));
                    prop_assert!(present.iter().max().is_some_and(|hi| t <= *hi));
                }
            }
        }

        /// With one part present, the total is that part, whatever its weight.
        #[test]
        fn a_single_part_is_the_total(weights in weights(), value in score(), which in 0usize..3) {
            let part = DailyPart::ALL[which];
            prop_assume!(weights.of(part).basis_points() > 0);
            let b = match part {
                DailyPart::Attendance => daily(&weights, Some(value), &[], None),
                DailyPart::Homework => daily(&weights, None, &[value], None),
                DailyPart::Mentor => daily(&weights, None, &[], Some(value)),
            };
            prop_assert_eq!(b.total, Some(value));
        }
    }
}
