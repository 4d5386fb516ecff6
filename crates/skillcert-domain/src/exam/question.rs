//! Questions of the bank: four types, each with the key it needs and nothing else.

use serde::{Deserialize, Serialize};

use crate::org::{Checker, FieldError, FieldReason};
use crate::scheme::Score;
use crate::text::{TextError, clean, clean_optional};

pub const STEM_MAX: usize = 2000;
pub const OPTION_MAX: usize = 500;
pub const EXPLANATION_MAX: usize = 2000;
pub const KEY_POINT_MAX: usize = 500;
pub const MODEL_ANSWER_MAX: usize = 4000;
/// Choice questions have between two and eight options, labelled A to H.
pub const MIN_OPTIONS: usize = 2;
pub const MAX_OPTIONS: usize = 8;
pub const MAX_TAGS: usize = 8;

/// The four question types of seed-rules §4.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    Single,
    Multiple,
    TrueFalse,
    Short,
}

impl QuestionType {
    pub const ALL: [QuestionType; 4] = [
        QuestionType::Single,
        QuestionType::Multiple,
        QuestionType::TrueFalse,
        QuestionType::Short,
    ];

    pub fn key(self) -> &'static str {
        match self {
            QuestionType::Single => "single",
            QuestionType::Multiple => "multiple",
            QuestionType::TrueFalse => "true_false",
            QuestionType::Short => "short",
        }
    }

    /// Accepts the key or the Chinese name used on paper exams (单选, 多选, 判断, 简答).
    pub fn parse(raw: &str) -> Option<QuestionType> {
        let s = raw.trim().to_lowercase().replace(['-', ' '], "_");
        match s.as_str() {
            "single" | "单选" | "单选题" | "single_choice" => Some(QuestionType::Single),
            "multiple" | "多选" | "多选题" | "multiple_choice" => Some(QuestionType::Multiple),
            "true_false" | "判断" | "判断题" | "tf" => Some(QuestionType::TrueFalse),
            "short" | "简答" | "简答题" | "short_answer" => Some(QuestionType::Short),
            _ => None,
        }
    }

    /// Whether the type is scored automatically at submission.
    pub fn is_objective(self) -> bool {
        !matches!(self, QuestionType::Short)
    }
}

/// How hard a question is meant to be, 1 (easy) to 5 (hard).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Difficulty(u8);

impl Difficulty {
    pub const DEFAULT: Difficulty = Difficulty(3);

    pub fn new(level: u8) -> Option<Difficulty> {
        (1..=5).contains(&level).then_some(Difficulty(level))
    }

    pub fn level(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Difficulty {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Difficulty::new(v).ok_or_else(|| format!("difficulty {v} is not between 1 and 5"))
    }
}

impl From<Difficulty> for u8 {
    fn from(d: Difficulty) -> u8 {
        d.0
    }
}

/// What a question asks and how it is keyed; each type carries exactly what it needs, so a
/// true/false question with options or a single choice with two keys cannot exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    Single {
        options: Vec<String>,
        /// Index into `options`.
        key: u8,
    },
    Multiple {
        options: Vec<String>,
        /// Sorted, distinct indexes into `options`; at least one.
        key: Vec<u8>,
    },
    TrueFalse {
        key: bool,
    },
    Short {
        /// What a marker looks for, one point per line.
        key_points: Vec<String>,
        model_answer: Option<String>,
    },
}

impl Body {
    pub fn qtype(&self) -> QuestionType {
        match self {
            Body::Single { .. } => QuestionType::Single,
            Body::Multiple { .. } => QuestionType::Multiple,
            Body::TrueFalse { .. } => QuestionType::TrueFalse,
            Body::Short { .. } => QuestionType::Short,
        }
    }

    pub fn options(&self) -> &[String] {
        match self {
            Body::Single { options, .. } | Body::Multiple { options, .. } => options,
            _ => &[],
        }
    }

    /// The key as written in files and shown to markers: `A`, `AC`, `T`/`F`, or empty for
    /// short answers (their key points are separate).
    pub fn key_text(&self) -> String {
        match self {
            Body::Single { key, .. } => letter(*key).to_string(),
            Body::Multiple { key, .. } => key.iter().map(|k| letter(*k)).collect(),
            Body::TrueFalse { key } => if *key { "T" } else { "F" }.to_string(),
            Body::Short { .. } => String::new(),
        }
    }
}

/// The option label shown to people: 0 → `A`.
pub fn letter(index: u8) -> char {
    char::from(b'A' + index.min(25))
}

/// A validated question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub stem: String,
    pub body: Body,
    /// Points when a paper does not say otherwise.
    pub points: Score,
    /// Skill codes of the competency model.
    pub tags: Vec<String>,
    pub difficulty: Difficulty,
    pub explanation: Option<String>,
}

/// A question as typed in a form or read from an import row: every field raw text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuestionInput {
    pub qtype: String,
    pub stem: String,
    /// Options in order (A, B, …); blank trailing entries are ignored.
    pub options: Vec<String>,
    /// `A`, `AC`, `A,C`; `T`/`F`, `对`/`错`, `true`/`false`; empty for short answers.
    pub key: String,
    pub points: String,
    /// Skill codes separated by `;`, `,` or spaces.
    pub tags: String,
    pub difficulty: String,
    pub explanation: String,
    /// Short answers: key points, one per line (or separated by `;`).
    pub key_points: String,
    pub model_answer: String,
}

impl QuestionInput {
    /// Validates every field and reports all problems at once. `skill_exists` says whether a
    /// tag is a code of the competency model.
    pub fn validate(
        &self,
        skill_exists: &dyn Fn(&str) -> bool,
    ) -> Result<Question, Vec<FieldError>> {
        let mut ck = Checker::default();
        let qtype = QuestionType::parse(&self.qtype);
        if qtype.is_none() {
            ck.push(
                "type",
                if self.qtype.trim().is_empty() {
                    FieldReason::Text(TextError::Empty)
                } else {
                    FieldReason::NotAllowed
                },
            );
        }
        let stem = ck.check("stem", clean(&self.stem, STEM_MAX));
        let points = if self.points.trim().is_empty() {
            Some(Score::points(1))
        } else {
            match Score::parse(&self.points) {
                Ok(p) if p > Score::ZERO => Some(p),
                _ => {
                    ck.push("points", FieldReason::BadNumber);
                    None
                }
            }
        };
        let difficulty = if self.difficulty.trim().is_empty() {
            Some(Difficulty::DEFAULT)
        } else {
            match self
                .difficulty
                .trim()
                .parse::<u8>()
                .ok()
                .and_then(Difficulty::new)
            {
                Some(d) => Some(d),
                None => {
                    ck.push("difficulty", FieldReason::OutOfRange);
                    None
                }
            }
        };
        let tags = self.parse_tags(&mut ck, skill_exists);
        let explanation = ck
            .check(
                "explanation",
                clean_optional(&self.explanation, EXPLANATION_MAX),
            )
            .flatten();
        let body = qtype.and_then(|t| self.body(t, &mut ck));
        let value = match (stem, body, points, difficulty, tags) {
            (Some(stem), Some(body), Some(points), Some(difficulty), Some(tags)) => {
                Some(Question {
                    stem,
                    body,
                    points,
                    tags,
                    difficulty,
                    explanation,
                })
            }
            _ => None,
        };
        ck.finish(value)
    }

    fn parse_tags(
        &self,
        ck: &mut Checker,
        skill_exists: &dyn Fn(&str) -> bool,
    ) -> Option<Vec<String>> {
        let mut tags: Vec<String> = Vec::new();
        for t in self
            .tags
            .split(|c: char| c == ';' || c == ',' || c == '，' || c == '；' || c.is_whitespace())
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            if !skill_exists(t) {
                ck.push("tags", FieldReason::NotFound);
                return None;
            }
            if !tags.iter().any(|x| x == t) {
                tags.push(t.to_string());
            }
        }
        if tags.len() > MAX_TAGS {
            ck.push("tags", FieldReason::TooMany);
            return None;
        }
        Some(tags)
    }

    fn options(&self, ck: &mut Checker) -> Option<Vec<String>> {
        let mut opts: Vec<&str> = self.options.iter().map(|o| o.trim()).collect();
        while opts.last().is_some_and(|o| o.is_empty()) {
            opts.pop();
        }
        if opts.len() < MIN_OPTIONS || opts.len() > MAX_OPTIONS {
            ck.push("options", FieldReason::OptionCount);
            return None;
        }
        let mut out = Vec::with_capacity(opts.len());
        for o in opts {
            // A gap (B empty while C is given) is an error, not a silently shifted letter.
            out.push(ck.check("options", clean(o, OPTION_MAX))?);
        }
        Some(out)
    }

    fn body(&self, t: QuestionType, ck: &mut Checker) -> Option<Body> {
        let given_options = self.options.iter().any(|o| !o.trim().is_empty());
        match t {
            QuestionType::Single | QuestionType::Multiple => {
                let options = self.options(ck);
                let key = parse_choice_key(&self.key);
                let key = match key {
                    Err(reason) => {
                        ck.push("key", reason);
                        return None;
                    }
                    Ok(k) => k,
                };
                let options = options?;
                if key.iter().any(|k| usize::from(*k) >= options.len()) {
                    ck.push("key", FieldReason::KeyOutOfRange);
                    return None;
                }
                if t == QuestionType::Single {
                    if key.len() != 1 {
                        ck.push("key", FieldReason::KeyCount);
                        return None;
                    }
                    Some(Body::Single {
                        options,
                        key: key[0],
                    })
                } else {
                    Some(Body::Multiple { options, key })
                }
            }
            QuestionType::TrueFalse => {
                if given_options {
                    ck.push("options", FieldReason::OptionCount);
                }
                match parse_truth(&self.key) {
                    Some(key) if !given_options => Some(Body::TrueFalse { key }),
                    Some(_) => None,
                    None => {
                        ck.push(
                            "key",
                            if self.key.trim().is_empty() {
                                FieldReason::Text(TextError::Empty)
                            } else {
                                FieldReason::NotAllowed
                            },
                        );
                        None
                    }
                }
            }
            QuestionType::Short => {
                if given_options {
                    ck.push("options", FieldReason::OptionCount);
                }
                let mut points = Vec::new();
                for p in self
                    .key_points
                    .split(['\n', ';', '；'])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                {
                    points.push(ck.check("key_points", clean(p, KEY_POINT_MAX))?);
                }
                if points.is_empty() {
                    ck.push("key_points", FieldReason::Text(TextError::Empty));
                    return None;
                }
                let model_answer = ck
                    .check(
                        "model_answer",
                        clean_optional(&self.model_answer, MODEL_ANSWER_MAX),
                    )
                    .flatten();
                (!given_options).then_some(Body::Short {
                    key_points: points,
                    model_answer,
                })
            }
        }
    }

    /// The input that reproduces `q` (for edit forms and exports).
    pub fn from_question(q: &Question) -> QuestionInput {
        let (key_points, model_answer) = match &q.body {
            Body::Short {
                key_points,
                model_answer,
            } => (
                key_points.join("\n"),
                model_answer.clone().unwrap_or_default(),
            ),
            _ => (String::new(), String::new()),
        };
        QuestionInput {
            qtype: q.body.qtype().key().to_string(),
            stem: q.stem.clone(),
            options: q.body.options().to_vec(),
            key: q.body.key_text(),
            points: q.points.to_string(),
            tags: q.tags.join(";"),
            difficulty: q.difficulty.level().to_string(),
            explanation: q.explanation.clone().unwrap_or_default(),
            key_points,
            model_answer,
        }
    }
}

/// `A`, `ac`, `A,C`, `A、C`, `A C` → sorted distinct indexes.
fn parse_choice_key(raw: &str) -> Result<Vec<u8>, FieldReason> {
    let mut key: Vec<u8> = Vec::new();
    for c in raw.chars() {
        if matches!(c, ',' | '，' | '、' | ';' | ' ' | '|') {
            continue;
        }
        let up = c.to_ascii_uppercase();
        if !up.is_ascii_uppercase() {
            return Err(FieldReason::NotAllowed);
        }
        let idx = (up as u8) - b'A';
        if usize::from(idx) >= MAX_OPTIONS {
            return Err(FieldReason::KeyOutOfRange);
        }
        if !key.contains(&idx) {
            key.push(idx);
        }
    }
    if key.is_empty() {
        return Err(FieldReason::Text(TextError::Empty));
    }
    key.sort_unstable();
    Ok(key)
}

fn parse_truth(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "t" | "true" | "对" | "正确" | "是" | "√" | "y" | "yes" | "1" => Some(true),
        "f" | "false" | "错" | "错误" | "否" | "×" | "n" | "no" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any_skill(_: &str) -> bool {
        true
    }

    fn input(t: &str, opts: &[&str], key: &str) -> QuestionInput {
        QuestionInput {
            qtype: t.into(),
            stem: "客户来电投诉时，第一步应当？".into(),
            options: opts.iter().map(|s| s.to_string()).collect(),
            key: key.into(),
            points: "2".into(),
            tags: "listening".into(),
            ..Default::default()
        }
    }

    fn reasons(r: Result<Question, Vec<FieldError>>) -> Vec<(&'static str, &'static str)> {
        r.err()
            .unwrap_or_default()
            .iter()
            .map(|e| (e.field, e.reason.code()))
            .collect()
    }

    #[test]
    fn single_choice_round_trips() {
        let q = input("单选", &["倾听", "辩解", "挂断"], "a")
            .validate(&any_skill)
            .unwrap();
        assert_eq!(
            q.body,
            Body::Single {
                options: vec!["倾听".into(), "辩解".into(), "挂断".into()],
                key: 0
            }
        );
        assert_eq!(q.points, Score::points(2));
        let again = QuestionInput::from_question(&q)
            .validate(&any_skill)
            .unwrap();
        assert_eq!(again, q);
    }

    #[test]
    fn multiple_choice_key_is_sorted_and_distinct() {
        let q = input("multiple", &["a", "b", "c", "d"], "D, B,b")
            .validate(&any_skill)
            .unwrap();
        assert_eq!(q.body.key_text(), "BD");
    }

    #[test]
    fn key_outside_the_options_is_refused() {
        let r = input("single", &["a", "b", "c"], "D").validate(&any_skill);
        assert_eq!(reasons(r), vec![("key", "key-out-of-range")]);
    }

    #[test]
    fn single_choice_with_two_keys_is_refused() {
        let r = input("single", &["a", "b", "c"], "AB").validate(&any_skill);
        assert_eq!(reasons(r), vec![("key", "key-count")]);
    }

    #[test]
    fn missing_key_and_too_few_options_are_both_reported() {
        let r = input("single", &["only"], "").validate(&any_skill);
        assert_eq!(
            reasons(r),
            vec![("options", "option-count"), ("key", "required")]
        );
        let r = input("single", &["only"], "A").validate(&any_skill);
        assert_eq!(reasons(r), vec![("options", "option-count")]);
    }

    #[test]
    fn gap_in_options_is_refused() {
        let r = input("single", &["a", "", "c"], "A").validate(&any_skill);
        assert_eq!(reasons(r), vec![("options", "required")]);
    }

    #[test]
    fn true_false_accepts_chinese_and_refuses_options() {
        let q = input("判断", &[], "对").validate(&any_skill).unwrap();
        assert_eq!(q.body, Body::TrueFalse { key: true });
        let r = input("true_false", &["x", "y"], "T").validate(&any_skill);
        assert_eq!(reasons(r), vec![("options", "option-count")]);
        let r = input("true_false", &[], "maybe").validate(&any_skill);
        assert_eq!(reasons(r), vec![("key", "not-allowed")]);
    }

    #[test]
    fn short_answer_needs_key_points() {
        let mut i = input("short", &[], "");
        let r = i.clone().validate(&any_skill);
        assert_eq!(reasons(r), vec![("key_points", "required")]);
        i.key_points = "致歉\n复述问题；给出方案".into();
        let q = i.validate(&any_skill).unwrap();
        match q.body {
            Body::Short { key_points, .. } => assert_eq!(key_points.len(), 3),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unknown_type_tag_points_and_difficulty_are_all_reported() {
        let mut i = input("essay", &[], "");
        i.tags = "nope".into();
        i.points = "-1".into();
        i.difficulty = "9".into();
        let r = i.validate(&|t| t == "listening");
        assert_eq!(
            reasons(r),
            vec![
                ("type", "not-allowed"),
                ("points", "bad-number"),
                ("difficulty", "out-of-range"),
                ("tags", "not-found"),
            ]
        );
    }
}
