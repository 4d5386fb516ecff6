//! Validated text fields shared by many entities.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a text field was refused. `code()` is stable and becomes a translation key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("must be at least {min} characters")]
    TooShort { min: usize },
    #[error("contains characters that are not allowed")]
    BadCharacters,
}

impl TextError {
    pub fn code(&self) -> &'static str {
        match self {
            TextError::Empty => "required",
            TextError::TooLong { .. } => "too-long",
            TextError::TooShort { .. } => "too-short",
            TextError::BadCharacters => "bad-characters",
        }
    }

    /// The limit that was crossed, for messages that quote it.
    pub fn limit(&self) -> Option<usize> {
        match self {
            TextError::TooLong { max } => Some(*max),
            TextError::TooShort { min } => Some(*min),
            _ => None,
        }
    }
}

/// Trims `raw` and checks it is non-empty, at most `max` characters (not bytes: Chinese text
/// counts per character) and free of control characters.
pub fn clean(raw: &str, max: usize) -> Result<String, TextError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(TextError::Empty);
    }
    if s.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(TextError::BadCharacters);
    }
    Ok(s.to_string())
}

/// Like [`clean`], but an empty or blank value means "not given".
pub fn clean_optional(raw: &str, max: usize) -> Result<Option<String>, TextError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        clean(raw, max).map(Some)
    }
}

/// A short identifier typed by people (department code, window code, employee number):
/// letters, digits, `-` and `_`, at most 32 characters, compared case-sensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

impl Code {
    pub const MAX: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let s = clean(raw, Self::MAX)?;
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(TextError::BadCharacters);
        }
        Ok(Code(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Code {
    type Error = TextError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Code::parse(&value)
    }
}

impl From<Code> for String {
    fn from(c: Code) -> String {
        c.0
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_trims_and_counts_characters_not_bytes() {
        assert_eq!(clean("  张三 ", 2), Ok("张三".to_string()));
        assert_eq!(clean("张三丰", 2), Err(TextError::TooLong { max: 2 }));
        assert_eq!(clean("   ", 2), Err(TextError::Empty));
        assert_eq!(clean("a\u{7}b", 5), Err(TextError::BadCharacters));
        assert_eq!(clean_optional("  ", 5), Ok(None));
    }

    #[test]
    fn codes_accept_only_plain_identifiers() {
        assert!(Code::parse("E-0001_a").is_ok());
        assert_eq!(Code::parse("E 01"), Err(TextError::BadCharacters));
        assert_eq!(Code::parse("工号"), Err(TextError::BadCharacters));
        assert_eq!(
            Code::parse(&"x".repeat(33)),
            Err(TextError::TooLong { max: 32 })
        );
    }
}
