//! Application attachments: S0 asks only for the necessary documents — identity proof and
//! a job description — so nothing else is accepted.

use serde::Serialize;

/// Largest attachment accepted: a phone photo or a scanned page, not an archive.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Identity,
    JobDescription,
}

impl AttachmentKind {
    pub fn key(self) -> &'static str {
        match self {
            AttachmentKind::Identity => "identity",
            AttachmentKind::JobDescription => "job_description",
        }
    }

    pub fn parse(raw: &str) -> Option<AttachmentKind> {
        match raw {
            "identity" => Some(AttachmentKind::Identity),
            "job_description" => Some(AttachmentKind::JobDescription),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than 5 MB")]
    TooLarge,
    #[error("only PDF, PNG and JPEG files are accepted")]
    WrongType,
}

impl AttachmentError {
    pub fn code(self) -> &'static str {
        match self {
            AttachmentError::Empty => "attachment-empty",
            AttachmentError::TooLarge => "attachment-too-large",
            AttachmentError::WrongType => "attachment-type",
        }
    }
}

/// The content type of an accepted file, read from its first bytes: the name and the
/// browser's claimed type are not trusted.
pub fn sniff(bytes: &[u8]) -> Result<&'static str, AttachmentError> {
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(AttachmentError::TooLarge);
    }
    if bytes.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else {
        Err(AttachmentError::WrongType)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_pdf_png_jpeg_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Ok("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Ok("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
    }

    #[test]
    fn refuses_empty_large_and_other_files() {
        assert_eq!(sniff(b""), Err(AttachmentError::Empty));
        assert_eq!(sniff(b"MZ\x90\x00"), Err(AttachmentError::WrongType));
        assert_eq!(sniff(b"<html>"), Err(AttachmentError::WrongType));
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_BYTES + 1, 0);
        assert_eq!(sniff(&big), Err(AttachmentError::TooLarge));
        big.truncate(MAX_BYTES);
        assert!(sniff(&big).is_ok());
    }

    #[test]
    fn kinds_round_trip() {
        for k in [AttachmentKind::Identity, AttachmentKind::JobDescription] {
            assert_eq!(AttachmentKind::parse(k.key()), Some(k));
        }
        assert_eq!(AttachmentKind::parse("photo"), None);
    }
}
