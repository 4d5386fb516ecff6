//! The question bank and papers end to end: the API and the pages, versions, search, import
//! and export, papers with their check and preview, and who may see any of it.

use axum::http::StatusCode;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};
use skillcert_app::exams::bank::{IMPORT_ISSUE_CODES, PaperIssue};
use skillcert_domain::exam::question::QuestionType;
use skillcert_domain::exam::skills::SkillGroup;
use skillcert_reports::questions::QUESTION_COLUMNS;
use skillcert_web::i18n::{Lang, has, t as tr};

use crate::helpers::*;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn single(code: &str, stem: &str) -> Value {
    json!({
        "code": code,
        "qtype": "single",
        "stem": stem,
        "options": ["耐心倾听", "立即解释", "转给主管"],
        "key": "A",
        "points": 2,
        "tags": ["listening", "complaint-process"],
        "difficulty": 2,
        "explanation": "先倾听。"
    })
}

async fn create(t: &TestApp, token: &str, body: Value) -> Value {
    let r = t
        .post("/api/v1/questions")
        .bearer(token)
        .json(&body)
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    r.json()
}

/// Field errors of a 422 as `(field, code)`.
fn fields(r: &Resp) -> Vec<(String, String)> {
    r.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test]
async fn each_type_is_created_through_the_api() {
    for t in TestApp::all().await {
        let token = t.api_login("lecturer").await;
        let s = create(&t, &token, single("API-S1", "客户来电投诉时，首先应当？")).await;
        assert_eq!(s["code"], "API-S1");
        assert_eq!(s["version"], 1);
        assert_eq!(s["qtype"], "single");
        assert_eq!(s["points"], 200, "hundredths in the row");
        assert_eq!(s["current"]["question"]["body"]["key"], 0);
        assert_eq!(s["history"].as_array().unwrap().len(), 1);

        let m = create(
            &t,
            &token,
            json!({
                "type": "多选",
                "stem": "以下哪些属于礼貌用语？",
                "options": ["您好", "请稍等", "不归我管", "谢谢"],
                "key": "D,A,b",
                "points": "3",
                "tags": "polite-phrases"
            }),
        )
        .await;
        assert_eq!(m["qtype"], "multiple");
        assert_eq!(
            m["current"]["question"]["body"]["key"],
            json!([0, 1, 3]),
            "sorted and distinct"
        );
        assert!(
            m["code"].as_str().unwrap().starts_with('Q'),
            "a generated code: {}",
            m["code"]
        );
        let tf = create(
            &t,
            &token,
            json!({"qtype": "true_false", "stem": "客户信息可以随意转发。", "key": false}),
        )
        .await;
        assert_eq!(tf["current"]["question"]["body"]["key"], false);
        assert_eq!(tf["points"], 100, "one point by default");
        let short = create(
            &t,
            &token,
            json!({
                "qtype": "short",
                "stem": "简述投诉处理步骤。",
                "key_points": ["倾听致歉", "确认问题", "提出方案"],
                "model_answer": "先倾听……",
                "points": 10,
                "difficulty": "4"
            }),
        )
        .await;
        assert_eq!(
            short["current"]["question"]["body"]["key_points"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_ne!(m["code"], short["code"], "generated codes differ");

        let id = s["id"].as_i64().unwrap();
        let r = t
            .get(&format!("/api/v1/questions/{id}"))
            .bearer(&token)
            .send()
            .await;
        r.expect(StatusCode::OK);
        assert_eq!(
            r.json()["current"]["question"]["stem"],
            "客户来电投诉时，首先应当？"
        );
        // Creating is audited in the same transaction.
        let admin = t.api_login("admin").await;
        let r = t
            .get(&format!(
                "/api/v1/audit?entity=question&entity_id={id}&action=question.create"
            ))
            .bearer(&admin)
            .send()
            .await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["total"], 1);
    }
}

#[tokio::test]
async fn each_type_is_created_through_the_page() {
    let t = TestApp::new().await;
    let s = t.web_login("lecturer").await;
    let form = t.get("/questions/new").session(&s).send().await;
    form.expect(StatusCode::OK);
    assert!(form.text().contains("name=\"_csrf\""));
    assert!(
        form.text().contains("value=\"listening\""),
        "skills to tick"
    );
    let cases: [&[(&str, &str)]; 4] = [
        &[
            ("code", "WEB-S"),
            ("qtype", "single"),
            ("stem", "页面单选题"),
            ("option_a", "甲"),
            ("option_b", "乙"),
            ("option_c", "丙"),
            ("key", "b"),
            ("points", "2"),
            ("difficulty", "2"),
            ("tags", "listening"),
            ("tags", "empathy"),
        ],
        &[
            ("code", "WEB-M"),
            ("qtype", "multiple"),
            ("stem", "页面多选题"),
            ("option_a", "甲"),
            ("option_b", "乙"),
            ("option_c", "丙"),
            ("option_d", "丁"),
            ("key", "AC"),
            ("points", "3"),
            ("difficulty", "3"),
        ],
        &[
            ("code", "WEB-T"),
            ("qtype", "true_false"),
            ("stem", "页面判断题"),
            ("key", "对"),
            ("points", "1"),
            ("difficulty", "1"),
        ],
        &[
            ("code", "WEB-Q"),
            ("qtype", "short"),
            ("stem", "页面简答题\n第二行"),
            ("key_points", "要点一\n要点二"),
            ("model_answer", "参考"),
            ("points", "10"),
            ("difficulty", "4"),
        ],
    ];
    for fields in cases {
        let mut all = fields.to_vec();
        all.push(("_csrf", s.csrf.as_str()));
        let r = t.post("/questions/new").session(&s).form(&all).send().await;
        assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
        let at = r.location().unwrap();
        assert!(at.ends_with("?done=created"), "{at}");
        let page = t.get(&at).session(&s).send().await;
        page.expect(StatusCode::OK);
        assert!(page.text().contains(fields[0].1), "the code is shown");
        assert!(page.text().contains("class=\"flash\""));
    }
    let token = t.api_login("lecturer").await;
    let r = t
        .get("/api/v1/questions?q=WEB-&per_page=10")
        .bearer(&token)
        .send()
        .await;
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 4);
    let short = items.iter().find(|q| q["code"] == "WEB-Q").unwrap();
    assert_eq!(short["stem"], "页面简答题 第二行", "a stem is one line");
    let single = items.iter().find(|q| q["code"] == "WEB-S").unwrap();
    let d = t
        .get(&format!("/api/v1/questions/{}", single["id"]))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(d["current"]["question"]["body"]["key"], 1);
    assert_eq!(
        d["current"]["question"]["tags"],
        json!(["listening", "empathy"])
    );
}

#[tokio::test]
async fn validation_reports_every_field() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    let r = t
        .post("/api/v1/questions")
        .bearer(&token)
        .json(&json!({
            "code": "bad code",
            "qtype": "single",
            "stem": "",
            "options": ["甲", "乙", "丙"],
            "key": "D",
            "points": "-1",
            "tags": "listening;no-such-skill",
            "difficulty": 9
        }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "validation");
    let mut got = fields(&r);
    got.sort();
    assert_eq!(
        got,
        pairs(&[
            ("code", "bad-characters"),
            ("difficulty", "out-of-range"),
            ("key", "key-out-of-range"),
            ("points", "bad-number"),
            ("stem", "required"),
            ("tags", "not-found"),
        ])
    );
    let messages: Vec<String> = r.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(messages.contains(&tr(Lang::ZhCn, "field-key-out-of-range").to_string()));

    // A missing key, two keys for a single choice, too few options.
    for (body, want) in [
        (
            json!({"qtype": "single", "stem": "x", "options": ["a", "b"]}),
            ("key", "required"),
        ),
        (
            json!({"qtype": "single", "stem": "x", "options": ["a", "b"], "key": "AB"}),
            ("key", "key-count"),
        ),
        (
            json!({"qtype": "multiple", "stem": "x", "options": ["a"], "key": "A"}),
            ("options", "option-count"),
        ),
        (
            json!({"qtype": "essay", "stem": "x"}),
            ("type", "not-allowed"),
        ),
    ] {
        let r = t
            .post("/api/v1/questions")
            .bearer(&token)
            .json(&body)
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&r), pairs(&[want]), "{body}");
    }

    // A code already taken.
    create(&t, &token, single("DUP-1", "第一题")).await;
    let r = t
        .post("/api/v1/questions")
        .bearer(&token)
        .json(&single("DUP-1", "第二题"))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), pairs(&[("code", "duplicate")]));

    // The page shows each message next to its field and keeps what was typed.
    let s = t.web_login("lecturer").await;
    let r = t
        .post("/questions/new")
        .session(&s)
        .lang("en")
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("qtype", "single"),
            ("stem", "Typed stem"),
            ("option_a", "one"),
            ("option_b", "two"),
            ("option_c", "three"),
            ("key", "D"),
        ])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains(tr(Lang::En, "field-key-out-of-range")));
    assert!(r.text().contains("Typed stem"));
    assert!(r.text().contains("value=\"three\""));
}

#[tokio::test]
async fn an_edit_is_a_new_version_and_the_old_one_stays_readable() {
    for t in TestApp::all().await {
        let token = t.api_login("manager").await;
        let q = create(&t, &token, single("VER-1", "第一版题干")).await;
        let id = q["id"].as_i64().unwrap();
        let v1_id = q["current"]["id"].as_i64().unwrap();
        let mut changed = single("ignored", "第二版题干");
        changed["key"] = json!("C");
        let r = t
            .put(&format!("/api/v1/questions/{id}"))
            .bearer(&token)
            .json(&changed)
            .send()
            .await;
        r.expect(StatusCode::OK);
        let d = r.json();
        assert_eq!(d["code"], "VER-1", "the code never changes");
        assert_eq!(d["version"], 2);
        assert_eq!(d["current"]["version"], 2);
        assert_eq!(d["current"]["question"]["body"]["key"], 2);
        let history = d["history"].as_array().unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[1]["version"], 1);
        assert_eq!(history[1]["id"], v1_id);
        assert_eq!(history[1]["question"]["stem"], "第一版题干");
        assert_eq!(history[1]["question"]["body"]["key"], 0);

        // The version attempts point at is still there, unchanged.
        let mut rd = t.app.db.read().await.unwrap();
        let old = skillcert_store::questions::versions(&mut rd.conn(), &[v1_id])
            .await
            .unwrap();
        assert_eq!(old[0].question.stem, "第一版题干");
        drop(rd);

        let s = t.web_login("manager").await;
        let page = t.get(&format!("/questions/{id}")).session(&s).send().await;
        page.expect(StatusCode::OK);
        assert!(page.text().contains("第二版题干"));
        assert!(
            page.text().contains("第一版题干"),
            "history shows version 1"
        );
        let edit = t
            .get(&format!("/questions/{id}/edit"))
            .session(&s)
            .send()
            .await;
        edit.expect(StatusCode::OK);
        assert!(
            edit.text()
                .contains(&tr(Lang::ZhCn, "questions-edit-note").replace("{n}", "3"))
        );
        // Saving the form adds version 3.
        let r = t
            .post(&format!("/questions/{id}/edit"))
            .session(&s)
            .form(&[
                ("_csrf", s.csrf.as_str()),
                ("qtype", "true_false"),
                ("stem", "第三版改成判断题"),
                ("key", "T"),
            ])
            .send()
            .await;
        assert!(r.status.is_redirection(), "{}", r.text());
        let d = t
            .get(&format!("/api/v1/questions/{id}"))
            .bearer(&token)
            .send()
            .await
            .json();
        assert_eq!(d["version"], 3);
        assert_eq!(d["qtype"], "true_false");

        // Archive and restore, through the page and the API.
        let r = t
            .post(&format!("/questions/{id}/archive"))
            .session(&s)
            .form(&[("_csrf", s.csrf.as_str()), ("archived", "true")])
            .send()
            .await;
        assert!(r.status.is_redirection());
        let page = t.get(&r.location().unwrap()).session(&s).send().await;
        assert!(
            page.text()
                .contains(tr(Lang::ZhCn, "questions-done-archived"))
        );
        assert!(page.text().contains("data-confirm"), "restoring asks first");
        let r = t
            .get("/api/v1/questions?q=VER-1")
            .bearer(&token)
            .send()
            .await;
        assert_eq!(r.json()["total"], 0, "archived questions are hidden");
        let r = t
            .get("/api/v1/questions?q=VER-1&archived=true")
            .bearer(&token)
            .send()
            .await;
        assert_eq!(r.json()["total"], 1);
        let r = t
            .post(&format!("/api/v1/questions/{id}/archive"))
            .bearer(&token)
            .json(&json!({"archived": false}))
            .send()
            .await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["archived"], false);
        assert_eq!(r.json()["version"], 3, "archiving adds no version");
    }
}

#[tokio::test]
async fn search_filters_sort_and_pages() {
    let t = TestApp::new().await;
    let token = t.api_login("lecturer").await;
    for i in 0..12 {
        let body = match i % 3 {
            0 => json!({
                "code": format!("FLT-{i:02}"), "qtype": "single", "stem": format!("zebra 单选 {i}"),
                "options": ["a", "b"], "key": "A", "points": i + 1, "tags": "empathy", "difficulty": 5
            }),
            1 => json!({
                "code": format!("FLT-{i:02}"), "qtype": "true_false", "stem": format!("zebra 判断 {i}"),
                "key": "T", "points": i + 1, "tags": "listening", "difficulty": 1
            }),
            _ => json!({
                "code": format!("FLT-{i:02}"), "qtype": "short", "stem": format!("zebra 简答 {i}"),
                "key_points": "x", "points": i + 1, "difficulty": 3
            }),
        };
        create(&t, &token, body).await;
    }
    let list = |query: &str| {
        let t = &t;
        let token = token.clone();
        let query = query.to_string();
        async move {
            let r = t
                .get(&format!("/api/v1/questions?q=zebra&{query}"))
                .bearer(&token)
                .send()
                .await;
            r.expect(StatusCode::OK);
            r.json()
        }
    };
    assert_eq!(list("").await["total"], 12);
    assert_eq!(list("type=single").await["total"], 4);
    assert_eq!(
        list(&format!("type={}", urlencode("判断"))).await["total"],
        4
    );
    assert_eq!(list("tag=empathy").await["total"], 4);
    assert_eq!(list("difficulty=3").await["total"], 4);
    assert_eq!(list("type=single&difficulty=1").await["total"], 0);
    let page = list("per_page=5&page=3&sort=code").await;
    assert_eq!(page["total"], 12);
    let codes: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["FLT-10", "FLT-11"]);
    let top = list("sort=points&dir=desc&per_page=1").await;
    assert_eq!(top["items"][0]["code"], "FLT-11");

    let s = t.web_login("lecturer").await;
    let page = t
        .get("/questions?q=zebra&type=short&per_page=2")
        .session(&s)
        .send()
        .await;
    page.expect(StatusCode::OK);
    let html = page.text();
    assert!(html.contains("zebra 简答 2"));
    assert!(!html.contains("zebra 单选"));
    assert!(html.contains("page=2"), "a link to the next page");
    let at = html.find("/questions/export.csv?").expect("an export link");
    assert!(
        html[at..].starts_with("/questions/export.csv?q=zebra&#38;type=short"),
        "exports keep the filters: {}",
        &html[at..at + 80]
    );
    let empty = t
        .get("/questions?q=no-such-question-anywhere")
        .session(&s)
        .send()
        .await;
    assert!(empty.text().contains(tr(Lang::ZhCn, "questions-empty")));
}

fn question_csv(rows: &[&[&str]]) -> Vec<u8> {
    let mut all: Vec<&[&str]> = vec![&[
        "编号",
        "题型",
        "题干",
        "选项A",
        "选项B",
        "选项C",
        "选项D",
        "答案",
        "分值",
        "技能标签",
        "难度",
        "解析",
        "要点",
        "参考答案",
    ]];
    all.extend_from_slice(rows);
    csv_bytes(&all)
}

fn good_csv() -> Vec<u8> {
    question_csv(&[
        &[
            "IMP-1",
            "单选",
            "导入单选",
            "甲",
            "乙",
            "丙",
            "",
            "B",
            "2",
            "listening",
            "2",
            "",
            "",
            "",
        ],
        &[
            "IMP-2",
            "多选",
            "导入多选",
            "甲",
            "乙",
            "丙",
            "丁",
            "ACD",
            "3",
            "empathy;listening",
            "3",
            "",
            "",
            "",
        ],
        &[
            "IMP-3",
            "判断",
            "导入判断",
            "",
            "",
            "",
            "",
            "错",
            "1",
            "",
            "1",
            "解析",
            "",
            "",
        ],
        &[
            "",
            "简答",
            "导入简答",
            "",
            "",
            "",
            "",
            "",
            "10",
            "complaint-process",
            "4",
            "",
            "要点一；要点二",
            "参考答案",
        ],
    ])
}

async fn import(t: &TestApp, token: &str, name: &str, bytes: Vec<u8>, dry_run: bool) -> Resp {
    let mut fields = Vec::new();
    if dry_run {
        fields.push(("dry_run", "1"));
    }
    t.post("/api/v1/questions/import")
        .bearer(token)
        .multipart(name, &bytes, &fields)
        .send()
        .await
}

#[tokio::test]
async fn a_good_file_imports_and_importing_again_updates() {
    for t in TestApp::all().await {
        let token = t.api_login("lecturer").await;
        let before = t.count("questions").await;
        let r = import(&t, &token, "bank.csv", good_csv(), true).await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["dry_run"], true);
        assert_eq!(r.json()["created"].as_array().unwrap().len(), 4);
        assert_eq!(
            t.count("questions").await,
            before,
            "a dry run writes nothing"
        );

        let r = import(&t, &token, "bank.csv", good_csv(), false).await;
        r.expect(StatusCode::OK);
        let report = r.json();
        assert_eq!(report["rows"], 4);
        let created: Vec<&str> = report["created"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(&created[..3], ["IMP-1", "IMP-2", "IMP-3"]);
        assert!(created[3].starts_with('Q'), "a generated code");
        assert_eq!(t.count("questions").await, before + 4);
        let d = t
            .get(&format!("/api/v1/questions?q={}", urlencode("导入多选")))
            .bearer(&token)
            .send()
            .await
            .json();
        assert_eq!(d["items"][0]["code"], "IMP-2");

        // The same file again changes nothing; a changed row adds a version.
        let r = import(&t, &token, "bank.csv", good_csv(), false).await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["unchanged"], 3);
        assert_eq!(
            r.json()["created"].as_array().unwrap().len(),
            1,
            "no code: new"
        );
        let changed = question_csv(&[
            &[
                "IMP-1",
                "单选",
                "导入单选（改）",
                "甲",
                "乙",
                "丙",
                "",
                "C",
                "2",
                "listening",
                "2",
                "",
                "",
                "",
            ],
            &[
                "IMP-3",
                "判断",
                "导入判断",
                "",
                "",
                "",
                "",
                "错",
                "1",
                "",
                "1",
                "解析",
                "",
                "",
            ],
        ]);
        let r = import(&t, &token, "bank.csv", changed, false).await;
        r.expect(StatusCode::OK);
        let report = r.json();
        assert_eq!(report["unchanged"], 1);
        assert_eq!(report["updated"][0]["code"], "IMP-1");
        assert_eq!(report["updated"][0]["version"], 2);
        let changed_fields: Vec<&str> = report["updated"][0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field"].as_str().unwrap())
            .collect();
        assert_eq!(changed_fields, ["stem", "key"]);
        let q = t
            .get("/api/v1/questions?q=IMP-1")
            .bearer(&token)
            .send()
            .await
            .json();
        assert_eq!(q["items"][0]["version"], 2);

        // XLSX with English headers, through a raw body.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in [
            "Code", "Type", "Stem", "Option A", "Option B", "Key", "Points",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in ["XL-1", "single", "From a workbook", "yes", "no", "A"]
            .iter()
            .enumerate()
        {
            ws.write_string(1, c as u16, *v).unwrap();
        }
        ws.write_number(1, 6, 2.5).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let r = t
            .post("/api/v1/questions/import")
            .bearer(&token)
            .header("x-file-name", "bank.xlsx")
            .raw(XLSX, bytes)
            .send()
            .await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["created"], json!(["XL-1"]));
        let q = t
            .get("/api/v1/questions?q=XL-1")
            .bearer(&token)
            .send()
            .await
            .json();
        assert_eq!(q["items"][0]["points"], 250);
    }
}

#[tokio::test]
async fn a_bad_file_writes_nothing_and_names_every_bad_row() {
    let t = TestApp::new().await;
    let token = t.api_login("lecturer").await;
    let before = t.count("questions").await;
    let bad = question_csv(&[
        &[
            "OK-1",
            "单选",
            "好的一行",
            "甲",
            "乙",
            "丙",
            "",
            "A",
            "2",
            "",
            "",
            "",
            "",
            "",
        ],
        &[
            "BAD-1",
            "单选",
            "缺答案",
            "甲",
            "乙",
            "丙",
            "",
            "",
            "2",
            "",
            "",
            "",
            "",
            "",
        ],
        &[
            "BAD-2",
            "单选",
            "答案越界",
            "甲",
            "乙",
            "丙",
            "",
            "D",
            "2",
            "",
            "",
            "",
            "",
            "",
        ],
    ]);
    let r = import(&t, &token, "bad.csv", bad.clone(), false).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "import-rejected");
    let issues: Vec<(i64, String, String)> = r.json()["import"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["line"].as_i64().unwrap(),
                i["column"].as_str().unwrap_or_default().to_string(),
                i["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        issues,
        vec![
            (3, "key".to_string(), "required".to_string()),
            (4, "key".to_string(), "key-out-of-range".to_string()),
        ]
    );
    assert_eq!(t.count("questions").await, before, "nothing was written");

    // The page lists both rows with clear messages.
    let s = t.web_login("lecturer").await;
    let r = t
        .post(&format!("/questions/import?_csrf={}", s.csrf))
        .session(&s)
        .multipart("bad.csv", &bad, &[])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains(tr(Lang::ZhCn, "import-rejected")));
    assert!(html.contains("<td>3</td><td>答案</td>"), "{html}");
    assert!(html.contains(tr(Lang::ZhCn, "import-issue-required")));
    assert!(html.contains("<td>4</td><td>答案</td>"));
    assert!(html.contains("答案“D”指向了没有填写的选项"));
    assert_eq!(t.count("questions").await, before);

    // A header problem and an empty upload are refused as a whole.
    let r = import(
        &t,
        &token,
        "x.csv",
        csv_bytes(&[&["题干", "答按"], &["a", "b"]]),
        false,
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let codes: Vec<&str> = vec!["unknown-column", "missing-column"];
    let got: Vec<String> = r.json()["import"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, codes);
    let r = import(&t, &token, "x.csv", Vec::new(), false).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["import"]["issues"][0]["code"], "file-empty");
}

#[tokio::test]
async fn templates_download_and_import_as_they_are() {
    let t = TestApp::new().await;
    let s = t.web_login("lecturer").await;
    let r = t
        .get("/questions/import/template.csv")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(r.body.starts_with(b"\xEF\xBB\xBF"));
    assert!(r.text().contains("题型,题干"));
    let csv = r.body.clone();
    let r = t
        .get("/questions/import/template.xlsx")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.headers["content-type"], XLSX);
    assert!(r.body.starts_with(b"PK"));
    let token = t.api_login("lecturer").await;
    let r = t
        .get("/api/v1/questions/import/template?format=xlsx&lang=en")
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let xlsx = r.body.clone();
    for (name, bytes) in [("t.csv", csv), ("t.xlsx", xlsx)] {
        let r = import(&t, &token, name, bytes, true).await;
        r.expect(StatusCode::OK);
        assert_eq!(
            r.json()["created"].as_array().unwrap().len(),
            4,
            "one example of each type"
        );
    }
    let page = t.get("/questions/import").session(&s).send().await;
    page.expect(StatusCode::OK);
    assert!(page.text().contains("/questions/import/template.xlsx"));
}

#[tokio::test]
async fn exports_follow_the_filters_and_import_again_unchanged() {
    let t = TestApp::new().await;
    let token = t.api_login("lecturer").await;
    let r = import(&t, &token, "bank.csv", good_csv(), false).await;
    r.expect(StatusCode::OK);
    let s = t.web_login("lecturer").await;
    let r = t
        .get(&format!(
            "/questions/export.csv?q={}&type=multiple",
            urlencode("导入")
        ))
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let text = r.text();
    assert!(text.contains("导入多选"));
    assert!(!text.contains("导入单选"));
    let r = t
        .get(&format!(
            "/api/v1/questions/export?format=xlsx&q={}",
            urlencode("导入")
        ))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let back = import(&t, &token, "export.xlsx", r.body.clone(), false).await;
    back.expect(StatusCode::OK);
    assert_eq!(back.json()["unchanged"], 4, "{}", back.text());
    assert_eq!(back.json()["created"], json!([]));
}

#[tokio::test]
async fn employees_and_other_roles_without_the_bank_are_refused() {
    let t = TestApp::new().await;
    let lecturer = t.api_login("lecturer").await;
    let q = create(&t, &lecturer, single("SECRET-1", "带答案的题")).await;
    let id = q["id"].as_i64().unwrap();
    for who in ["employee", "judge", "supervisor", "mentor"] {
        let token = t.api_login(who).await;
        for path in [
            "/api/v1/questions".to_string(),
            format!("/api/v1/questions/{id}"),
            "/api/v1/questions/export".to_string(),
            "/api/v1/skills".to_string(),
            "/api/v1/papers".to_string(),
        ] {
            let r = t.get(&path).bearer(&token).send().await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who} {path}");
            assert!(!r.text().contains("带答案的题"));
        }
        let s = t.web_login(who).await;
        for path in [
            "/questions".to_string(),
            format!("/questions/{id}"),
            "/papers".to_string(),
        ] {
            let r = t.get(&path).session(&s).send().await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who} {path}");
        }
        let home = t.get("/").session(&s).send().await;
        assert!(
            !home.text().contains("href=\"/questions\""),
            "{who}: no menu entry"
        );
    }
    let s = t.web_login("lecturer").await;
    let home = t.get("/").session(&s).send().await;
    assert!(home.text().contains("href=\"/questions\""));
    assert!(home.text().contains("href=\"/papers\""));
}

/// `n` single-choice questions with a word of `stem` to find them; returns their codes.
async fn singles(t: &TestApp, token: &str, prefix: &str, n: usize) -> Vec<String> {
    let mut codes = Vec::new();
    for i in 0..n {
        let code = format!("{prefix}-{i:02}");
        create(
            t,
            token,
            json!({
                "code": code, "qtype": "single", "stem": format!("{prefix} 单选 {i}"),
                "options": ["甲", "乙", "丙", "丁"], "key": "A", "points": 2, "tags": "listening"
            }),
        )
        .await;
        codes.push(code);
    }
    codes
}

#[tokio::test]
async fn a_paper_whose_parts_miss_the_total_is_refused_clearly() {
    for t in TestApp::all().await {
        let token = t.api_login("lecturer").await;
        let codes = singles(&t, &token, "PT", 6).await;
        let papers = t.count("papers").await;
        let paper = |total: &str| {
            json!({
                "code": "P-MISMATCH",
                "title": "总分不符",
                "total": total,
                "parts": [
                    {"question": codes[0], "points": 20},
                    {"kind": "rule", "qtype": "single", "tag": "listening", "count": 3, "points": 26}
                ]
            })
        };
        let r = t
            .post("/api/v1/papers")
            .bearer(&token)
            .json(&paper("100"))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.code(), "validation");
        assert_eq!(fields(&r), pairs(&[("total", "paper-total-mismatch")]));
        assert_eq!(
            r.json()["fields"][0]["message"],
            "各部分合计 98 分，但试卷总分为 100 分。"
        );
        assert_eq!(t.count("papers").await, papers, "nothing saved");
        // Declared right, it is saved.
        let r = t
            .post("/api/v1/papers")
            .bearer(&token)
            .json(&paper("98"))
            .send()
            .await;
        r.expect(StatusCode::CREATED);
        let d = r.json();
        assert_eq!(d["sum"], 98);
        assert_eq!(d["items"], 4);
        assert_eq!(d["problems"], json!([]));
        assert_eq!(d["parts"][0]["question_code"], "PT-00");

        // Not enough questions, an unknown code and a bad count are each named by part.
        let r = t
            .post("/api/v1/papers")
            .bearer(&token)
            .lang("en")
            .json(&json!({
                "code": "P-BAD", "title": "x",
                "parts": [
                    {"question": "NO-SUCH"},
                    {"qtype": "single", "count": "zero", "points": 1},
                    {"qtype": "short", "difficulty": 5, "count": 450, "points": 1}
                ]
            }))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&r),
            pairs(&[
                ("parts[0].question", "not-found"),
                ("parts[1].count", "bad-number")
            ])
        );
        assert_eq!(
            r.json()["fields"][0]["message"],
            "No question has the code \"NO-SUCH\"."
        );
        let r = t
            .post("/api/v1/papers")
            .bearer(&token)
            .lang("en")
            .json(&json!({
                "code": "P-BAD", "title": "x", "total": 100,
                "parts": [
                    {"question": "PT-01", "points": 50},
                    {"qtype": "short", "difficulty": 5, "count": 450, "points": 0.5},
                    {"question": "PT-01", "points": 25}
                ]
            }))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let got = fields(&r);
        assert_eq!(
            got,
            pairs(&[
                ("parts[1]", "paper-not-enough-questions"),
                ("parts[2]", "paper-duplicate-question")
            ])
        );
        assert!(
            r.json()["fields"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("Part 2: the bank has only"),
            "{}",
            r.text()
        );
        assert!(
            r.json()["fields"][1]["message"]
                .as_str()
                .unwrap()
                .contains("PT-01")
        );
    }
}

#[tokio::test]
async fn the_paper_pages_build_check_and_preview() {
    let t = TestApp::new().await;
    let token = t.api_login("lecturer").await;
    let codes = singles(&t, &token, "PG", 8).await;
    let papers = t.count("papers").await;
    let s = t.web_login("lecturer").await;
    let form = t.get("/papers/new").session(&s).send().await;
    form.expect(StatusCode::OK);
    assert!(form.text().contains("name=\"p4_points\""), "blank lines");
    assert!(form.text().contains("value=\"100\""), "the default total");

    let post = |fields: Vec<(&'static str, String)>| {
        let t = &t;
        let s = s.clone();
        async move {
            let mut all: Vec<(&str, &str)> = vec![("_csrf", s.csrf.as_str())];
            all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
            t.post("/papers/new").session(&s).form(&all).send().await
        }
    };
    let base = |total: &str| {
        vec![
            ("code", "P-PAGE".to_string()),
            ("title", "页面试卷".to_string()),
            ("total", total.to_string()),
            ("policy", "partial".to_string()),
            ("shuffle_questions", "1".to_string()),
            ("p0_kind", "fixed".to_string()),
            ("p0_question", codes[0].clone()),
            ("p0_points", "10".to_string()),
            // A blank line between parts is skipped.
            ("p2_kind", "rule".to_string()),
            ("p2_qtype", "single".to_string()),
            ("p2_tag", "listening".to_string()),
            ("p2_count", "5".to_string()),
            ("p2_points", "18".to_string()),
        ]
    };
    // 10 + 4 × 18 = 82, not the declared 100.
    let mut wrong = base("100");
    wrong[11].1 = "4".into();
    let r = post(wrong).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("各部分合计 82 分，但试卷总分为 100 分。"),
        "{}",
        r.text()
    );
    assert!(
        r.text().contains("value=\"页面试卷\""),
        "the form keeps its values"
    );
    assert_eq!(t.count("papers").await, papers);

    // "More lines" saves nothing and offers more blank lines.
    let mut more = base("100");
    more.push(("_more", "1".into()));
    let r = post(more).await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("name=\"p11_points\""));
    assert_eq!(t.count("papers").await, papers);

    // 10 + 5 × 18 = 100: saved, and the paper page shows the check.
    let r = post(base("100")).await;
    assert!(r.status.is_redirection(), "{}", r.text());
    let page = t.get(&r.location().unwrap()).session(&s).send().await;
    page.expect(StatusCode::OK);
    assert!(page.text().contains(tr(Lang::ZhCn, "papers-done-created")));
    assert!(page.text().contains(tr(Lang::ZhCn, "papers-check-ok")));
    assert!(page.text().contains("100 ✓"));
    assert!(
        page.text()
            .contains(tr(Lang::ZhCn, "papers-policy-partial"))
    );
}

#[tokio::test]
async fn a_preview_draws_the_right_number_of_questions() {
    let t = TestApp::new().await;
    let token = t.api_login("lecturer").await;
    let codes = singles(&t, &token, "PV", 10).await;
    for i in 0..3 {
        create(
            &t,
            &token,
            json!({"code": format!("PV-Q{i}"), "qtype": "short", "stem": format!("PV 简答 {i}"), "key_points": "要点", "tags": "empathy"}),
        )
        .await;
    }
    let r = t
        .post("/api/v1/papers")
        .bearer(&token)
        .json(&json!({
            "code": "P-PREVIEW",
            "title": "预览试卷",
            "total": 100,
            "shuffle_questions": true,
            "shuffle_options": true,
            "parts": [
                {"question": codes[0], "points": 10},
                {"qtype": "single", "tag": "listening", "count": 5, "points": 8},
                {"qtype": "short", "tag": "empathy", "count": 2, "points": 25}
            ]
        }))
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    let id = r.json()["id"].as_i64().unwrap();
    let r = t
        .post(&format!("/api/v1/papers/{id}/preview"))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let p = r.json();
    let items = p["items"].as_array().unwrap();
    assert_eq!(items.len(), 8);
    assert_eq!(p["total"], 100);
    let shorts = items.iter().filter(|i| i["qtype"] == "short").count();
    assert_eq!(shorts, 2);
    assert!(items.iter().any(|i| i["code"] == codes[0].as_str()));
    let mut ids: Vec<i64> = items
        .iter()
        .map(|i| i["question_id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 8, "no question twice");
    for i in items.iter().filter(|i| i["qtype"] == "single") {
        assert_eq!(i["options"].as_array().unwrap().len(), 4);
        let correct: Vec<&Value> = i["options"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["correct"] == true)
            .collect();
        assert_eq!(correct.len(), 1);
        if i["code"].as_str().unwrap().starts_with("PV-") {
            assert_eq!(correct[0]["original"], "A");
        }
        assert_eq!(i["key"], correct[0]["letter"]);
    }
    // The same seed draws the same paper.
    let seed = p["seed"].as_u64().unwrap();
    let again = t
        .post(&format!("/api/v1/papers/{id}/preview"))
        .bearer(&token)
        .json(&json!({ "seed": seed }))
        .send()
        .await
        .json();
    assert_eq!(again["items"], p["items"]);

    let s = t.web_login("lecturer").await;
    let page = t
        .get(&format!("/papers/{id}/preview"))
        .session(&s)
        .send()
        .await;
    page.expect(StatusCode::OK);
    assert_eq!(page.text().matches("class=\"card question\"").count(), 8);
    assert!(page.text().contains(tr(Lang::ZhCn, "papers-draw-again")));
    let show = t.get(&format!("/papers/{id}")).session(&s).send().await;
    show.expect(StatusCode::OK);
    assert!(show.text().contains(tr(Lang::ZhCn, "papers-check-ok")));
    let list = t.get("/papers").session(&s).send().await;
    assert!(list.text().contains("P-PREVIEW"));

    // Archiving questions the paper needs shows on the paper and stops the preview.
    let q = t
        .get(&format!("/api/v1/questions?q={}", codes[0]))
        .bearer(&token)
        .send()
        .await
        .json();
    let qid = q["items"][0]["id"].as_i64().unwrap();
    t.post(&format!("/api/v1/questions/{qid}/archive"))
        .bearer(&token)
        .json(&json!({"archived": true}))
        .send()
        .await
        .expect(StatusCode::OK);
    let d = t
        .get(&format!("/api/v1/papers/{id}"))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(d["problems"][0]["code"], "paper-unknown-question");
    let r = t
        .post(&format!("/api/v1/papers/{id}/preview"))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let page = t
        .get(&format!("/papers/{id}/preview"))
        .session(&s)
        .send()
        .await;
    page.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("PV-00"));

    // Editing the paper through its form: the code stays, the rest changes.
    let edit = t
        .get(&format!("/papers/{id}/edit"))
        .session(&s)
        .send()
        .await;
    edit.expect(StatusCode::OK);
    assert!(edit.text().contains("value=\"PV-00\""));
    let r = t
        .post(&format!("/papers/{id}/edit"))
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("title", "预览试卷（改）"),
            ("total", "50"),
            ("policy", "all_or_nothing"),
            ("p0_kind", "rule"),
            ("p0_qtype", "single"),
            ("p0_count", "5"),
            ("p0_points", "10"),
        ])
        .send()
        .await;
    assert!(r.status.is_redirection(), "{}", r.text());
    let d = t
        .get(&format!("/api/v1/papers/{id}"))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(d["code"], "P-PREVIEW");
    assert_eq!(d["title"], "预览试卷（改）");
    assert_eq!(d["declared_total"], 50);
    assert_eq!(d["problems"], json!([]));
}

#[tokio::test]
async fn english_bank_pages_hold_no_chinese_but_the_switch() {
    let t = TestApp::new().await;
    let token = t.api_login("lecturer").await;
    let q = create(&t, &token, json!({"code": "EN-1", "qtype": "true_false", "stem": "Plain English", "key": "T", "tags": "empathy"})).await;
    let id = q["id"].as_i64().unwrap();
    // Papers someone else may have stored are data.
    let titles: Vec<String> = t
        .get("/api/v1/papers?archived=true")
        .bearer(&token)
        .send()
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_string())
        .collect();
    let s = t.web_login("lecturer").await;
    for path in [
        "/questions?q=EN-1".to_string(),
        "/questions/new".to_string(),
        format!("/questions/{id}"),
        format!("/questions/{id}/edit"),
        "/questions/import".to_string(),
        "/papers".to_string(),
        "/papers/new".to_string(),
    ] {
        let r = t.get(&path).lang("en").session(&s).send().await;
        r.expect(StatusCode::OK);
        let html = r.text().replace(">中文<", "><");
        let mut html = html.replace(&skillcert_store_user_name(&t, "lecturer").await, "");
        for title in &titles {
            html = html.replace(title.as_str(), "");
        }
        let stray = html.chars().find(|c| {
            matches!(c,
                '\u{3001}'..='\u{303f}'
                | '\u{3400}'..='\u{4dbf}'
                | '\u{4e00}'..='\u{9fff}'
                | '\u{f900}'..='\u{faff}'
                | '\u{ff01}'..='\u{ffef}')
        });
        assert_eq!(stray, None, "{path}");
    }
}

async fn skillcert_store_user_name(t: &TestApp, username: &str) -> String {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::users::find_user_by_username(&mut r.conn(), username)
        .await
        .unwrap()
        .unwrap()
        .display_name
}

#[test]
fn every_message_the_bank_can_show_exists_in_both_languages() {
    let mut keys: Vec<String> = Vec::new();
    for c in IMPORT_ISSUE_CODES {
        keys.push(format!("import-issue-{c}"));
    }
    for c in PaperIssue::CHECK_CODES {
        keys.push(format!("paper-error-{}", c.trim_start_matches("paper-")));
    }
    keys.push("paper-error-question-not-found".into());
    keys.push("paper-error-tag-not-found".into());
    for t in QuestionType::ALL {
        keys.push(format!("qtype-{}", t.key()));
    }
    for g in SkillGroup::ALL {
        keys.push(format!("skill-group-{}", g.key()));
    }
    for c in QUESTION_COLUMNS {
        keys.push(format!("column-{c}"));
    }
    for p in ["all_or_nothing", "partial"] {
        keys.push(format!("papers-policy-{p}"));
    }
    for d in ["created", "saved", "archived", "restored"] {
        keys.push(format!("questions-done-{d}"));
    }
    for d in ["created", "saved"] {
        keys.push(format!("papers-done-{d}"));
    }
    let missing: Vec<String> = keys
        .iter()
        .flat_map(|k| {
            Lang::ALL
                .iter()
                .filter(|l| !has(**l, k))
                .map(move |l| format!("{} {k}", l.tag()))
        })
        .collect();
    assert!(missing.is_empty(), "missing: {missing:#?}");
}

#[tokio::test]
async fn the_bank_is_documented_and_its_references_resolve() {
    let t = TestApp::new().await;
    let r = t.get("/api/v1/openapi.json").send().await;
    r.expect(StatusCode::OK);
    let doc = r.json();
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in [
        ("get", "/api/v1/skills"),
        ("get", "/api/v1/questions"),
        ("post", "/api/v1/questions"),
        ("post", "/api/v1/questions/import"),
        ("get", "/api/v1/questions/import/template"),
        ("get", "/api/v1/questions/export"),
        ("get", "/api/v1/questions/{id}"),
        ("put", "/api/v1/questions/{id}"),
        ("post", "/api/v1/questions/{id}/archive"),
        ("get", "/api/v1/papers"),
        ("post", "/api/v1/papers"),
        ("get", "/api/v1/papers/{id}"),
        ("put", "/api/v1/papers/{id}"),
        ("post", "/api/v1/papers/{id}/preview"),
    ] {
        let op = &paths[path][method];
        assert!(op["operationId"].is_string(), "{method} {path}");
        assert!(op["responses"]["403"].is_object(), "{method} {path}");
    }
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    match (k.as_str(), x) {
                        ("$ref", Value::String(s)) => out.push(s.clone()),
                        _ => refs(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    for r in found {
        let pointer = r.strip_prefix('#').unwrap();
        assert!(doc.pointer(pointer).is_some(), "dangling {r}");
    }
}
