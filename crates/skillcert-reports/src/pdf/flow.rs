//! Top-to-bottom layout: headings, paragraphs, key–value lists and tables that start new
//! pages by themselves, so report code never computes a page break.

use super::font::{with_ellipsis, wrap};
use super::{Align, Paint, PdfDocument, TextStyle, truncate};

/// Body text size: 10.5 pt is 五号, the usual size of Chinese documents.
const BODY: f32 = 10.5;
/// Line height as a multiple of the font size; Chinese needs more air than Latin.
const LEADING: f32 = 1.5;
/// Line height inside table cells, tighter so that tables stay compact.
const CELL_LEADING: f32 = 1.35;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;
const HEADER_GRAY: f32 = 0.88;
const ZEBRA_GRAY: f32 = 0.95;
const RULE_GRAY: f32 = 0.55;
const KEY_GRAY: f32 = 0.35;

/// Tolerance for float comparisons of positions, far below anything visible.
const EPS: f32 = 0.01;

/// The baseline of a line of `size`-point text in a line box of height `leading` starting
/// at `top`: the glyph box (ascent 0.88, descent 0.12 em) centred in the line box.
fn baseline(top: f32, size: f32, leading: f32) -> f32 {
    top + (leading - size) / 2.0 + 0.88 * size
}

/// A table column: its header, its share of the table width, and how its cells align.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    /// Relative width: columns of weights 1, 2, 1 take a quarter, half and quarter.
    pub weight: f32,
    pub align: Align,
}

impl Column {
    pub fn new(header: impl Into<String>, weight: f32) -> Self {
        Column {
            header: header.into(),
            weight,
            align: Align::Left,
        }
    }

    /// Right alignment, for numbers.
    pub fn right(mut self) -> Self {
        self.align = Align::Right;
        self
    }

    pub fn center(mut self) -> Self {
        self.align = Align::Center;
        self
    }
}

/// A table spanning the body width; its header row is repeated on every page it reaches.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Cells by column; missing cells are blank and extra cells are ignored.
    pub rows: Vec<Vec<String>>,
    pub font_size: f32,
    /// Wrap long cells onto more lines (the default), or cut them to one line with "…".
    pub wrap: bool,
    /// Shade every other row, which guides the eye along wide rows.
    pub zebra: bool,
}

impl Table {
    pub fn new(columns: Vec<Column>) -> Self {
        Table {
            columns,
            rows: Vec::new(),
            font_size: 9.0,
            wrap: true,
            zebra: true,
        }
    }

    pub fn row<I, S>(&mut self, cells: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// Column widths in points for a table `total` points wide. Weights that are not
    /// positive count as nothing; if none is positive, columns share equally.
    fn widths(&self, total: f32) -> Vec<f32> {
        let weight = |c: &Column| {
            if c.weight.is_finite() && c.weight > 0.0 {
                c.weight
            } else {
                0.0
            }
        };
        let sum: f32 = self.columns.iter().map(weight).sum();
        let n = self.columns.len().max(1) as f32;
        self.columns
            .iter()
            .map(|c| {
                if sum > 0.0 {
                    total * weight(c) / sum
                } else {
                    total / n
                }
            })
            .collect()
    }
}

/// A cursor running down the pages of a [`PdfDocument`].
///
/// Everything is drawn at the cursor and moves it down; whatever does not fit in the rest
/// of the page goes to a new one. For free placement, [`Flow::reserve`] a block and draw in
/// it through [`Flow::doc_mut`].
#[derive(Debug, Clone)]
pub struct Flow {
    doc: PdfDocument,
    y: f32,
}

impl Flow {
    /// Starts a new page of `doc` and puts the cursor at its top margin.
    pub fn new(mut doc: PdfDocument) -> Self {
        doc.page();
        let y = doc.margins().top;
        Flow { doc, y }
    }

    pub fn doc(&self) -> &PdfDocument {
        &self.doc
    }

    pub fn doc_mut(&mut self) -> &mut PdfDocument {
        &mut self.doc
    }

    /// The cursor: where the next block starts, from the top of the page.
    pub fn y(&self) -> f32 {
        self.y
    }

    /// The left edge of the body.
    pub fn x(&self) -> f32 {
        self.doc.margins().left
    }

    /// The body width.
    pub fn width(&self) -> f32 {
        self.doc.content_width()
    }

    fn top(&self) -> f32 {
        self.doc.margins().top
    }

    fn bottom(&self) -> f32 {
        self.doc.page_size().height - self.doc.margins().bottom
    }

    /// Height left on this page below the cursor.
    pub fn remaining(&self) -> f32 {
        self.bottom() - self.y
    }

    pub fn page_break(&mut self) {
        self.doc.page();
        self.y = self.top();
    }

    /// Starts a new page unless `height` fits below the cursor; returns whether it did.
    /// At the top of a page it never breaks, since a new page would not have more room.
    pub fn ensure(&mut self, height: f32) -> bool {
        if self.y + height > self.bottom() + EPS && self.y > self.top() + EPS {
            self.page_break();
            true
        } else {
            false
        }
    }

    /// Moves the cursor down; vertical space is not carried over to a new page.
    pub fn space(&mut self, height: f32) {
        self.y = (self.y + height).min(self.bottom());
    }

    /// Claims a block of `height` points (on a new page if needed) and returns its
    /// top-left corner, for drawing something like a QR code through [`Flow::doc_mut`].
    pub fn reserve(&mut self, height: f32) -> (f32, f32) {
        self.ensure(height);
        let at = (self.x(), self.y);
        self.y += height;
        at
    }

    /// Wrapped text across the body width, line by line so that long text runs on to the
    /// next page; `style.align` aligns each line within the body.
    pub fn text(&mut self, text: &str, style: TextStyle) {
        let leading = style.size * LEADING;
        let width = self.width();
        let x = match style.align {
            Align::Left => self.x(),
            Align::Center => self.x() + width / 2.0,
            Align::Right => self.x() + width,
        };
        for line in wrap(text, style.size, width) {
            self.ensure(leading);
            let y = baseline(self.y, style.size, leading);
            self.doc.styled_text(x, y, style, &line);
            self.y += leading;
        }
    }

    /// The document title: large and bold.
    pub fn title(&mut self, text: &str) {
        self.text(text, TextStyle::new(18.0).bold());
        self.space(8.0);
    }

    /// A section heading, kept on the same page as the first lines after it.
    pub fn heading(&mut self, text: &str) {
        const SIZE: f32 = 13.0;
        if self.y > self.top() + EPS {
            self.space(6.0);
        }
        let lines = wrap(text, SIZE, self.width()).len() as f32;
        self.ensure(lines * SIZE * LEADING + 3.0 * BODY * LEADING);
        self.text(text, TextStyle::new(SIZE).bold());
        self.space(3.0);
    }

    /// Body text followed by half a line of space.
    pub fn paragraph(&mut self, text: &str) {
        self.text(text, TextStyle::new(BODY));
        self.space(BODY * 0.5);
    }

    /// Labelled values such as "姓名　王芳": gray keys in a column as wide as the longest
    /// (at most a third of the body), values wrapped beside them.
    pub fn key_values(&mut self, pairs: &[(&str, &str)]) {
        let leading = BODY * LEADING;
        let widest = pairs
            .iter()
            .map(|(k, _)| super::text_width(BODY, k))
            .fold(0.0, f32::max);
        let key_width = (widest + 12.0).min(self.width() / 3.0);
        let value_width = self.width() - key_width;
        let key_style = TextStyle::new(BODY).gray(KEY_GRAY);
        for (key, value) in pairs {
            let keys = wrap(key, BODY, key_width - 12.0);
            let values = wrap(value, BODY, value_width);
            for i in 0..keys.len().max(values.len()) {
                self.ensure(leading);
                let y = baseline(self.y, BODY, leading);
                let x = self.x();
                if let Some(k) = keys.get(i) {
                    self.doc.styled_text(x, y, key_style, k);
                }
                if let Some(v) = values.get(i) {
                    self.doc.text(x + key_width, y, BODY, v);
                }
                self.y += leading;
            }
        }
        self.space(BODY * 0.5);
    }

    /// A thin horizontal line across the body.
    pub fn rule(&mut self) {
        self.ensure(6.0);
        let (x, w, y) = (self.x(), self.width(), self.y + 3.0);
        self.doc.line(x, y, x + w, y, 0.5, RULE_GRAY);
        self.y += 6.0;
    }

    /// Draws `table`, breaking between rows and repeating the header on each new page.
    /// A row never splits; a row taller than a whole page is cut with "…".
    pub fn table(&mut self, table: &Table) {
        let size = table.font_size;
        let leading = size * CELL_LEADING;
        let widths = table.widths(self.width());
        let header_style = TextStyle::new(size).bold();
        let body_style = TextStyle::new(size);

        let headers: Vec<Vec<String>> = table
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, &w)| cell_lines(&c.header, size, w, true, usize::MAX))
            .collect();
        let header_height = block_height(&headers, leading);
        let page_body = self.bottom() - self.top();
        let max_lines =
            (((page_body - header_height - 2.0 * CELL_PAD_Y) / leading).floor() as usize).max(1);

        let mut header_here = false;
        for (i, row) in table.rows.iter().enumerate() {
            let cells: Vec<Vec<String>> = table
                .columns
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(c, (_, &w))| {
                    let text = row.get(c).map_or("", String::as_str);
                    cell_lines(text, size, w, table.wrap, max_lines)
                })
                .collect();
            let height = block_height(&cells, leading);
            if !header_here {
                self.ensure(header_height + height);
            } else if self.y + height > self.bottom() + EPS {
                self.close_table();
                self.page_break();
                header_here = false;
            }
            if !header_here {
                self.table_row(table, &widths, &headers, header_style, Some(HEADER_GRAY));
                header_here = true;
            }
            let shade = (table.zebra && i % 2 == 1).then_some(ZEBRA_GRAY);
            self.table_row(table, &widths, &cells, body_style, shade);
            if !table.zebra {
                let (x, w, y) = (self.x(), self.width(), self.y);
                self.doc.line(x, y, x + w, y, 0.3, 0.8);
            }
        }
        if !header_here {
            self.ensure(header_height);
            self.table_row(table, &widths, &headers, header_style, Some(HEADER_GRAY));
        }
        self.close_table();
        self.space(size);
    }

    /// One row of cells at the cursor, with an optional background.
    fn table_row(
        &mut self,
        table: &Table,
        widths: &[f32],
        cells: &[Vec<String>],
        style: TextStyle,
        shade: Option<f32>,
    ) {
        let leading = style.size * CELL_LEADING;
        let height = block_height(cells, leading);
        let top = self.y;
        if let Some(gray) = shade {
            let (x, w) = (self.x(), self.width());
            self.doc.rect(x, top, w, height, Paint::Fill { gray });
        }
        let mut x = self.x();
        for ((column, lines), &w) in table.columns.iter().zip(cells).zip(widths) {
            let style = style.align(column.align);
            let anchor = match column.align {
                Align::Left => x + CELL_PAD_X,
                Align::Center => x + w / 2.0,
                Align::Right => x + w - CELL_PAD_X,
            };
            for (i, line) in lines.iter().enumerate() {
                let line_top = top + CELL_PAD_Y + i as f32 * leading;
                let y = baseline(line_top, style.size, leading);
                self.doc.styled_text(anchor, y, style, line);
            }
            x += w;
        }
        self.y += height;
    }

    /// The line under the last row on a page.
    fn close_table(&mut self) {
        let (x, w, y) = (self.x(), self.width(), self.y);
        self.doc.line(x, y, x + w, y, 0.6, RULE_GRAY);
    }

    /// Serializes the document.
    pub fn finish(self) -> Vec<u8> {
        self.doc.finish()
    }

    /// Gives the document back, e.g. to add pages laid out by hand.
    pub fn into_document(self) -> PdfDocument {
        self.doc
    }
}

/// The lines of one cell: wrapped to at most `max_lines` (the last one cut with "…"), or
/// a single truncated line.
fn cell_lines(
    text: &str,
    size: f32,
    width: f32,
    wrap_cells: bool,
    max_lines: usize,
) -> Vec<String> {
    let inner = (width - 2.0 * CELL_PAD_X).max(size);
    if !wrap_cells {
        return vec![truncate(text, size, inner)];
    }
    let mut lines = wrap(text, size, inner);
    if lines.len() > max_lines {
        lines.truncate(max_lines.max(1));
        if let Some(last) = lines.last_mut() {
            *last = with_ellipsis(last, size, inner);
        }
    }
    lines
}

/// Height of a row whose tallest cell has the most lines.
fn block_height(cells: &[Vec<String>], leading: f32) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * leading + 2.0 * CELL_PAD_Y
}
