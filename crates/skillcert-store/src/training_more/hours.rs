//! More training queries of the hours area (issue 7), beside `training` and `training_records`.
