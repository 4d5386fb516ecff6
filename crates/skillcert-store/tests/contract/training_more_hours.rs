//! Contract tests of `training_more::hours`.
