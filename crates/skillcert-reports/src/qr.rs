//! QR codes for certificate verification links, as inline SVG for web pages and as a
//! module matrix for the PDF writer.

use qrcode::{Color, EcLevel, QrCode};
use thiserror::Error;

/// Light modules around the symbol that scanners need to find it; the standard asks for 4.
pub const QUIET_ZONE: usize = 4;

/// Why a QR code could not be made; `code()` is stable and becomes a translation key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QrError {
    #[error("the text is too long for a QR code")]
    TooLong,
    #[error("the text cannot be encoded as a QR code: {detail}")]
    Encode { detail: String },
}

impl QrError {
    pub fn code(&self) -> &'static str {
        match self {
            QrError::TooLong => "qr-too-long",
            QrError::Encode { .. } => "qr-encode",
        }
    }
}

impl From<qrcode::types::QrError> for QrError {
    fn from(e: qrcode::types::QrError) -> Self {
        match e {
            qrcode::types::QrError::DataTooLong => QrError::TooLong,
            other => QrError::Encode {
                detail: other.to_string(),
            },
        }
    }
}

/// The modules of a QR code, without the quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    width: usize,
    /// Row-major, `true` for dark.
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `text` with error correction level M, which survives a smudged or creased
    /// printed certificate (15 % damage) while keeping a verification URL at a small,
    /// easily scanned version.
    pub fn encode(text: &str) -> Result<Self, QrError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
        Ok(QrMatrix {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The QR version (1–40), which fixes the width at 17 + 4 × version.
    pub fn version(&self) -> usize {
        self.width.saturating_sub(17) / 4
    }

    /// Whether the module in column `x`, row `y` is dark; outside the symbol it is light.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// Horizontal runs of dark modules as (x, y, length), row by row. Drawing runs rather
    /// than single modules makes SVG and PDF output several times smaller.
    pub fn runs(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        (0..self.width).flat_map(move |y| {
            let row = &self.dark[y * self.width..(y + 1) * self.width];
            let mut runs = Vec::new();
            let mut x = 0;
            while x < row.len() {
                if row[x] {
                    let len = row[x..].iter().take_while(|d| **d).count();
                    runs.push((x, y, len));
                    x += len;
                } else {
                    x += 1;
                }
            }
            runs
        })
    }

    /// A self-contained SVG of `module_px` pixels per module, quiet zone included, for
    /// inlining in server-rendered HTML. Coordinates are in modules, so the image scales
    /// cleanly with CSS; `crispEdges` keeps modules from blurring into each other.
    pub fn to_svg(&self, module_px: u32) -> String {
        let side = self.width + 2 * QUIET_ZONE;
        let px = side * module_px.max(1) as usize;
        let mut path = String::with_capacity(self.dark.len() * 3);
        for (x, y, len) in self.runs() {
            path.push_str(&format!(
                "M{} {}h{len}v1h-{len}z",
                x + QUIET_ZONE,
                y + QUIET_ZONE
            ));
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" \
             width=\"{px}\" height=\"{px}\" shape-rendering=\"crispEdges\">\
             <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
             <path fill=\"#000\" d=\"{path}\"/></svg>"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://host/verify/CS2026001";

    #[test]
    fn a_verification_url_fits_version_3() {
        // 29 bytes at level M need more than version 2's 26 bytes of capacity.
        let m = QrMatrix::encode(URL).unwrap();
        assert_eq!(m.version(), 3);
        assert_eq!(m.width(), 29);
    }

    #[test]
    fn finder_patterns_sit_in_three_corners() {
        let m = QrMatrix::encode(URL).unwrap();
        let w = m.width();
        for (ox, oy) in [(0, 0), (w - 7, 0), (0, w - 7)] {
            for i in 0..7 {
                // The outer ring of each finder pattern is dark, the ring inside it light.
                assert!(m.is_dark(ox + i, oy) && m.is_dark(ox + i, oy + 6));
                assert!(m.is_dark(ox, oy + i) && m.is_dark(ox + 6, oy + i));
            }
            assert!(!m.is_dark(ox + 1, oy + 1) && m.is_dark(ox + 3, oy + 3));
        }
        // The bottom-right corner has no finder pattern, and outside is light.
        assert!(!(0..7).all(|i| m.is_dark(w - 1 - i, w - 1)));
        assert!(!m.is_dark(w, 0) && !m.is_dark(0, w));
    }

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let m = QrMatrix::encode(URL).unwrap();
        let mut count = 0;
        for (x, y, len) in m.runs() {
            assert!((x..x + len).all(|x| m.is_dark(x, y)));
            assert!(x + len == m.width() || !m.is_dark(x + len, y));
            count += len;
        }
        assert_eq!(count, m.dark.iter().filter(|d| **d).count());
    }

    #[test]
    fn svg_is_well_formed_and_deterministic() {
        let svg = QrMatrix::encode(URL).unwrap().to_svg(4);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("viewBox=\"0 0 37 37\""));
        assert!(svg.contains("width=\"148\""));
        assert!(svg.contains("shape-rendering=\"crispEdges\""));
        assert!(svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<path").count(), 1);
        // The top-left finder pattern's first run starts inside the quiet zone.
        assert!(svg.contains("d=\"M4 4h7v1h-7z"));
        assert_eq!(svg, QrMatrix::encode(URL).unwrap().to_svg(4));
    }

    #[test]
    fn too_much_text_is_an_error() {
        let e = QrMatrix::encode(&"x".repeat(3000)).unwrap_err();
        assert_eq!(e, QrError::TooLong);
        assert_eq!(e.code(), "qr-too-long");
    }
}
