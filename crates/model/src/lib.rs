//! The shared model of Kulturnetz: what every other crate agrees on.
//!
//! This crate owns the configuration format (`kulturnetz.toml`, see [`Config`]), the minting of
//! IRIs ([`Minter`]), the vocabulary terms the project writes ([`vocab`]) and the diagnostics
//! that describe bad input ([`Diagnostic`], [`Location`]). It knows nothing of storage, HTTP or
//! terminals.
//!
//! ```
//! use kulturnetz_model::{Minter, Kind};
//!
//! let minter = Minter::new("https://daten.kultur.example/").unwrap();
//! assert_eq!(
//!     minter.graph("museen").as_str(),
//!     "https://daten.kultur.example/graph/museen"
//! );
//! assert_eq!(
//!     minter.mint(Kind::Venue, "Stadtmuseum Jena").as_str(),
//!     "https://daten.kultur.example/id/venue/stadtmuseum-jena"
//! );
//! ```

mod config;
mod diagnostic;
mod iri;
pub mod nquads;
pub mod text;
pub mod vocab;

pub use config::{
    Config, ConfigError, DEFAULT_BASE_IRI, OptionSpec, PipelineConfig, Refresh, SOURCE_KEYS,
    ServerConfig, SiteConfig, SourceConfig, SourcePositions, StoreConfig, Tolerance, ValidateMode,
};
pub use diagnostic::{DISPLAYED_CHARS, Diagnostic, Location, RAW_RECORD_CHARS};
pub use iri::{Kind, Minter, slug};

/// `bytes` as lower-case hexadecimal digits, two per byte: how digests are written (fingerprints,
/// `SHA256SUMS`, ETags).
///
/// ```
/// assert_eq!(kulturnetz_model::hex(&[0x00, 0x9f, 0xff]), "009fff");
/// ```
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}
