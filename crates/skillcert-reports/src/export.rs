//! Writing CSV and XLSX downloads that open cleanly in Excel and WPS.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ColNum, ExcelDateTime, Format, RowNum, Workbook, XlsxError};
use thiserror::Error;

/// Excel only detects UTF-8 in a CSV by its byte order mark; without it Chinese turns to
/// mojibake.
pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How many rows are looked at to size columns; enough to be representative, few enough
/// that a 100,000-row export does not measure every cell.
const WIDTH_SAMPLE_ROWS: usize = 1000;

/// A typed XLSX cell, so that numbers sum and dates sort in Excel.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Empty,
}

/// Why a workbook could not be produced; `code()` is stable and becomes a translation key.
#[derive(Debug, Error)]
pub enum ExportError {
    #[error("the workbook could not be written: {0}")]
    Xlsx(#[from] XlsxError),
}

impl ExportError {
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::Xlsx(_) => "xlsx-write",
        }
    }
}

/// Writes a CSV with a UTF-8 BOM and CRLF line ends, quoting only where needed.
///
/// Text that Excel would run as a formula (`=`, `+`, `-`, `@` and leading tab/CR, unless it
/// is just a number) gets a leading `'`: names and comments are typed by users, and a
/// report must not execute them when HR opens it.
pub fn write_csv(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * (rows.len() + 1));
    out.extend_from_slice(UTF8_BOM);
    write_record(&mut out, headers.iter().copied());
    for row in rows {
        write_record(&mut out, row.iter().map(String::as_str));
    }
    out
}

fn write_record<'a>(out: &mut Vec<u8>, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_field(out, field);
    }
    out.extend_from_slice(b"\r\n");
}

fn write_field(out: &mut Vec<u8>, field: &str) {
    let guard = looks_like_formula(field);
    // Leading or trailing spaces are quoted so that no reader is tempted to trim them.
    let quote =
        field.contains([',', '"', '\r', '\n']) || field.starts_with(' ') || field.ends_with(' ');
    if quote {
        out.push(b'"');
    }
    if guard {
        out.push(b'\'');
    }
    if quote {
        for part in field.split_inclusive('"') {
            out.extend_from_slice(part.as_bytes());
            if part.ends_with('"') {
                out.push(b'"');
            }
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

fn looks_like_formula(field: &str) -> bool {
    field.len() > 1
        && field.starts_with(['=', '+', '-', '@', '\t', '\r'])
        && field.trim().parse::<f64>().is_err()
}

/// Writes one worksheet with a bold, frozen, filterable header row.
///
/// Text is always stored as text, never as a formula, so user input cannot execute.
pub fn write_xlsx(
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name(sheet)?;
    let bold = header_format();
    let date = date_format();

    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    for (c, header) in headers.iter().enumerate() {
        ws.write_string_with_format(0, col_num(c)?, *header, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let rn = row_num(r + 1)?;
        for (c, cell) in row.iter().enumerate() {
            let cn = col_num(c)?;
            match cell {
                Cell::Text(s) => ws.write_string(rn, cn, s.as_str())?,
                Cell::Number(n) => ws.write_number(rn, cn, *n)?,
                Cell::Date(d) => ws.write_datetime_with_format(rn, cn, excel_date(*d)?, &date)?,
                Cell::Empty => ws,
            };
            if r < WIDTH_SAMPLE_ROWS {
                let w = match cell {
                    Cell::Text(s) => display_width(s),
                    Cell::Number(n) => n.to_string().len(),
                    Cell::Date(_) => 10,
                    Cell::Empty => 0,
                };
                if c >= widths.len() {
                    widths.resize(c + 1, 0);
                }
                widths[c] = widths[c].max(w);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        // +3 leaves room for the autofilter arrow next to the header.
        ws.set_column_width(col_num(c)?, column_width(*w + 3))?;
    }
    ws.set_freeze_panes(1, 0)?;
    if let Some(last) = headers.len().checked_sub(1) {
        ws.autofilter(0, 0, row_num(rows.len())?, col_num(last)?)?;
    }
    Ok(workbook.save_to_buffer()?)
}

pub(crate) fn header_format() -> Format {
    Format::new().set_bold()
}

/// ISO dates, so that they read the same in Chinese and English Excel.
pub(crate) fn date_format() -> Format {
    Format::new().set_num_format("yyyy-mm-dd")
}

pub(crate) fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year())
        .map_err(|_| XlsxError::DateTimeRangeError(format!("year {} out of range", d.year())))?;
    // Month and day always fit: chrono guarantees 1..=12 and 1..=31.
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

pub(crate) fn row_num(i: usize) -> Result<RowNum, XlsxError> {
    RowNum::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

pub(crate) fn col_num(i: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

/// Approximate on-screen width in Excel character units: CJK and other wide characters take
/// two columns, which matters for sizing columns of Chinese text.
pub(crate) fn display_width(s: &str) -> usize {
    s.lines()
        .map(|l| l.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum())
        .max()
        .unwrap_or(0)
}

/// Clamps a measured width so that one long comment does not make a column screen-wide.
pub(crate) fn column_width(chars: usize) -> f64 {
    chars.clamp(8, 60) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;

    #[test]
    fn csv_has_bom_crlf_and_quotes_where_needed() {
        let out = write_csv(
            &["工号", "备注"],
            &[
                vec!["E1".into(), "a,b".into()],
                vec!["E2".into(), "say \"hi\"\nbye".into()],
                vec!["E3".into(), " padded".into()],
            ],
        );
        assert!(out.starts_with(UTF8_BOM));
        let text = std::str::from_utf8(&out[3..]).unwrap();
        assert_eq!(
            text,
            "工号,备注\r\nE1,\"a,b\"\r\nE2,\"say \"\"hi\"\"\nbye\"\r\nE3,\" padded\"\r\n"
        );
    }

    #[test]
    fn csv_round_trips_through_the_reader() {
        let rows = vec![vec!["王芳".to_string(), "x,\"y\"\nz".to_string()]];
        let out = write_csv(&["姓名", "备注"], &rows);
        let t = crate::read_table(&out, crate::FileKind::Csv).unwrap();
        assert_eq!(t.headers, vec!["姓名", "备注"]);
        assert_eq!(t.rows[0].cells, rows[0]);
    }

    #[test]
    fn csv_defuses_formulas_but_not_numbers() {
        let out = write_csv(
            &["v"],
            &[
                vec!["=HYPERLINK(\"x\")".into()],
                vec!["+86 138".into()],
                vec!["-5".into()],
                vec!["-".into()],
                vec!["@sum".into()],
            ],
        );
        let text = std::str::from_utf8(&out[3..]).unwrap();
        assert_eq!(
            text,
            "v\r\n\"'=HYPERLINK(\"\"x\"\")\"\r\n'+86 138\r\n-5\r\n-\r\n'@sum\r\n"
        );
    }

    #[test]
    fn xlsx_reads_back_with_types() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let bytes = write_xlsx(
            "成绩",
            &["姓名", "分数", "日期", "备注"],
            &[
                vec![
                    Cell::Text("王芳".into()),
                    Cell::Number(92.5),
                    Cell::Date(d),
                    Cell::Empty,
                ],
                vec![Cell::Text("=1+1".into()), Cell::Number(80.0)],
            ],
        )
        .unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["成绩"]);
        let range = wb.worksheet_range("成绩").unwrap();
        assert_eq!(range.get_value((0, 0)), Some(&Data::String("姓名".into())));
        assert_eq!(range.get_value((1, 1)), Some(&Data::Float(92.5)));
        match range.get_value((1, 2)) {
            Some(Data::DateTime(dt)) => {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                assert_eq!((y, m, d), (2024, 3, 1));
            }
            other => panic!("not a date: {other:?}"),
        }
        assert_eq!(range.get_value((2, 0)), Some(&Data::String("=1+1".into())));
        let formulas = wb.worksheet_formula("成绩").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));

        // And through our own reader, as a user re-uploading an export would.
        let bytes = write_xlsx("s", &["d"], &[vec![Cell::Date(d)]]).unwrap();
        let t = crate::read_table(&bytes, crate::FileKind::Xlsx).unwrap();
        assert_eq!(t.rows[0].cells, vec!["2024-03-01"]);
    }

    #[test]
    fn xlsx_bad_sheet_name_and_date_are_errors() {
        let e = write_xlsx("a/b", &["x"], &[]).unwrap_err();
        assert_eq!(e.code(), "xlsx-write");
        let old = NaiveDate::from_ymd_opt(1850, 1, 1).unwrap();
        assert!(write_xlsx("s", &["x"], &[vec![Cell::Date(old)]]).is_err());
    }

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("王芳"), 4);
        assert_eq!(display_width("ab\n王芳王"), 6);
    }
}
