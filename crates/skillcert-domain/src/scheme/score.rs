//! Exact decimal numbers for scores and weights.
//!
//! Scores are kept as integer hundredths and weights as basis points so that every sum,
//! mean and rounding is exact: a pass line of 60 must never be missed by a binary-float
//! `59.999999`.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// Why a typed number was refused. `code()` is stable and becomes a translation key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum NumberError {
    #[error("must not be empty")]
    Empty,
    #[error("is not a number such as 85 or 85.5")]
    NotANumber,
    #[error("must not be negative")]
    Negative,
    #[error("has more than 2 decimals")]
    TooManyDecimals,
    #[error("must be at most 100")]
    AboveMax,
}

impl NumberError {
    pub fn code(self) -> &'static str {
        match self {
            NumberError::Empty => "required",
            NumberError::NotANumber => "not-a-number",
            NumberError::Negative => "negative",
            NumberError::TooManyDecimals => "too-many-decimals",
            NumberError::AboveMax => "above-100",
        }
    }

    /// True when the text was a number but outside 0–100, so callers can name the range.
    pub fn is_out_of_range(self) -> bool {
        matches!(self, NumberError::Negative | NumberError::AboveMax)
    }
}

/// Parses `"85"`, `"85.5"` or `"85.25"` into hundredths, refusing anything above 100.
///
/// Exponents, signs other than a leading `-`, and a bare `.` are refused because people
/// type scores, and a lenient parser would hide typing mistakes.
fn parse_hundredths(raw: &str) -> Result<u16, NumberError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(NumberError::Empty);
    }
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(NumberError::NotANumber);
    }
    let frac = frac.unwrap_or("");
    let all_zero = int.bytes().chain(frac.bytes()).all(|b| b == b'0');
    if negative && !all_zero {
        return Err(NumberError::Negative);
    }
    if frac.len() > 2 {
        return Err(NumberError::TooManyDecimals);
    }
    let int = int.trim_start_matches('0');
    if int.len() > 3 {
        return Err(NumberError::AboveMax);
    }
    let mut value: u32 = 0;
    for b in int.bytes() {
        value = value * 10 + u32::from(b - b'0');
    }
    let mut cents: u32 = 0;
    for (i, b) in frac.bytes().enumerate() {
        cents += u32::from(b - b'0') * if i == 0 { 10 } else { 1 };
    }
    let total = value * 100 + cents;
    u16::try_from(total)
        .ok()
        .filter(|t| *t <= 10_000)
        .ok_or(NumberError::AboveMax)
}

/// Rounds `num / den` half-up; `den` must be positive and both are non-negative here.
pub(crate) fn round_half_up(num: u128, den: u128) -> u128 {
    (2 * num + den) / (2 * den)
}

/// Hundredths as text with the trailing zeros of the decimals dropped ("85", "85.5").
/// Takes a `u32` because sums of weights may exceed 100%.
pub(crate) fn natural_text(hundredths: u32) -> String {
    let (int, frac) = (hundredths / 100, hundredths % 100);
    match frac {
        0 => format!("{int}"),
        _ if frac.is_multiple_of(10) => format!("{int}.{}", frac / 10),
        _ => format!("{int}.{frac:02}"),
    }
}

/// A score between 0 and 100 with at most two decimals, held as hundredths.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(u16);

impl Score {
    pub const ZERO: Score = Score(0);
    pub const MAX: Score = Score(10_000);

    /// Parses a score typed by a person or read from a file.
    pub fn parse(raw: &str) -> Result<Score, NumberError> {
        parse_hundredths(raw).map(Score)
    }

    pub fn from_hundredths(hundredths: u32) -> Result<Score, NumberError> {
        u16::try_from(hundredths)
            .ok()
            .filter(|h| *h <= 10_000)
            .map(Score)
            .ok_or(NumberError::AboveMax)
    }

    /// A whole-point score; values above 100 are clamped because callers use this for
    /// literals and bounds, never for user input.
    pub const fn points(points: u8) -> Score {
        let p = if points > 100 { 100 } else { points };
        Score(p as u16 * 100)
    }

    pub fn hundredths(self) -> u32 {
        u32::from(self.0)
    }

    /// Rounds half-up to `decimals` (0, 1 or 2): the value shown is the value used.
    pub fn round_to(self, decimals: u8) -> Score {
        let unit = unit_of(decimals);
        let rounded = round_half_up(u128::from(self.0), unit) * unit;
        // 10 000 is a multiple of every unit, so rounding never leaves the range.
        Score(u16::try_from(rounded).unwrap_or(10_000))
    }

    /// Formats with exactly `decimals` decimals (rounding half-up first), as written to
    /// CSV so that a column lines up and matches the scheme.
    pub fn fixed(self, decimals: u8) -> String {
        let h = self.round_to(decimals).hundredths();
        let (int, frac) = (h / 100, h % 100);
        match decimals.min(2) {
            0 => format!("{int}"),
            1 => format!("{int}.{}", frac / 10),
            _ => format!("{int}.{frac:02}"),
        }
    }
}

/// Hundredths per step of the last kept decimal.
fn unit_of(decimals: u8) -> u128 {
    match decimals {
        0 => 100,
        1 => 10,
        _ => 1,
    }
}

/// Shows the shortest exact form: `85`, `85.5`, `85.25`.
impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&natural_text(self.hundredths()))
    }
}

/// A component's share of the total in basis points (1/100 of a percent), written in
/// documents as a percentage such as `40` or `12.5`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weight(u16);

impl Weight {
    pub const FULL: Weight = Weight(10_000);

    /// Parses a percentage between 0 and 100 with at most two decimals.
    pub fn parse_percent(raw: &str) -> Result<Weight, NumberError> {
        parse_hundredths(raw).map(Weight)
    }

    pub fn from_basis_points(bp: u32) -> Result<Weight, NumberError> {
        u16::try_from(bp)
            .ok()
            .filter(|b| *b <= 10_000)
            .map(Weight)
            .ok_or(NumberError::AboveMax)
    }

    pub const fn percent(percent: u8) -> Weight {
        let p = if percent > 100 { 100 } else { percent };
        Weight(p as u16 * 100)
    }

    pub fn basis_points(self) -> u32 {
        u32::from(self.0)
    }
}

/// Shows the percentage with its sign: `40%`, `12.5%`.
impl fmt::Display for Weight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", natural_text(self.basis_points()))
    }
}

/// An exact weighted value in millionths of a point: a score in hundredths times a weight
/// in basis points needs six decimals, and keeping all of them is what lets the total be
/// rounded once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExactPoints(u64);

impl ExactPoints {
    pub const fn from_millionths(millionths: u64) -> ExactPoints {
        ExactPoints(millionths)
    }

    /// The exact contribution of `score` at `weight`.
    pub fn weighted(score: Score, weight: Weight) -> ExactPoints {
        ExactPoints(u64::from(score.hundredths()) * u64::from(weight.basis_points()))
    }

    pub fn millionths(self) -> u64 {
        self.0
    }

    /// Rounds half-up to `decimals`; values above 100 (impossible for a weighted mean of
    /// scores) saturate at 100 rather than wrap.
    pub fn round_to(self, decimals: u8) -> Score {
        let unit = unit_of(decimals);
        let hundredths = round_half_up(u128::from(self.0), 10_000 * unit) * unit;
        Score(u16::try_from(hundredths.min(10_000)).unwrap_or(10_000))
    }
}

impl std::ops::Add for ExactPoints {
    type Output = ExactPoints;
    fn add(self, rhs: ExactPoints) -> ExactPoints {
        ExactPoints(self.0 + rhs.0)
    }
}

impl std::iter::Sum for ExactPoints {
    fn sum<I: Iterator<Item = ExactPoints>>(iter: I) -> ExactPoints {
        iter.fold(ExactPoints(0), |a, b| a + b)
    }
}

/// Shows every significant decimal and no trailing zeros: `34.1`, `51.96`, `0.005`.
impl fmt::Display for ExactPoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (int, frac) = (self.0 / 1_000_000, self.0 % 1_000_000);
        if frac == 0 {
            return write!(f, "{int}");
        }
        let digits = format!("{frac:06}");
        write!(f, "{int}.{}", digits.trim_end_matches('0'))
    }
}

/// Serialises whole values as integers and others as the float whose shortest form is the
/// exact decimal, so TOML and JSON show `40` and `85.25`, never `85.2500001`.
fn serialize_hundredths<S: Serializer>(h: u32, s: S) -> Result<S::Ok, S::Error> {
    if h.is_multiple_of(100) {
        s.serialize_u32(h / 100)
    } else {
        s.serialize_f64(f64::from(h) / 100.0)
    }
}

impl Serialize for Score {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_hundredths(self.hundredths(), s)
    }
}

impl Serialize for Weight {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_hundredths(self.basis_points(), s)
    }
}

/// Reads a number written as an integer, a float or a string into its decimal text, so
/// that one parser with one set of errors handles every format.
struct DecimalText;

impl Visitor<'_> for DecimalText {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number such as 85 or 85.5")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    // Rust prints the shortest text that reads back as the same float, which is the
    // decimal the author wrote whenever it has few enough digits to matter here.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(format!("{v}"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
}

pub(crate) fn deserialize_decimal_text<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<String, D::Error> {
    d.deserialize_any(DecimalText)
}

/// Serialised as its exact decimal text: six decimals do not survive a float.
impl Serialize for ExactPoints {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Score, D::Error> {
        let text = deserialize_decimal_text(d)?;
        Score::parse(&text).map_err(|e| de::Error::custom(format!("score {text:?} {e}")))
    }
}

impl<'de> Deserialize<'de> for Weight {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Weight, D::Error> {
        let text = deserialize_decimal_text(d)?;
        Weight::parse_percent(&text).map_err(|e| de::Error::custom(format!("weight {text:?} {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(raw: &str) -> Result<u32, NumberError> {
        Score::parse(raw).map(Score::hundredths)
    }

    #[test]
    fn parses_up_to_two_decimals() {
        assert_eq!(h("85"), Ok(8500));
        assert_eq!(h("85.5"), Ok(8550));
        assert_eq!(h("85.25"), Ok(8525));
        assert_eq!(h(" 085.05 "), Ok(8505));
        assert_eq!(h("0"), Ok(0));
        assert_eq!(h("100"), Ok(10_000));
        assert_eq!(h("100.00"), Ok(10_000));
        assert_eq!(h("-0"), Ok(0));
    }

    #[test]
    fn refuses_bad_numbers_with_typed_errors() {
        assert_eq!(h(""), Err(NumberError::Empty));
        assert_eq!(h("85.255"), Err(NumberError::TooManyDecimals));
        assert_eq!(h("-1"), Err(NumberError::Negative));
        assert_eq!(h("-0.5"), Err(NumberError::Negative));
        assert_eq!(h("100.01"), Err(NumberError::AboveMax));
        assert_eq!(h("99999999999999999999"), Err(NumberError::AboveMax));
        for bad in ["abc", "8 5", "85.", ".5", "+5", "1e2", "85,5", "NaN", "--1"] {
            assert_eq!(h(bad), Err(NumberError::NotANumber), "{bad}");
        }
        assert_eq!(Score::from_hundredths(10_001), Err(NumberError::AboveMax));
    }

    #[test]
    fn displays_naturally_and_fixed() {
        assert_eq!(Score::points(85).to_string(), "85");
        assert_eq!(Score(8550).to_string(), "85.5");
        assert_eq!(Score(8525).to_string(), "85.25");
        assert_eq!(Score(8505).to_string(), "85.05");
        assert_eq!(Score(8525).fixed(2), "85.25");
        assert_eq!(Score(8500).fixed(2), "85.00");
        assert_eq!(Score(8525).fixed(1), "85.3");
        assert_eq!(Score(8549).fixed(0), "85");
        assert_eq!(Score(8550).fixed(0), "86");
        assert_eq!(Weight(1250).to_string(), "12.5%");
        assert_eq!(ExactPoints(34_100_000).to_string(), "34.1");
        assert_eq!(ExactPoints(5_000).to_string(), "0.005");
    }

    #[test]
    fn exact_points_round_half_up_once() {
        assert_eq!(ExactPoints(5_000).round_to(2), Score(1));
        assert_eq!(ExactPoints(4_999).round_to(2), Score(0));
        assert_eq!(ExactPoints(84_500_000).round_to(0), Score(8500));
        assert_eq!(ExactPoints(84_499_999).round_to(0), Score(8400));
        assert_eq!(ExactPoints(100_000_000).round_to(0), Score::MAX);
    }

    #[test]
    fn serde_reads_ints_floats_and_text_exactly() -> Result<(), serde_json::Error> {
        let s: Vec<Score> = serde_json::from_str(r#"[85, 85.25, "85.5", 0.1]"#)?;
        assert_eq!(s, vec![Score(8500), Score(8525), Score(8550), Score(10)]);
        assert_eq!(serde_json::to_string(&s)?, "[85,85.25,85.5,0.1]");
        assert!(serde_json::from_str::<Score>("85.255").is_err());
        assert!(serde_json::from_str::<Score>("-1").is_err());
        let w: Weight = serde_json::from_str("12.5")?;
        assert_eq!(w.basis_points(), 1250);
        Ok(())
    }
}
