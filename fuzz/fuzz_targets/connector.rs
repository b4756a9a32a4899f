//! Every connector of the registry that reads its input: the kind named by
//! `KULTURNETZ_FUZZ_KIND`, or else the one the first byte picks (see `common::pick`).

#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (kind, input) = common::pick(data);
    common::check(kind, input);
});
