//! The header of the analysis commands' CSV input: named columns in any order,
//! case-insensitive, a BOM tolerated, every problem reported at once.

use csv::ByteRecord;

/// The position of each of `names` in `header` (the first `required` must be present),
/// or every problem found, each a sentence naming the column.
pub fn columns<const N: usize>(
    header: Option<&ByteRecord>,
    names: &[&str; N],
    required: usize,
    expected: &str,
) -> Result<[Option<usize>; N], Vec<String>> {
    let Some(header) = header else {
        return Err(vec![format!(
            "the file is empty; expected the header {expected}"
        )]);
    };
    let mut problems = Vec::new();
    let mut columns = [None; N];
    for (i, raw) in header.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(raw) else {
            problems.push(format!("column {} has a name that is not UTF-8", i + 1));
            continue;
        };
        let name = name.trim_start_matches('\u{feff}').trim().to_lowercase();
        let Some(slot) = names.iter().position(|c| *c == name) else {
            problems.push(format!(
                "unknown column {name:?} (column {}); expected {expected}",
                i + 1
            ));
            continue;
        };
        match columns[slot] {
            Some(first) => problems.push(format!(
                "column {name:?} appears twice (columns {} and {})",
                first + 1,
                i + 1
            )),
            None => columns[slot] = Some(i),
        }
    }
    let missing: Vec<&str> = names[..required]
        .iter()
        .zip(&columns)
        .filter(|(_, c)| c.is_none())
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "missing column(s): {}; expected the header {expected}",
            missing.join(", ")
        ));
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems)
    }
}
