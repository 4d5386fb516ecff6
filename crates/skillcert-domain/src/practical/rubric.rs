//! Scoring rubrics for practical assessments (seed-rules §4.2–4.3) as data.
//!
//! A rubric is sections → items → bands, like the scorecards of QA products, because the
//! seed's call-scoring sheet has non-contiguous allowed marks ("answer within three rings"
//! is 0 or 2) and descriptor bands ("attitude 9–10 warm…") that a min–max scale cannot
//! express. An item's allowed marks are exactly the whole points its bands cover.
//!
//! Arithmetic is integer: marks are whole points, aggregated values (a trimmed mean across
//! judges) are hundredths of a point, and the total out of 100 is rounded half-up once to
//! hundredths.
//!
//! Order of the rules when scoring:
//! 1. an N/A item leaves the maximum (`remove`) or earns its maximum (`count_as_met`);
//! 2. a critical item marked below its `fail_below` fails;
//! 3. section effects of failed items apply (`zero_section`, then `cap_section`);
//! 4. the sections add up, then total effects apply (`zero_total`, then `cap_total`);
//! 5. the total is `earned / applicable maximum × 100`, half-up to hundredths.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::scheme::{LABEL_MAX, Labels, Score, is_valid_key};
use crate::text::{TextError, clean};

/// Longest band descriptor, in characters: descriptors quote whole phrases of the seed.
pub const DESCRIPTOR_MAX: usize = 300;

/// Longest free-text answer on a sheet, in characters.
pub const TEXT_MAX: usize = 2000;

/// `(key, TOML source)` of every rubric shipped with the product.
pub const PRESETS: [(&str, &str); 1] = [(
    "s4-call-scoring",
    include_str!("../../rubrics/s4-call-scoring.toml"),
)];

/// The TOML text of a preset, for export and as the starting point of an edit.
pub fn preset(key: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(k, _)| *k == key).map(|(_, s)| *s)
}

/// Every preset that parses; the tests make sure all do.
pub fn presets() -> Vec<Rubric> {
    PRESETS
        .iter()
        .filter_map(|(_, s)| Rubric::parse_toml(s).ok())
        .collect()
}

/// What an item marked N/A does to the maximum. Products differ (evaluagent offers both),
/// so each rubric chooses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotApplicable {
    /// The item leaves the maximum, so the total is a share of what could be judged.
    #[default]
    Remove,
    /// The item earns its maximum, so N/A can never lower a total.
    CountAsMet,
}

impl NotApplicable {
    pub fn key(self) -> &'static str {
        match self {
            NotApplicable::Remove => "remove",
            NotApplicable::CountAsMet => "count_as_met",
        }
    }
}

/// What failing a critical item does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriticalEffect {
    ZeroSection,
    ZeroTotal,
    CapSection,
    CapTotal,
}

impl CriticalEffect {
    pub fn key(self) -> &'static str {
        match self {
            CriticalEffect::ZeroSection => "zero_section",
            CriticalEffect::ZeroTotal => "zero_total",
            CriticalEffect::CapSection => "cap_section",
            CriticalEffect::CapTotal => "cap_total",
        }
    }

    pub fn is_cap(self) -> bool {
        matches!(self, CriticalEffect::CapSection | CriticalEffect::CapTotal)
    }

    fn on_section(self) -> bool {
        matches!(
            self,
            CriticalEffect::ZeroSection | CriticalEffect::CapSection
        )
    }

    /// Zeroing outranks capping when several failures hit the same scope.
    fn rank(self) -> u8 {
        if self.is_cap() { 1 } else { 2 }
    }
}

/// An item that fails the sheet (or its section) when marked too low: the "auto-fail"
/// of QA scorecards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Critical {
    /// A mark below this many points fails the item.
    pub fail_below: u32,
    pub effect: CriticalEffect,
    /// Points the section or total is capped at; present exactly for `cap_*` effects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandDocument {
    pub min: u32,
    pub max: u32,
    pub labels: Labels,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemDocument {
    pub key: String,
    pub labels: Labels,
    pub max: u32,
    #[serde(default)]
    pub allow_na: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skill: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<Critical>,
    pub bands: Vec<BandDocument>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDocument {
    pub key: String,
    pub labels: Labels,
    /// A cross-check for authors copying a paper sheet: must equal the items' sum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    pub items: Vec<ItemDocument>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextFieldDocument {
    pub key: String,
    pub labels: Labels,
    #[serde(default)]
    pub required: bool,
}

/// A rubric as authored, before validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricDocument {
    pub key: String,
    pub version: u32,
    pub labels: Labels,
    #[serde(default)]
    pub not_applicable: NotApplicable,
    pub sections: Vec<SectionDocument>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub free_text: Vec<TextFieldDocument>,
}

/// A descriptor covering the whole points `min..=max` of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    pub min: u32,
    pub max: u32,
    pub labels: Labels,
}

impl Band {
    pub fn contains(&self, points: u32) -> bool {
        (self.min..=self.max).contains(&points)
    }
}

/// A validated item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub key: String,
    pub labels: Labels,
    pub max: u32,
    /// In document order (the seed lists some items best-first, others worst-first).
    pub bands: Vec<Band>,
    pub allow_na: bool,
    /// A competency skill code; checked against the skills table by the service.
    pub skill: Option<String>,
    pub critical: Option<Critical>,
}

impl Item {
    /// The band covering `points`, if any.
    pub fn band_for(&self, points: u32) -> Option<&Band> {
        self.bands.iter().find(|b| b.contains(points))
    }

    /// The index in [`Item::bands`] of the band covering `points`.
    pub fn band_index(&self, points: u32) -> Option<usize> {
        self.bands.iter().position(|b| b.contains(points))
    }

    pub fn allows(&self, points: u32) -> bool {
        self.band_for(points).is_some()
    }

    /// Every allowed mark, ascending.
    pub fn allowed_values(&self) -> Vec<u32> {
        (0..=self.max).filter(|p| self.allows(*p)).collect()
    }

    /// The allowed value closest to `points` (the lower one on a tie), e.g. to turn an
    /// estimated performance into a mark a judge could actually give.
    pub fn nearest_allowed(&self, points: f64) -> u32 {
        self.allowed_values()
            .into_iter()
            .min_by(|a, b| {
                (f64::from(*a) - points)
                    .abs()
                    .total_cmp(&(f64::from(*b) - points).abs())
            })
            .unwrap_or(0)
    }

    /// True when a value in hundredths of a point fails this critical item.
    fn fails(&self, hundredths: u32) -> bool {
        self.critical
            .is_some_and(|c| hundredths < c.fail_below.saturating_mul(100))
    }
}

/// A validated section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub key: String,
    pub labels: Labels,
    /// The sum of its items' maxima.
    pub max: u32,
    pub items: Vec<Item>,
}

/// A free-text field at the end of a sheet (main problems, suggestions, evaluation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextField {
    pub key: String,
    pub labels: Labels,
    pub required: bool,
}

/// What was wrong with one field of a rubric document.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {kind}")]
pub struct RubricError {
    /// Path in the document, 1-based in lists: `sections[2].items[1].bands[3].max`.
    pub field: String,
    pub kind: RubricErrorKind,
}

impl RubricError {
    fn new(field: impl Into<String>, kind: RubricErrorKind) -> RubricError {
        RubricError {
            field: field.into(),
            kind,
        }
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

/// The rule a field broke; `code()` is stable and becomes a translation key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RubricErrorKind {
    #[error("the document is not valid TOML for a rubric: {0}")]
    Syntax(String),
    #[error(transparent)]
    Text(#[from] TextError),
    #[error("must start with a lowercase letter and contain only a-z, 0-9, - and _")]
    BadKey,
    #[error("must be 1 or more")]
    VersionZero,
    #[error("a rubric needs at least one section")]
    NoSections,
    #[error("a section needs at least one item")]
    NoItems,
    #[error("is used by another section")]
    DuplicateSection,
    #[error("is used by another item of this rubric")]
    DuplicateItem,
    #[error("is used by another free-text field")]
    DuplicateText,
    #[error("an item must be worth at least 1 point")]
    ItemMaxZero,
    #[error("the items add up to {items}, not {declared}")]
    SectionMaxMismatch { declared: u32, items: u32 },
    #[error("an item needs at least one band")]
    NoBands,
    #[error("a band's min must not exceed its max")]
    BandInverted,
    #[error("a band must lie within 0 and the item's max ({max})")]
    BandOutOfRange { max: u32 },
    #[error("overlaps band {other}")]
    BandsOverlap { other: usize },
    #[error("no band reaches the item's max ({max})")]
    MaxNotReached { max: u32 },
    #[error("must lie between 1 and the item's max ({max})")]
    FailBelowOutOfRange { max: u32 },
    #[error("a cap effect needs `cap = <points>`")]
    CapMissing,
    #[error("only cap_section and cap_total take a cap")]
    CapNotAllowed,
    #[error("must be below the maximum it caps ({max})")]
    CapTooHigh { max: u32 },
}

impl RubricErrorKind {
    pub fn code(&self) -> &'static str {
        use RubricErrorKind as K;
        match self {
            K::Syntax(_) => "syntax",
            K::Text(t) => t.code(),
            K::BadKey => "bad-key",
            K::VersionZero => "version-zero",
            K::NoSections => "no-sections",
            K::NoItems => "no-items",
            K::DuplicateSection => "duplicate-section",
            K::DuplicateItem => "duplicate-item",
            K::DuplicateText => "duplicate-text",
            K::ItemMaxZero => "item-max-zero",
            K::SectionMaxMismatch { .. } => "section-max-mismatch",
            K::NoBands => "no-bands",
            K::BandInverted => "band-inverted",
            K::BandOutOfRange { .. } => "band-out-of-range",
            K::BandsOverlap { .. } => "bands-overlap",
            K::MaxNotReached { .. } => "max-not-reached",
            K::FailBelowOutOfRange { .. } => "fail-below-out-of-range",
            K::CapMissing => "cap-missing",
            K::CapNotAllowed => "cap-not-allowed",
            K::CapTooHigh { .. } => "cap-too-high",
        }
    }
}

/// Every problem found in a document, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct RubricErrors(pub Vec<RubricError>);

impl RubricErrors {
    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(RubricError::code).collect()
    }
}

impl fmt::Display for RubricErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        join(f, &self.0)
    }
}

fn join<T: fmt::Display>(f: &mut fmt::Formatter<'_>, all: &[T]) -> fmt::Result {
    for (i, e) in all.iter().enumerate() {
        if i > 0 {
            f.write_str("; ")?;
        }
        write!(f, "{e}")?;
    }
    Ok(())
}

/// A validated rubric. Only [`Rubric::parse_toml`] and [`Rubric::from_document`] build
/// one, so every rubric in hand obeys the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rubric {
    key: String,
    version: u32,
    labels: Labels,
    not_applicable: NotApplicable,
    sections: Vec<Section>,
    free_text: Vec<TextField>,
}

#[derive(Default)]
struct Check(Vec<RubricError>);

impl Check {
    fn push(&mut self, field: impl Into<String>, kind: RubricErrorKind) {
        self.0.push(RubricError::new(field, kind));
    }

    fn key(&mut self, field: &str, raw: &str) -> String {
        let key = raw.trim();
        if key.is_empty() {
            self.push(field, TextError::Empty.into());
        } else if !is_valid_key(key) {
            self.push(field, RubricErrorKind::BadKey);
        }
        key.to_string()
    }

    fn unique(
        &mut self,
        seen: &mut HashSet<String>,
        field: &str,
        key: &str,
        kind: RubricErrorKind,
    ) {
        if !key.is_empty() && !seen.insert(key.to_string()) {
            self.push(field, kind);
        }
    }

    fn labels(&mut self, field: &str, raw: &Labels, max: usize) -> Labels {
        let mut one = |lang: &str, text: &str| match clean(text, max) {
            Ok(t) => t,
            Err(e) => {
                self.push(format!("{field}.{lang}"), e.into());
                String::new()
            }
        };
        Labels {
            zh_cn: one("zh-CN", &raw.zh_cn),
            en: one("en", &raw.en),
        }
    }
}

impl Rubric {
    /// Parses and validates a TOML rubric, reporting every problem at once.
    pub fn parse_toml(src: &str) -> Result<Rubric, RubricErrors> {
        let doc: RubricDocument = toml::from_str(src).map_err(|e| {
            RubricErrors(vec![RubricError::new(
                "document",
                RubricErrorKind::Syntax(e.to_string().trim_end().to_string()),
            )])
        })?;
        Rubric::from_document(&doc)
    }

    /// Validates a document built elsewhere (a JSON body, a test).
    pub fn from_document(doc: &RubricDocument) -> Result<Rubric, RubricErrors> {
        let mut c = Check::default();
        let key = c.key("key", &doc.key);
        if doc.version == 0 {
            c.push("version", RubricErrorKind::VersionZero);
        }
        let labels = c.labels("labels", &doc.labels, LABEL_MAX);
        if doc.sections.is_empty() {
            c.push("sections", RubricErrorKind::NoSections);
        }
        let mut section_keys = HashSet::new();
        let mut item_keys = HashSet::new();
        let mut sections = Vec::new();
        for (i, s) in doc.sections.iter().enumerate() {
            let path = format!("sections[{}]", i + 1);
            let skey = c.key(&format!("{path}.key"), &s.key);
            c.unique(
                &mut section_keys,
                &format!("{path}.key"),
                &skey,
                RubricErrorKind::DuplicateSection,
            );
            let slabels = c.labels(&format!("{path}.labels"), &s.labels, LABEL_MAX);
            if s.items.is_empty() {
                c.push(format!("{path}.items"), RubricErrorKind::NoItems);
            }
            let items: Vec<Item> = s
                .items
                .iter()
                .enumerate()
                .map(|(j, d)| {
                    let ipath = format!("{path}.items[{}]", j + 1);
                    let item = check_item(&mut c, &ipath, d);
                    c.unique(
                        &mut item_keys,
                        &format!("{ipath}.key"),
                        &item.key,
                        RubricErrorKind::DuplicateItem,
                    );
                    item
                })
                .collect();
            let max = items.iter().map(|it| it.max).sum();
            if let Some(declared) = s.max
                && declared != max
            {
                c.push(
                    format!("{path}.max"),
                    RubricErrorKind::SectionMaxMismatch {
                        declared,
                        items: max,
                    },
                );
            }
            sections.push(Section {
                key: skey,
                labels: slabels,
                max,
                items,
            });
        }
        let total: u32 = sections.iter().map(|s| s.max).sum();
        for (i, s) in doc.sections.iter().enumerate() {
            for (j, d) in s.items.iter().enumerate() {
                let scope = sections.get(i).map_or(0, |s| s.max);
                check_critical(
                    &mut c,
                    &format!("sections[{}].items[{}].critical", i + 1, j + 1),
                    d,
                    scope,
                    total,
                );
            }
        }
        let mut text_keys = HashSet::new();
        let free_text = doc
            .free_text
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let path = format!("free_text[{}]", i + 1);
                let tkey = c.key(&format!("{path}.key"), &t.key);
                c.unique(
                    &mut text_keys,
                    &format!("{path}.key"),
                    &tkey,
                    RubricErrorKind::DuplicateText,
                );
                TextField {
                    key: tkey,
                    labels: c.labels(&format!("{path}.labels"), &t.labels, LABEL_MAX),
                    required: t.required,
                }
            })
            .collect();
        if !c.0.is_empty() {
            return Err(RubricErrors(c.0));
        }
        Ok(Rubric {
            key,
            version: doc.version,
            labels,
            not_applicable: doc.not_applicable,
            sections,
            free_text,
        })
    }

    /// The document this rubric was built from (after trimming), for JSON and editing.
    pub fn to_document(&self) -> RubricDocument {
        RubricDocument {
            key: self.key.clone(),
            version: self.version,
            labels: self.labels.clone(),
            not_applicable: self.not_applicable,
            sections: self
                .sections
                .iter()
                .map(|s| SectionDocument {
                    key: s.key.clone(),
                    labels: s.labels.clone(),
                    max: Some(s.max),
                    items: s
                        .items
                        .iter()
                        .map(|it| ItemDocument {
                            key: it.key.clone(),
                            labels: it.labels.clone(),
                            max: it.max,
                            allow_na: it.allow_na,
                            skill: it.skill.clone(),
                            critical: it.critical,
                            bands: it
                                .bands
                                .iter()
                                .map(|b| BandDocument {
                                    min: b.min,
                                    max: b.max,
                                    labels: b.labels.clone(),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            free_text: self
                .free_text
                .iter()
                .map(|t| TextFieldDocument {
                    key: t.key.clone(),
                    labels: t.labels.clone(),
                    required: t.required,
                })
                .collect(),
        }
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    pub fn not_applicable(&self) -> NotApplicable {
        self.not_applicable
    }

    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// Every item, in sheet order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    pub fn item(&self, key: &str) -> Option<&Item> {
        self.items().find(|it| it.key == key)
    }

    pub fn free_text(&self) -> &[TextField] {
        &self.free_text
    }

    /// The sum of every item's maximum (100 for the S4 sheet).
    pub fn max_points(&self) -> u32 {
        self.sections.iter().map(|s| s.max).sum()
    }

    /// Scores a judge's submitted sheet: every item marked with an allowed value (or N/A
    /// where allowed), required texts present, no unknown keys. Collects every problem.
    pub fn score_sheet(&self, marks: &SheetMarks) -> Result<SheetScore, SheetErrors> {
        let mut errors = self.check_marks(marks);
        for it in self.items() {
            if !marks.items.contains_key(&it.key) {
                errors.push(SheetError::new(
                    "items",
                    &it.key,
                    "sheet-missing-item",
                    "every item must be marked".into(),
                ));
            }
        }
        for t in &self.free_text {
            let given = marks
                .texts
                .get(&t.key)
                .is_some_and(|v| !v.trim().is_empty());
            if t.required && !given {
                errors.push(SheetError::new(
                    "texts",
                    &t.key,
                    "sheet-text-required",
                    "this text is required".into(),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(SheetErrors(errors));
        }
        let values = marks
            .items
            .iter()
            .map(|(k, m)| {
                let v = match m {
                    ItemMark::Points(p) => Some(p.saturating_mul(100)),
                    ItemMark::NotApplicable => None,
                };
                (k.clone(), v)
            })
            .collect();
        Ok(self.score_values(&values))
    }

    /// Checks a draft: only the marks present (allowed values, N/A, unknown keys, text
    /// lengths), so a judge can save half a sheet.
    pub fn check_draft(&self, marks: &SheetMarks) -> Result<(), SheetErrors> {
        let errors = self.check_marks(marks);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(SheetErrors(errors))
        }
    }

    fn check_marks(&self, marks: &SheetMarks) -> Vec<SheetError> {
        let mut errors = Vec::new();
        for (key, mark) in &marks.items {
            let Some(it) = self.item(key) else {
                errors.push(SheetError::new(
                    "items",
                    key,
                    "sheet-unknown-item",
                    "not an item of this rubric".into(),
                ));
                continue;
            };
            match mark {
                ItemMark::Points(p) if !it.allows(*p) => {
                    let allowed: Vec<String> =
                        it.allowed_values().iter().map(u32::to_string).collect();
                    errors.push(SheetError::new(
                        "items",
                        key,
                        "sheet-value-not-allowed",
                        format!("allowed: {}", allowed.join(", ")),
                    ));
                }
                ItemMark::NotApplicable if !it.allow_na => errors.push(SheetError::new(
                    "items",
                    key,
                    "sheet-na-not-allowed",
                    "this item must be marked".into(),
                )),
                _ => {}
            }
        }
        for (key, text) in &marks.texts {
            if !self.free_text.iter().any(|t| t.key == *key) {
                errors.push(SheetError::new(
                    "texts",
                    key,
                    "sheet-unknown-text",
                    "not a free-text field of this rubric".into(),
                ));
            } else if text.trim().chars().count() > TEXT_MAX {
                errors.push(SheetError::new(
                    "texts",
                    key,
                    "sheet-text-too-long",
                    format!("at most {TEXT_MAX} characters"),
                ));
            }
        }
        errors
    }

    /// Scores item values in hundredths of a point (e.g. each item's trimmed mean across
    /// judges); `None` = N/A and a missing key counts as N/A. Values above an item's
    /// maximum count as the maximum, so the total stays within 0–100. No allowed-value
    /// check; the N/A, critical and total rules are those of [`Rubric::score_sheet`].
    pub fn score_values(&self, values: &BTreeMap<String, Option<u32>>) -> SheetScore {
        let mut sections = Vec::new();
        let mut items = Vec::new();
        let mut critical_failures = Vec::new();
        let mut total_effect: Option<(CriticalEffect, u64)> = None;
        for s in &self.sections {
            let mut earned: u64 = 0;
            let mut max: u32 = 0;
            let mut effect: Option<(CriticalEffect, u64)> = None;
            for it in &s.items {
                let value = values
                    .get(&it.key)
                    .copied()
                    .flatten()
                    .map(|v| v.min(it.max.saturating_mul(100)));
                let failed = value.is_some_and(|v| it.fails(v));
                match value {
                    Some(v) => {
                        earned += u64::from(v);
                        max += it.max;
                    }
                    None if self.not_applicable == NotApplicable::CountAsMet => {
                        earned += u64::from(it.max) * 100;
                        max += it.max;
                    }
                    None => {}
                }
                if let (true, Some(crit)) = (failed, it.critical) {
                    critical_failures.push(it.key.clone());
                    let limit = u64::from(crit.cap.unwrap_or(0)) * 100;
                    let slot = if crit.effect.on_section() {
                        &mut effect
                    } else {
                        &mut total_effect
                    };
                    *slot = Some(stronger(*slot, (crit.effect, limit)));
                }
                items.push(ItemScore {
                    key: it.key.clone(),
                    value,
                    band: value
                        .filter(|v| v % 100 == 0)
                        .and_then(|v| it.band_index(v / 100)),
                    critical_failed: failed,
                });
            }
            if let Some((_, limit)) = effect {
                earned = earned.min(limit);
            }
            sections.push(SectionScore {
                key: s.key.clone(),
                earned,
                max,
                capped: effect.map(|(e, _)| e),
            });
        }
        let mut earned: u64 = sections.iter().map(|s| s.earned).sum();
        if let Some((_, limit)) = total_effect {
            earned = earned.min(limit);
        }
        let applicable_max: u32 = sections.iter().map(|s| s.max).sum();
        let total = if applicable_max == 0 {
            Score::ZERO
        } else {
            let hundredths = round_half_up(u128::from(earned) * 100, u128::from(applicable_max));
            Score::from_hundredths(u32::try_from(hundredths).unwrap_or(u32::MAX))
                .unwrap_or(Score::MAX)
        };
        SheetScore {
            earned,
            applicable_max,
            total,
            sections,
            items,
            critical_failures,
            total_capped: total_effect.map(|(e, _)| e),
        }
    }
}

/// The effect that limits more: the lower limit (a zero is a limit of 0), and a zero over
/// a cap of 0.
fn stronger(
    current: Option<(CriticalEffect, u64)>,
    new: (CriticalEffect, u64),
) -> (CriticalEffect, u64) {
    match current {
        Some(cur) if (cur.1, 2 - cur.0.rank()) <= (new.1, 2 - new.0.rank()) => cur,
        _ => new,
    }
}

/// `num / den` rounded half-up (四舍五入), as `scheme` rounds; `den` is positive.
fn round_half_up(num: u128, den: u128) -> u128 {
    (2 * num + den) / (2 * den)
}

fn check_item(c: &mut Check, path: &str, d: &ItemDocument) -> Item {
    let key = c.key(&format!("{path}.key"), &d.key);
    let labels = c.labels(&format!("{path}.labels"), &d.labels, LABEL_MAX);
    if d.max == 0 {
        c.push(format!("{path}.max"), RubricErrorKind::ItemMaxZero);
    }
    let skill = d.skill.as_ref().map(|s| c.key(&format!("{path}.skill"), s));
    if d.bands.is_empty() {
        c.push(format!("{path}.bands"), RubricErrorKind::NoBands);
    }
    let mut bands: Vec<Band> = Vec::new();
    for (i, b) in d.bands.iter().enumerate() {
        let bpath = format!("{path}.bands[{}]", i + 1);
        let blabels = c.labels(&format!("{bpath}.labels"), &b.labels, DESCRIPTOR_MAX);
        if b.min > b.max {
            c.push(format!("{bpath}.min"), RubricErrorKind::BandInverted);
        } else if b.max > d.max {
            c.push(
                format!("{bpath}.max"),
                RubricErrorKind::BandOutOfRange { max: d.max },
            );
        } else if let Some(other) = bands
            .iter()
            .position(|o| o.min <= b.max && b.min <= o.max && o.min <= o.max)
        {
            c.push(
                bpath.clone(),
                RubricErrorKind::BandsOverlap { other: other + 1 },
            );
        }
        // Kept even when invalid, so later bands report overlaps against their neighbours'
        // 1-based positions.
        bands.push(Band {
            min: b.min,
            max: b.max,
            labels: blabels,
        });
    }
    if d.max > 0 && !d.bands.is_empty() && !d.bands.iter().any(|b| b.max == d.max) {
        c.push(
            format!("{path}.bands"),
            RubricErrorKind::MaxNotReached { max: d.max },
        );
    }
    Item {
        key,
        labels,
        max: d.max,
        bands,
        allow_na: d.allow_na,
        skill,
        critical: d.critical,
    }
}

/// Checked once every section is known, because a cap is compared with its scope's max.
fn check_critical(c: &mut Check, path: &str, d: &ItemDocument, section_max: u32, total: u32) {
    let Some(crit) = d.critical else {
        return;
    };
    if crit.fail_below == 0 || crit.fail_below > d.max {
        c.push(
            format!("{path}.fail_below"),
            RubricErrorKind::FailBelowOutOfRange { max: d.max },
        );
    }
    match (crit.effect.is_cap(), crit.cap) {
        (true, None) => c.push(format!("{path}.cap"), RubricErrorKind::CapMissing),
        (false, Some(_)) => c.push(format!("{path}.cap"), RubricErrorKind::CapNotAllowed),
        (true, Some(cap)) => {
            let max = if crit.effect.on_section() {
                section_max
            } else {
                total
            };
            if cap >= max {
                c.push(format!("{path}.cap"), RubricErrorKind::CapTooHigh { max });
            }
        }
        (false, None) => {}
    }
}

impl Serialize for Rubric {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_document().serialize(s)
    }
}

/// One item's mark on a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemMark {
    Points(u32),
    NotApplicable,
}

/// A JSON number, or the string `"na"`.
impl Serialize for ItemMark {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ItemMark::Points(p) => s.serialize_u32(*p),
            ItemMark::NotApplicable => s.serialize_str("na"),
        }
    }
}

struct ItemMarkVisitor;

impl Visitor<'_> for ItemMarkVisitor {
    type Value = ItemMark;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number of points or \"na\"")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ItemMark, E> {
        u32::try_from(v)
            .map(ItemMark::Points)
            .map_err(|_| E::custom("too many points"))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ItemMark, E> {
        u64::try_from(v)
            .map_err(|_| E::custom("points must not be negative"))
            .and_then(|v| self.visit_u64(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ItemMark, E> {
        if v.eq_ignore_ascii_case("na") {
            Ok(ItemMark::NotApplicable)
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
}

impl<'de> Deserialize<'de> for ItemMark {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ItemMark, D::Error> {
        d.deserialize_any(ItemMarkVisitor)
    }
}

/// What a judge enters on one sheet: item key → mark, free-text key → text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetMarks {
    #[serde(default)]
    pub items: BTreeMap<String, ItemMark>,
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
}

/// One problem on a sheet.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[error("{field}: {code} ({detail})")]
pub struct SheetError {
    /// `items.<key>` or `texts.<key>`.
    pub field: String,
    /// `sheet-missing-item`, `sheet-unknown-item`, `sheet-value-not-allowed`,
    /// `sheet-na-not-allowed`, `sheet-text-required`, `sheet-text-too-long` or
    /// `sheet-unknown-text`.
    pub code: &'static str,
    /// English detail, e.g. `allowed: 0, 2`.
    pub detail: String,
}

impl SheetError {
    fn new(list: &str, key: &str, code: &'static str, detail: String) -> SheetError {
        SheetError {
            field: format!("{list}.{key}"),
            code,
            detail,
        }
    }
}

/// Every problem on a sheet, items first.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
pub struct SheetErrors(pub Vec<SheetError>);

impl SheetErrors {
    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(|e| e.code).collect()
    }
}

impl fmt::Display for SheetErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        join(f, &self.0)
    }
}

/// One section's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionScore {
    pub key: String,
    /// Hundredths of a point, after section effects.
    pub earned: u64,
    /// Points, after N/A removal.
    pub max: u32,
    /// The section effect applied, if a critical item of this section failed.
    pub capped: Option<CriticalEffect>,
}

/// One item's value, for showing which descriptor a mark matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemScore {
    pub key: String,
    /// Hundredths of a point; `None` = N/A.
    pub value: Option<u32>,
    /// Index into the item's bands when the value is a whole mark inside a band.
    pub band: Option<usize>,
    pub critical_failed: bool,
}

/// The result of a sheet (or of aggregated values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetScore {
    /// Hundredths of a point, after critical effects. Under a total effect it may be less
    /// than the sum of the sections.
    pub earned: u64,
    /// Points, after N/A removal.
    pub applicable_max: u32,
    /// Out of 100: `earned / applicable_max × 100`, half-up to hundredths; 0 when every
    /// item was removed as N/A.
    pub total: Score,
    pub sections: Vec<SectionScore>,
    /// In sheet order.
    pub items: Vec<ItemScore>,
    /// Keys of items marked below their `fail_below`.
    pub critical_failures: Vec<String>,
    /// The total effect applied (`zero_total` or `cap_total`), if any.
    pub total_capped: Option<CriticalEffect>,
}

#[cfg(test)]
mod tests;
