//! Employee import: which column is which, and the templates HR fills in.
//!
//! Values are deliberately left as text: the app layer validates them with
//! `skillcert_domain::org`, the same rules a form goes through.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::Serialize;
use skillcert_domain::org::{EmployeeStatus, NAME_MAX};
use skillcert_domain::text::Code;

use crate::Lang;
use crate::export::{
    ExportError, col_num, column_width, date_format, display_width, excel_date, header_format,
    row_num, write_csv,
};
use crate::table::RawTable;

/// The canonical column keys, in template order. A public contract: issues name these.
pub const EMPLOYEE_COLUMNS: [&str; 8] = [
    "employee_no",
    "name",
    "department",
    "position",
    "unit",
    "supervisor_no",
    "hire_date",
    "status",
];

/// Columns a file must have; the others may be left out entirely.
pub const REQUIRED_EMPLOYEE_COLUMNS: [&str; 4] = ["employee_no", "name", "department", "hire_date"];

struct ColumnSpec {
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    /// Other headers HR commonly uses for the same thing.
    aliases: &'static [&'static str],
}

/// In the order of [`EMPLOYEE_COLUMNS`].
const SPECS: [ColumnSpec; 8] = [
    ColumnSpec {
        key: "employee_no",
        zh: "工号",
        en: "Employee No.",
        aliases: &["员工编号", "员工工号"],
    },
    ColumnSpec {
        key: "name",
        zh: "姓名",
        en: "Name",
        aliases: &[],
    },
    ColumnSpec {
        key: "department",
        zh: "部门",
        en: "Department",
        aliases: &[],
    },
    ColumnSpec {
        key: "position",
        zh: "岗位",
        en: "Position",
        aliases: &[],
    },
    ColumnSpec {
        key: "unit",
        zh: "窗口/班组",
        en: "Window/Team",
        // The full-width slash is what a Chinese input method types.
        aliases: &["窗口", "班组", "窗口／班组"],
    },
    ColumnSpec {
        key: "supervisor_no",
        zh: "直属上级工号",
        en: "Supervisor No.",
        aliases: &["上级工号"],
    },
    ColumnSpec {
        key: "hire_date",
        zh: "入职日期",
        en: "Hire date",
        aliases: &[],
    },
    ColumnSpec {
        key: "status",
        zh: "状态",
        en: "Status",
        aliases: &[],
    },
];

/// The header label of a column in a language, or `None` for an unknown key.
pub fn employee_column_label(key: &str, lang: Lang) -> Option<&'static str> {
    SPECS.iter().find(|s| s.key == key).map(|s| label(s, lang))
}

fn label(spec: &ColumnSpec, lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => spec.zh,
        Lang::En => spec.en,
    }
}

/// The canonical key for a header cell: the key itself, a label in either language or an
/// alias, ignoring case and surrounding spaces.
pub fn employee_column_for_header(header: &str) -> Option<&'static str> {
    let h = header.trim();
    SPECS
        .iter()
        .find(|s| {
            [s.key, s.en, s.zh]
                .iter()
                .chain(s.aliases)
                .any(|a| a.eq_ignore_ascii_case(h))
        })
        .map(|s| s.key)
}

/// One data row, columns mapped but values unchecked ("" = absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EmployeeImportRow {
    pub line: usize,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub position: String,
    pub unit: String,
    pub supervisor_no: String,
    pub hire_date: String,
    pub status: String,
}

/// A problem with an import file, shown to the user next to its line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportIssue {
    /// The file's line number, or 0 for problems with the file as a whole (its header).
    pub line: usize,
    /// The canonical column key, when the problem belongs to one.
    pub column: Option<&'static str>,
    /// Stable code, becomes a translation key.
    pub code: &'static str,
    /// The text the message quotes: a header, a column letter, a first line number.
    pub detail: Option<String>,
}

/// Maps the columns of an uploaded table to employee fields.
///
/// Refuses the whole file when its header is wrong — unknown, duplicate or missing columns,
/// or data under no header — because a typo must not silently drop a column of data. Row
/// problems (see [`duplicate_employee_numbers`]) are left to the caller, who reports them
/// together with every other bad row.
///
/// Issue codes: `unknown-column`, `duplicate-column`, `missing-column`, `unnamed-column`
/// (data in a column with a blank header; line = first such row, detail = column letter).
pub fn map_employee_rows(table: RawTable) -> Result<Vec<EmployeeImportRow>, Vec<ImportIssue>> {
    let RawTable { headers, rows } = table;
    let mut issues = Vec::new();

    let width = rows
        .iter()
        .map(|r| r.cells.len())
        .chain([headers.len()])
        .max()
        .unwrap_or(0);
    let mut index: [Option<usize>; 8] = [None; 8];
    for i in 0..width {
        let header = headers.get(i).map_or("", |h| h.trim());
        if header.is_empty() {
            let with_data = rows
                .iter()
                .find(|r| r.cells.get(i).is_some_and(|c| !c.trim().is_empty()));
            if let Some(row) = with_data {
                issues.push(ImportIssue {
                    line: row.line,
                    column: None,
                    code: "unnamed-column",
                    detail: Some(column_letter(i)),
                });
            }
            continue;
        }
        let Some(k) = employee_column_for_header(header)
            .and_then(|key| EMPLOYEE_COLUMNS.iter().position(|c| *c == key))
        else {
            issues.push(ImportIssue {
                line: 0,
                column: None,
                code: "unknown-column",
                detail: Some(header.to_owned()),
            });
            continue;
        };
        if index[k].is_some() {
            issues.push(ImportIssue {
                line: 0,
                column: Some(EMPLOYEE_COLUMNS[k]),
                code: "duplicate-column",
                detail: Some(header.to_owned()),
            });
        } else {
            index[k] = Some(i);
        }
    }
    for (k, key) in EMPLOYEE_COLUMNS.iter().enumerate() {
        if index[k].is_none() && REQUIRED_EMPLOYEE_COLUMNS.contains(key) {
            issues.push(ImportIssue {
                line: 0,
                column: Some(key),
                code: "missing-column",
                detail: None,
            });
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }

    let out: Vec<EmployeeImportRow> = rows
        .into_iter()
        .map(|mut row| {
            // Moves each cell out instead of cloning: imports can hold 200,000 rows.
            let mut take = |k: usize| {
                let cell = index[k]
                    .and_then(|i| row.cells.get_mut(i))
                    .map(std::mem::take)
                    .unwrap_or_default();
                if cell.trim().len() == cell.len() {
                    cell
                } else {
                    cell.trim().to_owned()
                }
            };
            EmployeeImportRow {
                employee_no: take(0),
                name: take(1),
                department: take(2),
                position: take(3),
                unit: take(4),
                supervisor_no: take(5),
                hire_date: take(6),
                status: take(7),
                line: row.line,
            }
        })
        .collect();

    Ok(out)
}

/// An employee number that occurs twice, reported on each later row with the first line as
/// detail (code `duplicate-in-file`).
pub fn duplicate_employee_numbers(rows: &[EmployeeImportRow]) -> Vec<ImportIssue> {
    let mut issues = Vec::new();
    let mut first_line: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    for row in rows {
        if row.employee_no.is_empty() {
            continue;
        }
        if let Some(first) = first_line.get(row.employee_no.as_str()) {
            issues.push(ImportIssue {
                line: row.line,
                column: Some("employee_no"),
                code: "duplicate-in-file",
                detail: Some(first.to_string()),
            });
        } else {
            first_line.insert(&row.employee_no, row.line);
        }
    }
    issues
}

/// Excel's name for a 0-based column index: A, B, …, Z, AA, AB, …
fn column_letter(mut i: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(char::from(b'A' + (i % 26) as u8));
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// The example rows of the templates, status and date filled in per language.
const EXAMPLES: [([&str; 6], &str, EmployeeStatus); 2] = [
    (
        ["E10001", "王芳", "CS-01", "AGENT", "W-01", "E10000"],
        "2024-03-01",
        EmployeeStatus::Active,
    ),
    (
        ["E10002", "李强", "CS-01", "AGENT", "W-02", "E10000"],
        "2025-07-15",
        EmployeeStatus::Probation,
    ),
];

/// Chinese HR types the label they see in the UI; English files use the stable key.
fn status_text(status: EmployeeStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => status.label_zh(),
        Lang::En => status.key(),
    }
}

fn example_rows(lang: Lang) -> Vec<Vec<String>> {
    EXAMPLES
        .iter()
        .map(|(text, date, status)| {
            text.iter()
                .copied()
                .chain([*date, status_text(*status, lang)])
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

fn labels(lang: Lang) -> Vec<&'static str> {
    SPECS.iter().map(|s| label(s, lang)).collect()
}

/// A CSV template: BOM, header labels in `lang`, two example rows.
pub fn employee_template_csv(lang: Lang) -> Vec<u8> {
    write_csv(&labels(lang), &example_rows(lang))
}

/// An XLSX template: the same header and examples on the first sheet, and a second sheet
/// explaining each column and the accepted status values.
pub fn employee_template_xlsx(lang: Lang) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    write_template_sheet(workbook.add_worksheet(), lang)?;
    write_instructions_sheet(workbook.add_worksheet(), lang)?;
    Ok(workbook.save_to_buffer()?)
}

fn write_template_sheet(ws: &mut Worksheet, lang: Lang) -> Result<(), XlsxError> {
    ws.set_name(match lang {
        Lang::ZhCn => "员工",
        Lang::En => "Employees",
    })?;
    let bold = header_format();
    // Text format keeps leading zeros of numbers like 00123 that Excel would otherwise drop.
    let text = Format::new().set_num_format("@");
    let date = date_format();
    let rows = example_rows(lang);
    for (c, spec) in SPECS.iter().enumerate() {
        let col = col_num(c)?;
        let header = label(spec, lang);
        ws.write_string_with_format(0, col, header, &bold)?;
        let format = match spec.key {
            "employee_no" | "supervisor_no" => Some(&text),
            "hire_date" => Some(&date),
            _ => None,
        };
        // The column format applies to the cells HR adds; written cells need their own.
        if let Some(f) = format {
            ws.set_column_format(col, f)?;
        }
        let mut width = display_width(header);
        for (r, row) in rows.iter().enumerate() {
            let rn = row_num(r + 1)?;
            let value = row.get(c).map_or("", String::as_str);
            width = width.max(display_width(value));
            match (spec.key, parse_iso(value)) {
                ("hire_date", Some(d)) => {
                    ws.write_datetime_with_format(rn, col, excel_date(d)?, &date)?;
                }
                _ => {
                    match format {
                        Some(f) => ws.write_string_with_format(rn, col, value, f)?,
                        None => ws.write_string(rn, col, value)?,
                    };
                }
            }
        }
        ws.set_column_width(col, column_width(width + 4))?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn parse_iso(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn write_instructions_sheet(ws: &mut Worksheet, lang: Lang) -> Result<(), XlsxError> {
    let zh = lang == Lang::ZhCn;
    ws.set_name(if zh { "说明" } else { "Instructions" })?;
    let bold = header_format();
    let wrap = Format::new().set_text_wrap();

    let mut table: Vec<[String; 4]> = Vec::new();
    for spec in &SPECS {
        let required = REQUIRED_EMPLOYEE_COLUMNS.contains(&spec.key);
        let yes_no = match (zh, required) {
            (true, true) => "是",
            (true, false) => "否",
            (false, true) => "Yes",
            (false, false) => "No",
        };
        table.push([
            spec.key.to_owned(),
            label(spec, lang).to_owned(),
            yes_no.to_owned(),
            column_note(spec.key, lang),
        ]);
    }

    let heads: [&str; 4] = if zh {
        ["列", "表头", "必填", "说明"]
    } else {
        ["Column", "Header", "Required", "Notes"]
    };
    let mut widths: Vec<usize> = heads.iter().map(|h| display_width(h)).collect();
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(0, col_num(c)?, *h, &bold)?;
    }
    let mut r = 1;
    for row in &table {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(row_num(r)?, col_num(c)?, v.as_str())?;
            widths[c] = widths[c].max(display_width(v));
        }
        r += 1;
    }

    r += 1;
    let status_title = if zh {
        "状态可选值"
    } else {
        "Accepted status values"
    };
    ws.write_string_with_format(row_num(r)?, 0, status_title, &bold)?;
    r += 1;
    let status_heads = if zh {
        ["键", "中文", "English"]
    } else {
        ["Key", "Chinese", "English"]
    };
    for (c, h) in status_heads.iter().enumerate() {
        ws.write_string_with_format(row_num(r)?, col_num(c)?, *h, &bold)?;
    }
    r += 1;
    for status in EmployeeStatus::ALL {
        let values = [status.key(), status.label_zh(), status.label_en()];
        for (c, v) in values.iter().enumerate() {
            ws.write_string(row_num(r)?, col_num(c)?, *v)?;
            widths[c] = widths[c].max(display_width(v));
        }
        r += 1;
    }

    r += 1;
    let general = if zh {
        "只导入第一个工作表。表头可用中文、英文或列名，不区分大小写。"
    } else {
        "Only the first sheet is imported. Headers may be Chinese, English or the column key, in any case."
    };
    ws.write_string_with_format(row_num(r)?, 0, general, &wrap)?;
    // The general note spans the row visually; it must not widen the key column.
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col_num(c)?, column_width(w + 2))?;
    }
    Ok(())
}

/// What HR needs to know to fill a column; limits come from the domain so they stay true.
fn column_note(key: &str, lang: Lang) -> String {
    let zh = lang == Lang::ZhCn;
    match key {
        "employee_no" if zh => format!(
            "字母、数字、- 和 _，最多 {} 个字符；同一文件内不可重复",
            Code::MAX
        ),
        "employee_no" => format!(
            "Letters, digits, - and _, at most {} characters; unique within the file",
            Code::MAX
        ),
        "name" if zh => format!("最多 {NAME_MAX} 个字符"),
        "name" => format!("At most {NAME_MAX} characters"),
        "department" if zh => "部门编码".to_owned(),
        "department" => "Department code".to_owned(),
        "position" if zh => "岗位编码，可留空".to_owned(),
        "position" => "Position code; may be empty".to_owned(),
        "unit" if zh => "窗口或班组编码，可留空".to_owned(),
        "unit" => "Window or team code; may be empty".to_owned(),
        "supervisor_no" if zh => "直属上级的工号，可留空".to_owned(),
        "supervisor_no" => "Employee No. of the direct supervisor; may be empty".to_owned(),
        "hire_date" if zh => "YYYY-MM-DD，也接受 2024/3/1；不可晚于今天".to_owned(),
        "hire_date" => "YYYY-MM-DD (2024/3/1 also accepted); not in the future".to_owned(),
        "status" if zh => format!(
            "见下方可选值；留空视为“{}”",
            EmployeeStatus::Active.label_zh()
        ),
        "status" => format!(
            "See the accepted values below; empty means {}",
            EmployeeStatus::Active.label_en()
        ),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{FileKind, RawRow, read_table};
    use calamine::{Reader, Xlsx};
    use std::io::Cursor;

    fn table(headers: &[&str], rows: &[(usize, &[&str])]) -> RawTable {
        RawTable {
            headers: headers.iter().map(|s| s.to_string()).collect(),
            rows: rows
                .iter()
                .map(|(line, cells)| RawRow {
                    line: *line,
                    cells: cells.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
        }
    }

    fn codes(issues: &[ImportIssue]) -> Vec<(usize, Option<&str>, &str, Option<&str>)> {
        issues
            .iter()
            .map(|i| (i.line, i.column, i.code, i.detail.as_deref()))
            .collect()
    }

    fn expected_examples(lang: Lang) -> Vec<EmployeeImportRow> {
        let status = |s: EmployeeStatus| status_text(s, lang).to_string();
        vec![
            EmployeeImportRow {
                line: 2,
                employee_no: "E10001".into(),
                name: "王芳".into(),
                department: "CS-01".into(),
                position: "AGENT".into(),
                unit: "W-01".into(),
                supervisor_no: "E10000".into(),
                hire_date: "2024-03-01".into(),
                status: status(EmployeeStatus::Active),
            },
            EmployeeImportRow {
                line: 3,
                employee_no: "E10002".into(),
                name: "李强".into(),
                department: "CS-01".into(),
                position: "AGENT".into(),
                unit: "W-02".into(),
                supervisor_no: "E10000".into(),
                hire_date: "2025-07-15".into(),
                status: status(EmployeeStatus::Probation),
            },
        ]
    }

    #[test]
    fn specs_follow_the_public_column_order() {
        let keys: Vec<_> = SPECS.iter().map(|s| s.key).collect();
        assert_eq!(keys, EMPLOYEE_COLUMNS);
        for key in EMPLOYEE_COLUMNS {
            assert_eq!(employee_column_for_header(key), Some(key));
            for lang in [Lang::ZhCn, Lang::En] {
                let l = employee_column_label(key, lang).unwrap();
                assert_eq!(employee_column_for_header(l), Some(key));
                assert!(!column_note(key, lang).is_empty());
            }
        }
    }

    #[test]
    fn headers_match_aliases_ignoring_case_and_spaces() {
        assert_eq!(
            employee_column_for_header(" EMPLOYEE NO. "),
            Some("employee_no")
        );
        assert_eq!(employee_column_for_header("hire DATE"), Some("hire_date"));
        assert_eq!(employee_column_for_header("员工编号"), Some("employee_no"));
        assert_eq!(employee_column_for_header("员工工号"), Some("employee_no"));
        assert_eq!(employee_column_for_header("窗口"), Some("unit"));
        assert_eq!(employee_column_for_header("班组"), Some("unit"));
        assert_eq!(
            employee_column_for_header("上级工号"),
            Some("supervisor_no")
        );
        assert_eq!(
            employee_column_for_header("Employee_No"),
            Some("employee_no")
        );
        assert_eq!(employee_column_for_header("工 号"), None);
    }

    #[test]
    fn chinese_headers_map_in_any_order() {
        let t = table(
            &["姓名", "入职日期", "部门", "工号"],
            &[(2, &["王芳", "2024-03-01", "CS-01", "E1"])],
        );
        let rows = map_employee_rows(t).unwrap();
        assert_eq!(
            rows,
            vec![EmployeeImportRow {
                line: 2,
                employee_no: "E1".into(),
                name: "王芳".into(),
                department: "CS-01".into(),
                hire_date: "2024-03-01".into(),
                ..Default::default()
            }]
        );
    }

    #[test]
    fn english_headers_from_a_csv() {
        let csv = "Employee No.,Name,Department,Hire date,Status,Window/Team\n\
                   E1, Wang Fang ,CS-01,2024/3/1,active,W-01\n";
        let t = read_table(csv.as_bytes(), FileKind::Csv).unwrap();
        let rows = map_employee_rows(t).unwrap();
        assert_eq!(rows[0].name, "Wang Fang");
        assert_eq!(rows[0].status, "active");
        assert_eq!(rows[0].unit, "W-01");
        assert_eq!(rows[0].position, "");
    }

    #[test]
    fn header_problems_are_all_reported_at_once() {
        let t = table(
            &["工号", "Name", "姓名", "Hire dat", "部门"],
            &[(2, &["E1", "a", "b", "2024-01-01", "D"])],
        );
        let issues = map_employee_rows(t).unwrap_err();
        assert_eq!(
            codes(&issues),
            vec![
                (0, Some("name"), "duplicate-column", Some("姓名")),
                (0, None, "unknown-column", Some("Hire dat")),
                (0, Some("hire_date"), "missing-column", None),
            ]
        );
    }

    #[test]
    fn missing_required_columns_are_each_named() {
        let t = table(&["状态"], &[]);
        let issues = map_employee_rows(t).unwrap_err();
        let missing: Vec<_> = issues.iter().map(|i| i.column.unwrap()).collect();
        assert_eq!(missing, REQUIRED_EMPLOYEE_COLUMNS);
        assert!(issues.iter().all(|i| i.code == "missing-column"));
    }

    #[test]
    fn data_without_a_header_is_refused() {
        let csv = "工号,姓名,,部门,入职日期\nE1,a,,D,2024-01-01\nE2,b,oops,D,2024-01-01\nE3,c,,D,2024-01-01,extra\n";
        let t = read_table(csv.as_bytes(), FileKind::Csv).unwrap();
        let issues = map_employee_rows(t).unwrap_err();
        assert_eq!(
            codes(&issues),
            vec![
                (3, None, "unnamed-column", Some("C")),
                (4, None, "unnamed-column", Some("F")),
            ]
        );
        // An empty column with a blank header is just Excel noise.
        let csv = "工号,姓名,,部门,入职日期\nE1,a,,D,2024-01-01\n";
        let t = read_table(csv.as_bytes(), FileKind::Csv).unwrap();
        assert!(map_employee_rows(t).is_ok());
    }

    #[test]
    fn duplicate_employee_numbers_point_at_the_first() {
        let t = table(
            &["工号", "姓名", "部门", "入职日期"],
            &[
                (2, &["E1", "a", "D", "2024-01-01"]),
                (3, &["", "b", "D", "2024-01-01"]),
                (4, &["", "c", "D", "2024-01-01"]),
                (5, &["E1", "d", "D", "2024-01-01"]),
                (6, &["e1", "e", "D", "2024-01-01"]),
                (9, &["E1", "f", "D", "2024-01-01"]),
            ],
        );
        let issues = duplicate_employee_numbers(&map_employee_rows(t).unwrap());
        assert_eq!(
            codes(&issues),
            vec![
                (5, Some("employee_no"), "duplicate-in-file", Some("2")),
                (9, Some("employee_no"), "duplicate-in-file", Some("2")),
            ]
        );
    }

    #[test]
    fn short_rows_and_untrimmed_cells_are_tolerated() {
        let t = table(
            &["工号", "姓名", "部门", "入职日期", "状态"],
            &[(2, &[" E1 ", "a", "D"])],
        );
        let rows = map_employee_rows(t).unwrap();
        assert_eq!(rows[0].employee_no, "E1");
        assert_eq!(rows[0].hire_date, "");
        assert_eq!(rows[0].status, "");
    }

    #[test]
    fn column_letters_match_excel() {
        let got: Vec<_> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(column_letter)
            .collect();
        assert_eq!(got, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn csv_templates_round_trip() {
        for lang in [Lang::ZhCn, Lang::En] {
            let bytes = employee_template_csv(lang);
            assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
            let text = std::str::from_utf8(&bytes[3..]).unwrap();
            assert!(text.starts_with(&labels(lang).join(",")));
            let t = read_table(&bytes, FileKind::Csv).unwrap();
            assert_eq!(t.headers, labels(lang));
            assert_eq!(map_employee_rows(t).unwrap(), expected_examples(lang));
        }
        let zh = String::from_utf8(employee_template_csv(Lang::ZhCn)).unwrap();
        assert!(zh.contains("E10001,王芳,CS-01,AGENT,W-01,E10000,2024-03-01,在岗\r\n"));
        let en = String::from_utf8(employee_template_csv(Lang::En)).unwrap();
        assert!(en.contains("E10001,王芳,CS-01,AGENT,W-01,E10000,2024-03-01,active\r\n"));
    }

    #[test]
    fn example_values_pass_domain_checks() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for lang in [Lang::ZhCn, Lang::En] {
            for row in expected_examples(lang) {
                let fields = skillcert_domain::org::EmployeeFields {
                    employee_no: row.employee_no,
                    name: row.name,
                    hire_date: row.hire_date,
                    status: row.status,
                };
                assert!(fields.parse(today).is_ok());
            }
        }
    }

    #[test]
    fn xlsx_templates_round_trip() {
        for lang in [Lang::ZhCn, Lang::En] {
            let bytes = employee_template_xlsx(lang).unwrap();
            let t = read_table(&bytes, FileKind::Xlsx).unwrap();
            assert_eq!(t.headers, labels(lang));
            assert_eq!(map_employee_rows(t).unwrap(), expected_examples(lang));
        }
    }

    #[test]
    fn xlsx_template_explains_columns_and_statuses() {
        let bytes = employee_template_xlsx(Lang::ZhCn).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["员工", "说明"]);
        let range = wb.worksheet_range("说明").unwrap();
        let text: Vec<String> = range.used_cells().map(|(_, _, v)| v.to_string()).collect();
        for key in EMPLOYEE_COLUMNS {
            assert!(text.iter().any(|t| t == key), "{key}");
        }
        for s in EmployeeStatus::ALL {
            for v in [s.key(), s.label_zh(), s.label_en()] {
                assert!(text.iter().any(|t| t == v), "{v}");
            }
        }
        let required: Vec<_> = range
            .rows()
            .skip(1)
            .take(8)
            .filter(|r| r[2] == "是")
            .map(|r| r[0].to_string())
            .collect();
        assert_eq!(required, REQUIRED_EMPLOYEE_COLUMNS);

        let bytes = employee_template_xlsx(Lang::En).unwrap();
        let wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["Employees", "Instructions"]);
    }
}
