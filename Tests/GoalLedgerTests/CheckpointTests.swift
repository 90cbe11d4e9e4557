import Foundation
import GRDB
import GoalLedgerCore
import GoalLedgerStore
import Testing

/// A long import or replay writes snapshots and drops idle streams every so
/// many events, reading them back from the file when they move again. With
/// checkpoints every 97 events the paths that a national ledger takes run on
/// a few thousand events, and the tables must end exactly as without them.
@Suite struct CheckpointTests {
    /// The projections of a file, row by row.
    static func tables(_ path: String) throws -> [String] {
        let q = try DatabaseQueue(path: path)
        defer { try? q.close() }
        return try q.read { db in
            try String.fetchAll(db, sql: "SELECT id || ' ' || kind || ' ' || version || ' ' || created || ' ' || ifnull(folded, '-') || ' ' || ifnull(last_position, '-') || ' ' || ifnull(plan, '-') || ' ' || ifnull(parent, '-') || ' ' || ifnull(state, '-') FROM entities ORDER BY id")
                + String.fetchAll(db, sql: "SELECT stream || ' ' || head_position || ' ' || head_recorded || ' ' || effective_key || ' ' || last_position || ' ' || folded || ' ' || state FROM snapshots ORDER BY stream, head_position")
        }
    }

    @Test func smallCheckpointsEndWithTheSameProjections() throws {
        let cli = try CLI()
        let file = cli.path("synthetic.ndjson")
        #expect(try BenchGeneratorTests().generate(4000, file) == 0)
        let inputs = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { try EventInput.parse(String($0)) }
        #expect(inputs.count == 4000)
        // One fixed clock, so both files hold the very same events and hashes.
        let at = try Recorded(stored: "2026-11-28T09:00:00.000000Z")
        let context = AppendContext(recordedBy: "checkpoints", clock: { at })

        let plain = try Ledger(path: cli.path("plain.sqlite"), mode: .write)
        try plain.append(inputs, context: context)
        let small = try Ledger(path: cli.path("small.sqlite"), mode: .write)
        small.checkpoints.interval = 97
        // In several transactions, as imports of several files are: later ones load what earlier ones wrote.
        for part in stride(from: 0, to: inputs.count, by: 1000) {
            try small.append(inputs[part..<min(part + 1000, inputs.count)], context: context)
        }
        #expect(try plain.head()! == small.head()!)
        let expected = try Self.tables(cli.path("plain.sqlite"))
        #expect(expected.count > 300, "entities and snapshots")
        #expect(expected.contains { $0.hasPrefix("koebenhavn/") && $0.contains("\"measurements\":") })
        #expect(try Self.tables(cli.path("small.sqlite")) == expected)
        #expect(try small.verify().events == 4000)

        // Replay with every idle stream dropped at each checkpoint, with some kept, and with all kept;
        // the rows' values made on this core, or on another from 10 rows on.
        for resident in [0, 40, 50_000] {
            for rowsMadeOnAnotherCore in [4_096, 10] {
                small.checkpoints.replayResidentStreams = resident
                small.checkpoints.rowsMadeOnAnotherCore = rowsMadeOnAnotherCore
                #expect(try small.replay() == 4000)
                #expect(try Self.tables(cli.path("small.sqlite")) == expected,
                        "resident \(resident), \(rowsMadeOnAnotherCore)")
                #expect(try small.verify().events == 4000)
            }
        }
    }
}
