//! Extractors for the API whose failures are [`WebError`]s, so that a malformed request gets
//! the same `{code, message, fields}` JSON as every other error instead of axum's plain text.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use skillcert_app::AppError;

use crate::error::WebError;

/// A JSON request body; anything that is not valid JSON of the expected shape (including a
/// missing `Content-Type: application/json`) is a 400 with code `bad-json`.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => {
                tracing::debug!(%rejection, "API request body is not the expected JSON");
                Err(WebError::BadRequest("bad-json"))
            }
        }
    }
}

/// A query string; one that does not fit `T` is a 400 with code `bad-query`.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => {
                tracing::debug!(%rejection, "API query string rejected");
                Err(WebError::BadRequest("bad-query"))
            }
        }
    }
}

/// Path parameters. An id that is not a number names nothing, so it is a 404 like an unknown
/// id; a route whose parameters do not match its handler is a bug (500).
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => {
                Err(WebError::App(AppError::NotFound))
            }
            Err(other) => Err(WebError::App(AppError::Internal(anyhow::anyhow!(
                "path parameters: {other}"
            )))),
        }
    }
}

/// The raw request body (file uploads). Bodies over the size limit are `body-too-large`,
/// other read failures `bad-body`; both 400.
pub struct RawBody(pub Bytes);

impl<S> FromRequest<S> for RawBody
where
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        match Bytes::from_request(req, state).await {
            Ok(b) => Ok(RawBody(b)),
            Err(rejection) => Err(body_error(&rejection)),
        }
    }
}

fn body_error(rejection: &BytesRejection) -> WebError {
    tracing::debug!(%rejection, "API request body could not be read");
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::BadRequest("body-too-large")
    } else {
        WebError::BadRequest("bad-body")
    }
}
