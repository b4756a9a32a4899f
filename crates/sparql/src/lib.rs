//! The SPARQL level of Kulturnetz, below the store and the server: reading a query or update
//! within limits, one walker over the algebra, the policy for outbound `SERVICE` and `LOAD`, and
//! the formats results are written in.
//!
//! This crate knows `spargebra`'s algebra and nothing of storage or HTTP, so that the store
//! (which enforces the policy while evaluating), the server (which reads requests) and the
//! command line share one reading of a query; and parameters bound into a parsed query
//! ([`bind`]). Main items: [`parse_query`], [`parse_update`]
//! and [`SparqlError`]; [`visit::walk_query`]; [`ServicePolicy`]; [`OutputFormat`].
//!
//! ```
//! use kulturnetz_sparql::{ServicePolicy, SparqlError, parse_query};
//!
//! let query = parse_query(
//!     "SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
//!     None,
//! )?;
//! let refused = ServicePolicy::new(["example.org"]).refused_in_query(&query);
//! assert_eq!(refused.names.len(), 1);
//!
//! let deep = format!("ASK {{ FILTER({}1{}) }}", "(".repeat(300), ")".repeat(300));
//! assert!(matches!(
//!     parse_query(&deep, None),
//!     Err(SparqlError::NestedTooDeep { .. })
//! ));
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod bind;
mod error;
pub mod format;
mod limits;
mod policy;
pub mod visit;
mod writes;

pub use bind::{BindError, bind};
pub use error::{Operation, SparqlError};
pub use format::{Form, FormatMismatch, OutputFormat};
pub use limits::{MAX_DEPTH, MAX_NESTING, MAX_OPERATORS, check_text, parse_query, parse_update};
pub use policy::{Refused, RefusedServices, ServicePolicy, service_host};
pub use writes::{Written, written_graphs};
