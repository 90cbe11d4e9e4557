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
        .executable(name: "goalledger", targets: ["goalledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
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
        // Thin command line over the store.
        .executableTarget(
            name: "goalledger",
            dependencies: [
                "GoalLedgerCore", "GoalLedgerStore",
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
                "GoalLedgerCore", "GoalLedgerStore", "goalledger", "goalledger-bench",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
