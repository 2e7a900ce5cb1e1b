#![no_main]

mod target {
    include!("../common/key_store.rs");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::run(data));
