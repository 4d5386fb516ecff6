//! The seeds' examples, validation rules and the invariants of evaluation.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn s(raw: &str) -> Score {
    match Score::parse(raw) {
        Ok(s) => s,
        Err(e) => panic!("{raw}: {e}"),
    }
}

fn marks(raw: &[&str]) -> Vec<Score> {
    raw.iter().map(|r| s(r)).collect()
}

fn preset(key: &str) -> Scheme {
    match presets::get(key) {
        Some(scheme) => scheme,
        None => panic!("no preset {key}"),
    }
}

fn eval(scheme: &Scheme, inputs: &Inputs) -> Evaluation {
    match scheme.evaluate(inputs) {
        Ok(e) => e,
        Err(e) => panic!("{e}"),
    }
}

fn parse(src: &str) -> Scheme {
    match Scheme::parse_toml(src) {
        Ok(scheme) => scheme,
        Err(e) => panic!("{e}"),
    }
}

fn codes(src: &str) -> Vec<&'static str> {
    match Scheme::parse_toml(src) {
        Ok(_) => vec![],
        Err(e) => e.codes(),
    }
}

fn s1(theory: &str, practical: &str, daily: &str) -> Evaluation {
    let inputs = Inputs::new()
        .score("theory", s(theory))
        .marks("practical", vec![s(practical)])
        .score("daily", s(daily));
    eval(&preset("s1-certification"), &inputs)
}

fn total(e: &Evaluation) -> String {
    e.total().map_or("-".into(), |t| t.fixed(e.decimals))
}

#[test]
fn s1_totals_pass_and_levels_follow_the_templates() {
    // (theory, practical, daily) → total, passed, level
    let cases = [
        (("80", "90", "85"), "85.00", true, Some("senior")),
        (("55", "60", "60"), "58.00", false, None),
        (("85", "80", "80"), "82.00", true, Some("senior")),
        (("50", "60", "55"), "55.00", false, None),
        (("75", "65", "70"), "70.00", true, Some("intermediate")),
        (("70", "70", "69.95"), "69.99", true, Some("junior")),
        (("60", "60", "60"), "60.00", true, Some("junior")),
        (("100", "100", "100"), "100.00", true, Some("senior")),
    ];
    for ((t, p, d), want, passed, level) in cases {
        let e = s1(t, p, d);
        assert_eq!(total(&e), want, "{t}/{p}/{d}");
        assert_eq!(e.passed(), Some(passed), "{t}/{p}/{d}");
        assert_eq!(e.level(), level, "{t}/{p}/{d}");
        let consequence = e.consequence().map(|c| c.key.as_str());
        assert_eq!(consequence, (!passed).then_some("retrain_retake"));
    }
}

#[test]
fn s1_pass_compares_the_rounded_total() {
    // 23.996 + 24 + 12 = 59.996 → 60.00, which reaches the pass line.
    let e = s1("59.99", "60", "60");
    assert_eq!(
        e.verdict().map(|v| v.exact_total.to_string()),
        Some("59.996".into())
    );
    assert_eq!(total(&e), "60.00");
    assert_eq!(e.passed(), Some(true));
    // 23.992 + 24 + 12 = 59.992 → 59.99 fails.
    assert_eq!(s1("59.98", "60", "60").passed(), Some(false));
}

#[test]
fn s1_certificate_rules() {
    let scheme = preset("s1-certification");
    let Some(cert) = scheme.certificate() else {
        panic!("S1 issues certificates")
    };
    assert_eq!(cert.number_format.format(2024, 1), "CS2024001");
    assert_eq!(cert.number_format.format(2024, 1234), "CS20241234");
    let issued = NaiveDate::from_ymd_opt(2024, 3, 31);
    assert_eq!(
        issued.and_then(|d| cert.valid_until(d)),
        NaiveDate::from_ymd_opt(2025, 3, 31)
    );
    assert_eq!(
        issued.and_then(|d| cert.reevaluation_due(d)),
        NaiveDate::from_ymd_opt(2025, 2, 28)
    );
}

#[test]
fn s4_exam_ladder_escalates_and_ends_in_termination() {
    let scheme = preset("s4-etiquette-exam");
    let inputs = |attempt, written| {
        Inputs::new()
            .attempt(attempt)
            .score("attendance", s("100"))
            .score("written", s(written))
            .score("practical", s("85"))
    };
    // 20 + 45 + 25.5 = 90.5
    let passed = eval(&scheme, &inputs(1, "90"));
    assert_eq!(
        (total(&passed).as_str(), passed.passed()),
        ("90.50", Some(true))
    );
    assert!(passed.consequence().is_none());
    // 20 + 42.5 + 25.5 = 88
    let step = |attempt| eval(&scheme, &inputs(attempt, "85")).consequence().cloned();
    let first = step(1);
    assert_eq!(
        first
            .as_ref()
            .map(|s| (s.withhold_pay_percent, s.off_duty_days)),
        Some((10, 0))
    );
    assert_eq!(first.map(|s| s.retake_allowed), Some(true));
    let second = step(2);
    assert_eq!(
        second
            .as_ref()
            .map(|s| (s.withhold_pay_percent, s.off_duty_days)),
        Some((20, 30))
    );
    let third = step(3);
    assert_eq!(
        third
            .as_ref()
            .map(|s| (s.key.as_str(), s.retake_allowed, s.hr_procedure)),
        Some(("termination", false, HrProcedure::Termination))
    );
    assert_eq!(step(4).map(|s| s.key), Some("termination".into()));
}

fn routine(attempt: u32, onsite: &[&str]) -> Result<Evaluation, InputErrors> {
    preset("s4-routine-assessment").evaluate(
        &Inputs::new()
            .attempt(attempt)
            .score("attendance", s("100"))
            .score("inspection", s("95"))
            .marks("onsite", marks(onsite)),
    )
}

#[test]
fn s4_routine_seven_judges_drop_one_high_one_low() {
    let e = match routine(1, &["88", "90", "75", "92", "85", "79", "91"]) {
        Ok(e) => e,
        Err(e) => panic!("{e}"),
    };
    let onsite = e.component("onsite");
    // (88 + 90 + 85 + 79 + 91) / 5 = 86.6; 10 + 28.5 + 51.96 = 90.46
    assert_eq!(onsite.and_then(|c| c.score), Some(s("86.6")));
    assert_eq!(
        onsite.and_then(|c| c.contribution).map(|c| c.to_string()),
        Some("51.96".into())
    );
    let Some(Some(PanelDetail::Total(panel))) = onsite.map(|c| &c.panel) else {
        panic!("onsite is a panel")
    };
    let dropped: Vec<(usize, Score)> = panel.dropped.iter().map(|d| (d.judge, d.score)).collect();
    assert_eq!(dropped, vec![(3, s("92")), (2, s("75"))]);
    assert_eq!(total(&e), "90.46");
    assert_eq!(e.passed(), Some(true));
    assert!(!e.hold);
    assert_eq!(e.level(), None);

    let en = e.explain(&preset("s4-routine-assessment"), Lang::En);
    assert_eq!(
        en,
        vec![
            "Attendance: 100.00 × 10% = 10",
            "Daily inspections: 95.00 × 30% = 28.5",
            "On-site assessment: judge 4's mark 92 dropped (highest)",
            "On-site assessment: judge 3's mark 75 dropped (lowest)",
            "On-site assessment: mean of 5 kept marks = 86.6",
            "On-site assessment: 86.60 × 60% = 51.96",
            "Total: 90.46, rounded half-up to 2 decimals = 90.46",
            "Total 90.46 reaches the pass line 90: passed",
        ]
    );
    let zh = e.explain(&preset("s4-routine-assessment"), Lang::ZhCn);
    assert_eq!(zh[2], "现场考核：去掉评委4的最高分 92");
    assert_eq!(zh[7], "总分 90.46 达到合格线 90：合格");
}

#[test]
fn s4_routine_refuses_too_few_marks_and_escalates_within_the_year() {
    let six = routine(1, &["88", "90", "75", "92", "85", "79"]).map_err(|e| e.codes());
    assert_eq!(six.err(), Some(vec!["too-few-marks"]));
    let low = ["70", "70", "70", "70", "70", "70", "70"];
    let step = |n| routine(n, &low).ok().and_then(|e| e.consequence().cloned());
    assert_eq!(
        step(1).map(|s| (s.withhold_pay_percent, s.off_duty_days)),
        Some((10, 10))
    );
    assert_eq!(
        step(2).map(|s| (s.withhold_pay_percent, s.off_duty_days)),
        Some((20, 20))
    );
    assert_eq!(
        step(3).map(|s| s.hr_procedure),
        Some(HrProcedure::TransferOrTermination)
    );
}

#[test]
fn s2_review_uses_our_pass_line_of_60() {
    let scheme = preset("s2-skill-review");
    let e = |q, k| {
        eval(
            &scheme,
            &Inputs::new().score("quality", s(q)).score("skill", s(k)),
        )
    };
    assert_eq!(e("60", "60").passed(), Some(true));
    // 35 + 24 = 59
    let fail = e("50", "80");
    assert_eq!(
        (total(&fail).as_str(), fail.passed()),
        ("59.00", Some(false))
    );
    assert!(fail.consequence().is_none(), "no ladder in S2");
}

/// A scheme with the given weights (basis points) over components `c1`, `c2`, …
fn scheme_with(weights: &[u32], decimals: u8, bands: &[u32]) -> Scheme {
    let components = weights
        .iter()
        .enumerate()
        .map(|(i, bp)| ComponentDocument {
            key: format!("c{}", i + 1),
            labels: Labels::new("分项", "Part"),
            weight: Weight::from_basis_points(*bp).map_or(NumberText("x".into()), Into::into),
            source: SourceKind::Exam,
            panel: None,
        })
        .collect();
    let bands = bands
        .iter()
        .enumerate()
        .map(|(i, min)| BandDocument {
            key: format!("b{}", i + 1),
            labels: Labels::new("等级", "Band"),
            min: NumberText(min.to_string()),
        })
        .collect();
    let doc = SchemeDocument {
        key: "test".into(),
        version: 1,
        labels: Labels::new("测试", "Test"),
        pass_line: NumberText("60".into()),
        rounding: Rounding {
            decimals,
            mode: RoundingMode::HalfUp,
        },
        prerequisites: Prerequisites::default(),
        certificate: None,
        components,
        bands,
        ladder: vec![],
    };
    match Scheme::from_document(doc) {
        Ok(scheme) => scheme,
        Err(e) => panic!("{e}"),
    }
}

fn halves(decimals: u8, a: &str, b: &str) -> String {
    let e = eval(
        &scheme_with(&[5000, 5000], decimals, &[]),
        &Inputs::new().score("c1", s(a)).score("c2", s(b)),
    );
    total(&e)
}

#[test]
fn the_total_is_rounded_half_up_once() {
    assert_eq!(halves(2, "85.25", "85"), "85.13"); // 85.125
    assert_eq!(halves(2, "85.23", "85"), "85.12"); // 85.115
    assert_eq!(halves(2, "0.01", "0"), "0.01"); // 0.005
    assert_eq!(halves(1, "84.5", "84.4"), "84.5"); // 84.45
    assert_eq!(halves(1, "84.4", "84.4"), "84.4");
    assert_eq!(halves(0, "85", "84"), "85"); // 84.5
    // 12.5% × 0.04 = 0.005 and 87.5% × 0 → 0.01
    let e = eval(
        &scheme_with(&[1250, 8750], 2, &[]),
        &Inputs::new().score("c1", s("0.04")).score("c2", s("0")),
    );
    assert_eq!(total(&e), "0.01");
}

#[test]
fn component_scores_are_rounded_to_what_is_shown() {
    // At 0 decimals 84.5 is shown as 85 and the total uses 85, not 84.5.
    let scheme = scheme_with(&[5000, 5000], 0, &[]);
    let e = eval(
        &scheme,
        &Inputs::new().score("c1", s("84.5")).score("c2", s("84.4")),
    );
    assert_eq!(e.component("c1").and_then(|c| c.score), Some(s("85")));
    assert_eq!(e.component("c2").and_then(|c| c.score), Some(s("84")));
    assert_eq!(total(&e), "85"); // 84.5 → 85
    assert!(e.lines.contains(&Line::Rounded {
        component: "c1".into(),
        from: s("84.5"),
        to: s("85"),
    }));
}

#[test]
fn missing_components_make_the_evaluation_incomplete() {
    let e = eval(
        &preset("s1-certification"),
        &Inputs::new().score("theory", s("90")),
    );
    assert_eq!(
        e.status,
        Status::Incomplete {
            missing: vec!["practical".into(), "daily".into()]
        }
    );
    assert_eq!((e.total(), e.passed(), e.level()), (None, None, None));
    let zh = e.explain(&preset("s1-certification"), Lang::ZhCn);
    assert_eq!(
        zh.last().map(String::as_str),
        Some("成绩不完整，缺少：实操考核、日常表现")
    );
}

#[test]
fn unusable_inputs_are_all_reported() {
    let inputs = Inputs::new()
        .attempt(0)
        .score("theory", s("90"))
        .score("practical", s("90"))
        .marks("daily", marks(&["90"]))
        .score("bonus", s("5"));
    let err = preset("s1-certification")
        .evaluate(&inputs)
        .map_err(|e| e.codes());
    assert_eq!(
        err.err(),
        Some(vec![
            "attempt-zero",
            "unknown-component",
            "wrong-input",
            "wrong-input"
        ])
    );
}

const PER_ITEM: &str = r#"
key = "rubric"
version = 1
labels = { zh-CN = "评分表", en = "Rubric" }
pass_line = 60

[[components]]
key = "call"
labels = { zh-CN = "通话", en = "Call" }
weight = 100
source = "panel"

[components.panel]
min_marks = 3
drop_highest = 1
drop_lowest = 1
trim = "per_item"
divergence_tolerance = 5
"#;

#[test]
fn per_item_panels_trim_each_item_and_hold_divergent_ones() {
    let scheme = parse(PER_ITEM);
    // Items out of 30 and 70; item 2 keeps 55 from judge 3, item 1 keeps 20 from judge 2.
    let rows = vec![
        marks(&["10", "60"]),
        marks(&["20", "50"]),
        marks(&["30", "55"]),
    ];
    let e = eval(&scheme, &Inputs::new().item_marks("call", rows));
    assert_eq!(total(&e), "75.00");
    assert!(!e.hold);
    // Five judges; item 1 keeps 10, 20, 30 → spread 20 > 5: held.
    let rows = vec![
        marks(&["0", "60"]),
        marks(&["10", "60"]),
        marks(&["20", "60"]),
        marks(&["30", "60"]),
        marks(&["40", "60"]),
    ];
    let e = eval(&scheme, &Inputs::new().item_marks("call", rows));
    assert_eq!(total(&e), "80.00");
    assert!(e.hold);
    assert_eq!(e.lines.last(), Some(&Line::Hold));
    let flat = scheme.evaluate(&Inputs::new().marks("call", marks(&["1", "2", "3"])));
    assert_eq!(flat.map_err(|e| e.codes()).err(), Some(vec!["wrong-input"]));
}

const VALID: &str = r#"
key = "x"
version = 1
labels = { zh-CN = "测试", en = "Test" }
pass_line = 60

[[components]]
key = "a"
labels = { zh-CN = "甲", en = "A" }
weight = 40
source = "exam"

[[components]]
key = "b"
labels = { zh-CN = "乙", en = "B" }
weight = 60
source = "panel"

[components.panel]
min_marks = 3
drop_highest = 1
drop_lowest = 1

[[bands]]
key = "low"
labels = { zh-CN = "低", en = "Low" }
min = 60

[[bands]]
key = "high"
labels = { zh-CN = "高", en = "High" }
min = 80
"#;

fn variant(from: &str, to: &str) -> Vec<&'static str> {
    assert!(VALID.contains(from), "{from}");
    codes(&VALID.replacen(from, to, 1))
}

#[test]
fn validation_names_each_rule() {
    assert_eq!(codes(VALID), Vec::<&str>::new());
    assert_eq!(variant("weight = 40", "weight = 30"), ["weights-not-100"]);
    assert_eq!(variant("weight = 40", "weight = 50"), ["weights-not-100"]);
    assert_eq!(
        variant("weight = 40", "weight = 0"),
        ["weight-out-of-range"]
    );
    assert_eq!(
        variant("weight = 40", "weight = 140"),
        ["weight-out-of-range"]
    );
    assert_eq!(
        variant("weight = 40", "weight = -40"),
        ["weight-out-of-range"]
    );
    assert_eq!(
        variant("weight = 40", "weight = \"forty\""),
        ["not-a-number"]
    );
    assert_eq!(
        variant("weight = 40", "weight = 39.995"),
        ["too-many-decimals"]
    );
    assert_eq!(
        variant("key = \"b\"", "key = \"a\""),
        ["duplicate-component"]
    );
    assert_eq!(variant("key = \"b\"", "key = \"total\""), ["reserved-key"]);
    assert_eq!(variant("key = \"b\"", "key = \"B c\""), ["bad-key"]);
    assert_eq!(variant("min = 80", "min = 50"), ["bands-unsorted"]);
    assert_eq!(variant("min = 80", "min = 60"), ["bands-overlap"]);
    assert_eq!(variant("min = 80", "min = 120"), ["band-out-of-range"]);
    assert_eq!(
        variant("key = \"high\"", "key = \"low\""),
        ["duplicate-band"]
    );
    assert_eq!(
        variant("pass_line = 60", "pass_line = 101"),
        ["pass-out-of-range"]
    );
    assert_eq!(
        variant("pass_line = 60", "pass_line = -5"),
        ["pass-out-of-range"]
    );
    assert_eq!(
        variant("min_marks = 3", "min_marks = 2"),
        ["panel-trim-too-many"]
    );
    assert_eq!(
        variant("source = \"panel\"", "source = \"exam\""),
        ["panel-policy-not-panel"]
    );
    assert_eq!(variant("version = 1", "version = 0"), ["version-zero"]);
    assert_eq!(variant("en = \"Test\"", "en = \"  \""), ["required"]);
    assert_eq!(
        variant(
            "pass_line = 60",
            "pass_line = 60\nrounding = { decimals = 3 }"
        ),
        ["decimals-out-of-range"]
    );
    assert_eq!(
        variant("source = \"exam\"", "source = \"guess\""),
        ["syntax"]
    );
    assert_eq!(
        variant("pass_line = 60", "pass_line = 60\npassline = 60"),
        ["syntax"]
    );
}

#[test]
fn validation_collects_every_error_with_its_field() {
    let src = VALID
        .replacen("weight = 40", "weight = 140", 1)
        .replacen("min = 80", "min = 50", 1)
        .replacen("pass_line = 60", "pass_line = 100.5", 1)
        .replacen("min_marks = 3", "min_marks = 1", 1);
    let Err(errors) = Scheme::parse_toml(&src) else {
        panic!("invalid scheme accepted")
    };
    let fields: Vec<(&str, &str)> = errors
        .0
        .iter()
        .map(|e| (e.field.as_str(), e.code()))
        .collect();
    assert_eq!(
        fields,
        [
            ("pass_line", "pass-out-of-range"),
            ("components[1].weight", "weight-out-of-range"),
            ("components[2].panel.min_marks", "panel-trim-too-many"),
            ("bands[2].min", "bands-unsorted"),
        ]
    );
    let message = errors.to_string();
    assert!(
        message.contains("min_marks (1) must exceed the marks dropped (2)"),
        "{message}"
    );
    let sum = Scheme::parse_toml(&VALID.replacen("weight = 40", "weight = 50.5", 1));
    assert_eq!(
        sum.map_err(|e| e.to_string()).err().as_deref(),
        Some("components: weights add up to 110.5%, they must add up to exactly 100%")
    );
}

#[test]
fn certificate_and_prerequisite_rules() {
    let with = |extra: &str| {
        codes(&VALID.replacen("pass_line = 60", &format!("pass_line = 60\n{extra}"), 1))
    };
    let cert = |months: u32, lead: u32, format: &str| {
        with(&format!(
            "certificate = {{ validity_months = {months}, \
             reevaluation_lead_months = {lead}, number_format = \"{format}\" }}"
        ))
    };
    assert_eq!(cert(12, 1, "CS{year}{seq:03}"), Vec::<&str>::new());
    assert_eq!(cert(12, 1, "CS-{seq}"), Vec::<&str>::new());
    assert_eq!(cert(0, 0, "CS{seq}"), ["validity-zero"]);
    assert_eq!(cert(12, 12, "CS{seq}"), ["lead-too-long"]);
    for bad in [
        "CS{year}",
        "CS{seq}{seq}",
        "CS{yr}{seq}",
        "CS{seq",
        "C S{seq}",
        "CS{seq:3}",
    ] {
        assert_eq!(cert(12, 1, bad), ["number-format"], "{bad}");
    }
    assert_eq!(
        with("prerequisites = { level_held = \"high\", training_hours = 8 }"),
        Vec::<&str>::new()
    );
    assert_eq!(
        with("prerequisites = { level_held = \"top\" }"),
        ["unknown-level"]
    );
    assert_eq!(
        with("prerequisites = { completed_plans = [\"Plan A\"] }"),
        ["bad-key"]
    );
}

#[test]
fn schemes_survive_a_round_trip() -> Result<(), serde_json::Error> {
    for scheme in presets::all() {
        let again = Scheme::from_document(scheme.to_document()).map_err(|e| e.to_string());
        assert_eq!(again.as_ref(), Ok(&scheme));
        let json = serde_json::to_string(&scheme)?;
        let back: Scheme = serde_json::from_str(&json)?;
        assert_eq!(back, scheme);
    }
    let json = serde_json::to_value(eval(
        &preset("s2-skill-review"),
        &Inputs::new()
            .score("quality", s("85.25"))
            .score("skill", s("90")),
    ))?;
    assert_eq!(json["status"]["status"], "complete");
    assert_eq!(json["status"]["exact_total"], "86.675");
    assert_eq!(json["status"]["total"], 86.68);
    Ok(())
}

#[test]
fn inputs_read_from_json() -> Result<(), serde_json::Error> {
    let inputs: Inputs = serde_json::from_str(
        r#"{"attempt": 2, "values": {"attendance": 100, "inspection": "95",
            "onsite": [88, 90, 75, 92, 85, 79, 91]}}"#,
    )?;
    assert_eq!(inputs.attempt, 2);
    assert_eq!(
        eval(&preset("s4-routine-assessment"), &inputs).total(),
        Some(s("90.46"))
    );
    Ok(())
}

// ---- properties ----------------------------------------------------------------------

/// Between 1 and 5 positive weights in basis points that add up to exactly 100%.
fn arb_weights() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(1u32..=1000, 1..=5).prop_map(|parts| {
        let sum: u32 = parts.iter().sum();
        let mut bp: Vec<u32> = parts.iter().map(|p| p * 10_000 / sum).collect();
        let rest = 10_000 - bp.iter().sum::<u32>();
        bp[0] += rest;
        bp
    })
}

fn arb_score() -> impl Strategy<Value = Score> {
    (0u32..=10_000).prop_map(|h| Score::from_hundredths(h).unwrap_or_default())
}

fn arb_case() -> impl Strategy<Value = (Vec<u32>, u8, Vec<Score>)> {
    (arb_weights(), 0u8..=2).prop_flat_map(|(w, d)| {
        let n = w.len();
        (Just(w), Just(d), prop::collection::vec(arb_score(), n))
    })
}

fn inputs_for(scores: &[Score]) -> Inputs {
    scores.iter().enumerate().fold(Inputs::new(), |i, (k, s)| {
        i.score(&format!("c{}", k + 1), *s)
    })
}

fn raise(score: Score, by: u32) -> Score {
    Score::from_hundredths((score.hundredths() + by).min(10_000)).unwrap_or(Score::MAX)
}

fn routine_inputs(onsite: Vec<Score>) -> Inputs {
    Inputs::new()
        .score("attendance", Score::MAX)
        .score("inspection", Score::MAX)
        .marks("onsite", onsite)
}

proptest! {
    #[test]
    fn total_lies_between_the_lowest_and_highest_component((w, d, scores) in arb_case()) {
        let e = eval(&scheme_with(&w, d, &[]), &inputs_for(&scores));
        // Shown scores in millionths, the unit of the exact total.
        let shown = || {
            e.components
                .iter()
                .filter_map(|c| c.score)
                .map(|s| u64::from(s.hundredths()) * 10_000)
        };
        let exact = e.verdict().map(|v| v.exact_total.millionths());
        let (lo, hi) = (shown().min(), shown().max());
        prop_assert!(lo <= exact && exact <= hi, "{lo:?} <= {exact:?} <= {hi:?}");
        prop_assert!(e.total().is_some_and(|t| t <= Score::MAX));
    }

    #[test]
    fn raising_a_component_never_lowers_total_or_level(
        (w, d, scores) in arb_case(),
        which in any::<prop::sample::Index>(),
        up in 0u32..=10_000,
    ) {
        let scheme = scheme_with(&w, d, &[60, 70, 80]);
        let i = which.index(scores.len());
        let mut raised = scores.clone();
        raised[i] = raise(scores[i], up);
        let before = eval(&scheme, &inputs_for(&scores));
        let after = eval(&scheme, &inputs_for(&raised));
        prop_assert!(after.total() >= before.total());
        // Band keys b1 < b2 < b3 sort like the bands, and no band sorts lowest.
        prop_assert!(after.level() >= before.level());
        prop_assert!(after.passed() >= before.passed());
    }

    #[test]
    fn full_marks_give_exactly_100((w, d, _) in arb_case()) {
        let full = vec![Score::MAX; w.len()];
        let e = eval(&scheme_with(&w, d, &[]), &inputs_for(&full));
        prop_assert_eq!(e.total(), Some(Score::MAX));
    }

    #[test]
    fn the_order_of_panel_marks_never_matters(
        (marks, shuffled) in prop::collection::vec(arb_score(), 7..10)
            .prop_flat_map(|m| (Just(m.clone()), Just(m).prop_shuffle())),
    ) {
        let scheme = preset("s4-routine-assessment");
        let before = eval(&scheme, &routine_inputs(marks));
        let after = eval(&scheme, &routine_inputs(shuffled));
        prop_assert_eq!(before.total(), after.total());
        prop_assert_eq!(before.hold, after.hold);
    }
}
