#![no_main]

mod target {
    include!("../common/jwe_header.rs");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::run(data));
