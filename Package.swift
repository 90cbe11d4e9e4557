// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "GoalLedger",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "GoalLedgerCore", targets: ["GoalLedgerCore"]),
        .library(name: "GoalLedgerStore", targets: ["GoalLedgerStore"]),
        .library(name: "GoalLedgerWeb", targets: ["GoalLedgerWeb"]),
        .executable(name: "goalledger", targets: ["goalledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        // Already resolved by Hummingbird; named because the server reads its socket's port (NIOCore)
        // and quietens its request log (Logging).
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // Pure: vocabulary, fold, time, canonical JSON, hashing. Knows nothing of SQLite.
        .target(
            name: "GoalLedgerCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        // The ledger on SQLite: schema, append, projections, queries.
        .target(
            name: "GoalLedgerStore",
            dependencies: [
                "GoalLedgerCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),
        // The ledger in a browser: pure page rendering (model → HTML, SVG charts, CSV) shared by
        // `serve` and `site`, and the read-only Hummingbird server. Reads only the store's public queries.
        .target(
            name: "GoalLedgerWeb",
            dependencies: [
                "GoalLedgerCore", "GoalLedgerStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // Thin command line over the store.
        .executableTarget(
            name: "goalledger",
            dependencies: [
                "GoalLedgerCore", "GoalLedgerStore", "GoalLedgerWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),
        // The synthetic national ledger and the performance benchmark (bench/run.sh, docs/PERFORMANCE.md).
        .executableTarget(
            name: "goalledger-bench",
            dependencies: [
                "GoalLedgerCore", "GoalLedgerStore",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "GoalLedgerCoreTests",
            dependencies: ["GoalLedgerCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "GoalLedgerTests",
            dependencies: [
                "GoalLedgerCore", "GoalLedgerStore", "GoalLedgerWeb", "goalledger", "goalledger-bench",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
