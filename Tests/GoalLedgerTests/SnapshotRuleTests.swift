import Foundation
import GRDB
import GoalLedgerCore
import GoalLedgerStore
import Testing

/// Which snapshots a ledger holds (`Snapshot.isTaken`), and how `verify`
/// checks them: every one it holds must be true, every one the rule asks for
/// must be there, and a true one the rule does not ask for (files written
/// before `Snapshot.lateGap` held one after every late event) may stay.
@Suite struct SnapshotRuleTests {
    static let indicator = "p/g/i"

    /// An indicator of 165 events whose measurements arrive in random
    /// effective order, one append (and one recorded time) each.
    struct ShuffledIndicator {
        let cli: CLI
        let ledger: Ledger
        var clock: Int64 = 1_767_225_600_000_000  // 2026-01-01T00:00:00Z in microseconds
        var random = SplitMix64(seed: 1202)

        init() throws {
            cli = try CLI()
            ledger = try Ledger(path: cli.db, mode: .write)
            for line in [
                #"{"stream":"kb","type":"ActorRegistered","effective":"2010-01-01","actor":"kb","#
                    + #""data":{"name":"KB","kind":"body"}}"#,
                #"{"stream":"p","type":"PlanDrafted","effective":"2010-01-01","actor":"kb","#
                    + #""data":{"organization":"kb","kind":"policy","title":"Politik"}}"#,
                #"{"stream":"p/g","type":"GoalDefined","effective":"2010-01-01","actor":"kb","#
                    + #""data":{"plan":"p","title":"Mål"}}"#,
                #"{"stream":"p/g/i","type":"IndicatorDefined","effective":"2010-01-01","actor":"kb","#
                    + #""data":{"goal":"p/g","title":"Andel","unit":"%","direction":"increase"}}"#,
            ] { try append(line) }
            try measure(164)
        }

        mutating func append(_ line: String) throws {
            clock += 1_000_000
            let at = Recorded(micros: clock)
            try ledger.append([try EventInput.parse(line)], context: AppendContext(recordedBy: "test", clock: { at }))
        }

        /// Appends measurements on random days of 2011-2025.
        mutating func measure(_ count: Int) throws {
            for _ in 0..<count {
                let day = String(format: "%04d-%02d-%02d", Int.random(in: 2011...2025, using: &random),
                                 Int.random(in: 1...12, using: &random), Int.random(in: 1...28, using: &random))
                try append(#"{"stream":"p/g/i","type":"MeasurementRecorded","effective":"\#(day)","actor":"kb","#
                           + #""data":{"value":\#(Int.random(in: 0...100, using: &random))}}"#)
            }
        }

        /// The indicator's snapshots: (head position, stream version at the head).
        func snapshots() throws -> [(position: Int64, version: Int64)] {
            let queue = try DatabaseQueue(path: cli.db)
            defer { try? queue.close() }
            return try queue.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT snapshots.head_position AS position, events.version AS version
                    FROM snapshots JOIN events ON events.position = snapshots.head_position
                    WHERE snapshots.stream = ? ORDER BY snapshots.head_position
                    """, arguments: [SnapshotRuleTests.indicator]).map { ($0["position"], $0["version"]) }
            }
        }

        func change(_ sql: String, _ arguments: StatementArguments = []) throws {
            try cli.changeOneRow(sql, arguments)
        }
    }

    @Test func lateEventsSnapshotAStreamAtMostEveryTenthEvent() throws {
        let ledger = try ShuffledIndicator()
        let versions = try ledger.snapshots().map(\.version)
        #expect(versions.first == 100)
        #expect(versions.count > 3, "late measurements past version 100 take snapshots: \(versions)")
        for (earlier, later) in zip(versions, versions.dropFirst()) {
            #expect(later % Snapshot.interval == 0 || later - earlier >= Snapshot.lateGap, "\(versions)")
        }
        // Fewer than one per late event: before the gap, every event from 101 on took one.
        #expect(versions.count < 65 / 2)
        #expect(try ledger.ledger.verify().events == 168)
    }

    /// Each case on a fresh copy of the same ledger (the generator is seeded).
    @Test(arguments: [
        ("DELETE FROM snapshots WHERE head_position = ?", "periodic", "is missing"),
        ("DELETE FROM snapshots WHERE head_position = ?", "late", "is missing"),
        ("UPDATE snapshots SET state = replace(state, '\"value\":', '\"value\":1') WHERE head_position = ?", "late",
         "differs from a fresh fold"),
        ("UPDATE snapshots SET folded = folded + 1 WHERE head_position = ?", "periodic", "differs from a fresh fold"),
        ("UPDATE snapshots SET head_recorded = '2026-01-01T00:00:00.000000Z' WHERE head_position = ?", "late",
         "differs from a fresh fold"),
        ("UPDATE snapshots SET stream = 'p/g' WHERE head_position = ?", "late", "is not one a fresh fold takes"),
    ])
    func verifyNamesAMissingAlteredOrForeignSnapshot(sql: String, which: String, what: String) throws {
        let ledger = try ShuffledIndicator()
        let snapshots = try ledger.snapshots()
        let periodic = try #require(snapshots.first { $0.version == 100 })
        let late = try #require(snapshots.last { $0.version % 100 != 0 })
        let position = which == "late" ? late.position : periodic.position
        try ledger.change(sql, [position])
        let result = try ledger.cli.run(["verify"])
        #expect(result.code == 5)
        let stream = sql.contains("stream = 'p/g'") ? "p/g" : Self.indicator
        #expect(result.stderr == "error: projection: snapshot of \(stream) at position \(position) "
                    + "\(what); run `goalledger replay`\n")
        #expect(try ledger.cli.run(["replay"]).code == 0)
        #expect(try ledger.cli.run(["verify"]).code == 0)
    }

    /// A file written before the gap holds a true snapshot after every late
    /// event: it verifies, appends to it count from its own snapshots, and a
    /// replay leaves only those the rule takes.
    @Test func aTrueSnapshotTheRuleDoesNotAskForMayStay() throws {
        var ledger = try ShuffledIndicator()
        let before = try ledger.snapshots()
        let events = try ledger.ledger.events(of: Self.indicator)
        let taken = Set(before.map(\.position))
        // A late event after the last snapshot that took none (an older build took one there): the
        // next appends come within `lateGap` of it, where counting from it or from the one before differs.
        let lastTaken = try #require(before.last)
        let extra = try #require(events.last { $0.position > lastTaken.position && !taken.contains($0.position) })
        let known = try ledger.ledger.show(Self.indicator, at: PointInTime(knownAt: TimePoint(parsing: extra.recorded)))
        #expect(known.folded.lastKey.position != extra.position, "the event is late: it is not last in fold order")
        try ledger.change("""
            INSERT INTO snapshots (stream, head_position, head_recorded, effective_key, last_position, folded, state)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [Self.indicator, extra.position, extra.recorded, known.folded.lastKey.effective,
                  known.folded.lastKey.position, known.folded.version, known.folded.state.canonicalJSON])
        #expect(try ledger.cli.run(["verify"]).code == 0)

        try ledger.measure(40)
        #expect(try ledger.cli.run(["verify"]).code == 0)
        let appended = try ledger.snapshots()
        #expect(try ledger.cli.run(["replay"]).code == 0)
        #expect(try ledger.cli.run(["verify"]).code == 0)
        let replayed = try ledger.snapshots()
        #expect(!replayed.contains { $0.position == extra.position })
        #expect(replayed.count <= appended.count)
    }
}
