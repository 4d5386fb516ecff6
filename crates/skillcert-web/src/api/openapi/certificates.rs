//! OpenAPI operations and schemas of certificates: the record table, revocation, the signed
//! credential and public verification, re-evaluation tasks.

use serde_json::{Value, json};

use super::Op;
use super::{
    READ_ONE, array, boolean, datetime, described, int, int_or_null, object, op, page_of, r,
    string, string_or_null,
};

const TAG: &str = "certificates";

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn statuses() -> Value {
    json!({
        "type": "string",
        "enum": ["valid", "expiring", "expired", "suspended", "revoked", "superseded"]
    })
}

fn task_statuses() -> Value {
    json!({ "type": "string", "enum": ["open", "passed", "lapsed"] })
}

pub(super) fn operations() -> Vec<Op> {
    let page = json!({ "type": "integer", "minimum": 1, "default": 1 });
    let per_page = json!({ "type": "integer", "minimum": 1, "maximum": 500, "default": 50 });
    vec![
        op("get", "/certificates", "listCertificates", TAG, "The certificate record table")
            .describe(
                "Certificates newest first (S1 template 5), with their status on the day asked: \
                 `valid`, `expiring` (still valid, re-evaluation due — S1: from one month \
                 before expiry), `expired`, `suspended` (an appeal against the result is \
                 pending), `revoked` or `superseded` (replaced after re-evaluation). Needs \
                 `certification_results` (limited to its departments) or \
                 `certification_manage`.",
            )
            .query("q", string(), "Part of the certificate number, the holder's name or employee number (case-insensitive).")
            .query("status", statuses(), "Only certificates in this state today; another value is 400 `bad-query`.")
            .query("round_id", int(), "Only certificates of this certification round.")
            .query("page", page, "Page number.")
            .query("per_page", per_page, "Rows per page.")
            .ok("One page of certificates.", r("CertificatePage"))
            .errors(&[400, 403]),
        op("get", "/certificates/{number}", "getCertificate", TAG, "One certificate")
            .describe(
                "`number` is the certificate number, e.g. `CS2026001` (not a numeric id). The \
                 holder may read their own; others need `certification_results` in the \
                 holder's department or `certification_manage`.",
            )
            .ok("The certificate.", r("Certificate"))
            .errors(READ_ONE),
        op("post", "/certificates/{number}/revoke", "revokeCertificate", TAG, "Revoke a certificate")
            .describe(
                "For good (a re-issue is a new certificate). `reason` is required, 1–200 \
                 characters: otherwise 422 `rejected` with `certificate-reason-missing` on \
                 `reason`. An already revoked certificate is 422 with `certificate-revoked`. \
                 The certificate's bit in the revocation status list is set from now on. \
                 Audited. Needs `certification_manage`.",
            )
            .body("RevokeRequest")
            .ok("The revoked certificate.", r("Certificate"))
            .errors(&[400, 403, 404, 422]),
        op("get", "/certificates/{number}/credential", "getCertificateCredential", TAG, "The signed credential")
            .describe(
                "No sign-in needed. The certificate as issued: a W3C Verifiable Credential 2.0 \
                 in the Open Badges 3.0 `OpenBadgeCredential` shape, secured with an embedded \
                 Data Integrity proof (`eddsa-jcs-2022`, Ed25519) by the issuer's `did:key`, \
                 so it verifies offline. Served as `application/json` (the document is also \
                 valid `application/vc`). The holder appears only as a salted SHA-256 of \
                 their employee number. Its `credentialStatus` entries point to \
                 `{public URL}/status/revocation` and `{public URL}/status/suspension`: signed \
                 `BitstringStatusListCredential`s built on request (cacheable for 300 s), \
                 outside this API. Unknown number: 404.",
            )
            .public()
            .ok("The credential.", r("Credential"))
            .errors(&[404]),
        op("get", "/verify/{number}", "verifyCertificate", TAG, "Verify a certificate by its number")
            .describe(
                "No sign-in needed; what the public page `/verify/{number}` shows: the state \
                 today, the holder's name masked (王*明), department, level, dates and issuer. \
                 No employee number, score or revocation reason. The number is matched as \
                 given, then in capitals. Unknown number: 404 `not-found`.",
            )
            .public()
            .ok("The verification.", r("Verification"))
            .errors(&[404]),
        op("get", "/reevaluation/tasks", "listReevaluationTasks", TAG, "Re-evaluation tasks")
            .describe(
                "A task opens when a certificate enters its scheme's re-evaluation lead time \
                 (S1: one month before expiry); the holder and their supervisor get an inbox \
                 message. It is `passed` once a new certificate of the same scheme supersedes \
                 it and `lapsed` when the certificate expires first. Soonest expiry first. \
                 Needs `certification_results` (limited to its departments) or \
                 `certification_manage`.",
            )
            .query("status", task_statuses(), "Only tasks in this state; another value is 400 `bad-query`.")
            .ok("The tasks.", array(r("ReevaluationTask")))
            .errors(&[400, 403]),
        op("post", "/reevaluation/sync", "syncReevaluation", TAG, "Open due re-evaluation tasks now")
            .describe(
                "What the server does every hour: opens a task (and sends the inbox messages) \
                 for every current certificate whose lead time has begun and that has none, \
                 and marks open tasks of expired certificates `lapsed`. Idempotent. Audited. \
                 Needs `certification_manage`.",
            )
            .ok("How many tasks were opened.", r("ReevaluationSync"))
            .errors(&[403]),
    ]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let certificate_required = [
        "id",
        "number",
        "scheme_key",
        "employee_id",
        "employee_no",
        "name",
        "department",
        "department_id",
        "level_key",
        "total",
        "issued_on",
        "valid_until",
        "reevaluation_due",
        "awarded_on",
        "suspended",
        "status",
        "level",
        "scheme",
    ];
    let certificate = json!({
        "id": int(),
        "number": described(string(), "Gapless per scheme and year, e.g. `CS2026001`."),
        "scheme_key": string(),
        "round_id": int_or_null(),
        "round_code": string_or_null(),
        "result_id": int_or_null(),
        "employee_id": int(),
        "employee_no": string(),
        "name": described(string(), "The holder's full name."),
        "department": string(),
        "department_id": int(),
        "supervisor_id": int_or_null(),
        "level_key": string(),
        "total": described(int(), "The result's total in hundredths (8640 = 86.40)."),
        "issued_on": date(),
        "valid_until": described(date(), "The last valid day."),
        "reevaluation_due": described(date(), "From this day the certificate is `expiring`."),
        "awarded_on": described(date(), "The first award of this scheme to the holder, kept across re-evaluations."),
        "suspended": boolean(),
        "revoked_at": { "type": ["string", "null"], "format": "date-time" },
        "revoked_reason": string_or_null(),
        "superseded_by": described(int_or_null(), "The id of the certificate that replaced it."),
        "superseded_by_number": string_or_null(),
        "revocation_index": described(int(), "Its position in the revocation status list."),
        "suspension_index": described(int(), "Its position in the suspension status list."),
        "created_at": datetime(),
        "status": statuses(),
        "level": r("Labels"),
        "scheme": described(r("Labels"), "The scheme's name.")
    });
    let verification = json!({
        "number": string(),
        "status": statuses(),
        "current": described(boolean(), "Whether the holder may rely on it today (`valid` or `expiring`)."),
        "holder": described(string(), "The holder's name with all but its first and last character masked."),
        "department": string(),
        "level": r("Labels"),
        "scheme": r("Labels"),
        "issued_on": date(),
        "valid_until": date(),
        "superseded_by": described(string_or_null(), "The number of the certificate that replaced it."),
        "issuer": string(),
        "checked_on": described(date(), "Today, in China Standard Time.")
    });
    let task = json!({
        "id": int(),
        "certificate_id": int(),
        "number": string(),
        "employee_id": int(),
        "employee_no": string(),
        "name": string(),
        "department": string(),
        "department_id": int(),
        "level_key": string(),
        "valid_until": date(),
        "due_on": described(date(), "The day the lead time began."),
        "status": task_statuses(),
        "new_certificate_id": int_or_null(),
        "new_number": described(string_or_null(), "The successor certificate, once passed."),
        "created_at": datetime()
    });
    vec![
        ("Certificate", object(&certificate_required, certificate)),
        ("CertificatePage", page_of("Certificate")),
        (
            "Verification",
            object(
                &[
                    "number",
                    "status",
                    "current",
                    "holder",
                    "department",
                    "level",
                    "scheme",
                    "issued_on",
                    "valid_until",
                    "issuer",
                    "checked_on",
                ],
                verification,
            ),
        ),
        (
            "ReevaluationTask",
            object(
                &[
                    "id",
                    "certificate_id",
                    "number",
                    "employee_id",
                    "employee_no",
                    "name",
                    "department",
                    "level_key",
                    "valid_until",
                    "due_on",
                    "status",
                    "created_at",
                ],
                task,
            ),
        ),
        (
            "RevokeRequest",
            object(
                &["reason"],
                json!({ "reason": described(string(), "Why, 1–200 characters; kept with the certificate and in the audit log.") }),
            ),
        ),
        (
            "ReevaluationSync",
            object(&["opened"], json!({ "opened": int() })),
        ),
        (
            "Credential",
            described(
                object(
                    &[
                        "@context",
                        "id",
                        "type",
                        "issuer",
                        "validFrom",
                        "credentialSubject",
                        "proof",
                    ],
                    json!({
                        "@context": array(string()),
                        "id": string(),
                        "type": array(string()),
                        "issuer": json!({ "type": "object" }),
                        "validFrom": datetime(),
                        "validUntil": datetime(),
                        "awardedDate": datetime(),
                        "credentialSubject": json!({ "type": "object" }),
                        "credentialStatus": array(json!({ "type": "object" })),
                        "proof": json!({ "type": "object" })
                    }),
                ),
                "An Open Badges 3.0 `OpenBadgeCredential` (W3C VC 2.0) with an `eddsa-jcs-2022` \
                 Data Integrity proof.",
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_operations_need_no_sign_in() {
        let doc = super::super::document();
        let paths = doc["paths"].as_object().unwrap();
        for p in [
            "/api/v1/certificates/{number}/credential",
            "/api/v1/verify/{number}",
        ] {
            assert_eq!(paths[p]["get"]["security"], json!([]), "{p}");
            assert!(paths[p]["get"]["responses"].get("401").is_none(), "{p}");
        }
        assert!(
            paths["/api/v1/certificates"]["get"]
                .get("security")
                .is_none()
        );
    }
}
