//! Which input column holds what, decided once from the header.

use csv::ByteRecord;
use skillcert_domain::scheme::{Scheme, Trim};

/// How a component's cell is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CellKind {
    /// One score.
    Score,
    /// Judges' marks separated by `;`.
    Marks,
    /// Judges separated by `;`, each judge's rubric items by `/`.
    ItemMarks,
}

#[derive(Debug)]
pub(crate) struct Layout {
    /// Number of columns every row must have.
    pub width: usize,
    pub employee_no: usize,
    pub attempt: usize,
    /// `(column, kind)` of each component, in scheme order.
    pub components: Vec<(usize, CellKind)>,
}

impl Layout {
    /// Maps the header onto the scheme, or lists every problem with it: a wrong header
    /// makes every row wrong, so it is reported once rather than per row.
    pub fn from_header(
        header: Option<&ByteRecord>,
        scheme: &Scheme,
    ) -> Result<Layout, Vec<String>> {
        let expected = || {
            let mut names = vec!["employee_no".to_string(), "attempt".to_string()];
            names.extend(scheme.components().iter().map(|c| c.key.clone()));
            names.join(",")
        };
        let Some(header) = header else {
            return Err(vec![format!(
                "the file is empty; expected the header {}",
                expected()
            )]);
        };
        let mut problems = Vec::new();
        let mut employee_no = None;
        let mut attempt = None;
        let mut columns: Vec<Option<usize>> = vec![None; scheme.components().len()];
        for (i, raw) in header.iter().enumerate() {
            let Ok(name) = std::str::from_utf8(raw) else {
                problems.push(format!("column {} has a name that is not UTF-8", i + 1));
                continue;
            };
            // A BOM the CSV reader left in place (e.g. after a quote) is not part of the name.
            let name = name.trim_start_matches('\u{feff}').trim();
            let slot = match name {
                "employee_no" => &mut employee_no,
                "attempt" => &mut attempt,
                _ => match scheme.components().iter().position(|c| c.key == name) {
                    Some(c) => &mut columns[c],
                    None => {
                        problems.push(format!(
                            "unknown column {name:?} (column {}); the scheme {} expects {}",
                            i + 1,
                            scheme.key(),
                            expected()
                        ));
                        continue;
                    }
                },
            };
            match slot {
                Some(first) => problems.push(format!(
                    "column {name:?} appears twice (columns {} and {})",
                    *first + 1,
                    i + 1
                )),
                None => *slot = Some(i),
            }
        }
        let mut missing = Vec::new();
        if employee_no.is_none() {
            missing.push("employee_no");
        }
        if attempt.is_none() {
            missing.push("attempt");
        }
        for (c, column) in scheme.components().iter().zip(&columns) {
            if column.is_none() {
                missing.push(&c.key);
            }
        }
        if !missing.is_empty() {
            problems.push(format!("missing column(s): {}", missing.join(", ")));
        }
        match (employee_no, attempt, problems.is_empty()) {
            (Some(employee_no), Some(attempt), true) => Ok(Layout {
                width: header.len(),
                employee_no,
                attempt,
                components: scheme
                    .components()
                    .iter()
                    .zip(columns)
                    .map(|(c, column)| {
                        let kind = match &c.panel {
                            None => CellKind::Score,
                            Some(p) if p.trim == Trim::Total => CellKind::Marks,
                            Some(_) => CellKind::ItemMarks,
                        };
                        (column.unwrap_or_default(), kind)
                    })
                    .collect(),
            }),
            _ => Err(problems),
        }
    }
}
