import GoalLedgerCore

#if canImport(Glibc)
import Glibc
#endif

/// goalledger-bench: the synthetic national ledger and the performance benchmark (docs/PERFORMANCE.md).
/// Normally started by bench/run.sh, which builds everything it needs first.
let usage = """
    usage:
      goalledger-bench generate N FILE [--seed S] [--shape national|wide|shuffled|long]
          write N input lines of a synthetic ledger (deterministic for a seed); the shapes:
          national (default), wide (many short streams, no ids), shuffled (national, each
          stream's measurements in random order), long (a few streams of 20k-100k events)
      goalledger-bench run [--goalledger BIN] [--sqlite-bench BIN] [--python BIN] [--es-bench PATH]
                           [--sizes 100000,1000000] [--runs 3] [--work DIR] [--json FILE] [--svg FILE]
          measure, print the table, write the JSON (and the SVG when two sizes or more are measured)

    """

func fail(_ message: String) -> Never {
    var line = "error: " + message + "\n"
    line.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    exit(message.hasPrefix("usage") ? 64 : 1)
}

var args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else { fail("usage\n" + usage) }
args.removeFirst()

@MainActor func option(_ name: String) -> String? {
    guard let index = args.firstIndex(of: name) else { return nil }
    guard index + 1 < args.count else { fail("usage: \(name) needs a value\n" + usage) }
    let value = args[index + 1]
    args.removeSubrange(index...(index + 1))
    return value
}

do {
    switch command {
    case "generate":
        let seed = option("--seed").map { UInt64($0) ?? 2026 } ?? 2026
        let shapeName = option("--shape") ?? "national"
        guard let shape = Shape(rawValue: shapeName) else { fail("usage: unknown --shape \(shapeName)\n" + usage) }
        guard args.count == 2, let count = Int(args[0]), count > 0 else { fail("usage\n" + usage) }
        let summary = try Generator(seed: seed).write(shape: shape, count: count, to: args[1])
        print("\(summary.events) events, \(summary.municipalities) municipalities, \(summary.streams) streams; "
              + "longest \(summary.longestStream) (\(summary.longestStreamEvents) events); "
              + "\(summary.backdated) backdated, \(summary.retracted) retractions")
        for (type, number) in summary.types.sorted(by: { $0.value > $1.value }) { print("  \(type) \(number)") }
    case "slowest":
        // goalledger-bench slowest DB STREAM: the as-of dates whose in-process show took longest.
        guard args.count == 2 else { fail("usage: goalledger-bench slowest DB STREAM") }
        try Bench(config: BenchConfig()).slowest(db: args[0], stream: args[1])
    case "run":
        var config = BenchConfig()
        if let value = option("--goalledger") { config.goalledger = value }
        config.sqliteBench = option("--sqlite-bench")
        config.python = option("--python")
        if let value = option("--es-bench") { config.esBench = value }
        if let value = option("--work") { config.work = value }
        if let value = option("--json") { config.json = value }
        if let value = option("--svg") { config.svg = value.isEmpty ? nil : value }
        if let value = option("--runs") { config.runs = Int(value) ?? 3 }
        if let value = option("--sizes") { config.sizes = value.split(separator: ",").compactMap { Int($0) } }
        guard args.isEmpty, config.runs >= 1, !config.sizes.isEmpty else { fail("usage\n" + usage) }
        try Bench(config: config).run()
    default:
        fail("usage\n" + usage)
    }
} catch {
    fail("\(error)")
}
