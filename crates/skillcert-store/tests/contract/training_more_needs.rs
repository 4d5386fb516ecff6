//! Contract tests of `training_more::needs`.
