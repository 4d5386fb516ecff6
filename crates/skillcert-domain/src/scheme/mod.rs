//! Certification schemes as data: components and weights, pass line, level bands, panel
//! trimming, retake ladders and certificate rules.
//!
//! A company's rules differ from one document to the next (seed-rules §4–5), so they live
//! in TOML documents rather than code. [`Scheme::parse_toml`] validates a document once and
//! collects every problem; [`Scheme::evaluate`] then turns component inputs into a total,
//! a verdict and an explanation, with integer arithmetic only.
//!
//! Arithmetic, in the order it happens:
//! 1. a panel component's score is the mean of its kept marks (see [`panel`]);
//! 2. every component score is rounded half-up to the scheme's decimals — the value shown
//!    is the value used;
//! 3. the total is the exact weighted sum of those shown scores, rounded half-up once;
//! 4. pass and level compare the rounded total (so 59.995 at 2 decimals is 60.00 and
//!    passes a line of 60); the level is the highest band whose minimum is ≤ the total.

mod document;
mod evaluate;
pub mod ladder;
pub mod panel;
pub mod presets;
mod score;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use document::{
    Band, BandDocument, CertificateDocument, CertificatePolicy, Component, ComponentDocument,
    LABEL_MAX, NumberFormat, NumberFormatError, NumberText, PanelDocument, Prerequisites,
    RESERVED_COMPONENT_KEYS, Rounding, RoundingMode, Scheme, SchemeDocument, SchemeError,
    SchemeErrorKind, SchemeErrors, SourceKind,
};
pub use evaluate::{
    ComponentResult, Evaluation, Input, InputError, InputErrors, Inputs, Line, PanelDetail, Status,
    Verdict,
};
pub use ladder::{HrProcedure, RetakeLadder, Step};
pub use panel::{
    DropReason, DroppedMark, ItemPanelOutcome, Mark, PanelError, PanelOutcome, PanelPolicy, Trim,
    trim, trim_per_item,
};
pub use score::{ExactPoints, NumberError, Score, Weight};

/// The two languages every label carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

/// A name shown to people, in both languages, because staff read Chinese while some
/// auditors and integrators read English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
    pub en: String,
}

impl Labels {
    pub fn new(zh_cn: &str, en: &str) -> Labels {
        Labels {
            zh_cn: zh_cn.to_string(),
            en: en.to_string(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.zh_cn,
            Lang::En => &self.en,
        }
    }
}

/// Longest key accepted for schemes, components, bands and steps.
pub const KEY_MAX: usize = 64;

/// Keys become CSV column names, URL segments and translation keys, so they are limited to
/// lowercase ASCII letters, digits, `-` and `_`, starting with a letter.
pub fn is_valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    key.len() <= KEY_MAX
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}
