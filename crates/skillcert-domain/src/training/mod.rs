//! Training management (seed-rules §1–3): needs surveys and their analysis, attendance with
//! rotating check-in codes, homework and its late policy, mentoring follow-ups and the
//! `daily` component built from them, and the training-hour compliance rules of S2.

pub mod attendance;
pub mod compliance;
pub mod homework;
pub mod mentoring;
pub mod survey;
