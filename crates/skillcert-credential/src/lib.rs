//! Certificates as W3C Verifiable Credentials 2.0 in the Open Badges 3.0
//! `OpenBadgeCredential` shape, secured with an embedded Data Integrity proof
//! (`eddsa-jcs-2022`: Ed25519 over JCS), issued by a `did:key`, with revocation and
//! suspension published as Bitstring Status Lists.
//!
//! Why these: every part is a W3C Recommendation that a third party can check with its
//! own tools and without asking skillcert; JCS and `did:key` make verification offline
//! and deterministic (no JSON-LD processing, no DID resolution over the network).
//!
//! - [`keys`]: the issuer key and `did:key`; [`keystore`]: keys on disk, rotation.
//! - [`credential`]: a certificate's credential; [`proof`]: signing and verifying.
//! - [`status_list`]: the status bitstrings; [`check`]: the whole verification.
//!
//! No network I/O: fetching status lists is the caller's.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod check;
pub mod credential;
mod encoding;
pub mod keys;
pub mod keystore;
pub mod proof;
pub mod status_list;

/// Re-exported so that callers can pass times without depending on chrono themselves.
pub use chrono::{DateTime, Utc};

/// The W3C Verifiable Credentials 2.0 context, first in every credential.
pub const VC_V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
