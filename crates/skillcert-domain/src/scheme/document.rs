//! The scheme document (what authors write) and the validated [`Scheme`] built from it.
//!
//! The document keeps numbers as text so that every bad value becomes a collected error
//! naming its field, instead of one deserialisation error that hides the others.

use std::collections::HashSet;
use std::fmt;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use super::ladder::{RetakeLadder, Step};
use super::panel::{PanelPolicy, Trim};
use super::score::{deserialize_decimal_text, natural_text};
use super::{Labels, NumberError, Score, Weight, is_valid_key};
use crate::text::{TextError, clean};

/// Longest label, in characters.
pub const LABEL_MAX: usize = 100;

/// Column names of the evaluation CSV (issue 3, item 5); a component with one of these
/// keys would make that file ambiguous.
pub const RESERVED_COMPONENT_KEYS: [&str; 7] = [
    "employee_no",
    "attempt",
    "total",
    "passed",
    "level",
    "consequence",
    "hold",
];

/// A number as written in a document (`60`, `12.5` or `"85.25"`), kept as decimal text
/// until validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberText(pub String);

impl From<Score> for NumberText {
    fn from(s: Score) -> NumberText {
        NumberText(s.to_string())
    }
}

impl From<Weight> for NumberText {
    fn from(w: Weight) -> NumberText {
        NumberText(natural_text(w.basis_points()))
    }
}

impl Serialize for NumberText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match Score::parse(&self.0) {
            Ok(score) => score.serialize(s),
            Err(_) => s.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for NumberText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<NumberText, D::Error> {
        deserialize_decimal_text(d).map(NumberText)
    }
}

/// Where a component's score comes from; decides what input evaluation expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Exam,
    /// Marks from several judges, combined by the component's [`PanelPolicy`].
    Panel,
    Attendance,
    /// Daily performance: inspections, homework, mentor evaluation.
    Daily,
    /// A metric computed elsewhere (satisfaction surveys, spot checks).
    Imported,
}

impl SourceKind {
    pub fn key(self) -> &'static str {
        match self {
            SourceKind::Exam => "exam",
            SourceKind::Panel => "panel",
            SourceKind::Attendance => "attendance",
            SourceKind::Daily => "daily",
            SourceKind::Imported => "imported",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RoundingMode {
    /// The rule Chinese staff learn at school (四舍五入); the only one the seeds use.
    #[default]
    #[serde(rename = "half-up")]
    HalfUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rounding {
    /// 0, 1 or 2: scores are exact to hundredths, so more decimals would claim precision
    /// the inputs do not have.
    #[serde(default = "two")]
    pub decimals: u8,
    #[serde(default)]
    pub mode: RoundingMode,
}

fn two() -> u8 {
    2
}

impl Default for Rounding {
    fn default() -> Rounding {
        Rounding {
            decimals: 2,
            mode: RoundingMode::HalfUp,
        }
    }
}

/// What must be true before someone may sit the assessment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prerequisites {
    #[serde(default)]
    pub training_hours: u32,
    /// Keys of training plans that must be completed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub completed_plans: Vec<String>,
    /// A band of this scheme already held, "or above" (S1: senior requires intermediate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_held: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelDocument {
    pub min_marks: u32,
    #[serde(default)]
    pub drop_highest: u32,
    #[serde(default)]
    pub drop_lowest: u32,
    #[serde(default)]
    pub trim: Trim,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub divergence_tolerance: Option<NumberText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentDocument {
    pub key: String,
    pub labels: Labels,
    /// Percentage of the total.
    pub weight: NumberText,
    pub source: SourceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel: Option<PanelDocument>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandDocument {
    pub key: String,
    pub labels: Labels,
    /// Inclusive minimum of the rounded total.
    pub min: NumberText,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateDocument {
    pub validity_months: u32,
    #[serde(default)]
    pub reevaluation_lead_months: u32,
    pub number_format: String,
}

/// A scheme as authored, before validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemeDocument {
    pub key: String,
    /// Results record it, so a stored result can always be re-explained.
    pub version: u32,
    pub labels: Labels,
    pub pass_line: NumberText,
    #[serde(default)]
    pub rounding: Rounding,
    #[serde(default)]
    pub prerequisites: Prerequisites,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateDocument>,
    pub components: Vec<ComponentDocument>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<BandDocument>,
    /// Steps for the 1st, 2nd, … failure.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ladder: Vec<Step>,
}

/// A validated component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub key: String,
    pub labels: Labels,
    pub weight: Weight,
    pub source: SourceKind,
    /// `Some` exactly when `source` is [`SourceKind::Panel`]; a panel without a policy in
    /// its document gets [`PanelPolicy::plain`].
    pub panel: Option<PanelPolicy>,
}

/// A validated level band.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    pub key: String,
    pub labels: Labels,
    pub min: Score,
}

/// Why a certificate number template was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NumberFormatError {
    #[error("has no {{seq}} placeholder, so numbers would repeat")]
    NoSequence,
    #[error("uses {{{0}}} more than once")]
    Repeated(&'static str),
    #[error("has an unknown placeholder {{{0}}}")]
    UnknownPlaceholder(String),
    #[error("has a {{ without a closing }}")]
    Unclosed,
    #[error("may only contain ASCII letters, digits, - and _ outside placeholders")]
    BadCharacter,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Year,
    /// Zero-padded to at least `width` digits; longer sequences are never truncated.
    Seq {
        width: usize,
    },
}

/// A certificate number template such as `CS{year}{seq:03}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFormat {
    source: String,
    pieces: Vec<Piece>,
}

impl NumberFormat {
    pub fn parse(raw: &str) -> Result<NumberFormat, NumberFormatError> {
        let mut pieces = Vec::new();
        let mut rest = raw;
        while !rest.is_empty() {
            match rest.find('{') {
                Some(0) => {
                    let close = rest.find('}').ok_or(NumberFormatError::Unclosed)?;
                    let name = &rest[1..close];
                    let piece = match name {
                        "year" => Piece::Year,
                        "seq" => Piece::Seq { width: 0 },
                        _ => match name.strip_prefix("seq:0").map(str::parse::<usize>) {
                            Some(Ok(width)) if (1..=9).contains(&width) => Piece::Seq { width },
                            _ => return Err(NumberFormatError::UnknownPlaceholder(name.into())),
                        },
                    };
                    pieces.push(piece);
                    rest = &rest[close + 1..];
                }
                found => {
                    let end = found.unwrap_or(rest.len());
                    let text = &rest[..end];
                    if !text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    {
                        return Err(NumberFormatError::BadCharacter);
                    }
                    pieces.push(Piece::Text(text.to_string()));
                    rest = &rest[end..];
                }
            }
        }
        let seqs = pieces
            .iter()
            .filter(|p| matches!(p, Piece::Seq { .. }))
            .count();
        let years = pieces.iter().filter(|p| matches!(p, Piece::Year)).count();
        match (seqs, years) {
            (0, _) => Err(NumberFormatError::NoSequence),
            (2.., _) => Err(NumberFormatError::Repeated("seq")),
            (_, 2..) => Err(NumberFormatError::Repeated("year")),
            _ => Ok(NumberFormat {
                source: raw.to_string(),
                pieces,
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The number of the `seq`-th certificate of `year`: `CS{year}{seq:03}` → `CS2024001`.
    pub fn format(&self, year: i32, seq: u32) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Year => year.to_string(),
                Piece::Seq { width } => format!("{seq:0width$}"),
            })
            .collect()
    }
}

/// How long a certificate is valid and when re-evaluation is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificatePolicy {
    pub validity_months: u32,
    pub reevaluation_lead_months: u32,
    pub number_format: NumberFormat,
}

impl CertificatePolicy {
    /// `None` only past the end of chrono's calendar.
    pub fn valid_until(&self, issued: NaiveDate) -> Option<NaiveDate> {
        issued.checked_add_months(Months::new(self.validity_months))
    }

    /// The day re-evaluation is due: the lead time before expiry (S1: 1 month).
    pub fn reevaluation_due(&self, issued: NaiveDate) -> Option<NaiveDate> {
        self.valid_until(issued)?
            .checked_sub_months(Months::new(self.reevaluation_lead_months))
    }
}

/// What was wrong with one field of a scheme document.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {kind}")]
pub struct SchemeError {
    /// Path in the document, 1-based in lists as authors count: `components[2].weight`.
    pub field: String,
    pub kind: SchemeErrorKind,
}

impl SchemeError {
    fn new(field: impl Into<String>, kind: SchemeErrorKind) -> SchemeError {
        SchemeError {
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
pub enum SchemeErrorKind {
    #[error("the document is not valid TOML for a scheme: {0}")]
    Syntax(String),
    #[error(transparent)]
    Text(#[from] TextError),
    #[error("must start with a lowercase letter and contain only a-z, 0-9, - and _")]
    BadKey,
    #[error("is reserved for a column of the evaluation file")]
    ReservedKey,
    #[error("must be 1 or more")]
    VersionZero,
    #[error(transparent)]
    Number(NumberError),
    #[error("the pass line must lie between 0 and 100")]
    PassOutOfRange,
    #[error("a band minimum must lie between 0 and 100")]
    BandOutOfRange,
    #[error("a weight must be above 0% and at most 100%")]
    WeightOutOfRange,
    #[error("the divergence tolerance must lie between 0 and 100")]
    ToleranceOutOfRange,
    #[error("weights add up to {}, they must add up to exactly 100%", percent_text(.basis_points))]
    WeightsNot100 { basis_points: u32 },
    #[error("a scheme needs at least one component")]
    NoComponents,
    #[error("is used by another component")]
    DuplicateComponent,
    #[error("is used by another band")]
    DuplicateBand,
    #[error("bands must be listed from the lowest minimum to the highest")]
    BandsUnsorted,
    #[error("two bands share the same minimum")]
    BandsOverlap,
    #[error("decimals must be 0, 1 or 2")]
    DecimalsOutOfRange,
    #[error("only a component whose source is panel may have a panel policy")]
    PanelPolicyNotPanel,
    #[error("min_marks ({min_marks}) must exceed the marks dropped ({drops})")]
    PanelTrimTooMany { min_marks: u32, drops: u32 },
    #[error("is used by another ladder step")]
    DuplicateStep,
    #[error("must be at most 100")]
    WithholdOutOfRange,
    #[error("must be at least 1 month")]
    ValidityZero,
    #[error("must be shorter than the validity period")]
    LeadTooLong,
    #[error("the certificate number format {0}")]
    NumberFormat(#[from] NumberFormatError),
    #[error("is not the key of a band of this scheme")]
    UnknownLevel,
}

impl SchemeErrorKind {
    pub fn code(&self) -> &'static str {
        use SchemeErrorKind as K;
        match self {
            K::Syntax(_) => "syntax",
            K::Text(t) => t.code(),
            K::BadKey => "bad-key",
            K::ReservedKey => "reserved-key",
            K::VersionZero => "version-zero",
            K::Number(n) => n.code(),
            K::PassOutOfRange => "pass-out-of-range",
            K::BandOutOfRange => "band-out-of-range",
            K::WeightOutOfRange => "weight-out-of-range",
            K::ToleranceOutOfRange => "tolerance-out-of-range",
            K::WeightsNot100 { .. } => "weights-not-100",
            K::NoComponents => "no-components",
            K::DuplicateComponent => "duplicate-component",
            K::DuplicateBand => "duplicate-band",
            K::BandsUnsorted => "bands-unsorted",
            K::BandsOverlap => "bands-overlap",
            K::DecimalsOutOfRange => "decimals-out-of-range",
            K::PanelPolicyNotPanel => "panel-policy-not-panel",
            K::PanelTrimTooMany { .. } => "panel-trim-too-many",
            K::DuplicateStep => "duplicate-step",
            K::WithholdOutOfRange => "withhold-out-of-range",
            K::ValidityZero => "validity-zero",
            K::LeadTooLong => "lead-too-long",
            K::NumberFormat(_) => "number-format",
            K::UnknownLevel => "unknown-level",
        }
    }
}

/// Every problem found in a document, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct SchemeErrors(pub Vec<SchemeError>);

impl SchemeErrors {
    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(SchemeError::code).collect()
    }
}

impl fmt::Display for SchemeErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// A validated certification scheme. Only [`Scheme::parse_toml`] and
/// [`Scheme::from_document`] build one, so every scheme in hand obeys the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    key: String,
    version: u32,
    labels: Labels,
    pass_line: Score,
    rounding: Rounding,
    prerequisites: Prerequisites,
    certificate: Option<CertificatePolicy>,
    components: Vec<Component>,
    bands: Vec<Band>,
    ladder: RetakeLadder,
}

/// Collects errors while walking a document.
#[derive(Default)]
struct Check(Vec<SchemeError>);

impl Check {
    fn push(&mut self, field: impl Into<String>, kind: SchemeErrorKind) {
        self.0.push(SchemeError::new(field, kind));
    }

    fn key(&mut self, field: &str, raw: &str) -> String {
        let key = raw.trim();
        if key.is_empty() {
            self.push(field, TextError::Empty.into());
        } else if !is_valid_key(key) {
            self.push(field, SchemeErrorKind::BadKey);
        }
        key.to_string()
    }

    fn labels(&mut self, field: &str, raw: &Labels) -> Labels {
        let mut one = |lang: &str, text: &str| match clean(text, LABEL_MAX) {
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

    /// Parses a 0–100 number, reporting a range error with the field's own kind.
    fn score(&mut self, field: &str, raw: &NumberText, range: SchemeErrorKind) -> Option<Score> {
        match Score::parse(&raw.0) {
            Ok(s) => Some(s),
            Err(e) => {
                self.push(
                    field,
                    if e.is_out_of_range() {
                        range
                    } else {
                        SchemeErrorKind::Number(e)
                    },
                );
                None
            }
        }
    }
}

fn at(list: &str, index: usize, field: &str) -> String {
    format!("{list}[{}].{field}", index + 1)
}

impl Scheme {
    /// Parses and validates a TOML scheme, reporting every problem at once.
    pub fn parse_toml(source: &str) -> Result<Scheme, SchemeErrors> {
        let doc: SchemeDocument = toml::from_str(source).map_err(|e| {
            SchemeErrors(vec![SchemeError::new(
                "document",
                SchemeErrorKind::Syntax(e.to_string().trim_end().to_string()),
            )])
        })?;
        Scheme::from_document(doc)
    }

    /// Validates a document built elsewhere (a form, a JSON body).
    pub fn from_document(doc: SchemeDocument) -> Result<Scheme, SchemeErrors> {
        let mut c = Check::default();
        let key = c.key("key", &doc.key);
        if doc.version == 0 {
            c.push("version", SchemeErrorKind::VersionZero);
        }
        let labels = c.labels("labels", &doc.labels);
        let pass_line = c
            .score("pass_line", &doc.pass_line, SchemeErrorKind::PassOutOfRange)
            .unwrap_or_default();
        if doc.rounding.decimals > 2 {
            c.push("rounding.decimals", SchemeErrorKind::DecimalsOutOfRange);
        }

        let components = check_components(&mut c, &doc.components);
        let bands = check_bands(&mut c, &doc.bands);
        let ladder = check_ladder(&mut c, &doc.ladder);
        let certificate = doc
            .certificate
            .as_ref()
            .and_then(|cert| check_certificate(&mut c, cert));

        let mut prerequisites = doc.prerequisites.clone();
        for (i, plan) in prerequisites.completed_plans.iter_mut().enumerate() {
            *plan = c.key(&format!("prerequisites.completed_plans[{}]", i + 1), plan);
        }
        if let Some(level) = &mut prerequisites.level_held {
            *level = level.trim().to_string();
            if !bands.iter().any(|b| b.key == *level) {
                c.push("prerequisites.level_held", SchemeErrorKind::UnknownLevel);
            }
        }

        if !c.0.is_empty() {
            return Err(SchemeErrors(c.0));
        }
        Ok(Scheme {
            key,
            version: doc.version,
            labels,
            pass_line,
            rounding: doc.rounding,
            prerequisites,
            certificate,
            components,
            bands,
            ladder,
        })
    }

    /// The document this scheme was built from (after trimming), for storage and editing.
    pub fn to_document(&self) -> SchemeDocument {
        SchemeDocument {
            key: self.key.clone(),
            version: self.version,
            labels: self.labels.clone(),
            pass_line: self.pass_line.into(),
            rounding: self.rounding,
            prerequisites: self.prerequisites.clone(),
            certificate: self.certificate.as_ref().map(|c| CertificateDocument {
                validity_months: c.validity_months,
                reevaluation_lead_months: c.reevaluation_lead_months,
                number_format: c.number_format.as_str().to_string(),
            }),
            components: self
                .components
                .iter()
                .map(|c| ComponentDocument {
                    key: c.key.clone(),
                    labels: c.labels.clone(),
                    weight: c.weight.into(),
                    source: c.source,
                    panel: c.panel.as_ref().map(|p| PanelDocument {
                        min_marks: p.min_marks,
                        drop_highest: p.drop_highest,
                        drop_lowest: p.drop_lowest,
                        trim: p.trim,
                        divergence_tolerance: p.divergence_tolerance.map(Into::into),
                    }),
                })
                .collect(),
            bands: self
                .bands
                .iter()
                .map(|b| BandDocument {
                    key: b.key.clone(),
                    labels: b.labels.clone(),
                    min: b.min.into(),
                })
                .collect(),
            ladder: self.ladder.steps().to_vec(),
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

    pub fn pass_line(&self) -> Score {
        self.pass_line
    }

    pub fn rounding(&self) -> Rounding {
        self.rounding
    }

    pub fn decimals(&self) -> u8 {
        self.rounding.decimals
    }

    pub fn prerequisites(&self) -> &Prerequisites {
        &self.prerequisites
    }

    pub fn certificate(&self) -> Option<&CertificatePolicy> {
        self.certificate.as_ref()
    }

    /// In document order, which is also the column order of evaluation output.
    pub fn components(&self) -> &[Component] {
        &self.components
    }

    pub fn component(&self, key: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.key == key)
    }

    /// From the lowest minimum to the highest.
    pub fn bands(&self) -> &[Band] {
        &self.bands
    }

    /// The highest band whose minimum is ≤ `total`, if any.
    pub fn level_for(&self, total: Score) -> Option<&Band> {
        self.bands.iter().rev().find(|b| b.min <= total)
    }

    pub fn ladder(&self) -> &RetakeLadder {
        &self.ladder
    }
}

fn check_components(c: &mut Check, docs: &[ComponentDocument]) -> Vec<Component> {
    if docs.is_empty() {
        c.push("components", SchemeErrorKind::NoComponents);
    }
    let mut seen = HashSet::new();
    let mut weights_ok = true;
    let mut components = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let key = c.key(&at("components", i, "key"), &d.key);
        if RESERVED_COMPONENT_KEYS.contains(&key.as_str()) {
            c.push(at("components", i, "key"), SchemeErrorKind::ReservedKey);
        } else if !key.is_empty() && !seen.insert(key.clone()) {
            c.push(
                at("components", i, "key"),
                SchemeErrorKind::DuplicateComponent,
            );
        }
        let labels = c.labels(&at("components", i, "labels"), &d.labels);
        let weight = match Weight::parse_percent(&d.weight.0) {
            Ok(w) if w.basis_points() > 0 => Some(w),
            Ok(_) => {
                c.push(
                    at("components", i, "weight"),
                    SchemeErrorKind::WeightOutOfRange,
                );
                None
            }
            Err(e) => {
                let kind = if e.is_out_of_range() {
                    SchemeErrorKind::WeightOutOfRange
                } else {
                    SchemeErrorKind::Number(e)
                };
                c.push(at("components", i, "weight"), kind);
                None
            }
        };
        weights_ok &= weight.is_some();
        let panel = match (&d.panel, d.source) {
            (Some(_), s) if s != SourceKind::Panel => {
                c.push(
                    at("components", i, "panel"),
                    SchemeErrorKind::PanelPolicyNotPanel,
                );
                None
            }
            (Some(p), _) => Some(check_panel(c, &at("components", i, "panel"), p)),
            (None, SourceKind::Panel) => Some(PanelPolicy::plain()),
            (None, _) => None,
        };
        components.push(Component {
            key,
            labels,
            weight: weight.unwrap_or_default(),
            source: d.source,
            panel,
        });
    }
    let sum: u32 = components.iter().map(|c| c.weight.basis_points()).sum();
    if weights_ok && !docs.is_empty() && sum != Weight::FULL.basis_points() {
        c.push(
            "components",
            SchemeErrorKind::WeightsNot100 { basis_points: sum },
        );
    }
    components
}

/// A basis-point sum as a percentage; sums above 100% do not fit a [`Weight`].
fn percent_text(basis_points: &u32) -> String {
    format!("{}%", natural_text(*basis_points))
}

fn check_panel(c: &mut Check, field: &str, p: &PanelDocument) -> PanelPolicy {
    let drops = p.drop_highest.saturating_add(p.drop_lowest);
    if p.min_marks <= drops {
        c.push(
            format!("{field}.min_marks"),
            SchemeErrorKind::PanelTrimTooMany {
                min_marks: p.min_marks,
                drops,
            },
        );
    }
    let divergence_tolerance = p.divergence_tolerance.as_ref().and_then(|t| {
        c.score(
            &format!("{field}.divergence_tolerance"),
            t,
            SchemeErrorKind::ToleranceOutOfRange,
        )
    });
    PanelPolicy {
        min_marks: p.min_marks,
        drop_highest: p.drop_highest,
        drop_lowest: p.drop_lowest,
        trim: p.trim,
        divergence_tolerance,
    }
}

fn check_bands(c: &mut Check, docs: &[BandDocument]) -> Vec<Band> {
    let mut seen = HashSet::new();
    let mut bands: Vec<Band> = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let key = c.key(&at("bands", i, "key"), &d.key);
        if !key.is_empty() && !seen.insert(key.clone()) {
            c.push(at("bands", i, "key"), SchemeErrorKind::DuplicateBand);
        }
        let labels = c.labels(&at("bands", i, "labels"), &d.labels);
        let Some(min) = c.score(
            &at("bands", i, "min"),
            &d.min,
            SchemeErrorKind::BandOutOfRange,
        ) else {
            continue;
        };
        if let Some(prev) = bands.last() {
            if min < prev.min {
                c.push(at("bands", i, "min"), SchemeErrorKind::BandsUnsorted);
            } else if min == prev.min {
                c.push(at("bands", i, "min"), SchemeErrorKind::BandsOverlap);
            }
        }
        bands.push(Band { key, labels, min });
    }
    bands
}

fn check_ladder(c: &mut Check, steps: &[Step]) -> RetakeLadder {
    let mut seen = HashSet::new();
    let mut checked = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let key = c.key(&at("ladder", i, "key"), &s.key);
        if !key.is_empty() && !seen.insert(key.clone()) {
            c.push(at("ladder", i, "key"), SchemeErrorKind::DuplicateStep);
        }
        let labels = c.labels(&at("ladder", i, "labels"), &s.labels);
        if s.withhold_pay_percent > 100 {
            c.push(
                at("ladder", i, "withhold_pay_percent"),
                SchemeErrorKind::WithholdOutOfRange,
            );
        }
        checked.push(Step {
            key,
            labels,
            ..s.clone()
        });
    }
    RetakeLadder::new(checked)
}

fn check_certificate(c: &mut Check, d: &CertificateDocument) -> Option<CertificatePolicy> {
    if d.validity_months == 0 {
        c.push("certificate.validity_months", SchemeErrorKind::ValidityZero);
    } else if d.reevaluation_lead_months >= d.validity_months {
        c.push(
            "certificate.reevaluation_lead_months",
            SchemeErrorKind::LeadTooLong,
        );
    }
    match NumberFormat::parse(d.number_format.trim()) {
        Ok(number_format) => Some(CertificatePolicy {
            validity_months: d.validity_months,
            reevaluation_lead_months: d.reevaluation_lead_months,
            number_format,
        }),
        Err(e) => {
            c.push("certificate.number_format", e.into());
            None
        }
    }
}

impl Serialize for Scheme {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_document().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Scheme {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scheme, D::Error> {
        let doc = SchemeDocument::deserialize(d)?;
        Scheme::from_document(doc).map_err(serde::de::Error::custom)
    }
}
