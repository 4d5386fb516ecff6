//! Creating, validating, listing and scoping employees.

use axum::http::StatusCode;
use serde_json::{Value, json};
use skillcert_web::i18n::{Lang, t as tr, tf};

use crate::helpers::*;

async fn new_employee_body(t: &TestApp, no: &str, name: &str) -> Value {
    json!({
        "employee_no": no,
        "name": name,
        "department_id": t.department_id("CSC-01").await,
        "position_id": t.position_id("AGENT").await,
        "unit_id": t.unit_id("CSC-01-T1").await,
        "hire_date": "2025-03-01",
        "status": "probation",
    })
}

#[tokio::test]
async fn create_through_the_api() {
    for t in TestApp::all().await {
        let token = t.api_login("manager").await;
        let before = t.count("employees").await;
        let body = new_employee_body(&t, "T90001", "测试员工").await;
        let r = t
            .post("/api/v1/employees")
            .bearer(&token)
            .json(&body)
            .send()
            .await;
        r.expect(StatusCode::CREATED);
        let created = r.json();
        let id = created["id"].as_i64().unwrap();
        assert_eq!(
            r.location().as_deref(),
            Some(format!("/api/v1/employees/{id}").as_str())
        );
        assert_eq!(created["employee_no"], "T90001");
        assert_eq!(created["hire_date"], "2025-03-01");
        assert_eq!(created["status"], "probation");
        assert_eq!(t.count("employees").await, before + 1);

        let got = t
            .get(&format!("/api/v1/employees/{id}"))
            .bearer(&token)
            .send()
            .await;
        got.expect(StatusCode::OK);
        let v = got.json();
        assert_eq!(v["name"], "测试员工");
        assert_eq!(v["department_name"], "呼叫中心一部");
        assert_eq!(v["position_name"], "客服专员");
        assert_eq!(v["unit_name"], "早班A组");
    }
}

#[tokio::test]
async fn create_through_the_form() {
    let t = TestApp::new().await;
    let s = t.web_login("admin").await;
    let form_page = t.get("/employees/new").session(&s).send().await;
    form_page.expect(StatusCode::OK);
    let d = t.department_id("CSC-01").await.to_string();
    let p = t.position_id("AGENT").await.to_string();
    let u = t.unit_id("CSC-01-T1").await.to_string();
    let boss = t.employee_in("CSC-01").await;
    let r = t
        .post("/employees/new")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("employee_no", "T90002"),
            ("name", "表单员工"),
            ("department_id", &d),
            ("position_id", &p),
            ("unit_id", &u),
            ("supervisor_no", &boss.employee_no),
            ("hire_date", "2025/3/1"),
            ("status", "在岗"),
        ])
        .send()
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
    let e = t.employee("T90002").await.expect("created");
    assert_eq!(r.location(), Some(format!("/employees/{}", e.id)));
    assert_eq!(e.name, "表单员工");
    assert_eq!(e.hire_date.to_string(), "2025-03-01");
    assert_eq!(e.status, "active");
    assert_eq!(e.supervisor_id, Some(boss.id));
    let show = t
        .get(&format!("/employees/{}", e.id))
        .session(&s)
        .send()
        .await;
    show.expect(StatusCode::OK);
    assert!(show.text().contains("表单员工"));
    assert!(show.text().contains("T90002"));
}

#[tokio::test]
async fn a_taken_employee_number_is_a_field_error_and_nothing_is_written() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    let taken = t.employee_in("BH-01").await;
    let employees = t.count("employees").await;
    let audits = t.count("audit_log").await;
    let body = new_employee_body(&t, &taken.employee_no, "重复工号").await;
    for (tag, lang) in [("en", Lang::En), ("zh-CN", Lang::ZhCn)] {
        let r = t
            .post("/api/v1/employees")
            .bearer(&token)
            .lang(tag)
            .json(&body)
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let v = r.json();
        assert_eq!(v["code"], "validation");
        assert_eq!(
            v["fields"],
            json!([{
                "field": "employee_no",
                "code": "duplicate",
                "message": tr(lang, "field-duplicate"),
            }])
        );
    }
    // The form shows the message next to the field, with 422.
    let s = t.web_login("admin").await;
    let d = t.department_id("CSC-01").await.to_string();
    let r = t
        .post("/employees/new")
        .lang("en")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("employee_no", &taken.employee_no),
            ("name", "重复工号"),
            ("department_id", &d),
            ("hire_date", "2024-01-01"),
        ])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains(tr(Lang::En, "field-duplicate")));
    assert_eq!(t.count("employees").await, employees);
    assert_eq!(t.count("audit_log").await, audits);
    let same = t.employee(&taken.employee_no).await.unwrap();
    assert_eq!(same, taken, "the holder of the number is unchanged");
}

#[tokio::test]
async fn unknown_references_and_long_names_are_refused() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    let employees = t.count("employees").await;
    let audits = t.count("audit_log").await;

    let mut body = new_employee_body(&t, "T90003", "无部门").await;
    body["department_id"] = json!(987_654);
    let r = t
        .post("/api/v1/employees")
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let fields = r.json()["fields"].clone();
    assert!(
        fields
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "department_id" && f["code"] == "not-found"),
        "{fields}"
    );

    let long: String = "长".repeat(65);
    for (tag, lang) in [("en", Lang::En), ("zh-CN", Lang::ZhCn)] {
        let body = new_employee_body(&t, "T90004", &long).await;
        let r = t
            .post("/api/v1/employees")
            .bearer(&token)
            .lang(tag)
            .json(&body)
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let f = r.json()["fields"][0].clone();
        assert_eq!(
            (f["field"].as_str(), f["code"].as_str()),
            (Some("name"), Some("too-long"))
        );
        let msg = f["message"].as_str().unwrap();
        assert!(msg.contains("64"), "{msg}");
        assert_eq!(msg, tf(lang, "field-too-long", &[("limit", "64")]));
    }
    // 64 characters are fine.
    let body = new_employee_body(&t, "T90005", &"长".repeat(64)).await;
    t.post("/api/v1/employees")
        .bearer(&token)
        .json(&body)
        .send()
        .await
        .expect(StatusCode::CREATED);

    // Several problems are reported together.
    let r = t
        .post("/api/v1/employees")
        .bearer(&token)
        .json(&json!({
            "employee_no": "含 空格",
            "name": "",
            "department_id": null,
            "hire_date": "2099-01-01",
            "status": "retired",
        }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let mut got: Vec<(String, String)> = r.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = [
        ("department_id", "required"),
        ("employee_no", "bad-characters"),
        ("hire_date", "future-date"),
        ("name", "required"),
        ("status", "bad-status"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    want.sort();
    assert_eq!(got, want);

    assert_eq!(t.count("employees").await, employees + 1);
    assert_eq!(t.count("audit_log").await, audits + 1);
}

/// `(employee_no, department_id, status, name)` of every employee, straight from the database.
async fn everyone(t: &TestApp) -> Vec<skillcert_store::org::Employee> {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::org::all_employees(&mut r.conn())
        .await
        .unwrap()
}

fn nos(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["employee_no"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_list_filters_sorts_and_pages() {
    for t in TestApp::all().await {
        let token = t.api_login("admin").await;
        let all = everyone(&t).await;
        let list = async |query: &str| {
            let r = t
                .get(&format!("/api/v1/employees?{query}"))
                .bearer(&token)
                .send()
                .await;
            r.expect(StatusCode::OK);
            r.json()
        };

        let v = list("per_page=500").await;
        assert_eq!(v["total"].as_i64().unwrap(), all.len() as i64);

        // Text search: a common surname, in Chinese.
        let wang = all.iter().filter(|e| e.name.contains('王')).count() as i64;
        assert!(wang > 0);
        let v = list("q=%E7%8E%8B&per_page=500").await;
        assert_eq!(v["total"].as_i64().unwrap(), wang);
        assert!(
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["name"].as_str().unwrap().contains('王'))
        );
        // `%` is not a wildcard.
        assert_eq!(list("q=%25").await["total"], 0);

        // A department means its whole subtree.
        let csc = t.department_id("CSC").await;
        let subtree = [
            t.department_id("CSC-01").await,
            t.department_id("CSC-02").await,
            t.department_id("CSC-03").await,
            csc,
        ];
        let in_csc = all
            .iter()
            .filter(|e| subtree.contains(&e.department_id))
            .count() as i64;
        let v = list(&format!("department={csc}&per_page=500")).await;
        assert_eq!(v["total"].as_i64().unwrap(), in_csc);
        assert!(
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| subtree.contains(&e["department_id"].as_i64().unwrap()))
        );
        let csc01 = subtree[0];
        let v = list(&format!("department={csc01}&per_page=500")).await;
        let in_csc01 = all.iter().filter(|e| e.department_id == csc01).count() as i64;
        assert_eq!(v["total"].as_i64().unwrap(), in_csc01);

        // Status.
        for status in ["active", "probation", "left"] {
            let n = all.iter().filter(|e| e.status == status).count() as i64;
            let v = list(&format!("status={status}&per_page=500")).await;
            assert_eq!(v["total"].as_i64().unwrap(), n, "{status}");
        }
        let combined = all
            .iter()
            .filter(|e| e.status == "active" && subtree.contains(&e.department_id))
            .count() as i64;
        assert_eq!(
            list(&format!("status=active&department={csc}")).await["total"]
                .as_i64()
                .unwrap(),
            combined
        );

        // Sorting.
        let mut by_no: Vec<String> = all.iter().map(|e| e.employee_no.clone()).collect();
        by_no.sort();
        assert_eq!(nos(&list("per_page=500").await), by_no);
        let mut by_no_desc = by_no.clone();
        by_no_desc.reverse();
        assert_eq!(
            nos(&list("sort=employee_no&dir=desc&per_page=500").await),
            by_no_desc
        );
        let v = list("sort=hire_date&dir=desc&per_page=500").await;
        let dates: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["hire_date"].as_str().unwrap())
            .collect();
        let mut sorted = dates.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted);
        let v = list("sort=name&per_page=500").await;
        let names: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);

        // Pages.
        let p1 = list("per_page=10&page=1").await;
        let p2 = list("per_page=10&page=2").await;
        assert_eq!(p2["total"].as_i64().unwrap(), all.len() as i64);
        assert_eq!(
            (p2["page"].as_i64(), p2["per_page"].as_i64()),
            (Some(2), Some(10))
        );
        assert_eq!(nos(&p1), by_no[..10].to_vec());
        assert_eq!(nos(&p2), by_no[10..20].to_vec());
        let last_page = (all.len() as i64 + 9) / 10;
        let last = list(&format!("per_page=10&page={last_page}")).await;
        let rest = all.len() - 10 * (last_page as usize - 1);
        assert_eq!(nos(&last).len(), rest);
        assert!(nos(&list(&format!("per_page=10&page={}", last_page + 1)).await).is_empty());
        // Values that do not parse are ignored.
        assert_eq!(
            list("status=retired&sort=shoe_size&page=x").await["total"]
                .as_i64()
                .unwrap(),
            all.len() as i64
        );
    }
}

#[tokio::test]
async fn the_list_page_renders_filters_and_pages() {
    let t = TestApp::new().await;
    let s = t.web_login("admin").await;
    let csc01 = t.department_id("CSC-01").await;
    let r = t
        .get(&format!(
            "/employees?department={csc01}&status=active&sort=name&dir=desc&per_page=5&page=2"
        ))
        .lang("en")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("呼叫中心一部"), "department names are data");
    let someone_else = t.employee_in("BH-01").await;
    assert!(!html.contains(&format!(">{}<", someone_else.employee_no)));
    let r = t
        .get("/employees?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E4%BA%BA")
        .lang("en")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains(tr(Lang::En, "employee-empty")));
}

#[tokio::test]
async fn a_supervisor_sees_only_their_department() {
    let t = TestApp::new().await;
    let token = t.api_login("supervisor").await;
    let csc01 = t.department_id("CSC-01").await;
    let all = everyone(&t).await;
    let mine = all.iter().filter(|e| e.department_id == csc01).count() as i64;
    assert!(mine > 0);

    let r = t
        .get("/api/v1/employees?per_page=500")
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let v = r.json();
    assert_eq!(v["total"].as_i64().unwrap(), mine);
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["department_id"].as_i64() == Some(csc01))
    );
    // Asking for another department or the root shows nothing beyond the scope.
    let bh = t.department_id("BH").await;
    let r = t
        .get(&format!("/api/v1/employees?department={bh}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.json()["total"], 0);
    let csc = t.department_id("CSC").await;
    let r = t
        .get(&format!("/api/v1/employees?department={csc}&per_page=500"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.json()["total"].as_i64().unwrap(), mine);

    // One of their own opens; someone elsewhere does not.
    let own = t.employee_in("CSC-01").await;
    let elsewhere = t.employee_in("CSC-02").await;
    t.get(&format!("/api/v1/employees/{}", own.id))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    let r = t
        .get(&format!("/api/v1/employees/{}", elsewhere.id))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
    assert!(
        !r.text().contains(&elsewhere.name),
        "nothing of the record leaks"
    );

    let s = t.web_login("supervisor").await;
    let page = t.get("/employees?per_page=500").session(&s).send().await;
    page.expect(StatusCode::OK);
    let html = page.text();
    assert!(html.contains(&own.employee_no));
    assert!(!html.contains(&elsewhere.employee_no));
    let r = t
        .get(&format!("/employees/{}", elsewhere.id))
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
    assert!(!r.text().contains(&elsewhere.name));
    t.get(&format!("/employees/{}", own.id))
        .session(&s)
        .send()
        .await
        .expect(StatusCode::OK);

    // Reading is all a supervisor may do.
    let employees = t.count("employees").await;
    let body = new_employee_body(&t, "T90009", "主管新建").await;
    t.post("/api/v1/employees")
        .bearer(&token)
        .json(&body)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let mut edit = body.clone();
    edit["employee_no"] = json!(own.employee_no);
    t.put(&format!("/api/v1/employees/{}", own.id))
        .bearer(&token)
        .json(&edit)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    assert_eq!(t.count("employees").await, employees);
    assert_eq!(t.employee(&own.employee_no).await.unwrap(), own);
}
