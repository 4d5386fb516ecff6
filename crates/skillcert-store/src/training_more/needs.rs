//! More training queries of the needs area (issue 7), beside `training` and `training_records`.
