//! What exam day reads on every request, kept in memory because it never changes:
//! question versions (immutable), attempts' drawn papers (fixed at start) and published
//! sessions' frozen papers and pools. Mutable state (status, deadlines, answers) is always
//! read from the database inside the writer's transaction.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use skillcert_domain::exam::paper::{DrawnItem, PaperSpec, PoolQuestion};
use skillcert_domain::exam::question::Question;
use skillcert_store::{Conn, exams as store, questions};

use super::writer::Writer;
use crate::{AppError, AppResult};

/// Bound on each map; past it the map is cleared (cheap, and a reload costs one read).
const MAX_ENTRIES: usize = 200_000;

/// An attempt's fixed facts.
#[derive(Debug)]
pub struct AttemptPaper {
    pub session_id: i64,
    pub employee_id: i64,
    /// The seed the paper was drawn from.
    pub seed: i64,
    pub items: Vec<DrawnItem>,
}

/// A published session's frozen paper and pool, and its audience departments, as of the
/// session's `updated_at` (every change of a session moves it, so a stale entry is never used).
#[derive(Debug)]
pub struct Frozen {
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub spec: PaperSpec,
    pub pool: Vec<PoolQuestion>,
    pub departments: Vec<i64>,
}

/// Shared exam-day state of one process.
#[derive(Default)]
pub struct ExamRuntime {
    pub(super) writer: OnceLock<Writer>,
    questions: Mutex<HashMap<i64, Arc<Question>>>,
    papers: Mutex<HashMap<i64, Arc<AttemptPaper>>>,
    frozen: Mutex<HashMap<i64, Arc<Frozen>>>,
}

fn get<T>(m: &Mutex<HashMap<i64, Arc<T>>>, k: i64) -> Option<Arc<T>> {
    m.lock().ok().and_then(|m| m.get(&k).cloned())
}

fn put<T>(m: &Mutex<HashMap<i64, Arc<T>>>, k: i64, v: Arc<T>) {
    if let Ok(mut m) = m.lock() {
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        m.insert(k, v);
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("stored {what} unreadable: {e}"))
}

impl ExamRuntime {
    /// The question versions `ids`, from memory or (once) from the database.
    pub async fn questions(&self, c: &mut Conn<'_>, ids: &[i64]) -> AppResult<Vec<Arc<Question>>> {
        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| get(&self.questions, *id).is_none())
            .collect();
        if !missing.is_empty() {
            for v in questions::versions(c, &missing).await? {
                put(&self.questions, v.id, Arc::new(v.question));
            }
        }
        ids.iter()
            .map(|id| {
                get(&self.questions, *id)
                    .ok_or_else(|| corrupt("question version", format!("{id} missing")))
            })
            .collect()
    }

    pub async fn attempt(&self, c: &mut Conn<'_>, attempt_id: i64) -> AppResult<Arc<AttemptPaper>> {
        if let Some(p) = get(&self.papers, attempt_id) {
            return Ok(p);
        }
        let row = store::get_attempt(c, attempt_id).await?;
        let items: Vec<DrawnItem> =
            serde_json::from_str(&row.paper).map_err(|e| corrupt("attempt paper", e))?;
        let p = Arc::new(AttemptPaper {
            session_id: row.session_id,
            employee_id: row.employee_id,
            seed: row.seed,
            items,
        });
        put(&self.papers, attempt_id, p.clone());
        Ok(p)
    }

    pub(super) fn remember_attempt(&self, attempt_id: i64, p: Arc<AttemptPaper>) {
        put(&self.papers, attempt_id, p);
    }

    /// The frozen paper of a published session, checked against the session row just read.
    pub async fn frozen(&self, c: &mut Conn<'_>, s: &store::SessionRow) -> AppResult<Arc<Frozen>> {
        if let Some(f) = get(&self.frozen, s.id)
            && f.updated_at == s.updated_at
        {
            return Ok(f);
        }
        let (spec, pool, updated_at) = store::get_frozen(c, s.id).await?;
        let (Some(spec), Some(pool)) = (spec, pool) else {
            return Err(AppError::Conflict("session-not-published"));
        };
        let f = Arc::new(Frozen {
            updated_at,
            spec: serde_json::from_str(&spec).map_err(|e| corrupt("session paper", e))?,
            pool: serde_json::from_str(&pool).map_err(|e| corrupt("session pool", e))?,
            departments: store::departments(c, s.id).await?,
        });
        put(&self.frozen, s.id, f.clone());
        Ok(f)
    }
}
