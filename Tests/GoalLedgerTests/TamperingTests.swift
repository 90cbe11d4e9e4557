import Foundation
import GRDB
import GoalLedgerCore
import Testing

/// Issue 6, tampering: someone edits the SQLite file behind the ledger's back.
/// The append-only guard stops plain UPDATE and DELETE; with the guard dropped
/// (and put back afterwards, to cover the tracks), `verify` exits 5 and names
/// the first bad position. A digest published earlier catches even a history
/// rewritten with recomputed hashes and rebuilt projections.
@Suite struct TamperingTests {
    /// Ten events: the Fixture.policy seven, then a revised target (8), a
    /// revised goal (9) and a status change (10).
    static func tenEventLedger() throws -> CLI {
        let cli = try CLI()
        try cli.importText(Fixture.policy)
        let goal = "ballerup/erhverv-2017/mal-3"
        for args in [
            ["--type", "TargetSet", "--effective", "2019-01-01", "--reason", "Revision", "--data", #"{"value":30,"unit":"%"}"#],
            ["--type", "GoalRevised", "--effective", "2019-02-01", "--data", #"{"description":"Flere unge vælger håndværksfag"}"#],
            ["--type", "StatusChanged", "--effective", "2022-01-01", "--data", #"{"status":"achieved"}"#],
        ] {
            let r = try cli.run(["append", "--stream", goal, "--actor", "ballerup/kb"] + args)
            #expect(r.code == 0, "\(r.stderr)")
        }
        return cli
    }

    /// Runs `body` on the ledger file with the append-only triggers dropped,
    /// then puts the very same triggers back, as a careful forger would.
    static func withGuardDropped(_ cli: CLI, _ body: (Database) throws -> Void) throws {
        let q = try DatabaseQueue(path: cli.db)
        try q.write { db in
            let triggers = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'")
            #expect(triggers.count == 2)
            for t in triggers { try db.execute(sql: "DROP TRIGGER \(t["name"] as String)") }
            try body(db)
            for t in triggers { try db.execute(sql: t["sql"] as String) }
        }
        try q.close()
    }

    /// The exported events, parsed back as exported input lines (content, position, hash).
    static func exported(_ cli: CLI) throws -> [EventInput] {
        try cli.run(["export"]).stdout.split(separator: "\n").map { try EventInput.parse(String($0)) }
    }

    /// The row an exported input would be at `position` after `prev`, its hash recomputed.
    static func rechained(_ input: EventInput, prev: String) -> Event {
        let x = input.exported!
        return input.event(position: x.position, version: x.version, id: input.id!, recorded: x.recorded,
                           recordedBy: x.recordedBy, prev: prev)
    }

    static func insert(_ e: Event, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO events (position, version, stream, type, effective, actor, reason, decision, id, data, recorded, recorded_by, prev, hash)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """, arguments: [e.position, e.version, e.stream, e.type.rawValue, e.effective.text, e.actor, e.reason, e.decision,
                             e.id, e.dataJSON, e.recorded, e.recordedBy, e.prev, e.hash])
    }

    struct Edit: CustomTestStringConvertible, Sendable {
        var name: String
        /// Run with the guard dropped; the first statement is tried with the guard in place first.
        var sql: [String] = []
        /// Or a row to insert, made from the exported events (the guard allows INSERT).
        var forge: (@Sendable (_ events: [EventInput]) throws -> Event)? = nil
        /// `verify`'s whole stderr (or its start, when it names a time of the run).
        var error: String
        var wholeError = true
        var testDescription: String { name }
    }

    static let edits: [Edit] = [
        Edit(name: "change a target value", sql: [#"UPDATE events SET data = replace(data, '"value":30', '"value":40') WHERE position = 8"#],
             error: "error: position 8: hash does not match the event's content (it was changed)\n"),
        Edit(name: "change an actor", sql: ["UPDATE events SET actor = 'ballerup/borgmester' WHERE position = 6"],
             error: "error: position 6: hash does not match the event's content (it was changed)\n"),
        Edit(name: "backdate a recorded time", sql: ["UPDATE events SET recorded = '2017-09-26T12:00:00.000000Z' WHERE position = 9"],
             error: "error: position 9: hash does not match the event's content (it was changed)\n"),
        Edit(name: "delete a row", sql: ["DELETE FROM events WHERE position = 5"],
             error: "error: position 5: missing (positions jump from 4 to 6)\n"),
        Edit(name: "swap two rows", sql: ["UPDATE events SET position = -position WHERE position IN (3, 5)",
                                          "UPDATE events SET position = CASE position WHEN -3 THEN 5 ELSE 3 END WHERE position < 0"],
             error: "error: position 3: prev does not match the hash of position 2 (the chain is broken)\n"),
        Edit(name: "append a forged row whose hash is recomputed but whose link is broken",
             forge: { events in
                 // A new target for the goal (its version 6), chained to position 9 instead of the head, 10.
                 var forged = try EventInput.parse(#"""
                     {"stream":"ballerup/erhverv-2017/mal-3","type":"TargetSet","effective":"2019-01-01","actor":"ballerup/kb","reason":"Revision","data":{"value":99,"unit":"%"}}
                     """#)
                 forged.id = "forged"
                 return forged.event(position: 11, version: 6, id: "forged", recorded: events[9].exported!.recorded,
                                     recordedBy: "mallory", prev: events[8].exported!.hash)
             },
             error: "error: position 11: prev does not match the hash of position 10 (the chain is broken)\n"),
        // Rows a forger chains correctly, hash and all, but that the ledger could not have written.
        Edit(name: "append a chained row whose data is not canonical",
             forge: { events in try forgedTarget(events, dataJSON: #"{"value":99, "unit":"%"}"#) },
             error: "error: position 11: data is not in canonical form\n"),
        Edit(name: "append a chained row whose data does not fit its type",
             forge: { events in try forgedTarget(events, dataJSON: #"{"unit":"%","value":"high"}"#) },
             error: "error: position 11: data does not fit TargetSet\n"),
        Edit(name: "append a chained row recorded before the row it follows",
             forge: { events in try forgedTarget(events, dataJSON: #"{"unit":"%","value":99}"#, recorded: "2017-01-01T00:00:00.000000Z") },
             error: "error: position 11: recorded 2017-01-01T00:00:00.000000Z is earlier than position 10's 20", wholeError: false),
    ]

    /// A TargetSet for the goal at position 11 (its version 6), chained to the head
    /// with its hash recomputed over exactly the given data text.
    static func forgedTarget(_ events: [EventInput], dataJSON: String, recorded: String? = nil) throws -> Event {
        let head = events[9].exported!
        guard case .object(let data) = try JSONParser.parse(dataJSON) else { throw InputError("not an object") }
        var e = Event(position: 11, version: 6, stream: "ballerup/erhverv-2017/mal-3", type: .targetSet,
                      effective: try Effective(parsing: "2019-06-01"), actor: "ballerup/kb", reason: "Revision", decision: nil,
                      id: "forged", data: data, dataJSON: dataJSON, recorded: recorded ?? head.recorded, recordedBy: "mallory",
                      prev: head.hash)
        e.hash = e.computeHash()
        return e
    }

    @Test(arguments: edits)
    func guardStopsTheEditAndVerifyNamesTheFirstBadPositionOnceItIsDropped(_ edit: Edit) throws {
        let cli = try Self.tenEventLedger()
        let events = try Self.exported(cli)
        #expect(events.count == 10)
        let export = try cli.run(["export"]).stdout
        if let sql = edit.sql.first {
            let q = try DatabaseQueue(path: cli.db)
            let error = #expect(throws: DatabaseError.self) { try q.write { try $0.execute(sql: sql) } }
            #expect(error?.message == "goalledger: the events table is append-only")
            try q.close()
            #expect(try cli.run(["export"]).stdout == export, "the guarded edit changed the events")
            #expect(try cli.run(["verify"]).code == 0)
        }
        try Self.withGuardDropped(cli) { db in
            for sql in edit.sql {
                try db.execute(sql: sql)
                #expect(db.changesCount >= 1, "\(sql) changed nothing")
            }
            if let forge = edit.forge { try Self.insert(try forge(events), db) }
        }
        let r = try cli.run(["verify"])
        #expect(r.code == 5)
        if edit.wholeError {
            #expect(r.stderr == edit.error)
        } else {
            #expect(r.stderr.hasPrefix(edit.error) && r.stderr.hasSuffix("Z\n") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
        #expect(r.stdout.isEmpty)
    }

    /// A projection row changed behind the ledger's back: `verify` names the row and the column.
    @Test(arguments: [
        ("kind", "'plan'"), ("version", "version + 1"), ("created", "created + 1"), ("folded", "folded - 1"),
        ("last_position", "NULL"), ("plan", "'ballerup/andet'"), ("plan", "NULL"), ("parent", "parent || 'x'"),
        ("title", "title || ' '"), ("status", "'achieved '"), ("state", "replace(state, '\"status\":\"achieved\"', '\"status\":\"active\"')"),
    ])
    func changedProjectionRowIsNamedByColumn(column: String, value: String) throws {
        let cli = try Self.tenEventLedger()
        let goal = "ballerup/erhverv-2017/mal-3"
        let q = try DatabaseQueue(path: cli.db)
        try q.write { db in
            try db.execute(sql: "UPDATE entities SET \(column) = \(value) WHERE id = ?", arguments: [goal])
            #expect(db.changesCount == 1)
        }
        try q.close()
        let r = try cli.run(["verify"])
        #expect(r.code == 5)
        #expect(r.stderr == "error: projection: entities row \(goal), column \(column), differs from a fresh fold of its events; run `goalledger replay`\n")
        #expect(try cli.run(["replay"]).code == 0)
        #expect(try cli.run(["verify"]).code == 0)
    }

    /// The forger recomputes every later hash and rebuilds the projections:
    /// the ledger is consistent again and plain `verify` cannot tell. The
    /// digest published before the edit can.
    @Test func rewrittenHistoryWithRecomputedHashesFailsAgainstAPublishedDigest() throws {
        let cli = try CLI()
        try cli.importText(Fixture.policy)
        let published = try cli.run(["head"]).stdout.trimmingCharacters(in: .newlines).split(separator: " ").map(String.init)
        #expect(published.count == 2 && published[0] == "7")
        for (n, value, year) in [(1, 30, 2019), (2, 32, 2020)] {
            let r = try cli.run(["append", "--stream", "ballerup/erhverv-2017/mal-3", "--type", "TargetSet", "--effective", "\(year)-01-01",
                                   "--actor", "ballerup/kb", "--reason", "Revision \(n)", "--data", #"{"value":\#(value),"unit":"%"}"#])
            #expect(r.code == 0, "\(r.stderr)")
        }
        #expect(try cli.run(["verify", "--against", published.joined(separator: ":")]).code == 0)

        // Position 6 set the first target, 25 %; make it 20 % and re-chain everything after it.
        let events = try Self.exported(cli)
        try Self.withGuardDropped(cli) { db in
            var prev = events[4].exported!.hash
            for i in 5..<events.count {
                var input = events[i]
                if i == 5 { input.data["value"] = .number(20) }
                let e = Self.rechained(input, prev: prev)
                try db.execute(sql: "UPDATE events SET data = ?, prev = ?, hash = ? WHERE position = ?",
                               arguments: [e.dataJSON, e.prev, e.hash, e.position])
                prev = e.hash
            }
        }
        // The forger rebuilds the projections too, in case the change shows in them.
        #expect(try cli.run(["replay"]).code == 0)
        let plain = try cli.run(["verify"])
        #expect(plain.code == 0, "a fully re-chained history is self-consistent: \(plain.stderr)")
        let newHash = try #require(try Self.exported(cli)[6].exported?.hash)
        #expect(newHash != published[1])

        let against = try cli.run(["verify", "--against", published.joined(separator: ":")])
        #expect(against.code == 5)
        #expect(against.stderr == "error: position 7: hash \(newHash) differs from the published \(published[1]): the ledger no longer extends that digest\n")
    }

    /// Cutting off the newest events keeps the chain intact; after a replay
    /// only the published digest shows that history was lost.
    @Test func droppingTheNewestEventsFailsAgainstAPublishedDigest() throws {
        let cli = try Self.tenEventLedger()
        let head = try cli.run(["head"]).stdout.trimmingCharacters(in: .newlines).replacingOccurrences(of: " ", with: ":")
        #expect(head.hasPrefix("10:"))
        try Self.withGuardDropped(cli) { db in try db.execute(sql: "DELETE FROM events WHERE position > 8") }
        #expect(try cli.run(["replay"]).code == 0)
        #expect(try cli.run(["verify"]).code == 0)
        let r = try cli.run(["verify", "--against", head])
        #expect(r.code == 5)
        #expect(r.stderr == "error: position 10 is not in the ledger (head is 8): it does not extend that digest\n")
    }

    /// Half the file gone (after a checkpoint, so every event is in the main file):
    /// a clear integrity error, not a crash.
    @Test func truncatedFileIsAnIntegrityFailure() throws {
        let cli = try CLI()
        var lines: [String] = [Fixture.policy]
        for i in 1...400 {
            lines.append(#"{"stream":"ballerup/erhverv-2017/mal-x\#(i)","type":"GoalDefined","effective":"2018-01-01","actor":"ballerup/kb","data":{"plan":"ballerup/erhverv-2017","title":"Mål \#(i): flere lærepladser i Ballerup"}}"#)
        }
        try cli.importText(lines.joined(separator: "\n"))
        let q = try DatabaseQueue(path: cli.db)
        _ = try q.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try q.close()
        #expect((try? FileManager.default.attributesOfItem(atPath: cli.db + "-wal")[.size] as? Int) ?? 0 == 0)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: cli.db)[.size] as? Int)
        #expect(size > 64 * 1024)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: cli.db))
        try h.truncate(atOffset: UInt64(size / 2))
        try h.close()

        let r = try cli.run(["verify"])
        #expect(r.code == 5)
        #expect(r.stderr.hasPrefix("error: \(cli.db) is damaged: "), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasSuffix("\n"))
    }
}
