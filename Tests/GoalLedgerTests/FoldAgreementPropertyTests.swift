import Foundation
import GRDB
import GoalLedgerCore
import GoalLedgerStore
import Testing

/// A small deterministic generator, so a failing seed can be replayed.
typealias SeededRandom = SplitMix64

/// Random ledgers with random effective dates, backdating and retractions:
/// the snapshot-assisted answer, the projection tables after `replay`, a
/// historical file from `replay --into`, and the plain fold must all agree.
@Suite struct FoldAgreementPropertyTests {
    static let streams = ["p/g1", "p/g2", "p/g1/i1"]

    /// Five mixed ledgers of 350 events, and two where one indicator gets
    /// nearly every event of 1,200, all in random effective order (a long
    /// stream arriving shuffled: issue 12).
    @Test(arguments: [(1, 350, 6), (2, 350, 6), (3, 350, 6), (4, 350, 6), (5, 350, 6), (6, 1_200, 9), (7, 1_200, 9)]
          as [(UInt64, Int, Int)])
    func snapshotsProjectionsAndPlainFoldAgree(seed: UInt64, eventCount: Int, indicatorShareInTenths: Int) throws {
        var rng = SeededRandom(seed: seed)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("goalledger-prop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let ledger = try Ledger(path: dir.appendingPathComponent("l.sqlite").path, mode: .write)
        var clock: Int64 = 1_767_225_600_000_000  // 2026-01-01T00:00:00Z in microseconds
        func append(_ line: String) throws {
            clock += Int64.random(in: 1...5_000_000, using: &rng)
            let at = Recorded(micros: clock)
            let input = try EventInput.parse(line)
            try ledger.append([input], context: AppendContext(recordedBy: "prop", clock: { at }))
            // After every event the projection equals the plain fold: late events may take a shortcut there.
            #expect(try ledger.show(input.stream).folded == Fold.state(of: try ledger.events(of: input.stream)), "seed \(seed) \(line)")
        }
        try append(#"{"stream":"kb","type":"ActorRegistered","effective":"2010-01-01","actor":"kb","data":{"name":"KB","kind":"body"}}"#)
        try append(#"{"stream":"p","type":"PlanDrafted","effective":"2010-01-01","actor":"kb","data":{"organization":"kb","kind":"policy","title":"Politik"}}"#)
        try append(#"{"stream":"p/g1","type":"GoalDefined","effective":"2010-01-01","actor":"kb","data":{"plan":"p","title":"Mål 1"}}"#)
        try append(#"{"stream":"p/g2","type":"GoalDefined","effective":"2010-01-01","actor":"kb","data":{"plan":"p","title":"Mål 2"}}"#)
        try append(#"{"stream":"p/g1/i1","type":"IndicatorDefined","effective":"2010-01-01","actor":"kb","data":{"goal":"p/g1","title":"Andel","unit":"%","direction":"increase"}}"#)

        var ids: [String: [String]] = [:]  // retractable event ids per stream
        var retracted = Set<String>()
        var usedEffective: [String: [String]] = [:]
        var n = 0
        func randomEffective() -> String {
            let y = Int.random(in: 2010...2026, using: &rng), m = Int.random(in: 1...12, using: &rng), d = Int.random(in: 1...28, using: &rng)
            let date = String(format: "%04d-%02d-%02d", y, m, d)
            return Int.random(in: 0..<5, using: &rng) == 0 ? date + String(format: "T%02d:30:00+01:00", Int.random(in: 0...23, using: &rng)) : date
        }
        while n < eventCount {
            // The indicator gets most events, so its stream passes several snapshot intervals.
            let toIndicator = Int.random(in: 0..<10, using: &rng) < indicatorShareInTenths
            let stream = toIndicator ? "p/g1/i1" : ["p/g1", "p/g2"].randomElement(using: &rng)!
            let id = "e\(seed)-\(n)"
            // Some events share the effective time of an earlier event of their stream,
            // so late events also tie with those they slot in next to.
            let used = usedEffective[stream] ?? []
            let eff = !used.isEmpty && Int.random(in: 0..<4, using: &rng) == 0
                ? used.suffix(8).randomElement(using: &rng)! : randomEffective()
            usedEffective[stream, default: []].append(eff)
            let choice = Int.random(in: 0..<100, using: &rng)
            var line: String
            switch choice {
            case 0..<30:
                line = #"{"stream":"\#(stream)","type":"TargetSet","effective":"\#(eff)","actor":"kb","reason":"Revision \#(n)","id":"\#(id)","data":{"value":\#(Int.random(in: 1...100, using: &rng)),"unit":"%"}}"#
            case 30..<70 where stream == "p/g1/i1":
                line = #"{"stream":"\#(stream)","type":"MeasurementRecorded","effective":"\#(eff)","actor":"kb","id":"\#(id)","data":{"value":\#(Double(Int.random(in: 0...1000, using: &rng)) / 10),"period":"\#(eff.prefix(7))"}}"#
            case 30..<70:
                line = #"{"stream":"\#(stream)","type":"StatusChanged","effective":"\#(eff)","actor":"kb","id":"\#(id)","data":{"status":"\#(["active", "achieved", "missed"].randomElement(using: &rng)!)"}}"#
            case 70..<80:
                let t = stream == "p/g1/i1" ? "IndicatorRevised" : "GoalRevised"
                line = #"{"stream":"\#(stream)","type":"\#(t)","effective":"\#(eff)","actor":"kb","id":"\#(id)","data":{"title":"Titel \#(n) æøå"}}"#
            case 80..<90:
                line = #"{"stream":"\#(stream)","type":"Linked","effective":"\#(eff)","actor":"kb","id":"\#(id)","data":{"to":"sdg:\#(Int.random(in: 1...3, using: &rng))"}}"#
            default:
                let candidates = (ids[stream] ?? []).filter { !retracted.contains($0) }
                guard let target = candidates.randomElement(using: &rng) else { continue }
                retracted.insert(target)
                line = #"{"stream":"\#(stream)","type":"Retracted","effective":"\#(eff)","actor":"kb","id":"\#(id)","data":{"event":"\#(target)"}}"#
            }
            try append(line)
            if !line.contains("\"Retracted\"") { ids[stream, default: []].append(id) }
            n += 1
        }
        #expect(try ledger.verify().events == Int64(eventCount + 5))
        #expect(try ledger.snapshotCount > 0)

        // Random points in time: snapshot-assisted `show` equals the plain fold of all events.
        let firstRecorded = 1_767_225_600_000_000 as Int64
        func randomPoint() throws -> PointInTime {
            let asOf: TimePoint? = Bool.random(using: &rng) ? try TimePoint(parsing: randomEffective()) : nil
            var knownAt: TimePoint? = nil
            if Bool.random(using: &rng) {
                knownAt = try TimePoint(parsing: Recorded(micros: Int64.random(in: firstRecorded...clock, using: &rng)).text)
            }
            return PointInTime(asOf: asOf, knownAt: knownAt)
        }
        var compared = 0
        for _ in 0..<60 {
            let point = try randomPoint()
            for stream in Self.streams {
                let plain = Fold.state(of: try ledger.events(of: stream), at: point)
                let viaStore: Folded?
                do { viaStore = try ledger.show(stream, at: point).folded } catch let e as LedgerError where e.kind == .notFound { viaStore = nil }
                #expect(viaStore == plain, "seed \(seed) \(stream) asOf \(point.asOf?.input ?? "-") knownAt \(point.knownAt?.input ?? "-")")
                compared += 1
            }
        }
        #expect(compared == 180)

        // audit folds only the events that can change the field it filters on:
        // its rows and changes equal those of history, which folds everything.
        // Unfiltered, and up to a known-at time, it lists every row of history
        // (its late streams folded whole, their rows kept in a temporary file).
        let midway = try TimePoint(parsing: Recorded(micros: (firstRecorded + clock) / 2).text)
        for (field, knownAt) in [("target", nil), ("target.value", nil), ("status", nil), ("links", nil),
                                 ("latest", nil), (nil, nil), (nil, midway)] as [(String?, TimePoint?)] {
            var filter = AuditFilter()
            filter.field = field
            filter.knownAt = knownAt
            var audited: [String] = []
            try ledger.audit(filter) { audited.append("\($0.event.position) \($0.changes)") }
            var expected: [(Int64, String)] = []
            for stream in ["kb", "p"] + Self.streams {
                for row in try ledger.history(stream, at: PointInTime(knownAt: knownAt))
                where field.map({ field in row.changes.contains { $0.field == field || $0.field.hasPrefix(field + ".") } }) ?? true {
                    expected.append((row.event.position, "\(row.event.position) \(row.changes)"))
                }
            }
            #expect(audited == expected.sorted { $0.0 < $1.0 }.map(\.1), "seed \(seed) field \(field ?? "-") \(knownAt?.input ?? "-")")
            #expect(!audited.isEmpty)
        }

        // The projection after replay equals the plain fold now.
        try ledger.replay()
        for stream in Self.streams {
            #expect(try ledger.show(stream).folded == Fold.state(of: try ledger.events(of: stream)))
        }
        #expect(try ledger.verify().events == Int64(eventCount + 5))

        // A historical file (`replay --as-of --known-at --into`) holds the plain fold of that moment.
        let point = PointInTime(asOf: try TimePoint(parsing: "2018-06"), knownAt: try TimePoint(parsing: Recorded(micros: (firstRecorded + clock) / 2).text))
        let file = dir.appendingPathComponent("then.sqlite").path
        _ = try ledger.writeHistoricalView(into: file, at: point)
        let then = try DatabaseQueue(path: file)
        for stream in Self.streams {
            let stored = try then.read { db in try String.fetchOne(db, sql: "SELECT state FROM entities WHERE id = ?", arguments: [stream]) }
            #expect(stored == Fold.state(of: try ledger.events(of: stream), at: point)?.state.canonicalJSON)
        }
        try? FileManager.default.removeItem(at: dir)
    }

    /// Goals whose targets, statuses, titles and links arrive in random
    /// effective order, appended in one batch (as `import` does) and then
    /// replayed: a projection that follows a stream from its first event puts
    /// a late target, status or title in its place from the members' last
    /// writers it kept (`ProjectionHead`), and forgets them at a retraction
    /// that could move one. Both ways must give the plain fold.
    @Test(arguments: [11, 12, 13] as [UInt64])
    func lateOwnMembersInOneBatchAgreeWithThePlainFold(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("goalledger-prop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ledger = try Ledger(path: dir.appendingPathComponent("l.sqlite").path, mode: .write)
        var lines = [
            #"{"stream":"kb","type":"ActorRegistered","effective":"2010-01-01","actor":"kb","data":{"name":"KB","kind":"body"}}"#,
            #"{"stream":"p","type":"PlanDrafted","effective":"2010-01-01","actor":"kb","data":{"organization":"kb","kind":"policy","title":"Politik"}}"#,
        ]
        let goals = ["p/g1", "p/g2", "p/g3"]
        var ids: [String: [(id: String, retractable: Bool, isLink: Bool)]] = [:]
        for goal in goals {
            lines.append(#"{"stream":"\#(goal)","type":"GoalDefined","effective":"2010-01-01","actor":"kb","data":{"plan":"p","title":"Mål"}}"#)
        }
        for n in 0..<600 {
            let goal = goals.randomElement(using: &rng)!
            let id = "b\(seed)-\(n)"
            let eff = String(format: "%04d-%02d-01", Int.random(in: 2010...2030, using: &rng), Int.random(in: 1...12, using: &rng))
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<35:
                lines.append(#"{"stream":"\#(goal)","type":"TargetSet","effective":"\#(eff)","actor":"kb","reason":"Ny \#(n)","id":"\#(id)","data":{"value":\#(n),"unit":"%"}}"#)
            case 35..<60:
                let status = ["active", "achieved", "missed"].randomElement(using: &rng)!
                lines.append(#"{"stream":"\#(goal)","type":"StatusChanged","effective":"\#(eff)","actor":"kb","id":"\#(id)","data":{"status":"\#(status)"}}"#)
            case 60..<80:
                lines.append(#"{"stream":"\#(goal)","type":"GoalRevised","effective":"\#(eff)","actor":"kb","id":"\#(id)","data":{"title":"Mål \#(n)"}}"#)
            case 80..<95:
                lines.append(#"{"stream":"\#(goal)","type":"Linked","effective":"\#(eff)","actor":"kb","id":"\#(id)","data":{"to":"sdg:\#(n % 4)"}}"#)
            default:
                // Now and then a retraction: of a link (the writers are kept) and, near the end, of
                // anything (a target or status retracted makes them forgotten from there on).
                let candidates = (ids[goal] ?? []).filter { $0.retractable && (n >= 540 || $0.isLink) }
                guard let target = candidates.randomElement(using: &rng) else { continue }
                ids[goal] = ids[goal]!.map { $0.id == target.id ? ($0.id, false, $0.isLink) : $0 }
                lines.append(#"{"stream":"\#(goal)","type":"Retracted","effective":"\#(eff)","actor":"kb","id":"\#(id)","data":{"event":"\#(target.id)"}}"#)
                continue
            }
            ids[goal, default: []].append((id, true, lines.last!.contains("\"Linked\"")))
        }
        _ = try ledger.append(try lines.map { try EventInput.parse($0) }, context: AppendContext(recordedBy: "prop"))
        for goal in goals {
            #expect(try ledger.show(goal).folded == Fold.state(of: try ledger.events(of: goal)), "seed \(seed) \(goal)")
        }
        try ledger.replay()
        for goal in goals {
            #expect(try ledger.show(goal).folded == Fold.state(of: try ledger.events(of: goal)),
                    "seed \(seed) \(goal) after replay")
        }
        #expect(try ledger.verify().events == Int64(lines.count))
    }
}
