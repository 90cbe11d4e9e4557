// swift-tools-version:6.1
// A libFuzzer target over GoalLedgerCore's line parser and validator
// (`EventInput.parse`). Build and run it with `fuzz/run.sh SECONDS`; see README.md.
import PackageDescription

let package = Package(
    name: "GoalLedgerFuzz",
    dependencies: [.package(name: "GoalLedger", path: "..")],
    targets: [
        // The fuzz target itself: `LLVMFuzzerTestOneInput`, written in Swift.
        .target(
            name: "EventInputHarness",
            dependencies: [.product(name: "GoalLedgerCore", package: "GoalLedger")]),
        // The executable is a C target on purpose: SwiftPM links a Swift
        // executable with `--defsym main=<module>_main`, which collides with the
        // `main` that libFuzzer brings (`-sanitize=fuzzer`). A C target gets no
        // such renaming, so libFuzzer's `main` drives the Swift target above.
        .executableTarget(name: "FuzzEventInput", dependencies: ["EventInputHarness"]),
    ],
    swiftLanguageModes: [.v6]
)
