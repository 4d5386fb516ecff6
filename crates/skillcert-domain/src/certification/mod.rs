//! Certification rounds: who may apply, when results are published and may be appealed,
//! which level is awarded, what a failure costs, and what state a certificate is in.
//!
//! Everything here is a pure function of dates and facts the caller loads, so that the
//! rules the seeds state (seed-rules §3–5) are tested without a database.

pub mod attachment;
pub mod award;
pub mod consequence;
pub mod eligibility;
pub mod report;
pub mod round;
pub mod status;
pub mod training_source;

pub use attachment::{AttachmentError, AttachmentKind, sniff};
pub use award::awarded_level;
pub use consequence::{Consequence, consequence_of};
pub use eligibility::{
    Applicant, EligibilityError, TrainingDone, check_application, check_training,
};
pub use round::{IssueAt, RoundError, RoundPlan, Track, TrainingPrerequisites};
pub use status::{CertificateFlags, CertificateStatus, mask_name};
