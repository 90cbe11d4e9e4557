import Foundation
import GRDBSQLite
import GoalLedgerCore
import GoalLedgerStore

#if canImport(Glibc)
import Glibc
#endif

/// Where the programs are and what to measure.
struct BenchConfig {
    var goalledger = ".build/release/goalledger"
    var sqliteBench: String?
    var python: String?
    var esBench = "../shared/bench/es_bench.py"
    var work = "/tmp/goalledger-bench"
    var sizes = [100_000, 1_000_000]
    var runs = 3
    var json = "bench/results/latest.json"
    var svg: String? = "docs/performance-growth.svg"
    var showQueries = 1000
    var treeQueries = 50
    var cliShows = 30
}

/// Figures of one run, by name; medians are taken per name across runs.
typealias Figures = [String: Double]

struct Bench {
    var config: BenchConfig

    func log(_ s: String) { var s = s + "\n"; s.withUTF8 { p in _ = write(2, p.baseAddress, p.count) } }

    func run() throws {
        mkdir(config.work, 0o755)
        var report = JSONObject()
        report["date"] = .string(Recorded.now().text)
        report["machine"] = .string(machine())
        report["runs"] = .number(Double(config.runs))
        report["loadAverageAtStart"] = .string(loadAverage())
        var sizes: [JSON] = []
        var python: Figures? = nil
        var pythonRuns: [Figures] = []
        if config.python != nil {
            for r in 1...config.runs {
                log("python eventsourcing peer, run \(r)/\(config.runs)")
                pythonRuns.append(try runPython())
            }
            python = medians(pythonRuns)
        }
        var tables: [String] = []
        var growth: [(n: Int, ours: Figures)] = []
        for n in config.sizes {
            let file = "\(config.work)/ledger-\(n).ndjson"
            log("generating \(n) events into \(file)")
            let t0 = now()
            let summary = try Generator().write(count: n, to: file)
            log(String(format: "  %.1f s: %d municipalities, %d streams, longest %@ (%d events), %d backdated, %d retractions",
                       now() - t0, summary.municipalities, summary.streams, summary.longestStream, summary.longestStreamEvents,
                       summary.backdated, summary.retracted))
            var oursRuns: [Figures] = [], rawRuns: [Figures] = []
            for r in 1...config.runs {
                if config.sqliteBench != nil {
                    log("n=\(n) run \(r)/\(config.runs): raw SQLite")
                    rawRuns.append(try runRaw(n))
                }
                log("n=\(n) run \(r)/\(config.runs): goalledger")
                oursRuns.append(try runOurs(n, file: file))
            }
            let ours = medians(oursRuns), raw = medians(rawRuns)
            growth.append((n, ours))
            let rows = Self.rows(n: n, ours: ours, raw: raw, python: python)
            tables.append(Self.table(n: n, rows: rows))
            var o = JSONObject()
            o["events"] = .number(Double(n))
            o["generated"] = .object(JSONObject([
                ("municipalities", .number(Double(summary.municipalities))), ("streams", .number(Double(summary.streams))),
                ("longestStream", .string(summary.longestStream)), ("longestStreamEvents", .number(Double(summary.longestStreamEvents))),
                ("backdated", .number(Double(summary.backdated))), ("retracted", .number(Double(summary.retracted))),
                ("types", .object(JSONObject(summary.types.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) }))),
            ]))
            o["ours"] = Self.json(ours)
            o["oursRuns"] = .array(oursRuns.map(Self.json))
            o["raw"] = Self.json(raw)
            o["rawRuns"] = .array(rawRuns.map(Self.json))
            o["rows"] = .array(rows.map(\.json))
            sizes.append(.object(o))
        }
        report["sizes"] = .array(sizes)
        report["loadAverageAtEnd"] = .string(loadAverage())
        if let python {
            report["python"] = Self.json(python)
            report["pythonRuns"] = .array(pythonRuns.map(Self.json))
        }
        let text = "\(report["machine"]!.stringValue!); medians of \(config.runs) runs; load average at start "
            + "\(report["loadAverageAtStart"]!.stringValue!), at end \(loadAverage())\n\n"
            + tables.joined(separator: "\n") + (python.map { Self.pythonLine($0) } ?? "")
        print(text)
        try writeFile(config.json, JSONWriter.ordered(.object(report)) + "\n")
        log("wrote \(config.json)")
        if let svg = config.svg, growth.count >= 2 {
            try writeFile(svg, Plot.growth(growth))
            log("wrote \(svg)")
        }
    }

    func machine() -> String {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let cpu = (try? readFile("/proc/cpuinfo"))?.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters() } ?? "?"
        return "\(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores, \(cpu), Linux \(release), SQLite \(String(cString: sqlite3_libversion()))"
    }

    /// The 1, 5 and 15 minute load averages: this machine is shared, so the report says how busy it was.
    func loadAverage() -> String {
        ((try? readFile("/proc/loadavg")) ?? "").split(separator: " ").prefix(3).joined(separator: " ")
    }

    func medians(_ runs: [Figures]) -> Figures {
        var out: Figures = [:]
        for k in Set(runs.flatMap(\.keys)) { out[k] = median(runs.compactMap { $0[k] }) }
        return out
    }

    // MARK: Yardsticks

    /// `sqlite_es_bench all` with as many streams as make each stream 1,000 events long.
    func runRaw(_ n: Int) throws -> Figures {
        let dir = "\(config.work)/raw"
        mkdir(dir, 0o755)
        let out = "\(config.work)/raw.jsonl"
        try check([config.sqliteBench!, "all", dir, "rr", String(n), String(max(1, n / 1000)), "1000", "2000", "1000"], stdout: out)
        var f = Figures()
        for line in try readFile(out).split(separator: "\n") {
            guard case .object(let o) = try JSONParser.parse(String(line)), let metric = o["metric"]?.stringValue else { continue }
            switch metric {
            case "append_one_txn":
                f["append_eps"] = o["events_per_s"]?.numberValue
                f["db_bytes_per_event"] = o["db_bytes"]?.numberValue.map { $0 / Double(n) }
            case "append_batched": f["append_batched_eps"] = o["events_per_s"]?.numberValue
            case "single_event_txn_FULL": f["commit_median_ms"] = o["median_ms"]?.numberValue
            case "full_scan": f["scan_rps"] = o["rows_per_s"]?.numberValue
            case "stream_read_all":
                f["stream_read_median_ms"] = o["median_ms"]?.numberValue
                f["stream_read_p99_ms"] = o["p99_ms"]?.numberValue
            case "point_read_one_event": f["point_read_median_ms"] = o["median_ms"]?.numberValue
            default: break
            }
        }
        return f
    }

    /// The Python `eventsourcing` library's own benchmark.
    func runPython() throws -> Figures {
        let dir = "\(config.work)/es"
        mkdir(dir, 0o755)
        let out = "\(config.work)/es.jsonl"
        try check([config.python!, config.esBench, dir], stdout: out)
        var f = Figures()
        for line in try readFile(out).split(separator: "\n") where line.hasPrefix("{") {
            guard case .object(let o) = try JSONParser.parse(String(line)), let metric = o["metric"]?.stringValue else { continue }
            switch metric {
            case "es_create_aggs_save_each": f["append_eps"] = o["events_per_s"]?.numberValue
            case "es_get_1000_events": f["get_1000_ms"] = o["median_ms"]?.numberValue
            case "es_get_at_version_half": f["get_at_half_ms"] = o["median_ms"]?.numberValue
            case "es_notification_log_scan_decoded": f["scan_decoded_eps"] = o["events_per_s"]?.numberValue
            default: break
            }
        }
        return f
    }

    // MARK: Ours

    func runOurs(_ n: Int, file: String) throws -> Figures {
        let db = "\(config.work)/ledger-\(n).sqlite"
        let bin = config.goalledger
        let env = ["GOALLEDGER_USER": "bench"]
        var f = Figures()
        removeLedger(db)
        let imp = try check([bin, "import", file, "--quiet", "--db", db], env: env, measureRSS: true)
        f["import_s"] = imp.seconds
        f["import_eps"] = Double(n) / imp.seconds
        f["import_rss_mib"] = imp.peakRSSMiB
        f["db_bytes_per_event"] = Double(fileSize(db) + fileSize(db + "-wal")) / Double(n)
        for (name, args) in [("replay", ["replay"]), ("verify", ["verify"]), ("export", ["export"])] {
            let r = try check([bin] + args + ["--db", db], env: env, measureRSS: true)
            f[name + "_s"] = r.seconds
            f[name + "_eps"] = Double(n) / r.seconds
            f[name + "_rss_mib"] = r.peakRSSMiB
        }
        try inProcess(db, into: &f)
        // End to end: process start, open, query, print.
        var rng = SplitMix64(seed: 7)
        var lat: [Double] = []
        for _ in 0..<config.cliShows {
            let day = randomDay(&rng)
            lat.append(try check([bin, "show", Generator.longStream, "--as-of", day, "--json", "--db", db]).seconds * 1000)
        }
        f["cli_show_median_ms"] = median(lat)
        f["cli_show_rss_mib"] = try check([bin, "show", Generator.longStream, "--as-of", "2016-06-30", "--json", "--db", db],
                                          measureRSS: true).peakRSSMiB
        let tree = try check([bin, "tree", Generator.bigPlan, "--as-of", "2023-06-30", "--json", "--db", db], measureRSS: true)
        f["cli_tree_ms"] = tree.seconds * 1000
        f["cli_tree_rss_mib"] = tree.peakRSSMiB
        let audit = try check([bin, "audit", "--field", "target", "--json", "--db", db], measureRSS: true)
        f["cli_audit_s"] = audit.seconds
        f["cli_audit_rss_mib"] = audit.peakRSSMiB
        return f
    }

    /// A random `--as-of` day in the history of the measured stream.
    func randomDay(_ rng: inout SplitMix64) -> String {
        let first = Day(2006, 2, 1).days, last = Day(2026, 6, 30).days
        return Day(days: first + Int64(rng.int(0...Int(last - first)))).text
    }

    /// The as-of dates whose `show` took longest, to find what makes the p99.
    func slowest(db: String, stream: String) throws {
        let ledger = try Ledger(path: db, mode: .read)
        var rng = SplitMix64(seed: 42)
        var lat: [(Double, String)] = []
        for _ in 0..<2000 {
            let day = randomDay(&rng)
            let t0 = now()
            _ = try ledger.show(stream, at: PointInTime(asOf: TimePoint(parsing: day)))
            lat.append(((now() - t0) * 1000, day))
        }
        for (ms, day) in lat.sorted(by: { $0.0 > $1.0 }).prefix(25) { print(String(format: "%.3f ms  %@", ms, day)) }
        print(String(format: "p50 %.3f ms", percentile(lat.map(\.0), 0.5)))
    }

    /// Library calls on an open ledger, as a server or a notebook would make them.
    func inProcess(_ db: String, into f: inout Figures) throws {
        let ledger = try Ledger(path: db, mode: .read)
        var rng = SplitMix64(seed: 42)
        let stream = try ledger.events(of: Generator.longStream).count
        f["show_stream_events"] = Double(stream)
        for _ in 0..<50 { _ = try ledger.show(Generator.longStream, at: PointInTime(asOf: TimePoint(parsing: randomDay(&rng)))) }
        var lat: [Double] = []
        for _ in 0..<config.showQueries {
            let point = PointInTime(asOf: try TimePoint(parsing: randomDay(&rng)))
            let t0 = now()
            _ = try ledger.show(Generator.longStream, at: point)
            lat.append((now() - t0) * 1000)
        }
        f["show_p50_ms"] = percentile(lat, 0.5)
        f["show_p99_ms"] = percentile(lat, 0.99)

        var treeLat: [Double] = []
        var entities = 0
        for k in 0..<config.treeQueries + 5 {
            // As of a day between adoption (2019) and the end of the history.
            let day = Day(days: Day(2019, 9, 1).days + Int64(rng.int(0...2400))).text
            let point = PointInTime(asOf: try TimePoint(parsing: day))
            let t0 = now()
            let t = try ledger.tree(Generator.bigPlan, at: point)
            if k >= 5 { treeLat.append((now() - t0) * 1000) }
            entities = max(entities, t.all.count - 1)
        }
        f["tree_entities"] = Double(entities)
        f["tree_median_ms"] = median(treeLat)
        f["tree_p99_ms"] = percentile(treeLat, 0.99)

        var filter = AuditFilter()
        filter.field = "target"
        var rows = 0
        let t0 = now()
        try ledger.audit(filter) { _ in rows += 1 }
        f["audit_s"] = now() - t0
        f["audit_rows"] = Double(rows)
    }

    // MARK: Output

    struct Row {
        var name: String
        var ours: Double?
        var unit: String
        var raw: Double?
        var rawName: String
        /// ours ÷ raw, oriented so that above 1 means "more than raw" (rates) or "slower than raw" (times).
        var ratio: Double? { guard let ours, let raw, raw > 0 else { return nil }; return ours / raw }
        var target: String
        var met: Bool?

        var json: JSON {
            var o = JSONObject()
            o["figure"] = .string(name)
            o["ours"] = ours.map { .number(($0 * 1000).rounded() / 1000) } ?? .null
            o["unit"] = .string(unit)
            o["raw"] = raw.map { .number(($0 * 1000).rounded() / 1000) } ?? .null
            o["rawFigure"] = .string(rawName)
            o["ratio"] = ratio.map { .number(($0 * 1000).rounded() / 1000) } ?? .null
            o["target"] = .string(target)
            o["met"] = met.map { .bool($0) } ?? .null
            return .object(o)
        }
    }

    static func rows(n: Int, ours o: Figures, raw r: Figures, python p: Figures?) -> [Row] {
        let big = n >= 1_000_000
        func atMost(_ v: Double?, _ limit: Double) -> Bool? { v.map { $0 <= limit } }
        func atLeast(_ v: Double?, _ limit: Double) -> Bool? { v.map { $0 >= limit } }
        let scanSeconds = r["scan_rps"].map { Double(n) / $0 }
        let pointReads = r["point_read_median_ms"].map { $0 * 200 }
        var rows = [
            Row(name: "import", ours: o["import_eps"], unit: "events/s", raw: r["append_eps"], rawName: "append, one transaction",
                target: "≥ 0.5× raw", met: (o["import_eps"] ?? 0) / (r["append_eps"] ?? .infinity) >= 0.5 ? true : r["append_eps"] == nil ? nil : false),
            Row(name: "replay", ours: o["replay_eps"], unit: "events/s", raw: r["scan_rps"], rawName: "full scan",
                target: "≥ 300k/s", met: atLeast(o["replay_eps"], 300_000)),
            Row(name: "verify", ours: o["verify_eps"], unit: "events/s", raw: r["scan_rps"], rawName: "full scan",
                target: "≥ 300k/s", met: atLeast(o["verify_eps"], 300_000)),
            Row(name: "export", ours: o["export_eps"], unit: "events/s", raw: r["scan_rps"], rawName: "full scan",
                target: "≥ 200k/s", met: atLeast(o["export_eps"], 200_000)),
            Row(name: "show --as-of p50 (\(Int(o["show_stream_events"] ?? 0))-event stream)", ours: o["show_p50_ms"], unit: "ms",
                raw: r["stream_read_median_ms"], rawName: "read one 1,000-event stream, median", target: "", met: nil),
            Row(name: "show --as-of p99", ours: o["show_p99_ms"], unit: "ms", raw: r["stream_read_p99_ms"],
                rawName: "read one 1,000-event stream, p99", target: big ? "≤ 2 ms" : "", met: big ? atMost(o["show_p99_ms"], 2) : nil),
            Row(name: "tree --as-of (\(Int(o["tree_entities"] ?? 0)) entities), median", ours: o["tree_median_ms"], unit: "ms",
                raw: pointReads, rawName: "200 point reads", target: "≤ 30 ms", met: atMost(o["tree_median_ms"], 30)),
            Row(name: "tree --as-of p99", ours: o["tree_p99_ms"], unit: "ms", raw: nil, rawName: "", target: "", met: nil),
            Row(name: "audit --field target (\(Int(o["audit_rows"] ?? 0)) rows)", ours: o["audit_s"], unit: "s", raw: scanSeconds,
                rawName: "full scan of N rows", target: big ? "≤ 1 s" : "", met: big ? atMost(o["audit_s"], 1) : nil),
            Row(name: "CLI show end to end, median", ours: o["cli_show_median_ms"], unit: "ms", raw: nil, rawName: "",
                target: "≤ 50 ms", met: atMost(o["cli_show_median_ms"], 50)),
            Row(name: "CLI tree end to end", ours: o["cli_tree_ms"], unit: "ms", raw: nil, rawName: "", target: "", met: nil),
            Row(name: "CLI audit --field target end to end", ours: o["cli_audit_s"], unit: "s", raw: nil, rawName: "", target: "", met: nil),
        ]
        for op in ["import", "replay", "verify", "export"] {
            rows.append(Row(name: "peak RSS \(op)", ours: o[op + "_rss_mib"], unit: "MiB", raw: nil, rawName: "",
                            target: big ? "≤ 150 MB" : "", met: big ? atMost(o[op + "_rss_mib"].map { $0 * 1.048576 }, 150) : nil))
        }
        for op in ["cli_show", "cli_tree", "cli_audit"] {
            rows.append(Row(name: "peak RSS \(op.replacingOccurrences("_", " "))", ours: o[op + "_rss_mib"], unit: "MiB", raw: nil,
                            rawName: "", target: "", met: nil))
        }
        rows.append(Row(name: "file size per event", ours: o["db_bytes_per_event"], unit: "bytes", raw: r["db_bytes_per_event"],
                        rawName: "raw events table", target: "", met: nil))
        if let p {
            rows.append(Row(name: "import vs Python eventsourcing append", ours: o["import_eps"], unit: "events/s", raw: p["append_eps"],
                            rawName: "eventsourcing 9.5.6, 1,000 aggregates × 100", target: "≥ 5×",
                            met: p["append_eps"].map { (o["import_eps"] ?? 0) / $0 >= 5 }))
            rows.append(Row(name: "show --as-of p99 vs Python get(version=500)", ours: o["show_p99_ms"], unit: "ms",
                            raw: p["get_at_half_ms"], rawName: "eventsourcing, 1,000-event aggregate at version 500", target: "",
                            met: nil))
        }
        return rows
    }

    static func format(_ v: Double?, _ unit: String) -> String {
        guard let v, v.isFinite else { return "–" }
        switch unit {
        case "events/s": return v >= 1e6 ? String(format: "%.2fM/s", v / 1e6) : String(format: "%.1fk/s", v / 1e3)
        case "ms": return v < 10 ? String(format: "%.2f ms", v) : String(format: "%.1f ms", v)
        case "s": return String(format: "%.2f s", v)
        case "MiB": return String(format: "%.0f MiB", v)
        case "bytes": return String(format: "%.0f B", v)
        default: return String(format: "%.3g", v)
        }
    }

    static func table(n: Int, rows: [Row]) -> String {
        var lines = ["N = \(n) events",
                     "| figure | GoalLedger | raw SQLite (same run) | ratio | target | met |",
                     "|---|---:|---:|---:|---|---|"]
        for r in rows {
            let ratio = r.ratio.map { String(format: "%.2f×", $0) } ?? ""
            let met = r.met.map { $0 ? "yes" : "**no**" } ?? ""
            let raw = r.raw == nil ? "" : "\(format(r.raw, r.unit)) (\(r.rawName))"
            lines.append("| \(r.name) | \(format(r.ours, r.unit)) | \(raw) | \(ratio) | \(r.target) | \(met) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func pythonLine(_ p: Figures) -> String {
        "\nPython eventsourcing 9.5.6 (same run, median): append \(format(p["append_eps"], "events/s")), "
            + "get 1,000-event aggregate \(format(p["get_1000_ms"], "ms")), at version 500 \(format(p["get_at_half_ms"], "ms")), "
            + "scan decoded \(format(p["scan_decoded_eps"], "events/s"))\n"
    }

    static func json(_ f: Figures) -> JSON {
        .object(JSONObject(f.sorted { $0.key < $1.key }.map { ($0.key, .number(($0.value * 1000).rounded() / 1000)) }))
    }
}

extension String {
    func replacingOccurrences(_ a: Character, _ b: String) -> String { String(flatMap { $0 == a ? Array(b) : [$0] }) }
}
