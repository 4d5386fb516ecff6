//! Theory exams: the question bank, papers drawn per attempt, the rules of an attempt,
//! grading and marking, and item analysis. Pure: the app layer stores and serves them.

pub mod analysis;
pub mod answer;
pub mod attempt;
pub mod demo;
pub mod marking;
pub mod paper;
pub mod question;
pub mod rng;
pub mod skills;
