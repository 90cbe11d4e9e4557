import Foundation

/// The bundled seed ledgers (`events/*.ndjson`) imported into a fresh ledger,
/// once per test process, exactly as snapshots/regenerate.sh builds it: a fixed
/// clock and user, so `recorded` and `recordedBy` are stable.
enum SeedLedger {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let files: [String] = {
        let dir = root.appendingPathComponent("events")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".ndjson") }.sorted().map { dir.appendingPathComponent($0).path }
    }()

    static let cli: CLI = {
        var cli = try! CLI()
        cli.env["GOALLEDGER_CLOCK"] = "2026-11-22T09:00:00Z"
        cli.env["GOALLEDGER_USER"] = "goalledger-seed"
        let r = try! cli.run(["import"] + files + ["--quiet"])
        precondition(r.code == 0, "events/ does not import: \(r.stderr)")
        return cli
    }()
}
