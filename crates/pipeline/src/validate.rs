//! The validation stage: the staged graph, before it is published, checked against the shapes
//! in `ontologies/shapes` ([SHACL](https://www.w3.org/TR/shacl/)).

use crate::report::Validation;
use kulturnetz_model::SourceConfig;
use kulturnetz_store::{Staging, StoreError};

/// Validates the staged graph of `source`. It sees the staged graph under [`Staging::graph`] and
/// every other published graph (for shapes that follow links into other sources).
///
/// No shapes are checked yet, so nothing is found; SHACL validation (the source's `validate =
/// "gate" | "warn" | "off"`) goes here, and a gated violation will fail the source before its
/// graph is published.
pub(crate) fn validate(
    staging: &dyn Staging,
    source: &SourceConfig,
) -> Result<Validation, StoreError> {
    let _ = (staging, source);
    Ok(Validation::default())
}
