//! S1's *training needs analysis report* as files: an XLSX workbook with one sheet per
//! section and an A4 PDF with the sections in order and page numbers in the reader's
//! language.
//!
//! Both take plain data ([`NeedsReportData`]): a title, a summary of key figures and the
//! report's tables, every label and name already in the reader's language (the web layer
//! fills them from its message files and the competency model), so this crate knows
//! nothing of surveys or databases.

use chrono::{DateTime, FixedOffset};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::Lang;
use crate::export::{ExportError, col_num, column_width, display_width, header_format, row_num};
use crate::pdf::{Column, Flow, PdfDocument, Table, TextStyle, footer_template};

/// One cell of a report table.
#[derive(Debug, Clone, PartialEq)]
pub enum NeedsCell {
    Text(String),
    Int(i64),
    /// A level or gap on the 1–5 scale (two decimals); `None` is shown as a dash.
    Level(Option<f64>),
    /// A share from 0 to 1 (one decimal of a percent); `None` is shown as a dash.
    Share(Option<f64>),
}

impl NeedsCell {
    /// The cell as the PDF and the page print it.
    pub fn text(&self) -> String {
        match self {
            NeedsCell::Text(s) => s.clone(),
            NeedsCell::Int(n) => n.to_string(),
            NeedsCell::Level(Some(v)) => format!("{v:.2}"),
            NeedsCell::Share(Some(v)) => format!("{:.1}%", v * 100.0),
            NeedsCell::Level(None) | NeedsCell::Share(None) => "—".into(),
        }
    }

    fn numeric(&self) -> bool {
        !matches!(self, NeedsCell::Text(_))
    }
}

/// One section of the report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NeedsTable {
    /// The section heading.
    pub heading: String,
    /// The worksheet's name: at most 31 characters, none of `[]:*?/\`.
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<NeedsCell>>,
    /// Shown instead of an empty table.
    pub empty: String,
}

/// The whole report, ready to write.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NeedsReportData {
    pub lang: Option<Lang>,
    pub title: String,
    /// Code and title of the survey.
    pub subtitle: String,
    /// Label of the summary section and its sheet.
    pub summary_heading: String,
    pub summary_sheet: String,
    /// Key figures: label, value.
    pub summary: Vec<(String, String)>,
    /// Header labels of the summary sheet.
    pub figure: String,
    pub value: String,
    pub tables: Vec<NeedsTable>,
}

/// The workbook: the summary, then one sheet per table.
pub fn needs_xlsx(data: &NeedsReportData) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let bold = header_format();
    let ws = wb.add_worksheet();
    ws.set_name(&data.summary_sheet)?;
    ws.write_string_with_format(0, 0, data.figure.as_str(), &bold)?;
    ws.write_string_with_format(0, 1, data.value.as_str(), &bold)?;
    let mut widths = [display_width(&data.figure), display_width(&data.value)];
    for (r, (k, v)) in data.summary.iter().enumerate() {
        let rn = row_num(r + 1)?;
        ws.write_string(rn, 0, k.as_str())?;
        ws.write_string(rn, 1, v.as_str())?;
        widths[0] = widths[0].max(display_width(k));
        widths[1] = widths[1].max(display_width(v));
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col_num(c)?, column_width(*w))?;
    }
    for t in &data.tables {
        table_sheet(&mut wb, t)?;
    }
    Ok(wb.save_to_buffer()?)
}

fn table_sheet(wb: &mut Workbook, t: &NeedsTable) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(&t.sheet)?;
    let bold = header_format();
    let decimals = Format::new().set_num_format("0.00");
    let percent = Format::new().set_num_format("0.0%");
    let mut widths: Vec<usize> = t.headers.iter().map(|h| display_width(h)).collect();
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(0, col_num(c)?, h.as_str(), &bold)?;
    }
    if t.rows.is_empty() {
        ws.write_string(1, 0, t.empty.as_str())?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let rn = row_num(r + 1)?;
        for (c, cell) in row.iter().enumerate() {
            let cn = col_num(c)?;
            let w = match cell {
                // Always a string, never a formula: topics are typed by people.
                NeedsCell::Text(s) => {
                    ws.write_string(rn, cn, s.as_str())?;
                    display_width(s)
                }
                NeedsCell::Int(n) => {
                    ws.write_number(rn, cn, *n as f64)?;
                    6
                }
                NeedsCell::Level(Some(v)) => {
                    ws.write_number_with_format(rn, cn, *v, &decimals)?;
                    6
                }
                NeedsCell::Share(Some(v)) => {
                    ws.write_number_with_format(rn, cn, *v, &percent)?;
                    7
                }
                NeedsCell::Level(None) | NeedsCell::Share(None) => 1,
            };
            if let Some(width) = widths.get_mut(c) {
                *width = (*width).max(w);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col_num(c)?, column_width(*w))?;
    }
    Ok(())
}

/// The PDF: A4 portrait, the summary then the tables, "第 1 / 3 页" or "Page 1 of 3" in
/// the footer. The same data and creation date give the same bytes.
pub fn needs_pdf(data: &NeedsReportData, created: DateTime<FixedOffset>) -> Vec<u8> {
    let lang = data.lang.unwrap_or(Lang::ZhCn);
    let doc = PdfDocument::new(format!("{} · {}", data.title, data.subtitle))
        .with_lang(lang)
        .with_footer(footer_template(lang))
        .with_creation_date(created);
    let mut f = Flow::new(doc);
    f.title(&data.title);
    f.text(&data.subtitle, TextStyle::new(12.0).gray(0.25));
    f.space(6.0);
    f.heading(&format!("1. {}", data.summary_heading));
    let pairs: Vec<(&str, &str)> = data
        .summary
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    f.key_values(&pairs);
    for (i, t) in data.tables.iter().enumerate() {
        f.heading(&format!("{}. {}", i + 2, t.heading));
        if t.rows.is_empty() {
            f.paragraph(&t.empty);
            continue;
        }
        let numeric: Vec<bool> = (0..t.headers.len())
            .map(|c| {
                t.rows
                    .iter()
                    .all(|r| r.get(c).is_some_and(NeedsCell::numeric))
            })
            .collect();
        let columns = t
            .headers
            .iter()
            .zip(&numeric)
            .map(|(h, n)| {
                if *n {
                    Column::new(h.as_str(), 1.0).right()
                } else {
                    Column::new(h.as_str(), 2.4)
                }
            })
            .collect();
        let mut table = Table::new(columns);
        table.font_size = 8.5;
        for r in &t.rows {
            table.row(r.iter().map(NeedsCell::text));
        }
        f.table(&table);
    }
    f.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sample(lang: Lang) -> NeedsReportData {
        NeedsReportData {
            lang: Some(lang),
            title: "培训需求分析报告".into(),
            subtitle: "NS-2026 · 年度调查".into(),
            summary_heading: "概况".into(),
            summary_sheet: "概况".into(),
            summary: vec![("回收率".into(), "85.0%".into())],
            figure: "指标".into(),
            value: "数值".into(),
            tables: vec![
                NeedsTable {
                    heading: "技能".into(),
                    sheet: "技能".into(),
                    headers: vec!["技能".into(), "自评".into(), "差距".into(), "占比".into()],
                    rows: vec![vec![
                        NeedsCell::Text("倾听".into()),
                        NeedsCell::Level(Some(3.47)),
                        NeedsCell::Level(None),
                        NeedsCell::Share(Some(0.5)),
                    ]],
                    empty: "无".into(),
                },
                NeedsTable {
                    heading: "话题".into(),
                    sheet: "话题".into(),
                    headers: vec!["话题".into(), "人数".into()],
                    rows: Vec::new(),
                    empty: "暂无回答".into(),
                },
            ],
        }
    }

    #[test]
    fn cells_print_as_the_page_shows_them() {
        assert_eq!(NeedsCell::Level(Some(3.0)).text(), "3.00");
        assert_eq!(NeedsCell::Share(Some(0.8333)).text(), "83.3%");
        assert_eq!(NeedsCell::Level(None).text(), "—");
        assert_eq!(NeedsCell::Int(12).text(), "12");
    }

    #[test]
    fn the_workbook_has_a_sheet_per_section() {
        let bytes = needs_xlsx(&sample(Lang::ZhCn)).unwrap();
        assert!(bytes.starts_with(b"PK"));
        let table = crate::read_table(&bytes, crate::FileKind::Xlsx).unwrap();
        assert_eq!(table.headers, ["指标", "数值"]);
    }

    #[test]
    fn the_pdf_is_stable_and_multilingual() {
        let at = FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
            .unwrap();
        let a = needs_pdf(&sample(Lang::ZhCn), at);
        assert!(a.starts_with(b"%PDF-"));
        assert_eq!(a, needs_pdf(&sample(Lang::ZhCn), at));
        assert!(needs_pdf(&sample(Lang::En), at).starts_with(b"%PDF-"));
    }
}
