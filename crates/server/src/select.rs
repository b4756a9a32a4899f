//! `SELECT` queries the server asks itself (the feeds, the named queries): queued, within the
//! time limit and the row limit, cancelled when they run over, like a query at `/sparql`.

use crate::error::ApiError;
use crate::state::AppState;
use kulturnetz_store::{Cancel, Dataset, QueryOutcome, QueryRequest};
use oxrdf::{Term, Variable};
use std::sync::Arc;
use std::time::Instant;

/// The solutions of a `SELECT`: the projected variables and one row of values per solution.
pub(crate) struct Rows {
    pub(crate) variables: Vec<Variable>,
    pub(crate) rows: Vec<Vec<Option<Term>>>,
}

impl Rows {
    /// The column of `name`, if the query projects it.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.variables.iter().position(|v| v.as_str() == name)
    }
}

/// Evaluates `query` over the union of all graphs as default graph (the feeds and the named
/// queries read every source alike), queued with the other queries and cancelled at the time
/// limit. More rows than `max_result_rows` is a 400, as at `/sparql`.
pub(crate) async fn select(
    state: &Arc<AppState>,
    query: spargebra::Query,
) -> Result<Rows, ApiError> {
    let form = crate::metrics::form(&query);
    let request = QueryRequest {
        query,
        dataset: Dataset {
            union_default_graph: true,
            ..Dataset::default()
        },
        cancel: Cancel::default(),
    };
    let timeout = state.options.query_timeout;
    let started = Instant::now();
    let permit = tokio::time::timeout(timeout, state.queue.enter())
        .await
        .map_err(|_| ApiError::Busy)??;
    let cancel = request.cancel.clone();
    let _guard = CancelOnDrop(cancel.clone());
    let backend = Arc::clone(&state.backend);
    let max_rows = state.options.max_result_rows;
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        collect(&*backend, &request, max_rows, timeout)
    });
    let remaining = timeout.saturating_sub(started.elapsed());
    let outcome = match tokio::time::timeout(remaining, task).await {
        Ok(joined) => joined?,
        Err(_) => {
            cancel.cancel();
            Err(ApiError::Timeout(timeout))
        }
    };
    let kind = match &outcome {
        Ok(_) => crate::metrics::QueryOutcome::Answered,
        Err(ApiError::Timeout(_)) => crate::metrics::QueryOutcome::Timeout,
        Err(_) => crate::metrics::QueryOutcome::Failed,
    };
    state.metrics.query(form, kind, started.elapsed());
    outcome
}

fn collect(
    backend: &dyn kulturnetz_store::Backend,
    request: &QueryRequest,
    max_rows: u64,
    timeout: std::time::Duration,
) -> Result<Rows, ApiError> {
    let QueryOutcome::Solutions {
        variables,
        solutions,
    } = backend.query(request)?
    else {
        return Err(ApiError::Internal("a SELECT gave no solutions".into()));
    };
    let mut rows = Vec::new();
    for solution in solutions {
        if request.cancel.is_cancelled() {
            return Err(ApiError::Timeout(timeout));
        }
        let solution = solution.map_err(|e| match e {
            kulturnetz_store::StoreError::Cancelled => ApiError::Timeout(timeout),
            e => e.into(),
        })?;
        if rows.len() as u64 >= max_rows {
            return Err(ApiError::TooManyRows { limit: max_rows });
        }
        rows.push(variables.iter().map(|v| solution.get(v).cloned()).collect());
    }
    Ok(Rows {
        variables: variables.to_vec(),
        rows,
    })
}

struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}
