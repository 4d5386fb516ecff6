//! Stored scheme versions.

use chrono::Duration;
use skillcert_store::StoreError;
use skillcert_store::schemes::{self, NewScheme};
use skillcert_store::users::{self, NewUser};

use crate::support::*;

fn new<'a>(key: &'a str, version: i32, document: &'a str) -> NewScheme<'a> {
    NewScheme {
        key,
        version,
        document,
        based_on: None,
        preset: None,
        created_by: None,
    }
}

#[tokio::test]
async fn versions_are_kept_and_listed_latest_first() {
    each(async |t| {
        let mut tx = t.begin().await;
        let user = users::insert_user(
            &mut tx.conn(),
            &NewUser {
                username: "tm",
                display_name: "培训经理",
                password_hash: "x",
                employee_id: None,
            },
            t0(),
        )
        .await
        .unwrap();
        assert_eq!(
            schemes::max_version(&mut tx.conn(), "s1-certification")
                .await
                .unwrap(),
            None
        );
        let v1 = schemes::insert(
            &mut tx.conn(),
            &NewScheme {
                preset: Some("s1-certification"),
                created_by: Some(user.id),
                ..new("s1-certification", 1, "key = \"s1-certification\"\n# 中文")
            },
            t0(),
        )
        .await
        .unwrap();
        let later = t0() + Duration::microseconds(1);
        let v2 = schemes::insert(
            &mut tx.conn(),
            &NewScheme {
                based_on: Some(v1.id),
                ..new("s1-certification", 2, "v2")
            },
            later,
        )
        .await
        .unwrap();
        let other = schemes::insert(&mut tx.conn(), &new("a-scheme", 1, "a"), t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        assert_eq!(v1.version, 1);
        assert_eq!(v1.document, "key = \"s1-certification\"\n# 中文");
        assert_eq!(v1.preset.as_deref(), Some("s1-certification"));
        assert_eq!(v1.created_by, Some(user.id));
        assert_eq!(v1.created_at, t0());
        assert_eq!(v2.based_on, Some(v1.id));
        assert_eq!(v2.created_at, later);

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        assert_eq!(schemes::get(c, v1.id).await.unwrap(), v1);
        assert_eq!(
            schemes::max_version(c, "s1-certification").await.unwrap(),
            Some(2)
        );
        assert_eq!(
            schemes::get_version(c, "s1-certification", None)
                .await
                .unwrap(),
            v2
        );
        assert_eq!(
            schemes::get_version(c, "s1-certification", Some(1))
                .await
                .unwrap(),
            v1
        );
        assert!(matches!(
            schemes::get_version(c, "s1-certification", Some(3)).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            schemes::list_latest(c).await.unwrap(),
            vec![other.clone(), v2.clone()],
            "latest version of each key, by key"
        );
        assert_eq!(
            schemes::list_versions(c, "s1-certification").await.unwrap(),
            vec![v2, v1]
        );
        assert!(schemes::list_versions(c, "nope").await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_version_is_unique_per_key_and_references_are_checked() {
    each(async |t| {
        let mut tx = t.begin().await;
        schemes::insert(&mut tx.conn(), &new("k", 1, "a"), t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = t.begin().await;
        let dup = schemes::insert(&mut tx.conn(), &new("k", 1, "b"), t0()).await;
        assert!(
            matches!(dup, Err(StoreError::Conflict { .. })),
            "{}: {dup:?}",
            t.label()
        );
        drop(tx);

        let mut tx = t.begin().await;
        let dangling = schemes::insert(
            &mut tx.conn(),
            &NewScheme {
                based_on: Some(9999),
                ..new("k", 2, "b")
            },
            t0(),
        )
        .await;
        assert!(
            matches!(dangling, Err(StoreError::Reference(_))),
            "{}: {dangling:?}",
            t.label()
        );
    })
    .await;
}
