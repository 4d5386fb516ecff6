//! Scenario cards of practical assessments (seed-rules §4.2): role plays, case analyses and
//! recorded calls, each with the customer's brief for the actor, notes for the judges and
//! the behaviours the judges look for, tagged with skills of the competency model.
//!
//! Cards are kept as immutable versions (like questions): an event points at the version it
//! used, so changing a card never changes what a past candidate was judged on.

use serde::{Deserialize, Serialize};

use crate::org::{Checker, FieldError, FieldReason};
use crate::text::{TextError, clean, clean_optional};

pub const TITLE_MAX: usize = 128;
/// Briefs and notes are read aloud or handed out on paper: a page or two at most.
pub const BRIEF_MAX: usize = 4000;
pub const NOTES_MAX: usize = 4000;
pub const BEHAVIOUR_MAX: usize = 500;
pub const MAX_BEHAVIOURS: usize = 30;
pub const MAX_SKILLS: usize = 8;
pub const RECORDING_MAX: usize = 500;
/// A role play longer than half a day is a mistake, not a scenario.
pub const DURATION_MAX: u32 = 240;

/// What the candidate faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioKind {
    /// A colleague plays the customer from the brief.
    RolePlay,
    /// The candidate analyses a written case.
    Case,
    /// Judges score a recorded call (also used for calibration).
    RecordedCall,
}

impl ScenarioKind {
    pub const ALL: [ScenarioKind; 3] = [
        ScenarioKind::RolePlay,
        ScenarioKind::Case,
        ScenarioKind::RecordedCall,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ScenarioKind::RolePlay => "role_play",
            ScenarioKind::Case => "case",
            ScenarioKind::RecordedCall => "recorded_call",
        }
    }

    /// Accepts the key or the Chinese name used in training plans (角色扮演, 案例分析, 录音).
    pub fn parse(raw: &str) -> Option<ScenarioKind> {
        let s = raw.trim().to_lowercase().replace(['-', ' '], "_");
        match s.as_str() {
            "role_play" | "roleplay" | "角色扮演" | "情景模拟" => {
                Some(ScenarioKind::RolePlay)
            }
            "case" | "案例" | "案例分析" => Some(ScenarioKind::Case),
            "recorded_call" | "recording" | "录音" | "通话录音" => {
                Some(ScenarioKind::RecordedCall)
            }
            _ => None,
        }
    }

    /// Whether the card needs a brief: a recorded call speaks for itself.
    pub fn needs_brief(self) -> bool {
        !matches!(self, ScenarioKind::RecordedCall)
    }
}

/// A validated scenario card (the content of one version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    pub kind: ScenarioKind,
    pub title: String,
    /// What the actor playing the customer is told (or the case text); may span lines.
    pub customer_brief: String,
    /// What only the judges read; may span lines, empty when none.
    #[serde(default)]
    pub judge_notes: String,
    /// What a good candidate does, one behaviour per entry.
    pub expected_behaviours: Vec<String>,
    /// Skill codes of the competency model.
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    /// A reference to a recorded call (file name, archive number or link).
    #[serde(default)]
    pub recording: Option<String>,
}

/// A card as typed in a form: every field raw text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScenarioInput {
    pub kind: String,
    pub title: String,
    pub customer_brief: String,
    pub judge_notes: String,
    /// One behaviour per line.
    pub expected_behaviours: String,
    /// Skill codes separated by `;`, `,` or spaces.
    pub skills: String,
    pub duration_minutes: String,
    pub recording: String,
}

/// Like [`clean`], but keeps line breaks (and tabs) so a brief can have paragraphs; Windows
/// line ends become `\n` so that an unchanged text compares equal.
pub fn clean_multiline(raw: &str, max: usize) -> Result<String, TextError> {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let s = lines.join("\n");
    let s = s.trim();
    if s.is_empty() {
        return Err(TextError::Empty);
    }
    if s.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(TextError::BadCharacters);
    }
    Ok(s.to_string())
}

impl ScenarioInput {
    /// Validates every field and reports all problems at once. `skill_exists` says whether a
    /// code belongs to the competency model.
    pub fn validate(
        &self,
        skill_exists: &dyn Fn(&str) -> bool,
    ) -> Result<Scenario, Vec<FieldError>> {
        let mut ck = Checker::default();
        let kind = ScenarioKind::parse(&self.kind);
        if kind.is_none() {
            ck.push(
                "kind",
                if self.kind.trim().is_empty() {
                    FieldReason::Text(TextError::Empty)
                } else {
                    FieldReason::NotAllowed
                },
            );
        }
        let title = ck.check("title", clean(&self.title, TITLE_MAX));
        let brief = match clean_multiline(&self.customer_brief, BRIEF_MAX) {
            Ok(b) => Some(b),
            // A recorded call may go without a brief; an unknown kind reports the kind only.
            Err(TextError::Empty) if kind.is_none_or(|k| !k.needs_brief()) => Some(String::new()),
            Err(e) => {
                ck.push("customer_brief", FieldReason::Text(e));
                None
            }
        };
        let notes = match clean_multiline(&self.judge_notes, NOTES_MAX) {
            Ok(n) => Some(n),
            Err(TextError::Empty) => Some(String::new()),
            Err(e) => {
                ck.push("judge_notes", FieldReason::Text(e));
                None
            }
        };
        let behaviours = self.behaviours(&mut ck);
        let skills = self.parse_skills(&mut ck, skill_exists);
        let duration = self.duration(&mut ck);
        let recording = ck
            .check("recording", clean_optional(&self.recording, RECORDING_MAX))
            .and_then(|r| {
                if r.is_none() && kind == Some(ScenarioKind::RecordedCall) {
                    ck.push("recording", FieldReason::Text(TextError::Empty));
                    return None;
                }
                Some(r)
            });
        let value = match (
            kind, title, brief, notes, behaviours, skills, duration, recording,
        ) {
            (
                Some(kind),
                Some(title),
                Some(customer_brief),
                Some(judge_notes),
                Some(expected_behaviours),
                Some(skills),
                Some(duration_minutes),
                Some(recording),
            ) => Some(Scenario {
                kind,
                title,
                customer_brief,
                judge_notes,
                expected_behaviours,
                skills,
                duration_minutes,
                recording,
            }),
            _ => None,
        };
        ck.finish(value)
    }

    fn behaviours(&self, ck: &mut Checker) -> Option<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for line in self
            .expected_behaviours
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let b = ck.check("expected_behaviours", clean(line, BEHAVIOUR_MAX))?;
            out.push(b);
        }
        if out.is_empty() {
            ck.push("expected_behaviours", FieldReason::Text(TextError::Empty));
            return None;
        }
        if out.len() > MAX_BEHAVIOURS {
            ck.push("expected_behaviours", FieldReason::TooMany);
            return None;
        }
        Some(out)
    }

    fn parse_skills(
        &self,
        ck: &mut Checker,
        skill_exists: &dyn Fn(&str) -> bool,
    ) -> Option<Vec<String>> {
        let mut skills: Vec<String> = Vec::new();
        for s in split_codes(&self.skills) {
            if !skill_exists(s) {
                ck.push("skills", FieldReason::NotFound);
                return None;
            }
            if !skills.iter().any(|x| x == s) {
                skills.push(s.to_string());
            }
        }
        if skills.len() > MAX_SKILLS {
            ck.push("skills", FieldReason::TooMany);
            return None;
        }
        Some(skills)
    }

    fn duration(&self, ck: &mut Checker) -> Option<Option<u32>> {
        let raw = self.duration_minutes.trim();
        if raw.is_empty() {
            return Some(None);
        }
        match raw.parse::<u32>() {
            Ok(m) if (1..=DURATION_MAX).contains(&m) => Some(Some(m)),
            Ok(_) => {
                ck.push("duration_minutes", FieldReason::OutOfRange);
                None
            }
            Err(_) => {
                ck.push("duration_minutes", FieldReason::BadNumber);
                None
            }
        }
    }

    /// The input that reproduces `s` (for edit forms).
    pub fn from_scenario(s: &Scenario) -> ScenarioInput {
        ScenarioInput {
            kind: s.kind.key().to_string(),
            title: s.title.clone(),
            customer_brief: s.customer_brief.clone(),
            judge_notes: s.judge_notes.clone(),
            expected_behaviours: s.expected_behaviours.join("\n"),
            skills: s.skills.join(";"),
            duration_minutes: s
                .duration_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
            recording: s.recording.clone().unwrap_or_default(),
        }
    }
}

/// Skill codes as typed: separated by `;`, `,` (also full-width) or white space.
pub fn split_codes(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(|c: char| matches!(c, ';' | ',' | '，' | '；') || c.is_whitespace())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(code: &str) -> bool {
        matches!(code, "listening" | "empathy" | "complaint-process")
    }

    fn role_play() -> ScenarioInput {
        ScenarioInput {
            kind: "role_play".into(),
            title: "  账单投诉 ".into(),
            customer_brief: "您是一位老客户。\r\n\r\n您的账单多扣了 30 元，语气急躁。  ".into(),
            judge_notes: "注意是否先致歉。".into(),
            expected_behaviours: "倾听并复述问题\n\n  致歉 \n给出处理时限".into(),
            skills: "listening; empathy,listening".into(),
            duration_minutes: "15".into(),
            recording: String::new(),
        }
    }

    fn reasons(r: Result<Scenario, Vec<FieldError>>) -> Vec<(&'static str, &'static str)> {
        match r {
            Ok(s) => panic!("accepted: {s:?}"),
            Err(es) => es.iter().map(|e| (e.field, e.reason.code())).collect(),
        }
    }

    #[test]
    fn a_role_play_is_cleaned_and_round_trips() {
        let s = role_play().validate(&known).unwrap();
        assert_eq!(s.kind, ScenarioKind::RolePlay);
        assert_eq!(s.title, "账单投诉");
        assert_eq!(
            s.customer_brief,
            "您是一位老客户。\n\n您的账单多扣了 30 元，语气急躁。"
        );
        assert_eq!(
            s.expected_behaviours,
            vec!["倾听并复述问题", "致歉", "给出处理时限"]
        );
        assert_eq!(s.skills, vec!["listening", "empathy"]);
        assert_eq!(s.duration_minutes, Some(15));
        assert_eq!(s.recording, None);
        let again = ScenarioInput::from_scenario(&s).validate(&known).unwrap();
        assert_eq!(again, s);
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"kind\":\"role_play\""));
        assert_eq!(serde_json::from_str::<Scenario>(&json).unwrap(), s);
    }

    #[test]
    fn kinds_parse_keys_and_chinese_names() {
        for k in ScenarioKind::ALL {
            assert_eq!(ScenarioKind::parse(k.key()), Some(k));
        }
        assert_eq!(
            ScenarioKind::parse("角色扮演"),
            Some(ScenarioKind::RolePlay)
        );
        assert_eq!(ScenarioKind::parse("案例分析"), Some(ScenarioKind::Case));
        assert_eq!(
            ScenarioKind::parse("Role-Play"),
            Some(ScenarioKind::RolePlay)
        );
        assert_eq!(ScenarioKind::parse("drama"), None);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let input = ScenarioInput {
            kind: "drama".into(),
            title: " ".into(),
            customer_brief: "x".repeat(BRIEF_MAX + 1),
            judge_notes: "a\u{7}b".into(),
            expected_behaviours: "\n \n".into(),
            skills: "listening;flying".into(),
            duration_minutes: "ten".into(),
            recording: String::new(),
        };
        assert_eq!(
            reasons(input.validate(&known)),
            vec![
                ("kind", "not-allowed"),
                ("title", "required"),
                ("customer_brief", "too-long"),
                ("judge_notes", "bad-characters"),
                ("expected_behaviours", "required"),
                ("skills", "not-found"),
                ("duration_minutes", "bad-number"),
            ]
        );
    }

    #[test]
    fn a_role_play_needs_a_brief_and_a_recorded_call_a_recording() {
        let mut input = role_play();
        input.customer_brief = "  ".into();
        assert_eq!(
            reasons(input.validate(&known)),
            vec![("customer_brief", "required")]
        );
        input.kind = "recorded_call".into();
        assert_eq!(
            reasons(input.validate(&known)),
            vec![("recording", "required")]
        );
        input.recording = "REC-2024-0117.mp3".into();
        let s = input.validate(&known).unwrap();
        assert_eq!(s.customer_brief, "");
        assert_eq!(s.recording.as_deref(), Some("REC-2024-0117.mp3"));
    }

    #[test]
    fn limits_on_duration_behaviours_and_skills() {
        let mut input = role_play();
        input.duration_minutes = "0".into();
        assert_eq!(
            reasons(input.validate(&known)),
            vec![("duration_minutes", "out-of-range")]
        );
        input.duration_minutes = "241".into();
        assert_eq!(
            reasons(input.validate(&known)),
            vec![("duration_minutes", "out-of-range")]
        );
        input.duration_minutes = String::new();
        input.expected_behaviours = (0..=MAX_BEHAVIOURS).map(|i| format!("行为{i}\n")).collect();
        assert_eq!(
            reasons(input.validate(&known)),
            vec![("expected_behaviours", "too-many")]
        );
        input.expected_behaviours = "好".into();
        input.skills = (0..9).map(|i| format!("s{i};")).collect();
        assert_eq!(
            reasons(input.validate(&|_| true)),
            vec![("skills", "too-many")]
        );
        input.skills = String::new();
        assert!(input.validate(&known).unwrap().skills.is_empty());
    }

    #[test]
    fn multiline_text_keeps_paragraphs_only() {
        assert_eq!(
            clean_multiline(" a \r\n\tb\r c ", 10),
            Ok("a\n\tb\n c".into())
        );
        assert_eq!(clean_multiline("\n\n", 10), Err(TextError::Empty));
        assert_eq!(
            clean_multiline("张三丰", 2),
            Err(TextError::TooLong { max: 2 })
        );
        assert_eq!(clean_multiline("a\u{0}", 5), Err(TextError::BadCharacters));
    }
}
