#![no_main]

mod target {
    include!("../common/decode_jwks.rs");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::run(data));
