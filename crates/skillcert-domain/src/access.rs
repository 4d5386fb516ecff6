//! Roles, permissions and department scope: who may do what, and where.
//!
//! A user holds grants; each grant is a role, optionally limited to one department and its
//! sub-departments. A permission is allowed for a department when some grant whose role carries
//! that permission covers the department. This is the one table of rights in the system.

use serde::{Deserialize, Serialize};

/// The roles of seed-rules and architecture.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    TrainingManager,
    Lecturer,
    Judge,
    Supervisor,
    Mentor,
    Employee,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::TrainingManager,
        Role::Lecturer,
        Role::Judge,
        Role::Supervisor,
        Role::Mentor,
        Role::Employee,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::TrainingManager => "training_manager",
            Role::Lecturer => "lecturer",
            Role::Judge => "judge",
            Role::Supervisor => "supervisor",
            Role::Mentor => "mentor",
            Role::Employee => "employee",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == raw.trim())
    }

    /// Whether a grant of this role may be limited to a department. Admin is always global.
    pub fn scopable(self) -> bool {
        !matches!(self, Role::Admin)
    }

    /// The permissions this role carries, wherever its grant applies.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => &[
                OrgRead,
                OrgWrite,
                EmployeeImport,
                UserManage,
                AuditRead,
                Dashboard,
                SchemeRead,
                SchemeManage,
                QuestionBank,
                ExamManage,
                ExamMark,
                ExamResults,
                AssessmentManage,
                AssessmentJudge,
                AssessmentResults,
                CertificationManage,
                CertificationResults,
                AppealReview,
                TrainingManage,
                TrainingRead,
                TrainingTeach,
                TeamRate,
                Mentoring,
            ],
            Role::TrainingManager => &[
                OrgRead,
                OrgWrite,
                EmployeeImport,
                Dashboard,
                SchemeRead,
                SchemeManage,
                QuestionBank,
                ExamManage,
                ExamMark,
                ExamResults,
                AssessmentManage,
                AssessmentJudge,
                AssessmentResults,
                CertificationManage,
                CertificationResults,
                AppealReview,
                TrainingManage,
                TrainingRead,
                TrainingTeach,
                TeamRate,
                Mentoring,
            ],
            Role::Supervisor => &[
                OrgRead,
                Dashboard,
                SchemeRead,
                ExamResults,
                AssessmentResults,
                CertificationResults,
                TrainingRead,
                TeamRate,
            ],
            Role::Lecturer => &[
                Dashboard,
                SchemeRead,
                QuestionBank,
                ExamMark,
                ExamResults,
                AssessmentResults,
                TrainingRead,
                TrainingTeach,
            ],
            Role::Judge => &[Dashboard, SchemeRead, ExamMark, AssessmentJudge],
            Role::Mentor => &[Dashboard, Mentoring],
            Role::Employee => &[Dashboard],
        }
    }
}

/// Something a user may be allowed to do. Routes ask for exactly one permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the dashboard with counts for one's scope.
    Dashboard,
    /// See departments, windows, positions and employees.
    OrgRead,
    /// Create and change departments, windows, positions and employees.
    OrgWrite,
    /// Import employees from a file.
    EmployeeImport,
    /// Create users, grant roles, reset passwords.
    UserManage,
    /// Read and verify the audit log.
    AuditRead,
    /// See certification schemes, evaluate inputs under them and run what-if comparisons.
    SchemeRead,
    /// Save new versions of certification schemes.
    SchemeManage,
    /// Write questions and papers of the question bank.
    QuestionBank,
    /// Plan exam sessions, grant extra time, reopen attempts, enter offline scores.
    ExamManage,
    /// Mark short answers.
    ExamMark,
    /// See exam results and item analysis of candidates in scope.
    ExamResults,
    /// Plan practical assessment events, draw panels by lot, correct submitted sheets as
    /// chief judge. (Scenario cards are written with `QuestionBank`, rubrics with
    /// `SchemeManage`.)
    AssessmentManage,
    /// Score the candidates one is seated for on a panel.
    AssessmentJudge,
    /// See practical results and judge analytics of candidates in scope.
    AssessmentResults,
    /// Open certification rounds, approve applications, enter scores, review and publish
    /// results, revoke certificates.
    CertificationManage,
    /// See round results, certificates and consequences of employees in scope.
    CertificationResults,
    /// Decide appeals (only those one took no part in scoring).
    AppealReview,
    /// Plan training: competency model, needs surveys, plans, sessions, enrolment, external
    /// training approval, compliance rules.
    TrainingManage,
    /// See training plans, sessions, rosters, needs reports and compliance of people in scope.
    TrainingRead,
    /// Run the sessions one lectures: show the check-in code, mark attendance, set and mark
    /// homework (a training manager may do so for any session).
    TrainingTeach,
    /// Add a supervisor's own rating to the needs survey of the people in scope.
    TeamRate,
    /// Record follow-ups and evaluations of one's own trainees (a training manager: anyone's).
    Mentoring,
}

/// One role held by a user, everywhere (`department_id == None`) or in one subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub department_id: Option<i64>,
}

/// Where a permission applies for a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Nowhere: the permission is not held.
    None,
    /// Everywhere, including records without a department.
    All,
    /// In these departments (already expanded to their subtrees), sorted.
    Departments(Vec<i64>),
}

impl Scope {
    pub fn allows_any(&self) -> bool {
        !matches!(self, Scope::None)
    }

    pub fn covers(&self, department_id: i64) -> bool {
        match self {
            Scope::None => false,
            Scope::All => true,
            Scope::Departments(ds) => ds.binary_search(&department_id).is_ok(),
        }
    }
}

/// Computes where `perm` applies for a holder of `grants`. `expand` turns the granted
/// departments into their subtrees (it is given by the caller, who knows the tree).
pub fn scope_of(grants: &[Grant], perm: Permission, expand: impl Fn(&[i64]) -> Vec<i64>) -> Scope {
    let mut roots = Vec::new();
    for g in grants {
        if !g.role.permissions().contains(&perm) {
            continue;
        }
        match g.department_id {
            None => return Scope::All,
            Some(d) => roots.push(d),
        }
    }
    if roots.is_empty() {
        return Scope::None;
    }
    let mut ds = expand(&roots);
    ds.sort_unstable();
    ds.dedup();
    Scope::Departments(ds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::subtree;

    const TREE: [(i64, Option<i64>); 5] = [
        (1, None),
        (2, Some(1)),
        (3, Some(2)),
        (4, None),
        (5, Some(4)),
    ];

    fn expand(roots: &[i64]) -> Vec<i64> {
        subtree(roots, &TREE)
    }

    #[test]
    fn supervisor_sees_own_subtree_only() {
        let g = [Grant {
            role: Role::Supervisor,
            department_id: Some(2),
        }];
        let s = scope_of(&g, Permission::OrgRead, expand);
        assert_eq!(s, Scope::Departments(vec![2, 3]));
        assert!(s.covers(3));
        assert!(!s.covers(1));
        assert_eq!(scope_of(&g, Permission::OrgWrite, expand), Scope::None);
    }

    #[test]
    fn a_global_grant_wins_over_scoped_ones() {
        let g = [
            Grant {
                role: Role::TrainingManager,
                department_id: Some(4),
            },
            Grant {
                role: Role::Admin,
                department_id: None,
            },
        ];
        assert_eq!(scope_of(&g, Permission::OrgWrite, expand), Scope::All);
    }

    #[test]
    fn schemes_are_read_by_staff_who_assess_and_managed_by_training() {
        for r in Role::ALL {
            assert_eq!(
                r.permissions().contains(&Permission::SchemeRead),
                matches!(
                    r,
                    Role::Admin
                        | Role::TrainingManager
                        | Role::Lecturer
                        | Role::Judge
                        | Role::Supervisor
                ),
                "{r:?} reads schemes"
            );
            assert_eq!(
                r.permissions().contains(&Permission::SchemeManage),
                matches!(r, Role::Admin | Role::TrainingManager),
                "{r:?} manages schemes"
            );
        }
    }

    #[test]
    fn only_admin_manages_users_and_reads_audit() {
        for r in Role::ALL {
            let holds = r.permissions().contains(&Permission::UserManage);
            assert_eq!(holds, r == Role::Admin, "{r:?}");
            assert_eq!(
                r.permissions().contains(&Permission::AuditRead),
                r == Role::Admin
            );
        }
    }

    #[test]
    fn role_keys_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.key()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
