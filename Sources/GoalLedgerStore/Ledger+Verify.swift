import GRDB
import GoalLedgerCore

/// The result of a successful `verify`.
public struct VerifyReport: Sendable {
    public var events: Int64
    public var streams: Int
    public var head: (position: Int64, hash: String)?
}

/// Progress callbacks for long scans: events done so far, and the total.
public typealias Progress = (_ done: Int64, _ total: Int64) -> Void

extension Ledger {
    /// Checks everything SPEC §8 promises, in one pass over the events: the
    /// append-only guard, gapless positions and versions, non-decreasing
    /// `recorded`, every `prev` and `hash`, every row decodable and valid, and
    /// the projections equal to a fresh fold. Throws an integrity error
    /// naming the first bad position.
    ///
    /// With `against`, also proves that the ledger still extends a digest
    /// published earlier: the event at that position has that hash.
    public func verify(against: (position: Int64, hash: String)? = nil, progress: Progress? = nil) throws -> VerifyReport {
        try read { db in
            try Self.checkGuard(db)
            let total = try Int64.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0
            let s = try RawStatement(db, "SELECT \(EventRows.columns) FROM events ORDER BY position")
            defer { s.reset() }
            var expected: Int64 = 1
            var prev = Event.genesis
            var lastRecorded = ""
            var versions: [String: Int64] = [:]
            var projection = Projection()
            var againstSeen = false
            while try s.step() {
                let e = try EventRows.read(s)
                let p = e.position
                func bad(_ m: String) -> LedgerError { .integrity("position \(p): \(m)", position: p) }
                if p != expected {
                    let q = min(p, expected)
                    throw LedgerError.integrity(p > expected ? "position \(q): missing (positions jump from \(expected - 1) to \(p))"
                                                             : "position \(q): out of order", position: q)
                }
                if e.prev != prev { throw bad("prev does not match the hash of position \(p - 1) (the chain is broken)") }
                if e.computeHash() != e.hash { throw bad("hash does not match the event's content (it was changed)") }
                let v = (versions[e.stream] ?? 0) + 1
                if e.version != v { throw bad("version \(e.version) of \(e.stream), expected \(v)") }
                versions[e.stream] = v
                guard (try? Recorded(stored: e.recorded)) != nil else { throw bad("recorded \(e.recorded) is malformed") }
                if e.recorded < lastRecorded { throw bad("recorded \(e.recorded) is earlier than position \(p - 1)'s \(lastRecorded)") }
                try checkContent(e, versionOne: v == 1, bad)
                if let against, against.position == p {
                    guard e.hash == against.hash else {
                        throw bad("hash \(e.hash) differs from the published \(against.hash): the ledger no longer extends that digest")
                    }
                    againstSeen = true
                }
                try projection.apply(e, db)
                lastRecorded = e.recorded
                prev = e.hash
                expected += 1
                if let progress, p % 50_000 == 0 { progress(p, total) }
            }
            if let against, !againstSeen {
                throw LedgerError.integrity("position \(against.position) is not in the ledger (head is \(expected - 1)): it does not extend that digest",
                                            position: against.position)
            }
            try Self.compareProjection(db, projection)
            try Self.compareSnapshots(db, projection.snapshots)
            return VerifyReport(events: expected - 1, streams: versions.count, head: expected > 1 ? (expected - 1, prev) : nil)
        }
    }

    /// A stored row must be one the ledger could have written.
    private func checkContent(_ e: Event, versionOne: Bool, _ bad: (String) -> LedgerError) throws {
        guard Identifier.isEntityID(e.stream), Identifier.isEntityID(e.actor), Identifier.isEventID(e.id) else {
            throw bad("stream, actor or id is malformed")
        }
        if JSONWriter.canonical(.object(e.data)) != e.dataJSON { throw bad("data is not in canonical form") }
        guard (try? Validation.data(e.data, for: e.type)) == e.data else { throw bad("data does not fit \(e.type.rawValue)") }
        if versionOne != (e.type.creates != nil) {
            throw bad(versionOne ? "a stream must start with a creation event, not \(e.type.rawValue)"
                                 : "\(e.type.rawValue) on an existing stream")
        }
    }

    static func checkGuard(_ db: Database) throws {
        for (name, op) in Schema.appendOnlyTriggers {
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ? AND tbl_name = 'events'",
                                          arguments: [name])
            guard sql == Schema.triggerSQL(name, op) else {
                throw LedgerError.integrity("the append-only guard is missing: trigger \(name) (\(op) on events) was dropped or changed")
            }
        }
    }

    /// The stored snapshots are exactly those a fresh fold takes, with the same states.
    static func compareSnapshots(_ db: Database, _ fresh: [(stream: String, snapshot: Snapshot)]) throws {
        let expected = fresh.sorted { ($0.stream, $0.snapshot.headPosition) < ($1.stream, $1.snapshot.headPosition) }
        let s = try RawStatement(db, "SELECT \(Projection.snapshotColumns) FROM snapshots ORDER BY stream, head_position")
        defer { s.reset() }
        var k = 0
        while try s.step() {
            let stream = s.text(0), head = s.int(1)
            guard k < expected.count, expected[k].stream == stream, expected[k].snapshot.headPosition == head else {
                throw LedgerError.integrity("projection: snapshot of \(stream) at position \(head) is not one a fresh fold takes; run `goalledger replay`")
            }
            let x = expected[k].snapshot
            let row: [String] = [s.text(2), String(s.int(3)), String(s.int(4)), String(s.int(5)), s.text(6)]
            let want: [String] = [x.headRecorded, String(x.folded.lastChange.effective.key), String(x.folded.lastChange.position),
                                  String(x.folded.version), x.folded.state.canonicalJSON]
            if row != want {
                throw LedgerError.integrity("projection: snapshot of \(stream) at position \(head) differs from a fresh fold; run `goalledger replay`")
            }
            k += 1
        }
        if k != expected.count {
            let missing = expected[k]
            throw LedgerError.integrity("projection: snapshot of \(missing.stream) at position \(missing.snapshot.headPosition) is missing; run `goalledger replay`")
        }
    }

    /// Every `entities` row equals the fresh fold, and no row is missing or extra.
    static func compareProjection(_ db: Database, _ fresh: Projection) throws {
        let s = try RawStatement(db, """
            SELECT id, kind, version, created, folded, last_position, plan, parent, title, status, state FROM entities ORDER BY id
            """)
        defer { s.reset() }
        var seen = 0
        while try s.step() {
            let id = s.text(0)
            guard let e = fresh.entries[id] else {
                throw LedgerError.integrity("projection: entities has a row \(id) that no event creates; run `goalledger replay`")
            }
            seen += 1
            let expected: [String?] = [
                e.kind.rawValue, String(e.version), String(e.created), e.head.map { String($0.version) }, e.head.map { String($0.lastChange.position) },
                e.plan, e.parent, e.head?.state.title, e.head?.state.status, e.head?.state.canonicalJSON,
            ]
            let names = ["kind", "version", "created", "folded", "last_position", "plan", "parent", "title", "status", "state"]
            for (k, name) in names.enumerated() {
                let col = Int32(k + 1)
                let actual: String? = s.isNull(col) ? nil : s.text(col)
                if actual != expected[k] {
                    throw LedgerError.integrity("projection: entities row \(id), column \(name), differs from a fresh fold of its events; run `goalledger replay`")
                }
            }
        }
        if seen != fresh.entries.count {
            let missing = fresh.entries.keys.sorted().first { id in
                (try? Int.fetchOne(db, sql: "SELECT 1 FROM entities WHERE id = ?", arguments: [id])) == nil
            } ?? "?"
            throw LedgerError.integrity("projection: entities has no row for \(missing); run `goalledger replay`")
        }
    }
}
