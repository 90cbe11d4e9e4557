/* Intentionally empty: `main` comes from libFuzzer (linked by -sanitize=fuzzer),
   and the fuzz target `LLVMFuzzerTestOneInput` from EventInputHarness.
   See ../../Package.swift for why this executable is a C target. */
