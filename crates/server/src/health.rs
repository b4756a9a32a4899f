//! Liveness for load balancers and supervisors: `/health`.

use crate::state::AppState;
use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;

/// The routes of this area.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/health", get(health))
}

async fn health() -> impl IntoResponse {
    (StatusCode::OK, "ok\n")
}

#[cfg(test)]
mod tests {
    use crate::testing::{App, request};
    use axum::http::StatusCode;

    #[tokio::test]
    async fn health_and_unknown_paths() {
        let app = App::new(None);
        let r = app.call(request("GET", "/health", &[], "")).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok\n"));
        let r = app.call(request("GET", "/nothing/here", &[], "")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body, "nothing at /nothing/here\n");
    }
}
