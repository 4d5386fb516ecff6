//! The training needs survey of S1 template 1 (seed-rules §3) and the needs-analysis report
//! built from its answers.
//!
//! Employees rate themselves 1–5 per skill, say what they want to learn and how; supervisors
//! may rate some skills of their staff too. The analysis turns those answers into averages,
//! gaps to a target level, the most requested topics and the format split, and from them
//! draft topics for the training plan.
//!
//! Every mean is held in integer hundredths of a point (3.47 → 347) and rounded half up
//! exactly once from exact integer sums, so the report compares the numbers it shows and does
//! not depend on the order the answers arrive in.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::NaiveDate;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::scheme::Score;

/// Longest desired-content text, in characters (not bytes: Chinese counts per character).
pub const CONTENT_MAX_CHARS: usize = 500;

/// How many departments a draft topic names as its target group at most.
pub const DRAFT_TARGET_DEPARTMENTS: usize = 3;

// ---------------------------------------------------------------------------------------
// Ratings and formats
// ---------------------------------------------------------------------------------------

/// A rating on the 1–5 scale of S1 template 1: whole points only, because the form offers
/// five boxes and a "3.5" is a typing mistake rather than an opinion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

impl Rating {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 5;

    pub fn new(value: u8) -> Option<Rating> {
        (Self::MIN..=Self::MAX)
            .contains(&value)
            .then_some(Rating(value))
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// Reads typed text: surrounding spaces are ignored and full-width digits (typed with a
    /// Chinese input method) count as digits; anything else, decimals included, is refused.
    pub fn parse(raw: &str) -> Option<Rating> {
        let digits: String = raw.trim().chars().map(fold_width).collect();
        if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse::<u8>().ok().and_then(Rating::new)
    }
}

impl TryFrom<u8> for Rating {
    type Error = String;
    fn try_from(value: u8) -> Result<Rating, String> {
        Rating::new(value).ok_or_else(|| format!("rating {value} is not between 1 and 5"))
    }
}

impl From<Rating> for u8 {
    fn from(r: Rating) -> u8 {
        r.0
    }
}

/// A point on the 1–5 scale in hundredths (100..=500): averages and target levels.
/// Serialised as the integer number of hundredths so that stored values stay exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct RatingLevel(u16);

impl RatingLevel {
    pub const MIN: RatingLevel = RatingLevel(100);
    pub const MAX: RatingLevel = RatingLevel(500);
    /// S1's examples aim at "≥ 4.5 / 5" for satisfaction; for self-rated skills 4.0 ("good")
    /// is the usual bar, and each skill may set its own.
    pub const DEFAULT_TARGET: RatingLevel = RatingLevel(400);

    pub fn from_hundredths(hundredths: u32) -> Option<RatingLevel> {
        u16::try_from(hundredths)
            .ok()
            .filter(|h| (Self::MIN.0..=Self::MAX.0).contains(h))
            .map(RatingLevel)
    }

    /// Parses a level typed as `4`, `4.5` or `3.47`.
    pub fn parse(raw: &str) -> Option<RatingLevel> {
        Score::parse(raw)
            .ok()
            .and_then(|s| RatingLevel::from_hundredths(s.hundredths()))
    }

    pub fn hundredths(self) -> u32 {
        u32::from(self.0)
    }

    /// `target − self` in hundredths: positive when this level falls short of the target.
    pub fn gap_to(self, target: RatingLevel) -> i32 {
        i32::from(target.0) - i32::from(self.0)
    }

    /// Only for means of ratings, which lie in range by construction; clamping keeps that
    /// promise without a panic path.
    fn clamped(hundredths: u128) -> RatingLevel {
        let h = hundredths.clamp(u128::from(Self::MIN.0), u128::from(Self::MAX.0));
        RatingLevel(u16::try_from(h).unwrap_or(Self::MAX.0))
    }
}

impl TryFrom<u16> for RatingLevel {
    type Error = String;
    fn try_from(value: u16) -> Result<RatingLevel, String> {
        RatingLevel::from_hundredths(u32::from(value))
            .ok_or_else(|| format!("level {value} is not between 100 and 500 hundredths"))
    }
}

impl From<RatingLevel> for u16 {
    fn from(l: RatingLevel) -> u16 {
        l.0
    }
}

/// Always two decimals (`3.47`, `4.00`), as the report prints it.
impl fmt::Display for RatingLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// The training format an employee prefers (S1 template 1 asks online or offline; `either`
/// lets people say they do not mind, which is different from not answering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreferredFormat {
    Online,
    Offline,
    Either,
}

impl PreferredFormat {
    pub const ALL: [PreferredFormat; 3] = [
        PreferredFormat::Online,
        PreferredFormat::Offline,
        PreferredFormat::Either,
    ];

    pub fn key(self) -> &'static str {
        match self {
            PreferredFormat::Online => "online",
            PreferredFormat::Offline => "offline",
            PreferredFormat::Either => "either",
        }
    }

    pub fn parse(raw: &str) -> Option<PreferredFormat> {
        Self::ALL.into_iter().find(|f| f.key() == raw.trim())
    }
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// Why a survey answer, rating or window was refused; `code()` is stable and has a locale
/// key, `field()` names the form field (`ratings.<skill>` for a skill's box).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SurveyError {
    #[error("the survey asks about no skill")]
    NoSkills,
    #[error("the rating of {0:?} must be a whole number from 1 to 5")]
    RatingOutOfRange(String),
    #[error("{0:?} has not been rated")]
    RatingMissing(String),
    #[error("{0:?} is not a skill of this survey")]
    SkillUnknown(String),
    #[error("the desired content is longer than {CONTENT_MAX_CHARS} characters")]
    ContentTooLong,
    #[error("the desired content contains control characters")]
    ContentBadCharacters,
    #[error("no preferred format was chosen")]
    FormatMissing,
    #[error("{0:?} is not a training format (online, offline or either)")]
    FormatUnknown(String),
    #[error("the supervisor rated no skill")]
    NothingRated,
    #[error("the survey closes before it opens")]
    WindowOrder,
    #[error("the survey is not open")]
    Closed,
}

impl SurveyError {
    pub fn code(&self) -> &'static str {
        match self {
            SurveyError::NoSkills => "survey-no-skills",
            SurveyError::RatingOutOfRange(_) => "survey-rating-out-of-range",
            SurveyError::RatingMissing(_) => "survey-rating-missing",
            SurveyError::SkillUnknown(_) => "survey-skill-unknown",
            SurveyError::ContentTooLong => "survey-content-too-long",
            SurveyError::ContentBadCharacters => "survey-content-bad-characters",
            SurveyError::FormatMissing => "survey-format-missing",
            SurveyError::FormatUnknown(_) => "survey-format-unknown",
            SurveyError::NothingRated => "survey-nothing-rated",
            SurveyError::WindowOrder => "survey-window-order",
            SurveyError::Closed => "survey-closed",
        }
    }

    /// The form field the error belongs to.
    pub fn field(&self) -> String {
        match self {
            SurveyError::RatingOutOfRange(skill)
            | SurveyError::RatingMissing(skill)
            | SurveyError::SkillUnknown(skill) => format!("ratings.{skill}"),
            SurveyError::NoSkills => "skills".into(),
            SurveyError::NothingRated => "ratings".into(),
            SurveyError::ContentTooLong | SurveyError::ContentBadCharacters => {
                "desired_content".into()
            }
            SurveyError::FormatMissing | SurveyError::FormatUnknown(_) => "format".into(),
            SurveyError::WindowOrder => "closes".into(),
            SurveyError::Closed => "survey".into(),
        }
    }

    /// The skill code the error names, for messages that quote it.
    pub fn skill(&self) -> Option<&str> {
        match self {
            SurveyError::RatingOutOfRange(skill)
            | SurveyError::RatingMissing(skill)
            | SurveyError::SkillUnknown(skill) => Some(skill),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------

/// An employee's answer as the form sends it: skill code → typed rating, free text, format.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawAnswer {
    #[serde(default)]
    pub ratings: BTreeMap<String, String>,
    #[serde(default)]
    pub desired_content: String,
    #[serde(default)]
    pub format: String,
}

/// A validated answer: every skill of the survey rated, content trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub ratings: BTreeMap<String, Rating>,
    /// Trimmed, at most [`CONTENT_MAX_CHARS`] characters, possibly empty.
    pub desired_content: String,
    pub format: PreferredFormat,
}

impl Answer {
    /// The topics of the desired content, as typed (see [`split_topics`]).
    pub fn topics(&self) -> Vec<&str> {
        split_topics(&self.desired_content)
    }
}

/// A supervisor's ratings as the form sends them; a blank box means "not rated".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawSupervisorRating {
    #[serde(default)]
    pub ratings: BTreeMap<String, String>,
}

/// A supervisor's validated ratings of one employee: at least one skill, not necessarily
/// all, because a supervisor may only have seen some skills at work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisorRating {
    pub ratings: BTreeMap<String, Rating>,
}

/// Validates an employee's answer to a survey asking about `skills`, reporting every
/// problem: ratings in the order of `skills`, then unknown skills, content and format.
pub fn validate_answer(skills: &[&str], raw: &RawAnswer) -> Result<Answer, Vec<SurveyError>> {
    let mut errors = Vec::new();
    if skills.is_empty() {
        errors.push(SurveyError::NoSkills);
    }
    let ratings = read_ratings(skills, &raw.ratings, true, &mut errors);
    let desired_content = read_content(&raw.desired_content, &mut errors);
    let format = read_format(&raw.format, &mut errors);
    match format {
        Some(format) if errors.is_empty() => Ok(Answer {
            ratings,
            desired_content,
            format,
        }),
        _ => Err(errors),
    }
}

/// Validates a supervisor's ratings: same 1–5 boxes, blanks allowed, at least one rated.
pub fn validate_supervisor_rating(
    skills: &[&str],
    raw: &RawSupervisorRating,
) -> Result<SupervisorRating, Vec<SurveyError>> {
    let mut errors = Vec::new();
    if skills.is_empty() {
        errors.push(SurveyError::NoSkills);
    }
    let ratings = read_ratings(skills, &raw.ratings, false, &mut errors);
    if errors.is_empty() && ratings.is_empty() {
        errors.push(SurveyError::NothingRated);
    }
    if errors.is_empty() {
        Ok(SupervisorRating { ratings })
    } else {
        Err(errors)
    }
}

/// Validates an answer given on `today`: outside the window only `survey-closed` is
/// reported, since correcting the fields would not help.
pub fn submit_answer(
    window: &SurveyWindow,
    today: NaiveDate,
    skills: &[&str],
    raw: &RawAnswer,
) -> Result<Answer, Vec<SurveyError>> {
    window.check_open(today).map_err(|e| vec![e])?;
    validate_answer(skills, raw)
}

fn read_ratings(
    skills: &[&str],
    raw: &BTreeMap<String, String>,
    all_required: bool,
    errors: &mut Vec<SurveyError>,
) -> BTreeMap<String, Rating> {
    let mut ratings = BTreeMap::new();
    for &skill in skills {
        if ratings.contains_key(skill) {
            continue;
        }
        match raw.get(skill).map(|t| t.trim()).filter(|t| !t.is_empty()) {
            None if all_required => errors.push(SurveyError::RatingMissing(skill.into())),
            None => {}
            Some(text) => match Rating::parse(text) {
                Some(r) => {
                    ratings.insert(skill.to_string(), r);
                }
                None => errors.push(SurveyError::RatingOutOfRange(skill.into())),
            },
        }
    }
    for key in raw.keys() {
        if !skills.contains(&key.as_str()) {
            errors.push(SurveyError::SkillUnknown(key.clone()));
        }
    }
    ratings
}

fn read_content(raw: &str, errors: &mut Vec<SurveyError>) -> String {
    let text = raw.trim();
    if text.chars().count() > CONTENT_MAX_CHARS {
        errors.push(SurveyError::ContentTooLong);
    }
    // Line breaks separate topics; other control characters come from pasting, not typing.
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.push(SurveyError::ContentBadCharacters);
    }
    text.to_string()
}

fn read_format(raw: &str, errors: &mut Vec<SurveyError>) -> Option<PreferredFormat> {
    let text = raw.trim();
    if text.is_empty() {
        errors.push(SurveyError::FormatMissing);
        return None;
    }
    let format = PreferredFormat::parse(text);
    if format.is_none() {
        errors.push(SurveyError::FormatUnknown(text.into()));
    }
    format
}

// ---------------------------------------------------------------------------------------
// Topics
// ---------------------------------------------------------------------------------------

/// Splits desired content into topics at line breaks and at half- or full-width commas and
/// semicolons. The enumeration comma `、` splits too, because that is how Chinese lists
/// items ("投诉处理、情绪管理"). Pieces are trimmed; blank ones are dropped.
pub fn split_topics(text: &str) -> Vec<&str> {
    text.split(['\n', '\r', ';', '；', ',', '，', '、'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect()
}

/// The form under which topics are counted as the same: full-width characters folded to
/// half-width (so `（` is `(` and `ＣＲＭ` is `crm`), `。` read as `.`, ASCII lowercased,
/// whitespace trimmed and collapsed to one space, and trailing full stops dropped
/// ("投诉处理。" is "投诉处理"). Chinese text is otherwise left alone.
pub fn normalize_topic(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.chars().map(fold_width) {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c.to_ascii_lowercase());
    }
    while out.ends_with('.') || out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Maps a full-width form to its half-width equivalent and a few CJK punctuation marks to
/// their ASCII counterparts; every other character is returned as is.
fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => u32::from(c)
            .checked_sub(0xFEE0)
            .and_then(char::from_u32)
            .unwrap_or(c),
        '。' => '.',
        '、' => ',',
        '“' | '”' => '"',
        '‘' | '’' => '\'',
        '【' => '[',
        '】' => ']',
        _ => c,
    }
}

// ---------------------------------------------------------------------------------------
// Window
// ---------------------------------------------------------------------------------------

/// The days a survey accepts answers, first and last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SurveyWindow {
    opens: NaiveDate,
    closes: NaiveDate,
}

impl SurveyWindow {
    /// A one-day survey (`closes == opens`) is allowed.
    pub fn new(opens: NaiveDate, closes: NaiveDate) -> Result<SurveyWindow, SurveyError> {
        if closes < opens {
            return Err(SurveyError::WindowOrder);
        }
        Ok(SurveyWindow { opens, closes })
    }

    pub fn opens(&self) -> NaiveDate {
        self.opens
    }

    pub fn closes(&self) -> NaiveDate {
        self.closes
    }

    pub fn is_open(&self, today: NaiveDate) -> bool {
        self.opens <= today && today <= self.closes
    }

    /// `survey-closed` before the first and after the last day.
    pub fn check_open(&self, today: NaiveDate) -> Result<(), SurveyError> {
        if self.is_open(today) {
            Ok(())
        } else {
            Err(SurveyError::Closed)
        }
    }
}

/// Checks the order of the dates again, so that a stored window cannot come back inverted.
impl<'de> Deserialize<'de> for SurveyWindow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SurveyWindow, D::Error> {
        #[derive(Deserialize)]
        struct Dates {
            opens: NaiveDate,
            closes: NaiveDate,
        }
        let dates = Dates::deserialize(d)?;
        SurveyWindow::new(dates.opens, dates.closes).map_err(de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------
// Needs analysis: input and configuration
// ---------------------------------------------------------------------------------------

/// A department or position: the stable key it is grouped by and the name shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GroupLabel {
    pub key: String,
    pub name: String,
}

/// One response as the analysis reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedsResponse {
    pub department: GroupLabel,
    pub position: GroupLabel,
    pub self_ratings: BTreeMap<String, Rating>,
    /// Empty when the supervisor has not rated this employee.
    #[serde(default)]
    pub supervisor_ratings: BTreeMap<String, Rating>,
    /// Topics as typed; each is split again and normalised, so passing the whole desired
    /// content as one topic is fine.
    #[serde(default)]
    pub topics: Vec<String>,
    pub format: PreferredFormat,
}

impl NeedsResponse {
    pub fn from_answer(
        department: GroupLabel,
        position: GroupLabel,
        answer: &Answer,
        supervisor: Option<&SupervisorRating>,
    ) -> NeedsResponse {
        NeedsResponse {
            department,
            position,
            self_ratings: answer.ratings.clone(),
            supervisor_ratings: supervisor.map(|s| s.ratings.clone()).unwrap_or_default(),
            topics: answer.topics().into_iter().map(String::from).collect(),
            format: answer.format,
        }
    }
}

/// How the analysis judges and how much it lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisConfig {
    /// The target of every skill not listed in `targets`.
    #[serde(default = "default_target")]
    pub default_target: RatingLevel,
    /// Skill code → its own target level.
    #[serde(default)]
    pub targets: BTreeMap<String, RatingLevel>,
    /// How many weakest skills the report lists.
    #[serde(default = "default_weakest")]
    pub weakest: usize,
    /// How many requested topics the report lists.
    #[serde(default = "default_top_topics")]
    pub top_topics: usize,
}

fn default_target() -> RatingLevel {
    RatingLevel::DEFAULT_TARGET
}

fn default_weakest() -> usize {
    5
}

fn default_top_topics() -> usize {
    10
}

impl Default for AnalysisConfig {
    fn default() -> AnalysisConfig {
        AnalysisConfig {
            default_target: default_target(),
            targets: BTreeMap::new(),
            weakest: default_weakest(),
            top_topics: default_top_topics(),
        }
    }
}

impl AnalysisConfig {
    pub fn target(&self, skill: &str) -> RatingLevel {
        self.targets
            .get(skill)
            .copied()
            .unwrap_or(self.default_target)
    }
}

// ---------------------------------------------------------------------------------------
// Needs analysis: output
// ---------------------------------------------------------------------------------------

/// The ratings of one skill (overall or within a group) against its target.
///
/// The gap is measured on `basis`: when supervisors rated the skill, the mean of the self
/// average and the supervisor average, weighted equally whatever the number of ratings on
/// each side (self-ratings run high, and supervisors rate fewer people, so neither view
/// should drown the other); otherwise the self average alone. `basis` is computed from the
/// exact sums and rounded half up once, and `gap = target − basis` exactly, positive when
/// the group falls short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillNeed {
    pub skill: String,
    pub target: RatingLevel,
    pub self_count: u32,
    pub self_average: Option<RatingLevel>,
    pub supervisor_count: u32,
    pub supervisor_average: Option<RatingLevel>,
    pub basis: RatingLevel,
    /// `target − basis` in hundredths of a point.
    pub gap: i32,
}

/// Response counts per format and their shares in basis points (hundredths of a percent),
/// each rounded half up on its own, so the shares add up to 100% give or take 0.01%.
/// All shares are 0 when there is no response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormatSplit {
    pub online: u32,
    pub offline: u32,
    pub either: u32,
    pub online_share: u32,
    pub offline_share: u32,
    pub either_share: u32,
}

impl FormatSplit {
    fn from_counts(counts: [u64; 3]) -> FormatSplit {
        let total: u64 = counts.iter().fold(0, |a, c| a.saturating_add(*c));
        let share = |c: u64| basis_points(c, total).unwrap_or(0);
        FormatSplit {
            online: saturate(counts[0]),
            offline: saturate(counts[1]),
            either: saturate(counts[2]),
            online_share: share(counts[0]),
            offline_share: share(counts[1]),
            either_share: share(counts[2]),
        }
    }

    pub fn total(&self) -> u64 {
        u64::from(self.online) + u64::from(self.offline) + u64::from(self.either)
    }

    /// The format most respondents chose; `either` when two or more share the lead (or
    /// nobody answered), since a blended session then serves everyone.
    pub fn majority(&self) -> PreferredFormat {
        majority([
            u64::from(self.online),
            u64::from(self.offline),
            u64::from(self.either),
        ])
    }
}

fn majority(counts: [u64; 3]) -> PreferredFormat {
    let top = counts.iter().copied().max().unwrap_or(0);
    let leaders: Vec<PreferredFormat> = PreferredFormat::ALL
        .into_iter()
        .zip(counts)
        .filter(|(_, c)| *c == top)
        .map(|(f, _)| f)
        .collect();
    match leaders.as_slice() {
        [only] => *only,
        _ => PreferredFormat::Either,
    }
}

/// One department or position: who answered, their ratings per skill, their formats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupNeeds {
    pub key: String,
    /// When rows disagree on the name of a key, the alphabetically first is kept, so the
    /// report does not depend on the order of the rows.
    pub name: String,
    pub responses: u32,
    /// By skill code.
    pub skills: Vec<SkillNeed>,
    pub formats: FormatSplit,
}

impl GroupNeeds {
    pub fn skill(&self, code: &str) -> Option<&SkillNeed> {
        find_skill(&self.skills, code)
    }
}

fn find_skill<'a>(skills: &'a [SkillNeed], code: &str) -> Option<&'a SkillNeed> {
    skills
        .binary_search_by(|s| s.skill.as_str().cmp(code))
        .ok()
        .and_then(|i| skills.get(i))
}

/// A requested topic (normalised, see [`normalize_topic`]) and how many responses ask for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicCount {
    pub topic: String,
    pub count: u32,
}

/// The training needs analysis report of S1: who answered, where the gaps are, what people
/// ask for and how they want to learn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedsAnalysis {
    pub invited: Option<u32>,
    pub responses: u32,
    /// Responses per invited person in basis points, rounded half up; `None` when the number
    /// invited is unknown or zero. Not capped: above 100% shows that the invitation list
    /// and the answers disagree.
    pub response_rate: Option<u32>,
    /// Every skill rated at least once, by skill code.
    pub skills: Vec<SkillNeed>,
    /// By department key.
    pub departments: Vec<GroupNeeds>,
    /// By position key.
    pub positions: Vec<GroupNeeds>,
    /// The largest gaps first, ties by skill code; at most `AnalysisConfig::weakest`.
    pub weakest: Vec<SkillNeed>,
    /// Most requested first, ties by text; at most `AnalysisConfig::top_topics`.
    pub top_topics: Vec<TopicCount>,
    pub formats: FormatSplit,
}

impl NeedsAnalysis {
    pub fn skill(&self, code: &str) -> Option<&SkillNeed> {
        find_skill(&self.skills, code)
    }
}

// ---------------------------------------------------------------------------------------
// Needs analysis: the accumulator
// ---------------------------------------------------------------------------------------

/// An exact running sum of ratings.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    sum: u64,
    count: u64,
}

impl Tally {
    fn add(&mut self, r: Rating) {
        self.sum = self.sum.saturating_add(u64::from(r.value()));
        self.count = self.count.saturating_add(1);
    }

    fn mean(self) -> Option<RatingLevel> {
        (self.count > 0).then(|| {
            RatingLevel::clamped(round_half_up(
                u128::from(self.sum) * 100,
                u128::from(self.count),
            ))
        })
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct SkillTally {
    own: Tally,
    supervisor: Tally,
}

impl SkillTally {
    /// See [`SkillNeed`]: `(s₁/n₁ + s₂/n₂) / 2 = (s₁n₂ + s₂n₁) / 2n₁n₂`, rounded once.
    fn basis(self) -> Option<RatingLevel> {
        let (own, sup) = (self.own, self.supervisor);
        match (own.count, sup.count) {
            (0, 0) => None,
            (_, 0) => own.mean(),
            (0, _) => sup.mean(),
            (n1, n2) => {
                let num =
                    u128::from(own.sum) * u128::from(n2) + u128::from(sup.sum) * u128::from(n1);
                let den = 2 * u128::from(n1) * u128::from(n2);
                Some(RatingLevel::clamped(round_half_up(num * 100, den)))
            }
        }
    }

    fn need(self, skill: &str, target: RatingLevel) -> Option<SkillNeed> {
        let basis = self.basis()?;
        Some(SkillNeed {
            skill: skill.to_string(),
            target,
            self_count: saturate(self.own.count),
            self_average: self.own.mean(),
            supervisor_count: saturate(self.supervisor.count),
            supervisor_average: self.supervisor.mean(),
            basis,
            gap: basis.gap_to(target),
        })
    }
}

/// Per-skill tallies keyed by skill code.
#[derive(Debug, Clone, Default)]
struct SkillTallies(BTreeMap<String, SkillTally>);

impl SkillTallies {
    /// Updates the tally of `skill`, allocating its key only the first time it is seen.
    fn update(&mut self, skill: &str, f: impl FnOnce(&mut SkillTally)) {
        match self.0.get_mut(skill) {
            Some(t) => f(t),
            None => {
                let mut t = SkillTally::default();
                f(&mut t);
                self.0.insert(skill.to_string(), t);
            }
        }
    }

    fn add(&mut self, row: &NeedsResponse) {
        for (skill, r) in &row.self_ratings {
            self.update(skill, |t| t.own.add(*r));
        }
        for (skill, r) in &row.supervisor_ratings {
            self.update(skill, |t| t.supervisor.add(*r));
        }
    }

    fn needs(&self, config: &AnalysisConfig) -> Vec<SkillNeed> {
        self.0
            .iter()
            .filter_map(|(skill, t)| t.need(skill, config.target(skill)))
            .collect()
    }
}

#[derive(Debug, Clone, Default)]
struct GroupTally {
    name: String,
    responses: u64,
    skills: SkillTallies,
    formats: [u64; 3],
}

impl GroupTally {
    fn add(&mut self, name: &str, row: &NeedsResponse) {
        if self.responses == 0 || name < self.name.as_str() {
            self.name = name.to_string();
        }
        self.responses = self.responses.saturating_add(1);
        self.skills.add(row);
        count_format(&mut self.formats, row.format);
    }

    fn finish(&self, key: &str, config: &AnalysisConfig) -> GroupNeeds {
        GroupNeeds {
            key: key.to_string(),
            name: self.name.clone(),
            responses: saturate(self.responses),
            skills: self.skills.needs(config),
            formats: FormatSplit::from_counts(self.formats),
        }
    }
}

/// Adds `row` to the group `label.key`, allocating the key only the first time it is seen.
fn add_to_group(
    groups: &mut BTreeMap<String, GroupTally>,
    label: &GroupLabel,
    row: &NeedsResponse,
) {
    match groups.get_mut(&label.key) {
        Some(g) => g.add(&label.name, row),
        None => {
            let mut g = GroupTally::default();
            g.add(&label.name, row);
            groups.insert(label.key.clone(), g);
        }
    }
}

fn count_format(counts: &mut [u64; 3], format: PreferredFormat) {
    let i = match format {
        PreferredFormat::Online => 0,
        PreferredFormat::Offline => 1,
        PreferredFormat::Either => 2,
    };
    if let Some(c) = counts.get_mut(i) {
        *c = c.saturating_add(1);
    }
}

/// Builds a [`NeedsAnalysis`] in one pass: [`add`](Self::add) each response, then
/// [`finish`](Self::finish). Work per response is proportional to its ratings and topics
/// (map look-ups only), so 10 000 responses × 15 skills take milliseconds.
#[derive(Debug, Clone)]
pub struct NeedsAccumulator {
    config: AnalysisConfig,
    responses: u64,
    skills: SkillTallies,
    departments: BTreeMap<String, GroupTally>,
    positions: BTreeMap<String, GroupTally>,
    topics: HashMap<String, u64>,
    formats: [u64; 3],
}

impl NeedsAccumulator {
    pub fn new(config: AnalysisConfig) -> NeedsAccumulator {
        NeedsAccumulator {
            config,
            responses: 0,
            skills: SkillTallies::default(),
            departments: BTreeMap::new(),
            positions: BTreeMap::new(),
            topics: HashMap::new(),
            formats: [0; 3],
        }
    }

    pub fn add(&mut self, row: &NeedsResponse) {
        self.responses = self.responses.saturating_add(1);
        self.skills.add(row);
        add_to_group(&mut self.departments, &row.department, row);
        add_to_group(&mut self.positions, &row.position, row);
        count_format(&mut self.formats, row.format);
        // A topic counts once per response, however often the response repeats it.
        let mut topics: Vec<String> = row
            .topics
            .iter()
            .flat_map(|t| split_topics(t))
            .map(normalize_topic)
            .filter(|t| !t.is_empty())
            .collect();
        topics.sort_unstable();
        topics.dedup();
        for topic in topics {
            let count = self.topics.entry(topic).or_insert(0);
            *count = count.saturating_add(1);
        }
    }

    /// The report; `invited` is the number of people asked, when the caller knows it.
    pub fn finish(self, invited: Option<u32>) -> NeedsAnalysis {
        let config = &self.config;
        let skills = self.skills.needs(config);
        let mut weakest = skills.clone();
        sort_weakest_first(&mut weakest);
        weakest.truncate(config.weakest);
        let mut top_topics: Vec<TopicCount> = self
            .topics
            .into_iter()
            .map(|(topic, count)| TopicCount {
                topic,
                count: saturate(count),
            })
            .collect();
        top_topics
            .sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.topic.cmp(&b.topic)));
        top_topics.truncate(config.top_topics);
        NeedsAnalysis {
            invited,
            responses: saturate(self.responses),
            response_rate: invited.and_then(|i| basis_points(self.responses, u64::from(i))),
            skills,
            departments: self
                .departments
                .iter()
                .map(|(k, g)| g.finish(k, config))
                .collect(),
            positions: self
                .positions
                .iter()
                .map(|(k, g)| g.finish(k, config))
                .collect(),
            weakest,
            top_topics,
            formats: FormatSplit::from_counts(self.formats),
        }
    }
}

/// The whole analysis of `rows` at once; see [`NeedsAccumulator`].
pub fn analyse<'a>(
    config: AnalysisConfig,
    invited: Option<u32>,
    rows: impl IntoIterator<Item = &'a NeedsResponse>,
) -> NeedsAnalysis {
    let mut acc = NeedsAccumulator::new(config);
    for row in rows {
        acc.add(row);
    }
    acc.finish(invited)
}

fn sort_weakest_first(skills: &mut [SkillNeed]) {
    skills.sort_by(|a, b| b.gap.cmp(&a.gap).then_with(|| a.skill.cmp(&b.skill)));
}

/// `num / den` rounded half up; `den` is positive wherever it is called.
fn round_half_up(num: u128, den: u128) -> u128 {
    (2 * num + den) / (2 * den)
}

/// `part / whole` in basis points rounded half up, `None` when `whole` is zero.
fn basis_points(part: u64, whole: u64) -> Option<u32> {
    (whole > 0).then(|| {
        let bp = round_half_up(u128::from(part) * 10_000, u128::from(whole));
        u32::try_from(bp).unwrap_or(u32::MAX)
    })
}

fn saturate(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

// ---------------------------------------------------------------------------------------
// Draft plan topics
// ---------------------------------------------------------------------------------------

/// A department named as a draft topic's target group, with its gap for the skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupGap {
    pub key: String,
    pub name: String,
    pub gap: i32,
}

/// A proposal for the training plan (S1 template 2) that a manager edits before adopting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftTopic {
    pub skill: String,
    /// The overall gap of the skill, in hundredths.
    pub gap: i32,
    /// The requested topic that mentions the skill when there is one (it names the skill
    /// already, in the employees' words), else the skill's name or code.
    pub title: String,
    /// The most requested topic that mentions the skill, if any.
    pub topic: Option<String>,
    /// Up to [`DRAFT_TARGET_DEPARTMENTS`] departments with a positive gap, largest first,
    /// ties by key.
    pub target_group: Vec<GroupGap>,
    /// The majority preference of the target group's respondents (of all respondents when
    /// no department is named); `either` on a tie.
    pub format: PreferredFormat,
}

/// The `n` largest needs as draft plan topics, matching requested topics by skill code
/// (`complaint_handling` matches a topic containing "complaint handling").
pub fn draft_plan_topics(analysis: &NeedsAnalysis, n: usize) -> Vec<DraftTopic> {
    draft_plan_topics_named(analysis, &BTreeMap::new(), n)
}

/// Like [`draft_plan_topics`], with skill code → names (e.g. the Chinese and English names
/// of the competency model) used to match requested topics; the first name is the title
/// when no topic matches. Only skills short of their target (gap > 0) become topics.
pub fn draft_plan_topics_named(
    analysis: &NeedsAnalysis,
    names: &BTreeMap<String, Vec<String>>,
    n: usize,
) -> Vec<DraftTopic> {
    let mut needs: Vec<SkillNeed> = analysis
        .skills
        .iter()
        .filter(|s| s.gap > 0)
        .cloned()
        .collect();
    sort_weakest_first(&mut needs);
    needs.truncate(n);
    needs
        .into_iter()
        .map(|need| draft(analysis, names.get(&need.skill), need))
        .collect()
}

fn draft(analysis: &NeedsAnalysis, names: Option<&Vec<String>>, need: SkillNeed) -> DraftTopic {
    let names: &[String] = names.map_or(&[], Vec::as_slice);
    let mut needles: Vec<String> = names
        .iter()
        .map(|n| normalize_topic(n))
        .chain([normalize_topic(&need.skill.replace(['_', '-'], " "))])
        .filter(|n| !n.is_empty())
        .collect();
    needles.dedup();
    let topic = analysis
        .top_topics
        .iter()
        .find(|t| needles.iter().any(|n| t.topic.contains(n.as_str())))
        .map(|t| t.topic.clone());
    let label = names
        .iter()
        .map(|n| n.trim())
        .find(|n| !n.is_empty())
        .unwrap_or(&need.skill)
        .to_string();

    let mut target_group: Vec<(GroupGap, &FormatSplit)> = analysis
        .departments
        .iter()
        .filter_map(|d| {
            let s = d.skill(&need.skill).filter(|s| s.gap > 0)?;
            Some((
                GroupGap {
                    key: d.key.clone(),
                    name: d.name.clone(),
                    gap: s.gap,
                },
                &d.formats,
            ))
        })
        .collect();
    target_group.sort_by(|(a, _), (b, _)| b.gap.cmp(&a.gap).then_with(|| a.key.cmp(&b.key)));
    target_group.truncate(DRAFT_TARGET_DEPARTMENTS);
    let format = if target_group.is_empty() {
        analysis.formats.majority()
    } else {
        let mut counts = [0u64; 3];
        for (_, f) in &target_group {
            counts[0] = counts[0].saturating_add(u64::from(f.online));
            counts[1] = counts[1].saturating_add(u64::from(f.offline));
            counts[2] = counts[2].saturating_add(u64::from(f.either));
        }
        majority(counts)
    };
    DraftTopic {
        skill: need.skill,
        gap: need.gap,
        title: topic.clone().unwrap_or(label),
        topic,
        target_group: target_group.into_iter().map(|(g, _)| g).collect(),
        format,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SKILLS: [&str; 2] = ["complaint_handling", "listening"];

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn raw(ratings: &[(&str, &str)], content: &str, format: &str) -> RawAnswer {
        RawAnswer {
            ratings: ratings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            desired_content: content.into(),
            format: format.into(),
        }
    }

    fn codes(errors: &[SurveyError]) -> Vec<(&'static str, String)> {
        errors.iter().map(|e| (e.code(), e.field())).collect()
    }

    #[test]
    fn a_complete_answer_is_accepted() {
        let a = validate_answer(
            &SKILLS,
            &raw(
                &[("complaint_handling", " 2 "), ("listening", "５")],
                "  投诉处理、情绪管理\nCRM 操作；  ",
                "online",
            ),
        )
        .unwrap();
        assert_eq!(a.ratings["complaint_handling"].value(), 2);
        assert_eq!(a.ratings["listening"].value(), 5);
        assert_eq!(a.desired_content, "投诉处理、情绪管理\nCRM 操作；");
        assert_eq!(a.topics(), ["投诉处理", "情绪管理", "CRM 操作"]);
        assert_eq!(a.format, PreferredFormat::Online);
        let empty = validate_answer(
            &SKILLS,
            &raw(
                &[("complaint_handling", "1"), ("listening", "1")],
                "",
                "either",
            ),
        );
        assert_eq!(empty.unwrap().topics(), Vec::<&str>::new());
    }

    #[test]
    fn every_problem_of_an_answer_is_reported() {
        let long = "字".repeat(CONTENT_MAX_CHARS + 1);
        let errors = validate_answer(
            &SKILLS,
            &raw(
                &[("complaint_handling", "3.5"), ("empathy", "4")],
                &long,
                "classroom",
            ),
        )
        .unwrap_err();
        assert_eq!(
            codes(&errors),
            [
                (
                    "survey-rating-out-of-range",
                    "ratings.complaint_handling".into()
                ),
                ("survey-rating-missing", "ratings.listening".into()),
                ("survey-skill-unknown", "ratings.empathy".into()),
                ("survey-content-too-long", "desired_content".into()),
                ("survey-format-unknown", "format".into()),
            ]
        );
        assert_eq!(errors[0].skill(), Some("complaint_handling"));
        let errors = validate_answer(
            &SKILLS,
            &raw(
                &[("complaint_handling", "0"), ("listening", "")],
                "a\u{7}b",
                " ",
            ),
        )
        .unwrap_err();
        assert_eq!(
            codes(&errors),
            [
                (
                    "survey-rating-out-of-range",
                    "ratings.complaint_handling".into()
                ),
                ("survey-rating-missing", "ratings.listening".into()),
                ("survey-content-bad-characters", "desired_content".into()),
                ("survey-format-missing", "format".into()),
            ]
        );
        let errors = validate_answer(&[], &raw(&[], "", "online")).unwrap_err();
        assert_eq!(errors[0].code(), "survey-no-skills");
    }

    #[test]
    fn ratings_are_whole_numbers_from_one_to_five() {
        for ok in ["1", "5", " 3 ", "03", "３"] {
            assert!(Rating::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "0",
            "6",
            "-1",
            "3.0",
            "3.5",
            "abc",
            "",
            "+3",
            "1e0",
            "99999999999",
        ] {
            assert_eq!(Rating::parse(bad), None, "{bad}");
        }
        assert!(serde_json::from_str::<Rating>("6").is_err());
        assert_eq!(serde_json::from_str::<Rating>("4").unwrap().value(), 4);
    }

    #[test]
    fn content_may_be_exactly_the_limit() {
        let text = format!("  {}  ", "字".repeat(CONTENT_MAX_CHARS));
        let a = validate_answer(
            &SKILLS,
            &raw(
                &[("complaint_handling", "1"), ("listening", "2")],
                &text,
                "offline",
            ),
        )
        .unwrap();
        assert_eq!(a.desired_content.chars().count(), CONTENT_MAX_CHARS);
    }

    #[test]
    fn supervisors_may_rate_some_skills_but_not_none() {
        let sup = |pairs: &[(&str, &str)]| RawSupervisorRating {
            ratings: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let ok = validate_supervisor_rating(
            &SKILLS,
            &sup(&[("listening", "4"), ("complaint_handling", "")]),
        )
        .unwrap();
        assert_eq!(ok.ratings.len(), 1);
        assert_eq!(ok.ratings["listening"].value(), 4);
        let errors = validate_supervisor_rating(&SKILLS, &sup(&[("listening", "")])).unwrap_err();
        assert_eq!(codes(&errors), [("survey-nothing-rated", "ratings".into())]);
        let errors =
            validate_supervisor_rating(&SKILLS, &sup(&[("listening", "7"), ("tone", "3")]))
                .unwrap_err();
        assert_eq!(
            codes(&errors),
            [
                ("survey-rating-out-of-range", "ratings.listening".into()),
                ("survey-skill-unknown", "ratings.tone".into()),
            ]
        );
    }

    #[test]
    fn the_window_includes_both_ends() {
        assert_eq!(
            SurveyWindow::new(d("2026-03-10"), d("2026-03-09"))
                .unwrap_err()
                .code(),
            "survey-window-order"
        );
        let one_day = SurveyWindow::new(d("2026-03-10"), d("2026-03-10")).unwrap();
        assert!(one_day.is_open(d("2026-03-10")));
        let w = SurveyWindow::new(d("2026-03-01"), d("2026-03-15")).unwrap();
        assert!(!w.is_open(d("2026-02-28")));
        assert!(w.is_open(d("2026-03-01")));
        assert!(w.is_open(d("2026-03-15")));
        assert!(!w.is_open(d("2026-03-16")));
        let answer = raw(&[("complaint_handling", "9")], "", "");
        let errors = submit_answer(&w, d("2026-03-16"), &SKILLS, &answer).unwrap_err();
        assert_eq!(codes(&errors), [("survey-closed", "survey".into())]);
        let errors = submit_answer(&w, d("2026-03-02"), &SKILLS, &answer).unwrap_err();
        assert!(errors.iter().all(|e| e.code() != "survey-closed"));
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(json, r#"{"opens":"2026-03-01","closes":"2026-03-15"}"#);
        assert_eq!(serde_json::from_str::<SurveyWindow>(&json).unwrap(), w);
        assert!(
            serde_json::from_str::<SurveyWindow>(r#"{"opens":"2026-03-02","closes":"2026-03-01"}"#)
                .is_err()
        );
    }

    #[test]
    fn topics_are_normalised() {
        assert_eq!(
            normalize_topic("  Complaint \t  Handling  "),
            "complaint handling"
        );
        assert_eq!(normalize_topic("ＣＲＭ（系统）操作"), "crm(系统)操作");
        assert_eq!(normalize_topic("crm(系统)操作"), "crm(系统)操作");
        assert_eq!(normalize_topic("投诉处理。"), "投诉处理");
        assert_eq!(normalize_topic("情绪\u{3000}管理"), "情绪 管理");
        assert_eq!(normalize_topic("“话术”改写！"), "\"话术\"改写!");
        assert_eq!(normalize_topic(" . "), "");
        assert_eq!(
            split_topics("a；b;c，d,e、f\r\ng\n\n ,"),
            ["a", "b", "c", "d", "e", "f", "g"]
        );
    }

    fn label(key: &str, name: &str) -> GroupLabel {
        GroupLabel {
            key: key.into(),
            name: name.into(),
        }
    }

    fn ratings(pairs: &[(&str, u8)]) -> BTreeMap<String, Rating> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Rating::new(*v).unwrap()))
            .collect()
    }

    fn row(
        dept: &str,
        pos: &str,
        own: &[(&str, u8)],
        sup: &[(&str, u8)],
        topics: &[&str],
        format: PreferredFormat,
    ) -> NeedsResponse {
        let dept_name = if dept == "d1" {
            "客服一部"
        } else {
            "客服二部"
        };
        NeedsResponse {
            department: label(dept, dept_name),
            position: label(pos, pos),
            self_ratings: ratings(own),
            supervisor_ratings: ratings(sup),
            topics: topics.iter().map(|t| t.to_string()).collect(),
            format,
        }
    }

    /// Three responses, computed by hand below.
    fn sample() -> Vec<NeedsResponse> {
        use PreferredFormat::*;
        vec![
            row(
                "d1",
                "agent",
                &[("complaint_handling", 2), ("listening", 4)],
                &[("complaint_handling", 3)],
                &["Complaint  Handling；情绪管理"],
                Online,
            ),
            row(
                "d1",
                "senior",
                &[("complaint_handling", 3), ("listening", 5)],
                &[],
                &["complaint handling", "Complaint handling。"],
                Offline,
            ),
            row(
                "d2",
                "agent",
                &[("complaint_handling", 3), ("listening", 3)],
                &[("complaint_handling", 2), ("listening", 4)],
                &["情绪管理", "ＣＲＭ操作"],
                Online,
            ),
        ]
    }

    fn sample_config() -> AnalysisConfig {
        AnalysisConfig {
            targets: BTreeMap::from([("listening".into(), RatingLevel::parse("4.5").unwrap())]),
            top_topics: 2,
            ..AnalysisConfig::default()
        }
    }

    fn h(level: Option<RatingLevel>) -> Option<u32> {
        level.map(RatingLevel::hundredths)
    }

    #[test]
    fn a_small_analysis_matches_the_hand_computation() {
        let a = analyse(sample_config(), Some(4), &sample());
        assert_eq!(a.responses, 3);
        assert_eq!(a.response_rate, Some(7_500));

        // complaint_handling: self 2,3,3 → 8/3 = 2.667 → 267; supervisors 3,2 → 2.50;
        // basis (8/3 + 5/2) / 2 = 31/12 = 2.583 → 258; gap 4.00 − 2.58 = 1.42.
        let ch = a.skill("complaint_handling").unwrap();
        assert_eq!((ch.self_count, h(ch.self_average)), (3, Some(267)));
        assert_eq!(
            (ch.supervisor_count, h(ch.supervisor_average)),
            (2, Some(250))
        );
        assert_eq!(
            (ch.basis.hundredths(), ch.target.hundredths(), ch.gap),
            (258, 400, 142)
        );
        // listening: self 4,5,3 → 4.00; supervisor 4 → 4.00; target 4.5 → gap 0.50.
        let li = a.skill("listening").unwrap();
        assert_eq!(
            (h(li.self_average), h(li.supervisor_average)),
            (Some(400), Some(400))
        );
        assert_eq!((li.basis.hundredths(), li.gap), (400, 50));
        let weakest: Vec<_> = a
            .weakest
            .iter()
            .map(|s| (s.skill.as_str(), s.gap))
            .collect();
        assert_eq!(weakest, [("complaint_handling", 142), ("listening", 50)]);

        // d1 complaint_handling: self 2,3 → 2.50, supervisor 3 → 3.00, basis 2.75.
        // d2: self 3, supervisor 2 → 2.50. d1 listening self only 4.50; d2 3 and 4 → 3.50.
        let dept = |k: &str, s: &str| {
            let g = a.departments.iter().find(|g| g.key == k).unwrap();
            let n = g.skill(s).unwrap();
            (n.basis.hundredths(), n.gap)
        };
        assert_eq!(dept("d1", "complaint_handling"), (275, 125));
        assert_eq!(dept("d2", "complaint_handling"), (250, 150));
        assert_eq!(dept("d1", "listening"), (450, 0));
        assert_eq!(dept("d2", "listening"), (350, 100));
        let d1 = &a.departments[0];
        assert_eq!((d1.name.as_str(), d1.responses), ("客服一部", 2));
        assert_eq!((d1.formats.online, d1.formats.offline), (1, 1));
        assert_eq!(d1.skill("listening").unwrap().supervisor_average, None);

        let pos: Vec<_> = a
            .positions
            .iter()
            .map(|p| {
                (
                    p.key.as_str(),
                    p.responses,
                    p.skill("complaint_handling").unwrap().gap,
                )
            })
            .collect();
        assert_eq!(pos, [("agent", 2, 150), ("senior", 1, 100)]);

        // Each response counts a topic once; "ＣＲＭ操作" (1) falls off a top-2 list and
        // the tie at 2 is broken by text.
        let topics: Vec<_> = a
            .top_topics
            .iter()
            .map(|t| (t.topic.as_str(), t.count))
            .collect();
        assert_eq!(topics, [("complaint handling", 2), ("情绪管理", 2)]);

        let f = &a.formats;
        assert_eq!((f.online, f.offline, f.either), (2, 1, 0));
        assert_eq!(
            (f.online_share, f.offline_share, f.either_share),
            (6_667, 3_333, 0)
        );
        assert_eq!(f.majority(), PreferredFormat::Online);
    }

    #[test]
    fn means_round_half_up() {
        // 3,3,3,3,3,3,3,4 → 25/8 = 3.125 → 3.13 (banker's rounding would give 3.12).
        let rows: Vec<_> = (0..8)
            .map(|i| {
                let r = if i == 0 { 4 } else { 3 };
                row(
                    "d1",
                    "agent",
                    &[("listening", r)],
                    &[],
                    &[],
                    PreferredFormat::Either,
                )
            })
            .collect();
        let a = analyse(AnalysisConfig::default(), None, &rows);
        let li = a.skill("listening").unwrap();
        assert_eq!(li.basis.hundredths(), 313);
        assert_eq!(li.gap, 87);
        assert_eq!(a.response_rate, None);
        assert_eq!(a.formats.either_share, 10_000);
    }

    #[test]
    fn nothing_in_nothing_out() {
        let a = analyse(AnalysisConfig::default(), Some(0), &[]);
        assert_eq!((a.responses, a.response_rate), (0, None));
        assert!(a.skills.is_empty() && a.weakest.is_empty() && a.top_topics.is_empty());
        assert_eq!(a.formats, FormatSplit::default());
        assert_eq!(a.formats.majority(), PreferredFormat::Either);
        assert!(draft_plan_topics(&a, 3).is_empty());
        let a = analyse(AnalysisConfig::default(), Some(2), &sample());
        assert_eq!(a.response_rate, Some(15_000));
    }

    #[test]
    fn drafts_follow_the_largest_needs() {
        let a = analyse(sample_config(), Some(4), &sample());
        let names = BTreeMap::from([("listening".to_string(), vec!["倾听".to_string()])]);
        let drafts = draft_plan_topics_named(&a, &names, 5);
        assert_eq!(drafts.len(), 2);
        let first = &drafts[0];
        assert_eq!(first.skill, "complaint_handling");
        assert_eq!(first.topic.as_deref(), Some("complaint handling"));
        assert_eq!(first.title, "complaint handling");
        let group: Vec<_> = first
            .target_group
            .iter()
            .map(|g| (g.key.as_str(), g.gap))
            .collect();
        assert_eq!(group, [("d2", 150), ("d1", 125)]);
        assert_eq!(first.format, PreferredFormat::Online);
        let second = &drafts[1];
        assert_eq!((second.skill.as_str(), second.gap), ("listening", 50));
        assert_eq!(
            (second.title.as_str(), second.topic.as_deref()),
            ("倾听", None)
        );
        assert_eq!(second.target_group.len(), 1);
        assert_eq!(second.target_group[0].name, "客服二部");
        assert_eq!(draft_plan_topics(&a, 1).len(), 1);
        assert_eq!(draft_plan_topics(&a, 5)[1].title, "listening");

        // Skills at or above target are no need.
        let met = AnalysisConfig {
            default_target: RatingLevel::MIN,
            ..AnalysisConfig::default()
        };
        assert!(draft_plan_topics(&analyse(met, None, &sample()), 5).is_empty());
    }

    #[test]
    fn ties_in_format_suggest_either() {
        assert_eq!(majority([2, 2, 0]), PreferredFormat::Either);
        assert_eq!(majority([0, 3, 1]), PreferredFormat::Offline);
        assert_eq!(majority([0, 0, 0]), PreferredFormat::Either);
    }

    #[test]
    fn the_analysis_serialises_with_integer_hundredths() {
        let a = analyse(sample_config(), Some(4), &sample());
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["skills"][0]["basis"], 258);
        assert_eq!(json["formats"]["online_share"], 6_667);
        let back: NeedsAnalysis = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
        let config: AnalysisConfig =
            serde_json::from_str(r#"{"targets":{"listening":450}}"#).unwrap();
        assert_eq!(config.target("listening").to_string(), "4.50");
        assert_eq!(config.target("other"), RatingLevel::DEFAULT_TARGET);
        assert!(serde_json::from_str::<AnalysisConfig>(r#"{"default_target":501}"#).is_err());
        assert_eq!(RatingLevel::parse("0.99"), None);
        assert_eq!(
            RatingLevel::parse("5").map(RatingLevel::hundredths),
            Some(500)
        );
    }

    #[test]
    fn ten_thousand_responses_in_one_pass() {
        let skills: Vec<String> = (0..15).map(|i| format!("skill_{i:02}")).collect();
        let mut acc = NeedsAccumulator::new(AnalysisConfig::default());
        for i in 0..10_000u32 {
            let own = skills
                .iter()
                .enumerate()
                .map(|(j, s)| {
                    (
                        s.clone(),
                        Rating::new(
                            u8::try_from((usize::try_from(i).unwrap() + j) % 5).unwrap() + 1,
                        )
                        .unwrap(),
                    )
                })
                .collect();
            acc.add(&NeedsResponse {
                department: label(&format!("d{}", i % 20), "dept"),
                position: label(&format!("p{}", i % 7), "pos"),
                self_ratings: own,
                supervisor_ratings: BTreeMap::new(),
                topics: vec![format!("topic {}", i % 50)],
                format: PreferredFormat::ALL[usize::try_from(i % 3).unwrap()],
            });
        }
        let a = acc.finish(Some(12_000));
        assert_eq!(a.responses, 10_000);
        assert_eq!(a.skills.len(), 15);
        assert_eq!(a.departments.len(), 20);
        assert!(a.skills.iter().all(|s| s.basis.hundredths() == 300));
        assert_eq!(a.response_rate, Some(8_333));
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    const SKILLS: [&str; 3] = ["a_skill", "b_skill", "c_skill"];
    const TOPICS: [&str; 6] = [
        "投诉处理",
        "  Complaint HANDLING ",
        "ＣＲＭ操作",
        "crm操作",
        "情绪管理。",
        "a, b",
    ];

    fn rating() -> impl Strategy<Value = Rating> {
        (1u8..=5).prop_map(|v| Rating::new(v).unwrap())
    }

    fn response() -> impl Strategy<Value = NeedsResponse> {
        (
            0usize..3,
            0usize..3,
            prop::array::uniform3(rating()),
            prop::array::uniform3(prop::option::of(rating())),
            prop::collection::vec(0usize..TOPICS.len(), 0..4),
            0usize..3,
        )
            .prop_map(|(dept, pos, own, sup, topics, format)| NeedsResponse {
                department: GroupLabel {
                    key: format!("d{dept}"),
                    name: format!("Dept {dept}"),
                },
                position: GroupLabel {
                    key: format!("p{pos}"),
                    name: format!("Pos {pos}"),
                },
                self_ratings: SKILLS.iter().map(|s| s.to_string()).zip(own).collect(),
                supervisor_ratings: SKILLS
                    .iter()
                    .zip(sup)
                    .filter_map(|(s, r)| Some((s.to_string(), r?)))
                    .collect(),
                topics: topics.into_iter().map(|i| TOPICS[i].to_string()).collect(),
                format: PreferredFormat::ALL[format],
            })
    }

    fn all_needs(a: &NeedsAnalysis) -> Vec<&SkillNeed> {
        a.skills
            .iter()
            .chain(a.departments.iter().flat_map(|g| &g.skills))
            .chain(a.positions.iter().flat_map(|g| &g.skills))
            .collect()
    }

    fn config(target: u32) -> AnalysisConfig {
        AnalysisConfig {
            targets: BTreeMap::from([(
                "b_skill".into(),
                RatingLevel::from_hundredths(target).unwrap(),
            )]),
            ..AnalysisConfig::default()
        }
    }

    proptest! {
        /// Every average and basis lies on the 1–5 scale, and every gap is its target minus
        /// its basis; the basis is the self average when no supervisor rated.
        #[test]
        fn averages_in_range_and_gaps_consistent(
            rows in prop::collection::vec(response(), 1..40), target in 100u32..=500,
        ) {
            let a = analyse(config(target), None, &rows);
            for n in all_needs(&a) {
                let in_range = |l: RatingLevel| (100..=500).contains(&l.hundredths());
                prop_assert!(in_range(n.basis));
                prop_assert!(n.self_average.is_none_or(in_range));
                prop_assert!(n.supervisor_average.is_none_or(in_range));
                prop_assert_eq!(n.target, a_target(&n.skill, target));
                prop_assert_eq!(
                    i64::from(n.gap),
                    i64::from(n.target.hundredths()) - i64::from(n.basis.hundredths())
                );
                if n.supervisor_count == 0 {
                    prop_assert_eq!(Some(n.basis), n.self_average);
                } else {
                    let (s, p) = (n.self_average.unwrap(), n.supervisor_average.unwrap());
                    prop_assert!(n.basis >= s.min(p) && n.basis <= s.max(p));
                }
            }
            let gaps: Vec<i32> = a.weakest.iter().map(|s| s.gap).collect();
            prop_assert!(gaps.windows(2).all(|w| w[0] >= w[1]));
        }

        /// Format shares add up to 100% within a hundredth of a percent, and counts to the
        /// number of responses.
        #[test]
        fn shares_sum_to_one_hundred_percent(rows in prop::collection::vec(response(), 1..60)) {
            let a = analyse(AnalysisConfig::default(), None, &rows);
            let f = &a.formats;
            prop_assert_eq!(f.total(), u64::try_from(rows.len()).unwrap());
            let sum = i64::from(f.online_share + f.offline_share + f.either_share);
            prop_assert!((sum - 10_000).abs() <= 1, "sum {}", sum);
            for g in a.departments.iter().chain(&a.positions) {
                let sum = i64::from(g.formats.online_share + g.formats.offline_share + g.formats.either_share);
                prop_assert!((sum - 10_000).abs() <= 1);
            }
            // A topic is counted at most once per response.
            prop_assert!(a.top_topics.iter().all(|t| usize::try_from(t.count).unwrap() <= rows.len()));
        }

        /// The report does not depend on the order of the responses.
        #[test]
        fn order_does_not_matter(
            (rows, shuffled) in prop::collection::vec(response(), 0..30)
                .prop_flat_map(|rows| (Just(rows.clone()), Just(rows).prop_shuffle())),
        ) {
            let a = analyse(config(350), Some(50), &rows);
            let b = analyse(config(350), Some(50), &shuffled);
            prop_assert_eq!(draft_plan_topics(&a, 3), draft_plan_topics(&b, 3));
            prop_assert_eq!(a, b);
        }
    }

    fn a_target(skill: &str, target: u32) -> RatingLevel {
        if skill == "b_skill" {
            RatingLevel::from_hundredths(target).unwrap()
        } else {
            RatingLevel::DEFAULT_TARGET
        }
    }
}
