//! `skillcert panel analyze`: trimmed results and judge analytics from a CSV of panel marks.
//!
//! Like `exam analyze` it needs no database. Trimming is the product's own
//! ([`skillcert_domain::scheme::panel`]), so a result here is the result the scheme would
//! give; the statistics are [`skillcert_domain::practical::reliability`]. This module only
//! reads the file, reports bad rows by line number and writes the result.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::io::{self, Read, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use csv::ByteRecord;
use skillcert_domain::practical::reliability::{
    Icc, SubjectMarks, icc_oneway, judge_stats, krippendorff_interval,
};
use skillcert_domain::scheme::Score;
use skillcert_domain::scheme::panel::{DropReason, PanelPolicy, Trim, trim, trim_per_item};

use crate::evaluate::EXIT_BAD_ROWS;

/// The contract of the command, shown by `skillcert panel analyze --help`.
const HELP: &str = "\
Input: CSV, UTF-8 with or without BOM, one row per judge and candidate, header
candidate,judge,mark with an optional item column, in any order (names are
case-insensitive). mark is 0 to 100 with at most 2 decimals.

Without item, each judge gives one mark per candidate and the marks are trimmed as a whole.
With item, each judge marks every item of the candidate (all of a candidate's judges the
same items); each item is trimmed across the judges and the items' trimmed means are added
up, and a judge's mark for the statistics is the sum of their item marks (at most 100).

Trimming follows the scheme's panel rules: --drop-high highest and --drop-low lowest marks
are dropped (default 1 and 1, as in S4); among equal marks the judge whose name sorts first
is dropped first. A candidate with no more marks than are dropped is not trimmed and gets
no score. hold is true when the kept marks (of any item) spread more than --tolerance.

JSON output: {candidates: [{candidate, marks: [{judge, mark}], dropped: [{judge, mark,
reason}], score, se, hold}], judges: [{judge, n, leniency, dropped_share}], icc1, icck,
alpha_interval}. Candidates and judges are sorted by name. With item, each dropped mark also
names its item and se is null (each item keeps other judges, so the total has no single
standard error). score is the trimmed mean (half-up to 0.01), se the standard error of the
kept marks. leniency is the mean of the judge's mark minus the mean of the other judges'
marks for the same candidate; dropped_share the share of the judge's marks (item marks with
item) that were dropped. icc1 and icck are the one-way random-effects ICC(1,1) and ICC(1,k)
(k0 in place of k when candidates have different numbers of judges), alpha_interval
Krippendorff's alpha with the interval metric, all on the judges' marks per candidate.
A figure that is undefined (e.g. every mark the same) is null.

CSV output: one row per candidate: candidate,n,score,se,hold,dropped, with n the number of
judges and dropped as judge:mark:reason (item:judge:mark:reason with item) separated by
';'; undefined figures are empty. The panel-level figures go to stderr as one line.

Bad rows (unreadable mark, more than 2 decimals, negative or above 100, the same candidate,
judge and item twice, a candidate whose judges marked different items, a judge's item marks
or the items' trimmed means adding up to more than 100, wrong number of fields) are reported
on stderr, one line per problem with its line number, and nothing is written.

Exit codes: 0 analysed; 2 bad rows or header; 1 the command could not run (unreadable
input, unwritable output).";

#[derive(Args, Debug)]
#[command(after_long_help = HELP)]
pub struct AnalyzeArgs {
    /// Input CSV with the header `candidate,judge,mark[,item]`, or `-` for stdin.
    #[arg(long)]
    pub input: String,
    /// How many of the highest marks to drop per candidate (per item with an item column).
    #[arg(long, default_value_t = 1)]
    pub drop_high: u32,
    /// How many of the lowest marks to drop per candidate (per item with an item column).
    #[arg(long, default_value_t = 1)]
    pub drop_low: u32,
    /// Hold a result for the chief judge when its kept marks spread more than this.
    #[arg(long, value_parser = parse_tolerance)]
    pub tolerance: Option<Score>,
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

fn parse_tolerance(raw: &str) -> Result<Score, String> {
    Score::parse(raw).map_err(|e| format!("the tolerance {e}"))
}

impl AnalyzeArgs {
    /// The panel rules of the scheme: the fewest marks that leave one after dropping.
    fn policy(&self, trim: Trim) -> PanelPolicy {
        PanelPolicy {
            min_marks: self
                .drop_high
                .saturating_add(self.drop_low)
                .saturating_add(1),
            drop_highest: self.drop_high,
            drop_lowest: self.drop_low,
            trim,
            divergence_tolerance: self.tolerance,
        }
    }
}

/// The input columns, in the order of [`Layout`]'s fields.
const COLUMNS: [&str; 4] = ["candidate", "judge", "mark", "item"];
const REQUIRED: usize = 3;

/// Which column holds what, decided once from the header.
#[derive(Debug)]
struct Layout {
    width: usize,
    /// Column of each of [`COLUMNS`]; `item` may be absent.
    columns: [Option<usize>; 4],
}

/// One readable row.
#[derive(Debug)]
struct Row {
    line: u64,
    candidate: String,
    judge: String,
    item: Option<String>,
    mark: Score,
}

impl Layout {
    fn from_header(header: Option<&ByteRecord>) -> Result<Layout, Vec<String>> {
        let columns =
            crate::csv_header::columns(header, &COLUMNS, REQUIRED, "candidate,judge,mark[,item]")?;
        Ok(Layout {
            width: header.map_or(0, ByteRecord::len),
            columns,
        })
    }

    fn per_item(&self) -> bool {
        self.columns[3].is_some()
    }

    /// One record as a row, or what is wrong with it.
    fn row(&self, record: &ByteRecord, line: u64) -> Result<Row, String> {
        if record.len() != self.width {
            return Err(format!(
                "{} fields, but the header has {}",
                record.len(),
                self.width
            ));
        }
        let mut problems = Vec::new();
        let mut text = |column: usize| -> Option<String> {
            let raw = record.get(self.columns[column]?)?;
            let Ok(s) = std::str::from_utf8(raw) else {
                problems.push(format!("{} is not valid UTF-8", COLUMNS[column]));
                return Some(String::new());
            };
            let s = s.trim();
            if s.is_empty() {
                problems.push(format!("{} is missing", COLUMNS[column]));
            }
            Some(s.to_string())
        };
        let candidate = text(0).unwrap_or_default();
        let judge = text(1).unwrap_or_default();
        let mark = text(2).unwrap_or_default();
        let item = text(3);
        let mark = match Score::parse(&mark) {
            Ok(m) => Some(m),
            Err(_) if mark.is_empty() => None, // reported as missing
            Err(e) => {
                problems.push(format!("mark {mark:?} {e}"));
                None
            }
        };
        match mark {
            Some(mark) if problems.is_empty() => Ok(Row {
                line,
                candidate,
                judge,
                item,
                mark,
            }),
            _ => Err(problems.join("; ")),
        }
    }
}

/// A dropped mark and why.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Dropped {
    judge: String,
    /// The item, when trimming per item.
    item: Option<String>,
    mark: Score,
    reason: DropReason,
}

/// One candidate's result.
#[derive(Debug)]
struct CandidateResult {
    candidate: String,
    /// Each judge's mark (the sum of their item marks with items), by judge name.
    marks: Vec<(String, Score)>,
    dropped: Vec<Dropped>,
    score: Option<Score>,
    se: Option<Score>,
    hold: bool,
}

#[derive(Debug)]
struct JudgeRow {
    judge: String,
    n: usize,
    leniency: Option<f64>,
    dropped_share: f64,
}

/// Everything the command writes.
#[derive(Debug)]
struct Report {
    candidates: Vec<CandidateResult>,
    judges: Vec<JudgeRow>,
    icc: Option<Icc>,
    alpha: Option<f64>,
}

/// One judge's marks for one candidate.
#[derive(Debug)]
struct Sheet {
    first_line: u64,
    /// By item (`None` without an item column).
    marks: BTreeMap<Option<String>, Score>,
}

impl Sheet {
    fn total(&self) -> u32 {
        self.marks.values().map(|m| m.hundredths()).sum()
    }
}

/// Candidate → judge → sheet.
type Sheets = BTreeMap<String, BTreeMap<String, Sheet>>;

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
    let report = match read_and_analyze(&bytes, args)? {
        Ok(report) => report,
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
            let mut out = String::new();
            to_json(&report).write(&mut out, 0);
            out.push('\n');
            out.into_bytes()
        }
        Format::Csv => {
            writeln!(io::stderr().lock(), "{}", summary(&report))?;
            candidates_csv(&report).context("formatting the output")?
        }
    };
    write_output(&args.output, &output)?;
    Ok(0)
}

/// The report, or the lines to print on stderr when the header or some rows are bad.
fn read_and_analyze(bytes: &[u8], args: &AnalyzeArgs) -> Result<Result<Report, Vec<String>>> {
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

    // (line, message) of every problem; unreadable rows stay out of `sheets`.
    let mut problems: Vec<(u64, String)> = Vec::new();
    let mut sheets = Sheets::new();
    let mut rows = 0u64;
    let mut record = ByteRecord::new();
    while reader
        .read_byte_record(&mut record)
        .context("reading the input")?
    {
        rows += 1;
        let line = record.position().map_or(0, |p| p.line());
        match layout.row(&record, line) {
            Ok(row) => {
                if let Err(message) = add(&mut sheets, row) {
                    problems.push((line, format!("line {line}: {message}")));
                }
            }
            Err(message) => problems.push((line, format!("line {line}: {message}"))),
        }
    }
    if rows == 0 {
        return Ok(Err(vec![
            "the file has a header but no marks: nothing was analysed".into(),
        ]));
    }
    let trim_kind = if layout.per_item() {
        problems.extend(check_items(&sheets));
        Trim::PerItem
    } else {
        Trim::Total
    };
    let policy = args.policy(trim_kind);
    let mut candidates = Vec::new();
    if problems.is_empty() {
        for (candidate, judges) in &sheets {
            match aggregate(candidate, judges, &policy) {
                Ok(result) => candidates.push(result),
                Err(problem) => problems.push(problem),
            }
        }
    }
    if problems.is_empty() {
        return Ok(Ok(statistics(&sheets, candidates, layout.per_item())));
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

/// Files a row under its candidate and judge; a second mark for the same cell is refused.
fn add(sheets: &mut Sheets, row: Row) -> Result<(), String> {
    let sheet = sheets
        .entry(row.candidate.clone())
        .or_default()
        .entry(row.judge.clone())
        .or_insert_with(|| Sheet {
            first_line: row.line,
            marks: BTreeMap::new(),
        });
    let first_line = sheet.first_line;
    match sheet.marks.entry(row.item.clone()) {
        Entry::Vacant(v) => {
            v.insert(row.mark);
            Ok(())
        }
        Entry::Occupied(_) => {
            let what = match &row.item {
                Some(item) => format!("item {item:?} of candidate {:?}", row.candidate),
                None => format!("candidate {:?}", row.candidate),
            };
            Err(format!(
                "judge {:?} marked {what} twice (first at line {first_line})",
                row.judge
            ))
        }
    }
}

/// With items: every judge of a candidate marked the same items as the candidate's first
/// judge in the file, and no judge's item marks add up to more than 100.
fn check_items(sheets: &Sheets) -> Vec<(u64, String)> {
    let mut problems = Vec::new();
    for (candidate, judges) in sheets {
        let Some((first_judge, first)) = judges.iter().min_by_key(|(_, s)| s.first_line) else {
            continue;
        };
        for (judge, sheet) in judges {
            if !sheet.marks.keys().eq(first.marks.keys()) {
                problems.push((
                    sheet.first_line,
                    format!(
                        "line {}: candidate {candidate:?}: judge {judge:?} marked the items {}, \
                         but judge {first_judge:?} (line {}) marked {}",
                        sheet.first_line,
                        item_list(sheet),
                        first.first_line,
                        item_list(first)
                    ),
                ));
            }
            let total = sheet.total();
            if total > Score::MAX.hundredths() {
                problems.push((
                    sheet.first_line,
                    format!(
                        "line {}: candidate {candidate:?}: the item marks of judge {judge:?} \
                         add up to {}, more than 100",
                        sheet.first_line,
                        hundredths_text(total)
                    ),
                ));
            }
        }
    }
    problems
}

fn item_list(sheet: &Sheet) -> String {
    let items: Vec<&str> = sheet.marks.keys().flatten().map(String::as_str).collect();
    items.join(", ")
}

/// Hundredths as an exact decimal ("104.5"), for sums that may exceed a [`Score`].
fn hundredths_text(h: u32) -> String {
    let (int, frac) = (h / 100, h % 100);
    match frac {
        0 => format!("{int}"),
        _ if frac.is_multiple_of(10) => format!("{int}.{}", frac / 10),
        _ => format!("{int}.{frac:02}"),
    }
}

/// Trims one candidate's marks with the scheme's rules; judges in name order, so that the
/// tie rule (lowest index first) does not depend on the order of the rows.
fn aggregate(
    candidate: &str,
    judges: &BTreeMap<String, Sheet>,
    policy: &PanelPolicy,
) -> Result<CandidateResult, (u64, String)> {
    let names: Vec<&String> = judges.keys().collect();
    // Item sums were checked against 100 before, so this only guards the conversion.
    let totals: Vec<(String, Score)> = judges
        .iter()
        .map(|(j, s)| {
            (
                j.clone(),
                Score::from_hundredths(s.total()).unwrap_or(Score::MAX),
            )
        })
        .collect();
    let first_line = judges.values().map(|s| s.first_line).min().unwrap_or(0);
    if policy.trim == Trim::Total {
        let marks: Vec<Score> = totals.iter().map(|(_, m)| *m).collect();
        let out = trim(&marks, policy);
        let dropped = out
            .dropped
            .iter()
            .map(|d| Dropped {
                judge: names[d.judge].clone(),
                item: None,
                mark: d.score,
                reason: d.reason,
            })
            .collect();
        return Ok(CandidateResult {
            candidate: candidate.to_string(),
            marks: totals,
            dropped,
            score: out.mean.filter(|_| !out.insufficient),
            se: out.standard_error.filter(|_| !out.insufficient),
            hold: out.held_for_review,
        });
    }
    let items: Vec<&String> = judges
        .values()
        .next()
        .map(|s| s.marks.keys().flatten().collect())
        .unwrap_or_default();
    let matrix: Vec<Vec<Score>> = judges
        .values()
        .map(|s| s.marks.values().copied().collect())
        .collect();
    let out = trim_per_item(&matrix, policy).map_err(|e| {
        (
            first_line,
            format!("line {first_line}: candidate {candidate:?}: {e}"),
        )
    })?;
    let mut dropped = Vec::new();
    for (item, outcome) in items.iter().zip(&out.items) {
        for d in &outcome.dropped {
            dropped.push(Dropped {
                judge: names[d.judge].clone(),
                item: Some((*item).clone()),
                mark: d.score,
                reason: d.reason,
            });
        }
    }
    Ok(CandidateResult {
        candidate: candidate.to_string(),
        marks: totals,
        dropped,
        score: out.total,
        se: None,
        hold: out.held_for_review,
    })
}

fn points(score: Score) -> f64 {
    f64::from(score.hundredths()) / 100.0
}

/// Judge statistics, ICC and alpha on the judges' (total) marks per candidate;
/// `candidates` are the results of `sheets`, in the same (name) order.
fn statistics(sheets: &Sheets, candidates: Vec<CandidateResult>, per_item: bool) -> Report {
    let groups: Vec<Vec<f64>> = candidates
        .iter()
        .map(|c| c.marks.iter().map(|(_, m)| points(*m)).collect())
        .collect();
    let by_total: Vec<SubjectMarks> = candidates
        .iter()
        .map(|c| SubjectMarks {
            subject: c.candidate.clone(),
            marks: c
                .marks
                .iter()
                .map(|(j, m)| (j.clone(), points(*m)))
                .collect(),
            dropped: c.dropped.iter().map(|d| d.judge.clone()).collect(),
        })
        .collect();
    let mut stats = judge_stats(&by_total);
    if per_item {
        // A judge's share of dropped marks counts item marks, since items are trimmed.
        let by_item: Vec<SubjectMarks> = sheets
            .iter()
            .zip(&candidates)
            .flat_map(|((candidate, judges), result)| {
                let items: Vec<&String> = judges
                    .values()
                    .next()
                    .map(|s| s.marks.keys().flatten().collect())
                    .unwrap_or_default();
                items.into_iter().map(move |item| SubjectMarks {
                    subject: format!("{candidate}/{item}"),
                    marks: judges
                        .iter()
                        .filter_map(|(j, s)| {
                            s.marks
                                .get(&Some(item.clone()))
                                .map(|m| (j.clone(), points(*m)))
                        })
                        .collect(),
                    dropped: result
                        .dropped
                        .iter()
                        .filter(|d| d.item.as_ref() == Some(item))
                        .map(|d| d.judge.clone())
                        .collect(),
                })
            })
            .collect();
        let shares: BTreeMap<String, f64> = judge_stats(&by_item)
            .into_iter()
            .map(|s| (s.judge, s.dropped_share))
            .collect();
        for s in &mut stats {
            s.dropped_share = shares.get(&s.judge).copied().unwrap_or(0.0);
        }
    }
    Report {
        icc: icc_oneway(&groups),
        alpha: krippendorff_interval(&groups),
        judges: stats
            .into_iter()
            .map(|s| JudgeRow {
                judge: s.judge,
                n: s.n,
                leniency: s.leniency,
                dropped_share: s.dropped_share,
            })
            .collect(),
        candidates,
    }
}

fn reason_key(reason: DropReason) -> &'static str {
    match reason {
        DropReason::Highest => "highest",
        DropReason::Lowest => "lowest",
    }
}

/// JSON with the keys in the documented order (serde_json's map would sort them).
enum Json {
    Null,
    Bool(bool),
    /// A number already written out.
    Number(String),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(&'static str, Json)>),
}

impl Json {
    /// Scores as their exact decimal text.
    fn score(v: Option<Score>) -> Json {
        v.map_or(Json::Null, |s| Json::Number(s.to_string()))
    }

    /// Undefined (`None` or not finite) is null.
    fn float(v: Option<f64>) -> Json {
        match v.map(serde_json::Value::from) {
            Some(n @ serde_json::Value::Number(_)) => Json::Number(n.to_string()),
            _ => Json::Null,
        }
    }

    fn text(s: &str) -> Json {
        Json::Str(s.to_string())
    }

    /// Writes in the layout of `serde_json::to_vec_pretty`.
    fn write(&self, out: &mut String, indent: usize) {
        let pad = |out: &mut String, n: usize| out.extend(std::iter::repeat_n("  ", n));
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::Str(s) => out.push_str(&serde_json::Value::from(s.as_str()).to_string()),
            Json::Array(items) if items.is_empty() => out.push_str("[]"),
            Json::Array(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    pad(out, indent + 1);
                    item.write(out, indent + 1);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                pad(out, indent);
                out.push(']');
            }
            Json::Object(fields) if fields.is_empty() => out.push_str("{}"),
            Json::Object(fields) => {
                out.push_str("{\n");
                for (i, (key, value)) in fields.iter().enumerate() {
                    pad(out, indent + 1);
                    out.push_str(&serde_json::Value::from(*key).to_string());
                    out.push_str(": ");
                    value.write(out, indent + 1);
                    out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
                }
                pad(out, indent);
                out.push('}');
            }
        }
    }
}

fn to_json(r: &Report) -> Json {
    let candidates = r
        .candidates
        .iter()
        .map(|c| {
            let marks = c
                .marks
                .iter()
                .map(|(judge, mark)| {
                    Json::Object(vec![
                        ("judge", Json::text(judge)),
                        ("mark", Json::score(Some(*mark))),
                    ])
                })
                .collect();
            let dropped = c
                .dropped
                .iter()
                .map(|d| {
                    let mut fields = vec![("judge", Json::text(&d.judge))];
                    if let Some(item) = &d.item {
                        fields.push(("item", Json::text(item)));
                    }
                    fields.push(("mark", Json::score(Some(d.mark))));
                    fields.push(("reason", Json::text(reason_key(d.reason))));
                    Json::Object(fields)
                })
                .collect();
            Json::Object(vec![
                ("candidate", Json::text(&c.candidate)),
                ("marks", Json::Array(marks)),
                ("dropped", Json::Array(dropped)),
                ("score", Json::score(c.score)),
                ("se", Json::score(c.se)),
                ("hold", Json::Bool(c.hold)),
            ])
        })
        .collect();
    let judges = r
        .judges
        .iter()
        .map(|j| {
            Json::Object(vec![
                ("judge", Json::text(&j.judge)),
                ("n", Json::Number(j.n.to_string())),
                ("leniency", Json::float(j.leniency)),
                ("dropped_share", Json::float(Some(j.dropped_share))),
            ])
        })
        .collect();
    Json::Object(vec![
        ("candidates", Json::Array(candidates)),
        ("judges", Json::Array(judges)),
        ("icc1", Json::float(r.icc.map(|i| i.icc1))),
        ("icck", Json::float(r.icc.map(|i| i.icck))),
        ("alpha_interval", Json::float(r.alpha)),
    ])
}

/// `candidate,n,score,se,hold,dropped`, one row per candidate.
fn candidates_csv(r: &Report) -> csv::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["candidate", "n", "score", "se", "hold", "dropped"])?;
    let show = |s: Option<Score>| s.map(|s| s.to_string()).unwrap_or_default();
    for c in &r.candidates {
        let dropped: Vec<String> = c
            .dropped
            .iter()
            .map(|d| {
                let item = d.item.as_ref().map(|i| format!("{i}:")).unwrap_or_default();
                format!("{item}{}:{}:{}", d.judge, d.mark, reason_key(d.reason))
            })
            .collect();
        w.write_record([
            c.candidate.clone(),
            c.marks.len().to_string(),
            show(c.score),
            show(c.se),
            c.hold.to_string(),
            dropped.join(";"),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The panel-level figures on one line, for stderr in CSV mode.
fn summary(r: &Report) -> String {
    let show = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), |v| v.to_string());
    format!(
        "candidates={} judges={} icc1={} icck={} alpha_interval={}",
        r.candidates.len(),
        r.judges.len(),
        show(r.icc.map(|i| i.icc1)),
        show(r.icc.map(|i| i.icck)),
        show(r.alpha)
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

    fn args() -> AnalyzeArgs {
        AnalyzeArgs {
            input: "-".into(),
            drop_high: 1,
            drop_low: 1,
            tolerance: None,
            format: Format::Json,
            output: "-".into(),
        }
    }

    fn run_on(text: &str, args: &AnalyzeArgs) -> Result<Report, Vec<String>> {
        match read_and_analyze(text.as_bytes(), args) {
            Ok(r) => r,
            Err(e) => panic!("{e:#}"),
        }
    }

    #[test]
    fn header_is_case_insensitive_in_any_order_with_bom() {
        let r = run_on(
            "\u{feff} Mark ,JUDGE,Candidate\n80,a,c1\n90,b,c1\n70,c,c1\n",
            &args(),
        );
        let Ok(r) = r else { panic!("{r:?}") };
        assert_eq!(r.candidates[0].score, Some(Score::points(80)));
        assert_eq!(
            r.candidates[0].dropped,
            [
                Dropped {
                    judge: "b".into(),
                    item: None,
                    mark: Score::points(90),
                    reason: DropReason::Highest
                },
                Dropped {
                    judge: "c".into(),
                    item: None,
                    mark: Score::points(70),
                    reason: DropReason::Lowest
                },
            ]
        );
    }

    #[test]
    fn header_problems_are_listed_together() {
        let Err(m) = run_on("candidate,mark,mark,extra\n", &args()) else {
            panic!("accepted");
        };
        assert_eq!(
            m,
            [
                "line 1: column \"mark\" appears twice (columns 2 and 3)",
                "line 1: unknown column \"extra\" (column 4); expected candidate,judge,mark[,item]",
                "line 1: missing column(s): judge; expected the header candidate,judge,mark[,item]",
                "the header is wrong: nothing was analysed and no output was written",
            ]
        );
    }

    #[test]
    fn bad_rows_are_reported_by_line_in_order() {
        let Err(m) = run_on(
            "candidate,judge,mark\n\
             c1,a,80\n\
             c1,b,x\n\
             c1,c,80.125\n\
             c1,d,-1\n\
             c1,a,70\n\
             c1,e\n\
             c1,f,101\n\
             ,g,\n",
            &args(),
        ) else {
            panic!("accepted");
        };
        assert_eq!(
            m,
            [
                "line 3: mark \"x\" is not a number such as 85 or 85.5",
                "line 4: mark \"80.125\" has more than 2 decimals",
                "line 5: mark \"-1\" must not be negative",
                "line 6: judge \"a\" marked candidate \"c1\" twice (first at line 2)",
                "line 7: 2 fields, but the header has 3",
                "line 8: mark \"101\" must be at most 100",
                "line 9: candidate is missing; mark is missing",
                "7 of 8 rows are bad: nothing was analysed and no output was written",
            ]
        );
    }

    #[test]
    fn per_item_rows_must_match_across_judges() {
        let Err(m) = run_on(
            "candidate,judge,item,mark\n\
             c1,a,q1,40\n\
             c1,a,q2,50\n\
             c1,b,q1,40\n\
             c1,b,q3,50\n\
             c2,a,q1,60\n\
             c2,a,q2,50\n\
             c1,b,q1,41\n",
            &args(),
        ) else {
            panic!("accepted");
        };
        assert_eq!(
            m,
            [
                "line 4: candidate \"c1\": judge \"b\" marked the items q1, q3, but judge \"a\" (line 2) marked q1, q2",
                "line 6: candidate \"c2\": the item marks of judge \"a\" add up to 110, more than 100",
                "line 8: judge \"b\" marked item \"q1\" of candidate \"c1\" twice (first at line 4)",
                "3 of 7 rows are bad: nothing was analysed and no output was written",
            ]
        );
    }

    #[test]
    fn per_item_trimmed_means_above_100_are_refused() {
        // Each judge's items add up to 100, but the middle marks of each item give 150.
        let Err(m) = run_on(
            "candidate,judge,item,mark\n\
             c1,a,q1,50\nc1,a,q2,50\nc1,a,q3,0\n\
             c1,b,q1,0\nc1,b,q2,50\nc1,b,q3,50\n\
             c1,c,q1,50\nc1,c,q2,0\nc1,c,q3,50\n",
            &args(),
        ) else {
            panic!("accepted");
        };
        assert_eq!(
            m[0],
            "line 2: candidate \"c1\": the items' trimmed means add up to more than 100"
        );
    }

    #[test]
    fn too_few_judges_give_no_score() {
        let Ok(r) = run_on("candidate,judge,mark\nc1,a,80\nc1,b,90\n", &args()) else {
            panic!("refused");
        };
        let c = &r.candidates[0];
        assert_eq!((c.score, c.se, c.dropped.len()), (None, None, 0));
    }

    #[test]
    fn json_keeps_the_documented_key_order() {
        let Ok(r) = run_on("candidate,judge,mark\nc1,a,80\n", &args()) else {
            panic!("refused");
        };
        let mut out = String::new();
        to_json(&r).write(&mut out, 0);
        let expected = serde_json::json!({
            "candidates": [{"candidate": "c1", "marks": [{"judge": "a", "mark": 80}],
                "dropped": [], "score": null, "se": null, "hold": false}],
            "judges": [{"judge": "a", "n": 1, "leniency": null, "dropped_share": 0.0}],
            "icc1": null, "icck": null, "alpha_interval": null
        });
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        assert_eq!(parsed, expected);
        let keys: Vec<usize> = [
            "\"candidates\"",
            "\"judges\"",
            "\"icc1\"",
            "\"alpha_interval\"",
        ]
        .iter()
        .filter_map(|k| out.find(k))
        .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{out}");
        assert!(out.starts_with("{\n  \"candidates\": [\n    {\n      \"candidate\": \"c1\","));
    }
}
