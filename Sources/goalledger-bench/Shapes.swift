import GoalLedgerCore

#if canImport(Glibc)
import Glibc
#endif

/// The shapes of ledger the benchmark generates (issue 12): a user does not
/// choose the shape of their history, so every figure is measured on each.
enum Shape: String, CaseIterable {
    /// `Generator`'s national ledger: ~24 events per stream, 90 % measurements, 1 % late.
    case national
    /// A whole country's plans entered at once: ≥ 1/3 creation events, ≥ 30,000 streams per
    /// 100k events, no `id`s, each stream's change events in random effective order.
    case wide
    /// The national ledger's events, each stream's measurements in random effective order
    /// (a migration of old figures from a spreadsheet); the same lines, in another order.
    case shuffled
    /// A few streams of 20k-100k hourly measurements in random effective order.
    case long

    /// The stream `show --as-of` and `history` measure, and the plan `tree` measures.
    func subjects(count: Int) -> (stream: String, plan: String) {
        switch self {
        case .national, .shuffled: return (Generator.longStream, Generator.bigPlan)
        case .wide: return (WideLedger.firstIndicator, WideLedger.firstPlan)
        case .long: return (LongStreams.stream(0), LongStreams.plan)
        }
    }
}

/// Line-level writing shared by the shapes: `write` collects input lines, then flushes them to a file.
struct LineWriter {
    var lines: [[UInt8]] = []

    /// One input line; nil members are left out, as SPEC §4 wants them absent.
    mutating func emit(id: String? = nil, _ stream: String, _ type: String, _ effective: String, actor: String,
                       reason: String? = nil, decision: String? = nil, _ data: JSONObject) {
        var writer = JSONWriter(capacity: 320)
        writer.append("{")
        if let id {
            writer.append("\"id\":")
            writer.writeString(id)
            writer.append(",")
        }
        writer.append("\"stream\":")
        writer.writeString(stream)
        writer.append(",\"type\":")
        writer.writeString(type)
        writer.append(",\"effective\":")
        writer.writeString(effective)
        writer.append(",\"actor\":")
        writer.writeString(actor)
        writer.writeMember(",\"reason\":", ifPresent: reason)
        writer.writeMember(",\"decision\":", ifPresent: decision)
        writer.append(",\"data\":")
        writer.writeOrdered(.object(data))
        writer.append("}")
        lines.append(writer.bytes)
    }

    /// Writes the lines to `path` and counts what they hold.
    static func write(_ lines: [[UInt8]], to path: String) throws -> Generator.Summary {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot create \(path)") }
        defer { close(fd) }
        var summary = Generator.Summary()
        var streamCounts: [String: Int] = [:]
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        func flush() {
            buffer.withUnsafeBytes { bytes in _ = Glibc.write(fd, bytes.baseAddress, bytes.count) }
            buffer.removeAll(keepingCapacity: true)
        }
        for line in lines {
            buffer.append(contentsOf: line)
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 { flush() }
            guard case .object(let object)? = try? JSONParser.parse(line),
                  let stream = object["stream"]?.stringValue, let type = object["type"]?.stringValue else { continue }
            streamCounts[stream, default: 0] += 1
            summary.types[type, default: 0] += 1
            if type == "Retracted" { summary.retracted += 1 }
        }
        flush()
        summary.events = lines.count
        summary.streams = streamCounts.count
        if let (stream, count) = streamCounts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) {
            summary.longestStream = stream
            summary.longestStreamEvents = count
        }
        return summary
    }
}

extension Generator {
    /// Writes `count` lines of a shape to `path`.
    func write(shape: Shape, count: Int, to path: String) throws -> Summary {
        switch shape {
        case .national: return try write(count: count, to: path)
        case .wide: return try LineWriter.write(WideLedger(seed: seed).lines(count: count), to: path)
        case .long: return try LineWriter.write(LongStreams(seed: seed).lines(count: count), to: path)
        case .shuffled:
            let national = path + ".national"
            _ = try write(count: count, to: national)
            defer { unlink(national) }
            let lines = try readFile(national).split(separator: "\n").map { Array($0.utf8) }
            return try LineWriter.write(Self.shuffleMeasurements(lines, seed: seed), to: path)
        }
    }

    /// Each stream's measurements moved among the places that stream's measurements
    /// hold, in random order. A measurement that a retraction names stays where it is
    /// (its retraction must follow it), and so do all other events: every prefix of
    /// the result is still a valid ledger, with the same events as the input.
    static func shuffleMeasurements(_ lines: [[UInt8]], seed: UInt64) -> [[UInt8]] {
        var retracted = Set<String>()
        var places: [String: [Int]] = [:]
        var parsed: [(stream: String, type: String, id: String?)] = []
        for line in lines {
            guard case .object(let object)? = try? JSONParser.parse(line) else {
                parsed.append(("", "", nil))
                continue
            }
            let type = object["type"]?.stringValue ?? ""
            if type == "Retracted", let target = object["data"]?.objectValue?["event"]?.stringValue {
                retracted.insert(target)
            }
            parsed.append((object["stream"]?.stringValue ?? "", type, object["id"]?.stringValue))
        }
        for (index, event) in parsed.enumerated()
        where event.type == "MeasurementRecorded" && !(event.id.map(retracted.contains) ?? false) {
            places[event.stream, default: []].append(index)
        }
        var random = SplitMix64(seed: seed &+ 0x5EED)
        var out = lines
        for stream in places.keys.sorted() {
            let slots = places[stream]!
            let moved = slots.shuffled(using: &random)
            for (slot, from) in zip(slots, moved) { out[slot] = lines[from] }
        }
        return out
    }
}

/// A whole country's strategy entered at once: per municipality, plans of four themes,
/// eight goals, eight indicators and six initiatives, each stream a few events long
/// (about 27 streams and 60 events a plan), no `id`s, and each plan's change events
/// entered after its creations in random order, so most arrive out of effective order.
struct WideLedger {
    var seed: UInt64

    static let firstPlan = "aabenraa/plan-0001"
    static let firstIndicator = "aabenraa/plan-0001/indikator-1"

    func lines(count: Int) -> [[UInt8]] {
        var random = SplitMix64(seed: seed &+ 0x3D3D)
        var writer = LineWriter()
        let municipalities = Municipalities.all.map(\.slug).sorted()
        var registered = Set<String>()
        var plan = 0
        while writer.lines.count < count {
            let slug = municipalities[plan % municipalities.count]
            plan += 1
            let kb = slug + "/kb"
            if !registered.contains(slug) {
                registered.insert(slug)
                writer.emit(slug, "ActorRegistered", "2010-01-04", actor: slug,
                            ["name": .string(slug), "kind": "organization"])
                writer.emit(kb, "ActorRegistered", "2010-01-04", actor: slug,
                            ["name": "Kommunalbestyrelsen", "kind": "body", "memberOf": .string(slug)])
            }
            let id = slug + "/plan-" + String(repeating: "0", count: max(0, 4 - String(plan).count)) + String(plan)
            let drafted = Day(2012 + random.int(0...10), random.int(1...12), random.int(1...28))
            var changes = LineWriter()
            writer.emit(id, "PlanDrafted", drafted.text, actor: kb,
                        ["organization": .string(kb), "kind": "strategy", "title": .string("Strategi \(plan)")])
            changes.emit(id, "PlanAdopted", drafted.plus(days: random.int(20...90)).text, actor: kb,
                         ["by": .string(kb)])
            func later() -> String { drafted.plus(days: random.int(1...1500)).text }
            for theme in 1...4 {
                writer.emit("\(id)/tema-\(theme)", "ThemeAdded", drafted.text, actor: kb,
                            ["plan": .string(id), "title": .string("Tema \(theme)"), "order": .number(Double(theme))])
            }
            for goal in 1...8 {
                let goalID = "\(id)/maal-\(goal)"
                writer.emit(goalID, "GoalDefined", drafted.text, actor: kb,
                            ["plan": .string(id), "theme": .string("\(id)/tema-\(1 + goal % 4)"),
                             "title": .string("Mål \(goal)")])
                changes.emit(goalID, "TargetSet", later(), actor: kb, reason: "Måltal vedtaget.",
                             ["value": .number(Double(random.int(10...90))), "unit": "%", "comparator": ">="])
                if goal <= 2 { changes.emit(goalID, "StatusChanged", later(), actor: kb, ["status": "achieved"]) }
                let indicatorID = "\(id)/indikator-\(goal)"
                writer.emit(indicatorID, "IndicatorDefined", drafted.text, actor: kb,
                            ["goal": .string(goalID), "title": .string("Indikator \(goal)"), "unit": "%",
                             "direction": "increase"])
                changes.emit(indicatorID, "TargetSet", later(), actor: kb, reason: "Måltal vedtaget.",
                             ["value": .number(Double(random.int(10...90))), "unit": "%", "comparator": ">="])
                changes.emit(indicatorID, "MeasurementRecorded", later(), actor: kb,
                             ["value": .number(Double(random.int(0...100)))])
            }
            for initiative in 1...6 {
                let initiativeID = "\(id)/initiativ-\(initiative)"
                writer.emit(initiativeID, "InitiativeAdded", drafted.text, actor: kb,
                            ["plan": .string(id), "title": .string("Initiativ \(initiative)")])
                changes.emit(initiativeID, "Linked", later(), actor: kb, ["to": .string("sdg:\(random.int(1...17))")])
            }
            writer.lines += changes.lines.shuffled(using: &random)
        }
        return Array(writer.lines.prefix(count))
    }
}

/// A few indicators with tens of thousands of hourly measurements each, entered
/// in random effective order: 3 streams at 100k events, 10 at 1M (100k each).
struct LongStreams {
    var seed: UInt64

    static let plan = "sensorby/maaleplan"
    static func stream(_ index: Int) -> String { "sensorby/maaleplan/maal/maaler-\(index + 1)" }

    func lines(count: Int) -> [[UInt8]] {
        var random = SplitMix64(seed: seed &+ 0x1010)
        var writer = LineWriter()
        let org = "sensorby", kb = "sensorby/kb", goal = "sensorby/maaleplan/maal"
        writer.emit(org, "ActorRegistered", "2010-01-04", actor: org, ["name": "Sensorby", "kind": "organization"])
        writer.emit(kb, "ActorRegistered", "2010-01-04", actor: org,
                    ["name": "Kommunalbestyrelsen", "kind": "body", "memberOf": .string(org)])
        writer.emit(Self.plan, "PlanDrafted", "2010-01-04", actor: kb,
                    ["organization": .string(kb), "kind": "plan", "title": "Måleplan"])
        writer.emit(goal, "GoalDefined", "2010-01-04", actor: kb, ["plan": .string(Self.plan), "title": "Luftkvalitet"])
        let streams = max(1, min(10, count / 33_000))
        for index in 0..<streams {
            writer.emit(Self.stream(index), "IndicatorDefined", "2010-01-04", actor: kb,
                        ["goal": .string(goal), "title": .string("Måler \(index + 1)"), "unit": "µg/m³",
                         "direction": "decrease"])
            writer.emit(Self.stream(index), "TargetSet", "2010-01-04", actor: kb,
                        ["value": 40, "unit": "µg/m³", "comparator": "<="])
        }
        let perStream = (count - writer.lines.count + streams - 1) / streams
        let start = Day(2010, 1, 5)
        var measurements: [[UInt8]] = []
        for index in 0..<streams {
            var hours = Array(0..<perStream)
            hours.shuffle(using: &random)
            for hour in hours {
                let hourOfDay = hour % 24
                let instant = start.plus(days: hour / 24).text + "T" + (hourOfDay < 10 ? "0" : "")
                    + "\(hourOfDay):00:00Z"
                var line = LineWriter()
                line.emit(Self.stream(index), "MeasurementRecorded", instant, actor: kb,
                          ["value": .number(Double(random.int(50...600)) / 10)])
                measurements.append(line.lines[0])
            }
        }
        // The streams' measurements interleaved, as readings from several meters arrive.
        measurements.shuffle(using: &random)
        writer.lines += measurements
        return Array(writer.lines.prefix(count))
    }
}
