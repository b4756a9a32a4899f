//! End-to-end tests: the `kulturnetz` binary, spawned the way users run it, over real HTTP.

mod cli;
mod conformance;
mod http;
mod map;
mod rejects;
mod util;
mod w3c;
