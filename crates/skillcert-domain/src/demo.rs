//! A realistic, deterministic demo organisation.
//!
//! It lets people try skillcert (and tests exercise it) against an organisation that looks like
//! a Chinese service company rather than `Dept 1 / Employee 1`. The result is plain data that the
//! caller stores; the same seed and date always give the same organisation so that screenshots,
//! manuals and bug reports stay reproducible. No `rand`: the crate is pure and a tiny PRNG that is
//! identical on every platform is all that is needed.

use std::collections::{HashMap, HashSet};

use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

use crate::access::Role;
use crate::org::{EmployeeStatus, UnitKind};

/// The password of every demo account; printed by the seeding command, never used in production.
pub const DEMO_PASSWORD: &str = "skillcert-demo";

/// Everything the demo seeding stores, with references by code so it is independent of ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoOrg {
    /// Parents are listed before their children so they can be inserted in order.
    pub departments: Vec<DemoDepartment>,
    pub units: Vec<DemoUnit>,
    pub positions: Vec<DemoPosition>,
    /// Numbered `E10001`… in order; a supervisor is listed before the people reporting to them.
    pub employees: Vec<DemoEmployee>,
    /// Exactly one account per [`Role`], in the order of [`Role::ALL`].
    pub accounts: Vec<DemoAccount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoDepartment {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
}

/// A service window (营业厅 counter) or a team (班组) of a call centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoUnit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub department_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoPosition {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoEmployee {
    pub employee_no: String,
    pub name: String,
    pub department_code: String,
    pub position_code: String,
    pub unit_code: Option<String>,
    pub supervisor_no: Option<String>,
    pub hire_date: NaiveDate,
    pub status: EmployeeStatus,
}

/// A login for one role, so that every view of the product can be tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub employee_no: Option<String>,
    /// The department the grant is limited to; `None` means everywhere.
    pub department_code: Option<String>,
    /// What the role is, in Chinese and English, for the login page's list of demo accounts.
    pub display: &'static str,
}

/// (code, name, parent code). Parents first.
const DEPARTMENTS: &[(&str, &str, Option<&str>)] = &[
    ("CSC", "客户服务中心", None),
    ("CSC-01", "呼叫中心一部", Some("CSC")),
    ("CSC-02", "呼叫中心二部", Some("CSC")),
    ("CSC-03", "投诉处理组", Some("CSC")),
    ("BH", "营业厅管理部", None),
    ("BH-01", "城东营业厅", Some("BH")),
    ("BH-02", "城西营业厅", Some("BH")),
    ("BH-03", "城南营业厅", Some("BH")),
    ("TS", "技术支持部", None),
    ("TS-01", "一线支持", Some("TS")),
    ("TS-02", "二线支持", Some("TS")),
    ("HR", "人力资源部", None),
];

/// (code, name, kind, department code).
const UNITS: &[(&str, &str, UnitKind, &str)] = &[
    ("CSC-01-T1", "早班A组", UnitKind::Team, "CSC-01"),
    ("CSC-01-T2", "早班B组", UnitKind::Team, "CSC-01"),
    ("CSC-01-T3", "中班A组", UnitKind::Team, "CSC-01"),
    ("CSC-01-T4", "晚班A组", UnitKind::Team, "CSC-01"),
    ("CSC-02-T1", "早班A组", UnitKind::Team, "CSC-02"),
    ("CSC-02-T2", "中班A组", UnitKind::Team, "CSC-02"),
    ("CSC-02-T3", "夜班组", UnitKind::Team, "CSC-02"),
    ("BH-01-W1", "1号窗口", UnitKind::Window, "BH-01"),
    ("BH-01-W2", "2号窗口", UnitKind::Window, "BH-01"),
    ("BH-01-W3", "3号窗口", UnitKind::Window, "BH-01"),
    ("BH-01-W4", "4号窗口", UnitKind::Window, "BH-01"),
    ("BH-02-W1", "1号窗口", UnitKind::Window, "BH-02"),
    ("BH-02-W2", "2号窗口", UnitKind::Window, "BH-02"),
    ("BH-02-W3", "3号窗口", UnitKind::Window, "BH-02"),
    ("BH-03-W1", "1号窗口", UnitKind::Window, "BH-03"),
    ("BH-03-W2", "2号窗口", UnitKind::Window, "BH-03"),
    ("BH-03-W3", "3号窗口", UnitKind::Window, "BH-03"),
];

const AGENT: &str = "AGENT";
const SENIOR_AGENT: &str = "SENIOR-AGENT";
const SUPERVISOR: &str = "SUPERVISOR";
const CLERK: &str = "CLERK";
const RECEPTION: &str = "RECEPTION";
const TECH_SUPPORT: &str = "TECH-SUPPORT";
const TRAINER: &str = "TRAINER";
const SALES: &str = "SALES";

const POSITIONS: &[(&str, &str)] = &[
    (AGENT, "客服专员"),
    (SENIOR_AGENT, "高级客服专员"),
    (SUPERVISOR, "客服主管"),
    (CLERK, "营业员"),
    (RECEPTION, "前台接待"),
    (TECH_SUPPORT, "技术支持工程师"),
    (TRAINER, "培训专员"),
    (SALES, "销售代表"),
];

/// Who works in a leaf department besides its supervisor.
struct Staffing {
    department: &'static str,
    /// Including the supervisor.
    headcount: usize,
    /// Fixed numbers of some positions; everyone else holds `rest`.
    mix: &'static [(&'static str, usize)],
    rest: &'static str,
    /// Positions that work at a window or in a team; receptionists, trainers and the like do not.
    in_units: &'static [&'static str],
}

/// Every leaf department is staffed; headcounts add up to 240.
const STAFFING: &[Staffing] = &[
    Staffing {
        department: "CSC-01",
        headcount: 56,
        mix: &[(SENIOR_AGENT, 8), (TRAINER, 1)],
        rest: AGENT,
        in_units: &[AGENT, SENIOR_AGENT],
    },
    Staffing {
        department: "CSC-02",
        headcount: 46,
        mix: &[(SENIOR_AGENT, 6), (SALES, 6)],
        rest: AGENT,
        in_units: &[AGENT, SENIOR_AGENT, SALES],
    },
    Staffing {
        department: "CSC-03",
        headcount: 18,
        mix: &[(SENIOR_AGENT, 10)],
        rest: AGENT,
        in_units: &[],
    },
    Staffing {
        department: "BH-01",
        headcount: 30,
        mix: &[(RECEPTION, 2), (SALES, 3)],
        rest: CLERK,
        in_units: &[CLERK],
    },
    Staffing {
        department: "BH-02",
        headcount: 24,
        mix: &[(RECEPTION, 2), (SALES, 2)],
        rest: CLERK,
        in_units: &[CLERK],
    },
    Staffing {
        department: "BH-03",
        headcount: 22,
        mix: &[(RECEPTION, 2), (SALES, 2)],
        rest: CLERK,
        in_units: &[CLERK],
    },
    Staffing {
        department: "TS-01",
        headcount: 20,
        mix: &[],
        rest: TECH_SUPPORT,
        in_units: &[],
    },
    Staffing {
        department: "TS-02",
        headcount: 16,
        mix: &[],
        rest: TECH_SUPPORT,
        in_units: &[],
    },
    Staffing {
        department: "HR",
        headcount: 8,
        mix: &[],
        rest: TRAINER,
        in_units: &[],
    },
];

/// Common surnames with their approximate share of the population in hundredths of a percent
/// (2020 census order), so that 王, 李 and 张 dominate as they do in a real roster.
const SURNAMES: &[(&str, u32)] = &[
    ("王", 712),
    ("李", 700),
    ("张", 674),
    ("刘", 510),
    ("陈", 461),
    ("杨", 322),
    ("黄", 245),
    ("赵", 219),
    ("吴", 208),
    ("周", 195),
    ("徐", 145),
    ("孙", 138),
    ("马", 129),
    ("朱", 128),
    ("胡", 116),
    ("郭", 115),
    ("何", 106),
    ("林", 102),
    ("高", 100),
    ("罗", 95),
    ("郑", 93),
    ("梁", 85),
    ("谢", 76),
    ("宋", 70),
    ("唐", 69),
    ("许", 66),
    ("韩", 65),
    ("冯", 64),
    ("邓", 62),
    ("曹", 61),
    ("彭", 59),
    ("曾", 58),
    ("肖", 56),
    ("田", 53),
    ("董", 52),
    ("袁", 51),
    ("潘", 50),
    ("蒋", 49),
    ("蔡", 48),
    ("余", 47),
    ("杜", 45),
    ("叶", 44),
    ("程", 43),
    ("苏", 42),
    ("魏", 41),
    ("吕", 40),
    ("丁", 39),
    ("任", 38),
    ("沈", 37),
    ("姚", 36),
    ("卢", 35),
    ("姜", 34),
    ("崔", 33),
    ("钟", 32),
    ("谭", 31),
    ("陆", 30),
    ("汪", 29),
    ("范", 28),
    ("金", 27),
    ("石", 27),
    ("廖", 26),
    ("贾", 26),
    ("夏", 25),
    ("韦", 25),
    ("付", 24),
    ("方", 24),
    ("白", 23),
    ("邹", 23),
    ("孟", 22),
    ("熊", 22),
    ("秦", 21),
    ("邱", 21),
    ("江", 20),
    ("尹", 20),
    ("薛", 19),
    ("闫", 19),
    ("段", 18),
    ("雷", 18),
    ("侯", 17),
    ("龙", 17),
    ("史", 16),
    ("陶", 16),
    ("黎", 15),
    ("贺", 15),
    ("顾", 15),
    ("毛", 14),
    ("郝", 14),
    ("龚", 14),
    ("邵", 13),
    ("万", 13),
    ("钱", 13),
    ("严", 12),
    ("覃", 12),
    ("武", 12),
    ("戴", 12),
    ("莫", 11),
    ("孔", 11),
    ("向", 11),
    ("汤", 10),
];

const MALE_GIVEN: &[char] = &[
    '伟', '强', '磊', '军', '勇', '杰', '涛', '斌', '超', '刚', '辉', '鹏', '飞', '鑫', '波', '浩',
    '凯', '健', '俊', '帆', '旭', '龙', '峰', '建', '国', '志', '海', '东', '亮', '成', '博', '昊',
    '轩', '睿', '泽', '宏', '振', '鸿', '宁', '平',
];

const FEMALE_GIVEN: &[char] = &[
    '芳', '娜', '敏', '静', '丽', '艳', '娟', '霞', '燕', '玲', '婷', '雪', '慧', '颖', '琳', '倩',
    '佳', '悦', '怡', '晶', '洁', '莉', '琪', '萍', '红', '梅', '兰', '蓉', '薇', '璐', '瑶', '诗',
    '梦', '妍', '蕾', '秀', '丹', '月', '露', '媛',
];

const NEUTRAL_GIVEN: &[char] = &[
    '文', '明', '华', '晓', '子', '雨', '欣', '宇', '思', '嘉', '一', '安', '可', '乐', '心', '晨',
    '涵', '然', '阳', '林', '春', '秋', '永', '新', '家', '天', '佳', '若', '清', '云',
];

/// How far back hire dates go: about eight years.
const HORIZON_DAYS: u64 = 8 * 365 + 2;
const YEAR_DAYS: u64 = 365;

/// splitmix64: tiny, statistically fine for demo data, and the same on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n == 0`); multiply-shift avoids the bias of `%`.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn below_usize(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    /// One item of a non-empty slice.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below_usize(items.len())]
    }

    fn weighted(&mut self, items: &[(&'static str, u32)]) -> &'static str {
        let total: u64 = items.iter().map(|&(_, w)| u64::from(w)).sum();
        let mut r = self.below(total);
        for &(item, w) in items {
            let w = u64::from(w);
            if r < w {
                return item;
            }
            r -= w;
        }
        items.last().map_or("", |&(item, _)| item)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below_usize(i + 1);
            items.swap(i, j);
        }
    }
}

/// The first day of the probation window: people hired on or after it are still on probation.
pub fn probation_start(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_months(Months::new(6))
        .unwrap_or(NaiveDate::MIN)
}

fn days_before(today: NaiveDate, days: u64) -> NaiveDate {
    today
        .checked_sub_days(Days::new(days))
        .unwrap_or(NaiveDate::MIN)
}

/// Builds the demo organisation for `seed` as of `today`; no hire date lies after `today`.
pub fn generate(seed: u64, today: NaiveDate) -> DemoOrg {
    let mut rng = SplitMix64(seed);
    let departments = DEPARTMENTS
        .iter()
        .map(|&(code, name, parent)| DemoDepartment {
            code: code.to_string(),
            name: name.to_string(),
            parent_code: parent.map(str::to_string),
        })
        .collect();
    let units = UNITS
        .iter()
        .map(|&(code, name, kind, department)| DemoUnit {
            code: code.to_string(),
            name: name.to_string(),
            kind,
            department_code: department.to_string(),
        })
        .collect();
    let positions = POSITIONS
        .iter()
        .map(|&(code, name)| DemoPosition {
            code: code.to_string(),
            name: name.to_string(),
        })
        .collect();
    let employees = staff(&mut rng, today);
    let accounts = accounts(&employees);
    DemoOrg {
        departments,
        units,
        positions,
        employees,
        accounts,
    }
}

/// Hires the people of every leaf department, supervisor first.
fn staff(rng: &mut SplitMix64, today: NaiveDate) -> Vec<DemoEmployee> {
    let probation_days = (today - probation_start(today)).num_days().max(0) as u64;
    let mut used_names = HashSet::new();
    let mut employees: Vec<DemoEmployee> = Vec::new();
    let mut next_no = 10001u32;
    let mut new_no = || {
        let no = format!("E{next_no}");
        next_no += 1;
        no
    };

    for s in STAFFING {
        let supervisor_no = new_no();
        let days = tenure(rng, 3 * YEAR_DAYS, probation_days);
        employees.push(DemoEmployee {
            employee_no: supervisor_no.clone(),
            name: person_name(rng, &mut used_names),
            department_code: s.department.to_string(),
            position_code: SUPERVISOR.to_string(),
            unit_code: None,
            supervisor_no: None,
            hire_date: days_before(today, days),
            status: EmployeeStatus::Active,
        });

        let mut roster: Vec<&str> = s
            .mix
            .iter()
            .flat_map(|&(p, n)| std::iter::repeat_n(p, n))
            .collect();
        while roster.len() + 1 < s.headcount {
            roster.push(s.rest);
        }
        rng.shuffle(&mut roster);

        let units: Vec<&str> = UNITS
            .iter()
            .filter(|u| u.3 == s.department)
            .map(|u| u.0)
            .collect();
        // Round-robin from a random start keeps every unit staffed and the sizes even.
        let mut next_unit = rng.below_usize(units.len());
        let mut seen: HashMap<&str, usize> = HashMap::new();

        for position in roster {
            let nth = seen.entry(position).or_insert(0);
            // The first two holders of each position are settled staff, so that demo accounts
            // can always be linked to an active employee whatever the seed.
            let settled = *nth < 2;
            *nth += 1;
            let min_days = match position {
                SENIOR_AGENT => 2 * YEAR_DAYS,
                TRAINER => YEAR_DAYS,
                _ if settled => YEAR_DAYS,
                _ => 0,
            };
            let (days, status) = if min_days == 0 && rng.percent(13) {
                (rng.below(probation_days + 1), EmployeeStatus::Probation)
            } else {
                let status = if settled {
                    EmployeeStatus::Active
                } else {
                    match rng.below(100) {
                        0..86 => EmployeeStatus::Active,
                        86..91 => EmployeeStatus::OffDutyTraining,
                        91..95 => EmployeeStatus::Transferred,
                        _ => EmployeeStatus::Left,
                    }
                };
                (tenure(rng, min_days, probation_days), status)
            };
            let unit_code = if !units.is_empty() && s.in_units.contains(&position) {
                let u = units[next_unit % units.len()];
                next_unit += 1;
                Some(u.to_string())
            } else {
                None
            };
            employees.push(DemoEmployee {
                employee_no: new_no(),
                name: person_name(rng, &mut used_names),
                department_code: s.department.to_string(),
                position_code: position.to_string(),
                unit_code,
                supervisor_no: Some(supervisor_no.clone()),
                hire_date: days_before(today, days),
                status,
            });
        }
    }
    employees
}

/// Days since hiring for someone past probation, at least `min_days`. Skewed towards recent
/// hires because service staff turn over quickly.
fn tenure(rng: &mut SplitMix64, min_days: u64, probation_days: u64) -> u64 {
    let lo = min_days.max(probation_days + 1).min(HORIZON_DAYS);
    let span = HORIZON_DAYS - lo + 1;
    lo + rng.below(span).min(rng.below(span))
}

/// A name not yet used in the org when one is found within a few tries; duplicates are legal.
fn person_name(rng: &mut SplitMix64, used: &mut HashSet<String>) -> String {
    let mut name = draw_name(rng);
    for _ in 0..20 {
        if used.insert(name.clone()) {
            return name;
        }
        name = draw_name(rng);
    }
    name
}

fn draw_name(rng: &mut SplitMix64) -> String {
    let gendered = if rng.percent(50) {
        MALE_GIVEN
    } else {
        FEMALE_GIVEN
    };
    let given_char = |rng: &mut SplitMix64| {
        if rng.percent(70) {
            rng.pick(gendered)
        } else {
            rng.pick(NEUTRAL_GIVEN)
        }
    };
    let mut name = String::from(rng.weighted(SURNAMES));
    let first = given_char(rng);
    name.push(first);
    // About one person in five has a one-character given name.
    if !rng.percent(20) {
        let mut second = given_char(rng);
        while second == first {
            second = given_char(rng);
        }
        name.push(second);
    }
    name
}

/// The `nth` active holder of `position` in `department`.
fn active_holder(
    employees: &[DemoEmployee],
    department: &str,
    position: &str,
    nth: usize,
) -> Option<String> {
    employees
        .iter()
        .filter(|e| {
            e.department_code == department
                && e.position_code == position
                && e.status == EmployeeStatus::Active
        })
        .nth(nth)
        .map(|e| e.employee_no.clone())
}

/// One account per role. Supervisor, mentor and employee share a call-centre department so that
/// a demo can follow one team from every point of view.
fn accounts(employees: &[DemoEmployee]) -> Vec<DemoAccount> {
    let team = "CSC-01";
    Role::ALL
        .into_iter()
        .map(|role| {
            let (username, employee_no, scope, display) = match role {
                Role::Admin => ("admin", None, None, "系统管理员 / Administrator"),
                Role::TrainingManager => (
                    "manager",
                    active_holder(employees, "HR", TRAINER, 0),
                    None,
                    "培训经理 / Training manager",
                ),
                Role::Lecturer => (
                    "lecturer",
                    active_holder(employees, "HR", TRAINER, 1),
                    None,
                    "讲师 / Lecturer",
                ),
                Role::Judge => (
                    "judge",
                    active_holder(employees, "CSC-03", SUPERVISOR, 0),
                    Some("CSC"),
                    "考评员 / Judge",
                ),
                Role::Supervisor => (
                    "supervisor",
                    active_holder(employees, team, SUPERVISOR, 0),
                    Some(team),
                    "主管 / Supervisor",
                ),
                Role::Mentor => (
                    "mentor",
                    active_holder(employees, team, SENIOR_AGENT, 0),
                    Some(team),
                    "带教导师 / Mentor",
                ),
                Role::Employee => (
                    "employee",
                    active_holder(employees, team, AGENT, 0),
                    Some(team),
                    "员工 / Employee",
                ),
            };
            DemoAccount {
                username: username.to_string(),
                role,
                employee_no,
                department_code: scope.map(str::to_string),
                display,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Code;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
    }

    fn org() -> DemoOrg {
        generate(42, today())
    }

    #[test]
    fn departments_form_a_tree_listed_parents_first() {
        let org = org();
        let mut seen = HashSet::new();
        for d in &org.departments {
            if let Some(p) = &d.parent_code {
                assert!(seen.contains(p.as_str()), "{} before its parent", d.code);
            }
            assert!(seen.insert(d.code.as_str()), "duplicate {}", d.code);
        }
        let with_children = org
            .departments
            .iter()
            .filter(|d| d.parent_code.is_none())
            .filter(|d| {
                let n = org
                    .departments
                    .iter()
                    .filter(|c| c.parent_code.as_deref() == Some(d.code.as_str()))
                    .count();
                (2..=3).contains(&n)
            })
            .count();
        assert!(with_children >= 3);
        assert!(org.units.len() >= 10);
    }

    #[test]
    fn every_code_is_a_valid_code() {
        let org = org();
        let codes = org
            .departments
            .iter()
            .map(|d| &d.code)
            .chain(org.units.iter().map(|u| &u.code))
            .chain(org.positions.iter().map(|p| &p.code))
            .chain(org.employees.iter().map(|e| &e.employee_no));
        for c in codes {
            assert!(Code::parse(c).is_ok(), "{c}");
        }
    }

    #[test]
    fn employees_are_numerous_unique_and_in_order() {
        let org = org();
        assert!(org.employees.len() >= 200);
        let nos: HashSet<_> = org.employees.iter().map(|e| &e.employee_no).collect();
        assert_eq!(nos.len(), org.employees.len());
        for (i, e) in org.employees.iter().enumerate() {
            assert_eq!(e.employee_no, format!("E{}", 10001 + i));
            let n = e.name.chars().count();
            assert!((2..=3).contains(&n), "{}", e.name);
        }
    }

    #[test]
    fn every_reference_resolves() {
        let org = org();
        let depts: HashSet<_> = org.departments.iter().map(|d| d.code.as_str()).collect();
        let positions: HashSet<_> = org.positions.iter().map(|p| p.code.as_str()).collect();
        let units: HashMap<_, _> = org
            .units
            .iter()
            .map(|u| (u.code.as_str(), u.department_code.as_str()))
            .collect();
        let by_no: HashMap<_, _> = org
            .employees
            .iter()
            .map(|e| (e.employee_no.as_str(), e))
            .collect();
        for u in &org.units {
            assert!(depts.contains(u.department_code.as_str()));
        }
        for e in &org.employees {
            assert!(depts.contains(e.department_code.as_str()));
            assert!(positions.contains(e.position_code.as_str()));
            if let Some(u) = &e.unit_code {
                assert_eq!(units.get(u.as_str()), Some(&e.department_code.as_str()));
            }
            if let Some(s) = &e.supervisor_no {
                let sup = by_no.get(s.as_str()).expect("supervisor exists");
                assert_eq!(sup.department_code, e.department_code);
                assert_eq!(sup.position_code, SUPERVISOR);
            }
        }
        for a in &org.accounts {
            if let Some(d) = &a.department_code {
                assert!(depts.contains(d.as_str()));
            }
            if let Some(no) = &a.employee_no {
                assert!(by_no.contains_key(no.as_str()));
            }
        }
    }

    #[test]
    fn each_leaf_has_an_active_supervisor_and_units_are_staffed() {
        let org = org();
        for d in &org.departments {
            let leaf = !org
                .departments
                .iter()
                .any(|c| c.parent_code.as_deref() == Some(d.code.as_str()));
            let supervisors: Vec<_> = org
                .employees
                .iter()
                .filter(|e| e.department_code == d.code && e.position_code == SUPERVISOR)
                .collect();
            if leaf {
                assert_eq!(supervisors.len(), 1, "{}", d.code);
                assert_eq!(supervisors[0].status, EmployeeStatus::Active);
                assert_eq!(supervisors[0].supervisor_no, None);
                for e in org.employees.iter().filter(|e| e.department_code == d.code) {
                    if e.employee_no != supervisors[0].employee_no {
                        assert_eq!(e.supervisor_no.as_ref(), Some(&supervisors[0].employee_no));
                    }
                }
            } else {
                assert!(supervisors.is_empty());
            }
        }
        for u in &org.units {
            assert!(
                org.employees
                    .iter()
                    .any(|e| e.unit_code.as_deref() == Some(u.code.as_str())),
                "{} is empty",
                u.code
            );
        }
    }

    #[test]
    fn hire_dates_and_statuses_are_plausible() {
        for seed in 0..20 {
            let org = generate(seed, today());
            let earliest = days_before(today(), HORIZON_DAYS);
            for e in &org.employees {
                assert!(e.hire_date <= today());
                assert!(e.hire_date >= earliest);
                let recent = e.hire_date >= probation_start(today());
                assert_eq!(e.status == EmployeeStatus::Probation, recent, "{e:?}");
            }
            for s in EmployeeStatus::ALL {
                assert!(org.employees.iter().any(|e| e.status == s), "{s:?}");
            }
            let active = org
                .employees
                .iter()
                .filter(|e| e.status == EmployeeStatus::Active)
                .count();
            assert!(active * 2 > org.employees.len());
        }
    }

    #[test]
    fn one_account_per_role_with_fixed_usernames() {
        for seed in 0..20 {
            let org = generate(seed, today());
            let roles: Vec<_> = org.accounts.iter().map(|a| a.role).collect();
            assert_eq!(roles, Role::ALL.to_vec());
            let names: Vec<_> = org.accounts.iter().map(|a| a.username.as_str()).collect();
            assert_eq!(
                names,
                [
                    "admin",
                    "manager",
                    "lecturer",
                    "judge",
                    "supervisor",
                    "mentor",
                    "employee"
                ]
            );
            let by_no: HashMap<_, _> = org
                .employees
                .iter()
                .map(|e| (e.employee_no.as_str(), e))
                .collect();
            let linked = |username: &str| {
                let a = org
                    .accounts
                    .iter()
                    .find(|a| a.username == username)
                    .expect("account");
                let e = by_no[a.employee_no.as_deref().expect("linked")];
                assert_eq!(e.status, EmployeeStatus::Active);
                (a, e)
            };
            let admin = &org.accounts[0];
            assert_eq!((&admin.employee_no, &admin.department_code), (&None, &None));
            let (m, e) = linked("manager");
            assert_eq!(m.department_code, None);
            assert_eq!(
                (e.department_code.as_str(), e.position_code.as_str()),
                ("HR", TRAINER)
            );
            let (s, sup) = linked("supervisor");
            assert_eq!(
                s.department_code.as_deref(),
                Some(sup.department_code.as_str())
            );
            assert_eq!(sup.position_code, SUPERVISOR);
            assert!(sup.department_code.starts_with("CSC-"));
            let (_, emp) = linked("employee");
            assert_eq!(emp.position_code, AGENT);
            assert_eq!(emp.supervisor_no.as_ref(), Some(&sup.employee_no));
            let (_, mentor) = linked("mentor");
            assert_eq!(mentor.department_code, sup.department_code);
            linked("lecturer");
            linked("judge");
        }
    }

    #[test]
    fn same_seed_same_org_other_seed_other_names() {
        assert_eq!(generate(7, today()), generate(7, today()));
        let names = |seed| -> Vec<String> {
            generate(seed, today())
                .employees
                .into_iter()
                .map(|e| e.name)
                .collect()
        };
        assert_ne!(names(7), names(8));
    }

    #[test]
    fn names_are_mostly_unique() {
        let org = org();
        let names: HashSet<_> = org.employees.iter().map(|e| &e.name).collect();
        assert!(names.len() * 100 >= org.employees.len() * 98);
    }
}
