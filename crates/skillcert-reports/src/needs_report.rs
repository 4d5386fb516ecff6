//! needs report (issue 7).
