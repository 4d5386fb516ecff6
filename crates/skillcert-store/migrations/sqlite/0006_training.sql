-- Training management (issue 7): needs surveys, plans and sessions, enrolment, attendance,
-- homework, mentoring, external training, the training-hour ledger and compliance rules.

CREATE TABLE needs_surveys (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    -- JSON: the skill codes asked, in order
    skills TEXT NOT NULL,
    -- JSON: skill code -> target level in hundredths of the 1-5 scale (400 = 4.00)
    targets TEXT NOT NULL,
    -- JSON: {"departments": [ids], "positions": [ids]}; empty lists mean everyone
    audience TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    -- lower-cased "code title"
    search TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Who was asked, fixed when the survey opens: the response rate's denominator.
CREATE TABLE survey_invitees (
    survey_id INTEGER NOT NULL REFERENCES needs_surveys(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    PRIMARY KEY (survey_id, employee_id)
);
CREATE INDEX survey_invitees_employee ON survey_invitees(employee_id);

CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES needs_surveys(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    -- where the respondent stood when answering: the report does not move with transfers
    department_id INTEGER NOT NULL REFERENCES departments(id),
    position_id INTEGER REFERENCES positions(id),
    -- JSON: skill code -> 1..5
    ratings TEXT NOT NULL,
    desired_content TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('online', 'offline', 'either')),
    submitted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (survey_id, employee_id)
);

-- A supervisor's own rating of an employee (partial allowed).
CREATE TABLE survey_supervisor_ratings (
    survey_id INTEGER NOT NULL REFERENCES needs_surveys(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    rated_by INTEGER NOT NULL REFERENCES users(id),
    ratings TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (survey_id, employee_id)
);

CREATE TABLE training_plans (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    -- JSON: dated stages [{"name": .., "starts_on": .., "ends_on": ..}]
    stages TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    source_survey_id INTEGER REFERENCES needs_surveys(id),
    search TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX training_plans_year ON training_plans(year);

CREATE TABLE training_sessions (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER REFERENCES training_plans(id),
    code TEXT NOT NULL UNIQUE,
    topic TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('basic', 'advanced', 'other')),
    -- JSON: skill codes the session trains
    skills TEXT NOT NULL,
    -- the measurable goal, e.g. "satisfaction of new hires >= 4.5 / 5 after training"
    goal TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    -- training time credited to each attendee
    minutes INTEGER NOT NULL,
    place TEXT NOT NULL,
    online_link TEXT NOT NULL,
    lecturer_user_id INTEGER REFERENCES users(id),
    lecturer_external TEXT NOT NULL,
    target_group TEXT NOT NULL,
    outline TEXT NOT NULL,
    materials TEXT NOT NULL,
    assessment_method TEXT NOT NULL,
    -- NULL: no limit
    capacity INTEGER,
    mandatory BOOLEAN NOT NULL,
    open_lead_minutes INTEGER NOT NULL,
    late_after_minutes INTEGER NOT NULL,
    -- hex key of the rotating check-in codes
    checkin_secret TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'cancelled')),
    search TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX training_sessions_starts ON training_sessions(starts_at);
CREATE INDEX training_sessions_plan ON training_sessions(plan_id);
CREATE INDEX training_sessions_lecturer ON training_sessions(lecturer_user_id);

CREATE TABLE session_enrolments (
    session_id INTEGER NOT NULL REFERENCES training_sessions(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    -- how the person came: person, department, position, retake (a ladder step), onboarding
    via TEXT NOT NULL CHECK (via IN ('person', 'department', 'position', 'retake', 'onboarding')),
    enrolled_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (session_id, employee_id)
);
CREATE INDEX session_enrolments_employee ON session_enrolments(employee_id);

CREATE TABLE attendance (
    session_id INTEGER NOT NULL REFERENCES training_sessions(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    mark TEXT NOT NULL CHECK (mark IN ('present', 'late', 'excused', 'absent')),
    source TEXT NOT NULL CHECK (source IN ('lecturer', 'self_check_in')),
    marked_by INTEGER REFERENCES users(id),
    marked_at TEXT NOT NULL,
    PRIMARY KEY (session_id, employee_id)
);
CREATE INDEX attendance_employee ON attendance(employee_id);

CREATE TABLE homework_assignments (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES training_sessions(id),
    title TEXT NOT NULL,
    instructions TEXT NOT NULL,
    deadline TEXT NOT NULL,
    max_points INTEGER NOT NULL,
    -- JSON of the domain LatePolicy
    late_policy TEXT NOT NULL,
    rubric_key TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX homework_assignments_session ON homework_assignments(session_id);

CREATE TABLE homework_submissions (
    id INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES homework_assignments(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    text TEXT NOT NULL,
    -- JSON of the domain Lateness, fixed when handed in
    lateness TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    points INTEGER,
    comment TEXT NOT NULL,
    -- hundredths of 0-100 after the late penalty
    final_score INTEGER,
    marked_by INTEGER REFERENCES users(id),
    marked_at TEXT,
    UNIQUE (assignment_id, employee_id)
);
CREATE INDEX homework_submissions_employee ON homework_submissions(employee_id);

CREATE TABLE homework_files (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES homework_submissions(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX homework_files_submission ON homework_files(submission_id);

-- One mentor per trainee.
CREATE TABLE mentorships (
    mentee_id INTEGER PRIMARY KEY REFERENCES employees(id),
    mentor_id INTEGER NOT NULL REFERENCES employees(id),
    since TEXT NOT NULL,
    assigned_by INTEGER REFERENCES users(id),
    CHECK (mentee_id <> mentor_id)
);
CREATE INDEX mentorships_mentor ON mentorships(mentor_id);

CREATE TABLE mentor_follow_ups (
    id INTEGER PRIMARY KEY,
    mentee_id INTEGER NOT NULL REFERENCES employees(id),
    mentor_id INTEGER NOT NULL REFERENCES employees(id),
    session_id INTEGER REFERENCES training_sessions(id),
    held_on TEXT NOT NULL,
    notes TEXT NOT NULL,
    -- hundredths of 0-100, or none
    evaluation INTEGER,
    recorded_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX mentor_follow_ups_mentee ON mentor_follow_ups(mentee_id);
CREATE INDEX mentor_follow_ups_mentor ON mentor_follow_ups(mentor_id);

-- Training taken outside, with proof, credited once the training manager approves it.
CREATE TABLE external_trainings (
    id INTEGER PRIMARY KEY,
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    title TEXT NOT NULL,
    provider TEXT NOT NULL,
    held_on TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('basic', 'advanced', 'other')),
    proof_filename TEXT NOT NULL,
    proof_content_type TEXT NOT NULL,
    proof BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    decision_note TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX external_trainings_employee ON external_trainings(employee_id);
CREATE INDEX external_trainings_status ON external_trainings(status);

-- The ledger: one row per credited attendance or approved external training.
CREATE TABLE training_hours (
    id INTEGER PRIMARY KEY,
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    year INTEGER NOT NULL,
    held_on TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('basic', 'advanced', 'other')),
    session_id INTEGER REFERENCES training_sessions(id),
    external_id INTEGER REFERENCES external_trainings(id),
    topic TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((session_id IS NULL) <> (external_id IS NULL))
);
CREATE UNIQUE INDEX training_hours_session ON training_hours(session_id, employee_id);
CREATE UNIQUE INDEX training_hours_external ON training_hours(external_id);
CREATE INDEX training_hours_employee ON training_hours(employee_id, year);

-- Yearly totals kept in step with the ledger in the same transaction, so that the
-- compliance page reads one row per employee instead of summing millions of entries.
CREATE TABLE training_hours_yearly (
    year INTEGER NOT NULL,
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    minutes INTEGER NOT NULL,
    basic_minutes INTEGER NOT NULL,
    PRIMARY KEY (year, employee_id)
);

-- Versions of the compliance rules (TOML); the newest applies.
CREATE TABLE compliance_rules (
    version INTEGER PRIMARY KEY,
    document TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
