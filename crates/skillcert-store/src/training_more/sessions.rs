//! More training queries of the sessions area (issue 7), beside `training` and `training_records`.
