#![no_main]

mod target {
    include!("../common/der_differential.rs");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::run(data));
