#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| streamr_e2ee_fuzz::relay_frame(data));
