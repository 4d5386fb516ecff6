//! compliance report (issue 7).
