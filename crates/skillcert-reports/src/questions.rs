//! Question bank files: which column is which in an import, the templates lecturers fill in,
//! and exports that import again unchanged.
//!
//! One row is one question. Values stay text: the app layer validates each row with
//! `skillcert_domain::exam::question::QuestionInput::validate`, the same rules as the form.

use std::collections::HashMap;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::Serialize;
use skillcert_domain::exam::question::{
    EXPLANATION_MAX, KEY_POINT_MAX, MAX_OPTIONS, MAX_TAGS, MIN_OPTIONS, MODEL_ANSWER_MAX,
    OPTION_MAX, QuestionInput, QuestionType, STEM_MAX,
};
use skillcert_domain::text::Code;

use crate::Lang;
use crate::employees::ImportIssue;
use crate::export::{
    Cell, ExportError, col_num, column_width, display_width, header_format, row_num, write_csv,
    write_xlsx,
};
use crate::table::RawTable;

/// The canonical column keys, in template order. A public contract: issues name these.
pub const QUESTION_COLUMNS: [&str; 19] = [
    "code",
    "type",
    "stem",
    "option_a",
    "option_b",
    "option_c",
    "option_d",
    "option_e",
    "option_f",
    "option_g",
    "option_h",
    "key",
    "points",
    "tags",
    "difficulty",
    "explanation",
    "key_points",
    "model_answer",
    // Not a column of the domain input: the letter options share one validation field.
    "options",
];

/// The columns a file has (every key of [`QUESTION_COLUMNS`] but the last, `options`, which
/// names the option columns as a group in issues).
const FILE_COLUMNS: usize = 18;

/// Columns a file must have; the others may be left out entirely.
pub const REQUIRED_QUESTION_COLUMNS: [&str; 2] = ["type", "stem"];

struct ColumnSpec {
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    /// Other headers commonly used for the same thing.
    aliases: &'static [&'static str],
}

/// In the order of [`QUESTION_COLUMNS`].
const SPECS: [ColumnSpec; FILE_COLUMNS] = [
    ColumnSpec {
        key: "code",
        zh: "编号",
        en: "Code",
        aliases: &["题号", "试题编号", "题目编号"],
    },
    ColumnSpec {
        key: "type",
        zh: "题型",
        en: "Type",
        aliases: &["类型", "题目类型", "qtype"],
    },
    ColumnSpec {
        key: "stem",
        zh: "题干",
        en: "Stem",
        aliases: &["题目", "试题", "问题", "Question"],
    },
    ColumnSpec {
        key: "option_a",
        zh: "选项A",
        en: "Option A",
        aliases: &["A"],
    },
    ColumnSpec {
        key: "option_b",
        zh: "选项B",
        en: "Option B",
        aliases: &["B"],
    },
    ColumnSpec {
        key: "option_c",
        zh: "选项C",
        en: "Option C",
        aliases: &["C"],
    },
    ColumnSpec {
        key: "option_d",
        zh: "选项D",
        en: "Option D",
        aliases: &["D"],
    },
    ColumnSpec {
        key: "option_e",
        zh: "选项E",
        en: "Option E",
        aliases: &["E"],
    },
    ColumnSpec {
        key: "option_f",
        zh: "选项F",
        en: "Option F",
        aliases: &["F"],
    },
    ColumnSpec {
        key: "option_g",
        zh: "选项G",
        en: "Option G",
        aliases: &["G"],
    },
    ColumnSpec {
        key: "option_h",
        zh: "选项H",
        en: "Option H",
        aliases: &["H"],
    },
    ColumnSpec {
        key: "key",
        zh: "答案",
        en: "Key",
        aliases: &["正确答案", "标准答案", "Answer"],
    },
    ColumnSpec {
        key: "points",
        zh: "分值",
        en: "Points",
        aliases: &["分数", "Score"],
    },
    ColumnSpec {
        key: "tags",
        zh: "技能标签",
        en: "Tags",
        aliases: &["标签", "技能", "Skills"],
    },
    ColumnSpec {
        key: "difficulty",
        zh: "难度",
        en: "Difficulty",
        aliases: &[],
    },
    ColumnSpec {
        key: "explanation",
        zh: "解析",
        en: "Explanation",
        aliases: &["答案解析", "试题解析"],
    },
    ColumnSpec {
        key: "key_points",
        zh: "要点",
        en: "Key points",
        aliases: &["评分要点", "答题要点", "得分要点"],
    },
    ColumnSpec {
        key: "model_answer",
        zh: "参考答案",
        en: "Model answer",
        aliases: &["示范答案"],
    },
];

fn label(spec: &ColumnSpec, lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => spec.zh,
        Lang::En => spec.en,
    }
}

/// The header label of a file column in a language, or `None` for an unknown key.
pub fn question_column_label(key: &str, lang: Lang) -> Option<&'static str> {
    SPECS.iter().find(|s| s.key == key).map(|s| label(s, lang))
}

/// Lower case without any white space, so `选项 A`, `选项A` and `option a` compare alike.
fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The canonical key for a header cell: the key itself, a label in either language or an
/// alias, ignoring case and spaces.
pub fn question_column_for_header(header: &str) -> Option<&'static str> {
    let h = normalize(header);
    if h.is_empty() {
        return None;
    }
    SPECS
        .iter()
        .find(|s| {
            [s.key, s.en, s.zh]
                .iter()
                .chain(s.aliases)
                .any(|a| normalize(a) == h)
        })
        .map(|s| s.key)
}

/// One data row, columns mapped but values unchecked ("" = absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QuestionImportRow {
    pub line: usize,
    /// Empty for a new question that gets a generated code.
    pub code: String,
    pub input: QuestionInput,
}

/// Maps the columns of an uploaded table to question fields.
///
/// Refuses the whole file when its header is wrong — unknown, duplicate or missing columns,
/// or data under no header — as the employee import does. Issue codes: `unknown-column`,
/// `duplicate-column`, `missing-column`, `unnamed-column`.
pub fn map_question_rows(table: RawTable) -> Result<Vec<QuestionImportRow>, Vec<ImportIssue>> {
    let RawTable { headers, rows } = table;
    let mut issues = Vec::new();
    let width = rows
        .iter()
        .map(|r| r.cells.len())
        .chain([headers.len()])
        .max()
        .unwrap_or(0);
    let mut index: [Option<usize>; FILE_COLUMNS] = [None; FILE_COLUMNS];
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
        let Some(k) = question_column_for_header(header)
            .and_then(|key| SPECS.iter().position(|s| s.key == key))
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
                column: Some(SPECS[k].key),
                code: "duplicate-column",
                detail: Some(header.to_owned()),
            });
        } else {
            index[k] = Some(i);
        }
    }
    for (k, spec) in SPECS.iter().enumerate() {
        if index[k].is_none() && REQUIRED_QUESTION_COLUMNS.contains(&spec.key) {
            issues.push(ImportIssue {
                line: 0,
                column: Some(spec.key),
                code: "missing-column",
                detail: None,
            });
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    Ok(rows
        .into_iter()
        .map(|mut row| {
            let mut take = |k: usize| {
                index[k]
                    .and_then(|i| row.cells.get_mut(i))
                    .map(std::mem::take)
                    .map(|c| c.trim().to_owned())
                    .unwrap_or_default()
            };
            let code = take(0);
            let qtype = take(1);
            let stem = take(2);
            let options: Vec<String> = (3..3 + MAX_OPTIONS).map(&mut take).collect();
            QuestionImportRow {
                code,
                input: QuestionInput {
                    qtype,
                    stem,
                    options,
                    key: take(11),
                    points: take(12),
                    tags: take(13),
                    difficulty: take(14),
                    explanation: take(15),
                    key_points: take(16),
                    model_answer: take(17),
                },
                line: row.line,
            }
        })
        .collect())
}

/// A code that occurs twice in the file, reported on each later row with the first line as
/// detail (code `duplicate-code-in-file`). Rows without a code are new questions and never
/// clash.
pub fn duplicate_question_codes(rows: &[QuestionImportRow]) -> Vec<ImportIssue> {
    let mut issues = Vec::new();
    let mut first_line: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    for row in rows {
        if row.code.is_empty() {
            continue;
        }
        if let Some(first) = first_line.get(row.code.as_str()) {
            issues.push(ImportIssue {
                line: row.line,
                column: Some("code"),
                code: "duplicate-code-in-file",
                detail: Some(first.to_string()),
            });
        } else {
            first_line.insert(&row.code, row.line);
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

// ---------- writing ----------

/// The type as a person of `lang` writes it: `单选` in Chinese files, the key in English ones.
fn type_text(raw: &str, lang: Lang) -> String {
    match (QuestionType::parse(raw), lang) {
        (Some(t), Lang::ZhCn) => match t {
            QuestionType::Single => "单选",
            QuestionType::Multiple => "多选",
            QuestionType::TrueFalse => "判断",
            QuestionType::Short => "简答",
        }
        .to_owned(),
        (Some(t), Lang::En) => t.key().to_owned(),
        (None, _) => raw.to_owned(),
    }
}

/// A true/false key as written in `lang`'s files: `对`/`错` or `T`/`F`.
fn key_text(input: &QuestionInput, lang: Lang) -> String {
    if lang == Lang::ZhCn && QuestionType::parse(&input.qtype) == Some(QuestionType::TrueFalse) {
        match input.key.trim() {
            "T" => return "对".to_owned(),
            "F" => return "错".to_owned(),
            _ => {}
        }
    }
    input.key.clone()
}

/// The cells of one question in file column order.
fn cells(code: &str, input: &QuestionInput, lang: Lang) -> Vec<String> {
    let mut row = Vec::with_capacity(FILE_COLUMNS);
    row.push(code.to_owned());
    row.push(type_text(&input.qtype, lang));
    row.push(input.stem.clone());
    for i in 0..MAX_OPTIONS {
        row.push(input.options.get(i).cloned().unwrap_or_default());
    }
    row.push(key_text(input, lang));
    row.push(input.points.clone());
    row.push(input.tags.clone());
    row.push(input.difficulty.clone());
    row.push(input.explanation.clone());
    row.push(input.key_points.clone());
    row.push(input.model_answer.clone());
    row
}

fn labels(lang: Lang) -> Vec<&'static str> {
    SPECS.iter().map(|s| label(s, lang)).collect()
}

/// Questions as CSV (BOM, header labels in `lang`), one row per `(code, question)`; the file
/// imports again as it is.
pub fn questions_csv(lang: Lang, items: &[(String, QuestionInput)]) -> Vec<u8> {
    let rows: Vec<Vec<String>> = items.iter().map(|(code, q)| cells(code, q, lang)).collect();
    write_csv(&labels(lang), &rows)
}

/// Questions as one XLSX sheet with a frozen, filterable header.
pub fn questions_xlsx(
    lang: Lang,
    items: &[(String, QuestionInput)],
) -> Result<Vec<u8>, ExportError> {
    let rows: Vec<Vec<Cell>> = items
        .iter()
        .map(|(code, q)| {
            cells(code, q, lang)
                .into_iter()
                .map(|v| {
                    if v.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(v)
                    }
                })
                .collect()
        })
        .collect();
    write_xlsx(sheet_name(lang), &labels(lang), &rows)
}

fn sheet_name(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "题目",
        Lang::En => "Questions",
    }
}

/// One example of each type, in the template's language. Codes are left empty: a new
/// question gets one generated.
pub fn template_examples(lang: Lang) -> Vec<(String, QuestionInput)> {
    let zh = lang == Lang::ZhCn;
    let q = |qtype: QuestionType,
             stem: &str,
             options: &[&str],
             key: &str,
             points: &str,
             tags: &str,
             difficulty: &str,
             explanation: &str,
             key_points: &str,
             model_answer: &str| {
        (
            String::new(),
            QuestionInput {
                qtype: qtype.key().to_owned(),
                stem: stem.to_owned(),
                options: options.iter().map(|o| o.to_string()).collect(),
                key: key.to_owned(),
                points: points.to_owned(),
                tags: tags.to_owned(),
                difficulty: difficulty.to_owned(),
                explanation: explanation.to_owned(),
                key_points: key_points.to_owned(),
                model_answer: model_answer.to_owned(),
            },
        )
    };
    if zh {
        vec![
            q(
                QuestionType::Single,
                "客户来电投诉时，首先应当做什么？",
                &[
                    "耐心倾听并确认问题",
                    "立即解释公司政策",
                    "直接转给主管",
                    "请客户稍后再来电",
                ],
                "A",
                "2",
                "listening;complaint-process",
                "2",
                "先倾听，才能准确理解客户的诉求。",
                "",
                "",
            ),
            q(
                QuestionType::Multiple,
                "以下哪些属于服务礼貌用语？",
                &[
                    "您好，请问有什么可以帮您？",
                    "请稍等",
                    "这不归我管",
                    "感谢您的耐心等待",
                ],
                "ABD",
                "3",
                "polite-phrases",
                "2",
                "",
                "",
                "",
            ),
            q(
                QuestionType::TrueFalse,
                "客户的联系方式可以转发到工作群中方便同事跟进。",
                &[],
                "F",
                "1",
                "service-norms",
                "1",
                "客户信息属于保密内容，只能在授权系统中处理。",
                "",
                "",
            ),
            q(
                QuestionType::Short,
                "简述处理客户投诉的主要步骤。",
                &[],
                "",
                "10",
                "complaint-process;emotion-management",
                "3",
                "",
                "倾听并致歉\n确认并复述问题\n提出解决方案\n跟进回访",
                "先耐心倾听并向客户致歉，复述确认问题，再给出可行的解决方案，最后按约定时间回访。",
            ),
        ]
    } else {
        vec![
            q(
                QuestionType::Single,
                "A customer calls to complain. What do you do first?",
                &[
                    "Listen patiently and confirm the problem",
                    "Explain the company policy at once",
                    "Transfer the call to a supervisor",
                    "Ask the customer to call back later",
                ],
                "A",
                "2",
                "listening;complaint-process",
                "2",
                "Only by listening first can you understand what the customer needs.",
                "",
                "",
            ),
            q(
                QuestionType::Multiple,
                "Which of these are polite service phrases?",
                &[
                    "Hello, how may I help you?",
                    "One moment, please",
                    "That is not my job",
                    "Thank you for your patience",
                ],
                "ABD",
                "3",
                "polite-phrases",
                "2",
                "",
                "",
                "",
            ),
            q(
                QuestionType::TrueFalse,
                "A customer's phone number may be forwarded to the team chat so colleagues can follow up.",
                &[],
                "F",
                "1",
                "service-norms",
                "1",
                "Customer data is confidential and is handled only in authorised systems.",
                "",
                "",
            ),
            q(
                QuestionType::Short,
                "Describe the main steps of handling a customer complaint.",
                &[],
                "",
                "10",
                "complaint-process;emotion-management",
                "3",
                "",
                "Listen and apologise\nConfirm and restate the problem\nOffer a solution\nFollow up",
                "Listen patiently and apologise, restate the problem to confirm it, offer a workable solution and call back as agreed.",
            ),
        ]
    }
}

/// A CSV template: BOM, header labels in `lang`, one example row of each type.
pub fn question_template_csv(lang: Lang) -> Vec<u8> {
    questions_csv(lang, &template_examples(lang))
}

/// An XLSX template: the header and examples on the first sheet, and a second sheet
/// explaining each column and the accepted types.
pub fn question_template_xlsx(lang: Lang) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    write_template_sheet(workbook.add_worksheet(), lang)?;
    write_instructions_sheet(workbook.add_worksheet(), lang)?;
    Ok(workbook.save_to_buffer()?)
}

fn write_template_sheet(ws: &mut Worksheet, lang: Lang) -> Result<(), XlsxError> {
    ws.set_name(sheet_name(lang))?;
    let bold = header_format();
    // Text format keeps codes such as 00123 and keys such as T as typed.
    let text = Format::new().set_num_format("@");
    let wrap = Format::new().set_text_wrap();
    let rows: Vec<Vec<String>> = template_examples(lang)
        .iter()
        .map(|(code, q)| cells(code, q, lang))
        .collect();
    for (c, spec) in SPECS.iter().enumerate() {
        let col = col_num(c)?;
        let header = label(spec, lang);
        ws.write_string_with_format(0, col, header, &bold)?;
        let format = match spec.key {
            "code" | "key" => Some(&text),
            "key_points" | "model_answer" | "explanation" | "stem" => Some(&wrap),
            _ => None,
        };
        if let Some(f) = format {
            ws.set_column_format(col, f)?;
        }
        let mut width = display_width(header);
        for (r, row) in rows.iter().enumerate() {
            let value = row.get(c).map_or("", String::as_str);
            width = width.max(display_width(value));
            let rn = row_num(r + 1)?;
            match format {
                Some(f) => ws.write_string_with_format(rn, col, value, f)?,
                None => ws.write_string(rn, col, value)?,
            };
        }
        ws.set_column_width(col, column_width(width + 2))?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn write_instructions_sheet(ws: &mut Worksheet, lang: Lang) -> Result<(), XlsxError> {
    let zh = lang == Lang::ZhCn;
    ws.set_name(if zh { "说明" } else { "Instructions" })?;
    let bold = header_format();
    let wrap = Format::new().set_text_wrap();
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
    for spec in &SPECS {
        let required = REQUIRED_QUESTION_COLUMNS.contains(&spec.key);
        let yes_no = match (zh, required) {
            (true, true) => "是",
            (true, false) => "否",
            (false, true) => "Yes",
            (false, false) => "No",
        };
        let row = [
            spec.key.to_owned(),
            label(spec, lang).to_owned(),
            yes_no.to_owned(),
            column_note(spec.key, lang),
        ];
        for (c, v) in row.iter().enumerate() {
            ws.write_string(row_num(r)?, col_num(c)?, v.as_str())?;
            widths[c] = widths[c].max(display_width(v));
        }
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(
        row_num(r)?,
        0,
        if zh {
            "题型可选值"
        } else {
            "Accepted types"
        },
        &bold,
    )?;
    r += 1;
    for t in QuestionType::ALL {
        let values = [t.key().to_owned(), type_text(t.key(), Lang::ZhCn)];
        for (c, v) in values.iter().enumerate() {
            ws.write_string(row_num(r)?, col_num(c)?, v.as_str())?;
            widths[c] = widths[c].max(display_width(v));
        }
        r += 1;
    }
    r += 1;
    let general = if zh {
        "只导入第一个工作表，每行一道题。整个文件先全部检查：任何一行有误都不会保存，并列出每个问题。编号已存在的行会更新该题（生成新版本，内容未变则不变）。"
    } else {
        "Only the first sheet is imported, one question per row. The whole file is checked first: if any row is wrong nothing is saved and every problem is listed. A row whose code exists updates that question (as a new version, unless nothing changed)."
    };
    ws.write_string_with_format(row_num(r)?, 0, general, &wrap)?;
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col_num(c)?, column_width(w + 2))?;
    }
    Ok(())
}

/// What a lecturer needs to know to fill a column; limits come from the domain.
fn column_note(key: &str, lang: Lang) -> String {
    let zh = lang == Lang::ZhCn;
    match key {
        "code" if zh => format!(
            "字母、数字、- 和 _，最多 {} 个字符；留空则自动生成；已存在的编号会更新该题",
            Code::MAX
        ),
        "code" => format!(
            "Letters, digits, - and _, at most {} characters; empty for a generated code; an existing code updates that question",
            Code::MAX
        ),
        "type" if zh => "单选、多选、判断或简答（也接受 single、multiple、true_false、short）".to_owned(),
        "type" => "single, multiple, true_false or short (单选, 多选, 判断, 简答 also accepted)".to_owned(),
        "stem" if zh => format!("最多 {STEM_MAX} 个字符"),
        "stem" => format!("At most {STEM_MAX} characters"),
        "key" if zh => "单选填一个字母（如 A）；多选填多个字母（如 ACD）；判断填 对/错 或 T/F；简答留空".to_owned(),
        "key" => "Single choice: one letter (A); multiple choice: letters (ACD); true/false: T or F; short answer: empty".to_owned(),
        "points" if zh => "大于 0，最多两位小数；留空为 1 分".to_owned(),
        "points" => "More than 0, at most 2 decimals; empty means 1".to_owned(),
        "tags" if zh => format!("技能编码，用分号分隔，最多 {MAX_TAGS} 个（如 listening;empathy）"),
        "tags" => format!("Skill codes separated by ;, at most {MAX_TAGS} (e.g. listening;empathy)"),
        "difficulty" if zh => "1（易）到 5（难）；留空为 3".to_owned(),
        "difficulty" => "1 (easy) to 5 (hard); empty means 3".to_owned(),
        "explanation" if zh => format!("可留空，最多 {EXPLANATION_MAX} 个字符"),
        "explanation" => format!("May be empty; at most {EXPLANATION_MAX} characters"),
        "key_points" if zh => format!("简答题必填：每行一个要点（或用分号分隔），每个最多 {KEY_POINT_MAX} 个字符"),
        "key_points" => format!("Short answers: one point per line (or separated by ;), each at most {KEY_POINT_MAX} characters"),
        "model_answer" if zh => format!("简答题可填，最多 {MODEL_ANSWER_MAX} 个字符"),
        "model_answer" => format!("Short answers, optional; at most {MODEL_ANSWER_MAX} characters"),
        k if k.starts_with("option_") && zh => format!(
            "单选、多选题的选项，按 A、B、C… 顺序填写，{MIN_OPTIONS} 到 {MAX_OPTIONS} 个，中间不可空缺；每个最多 {OPTION_MAX} 个字符；判断、简答题留空"
        ),
        k if k.starts_with("option_") => format!(
            "Options of choice questions in order A, B, C…, {MIN_OPTIONS} to {MAX_OPTIONS} without gaps, each at most {OPTION_MAX} characters; empty for true/false and short answers"
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

    const SKILLS: [&str; 6] = [
        "listening",
        "complaint-process",
        "polite-phrases",
        "service-norms",
        "emotion-management",
        "empathy",
    ];

    #[test]
    fn specs_follow_the_public_column_order() {
        let keys: Vec<_> = SPECS.iter().map(|s| s.key).collect();
        assert_eq!(keys, QUESTION_COLUMNS[..FILE_COLUMNS]);
        for key in &QUESTION_COLUMNS[..FILE_COLUMNS] {
            assert_eq!(question_column_for_header(key), Some(*key));
            for lang in [Lang::ZhCn, Lang::En] {
                let l = question_column_label(key, lang).unwrap();
                assert_eq!(question_column_for_header(l), Some(*key));
                assert!(!column_note(key, lang).is_empty(), "{key}");
            }
        }
    }

    #[test]
    fn chinese_headers_and_aliases_map() {
        for (h, k) in [
            ("题型", "type"),
            ("题干", "stem"),
            ("选项A", "option_a"),
            ("选项 B", "option_b"),
            ("答案", "key"),
            ("正确答案", "key"),
            ("分值", "points"),
            ("技能标签", "tags"),
            ("难度", "difficulty"),
            ("解析", "explanation"),
            ("要点", "key_points"),
            ("参考答案", "model_answer"),
            (" option a ", "option_a"),
            ("KEY POINTS", "key_points"),
            ("D", "option_d"),
        ] {
            assert_eq!(question_column_for_header(h), Some(k), "{h}");
        }
        assert_eq!(question_column_for_header("选项I"), None);
        assert_eq!(question_column_for_header(""), None);
    }

    #[test]
    fn rows_map_in_any_column_order() {
        let t = table(
            &[
                "答案",
                "题干",
                "题型",
                "选项A",
                "选项B",
                "选项C",
                "技能标签",
            ],
            &[
                (2, &["C", "第一题", "单选", "甲", "乙", "丙", "listening"]),
                (3, &["对", "第二题", "判断"]),
            ],
        );
        let rows = map_question_rows(t).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].code, "");
        assert_eq!(rows[0].input.qtype, "单选");
        assert_eq!(rows[0].input.stem, "第一题");
        assert_eq!(rows[0].input.options[..3], ["甲", "乙", "丙"]);
        assert_eq!(rows[0].input.options.len(), MAX_OPTIONS);
        assert_eq!(rows[0].input.key, "C");
        assert_eq!(rows[0].input.tags, "listening");
        assert_eq!(rows[1].input.key, "对");
        assert!(rows[1].input.options.iter().all(String::is_empty));
        let q = rows[0].input.validate(&|s| SKILLS.contains(&s)).unwrap();
        assert_eq!(q.body.key_text(), "C");
    }

    #[test]
    fn header_problems_are_all_reported_at_once() {
        let t = table(
            &["题干", "Stem", "答按", "选项A"],
            &[(2, &["a", "b", "c", "d"])],
        );
        let issues = map_question_rows(t).unwrap_err();
        assert_eq!(
            codes(&issues),
            vec![
                (0, Some("stem"), "duplicate-column", Some("Stem")),
                (0, None, "unknown-column", Some("答按")),
                (0, Some("type"), "missing-column", None),
            ]
        );
        let csv = "题型,题干,,答案\n单选,a,,A\n单选,b,oops,A\n";
        let t = read_table(csv.as_bytes(), FileKind::Csv).unwrap();
        assert_eq!(
            codes(&map_question_rows(t).unwrap_err()),
            vec![(3, None, "unnamed-column", Some("C"))]
        );
    }

    #[test]
    fn duplicate_codes_point_at_the_first() {
        let t = table(
            &["编号", "题型", "题干"],
            &[
                (2, &["Q1", "判断", "a"]),
                (3, &["", "判断", "b"]),
                (4, &["", "判断", "c"]),
                (5, &["Q1", "判断", "d"]),
            ],
        );
        let rows = map_question_rows(t).unwrap();
        assert_eq!(
            codes(&duplicate_question_codes(&rows)),
            vec![(5, Some("code"), "duplicate-code-in-file", Some("2"))]
        );
    }

    #[test]
    fn a_missing_key_and_a_key_beyond_the_options_are_caught_by_the_domain() {
        let csv =
            "题型,题干,选项A,选项B,选项C,答案\n单选,无答案,甲,乙,丙,\n单选,答案越界,甲,乙,丙,D\n";
        let t = read_table(csv.as_bytes(), FileKind::Csv).unwrap();
        let rows = map_question_rows(t).unwrap();
        let reasons: Vec<Vec<(&str, &str)>> = rows
            .iter()
            .map(|r| {
                r.input
                    .validate(&|_| true)
                    .unwrap_err()
                    .iter()
                    .map(|e| (e.field, e.reason.code()))
                    .collect()
            })
            .collect();
        assert_eq!(
            reasons,
            vec![vec![("key", "required")], vec![("key", "key-out-of-range")]]
        );
    }

    #[test]
    fn templates_round_trip_and_every_example_is_valid() {
        for lang in [Lang::ZhCn, Lang::En] {
            let examples = template_examples(lang);
            let types: Vec<_> = examples
                .iter()
                .map(|(_, q)| QuestionType::parse(&q.qtype).unwrap())
                .collect();
            assert_eq!(types, QuestionType::ALL);
            let csv = question_template_csv(lang);
            assert!(csv.starts_with(b"\xEF\xBB\xBF"));
            let xlsx = question_template_xlsx(lang).unwrap();
            for (bytes, kind) in [(csv, FileKind::Csv), (xlsx, FileKind::Xlsx)] {
                let t = read_table(&bytes, kind).unwrap();
                assert_eq!(t.headers, labels(lang));
                let rows = map_question_rows(t).unwrap();
                assert_eq!(rows.len(), 4);
                for (row, (_, example)) in rows.iter().zip(&examples) {
                    let got = row.input.validate(&|s| SKILLS.contains(&s)).unwrap();
                    let want = example.validate(&|s| SKILLS.contains(&s)).unwrap();
                    assert_eq!(got, want, "{lang:?} {kind:?} line {}", row.line);
                }
            }
        }
        let zh = String::from_utf8(question_template_csv(Lang::ZhCn)).unwrap();
        assert!(zh.contains(",判断,"), "{zh}");
        assert!(zh.contains(",错,"), "{zh}");
    }

    #[test]
    fn exports_import_again_unchanged() {
        let items: Vec<(String, QuestionInput)> = template_examples(Lang::ZhCn)
            .into_iter()
            .enumerate()
            .map(|(i, (_, q))| {
                let valid = q.validate(&|_| true).unwrap();
                (format!("Q{i:06}"), QuestionInput::from_question(&valid))
            })
            .collect();
        for lang in [Lang::ZhCn, Lang::En] {
            let files = [
                (questions_csv(lang, &items), FileKind::Csv),
                (questions_xlsx(lang, &items).unwrap(), FileKind::Xlsx),
            ];
            for (bytes, kind) in files {
                let rows = map_question_rows(read_table(&bytes, kind).unwrap()).unwrap();
                assert_eq!(rows.len(), items.len());
                for (row, (code, q)) in rows.iter().zip(&items) {
                    assert_eq!(&row.code, code);
                    assert_eq!(
                        row.input.validate(&|_| true).unwrap(),
                        q.validate(&|_| true).unwrap(),
                        "{lang:?} {kind:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn xlsx_template_explains_columns_and_types() {
        let bytes = question_template_xlsx(Lang::ZhCn).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["题目", "说明"]);
        let range = wb.worksheet_range("说明").unwrap();
        let text: Vec<String> = range.used_cells().map(|(_, _, v)| v.to_string()).collect();
        for key in &QUESTION_COLUMNS[..FILE_COLUMNS] {
            assert!(text.iter().any(|t| t == key), "{key}");
        }
        for t in QuestionType::ALL {
            assert!(text.iter().any(|x| x == t.key()), "{t:?}");
        }
        let bytes = question_template_xlsx(Lang::En).unwrap();
        let wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["Questions", "Instructions"]);
    }
}
