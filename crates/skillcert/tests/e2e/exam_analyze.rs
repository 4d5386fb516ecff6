//! `skillcert exam analyze` through the real binary: JSON and CSV output of known figures,
//! and what happens to bad files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A fresh directory per test, so parallel tests never see each other's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "skillcert-exam-analyze-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `input.csv` in `dir` and runs `skillcert exam analyze --input input.csv <args>`.
fn analyze(dir: &Path, input: &str, args: &[&str]) -> Output {
    std::fs::write(dir.join("input.csv"), input).unwrap();
    Command::new(env!("CARGO_BIN_EXE_skillcert"))
        .current_dir(dir)
        .args(["exam", "analyze", "--input", "input.csv"])
        .args(args)
        .env_remove("SKILLCERT_DATABASE_URL")
        .env_remove("SKILLCERT_DATA_DIR")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
fn close(v: &Value, expected: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - expected).abs() < 1e-9, "{got} is not {expected}");
}

/// Three candidates, two questions; c3 has no row for q2. Worked out by hand:
/// totals 3, 4, 1; alpha = 2 (1 − (1/3 + 4) / (7/3)) = −12/7; q1 has scores 1,0,1 against
/// rest scores 2,4,0, so r = −√3/2, and its lower group (c3) beat its upper group (c2).
/// With a BOM, upper-case headers and the columns in another order.
const KNOWN: &str = "\u{feff}Question,Candidate,Choice,MAX,Score\n\
                     q1,c1,A,1,1\n\
                     q2,c1,B,4,2\n\
                     q1,c2,B,1,0\n\
                     q2,c2,,4,4\n\
                     q1,c3,A,1,1\n";

#[test]
fn json_output_has_the_known_figures() {
    let dir = temp_dir("json");
    let out = analyze(&dir, KNOWN, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["candidates"], 3);
    assert_eq!(v["kr20"], false);
    close(&v["alpha"], -12.0 / 7.0);
    close(&v["mean"], 8.0 / 3.0);
    close(&v["sd"], (7.0f64 / 3.0).sqrt());
    close(&v["sem"], (19.0f64 / 3.0).sqrt());
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let q1 = &items[0];
    assert_eq!(q1["question"], "q1");
    assert_eq!(q1["n"], 3);
    close(&q1["max"], 1.0);
    close(&q1["facility"], 2.0 / 3.0);
    close(&q1["item_rest_r"], -(3.0f64.sqrt()) / 2.0);
    close(&q1["discrimination"], -1.0);
    assert_eq!(
        q1["flags"],
        serde_json::json!(["low_discrimination", "negative_discrimination"])
    );
    assert_eq!(q1["options"][0]["choice"], "A");
    assert_eq!(q1["options"][0]["count"], 2);
    close(&q1["options"][0]["share"], 2.0 / 3.0);
    assert_eq!(q1["options"][1]["choice"], "B");
    let q2 = &items[1];
    assert_eq!(q2["question"], "q2");
    assert_eq!(q2["n"], 2);
    close(&q2["facility"], 0.75);
    close(&q2["item_rest_r"], -1.0);
    close(&q2["discrimination"], 0.5);
    assert_eq!(
        q2["options"],
        serde_json::json!([{"choice": "B", "count": 1, "share": 0.5}])
    );
}

#[test]
fn csv_output_has_one_row_per_item_and_the_summary_on_stderr() {
    let dir = temp_dir("csv");
    let out = analyze(&dir, KNOWN, &["--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "question",
            "n",
            "max",
            "facility",
            "item_rest_r",
            "discrimination",
            "flags"
        ]
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[1][..3], ["q1", "3", "1"]);
    let num = |s: &str| s.parse::<f64>().unwrap();
    assert!((num(rows[1][3]) - 2.0 / 3.0).abs() < 1e-9);
    assert!((num(rows[1][4]) + 3f64.sqrt() / 2.0).abs() < 1e-9);
    assert_eq!(rows[1][5], "-1");
    assert_eq!(rows[1][6], "low_discrimination;negative_discrimination");
    assert_eq!(rows[2][..4], ["q2", "2", "4", "0.75"]);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("candidates=3 items=2 alpha=-1.714285714285714"),
        "{err}"
    );
    assert!(err.contains(" kr20=false "), "{err}");

    // The same into a file: nothing on stdout.
    let out = analyze(&dir, KNOWN, &["--format", "csv", "--output", "items.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(dir.join("items.csv")).unwrap(),
        text
    );
}

#[test]
fn a_score_above_the_max_is_reported_by_line_and_nothing_is_written() {
    let dir = temp_dir("bad");
    let out = analyze(
        &dir,
        "candidate,question,score,max\n\
         c1,q1,1,1\n\
         c1,q2,2,2\n\
         c2,q1,3,1\n\
         c2,q2,1,2\n",
        &["--output", "result.json"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("line 4: candidate \"c2\", question \"q1\": the score 3 is above the max 1"),
        "{err}"
    );
    assert!(err.contains("1 of 4 rows are bad"), "{err}");
    assert!(out.stdout.is_empty());
    assert!(!dir.join("result.json").exists());
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["input.csv"], "no temporary file is left behind");
}

#[test]
fn a_missing_column_is_named() {
    let dir = temp_dir("missing");
    let out = analyze(&dir, "candidate,question,score\nc1,q1,1\n", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "line 1: missing column(s): max; expected the header candidate,question,score,max[,choice]"
        ),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_file_is_an_error_that_names_it() {
    let dir = temp_dir("nofile");
    let out = Command::new(env!("CARGO_BIN_EXE_skillcert"))
        .current_dir(&dir)
        .args(["exam", "analyze", "--input", "nope.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nope.csv"), "{}", stderr(&out));
}
