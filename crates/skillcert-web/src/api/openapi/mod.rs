//! The OpenAPI 3.1 description of the API, written by hand and served at
//! `GET /api/v1/openapi.json`.
//!
//! The operations below are listed independently of the router table in `api/mod.rs`; a test
//! there compares the two through [`documented_paths`], so a route cannot be added without
//! documenting it (or documented without existing).

use axum::Json;
use serde_json::{Map, Value, json};
use skillcert_domain::access::Role;
use skillcert_domain::org::EmployeeStatus;

mod appeals;
mod attempts;
mod certificates;
mod exams;
mod practical;
mod questions;
mod round_report;
mod rounds;
mod rubrics;
mod scenarios;
mod training_hours;
mod training_needs;
mod training_records;
mod training_sessions;

use super::PREFIX;
use super::org::{CSV_MIME, XLSX_MIME};
use super::session::ALL_PERMISSIONS;

/// `GET /openapi.json` (no sign-in needed).
pub async fn serve() -> Json<Value> {
    Json(document())
}

/// The methods an OpenAPI path item may hold, in lower case as the document spells them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `(METHOD, full path template)` of every operation in the document, e.g.
/// `("GET", "/api/v1/employees/{id}")`.
pub fn documented_paths() -> Vec<(String, String)> {
    let doc = document();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(move |m| (m.to_ascii_uppercase(), path.clone()))
        })
        .collect()
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for op in operations() {
        let item = paths
            .entry(format!("{PREFIX}{}", op.path))
            .or_insert_with(|| json!({}));
        if let Some(item) = item.as_object_mut() {
            item.insert(op.method.to_string(), op.to_value());
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "skillcert API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Training and certification of customer-service staff: organisation, \
                employees, users and the audit log.\n\n\
                Sign in with `POST /api/v1/session` and send the token as \
                `Authorization: Bearer <token>`. Browser sessions (cookie `sc_session`) work too, \
                but then every state-changing request needs the header `X-CSRF-Token`.\n\n\
                Every error is JSON `{code, message, fields}` (schema `Error`); `message` is in \
                the request's language (cookie `sc_lang`, else `Accept-Language`, else zh-CN)."
        },
        "servers": [{ "url": "/" }],
        "tags": [
            { "name": "session", "description": "Signing in and out; the signed-in user." },
            { "name": "org", "description": "Departments, service windows and teams, positions." },
            { "name": "employees", "description": "Employees and importing them from files." },
            { "name": "users", "description": "User accounts and role grants (administrators)." },
            { "name": "audit", "description": "The hash-chained audit log (administrators)." },
            { "name": "schemes", "description": "Certification schemes and rubrics: presets, stored versions, evaluation." },
            { "name": "questions", "description": "The question bank: questions, import and export." },
            { "name": "papers", "description": "Exam papers: fixed parts and random draws from the bank." },
            { "name": "exams", "description": "Exam sessions, their candidates and results, item analysis." },
            { "name": "taking", "description": "A candidate's own attempt: answers saved as they go, submission." },
            { "name": "marking", "description": "Marking short answers, single or double-blind." },
            { "name": "scenarios", "description": "Scenario cards for role-plays and recorded calls." },
            { "name": "assessments", "description": "Practical assessment events: candidates, panels drawn by lot, results." },
            { "name": "judging", "description": "A judge's panels and score sheets; corrections." },
            { "name": "certification", "description": "Certification rounds: applications, results, publication, appeals, consequences, inbox." },
            { "name": "certificates", "description": "Certificates, their signed credentials, public verification and re-evaluation." },
            { "name": "training-needs", "description": "The competency model, training needs surveys and the needs-analysis report." },
            { "name": "training-sessions", "description": "Training plans and sessions: enrolment, calendar, attendance and check-in." },
            { "name": "training-records", "description": "Homework, mentors and follow-ups, the daily component." },
            { "name": "training-hours", "description": "The training-hour ledger, external training and compliance." },
            { "name": "meta", "description": "This document." }
        ],
        "security": [{ "bearerAuth": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The `token` of `POST /api/v1/session`."
                }
            },
            "schemas": schemas(),
            "responses": error_responses()
        }
    })
}

// ---------- building blocks ----------

pub(super) fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

pub(super) fn int() -> Value {
    json!({ "type": "integer", "format": "int64" })
}

pub(super) fn int_or_null() -> Value {
    json!({ "type": ["integer", "null"], "format": "int64" })
}

pub(super) fn string() -> Value {
    json!({ "type": "string" })
}

pub(super) fn string_or_null() -> Value {
    json!({ "type": ["string", "null"] })
}

pub(super) fn boolean() -> Value {
    json!({ "type": "boolean" })
}

pub(super) fn datetime() -> Value {
    json!({ "type": "string", "format": "date-time" })
}

pub(super) fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

pub(super) fn described(mut schema: Value, description: &str) -> Value {
    if let Some(o) = schema.as_object_mut() {
        o.insert("description".into(), description.into());
    }
    schema
}

pub(super) fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": properties })
}

pub(super) fn page_of(item: &str) -> Value {
    object(
        &["items", "total", "page", "per_page"],
        json!({
            "items": array(r(item)),
            "total": described(int(), "Matching rows in all pages."),
            "page": described(int(), "1-based."),
            "per_page": int()
        }),
    )
}

pub(super) fn keys<T: serde::Serialize>(items: impl IntoIterator<Item = T>) -> Vec<Value> {
    items
        .into_iter()
        .filter_map(|i| serde_json::to_value(i).ok())
        .collect()
}

pub(super) fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

// ---------- operations ----------

pub(super) struct Op {
    method: &'static str,
    path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
    description: Option<&'static str>,
    params: Vec<Value>,
    body: Option<Value>,
    success: (&'static str, Value),
    errors: &'static [u16],
    public: bool,
}

pub(super) fn op(
    method: &'static str,
    path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
) -> Op {
    Op {
        method,
        path,
        id,
        tag,
        summary,
        description: None,
        params: Vec::new(),
        body: None,
        success: ("200", json!({ "description": "OK" })),
        errors: &[],
        public: false,
    }
}

impl Op {
    pub(super) fn describe(mut self, d: &'static str) -> Self {
        self.description = Some(d);
        self
    }

    pub(super) fn query(mut self, name: &str, schema: Value, description: &str) -> Self {
        self.params.push(json!({
            "name": name,
            "in": "query",
            "required": false,
            "schema": schema,
            "description": description
        }));
        self
    }

    pub(super) fn header(mut self, name: &str, description: &str) -> Self {
        self.params.push(json!({
            "name": name,
            "in": "header",
            "required": false,
            "schema": string(),
            "description": description
        }));
        self
    }

    pub(super) fn body(mut self, schema: &str) -> Self {
        self.body = Some(json!({ "required": true, "content": json_content(r(schema)) }));
        self
    }

    pub(super) fn raw_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    pub(super) fn ok(mut self, description: &str, schema: Value) -> Self {
        self.success = (
            "200",
            json!({ "description": description, "content": json_content(schema) }),
        );
        self
    }

    pub(super) fn ok_with(mut self, response: Value) -> Self {
        self.success = ("200", response);
        self
    }

    pub(super) fn created(mut self, description: &str, schema: Value, location: bool) -> Self {
        let mut response = json!({ "description": description, "content": json_content(schema) });
        if location {
            response["headers"] = json!({
                "Location": { "description": "The new resource.", "schema": string() }
            });
        }
        self.success = ("201", response);
        self
    }

    pub(super) fn no_content(mut self, description: &str) -> Self {
        self.success = ("204", json!({ "description": description }));
        self
    }

    pub(super) fn errors(mut self, statuses: &'static [u16]) -> Self {
        self.errors = statuses;
        self
    }

    pub(super) fn public(mut self) -> Self {
        self.public = true;
        self
    }

    /// The names inside `{...}` of the path template.
    fn path_params(&self) -> Vec<&'static str> {
        self.path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect()
    }

    fn to_value(&self) -> Value {
        let mut params: Vec<Value> = self
            .path_params()
            .into_iter()
            .map(|name| {
                let text = |description: &str| {
                    json!({
                        "name": name,
                        "in": "path",
                        "required": true,
                        "schema": string(),
                        "description": description
                    })
                };
                if name == "key" {
                    return text("A scheme or rubric key such as `s1-certification`.");
                }
                if name == "number"
                    && (self.path.starts_with("/certificates/")
                        || self.path.starts_with("/verify/"))
                {
                    return text("A certificate number such as `CS2026001`.");
                }
                if name == "code" && self.path.starts_with("/skills/") {
                    return text("A skill code of the competency model, such as `listening`.");
                }
                if name == "component" {
                    return text("A component key of the round's scheme, such as `theory`.");
                }
                json!({
                    "name": name,
                    "in": "path",
                    "required": true,
                    "schema": int(),
                    "description": "Numeric id; one that is not a number is `not-found`."
                })
            })
            .collect();
        params.extend(self.params.iter().cloned());

        let mut responses = Map::new();
        responses.insert(self.success.0.into(), self.success.1.clone());
        let mut statuses: Vec<u16> = self.errors.to_vec();
        if !self.public {
            statuses.push(401);
        }
        statuses.push(500);
        statuses.sort_unstable();
        statuses.dedup();
        for s in statuses {
            if let Some(name) = error_response_name(s) {
                responses.insert(
                    s.to_string(),
                    json!({ "$ref": format!("#/components/responses/{name}") }),
                );
            }
        }

        let mut o = Map::new();
        o.insert("operationId".into(), self.id.into());
        o.insert("tags".into(), json!([self.tag]));
        o.insert("summary".into(), self.summary.into());
        if let Some(d) = self.description {
            o.insert("description".into(), d.into());
        }
        if !params.is_empty() {
            o.insert("parameters".into(), Value::Array(params));
        }
        if let Some(b) = &self.body {
            o.insert("requestBody".into(), b.clone());
        }
        o.insert("responses".into(), Value::Object(responses));
        if self.public {
            o.insert("security".into(), json!([]));
        }
        Value::Object(o)
    }
}

pub(super) const READ: &[u16] = &[403];
pub(super) const READ_ONE: &[u16] = &[403, 404];
pub(super) const CREATE: &[u16] = &[400, 403, 409, 422];
pub(super) const UPDATE: &[u16] = &[400, 403, 404, 409, 422];

fn operations() -> Vec<Op> {
    let mut ops = base_operations();
    ops.extend(exams::operations());
    ops.extend(attempts::operations());
    ops.extend(questions::operations());
    ops.extend(rubrics::operations());
    ops.extend(scenarios::operations());
    ops.extend(practical::operations());
    ops.extend(rounds::operations());
    ops.extend(round_report::operations());
    ops.extend(appeals::operations());
    ops.extend(certificates::operations());
    ops.extend(training_needs::operations());
    ops.extend(training_sessions::operations());
    ops.extend(training_records::operations());
    ops.extend(training_hours::operations());
    ops
}

fn base_operations() -> Vec<Op> {
    let page = json!({ "type": "integer", "minimum": 1, "default": 1 });
    let per_page = json!({ "type": "integer", "minimum": 1, "maximum": 500, "default": 50 });
    let statuses = keys(EmployeeStatus::ALL.iter().map(|s| s.key()));
    vec![
        op("get", "/openapi.json", "getOpenApi", "meta", "This OpenAPI document")
            .public()
            .ok("The OpenAPI 3.1 document.", json!({ "type": "object" })),
        // session
        op("post", "/session", "login", "session", "Sign in")
            .describe(
                "Returns a bearer token for API calls. After too many failures for an account, \
                 sign-in is refused for a while (429, `throttled`). An unknown user and a wrong \
                 password both give 401 `bad-credentials`.",
            )
            .public()
            .body("LoginRequest")
            .ok("Signed in.", r("Login"))
            .errors(&[400, 401, 429]),
        op("delete", "/session", "logout", "session", "Sign out")
            .describe("Ends the session the request is made with.")
            .no_content("Signed out.")
            .errors(&[403]),
        op("get", "/me", "getMe", "session", "The signed-in user")
            .ok("The user, their roles and what they may do.", r("Me")),
        op("post", "/me/password", "changeMyPassword", "session", "Change one's own password")
            .describe("The user's other sessions end; this one stays valid.")
            .body("PasswordChange")
            .no_content("Changed.")
            .errors(&[400, 403, 422]),
        op("get", "/dashboard", "getDashboard", "session", "Start-page numbers")
            .describe("Limited to what the user may see.")
            .ok("The numbers.", r("Dashboard"))
            .errors(READ),
        // departments
        op("get", "/departments", "listDepartments", "org", "Department tree")
            .describe("The departments the user may see, each parent before its children.")
            .ok("Departments in tree order.", array(r("DepartmentNode")))
            .errors(READ),
        op("post", "/departments", "createDepartment", "org", "Create a department")
            .body("DepartmentInput")
            .created("Created.", r("Department"), true)
            .errors(CREATE),
        op("get", "/departments/{id}", "getDepartment", "org", "One department")
            .ok("The department.", r("Department"))
            .errors(READ_ONE),
        op("put", "/departments/{id}", "updateDepartment", "org", "Change a department")
            .body("DepartmentInput")
            .ok("The changed department.", r("Department"))
            .errors(UPDATE),
        // units
        op("get", "/units", "listUnits", "org", "Service windows and teams")
            .ok("Units in the user's scope.", array(r("Unit")))
            .errors(READ),
        op("post", "/units", "createUnit", "org", "Create a window or team")
            .body("UnitInput")
            .created("Created.", r("Unit"), true)
            .errors(CREATE),
        op("get", "/units/{id}", "getUnit", "org", "One window or team")
            .ok("The unit.", r("Unit"))
            .errors(READ_ONE),
        op("put", "/units/{id}", "updateUnit", "org", "Change a window or team")
            .body("UnitInput")
            .ok("The changed unit.", r("Unit"))
            .errors(UPDATE),
        // positions
        op("get", "/positions", "listPositions", "org", "Positions")
            .ok("All positions (they are company-wide).", array(r("Position")))
            .errors(READ),
        op("post", "/positions", "createPosition", "org", "Create a position")
            .describe("Needs a company-wide grant.")
            .body("PositionInput")
            .created("Created.", r("Position"), true)
            .errors(CREATE),
        op("get", "/positions/{id}", "getPosition", "org", "One position")
            .ok("The position.", r("Position"))
            .errors(READ_ONE),
        op("put", "/positions/{id}", "updatePosition", "org", "Change a position")
            .describe("Needs a company-wide grant.")
            .body("PositionInput")
            .ok("The changed position.", r("Position"))
            .errors(UPDATE),
        // employees
        op("get", "/employees", "listEmployees", "employees", "Search employees")
            .describe("Values that do not parse are ignored rather than refused.")
            .query("q", string(), "Text in the employee number or name.")
            .query("department", int(), "A department and everything below it.")
            .query("status", json!({ "type": "string", "enum": statuses }), "Employee status.")
            .query("position", int(), "Position id.")
            .query("unit", int(), "Window or team id.")
            .query(
                "sort",
                json!({
                    "type": "string",
                    "enum": ["employee_no", "name", "department", "hire_date", "status"],
                    "default": "employee_no"
                }),
                "Sort column.",
            )
            .query("dir", json!({ "type": "string", "enum": ["asc", "desc"], "default": "asc" }), "Sort direction.")
            .query("page", page.clone(), "Page number.")
            .query("per_page", per_page.clone(), "Rows per page.")
            .ok("One page of employees.", r("EmployeePage"))
            .errors(&[400, 403]),
        op("post", "/employees", "createEmployee", "employees", "Create an employee")
            .body("EmployeeInput")
            .created("Created.", r("Employee"), true)
            .errors(CREATE),
        op("post", "/employees/import", "importEmployees", "employees", "Import employees from a file")
            .describe(
                "The request body is the file itself (CSV in UTF-8, or XLSX). The whole file is \
                 checked before anything is written: if any row is bad nothing changes and the \
                 answer is 422 `import-rejected` with the report, listing every problem, in \
                 `import`. Employee numbers are the key, so importing the same file again \
                 updates rather than duplicates.",
            )
            .query("dry_run", json!({ "type": "boolean", "default": false }), "Only check and report what would change.")
            .header(
                "X-File-Name",
                "The file's name (UTF-8), recorded in the audit log; else `upload.csv` or \
                 `upload.xlsx` by `Content-Type`. The format is told from the content where possible.",
            )
            .raw_body(json!({
                "required": true,
                "content": {
                    CSV_MIME: { "schema": { "type": "string", "contentMediaType": CSV_MIME } },
                    XLSX_MIME: { "schema": { "contentMediaType": XLSX_MIME } },
                    "application/octet-stream": {}
                }
            }))
            .ok("What was imported (or, with `dry_run`, what would be).", r("ImportReport"))
            .errors(&[400, 403, 422]),
        op("get", "/employees/import/template", "getImportTemplate", "employees", "Import template")
            .describe("An empty import file with column headers and example rows.")
            .query("format", json!({ "type": "string", "enum": ["csv", "xlsx"], "default": "csv" }), "File format.")
            .query(
                "lang",
                json!({ "type": "string", "enum": ["zh-CN", "en"] }),
                "Language of the headers; the request's language when absent.",
            )
            .ok_with(json!({
                "description": "The file, as an attachment.",
                "headers": {
                    "Content-Disposition": { "description": "`attachment; filename=...`", "schema": string() }
                },
                "content": {
                    "text/csv; charset=utf-8": { "schema": { "type": "string", "contentMediaType": CSV_MIME } },
                    XLSX_MIME: { "schema": { "contentMediaType": XLSX_MIME } }
                }
            }))
            .errors(&[400, 403]),
        op("get", "/employees/{id}", "getEmployee", "employees", "One employee")
            .describe("Users linked to an employee may always see their own record.")
            .ok("The employee with names of what it refers to.", r("EmployeeView"))
            .errors(READ_ONE),
        op("put", "/employees/{id}", "updateEmployee", "employees", "Change an employee")
            .body("EmployeeInput")
            .ok("The changed employee.", r("Employee"))
            .errors(UPDATE),
        // users
        op("get", "/users", "listUsers", "users", "User accounts")
            .ok("Every user with their grants.", array(r("UserWithGrants")))
            .errors(READ),
        op("post", "/users", "createUser", "users", "Create a user")
            .body("UserInput")
            .created("Created.", r("User"), true)
            .errors(CREATE),
        op("get", "/users/{id}", "getUser", "users", "One user")
            .ok("The user with their grants.", r("UserWithGrants"))
            .errors(READ_ONE),
        op("post", "/users/{id}/grants", "addGrant", "users", "Grant a role")
            .body("GrantInput")
            .created("Granted.", r("GrantRow"), false)
            .errors(&[400, 403, 404, 409, 422]),
        op("delete", "/users/{id}/grants/{grant_id}", "removeGrant", "users", "Withdraw a role")
            .describe("Administrators cannot withdraw their own admin role (409 `last-admin`).")
            .no_content("Withdrawn.")
            .errors(&[403, 404, 409]),
        op("post", "/users/{id}/password", "resetPassword", "users", "Set a user's password")
            .describe("The user's sessions end.")
            .body("PasswordReset")
            .no_content("Set.")
            .errors(&[400, 403, 404, 422]),
        op("post", "/users/{id}/active", "setUserActive", "users", "Block or unblock sign-in")
            .describe("Blocking ends the user's sessions; one cannot block oneself (409 `self-deactivate`).")
            .body("ActiveInput")
            .no_content("Done.")
            .errors(&[400, 403, 404, 409]),
        // audit
        op("get", "/audit", "listAudit", "audit", "Audit log")
            .describe("Newest first. Empty filters mean none; numbers that do not parse fall back to defaults.")
            .query("entity", string(), "Kind of record, e.g. `employee`.")
            .query("entity_id", string(), "Id of the record.")
            .query("action", string(), "e.g. `employee.update`.")
            .query("actor", string(), "Username of who made the change.")
            .query("page", page, "Page number.")
            .query("per_page", per_page, "Rows per page.")
            .ok("One page of audit records.", r("AuditPage"))
            .errors(&[400, 403]),
        op("get", "/audit/verify", "verifyAudit", "audit", "Check the audit chain")
            .describe("Walks the whole hash chain and reports the first broken record, if any.")
            .ok("The result.", r("Verification"))
            .errors(READ),
        // schemes
        op("get", "/schemes", "listSchemes", "schemes", "Certification schemes")
            .describe("The presets (read-only), then every stored key at its latest version.")
            .ok("The schemes.", array(r("SchemeSummary")))
            .errors(READ),
        op("get", "/schemes/{key}", "getScheme", "schemes", "One scheme version")
            .query("version", string(), "`latest` (default), `preset`, or a stored version number.")
            .ok("The version with its TOML source and the key's history.", r("SchemeView"))
            .errors(&[400, 403, 404]),
        op("post", "/schemes/{key}/versions", "createSchemeVersion", "schemes", "Save a new version")
            .describe(
                "Validates the TOML document and stores it as the next version of the key it \
                 names (version = highest stored + 1; an edited preset becomes version 1). \
                 Errors are 422 `invalid-scheme` with one entry per problem in `fields`, each \
                 naming its field path (`components[2].weight`) and rule code. Needs the \
                 `scheme_manage` permission.",
            )
            .body("SchemeVersionInput")
            .created("Stored.", r("StoredScheme"), true)
            .errors(&[400, 403, 404, 409, 422]),
        op("post", "/schemes/{key}/evaluate", "evaluateScheme", "schemes", "Evaluate one attempt")
            .describe(
                "Nothing is written. The body is the domain's `Inputs` (`attempt`, `values` keyed \
                 by component: a number, a list of judges' marks, or a list of lists for \
                 per-item panels) plus an optional `version`. Inputs that do not fit the scheme \
                 are 422 `invalid-inputs`.",
            )
            .body("EvaluateInput")
            .ok("The evaluation with its explanation in the request's language.", r("Evaluation"))
            .errors(&[400, 403, 404, 422]),
    ]
}

// ---------- errors ----------

fn error_response_name(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        422 => "Unprocessable",
        429 => "TooManyRequests",
        500 => "Internal",
        _ => return None,
    })
}

fn error_responses() -> Value {
    let e = |description: &str| json!({ "description": description, "content": json_content(r("Error")) });
    let mut unauthorized =
        e("Not signed in (`unauthenticated`) or, when signing in, `bad-credentials`.");
    unauthorized["headers"] = json!({
        "WWW-Authenticate": { "description": "`Bearer`", "schema": string() }
    });
    json!({
        "BadRequest": e("The request could not be read: `bad-json` (body is not the expected JSON), \
            `bad-query`, `bad-body` or `body-too-large`."),
        "Unauthorized": unauthorized,
        "Forbidden": e("Not allowed (`forbidden`), or a cookie-authenticated change without the \
            session's `X-CSRF-Token` (`csrf`)."),
        "NotFound": e("No such record (`not-found`)."),
        "Conflict": e("The change conflicts with stored data; `code` says how (e.g. `conflict`, \
            `reference`, `last-admin`, `self-deactivate`)."),
        "Unprocessable": e("Invalid input (`validation`, with `fields`), or an import file refused \
            as a whole (`import-rejected`, with `import`)."),
        "TooManyRequests": e("Too many failed sign-ins (`throttled`); `message` says how long to wait."),
        "Internal": e("Something went wrong on the server (`internal`); details are only logged.")
    })
}

// ---------- schemas ----------

fn schemas() -> Value {
    let roles = keys(Role::ALL);
    let optional_roles: Vec<Value> = std::iter::once(Value::from(""))
        .chain(roles.iter().cloned())
        .collect();
    let permissions = keys(ALL_PERMISSIONS);
    let statuses = keys(EmployeeStatus::ALL.iter().map(|s| s.key()));
    let list: Vec<(&str, Value)> = vec![
        (
            "Error",
            object(
                &["code", "message", "fields"],
                json!({
                    "code": described(string(), "Stable code, e.g. `validation`, `not-found`, `bad-json`."),
                    "message": described(string(), "The error in the request's language."),
                    "fields": described(array(r("FieldError")), "Problems of single fields (for `validation`)."),
                    "import": described(r("ImportReport"), "Only for `import-rejected`: the report with every problem.")
                }),
            ),
        ),
        (
            "FieldError",
            object(
                &["field", "code", "message"],
                json!({
                    "field": described(string(), "The request field, e.g. `employee_no`."),
                    "code": described(string(), "e.g. `empty`, `too-long`, `duplicate`, `not-found`."),
                    "message": described(string(), "The problem in the request's language.")
                }),
            ),
        ),
        (
            "LoginRequest",
            object(
                &["username", "password"],
                json!({
                    "username": string(),
                    "password": json!({ "type": "string", "format": "password" })
                }),
            ),
        ),
        (
            "Login",
            object(
                &["token", "csrf_token", "user_id", "expires_at"],
                json!({
                    "token": described(string(), "Send as `Authorization: Bearer <token>`."),
                    "csrf_token": described(string(), "Only needed when the session is used as a browser cookie."),
                    "user_id": int(),
                    "expires_at": described(datetime(), "Extended while the session is used.")
                }),
            ),
        ),
        (
            "Grant",
            object(
                &["role", "department_id"],
                json!({
                    "role": { "type": "string", "enum": roles.clone() },
                    "department_id": described(int_or_null(), "Limited to this department and those below; null = everywhere.")
                }),
            ),
        ),
        (
            "Me",
            object(
                &[
                    "user_id",
                    "username",
                    "display_name",
                    "employee_id",
                    "roles",
                    "permissions",
                ],
                json!({
                    "user_id": int(),
                    "username": string(),
                    "display_name": string(),
                    "employee_id": int_or_null(),
                    "roles": array(r("Grant")),
                    "permissions": array(json!({ "type": "string", "enum": permissions }))
                }),
            ),
        ),
        (
            "PasswordChange",
            object(
                &["current_password", "new_password", "confirm_password"],
                json!({
                    "current_password": { "type": "string", "format": "password" },
                    "new_password": { "type": "string", "format": "password", "minLength": 8, "maxLength": 128 },
                    "confirm_password": { "type": "string", "format": "password" }
                }),
            ),
        ),
        (
            "Dashboard",
            object(
                &[
                    "employees_by_status",
                    "employees_total",
                    "departments",
                    "units",
                    "positions",
                    "users",
                    "audit_records",
                    "recent_changes",
                ],
                json!({
                    "employees_by_status": described(array(json!({
                        "type": "array",
                        "prefixItems": [{ "type": "string", "enum": statuses.clone() }, int()],
                        "minItems": 2,
                        "maxItems": 2
                    })), "`[status, count]` pairs of employees in scope."),
                    "employees_total": int(),
                    "departments": int(),
                    "units": int(),
                    "positions": int(),
                    "users": described(int_or_null(), "Administrators only."),
                    "audit_records": described(int_or_null(), "Administrators only."),
                    "recent_changes": described(array(r("AuditRow")), "Administrators only; empty otherwise.")
                }),
            ),
        ),
        (
            "Department",
            object(
                &[
                    "id",
                    "code",
                    "name",
                    "parent_id",
                    "created_at",
                    "updated_at",
                ],
                json!({
                    "id": int(),
                    "code": string(),
                    "name": string(),
                    "parent_id": int_or_null(),
                    "created_at": datetime(),
                    "updated_at": datetime()
                }),
            ),
        ),
        (
            "DepartmentNode",
            json!({
                "allOf": [
                    r("Department"),
                    object(&["depth", "headcount", "writable"], json!({
                        "depth": described(int(), "0 for top-level departments (as far as visible)."),
                        "headcount": int(),
                        "writable": described(boolean(), "Whether the user may change it.")
                    }))
                ]
            }),
        ),
        (
            "DepartmentInput",
            object(
                &["code", "name"],
                json!({
                    "code": string(),
                    "name": string(),
                    "parent_id": described(int_or_null(), "null or absent for a top-level department.")
                }),
            ),
        ),
        (
            "Unit",
            object(
                &[
                    "id",
                    "code",
                    "name",
                    "kind",
                    "department_id",
                    "created_at",
                    "updated_at",
                ],
                json!({
                    "id": int(),
                    "code": string(),
                    "name": string(),
                    "kind": { "type": "string", "enum": ["window", "team"] },
                    "department_id": int(),
                    "created_at": datetime(),
                    "updated_at": datetime()
                }),
            ),
        ),
        (
            "UnitInput",
            object(
                &["code", "name", "kind", "department_id"],
                json!({
                    "code": string(),
                    "name": string(),
                    "kind": { "type": "string", "enum": ["window", "team"] },
                    "department_id": int()
                }),
            ),
        ),
        (
            "Position",
            object(
                &["id", "code", "name", "created_at", "updated_at"],
                json!({
                    "id": int(),
                    "code": string(),
                    "name": string(),
                    "created_at": datetime(),
                    "updated_at": datetime()
                }),
            ),
        ),
        (
            "SchemeSummary",
            object(
                &[
                    "key",
                    "version",
                    "origin",
                    "labels",
                    "pass_line",
                    "weights",
                    "stored_versions",
                ],
                json!({
                    "key": string(),
                    "version": int(),
                    "origin": { "type": "string", "enum": ["preset", "stored"] },
                    "labels": r("Labels"),
                    "pass_line": { "type": "number" },
                    "weights": array(object(&["key", "weight"], json!({
                        "key": string(),
                        "weight": described(json!({ "type": "number" }), "Percent.")
                    }))),
                    "stored_versions": int()
                }),
            ),
        ),
        (
            "Labels",
            object(
                &["zh-CN", "en"],
                json!({ "zh-CN": string(), "en": string() }),
            ),
        ),
        (
            "SchemeView",
            object(
                &["key", "version", "origin", "document", "scheme", "versions"],
                json!({
                    "key": string(),
                    "version": int(),
                    "origin": { "type": "string", "enum": ["preset", "stored"] },
                    "document": described(string(), "The TOML source."),
                    "scheme": described(json!({ "type": "object" }), "The validated scheme as data, in the shape of the TOML document."),
                    "versions": array(object(&["origin", "version", "param"], json!({
                        "origin": { "type": "string", "enum": ["preset", "stored"] },
                        "version": int(),
                        "param": described(string(), "`preset` or the version number, as `?version=` takes it."),
                        "created_at": { "type": ["string", "null"], "format": "date-time" },
                        "created_by": int_or_null()
                    })))
                }),
            ),
        ),
        (
            "SchemeVersionInput",
            object(
                &["document"],
                json!({
                    "document": described(string(), "The scheme as TOML."),
                    "base": described(string(), "The version edited: `latest` (default), `preset` or a number.")
                }),
            ),
        ),
        (
            "StoredScheme",
            object(
                &[
                    "id",
                    "key",
                    "version",
                    "document",
                    "based_on",
                    "preset",
                    "created_by",
                    "created_at",
                ],
                json!({
                    "id": int(),
                    "key": string(),
                    "version": int(),
                    "document": string(),
                    "based_on": int_or_null(),
                    "preset": string_or_null(),
                    "created_by": int_or_null(),
                    "created_at": datetime()
                }),
            ),
        ),
        (
            "EvaluateInput",
            object(
                &[],
                json!({
                    "attempt": described(json!({ "type": "integer", "minimum": 1, "default": 1 }), "1-based; a failed attempt n is the n-th failure."),
                    "values": described(json!({ "type": "object", "additionalProperties": true }), "Component key → a score, a list of marks, or a list of lists of marks."),
                    "version": described(json!({ "type": ["string", "integer"] }), "`latest` (default), `preset` or a stored version number.")
                }),
            ),
        ),
        (
            "Evaluation",
            object(
                &[
                    "scheme_key",
                    "scheme_version",
                    "attempt",
                    "decimals",
                    "components",
                    "status",
                    "hold",
                    "lines",
                    "explanation",
                ],
                json!({
                    "scheme_key": string(),
                    "scheme_version": int(),
                    "attempt": int(),
                    "decimals": int(),
                    "components": array(json!({ "type": "object" })),
                    "status": described(json!({ "type": "object" }), "`{status: complete, total, passed, level, consequence, …}` or `{status: incomplete, missing}`."),
                    "hold": boolean(),
                    "lines": array(json!({ "type": "object" })),
                    "explanation": array(string())
                }),
            ),
        ),
        (
            "PositionInput",
            object(
                &["code", "name"],
                json!({
                    "code": string(),
                    "name": string()
                }),
            ),
        ),
        (
            "Employee",
            object(
                &[
                    "id",
                    "employee_no",
                    "name",
                    "department_id",
                    "position_id",
                    "unit_id",
                    "supervisor_id",
                    "hire_date",
                    "status",
                    "created_at",
                    "updated_at",
                ],
                json!({
                    "id": int(),
                    "employee_no": string(),
                    "name": string(),
                    "department_id": int(),
                    "position_id": int_or_null(),
                    "unit_id": int_or_null(),
                    "supervisor_id": int_or_null(),
                    "hire_date": { "type": "string", "format": "date" },
                    "status": { "type": "string", "enum": statuses.clone() },
                    "created_at": datetime(),
                    "updated_at": datetime()
                }),
            ),
        ),
        (
            "EmployeeView",
            object(
                &[
                    "id",
                    "employee_no",
                    "name",
                    "department_id",
                    "department_name",
                    "position_id",
                    "position_name",
                    "unit_id",
                    "unit_name",
                    "supervisor_id",
                    "supervisor_name",
                    "supervisor_no",
                    "hire_date",
                    "status",
                    "updated_at",
                ],
                json!({
                    "id": int(),
                    "employee_no": string(),
                    "name": string(),
                    "department_id": int(),
                    "department_name": string(),
                    "position_id": int_or_null(),
                    "position_name": string_or_null(),
                    "unit_id": int_or_null(),
                    "unit_name": string_or_null(),
                    "supervisor_id": int_or_null(),
                    "supervisor_name": string_or_null(),
                    "supervisor_no": string_or_null(),
                    "hire_date": { "type": "string", "format": "date" },
                    "status": { "type": "string", "enum": statuses },
                    "updated_at": datetime()
                }),
            ),
        ),
        (
            "EmployeeInput",
            object(
                &["employee_no", "name", "department_id", "hire_date"],
                json!({
                    "employee_no": string(),
                    "name": string(),
                    "department_id": int(),
                    "position_id": int_or_null(),
                    "unit_id": described(int_or_null(), "Must belong to the department."),
                    "supervisor_no": described(string(), "The supervisor's employee number; empty for none."),
                    "hire_date": described(string(), "`2024-03-01`, `2024/3/1` or `2024.03.01`; not in the future."),
                    "status": described(string(), "A status key or its English or Chinese label; empty means `active`.")
                }),
            ),
        ),
        ("EmployeePage", page_of("EmployeeView")),
        (
            "ImportReport",
            object(
                &[
                    "rows",
                    "created",
                    "updated",
                    "unchanged",
                    "issues",
                    "dry_run",
                ],
                json!({
                    "rows": described(int(), "Data rows in the file."),
                    "created": described(array(string()), "Employee numbers of new employees."),
                    "updated": array(r("UpdatedRow")),
                    "unchanged": int(),
                    "issues": described(array(r("RowIssue")), "Why the file was refused; empty on success."),
                    "dry_run": boolean()
                }),
            ),
        ),
        (
            "RowIssue",
            object(
                &["line", "column", "code", "detail"],
                json!({
                    "line": described(int(), "Line in the file (1-based, as in a spreadsheet); 0 for the whole file."),
                    "column": described(string_or_null(), "Column key, e.g. `department`."),
                    "code": described(string(), "e.g. `not-found`, `ambiguous`, `out-of-scope`, `file-empty`."),
                    "detail": described(string_or_null(), "The offending value or a limit.")
                }),
            ),
        ),
        (
            "UpdatedRow",
            object(
                &["line", "employee_no", "changes"],
                json!({
                    "line": int(),
                    "employee_no": string(),
                    "changes": array(r("FieldChange"))
                }),
            ),
        ),
        (
            "FieldChange",
            object(
                &["field", "before", "after"],
                json!({
                    "field": string(),
                    "before": string(),
                    "after": string()
                }),
            ),
        ),
        (
            "User",
            object(
                &[
                    "id",
                    "username",
                    "display_name",
                    "employee_id",
                    "locale",
                    "active",
                    "created_at",
                    "updated_at",
                ],
                json!({
                    "id": int(),
                    "username": string(),
                    "display_name": string(),
                    "employee_id": int_or_null(),
                    "locale": string_or_null(),
                    "active": boolean(),
                    "created_at": datetime(),
                    "updated_at": datetime()
                }),
            ),
        ),
        (
            "GrantRow",
            object(
                &["id", "user_id", "role", "department_id"],
                json!({
                    "id": int(),
                    "user_id": int(),
                    "role": { "type": "string", "enum": roles.clone() },
                    "department_id": int_or_null()
                }),
            ),
        ),
        (
            "UserWithGrants",
            json!({
                "allOf": [
                    r("User"),
                    object(&["grants"], json!({ "grants": array(r("GrantRow")) }))
                ]
            }),
        ),
        (
            "UserInput",
            object(
                &["username", "display_name", "password"],
                json!({
                    "username": described(string(), "Letters, digits, `.`, `_`, `-`; at most 64."),
                    "display_name": described(string(), "Empty means the username."),
                    "password": { "type": "string", "format": "password", "minLength": 8, "maxLength": 128 },
                    "employee_no": described(string(), "Links the user to an employee; empty for none."),
                    "role": { "type": "string", "enum": optional_roles, "description": "A role granted at creation; empty for none." },
                    "department_id": described(int_or_null(), "Limits that role to a department (not for `admin`).")
                }),
            ),
        ),
        (
            "GrantInput",
            object(
                &["role"],
                json!({
                    "role": { "type": "string", "enum": roles },
                    "department_id": described(int_or_null(), "Limits the role to a department and those below (ignored for `admin`).")
                }),
            ),
        ),
        (
            "PasswordReset",
            object(
                &["password"],
                json!({
                    "password": { "type": "string", "format": "password", "minLength": 8, "maxLength": 128 }
                }),
            ),
        ),
        (
            "ActiveInput",
            object(
                &["active"],
                json!({
                    "active": described(boolean(), "`false` blocks sign-in, `true` allows it.")
                }),
            ),
        ),
        (
            "AuditRow",
            object(
                &[
                    "seq",
                    "at",
                    "actor_user_id",
                    "actor",
                    "action",
                    "entity",
                    "entity_id",
                    "before_json",
                    "after_json",
                    "prev_hash",
                    "hash",
                ],
                json!({
                    "seq": int(),
                    "at": datetime(),
                    "actor_user_id": int_or_null(),
                    "actor": described(string(), "Username, or `system:<what>`."),
                    "action": described(string(), "e.g. `employee.update`."),
                    "entity": string(),
                    "entity_id": string_or_null(),
                    "before_json": described(string(), "The record before, as JSON text (`null` if none)."),
                    "after_json": described(string(), "The record after, as JSON text (`null` if none)."),
                    "prev_hash": string(),
                    "hash": string()
                }),
            ),
        ),
        ("AuditPage", page_of("AuditRow")),
        (
            "Verification",
            object(
                &["records", "ok", "first_bad_seq", "problem"],
                json!({
                    "records": described(int(), "Records checked."),
                    "ok": boolean(),
                    "first_bad_seq": int_or_null(),
                    "problem": string_or_null()
                }),
            ),
        ),
    ];
    let mut list = list;
    list.extend(exams::schemas());
    list.extend(attempts::schemas());
    list.extend(questions::schemas());
    list.extend(rubrics::schemas());
    list.extend(scenarios::schemas());
    list.extend(practical::schemas());
    list.extend(rounds::schemas());
    list.extend(round_report::schemas());
    list.extend(appeals::schemas());
    list.extend(certificates::schemas());
    list.extend(training_needs::schemas());
    list.extend(training_sessions::schemas());
    list.extend(training_records::schemas());
    list.extend(training_hours::schemas());
    Value::Object(list.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    match (k.as_str(), x) {
                        ("$ref", Value::String(s)) => out.push(s.clone()),
                        _ => refs(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    #[test]
    fn the_document_is_openapi_3_1_json() {
        let text = serde_json::to_string(&document()).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["info"]["title"].is_string());
        assert!(doc["info"]["version"].is_string());
        assert_eq!(
            doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
            "bearer"
        );
        assert!(doc["components"]["schemas"]["Error"]["properties"]["fields"].is_object());
    }

    #[test]
    fn every_path_has_an_operation_with_responses() {
        let doc = document();
        let paths = doc["paths"].as_object().unwrap();
        assert!(!paths.is_empty());
        for (path, item) in paths {
            assert!(path.starts_with("/api/v1/"), "{path}");
            let item = item.as_object().unwrap();
            assert!(!item.is_empty(), "{path} has no operation");
            for (method, op) in item {
                assert!(METHODS.contains(&method.as_str()), "{path}: {method}");
                let responses = op["responses"].as_object().unwrap();
                assert!(!responses.is_empty(), "{method} {path} has no responses");
                assert!(
                    responses.keys().any(|s| s.starts_with('2')),
                    "{method} {path} has no success"
                );
                let public = op.get("security") == Some(&json!([]));
                assert!(
                    public || responses.contains_key("401"),
                    "{method} {path}: signed-in operations can answer 401"
                );
            }
        }
    }

    #[test]
    fn operation_ids_are_unique_and_path_parameters_declared() {
        let doc = document();
        let mut ids = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            let wanted: Vec<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .collect();
            for (method, op) in item.as_object().unwrap() {
                ids.push(op["operationId"].as_str().unwrap().to_string());
                let declared: Vec<&str> = op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .filter(|p| p["in"] == "path")
                            .filter_map(|p| p["name"].as_str())
                            .collect()
                    })
                    .unwrap_or_default();
                assert_eq!(declared, wanted, "{method} {path}");
            }
        }
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate operationId");
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        for r in found {
            let pointer = r.strip_prefix('#').unwrap();
            assert!(doc.pointer(pointer).is_some(), "dangling {r}");
        }
    }

    #[test]
    fn every_tag_used_is_declared_and_certificate_numbers_are_strings() {
        let doc = document();
        let declared: Vec<&str> = doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, o) in item.as_object().unwrap() {
                let tag = o["tags"][0].as_str().unwrap();
                assert!(declared.contains(&tag), "{method} {path}: tag {tag}");
                for p in o["parameters"].as_array().into_iter().flatten() {
                    if p["in"] == "path" && p["name"] == "number" && !path.contains("/draws/") {
                        assert_eq!(p["schema"]["type"], "string", "{method} {path}");
                    }
                }
            }
        }
    }

    #[test]
    fn documented_paths_are_read_from_the_document() {
        let paths = documented_paths();
        assert!(paths.contains(&("GET".to_string(), "/api/v1/employees/{id}".to_string())));
        assert!(paths.contains(&(
            "DELETE".to_string(),
            "/api/v1/users/{id}/grants/{grant_id}".to_string()
        )));
        assert!(paths.contains(&("GET".to_string(), "/api/v1/openapi.json".to_string())));
    }
}
