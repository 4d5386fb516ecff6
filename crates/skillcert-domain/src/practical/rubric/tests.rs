//! The S4 sheet, every validation rule, N/A policies, critical effects and the invariants
//! of scoring.

use proptest::prelude::*;

use super::*;

fn s4() -> Rubric {
    match preset("s4-call-scoring").map(Rubric::parse_toml) {
        Some(Ok(r)) => r,
        Some(Err(e)) => panic!("{e}"),
        None => panic!("no preset"),
    }
}

fn parse(src: &str) -> Rubric {
    match Rubric::parse_toml(src) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

fn errors(src: &str) -> Vec<(String, &'static str)> {
    match Rubric::parse_toml(src) {
        Ok(_) => vec![],
        Err(e) => e.0.iter().map(|e| (e.field.clone(), e.code())).collect(),
    }
}

fn sheet(marks: &[(&str, ItemMark)]) -> SheetMarks {
    SheetMarks {
        items: marks.iter().map(|(k, m)| (k.to_string(), *m)).collect(),
        texts: BTreeMap::new(),
    }
}

/// Every item of `r` at its maximum, with `over` replacing some marks.
fn full(r: &Rubric, over: &[(&str, ItemMark)]) -> SheetMarks {
    let mut m = SheetMarks::default();
    for it in r.items() {
        m.items.insert(it.key.clone(), ItemMark::Points(it.max));
    }
    for (k, v) in over {
        m.items.insert(k.to_string(), *v);
    }
    m
}

fn score(r: &Rubric, m: &SheetMarks) -> SheetScore {
    match r.score_sheet(m) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

const P: fn(u32) -> ItemMark = ItemMark::Points;
const NA: ItemMark = ItemMark::NotApplicable;

/// Two sections: `a` (items x: 0–4 and y: 0–6, y may be N/A) and `b` (item z: 0–10),
/// with `crit` added to item x.
fn fixture(not_applicable: &str, crit: &str) -> String {
    format!(
        r#"
key = "fixture"
version = 1
labels = {{ zh-CN = "测试", en = "Fixture" }}
not_applicable = "{not_applicable}"
[[sections]]
key = "a"
labels = {{ zh-CN = "甲", en = "A" }}
[[sections.items]]
key = "x"
labels = {{ zh-CN = "x", en = "x" }}
max = 4
{crit}
[[sections.items.bands]]
min = 0
max = 4
labels = {{ zh-CN = "任意", en = "any" }}
[[sections.items]]
key = "y"
labels = {{ zh-CN = "y", en = "y" }}
max = 6
allow_na = true
[[sections.items.bands]]
min = 0
max = 6
labels = {{ zh-CN = "任意", en = "any" }}
[[sections]]
key = "b"
labels = {{ zh-CN = "乙", en = "B" }}
[[sections.items]]
key = "z"
labels = {{ zh-CN = "z", en = "z" }}
max = 10
[[sections.items.bands]]
min = 0
max = 10
labels = {{ zh-CN = "任意", en = "any" }}
[[free_text]]
key = "note"
labels = {{ zh-CN = "备注", en = "Note" }}
required = true
"#
    )
}

fn with_note(mut m: SheetMarks) -> SheetMarks {
    m.texts.insert("note".into(), "ok".into());
    m
}

#[test]
fn preset_maxima_follow_the_seed() {
    let r = s4();
    assert_eq!(r.key(), "s4-call-scoring");
    assert_eq!(r.max_points(), 100);
    let maxima: Vec<u32> = r.sections().iter().map(|s| s.max).collect();
    assert_eq!(maxima, [10, 15, 5, 10, 15, 15, 30]);
    assert_eq!(r.items().count(), 12);
    assert!(
        r.items()
            .all(|it| it.critical.is_none() && it.skill.is_some())
    );
    let texts: Vec<&str> = r.free_text().iter().map(|t| t.key.as_str()).collect();
    assert_eq!(
        texts,
        [
            "main-problems",
            "improvement-suggestions",
            "overall-evaluation"
        ]
    );
    assert_eq!(presets().len(), PRESETS.len());
    assert!(preset("nope").is_none());
}

#[test]
fn allowed_values_are_what_the_bands_cover() {
    let r = s4();
    let allowed = |k: &str| r.item(k).map(Item::allowed_values).unwrap_or_default();
    assert_eq!(allowed("answer-rings"), [0, 2]);
    assert_eq!(allowed("hang-up-after"), [0, 2]);
    assert_eq!(allowed("speech-clarity"), [1, 2]);
    assert_eq!(allowed("opening-phrase"), [0, 1, 2]);
    assert_eq!(allowed("pronunciation-pace"), [0, 2, 3, 4, 5]);
    assert_eq!(allowed("attitude"), (0..=10).collect::<Vec<_>>());
    assert_eq!(allowed("problem-handling"), (0..=30).collect::<Vec<_>>());
}

#[test]
fn every_band_of_every_item_is_reachable() {
    let r = s4();
    for it in r.items() {
        for (i, band) in it.bands.iter().enumerate() {
            let v = (0..=it.max).find(|v| band.contains(*v) && it.allows(*v));
            let Some(v) = v else {
                panic!("{} band {i} unreachable", it.key)
            };
            let got = score(&r, &full(&r, &[(&it.key, P(v))]));
            let item = got.items.iter().find(|s| s.key == it.key);
            assert_eq!(item.and_then(|s| s.band), Some(i), "{} {v}", it.key);
        }
    }
}

#[test]
fn a_full_sheet_scores_100_and_the_seed_example_adds_up() {
    let r = s4();
    let best = score(&r, &full(&r, &[]));
    assert_eq!(best.total, Score::MAX);
    assert_eq!((best.earned, best.applicable_max), (10_000, 100));
    let m = full(
        &r,
        &[
            ("answer-rings", P(0)),
            ("speech-clarity", P(1)),
            ("attitude", P(8)),
            ("problem-handling", P(18)),
        ],
    );
    let got = score(&r, &m);
    assert_eq!(got.earned, (100 - 2 - 1 - 2 - 12) * 100);
    assert_eq!(got.total.to_string(), "83");
    assert_eq!(got.sections[0].earned, 700);
    assert!(got.critical_failures.is_empty());
}

#[test]
fn sheet_errors_name_every_problem() {
    let r = s4();
    let mut m = full(&r, &[("answer-rings", P(1)), ("attitude", NA)]);
    m.items.remove("listening");
    m.items.insert("bogus".into(), P(1));
    m.texts.insert("nope".into(), "x".into());
    m.texts
        .insert("main-problems".into(), "长".repeat(TEXT_MAX + 1));
    let Err(e) = r.score_sheet(&m) else {
        panic!("accepted")
    };
    let got: Vec<(&str, &str)> = e.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(
        got,
        [
            ("items.answer-rings", "sheet-value-not-allowed"),
            ("items.attitude", "sheet-na-not-allowed"),
            ("items.bogus", "sheet-unknown-item"),
            ("texts.main-problems", "sheet-text-too-long"),
            ("texts.nope", "sheet-unknown-text"),
            ("items.listening", "sheet-missing-item"),
        ]
    );
    assert_eq!(e.0[0].detail, "allowed: 0, 2");
    let fx = parse(&fixture("remove", ""));
    let Err(e) = fx.score_sheet(&full(&fx, &[])) else {
        panic!("accepted")
    };
    assert_eq!(e.codes(), ["sheet-text-required"]);
    assert_eq!(e.0[0].field, "texts.note");
}

#[test]
fn drafts_check_only_what_is_there() {
    let r = s4();
    assert_eq!(r.check_draft(&SheetMarks::default()), Ok(()));
    assert_eq!(r.check_draft(&sheet(&[("attitude", P(7))])), Ok(()));
    let Err(e) = r.check_draft(&sheet(&[("speech-clarity", P(0)), ("x", P(1))])) else {
        panic!("accepted")
    };
    assert_eq!(e.codes(), ["sheet-value-not-allowed", "sheet-unknown-item"]);
}

#[test]
fn marks_read_numbers_and_na_from_json() -> Result<(), serde_json::Error> {
    let m: SheetMarks =
        serde_json::from_str(r#"{"items":{"a":2,"b":"na"},"texts":{"main-problems":"x"}}"#)?;
    assert_eq!(m.items.get("a"), Some(&P(2)));
    assert_eq!(m.items.get("b"), Some(&NA));
    assert_eq!(
        serde_json::to_string(&m)?,
        r#"{"items":{"a":2,"b":"na"},"texts":{"main-problems":"x"}}"#
    );
    assert!(serde_json::from_str::<SheetMarks>(r#"{"items":{"a":-1}}"#).is_err());
    assert!(serde_json::from_str::<SheetMarks>(r#"{"items":{"a":1.5}}"#).is_err());
    assert!(serde_json::from_str::<SheetMarks>(r#"{"items":{"a":"x"}}"#).is_err());
    Ok(())
}

#[test]
fn na_removed_leaves_the_maximum() {
    let r = parse(&fixture("remove", ""));
    let got = score(&r, &with_note(full(&r, &[("y", NA), ("z", P(5))])));
    assert_eq!(got.applicable_max, 14);
    assert_eq!(got.earned, 900);
    assert_eq!(got.total.to_string(), "64.29");
    assert_eq!(got.sections[0].max, 4);
    assert_eq!(got.items[1].value, None);
}

#[test]
fn na_counted_as_met_earns_the_maximum() {
    let r = parse(&fixture("count_as_met", ""));
    let got = score(&r, &with_note(full(&r, &[("y", NA), ("z", P(5))])));
    assert_eq!(got.applicable_max, 20);
    assert_eq!(got.earned, 1500);
    assert_eq!(got.total.to_string(), "75");
}

#[test]
fn critical_effects() {
    let case = |crit: &str, x: u32| {
        let r = parse(&fixture("remove", crit));
        score(&r, &with_note(full(&r, &[("x", P(x)), ("z", P(8))])))
    };
    let zs = r#"critical = { fail_below = 2, effect = "zero_section" }"#;
    let got = case(zs, 1);
    assert_eq!(got.critical_failures, ["x"]);
    assert_eq!(got.sections[0].earned, 0);
    assert_eq!(got.sections[0].capped, Some(CriticalEffect::ZeroSection));
    assert_eq!((got.earned, got.total.to_string()), (800, "40".into()));
    let passed = case(zs, 2);
    assert!(passed.critical_failures.is_empty());
    assert_eq!(passed.earned, 1600);

    let got = case(r#"critical = { fail_below = 2, effect = "zero_total" }"#, 1);
    assert_eq!((got.earned, got.total), (0, Score::ZERO));
    assert_eq!(got.total_capped, Some(CriticalEffect::ZeroTotal));
    assert_eq!(got.sections[0].capped, None);

    let cs = r#"critical = { fail_below = 2, effect = "cap_section", cap = 3 }"#;
    let got = case(cs, 1);
    assert_eq!(got.sections[0].earned, 300);
    assert_eq!(got.sections[0].capped, Some(CriticalEffect::CapSection));
    assert_eq!(got.earned, 1100);

    let got = case(
        r#"critical = { fail_below = 2, effect = "cap_total", cap = 5 }"#,
        1,
    );
    assert_eq!((got.earned, got.total.to_string()), (500, "25".into()));
    assert_eq!(got.total_capped, Some(CriticalEffect::CapTotal));

    // Aggregated values fail the same way: a mean of 1.5 is below 2.
    let r = parse(&fixture("remove", zs));
    let values: BTreeMap<String, Option<u32>> =
        [("x".to_string(), Some(150)), ("z".to_string(), Some(800))].into();
    let got = r.score_values(&values);
    assert_eq!(got.critical_failures, ["x"]);
    assert_eq!(got.applicable_max, 14);
    assert_eq!(got.items[0].band, None);
}

const MINI: &str = r#"
key = "mini"
version = 1
labels = { zh-CN = "小", en = "Mini" }
"#;

fn mini(body: &str) -> Vec<(String, &'static str)> {
    errors(&format!("{MINI}{body}"))
}

#[test]
fn every_validation_code_is_triggered() {
    let item = |max: u32, bands: &str, extra: &str| {
        format!(
            "[[sections]]\nkey = \"s\"\nlabels = {{ zh-CN = \"s\", en = \"s\" }}\n\
             [[sections.items]]\nkey = \"i\"\nlabels = {{ zh-CN = \"i\", en = \"i\" }}\n\
             max = {max}\n{extra}\n{bands}"
        )
    };
    let band = |min: u32, max: u32| {
        format!(
            "[[sections.items.bands]]\nmin = {min}\nmax = {max}\n\
             labels = {{ zh-CN = \"b\", en = \"b\" }}\n"
        )
    };
    let f = |s: &str| s.to_string();
    let b01 = band(0, 1);
    assert_eq!(mini(&item(1, &b01, "")), vec![]);
    assert_eq!(errors("key = 1"), [(f("document"), "syntax")]);
    assert_eq!(
        errors(&format!(
            "key = \"Bad\"\nversion = 0\nlabels = {{ zh-CN = \"\", en = \"{}\" }}\n{}",
            "x".repeat(101),
            item(1, &b01, "")
        )),
        [
            (f("key"), "bad-key"),
            (f("version"), "version-zero"),
            (f("labels.zh-CN"), "required"),
            (f("labels.en"), "too-long"),
        ]
    );
    assert_eq!(mini("sections = []"), [(f("sections"), "no-sections")]);
    assert_eq!(
        mini("[[sections]]\nkey = \"s\"\nlabels = { zh-CN = \"s\", en = \"s\" }\nitems = []\n"),
        [(f("sections[1].items"), "no-items")]
    );
    let twice = format!("{}{}", item(1, &b01, ""), item(1, &b01, ""));
    assert_eq!(
        mini(&twice),
        [
            (f("sections[2].key"), "duplicate-section"),
            (f("sections[2].items[1].key"), "duplicate-item"),
        ]
    );
    assert_eq!(
        mini(&item(0, &band(0, 0), "")),
        [(f("sections[1].items[1].max"), "item-max-zero")]
    );
    assert_eq!(
        mini(&item(1, "bands = []", "")),
        [(f("sections[1].items[1].bands"), "no-bands")]
    );
    assert_eq!(
        mini(&item(1, &format!("{b01}{}", band(1, 0)), "")),
        [(f("sections[1].items[1].bands[2].min"), "band-inverted")]
    );
    assert_eq!(
        mini(&item(1, &band(0, 2), "")),
        [
            (f("sections[1].items[1].bands[1].max"), "band-out-of-range"),
            (f("sections[1].items[1].bands"), "max-not-reached"),
        ]
    );
    assert_eq!(
        mini(&item(2, &format!("{b01}{}", band(1, 2)), "")),
        [(f("sections[1].items[1].bands[2]"), "bands-overlap")]
    );
    assert_eq!(
        mini(&item(2, &b01, "")),
        [(f("sections[1].items[1].bands"), "max-not-reached")]
    );
    assert_eq!(
        mini(&item(1, &b01, "skill = \"Bad Skill\"")),
        [(f("sections[1].items[1].skill"), "bad-key")]
    );
    let with_max = item(1, &b01, "").replace("key = \"s\"\n", "key = \"s\"\nmax = 3\n");
    assert_eq!(
        mini(&with_max),
        [(f("sections[1].max"), "section-max-mismatch")]
    );
    let crit = |c: &str| mini(&item(1, &b01, &format!("critical = {{ {c} }}")));
    let at = |s: &str| f(&format!("sections[1].items[1].critical.{s}"));
    assert_eq!(
        crit("fail_below = 0, effect = \"zero_total\""),
        [(at("fail_below"), "fail-below-out-of-range")]
    );
    assert_eq!(
        crit("fail_below = 2, effect = \"zero_total\""),
        [(at("fail_below"), "fail-below-out-of-range")]
    );
    assert_eq!(
        crit("fail_below = 1, effect = \"cap_total\""),
        [(at("cap"), "cap-missing")]
    );
    assert_eq!(
        crit("fail_below = 1, effect = \"zero_section\", cap = 0"),
        [(at("cap"), "cap-not-allowed")]
    );
    assert_eq!(
        crit("fail_below = 1, effect = \"cap_section\", cap = 1"),
        [(at("cap"), "cap-too-high")]
    );
    assert_eq!(
        crit("fail_below = 1, effect = \"cap_section\", cap = 0"),
        vec![]
    );
    let text = "[[free_text]]\nkey = \"t\"\nlabels = { zh-CN = \"t\", en = \"t\" }\n";
    assert_eq!(
        mini(&format!("{}{text}{text}", item(1, &b01, ""))),
        [(f("free_text[2].key"), "duplicate-text")]
    );
    let long_band = band(0, 1).replace("en = \"b\"", &format!("en = \"{}\"", "b".repeat(301)));
    assert_eq!(
        mini(&item(1, &long_band, "")),
        [(f("sections[1].items[1].bands[1].labels.en"), "too-long")]
    );
}

#[test]
fn the_document_round_trips() -> Result<(), serde_json::Error> {
    let r = s4();
    let doc: RubricDocument = serde_json::from_str(&serde_json::to_string(&r)?)?;
    assert_eq!(Rubric::from_document(&doc), Ok(r));
    Ok(())
}

fn s4_marks() -> impl Strategy<Value = Vec<u32>> {
    let r = s4();
    let per_item: Vec<_> = r
        .items()
        .map(|it| proptest::sample::select(it.allowed_values()))
        .collect();
    per_item
}

fn marks_of(r: &Rubric, values: &[u32]) -> SheetMarks {
    let mut m = SheetMarks::default();
    for (it, v) in r.items().zip(values) {
        m.items.insert(it.key.clone(), P(*v));
    }
    m
}

proptest! {
    #[test]
    fn total_is_within_0_and_100(values in s4_marks()) {
        let r = s4();
        let got = score(&r, &marks_of(&r, &values));
        prop_assert!(got.total <= Score::MAX);
        let sum: u32 = values.iter().sum();
        prop_assert_eq!(got.earned, u64::from(sum) * 100);
        prop_assert_eq!(got.total.hundredths(), sum * 100);
    }

    #[test]
    fn total_is_monotone_in_each_item(values in s4_marks(), which in 0usize..12) {
        let r = s4();
        let base = score(&r, &marks_of(&r, &values)).total;
        let Some(it) = r.items().nth(which) else { return Ok(()) };
        for v in it.allowed_values().into_iter().filter(|v| *v > values[which]) {
            let mut higher = values.clone();
            higher[which] = v;
            prop_assert!(score(&r, &marks_of(&r, &higher)).total >= base);
        }
    }

    #[test]
    fn score_values_agrees_with_score_sheet(
        values in s4_marks(),
        na in proptest::collection::vec(any::<bool>(), 3),
        met in any::<bool>(),
    ) {
        // The fixture adds N/A and a critical item to the S4 check.
        let policy = if met { "count_as_met" } else { "remove" };
        let fx = parse(&fixture(policy, r#"critical = { fail_below = 2, effect = "cap_total", cap = 5 }"#));
        let fx_marks: Vec<ItemMark> = (0..3)
            .map(|i| if na[i] && i == 1 { NA } else { P(values[i] % 5) })
            .collect();
        for (r, m) in [
            (s4(), marks_of(&s4(), &values)),
            (fx.clone(), with_note(sheet(&[("x", fx_marks[0]), ("y", fx_marks[1]), ("z", fx_marks[2])]))),
        ] {
            let sheet_score = score(&r, &m);
            let hundredths = m
                .items
                .iter()
                .map(|(k, v)| (k.clone(), match v { ItemMark::Points(p) => Some(p * 100), ItemMark::NotApplicable => None }))
                .collect();
            prop_assert_eq!(r.score_values(&hundredths), sheet_score);
        }
    }

    #[test]
    fn aggregated_values_stay_within_0_and_100(values in proptest::collection::vec(0u32..5000, 12)) {
        let r = s4();
        let map = r.items().zip(&values).map(|(it, v)| (it.key.clone(), Some(*v))).collect();
        let got = r.score_values(&map);
        prop_assert!(got.total <= Score::MAX);
    }
}
