//! Who is asking, and where their rights apply. Authorization is decided here, once.

use skillcert_domain::access::{Grant, Permission, Scope, scope_of};
use skillcert_domain::org::subtree;
use skillcert_store::users::SessionUser;

use crate::{AppError, AppResult};

/// A signed-in user with their grants and the department tree needed to expand them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub employee_id: Option<i64>,
    pub locale: Option<String>,
    pub session_id: i64,
    pub csrf_token: String,
    pub grants: Vec<Grant>,
    /// `(department id, parent id)` for every department.
    pub tree: Vec<(i64, Option<i64>)>,
}

impl Actor {
    pub fn from_session(s: SessionUser, grants: Vec<Grant>, tree: Vec<(i64, Option<i64>)>) -> Self {
        Actor {
            user_id: s.user_id,
            username: s.username,
            display_name: s.display_name,
            employee_id: s.employee_id,
            locale: s.locale,
            session_id: s.session_id,
            csrf_token: s.csrf_token,
            grants,
            tree,
        }
    }

    /// Where `perm` applies for this user.
    pub fn scope(&self, perm: Permission) -> Scope {
        scope_of(&self.grants, perm, |roots| subtree(roots, &self.tree))
    }

    pub fn can(&self, perm: Permission) -> bool {
        self.scope(perm).allows_any()
    }

    /// Fails with `Forbidden` unless `perm` applies somewhere; returns where.
    pub fn require(&self, perm: Permission) -> AppResult<Scope> {
        let s = self.scope(perm);
        if s.allows_any() {
            Ok(s)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Fails with `Forbidden` unless `perm` applies in `department_id`.
    pub fn require_in(&self, perm: Permission, department_id: i64) -> AppResult<()> {
        if self.scope(perm).covers(department_id) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The departments `perm` covers as a filter: `None` means everywhere.
    pub fn department_filter(&self, perm: Permission) -> AppResult<Option<Vec<i64>>> {
        Ok(match self.require(perm)? {
            Scope::All => None,
            Scope::Departments(ds) => Some(ds),
            Scope::None => Some(Vec::new()),
        })
    }

    pub fn label(&self) -> String {
        self.username.clone()
    }
}
