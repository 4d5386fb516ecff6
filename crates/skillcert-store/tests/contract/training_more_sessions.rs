//! Contract tests of `training_more::sessions`.
