//! Departments, units, positions and employees.

use chrono::Duration;
use skillcert_domain::org::{
    DepartmentDraft, EmployeeDraft, EmployeeStatus, PositionDraft, UnitDraft, UnitKind,
};
use skillcert_store::org::{self, EmployeeQuery, EmployeeSort};
use skillcert_store::{Dir, StoreError};

use crate::support::*;

#[tokio::test]
async fn departments_round_trip_with_microsecond_times() {
    each(async |t| {
        let root = add_department(t, "CSC", "客户服务中心", None)
            .await
            .unwrap();
        assert_eq!(root.code, "CSC");
        assert_eq!(root.name, "客户服务中心");
        assert_eq!(root.parent_id, None);
        assert_eq!(root.created_at, t0());
        assert_eq!(root.updated_at, t0());
        let child = add_department(t, "CSC-01", "呼叫中心一部", Some(root.id))
            .await
            .unwrap();
        assert_eq!(child.parent_id, Some(root.id));

        let mut r = t.db.read().await.unwrap();
        let got = org::get_department(&mut r.conn(), child.id).await.unwrap();
        assert_eq!(got, child);
        let all = org::list_departments(&mut r.conn()).await.unwrap();
        assert_eq!(all, vec![root.clone(), child.clone()], "ordered by code");
        drop(r);

        let later = t0() + Duration::microseconds(1);
        let mut tx = t.begin().await;
        let up = org::update_department(
            &mut tx.conn(),
            child.id,
            &DepartmentDraft {
                code: code("CSC-09"),
                name: "投诉处理组 \"A\" 50%".into(),
                parent_id: None,
            },
            later,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(up.code, "CSC-09");
        assert_eq!(up.name, "投诉处理组 \"A\" 50%");
        assert_eq!(up.parent_id, None);
        assert_eq!(up.created_at, t0(), "created_at is kept");
        assert_eq!(up.updated_at, later, "one microsecond apart survives");
        let mut r = t.db.read().await.unwrap();
        assert_eq!(
            org::get_department(&mut r.conn(), child.id).await.unwrap(),
            up
        );
        assert!(matches!(
            org::get_department(&mut r.conn(), 999_999).await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn units_and_positions_round_trip() {
    each(async |t| {
        let d1 = add_department(t, "BH-01", "城东营业厅", None)
            .await
            .unwrap();
        let d2 = add_department(t, "BH-02", "城西营业厅", None)
            .await
            .unwrap();
        let mut tx = t.begin().await;
        let u = org::insert_unit(
            &mut tx.conn(),
            &UnitDraft {
                code: code("BH-01-W1"),
                name: "1号窗口".into(),
                kind: UnitKind::Window,
                department_id: d1.id,
            },
            t0(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(u.kind(), UnitKind::Window);
        assert_eq!(u.kind, "window");
        assert_eq!(u.created_at, t0());

        let mut tx = t.begin().await;
        let u2 = org::update_unit(
            &mut tx.conn(),
            u.id,
            &UnitDraft {
                code: code("BH-02-T1"),
                name: "早班A组".into(),
                kind: UnitKind::Team,
                department_id: d2.id,
            },
            t0() + Duration::seconds(1),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            (u2.code.as_str(), u2.kind(), u2.department_id),
            ("BH-02-T1", UnitKind::Team, d2.id)
        );
        assert_eq!(u2.created_at, t0());

        let p = add_position(t, "AGENT").await.unwrap();
        let mut tx = t.begin().await;
        let p2 = org::update_position(
            &mut tx.conn(),
            p.id,
            &PositionDraft {
                code: code("SENIOR-AGENT"),
                name: "高级客服专员".into(),
            },
            t0() + Duration::microseconds(999_999),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let mut c = r.conn();
        assert_eq!(org::get_unit(&mut c, u.id).await.unwrap(), u2);
        assert_eq!(org::list_units(&mut c).await.unwrap(), vec![u2.clone()]);
        assert_eq!(org::get_position(&mut c, p.id).await.unwrap(), p2);
        assert_eq!(org::list_positions(&mut c).await.unwrap(), vec![p2.clone()]);
        assert_eq!(p2.updated_at, t0() + Duration::microseconds(999_999));
        assert!(matches!(
            org::get_unit(&mut c, 424_242).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            org::get_position(&mut c, 424_242).await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn employees_round_trip_with_dates_and_references() {
    each(async |t| {
        let d = add_department(t, "CSC-01", "呼叫中心一部", None)
            .await
            .unwrap();
        let p = add_position(t, "AGENT").await.unwrap();
        let u = add_unit(t, "CSC-01-T1", d.id).await.unwrap();
        let boss = add_employee(t, &employee("E0001", "主管王", d.id))
            .await
            .unwrap();
        let draft = EmployeeDraft {
            employee_no: code("E0002"),
            name: "王芳".into(),
            department_id: d.id,
            position_id: Some(p.id),
            unit_id: Some(u.id),
            supervisor_id: Some(boss.id),
            hire_date: date(2024, 2, 29),
            status: EmployeeStatus::OffDutyTraining,
        };
        let e = add_employee(t, &draft).await.unwrap();
        assert_eq!(e.hire_date, date(2024, 2, 29));
        assert_eq!(e.status, "off_duty_training");
        assert_eq!(e.status().unwrap(), EmployeeStatus::OffDutyTraining);
        assert_eq!(e.created_at, t0());
        assert_eq!(e.as_draft(), Some(draft.clone()));

        let mut r = t.db.read().await.unwrap();
        let mut c = r.conn();
        assert_eq!(org::get_employee(&mut c, e.id).await.unwrap(), e);
        assert_eq!(
            org::find_employee_by_no(&mut c, "E0002").await.unwrap(),
            Some(e.clone())
        );
        assert_eq!(
            org::find_employee_by_no(&mut c, "e0002").await.unwrap(),
            None
        );
        let v = org::get_employee_view(&mut c, e.id).await.unwrap();
        assert_eq!(v.department_name, "呼叫中心一部");
        assert_eq!(v.position_name.as_deref(), Some("AGENT 岗位"));
        assert_eq!(v.unit_name.as_deref(), Some("CSC-01-T1 班组"));
        assert_eq!(v.supervisor_name.as_deref(), Some("主管王"));
        assert_eq!(v.supervisor_no.as_deref(), Some("E0001"));
        assert_eq!(v.hire_date, date(2024, 2, 29));
        assert_eq!(v.updated_at, t0());
        let bv = org::get_employee_view(&mut c, boss.id).await.unwrap();
        assert_eq!(
            (bv.position_name, bv.unit_name, bv.supervisor_name),
            (None, None, None)
        );
        drop(r);

        let later = t0() + Duration::days(1) + Duration::microseconds(7);
        let changed = EmployeeDraft {
            name: "王芳芳".into(),
            unit_id: None,
            supervisor_id: None,
            hire_date: date(1999, 12, 31),
            status: EmployeeStatus::Left,
            ..draft.clone()
        };
        let mut tx = t.begin().await;
        let up = org::update_employee(&mut tx.conn(), e.id, &changed, later)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(up.as_draft(), Some(changed));
        assert_eq!((up.created_at, up.updated_at), (t0(), later));

        let mut r = t.db.read().await.unwrap();
        let mut c = r.conn();
        assert_eq!(org::get_employee(&mut c, e.id).await.unwrap(), up);
        assert_eq!(org::all_employees(&mut c).await.unwrap().len(), 2);
        let mut heads = org::department_headcounts(&mut c).await.unwrap();
        heads.sort();
        assert_eq!(heads, vec![(d.id, 2)]);
        let by_status = org::count_by_status(&mut c, None).await.unwrap();
        assert_eq!(
            by_status,
            vec![("active".to_string(), 1), ("left".to_string(), 1)]
        );
        assert_eq!(
            org::count_by_status(&mut c, Some(&[])).await.unwrap(),
            vec![]
        );
        assert!(matches!(
            org::get_employee(&mut c, 777_777).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            org::get_employee_view(&mut c, 777_777).await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}

fn is_conflict<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Conflict { constraint }) => constraint,
        other => panic!("expected Conflict, got {other:?}"),
    }
}

fn is_reference<T: std::fmt::Debug>(r: Result<T, StoreError>) {
    match r {
        Err(StoreError::Reference(_)) => {}
        other => panic!("expected Reference, got {other:?}"),
    }
}

#[tokio::test]
async fn unique_violations_are_conflicts() {
    each(async |t| {
        let d = add_department(t, "CSC", "客户服务中心", None)
            .await
            .unwrap();
        let d2 = add_department(t, "HR", "人力资源部", None).await.unwrap();
        is_conflict(add_department(t, "CSC", "另一个", None).await);
        add_unit(t, "T1", d.id).await.unwrap();
        is_conflict(add_unit(t, "T1", d2.id).await);
        add_position(t, "AGENT").await.unwrap();
        is_conflict(add_position(t, "AGENT").await);
        add_employee(t, &employee("E1", "甲", d.id)).await.unwrap();
        let c = is_conflict(add_employee(t, &employee("E1", "乙", d2.id)).await);
        assert!(c.contains("employee_no"), "constraint named: {c}");

        // An update into a taken code conflicts too.
        let mut tx = t.begin().await;
        let r = org::update_department(
            &mut tx.conn(),
            d2.id,
            &DepartmentDraft {
                code: code("CSC"),
                name: "x".into(),
                parent_id: None,
            },
            t0(),
        )
        .await;
        is_conflict(r);
        drop(tx);
        let e2 = add_employee(t, &employee("E2", "丙", d.id)).await.unwrap();
        let mut tx = t.begin().await;
        is_conflict(
            org::update_employee(&mut tx.conn(), e2.id, &employee("E1", "丙", d.id), t0()).await,
        );
        drop(tx);

        // Case matters: codes are compared exactly.
        add_department(t, "csc", "小写", None).await.unwrap();

        // Nothing of the refused writes remains.
        let mut r = t.db.read().await.unwrap();
        assert_eq!(org::list_departments(&mut r.conn()).await.unwrap().len(), 3);
        assert_eq!(org::all_employees(&mut r.conn()).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn foreign_key_violations_are_reference_errors() {
    each(async |t| {
        let d = add_department(t, "CSC", "客户服务中心", None)
            .await
            .unwrap();
        is_reference(add_department(t, "X1", "孤儿", Some(9_999)).await);
        is_reference(add_unit(t, "T9", 9_999).await);
        is_reference(add_employee(t, &employee("E9", "无部门", 9_999)).await);
        let mut e = employee("E8", "无岗位", d.id);
        e.position_id = Some(9_999);
        is_reference(add_employee(t, &e).await);
        let mut e = employee("E7", "无班组", d.id);
        e.unit_id = Some(9_999);
        is_reference(add_employee(t, &e).await);
        let mut e = employee("E6", "无上级", d.id);
        e.supervisor_id = Some(9_999);
        is_reference(add_employee(t, &e).await);

        let ok = add_employee(t, &employee("E1", "甲", d.id)).await.unwrap();
        let mut tx = t.begin().await;
        is_reference(org::set_supervisors(&mut tx.conn(), &[(ok.id, Some(9_999))]).await);
        drop(tx);
        let mut tx = t.begin().await;
        let mut moved = employee("E1", "甲", 9_999);
        moved.hire_date = ok.hire_date;
        is_reference(org::update_employee(&mut tx.conn(), ok.id, &moved, t0()).await);
        drop(tx);
        let mut tx = t.begin().await;
        is_reference(
            org::insert_employees_bulk(
                &mut tx.conn(),
                &[employee("B1", "批1", d.id), employee("B2", "批2", 9_999)],
                t0(),
            )
            .await,
        );
        drop(tx);

        let mut r = t.db.read().await.unwrap();
        assert_eq!(org::list_departments(&mut r.conn()).await.unwrap().len(), 1);
        assert_eq!(org::list_units(&mut r.conn()).await.unwrap().len(), 0);
        let all = org::all_employees(&mut r.conn()).await.unwrap();
        assert_eq!(all, vec![ok]);
    })
    .await;
}

/// Five departments in two trees and a dozen employees with awkward names.
async fn list_fixture(t: &TestDb) -> (Vec<i64>, Vec<i64>) {
    let a = add_department(t, "A", "甲部", None).await.unwrap();
    let a1 = add_department(t, "A-1", "甲一", Some(a.id)).await.unwrap();
    let b = add_department(t, "B", "乙部", None).await.unwrap();
    let p = add_position(t, "AGENT").await.unwrap();
    let u = add_unit(t, "A-1-T1", a1.id).await.unwrap();
    type Row<'a> = (&'a str, &'a str, i64, EmployeeStatus, (i32, u32, u32));
    let rows: [Row; 10] = [
        ("E001", "王芳", a.id, EmployeeStatus::Active, (2020, 1, 5)),
        (
            "E002",
            "王小明",
            a1.id,
            EmployeeStatus::Probation,
            (2026, 6, 1),
        ),
        ("E003", "李强", b.id, EmployeeStatus::Active, (2019, 7, 1)),
        (
            "E004",
            "折扣50%专员",
            a1.id,
            EmployeeStatus::Left,
            (2018, 3, 3),
        ),
        ("E005", "500强", b.id, EmployeeStatus::Active, (2021, 4, 4)),
        (
            "E006",
            "a_b",
            a.id,
            EmployeeStatus::Transferred,
            (2022, 2, 2),
        ),
        ("E007", "axb", a.id, EmployeeStatus::Active, (2023, 3, 3)),
        (
            "E008",
            "back\\slash",
            b.id,
            EmployeeStatus::Active,
            (2017, 1, 1),
        ),
        (
            "X-100",
            "Zoe",
            a1.id,
            EmployeeStatus::OffDutyTraining,
            (2024, 9, 9),
        ),
        ("x-101", "zed", b.id, EmployeeStatus::Active, (2024, 9, 10)),
    ];
    let mut ids = Vec::new();
    for (no, name, dept, status, (y, m, d)) in rows {
        let mut e = employee(no, name, dept);
        e.status = status;
        e.hire_date = date(y, m, d);
        if no == "E002" {
            e.position_id = Some(p.id);
            e.unit_id = Some(u.id);
            e.supervisor_id = ids.first().copied();
        }
        ids.push(add_employee(t, &e).await.unwrap().id);
    }
    (vec![a.id, a1.id, b.id, p.id, u.id], ids)
}

async fn nos(t: &TestDb, q: &EmployeeQuery) -> (Vec<String>, i64) {
    let mut r = t.db.read().await.unwrap();
    let page = org::list_employees(&mut r.conn(), q).await.unwrap();
    (
        page.items.into_iter().map(|e| e.employee_no).collect(),
        page.total,
    )
}

fn query() -> EmployeeQuery {
    EmployeeQuery {
        page: 1,
        per_page: 100,
        ..EmployeeQuery::default()
    }
}

fn search(text: &str) -> EmployeeQuery {
    EmployeeQuery {
        q: Some(text.into()),
        ..query()
    }
}

#[tokio::test]
async fn employee_search_handles_chinese_and_like_wildcards() {
    each(async |t| {
        list_fixture(t).await;
        let (v, n) = nos(t, &search("王")).await;
        assert_eq!((v, n), (vec!["E001".to_string(), "E002".into()], 2));
        assert_eq!(nos(t, &search("小明")).await.0, vec!["E002"]);
        assert_eq!(nos(t, &search("  李强  ")).await.0, vec!["E003"], "trimmed");
        // `%` and `_` are literal, not wildcards.
        assert_eq!(nos(t, &search("50%")).await.0, vec!["E004"]);
        assert_eq!(nos(t, &search("%")).await.0, vec!["E004"]);
        assert_eq!(nos(t, &search("a_b")).await.0, vec!["E006"]);
        assert_eq!(nos(t, &search("_")).await.0, vec!["E006"]);
        assert_eq!(nos(t, &search("\\")).await.0, vec!["E008"]);
        assert_eq!(nos(t, &search("500")).await.0, vec!["E005"]);
        // Employee numbers match too, ignoring ASCII case; so do Latin names.
        assert_eq!(nos(t, &search("e00")).await.1, 8);
        assert_eq!(nos(t, &search("x-10")).await.0, vec!["X-100", "x-101"]);
        assert_eq!(nos(t, &search("ZO")).await.0, vec!["X-100"]);
        // Blank means no filter.
        assert_eq!(nos(t, &search("   ")).await.1, 10);
        assert_eq!(nos(t, &search("没有这个人")).await, (vec![], 0));
    })
    .await;
}

#[tokio::test]
async fn employee_filters_by_department_status_and_references() {
    each(async |t| {
        let (d, ids) = list_fixture(t).await;
        let (a, a1, b, p, u) = (d[0], d[1], d[2], d[3], d[4]);
        let q = EmployeeQuery {
            departments: Some(vec![a1]),
            ..query()
        };
        assert_eq!(nos(t, &q).await.0, vec!["E002", "E004", "X-100"]);
        let q = EmployeeQuery {
            departments: Some(vec![a, b]),
            ..query()
        };
        assert_eq!(nos(t, &q).await.1, 7);
        let q = EmployeeQuery {
            departments: Some(vec![]),
            ..query()
        };
        assert_eq!(nos(t, &q).await, (vec![], 0), "an empty set shows nothing");
        let q = EmployeeQuery {
            status: Some(EmployeeStatus::Active),
            ..query()
        };
        assert_eq!(nos(t, &q).await.1, 6);
        let q = EmployeeQuery {
            status: Some(EmployeeStatus::Active),
            departments: Some(vec![b]),
            q: Some("强".into()),
            ..query()
        };
        assert_eq!(nos(t, &q).await.0, vec!["E003", "E005"]);
        for q in [
            EmployeeQuery {
                position_id: Some(p),
                ..query()
            },
            EmployeeQuery {
                unit_id: Some(u),
                ..query()
            },
            EmployeeQuery {
                supervisor_id: Some(ids[0]),
                ..query()
            },
        ] {
            assert_eq!(nos(t, &q).await.0, vec!["E002"]);
        }
    })
    .await;
}

#[tokio::test]
async fn employee_sorting_and_pagination() {
    each(async |t| {
        list_fixture(t).await;
        let sorted = |sort, dir| EmployeeQuery {
            sort,
            dir,
            ..query()
        };
        let all_by_no = vec![
            "E001", "E002", "E003", "E004", "E005", "E006", "E007", "E008", "X-100", "x-101",
        ];
        assert_eq!(
            nos(t, &sorted(EmployeeSort::EmployeeNo, Dir::Asc)).await.0,
            all_by_no
        );
        let mut rev = all_by_no.clone();
        rev.reverse();
        assert_eq!(
            nos(t, &sorted(EmployeeSort::EmployeeNo, Dir::Desc)).await.0,
            rev
        );
        assert_eq!(
            nos(t, &sorted(EmployeeSort::HireDate, Dir::Asc)).await.0,
            vec![
                "E008", "E004", "E003", "E001", "E005", "E006", "E007", "X-100", "x-101", "E002"
            ]
        );
        assert_eq!(
            nos(t, &sorted(EmployeeSort::HireDate, Dir::Desc)).await.0[0],
            "E002"
        );
        // Ties are broken by employee number, ascending, whatever the direction.
        assert_eq!(
            nos(t, &sorted(EmployeeSort::Department, Dir::Asc)).await.0,
            vec![
                "E001", "E006", "E007", "E002", "E004", "X-100", "E003", "E005", "E008", "x-101"
            ]
        );
        assert_eq!(
            nos(t, &sorted(EmployeeSort::Department, Dir::Desc)).await.0,
            vec![
                "E003", "E005", "E008", "x-101", "E002", "E004", "X-100", "E001", "E006", "E007"
            ]
        );
        assert_eq!(
            nos(t, &sorted(EmployeeSort::Status, Dir::Asc)).await.0,
            vec![
                "E001", "E003", "E005", "E007", "E008", "x-101", "E004", "X-100", "E002", "E006"
            ]
        );
        let by_name = nos(t, &sorted(EmployeeSort::Name, Dir::Asc)).await.0;
        assert_eq!(&by_name[..4], &["E005", "X-100", "E006", "E007"]);

        // Pages.
        let paged = |page, per_page| EmployeeQuery {
            page,
            per_page,
            ..query()
        };
        let mut r = t.db.read().await.unwrap();
        let p2 = org::list_employees(&mut r.conn(), &paged(2, 3))
            .await
            .unwrap();
        assert_eq!((p2.total, p2.page, p2.per_page, p2.pages()), (10, 2, 3, 4));
        let got: Vec<_> = p2.items.iter().map(|e| e.employee_no.as_str()).collect();
        assert_eq!(got, vec!["E004", "E005", "E006"]);
        let p4 = org::list_employees(&mut r.conn(), &paged(4, 3))
            .await
            .unwrap();
        assert_eq!(p4.items.len(), 1);
        let past = org::list_employees(&mut r.conn(), &paged(9, 3))
            .await
            .unwrap();
        assert_eq!((past.items.len(), past.total), (0, 10));
        let clamped = org::list_employees(&mut r.conn(), &paged(0, 0))
            .await
            .unwrap();
        assert_eq!(
            (clamped.page, clamped.per_page, clamped.items.len()),
            (1, 1, 1)
        );
        let big = org::list_employees(&mut r.conn(), &paged(1, 100_000))
            .await
            .unwrap();
        assert_eq!((big.per_page, big.items.len()), (500, 10));
        let none = org::list_employees(
            &mut r.conn(),
            &EmployeeQuery {
                q: Some("无".into()),
                ..paged(1, 10)
            },
        )
        .await
        .unwrap();
        assert_eq!((none.total, none.pages()), (0, 1));
    })
    .await;
}

#[tokio::test]
async fn bulk_insert_returns_ids_in_input_order() {
    each(async |t| {
        let d = add_department(t, "CSC", "客户服务中心", None)
            .await
            .unwrap();
        let d2 = add_department(t, "HR", "人力资源部", None).await.unwrap();
        // More than one chunk, numbers deliberately not in sorted order.
        let n = 1_203usize;
        let drafts: Vec<EmployeeDraft> = (0..n)
            .map(|i| {
                let k = (i * 7_919) % n;
                let mut e = employee(
                    &format!("B{k:05}"),
                    &format!("员工{k}"),
                    if k.is_multiple_of(3) { d2.id } else { d.id },
                );
                e.hire_date = date(2000, 1, 1) + Duration::days(k as i64);
                e.status = EmployeeStatus::ALL[k % 5];
                e
            })
            .collect();
        let mut tx = t.begin().await;
        let ids = org::insert_employees_bulk(&mut tx.conn(), &drafts, t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(ids.len(), n);
        let mut r = t.db.read().await.unwrap();
        let all = org::all_employees(&mut r.conn()).await.unwrap();
        drop(r);
        assert_eq!(all.len(), n);
        let by_id: std::collections::HashMap<i64, _> = all.iter().map(|e| (e.id, e)).collect();
        for (draft, id) in drafts.iter().zip(&ids) {
            let row = by_id[id];
            assert_eq!(row.as_draft().as_ref(), Some(draft), "id {id}");
            assert_eq!(row.created_at, t0());
        }

        // Supervisors are set afterwards; bulk updates apply to the right rows.
        let pairs: Vec<(i64, Option<i64>)> =
            ids[1..].iter().map(|id| (*id, Some(ids[0]))).collect();
        let updates: Vec<(i64, EmployeeDraft)> = drafts
            .iter()
            .zip(&ids)
            .take(10)
            .map(|(d, id)| {
                let mut d = d.clone();
                d.name = format!("{}（改）", d.name);
                (*id, d)
            })
            .collect();
        let mut tx = t.begin().await;
        org::set_supervisors(&mut tx.conn(), &pairs).await.unwrap();
        org::update_employees_bulk(&mut tx.conn(), &updates, t0() + Duration::hours(1))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut r = t.db.read().await.unwrap();
        let q = EmployeeQuery {
            supervisor_id: Some(ids[0]),
            ..query()
        };
        let page = org::list_employees(&mut r.conn(), &q).await.unwrap();
        // Everyone but the first has a supervisor, except the nine whose update cleared it.
        assert_eq!(page.total, n as i64 - 10);
        let e9 = org::get_employee(&mut r.conn(), ids[9]).await.unwrap();
        assert_eq!(e9.name, format!("{}（改）", drafts[9].name));
        assert_eq!(e9.updated_at, t0() + Duration::hours(1));
        // Updates set the supervisor from the draft (None here), like a form save would.
        assert_eq!(e9.supervisor_id, None);
        let e10 = org::get_employee(&mut r.conn(), ids[10]).await.unwrap();
        assert_eq!(
            (e10.name.as_str(), e10.supervisor_id),
            (drafts[10].name.as_str(), Some(ids[0]))
        );

        // An empty batch is fine.
        drop(r);
        let mut tx = t.begin().await;
        assert!(
            org::insert_employees_bulk(&mut tx.conn(), &[], t0())
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}
