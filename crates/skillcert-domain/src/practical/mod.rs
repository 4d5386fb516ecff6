//! Practical assessments (seed-rules §4.2–4.3): rubrics as data, panels of judges drawn by
//! lot, and the statistics that keep judges honest.

pub mod aggregate;
pub mod draw;
pub mod reliability;
pub mod rubric;
pub mod rules;
pub mod scenario;
