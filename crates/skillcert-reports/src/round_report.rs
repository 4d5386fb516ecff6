//! S1's *assessment evaluation report* of a certification round as files: an XLSX workbook
//! with one sheet per section and an A4 PDF with the sections in order and page numbers in
//! the reader's language.
//!
//! Both take plain data ([`ReportData`], names already in the reader's language) and the
//! texts around it ([`ReportTexts`], which the web layer fills from its message files), so
//! this crate knows nothing of rounds, services or databases. The sections are those of
//! the page: summary, module (component) scores, ranking, skills and rubric items weakest
//! first, departments with a training suggestion, and each person's improvement advice.

use chrono::{DateTime, FixedOffset};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use skillcert_domain::certification::report::WEAK_BELOW;

use crate::Lang;
use crate::export::{ExportError, col_num, column_width, display_width, header_format, row_num};
use crate::pdf::{Align, Column, Flow, Paint, PdfDocument, Table, TextStyle, footer_template};

/// The labels, headings and messages of the report in one language.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportTexts {
    /// The PDF's language (and its page-number footer).
    pub lang: Option<Lang>,
    /// "Assessment evaluation report".
    pub title: String,
    /// Section headings, which are also the sheet names (at most 31 characters, none of
    /// `[ ] : * ? / \`).
    pub summary: String,
    pub modules: String,
    pub ranking: String,
    /// The PDF's section holding both skills and rubric items.
    pub weak_heading: String,
    pub skills: String,
    pub items: String,
    pub departments: String,
    pub people: String,
    /// The summary's two columns.
    pub figure: String,
    pub value: String,
    /// Summary rows.
    pub round: String,
    pub scheme: String,
    pub status: String,
    pub generated: String,
    pub candidates: String,
    pub evaluated: String,
    pub passed: String,
    pub pass_rate: String,
    pub mean_total: String,
    /// Module columns.
    pub component: String,
    pub weight: String,
    pub n: String,
    pub mean: String,
    pub min: String,
    pub max: String,
    /// Ranking columns and results.
    pub rank: String,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub total: String,
    pub level: String,
    pub result: String,
    pub pass: String,
    pub fail: String,
    pub incomplete: String,
    /// Skill and item columns.
    pub skill: String,
    pub item: String,
    pub share: String,
    pub got: String,
    pub available: String,
    pub observations: String,
    /// Column header and cell text marking a share below 60%.
    pub weak: String,
    /// Explains the chart and the 60% line.
    pub chart_note: String,
    /// Department and person columns.
    pub weak_skills: String,
    pub weak_items: String,
    pub judges_notes: String,
    pub suggestion: String,
    /// Empty states.
    pub no_results: String,
    pub no_detail: String,
    /// There are rubric items but no skill: neither questions nor items carry skill tags.
    pub no_skills: String,
    /// There are skills but no rubric item: no assessment event feeds the round.
    pub no_items: String,
    pub nothing_weak: String,
    /// Between names in a list: "、" in Chinese, ", " in English.
    pub list_sep: String,
}

/// One component's scores over the candidates with results.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleLine {
    pub name: String,
    pub weight_percent: u32,
    pub n: usize,
    pub mean: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// One candidate of the ranking; `passed` is `None` while their result is incomplete.
#[derive(Debug, Clone, PartialEq)]
pub struct RankLine {
    pub rank: Option<usize>,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    /// In the order of [`ReportData::components`].
    pub scores: Vec<Option<f64>>,
    pub total: Option<f64>,
    pub level: String,
    pub passed: Option<bool>,
    /// Why the result is incomplete, said in full ("Incomplete: no exam score"), or empty
    /// for [`ReportTexts::incomplete`].
    pub note: String,
}

/// How much of the available points a group got on one skill or rubric item.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareLine {
    pub key: String,
    pub name: String,
    pub got: f64,
    pub max: f64,
    /// `got / max`, 0–1.
    pub share: f64,
    pub n: usize,
}

impl ShareLine {
    /// Below the seeds' pass line of 60%.
    pub fn weak(&self) -> bool {
        is_weak(self.share)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentLine {
    pub name: String,
    pub candidates: usize,
    pub passed: usize,
    pub mean_total: Option<f64>,
    /// In the order of [`ReportData::components`].
    pub modules: Vec<Option<f64>>,
    pub weak_skills: Vec<ShareLine>,
    pub weak_items: Vec<ShareLine>,
    /// "Focus training on: …", or what to say when nothing is weak.
    pub suggestion: String,
}

impl DepartmentLine {
    pub fn pass_rate(&self) -> Option<f64> {
        rate(self.passed, self.candidates)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonLine {
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub rank: Option<usize>,
    pub total: Option<f64>,
    pub weak_skills: Vec<ShareLine>,
    pub weak_items: Vec<ShareLine>,
    /// The judges' own suggestions and main problems, from their sheets.
    pub notes: Vec<String>,
    pub suggestion: String,
}

/// The report's content, with every name in the reader's language.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportData {
    pub code: String,
    pub title: String,
    pub scheme: String,
    pub status: String,
    /// The day the report was made, as shown.
    pub generated: String,
    /// Approved candidates.
    pub candidates: usize,
    /// Candidates with a complete result.
    pub evaluated: usize,
    pub passed: usize,
    pub mean_total: Option<f64>,
    /// Component names, in scheme order.
    pub components: Vec<String>,
    pub modules: Vec<ModuleLine>,
    pub ranking: Vec<RankLine>,
    /// Every skill, weakest first.
    pub skills: Vec<ShareLine>,
    /// Every rubric item, weakest first.
    pub items: Vec<ShareLine>,
    pub departments: Vec<DepartmentLine>,
    pub people: Vec<PersonLine>,
}

impl ReportData {
    /// Passed among those with a result.
    pub fn pass_rate(&self) -> Option<f64> {
        rate(self.passed, self.evaluated)
    }

    /// Whether an exam or a panel gave anything per skill or item (typed-in scores do not).
    pub fn has_detail(&self) -> bool {
        !self.skills.is_empty() || !self.items.is_empty()
    }
}

fn rate(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Below the seeds' pass line of 60%.
pub fn is_weak(share: f64) -> bool {
    share < WEAK_BELOW
}

/// A score with two decimals, or "—".
pub fn score(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.2}"))
}

/// A share of 0–1 as a percentage with one decimal.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// The same, for an optional share.
pub fn percent_of(share: Option<f64>) -> String {
    share.map_or_else(|| "—".to_string(), percent)
}

/// A share as a width for a bar, clamped to 0–100 with one decimal (for CSS).
pub fn bar_width(share: f64) -> String {
    format!("{:.1}", (share * 100.0).clamp(0.0, 100.0))
}

/// "倾听 42.5%、情绪管理 50.0%".
pub fn share_list(lines: &[ShareLine], sep: &str) -> String {
    lines
        .iter()
        .map(|l| format!("{} {}", l.name, percent(l.share)))
        .collect::<Vec<_>>()
        .join(sep)
}

// ---------- XLSX ----------

/// A cell of this workbook: numbers are typed so that they sort and sum in Excel.
enum X {
    Text(String),
    Int(usize),
    Num(f64),
    Pct(f64),
    Empty,
}

fn num(v: Option<f64>) -> X {
    v.map_or(X::Empty, X::Num)
}

fn pct(v: Option<f64>) -> X {
    v.map_or(X::Empty, X::Pct)
}

fn text(s: &str) -> X {
    if s.is_empty() {
        X::Empty
    } else {
        X::Text(s.to_string())
    }
}

/// The workbook: one sheet per section, in the page's order.
pub fn evaluation_xlsx(data: &ReportData, t: &ReportTexts) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let sep = t.list_sep.as_str();

    let summary = vec![
        vec![
            text(&t.round),
            X::Text(format!("{} · {}", data.code, data.title)),
        ],
        vec![text(&t.scheme), text(&data.scheme)],
        vec![text(&t.status), text(&data.status)],
        vec![text(&t.generated), text(&data.generated)],
        vec![text(&t.candidates), X::Int(data.candidates)],
        vec![text(&t.evaluated), X::Int(data.evaluated)],
        vec![text(&t.passed), X::Int(data.passed)],
        vec![text(&t.pass_rate), pct(data.pass_rate())],
        vec![text(&t.mean_total), num(data.mean_total)],
    ];
    sheet(
        wb.add_worksheet(),
        &t.summary,
        &[&t.figure, &t.value],
        &summary,
        None,
    )?;

    let modules: Vec<Vec<X>> = data
        .modules
        .iter()
        .map(|m| {
            vec![
                text(&m.name),
                X::Int(m.weight_percent as usize),
                X::Int(m.n),
                num(m.mean),
                num(m.min),
                num(m.max),
            ]
        })
        .collect();
    let weight = format!("{} (%)", t.weight);
    sheet(
        wb.add_worksheet(),
        &t.modules,
        &[&t.component, &weight, &t.n, &t.mean, &t.min, &t.max],
        &modules,
        Some(&t.no_results),
    )?;

    let mut headers: Vec<&str> = vec![&t.rank, &t.employee_no, &t.name, &t.department];
    headers.extend(data.components.iter().map(String::as_str));
    headers.extend([t.total.as_str(), &t.level, &t.result]);
    let ranking: Vec<Vec<X>> = data
        .ranking
        .iter()
        .map(|r| {
            let mut row = vec![
                r.rank.map_or(X::Empty, X::Int),
                text(&r.employee_no),
                text(&r.name),
                text(&r.department),
            ];
            row.extend(r.scores.iter().map(|s| num(*s)));
            row.extend([num(r.total), text(&r.level), X::Text(result_text(r, t))]);
            row
        })
        .collect();
    sheet(
        wb.add_worksheet(),
        &t.ranking,
        &headers,
        &ranking,
        Some(&t.no_results),
    )?;

    for (name, first, lines, none) in [
        (&t.skills, &t.skill, &data.skills, &t.no_skills),
        (&t.items, &t.item, &data.items, &t.no_items),
    ] {
        let rows: Vec<Vec<X>> = lines
            .iter()
            .map(|s| {
                vec![
                    text(&s.name),
                    X::Pct(s.share),
                    X::Num(s.got),
                    X::Num(s.max),
                    X::Int(s.n),
                    if s.weak() { text(&t.weak) } else { X::Empty },
                ]
            })
            .collect();
        let empty = if data.has_detail() {
            none
        } else {
            &t.no_detail
        };
        sheet(
            wb.add_worksheet(),
            name,
            &[
                first,
                &t.share,
                &t.got,
                &t.available,
                &t.observations,
                &t.weak,
            ],
            &rows,
            Some(empty),
        )?;
    }

    let mut headers: Vec<&str> = vec![
        &t.department,
        &t.candidates,
        &t.passed,
        &t.pass_rate,
        &t.mean_total,
    ];
    headers.extend(data.components.iter().map(String::as_str));
    headers.extend([t.weak_skills.as_str(), &t.weak_items, &t.suggestion]);
    let departments: Vec<Vec<X>> = data
        .departments
        .iter()
        .map(|d| {
            let mut row = vec![
                text(&d.name),
                X::Int(d.candidates),
                X::Int(d.passed),
                pct(d.pass_rate()),
                num(d.mean_total),
            ];
            row.extend(d.modules.iter().map(|m| num(*m)));
            row.extend([
                text(&share_list(&d.weak_skills, sep)),
                text(&share_list(&d.weak_items, sep)),
                text(&d.suggestion),
            ]);
            row
        })
        .collect();
    sheet(
        wb.add_worksheet(),
        &t.departments,
        &headers,
        &departments,
        Some(&t.no_results),
    )?;

    let people: Vec<Vec<X>> = data
        .people
        .iter()
        .map(|p| {
            vec![
                text(&p.employee_no),
                text(&p.name),
                text(&p.department),
                p.rank.map_or(X::Empty, X::Int),
                num(p.total),
                text(&share_list(&p.weak_skills, sep)),
                text(&share_list(&p.weak_items, sep)),
                text(&p.notes.join(" / ")),
                text(&p.suggestion),
            ]
        })
        .collect();
    sheet(
        wb.add_worksheet(),
        &t.people,
        &[
            &t.employee_no,
            &t.name,
            &t.department,
            &t.rank,
            &t.total,
            &t.weak_skills,
            &t.weak_items,
            &t.judges_notes,
            &t.suggestion,
        ],
        &people,
        Some(&t.no_results),
    )?;
    Ok(wb.save_to_buffer()?)
}

fn result_text(r: &RankLine, t: &ReportTexts) -> String {
    match r.passed {
        Some(true) => t.pass.clone(),
        Some(false) => t.fail.clone(),
        None if r.note.is_empty() => t.incomplete.clone(),
        None => r.note.clone(),
    }
}

/// One sheet with a bold, frozen header row (as `export::write_xlsx` writes them); an
/// empty section gets `empty` in its first row instead of nothing.
fn sheet(
    ws: &mut Worksheet,
    name: &str,
    headers: &[&str],
    rows: &[Vec<X>],
    empty: Option<&str>,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let bold = header_format();
    let decimals = Format::new().set_num_format("0.00");
    let percent = Format::new().set_num_format("0.0%");
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    for (c, header) in headers.iter().enumerate() {
        ws.write_string_with_format(0, col_num(c)?, *header, &bold)?;
    }
    if rows.is_empty()
        && let Some(message) = empty
    {
        ws.write_string(1, 0, message)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let rn = row_num(r + 1)?;
        for (c, cell) in row.iter().enumerate() {
            let cn = col_num(c)?;
            let width = match cell {
                // Always a string, never a formula: names and notes are typed by people.
                X::Text(s) => {
                    ws.write_string(rn, cn, s.as_str())?;
                    display_width(s)
                }
                X::Int(n) => {
                    ws.write_number(rn, cn, *n as f64)?;
                    6
                }
                X::Num(v) => {
                    ws.write_number_with_format(rn, cn, *v, &decimals)?;
                    8
                }
                X::Pct(v) => {
                    ws.write_number_with_format(rn, cn, *v, &percent)?;
                    8
                }
                X::Empty => 0,
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
    if let Some(last) = headers.len().checked_sub(1)
        && !rows.is_empty()
    {
        ws.autofilter(0, 0, row_num(rows.len())?, col_num(last)?)?;
    }
    Ok(())
}

// ---------- PDF ----------

/// How many of the weakest skills or items the PDF draws as bars before its table.
const CHART_ROWS: usize = 12;

/// The PDF: A4 portrait, the sections in the page's order, "第 1 / 3 页" or "Page 1 of 3"
/// in the footer. The same data, texts and creation date give the same bytes.
pub fn evaluation_pdf(
    data: &ReportData,
    t: &ReportTexts,
    created: DateTime<FixedOffset>,
) -> Vec<u8> {
    document(data, t, created).finish()
}

/// The laid-out document, before serialization.
pub fn document(data: &ReportData, t: &ReportTexts, created: DateTime<FixedOffset>) -> PdfDocument {
    let lang = t.lang.unwrap_or(Lang::ZhCn);
    let doc = PdfDocument::new(format!("{} {} · {}", t.title, data.code, data.title))
        .with_lang(lang)
        .with_footer(footer_template(lang))
        .with_creation_date(created);
    let mut f = Flow::new(doc);
    let sep = t.list_sep.as_str();
    f.title(&t.title);
    f.text(
        &format!("{} · {}", data.code, data.title),
        TextStyle::new(12.0).gray(0.25),
    );
    f.space(6.0);

    f.heading(&format!("1. {}", t.summary));
    let counts = [
        data.candidates.to_string(),
        data.evaluated.to_string(),
        data.passed.to_string(),
        percent_of(data.pass_rate()),
        score(data.mean_total),
    ];
    f.key_values(&[
        (t.scheme.as_str(), data.scheme.as_str()),
        (&t.status, &data.status),
        (&t.generated, &data.generated),
        (&t.candidates, &counts[0]),
        (&t.evaluated, &counts[1]),
        (&t.passed, &counts[2]),
        (&t.pass_rate, &counts[3]),
        (&t.mean_total, &counts[4]),
    ]);

    f.heading(&format!("2. {}", t.modules));
    let mut table = Table::new(vec![
        Column::new(&t.component, 3.0),
        Column::new(format!("{} (%)", t.weight), 1.2).right(),
        Column::new(&t.n, 1.0).right(),
        Column::new(&t.mean, 1.2).right(),
        Column::new(&t.min, 1.2).right(),
        Column::new(&t.max, 1.2).right(),
    ]);
    for m in &data.modules {
        table.row([
            m.name.clone(),
            m.weight_percent.to_string(),
            m.n.to_string(),
            score(m.mean),
            score(m.min),
            score(m.max),
        ]);
    }
    f.table(&table);

    f.heading(&format!("3. {}", t.ranking));
    if data.ranking.is_empty() {
        f.paragraph(&t.no_results);
    } else {
        // Widths in points (weights are relative): numbers as wide as their longest
        // header word, the level and the result share what is left.
        let fixed = |header: &str, min: f32| min.max(word_width(header));
        let mut columns = vec![
            Column::new(&t.rank, fixed(&t.rank, 26.0)).right(),
            Column::new(&t.employee_no, fixed(&t.employee_no, 46.0)),
            Column::new(&t.name, 44.0),
            Column::new(&t.department, 60.0),
        ];
        columns.extend(
            data.components
                .iter()
                .map(|c| Column::new(c, fixed(c, 40.0)).right()),
        );
        columns.push(Column::new(&t.total, fixed(&t.total, 38.0)).right());
        let used: f32 = columns.iter().map(|c| c.weight).sum();
        let rest = (f.width() - used).max(110.0);
        columns.extend([
            Column::new(&t.level, rest * 0.55),
            Column::new(&t.result, rest * 0.45),
        ]);
        let mut table = Table::new(columns);
        table.font_size = 8.0;
        for r in &data.ranking {
            let mut row = vec![
                r.rank.map_or_else(|| "—".to_string(), |n| n.to_string()),
                r.employee_no.clone(),
                r.name.clone(),
                r.department.clone(),
            ];
            row.extend(r.scores.iter().map(|s| score(*s)));
            row.extend([score(r.total), r.level.clone(), result_text(r, t)]);
            table.row(row);
        }
        f.table(&table);
    }

    f.heading(&format!("4. {}", t.weak_heading));
    if data.has_detail() {
        f.text(&t.chart_note, TextStyle::new(9.0).gray(0.35));
    } else {
        f.paragraph(&t.no_detail);
    }
    for (heading, first, lines, none) in [
        (&t.skills, &t.skill, &data.skills, &t.no_skills),
        (&t.items, &t.item, &data.items, &t.no_items),
    ] {
        if !data.has_detail() {
            continue;
        }
        // A sub-heading stays with the first rows after it.
        f.space(6.0);
        f.ensure(60.0);
        f.text(heading, TextStyle::new(11.0).bold());
        f.space(2.0);
        if lines.is_empty() {
            f.paragraph(none);
            continue;
        }
        bars(&mut f, &lines[..lines.len().min(CHART_ROWS)]);
        f.space(8.0);
        let mut table = Table::new(vec![
            Column::new(first.as_str(), 4.0),
            Column::new(&t.share, 1.3).right(),
            Column::new(&t.got, 1.2).right(),
            Column::new(&t.available, 1.2).right(),
            Column::new(&t.observations, 1.0).right(),
            Column::new(&t.weak, 1.0).center(),
        ]);
        for s in lines {
            table.row([
                s.name.clone(),
                percent(s.share),
                score(Some(s.got)),
                score(Some(s.max)),
                s.n.to_string(),
                if s.weak() {
                    t.weak.clone()
                } else {
                    String::new()
                },
            ]);
        }
        f.table(&table);
    }

    f.heading(&format!("5. {}", t.departments));
    if data.departments.is_empty() {
        f.paragraph(&t.no_results);
    } else {
        let fixed = |header: &str, min: f32| min.max(word_width(header));
        let mut columns = vec![
            Column::new(&t.department, 70.0),
            Column::new(&t.candidates, fixed(&t.candidates, 36.0)).right(),
            Column::new(&t.passed, fixed(&t.passed, 36.0)).right(),
            Column::new(&t.pass_rate, fixed(&t.pass_rate, 36.0)).right(),
            Column::new(&t.mean_total, fixed(&t.mean_total, 36.0)).right(),
        ];
        columns.extend(
            data.components
                .iter()
                .map(|c| Column::new(c, fixed(c, 40.0)).right()),
        );
        let used: f32 = columns.iter().map(|c| c.weight).sum();
        columns.push(Column::new(&t.suggestion, (f.width() - used).max(110.0)));
        let mut table = Table::new(columns);
        table.font_size = 8.0;
        for d in &data.departments {
            let mut row = vec![
                d.name.clone(),
                d.candidates.to_string(),
                d.passed.to_string(),
                percent_of(d.pass_rate()),
                score(d.mean_total),
            ];
            row.extend(d.modules.iter().map(|m| score(*m)));
            row.push(d.suggestion.clone());
            table.row(row);
        }
        f.table(&table);
    }

    f.heading(&format!("6. {}", t.people));
    if data.people.is_empty() {
        f.paragraph(&t.no_results);
    } else {
        let mut table = Table::new(vec![
            Column::new(&t.employee_no, 1.2),
            Column::new(&t.name, 1.1),
            Column::new(&t.department, 1.5),
            Column::new(&t.total, 0.9).right(),
            Column::new(&t.weak_skills, 2.2),
            Column::new(&t.weak_items, 2.2),
            Column::new(&t.judges_notes, 2.6),
        ]);
        table.font_size = 8.0;
        for p in &data.people {
            // "Nothing weak" only where there was something to judge.
            let weak = |lines: &[ShareLine], any: bool| {
                if lines.is_empty() && any {
                    t.nothing_weak.clone()
                } else if lines.is_empty() {
                    "—".to_string()
                } else {
                    share_list(lines, sep)
                }
            };
            table.row([
                p.employee_no.clone(),
                p.name.clone(),
                p.department.clone(),
                score(p.total),
                weak(&p.weak_skills, !data.skills.is_empty()),
                weak(&p.weak_items, !data.items.is_empty()),
                if p.notes.is_empty() {
                    "—".to_string()
                } else {
                    p.notes.join("\n")
                },
            ]);
        }
        f.table(&table);
    }
    f.into_document()
}

/// The width a table column needs so that no word of `header` (8 pt) is broken.
fn word_width(header: &str) -> f32 {
    header
        .split_whitespace()
        .map(|w| crate::pdf::text_width(8.0, w))
        .fold(0.0, f32::max)
        + 10.0
}

/// Horizontal bars of shares, one row each: the name on the left, a bar on a light track
/// (dark when weak), the percentage after it, and a rule at 60% so the weak ones stand out.
fn bars(f: &mut Flow, lines: &[ShareLine]) {
    const ROW: f32 = 14.0;
    const SIZE: f32 = 8.5;
    let label_w = f.width() * 0.34;
    let value_w = 44.0;
    let track_w = f.width() - label_w - value_w - 8.0;
    for s in lines {
        let (x, y) = f.reserve(ROW);
        let doc = f.doc_mut();
        let baseline = y + ROW / 2.0 + SIZE * 0.35;
        let name = crate::pdf::truncate(&s.name, SIZE, label_w - 6.0);
        doc.styled_text(
            x + label_w - 6.0,
            baseline,
            TextStyle::new(SIZE).align(Align::Right),
            &name,
        );
        let bx = x + label_w;
        let (by, bh) = (y + 3.0, ROW - 6.0);
        doc.rect(bx, by, track_w, bh, Paint::Fill { gray: 0.93 });
        let w = track_w * s.share.clamp(0.0, 1.0) as f32;
        let gray = if s.weak() { 0.3 } else { 0.7 };
        if w > 0.0 {
            doc.rect(bx, by, w, bh, Paint::Fill { gray });
        }
        let line_x = bx + track_w * WEAK_BELOW as f32;
        doc.line(line_x, y, line_x, y + ROW, 0.6, 0.0);
        let style = if s.weak() {
            TextStyle::new(SIZE).bold()
        } else {
            TextStyle::new(SIZE)
        };
        doc.styled_text(bx + track_w + 4.0, baseline, style, &percent(s.share));
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read as _};

    use calamine::{Data, Reader, Xlsx};
    use chrono::TimeZone;
    use flate2::read::ZlibDecoder;

    use super::*;

    fn texts(lang: Lang) -> ReportTexts {
        let zh = lang == Lang::ZhCn;
        let p = |a: &str, b: &str| if zh { a } else { b }.to_string();
        ReportTexts {
            lang: Some(lang),
            title: p("认证考核评估报告", "Assessment evaluation report"),
            summary: p("概况", "Summary"),
            modules: p("模块成绩", "Module scores"),
            ranking: p("成绩排名", "Ranking"),
            weak_heading: p("薄弱技能与评分项", "Weak skills and rubric items"),
            skills: p("技能得分率", "Skills"),
            items: p("评分项得分率", "Rubric items"),
            departments: p("各部门情况", "Departments"),
            people: p("个人改进建议", "Improvement advice"),
            figure: p("指标", "Figure"),
            value: p("数值", "Value"),
            round: p("认证批次", "Round"),
            scheme: p("认证方案", "Scheme"),
            status: p("状态", "Status"),
            generated: p("生成日期", "Generated"),
            candidates: p("考生人数", "Candidates"),
            evaluated: p("有成绩人数", "With results"),
            passed: p("合格人数", "Passed"),
            pass_rate: p("合格率", "Pass rate"),
            mean_total: p("平均总分", "Mean total"),
            component: p("模块", "Component"),
            weight: p("权重", "Weight"),
            n: p("人数", "N"),
            mean: p("平均分", "Mean"),
            min: p("最低分", "Min"),
            max: p("最高分", "Max"),
            rank: p("名次", "Rank"),
            employee_no: p("工号", "Employee no."),
            name: p("姓名", "Name"),
            department: p("部门", "Department"),
            total: p("总分", "Total"),
            level: p("认证等级", "Level"),
            result: p("结果", "Result"),
            pass: p("合格", "Passed"),
            fail: p("不合格", "Failed"),
            incomplete: p("成绩不完整", "Incomplete"),
            skill: p("技能", "Skill"),
            item: p("评分项", "Rubric item"),
            share: p("得分率", "Share"),
            got: p("得分", "Points"),
            available: p("满分", "Available"),
            observations: p("记录数", "Observations"),
            weak: p("薄弱", "Weak"),
            chart_note: p("得分率低于 60% 为薄弱项。", "Below 60% is weak."),
            weak_skills: p("薄弱技能", "Weak skills"),
            weak_items: p("薄弱评分项", "Weak rubric items"),
            judges_notes: p("评委意见", "Judges' notes"),
            suggestion: p("培训建议", "Suggestion"),
            no_results: p("暂无成绩。", "No results yet."),
            no_detail: p(
                "成绩为手工录入，无技能明细。",
                "Typed-in scores give no skill detail.",
            ),
            no_skills: p("无技能记录。", "No skills."),
            no_items: p("无评分项记录。", "No rubric items."),
            nothing_weak: p("无薄弱项。", "Nothing weak."),
            list_sep: p("、", ", "),
        }
    }

    fn share(key: &str, name: &str, got: f64, max: f64) -> ShareLine {
        ShareLine {
            key: key.into(),
            name: name.into(),
            got,
            max,
            share: got / max,
            n: 4,
        }
    }

    fn data(people: usize) -> ReportData {
        let skills = vec![
            share("listening", "积极倾听", 4.0, 10.0),
            share("emotion", "情绪管理", 5.5, 10.0),
            share("etiquette", "服务礼仪", 9.0, 10.0),
        ];
        let items = vec![share("rings", "三声内接听", 2.0, 8.0)];
        let ranking = (0..people)
            .map(|i| RankLine {
                rank: Some(i + 1),
                employee_no: format!("E{i:04}"),
                name: format!("员工{i}"),
                department: "客服一部".into(),
                scores: vec![Some(80.0), Some(70.5), None],
                total: Some(75.25),
                level: "中级客服专员".into(),
                passed: Some(i % 5 != 0),
                note: String::new(),
            })
            .collect();
        let person = |i: usize| PersonLine {
            employee_no: format!("E{i:04}"),
            name: format!("员工{i}"),
            department: "客服一部".into(),
            rank: Some(i + 1),
            total: Some(75.25),
            weak_skills: skills[..2].to_vec(),
            weak_items: items.clone(),
            notes: vec!["语速偏快，需放慢".into()],
            suggestion: "重点加强：积极倾听、情绪管理".into(),
        };
        ReportData {
            code: "CERT-T".into(),
            title: "测试批次".into(),
            scheme: "客服人员培训认证 v1".into(),
            status: "已发布".into(),
            generated: "2026-11-23".into(),
            candidates: people + 1,
            evaluated: people,
            passed: people - people.div_ceil(5),
            mean_total: Some(75.25),
            components: vec!["理论考试".into(), "实操考核".into(), "日常表现".into()],
            modules: vec![ModuleLine {
                name: "理论考试".into(),
                weight_percent: 40,
                n: people,
                mean: Some(80.0),
                min: Some(61.0),
                max: Some(98.5),
            }],
            ranking,
            departments: vec![DepartmentLine {
                name: "客服一部".into(),
                candidates: people,
                passed: 3,
                mean_total: Some(75.25),
                modules: vec![Some(80.0), Some(70.5), None],
                weak_skills: skills[..2].to_vec(),
                weak_items: items.clone(),
                suggestion: "重点加强：积极倾听、情绪管理".into(),
            }],
            people: (0..people).map(person).collect(),
            skills,
            items,
        }
    }

    fn created() -> DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
            .unwrap()
    }

    fn hex(s: &str) -> String {
        let units: String = s.encode_utf16().map(|u| format!("{u:04X}")).collect();
        format!("<{units}>")
    }

    /// The same without the brackets, to find text inside a longer run.
    fn units(s: &str) -> String {
        s.encode_utf16().map(|u| format!("{u:04X}")).collect()
    }

    fn count(hay: &[u8], needle: &str) -> usize {
        hay.windows(needle.len())
            .filter(|w| *w == needle.as_bytes())
            .count()
    }

    /// Every stream of the file, inflated.
    fn inflated(pdf: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut at = 0;
        let marker = b">>\nstream\n";
        while let Some(p) = pdf[at..].windows(marker.len()).position(|w| w == marker) {
            let start = at + p + marker.len();
            let end = start
                + pdf[start..]
                    .windows(11)
                    .position(|w| w == b"\nendstream\n")
                    .unwrap();
            let mut data = Vec::new();
            if ZlibDecoder::new(&pdf[start..end])
                .read_to_end(&mut data)
                .is_err()
            {
                data = pdf[start..end].to_vec();
            }
            out.extend(data);
            at = end;
        }
        out
    }

    #[test]
    fn the_pdf_holds_every_section_in_chinese() {
        let pdf = evaluation_pdf(&data(6), &texts(Lang::ZhCn), created());
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let content = inflated(&pdf);
        for s in [
            "认证考核评估报告",
            "概况",
            "模块成绩",
            "成绩排名",
            "技能得分率",
            "评分项得分率",
            "各部门情况",
            "个人改进建议",
            "积极倾听",
            "三声内接听",
            "重点加强：积极倾听、情绪管理",
            "语速偏快，需放慢",
            "薄弱",
            "第",
        ] {
            assert!(count(&content, &units(s)) > 0, "{s} is missing");
        }
        assert!(count(&content, "(40.0%) Tj") > 0, "a weak share is printed");
        assert!(count(&content, "(E0005) Tj") > 0);
        assert!(
            count(&pdf, "/Lang (zh-CN)") == 1,
            "the document declares its language"
        );
    }

    #[test]
    fn the_pdf_is_deterministic_and_english_has_an_english_footer() {
        let t = texts(Lang::En);
        let a = evaluation_pdf(&data(3), &t, created());
        assert_eq!(a, evaluation_pdf(&data(3), &t, created()));
        let content = inflated(&a);
        assert!(count(&content, "(Page 1 of ") > 0);
        assert!(count(&content, &hex("第")) == 0, "no Chinese footer");
        assert!(count(&content, "(Assessment evaluation report) Tj") > 0);
    }

    #[test]
    fn many_rows_flow_onto_several_pages_with_numbered_footers() {
        let doc = document(&data(160), &texts(Lang::ZhCn), created());
        let pages = doc.page_count();
        assert!(pages >= 6, "only {pages} pages");
        let content = inflated(&doc.with_compression(false).finish());
        for i in [1, pages] {
            let footer = format!("( {i} / {pages} ) Tj");
            assert_eq!(count(&content, &footer), 1, "footer of page {i}");
        }
        for i in 0..160 {
            // Once in the ranking and once among the people.
            assert_eq!(count(&content, &format!("(E{i:04}) Tj")), 2, "row {i}");
        }
    }

    #[test]
    fn without_evidence_the_pdf_says_there_is_no_skill_detail() {
        let mut d = data(2);
        d.skills.clear();
        d.items.clear();
        let content = inflated(&evaluation_pdf(&d, &texts(Lang::ZhCn), created()));
        assert_eq!(
            count(&content, &hex("成绩为手工录入，无技能明细。")),
            1,
            "said once, in place of both skills and items"
        );
        assert_eq!(count(&content, &hex("得分率低于")), 0, "no chart note");
    }

    #[test]
    fn the_workbook_has_one_sheet_per_section() {
        let t = texts(Lang::ZhCn);
        let bytes = evaluation_xlsx(&data(4), &t).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(
            wb.sheet_names(),
            vec![
                "概况",
                "模块成绩",
                "成绩排名",
                "技能得分率",
                "评分项得分率",
                "各部门情况",
                "个人改进建议"
            ]
        );
        let ranking = wb.worksheet_range("成绩排名").unwrap();
        assert_eq!(
            ranking.get_value((0, 4)),
            Some(&Data::String("理论考试".into()))
        );
        assert_eq!(ranking.get_value((1, 0)), Some(&Data::Float(1.0)));
        assert_eq!(ranking.get_value((1, 7)), Some(&Data::Float(75.25)));
        assert_eq!(
            ranking.get_value((1, 9)),
            Some(&Data::String("不合格".into()))
        );
        let skills = wb.worksheet_range("技能得分率").unwrap();
        assert_eq!(
            skills.get_value((1, 0)),
            Some(&Data::String("积极倾听".into()))
        );
        assert_eq!(skills.get_value((1, 1)), Some(&Data::Float(0.4)));
        assert_eq!(skills.get_value((1, 5)), Some(&Data::String("薄弱".into())));
        assert!(
            matches!(skills.get_value((3, 5)), None | Some(Data::Empty)),
            "90% is not weak"
        );
        let departments = wb.worksheet_range("各部门情况").unwrap();
        assert_eq!(
            departments.get_value((1, 10)),
            Some(&Data::String("重点加强：积极倾听、情绪管理".into()))
        );
        let summary = wb.worksheet_range("概况").unwrap();
        assert_eq!(
            summary.get_value((1, 1)),
            Some(&Data::String("CERT-T · 测试批次".into()))
        );
    }

    #[test]
    fn empty_sections_say_why() {
        let mut d = data(0);
        d.skills.clear();
        d.items.clear();
        d.departments.clear();
        let t = texts(Lang::En);
        let bytes = evaluation_xlsx(&d, &t).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let skills = wb.worksheet_range("Skills").unwrap();
        assert_eq!(
            skills.get_value((1, 0)),
            Some(&Data::String(t.no_detail.clone()))
        );
        let ranking = wb.worksheet_range("Ranking").unwrap();
        assert_eq!(
            ranking.get_value((1, 0)),
            Some(&Data::String(t.no_results.clone()))
        );
    }

    #[test]
    fn formatting_helpers() {
        assert_eq!(score(Some(75.0)), "75.00");
        assert_eq!(score(None), "—");
        assert_eq!(percent(0.425), "42.5%");
        assert_eq!(bar_width(1.3), "100.0");
        assert!(is_weak(0.59) && !is_weak(0.6));
        let lines = [share("a", "倾听", 1.0, 2.0), share("b", "礼仪", 3.0, 4.0)];
        assert_eq!(share_list(&lines, "、"), "倾听 50.0%、礼仪 75.0%");
    }
}
