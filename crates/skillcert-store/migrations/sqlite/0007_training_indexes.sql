-- The compliance page asks which advanced topics were organised in a year: a covering index
-- turns that scan of every session of the year (~50 ms for 77,000 sessions) into a range
-- search (~5 ms), measured by `skillcert-bench training`.
CREATE INDEX training_sessions_level_year ON training_sessions(level, starts_at, status, topic);

-- Reminders are sent once: before each one the housekeeping asks whether a message of that
-- kind and link exists (once per employee short of hours, every hour in the last weeks of
-- the year); without this index each question scanned the whole inbox.
CREATE INDEX inbox_messages_kind_link ON inbox_messages(kind, link);
