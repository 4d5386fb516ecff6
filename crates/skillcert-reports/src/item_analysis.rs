//! The item analysis of an exam as an XLSX download: a summary sheet with the test-level
//! figures and an items sheet with one row per question.
//!
//! The figures are [`skillcert_domain::exam::analysis`]'s; this module only lays them out.
//! Headers come from [`ItemAnalysisLabels`], which the web layer fills from its message
//! files (or takes from [`ItemAnalysisLabels::for_lang`]).

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use skillcert_domain::exam::analysis::{Analysis, Flag, ItemStats};

use crate::Lang;
use crate::export::{
    Cell, ExportError, col_num, column_width, display_width, header_format, row_num,
};

/// Localized texts of the workbook: sheet names, row labels and column headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemAnalysisLabels {
    /// Sheet names: at most 31 characters, none of `[ ] : * ? / \`.
    pub summary_sheet: String,
    pub items_sheet: String,
    /// Headers of the summary sheet's two columns.
    pub figure: String,
    pub value: String,
    /// Summary rows.
    pub candidates: String,
    pub item_count: String,
    pub alpha: String,
    /// The row saying whether alpha was computed as KR-20 (all items scored 0 or max).
    pub kr20: String,
    pub yes: String,
    pub no: String,
    pub mean: String,
    pub sd: String,
    pub sem: String,
    /// Items sheet columns.
    pub question: String,
    pub n: String,
    pub max: String,
    pub facility: String,
    pub item_rest_r: String,
    pub discrimination: String,
    pub options: String,
    pub flags: String,
    /// Flag names, in the order of [`Flag::ALL`].
    pub too_hard: String,
    pub too_easy: String,
    pub low_discrimination: String,
    pub negative_discrimination: String,
    pub rare_option: String,
}

impl ItemAnalysisLabels {
    /// Built-in labels in Chinese or English.
    pub fn for_lang(lang: Lang) -> ItemAnalysisLabels {
        let pick = |zh: &str, en: &str| {
            match lang {
                Lang::ZhCn => zh,
                Lang::En => en,
            }
            .to_string()
        };
        ItemAnalysisLabels {
            summary_sheet: pick("概况", "Summary"),
            items_sheet: pick("题目", "Items"),
            figure: pick("指标", "Figure"),
            value: pick("数值", "Value"),
            candidates: pick("考生人数", "Candidates"),
            item_count: pick("题目数", "Items"),
            alpha: pick("信度系数 α", "Cronbach's alpha"),
            kr20: pick("按 KR-20 计算", "Computed as KR-20"),
            yes: pick("是", "yes"),
            no: pick("否", "no"),
            mean: pick("总分平均值", "Mean total"),
            sd: pick("总分标准差", "SD of totals"),
            sem: pick("测量标准误", "Standard error of measurement"),
            question: pick("题目", "Question"),
            n: pick("作答人数", "Answered"),
            max: pick("满分", "Max"),
            facility: pick("难度（得分率）", "Facility"),
            item_rest_r: pick("题-余总分相关", "Item-rest r"),
            discrimination: pick("区分度（27%）", "Discrimination (27%)"),
            options: pick("选项分布", "Options"),
            flags: pick("提示", "Flags"),
            too_hard: pick("过难", "too hard"),
            too_easy: pick("过易", "too easy"),
            low_discrimination: pick("区分度低", "low discrimination"),
            negative_discrimination: pick("负区分度", "negative discrimination"),
            rare_option: pick("选项少有人选", "rare option"),
        }
    }

    pub fn flag(&self, flag: Flag) -> &str {
        match flag {
            Flag::TooHard => &self.too_hard,
            Flag::TooEasy => &self.too_easy,
            Flag::LowDiscrimination => &self.low_discrimination,
            Flag::NegativeDiscrimination => &self.negative_discrimination,
            Flag::RareOption => &self.rare_option,
        }
    }
}

/// Writes the workbook: the summary sheet first, then the items sheet.
///
/// Figures are numbers (shown with three decimals, stored at full precision); an undefined
/// figure (`None`) is an empty cell. Options are text such as `A 34 (85.0%); B 2 (5.0%)`,
/// flags the labels joined by `; `.
pub fn write_item_analysis_xlsx(
    a: &Analysis,
    labels: &ItemAnalysisLabels,
) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let number = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);

    let summary = vec![
        vec![
            Cell::Text(labels.candidates.clone()),
            Cell::Number(a.candidates as f64),
        ],
        vec![
            Cell::Text(labels.item_count.clone()),
            Cell::Number(a.items.len() as f64),
        ],
        vec![Cell::Text(labels.alpha.clone()), number(a.alpha)],
        vec![
            Cell::Text(labels.kr20.clone()),
            Cell::Text(if a.kr20 { &labels.yes } else { &labels.no }.clone()),
        ],
        vec![Cell::Text(labels.mean.clone()), Cell::Number(a.mean)],
        vec![Cell::Text(labels.sd.clone()), number(a.sd)],
        vec![Cell::Text(labels.sem.clone()), number(a.sem)],
    ];
    write_sheet(
        workbook.add_worksheet(),
        &labels.summary_sheet,
        &[&labels.figure, &labels.value],
        &summary,
        &[],
    )?;

    let items: Vec<Vec<Cell>> = a
        .items
        .iter()
        .map(|i| {
            vec![
                Cell::Text(i.question.clone()),
                Cell::Number(i.n as f64),
                Cell::Number(i.max),
                Cell::Number(i.facility),
                number(i.item_rest_r),
                number(i.discrimination),
                Cell::Text(options_text(i)),
                Cell::Text(
                    i.flags
                        .iter()
                        .map(|f| labels.flag(*f))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            ]
        })
        .collect();
    write_sheet(
        workbook.add_worksheet(),
        &labels.items_sheet,
        &[
            &labels.question,
            &labels.n,
            &labels.max,
            &labels.facility,
            &labels.item_rest_r,
            &labels.discrimination,
            &labels.options,
            &labels.flags,
        ],
        &items,
        &[3, 4, 5],
    )?;
    Ok(workbook.save_to_buffer()?)
}

/// `A 34 (85.0%); B 2 (5.0%)`, in the analysis's (sorted) order.
fn options_text(item: &ItemStats) -> String {
    item.options
        .iter()
        .map(|o| format!("{} {} ({:.1}%)", o.choice, o.count, o.share * 100.0))
        .collect::<Vec<_>>()
        .join("; ")
}

/// One sheet with a bold, frozen header row; `fixed` columns show three decimals, and in
/// the summary sheet (no `fixed` columns) every fractional number does.
fn write_sheet(
    ws: &mut Worksheet,
    name: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
    fixed: &[usize],
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let bold = header_format();
    let decimals = Format::new().set_num_format("0.000");
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    for (c, header) in headers.iter().enumerate() {
        ws.write_string_with_format(0, col_num(c)?, *header, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let rn = row_num(r + 1)?;
        for (c, cell) in row.iter().enumerate() {
            let cn = col_num(c)?;
            let width = match cell {
                Cell::Text(s) => {
                    // Always a string, never a formula: question ids come from users.
                    ws.write_string(rn, cn, s.as_str())?;
                    display_width(s)
                }
                Cell::Number(v) => {
                    if fixed.contains(&c) || (fixed.is_empty() && v.fract() != 0.0) {
                        ws.write_number_with_format(rn, cn, *v, &decimals)?;
                    } else {
                        ws.write_number(rn, cn, *v)?;
                    }
                    8
                }
                Cell::Date(_) | Cell::Empty => 0,
            };
            if c >= widths.len() {
                widths.resize(c + 1, 0);
            }
            widths[c] = widths[c].max(width);
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col_num(c)?, column_width(*w + 2))?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use skillcert_domain::exam::analysis::{Response, analyze};
    use std::io::Cursor;

    fn analysis() -> Analysis {
        let row = |c: &str, q: &str, score: f64, max: f64, choice: Option<&str>| Response {
            candidate: c.into(),
            question: q.into(),
            score,
            max,
            choice: choice.map(Into::into),
        };
        analyze(&[
            row("c1", "q1", 1.0, 1.0, Some("A")),
            row("c1", "=q2", 2.0, 4.0, None),
            row("c2", "q1", 0.0, 1.0, Some("B")),
            row("c2", "=q2", 4.0, 4.0, None),
            row("c3", "q1", 1.0, 1.0, Some("A")),
        ])
        .unwrap()
    }

    fn text(s: &str) -> Option<Data> {
        Some(Data::String(s.into()))
    }

    fn float(range: &calamine::Range<Data>, pos: (u32, u32)) -> f64 {
        match range.get_value(pos) {
            Some(Data::Float(v)) => *v,
            other => panic!("{pos:?}: {other:?}"),
        }
    }

    #[test]
    fn workbook_reads_back() {
        let a = analysis();
        let bytes = write_item_analysis_xlsx(&a, &ItemAnalysisLabels::for_lang(Lang::En)).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["Summary", "Items"]);

        let s = wb.worksheet_range("Summary").unwrap();
        assert_eq!(s.get_value((0, 0)).cloned(), text("Figure"));
        assert_eq!(s.get_value((1, 0)).cloned(), text("Candidates"));
        assert_eq!(float(&s, (1, 1)), 3.0);
        assert_eq!(float(&s, (2, 1)), 2.0);
        assert!((float(&s, (3, 1)) - a.alpha.unwrap()).abs() < 1e-12);
        assert_eq!(s.get_value((4, 1)).cloned(), text("no"));
        assert!((float(&s, (5, 1)) - 8.0 / 3.0).abs() < 1e-12);
        assert!((float(&s, (7, 1)) - a.sem.unwrap()).abs() < 1e-12);

        let i = wb.worksheet_range("Items").unwrap();
        assert_eq!(i.get_value((0, 4)).cloned(), text("Item-rest r"));
        assert_eq!(i.get_value((1, 0)).cloned(), text("q1"));
        assert_eq!(float(&i, (1, 1)), 3.0);
        assert!((float(&i, (1, 3)) - 2.0 / 3.0).abs() < 1e-12);
        assert!((float(&i, (1, 4)) + 3f64.sqrt() / 2.0).abs() < 1e-12);
        assert_eq!(float(&i, (1, 5)), -1.0);
        assert_eq!(
            i.get_value((1, 6)).cloned(),
            text("A 2 (66.7%); B 1 (33.3%)")
        );
        assert_eq!(
            i.get_value((1, 7)).cloned(),
            text("low discrimination; negative discrimination")
        );
        // A question id that looks like a formula stays text.
        assert_eq!(i.get_value((2, 0)).cloned(), text("=q2"));
        let formulas = wb.worksheet_formula("Items").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    }

    #[test]
    fn undefined_figures_are_empty_cells_and_labels_are_localized() {
        let a = analyze(&[Response {
            candidate: "c1".into(),
            question: "题1".into(),
            score: 1.0,
            max: 1.0,
            choice: None,
        }])
        .unwrap();
        let bytes =
            write_item_analysis_xlsx(&a, &ItemAnalysisLabels::for_lang(Lang::ZhCn)).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["概况", "题目"]);
        let s = wb.worksheet_range("概况").unwrap();
        // The alpha row has no value: one candidate, one item.
        assert_eq!(s.get_value((3, 0)).cloned(), text("信度系数 α"));
        assert!(matches!(s.get_value((3, 1)), None | Some(Data::Empty)));
        assert_eq!(s.get_value((4, 1)).cloned(), text("是"));
        let i = wb.worksheet_range("题目").unwrap();
        assert_eq!(i.get_value((1, 0)).cloned(), text("题1"));
        assert!(matches!(i.get_value((1, 4)), None | Some(Data::Empty)));
        assert_eq!(i.get_value((1, 7)).cloned(), text("过易"));
    }

    #[test]
    fn a_bad_sheet_name_is_an_error() {
        let mut labels = ItemAnalysisLabels::for_lang(Lang::En);
        labels.items_sheet = "a/b".into();
        let e = write_item_analysis_xlsx(&analysis(), &labels).unwrap_err();
        assert_eq!(e.code(), "xlsx-write");
    }
}
