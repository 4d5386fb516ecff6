//! The append-only, hash-chained audit log.

use chrono::{DateTime, Utc};
use serde::Serialize;
use skillcert_domain::audit::{AuditContent, ChainedRecord, GENESIS};
use sqlx::{FromRow, QueryBuilder};

use crate::{Conn, Page, StoreError, on};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before_json: String,
    pub after_json: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    pub fn chained(&self) -> ChainedRecord {
        ChainedRecord {
            content: AuditContent {
                seq: self.seq,
                at: self.at,
                actor_user_id: self.actor_user_id,
                actor: self.actor.clone(),
                action: self.action.clone(),
                entity: self.entity.clone(),
                entity_id: self.entity_id.clone(),
                before: self.before_json.clone(),
                after: self.after_json.clone(),
            },
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        }
    }
}

/// What a caller states about a change; sequence number and hashes are added here.
#[derive(Debug, Clone)]
pub struct NewAudit {
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: String,
    pub after: String,
}

/// Locks the head of the chain for this transaction and returns `(last seq, last hash)`.
/// On PostgreSQL an advisory lock serializes appenders; on SQLite `BEGIN IMMEDIATE` already
/// holds the only write lock.
async fn chain_head(c: &mut Conn<'_>) -> Result<(i64, String), StoreError> {
    if let Conn::Postgres(pg) = c {
        sqlx::query("SELECT pg_advisory_xact_lock(7305001)")
            .execute(&mut **pg)
            .await?;
    }
    let head = on!(c, |c| sqlx::query_as::<_, (i64, String)>(
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
    )
    .fetch_optional(&mut *c)
    .await)?;
    Ok(head.unwrap_or((0, GENESIS.to_string())))
}

/// Appends records in order, in the caller's transaction, and returns their sequence numbers.
pub async fn append(c: &mut Conn<'_>, entries: Vec<NewAudit>) -> Result<Vec<i64>, StoreError> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let (mut seq, mut prev) = chain_head(c).await?;
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        seq += 1;
        let content = AuditContent {
            seq,
            at: e.at,
            actor_user_id: e.actor_user_id,
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: e.before,
            after: e.after,
        };
        let hash = content.hash(&prev);
        rows.push((content, prev, hash.clone()));
        prev = hash;
    }
    let seqs = rows.iter().map(|r| r.0.seq).collect();
    // 11 parameters a row.
    for chunk in rows.chunks(1000) {
        on!(c, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO audit_log (seq, at, actor_user_id, actor, action, entity, entity_id, \
                 before_json, after_json, prev_hash, hash) ",
            );
            qb.push_values(chunk, |mut b, (content, prev, hash)| {
                b.push_bind(content.seq)
                    .push_bind(content.at)
                    .push_bind(content.actor_user_id)
                    .push_bind(content.actor.clone())
                    .push_bind(content.action.clone())
                    .push_bind(content.entity.clone())
                    .push_bind(content.entity_id.clone())
                    .push_bind(content.before.clone())
                    .push_bind(content.after.clone())
                    .push_bind(prev.clone())
                    .push_bind(hash.clone());
            });
            qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(seqs)
}

/// Records in sequence order starting after `after_seq`, at most `limit`.
pub async fn read_chain(
    c: &mut Conn<'_>,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, AuditRow>(
        "SELECT seq, at, actor_user_id, actor, action, entity, entity_id, before_json, after_json, \
         prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
    )
    .bind(after_seq)
    .bind(limit)
    .fetch_all(&mut *c)
    .await)?)
}

/// Filters of the audit page.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    pub actor: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub page: i64,
    pub per_page: i64,
}

pub async fn list(c: &mut Conn<'_>, q: &AuditQuery) -> Result<Page<AuditRow>, StoreError> {
    let per_page = q.per_page.clamp(1, 500);
    let page = q.page.max(1);
    let offset = (page - 1) * per_page;
    macro_rules! filters {
        ($qb:expr) => {{
            let qb = &mut $qb;
            qb.push(" WHERE 1=1");
            if let Some(v) = q.entity.as_deref().filter(|v| !v.is_empty()) {
                qb.push(" AND entity = ").push_bind(v.to_string());
            }
            if let Some(v) = q.entity_id.as_deref().filter(|v| !v.is_empty()) {
                qb.push(" AND entity_id = ").push_bind(v.to_string());
            }
            if let Some(v) = q.action.as_deref().filter(|v| !v.is_empty()) {
                qb.push(" AND action LIKE ").push_bind(format!("{v}%"));
            }
            if let Some(v) = q.actor.as_deref().filter(|v| !v.is_empty()) {
                qb.push(" AND actor = ").push_bind(v.to_string());
            }
            if let Some(v) = q.from {
                qb.push(" AND at >= ").push_bind(v);
            }
            if let Some(v) = q.to {
                qb.push(" AND at < ").push_bind(v);
            }
        }};
    }
    let (items, total) = on!(c, |c| {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM audit_log");
        filters!(count);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
        let mut list = QueryBuilder::new(
            "SELECT seq, at, actor_user_id, actor, action, entity, entity_id, before_json, \
             after_json, prev_hash, hash FROM audit_log",
        );
        filters!(list);
        list.push(format!(
            " ORDER BY seq DESC LIMIT {per_page} OFFSET {offset}"
        ));
        let items: Vec<AuditRow> = list.build_query_as().fetch_all(&mut *c).await?;
        Ok::<_, sqlx::Error>((items, total))
    })?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

pub async fn count(c: &mut Conn<'_>) -> Result<i64, StoreError> {
    Ok(on!(c, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_log"
    )
    .fetch_one(&mut *c)
    .await)?)
}
