//! `skillcert evaluate` through the real binary: presets, scheme files, formats, and what
//! happens to bad rows.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// A fresh directory per test, so parallel tests never see each other's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "skillcert-evaluate-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `skillcert evaluate <args>` in `dir`, feeding `stdin`.
fn evaluate(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_skillcert"))
        .current_dir(dir)
        .arg("evaluate")
        .args(args)
        .env_remove("SKILLCERT_DATABASE_URL")
        .env_remove("SKILLCERT_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Writes `input.csv` in `dir` and evaluates it to stdout with `scheme`.
fn csv_rows(dir: &Path, scheme: &str, input: &str) -> (Output, Vec<Vec<String>>) {
    std::fs::write(dir.join("input.csv"), input).unwrap();
    let out = evaluate(dir, &["--scheme", scheme, "--input", "input.csv"], "");
    let rows = String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (out, rows)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Names of the files in `dir`, sorted, to prove nothing (not even a temp file) was left.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn s1_preset_reproduces_the_seed_examples() {
    let dir = temp_dir("s1");
    let (out, rows) = csv_rows(
        &dir,
        "s1-certification",
        "employee_no,attempt,theory,practical,daily\n\
         E85,1,85,85,85\n\
         E58,1,58,58,58\n\
         E82,1,82,82,82\n\
         E55,2,55,55,55\n\
         E60,1,60,60,60\n\
         E70,1,70,70,70\n\
         EMIX,1,90,80;70,60\n\
         EROUND,1,59.99,60,60\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        rows[0],
        [
            "employee_no",
            "attempt",
            "theory",
            "practical",
            "daily",
            "total",
            "passed",
            "level",
            "consequence",
            "hold"
        ]
    );
    let row = |i: usize| rows[i].join(",");
    // 85 passes the line of 60 and is at least 80: senior.
    assert_eq!(row(1), "E85,1,85.00,85.00,85.00,85.00,true,senior,,false");
    assert_eq!(
        row(2),
        "E58,1,58.00,58.00,58.00,58.00,false,,retrain_retake,false"
    );
    assert_eq!(row(3), "E82,1,82.00,82.00,82.00,82.00,true,senior,,false");
    // The ladder repeats its last (only) step for a second failure.
    assert_eq!(
        row(4),
        "E55,2,55.00,55.00,55.00,55.00,false,,retrain_retake,false"
    );
    assert_eq!(row(5), "E60,1,60.00,60.00,60.00,60.00,true,junior,,false");
    assert_eq!(
        row(6),
        "E70,1,70.00,70.00,70.00,70.00,true,intermediate,,false"
    );
    // 90×40% + mean(80,70)=75×40% + 60×20% = 36 + 30 + 12 = 78.
    assert_eq!(
        row(7),
        "EMIX,1,90.00,75.00,60.00,78.00,true,intermediate,,false"
    );
    // 59.99×40% + 60×40% + 60×20% = 59.996, half-up to 60.00: passes.
    assert_eq!(
        row(8),
        "EROUND,1,59.99,60.00,60.00,60.00,true,junior,,false"
    );
    assert_eq!(rows.len(), 9);
}

#[test]
fn s4_routine_drops_the_highest_and_lowest_of_seven_marks() {
    let dir = temp_dir("s4");
    let (out, rows) = csv_rows(
        &dir,
        "s4-routine-assessment",
        "employee_no,attempt,attendance,inspection,onsite\n\
         W1,1,100,95,88;90;75;92;85;79;91\n\
         W2,2,90,90,80;80;80;80;80;80;80\n\
         W3,5,90,90,100;0;80;80;80;80;80\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(rows[0][2..5], ["attendance", "inspection", "onsite"]);
    // 92 and 75 dropped: (88+90+85+79+91)/5 = 86.6; 10 + 28.5 + 51.96 = 90.46 ≥ 90.
    assert_eq!(
        rows[1].join(","),
        "W1,1,100.00,95.00,86.60,90.46,true,,,false"
    );
    // 9 + 27 + 48 = 84: the second failure of the year.
    assert_eq!(
        rows[2].join(","),
        "W2,2,90.00,90.00,80.00,84.00,false,,withhold_20_off_duty_20d,false"
    );
    // 100 and 0 dropped, so the outliers change nothing; a fifth failure gets the last step.
    assert_eq!(
        rows[3].join(","),
        "W3,5,90.00,90.00,80.00,84.00,false,,transfer_or_termination,false"
    );
}

#[test]
fn a_bom_and_any_column_order_are_accepted() {
    let dir = temp_dir("bom");
    let (out, rows) = csv_rows(
        &dir,
        "s1-certification",
        "\u{feff}daily,practical,attempt,employee_no,theory\r\n60,70;80,1,\"E 1\",90\r\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        rows[0][..5],
        ["employee_no", "attempt", "theory", "practical", "daily"]
    );
    // 36 + 30 + 12.
    assert_eq!(
        rows[1].join(","),
        "E 1,1,90.00,75.00,60.00,78.00,true,intermediate,,false"
    );
}

#[test]
fn json_output_carries_the_explanation() {
    let dir = temp_dir("json");
    std::fs::write(
        dir.join("in.csv"),
        "employee_no,attempt,attendance,inspection,onsite\n\
         W1,1,100,95,88;90;75;92;85;79;91\n\
         W2,1,90,90,80;80;80;80;80;80;80\n",
    )
    .unwrap();
    let out = evaluate(
        &dir,
        &[
            "--scheme",
            "s4-routine-assessment",
            "--input",
            "in.csv",
            "--format",
            "json",
            "--output",
            "out.json",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&std::fs::read(dir.join("out.json")).unwrap()).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["employee_no"], "W1");
    assert_eq!(rows[0]["attempt"], 1);
    assert_eq!(rows[0]["components"]["onsite"], 86.6);
    assert_eq!(rows[0]["total"], 90.46);
    assert_eq!(rows[0]["passed"], true);
    assert_eq!(rows[0]["level"], Value::Null);
    assert_eq!(rows[0]["consequence"], Value::Null);
    assert_eq!(rows[0]["hold"], false);
    assert_eq!(rows[1]["consequence"], "withhold_10_off_duty_10d");
    let en = rows[0]["explanation"]["en"].to_string();
    assert!(en.contains("judge 4's mark 92 dropped (highest)"), "{en}");
    assert!(en.contains("judge 3's mark 75 dropped (lowest)"), "{en}");
    let zh = rows[0]["explanation"]["zh-CN"].to_string();
    assert!(zh.contains("去掉评委4的最高分 92"), "{zh}");
    // The scores keep the scheme's two decimals in the text itself.
    let text = std::fs::read_to_string(dir.join("out.json")).unwrap();
    assert!(text.contains("\"total\":90.46"), "{text}");
    assert!(text.contains("\"attendance\":100.00"), "{text}");

    // One language on request; the shape stays the same.
    let out = evaluate(
        &dir,
        &[
            "--scheme",
            "s4-routine-assessment",
            "--input",
            "in.csv",
            "--format",
            "json",
            "--lang",
            "en",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let explanation = v[0]["explanation"].as_object().unwrap();
    assert_eq!(explanation.keys().collect::<Vec<_>>(), ["en"]);
}

const WITH_BAD_ROWS: &str = "employee_no,attempt,attendance,inspection,onsite\n\
     W1,1,100,95,88;90;75;92;85;79;91\n\
     W2,1,101,95,88;90;75;92;85;79;91\n\
     W3,1,,95,88;90;75;92;85;79;91\n\
     W4,1,100,95,88;90;75;92;85;79\n\
     W1,1,100,95,88;90;75;92;85;79;91\n\
     W5,0,abc,95,88;90;75;92;85;79;x\n\
     W6,1,100,95\n\
     W7,2,90,90,80;80;80;80;80;80;80\n";

fn assert_bad_rows_reported(err: &str) {
    for expected in [
        "line 3: attendance: \"101\" must be at most 100",
        "line 4: attendance: is missing",
        "line 5: onsite: 6 marks given, at least 7 needed",
        "line 6: employee_no \"W1\" with attempt 1 already appears on line 2",
        "line 7: attempt: \"0\" is not a whole number of 1 or more; attendance: \"abc\" is not a number",
        "mark 7 \"x\" is not a number",
        "line 8: 4 fields, but the header has 5",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(!err.contains("line 2:"), "{err}");
    assert!(!err.contains("line 9:"), "{err}");
}

#[test]
fn bad_rows_are_reported_by_line_and_no_output_is_written() {
    let dir = temp_dir("bad");
    std::fs::write(dir.join("in.csv"), WITH_BAD_ROWS).unwrap();
    let args = [
        "--scheme",
        "s4-routine-assessment",
        "--input",
        "in.csv",
        "--output",
        "out.csv",
    ];
    let out = evaluate(&dir, &args, "");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_bad_rows_reported(&err);
    assert!(
        err.contains("6 of 8 rows are bad: no output was written"),
        "{err}"
    );
    assert_eq!(files(&dir), ["in.csv"], "no output and no temp file");

    // An older output file is left as it was.
    std::fs::write(dir.join("out.csv"), "old").unwrap();
    let out = evaluate(&dir, &args, "");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(dir.join("out.csv")).unwrap(), "old");
    assert_eq!(files(&dir), ["in.csv", "out.csv"]);

    // To stdout: nothing at all, not even the header.
    let out = evaluate(
        &dir,
        &["--scheme", "s4-routine-assessment", "--input", "in.csv"],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn keep_going_writes_the_valid_rows_and_still_exits_2() {
    let dir = temp_dir("keep");
    std::fs::write(dir.join("in.csv"), WITH_BAD_ROWS).unwrap();
    let out = evaluate(
        &dir,
        &[
            "--scheme",
            "s4-routine-assessment",
            "--input",
            "in.csv",
            "--output",
            "out.csv",
            "--keep-going",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_bad_rows_reported(&err);
    assert!(err.contains("the 2 valid rows were written"), "{err}");
    let text = std::fs::read_to_string(dir.join("out.csv")).unwrap();
    let ids: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["W1", "W7"]);

    // The same to stdout, as JSON.
    let out = evaluate(
        &dir,
        &[
            "--scheme",
            "s4-routine-assessment",
            "--input",
            "in.csv",
            "--keep-going",
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
}

#[test]
fn a_header_problem_is_reported_once() {
    let dir = temp_dir("header");
    let (out, rows) = csv_rows(
        &dir,
        "s1-certification",
        "employee_no,attempt,theory,practical,dialy\nE1,1,80,80,80\nE2,1,80,80,80\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(rows.is_empty());
    let err = stderr(&out);
    assert!(err.contains("line 1: unknown column \"dialy\""), "{err}");
    assert!(err.contains("line 1: missing column(s): daily"), "{err}");
    assert!(!err.contains("line 2"), "{err}");
    assert!(err.contains("every row is bad"), "{err}");
}

#[test]
fn input_can_come_from_stdin() {
    let dir = temp_dir("stdin");
    let out = evaluate(
        &dir,
        &[
            "--scheme",
            "s1-certification",
            "--input",
            "-",
            "--output",
            "-",
        ],
        "employee_no,attempt,theory,practical,daily\nE1,1,80,80,80\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().nth(1),
        Some("E1,1,80.00,80.00,80.00,80.00,true,senior,,false")
    );
    // No database is opened, so no data directory appears.
    assert!(files(&dir).is_empty(), "{:?}", files(&dir));
}

#[test]
fn a_scheme_file_can_be_used() {
    let dir = temp_dir("file");
    std::fs::write(
        dir.join("mini.toml"),
        r#"
key = "mini"
version = 3
labels = { zh-CN = "小测", en = "Mini" }
pass_line = 75

[rounding]
decimals = 1

[[components]]
key = "exam"
labels = { zh-CN = "考试", en = "Exam" }
weight = 70
source = "exam"

[[components]]
key = "panel"
labels = { zh-CN = "评委", en = "Panel" }
weight = 30
source = "panel"

[components.panel]
min_marks = 3
drop_highest = 1
drop_lowest = 1
divergence_tolerance = 10

[[bands]]
key = "good"
labels = { zh-CN = "良", en = "Good" }
min = 75
"#,
    )
    .unwrap();
    let (out, rows) = csv_rows(
        &dir,
        "mini.toml",
        "employee_no,attempt,exam,panel\nA,1,80.25,70;90;100\nB,1,80,50;60;90\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        rows[0].join(","),
        "employee_no,attempt,exam,panel,total,passed,level,consequence,hold"
    );
    // One decimal: 80.25 → 80.3; panel keeps 90; 56.21 + 27 = 83.21 → 83.2.
    assert_eq!(rows[1].join(","), "A,1,80.3,90.0,83.2,true,good,,false");
    // Panel keeps 60: 56 + 18 = 74 < 75, no ladder; a single kept mark never diverges.
    assert_eq!(rows[2].join(","), "B,1,80.0,60.0,74.0,false,,,false");
}

#[test]
fn an_invalid_scheme_file_names_the_field() {
    let dir = temp_dir("invalid");
    std::fs::write(
        dir.join("bad.toml"),
        r#"
key = "bad"
version = 1
labels = { zh-CN = "坏", en = "Bad" }
pass_line = 120

[[components]]
key = "exam"
labels = { zh-CN = "考试", en = "Exam" }
weight = 90
source = "exam"
"#,
    )
    .unwrap();
    std::fs::write(dir.join("in.csv"), "employee_no,attempt,exam\nA,1,80\n").unwrap();
    let out = evaluate(&dir, &["--scheme", "bad.toml", "--input", "in.csv"], "");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("bad.toml is invalid"), "{err}");
    assert!(
        err.contains("pass_line: the pass line must lie between 0 and 100"),
        "{err}"
    );
    assert!(
        err.contains("components: weights add up to 90%, they must add up to exactly 100%"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    let out = evaluate(
        &dir,
        &["--scheme", "no-such-scheme", "--input", "in.csv"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("s4-routine-assessment"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_per_item_panel_reads_items_separated_by_slashes() {
    let dir = temp_dir("items");
    std::fs::write(
        dir.join("rubric.toml"),
        r#"
key = "rubric"
version = 1
labels = { zh-CN = "评分表", en = "Rubric" }
pass_line = 60

[[components]]
key = "rubric"
labels = { zh-CN = "评分表", en = "Rubric" }
weight = 100
source = "panel"

[components.panel]
min_marks = 3
drop_highest = 1
drop_lowest = 1
trim = "per_item"
divergence_tolerance = 5
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("in.csv"),
        "employee_no,attempt,rubric\n\
         A,1,30/40;35/45;20/50\n\
         B,1,30/40;39/45;20/50;41/44\n\
         C,1,30/40;35\n",
    )
    .unwrap();
    let out = evaluate(
        &dir,
        &[
            "--scheme",
            "rubric.toml",
            "--input",
            "in.csv",
            "--keep-going",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Item 1 keeps 30, item 2 keeps 45.
    assert_eq!(lines[1], "A,1,75.00,75.00,true,,,false");
    // Item 1 keeps 30 and 39 (9 apart, over the tolerance of 5): held for review.
    assert_eq!(lines[2], "B,1,79.00,79.00,true,,,true");
    assert_eq!(lines.len(), 3);
    let err = stderr(&out);
    assert!(
        err.contains("line 4: rubric: judge 2 gave 1 item marks where 2 were expected"),
        "{err}"
    );
}
