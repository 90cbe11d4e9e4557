import Dispatch
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
        try read { db in try Self.withScanCache(db) {
            try Self.checkGuard(db)
            let total = try Int64.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0
            let s = try RawStatement(db, "SELECT \(EventRows.columns) FROM events ORDER BY position")
            defer { s.reset() }
            var expected: Int64 = 1
            var prev = Event.genesis
            var lastRecorded = ""
            var projection = Projection()
            var againstSeen = false
            var more = true
            func readBatch() throws -> [Event] {
                var batch: [Event] = []
                batch.reserveCapacity(Self.verifyBatch)
                while more && batch.count < Self.verifyBatch {
                    guard try s.step() else { more = false; break }
                    batch.append(try EventRows.read(s))
                }
                return batch
            }
            /// A check that failed inside the fold's lookup of the stream.
            struct Stop: Error { var stage: VerifyFailure.Stage; var message: String }
            var events = try readBatch()
            while !events.isEmpty {
                // The other core recomputes hashes and rechecks content while this
                // one reads the next rows, checks the order and folds; the first
                // failure by position wins, and a row that cannot be read fails
                // only once every row before its batch has passed, as when
                // batches were read one after another.
                let worker = VerifyWorker()
                let group = DispatchGroup()
                DispatchQueue.global().async(group: group) { [events] in worker.check(events) }
                var next: [Event] = []
                var unreadable: (any Error)? = nil
                do { next = try readBatch() } catch { unreadable = error }
                var failure: VerifyFailure? = nil
                for i in events.indices {
                    let p = events[i].position
                    func fail(_ stage: VerifyFailure.Stage, _ m: String) {
                        failure = VerifyFailure(index: i, stage: stage, error: LedgerError.integrity("position \(p): \(m)", position: p))
                    }
                    if p != expected {
                        let q = min(p, expected)
                        failure = VerifyFailure(index: i, stage: .order, error: LedgerError.integrity(
                            p > expected ? "position \(q): missing (positions jump from \(expected - 1) to \(p))"
                                         : "position \(q): out of order", position: q))
                        break
                    }
                    if events[i].prev != prev { fail(.order, "prev does not match the hash of position \(p - 1) (the chain is broken)"); break }
                    do {
                        // The stream's entry is looked up once: its version is checked, then the event folded.
                        // Fields are read where the event lies; the fold keeps a light copy.
                        try projection.apply(events[i].light, db) { version in
                            let v = version + 1
                            if events[i].version != v { throw Stop(stage: .sequence, message: "version \(events[i].version) of \(events[i].stream), expected \(v)") }
                            guard (try? Recorded(stored: events[i].recorded)) != nil else {
                                throw Stop(stage: .sequence, message: "recorded \(events[i].recorded) is malformed")
                            }
                            if events[i].recorded < lastRecorded {
                                throw Stop(stage: .sequence, message: "recorded \(events[i].recorded) is earlier than position \(p - 1)'s \(lastRecorded)")
                            }
                            if (v == 1) != (events[i].type.creates != nil) {
                                throw Stop(stage: .creation, message: v == 1 ? "a stream must start with a creation event, not \(events[i].type.rawValue)"
                                                                             : "\(events[i].type.rawValue) on an existing stream")
                            }
                            if let against, against.position == p {
                                guard events[i].hash == against.hash else {
                                    throw Stop(stage: .creation, message: "hash \(events[i].hash) differs from the published \(against.hash): the ledger no longer extends that digest")
                                }
                                againstSeen = true
                            }
                        }
                    } catch let stop as Stop {
                        fail(stop.stage, stop.message)
                        break
                    } catch {
                        failure = VerifyFailure(index: i, stage: .fold, error: error)
                        break
                    }
                    lastRecorded = events[i].recorded
                    prev = events[i].hash
                    expected += 1
                    if let progress, p % 50_000 == 0 { progress(p, total) }
                }
                group.wait()
                if let first = [failure, worker.failure].compactMap({ $0 }).min() { throw first.error }
                if let unreadable { throw unreadable }
                events = next
            }
            if let against, !againstSeen {
                throw LedgerError.integrity("position \(against.position) is not in the ledger (head is \(expected - 1)): it does not extend that digest",
                                            position: against.position)
            }
            try Self.compareProjection(db, projection)
            try Self.compareSnapshots(db, projection.snapshots)
            return VerifyReport(events: expected - 1, streams: projection.entries.count, head: expected > 1 ? (expected - 1, prev) : nil)
        } }
    }

    /// Events checked per round trip between the two cores.
    static let verifyBatch = 2048

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

/// The first failed check of a verify batch: by position, then by the order
/// in which checks run on one event, so the error is the one a one-by-one
/// check names.
struct VerifyFailure: Comparable {
    enum Stage: Int {
        /// Position and chain link.
        case order
        /// The hash recomputed.
        case hash
        /// Version and recorded time.
        case sequence
        /// Identifiers, canonical data, data that fits its type.
        case content
        /// A creation event first and only first; a published digest.
        case creation
        /// The fold itself.
        case fold
    }
    var index: Int
    var stage: Stage
    var error: any Error

    static func < (a: VerifyFailure, b: VerifyFailure) -> Bool { (a.index, a.stage.rawValue) < (b.index, b.stage.rawValue) }
    static func == (a: VerifyFailure, b: VerifyFailure) -> Bool { (a.index, a.stage) == (b.index, b.stage) }
}

/// The checks of one stored event that need nothing but the event: its hash
/// and its content. They run on another thread while the fold goes on.
final class VerifyWorker: @unchecked Sendable {
    var failure: VerifyFailure?

    func check(_ events: [Event]) {
        // Each event is read where it lies: a copy would retain its strings,
        // whose counts the folding core is changing at the same time.
        events.withUnsafeBufferPointer { events in check(events) }
    }

    private func check(_ events: UnsafeBufferPointer<Event>) {
        for i in events.indices {
            let e = UnsafePointer(events.baseAddress! + i)
            func fail(_ stage: VerifyFailure.Stage, _ m: String) {
                let p = e.pointee.position
                failure = VerifyFailure(index: i, stage: stage, error: LedgerError.integrity("position \(p): \(m)", position: p))
            }
            if e.pointee.computeHash() != e.pointee.hash { return fail(.hash, "hash does not match the event's content (it was changed)") }
            guard Identifier.isEntityID(e.pointee.stream), Identifier.isEntityID(e.pointee.actor), Identifier.isEventID(e.pointee.id) else {
                return fail(.content, "stream, actor or id is malformed")
            }
            if JSONWriter.canonical(.object(e.pointee.data)) != e.pointee.dataJSON { return fail(.content, "data is not in canonical form") }
            guard (try? Validation.data(e.pointee.data, for: e.pointee.type)) == e.pointee.data else {
                return fail(.content, "data does not fit \(e.pointee.type.rawValue)")
            }
        }
    }
}
