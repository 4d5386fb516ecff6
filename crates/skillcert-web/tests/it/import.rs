//! Employee import through the API (raw body) and the page (multipart), CSV and XLSX.

use axum::http::StatusCode;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};
use skillcert_web::i18n::{Lang, t as tr};

use crate::helpers::*;

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn good_file() -> Vec<u8> {
    csv_bytes(&[
        &ZH_HEADER,
        &[
            "T80001",
            "导入甲",
            "CSC-01",
            "AGENT",
            "CSC-01-T1",
            "",
            "2025-03-01",
            "在岗",
        ],
        &[
            "T80002",
            "导入乙",
            "CSC-01",
            "AGENT",
            "CSC-01-T1",
            "T80001",
            "2025/4/1",
            "试用期",
        ],
        // A department may be named instead of coded when the name is unique.
        &[
            "T80003",
            "导入丙",
            "呼叫中心二部",
            "",
            "",
            "",
            "2024-12-31",
            "active",
        ],
    ])
}

async fn import_api(
    t: &TestApp,
    token: &str,
    query: &str,
    ct: &str,
    body: Vec<u8>,
) -> crate::helpers::Resp {
    t.post(&format!("/api/v1/employees/import{query}"))
        .bearer(token)
        .header(
            "x-file-name",
            if ct == CSV {
                "employees.csv"
            } else {
                "employees.xlsx"
            },
        )
        .raw(ct, body)
        .send()
        .await
}

fn created(report: &Value) -> Vec<String> {
    report["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// `(line, column, code)` of every issue of a refused import.
fn issues(body: &Value) -> Vec<(i64, String, String)> {
    let mut v: Vec<_> = body["import"]["issues"]
        .as_array()
        .unwrap_or_else(|| panic!("no import report: {body}"))
        .iter()
        .map(|i| {
            (
                i["line"].as_i64().unwrap(),
                i["column"].as_str().unwrap_or("").to_string(),
                i["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_good_csv_creates_and_a_second_import_changes_nothing() {
    for t in TestApp::all().await {
        let token = t.api_login("manager").await;
        let employees = t.count("employees").await;
        let audits = t.count("audit_log").await;

        let r = import_api(&t, &token, "", CSV, good_file()).await;
        r.expect(StatusCode::OK);
        let report = r.json();
        assert_eq!(report["rows"], 3);
        assert_eq!(created(&report), vec!["T80001", "T80002", "T80003"]);
        assert_eq!(report["updated"], json!([]));
        assert_eq!(report["unchanged"], 0);
        assert_eq!(report["dry_run"], false);
        assert_eq!(t.count("employees").await, employees + 3);
        // One record per row and one for the import itself.
        assert_eq!(t.count("audit_log").await, audits + 4);

        let a = t.employee("T80001").await.unwrap();
        let b = t.employee("T80002").await.unwrap();
        let c = t.employee("T80003").await.unwrap();
        assert_eq!(a.name, "导入甲");
        assert_eq!(a.status, "active");
        assert_eq!(a.department_id, t.department_id("CSC-01").await);
        assert_eq!(a.position_id, Some(t.position_id("AGENT").await));
        assert_eq!(a.unit_id, Some(t.unit_id("CSC-01-T1").await));
        assert_eq!(b.supervisor_id, Some(a.id), "a supervisor in the same file");
        assert_eq!(b.hire_date.to_string(), "2025-04-01");
        assert_eq!(b.status, "probation");
        assert_eq!(c.department_id, t.department_id("CSC-02").await);
        assert_eq!((c.position_id, c.unit_id), (None, None));

        // The same file again: nothing new, nothing changed, nothing written.
        let audits = t.count("audit_log").await;
        let r = import_api(&t, &token, "", CSV, good_file()).await;
        r.expect(StatusCode::OK);
        let report = r.json();
        assert_eq!(created(&report), Vec::<String>::new());
        assert_eq!(report["updated"], json!([]));
        assert_eq!(report["unchanged"], 3);
        assert_eq!(t.count("employees").await, employees + 3);
        assert!(
            t.count("audit_log").await <= audits + 1,
            "at most a summary record"
        );
    }
}

#[tokio::test]
async fn a_changed_file_reports_each_changed_field() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    import_api(&t, &token, "", CSV, good_file())
        .await
        .expect(StatusCode::OK);
    let employees = t.count("employees").await;
    let changed = csv_bytes(&[
        &ZH_HEADER,
        &[
            "T80001",
            "导入甲改",
            "CSC-01",
            "AGENT",
            "CSC-01-T1",
            "",
            "2025-03-01",
            "离职",
        ],
        &[
            "T80002",
            "导入乙",
            "CSC-01",
            "AGENT",
            "CSC-01-T1",
            "T80001",
            "2025-04-01",
            "probation",
        ],
        &[
            "T80003",
            "导入丙",
            "CSC-03",
            "",
            "",
            "",
            "2024-12-31",
            "在岗",
        ],
    ]);
    let r = import_api(&t, &token, "", CSV, changed).await;
    r.expect(StatusCode::OK);
    let report = r.json();
    assert_eq!(created(&report), Vec::<String>::new());
    assert_eq!(report["unchanged"], 1);
    assert_eq!(
        report["updated"],
        json!([
            {
                "line": 2,
                "employee_no": "T80001",
                "changes": [
                    {"field": "name", "before": "导入甲", "after": "导入甲改"},
                    {"field": "status", "before": "active", "after": "left"},
                ],
            },
            {
                "line": 4,
                "employee_no": "T80003",
                "changes": [
                    {"field": "department", "before": "CSC-02", "after": "CSC-03"},
                ],
            },
        ])
    );
    assert_eq!(t.count("employees").await, employees);
    let a = t.employee("T80001").await.unwrap();
    assert_eq!((a.name.as_str(), a.status.as_str()), ("导入甲改", "left"));
    assert_eq!(
        t.employee("T80003").await.unwrap().department_id,
        t.department_id("CSC-03").await
    );
}

#[tokio::test]
async fn a_file_with_bad_rows_writes_nothing_and_names_every_problem() {
    for t in TestApp::all().await {
        let token = t.api_login("manager").await;
        let employees = t.count("employees").await;
        let audits = t.count("audit_log").await;
        let bad = csv_bytes(&[
            &ZH_HEADER,
            &[
                "T80010",
                "好行",
                "CSC-01",
                "AGENT",
                "",
                "",
                "2025-03-01",
                "在岗",
            ],
            &[
                "T80011",
                "坏部门",
                "NOPE-99",
                "",
                "",
                "",
                "2025-03-01",
                "在岗",
            ],
            &[
                "T80012",
                "坏日期",
                "CSC-01",
                "",
                "",
                "",
                "2025-13-45",
                "在岗",
            ],
            &[
                "T80010",
                "重复工号",
                "CSC-01",
                "",
                "",
                "",
                "2025-03-01",
                "在岗",
            ],
        ]);
        let r = import_api(&t, &token, "", CSV, bad).await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.json();
        assert_eq!(body["code"], "import-rejected");
        let got = issues(&body);
        let want = vec![
            (3, "department".to_string(), "not-found".to_string()),
            (4, "hire_date".to_string(), "bad-date".to_string()),
            (
                5,
                "employee_no".to_string(),
                "duplicate-in-file".to_string(),
            ),
        ];
        assert_eq!(got, want, "every bad row and column, all at once");
        assert_eq!(t.count("employees").await, employees);
        assert_eq!(t.count("audit_log").await, audits);
        assert!(t.employee("T80010").await.is_none());
    }
}

#[tokio::test]
async fn row_problems_without_duplicates_are_all_reported() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    let employees = t.count("employees").await;
    let audits = t.count("audit_log").await;
    let bad = csv_bytes(&[
        &ZH_HEADER,
        &[
            "T80020",
            "好行",
            "CSC-01",
            "AGENT",
            "",
            "",
            "2025-03-01",
            "在岗",
        ],
        &[
            "T80021",
            "坏部门",
            "NOPE-99",
            "",
            "",
            "",
            "2025-03-01",
            "在岗",
        ],
        &[
            "T80022",
            "坏日期",
            "CSC-01",
            "",
            "",
            "",
            "2025-13-45",
            "在岗",
        ],
        &[
            "T80023",
            "坏状态",
            "CSC-01",
            "",
            "",
            "",
            "2025-03-01",
            "退休",
        ],
        // Unit names repeat across departments: by name, 早班A组 is ambiguous.
        &[
            "T80024",
            "同名班组",
            "CSC-01",
            "",
            "早班A组",
            "",
            "2025-03-01",
            "在岗",
        ],
        &[
            "T80025",
            "别部门班组",
            "CSC-01",
            "",
            "CSC-02-T1",
            "",
            "2025-03-01",
            "在岗",
        ],
        &["T80026", "", "CSC-01", "", "", "T80026", "2099-01-01", ""],
    ]);
    let r = import_api(&t, &token, "", CSV, bad).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let got = issues(&r.json());
    let want: Vec<(i64, String, String)> = [
        (3, "department", "not-found"),
        (4, "hire_date", "bad-date"),
        (5, "status", "bad-status"),
        (6, "unit", "ambiguous"),
        (7, "unit", "other-department"),
        (8, "hire_date", "future-date"),
        (8, "name", "required"),
        (8, "supervisor_no", "self-reference"),
    ]
    .iter()
    .map(|(l, c, k)| (*l, c.to_string(), k.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(t.count("employees").await, employees);
    assert_eq!(t.count("audit_log").await, audits);
}

#[tokio::test]
async fn the_import_page_takes_a_multipart_upload() {
    let t = TestApp::new().await;
    let s = t.web_login("manager").await;
    t.get("/employees/import")
        .session(&s)
        .send()
        .await
        .expect(StatusCode::OK);
    let employees = t.count("employees").await;

    // Without the token in the query the upload is refused.
    let r = t
        .post("/employees/import")
        .session(&s)
        .multipart("employees.csv", &good_file(), &[])
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
    assert_eq!(t.count("employees").await, employees);

    // A dry run first.
    let r = t
        .post(&format!("/employees/import?_csrf={}", s.csrf))
        .lang("en")
        .session(&s)
        .multipart("employees.csv", &good_file(), &[("dry_run", "1")])
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(
        r.text().contains(tr(Lang::En, "import-dry-run-done")),
        "{}",
        r.text()
    );
    assert_eq!(t.count("employees").await, employees);

    let r = t
        .post(&format!("/employees/import?_csrf={}", s.csrf))
        .lang("en")
        .session(&s)
        .multipart("employees.csv", &good_file(), &[])
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(
        r.text().contains(tr(Lang::En, "import-done")),
        "{}",
        r.text()
    );
    assert_eq!(t.count("employees").await, employees + 3);

    // A refused file lists its problems on the page, localized.
    let bad = csv_bytes(&[
        &ZH_HEADER,
        &[
            "T80031",
            "坏部门",
            "NOPE-99",
            "",
            "",
            "",
            "2025-03-01",
            "在岗",
        ],
    ]);
    for (tag, lang) in [("en", Lang::En), ("zh-CN", Lang::ZhCn)] {
        let r = t
            .post(&format!("/employees/import?_csrf={}", s.csrf))
            .lang(tag)
            .session(&s)
            .multipart("bad.csv", &bad, &[])
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains(tr(lang, "import-rejected")), "{html}");
        assert!(html.contains("NOPE-99"), "the message quotes the value");
        assert!(html.contains(tr(lang, "column-department")));
    }
    assert_eq!(t.count("employees").await, employees + 3);
}

fn xlsx(rows: &[[&str; 8]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("员工").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ZH_HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let rn = (r + 1) as u32;
        for (c, v) in row.iter().enumerate() {
            if c == 6 {
                // Hire dates as real Excel dates, the way HR's sheets hold them.
                let parts: Vec<u16> = v.split('-').map(|p| p.parse().unwrap()).collect();
                let d = ExcelDateTime::from_ymd(parts[0], parts[1] as u8, parts[2] as u8).unwrap();
                ws.write_datetime_with_format(rn, c as u16, &d, &date)
                    .unwrap();
            } else if !v.is_empty() {
                ws.write_string(rn, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn xlsx_files_import_and_the_template_is_readable() {
    let t = TestApp::new().await;
    let token = t.api_login("manager").await;
    let employees = t.count("employees").await;
    let file = xlsx(&[
        [
            "T80041",
            "表格甲",
            "CSC-01",
            "AGENT",
            "CSC-01-T1",
            "",
            "2025-03-01",
            "在岗",
        ],
        [
            "T80042",
            "表格乙",
            "CSC-01",
            "AGENT",
            "CSC-01-T2",
            "T80041",
            "2024-02-29",
            "试用期",
        ],
    ]);
    let r = import_api(&t, &token, "", XLSX, file.clone()).await;
    r.expect(StatusCode::OK);
    assert_eq!(created(&r.json()), vec!["T80041", "T80042"]);
    assert_eq!(t.count("employees").await, employees + 2);
    let b = t.employee("T80042").await.unwrap();
    assert_eq!(b.hire_date.to_string(), "2024-02-29");
    assert_eq!(b.unit_id, Some(t.unit_id("CSC-01-T2").await));
    // Again: unchanged.
    let r = import_api(&t, &token, "", XLSX, file.clone()).await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["unchanged"], 2);

    // Through the page too.
    let s = t.web_login("manager").await;
    let r = t
        .post(&format!("/employees/import?_csrf={}", s.csrf))
        .session(&s)
        .multipart("employees.xlsx", &file, &[])
        .send()
        .await;
    r.expect(StatusCode::OK);

    // The downloadable template is an XLSX whose headers the importer understands; its
    // example rows name codes of an example company, so they are refused row by row.
    let tpl = t
        .get("/api/v1/employees/import/template?format=xlsx&lang=zh-CN")
        .bearer(&token)
        .send()
        .await;
    tpl.expect(StatusCode::OK);
    assert!(tpl.body.starts_with(b"PK\x03\x04"));
    let expected =
        skillcert_reports::employees::employee_template_xlsx(skillcert_reports::Lang::ZhCn)
            .unwrap();
    let employees = t.count("employees").await;
    for bytes in [tpl.body.clone(), expected] {
        let r = import_api(&t, &token, "", XLSX, bytes).await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let got = issues(&r.json());
        assert!(
            got.contains(&(2, "department".into(), "not-found".into())),
            "{got:?}"
        );
        assert!(
            got.iter()
                .all(|(line, col, _)| (*line == 2 || *line == 3) && !col.is_empty()),
            "{got:?}"
        );
        assert!(
            !got.iter().any(|(_, _, code)| code.ends_with("-column")),
            "{got:?}"
        );
    }
    // The CSV template in both languages too.
    for lang in ["zh-CN", "en"] {
        let tpl = t
            .get(&format!("/api/v1/employees/import/template?lang={lang}"))
            .bearer(&token)
            .send()
            .await;
        tpl.expect(StatusCode::OK);
        let r = import_api(&t, &token, "", CSV, tpl.body.clone()).await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let got = issues(&r.json());
        assert!(
            got.contains(&(2, "department".into(), "not-found".into())),
            "{lang}: {got:?}"
        );
        assert!(
            !got.iter().any(|(_, _, code)| code.ends_with("-column")),
            "{got:?}"
        );
    }
    assert_eq!(t.count("employees").await, employees);
}

#[tokio::test]
async fn a_dry_run_writes_nothing() {
    for t in TestApp::all().await {
        let token = t.api_login("manager").await;
        let employees = t.count("employees").await;
        let audits = t.count("audit_log").await;
        let r = import_api(&t, &token, "?dry_run=true", CSV, good_file()).await;
        r.expect(StatusCode::OK);
        let report = r.json();
        assert_eq!(report["dry_run"], true);
        assert_eq!(created(&report), vec!["T80001", "T80002", "T80003"]);
        assert_eq!(t.count("employees").await, employees);
        assert_eq!(t.count("audit_log").await, audits);
        assert!(t.employee("T80001").await.is_none());
    }
}

/// "工号,姓名,部门,入职日期" and one row, in GBK as old Excel versions save CSV.
fn gbk_file() -> Vec<u8> {
    let mut v = vec![
        0xB9, 0xA4, 0xBA, 0xC5, b',', 0xD0, 0xD5, 0xC3, 0xFB, b',', 0xB2, 0xBF, 0xC3, 0xC5, b',',
        0xC8, 0xEB, 0xD6, 0xB0, 0xC8, 0xD5, 0xC6, 0xDA, b'\r', b'\n',
    ];
    v.extend_from_slice(b"T80051,");
    v.extend_from_slice(&[0xCD, 0xF5, 0xB7, 0xBC]);
    v.extend_from_slice(b",CSC-01,2025-03-01\r\n");
    v
}

#[tokio::test]
async fn empty_and_non_utf8_files_get_file_level_errors() {
    let t = TestApp::new().await;
    let token = t.api_login("manager").await;
    let employees = t.count("employees").await;
    let audits = t.count("audit_log").await;
    for (name, body, code) in [
        ("empty", Vec::new(), "file-empty"),
        ("bom only", vec![0xEF, 0xBB, 0xBF], "file-empty"),
        ("gbk", gbk_file(), "not-utf8"),
    ] {
        for (tag, lang) in [("en", Lang::En), ("zh-CN", Lang::ZhCn)] {
            let r = t
                .post("/api/v1/employees/import")
                .bearer(&token)
                .lang(tag)
                .raw(CSV, body.clone())
                .send()
                .await;
            r.expect(StatusCode::UNPROCESSABLE_ENTITY);
            let v = r.json();
            assert_eq!(v["code"], "import-rejected", "{name}");
            assert_eq!(
                issues(&v),
                vec![(0, String::new(), code.to_string())],
                "{name}"
            );
            assert_eq!(v["message"], tr(lang, "error-import-rejected"));

            let s = t.web_login("manager").await;
            let r = t
                .post(&format!("/employees/import?_csrf={}", s.csrf))
                .lang(tag)
                .session(&s)
                .multipart("upload.csv", &body, &[])
                .send()
                .await;
            r.expect(StatusCode::UNPROCESSABLE_ENTITY);
            let html = r.text();
            let msg = tr(lang, &format!("import-issue-{code}"));
            let shown = msg.replace('"', "&quot;").replace('“', "&#8220;");
            assert!(
                html.contains(msg) || html.contains(&shown) || html.contains(&escape(msg)),
                "{name} {tag}: {msg} not in page"
            );
        }
    }
    assert_eq!(t.count("employees").await, employees);
    assert_eq!(t.count("audit_log").await, audits);
}

/// HTML escaping as askama does it.
fn escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}
