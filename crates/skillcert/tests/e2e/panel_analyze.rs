//! `skillcert panel analyze` through the real binary: trimmed results, judge figures and the
//! reliability statistics of a fixture whose expected values come from pingouin and
//! krippendorff (scripts/fixtures/panel_reliability.py), and what happens to bad files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// 10 candidates × 7 judges; the same marks as the "balanced" set of the domain fixture.
const BALANCED: &str = include_str!("fixtures/panel_balanced.csv");
/// Expected ICC(1,1), ICC(1,k) and alpha of that set.
const EXPECTED: &str =
    include_str!("../../../skillcert-domain/tests/fixtures/panel_reliability.json");

/// A fresh directory per test, so parallel tests never see each other's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "skillcert-panel-analyze-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `input.csv` in `dir` and runs `skillcert panel analyze --input input.csv <args>`.
fn analyze(dir: &Path, input: &str, args: &[&str]) -> Output {
    std::fs::write(dir.join("input.csv"), input).unwrap();
    Command::new(env!("CARGO_BIN_EXE_skillcert"))
        .current_dir(dir)
        .args(["panel", "analyze", "--input", "input.csv"])
        .args(args)
        .env_remove("SKILLCERT_DATABASE_URL")
        .env_remove("SKILLCERT_DATA_DIR")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[track_caller]
fn close(v: &Value, expected: f64, tolerance: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!(
        (got - expected).abs() < tolerance,
        "{got} is not {expected}"
    );
}

fn hundredths(text: &str) -> u64 {
    (text.parse::<f64>().unwrap() * 100.0).round() as u64
}

#[test]
fn the_balanced_fixture_matches_pingouin_and_krippendorff() {
    let dir = temp_dir("balanced");
    let v = json(&analyze(&dir, BALANCED, &[]));
    let expected: Value = serde_json::from_str(EXPECTED).unwrap();
    let set = &expected["sets"][0];
    assert_eq!(set["name"], "balanced");
    close(&v["icc1"], set["icc1"].as_f64().unwrap(), 1e-6);
    close(&v["icck"], set["icck"].as_f64().unwrap(), 1e-6);
    close(
        &v["alpha_interval"],
        set["alpha_interval"].as_f64().unwrap(),
        1e-6,
    );

    // Every candidate: 7 marks, the highest and the lowest dropped, the mean of the middle
    // five half-up to 0.01.
    let candidates = v["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 10);
    let mut total_dropped = 0;
    for (i, c) in candidates.iter().enumerate() {
        assert_eq!(c["candidate"], format!("c{:02}", i + 1));
        let marks: Vec<u64> = c["marks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| hundredths(&m["mark"].to_string()))
            .collect();
        assert_eq!(marks.len(), 7);
        let mut sorted = marks.clone();
        sorted.sort_unstable();
        let dropped = c["dropped"].as_array().unwrap();
        assert_eq!(dropped.len(), 2);
        assert_eq!(dropped[0]["reason"], "highest");
        assert_eq!(hundredths(&dropped[0]["mark"].to_string()), sorted[6]);
        assert_eq!(dropped[1]["reason"], "lowest");
        assert_eq!(hundredths(&dropped[1]["mark"].to_string()), sorted[0]);
        total_dropped += dropped.len();
        let kept: u64 = sorted[1..6].iter().sum();
        assert_eq!(
            hundredths(&c["score"].to_string()),
            (2 * kept + 5) / 10,
            "{c}"
        );
        assert!(c["se"].is_number());
        assert_eq!(c["hold"], false);
    }
    let judges = v["judges"].as_array().unwrap();
    let names: Vec<&str> = judges
        .iter()
        .map(|j| j["judge"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["j1", "j2", "j3", "j4", "j5", "j6", "j7"]);
    assert!(judges.iter().all(|j| j["n"] == 10));
    // Fully crossed: the leniencies cancel out, and the drop shares add up to the drops.
    let leniency: f64 = judges.iter().map(|j| j["leniency"].as_f64().unwrap()).sum();
    assert!(leniency.abs() < 1e-9, "{leniency}");
    let shares: f64 = judges
        .iter()
        .map(|j| j["dropped_share"].as_f64().unwrap())
        .sum();
    assert!((shares * 10.0 - total_dropped as f64).abs() < 1e-9);
}

/// S4: 7 judges, c1's kept marks spread 12 points; c2's are all equal, so the tie rule
/// picks the judges whose names sort first even though the rows come in reverse order.
/// With a BOM, upper-case headers and the columns in another order.
const S4: &str = "\u{feff}Mark,JUDGE,Candidate\n\
                  88,j1,c1\n90,j2,c1\n75,j3,c1\n92,j4,c1\n85,j5,c1\n79,j6,c1\n91,j7,c1\n\
                  80,j7,c2\n80,j6,c2\n80,j5,c2\n80,j4,c2\n80,j3,c2\n80,j2,c2\n80,j1,c2\n";

#[test]
fn dropped_marks_and_hold() {
    let dir = temp_dir("s4");
    let v = json(&analyze(&dir, S4, &["--tolerance", "10"]));
    let c1 = &v["candidates"][0];
    assert_eq!(c1["candidate"], "c1");
    assert_eq!(
        c1["dropped"],
        serde_json::json!([
            {"judge": "j4", "mark": 92, "reason": "highest"},
            {"judge": "j3", "mark": 75, "reason": "lowest"}
        ])
    );
    // (88 + 90 + 85 + 79 + 91) / 5 = 86.6; SE = √(93.2 / 4) / √5 ≈ 2.16.
    close(&c1["score"], 86.6, 1e-9);
    close(&c1["se"], 2.16, 1e-9);
    assert_eq!(c1["hold"], true);
    assert_eq!(
        c1["marks"][0],
        serde_json::json!({"judge": "j1", "mark": 88})
    );
    let c2 = &v["candidates"][1];
    assert_eq!(
        c2["dropped"],
        serde_json::json!([
            {"judge": "j1", "mark": 80, "reason": "highest"},
            {"judge": "j2", "mark": 80, "reason": "lowest"}
        ])
    );
    assert_eq!(
        (c2["score"].as_f64(), c2["se"].as_f64()),
        (Some(80.0), Some(0.0))
    );
    assert_eq!(c2["hold"], false);
    // j4 and j3 were dropped once in 2 candidates; j4: 92 − 508/6 on c1, 0 on c2.
    let j4 = &v["judges"][3];
    assert_eq!(j4["judge"], "j4");
    close(&j4["dropped_share"], 0.5, 1e-12);
    close(&j4["leniency"], (92.0 - 508.0 / 6.0) / 2.0, 1e-9);

    // A wider tolerance releases c1; no tolerance never holds.
    let v = json(&analyze(&dir, S4, &["--tolerance", "12"]));
    assert_eq!(v["candidates"][0]["hold"], false);
    // Dropping nothing: a plain mean.
    let v = json(&analyze(&dir, S4, &["--drop-high", "0", "--drop-low", "0"]));
    assert_eq!(v["candidates"][0]["dropped"], serde_json::json!([]));
    close(&v["candidates"][0]["score"], 600.0 / 7.0, 0.005);
}

#[test]
fn per_item_marks_are_trimmed_item_by_item() {
    let dir = temp_dir("items");
    // Items out of 30 and 70. q1: 10, 20, 30 → 20 kept; q2: 60, 50, 55 → 55 kept.
    let input = "candidate,judge,item,mark\n\
                 c1,a,q1,10\nc1,a,q2,60\n\
                 c1,b,q1,20\nc1,b,q2,50\n\
                 c1,c,q2,55\nc1,c,q1,30\n";
    let v = json(&analyze(&dir, input, &[]));
    let c1 = &v["candidates"][0];
    assert_eq!(c1["score"], 75);
    assert_eq!(c1["se"], Value::Null);
    assert_eq!(c1["hold"], false);
    assert_eq!(
        c1["marks"],
        serde_json::json!([
            {"judge": "a", "mark": 70}, {"judge": "b", "mark": 70}, {"judge": "c", "mark": 85}
        ])
    );
    assert_eq!(
        c1["dropped"],
        serde_json::json!([
            {"judge": "c", "item": "q1", "mark": 30, "reason": "highest"},
            {"judge": "a", "item": "q1", "mark": 10, "reason": "lowest"},
            {"judge": "a", "item": "q2", "mark": 60, "reason": "highest"},
            {"judge": "b", "item": "q2", "mark": 50, "reason": "lowest"}
        ])
    );
    // Leniency on the totals: a 70 − 77.5, c 85 − 70. Dropped shares count item marks.
    let judges = &v["judges"];
    close(&judges[0]["leniency"], -7.5, 1e-9);
    close(&judges[2]["leniency"], 15.0, 1e-9);
    close(&judges[0]["dropped_share"], 1.0, 1e-12);
    close(&judges[1]["dropped_share"], 0.5, 1e-12);
    assert_eq!(judges[0]["n"], 1);
    // One candidate: no between-candidate variance.
    assert_eq!(v["icc1"], Value::Null);

    // A judge who skipped an item is refused.
    let out = analyze(
        &dir,
        "candidate,judge,item,mark\nc1,a,q1,10\nc1,a,q2,60\nc1,b,q1,20\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "line 4: candidate \"c1\": judge \"b\" marked the items q1, but judge \"a\" (line 2) marked q1, q2"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn csv_output_has_one_row_per_candidate_and_the_figures_on_stderr() {
    let dir = temp_dir("csv");
    let out = analyze(&dir, S4, &["--format", "csv", "--tolerance", "10"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(
        text,
        "candidate,n,score,se,hold,dropped\n\
         c1,7,86.6,2.16,true,j4:92:highest;j3:75:lowest\n\
         c2,7,80,0,false,j1:80:highest;j2:80:lowest\n"
    );
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("candidates=2 judges=7 icc1="), "{err}");
    assert!(err.contains(" alpha_interval="), "{err}");

    // The same into a file: nothing on stdout.
    let out = analyze(
        &dir,
        S4,
        &["--format", "csv", "--tolerance", "10", "--output", "r.csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(dir.join("r.csv")).unwrap(), text);
}

#[test]
fn bad_rows_are_reported_by_line_and_nothing_is_written() {
    let dir = temp_dir("bad");
    let out = analyze(
        &dir,
        "candidate,judge,mark\n\
         c1,j1,80\n\
         c1,j2,80.555\n\
         c1,j1,81\n\
         c1,j3,-2\n\
         c1,j4\n\
         c1,j5,eighty\n\
         c1,j6,85\n",
        &["--output", "result.json"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "line 3: mark \"80.555\" has more than 2 decimals\n\
         line 4: judge \"j1\" marked candidate \"c1\" twice (first at line 2)\n\
         line 5: mark \"-2\" must not be negative\n\
         line 6: 2 fields, but the header has 3\n\
         line 7: mark \"eighty\" is not a number such as 85 or 85.5\n\
         5 of 7 rows are bad: nothing was analysed and no output was written\n"
    );
    assert!(out.stdout.is_empty());
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["input.csv"], "no output and no temporary file");
}

#[test]
fn a_missing_column_or_file_is_named() {
    let dir = temp_dir("missing");
    let out = analyze(&dir, "candidate,mark\nc1,80\n", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "line 1: missing column(s): judge; expected the header candidate,judge,mark[,item]"
        ),
        "{}",
        stderr(&out)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_skillcert"))
        .current_dir(&dir)
        .args(["panel", "analyze", "--input", "nope.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nope.csv"), "{}", stderr(&out));
}
