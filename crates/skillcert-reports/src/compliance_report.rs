//! The training-hour compliance workbook (issue 7): one sheet of the people short of the
//! yearly minimum or of a new hire's basic days, one of the departments, one of the company's
//! figures. The caller translates the headers and fills typed cells; nothing is judged here.

use rust_xlsxwriter::Workbook;

use crate::export::{
    Cell, ExportError, col_num, column_width, date_format, display_width, excel_date,
    header_format, row_num,
};

/// One sheet of the workbook.
#[derive(Debug, Clone)]
pub struct Sheet<'a> {
    pub name: &'a str,
    pub headers: Vec<&'a str>,
    pub rows: Vec<Vec<Cell>>,
}

/// How many rows are looked at to size columns (as the plain export does).
const WIDTH_SAMPLE_ROWS: usize = 1000;

/// The workbook with `sheets` in order, each with a bold, frozen, filterable header row.
/// Text is written as text, never as a formula.
pub fn compliance_xlsx(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let bold = header_format();
    let date = date_format();
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(s.name)?;
        let mut widths: Vec<usize> = s.headers.iter().map(|h| display_width(h)).collect();
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(0, col_num(c)?, *h, &bold)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let rn = row_num(r + 1)?;
            for (c, cell) in row.iter().enumerate() {
                let cn = col_num(c)?;
                match cell {
                    Cell::Text(t) => ws.write_string(rn, cn, t.as_str())?,
                    Cell::Number(n) => ws.write_number(rn, cn, *n)?,
                    Cell::Date(d) => {
                        ws.write_datetime_with_format(rn, cn, excel_date(*d)?, &date)?
                    }
                    Cell::Empty => ws,
                };
                if r < WIDTH_SAMPLE_ROWS {
                    let w = match cell {
                        Cell::Text(t) => display_width(t),
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
            ws.set_column_width(col_num(c)?, column_width(*w + 3))?;
        }
        ws.set_freeze_panes(1, 0)?;
        if let Some(last) = s.headers.len().checked_sub(1) {
            ws.autofilter(0, 0, row_num(s.rows.len())?, col_num(last)?)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{FileKind, read_table};

    #[test]
    fn every_sheet_is_written_with_its_rows() {
        let people = Sheet {
            name: "未达标人员",
            headers: vec!["工号", "姓名", "学时"],
            rows: vec![
                vec![
                    Cell::Text("E001".into()),
                    Cell::Text("=SUM(A1)".into()),
                    Cell::Number(2.5),
                ],
                vec![Cell::Text("E002".into()), Cell::Empty, Cell::Number(0.0)],
            ],
        };
        let departments = Sheet {
            name: "部门",
            headers: vec!["部门", "人数"],
            rows: vec![],
        };
        let bytes = compliance_xlsx(&[people, departments]).unwrap();
        let table = read_table(&bytes, FileKind::Xlsx).unwrap();
        assert_eq!(
            table.headers,
            ["工号", "姓名", "学时"],
            "the first sheet is read"
        );
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].cells[1], "=SUM(A1)", "text stays text");
    }
}
