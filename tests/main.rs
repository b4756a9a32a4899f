//! End-to-end tests: the `kulturnetz` binary, spawned the way users run it, over real HTTP.

mod api;
mod browser;
mod cli;
mod conformance;
mod crash;
mod dumps;
mod feeds;
mod gate;
mod http;
mod init;
mod ldes;
mod links;
mod map;
mod metrics;
mod pages;
mod rejects;
mod search;
mod util;
mod validate;
mod w3c;
