-- Practical assessments (issue 5): rubrics, scenarios, assessment events, panels drawn by
-- lot, judges' score sheets. Results are computed from the sheets, never stored apart from
-- them, so a correction can never leave a stale result behind.

-- Rubrics edited in the product, one row per version (presets ship as files, like schemes).
CREATE TABLE rubrics (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    -- the TOML source exactly as edited
    document TEXT NOT NULL,
    preset TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (key, version)
);

-- Role-play and case cards, versioned like questions.
CREATE TABLE scenarios (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL CHECK (version >= 1),
    kind TEXT NOT NULL CHECK (kind IN ('role_play', 'case', 'recorded_call')),
    title TEXT NOT NULL,
    -- lower-cased "code title" for text search
    search TEXT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE scenario_tags (
    scenario_id INTEGER NOT NULL REFERENCES scenarios(id),
    skill_code TEXT NOT NULL REFERENCES skills(code),
    PRIMARY KEY (scenario_id, skill_code)
);
CREATE INDEX scenario_tags_skill ON scenario_tags(skill_code, scenario_id);

-- Immutable: an edit adds a version; events point at the version they used.
CREATE TABLE scenario_versions (
    id INTEGER PRIMARY KEY,
    scenario_id INTEGER NOT NULL REFERENCES scenarios(id),
    version INTEGER NOT NULL CHECK (version >= 1),
    -- JSON of the domain Scenario
    content TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (scenario_id, version)
);

CREATE TABLE assessment_events (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    -- calibration: every judge scores every subject (recordings), no draw, no result
    kind TEXT NOT NULL CHECK (kind IN ('assessment', 'calibration')),
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    scheme_key TEXT,
    component_key TEXT,
    -- frozen when the event is created: the rubric as it was
    rubric_key TEXT NOT NULL,
    rubric_version INTEGER NOT NULL,
    rubric TEXT NOT NULL,
    -- JSON of the domain PanelRules: pools and quotas, per event or per candidate,
    -- conflicts, trimming, visibility of other judges' marks
    rules TEXT NOT NULL,
    chief_user_id INTEGER REFERENCES users(id),
    -- the seed of the next draw, published before drawing (decimal text: u64 exceeds BIGINT)
    next_seed TEXT,
    status TEXT NOT NULL CHECK (status IN ('planning', 'scoring', 'closed')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE event_scenarios (
    event_id INTEGER NOT NULL REFERENCES assessment_events(id),
    position INTEGER NOT NULL,
    scenario_version_id INTEGER NOT NULL REFERENCES scenario_versions(id),
    PRIMARY KEY (event_id, position)
);

-- Who is assessed, in order; in a calibration, the recordings every judge scores.
CREATE TABLE event_subjects (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES assessment_events(id),
    position INTEGER NOT NULL,
    employee_id INTEGER REFERENCES employees(id),
    label TEXT NOT NULL,
    -- other components of the scheme, typed in (JSON object key -> score text)
    inputs TEXT NOT NULL DEFAULT '{}',
    -- calibration: the reference total, in hundredths
    reference INTEGER,
    -- a result held for divergence, released by the chief judge
    released_by INTEGER REFERENCES users(id),
    release_note TEXT,
    UNIQUE (event_id, position)
);
CREATE UNIQUE INDEX event_subjects_employee ON event_subjects(event_id, employee_id)
    WHERE employee_id IS NOT NULL;

CREATE TABLE event_pool_members (
    event_id INTEGER NOT NULL REFERENCES assessment_events(id),
    pool TEXT NOT NULL,
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    PRIMARY KEY (event_id, pool, employee_id)
);

-- Conflicts declared by hand, on top of the automatic ones (supervisor, same window, self).
CREATE TABLE event_conflicts (
    event_id INTEGER NOT NULL REFERENCES assessment_events(id),
    judge_id INTEGER NOT NULL REFERENCES employees(id),
    subject_id INTEGER NOT NULL REFERENCES event_subjects(id),
    reason TEXT NOT NULL,
    PRIMARY KEY (event_id, judge_id, subject_id)
);

-- Every draw, the first and each redraw, with what is needed to replay it.
CREATE TABLE panel_draws (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES assessment_events(id),
    number INTEGER NOT NULL CHECK (number >= 1),
    seed TEXT NOT NULL,
    -- JSON: the pools with their members and the exclusions, exactly as drawn from
    input TEXT NOT NULL,
    -- JSON: the panel of each subject
    outcome TEXT NOT NULL,
    reason TEXT,
    drawn_by INTEGER REFERENCES users(id),
    drawn_at TEXT NOT NULL,
    UNIQUE (event_id, number)
);

-- The current panel of each subject (replaced by a redraw).
CREATE TABLE panel_seats (
    subject_id INTEGER NOT NULL REFERENCES event_subjects(id),
    judge_id INTEGER NOT NULL REFERENCES employees(id),
    pool TEXT NOT NULL,
    draw_id INTEGER NOT NULL REFERENCES panel_draws(id),
    PRIMARY KEY (subject_id, judge_id)
);
CREATE INDEX panel_seats_judge ON panel_seats(judge_id, subject_id);

CREATE TABLE score_sheets (
    id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES event_subjects(id),
    judge_id INTEGER NOT NULL REFERENCES employees(id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    -- JSON of the domain SheetMarks: item key -> points or n/a, and the free-text fields
    marks TEXT NOT NULL,
    -- the sheet's total out of 100, in hundredths, once submitted
    total INTEGER,
    submitted_at TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (subject_id, judge_id)
);
CREATE INDEX score_sheets_judge ON score_sheets(judge_id, status);

-- Corrections of submitted sheets, by the chief judge (also in the audit log).
CREATE TABLE sheet_corrections (
    id INTEGER PRIMARY KEY,
    sheet_id INTEGER NOT NULL REFERENCES score_sheets(id),
    corrected_by INTEGER REFERENCES users(id),
    reason TEXT NOT NULL,
    before_marks TEXT NOT NULL,
    after_marks TEXT NOT NULL,
    corrected_at TEXT NOT NULL
);
