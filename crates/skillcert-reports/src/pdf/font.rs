//! The fonts of our PDFs, referenced but never embedded: Adobe's STSong-Light for Chinese
//! and Times-Roman for Latin.
//!
//! Every mainstream viewer ships or substitutes the Adobe-GB1 character collection, so a
//! report stays a few kilobytes instead of carrying a 10 MB Chinese font. Its Latin glyphs,
//! however, are where viewers disagree: Acrobat's Song face is proportional, while the
//! substitutes elsewhere (SimSun, AR PL UMing) are monospaced, so no one `/W` table spaces
//! English well everywhere. Latin-1 therefore goes to Times-Roman, a standard font whose
//! metrics every viewer knows exactly; Song with Times is also the customary pairing in
//! Chinese documents. The tables below come from Adobe's `UniGB-UCS2-H` CMap
//! (Adobe-GB1-4), the STSong-Light metrics PDF libraries have long used, and the
//! Times-Roman AFM.

/// Shown instead of characters neither font can show (emoji, Korean, Arabic), so that a
/// missing glyph is visible rather than silently blank.
pub const FALLBACK: char = '?';

/// Code points that `UniGB-UCS2-H` maps to a glyph, as inclusive ranges in order.
///
/// Anything else would come out as `.notdef`, which most viewers draw as nothing at all.
#[rustfmt::skip]
const GB1_COVERAGE: &[(u16, u16)] = &[
    (0x0020, 0x007E), (0x00A4, 0x00A5), (0x00A7, 0x00A8), (0x00B0, 0x00B1), (0x00D7, 0x00D7),
    (0x00E0, 0x00E1), (0x00E8, 0x00EA), (0x00EC, 0x00ED), (0x00F2, 0x00F3), (0x00F7, 0x00F7),
    (0x00F9, 0x00FA), (0x00FC, 0x00FC), (0x0101, 0x0101), (0x0113, 0x0113), (0x011B, 0x011B),
    (0x012B, 0x012B), (0x014D, 0x014D), (0x016B, 0x016B), (0x01CE, 0x01CE), (0x01D0, 0x01D0),
    (0x01D2, 0x01D2), (0x01D4, 0x01D4), (0x01D6, 0x01D6), (0x01D8, 0x01D8), (0x01DA, 0x01DA),
    (0x01DC, 0x01DC), (0x01F9, 0x01F9), (0x02C7, 0x02C7), (0x02C9, 0x02CB), (0x02D9, 0x02D9),
    (0x0391, 0x03A1), (0x03A3, 0x03A9), (0x03B1, 0x03C1), (0x03C3, 0x03C9), (0x0401, 0x0401),
    (0x0410, 0x044F), (0x0451, 0x0451), (0x1E3F, 0x1E3F), (0x2010, 0x2010), (0x2013, 0x2016),
    (0x2018, 0x2019), (0x201C, 0x201D), (0x2025, 0x2026), (0x2030, 0x2030), (0x2032, 0x2033),
    (0x2035, 0x2035), (0x203B, 0x203B), (0x20AC, 0x20AC), (0x2103, 0x2103), (0x2105, 0x2105),
    (0x2109, 0x2109), (0x2116, 0x2116), (0x2121, 0x2121), (0x2160, 0x216B), (0x2170, 0x2179),
    (0x2190, 0x2193), (0x2196, 0x2199), (0x2208, 0x2208), (0x220F, 0x220F), (0x2211, 0x2211),
    (0x2215, 0x2215), (0x221A, 0x221A), (0x221D, 0x2220), (0x2223, 0x2223), (0x2225, 0x2225),
    (0x2227, 0x222B), (0x222E, 0x222E), (0x2234, 0x2237), (0x223D, 0x223D), (0x2248, 0x2248),
    (0x224C, 0x224C), (0x2252, 0x2252), (0x2260, 0x2261), (0x2264, 0x2267), (0x226E, 0x226F),
    (0x2295, 0x2295), (0x2299, 0x2299), (0x22A5, 0x22A5), (0x22BF, 0x22BF), (0x22EF, 0x22EF),
    (0x2312, 0x2312), (0x2460, 0x2469), (0x2474, 0x249B), (0x2500, 0x254B), (0x2550, 0x2573),
    (0x2581, 0x258F), (0x2593, 0x2595), (0x25A0, 0x25A1), (0x25B2, 0x25B3), (0x25BC, 0x25BD),
    (0x25C6, 0x25C7), (0x25CB, 0x25CB), (0x25CE, 0x25CF), (0x25E2, 0x25E5), (0x2605, 0x2606),
    (0x2609, 0x2609), (0x2640, 0x2640), (0x2642, 0x2642), (0x2E80, 0x2E99), (0x2E9B, 0x2EF3),
    (0x2F00, 0x2FD5), (0x2FF0, 0x2FFB), (0x3000, 0x3003), (0x3005, 0x3017), (0x301D, 0x301E),
    (0x3021, 0x3029), (0x3033, 0x3035), (0x3038, 0x303A), (0x303E, 0x303F), (0x3041, 0x3094),
    (0x309B, 0x309E), (0x30A1, 0x30FE), (0x3105, 0x312C), (0x31A0, 0x31B7), (0x3220, 0x3229),
    (0x3231, 0x3231), (0x32A3, 0x32A3), (0x338E, 0x338F), (0x339C, 0x339E), (0x33A1, 0x33A1),
    (0x33C4, 0x33C4), (0x33CE, 0x33CE), (0x33D1, 0x33D2), (0x33D5, 0x33D5), (0x3400, 0x4DB5),
    (0x4E00, 0x9FA5), (0xE816, 0xE818), (0xE81E, 0xE81E), (0xE826, 0xE826), (0xE82B, 0xE82C),
    (0xE831, 0xE832), (0xE83B, 0xE83B), (0xE843, 0xE843), (0xE854, 0xE855), (0xE864, 0xE864),
    (0xF92C, 0xF92C), (0xFA0D, 0xFA0F), (0xFA11, 0xFA11), (0xFA13, 0xFA14), (0xFA18, 0xFA18),
    (0xFA1F, 0xFA21), (0xFA23, 0xFA24), (0xFA27, 0xFA29), (0xFE30, 0xFE30), (0xFE49, 0xFE52),
    (0xFE54, 0xFE57), (0xFE59, 0xFE66), (0xFE68, 0xFE6B), (0xFF01, 0xFF5E), (0xFFE0, 0xFFE5),
];

/// STSong-Light advance widths (1/1000 em) of ASCII 0x20..=0x7E, which `UniGB-UCS2-H` maps
/// to the proportional Latin CIDs 1..=95. We draw ASCII in Times-Roman, but the CID font
/// still declares its true metrics.
#[rustfmt::skip]
const SONG_ASCII_WIDTHS: [u16; 95] = [
    207, 270, 342, 467, 462, 797, 710, 239, 374, 374, 423, 605, 238, 375, 238, 334, // ' '..'/'
    462, 462, 462, 462, 462, 462, 462, 462, 462, 462, 238, 238, 605, 605, 605, 344, // '0'..'?'
    748, 684, 560, 695, 739, 563, 511, 729, 793, 318, 312, 666, 526, 896, 758, 772, // '@'..'O'
    544, 772, 628, 465, 607, 753, 711, 972, 647, 620, 607, 374, 333, 374, 606, 500, // 'P'..'_'
    239, 417, 503, 427, 529, 415, 264, 444, 518, 241, 230, 495, 228, 793, 527, 524, // '`'..'o'
    524, 504, 338, 336, 277, 517, 450, 652, 466, 452, 407, 370, 258, 370, 605, // 'p'..'~'
];

/// Times-Roman advance widths (1/1000 em) of U+0020..=U+007E followed by U+00A0..=U+00FF,
/// which `WinAnsiEncoding` puts at the same byte values.
#[rustfmt::skip]
const TIMES_WIDTHS: [u16; 191] = [
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, // ' '..'/'
    500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, // '0'..'?'
    921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, // '@'..'O'
    556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500, // 'P'..'_'
    333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, // '`'..'o'
    500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541, // 'p'..'~'
    250, 333, 500, 500, 500, 500, 200, 500, 333, 760, 276, 500, 564, 333, 760, 333, // U+00A0..
    400, 564, 300, 300, 333, 500, 453, 250, 333, 300, 310, 500, 750, 750, 750, 444, // U+00B0..
    722, 722, 722, 722, 722, 722, 889, 667, 611, 611, 611, 611, 333, 333, 333, 333, // U+00C0..
    722, 722, 722, 722, 722, 722, 722, 564, 722, 722, 722, 722, 722, 722, 556, 500, // U+00D0..
    444, 444, 444, 444, 444, 444, 667, 444, 444, 444, 444, 444, 278, 278, 278, 278, // U+00E0..
    500, 500, 500, 500, 500, 500, 500, 564, 500, 500, 500, 500, 500, 500, 500, 500, // U+00F0..
];

/// Which font draws a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    /// Times-Roman, resource `/F2`: printable Latin-1.
    Latin,
    /// STSong-Light, resource `/F1`: everything else.
    Cjk,
}

impl Face {
    pub(crate) fn resource(self) -> &'static str {
        match self {
            Face::Latin => "/F2",
            Face::Cjk => "/F1",
        }
    }
}

/// The CID font's `/W` array: the Latin CIDs, plus the half-width euro, yen and ideographic
/// half fill space added in GB 18030. Everything else takes `/DW 1000`.
pub(crate) fn cjk_widths() -> String {
    let latin: Vec<String> = SONG_ASCII_WIDTHS.iter().map(u16::to_string).collect();
    format!("[1 [{}] 22353 22354 462 22355 22357 500]", latin.join(" "))
}

/// The Latin font's `/Widths` for codes 32..=255. Giving them, though viewers know
/// Times-Roman, pins positions to exactly what we measured; codes 127..=159 are never used.
pub(crate) fn latin_widths() -> String {
    let widths: Vec<String> = (32..=255u32)
        .map(|code| char::from_u32(code).map_or(0, latin_width).to_string())
        .collect();
    format!("/FirstChar 32 /LastChar 255 /Widths [{}]", widths.join(" "))
}

fn latin_width(c: char) -> u16 {
    match u32::from(c) {
        u @ 0x20..=0x7E => TIMES_WIDTHS[(u - 0x20) as usize],
        u @ 0xA0..=0xFF => TIMES_WIDTHS[(u - 0xA0) as usize + 95],
        _ => 0,
    }
}

pub(crate) fn face(c: char) -> Face {
    if matches!(u32::from(c), 0x20..=0x7E | 0xA0..=0xFF) {
        Face::Latin
    } else {
        Face::Cjk
    }
}

fn covered(c: char) -> bool {
    let Ok(u) = u16::try_from(u32::from(c)) else {
        return false;
    };
    GB1_COVERAGE
        .binary_search_by(|&(lo, hi)| {
            if hi < u {
                std::cmp::Ordering::Less
            } else if lo > u {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The character actually drawn for `c`, or `None` for characters that take no space.
///
/// Besides the fallback this maps a few characters neither font has onto look-alikes.
pub(crate) fn normalize(c: char) -> Option<char> {
    match c {
        '\t' | '\n' | '\r' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => {
            Some(' ')
        }
        '\u{2022}' | '\u{2027}' | '\u{2219}' | '\u{22C5}' | '\u{30FB}' => Some('·'),
        '\u{2212}' => Some('-'),
        '\u{00AD}'
        | '\u{200B}'..='\u{200F}'
        | '\u{2060}'
        | '\u{FEFF}'
        | '\u{FE00}'..='\u{FE0F}' => None,
        c if c.is_control() => None,
        c if face(c) == Face::Latin || covered(c) => Some(c),
        _ => Some(FALLBACK),
    }
}

/// Advance width in 1/1000 em of a character as [`normalize`] left it.
pub(crate) fn char_width(c: char) -> u16 {
    match c {
        c if face(c) == Face::Latin => latin_width(c),
        '\u{20AC}' => 462,
        '\u{303F}' => 500,
        _ => 1000,
    }
}

/// Width of one source character at `size` points, zero for characters that are dropped.
fn width_of(c: char, size: f32) -> f32 {
    normalize(c).map_or(0.0, |n| f32::from(char_width(n)) * size / 1000.0)
}

/// The width in points of `text` set in one line at `size` points.
pub fn text_width(size: f32, text: &str) -> f32 {
    text.chars().map(|c| width_of(c, size)).sum()
}

/// `text` as drawn, split into runs of one font each.
pub(crate) fn runs(text: &str) -> Vec<(Face, String)> {
    let mut out: Vec<(Face, String)> = Vec::new();
    for c in text.chars().filter_map(normalize) {
        let f = face(c);
        match out.last_mut() {
            Some((last, run)) if *last == f => run.push(c),
            _ => out.push((f, c.to_string())),
        }
    }
    out
}

/// Appends a run as a PDF string: Latin-1 bytes in a literal string for Times-Roman,
/// UCS-2 codes in hex for `UniGB-UCS2-H`.
pub(crate) fn push_run(out: &mut Vec<u8>, face: Face, run: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    match face {
        Face::Latin => {
            out.push(b'(');
            for c in run.chars() {
                let b = u8::try_from(u32::from(c)).unwrap_or(b'?');
                match b {
                    b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
                    0x20..=0x7E => out.push(b),
                    // Octal escapes keep content streams plain ASCII.
                    _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
                }
            }
            out.push(b')');
        }
        Face::Cjk => {
            out.push(b'<');
            for c in run.chars() {
                let u = u16::try_from(u32::from(c)).unwrap_or(u16::from(b'?'));
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[usize::from((u >> shift) & 0xF)]);
                }
            }
            out.push(b'>');
        }
    }
}

/// Punctuation that must not begin a line (Chinese typesetting rules, and the ASCII ones).
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '》'
            | '」'
            | '』'
            | '】'
            | '〉'
            | '〕'
            | '”'
            | '’'
            | '…'
            | '％'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '}'
            | '%'
    )
}

/// Punctuation that must not end a line.
fn is_opening(c: char) -> bool {
    matches!(
        c,
        '（' | '《' | '「' | '『' | '【' | '〈' | '〔' | '“' | '‘' | '(' | '[' | '{'
    )
}

/// Characters that form words with their neighbours: Latin, Greek, Cyrillic and symbols.
/// Chinese and Japanese text may break between any two characters instead.
fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && u32::from(c) < 0x2E80
}

/// A stretch that wrapping keeps together, or the whitespace between such stretches.
enum Piece {
    Text(String),
    Space(String),
}

/// Splits one paragraph into unbreakable pieces: Latin words, single Chinese characters,
/// with closing punctuation glued to what precedes it and opening punctuation to what
/// follows.
fn pieces(paragraph: &str) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut glue_next = false;
    let mut last_wordy = false;
    for c in paragraph.chars() {
        if c.is_whitespace() {
            match out.last_mut() {
                Some(Piece::Space(s)) => s.push(c),
                _ => out.push(Piece::Space(c.to_string())),
            }
            glue_next = false;
            last_wordy = false;
            continue;
        }
        let wordy = is_word_char(c);
        match out.last_mut() {
            Some(Piece::Text(t)) if glue_next || is_closing(c) || (wordy && last_wordy) => {
                t.push(c);
            }
            _ => out.push(Piece::Text(c.to_string())),
        }
        glue_next = is_opening(c);
        last_wordy = wordy;
    }
    out
}

/// Breaks `text` into lines no wider than `max_width` points at `size` points.
///
/// Chinese breaks between any two characters (but not before a closing or after an
/// opening mark), Latin only at spaces; a word longer than a whole line is split where it
/// must. `\n` starts a new line. There is always at least one line, and every line holds at
/// least one character, so a silly width cannot loop forever.
pub fn wrap(text: &str, size: f32, max_width: f32) -> Vec<String> {
    let limit = max_width + 0.001;
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = paragraph.strip_suffix('\r').unwrap_or(paragraph);
        let mut line = String::new();
        let mut width = 0.0;
        let mut space: Option<String> = None;
        for piece in pieces(paragraph) {
            let word = match piece {
                Piece::Space(s) => {
                    if !line.is_empty() {
                        space = Some(s);
                    }
                    continue;
                }
                Piece::Text(t) => t,
            };
            let space_width = space.as_deref().map_or(0.0, |s| text_width(size, s));
            let word_width = text_width(size, &word);
            if !line.is_empty() && width + space_width + word_width > limit {
                lines.push(std::mem::take(&mut line));
                width = 0.0;
                space = None;
            }
            if line.is_empty() && word_width > limit {
                for c in word.chars() {
                    let w = width_of(c, size);
                    if !line.is_empty() && width + w > limit {
                        lines.push(std::mem::take(&mut line));
                        width = 0.0;
                    }
                    line.push(c);
                    width += w;
                }
            } else {
                if let Some(s) = space.take() {
                    line.push_str(&s);
                    width += space_width;
                }
                line.push_str(&word);
                width += word_width;
            }
            space = None;
        }
        lines.push(line);
    }
    lines
}

/// `text` on one line, cut to fit `max_width` with a trailing "…" when it is too long.
pub fn truncate(text: &str, size: f32, max_width: f32) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    if text_width(size, &flat) <= max_width + 0.001 {
        return flat;
    }
    with_ellipsis(&flat, size, max_width)
}

/// The longest prefix of `text` that fits `max_width` together with an appended "…".
pub(crate) fn with_ellipsis(text: &str, size: f32, max_width: f32) -> String {
    let budget = max_width - width_of('…', size) + 0.001;
    let mut out = String::new();
    let mut width = 0.0;
    for c in text.chars() {
        let w = width_of(c, size);
        if width + w > budget {
            break;
        }
        out.push(c);
        width += w;
    }
    let kept = out.trim_end().len();
    out.truncate(kept);
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_table_is_sorted_and_disjoint() {
        for pair in GB1_COVERAGE.windows(2) {
            assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:?}");
        }
    }

    #[test]
    fn normalize_maps_missing_characters() {
        assert_eq!(normalize('中'), Some('中'));
        assert_eq!(normalize('A'), Some('A'));
        assert_eq!(normalize('é'), Some('é'));
        assert_eq!(normalize('·'), Some('·'));
        assert_eq!(normalize('・'), Some('·'));
        assert_eq!(normalize('😀'), Some(FALLBACK));
        assert_eq!(normalize('한'), Some(FALLBACK));
        assert_eq!(normalize('\u{200B}'), None);
        assert_eq!(normalize('\t'), Some(' '));
        assert_eq!(normalize('\u{1F}'), None);
    }

    #[test]
    fn widths_follow_the_fonts() {
        assert_eq!(text_width(10.0, "中文"), 20.0);
        assert_eq!(text_width(10.0, "Hi"), 10.0);
        assert_eq!(text_width(10.0, "\u{200B}"), 0.0);
        assert_eq!(char_width('0'), 500);
        assert_eq!(char_width('~'), 541);
        assert_eq!(char_width('é'), 444);
        assert_eq!(char_width('ÿ'), 500);
        assert!(cjk_widths().starts_with("[1 [207 270 "));
        let latin = latin_widths();
        assert!(latin.starts_with("/FirstChar 32 /LastChar 255 /Widths [250 333 408 "));
        assert_eq!(latin.split(' ').count(), 5 + 224);
    }

    #[test]
    fn runs_split_by_font_and_never_panic() {
        let mut out = Vec::new();
        for (face, run) in runs("中文A😀(é)\\") {
            push_run(&mut out, face, &run);
        }
        assert_eq!(out, b"<4E2D6587>(A?\\(\\351\\)\\\\)");
        assert_eq!(runs("\u{200B}"), vec![]);
    }

    #[test]
    fn chinese_wraps_by_width() {
        // Ten ideographs at 10 pt are 100 pt; 45 pt holds four per line.
        let lines = wrap("客服技能认证培训考试系统", 10.0, 45.0);
        assert_eq!(lines, vec!["客服技能", "认证培训", "考试系统"]);
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        let lines = wrap("一二三四，五六", 10.0, 40.0);
        assert_eq!(lines, vec!["一二三", "四，五六"]);
        let lines = wrap("一二三（四五", 10.0, 40.0);
        assert_eq!(lines, vec!["一二三", "（四五"]);
    }

    #[test]
    fn latin_words_stay_whole() {
        let lines = wrap("the quick brown fox jumps", 10.0, 60.0);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(text_width(10.0, line) <= 60.0, "{line}");
            assert!(!line.starts_with(' ') && !line.ends_with(' '));
        }
        assert_eq!(lines.join(" "), "the quick brown fox jumps");
    }

    #[test]
    fn mixed_text_breaks_between_scripts() {
        let lines = wrap("请访问skillcert系统", 10.0, 35.0);
        assert_eq!(lines, vec!["请访问", "skillcert", "系统"]);
    }

    #[test]
    fn an_overlong_word_is_split() {
        let url = "https://example.com/verify/CS2026001/abcdefghijklmnop";
        let lines = wrap(url, 10.0, 80.0);
        assert!(lines.len() > 2);
        assert_eq!(lines.concat(), url);
        for line in &lines {
            assert!(text_width(10.0, line) <= 80.0 + 1e-3, "{line}");
        }
    }

    #[test]
    fn wrap_keeps_newlines_and_survives_zero_width() {
        assert_eq!(wrap("a\n\nb", 10.0, 100.0), vec!["a", "", "b"]);
        assert_eq!(wrap("", 10.0, 100.0), vec![""]);
        assert_eq!(wrap("中文", 10.0, 0.0), vec!["中", "文"]);
    }

    #[test]
    fn truncate_adds_an_ellipsis_only_when_needed() {
        assert_eq!(truncate("王芳", 10.0, 50.0), "王芳");
        let cut = truncate("客服技能认证培训", 10.0, 45.0);
        assert_eq!(cut, "客服技…");
        assert!(text_width(10.0, &cut) <= 45.0);
    }
}
