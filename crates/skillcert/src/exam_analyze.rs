//! `skillcert exam analyze`: item analysis of theory-exam responses from a CSV file.
//!
//! Like `evaluate` it needs no database: the statistics are
//! [`skillcert_domain::exam::analysis`]; this module only reads the file, reports bad rows
//! by line number and writes the result.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use csv::ByteRecord;
use skillcert_domain::exam::analysis::{self, Analysis, Response};

use crate::evaluate::EXIT_BAD_ROWS;

/// The contract of the command, shown by `skillcert exam analyze --help`.
const HELP: &str = "\
Input: CSV, UTF-8 with or without BOM, one row per candidate and question, header
candidate,question,score,max with an optional choice column, in any order (names are
case-insensitive). max is the question's points, the same on every row of a question;
0 <= score <= max. choice is what the candidate picked (A, or AC / A|C for several; each
distinct text is counted as one option). A candidate without a row for a question scores 0
on it in the totals; the question's own statistics use only the rows present.

JSON output: {candidates, alpha, kr20, mean, sd, sem, items: [{question, n, max, mean,
facility, item_rest_r, discrimination, options: [{choice, count, share}], flags}]}; a figure
that is undefined (e.g. alpha of a single question) is null. kr20 is true when every question
is scored 0 or its max, and alpha is then KR-20.

CSV output: one row per question: question,n,max,facility,item_rest_r,discrimination,flags
(flags separated by ';', undefined figures empty); the test-level figures go to stderr as
one line.

Flags: too_hard (facility < 0.2), too_easy (> 0.9), low_discrimination (item-rest r < 0.2),
negative_discrimination (r < 0), rare_option (an option picked by fewer than 5%).

Bad rows (unreadable number, score outside 0..max, max <= 0, a max that differs from the
question's first row, the same candidate and question twice, wrong number of fields) are
reported on stderr, one line per problem with its line number, and nothing is written.

Exit codes: 0 analysed; 2 bad rows or header; 1 the command could not run (unreadable
input, unwritable output).";

#[derive(Args, Debug)]
#[command(after_long_help = HELP)]
pub struct AnalyzeArgs {
    /// Input CSV with the header `candidate,question,score,max[,choice]`, or `-` for stdin.
    #[arg(long)]
    pub input: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Output file, or `-` for stdout.
    #[arg(long, default_value = "-")]
    pub output: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

/// The input columns, in the order of [`Layout`]'s fields.
const COLUMNS: [&str; 5] = ["candidate", "question", "score", "max", "choice"];
const REQUIRED: usize = 4;

/// Which column holds what, decided once from the header.
#[derive(Debug)]
struct Layout {
    width: usize,
    /// Column of each of [`COLUMNS`]; `choice` may be absent.
    columns: [Option<usize>; 5],
}

impl Layout {
    fn from_header(header: Option<&ByteRecord>) -> Result<Layout, Vec<String>> {
        let columns = crate::csv_header::columns(
            header,
            &COLUMNS,
            REQUIRED,
            "candidate,question,score,max[,choice]",
        )?;
        Ok(Layout {
            width: header.map_or(0, ByteRecord::len),
            columns,
        })
    }

    fn cell<'r>(&self, record: &'r ByteRecord, column: usize) -> Result<Option<&'r str>, String> {
        let Some(raw) = self.columns[column].and_then(|c| record.get(c)) else {
            return Ok(None);
        };
        std::str::from_utf8(raw)
            .map(|s| Some(s.trim()))
            .map_err(|_| format!("{} is not valid UTF-8", COLUMNS[column]))
    }

    /// One record as a response, or what is wrong with it.
    fn response(&self, record: &ByteRecord) -> Result<Response, String> {
        if record.len() != self.width {
            return Err(format!(
                "{} fields, but the header has {}",
                record.len(),
                self.width
            ));
        }
        let mut problems = Vec::new();
        let mut text = |column: usize| match self.cell(record, column) {
            Ok(v) => v.unwrap_or_default().to_string(),
            Err(e) => {
                problems.push(e);
                String::new()
            }
        };
        let candidate = text(0);
        let question = text(1);
        let score = text(2);
        let max = text(3);
        let choice = text(4);
        let mut number = |name: &str, raw: &str| {
            if raw.is_empty() {
                problems.push(format!("{name} is missing"));
                return 0.0;
            }
            raw.parse::<f64>().unwrap_or_else(|_| {
                problems.push(format!("{name} {raw:?} is not a number"));
                0.0
            })
        };
        let score = number("score", &score);
        let max = number("max", &max);
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        Ok(Response {
            candidate,
            question,
            score,
            max,
            choice: (!choice.is_empty()).then_some(choice),
        })
    }
}

/// Runs the command and returns the process exit code (0, or [`EXIT_BAD_ROWS`]);
/// an `Err` means the command could not run (unreadable input, unwritable output).
pub fn run(args: &AnalyzeArgs) -> Result<i32> {
    let mut bytes = Vec::new();
    if args.input == "-" {
        io::stdin()
            .read_to_end(&mut bytes)
            .context("reading the input from stdin")?;
    } else {
        bytes = std::fs::read(&args.input)
            .with_context(|| format!("reading the input file {}", args.input))?;
    }
    let analysis = match read_and_analyze(&bytes)? {
        Ok(analysis) => analysis,
        Err(messages) => {
            let mut err = io::stderr().lock();
            for m in &messages {
                writeln!(err, "{m}")?;
            }
            return Ok(EXIT_BAD_ROWS);
        }
    };
    let output = match args.format {
        Format::Json => {
            let mut out = serde_json::to_vec_pretty(&analysis).context("formatting the output")?;
            out.push(b'\n');
            out
        }
        Format::Csv => {
            writeln!(io::stderr().lock(), "{}", summary(&analysis))?;
            items_csv(&analysis).context("formatting the output")?
        }
    };
    write_output(&args.output, &output)?;
    Ok(0)
}

/// The analysis, or the lines to print on stderr when the header or some rows are bad.
fn read_and_analyze(bytes: &[u8]) -> Result<Result<Analysis, Vec<String>>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut header = ByteRecord::new();
    let has_header = reader
        .read_byte_record(&mut header)
        .context("reading the input header")?;
    let layout = match Layout::from_header(has_header.then_some(&header)) {
        Ok(layout) => layout,
        Err(problems) => {
            let mut lines: Vec<String> = problems.iter().map(|p| format!("line 1: {p}")).collect();
            lines
                .push("the header is wrong: nothing was analysed and no output was written".into());
            return Ok(Err(lines));
        }
    };

    // (line, message) of every problem; rows with an unreadable cell stay out of `responses`.
    let mut problems: Vec<(u64, String)> = Vec::new();
    let mut responses = Vec::new();
    let mut lines = Vec::new();
    let mut rows = 0u64;
    let mut record = ByteRecord::new();
    while reader
        .read_byte_record(&mut record)
        .context("reading the input")?
    {
        rows += 1;
        let line = record.position().map_or(0, |p| p.line());
        match layout.response(&record) {
            Ok(r) => {
                responses.push(r);
                lines.push(line);
            }
            Err(message) => problems.push((line, format!("line {line}: {message}"))),
        }
    }
    if rows == 0 {
        return Ok(Err(vec![
            "the file has a header but no responses: nothing was analysed".into(),
        ]));
    }
    let line_of = |i: usize| lines.get(i).copied().unwrap_or(0);
    for e in analysis::problems(&responses) {
        // `Empty` only when every row was unreadable: those rows are reported already.
        let Some(index) = e.index() else { continue };
        problems.push((
            line_of(index),
            e.describe(&|i| format!("line {}", line_of(i))),
        ));
    }
    if problems.is_empty() {
        return match analysis::analyze(&responses) {
            Ok(a) => Ok(Ok(a)),
            Err(e) => Ok(Err(vec![e.to_string()])),
        };
    }
    // Stable: a row's own problems keep their order.
    problems.sort_by_key(|(line, _)| *line);
    let mut bad: Vec<u64> = problems.iter().map(|(line, _)| *line).collect();
    bad.dedup();
    let mut out: Vec<String> = problems.into_iter().map(|(_, message)| message).collect();
    out.push(format!(
        "{} of {rows} rows are bad: nothing was analysed and no output was written",
        bad.len()
    ));
    Ok(Err(out))
}

fn number(v: f64) -> String {
    v.to_string()
}

fn optional(v: Option<f64>) -> String {
    v.map(number).unwrap_or_default()
}

/// `question,n,max,facility,item_rest_r,discrimination,flags`, one row per item.
fn items_csv(a: &Analysis) -> csv::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "question",
        "n",
        "max",
        "facility",
        "item_rest_r",
        "discrimination",
        "flags",
    ])?;
    for i in &a.items {
        let flags: Vec<&str> = i.flags.iter().map(|f| f.key()).collect();
        w.write_record([
            i.question.clone(),
            i.n.to_string(),
            number(i.max),
            number(i.facility),
            optional(i.item_rest_r),
            optional(i.discrimination),
            flags.join(";"),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The test-level figures on one line, for stderr in CSV mode.
fn summary(a: &Analysis) -> String {
    let show = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), number);
    format!(
        "candidates={} items={} alpha={} kr20={} mean={} sd={} sem={}",
        a.candidates,
        a.items.len(),
        show(a.alpha),
        a.kr20,
        number(a.mean),
        show(a.sd),
        show(a.sem)
    )
}

/// Writes to stdout, or to a file through a temporary file renamed into place, so that an
/// existing file is never left half-written.
fn write_output(output: &str, bytes: &[u8]) -> Result<()> {
    if output == "-" {
        let mut out = io::stdout().lock();
        out.write_all(bytes).context("writing the output")?;
        return out.flush().context("writing the output");
    }
    let target = PathBuf::from(output);
    let name = target
        .file_name()
        .with_context(|| format!("the output {output} is not a file name"))?
        .to_string_lossy()
        .into_owned();
    let temp = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temp, bytes)
        .and_then(|()| std::fs::rename(&temp, &target))
        .with_context(|| format!("writing the output to {}", target.display()));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_on(text: &str) -> Result<Analysis, Vec<String>> {
        match read_and_analyze(text.as_bytes()) {
            Ok(r) => r,
            Err(e) => panic!("{e:#}"),
        }
    }

    #[test]
    fn header_is_case_insensitive_in_any_order_with_bom() {
        let a = run_on("\u{feff} Max ,SCORE,Question,candidate\n1,1,q1,c1\n1,0,q1,c2\n");
        match a {
            Ok(a) => {
                assert_eq!(a.candidates, 2);
                assert_eq!(a.items[0].facility, 0.5);
            }
            Err(m) => panic!("{m:?}"),
        }
    }

    #[test]
    fn header_problems_are_listed_together() {
        let Err(m) = run_on("candidate,question,score,score,extra\n") else {
            panic!("accepted");
        };
        assert_eq!(
            m,
            [
                "line 1: column \"score\" appears twice (columns 3 and 4)",
                "line 1: unknown column \"extra\" (column 5); expected candidate,question,score,max[,choice]",
                "line 1: missing column(s): max; expected the header candidate,question,score,max[,choice]",
                "the header is wrong: nothing was analysed and no output was written",
            ]
        );
    }

    #[test]
    fn bad_rows_are_reported_by_line_in_order() {
        let Err(m) = run_on(
            "candidate,question,score,max,choice\n\
             c1,q1,1,1,A\n\
             c1,q1,x,,B\n\
             c2,q1,1,1\n\
             c2,q1,0,2,\n\
             c1,q1,0,1,\n",
        ) else {
            panic!("accepted");
        };
        assert_eq!(
            m,
            [
                "line 3: score \"x\" is not a number; max is missing",
                "line 4: 4 fields, but the header has 5",
                "line 5: question \"q1\" has the max 2, but 1 at line 2",
                "line 6: candidate \"c1\" answered question \"q1\" twice (first at line 2)",
                "4 of 5 rows are bad: nothing was analysed and no output was written",
            ]
        );
    }

    #[test]
    fn csv_and_summary() {
        let Ok(a) = run_on("candidate,question,score,max\nc1,q1,1,1\nc2,q1,0,1\nc1,q2,1,2\n")
        else {
            panic!("refused");
        };
        let csv = items_csv(&a).unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&csv),
            "question,n,max,facility,item_rest_r,discrimination,flags\n\
             q1,2,1,0.5,1,1,\n\
             q2,1,2,0.5,,,\n"
        );
        assert_eq!(
            summary(&a),
            "candidates=2 items=2 alpha=1 kr20=false mean=1 sd=1.4142135623730951 sem=0"
        );
    }
}
