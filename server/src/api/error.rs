//! API errors: one stable JSON body `{ "error": { "code", "message", "path" } }`, and the
//! strict JSON extractor that produces them for bad request bodies.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::ToSchema;

use crate::show::ShowError;

/// The body of every error response.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong and where.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_body`, `not_found`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// Where: a JSON pointer into the request body (`/trim/slope/0`) or into the show
    /// (`/cameras/zz`), or a field or parameter name; empty when nothing more precise applies.
    pub path: String,
}

/// An error response: status plus [`ErrorBody`].
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: ErrorDetail,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &str,
        message: impl Into<String>,
        path: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            detail: ErrorDetail {
                code: code.to_owned(),
                message: message.into(),
                path: path.into(),
            },
        }
    }

    pub fn bad_request(
        code: &str,
        message: impl Into<String>,
        path: impl Into<String>,
    ) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message, path)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message, "")
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message, "")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: self.detail };
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<ShowError> for ApiError {
    fn from(err: ShowError) -> ApiError {
        let (status, code) = match &err {
            ShowError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
            ShowError::Exists { .. } => (StatusCode::CONFLICT, "exists"),
            ShowError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value"),
            ShowError::Conflict(_) => (StatusCode::CONFLICT, "in_use"),
            ShowError::NothingToUndo { .. } => (StatusCode::CONFLICT, "nothing_to_undo"),
            ShowError::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, "store_failed"),
            ShowError::Stopped => (StatusCode::SERVICE_UNAVAILABLE, "stopped"),
        };
        ApiError::new(status, code, err.to_string(), err.path())
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(err: crate::store::StoreError) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_failed",
            err.to_string(),
            "",
        )
    }
}

/// A JSON pointer for a serde path (`trim.slope[0]` → `/trim/slope/0`).
fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => out.push_str(&format!("/{key}")),
            Segment::Enum { variant } => out.push_str(&format!("/{variant}")),
            Segment::Unknown => {}
        }
    }
    out
}

/// Parses JSON strictly: the error names the JSON pointer of the fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(de).map_err(|err| {
        let path = pointer(err.path());
        let inner = err.into_inner();
        let code = if inner.is_syntax() || inner.is_eof() {
            "invalid_json"
        } else {
            "invalid_body"
        };
        ApiError::bad_request(code, inner.to_string(), path)
    })?;
    Ok(value)
}

/// `Json<T>` with strict parsing and errors in the API's shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the body must be JSON with Content-Type: application/json",
                "",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(e.status(), "body_rejected", e.body_text(), ""))?;
        parse_json(&bytes).map(ApiJson)
    }
}
