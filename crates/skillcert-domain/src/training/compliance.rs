//! Training-hour compliance (seed-rules §3, S2): at least 8 hours of training per employee per
//! calendar year, 3 days of basic training before a new hire goes on duty, and at least 2
//! advanced topic trainings organised by the company each year.
//!
//! The rules are data ([`ComplianceRules`], TOML like the scheme presets, S2 by default) and
//! the evaluation is one pass over the ledger, so a company of 100,000 employees with 50
//! entries each is checked in linear time.
//!
//! **Unit:** every duration here is in whole minutes. Sessions are scheduled to the minute,
//! so minutes are exact where tenths of an hour would round a 50-minute session; 8 h = 480.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::mentoring::{FOLLOW_UP_DAYS_MAX, FollowUpDays};

/// Upper bound of the yearly minimum: 1,000 hours, far above any real rule.
pub const MAX_MINUTES_PER_YEAR: u32 = 1_000 * 60;
/// Upper bound of the new-hire basic days (S1: new-hire training lasts 1–2 weeks).
pub const MAX_BASIC_DAYS: u32 = 60;
/// Upper bound of one training day: 12 hours.
pub const MAX_BASIC_DAY_MINUTES: u32 = 12 * 60;
/// Upper bound of the advanced topics a year: one a week.
pub const MAX_ADVANCED_TOPICS: u32 = 52;
/// Upper bound of the reminder lead: half a year.
pub const MAX_REMINDER_LEAD_DAYS: u32 = 183;

/// The S2 rules as a TOML document; [`ComplianceRules::s2_default`] is exactly this text.
pub const S2_DEFAULT_TOML: &str = r#"# S2 (seed 002) training-hour rules. Every duration is in whole minutes.
# At least 8 hours of relevant training per employee per calendar year.
min_minutes_per_year = 480
# A new hire takes 3 days of basic training before going on duty; a day counts 8 hours.
new_hire_basic_days = 3
basic_day_minutes = 480
# The company organises at least 2 advanced topic trainings a year.
advanced_topics_per_year = 2
# Employees still short are reminded from 60 days before 31 December (1 November).
reminder_lead_days = 60
# A mentor's 1:1 follow-up is due within 7 days after each training the trainee attended (S1).
follow_up_days = 7
"#;

/// The document a customer edits. Numbers are signed so that a negative value gets a range
/// error naming the field rather than a TOML type error; a missing field takes the S2 value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ComplianceDocument {
    pub min_minutes_per_year: i64,
    pub new_hire_basic_days: i64,
    pub basic_day_minutes: i64,
    pub advanced_topics_per_year: i64,
    pub reminder_lead_days: i64,
    pub follow_up_days: i64,
}

impl Default for ComplianceDocument {
    fn default() -> Self {
        ComplianceDocument {
            min_minutes_per_year: 480,
            new_hire_basic_days: 3,
            basic_day_minutes: 480,
            advanced_topics_per_year: 2,
            reminder_lead_days: 60,
            follow_up_days: 7,
        }
    }
}

/// One problem of a rules document; `code()` is stable and has a locale key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ComplianceError {
    #[error("the document is not valid TOML for compliance rules: {0}")]
    Syntax(String),
    #[error("the yearly minimum must be 1 to {MAX_MINUTES_PER_YEAR} minutes")]
    MinMinutesOutOfRange,
    #[error("the new-hire basic days must be 1 to {MAX_BASIC_DAYS}")]
    BasicDaysOutOfRange,
    #[error("a basic training day must be 1 to {MAX_BASIC_DAY_MINUTES} minutes")]
    BasicDayMinutesOutOfRange,
    #[error("the advanced topics a year must be 1 to {MAX_ADVANCED_TOPICS}")]
    AdvancedTopicsOutOfRange,
    #[error("the reminder lead must be 1 to {MAX_REMINDER_LEAD_DAYS} days")]
    ReminderLeadOutOfRange,
    #[error("the follow-up period must be 1 to {FOLLOW_UP_DAYS_MAX} days")]
    FollowUpDaysOutOfRange,
}

impl ComplianceError {
    pub fn code(&self) -> &'static str {
        match self {
            ComplianceError::Syntax(_) => "compliance-syntax",
            ComplianceError::MinMinutesOutOfRange => "compliance-min-minutes-range",
            ComplianceError::BasicDaysOutOfRange => "compliance-basic-days-range",
            ComplianceError::BasicDayMinutesOutOfRange => "compliance-basic-day-minutes-range",
            ComplianceError::AdvancedTopicsOutOfRange => "compliance-advanced-topics-range",
            ComplianceError::ReminderLeadOutOfRange => "compliance-reminder-lead-range",
            ComplianceError::FollowUpDaysOutOfRange => "compliance-follow-up-days-range",
        }
    }

    /// The document field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            ComplianceError::Syntax(_) => "document",
            ComplianceError::MinMinutesOutOfRange => "min_minutes_per_year",
            ComplianceError::BasicDaysOutOfRange => "new_hire_basic_days",
            ComplianceError::BasicDayMinutesOutOfRange => "basic_day_minutes",
            ComplianceError::AdvancedTopicsOutOfRange => "advanced_topics_per_year",
            ComplianceError::ReminderLeadOutOfRange => "reminder_lead_days",
            ComplianceError::FollowUpDaysOutOfRange => "follow_up_days",
        }
    }
}

/// Every problem of a document, in field order.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct ComplianceErrors(pub Vec<ComplianceError>);

impl ComplianceErrors {
    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(ComplianceError::code).collect()
    }
}

impl fmt::Display for ComplianceErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {e}", e.field())?;
        }
        Ok(())
    }
}

/// Validated compliance rules. Deserialising goes through the same validation, so a stored
/// rule set can never hold a zero minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ComplianceDocument", into = "ComplianceDocument")]
pub struct ComplianceRules {
    min_minutes_per_year: u32,
    new_hire_basic_days: u32,
    basic_day_minutes: u32,
    advanced_topics_per_year: u32,
    reminder_lead_days: u32,
    /// Days after a training within which the mentor's follow-up is due (S1: 7).
    follow_up_days: u32,
}

impl Default for ComplianceRules {
    fn default() -> Self {
        ComplianceRules::s2_default()
    }
}

/// `raw` as a u32 within `1..=max`, else `error` recorded.
fn bounded(raw: i64, max: u32, error: ComplianceError, out: &mut Vec<ComplianceError>) -> u32 {
    match u32::try_from(raw) {
        Ok(v) if (1..=max).contains(&v) => v,
        _ => {
            out.push(error);
            0
        }
    }
}

impl ComplianceRules {
    /// S2: 8 hours a year, 3 basic days of 8 hours, 2 advanced topics, remind from 1 November.
    pub fn s2_default() -> ComplianceRules {
        ComplianceRules {
            min_minutes_per_year: 480,
            new_hire_basic_days: 3,
            basic_day_minutes: 480,
            advanced_topics_per_year: 2,
            reminder_lead_days: 60,
            follow_up_days: 7,
        }
    }

    /// Parses and validates a TOML document, reporting every problem at once.
    pub fn parse_toml(source: &str) -> Result<ComplianceRules, ComplianceErrors> {
        let doc: ComplianceDocument = toml::from_str(source).map_err(|e| {
            ComplianceErrors(vec![ComplianceError::Syntax(
                e.to_string().trim_end().to_string(),
            )])
        })?;
        ComplianceRules::from_document(doc)
    }

    /// Validates a document built elsewhere (a form, a JSON body).
    pub fn from_document(doc: ComplianceDocument) -> Result<ComplianceRules, ComplianceErrors> {
        use ComplianceError as E;
        let mut errors = Vec::new();
        let rules = ComplianceRules {
            min_minutes_per_year: bounded(
                doc.min_minutes_per_year,
                MAX_MINUTES_PER_YEAR,
                E::MinMinutesOutOfRange,
                &mut errors,
            ),
            new_hire_basic_days: bounded(
                doc.new_hire_basic_days,
                MAX_BASIC_DAYS,
                E::BasicDaysOutOfRange,
                &mut errors,
            ),
            basic_day_minutes: bounded(
                doc.basic_day_minutes,
                MAX_BASIC_DAY_MINUTES,
                E::BasicDayMinutesOutOfRange,
                &mut errors,
            ),
            advanced_topics_per_year: bounded(
                doc.advanced_topics_per_year,
                MAX_ADVANCED_TOPICS,
                E::AdvancedTopicsOutOfRange,
                &mut errors,
            ),
            reminder_lead_days: bounded(
                doc.reminder_lead_days,
                MAX_REMINDER_LEAD_DAYS,
                E::ReminderLeadOutOfRange,
                &mut errors,
            ),
            follow_up_days: bounded(
                doc.follow_up_days,
                u32::from(FOLLOW_UP_DAYS_MAX),
                E::FollowUpDaysOutOfRange,
                &mut errors,
            ),
        };
        if errors.is_empty() {
            Ok(rules)
        } else {
            Err(ComplianceErrors(errors))
        }
    }

    /// The document form, the starting point of an edit.
    pub fn document(&self) -> ComplianceDocument {
        ComplianceDocument {
            min_minutes_per_year: i64::from(self.min_minutes_per_year),
            new_hire_basic_days: i64::from(self.new_hire_basic_days),
            basic_day_minutes: i64::from(self.basic_day_minutes),
            advanced_topics_per_year: i64::from(self.advanced_topics_per_year),
            reminder_lead_days: i64::from(self.reminder_lead_days),
            follow_up_days: i64::from(self.follow_up_days),
        }
    }

    pub fn min_minutes_per_year(&self) -> u32 {
        self.min_minutes_per_year
    }

    pub fn new_hire_basic_days(&self) -> u32 {
        self.new_hire_basic_days
    }

    pub fn basic_day_minutes(&self) -> u32 {
        self.basic_day_minutes
    }

    /// Basic training a new hire needs before duty: days × minutes a day. S2 says "3 days";
    /// counting minutes rather than distinct dates keeps two half days from passing as two
    /// days, and a company with 6-hour days sets `basic_day_minutes = 360`.
    pub fn new_hire_basic_minutes(&self) -> u32 {
        // Both factors are bounded (60 × 720), so the product cannot overflow.
        self.new_hire_basic_days
            .saturating_mul(self.basic_day_minutes)
    }

    pub fn advanced_topics_per_year(&self) -> u32 {
        self.advanced_topics_per_year
    }

    pub fn reminder_lead_days(&self) -> u32 {
        self.reminder_lead_days
    }

    /// The mentors' follow-up period (1–60 days, validated like every other rule).
    pub fn follow_up_days(&self) -> FollowUpDays {
        u16::try_from(self.follow_up_days)
            .ok()
            .and_then(|d| FollowUpDays::new(d).ok())
            .unwrap_or_default()
    }

    /// First day on which short employees of `year` are reminded: 31 December minus the
    /// lead (60 days → 1 November). `None` only for a year chrono cannot represent.
    pub fn reminders_from(&self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, 12, 31)?
            .checked_sub_signed(Duration::days(i64::from(self.reminder_lead_days)))
    }
}

impl TryFrom<ComplianceDocument> for ComplianceRules {
    type Error = ComplianceErrors;

    fn try_from(doc: ComplianceDocument) -> Result<Self, Self::Error> {
        ComplianceRules::from_document(doc)
    }
}

impl From<ComplianceRules> for ComplianceDocument {
    fn from(rules: ComplianceRules) -> Self {
        rules.document()
    }
}

/// The level of a training, as its plan declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingLevel {
    /// Onboarding content; counts towards a new hire's basic days.
    Basic,
    /// Counts towards the company's advanced topics when organised internally.
    Advanced,
    Other,
}

impl TrainingLevel {
    pub const ALL: [TrainingLevel; 3] = [
        TrainingLevel::Basic,
        TrainingLevel::Advanced,
        TrainingLevel::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TrainingLevel::Basic => "basic",
            TrainingLevel::Advanced => "advanced",
            TrainingLevel::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<TrainingLevel> {
        Self::ALL.into_iter().find(|l| l.key() == raw.trim())
    }
}

/// Where a ledger entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntrySource {
    /// An internal session the employee attended. The ledger holds a session entry only for
    /// a present or late mark (late still earns the scheduled duration); absent and excused
    /// marks write no entry, so every session entry is credited.
    Session { session_id: i64 },
    /// External training recorded with proof; it counts only once HR has approved the proof.
    External { approved: bool },
}

/// One line of the training-hour ledger.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub employee_id: i64,
    /// The day of the training; it decides the calendar year the minutes count in.
    pub date: NaiveDate,
    /// For a session, its scheduled duration; for external training, the proven duration.
    pub minutes: u32,
    pub source: EntrySource,
    pub level: TrainingLevel,
    /// The plan's topic, so that an advanced topic repeated for a second shift counts once.
    /// Without one, the session itself is the topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

/// An advanced topic the company organised.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdvancedTopic {
    Topic(String),
    /// A session without a topic stands for itself.
    Session(i64),
}

impl LedgerEntry {
    /// Minutes this entry adds to the employee's hours.
    pub fn credited_minutes(&self) -> u32 {
        match self.source {
            EntrySource::Session { .. } | EntrySource::External { approved: true } => self.minutes,
            EntrySource::External { approved: false } => 0,
        }
    }

    /// Minutes waiting for approval of external proof, shown so HR knows what is pending.
    pub fn pending_minutes(&self) -> u32 {
        match self.source {
            EntrySource::External { approved: false } => self.minutes,
            _ => 0,
        }
    }

    /// The advanced topic this entry shows the company organised: internal advanced sessions
    /// only, since external courses are not organised by the company. Topics compare trimmed.
    pub fn advanced_topic(&self) -> Option<AdvancedTopic> {
        let EntrySource::Session { session_id } = self.source else {
            return None;
        };
        if self.level != TrainingLevel::Advanced {
            return None;
        }
        Some(match self.topic.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => AdvancedTopic::Topic(t.to_string()),
            _ => AdvancedTopic::Session(session_id),
        })
    }
}

/// An employee to evaluate. The caller chooses who is in scope for the year (for example
/// everyone employed at some point of it); hours are not prorated for part years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeRecord {
    pub employee_id: i64,
    pub department_id: i64,
    #[serde(default)]
    pub hired_on: Option<NaiveDate>,
    /// The first day on duty; `None` while the employee is still in onboarding training.
    #[serde(default)]
    pub on_duty_from: Option<NaiveDate>,
}

/// Where a new hire stands with the basic-training rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NewHireOutcome {
    /// On duty, and the basic training was complete the day before.
    CompletedBeforeDuty,
    /// On duty without the basic training: the violation S2 forbids.
    OnDutyWithoutBasic,
    /// Not on duty yet and the basic training is complete.
    ReadyForDuty,
    /// Not on duty yet and still training.
    InTraining,
}

impl NewHireOutcome {
    pub fn is_violation(self) -> bool {
        self == NewHireOutcome::OnDutyWithoutBasic
    }
}

/// The new-hire check of an employee hired within the evaluated year. Basic training counts
/// from the hire date to the day before going on duty, whatever the calendar year, so a
/// December hire who trains into January is judged on all of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewHireCheck {
    pub hired_on: NaiveDate,
    pub on_duty_from: Option<NaiveDate>,
    pub basic_minutes: u64,
    pub required_minutes: u32,
    pub missing_minutes: u64,
    pub outcome: NewHireOutcome,
}

/// One employee's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeCompliance {
    pub employee_id: i64,
    pub department_id: i64,
    /// Session plus approved external minutes dated within the year.
    pub credited_minutes: u64,
    pub session_minutes: u64,
    pub external_minutes: u64,
    /// External minutes of the year still waiting for approval; not credited.
    pub pending_minutes: u64,
    /// `max(0, minimum − credited)`.
    pub shortfall_minutes: u64,
    /// The yearly-hours rule only; the new-hire rule is reported apart in `new_hire`.
    pub compliant: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_hire: Option<NewHireCheck>,
}

/// One department's year. A department appears only when it has an employee, so
/// `headcount` is at least 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentCompliance {
    pub department_id: i64,
    pub headcount: u64,
    pub compliant: u64,
    /// Compliant share in basis points, rounded down so that 10000 means everyone.
    pub compliant_share_bp: u32,
    pub total_minutes: u64,
    /// Mean credited minutes per employee, rounded half up.
    pub average_minutes: u64,
    /// Employees short of the minimum, by id.
    pub short: Vec<i64>,
}

/// The company's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyCompliance {
    pub headcount: u64,
    pub compliant: u64,
    /// As in [`DepartmentCompliance`]; 0 when nobody was evaluated.
    pub compliant_share_bp: u32,
    pub total_minutes: u64,
    pub average_minutes: u64,
    /// Distinct advanced topics organised internally within the year, sorted.
    pub advanced_topics: Vec<AdvancedTopic>,
    pub advanced_topics_required: u32,
    pub advanced_topics_met: bool,
    pub new_hires: u64,
    pub new_hires_without_basic: u64,
}

/// The evaluation of one calendar year, ordered by department then employee id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearEvaluation {
    pub year: i32,
    pub min_minutes_per_year: u32,
    /// First day of the reminder window; the window ends on 31 December of `year`.
    pub remind_from: NaiveDate,
    pub year_end: NaiveDate,
    pub employees: Vec<EmployeeCompliance>,
    pub departments: Vec<DepartmentCompliance>,
    pub company: CompanyCompliance,
    /// Entries of the year whose employee is not in the roster; they still count for the
    /// advanced topics (the session took place) but for nobody's hours.
    pub unmatched_entries: u64,
}

/// Why an evaluation could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvaluationError {
    #[error("year {0} is outside the supported calendar")]
    YearOutOfRange(i32),
    #[error("employee {0} is listed twice")]
    DuplicateEmployee(i64),
}

impl EvaluationError {
    pub fn code(&self) -> &'static str {
        match self {
            EvaluationError::YearOutOfRange(_) => "compliance-year-out-of-range",
            EvaluationError::DuplicateEmployee(_) => "compliance-employee-duplicate",
        }
    }

    pub fn field(&self) -> &'static str {
        match self {
            EvaluationError::YearOutOfRange(_) => "year",
            EvaluationError::DuplicateEmployee(_) => "employees",
        }
    }
}

/// Per-employee accumulator of the single pass.
#[derive(Default)]
struct Acc {
    session: u64,
    external: u64,
    pending: u64,
    basic: u64,
}

/// `part / whole` in basis points, rounded down; 0 for an empty whole.
fn share_bp(part: u64, whole: u64) -> u32 {
    if whole == 0 {
        return 0;
    }
    let bp = part.saturating_mul(10_000) / whole;
    u32::try_from(bp).unwrap_or(u32::MAX)
}

/// `total / count` rounded half up; 0 for no count.
fn average(total: u64, count: u64) -> u64 {
    if count == 0 {
        return 0;
    }
    total / count + u64::from(total % count >= count.div_ceil(2))
}

/// Whether `date` falls in the new-hire basic window of `e`: from the hire date to the day
/// before duty (open-ended while not on duty).
fn in_basic_window(e: &EmployeeRecord, date: NaiveDate) -> bool {
    e.hired_on.is_some_and(|h| date >= h) && e.on_duty_from.is_none_or(|d| date < d)
}

/// Evaluates `year` for `employees` from the `entries` of the ledger, in one pass over the
/// entries. Entries may come in any order and may span other years (they are needed for
/// the new-hire window); only entries dated within the year count for hours and topics.
pub fn evaluate(
    rules: &ComplianceRules,
    year: i32,
    employees: &[EmployeeRecord],
    entries: &[LedgerEntry],
) -> Result<YearEvaluation, EvaluationError> {
    let range = || EvaluationError::YearOutOfRange(year);
    let year_start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(range)?;
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(range)?;
    let remind_from = rules.reminders_from(year).ok_or_else(range)?;
    let in_year = |d: NaiveDate| year_start <= d && d <= year_end;

    let mut index: HashMap<i64, usize> = HashMap::with_capacity(employees.len());
    for (i, e) in employees.iter().enumerate() {
        if index.insert(e.employee_id, i).is_some() {
            return Err(EvaluationError::DuplicateEmployee(e.employee_id));
        }
    }
    // Only hires of this year are checked against the basic-training rule.
    let new_hire = |e: &EmployeeRecord| e.hired_on.is_some_and(in_year);

    let mut accs: Vec<Acc> = employees.iter().map(|_| Acc::default()).collect();
    let mut topics: BTreeSet<AdvancedTopic> = BTreeSet::new();
    let mut unmatched = 0u64;
    for entry in entries {
        let this_year = in_year(entry.date);
        if this_year && let Some(topic) = entry.advanced_topic() {
            topics.insert(topic);
        }
        let Some(&i) = index.get(&entry.employee_id) else {
            unmatched += u64::from(this_year);
            continue;
        };
        let (Some(acc), Some(e)) = (accs.get_mut(i), employees.get(i)) else {
            continue;
        };
        let credited = u64::from(entry.credited_minutes());
        if this_year {
            match entry.source {
                EntrySource::Session { .. } => acc.session = acc.session.saturating_add(credited),
                EntrySource::External { .. } => {
                    acc.external = acc.external.saturating_add(credited);
                }
            }
            acc.pending = acc
                .pending
                .saturating_add(u64::from(entry.pending_minutes()));
        }
        if entry.level == TrainingLevel::Basic && new_hire(e) && in_basic_window(e, entry.date) {
            acc.basic = acc.basic.saturating_add(credited);
        }
    }

    let minimum = u64::from(rules.min_minutes_per_year());
    let required_basic = rules.new_hire_basic_minutes();
    let mut results: Vec<EmployeeCompliance> = employees
        .iter()
        .zip(&accs)
        .map(|(e, acc)| {
            let credited = acc.session.saturating_add(acc.external);
            let check = e.hired_on.filter(|h| in_year(*h)).map(|hired_on| {
                let complete = acc.basic >= u64::from(required_basic);
                let outcome = match (e.on_duty_from.is_some(), complete) {
                    (true, true) => NewHireOutcome::CompletedBeforeDuty,
                    (true, false) => NewHireOutcome::OnDutyWithoutBasic,
                    (false, true) => NewHireOutcome::ReadyForDuty,
                    (false, false) => NewHireOutcome::InTraining,
                };
                NewHireCheck {
                    hired_on,
                    on_duty_from: e.on_duty_from,
                    basic_minutes: acc.basic,
                    required_minutes: required_basic,
                    missing_minutes: u64::from(required_basic).saturating_sub(acc.basic),
                    outcome,
                }
            });
            EmployeeCompliance {
                employee_id: e.employee_id,
                department_id: e.department_id,
                credited_minutes: credited,
                session_minutes: acc.session,
                external_minutes: acc.external,
                pending_minutes: acc.pending,
                shortfall_minutes: minimum.saturating_sub(credited),
                compliant: credited >= minimum,
                new_hire: check,
            }
        })
        .collect();
    results.sort_unstable_by_key(|r| (r.department_id, r.employee_id));

    let mut departments: Vec<DepartmentCompliance> = Vec::new();
    for r in &results {
        let same = departments
            .last()
            .is_some_and(|d| d.department_id == r.department_id);
        if !same {
            departments.push(DepartmentCompliance {
                department_id: r.department_id,
                headcount: 0,
                compliant: 0,
                compliant_share_bp: 0,
                total_minutes: 0,
                average_minutes: 0,
                short: Vec::new(),
            });
        }
        if let Some(d) = departments.last_mut() {
            d.headcount += 1;
            d.compliant += u64::from(r.compliant);
            d.total_minutes = d.total_minutes.saturating_add(r.credited_minutes);
            if !r.compliant {
                d.short.push(r.employee_id);
            }
        }
    }
    for d in &mut departments {
        d.compliant_share_bp = share_bp(d.compliant, d.headcount);
        d.average_minutes = average(d.total_minutes, d.headcount);
    }

    let headcount = u64::try_from(results.len()).unwrap_or(u64::MAX);
    let compliant = departments.iter().map(|d| d.compliant).sum::<u64>();
    let total = departments
        .iter()
        .fold(0u64, |t, d| t.saturating_add(d.total_minutes));
    let checks = || results.iter().filter_map(|r| r.new_hire);
    let company = CompanyCompliance {
        headcount,
        compliant,
        compliant_share_bp: share_bp(compliant, headcount),
        total_minutes: total,
        average_minutes: average(total, headcount),
        advanced_topics_required: rules.advanced_topics_per_year(),
        advanced_topics_met: u64::try_from(topics.len()).unwrap_or(u64::MAX)
            >= u64::from(rules.advanced_topics_per_year()),
        advanced_topics: topics.into_iter().collect(),
        new_hires: u64::try_from(checks().count()).unwrap_or(u64::MAX),
        new_hires_without_basic: u64::try_from(
            checks().filter(|c| c.outcome.is_violation()).count(),
        )
        .unwrap_or(u64::MAX),
    };

    Ok(YearEvaluation {
        year,
        min_minutes_per_year: rules.min_minutes_per_year(),
        remind_from,
        year_end,
        employees: results,
        departments,
        company,
        unmatched_entries: unmatched,
    })
}

/// A nudge to an employee still short of the yearly minimum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub employee_id: i64,
    pub department_id: i64,
    pub credited_minutes: u64,
    /// Minutes still needed to reach the minimum.
    pub needed_minutes: u64,
}

/// Employees to remind on `today`: everyone short, but only from the first reminder day to
/// 31 December of the evaluated year (both included); outside that window, nobody. Ordered
/// like the evaluation.
pub fn reminders(evaluation: &YearEvaluation, today: NaiveDate) -> Vec<Reminder> {
    if today < evaluation.remind_from || today > evaluation.year_end {
        return Vec::new();
    }
    evaluation
        .employees
        .iter()
        .filter(|e| !e.compliant)
        .map(|e| Reminder {
            employee_id: e.employee_id,
            department_id: e.department_id,
            credited_minutes: e.credited_minutes,
            needed_minutes: e.shortfall_minutes,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn session(emp: i64, date: &str, minutes: u32, level: TrainingLevel) -> LedgerEntry {
        LedgerEntry {
            employee_id: emp,
            date: d(date),
            minutes,
            source: EntrySource::Session { session_id: 1 },
            level,
            topic: None,
        }
    }

    fn external(emp: i64, date: &str, minutes: u32, approved: bool) -> LedgerEntry {
        LedgerEntry {
            employee_id: emp,
            date: d(date),
            minutes,
            source: EntrySource::External { approved },
            level: TrainingLevel::Other,
            topic: None,
        }
    }

    fn advanced(session_id: i64, date: &str, topic: Option<&str>) -> LedgerEntry {
        LedgerEntry {
            employee_id: 1,
            date: d(date),
            minutes: 120,
            source: EntrySource::Session { session_id },
            level: TrainingLevel::Advanced,
            topic: topic.map(str::to_string),
        }
    }

    fn emp(id: i64, dept: i64) -> EmployeeRecord {
        EmployeeRecord {
            employee_id: id,
            department_id: dept,
            hired_on: None,
            on_duty_from: None,
        }
    }

    fn hire(id: i64, hired: &str, on_duty: Option<&str>) -> EmployeeRecord {
        EmployeeRecord {
            employee_id: id,
            department_id: 1,
            hired_on: Some(d(hired)),
            on_duty_from: on_duty.map(d),
        }
    }

    fn s2() -> ComplianceRules {
        ComplianceRules::s2_default()
    }

    fn eval(employees: &[EmployeeRecord], entries: &[LedgerEntry]) -> YearEvaluation {
        evaluate(&s2(), 2026, employees, entries).unwrap()
    }

    fn codes(src: &str) -> Vec<&'static str> {
        ComplianceRules::parse_toml(src).unwrap_err().codes()
    }

    #[test]
    fn s2_defaults_match_the_seed_and_the_shipped_toml() {
        let r = s2();
        assert_eq!(r.min_minutes_per_year(), 8 * 60);
        assert_eq!(r.new_hire_basic_days(), 3);
        assert_eq!(r.basic_day_minutes(), 8 * 60);
        assert_eq!(r.new_hire_basic_minutes(), 24 * 60);
        assert_eq!(r.advanced_topics_per_year(), 2);
        assert_eq!(r.reminders_from(2026), Some(d("2026-11-01")));
        assert_eq!(r.reminders_from(2024), Some(d("2024-11-01")));
        assert_eq!(ComplianceRules::parse_toml(S2_DEFAULT_TOML), Ok(r));
        assert_eq!(ComplianceRules::parse_toml(""), Ok(r));
        assert_eq!(ComplianceRules::default(), r);
        assert_eq!(ComplianceRules::from_document(r.document()), Ok(r));
    }

    #[test]
    fn the_follow_up_period_is_a_rule_with_the_s1_default() {
        assert_eq!(s2().follow_up_days().get(), 7);
        let r = ComplianceRules::parse_toml("follow_up_days = 14").unwrap();
        assert_eq!(r.follow_up_days().get(), 14);
        assert_eq!(r.min_minutes_per_year(), 8 * 60, "the rest stays S2");
        for bad in [
            "follow_up_days = 0",
            "follow_up_days = 61",
            "follow_up_days = -3",
        ] {
            assert_eq!(codes(bad), ["compliance-follow-up-days-range"], "{bad}");
        }
    }

    #[test]
    fn toml_overrides_only_the_fields_given() {
        let r = ComplianceRules::parse_toml("min_minutes_per_year = 720\nreminder_lead_days = 30")
            .unwrap();
        assert_eq!(r.min_minutes_per_year(), 720);
        assert_eq!(r.reminders_from(2026), Some(d("2026-12-01")));
        assert_eq!(r.new_hire_basic_days(), 3);
    }

    #[test]
    fn each_validation_error_has_its_code_and_field() {
        let cases = [
            ("min_minutes_per_year = 0", "compliance-min-minutes-range"),
            (
                "min_minutes_per_year = 60001",
                "compliance-min-minutes-range",
            ),
            ("new_hire_basic_days = -1", "compliance-basic-days-range"),
            ("new_hire_basic_days = 61", "compliance-basic-days-range"),
            (
                "basic_day_minutes = 0",
                "compliance-basic-day-minutes-range",
            ),
            (
                "basic_day_minutes = 721",
                "compliance-basic-day-minutes-range",
            ),
            (
                "advanced_topics_per_year = 0",
                "compliance-advanced-topics-range",
            ),
            (
                "advanced_topics_per_year = 53",
                "compliance-advanced-topics-range",
            ),
            ("reminder_lead_days = 0", "compliance-reminder-lead-range"),
            ("reminder_lead_days = 184", "compliance-reminder-lead-range"),
            ("min_minutes_per_year = \"8h\"", "compliance-syntax"),
            ("min_hours_per_year = 8", "compliance-syntax"),
            ("not toml at all", "compliance-syntax"),
        ];
        for (src, code) in cases {
            assert_eq!(codes(src), [code], "{src}");
        }
        let err = ComplianceRules::parse_toml("basic_day_minutes = 0").unwrap_err();
        assert_eq!(err.0[0].field(), "basic_day_minutes");
        assert!(err.to_string().starts_with("basic_day_minutes: "));
        // The bounds themselves are accepted.
        let edge = "min_minutes_per_year = 60000\nnew_hire_basic_days = 60\n\
                    basic_day_minutes = 720\nadvanced_topics_per_year = 52\n\
                    reminder_lead_days = 183";
        assert!(ComplianceRules::parse_toml(edge).is_ok());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let src = "min_minutes_per_year = 0\nadvanced_topics_per_year = 0\nreminder_lead_days = -5";
        assert_eq!(
            codes(src),
            [
                "compliance-min-minutes-range",
                "compliance-advanced-topics-range",
                "compliance-reminder-lead-range"
            ]
        );
    }

    #[test]
    fn rules_round_trip_through_serde_and_are_validated_on_the_way_in() {
        let json = serde_json::to_string(&s2()).unwrap();
        assert_eq!(
            serde_json::from_str::<ComplianceRules>(&json).unwrap(),
            s2()
        );
        let bad = json.replace("\"min_minutes_per_year\":480", "\"min_minutes_per_year\":0");
        assert!(serde_json::from_str::<ComplianceRules>(&bad).is_err());
    }

    #[test]
    fn employee_and_department_results_by_hand() {
        // Dept 10: #1 with 300 + 200 = 500 (compliant), #2 with 479 (short by 1).
        // Dept 20: #3 with nothing (short by 480).
        let employees = [emp(3, 20), emp(2, 10), emp(1, 10)];
        let entries = [
            session(1, "2026-03-01", 300, TrainingLevel::Other),
            session(2, "2026-03-01", 300, TrainingLevel::Other),
            external(1, "2026-05-01", 200, true),
            session(2, "2026-06-01", 179, TrainingLevel::Basic),
        ];
        let ev = eval(&employees, &entries);
        let ids: Vec<_> = ev
            .employees
            .iter()
            .map(|e| (e.department_id, e.employee_id))
            .collect();
        assert_eq!(ids, [(10, 1), (10, 2), (20, 3)]);

        let e1 = &ev.employees[0];
        assert_eq!(
            (e1.credited_minutes, e1.session_minutes, e1.external_minutes),
            (500, 300, 200)
        );
        assert_eq!((e1.shortfall_minutes, e1.compliant), (0, true));
        let e2 = &ev.employees[1];
        assert_eq!(
            (e2.credited_minutes, e2.shortfall_minutes, e2.compliant),
            (479, 1, false)
        );
        assert_eq!(ev.employees[2].shortfall_minutes, 480);
        assert!(e1.new_hire.is_none());

        let d10 = &ev.departments[0];
        assert_eq!(d10.department_id, 10);
        assert_eq!((d10.headcount, d10.compliant), (2, 1));
        assert_eq!(d10.compliant_share_bp, 5_000);
        assert_eq!((d10.total_minutes, d10.average_minutes), (979, 490));
        assert_eq!(d10.short, [2]);
        let d20 = &ev.departments[1];
        assert_eq!(
            (d20.headcount, d20.compliant, d20.compliant_share_bp),
            (1, 0, 0)
        );
        assert_eq!((d20.total_minutes, d20.average_minutes), (0, 0));
        assert_eq!(d20.short, [3]);

        let c = &ev.company;
        assert_eq!(
            (c.headcount, c.compliant, c.compliant_share_bp),
            (3, 1, 3_333)
        );
        assert_eq!((c.total_minutes, c.average_minutes), (979, 326));
        assert_eq!(ev.unmatched_entries, 0);
    }

    #[test]
    fn external_entries_count_only_when_approved() {
        let ev = eval(
            &[emp(1, 1)],
            &[
                external(1, "2026-02-01", 300, false),
                external(1, "2026-02-02", 240, true),
            ],
        );
        let e = &ev.employees[0];
        assert_eq!(
            (e.credited_minutes, e.external_minutes, e.pending_minutes),
            (240, 240, 300)
        );
        assert!(!e.compliant);
        // Approving the proof makes the employee compliant.
        let ev = eval(
            &[emp(1, 1)],
            &[
                external(1, "2026-02-01", 300, true),
                external(1, "2026-02-02", 240, true),
            ],
        );
        assert!(ev.employees[0].compliant);
        assert_eq!(ev.employees[0].pending_minutes, 0);
    }

    #[test]
    fn only_entries_dated_within_the_year_count() {
        let entries = [
            session(1, "2025-12-31", 100, TrainingLevel::Other),
            session(1, "2026-01-01", 10, TrainingLevel::Other),
            session(1, "2026-12-31", 20, TrainingLevel::Other),
            session(1, "2027-01-01", 1_000, TrainingLevel::Other),
            session(9, "2026-06-01", 60, TrainingLevel::Other),
            session(9, "2027-06-01", 60, TrainingLevel::Other),
        ];
        let ev = eval(&[emp(1, 1)], &entries);
        assert_eq!(ev.employees[0].credited_minutes, 30);
        assert_eq!(ev.unmatched_entries, 1);
        let ev25 = evaluate(&s2(), 2025, &[emp(1, 1)], &entries).unwrap();
        assert_eq!(ev25.employees[0].credited_minutes, 100);
        let ev27 = evaluate(&s2(), 2027, &[emp(1, 1)], &entries).unwrap();
        assert_eq!(ev27.employees[0].credited_minutes, 1_000);
        assert!(ev27.employees[0].compliant);
    }

    fn basic_days(emp: i64, dates: &[&str]) -> Vec<LedgerEntry> {
        dates
            .iter()
            .map(|day| session(emp, day, 480, TrainingLevel::Basic))
            .collect()
    }

    fn outcome(ev: &YearEvaluation) -> NewHireCheck {
        ev.employees[0].new_hire.unwrap()
    }

    #[test]
    fn new_hire_with_three_basic_days_before_duty_passes() {
        let entries = basic_days(1, &["2026-03-02", "2026-03-03", "2026-03-04"]);
        let ev = eval(&[hire(1, "2026-03-02", Some("2026-03-05"))], &entries);
        let c = outcome(&ev);
        assert_eq!(c.outcome, NewHireOutcome::CompletedBeforeDuty);
        assert_eq!((c.basic_minutes, c.missing_minutes), (1_440, 0));
        assert_eq!(ev.company.new_hires, 1);
        assert_eq!(ev.company.new_hires_without_basic, 0);
    }

    #[test]
    fn new_hire_on_duty_before_finishing_basic_is_flagged() {
        // The third day falls on the first duty day, so it does not count.
        let entries = basic_days(1, &["2026-03-02", "2026-03-03", "2026-03-05"]);
        let ev = eval(&[hire(1, "2026-03-02", Some("2026-03-05"))], &entries);
        let c = outcome(&ev);
        assert_eq!(c.outcome, NewHireOutcome::OnDutyWithoutBasic);
        assert_eq!((c.basic_minutes, c.missing_minutes), (960, 480));
        assert_eq!(ev.company.new_hires_without_basic, 1);
        // Yet all three days count towards the yearly hours.
        assert_eq!(ev.employees[0].credited_minutes, 1_440);
        assert!(ev.employees[0].compliant);
    }

    #[test]
    fn new_hire_basic_counts_only_basic_level_and_not_before_hire() {
        let mut entries = basic_days(1, &["2026-03-01", "2026-03-02", "2026-03-03"]);
        entries.push(session(1, "2026-03-04", 480, TrainingLevel::Advanced));
        let ev = eval(&[hire(1, "2026-03-02", Some("2026-03-09"))], &entries);
        assert_eq!(outcome(&ev).basic_minutes, 960);
        assert_eq!(outcome(&ev).outcome, NewHireOutcome::OnDutyWithoutBasic);
    }

    #[test]
    fn new_hire_not_yet_on_duty() {
        let two = basic_days(1, &["2026-03-02", "2026-03-03"]);
        let ev = eval(&[hire(1, "2026-03-02", None)], &two);
        assert_eq!(outcome(&ev).outcome, NewHireOutcome::InTraining);
        let three = basic_days(1, &["2026-03-02", "2026-03-03", "2026-03-04"]);
        let ev = eval(&[hire(1, "2026-03-02", None)], &three);
        assert_eq!(outcome(&ev).outcome, NewHireOutcome::ReadyForDuty);
    }

    #[test]
    fn december_hire_training_into_january_is_judged_on_all_of_it() {
        let entries = basic_days(1, &["2026-12-30", "2026-12-31", "2027-01-04"]);
        let employees = [hire(1, "2026-12-30", Some("2027-01-05"))];
        let ev = eval(&employees, &entries);
        assert_eq!(outcome(&ev).outcome, NewHireOutcome::CompletedBeforeDuty);
        assert_eq!(ev.employees[0].credited_minutes, 960);
        // In 2027 the employee is no longer a new hire.
        let ev27 = evaluate(&s2(), 2027, &employees, &entries).unwrap();
        assert!(ev27.employees[0].new_hire.is_none());
        assert_eq!(ev27.employees[0].credited_minutes, 480);
    }

    #[test]
    fn advanced_topics_are_distinct_internal_and_within_the_year() {
        let mut external_advanced = external(1, "2026-04-01", 120, true);
        external_advanced.level = TrainingLevel::Advanced;
        let entries = [
            advanced(1, "2026-04-01", Some("complaints")),
            advanced(2, "2026-04-08", Some(" complaints ")),
            external_advanced,
            advanced(3, "2027-01-01", Some("emotions")),
            session(1, "2026-05-01", 60, TrainingLevel::Other),
        ];
        let ev = eval(&[emp(1, 1)], &entries);
        assert_eq!(
            ev.company.advanced_topics,
            [AdvancedTopic::Topic("complaints".into())]
        );
        assert!(!ev.company.advanced_topics_met);
        let mut more = entries.to_vec();
        more.push(advanced(4, "2026-12-31", None));
        let ev = eval(&[emp(1, 1)], &more);
        assert_eq!(ev.company.advanced_topics.len(), 2);
        assert_eq!(ev.company.advanced_topics_required, 2);
        assert!(ev.company.advanced_topics_met);
    }

    #[test]
    fn reminders_only_inside_the_lead() {
        let ev = eval(
            &[emp(1, 1), emp(2, 1)],
            &[
                session(1, "2026-02-01", 500, TrainingLevel::Other),
                session(2, "2026-02-01", 200, TrainingLevel::Other),
            ],
        );
        assert!(reminders(&ev, d("2026-10-31")).is_empty());
        let expected = [Reminder {
            employee_id: 2,
            department_id: 1,
            credited_minutes: 200,
            needed_minutes: 280,
        }];
        assert_eq!(reminders(&ev, d("2026-11-01")), expected);
        assert_eq!(reminders(&ev, d("2026-12-31")), expected);
        assert!(reminders(&ev, d("2027-01-01")).is_empty());
        assert!(reminders(&ev, d("2025-12-01")).is_empty());
    }

    #[test]
    fn evaluation_errors_have_codes() {
        let err = evaluate(&s2(), 2026, &[emp(1, 1), emp(1, 2)], &[]).unwrap_err();
        assert_eq!(err, EvaluationError::DuplicateEmployee(1));
        assert_eq!(
            (err.code(), err.field()),
            ("compliance-employee-duplicate", "employees")
        );
        let err = evaluate(&s2(), i32::MAX, &[], &[]).unwrap_err();
        assert_eq!(err.code(), "compliance-year-out-of-range");
    }

    #[test]
    fn an_empty_company_evaluates_to_zeros() {
        let ev = eval(&[], &[]);
        assert!(ev.employees.is_empty() && ev.departments.is_empty());
        assert_eq!(ev.company.headcount, 0);
        assert_eq!(ev.company.compliant_share_bp, 0);
        assert_eq!(ev.company.average_minutes, 0);
    }

    #[test]
    fn evaluation_serialises_with_snake_case_keys() {
        let ev = eval(
            &[hire(1, "2026-03-02", None)],
            &[external(1, "2026-03-02", 60, false)],
        );
        let json = serde_json::to_value(&ev).unwrap();
        assert_eq!(
            json["employees"][0]["new_hire"]["outcome"],
            serde_json::json!("in_training")
        );
        let entry = serde_json::to_value(advanced(7, "2026-01-02", None)).unwrap();
        assert_eq!(
            entry["source"],
            serde_json::json!({"kind": "session", "session_id": 7})
        );
        assert_eq!(entry["level"], serde_json::json!("advanced"));
        let back: YearEvaluation = serde_json::from_value(json).unwrap();
        assert_eq!(back, ev);
    }

    #[test]
    fn ten_thousand_employees_with_fifty_entries_each_in_one_pass() {
        let employees: Vec<_> = (0..10_000).map(|i| emp(i, i % 37)).collect();
        let template = session(0, "2026-06-15", 0, TrainingLevel::Other);
        let entries: Vec<_> = (0..500_000i64)
            .map(|k| LedgerEntry {
                employee_id: k % 10_000,
                minutes: u32::try_from(k % 19).unwrap(),
                ..template.clone()
            })
            .collect();
        let ev = eval(&employees, &entries);
        assert_eq!(ev.company.headcount, 10_000);
        assert_eq!(ev.departments.len(), 37);
        let sum: u64 = ev.employees.iter().map(|e| e.credited_minutes).sum();
        assert_eq!(sum, ev.company.total_minutes);
    }

    fn arb_entry() -> impl Strategy<Value = LedgerEntry> {
        (
            0i64..25,
            -40i64..(365 + 40),
            0u32..400,
            prop_oneof![
                (0i64..6).prop_map(|session_id| EntrySource::Session { session_id }),
                any::<bool>().prop_map(|approved| EntrySource::External { approved }),
            ],
            prop_oneof![
                Just(TrainingLevel::Basic),
                Just(TrainingLevel::Advanced),
                Just(TrainingLevel::Other),
            ],
            proptest::option::of(prop_oneof![Just("a"), Just("b"), Just(" a")]),
        )
            .prop_map(
                |(employee_id, day, minutes, source, level, topic)| LedgerEntry {
                    employee_id,
                    date: d("2026-01-01") + Duration::days(day),
                    minutes,
                    source,
                    level,
                    topic: topic.map(str::to_string),
                },
            )
    }

    fn arb_roster() -> impl Strategy<Value = Vec<EmployeeRecord>> {
        proptest::collection::vec(
            (
                0i64..4,
                proptest::option::of(-60i64..400),
                proptest::option::of(0i64..30),
            ),
            0..20,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (dept, hired, duty))| {
                    let hired_on = hired.map(|h| d("2026-01-01") + Duration::days(h));
                    EmployeeRecord {
                        employee_id: i64::try_from(i).unwrap(),
                        department_id: dept,
                        hired_on,
                        on_duty_from: hired_on.zip(duty).map(|(h, k)| h + Duration::days(k)),
                    }
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn invariants_hold_and_order_does_not_matter(
            (roster, shuffled_roster) in arb_roster()
                .prop_flat_map(|r| (Just(r.clone()), Just(r).prop_shuffle())),
            (entries, shuffled) in proptest::collection::vec(arb_entry(), 0..120)
                .prop_flat_map(|e| (Just(e.clone()), Just(e).prop_shuffle())),
            min in 1i64..900,
        ) {
            let doc = ComplianceDocument { min_minutes_per_year: min, ..Default::default() };
            let rules = ComplianceRules::from_document(doc).unwrap();
            let ev = evaluate(&rules, 2026, &roster, &entries).unwrap();
            let again = evaluate(&rules, 2026, &shuffled_roster, &shuffled).unwrap();
            prop_assert_eq!(&ev, &again);

            let min = u64::try_from(min).unwrap();
            for e in &ev.employees {
                prop_assert_eq!(e.shortfall_minutes, min.saturating_sub(e.credited_minutes));
                prop_assert_eq!(e.compliant, e.shortfall_minutes == 0);
                prop_assert_eq!(e.credited_minutes, e.session_minutes + e.external_minutes);
            }
            let keys: Vec<_> =
                ev.employees.iter().map(|e| (e.department_id, e.employee_id)).collect();
            prop_assert!(keys.windows(2).all(|w| w[0] < w[1]));
            for dep in &ev.departments {
                prop_assert!(dep.headcount >= 1);
                prop_assert!(dep.compliant <= dep.headcount);
                prop_assert!(dep.compliant_share_bp <= 10_000);
                prop_assert_eq!(dep.compliant_share_bp == 10_000, dep.compliant == dep.headcount);
                prop_assert_eq!(u64::try_from(dep.short.len()).unwrap(), dep.headcount - dep.compliant);
            }
            let c = &ev.company;
            prop_assert!(c.compliant <= c.headcount);
            prop_assert_eq!(c.headcount, u64::try_from(roster.len()).unwrap());
            prop_assert_eq!(
                c.total_minutes,
                ev.employees.iter().map(|e| e.credited_minutes).sum::<u64>()
            );
            // Reminders go exactly to the employees short, inside the window only.
            let inside = reminders(&ev, d("2026-12-15"));
            prop_assert_eq!(u64::try_from(inside.len()).unwrap(), c.headcount - c.compliant);
            prop_assert!(reminders(&ev, d("2026-06-15")).is_empty());
        }
    }
}
