//! Reading uploaded CSV and XLSX files into rows of trimmed text cells.
//!
//! Both formats end up as the same [`RawTable`], so import code never cares which one HR
//! happened to save. Line numbers are kept as the user sees them, because every error shown
//! in the UI points at one.

use std::io::Cursor;

use calamine::{Data, ExcelDateTime, Reader, SheetType, SheetVisible, Xlsx};
use serde::Serialize;
use thiserror::Error;

/// The most data rows one upload may hold; larger files belong in several imports, and the
/// limit bounds the memory a single request can take.
pub const MAX_ROWS: usize = 200_000;

/// The formats we can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Csv,
    Xlsx,
}

/// Every XLSX file is a zip archive and starts with a local file header.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

impl FileKind {
    /// Guesses the format from the uploaded name and content.
    ///
    /// Content wins over a misleading name for zip archives (an "export.csv" that is really
    /// a workbook). Spreadsheet formats we cannot read give `None`, so the UI can ask for
    /// XLSX or CSV instead of showing garbage columns.
    pub fn detect(file_name: &str, bytes: &[u8]) -> Option<FileKind> {
        let ext = file_name
            .trim()
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if matches!(ext.as_str(), "xls" | "ods" | "et" | "numbers") {
            return None;
        }
        if bytes.starts_with(ZIP_MAGIC) {
            return Some(FileKind::Xlsx);
        }
        match ext.as_str() {
            "xlsx" | "xlsm" => Some(FileKind::Xlsx),
            // A named CSV in a legacy encoding still counts as CSV, so that reading it
            // reports `NotUtf8` with advice rather than "unknown file type".
            "csv" | "tsv" | "txt" => Some(FileKind::Csv),
            _ if std::str::from_utf8(bytes).is_ok() => Some(FileKind::Csv),
            _ => None,
        }
    }
}

/// A sheet as text: the header row and the non-blank rows below it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RawTable {
    pub headers: Vec<String>,
    pub rows: Vec<RawRow>,
}

/// One non-blank data row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RawRow {
    /// 1-based row number in the file (the header is line 1 unless blank lines precede it).
    pub line: usize,
    /// Trimmed cells, padded with "" to the header's width. Cells beyond the header's width
    /// are kept only when a row has data there, so that importers can refuse it.
    pub cells: Vec<String>,
}

/// Why an upload could not be read; `code()` is stable and becomes a translation key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not UTF-8 text")]
    NotUtf8,
    #[error("the CSV is malformed at line {line}")]
    BadCsv { line: usize },
    #[error("the workbook cannot be read: {detail}")]
    BadXlsx { detail: String },
    #[error("the workbook has no worksheet")]
    NoSheet,
    #[error("the file has more than {max} data rows")]
    TooManyRows { max: usize },
}

impl ReadError {
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Empty => "file-empty",
            ReadError::NotUtf8 => "not-utf8",
            ReadError::BadCsv { .. } => "bad-csv",
            ReadError::BadXlsx { .. } => "bad-xlsx",
            ReadError::NoSheet => "no-sheet",
            ReadError::TooManyRows { .. } => "too-many-rows",
        }
    }
}

/// Reads the first worksheet of an XLSX file, or a whole CSV file, as text.
pub fn read_table(bytes: &[u8], kind: FileKind) -> Result<RawTable, ReadError> {
    read_table_limited(bytes, kind, MAX_ROWS)
}

/// [`read_table`] with a row limit, so tests need not build 200,000 rows.
fn read_table_limited(
    bytes: &[u8],
    kind: FileKind,
    max_rows: usize,
) -> Result<RawTable, ReadError> {
    match kind {
        FileKind::Csv => read_csv(bytes, max_rows),
        FileKind::Xlsx => read_xlsx(bytes, max_rows),
    }
}

/// Collects rows, taking the first non-blank one as the header.
struct TableBuilder {
    headers: Option<Vec<String>>,
    rows: Vec<RawRow>,
    max_rows: usize,
}

impl TableBuilder {
    fn new(max_rows: usize) -> Self {
        TableBuilder {
            headers: None,
            rows: Vec::new(),
            max_rows,
        }
    }

    /// Takes a row that the caller has already found to be non-blank.
    fn push(&mut self, line: usize, mut cells: Vec<String>) -> Result<(), ReadError> {
        match &self.headers {
            None => {
                // Excel often saves empty trailing columns; they are not columns to the user.
                while cells.last().is_some_and(String::is_empty) {
                    cells.pop();
                }
                self.headers = Some(cells);
            }
            Some(headers) => {
                if self.rows.len() >= self.max_rows {
                    return Err(ReadError::TooManyRows { max: self.max_rows });
                }
                let width = headers.len();
                if cells.len() < width {
                    cells.resize(width, String::new());
                } else {
                    while cells.len() > width && cells.last().is_some_and(String::is_empty) {
                        cells.pop();
                    }
                }
                self.rows.push(RawRow { line, cells });
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<RawTable, ReadError> {
        let headers = self.headers.ok_or(ReadError::Empty)?;
        Ok(RawTable {
            headers,
            rows: self.rows,
        })
    }
}

fn read_csv(bytes: &[u8], max_rows: usize) -> Result<RawTable, ReadError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    // Excel for Mac's "CSV (Macintosh)" ends lines with a bare CR. The parser splits on it,
    // but counts only LFs as lines, so turn CRs into LFs to keep line numbers true.
    let with_lf;
    let text = if !text.contains('\n') && text.contains('\r') {
        with_lf = text.replace('\r', "\n");
        with_lf.as_str()
    } else {
        text
    };
    let dialect = sniff(text);
    let body = &text.as_bytes()[dialect.body_start..];

    // The csv crate accepts an unterminated quote silently and swallows the rest of the
    // file into one cell; that would turn into baffling errors later, so refuse it here.
    if let Some(line) = unterminated_quote(body, dialect.delimiter) {
        return Err(ReadError::BadCsv {
            line: line + dialect.line_offset,
        });
    }

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(dialect.delimiter)
        .from_reader(body);
    let mut record = csv::StringRecord::new();
    let mut table = TableBuilder::new(max_rows);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| to_usize(p.line()));
                return Err(ReadError::BadCsv {
                    line: line + dialect.line_offset,
                });
            }
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = record_line(&record, body) + dialect.line_offset;
        let cells = record.iter().map(|f| f.trim().to_owned()).collect();
        table.push(line, cells)?;
    }
    table.finish()
}

/// The 1-based line where a record's first cell begins.
///
/// The csv crate stamps a record with the position where reading resumed, which still lies
/// before the `\n` of a CRLF and before skipped empty lines; step over those. Counting from
/// the parser's position (not the records) keeps lines true after quoted multi-line cells.
fn record_line(record: &csv::StringRecord, body: &[u8]) -> usize {
    let Some(pos) = record.position() else {
        return 0;
    };
    let skipped = body
        .get(to_usize(pos.byte())..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .filter(|b| **b == b'\n')
        .count();
    to_usize(pos.line()) + skipped
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// How to parse a CSV body.
struct Dialect {
    delimiter: u8,
    /// Byte offset where the CSV records begin (after an Excel `sep=` line).
    body_start: usize,
    /// Lines before `body_start`, added to the parser's line numbers.
    line_offset: usize,
}

/// Picks the delimiter from the header line.
///
/// European-locale Excel saves with `;`, "Unicode text" exports use tabs, and Excel itself
/// understands a first line `sep=;`, so we honour that too.
fn sniff(text: &str) -> Dialect {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            offset += line.len();
            continue;
        }
        if let Some(sep) = trimmed.strip_prefix("sep=")
            && let [d] = sep.as_bytes()
        {
            return Dialect {
                delimiter: *d,
                body_start: offset + line.len(),
                line_offset: i + 1,
            };
        }
        return Dialect {
            delimiter: guess_delimiter(line),
            body_start: 0,
            line_offset: 0,
        };
    }
    Dialect {
        delimiter: b',',
        body_start: 0,
        line_offset: 0,
    }
}

/// The most frequent of `,` `;` and tab outside quotes; comma on a tie or when none occur.
fn guess_delimiter(header: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in header.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let mut best = (b',', counts[0]);
    for (d, n) in [(b';', counts[1]), (b'\t', counts[2])] {
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

/// Finds a quoted field that never closes, returning the 1-based line where it opens.
///
/// This mirrors the csv crate's own state machine (double-quote escaping, CR/LF
/// terminators) so that we flag exactly the fields it would silently run to the end.
fn unterminated_quote(body: &[u8], delimiter: u8) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Plain,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut line = 1;
    let mut opened_at = 0;
    for &b in body {
        let ends_field = b == delimiter || b == b'\n' || b == b'\r';
        state = match state {
            State::FieldStart if b == b'"' => {
                opened_at = line;
                State::Quoted
            }
            State::FieldStart | State::Plain if ends_field => State::FieldStart,
            State::FieldStart | State::Plain => State::Plain,
            State::Quoted if b == b'"' => State::QuoteInQuoted,
            State::Quoted => State::Quoted,
            State::QuoteInQuoted if b == b'"' => State::Quoted,
            State::QuoteInQuoted if ends_field => State::FieldStart,
            State::QuoteInQuoted => State::Plain,
        };
        if b == b'\n' {
            line += 1;
        }
    }
    (state == State::Quoted).then_some(opened_at)
}

fn read_xlsx(bytes: &[u8], max_rows: usize) -> Result<RawTable, ReadError> {
    let bad = |e: calamine::XlsxError| ReadError::BadXlsx {
        detail: e.to_string(),
    };
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(bad)?;
    // "First" means the first tab the user sees; a hidden lookup sheet in front must not
    // be imported instead.
    let sheets = workbook.sheets_metadata();
    let is_worksheet = |s: &&calamine::Sheet| s.typ == SheetType::WorkSheet;
    let name = sheets
        .iter()
        .filter(is_worksheet)
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| sheets.iter().find(is_worksheet))
        .map(|s| s.name.clone())
        .ok_or(ReadError::NoSheet)?;
    let range = workbook.worksheet_range(&name).map_err(bad)?;
    let Some((first_row, _)) = range.start() else {
        return Err(ReadError::Empty);
    };
    let mut table = TableBuilder::new(max_rows);
    for (i, row) in range.rows().enumerate() {
        if row.iter().all(is_blank) {
            continue;
        }
        let line = to_usize(u64::from(first_row)) + i + 1;
        table.push(line, row.iter().map(render).collect())?;
    }
    table.finish()
}

fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Renders a cell as the text the user typed, not as Excel stores it.
fn render(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => render_number(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => render_datetime(dt),
        Data::DateTimeIso(s) => {
            let s = s.trim();
            s.strip_suffix("T00:00:00").unwrap_or(s).replace('T', " ")
        }
        Data::DurationIso(s) => s.trim().to_owned(),
        Data::Error(e) => e.to_string(),
    }
}

/// Excel stores every number as a float, so employee number 10023 arrives as 10023.0.
fn render_number(f: f64) -> String {
    // Below 2^53 every integer is exact in an f64, so the conversion loses nothing.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if f.fract() == 0.0 && f.abs() < EXACT {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// Dates as `YYYY-MM-DD`, which is what the domain's date parser accepts.
fn render_datetime(dt: &ExcelDateTime) -> String {
    let value = dt.as_f64();
    if dt.is_duration() {
        let secs = (value * 86_400.0).round() as i64;
        return format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    }
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    if (h, mi, s, ms) == (0, 0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else if value < 1.0 {
        format!("{h:02}:{mi:02}:{s:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime as XlsxDate, Format, Workbook};

    fn csv(text: &str) -> Result<RawTable, ReadError> {
        read_table(text.as_bytes(), FileKind::Csv)
    }

    fn lines(t: &RawTable) -> Vec<usize> {
        t.rows.iter().map(|r| r.line).collect()
    }

    #[test]
    fn detects_kind_by_name_and_content() {
        assert_eq!(FileKind::detect("a.CSV", b"x"), Some(FileKind::Csv));
        assert_eq!(FileKind::detect("a.xlsx", b""), Some(FileKind::Xlsx));
        assert_eq!(
            FileKind::detect("upload", b"PK\x03\x04rest"),
            Some(FileKind::Xlsx)
        );
        assert_eq!(
            FileKind::detect("a.csv", b"PK\x03\x04rest"),
            Some(FileKind::Xlsx)
        );
        assert_eq!(
            FileKind::detect("upload", "工号,姓名".as_bytes()),
            Some(FileKind::Csv)
        );
        assert_eq!(FileKind::detect("upload", b"\xb9\xa4\xba\xc5"), None);
        assert_eq!(
            FileKind::detect("a.csv", b"\xb9\xa4\xba\xc5"),
            Some(FileKind::Csv)
        );
        assert_eq!(FileKind::detect("old.xls", b"\xd0\xcf\x11\xe0"), None);
    }

    #[test]
    fn csv_with_and_without_bom_reads_the_same() {
        let plain = csv("a,b\n1,2\n").unwrap();
        let bom = csv("\u{FEFF}a,b\n1,2\n").unwrap();
        assert_eq!(plain, bom);
        assert_eq!(plain.headers, vec!["a", "b"]);
        assert_eq!(plain.rows[0].cells, vec!["1", "2"]);
        assert_eq!(plain.rows[0].line, 2);
    }

    #[test]
    fn csv_cells_are_trimmed_and_short_rows_padded() {
        let t = csv(" a , b ,c\r\n 1 ,\u{3000}2\u{3000}\r\n3\r\n").unwrap();
        assert_eq!(t.headers, vec!["a", "b", "c"]);
        assert_eq!(t.rows[0].cells, vec!["1", "2", ""]);
        assert_eq!(t.rows[1].cells, vec!["3", "", ""]);
    }

    #[test]
    fn csv_trailing_empty_columns_are_dropped_but_extra_data_kept() {
        let t = csv("a,b,,\n1,2,,\n3,4,,x\n").unwrap();
        assert_eq!(t.headers, vec!["a", "b"]);
        assert_eq!(t.rows[0].cells, vec!["1", "2"]);
        assert_eq!(t.rows[1].cells, vec!["3", "4", "", "x"]);
    }

    #[test]
    fn blank_rows_are_skipped_but_line_numbers_stay_true() {
        let t = csv("\n\na,b\n1,2\n\n , \n,,\n3,4\n\n5,6\n\n").unwrap();
        assert_eq!(t.headers, vec!["a", "b"]);
        assert_eq!(lines(&t), vec![4, 8, 10]);
        let t = csv("\r\na,b\r\n1,2\r\n\r\n\r\n3,4\r\n\r\n").unwrap();
        assert_eq!(lines(&t), vec![3, 6]);
        // "CSV (Macintosh)" from Excel for Mac ends lines with a bare CR.
        let t = csv("a,b\r1,2\r\r3,4\r").unwrap();
        assert_eq!(lines(&t), vec![2, 4]);
    }

    #[test]
    fn quoted_newlines_do_not_shift_later_line_numbers() {
        let t = csv("a,b\n1,\"two\nlines\"\n3,\"x\"\"y\"\n4,z\n").unwrap();
        assert_eq!(lines(&t), vec![2, 4, 5]);
        assert_eq!(t.rows[0].cells[1], "two\nlines");
        assert_eq!(t.rows[1].cells[1], "x\"y");
        let t = csv("a,b\r\n1,\"two\r\nlines\"\r\n\r\n3,x\r\n").unwrap();
        assert_eq!(lines(&t), vec![2, 5]);
    }

    #[test]
    fn delimiter_is_detected_from_the_header() {
        let t = csv("a;b;c\n1;2,5;3\n").unwrap();
        assert_eq!(t.rows[0].cells, vec!["1", "2,5", "3"]);
        let t = csv("a\tb\n1\t2\n").unwrap();
        assert_eq!(t.rows[0].cells, vec!["1", "2"]);
        let t = csv("\"a;x\",b\n1,2\n").unwrap();
        assert_eq!(t.headers, vec!["a;x", "b"]);
        let t = csv("only\n1\n").unwrap();
        assert_eq!(t.rows[0].cells, vec!["1"]);
    }

    #[test]
    fn excel_sep_line_sets_the_delimiter() {
        let t = csv("sep=;\na;b\n1;2\n").unwrap();
        assert_eq!(t.headers, vec!["a", "b"]);
        assert_eq!(t.rows[0].line, 3);
        let t = csv("\u{FEFF}sep=;\ra;b\r1;2\r").unwrap();
        assert_eq!(t.headers, vec!["a", "b"]);
        assert_eq!(t.rows[0].line, 3);
    }

    #[test]
    fn empty_and_blank_files_are_empty() {
        for text in ["", "\u{FEFF}", "\n\n", " , \r\n,,\r\n"] {
            assert_eq!(csv(text), Err(ReadError::Empty), "{text:?}");
        }
        assert_eq!(ReadError::Empty.code(), "file-empty");
    }

    #[test]
    fn header_only_is_a_table_without_rows() {
        let t = csv("a,b\n").unwrap();
        assert!(t.rows.is_empty());
    }

    #[test]
    fn non_utf8_is_refused_with_its_own_code() {
        // "工号,姓名" in GBK, as old Excel saves it.
        let gbk = b"\xb9\xa4\xba\xc5,\xd0\xd5\xc3\xfb\r\n1,2\r\n";
        let e = read_table(gbk, FileKind::Csv).unwrap_err();
        assert_eq!(e, ReadError::NotUtf8);
        assert_eq!(e.code(), "not-utf8");
    }

    #[test]
    fn unterminated_quote_is_bad_csv_at_its_line() {
        let e = csv("a,b\n1,2\n3,\"open\n4,5\n").unwrap_err();
        assert_eq!(e, ReadError::BadCsv { line: 3 });
        assert_eq!(e.code(), "bad-csv");
        // A quote inside a plain field or a closed, escaped one is fine.
        assert!(csv("a,b\n1,x\"y\n2,\"\"\"\"\n").is_ok());
    }

    #[test]
    fn too_many_rows_is_refused() {
        let text = "a\n1\n2\n3\n";
        assert!(read_table_limited(text.as_bytes(), FileKind::Csv, 3).is_ok());
        let e = read_table_limited(text.as_bytes(), FileKind::Csv, 2).unwrap_err();
        assert_eq!(e, ReadError::TooManyRows { max: 2 });
        assert_eq!(e.code(), "too-many-rows");
    }

    #[test]
    fn numbers_render_like_excel_shows_them() {
        assert_eq!(render_number(10023.0), "10023");
        assert_eq!(render_number(-0.0), "0");
        assert_eq!(render_number(2.5), "2.5");
        assert_eq!(render_number(1e300), "1".to_owned() + &"0".repeat(300));
    }

    fn sample_xlsx() -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");
        ws.write_string(1, 1, "工号").unwrap();
        ws.write_string(1, 2, " 入职日期 ").unwrap();
        ws.write_string(1, 3, "x").unwrap();
        ws.write_number(2, 1, 10023.0).unwrap();
        let d = XlsxDate::from_ymd(2024, 3, 1).unwrap();
        ws.write_datetime_with_format(2, 2, &d, &date).unwrap();
        ws.write_boolean(2, 3, true).unwrap();
        ws.write_string(3, 1, "   ").unwrap();
        ws.write_number(4, 1, 12.5).unwrap();
        let dt = XlsxDate::parse_from_str("2024-03-01 09:30:00").unwrap();
        ws.write_datetime_with_format(4, 2, &dt, &datetime).unwrap();
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn xlsx_renders_numbers_dates_and_booleans_as_text() {
        let t = read_table(&sample_xlsx(), FileKind::Xlsx).unwrap();
        assert_eq!(t.headers, vec!["工号", "入职日期", "x"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].line, 3);
        assert_eq!(t.rows[0].cells, vec!["10023", "2024-03-01", "true"]);
        assert_eq!(t.rows[1].line, 5);
        assert_eq!(t.rows[1].cells, vec!["12.5", "2024-03-01 09:30:00", ""]);
    }

    #[test]
    fn xlsx_skips_hidden_first_sheet() {
        let mut wb = Workbook::new();
        let hidden = wb.add_worksheet();
        hidden.write_string(0, 0, "lookup").unwrap();
        hidden.set_hidden(true);
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "wanted").unwrap();
        ws.set_active(true);
        let t = read_table(&wb.save_to_buffer().unwrap(), FileKind::Xlsx).unwrap();
        assert_eq!(t.headers, vec!["wanted"]);
    }

    #[test]
    fn xlsx_empty_sheet_and_garbage() {
        let mut wb = Workbook::new();
        wb.add_worksheet();
        let bytes = wb.save_to_buffer().unwrap();
        assert_eq!(read_table(&bytes, FileKind::Xlsx), Err(ReadError::Empty));

        let e = read_table(b"PK\x03\x04 not really a zip", FileKind::Xlsx).unwrap_err();
        assert_eq!(e.code(), "bad-xlsx");
        let e = read_table(b"", FileKind::Xlsx).unwrap_err();
        assert_eq!(e.code(), "bad-xlsx");
    }

    #[test]
    fn xlsx_row_limit_applies() {
        let e = read_table_limited(&sample_xlsx(), FileKind::Xlsx, 1).unwrap_err();
        assert_eq!(e, ReadError::TooManyRows { max: 1 });
    }

    /// Run with `cargo test --release`; debug builds are too slow to judge.
    #[cfg(not(debug_assertions))]
    #[test]
    fn reads_100k_csv_rows_quickly() {
        let mut text = String::from("工号,姓名,部门,岗位,窗口/班组,直属上级工号,入职日期,状态\n");
        for i in 0..100_000 {
            text.push_str(&format!(
                "E{i},王芳{i},CS-01,AGENT,W-01,E10000,2024-03-01,在岗\n"
            ));
        }
        let start = std::time::Instant::now();
        let t = csv(&text).unwrap();
        let took = start.elapsed();
        assert_eq!(t.rows.len(), 100_000);
        eprintln!("read 100,000 CSV rows in {took:?}");
        assert!(took.as_millis() < 500, "took {took:?}");
    }
}
