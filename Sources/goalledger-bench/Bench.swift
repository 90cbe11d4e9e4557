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

    func log(_ message: String) {
        var line = message + "\n"
        line.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    }

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
            for round in 1...config.runs {
                log("python eventsourcing peer, run \(round)/\(config.runs)")
                pythonRuns.append(try runPython())
            }
            python = medians(pythonRuns)
        }
        var tables: [String] = []
        var growth: [(events: Int, ours: Figures)] = []
        for eventCount in config.sizes {
            let file = "\(config.work)/ledger-\(eventCount).ndjson"
            log("generating \(eventCount) events into \(file)")
            let t0 = now()
            let summary = try Generator().write(count: eventCount, to: file)
            log(String(format: "  %.1f s: %d municipalities, %d streams, longest %@ (%d events), "
                           + "%d backdated, %d retractions",
                       now() - t0, summary.municipalities, summary.streams, summary.longestStream,
                       summary.longestStreamEvents, summary.backdated, summary.retracted))
            var oursRuns: [Figures] = [], rawRuns: [Figures] = []
            for round in 1...config.runs {
                if config.sqliteBench != nil {
                    log("n=\(eventCount) run \(round)/\(config.runs): raw SQLite")
                    rawRuns.append(try runRaw(eventCount))
                }
                log("n=\(eventCount) run \(round)/\(config.runs): goalledger")
                oursRuns.append(try runOurs(eventCount, file: file))
            }
            let ours = medians(oursRuns), raw = medians(rawRuns)
            growth.append((eventCount, ours))
            let rows = Self.rows(eventCount: eventCount, ours: ours, raw: raw, python: python)
            tables.append(Self.table(eventCount: eventCount, rows: rows))
            var entry = JSONObject()
            entry["events"] = .number(Double(eventCount))
            entry["generated"] = .object(JSONObject([
                ("municipalities", .number(Double(summary.municipalities))),
                ("streams", .number(Double(summary.streams))),
                ("longestStream", .string(summary.longestStream)),
                ("longestStreamEvents", .number(Double(summary.longestStreamEvents))),
                ("backdated", .number(Double(summary.backdated))),
                ("retracted", .number(Double(summary.retracted))),
                ("types", .object(JSONObject(summary.types.sorted { $0.key < $1.key }
                                                 .map { ($0.key, .number(Double($0.value))) }))),
            ]))
            entry["ours"] = Self.json(ours)
            entry["oursRuns"] = .array(oursRuns.map(Self.json))
            entry["raw"] = Self.json(raw)
            entry["rawRuns"] = .array(rawRuns.map(Self.json))
            entry["rows"] = .array(rows.map(\.json))
            sizes.append(.object(entry))
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
        var system = utsname()
        uname(&system)
        let release = withUnsafeBytes(of: &system.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let cpu = (try? readFile("/proc/cpuinfo"))?.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters() } ?? "?"
        return "\(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores, \(cpu), Linux \(release), "
            + "SQLite \(String(cString: sqlite3_libversion()))"
    }

    /// The 1, 5 and 15 minute load averages: this machine is shared, so the report says how busy it was.
    func loadAverage() -> String {
        ((try? readFile("/proc/loadavg")) ?? "").split(separator: " ").prefix(3).joined(separator: " ")
    }

    func medians(_ runs: [Figures]) -> Figures {
        var out: Figures = [:]
        for key in Set(runs.flatMap(\.keys)) { out[key] = median(runs.compactMap { $0[key] }) }
        return out
    }

    // MARK: Yardsticks

    /// `sqlite_es_bench all` with as many streams as make each stream 1,000 events long.
    func runRaw(_ eventCount: Int) throws -> Figures {
        let dir = "\(config.work)/raw"
        mkdir(dir, 0o755)
        let out = "\(config.work)/raw.jsonl"
        try check([config.sqliteBench!, "all", dir, "rr", String(eventCount), String(max(1, eventCount / 1000)),
                   "1000", "2000", "1000"], stdout: out)
        var figures = Figures()
        for line in try readFile(out).split(separator: "\n") {
            guard case .object(let object) = try JSONParser.parse(String(line)),
                  let metric = object["metric"]?.stringValue else { continue }
            switch metric {
            case "append_one_txn":
                figures["append_eps"] = object["events_per_s"]?.numberValue
                figures["db_bytes_per_event"] = object["db_bytes"]?.numberValue.map { $0 / Double(eventCount) }
            case "append_batched": figures["append_batched_eps"] = object["events_per_s"]?.numberValue
            case "single_event_txn_FULL": figures["commit_median_ms"] = object["median_ms"]?.numberValue
            case "full_scan": figures["scan_rps"] = object["rows_per_s"]?.numberValue
            case "stream_read_all":
                figures["stream_read_median_ms"] = object["median_ms"]?.numberValue
                figures["stream_read_p99_ms"] = object["p99_ms"]?.numberValue
            case "point_read_one_event": figures["point_read_median_ms"] = object["median_ms"]?.numberValue
            default: break
            }
        }
        return figures
    }

    /// The Python `eventsourcing` library's own benchmark.
    func runPython() throws -> Figures {
        let dir = "\(config.work)/es"
        mkdir(dir, 0o755)
        let out = "\(config.work)/es.jsonl"
        try check([config.python!, config.esBench, dir], stdout: out)
        var figures = Figures()
        for line in try readFile(out).split(separator: "\n") where line.hasPrefix("{") {
            guard case .object(let object) = try JSONParser.parse(String(line)),
                  let metric = object["metric"]?.stringValue else { continue }
            switch metric {
            case "es_create_aggs_save_each": figures["append_eps"] = object["events_per_s"]?.numberValue
            case "es_get_1000_events": figures["get_1000_ms"] = object["median_ms"]?.numberValue
            case "es_get_at_version_half": figures["get_at_half_ms"] = object["median_ms"]?.numberValue
            case "es_notification_log_scan_decoded": figures["scan_decoded_eps"] = object["events_per_s"]?.numberValue
            default: break
            }
        }
        return figures
    }

    // MARK: Ours

    func runOurs(_ eventCount: Int, file: String) throws -> Figures {
        let db = "\(config.work)/ledger-\(eventCount).sqlite"
        let bin = config.goalledger
        let env = ["GOALLEDGER_USER": "bench"]
        var figures = Figures()
        removeLedger(db)
        let imp = try check([bin, "import", file, "--quiet", "--db", db], env: env, measureRSS: true)
        figures["import_s"] = imp.seconds
        figures["import_eps"] = Double(eventCount) / imp.seconds
        figures["import_rss_mib"] = imp.peakRSSMiB
        figures["db_bytes_per_event"] = Double(fileSize(db) + fileSize(db + "-wal")) / Double(eventCount)
        for (name, args) in [("replay", ["replay"]), ("verify", ["verify"]), ("export", ["export"])] {
            let result = try check([bin] + args + ["--db", db], env: env, measureRSS: true)
            figures[name + "_s"] = result.seconds
            figures[name + "_eps"] = Double(eventCount) / result.seconds
            figures[name + "_rss_mib"] = result.peakRSSMiB
        }
        try inProcess(db, into: &figures)
        // End to end: process start, open, query, print.
        var rng = SplitMix64(seed: 7)
        var lat: [Double] = []
        for _ in 0..<config.cliShows {
            let day = randomDay(&rng)
            lat.append(try check([bin, "show", Generator.longStream, "--as-of", day, "--json", "--db", db])
                .seconds * 1000)
        }
        figures["cli_show_median_ms"] = median(lat)
        figures["cli_show_rss_mib"] = try check([bin, "show", Generator.longStream, "--as-of", "2016-06-30",
                                                 "--json", "--db", db],
                                                measureRSS: true).peakRSSMiB
        let tree = try check([bin, "tree", Generator.bigPlan, "--as-of", "2023-06-30", "--json", "--db", db],
                             measureRSS: true)
        figures["cli_tree_ms"] = tree.seconds * 1000
        figures["cli_tree_rss_mib"] = tree.peakRSSMiB
        let audit = try check([bin, "audit", "--field", "target", "--json", "--db", db], measureRSS: true)
        figures["cli_audit_s"] = audit.seconds
        figures["cli_audit_rss_mib"] = audit.peakRSSMiB
        return figures
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
    func inProcess(_ db: String, into figures: inout Figures) throws {
        let ledger = try Ledger(path: db, mode: .read)
        var rng = SplitMix64(seed: 42)
        let stream = try ledger.events(of: Generator.longStream).count
        figures["show_stream_events"] = Double(stream)
        for _ in 0..<50 {
            _ = try ledger.show(Generator.longStream, at: PointInTime(asOf: TimePoint(parsing: randomDay(&rng))))
        }
        var lat: [Double] = []
        for _ in 0..<config.showQueries {
            let point = PointInTime(asOf: try TimePoint(parsing: randomDay(&rng)))
            let t0 = now()
            _ = try ledger.show(Generator.longStream, at: point)
            lat.append((now() - t0) * 1000)
        }
        figures["show_p50_ms"] = percentile(lat, 0.5)
        figures["show_p99_ms"] = percentile(lat, 0.99)

        var treeLat: [Double] = []
        var entities = 0
        for k in 0..<config.treeQueries + 5 {
            // As of a day between adoption (2019) and the end of the history.
            let day = Day(days: Day(2019, 9, 1).days + Int64(rng.int(0...2400))).text
            let point = PointInTime(asOf: try TimePoint(parsing: day))
            let t0 = now()
            let tree = try ledger.tree(Generator.bigPlan, at: point)
            if k >= 5 { treeLat.append((now() - t0) * 1000) }
            entities = max(entities, tree.all.count - 1)
        }
        figures["tree_entities"] = Double(entities)
        figures["tree_median_ms"] = median(treeLat)
        figures["tree_p99_ms"] = percentile(treeLat, 0.99)

        var filter = AuditFilter()
        filter.field = "target"
        var rows = 0
        let t0 = now()
        try ledger.audit(filter) { _ in rows += 1 }
        figures["audit_s"] = now() - t0
        figures["audit_rows"] = Double(rows)
    }

    // MARK: Output

    struct Row {
        var name: String
        var ours: Double?
        var unit: String
        var raw: Double?
        var rawName: String
        /// ours ÷ raw, oriented so that above 1 means "more than raw" (rates) or "slower than raw" (times).
        var ratio: Double? {
            guard let ours, let raw, raw > 0 else { return nil }
            return ours / raw
        }
        var target: String
        var met: Bool?

        var json: JSON {
            var object = JSONObject()
            object["figure"] = .string(name)
            object["ours"] = ours.map { .number(($0 * 1000).rounded() / 1000) } ?? .null
            object["unit"] = .string(unit)
            object["raw"] = raw.map { .number(($0 * 1000).rounded() / 1000) } ?? .null
            object["rawFigure"] = .string(rawName)
            object["ratio"] = ratio.map { .number(($0 * 1000).rounded() / 1000) } ?? .null
            object["target"] = .string(target)
            object["met"] = met.map { .bool($0) } ?? .null
            return .object(object)
        }
    }

    static func rows(eventCount: Int, ours: Figures, raw: Figures, python: Figures?) -> [Row] {
        let big = eventCount >= 1_000_000
        func atMost(_ value: Double?, _ limit: Double) -> Bool? { value.map { $0 <= limit } }
        func atLeast(_ value: Double?, _ limit: Double) -> Bool? { value.map { $0 >= limit } }
        let scanSeconds = raw["scan_rps"].map { Double(eventCount) / $0 }
        let pointReads = raw["point_read_median_ms"].map { $0 * 200 }
        var rows = [
            Row(name: "import", ours: ours["import_eps"], unit: "events/s", raw: raw["append_eps"],
                rawName: "append, one transaction", target: "≥ 0.5× raw",
                met: raw["append_eps"].map { (ours["import_eps"] ?? 0) / $0 >= 0.5 }),
            Row(name: "replay", ours: ours["replay_eps"], unit: "events/s", raw: raw["scan_rps"], rawName: "full scan",
                target: "≥ 300k/s", met: atLeast(ours["replay_eps"], 300_000)),
            Row(name: "verify", ours: ours["verify_eps"], unit: "events/s", raw: raw["scan_rps"], rawName: "full scan",
                target: "≥ 300k/s", met: atLeast(ours["verify_eps"], 300_000)),
            Row(name: "export", ours: ours["export_eps"], unit: "events/s", raw: raw["scan_rps"], rawName: "full scan",
                target: "≥ 200k/s", met: atLeast(ours["export_eps"], 200_000)),
            Row(name: "show --as-of p50 (\(Int(ours["show_stream_events"] ?? 0))-event stream)",
                ours: ours["show_p50_ms"], unit: "ms", raw: raw["stream_read_median_ms"],
                rawName: "read one 1,000-event stream, median", target: "", met: nil),
            Row(name: "show --as-of p99", ours: ours["show_p99_ms"], unit: "ms", raw: raw["stream_read_p99_ms"],
                rawName: "read one 1,000-event stream, p99", target: big ? "≤ 2 ms" : "",
                met: big ? atMost(ours["show_p99_ms"], 2) : nil),
            Row(name: "tree --as-of (\(Int(ours["tree_entities"] ?? 0)) entities), median",
                ours: ours["tree_median_ms"], unit: "ms", raw: pointReads, rawName: "200 point reads",
                target: "≤ 30 ms", met: atMost(ours["tree_median_ms"], 30)),
            Row(name: "tree --as-of p99", ours: ours["tree_p99_ms"], unit: "ms", raw: nil, rawName: "", target: "",
                met: nil),
            Row(name: "audit --field target (\(Int(ours["audit_rows"] ?? 0)) rows)", ours: ours["audit_s"], unit: "s",
                raw: scanSeconds, rawName: "full scan of N rows", target: big ? "≤ 1 s" : "",
                met: big ? atMost(ours["audit_s"], 1) : nil),
            Row(name: "CLI show end to end, median", ours: ours["cli_show_median_ms"], unit: "ms", raw: nil,
                rawName: "", target: "≤ 50 ms", met: atMost(ours["cli_show_median_ms"], 50)),
            Row(name: "CLI tree end to end", ours: ours["cli_tree_ms"], unit: "ms", raw: nil, rawName: "", target: "",
                met: nil),
            Row(name: "CLI audit --field target end to end", ours: ours["cli_audit_s"], unit: "s", raw: nil,
                rawName: "", target: "", met: nil),
        ]
        for op in ["import", "replay", "verify", "export"] {
            rows.append(Row(name: "peak RSS \(op)", ours: ours[op + "_rss_mib"], unit: "MiB", raw: nil, rawName: "",
                            target: big ? "≤ 150 MB" : "",
                            met: big ? atMost(ours[op + "_rss_mib"].map { $0 * 1.048576 }, 150) : nil))
        }
        for op in ["cli_show", "cli_tree", "cli_audit"] {
            rows.append(Row(name: "peak RSS \(op.replacingOccurrences("_", " "))", ours: ours[op + "_rss_mib"],
                            unit: "MiB", raw: nil, rawName: "", target: "", met: nil))
        }
        rows.append(Row(name: "file size per event", ours: ours["db_bytes_per_event"], unit: "bytes",
                        raw: raw["db_bytes_per_event"], rawName: "raw events table", target: "", met: nil))
        if let python {
            rows.append(Row(name: "import vs Python eventsourcing append", ours: ours["import_eps"], unit: "events/s",
                            raw: python["append_eps"], rawName: "eventsourcing 9.5.6, 1,000 aggregates × 100",
                            target: "≥ 5×", met: python["append_eps"].map { (ours["import_eps"] ?? 0) / $0 >= 5 }))
            rows.append(Row(name: "show --as-of p99 vs Python get(version=500)", ours: ours["show_p99_ms"], unit: "ms",
                            raw: python["get_at_half_ms"],
                            rawName: "eventsourcing, 1,000-event aggregate at version 500", target: "", met: nil))
        }
        return rows
    }

    static func format(_ value: Double?, _ unit: String) -> String {
        guard let value, value.isFinite else { return "–" }
        switch unit {
        case "events/s":
            return value >= 1e6 ? String(format: "%.2fM/s", value / 1e6) : String(format: "%.1fk/s", value / 1e3)
        case "ms": return value < 10 ? String(format: "%.2f ms", value) : String(format: "%.1f ms", value)
        case "s": return String(format: "%.2f s", value)
        case "MiB": return String(format: "%.0f MiB", value)
        case "bytes": return String(format: "%.0f B", value)
        default: return String(format: "%.3g", value)
        }
    }

    static func table(eventCount: Int, rows: [Row]) -> String {
        var lines = ["N = \(eventCount) events",
                     "| figure | GoalLedger | raw SQLite (same run) | ratio | target | met |",
                     "|---|---:|---:|---:|---|---|"]
        for row in rows {
            let ratio = row.ratio.map { String(format: "%.2f×", $0) } ?? ""
            let met = row.met.map { $0 ? "yes" : "**no**" } ?? ""
            let raw = row.raw == nil ? "" : "\(format(row.raw, row.unit)) (\(row.rawName))"
            lines.append("| \(row.name) | \(format(row.ours, row.unit)) | \(raw) | \(ratio) | \(row.target) | \(met) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func pythonLine(_ python: Figures) -> String {
        "\nPython eventsourcing 9.5.6 (same run, median): append \(format(python["append_eps"], "events/s")), "
            + "get 1,000-event aggregate \(format(python["get_1000_ms"], "ms")), "
            + "at version 500 \(format(python["get_at_half_ms"], "ms")), "
            + "scan decoded \(format(python["scan_decoded_eps"], "events/s"))\n"
    }

    static func json(_ figures: Figures) -> JSON {
        .object(JSONObject(figures.sorted { $0.key < $1.key }
                               .map { ($0.key, .number(($0.value * 1000).rounded() / 1000)) }))
    }
}

extension String {
    func replacingOccurrences(_ character: Character, _ replacement: String) -> String {
        String(flatMap { $0 == character ? Array(replacement) : [$0] })
    }
}
