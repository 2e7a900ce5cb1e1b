#![no_main]

mod target {
    include!("../common/jwk_set.rs");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::run(data));
