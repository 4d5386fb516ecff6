//! Files in and out of skillcert: reading CSV and XLSX uploads into plain rows, mapping
//! employee import columns, writing CSV and XLSX downloads, and PDF reports with QR codes.
//!
//! Nothing here validates values: that is the domain's job, so a form and a file are judged
//! by the same rules. This crate only turns bytes into cells and cells into bytes.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod compliance_report;
pub mod employees;
pub mod export;
pub mod item_analysis;
pub mod needs_report;
pub mod pdf;
pub mod qr;
pub mod questions;
pub mod round_report;
pub mod table;

pub use employees::{
    EMPLOYEE_COLUMNS, EmployeeImportRow, ImportIssue, REQUIRED_EMPLOYEE_COLUMNS,
    employee_column_for_header, employee_column_label, employee_template_csv,
    employee_template_xlsx, map_employee_rows,
};
pub use export::{Cell, ExportError, write_csv, write_xlsx};
pub use pdf::{Flow, PdfDocument};
pub use qr::{QrError, QrMatrix};
pub use table::{FileKind, MAX_ROWS, RawRow, RawTable, ReadError, read_table};

/// The language of labels written into templates and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    ZhCn,
    En,
}

impl Lang {
    /// The BCP 47 tag, as used by the web layer's language switch.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }
}
