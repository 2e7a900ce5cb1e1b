#![no_main]

mod target {
    include!("../common/base64url.rs");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::run(data));
