//! File downloads from the pages: the response with its headers, and a safe file name.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `{code}-{suffix}` with the code reduced to letters, digits, `-` and `_`, so that no
/// user-typed code can break the `Content-Disposition` header or name a path.
pub fn file_name(code: &str, suffix: &str) -> String {
    let code: String = code
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if suffix.is_empty() {
        code
    } else {
        format!("{code}-{suffix}")
    }
}

/// The bytes as a file to save.
pub fn attachment(bytes: Vec<u8>, mime: &str, name: &str) -> Response {
    with_disposition(bytes, mime, "attachment", name)
}

/// The bytes shown in the browser (a PDF), named for saving.
pub fn inline(bytes: Vec<u8>, mime: &str, name: &str) -> Response {
    with_disposition(bytes, mime, "inline", name)
}

fn with_disposition(bytes: Vec<u8>, mime: &str, disposition: &str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(
            file_name("CERT 2026/B\"x", "report.pdf"),
            "CERT_2026_B_x-report.pdf"
        );
        assert_eq!(file_name("CS2026001", ""), "CS2026001");
    }

    #[test]
    fn the_disposition_names_the_file() {
        let r = attachment(vec![1], "text/csv", "a.csv");
        assert_eq!(
            r.headers()[header::CONTENT_DISPOSITION],
            "attachment; filename=\"a.csv\""
        );
        let r = inline(vec![1], "application/pdf", "a.pdf");
        assert_eq!(
            r.headers()[header::CONTENT_DISPOSITION],
            "inline; filename=\"a.pdf\""
        );
    }
}
