//! One row: cells → inputs → evaluation → output, or one message saying all that is wrong.

use std::io::Write;

use csv::ByteRecord;
use skillcert_domain::scheme::{Evaluation, Input, Inputs, Lang, Scheme, Score};

use super::layout::CellKind;
use super::{Config, Format, Pre};

/// The output header: `employee_no,attempt,<components in scheme order>,total,…`.
pub(crate) fn csv_header(scheme: &Scheme) -> csv::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_field("employee_no")?;
    w.write_field("attempt")?;
    for c in scheme.components() {
        w.write_field(&c.key)?;
    }
    for name in ["total", "passed", "level", "consequence", "hold"] {
        w.write_field(name)?;
    }
    w.write_record(None::<&[u8]>)?;
    w.into_inner().map_err(|e| e.into_error().into())
}

/// A whole number of 1 or more; `None` otherwise (including empty).
pub(crate) fn parse_attempt(raw: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(raw.trim_ascii()).ok()?;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u32>().ok().filter(|a| *a >= 1)
}

/// Parses one score; the error reads after the component's name.
///
/// The usual form (`85`, `85.5`, `85.25`) is read straight from the bytes, which at a
/// million rows of nine values is a visible share of the run; anything else goes through
/// [`Score::parse`], which stays the authority on what is accepted and why not.
fn parse_score(raw: &[u8]) -> Result<Score, String> {
    if let Some(score) = plain_score(raw.trim_ascii()) {
        return Ok(score);
    }
    let Ok(text) = std::str::from_utf8(raw) else {
        return Err("is not valid UTF-8".to_string());
    };
    let text = text.trim();
    if text.is_empty() {
        return Err("is missing".to_string());
    }
    Score::parse(text).map_err(|e| format!("{text:?} {e}"))
}

/// `d`, `dd` or `ddd`, optionally followed by `.d` or `.dd`, at most 100; `None` for
/// everything else, including what [`Score::parse`] would still accept.
fn plain_score(b: &[u8]) -> Option<Score> {
    let (int, frac) = match b.iter().position(|c| *c == b'.') {
        Some(dot) => (&b[..dot], &b[dot + 1..]),
        None => (b, &b""[..]),
    };
    let digits = |t: &[u8]| t.iter().all(u8::is_ascii_digit);
    if !(1..=3).contains(&int.len())
        || !digits(int)
        || frac.len() > 2
        || (frac.is_empty() && b.len() != int.len())
        || !digits(frac)
    {
        return None;
    }
    let value = |t: &[u8]| t.iter().fold(0u32, |v, c| v * 10 + u32::from(c - b'0'));
    let cents = match frac.len() {
        0 => 0,
        1 => value(frac) * 10,
        _ => value(frac),
    };
    Score::from_hundredths(value(int) * 100 + cents).ok()
}

/// Appends `n` in decimal; `write!` would go through the formatting machinery, which
/// is most of the cost of printing a number this small.
fn push_u32(buf: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// Writes `score` with exactly `decimals` decimals, like [`Score::fixed`] but into a
/// reused buffer, because a million rows would otherwise mean millions of small strings.
pub(crate) fn write_fixed(buf: &mut Vec<u8>, score: Score, decimals: u8) {
    let h = score.round_to(decimals).hundredths();
    let (int, frac) = (h / 100, h % 100);
    push_u32(buf, int);
    match decimals {
        0 => {}
        1 => buf.extend_from_slice(&[b'.', b'0' + (frac / 10) as u8]),
        _ => buf.extend_from_slice(&[b'.', b'0' + (frac / 10) as u8, b'0' + (frac % 10) as u8]),
    }
}

/// Turns rows into output, reusing one [`Inputs`] so that a valid row allocates only
/// inside the domain's `evaluate`.
pub(crate) struct RowEvaluator<'a> {
    config: &'a Config<'a>,
    inputs: Inputs,
    /// `(component key, column, kind)` for each entry of `inputs.values`, in the map's
    /// (sorted) order, so cells are stored in place without looking keys up.
    slots: Vec<(&'a str, usize, CellKind)>,
    problems: Vec<String>,
}

impl<'a> RowEvaluator<'a> {
    pub fn new(config: &'a Config<'a>) -> RowEvaluator<'a> {
        let mut inputs = Inputs::new();
        for (c, (_, kind)) in config
            .scheme
            .components()
            .iter()
            .zip(&config.layout.components)
        {
            inputs = match kind {
                CellKind::Score => inputs.score(&c.key, Score::ZERO),
                CellKind::Marks => inputs.marks(&c.key, Vec::new()),
                CellKind::ItemMarks => inputs.item_marks(&c.key, Vec::new()),
            };
        }
        let slots = inputs
            .values
            .keys()
            .filter_map(|key| {
                let i = config
                    .scheme
                    .components()
                    .iter()
                    .position(|c| c.key == *key)?;
                let (column, kind) = config.layout.components[i];
                Some((config.scheme.components()[i].key.as_str(), column, kind))
            })
            .collect();
        RowEvaluator {
            config,
            inputs,
            slots,
            problems: Vec::new(),
        }
    }

    /// `Ok(true)` when the row was written, `Ok(false)` when valid but not written (output
    /// no longer wanted), `Err` with a one-line message naming the line when bad.
    pub fn row(
        &mut self,
        record: &ByteRecord,
        pre: Pre,
        out: Option<&mut ChunkOutput>,
    ) -> Result<bool, String> {
        let layout = self.config.layout;
        let line = record.position().map_or(0, |p| p.line());
        if let Pre::Width(n) = pre {
            return Err(format!(
                "line {line}: {n} fields, but the header has {}",
                layout.width
            ));
        }
        self.problems.clear();
        let cell = |column: usize| record.get(column).unwrap_or_default();

        let employee = match std::str::from_utf8(cell(layout.employee_no).trim_ascii()) {
            Ok("") => {
                self.problems.push("employee_no: is missing".to_string());
                ""
            }
            Ok(e) => e,
            Err(_) => {
                self.problems
                    .push("employee_no: is not valid UTF-8".to_string());
                ""
            }
        };
        let raw_attempt = cell(layout.attempt);
        let attempt = parse_attempt(raw_attempt);
        match attempt {
            Some(a) => self.inputs.attempt = a,
            None if raw_attempt.trim_ascii().is_empty() => {
                self.problems.push("attempt: is missing".to_string());
            }
            None => self.problems.push(format!(
                "attempt: {:?} is not a whole number of 1 or more",
                String::from_utf8_lossy(raw_attempt.trim_ascii())
            )),
        }
        for ((key, column, kind), input) in self.slots.iter().zip(self.inputs.values.values_mut()) {
            fill(key, *kind, cell(*column), input, &mut self.problems);
        }
        if let Pre::Duplicate(first) = pre {
            self.problems.push(format!(
                "employee_no {employee:?} with attempt {} already appears on line {first}",
                attempt.unwrap_or_default()
            ));
        }
        if !self.problems.is_empty() {
            return Err(format!("line {line}: {}", self.problems.join("; ")));
        }
        let evaluation = self
            .config
            .scheme
            .evaluate(&self.inputs)
            .map_err(|e| format!("line {line}: {e}"))?;
        let Some(out) = out else {
            return Ok(false);
        };
        out.row(
            self.config,
            employee,
            attempt.unwrap_or_default(),
            &evaluation,
        );
        Ok(true)
    }
}

/// Stores one cell into its (reused) input, or records why it cannot be used.
fn fill(key: &str, kind: CellKind, cell: &[u8], input: &mut Input, problems: &mut Vec<String>) {
    let marks_of =
        |text: &[u8], sep: u8, into: &mut Vec<Score>, problems: &mut Vec<String>, item| {
            for (i, part) in text.split(|b| *b == sep).enumerate() {
                match parse_score(part) {
                    Ok(s) => into.push(s),
                    Err(e) => problems.push(match item {
                        None => format!("{key}: mark {} {e}", i + 1),
                        Some(judge) => format!("{key}: judge {judge} item {} {e}", i + 1),
                    }),
                }
            }
        };
    if cell.trim_ascii().is_empty() {
        problems.push(format!("{key}: is missing"));
        return;
    }
    match (kind, input) {
        (CellKind::Score, Input::Score(score)) => match parse_score(cell) {
            Ok(s) => *score = s,
            Err(e) => problems.push(format!("{key}: {e}")),
        },
        (CellKind::Marks, Input::Marks(marks)) => {
            marks.clear();
            marks_of(cell, b';', marks, problems, None);
        }
        (CellKind::ItemMarks, Input::ItemMarks(judges)) => {
            judges.clear();
            for (j, judge) in cell.split(|b| *b == b';').enumerate() {
                let mut items = Vec::new();
                marks_of(judge, b'/', &mut items, problems, Some(j + 1));
                judges.push(items);
            }
        }
        _ => problems.push(format!("{key}: internal error: input kind mismatch")),
    }
}

/// The output of one chunk, built by a worker and written by the writer thread as is.
pub(crate) enum ChunkOutput {
    Csv {
        /// Boxed: the writer's state is large and the enum is moved around per chunk.
        writer: Box<csv::Writer<Vec<u8>>>,
        scratch: Vec<u8>,
        error: Option<csv::Error>,
    },
    /// Every object starts with `,\n`; the writer drops the comma of the first one.
    Json(Vec<u8>),
}

impl ChunkOutput {
    /// `buffer` is an empty, possibly recycled, buffer to write into.
    pub fn new(format: Format, buffer: Vec<u8>) -> ChunkOutput {
        match format {
            Format::Csv => ChunkOutput::Csv {
                writer: Box::new(
                    csv::WriterBuilder::new()
                        .buffer_capacity(1 << 16)
                        .from_writer(buffer),
                ),
                scratch: Vec::with_capacity(32),
                error: None,
            },
            Format::Json => ChunkOutput::Json(buffer),
        }
    }

    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        match self {
            ChunkOutput::Csv {
                writer,
                error: Some(e),
                ..
            } => {
                drop(writer);
                Err(e)
            }
            ChunkOutput::Csv { writer, .. } => {
                writer.into_inner().map_err(|e| e.into_error().into())
            }
            ChunkOutput::Json(bytes) => Ok(bytes),
        }
    }

    fn row(&mut self, config: &Config<'_>, employee: &str, attempt: u32, ev: &Evaluation) {
        match self {
            ChunkOutput::Csv {
                writer,
                scratch,
                error,
            } => {
                if let Err(e) = csv_row(writer, scratch, config.scheme, employee, attempt, ev) {
                    error.get_or_insert(e);
                }
            }
            ChunkOutput::Json(bytes) => json_row(bytes, config, employee, attempt, ev),
        }
    }
}

fn csv_row(
    w: &mut csv::Writer<Vec<u8>>,
    scratch: &mut Vec<u8>,
    scheme: &Scheme,
    employee: &str,
    attempt: u32,
    ev: &Evaluation,
) -> csv::Result<()> {
    let decimals = scheme.decimals();
    w.write_field(employee)?;
    scratch.clear();
    push_u32(scratch, attempt);
    w.write_field(&scratch)?;
    for c in &ev.components {
        scratch.clear();
        if let Some(s) = c.score {
            write_fixed(scratch, s, decimals);
        }
        w.write_field(&scratch)?;
    }
    let verdict = ev.verdict();
    scratch.clear();
    if let Some(v) = verdict {
        write_fixed(scratch, v.total, decimals);
    }
    w.write_field(&scratch)?;
    w.write_field(bool_text(verdict.is_some_and(|v| v.passed)))?;
    w.write_field(ev.level().unwrap_or(""))?;
    w.write_field(ev.consequence().map_or("", |s| s.key.as_str()))?;
    w.write_field(bool_text(ev.hold))?;
    w.write_record(None::<&[u8]>)
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// One JSON object; scores are JSON numbers written with the scheme's decimals.
fn json_row(out: &mut Vec<u8>, config: &Config<'_>, employee: &str, attempt: u32, ev: &Evaluation) {
    let scheme = config.scheme;
    let decimals = scheme.decimals();
    // Writing into a Vec cannot fail, and keys are validated to need no escaping.
    let string = |out: &mut Vec<u8>, s: &str| {
        let _ = serde_json::to_writer(&mut *out, s);
    };
    let opt_string = |out: &mut Vec<u8>, s: Option<&str>| match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    };
    let number = |out: &mut Vec<u8>, s: Option<Score>| match s {
        Some(s) => write_fixed(out, s, decimals),
        None => out.extend_from_slice(b"null"),
    };
    out.extend_from_slice(b",\n{\"employee_no\":");
    string(out, employee);
    let _ = write!(out, ",\"attempt\":{attempt},\"components\":{{");
    for (i, c) in ev.components.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let _ = write!(out, "\"{}\":", c.key);
        number(out, c.score);
    }
    out.extend_from_slice(b"},\"total\":");
    number(out, ev.total());
    let _ = write!(
        out,
        ",\"passed\":{},\"level\":",
        ev.passed().unwrap_or(false)
    );
    opt_string(out, ev.level());
    out.extend_from_slice(b",\"consequence\":");
    opt_string(out, ev.consequence().map(|s| s.key.as_str()));
    let _ = write!(out, ",\"hold\":{},\"explanation\":{{", ev.hold);
    for (i, lang) in config.langs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(match lang {
            Lang::ZhCn => b"\"zh-CN\":",
            Lang::En => b"\"en\":",
        });
        let _ = serde_json::to_writer(&mut *out, &ev.explain(scheme, *lang));
    }
    out.extend_from_slice(b"}}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_score_path_agrees_with_the_domain_parser() {
        for raw in [
            "0", "7", "85", "85.5", "85.25", "100", "100.0", "100.00", "9.9", "085", " 85.5 ",
            "100.01", "101", "1000", "85.", ".5", "85.255", "-1", "-0", "8 5", "85,5", "", "abc",
            "1e2", "+5",
        ] {
            let fast = plain_score(raw.trim().as_bytes());
            let domain = Score::parse(raw).ok();
            if fast.is_some() {
                assert_eq!(fast, domain, "{raw:?}");
            }
            assert_eq!(parse_score(raw.as_bytes()).ok(), domain, "{raw:?}");
        }
        assert_eq!(plain_score(b"85.25"), Score::parse("85.25").ok());
    }

    #[test]
    fn numbers_are_written_with_the_schemes_decimals() {
        let text = |raw: &str, decimals| {
            let mut buf = Vec::new();
            if let Ok(s) = Score::parse(raw) {
                write_fixed(&mut buf, s, decimals);
            }
            String::from_utf8_lossy(&buf).into_owned()
        };
        assert_eq!(text("85.25", 2), "85.25");
        assert_eq!(text("85.25", 1), "85.3");
        assert_eq!(text("85.5", 0), "86");
        assert_eq!(text("0", 2), "0.00");
        assert_eq!(text("100", 2), "100.00");
        assert_eq!(text("7.05", 2), "7.05");
        let mut buf = Vec::new();
        push_u32(&mut buf, 0);
        buf.push(b' ');
        push_u32(&mut buf, u32::MAX);
        assert_eq!(buf, b"0 4294967295");
    }

    #[test]
    fn attempts_are_whole_numbers_from_one() {
        assert_eq!(parse_attempt(b" 3 "), Some(3));
        assert_eq!(parse_attempt(b"0"), None);
        assert_eq!(parse_attempt(b"+1"), None);
        assert_eq!(parse_attempt(b"1.0"), None);
        assert_eq!(parse_attempt(b""), None);
        assert_eq!(parse_attempt(b"99999999999"), None);
    }
}
