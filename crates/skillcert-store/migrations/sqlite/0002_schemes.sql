-- Certification schemes edited in the product, one row per version (issue 3, item 6).
-- Presets ship as files and are not stored; a preset edited becomes version 1 of a stored
-- key with `preset` naming it.
CREATE TABLE schemes (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    -- the TOML source exactly as edited
    document TEXT NOT NULL,
    based_on INTEGER REFERENCES schemes(id),
    preset TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (key, version)
);
