-- Theory exams (issue 4): competency model, question bank with versions, papers, exam
-- sessions, attempts, answers and marks. Times that SQL compares (deadlines) are stored as
-- Unix milliseconds so both backends compare numbers, not text.

CREATE TABLE skills (
    code TEXT PRIMARY KEY,
    grp TEXT NOT NULL CHECK (grp IN ('basic', 'professional', 'etiquette')),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    -- the current version, denormalised for listing and filtering
    version INTEGER NOT NULL CHECK (version >= 1),
    qtype TEXT NOT NULL CHECK (qtype IN ('single', 'multiple', 'true_false', 'short')),
    difficulty INTEGER NOT NULL CHECK (difficulty BETWEEN 1 AND 5),
    points INTEGER NOT NULL CHECK (points > 0),
    stem TEXT NOT NULL,
    -- lower-cased "code stem" for text search
    search TEXT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX questions_type ON questions(archived, qtype, difficulty);

CREATE TABLE question_tags (
    question_id INTEGER NOT NULL REFERENCES questions(id),
    skill_code TEXT NOT NULL REFERENCES skills(code),
    PRIMARY KEY (question_id, skill_code)
);
CREATE INDEX question_tags_skill ON question_tags(skill_code, question_id);

-- Immutable: an edit adds a version; attempts point at the version they saw.
CREATE TABLE question_versions (
    id INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES questions(id),
    version INTEGER NOT NULL CHECK (version >= 1),
    -- JSON of the domain Question
    content TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (question_id, version)
);

CREATE TABLE papers (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    -- JSON of the domain PaperSpec
    spec TEXT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE exam_sessions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    paper_id INTEGER REFERENCES papers(id),
    mode TEXT NOT NULL CHECK (mode IN ('online', 'offline')),
    opens_at_ms INTEGER NOT NULL,
    closes_at_ms INTEGER NOT NULL CHECK (closes_at_ms > opens_at_ms),
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    attempts_allowed INTEGER NOT NULL CHECK (attempts_allowed >= 1),
    pass_mark INTEGER NOT NULL CHECK (pass_mark >= 0),
    review TEXT NOT NULL,
    double_marking BOOLEAN NOT NULL,
    divergence INTEGER NOT NULL CHECK (divergence >= 0),
    audience TEXT NOT NULL CHECK (audience IN ('departments', 'list')),
    -- frozen when published: the paper as it was and the questions it may draw from
    paper_spec TEXT,
    pool TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'cancelled')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE exam_session_departments (
    session_id INTEGER NOT NULL REFERENCES exam_sessions(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    PRIMARY KEY (session_id, department_id)
);

CREATE TABLE exam_session_candidates (
    session_id INTEGER NOT NULL REFERENCES exam_sessions(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    PRIMARY KEY (session_id, employee_id)
);

-- Per-candidate overrides (each change is also in the audit log).
CREATE TABLE exam_overrides (
    session_id INTEGER NOT NULL REFERENCES exam_sessions(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    extra_minutes INTEGER NOT NULL DEFAULT 0 CHECK (extra_minutes >= 0),
    extra_attempts INTEGER NOT NULL DEFAULT 0 CHECK (extra_attempts >= 0),
    PRIMARY KEY (session_id, employee_id)
);

CREATE TABLE exam_attempts (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES exam_sessions(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    number INTEGER NOT NULL CHECK (number >= 1),
    seed INTEGER NOT NULL,
    -- JSON of the drawn items (question versions, points, option order); '[]' offline
    paper TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'submitted', 'graded')),
    started_at_ms INTEGER NOT NULL,
    deadline_ms INTEGER NOT NULL,
    submitted_at_ms INTEGER,
    closed_by TEXT CHECK (closed_by IN ('candidate', 'deadline', 'staff', 'offline')),
    max_score INTEGER NOT NULL,
    score INTEGER,
    passed BOOLEAN,
    UNIQUE (session_id, employee_id, number)
);
-- One open attempt per candidate and session, enforced by the database.
CREATE UNIQUE INDEX exam_attempts_one_open ON exam_attempts(session_id, employee_id)
    WHERE status = 'open';
CREATE INDEX exam_attempts_deadline ON exam_attempts(deadline_ms) WHERE status = 'open';
CREATE INDEX exam_attempts_employee ON exam_attempts(employee_id, session_id);

-- The latest acknowledged answer per question, and its score once graded.
CREATE TABLE exam_answers (
    attempt_id INTEGER NOT NULL REFERENCES exam_attempts(id),
    position INTEGER NOT NULL CHECK (position >= 0),
    seq INTEGER NOT NULL,
    -- JSON of the domain Answer; NULL when the item was never answered
    answer TEXT,
    saved_at_ms INTEGER NOT NULL,
    needs_marking BOOLEAN NOT NULL DEFAULT FALSE,
    score INTEGER,
    PRIMARY KEY (attempt_id, position)
) WITHOUT ROWID;
CREATE INDEX exam_answers_marking ON exam_answers(needs_marking, attempt_id) WHERE needs_marking;

CREATE TABLE exam_marks (
    attempt_id INTEGER NOT NULL REFERENCES exam_attempts(id),
    position INTEGER NOT NULL,
    round INTEGER NOT NULL CHECK (round BETWEEN 1 AND 3),
    marker_user_id INTEGER NOT NULL REFERENCES users(id),
    score INTEGER NOT NULL CHECK (score >= 0),
    comment TEXT,
    marked_at TEXT NOT NULL,
    PRIMARY KEY (attempt_id, position, round),
    UNIQUE (attempt_id, position, marker_user_id)
);

-- The competency model of seed-rules §2 (S0, S1, S2); editable data.
INSERT INTO skills (code, grp, name_zh, name_en, position) VALUES
    ('service-awareness', 'basic', '服务意识', 'Service awareness', 1),
    ('customer-orientation', 'basic', '以客户为中心', 'Customer orientation', 2),
    ('empathy', 'basic', '同理心', 'Empathy', 3),
    ('responsibility', 'basic', '责任心', 'Responsibility', 4),
    ('listening', 'basic', '倾听', 'Active listening', 5),
    ('verbal-expression', 'basic', '语言表达', 'Verbal expression', 6),
    ('clear-language', 'basic', '语言清晰', 'Clear language', 7),
    ('non-verbal', 'basic', '非语言沟通', 'Non-verbal communication', 8),
    ('questioning', 'basic', '提问技巧', 'Questioning', 9),
    ('emotion-management', 'basic', '情绪管理', 'Emotion management', 10),
    ('emergency-handling', 'basic', '应急处理', 'Emergency handling', 11),
    ('complaint-process', 'basic', '投诉处理流程', 'Complaint process', 12),
    ('service-norms', 'basic', '服务规范（SLA 与保密）', 'Service norms (SLA and confidentiality)', 13),
    ('company-culture', 'basic', '企业文化', 'Company culture', 14),
    ('product-knowledge', 'professional', '产品知识', 'Product knowledge', 15),
    ('crm-operation', 'professional', 'CRM 与工单系统操作', 'CRM and ticket system operation', 16),
    ('collaboration', 'professional', '跨部门协作', 'Cross-department collaboration', 17),
    ('innovative-service', 'professional', '创新服务', 'Innovative service', 18),
    ('industry-updates', 'professional', '行业动态', 'Industry updates', 19),
    ('fast-response', 'professional', '快速响应', 'Fast response', 20),
    ('logical-analysis', 'professional', '逻辑分析', 'Logical analysis', 21),
    ('polite-phrases', 'etiquette', '礼貌用语', 'Polite phrases', 22),
    ('appearance', 'etiquette', '仪容仪表', 'Appearance', 23);
