import Foundation
import GRDB
import GoalLedgerCore
import GoalLedgerStore
import Testing

/// `export` writes most lines straight from the stored columns' bytes, and
/// the rest (text that is not UTF-8, signatures) from an event read from the
/// row. Both must give the line `Event.exportLine()` gives, byte for byte.
@Suite struct ExportLineTests {
    @Test func everyLineIsTheEventsOwnExportLine() throws {
        let cli = try CLI()
        try cli.importText(Fixture.policy)
        let ledger = try Ledger(path: cli.db, mode: .write)
        // Text that needs escapes, text that is not ASCII, optional members present and absent.
        let hostile = "\"quoted\" \\ back\nnew\ttab \u{1} \u{1F} æøå € 😀 \u{2028} \u{9B}"
        let inputs = [
            EventInput(stream: "ballerup/erhverv-2017/mal-3", type: .targetSet,
                       effective: try Effective(parsing: "2018-01-01"), actor: "ballerup/kb", reason: hostile,
                       decision: "KB \(hostile)", data: ["value": 30, "unit": .string(hostile), "comparator": ">="]),
            EventInput(stream: "ballerup/erhverv-2017/mal-3", type: .statusChanged,
                       effective: try Effective(parsing: "2019-05-01T10:30:00Z"), actor: "ballerup/kb",
                       reason: "plain", data: ["status": "achieved"]),
        ]
        _ = try ledger.append(inputs, context: AppendContext(recordedBy: "Søren \"S\" \(hostile)"))
        // A row the ledger would not write (its reason is not UTF-8), appended past the chain's
        // checks as an old or foreign file could hold it: it is shown repaired.
        let queue = try DatabaseQueue(path: cli.db)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO events (position, version, stream, type, effective, actor, reason, decision, id, data,
                                    recorded, recorded_by, prev, hash)
                SELECT position + 1, version + 1, stream, type, effective, actor, CAST(X'6E6F74FF5554462D38' AS TEXT),
                       NULL, 'raw-row', data, recorded, recorded_by, hash, hash
                FROM events ORDER BY position DESC LIMIT 1
                """)
        }
        try queue.close()

        var exported: [UInt8] = []
        try ledger.export { exported += $0 }
        let lines = String(decoding: exported, as: UTF8.self).split(separator: "\n").map(String.init)
        var events: [Event] = []
        for stream in ["ballerup/kb", "ballerup/borgmester", "ballerup/erhverv-2017", "ballerup/erhverv-2017/spor-2",
                       "ballerup/erhverv-2017/mal-3"] {
            events += try ledger.events(of: stream)
        }
        events.sort { $0.position < $1.position }
        #expect(events.count == 10)
        // Bytes, not decoded text: a line written from bytes that are not UTF-8 would read back the same.
        let expected = Array(events.map { $0.exportLine() + "\n" }.joined().utf8)
        let firstDifference = zip(exported, expected).enumerated().first { $1.0 != $1.1 }?.offset ?? min(exported.count, expected.count)
        let same = exported == expected
        #expect(same, "the bytes differ from byte \(firstDifference) on")
        #expect(lines == events.map { $0.exportLine() })
        #expect(lines.last?.contains("\"reason\":\"not\u{FFFD}UTF-8\"") == true)
        #expect(lines[7].contains(#""reason":"\"quoted\" \\ back\nnew\ttab \u0001 \u001f æøå € 😀 \#u{2028} \#u{9B}""#))
    }
}
