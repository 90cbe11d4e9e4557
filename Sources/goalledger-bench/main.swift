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
    var m = "error: " + message + "\n"
    m.withUTF8 { p in _ = write(2, p.baseAddress, p.count) }
    exit(message.hasPrefix("usage") ? 64 : 1)
}

var args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else { fail("usage\n" + usage) }
args.removeFirst()

@MainActor func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name) else { return nil }
    guard i + 1 < args.count else { fail("usage: \(name) needs a value\n" + usage) }
    let v = args[i + 1]
    args.removeSubrange(i...(i + 1))
    return v
}

do {
    switch command {
    case "generate":
        let seed = option("--seed").map { UInt64($0) ?? 2026 } ?? 2026
        let shapeName = option("--shape") ?? "national"
        guard let shape = Shape(rawValue: shapeName) else { fail("usage: unknown --shape \(shapeName)\n" + usage) }
        guard args.count == 2, let n = Int(args[0]), n > 0 else { fail("usage\n" + usage) }
        let s = try Generator(seed: seed).write(shape: shape, count: n, to: args[1])
        print("\(s.events) events, \(s.municipalities) municipalities, \(s.streams) streams; longest \(s.longestStream) "
              + "(\(s.longestStreamEvents) events); \(s.backdated) backdated, \(s.retracted) retractions")
        for (t, c) in s.types.sorted(by: { $0.value > $1.value }) { print("  \(t) \(c)") }
    case "slowest":
        // goalledger-bench slowest DB STREAM: the as-of dates whose in-process show took longest.
        guard args.count == 2 else { fail("usage: goalledger-bench slowest DB STREAM") }
        try Bench(config: BenchConfig()).slowest(db: args[0], stream: args[1])
    case "run":
        var c = BenchConfig()
        if let v = option("--goalledger") { c.goalledger = v }
        c.sqliteBench = option("--sqlite-bench")
        c.python = option("--python")
        if let v = option("--es-bench") { c.esBench = v }
        if let v = option("--work") { c.work = v }
        if let v = option("--json") { c.json = v }
        if let v = option("--svg") { c.svg = v.isEmpty ? nil : v }
        if let v = option("--runs") { c.runs = Int(v) ?? 3 }
        if let v = option("--sizes") { c.sizes = v.split(separator: ",").compactMap { Int($0) } }
        guard args.isEmpty, c.runs >= 1, !c.sizes.isEmpty else { fail("usage\n" + usage) }
        try Bench(config: c).run()
    default:
        fail("usage\n" + usage)
    }
} catch {
    fail("\(error)")
}
