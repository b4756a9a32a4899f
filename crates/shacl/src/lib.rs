//! SHACL Core validation: a shapes graph's shapes checked against a data graph, with the
//! result as a `sh:ValidationReport` ([SHACL](https://www.w3.org/TR/shacl/), sections 2–4;
//! SHACL-SPARQL is not part of it).
//!
//! [`Shapes::from_graph`] reads the shapes of an [`oxrdf::Graph`] (and refuses a shapes graph
//! that is not well-formed); [`validate`] checks any [`DataGraph`] against them and returns a
//! [`ValidationReport`], whose [`ValidationReport::to_graph`] is the report as RDF. A
//! [`DataGraph`] is anything that can match a triple pattern: an in-memory [`oxrdf::Graph`] or
//! [`oxrdf::Dataset`] here, a staged graph in the store for the pipeline. Every SHACL Core constraint
//! component is checked, with the targets (node, class with `rdfs:subClassOf`, subjects of,
//! objects of, implicit class targets), every kind of property path, `sh:deactivated`,
//! severities and messages.
//!
//! This crate knows no files, stores or formats: its callers parse and serialise.
//!
//! ```
//! use kulturnetz_shacl::{Shapes, validate, vocab::sh};
//! # fn parse(ttl: &str) -> oxrdf::Graph {
//! #     oxttl::TurtleParser::new().for_slice(ttl).map(|t| t.unwrap()).collect()
//! # }
//! let shapes = Shapes::from_graph(&parse(r#"
//!     @prefix sh: <http://www.w3.org/ns/shacl#> .
//!     @prefix schema: <http://schema.org/> .
//!     <http://example.org/shapes#Event> a sh:NodeShape ; sh:targetClass schema:Event ;
//!         sh:property [ sh:path schema:startDate ; sh:minCount 1 ; sh:severity sh:Warning ] ."#))?;
//! let data = parse(r#"
//!     <http://example.org/e1> a <http://schema.org/Event> ."#);
//! let report = validate(&shapes, &data)?;
//! assert_eq!(report.count(sh::WARNING), 1);
//! let graph = report.to_graph(); // a sh:ValidationReport with sh:conforms false
//! assert!(graph.len() > 2);
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod graph;
mod path;
mod report;
mod shapes;
mod validate;
mod value;
pub mod vocab;

pub use graph::{AccessError, DataGraph};
pub use path::Path;
pub use report::{ValidationReport, ValidationResult};
pub use shapes::{Shapes, ShapesError};
pub use validate::validate;
