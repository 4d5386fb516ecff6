//! Users, grants, sessions and login attempts.

use chrono::{DateTime, Duration, Utc};
use skillcert_domain::access::{Grant, Role};
use skillcert_store::StoreError;
use skillcert_store::users::{self, NewSession, NewUser, User};

use crate::support::*;

async fn add_user(
    t: &TestDb,
    username: &str,
    employee_id: Option<i64>,
) -> Result<User, StoreError> {
    let mut tx = t.begin().await;
    let u = users::insert_user(
        &mut tx.conn(),
        &NewUser {
            username,
            display_name: &format!("{username} 显示名"),
            password_hash: "$argon2id$fake",
            employee_id,
        },
        t0(),
    )
    .await?;
    tx.commit().await?;
    Ok(u)
}

#[tokio::test]
async fn users_round_trip_and_conflict() {
    each(async |t| {
        let d = add_department(t, "CSC", "客户服务中心", None)
            .await
            .unwrap();
        let e = add_employee(t, &employee("E1", "王芳", d.id))
            .await
            .unwrap();
        let u = add_user(t, "wang.fang", Some(e.id)).await.unwrap();
        assert_eq!(u.username, "wang.fang");
        assert_eq!(u.display_name, "wang.fang 显示名");
        assert_eq!(u.employee_id, Some(e.id));
        assert!(u.active);
        assert_eq!(u.locale, None);
        assert_eq!((u.created_at, u.updated_at), (t0(), t0()));
        let admin = add_user(t, "admin", None).await.unwrap();

        let c = match add_user(t, "wang.fang", None).await {
            Err(StoreError::Conflict { constraint }) => constraint,
            other => panic!("expected Conflict, got {other:?}"),
        };
        assert!(c.contains("username"), "constraint named: {c}");
        // The app tells a taken employee link from a taken username by the constraint's name.
        let c = match add_user(t, "other", Some(e.id)).await {
            Err(StoreError::Conflict { constraint }) => constraint,
            other => panic!("expected Conflict, got {other:?}"),
        };
        assert!(c.contains("employee_id"), "constraint named: {c}");
        assert!(matches!(
            add_user(t, "ghost", Some(9_999)).await,
            Err(StoreError::Reference(_))
        ));

        let later = t0() + Duration::microseconds(3);
        let mut tx = t.begin().await;
        {
            let mut c = tx.conn();
            users::set_password(&mut c, u.id, "$argon2id$new", later)
                .await
                .unwrap();
            assert!(matches!(
                users::set_password(&mut c, 9_999, "x", later).await,
                Err(StoreError::NotFound)
            ));
            users::set_active(&mut c, u.id, false, later).await.unwrap();
            users::set_locale(&mut c, u.id, "en").await.unwrap();
        }
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let mut c = r.conn();
        let got = users::get_user(&mut c, u.id).await.unwrap();
        assert_eq!(got.password_hash, "$argon2id$new");
        assert!(!got.active);
        assert_eq!(got.locale.as_deref(), Some("en"));
        assert_eq!((got.created_at, got.updated_at), (t0(), later));
        assert_eq!(
            users::find_user_by_username(&mut c, "wang.fang")
                .await
                .unwrap(),
            Some(got.clone())
        );
        assert_eq!(
            users::find_user_by_username(&mut c, "WANG.FANG")
                .await
                .unwrap(),
            None
        );
        let names: Vec<_> = users::list_users(&mut c)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(names, vec!["admin", "wang.fang"]);
        assert_eq!(users::count_users(&mut c).await.unwrap(), 2);
        assert!(matches!(
            users::get_user(&mut c, 9_999).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(users::get_user(&mut c, admin.id).await.unwrap(), admin);
    })
    .await;
}

#[tokio::test]
async fn grants_are_unique_per_role_and_scope() {
    each(async |t| {
        let d = add_department(t, "CSC", "客户服务中心", None)
            .await
            .unwrap();
        let d2 = add_department(t, "HR", "人力资源部", None).await.unwrap();
        let u = add_user(t, "boss", None).await.unwrap();
        let grant = |role, department_id| Grant {
            role,
            department_id,
        };
        let mut tx = t.begin().await;
        let g1 = users::insert_grant(&mut tx.conn(), u.id, grant(Role::Admin, None), t0())
            .await
            .unwrap();
        let g2 = users::insert_grant(
            &mut tx.conn(),
            u.id,
            grant(Role::Supervisor, Some(d.id)),
            t0(),
        )
        .await
        .unwrap();
        let g3 = users::insert_grant(
            &mut tx.conn(),
            u.id,
            grant(Role::Supervisor, Some(d2.id)),
            t0(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(g1.grant(), Some(grant(Role::Admin, None)));
        assert_eq!(g2.grant(), Some(grant(Role::Supervisor, Some(d.id))));

        // The same global role twice: the unique index treats NULL departments as equal.
        for g in [
            grant(Role::Admin, None),
            grant(Role::Supervisor, Some(d.id)),
        ] {
            let mut tx = t.begin().await;
            let r = users::insert_grant(&mut tx.conn(), u.id, g, t0()).await;
            assert!(
                matches!(r, Err(StoreError::Conflict { .. })),
                "{g:?}: {r:?}"
            );
        }
        let mut tx = t.begin().await;
        let r = users::insert_grant(&mut tx.conn(), 9_999, grant(Role::Judge, None), t0()).await;
        assert!(matches!(r, Err(StoreError::Reference(_))), "{r:?}");
        drop(tx);
        let mut tx = t.begin().await;
        let r =
            users::insert_grant(&mut tx.conn(), u.id, grant(Role::Judge, Some(9_999)), t0()).await;
        assert!(matches!(r, Err(StoreError::Reference(_))), "{r:?}");
        drop(tx);

        let mut r = t.db.read().await.unwrap();
        let mine = users::grants_of(&mut r.conn(), u.id).await.unwrap();
        assert_eq!(mine, vec![g1.clone(), g2.clone(), g3.clone()]);
        assert_eq!(users::all_grants(&mut r.conn()).await.unwrap().len(), 3);
        drop(r);

        let mut tx = t.begin().await;
        assert_eq!(
            users::delete_grant(&mut tx.conn(), g2.id).await.unwrap(),
            g2
        );
        assert!(matches!(
            users::delete_grant(&mut tx.conn(), g2.id).await,
            Err(StoreError::NotFound)
        ));
        tx.commit().await.unwrap();
        let mut r = t.db.read().await.unwrap();
        assert_eq!(
            users::grants_of(&mut r.conn(), u.id).await.unwrap(),
            vec![g1, g3]
        );
    })
    .await;
}

async fn add_session(t: &TestDb, token: &str, user_id: i64, expires_in: Duration) -> i64 {
    let mut tx = t.begin().await;
    let id = users::insert_session(
        &mut tx.conn(),
        &NewSession {
            token_hash: token,
            user_id,
            kind: "web",
            csrf_token: &format!("csrf-{token}"),
            expires_at: t0() + expires_in,
        },
        t0(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn find(t: &TestDb, token: &str, at: DateTime<Utc>) -> Option<i64> {
    let mut r = t.db.read().await.unwrap();
    users::find_session(&mut r.conn(), token, at)
        .await
        .unwrap()
        .map(|s| s.session_id)
}

#[tokio::test]
async fn sessions_respect_expiry_to_the_microsecond_and_inactive_users() {
    each(async |t| {
        let u = add_user(t, "alice", None).await.unwrap();
        let other = add_user(t, "bob", None).await.unwrap();
        let s1 = add_session(t, "h1", u.id, Duration::microseconds(1)).await;
        let s2 = add_session(t, "h2", u.id, Duration::hours(12)).await;
        let s3 = add_session(t, "h3", u.id, Duration::hours(12)).await;
        let s4 = add_session(t, "h4", other.id, Duration::hours(12)).await;

        let mut r = t.db.read().await.unwrap();
        let s = users::find_session(&mut r.conn(), "h2", t0())
            .await
            .unwrap()
            .expect("live session");
        drop(r);
        assert_eq!(s.session_id, s2);
        assert_eq!(s.user_id, u.id);
        assert_eq!(s.username, "alice");
        assert_eq!(s.display_name, "alice 显示名");
        assert_eq!(s.csrf_token, "csrf-h2");
        assert_eq!(s.kind, "web");
        assert_eq!(s.expires_at, t0() + Duration::hours(12));
        assert_eq!(s.last_seen_at, t0());

        assert_eq!(find(t, "h1", t0()).await, Some(s1));
        assert_eq!(find(t, "h1", t0() + Duration::microseconds(1)).await, None);
        assert_eq!(find(t, "nope", t0()).await, None);

        let mut tx = t.begin().await;
        let r = users::insert_session(
            &mut tx.conn(),
            &NewSession {
                token_hash: "h2",
                user_id: other.id,
                kind: "api",
                csrf_token: "x",
                expires_at: t0(),
            },
            t0(),
        )
        .await;
        assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
        drop(tx);

        // Sliding expiry.
        let later = t0() + Duration::hours(11) + Duration::microseconds(5);
        let mut tx = t.begin().await;
        users::touch_session(&mut tx.conn(), s2, later, later + Duration::hours(12))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let past_first_expiry = t0() + Duration::hours(13);
        assert_eq!(find(t, "h2", past_first_expiry).await, Some(s2));
        assert_eq!(find(t, "h3", past_first_expiry).await, None);
        let mut r = t.db.read().await.unwrap();
        let s = users::find_session(&mut r.conn(), "h2", later)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s.last_seen_at, later);
        drop(r);

        // An inactive user has no live session.
        let mut tx = t.begin().await;
        users::set_active(&mut tx.conn(), u.id, false, t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(find(t, "h2", t0()).await, None);
        let mut tx = t.begin().await;
        users::set_active(&mut tx.conn(), u.id, true, t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(find(t, "h2", t0()).await, Some(s2));

        // Ending sessions: all but one, one, expired ones.
        let mut tx = t.begin().await;
        users::delete_sessions_of(&mut tx.conn(), u.id, Some(s3))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(find(t, "h2", t0()).await, None);
        assert_eq!(find(t, "h3", t0()).await, Some(s3));
        assert_eq!(
            find(t, "h4", t0()).await,
            Some(s4),
            "other users keep theirs"
        );
        let mut tx = t.begin().await;
        users::delete_session(&mut tx.conn(), s3).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(find(t, "h3", t0()).await, None);

        add_session(t, "h5", other.id, Duration::microseconds(10)).await;
        let mut tx = t.begin().await;
        let n = users::delete_expired_sessions(&mut tx.conn(), t0() + Duration::microseconds(10))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(n, 1);
        assert_eq!(find(t, "h4", t0()).await, Some(s4));
        let mut tx = t.begin().await;
        users::delete_sessions_of(&mut tx.conn(), other.id, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(find(t, "h4", t0()).await, None);
    })
    .await;
}

#[tokio::test]
async fn login_attempts_count_failures_since_the_last_success() {
    each(async |t| {
        let record = async |name: &str, ok: bool, at: DateTime<Utc>| {
            let mut tx = t.begin().await;
            users::record_login_attempt(&mut tx.conn(), name, ok, at)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        };
        let count = async |name: &str, since: DateTime<Utc>| {
            let mut r = t.db.read().await.unwrap();
            users::recent_failures(&mut r.conn(), name, since)
                .await
                .unwrap()
        };
        let us = Duration::microseconds;
        assert_eq!(count("alice", t0()).await, (0, None));
        record("alice", false, t0() + us(1)).await;
        record("alice", false, t0() + us(2)).await;
        record("bob", false, t0() + us(2)).await;
        assert_eq!(count("alice", t0()).await, (2, Some(t0() + us(1))));
        // `since` is exclusive and precise to the microsecond.
        assert_eq!(count("alice", t0() + us(1)).await, (1, Some(t0() + us(2))));
        assert_eq!(count("ALICE", t0()).await, (0, None));
        record("alice", true, t0() + us(3)).await;
        assert_eq!(count("alice", t0()).await, (0, None));
        record("alice", false, t0() + us(4)).await;
        record("alice", false, t0() + Duration::minutes(5)).await;
        assert_eq!(count("alice", t0()).await, (2, Some(t0() + us(4))));
        assert_eq!(count("bob", t0()).await, (1, Some(t0() + us(2))));
    })
    .await;
}
