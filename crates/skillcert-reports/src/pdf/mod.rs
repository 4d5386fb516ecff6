//! A small PDF 1.7 writer for reports and certificates: pages, Chinese and Latin text, lines,
//! boxes, links and QR codes, plus a [`Flow`] layout that paginates tables.
//!
//! We write PDF ourselves because reports need a handful of primitives, while PDF crates
//! either embed fonts (megabytes per file for Chinese) or bring large dependency trees. Text
//! uses Adobe's built-in STSong-Light CJK font and Times-Roman, which viewers supply
//! themselves (see `font.rs` for why two). Output depends only on the calls made, never on
//! a clock, so it is testable byte for byte.
//!
//! Coordinates are points (1/72 inch) from the top-left corner of the page, y growing
//! downward, so layout code reads in the same direction as the page. Gray levels follow
//! PDF: 0.0 is black, 1.0 white.

mod flow;
mod font;

pub use flow::{Column, Flow, Table};
pub use font::{FALLBACK, text_width, truncate, wrap};

use std::io::Write as _;

use chrono::{DateTime, FixedOffset};
use flate2::{Compression, write::ZlibEncoder};

use crate::Lang;
use crate::qr::{QUIET_ZONE, QrMatrix};

/// A page size in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSize {
    pub width: f32,
    pub height: f32,
}

impl PageSize {
    pub const A4_PORTRAIT: PageSize = PageSize {
        width: 595.0,
        height: 842.0,
    };
    /// For tables too wide to read in portrait, such as item analyses.
    pub const A4_LANDSCAPE: PageSize = PageSize {
        width: 842.0,
        height: 595.0,
    };
}

/// Blank space around the body of a page, in points. The footer sits in the bottom margin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
    pub left: f32,
}

impl Margins {
    pub const fn uniform(pt: f32) -> Self {
        Margins {
            top: pt,
            right: pt,
            bottom: pt,
            left: pt,
        }
    }
}

impl Default for Margins {
    fn default() -> Self {
        Margins {
            top: 50.0,
            right: 50.0,
            bottom: 56.0,
            left: 50.0,
        }
    }
}

/// Where text sits relative to the x it is given: starting there, centred on it, or ending
/// there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// How a run of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub size: f32,
    /// Drawn by also stroking the outline: the built-in font has no bold face, and a
    /// second font would be another thing for viewers to substitute.
    pub bold: bool,
    pub gray: f32,
    pub align: Align,
}

impl TextStyle {
    pub const fn new(size: f32) -> Self {
        TextStyle {
            size,
            bold: false,
            gray: 0.0,
            align: Align::Left,
        }
    }

    pub const fn bold(mut self) -> Self {
        self.bold = true;
        self
    }

    pub const fn gray(mut self, gray: f32) -> Self {
        self.gray = gray;
        self
    }

    pub const fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }
}

/// How a rectangle is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Paint {
    Fill { gray: f32 },
    Stroke { gray: f32, width: f32 },
}

/// A footer for documents read in both languages; `{page}` and `{pages}` are filled in.
pub const FOOTER_BILINGUAL: &str = "第 {page} / {pages} 页 · Page {page} of {pages}";

/// The page-number footer template for one language.
pub fn footer_template(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "第 {page} / {pages} 页",
        Lang::En => "Page {page} of {pages}",
    }
}

/// Size of footer text; small, and gray so it does not compete with the body.
const FOOTER_STYLE: TextStyle = TextStyle::new(8.0).gray(0.4).align(Align::Center);

#[derive(Debug, Clone, Default)]
struct Page {
    /// The content stream, in PDF's own bottom-up coordinates.
    content: Vec<u8>,
    links: Vec<Link>,
}

#[derive(Debug, Clone)]
struct Link {
    rect: [f32; 4],
    uri: String,
}

/// A PDF being built page by page. Drawing goes to the last page, which is started
/// automatically if there is none.
#[derive(Debug, Clone)]
pub struct PdfDocument {
    title: String,
    lang: Option<Lang>,
    created: Option<DateTime<FixedOffset>>,
    size: PageSize,
    margins: Margins,
    footer: Option<String>,
    compress: bool,
    pages: Vec<Page>,
}

impl PdfDocument {
    /// An empty A4 portrait document with default margins, no footer and compressed
    /// streams. `title` is shown by viewers instead of the file name.
    pub fn new(title: impl Into<String>) -> Self {
        PdfDocument {
            title: title.into(),
            lang: None,
            created: None,
            size: PageSize::A4_PORTRAIT,
            margins: Margins::default(),
            footer: None,
            compress: true,
            pages: Vec::new(),
        }
    }

    pub fn with_page_size(mut self, size: PageSize) -> Self {
        self.size = size;
        self
    }

    pub fn with_margins(mut self, margins: Margins) -> Self {
        self.margins = margins;
        self
    }

    /// Recorded as the creation date; passed in rather than read from the clock so that
    /// the same input gives the same file.
    pub fn with_creation_date(mut self, at: DateTime<FixedOffset>) -> Self {
        self.created = Some(at);
        self
    }

    /// Declares the document language, which screen readers and search use.
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }

    /// A line centred in the bottom margin of every page, with `{page}` and `{pages}`
    /// replaced; see [`footer_template`] and [`FOOTER_BILINGUAL`].
    pub fn with_footer(mut self, template: impl Into<String>) -> Self {
        self.footer = Some(template.into());
        self
    }

    /// Turns Flate compression of streams off, which makes the file readable in a text
    /// editor; mainly for tests.
    pub fn with_compression(mut self, compress: bool) -> Self {
        self.compress = compress;
        self
    }

    pub fn page_size(&self) -> PageSize {
        self.size
    }

    pub fn margins(&self) -> Margins {
        self.margins
    }

    /// Width between the left and right margins.
    pub fn content_width(&self) -> f32 {
        self.size.width - self.margins.left - self.margins.right
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Starts a new page; drawing goes there from now on.
    pub fn page(&mut self) {
        self.pages.push(Page::default());
    }

    fn current(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.page();
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Black text with its baseline at `y`.
    pub fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.styled_text(x, y, TextStyle::new(size), text);
    }

    /// Text with its baseline at `y`, placed against `x` as `style.align` says.
    pub fn styled_text(&mut self, x: f32, y: f32, style: TextStyle, text: &str) {
        let height = self.size.height;
        text_ops(&mut self.current().content, height, x, y, style, text);
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32, gray: f32) {
        let h = self.size.height;
        let ops = format!(
            "q {} G {} w {} {} m {} {} l S Q\n",
            num(gray),
            num(width),
            num(x1),
            num(h - y1),
            num(x2),
            num(h - y2)
        );
        self.current().content.extend_from_slice(ops.as_bytes());
    }

    /// A rectangle whose top-left corner is at (`x`, `y`).
    pub fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, paint: Paint) {
        let bottom = self.size.height - y - height;
        let shape = format!(
            "{} {} {} {} re",
            num(x),
            num(bottom),
            num(width),
            num(height)
        );
        let ops = match paint {
            Paint::Fill { gray } => format!("q {} g {shape} f Q\n", num(gray)),
            Paint::Stroke { gray, width } => {
                format!("q {} G {} w {shape} S Q\n", num(gray), num(width))
            }
        };
        self.current().content.extend_from_slice(ops.as_bytes());
    }

    /// A QR code filling the square of side `size` at (`x`, `y`), quiet zone included, on
    /// a white ground so that it scans even when drawn over shading.
    pub fn qr(&mut self, x: f32, y: f32, size: f32, code: &QrMatrix) {
        let h = self.size.height;
        let side = code.width() + 2 * QUIET_ZONE;
        let module = size / side as f32;
        let mut ops = format!(
            "q 1 g {} {} {} {} re f\n",
            num(x),
            num(h - y - size),
            num(size),
            num(size)
        );
        // Scale to whole modules with y pointing down, so every run is an exact integer
        // rectangle and adjacent rows meet without hairline gaps.
        ops.push_str(&format!(
            "{} 0 0 {} {} {} cm 0 g\n",
            num(module),
            num(-module),
            num(x + QUIET_ZONE as f32 * module),
            num(h - y - QUIET_ZONE as f32 * module)
        ));
        for (mx, my, len) in code.runs() {
            ops.push_str(&format!("{mx} {my} {len} 1 re\n"));
        }
        ops.push_str("f Q\n");
        self.current().content.extend_from_slice(ops.as_bytes());
    }

    /// Makes the rectangle at (`x`, `y`) a clickable link to `uri`, e.g. over a QR code or
    /// a printed verification address.
    pub fn link(&mut self, x: f32, y: f32, width: f32, height: f32, uri: &str) {
        let h = self.size.height;
        let link = Link {
            rect: [x, h - y - height, x + width, h - y],
            uri: uri.to_owned(),
        };
        self.current().links.push(link);
    }

    /// Serializes the document. An empty document gets one blank page, since viewers
    /// reject a PDF without pages.
    pub fn finish(mut self) -> Vec<u8> {
        if self.pages.is_empty() {
            self.page();
        }
        self.draw_footers();
        Writer::new(self.compress).write(&self)
    }

    fn draw_footers(&mut self) {
        let Some(template) = self.footer.as_deref() else {
            return;
        };
        let total = self.pages.len().to_string();
        let x = self.margins.left + self.content_width() / 2.0;
        let y = self.size.height - self.margins.bottom / 2.0;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let text = template
                .replace("{page}", &(i + 1).to_string())
                .replace("{pages}", &total);
            text_ops(
                &mut page.content,
                self.size.height,
                x,
                y,
                FOOTER_STYLE,
                &text,
            );
        }
    }
}

/// Appends the operators that draw `text`, switching fonts between Latin and Chinese runs;
/// text that draws nothing writes nothing.
fn text_ops(out: &mut Vec<u8>, page_height: f32, x: f32, y: f32, style: TextStyle, text: &str) {
    let text = text.replace('\n', " ");
    let runs = font::runs(&text);
    if runs.iter().all(|(_, run)| run.trim().is_empty()) {
        return;
    }
    let width = text_width(style.size, &text);
    let x = match style.align {
        Align::Left => x,
        Align::Center => x - width / 2.0,
        Align::Right => x - width,
    };
    let gray = num(style.gray);
    let size = num(style.size);
    let mut ops = format!("q {gray} g");
    if style.bold {
        ops.push_str(&format!(" {gray} G {} w", num(style.size / 30.0)));
    }
    ops.push_str(" BT");
    if style.bold {
        ops.push_str(" 2 Tr");
    }
    ops.push_str(&format!(" {} {} Td", num(x), num(page_height - y)));
    out.extend_from_slice(ops.as_bytes());
    for (face, run) in &runs {
        out.extend_from_slice(format!(" {} {size} Tf ", face.resource()).as_bytes());
        font::push_run(out, *face, run);
        out.extend_from_slice(b" Tj");
    }
    out.extend_from_slice(b" ET Q\n");
}

/// A PDF number: at most three decimals, no exponent, no "-0", and 0 for NaN or infinity,
/// which PDF cannot express.
fn num(v: f32) -> String {
    if !v.is_finite() {
        return "0".to_owned();
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// A PDF text string (for the document information) as UTF-16BE with a byte order mark.
fn text_string(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in s.encode_utf16() {
        out.push_str(&format!("{unit:04X}"));
    }
    out.push('>');
    out
}

/// A PDF date such as `D:20260301093000+08'00'`.
fn pdf_date(at: &DateTime<FixedOffset>) -> String {
    let offset = at.offset().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.unsigned_abs() / 60;
    format!(
        "D:{}{sign}{:02}'{:02}'",
        at.format("%Y%m%d%H%M%S"),
        minutes / 60,
        minutes % 60
    )
}

/// A URI as a PDF literal string: URIs must be 7-bit ASCII there, so anything else is
/// percent-encoded, and parentheses and backslashes are escaped.
fn uri_string(uri: &str) -> String {
    let mut out = String::from("(");
    for b in uri.bytes() {
        match b {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x21..=0x7E => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out.push(')');
    out
}

/// Maps every code we emit back to the same Unicode value, so that copying, searching and
/// `pdftotext` work even in viewers without Adobe's CMap files. Ranges may only vary in
/// the last byte, hence one range per high byte.
fn to_unicode_cmap() -> Vec<u8> {
    let highs: Vec<u8> = (0x00..=0xD7).chain(0xE0..=0xFF).collect();
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in highs.chunks(100) {
        out.push_str(&format!("{} beginbfrange\n", chunk.len()));
        for h in chunk {
            out.push_str(&format!("<{h:02X}00> <{h:02X}FF> <{h:02X}00>\n"));
        }
        out.push_str("endbfrange\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMapResource defineresource pop\nend\nend\n");
    out.into_bytes()
}

const CATALOG: usize = 1;
const PAGES: usize = 2;
const FONT: usize = 3;
const CID_FONT: usize = 4;
const DESCRIPTOR: usize = 5;
const TO_UNICODE: usize = 6;
const INFO: usize = 7;
const LATIN_FONT: usize = 8;
const FIRST_PAGE_OBJECT: usize = 9;

/// Object numbers of one page.
struct PageIds {
    page: usize,
    contents: usize,
    annots: Vec<usize>,
}

/// Writes numbered objects, remembering where each starts for the cross-reference table.
struct Writer {
    out: Vec<u8>,
    offsets: Vec<usize>,
    compress: bool,
}

impl Writer {
    fn new(compress: bool) -> Self {
        Writer {
            out: Vec::new(),
            offsets: Vec::new(),
            compress,
        }
    }

    fn write(mut self, doc: &PdfDocument) -> Vec<u8> {
        // The comment of high bytes tells transfer tools that the file is binary.
        self.out.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");

        let mut next = FIRST_PAGE_OBJECT;
        let mut ids = Vec::with_capacity(doc.pages.len());
        for page in &doc.pages {
            let annots = (0..page.links.len()).map(|i| next + 2 + i).collect();
            ids.push(PageIds {
                page: next,
                contents: next + 1,
                annots,
            });
            next += 2 + page.links.len();
        }
        self.offsets = vec![0; next];

        let lang = doc
            .lang
            .map(|l| format!(" /Lang ({})", l.tag()))
            .unwrap_or_default();
        self.object(
            CATALOG,
            &format!(
                "<< /Type /Catalog /Pages {PAGES} 0 R{lang} \
                 /ViewerPreferences << /DisplayDocTitle true >> >>"
            ),
        );
        let kids: Vec<String> = ids.iter().map(|p| format!("{} 0 R", p.page)).collect();
        self.object(
            PAGES,
            &format!(
                "<< /Type /Pages /Kids [{}] /Count {} >>",
                kids.join(" "),
                ids.len()
            ),
        );
        self.object(
            FONT,
            &format!(
                "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light \
                 /Encoding /UniGB-UCS2-H /DescendantFonts [{CID_FONT} 0 R] \
                 /ToUnicode {TO_UNICODE} 0 R >>"
            ),
        );
        self.object(
            CID_FONT,
            &format!(
                "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
                 /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> \
                 /FontDescriptor {DESCRIPTOR} 0 R /DW 1000 /W {} >>",
                font::cjk_widths()
            ),
        );
        // Flags 6 = serif + symbolic; the Panose class tells Acrobat to substitute a Song
        // (serif) face.
        self.object(
            DESCRIPTOR,
            "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 \
             /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 \
             /CapHeight 737 /StemV 93 /Style << /Panose <010502020400000000000000> >> >>",
        );
        self.stream(TO_UNICODE, &to_unicode_cmap());
        self.object(
            LATIN_FONT,
            &format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman \
                 /Encoding /WinAnsiEncoding {} >>",
                font::latin_widths()
            ),
        );
        let mut info = format!(
            "<< /Title {} /Producer (skillcert) /Creator (skillcert)",
            text_string(&doc.title)
        );
        if let Some(at) = &doc.created {
            let date = pdf_date(at);
            info.push_str(&format!(" /CreationDate ({date}) /ModDate ({date})"));
        }
        info.push_str(" >>");
        self.object(INFO, &info);

        let size = doc.size;
        for (page, id) in doc.pages.iter().zip(&ids) {
            let annots = if id.annots.is_empty() {
                String::new()
            } else {
                let refs: Vec<String> = id.annots.iter().map(|a| format!("{a} 0 R")).collect();
                format!(" /Annots [{}]", refs.join(" "))
            };
            self.object(
                id.page,
                &format!(
                    "<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 {} {}] \
                     /Resources << /Font << /F1 {FONT} 0 R /F2 {LATIN_FONT} 0 R >> /ProcSet [/PDF /Text] >> \
                     /Contents {} 0 R{annots} >>",
                    num(size.width),
                    num(size.height),
                    id.contents
                ),
            );
            self.stream(id.contents, &page.content);
            for (link, &annot) in page.links.iter().zip(&id.annots) {
                let [x1, y1, x2, y2] = link.rect;
                self.object(
                    annot,
                    &format!(
                        "<< /Type /Annot /Subtype /Link /Rect [{} {} {} {}] /Border [0 0 0] \
                         /A << /S /URI /URI {} >> >>",
                        num(x1),
                        num(y1),
                        num(x2),
                        num(y2),
                        uri_string(&link.uri)
                    ),
                );
            }
        }
        self.trailer()
    }

    fn begin(&mut self, id: usize) {
        self.offsets[id] = self.out.len();
        self.out
            .extend_from_slice(format!("{id} 0 obj\n").as_bytes());
    }

    fn object(&mut self, id: usize, body: &str) {
        self.begin(id);
        self.out.extend_from_slice(body.as_bytes());
        self.out.extend_from_slice(b"\nendobj\n");
    }

    fn stream(&mut self, id: usize, data: &[u8]) {
        let packed = if self.compress { deflate(data) } else { None };
        let (filter, data) = match &packed {
            Some(z) => (" /Filter /FlateDecode", z.as_slice()),
            None => ("", data),
        };
        self.begin(id);
        self.out.extend_from_slice(
            format!("<< /Length {}{filter} >>\nstream\n", data.len()).as_bytes(),
        );
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    fn trailer(mut self) -> Vec<u8> {
        let xref_at = self.out.len();
        let count = self.offsets.len();
        let mut xref = format!("xref\n0 {count}\n0000000000 65535 f\r\n");
        for offset in &self.offsets[1..] {
            // Every entry is exactly 20 bytes, end of line included.
            xref.push_str(&format!("{offset:010} 00000 n\r\n"));
        }
        let id = file_id(&self.out);
        xref.push_str(&format!(
            "trailer\n<< /Size {count} /Root {CATALOG} 0 R /Info {INFO} 0 R /ID [<{id}> <{id}>] >>\n\
             startxref\n{xref_at}\n%%EOF\n"
        ));
        self.out.extend_from_slice(xref.as_bytes());
        self.out
    }
}

/// Flate-compresses a stream; `None` (and an uncompressed stream) if that somehow fails.
fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(data.len() / 3), Compression::default());
    encoder.write_all(data).ok()?;
    encoder.finish().ok()
}

/// A file identifier derived from the content, so that equal documents get equal files:
/// two FNV-1a hashes with different seeds, as 32 hex digits.
fn file_id(bytes: &[u8]) -> String {
    let hash = |seed: u64| {
        bytes.iter().fold(seed, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
        })
    };
    format!(
        "{:016X}{:016X}",
        hash(0xCBF2_9CE4_8422_2325),
        hash(0x6C62_272E_07BB_0142)
    )
}

#[cfg(test)]
mod tests;
