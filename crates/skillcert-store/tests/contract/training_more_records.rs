//! Contract tests of `training_more::records`.
