use std::io::Read as _;
use std::process::Command;

use chrono::{FixedOffset, TimeZone};
use flate2::read::ZlibDecoder;

use super::*;

/// The hex string our writer should produce for `s` (all BMP, all covered).
fn hex(s: &str) -> String {
    let units: String = s.encode_utf16().map(|u| format!("{u:04X}")).collect();
    format!("<{units}>")
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

fn number_at(bytes: &[u8], at: usize) -> usize {
    let digits: String = bytes[at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| char::from(b))
        .collect();
    digits.parse().unwrap()
}

/// Checks header, trailer and that every xref entry points at its object; returns the
/// number of objects including object 0.
fn check_structure(pdf: &[u8]) -> usize {
    assert!(pdf.starts_with(b"%PDF-1.7\n"));
    assert!(pdf.ends_with(b"%%EOF\n"));
    let sx = pdf.windows(10).rposition(|w| w == b"startxref\n").unwrap();
    let xref = number_at(pdf, sx + 10);
    assert!(pdf[xref..].starts_with(b"xref\n0 "));
    let size = number_at(pdf, xref + 7);
    let entries = find(pdf, b"\n", xref + 5).unwrap() + 1;
    assert_eq!(&pdf[entries..entries + 20], b"0000000000 65535 f\r\n");
    for id in 1..size {
        let entry = &pdf[entries + 20 * id..entries + 20 * (id + 1)];
        assert!(entry.ends_with(b" 00000 n\r\n"), "entry {id}");
        let offset = number_at(entry, 0);
        let expected = format!("{id} 0 obj\n");
        assert!(
            pdf[offset..].starts_with(expected.as_bytes()),
            "object {id} is not at {offset}"
        );
    }
    assert!(pdf[entries + 20 * size..].starts_with(b"trailer\n"));
    let trailer = find(pdf, b"/Size ", xref).unwrap();
    assert_eq!(number_at(pdf, trailer + 6), size);
    size
}

/// Every stream's data in file order, inflated when compressed; each `/Length` is checked.
fn streams(pdf: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(s) = find(pdf, b">>\nstream\n", at) {
        let dict_start = pdf[..s].windows(2).rposition(|w| w == b"<<").unwrap();
        let dict = &pdf[dict_start..s];
        let len_at = find(dict, b"/Length ", 0).unwrap();
        let len = number_at(dict, len_at + 8);
        let data = &pdf[s + 10..s + 10 + len];
        assert!(pdf[s + 10 + len..].starts_with(b"\nendstream\nendobj\n"));
        if find(dict, b"/FlateDecode", 0).is_some() {
            let mut inflated = Vec::new();
            ZlibDecoder::new(data).read_to_end(&mut inflated).unwrap();
            out.push(inflated);
        } else {
            out.push(data.to_vec());
        }
        at = s + 10 + len;
    }
    out
}

/// The content streams of the pages, in page order (the first stream is the ToUnicode map).
fn page_contents(pdf: &[u8]) -> Vec<Vec<u8>> {
    streams(pdf).into_iter().skip(1).collect()
}

fn created() -> DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 3, 1, 9, 30, 0)
        .unwrap()
}

#[test]
fn xref_offsets_point_at_their_objects() {
    for compress in [false, true] {
        let mut doc = PdfDocument::new("成绩报告")
            .with_compression(compress)
            .with_creation_date(created())
            .with_lang(Lang::ZhCn);
        doc.text(50.0, 80.0, 12.0, "中文 and English");
        doc.link(50.0, 90.0, 100.0, 20.0, "https://host/verify/CS2026001");
        doc.page();
        doc.rect(
            50.0,
            50.0,
            100.0,
            40.0,
            Paint::Stroke {
                gray: 0.0,
                width: 1.0,
            },
        );
        let pdf = doc.finish();
        // Object 0, catalog, pages, three CJK font objects, ToUnicode, info, Times; two
        // pages of two objects each and one link annotation.
        assert_eq!(check_structure(&pdf), 9 + 4 + 1);
        assert_eq!(page_contents(&pdf).len(), 2);
    }
}

#[test]
fn the_font_is_the_builtin_cjk_font() {
    let pdf = PdfDocument::new("t").with_compression(false).finish();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H"));
    assert!(text.contains("/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >>"));
    assert!(text.contains("/W [1 [207 270 342 "));
    assert!(text.contains("/Type /FontDescriptor /FontName /STSong-Light /Flags 6"));
    assert!(text.contains("/Subtype /Type1 /BaseFont /Times-Roman /Encoding /WinAnsiEncoding"));
    assert!(!text.contains("/FontFile"));
    // An empty document still has a page.
    assert!(text.contains("/Count 1"));
}

#[test]
fn info_holds_title_producer_and_date() {
    let pdf = PdfDocument::new("成绩")
        .with_creation_date(created())
        .with_lang(Lang::En)
        .finish();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/Title <FEFF62107EE9>"));
    assert!(text.contains("/Producer (skillcert)"));
    assert!(text.contains("/CreationDate (D:20260301093000+08'00')"));
    assert!(text.contains("/Lang (en)"));
}

#[test]
fn output_is_deterministic() {
    let build = || {
        let mut flow = Flow::new(
            PdfDocument::new("报告")
                .with_creation_date(created())
                .with_footer(FOOTER_BILINGUAL),
        );
        flow.title("报告");
        flow.paragraph("内容 content");
        flow.finish()
    };
    assert_eq!(build(), build());
}

#[test]
fn chinese_text_is_utf16_hex() {
    let mut doc = PdfDocument::new("t").with_compression(false);
    doc.text(50.0, 100.0, 12.0, "中文");
    doc.text(50.0, 120.0, 12.0, "A😀中\u{200B}");
    doc.text(50.0, 140.0, 12.0, "买买提·艾力");
    let pdf = doc.finish();
    let content = &page_contents(&pdf)[0];
    let content = String::from_utf8_lossy(content);
    assert!(content.contains("BT 50 742 Td /F1 12 Tf <4E2D6587> Tj ET"));
    // Outside the BMP: the fallback; zero-width space: nothing.
    assert!(content.contains("Td /F2 12 Tf (A?) Tj /F1 12 Tf <4E2D> Tj ET"));
    // The dot of transliterated names is Latin-1, in octal.
    let name = format!(
        "{} Tj /F2 12 Tf (\\267) Tj /F1 12 Tf {} Tj",
        hex("买买提"),
        hex("艾力")
    );
    assert!(content.contains(&name), "{content}");
}

#[test]
fn alignment_uses_the_width_table() {
    let mut doc = PdfDocument::new("t").with_compression(false);
    doc.styled_text(
        300.0,
        100.0,
        TextStyle::new(10.0).align(Align::Right),
        "中文",
    );
    doc.styled_text(
        300.0,
        120.0,
        TextStyle::new(10.0).align(Align::Center),
        "中文",
    );
    doc.styled_text(300.0, 140.0, TextStyle::new(10.0).bold(), "粗");
    let pdf = doc.finish();
    let content = String::from_utf8_lossy(&page_contents(&pdf)[0]).into_owned();
    assert!(content.contains(" 280 742 Td "));
    assert!(content.contains(" 290 722 Td "));
    assert!(content.contains("BT 2 Tr 300 702 Td "));
}

#[test]
fn numbers_are_plain_decimals() {
    assert_eq!(num(1.0), "1");
    assert_eq!(num(0.5), "0.5");
    assert_eq!(num(-0.0001), "0");
    assert_eq!(num(f32::NAN), "0");
    assert_eq!(num(1.23456), "1.235");
}

#[test]
fn uris_are_ascii_literals() {
    assert_eq!(uri_string("https://h/a(b)"), "(https://h/a\\(b\\))");
    assert_eq!(uri_string("https://h/证"), "(https://h/%E8%AF%81)");
}

/// The `y` of every `Td` in a content stream, in PDF's bottom-up coordinates.
fn baselines(content: &[u8]) -> Vec<f32> {
    let text = String::from_utf8_lossy(content);
    text.split(" Td ")
        .filter_map(|before| before.rsplit(' ').next()?.parse().ok())
        .collect()
}

#[test]
fn a_long_table_breaks_pages_and_repeats_its_header() {
    let doc = PdfDocument::new("名单")
        .with_compression(false)
        .with_footer(FOOTER_BILINGUAL);
    let mut flow = Flow::new(doc);
    flow.title("员工名单");
    let mut table = Table::new(vec![
        Column::new("工号", 1.0),
        Column::new("姓名", 1.5),
        Column::new("备注", 4.0),
        Column::new("分数", 1.0).right(),
    ]);
    for i in 0..150 {
        let note = if i % 7 == 0 {
            "这是一段很长的备注，需要换行才能在单元格里放得下，否则就会超出列宽。".repeat(2)
        } else {
            String::new()
        };
        table.row([
            format!("E{i:04}"),
            format!("员工{i}"),
            note,
            format!("{}", 60 + i % 40),
        ]);
    }
    flow.table(&table);
    let pdf = flow.finish();
    check_structure(&pdf);

    let pages = page_contents(&pdf);
    let n = pages.len();
    assert!(n >= 4, "only {n} pages");
    for (i, content) in pages.iter().enumerate() {
        assert_eq!(
            count(content, hex("工号").as_bytes()),
            1,
            "header on page {}",
            i + 1
        );
        let footer = format!(
            "{} Tj /F2 8 Tf ( {} / {n} ) Tj /F1 8 Tf {} Tj /F2 8 Tf ( \\267 Page {} of {n}) Tj",
            hex("第"),
            i + 1,
            hex("页"),
            i + 1
        );
        assert_eq!(
            count(content, footer.as_bytes()),
            1,
            "footer on page {}",
            i + 1
        );
        // Nothing but the footer (at half the bottom margin) below the bottom margin.
        for y in baselines(content) {
            assert!(y == 28.0 || y > 56.0, "baseline {y} on page {}", i + 1);
        }
    }
    // Every row appears exactly once, in order.
    let all: Vec<u8> = pages.concat();
    let mut at = 0;
    for i in 0..150 {
        let id = format!("(E{i:04}) Tj");
        assert_eq!(count(&all, id.as_bytes()), 1, "row {i}");
        at = find(&all, id.as_bytes(), at).unwrap();
    }
}

#[test]
fn an_empty_table_still_shows_its_header_and_truncation_works() {
    let mut flow = Flow::new(PdfDocument::new("t").with_compression(false));
    let mut table = Table::new(vec![Column::new("名称", 1.0), Column::new("说明", 1.0)]);
    flow.table(&table);
    table.wrap = false;
    table.row(["短", &"很长的说明文字".repeat(20)]);
    flow.table(&table);
    let pdf = flow.finish();
    let content = &page_contents(&pdf)[0];
    assert_eq!(count(content, hex("名称").as_bytes()), 2);
    // The cut cell ends with an ellipsis.
    assert_eq!(count(content, "2026> Tj".as_bytes()), 1);
}

#[test]
fn a_paragraph_longer_than_a_page_flows_on() {
    let mut flow = Flow::new(PdfDocument::new("t").with_compression(false));
    flow.heading("说明");
    flow.paragraph(&"客服人员须在每次通话结束后如实记录处理结果。".repeat(200));
    assert!(flow.doc().page_count() >= 2);
    let pdf = flow.finish();
    for content in page_contents(&pdf) {
        for y in baselines(&content) {
            assert!(y > 56.0);
        }
    }
}

#[test]
fn qr_codes_are_drawn_in_whole_modules() {
    let code = QrMatrix::encode("https://host/verify/CS2026001").unwrap();
    let mut doc = PdfDocument::new("t").with_compression(false);
    doc.qr(100.0, 100.0, 74.0, &code);
    let pdf = doc.finish();
    let content = String::from_utf8_lossy(&page_contents(&pdf)[0]).into_owned();
    // 29 modules plus twice the quiet zone is 37 modules of 2 pt.
    assert!(content.contains("q 1 g 100 668 74 74 re f\n2 0 0 -2 108 734 cm 0 g\n0 0 7 1 re\n"));
    assert_eq!(content.matches(" re\n").count(), code.runs().count());
}

fn sample() -> Vec<u8> {
    let doc = PdfDocument::new("客服技能认证 · 成绩报告")
        .with_creation_date(created())
        .with_lang(Lang::ZhCn)
        .with_footer(FOOTER_BILINGUAL);
    let mut flow = Flow::new(doc);
    flow.title("客服技能认证成绩报告 Certification Report");
    flow.key_values(&[
        ("姓名 Name", "买买提·艾力"),
        ("工号 ID", "CS2026001"),
        ("部门 Dept.", "华东区呼叫中心（上海）"),
        ("成绩 Score", "92.5 / 100，通过 Passed"),
    ]);
    let url = "https://skillcert.example.com/verify/CS2026001";
    if let Ok(code) = QrMatrix::encode(url) {
        let (x, y) = flow.reserve(100.0);
        flow.doc_mut().qr(x, y, 100.0, &code);
        flow.doc_mut().link(x, y, 100.0, 100.0, url);
        let style = TextStyle::new(9.0).gray(0.3);
        flow.doc_mut()
            .styled_text(x + 110.0, y + 50.0, style, "扫码验证证书 Scan to verify:");
        flow.doc_mut().styled_text(x + 110.0, y + 64.0, style, url);
    }
    flow.heading("说明 Notes");
    flow.paragraph(
        "本报告由系统自动生成，成绩以考试结束时的记录为准。This report is generated \
         automatically; scores are those recorded when the exam closed. 如有疑问，请联系培训部。",
    );
    flow.heading("各题得分 Item scores");
    let mut table = Table::new(vec![
        Column::new("题号 No.", 1.0).center(),
        Column::new("题目 Question", 5.0),
        Column::new("得分 Score", 1.2).right(),
    ]);
    for i in 1..=60 {
        let question = if i % 5 == 0 {
            "客户来电投诉快递延误并要求赔偿，而订单显示已签收，客服应如何核实并安抚客户情绪？"
        } else {
            "礼貌用语与服务规范 Courtesy phrases"
        };
        table.row([
            i.to_string(),
            question.to_owned(),
            format!("{:.1}", f64::from(i % 5) * 2.5),
        ]);
    }
    flow.table(&table);
    flow.finish()
}

/// With `SKILLCERT_PDF_SAMPLE=<path>` the sample is also written there, for looking at it in
/// a viewer.
#[test]
fn the_sample_is_a_valid_file() {
    let pdf = sample();
    if let Ok(path) = std::env::var("SKILLCERT_PDF_SAMPLE") {
        std::fs::write(&path, &pdf).unwrap();
        eprintln!("wrote {path}");
    }
    check_structure(&pdf);
}

/// With poppler installed, checks that a real PDF reader finds our Chinese text; skipped
/// where `pdftotext` is missing.
#[test]
fn poppler_reads_the_chinese_text() {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("pdftotext not installed; skipping");
        return;
    }
    let path = std::env::temp_dir().join(format!("skillcert-pdf-{}.pdf", std::process::id()));
    std::fs::write(&path, sample()).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("客服技能认证成绩报告"), "{text}");
    assert!(text.contains("华东区呼叫中心（上海）"), "{text}");
    assert!(text.contains("买买提·艾力"), "{text}");
    assert!(text.contains("第 1 / 3 页 · Page 1 of 3"), "{text}");
}
