//! More training queries of the records area (issue 7), beside `training` and `training_records`.
