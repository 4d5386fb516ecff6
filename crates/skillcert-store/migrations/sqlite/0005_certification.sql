-- Certification rounds (issue 6): applications, results frozen for review and publication,
-- appeals, certificates with gapless numbers, re-evaluation, retake consequences, inbox.

CREATE TABLE cert_rounds (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    scheme_key TEXT NOT NULL,
    scheme_version INTEGER NOT NULL,
    -- the scheme's TOML when the round was opened: a later edit never moves its results
    scheme TEXT NOT NULL,
    -- JSON of the domain RoundPlan (levels, prerequisites, windows, periods)
    plan TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'reviewed', 'published', 'closed')),
    reviewed_by INTEGER REFERENCES users(id),
    published_on TEXT,
    closed_on TEXT,
    -- lower-cased "code title"
    search TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Where each component's score comes from; neither column set: typed in by the manager.
CREATE TABLE round_sources (
    round_id INTEGER NOT NULL REFERENCES cert_rounds(id),
    component_key TEXT NOT NULL,
    exam_session_id INTEGER REFERENCES exam_sessions(id),
    event_id INTEGER REFERENCES assessment_events(id),
    PRIMARY KEY (round_id, component_key)
);

-- S1 template 4.
CREATE TABLE round_applications (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES cert_rounds(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    level_key TEXT NOT NULL,
    training_completed_on TEXT,
    mentor_comment TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn')),
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (round_id, employee_id)
);
CREATE INDEX round_applications_employee ON round_applications(employee_id);

CREATE TABLE application_attachments (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES round_applications(id),
    kind TEXT NOT NULL CHECK (kind IN ('identity', 'job_description')),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX application_attachments_application ON application_attachments(application_id);

-- Component scores typed in (daily performance, attendance), in hundredths.
CREATE TABLE round_scores (
    round_id INTEGER NOT NULL REFERENCES cert_rounds(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    component_key TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10000),
    entered_by INTEGER REFERENCES users(id),
    entered_at TEXT NOT NULL,
    PRIMARY KEY (round_id, employee_id, component_key)
);

-- Results frozen when the manager reviews them. A re-score after an appeal adds a revision
-- and leaves the earlier one, so before and after can always be shown.
CREATE TABLE round_results (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES cert_rounds(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    application_id INTEGER NOT NULL REFERENCES round_applications(id),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    attempt INTEGER NOT NULL CHECK (attempt >= 1),
    -- JSON: component key -> input as evaluated; and the scheme's evaluation
    inputs TEXT NOT NULL,
    evaluation TEXT NOT NULL,
    total INTEGER NOT NULL,
    passed BOOLEAN NOT NULL,
    level_key TEXT,
    awarded_level TEXT,
    step_key TEXT,
    current BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (round_id, employee_id, revision)
);
CREATE UNIQUE INDEX round_results_current ON round_results(round_id, employee_id) WHERE current;
CREATE INDEX round_results_employee ON round_results(employee_id);

CREATE TABLE appeals (
    id INTEGER PRIMARY KEY,
    result_id INTEGER NOT NULL REFERENCES round_results(id),
    round_id INTEGER NOT NULL REFERENCES cert_rounds(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    -- what is disputed: the whole result, one component, or one rubric item / question
    component_key TEXT,
    item TEXT,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'upheld', 'rescored')),
    reviewer_user_id INTEGER REFERENCES users(id),
    decision_note TEXT NOT NULL DEFAULT '',
    new_result_id INTEGER REFERENCES round_results(id),
    -- a new panel drawn by the same rules for a re-score of a panel component
    rescore_event_id INTEGER REFERENCES assessment_events(id),
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE UNIQUE INDEX appeals_one_pending ON appeals(result_id) WHERE status = 'pending';
CREATE INDEX appeals_round ON appeals(round_id, status);

-- The last number given per scheme and year, bumped in the issuing transaction: numbers
-- are gapless and unique however many certificates are issued at once.
CREATE TABLE cert_sequences (
    scheme_key TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (scheme_key, year)
);

CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    scheme_key TEXT NOT NULL,
    seq_year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    round_id INTEGER REFERENCES cert_rounds(id),
    result_id INTEGER REFERENCES round_results(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    level_key TEXT NOT NULL,
    total INTEGER NOT NULL,
    issued_on TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    reevaluation_due TEXT NOT NULL,
    -- the first award, kept when re-evaluation issues a successor
    awarded_on TEXT NOT NULL,
    suspended BOOLEAN NOT NULL DEFAULT FALSE,
    revoked_at TEXT,
    revoked_reason TEXT,
    superseded_by INTEGER REFERENCES certificates(id),
    -- positions in the revocation and suspension status lists (Bitstring Status List)
    revocation_index INTEGER NOT NULL UNIQUE,
    suspension_index INTEGER NOT NULL UNIQUE,
    -- the signed Open Badges 3.0 credential, exactly as issued
    credential TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (scheme_key, seq_year, seq)
);
CREATE INDEX certificates_employee ON certificates(employee_id, scheme_key);
CREATE INDEX certificates_due ON certificates(reevaluation_due);

-- One re-evaluation task per certificate, created when its lead time starts.
CREATE TABLE reevaluation_tasks (
    id INTEGER PRIMARY KEY,
    certificate_id INTEGER NOT NULL UNIQUE REFERENCES certificates(id),
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'passed', 'lapsed')),
    new_certificate_id INTEGER REFERENCES certificates(id),
    created_at TEXT NOT NULL,
    closed_at TEXT
);

-- In-app messages; `kind` is a translation key and `params` its JSON arguments, so a
-- message reads in the reader's language.
CREATE TABLE inbox_messages (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX inbox_messages_user ON inbox_messages(user_id, id);

-- What a failed result set in motion (seed-rules §4.5); payroll and HR act on it.
CREATE TABLE consequences (
    id INTEGER PRIMARY KEY,
    result_id INTEGER NOT NULL UNIQUE REFERENCES round_results(id),
    round_id INTEGER NOT NULL REFERENCES cert_rounds(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    failure_number INTEGER NOT NULL,
    step_key TEXT NOT NULL,
    withhold_pay_percent INTEGER NOT NULL,
    off_duty_days INTEGER NOT NULL,
    off_duty_until TEXT,
    probation_until TEXT,
    hr_procedure TEXT NOT NULL,
    retake_allowed BOOLEAN NOT NULL,
    retake_from TEXT,
    status_before TEXT NOT NULL,
    status_now TEXT,
    returned_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX consequences_employee ON consequences(employee_id);

CREATE TABLE employee_status_changes (
    id INTEGER PRIMARY KEY,
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    consequence_id INTEGER REFERENCES consequences(id),
    changed_by INTEGER REFERENCES users(id),
    changed_at TEXT NOT NULL
);
CREATE INDEX employee_status_changes_employee ON employee_status_changes(employee_id);
