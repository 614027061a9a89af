//! The station's errors: [`Error`] when it starts, [`ApiError`] as an HTTP answer.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Station;

/// Why a station cannot start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Listening beyond the loopback needs a token.
    #[error(
        "{listen}: listening beyond this machine needs a token (--token or MDEC_STATION_TOKEN) that every request must carry"
    )]
    TokenRequired {
        /// The address asked for.
        listen: SocketAddr,
    },
    /// The runs folder cannot be used.
    #[error("{path}: {what}")]
    Runs {
        /// The folder.
        path: PathBuf,
        /// What went wrong.
        what: String,
    },
}

/// `Result` with the station's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An HTTP error answer: a status and a message, sent as `{"error": message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The status.
    pub status: StatusCode,
    /// What went wrong, for a person.
    pub message: String,
}

impl ApiError {
    /// `400 Bad Request`: settings or a request the caller must fix.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// `404 Not Found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    /// `409 Conflict`: the request does not fit the run's state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            message: message.into(),
        }
    }

    /// `500 Internal Server Error`, logged.
    pub fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        tracing::error!(%message, "station request failed");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message,
        }
    }
}

impl From<mdec_pipeline::Error> for ApiError {
    fn from(error: mdec_pipeline::Error) -> Self {
        let message = format!("{error}");
        match error.kind() {
            mdec_pipeline::ErrorKind::BadInput => Self::bad_request(message),
            _ => Self::internal(message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            axum::Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}

/// Runs `work` (file reading, a run's preparation) off the server's threads.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal(format!("the request's work failed: {e}")))?
}

/// Refuses requests without the station's token, when it has one: `Authorization: Bearer
/// TOKEN` or `?token=TOKEN` (for the page's images and event streams).
pub(crate) async fn check_token(
    State(station): State<Arc<Station>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(token) = &station.token else {
        return next.run(request).await;
    };
    let header = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let query = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("token=")));
    let given = header.or(query).unwrap_or_default();
    match same(given.as_bytes(), token.as_bytes()) {
        true => next.run(request).await,
        false => ApiError {
            status: StatusCode::UNAUTHORIZED,
            message: "this station needs its token: open the address it printed (with ?token=…)"
                .into(),
        }
        .into_response(),
    }
}

/// Compares in time that depends on the lengths only.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
