import GRDB
import GoalLedgerCore

#if canImport(Glibc)
import Glibc
#endif

extension Ledger {
    /// Rebuilds every projection from the events, in one transaction: a
    /// killed replay leaves the old projections, and events are only read.
    @discardableResult
    public func replay(progress: Progress? = nil) throws -> Int64 {
        try write { db in try Self.withScanCache(db) {
            try db.execute(sql: "DELETE FROM entities")
            try db.execute(sql: "DELETE FROM snapshots")
            let total = try Self.headPosition(db)
            var projection = Projection()
            projection.residentEntries = checkpoints.replayResidentStreams
            var n: Int64 = 0
            func apply(_ e: consuming Event, recorded: () -> String = { "" }) throws {
                try projection.apply(e, db, recorded: recorded)
                n += 1
                if n % checkpoints.interval == 0 { try projection.checkpoint(db) }
                if let progress, n % 20_000 == 0 { progress(n, total) }
            }
            let sql = "SELECT \(EventRows.columns) FROM events ORDER BY position"
            if let scan = ScanConnection(path: path, sql: sql), let rows = scan.rows {
                // SQLite steps through the rows on the second core, from a read-only
                // connection of its own, and copies their bytes; this core decodes and
                // folds. The events cannot change meanwhile: this transaction holds the
                // write lock, and the copy is read in one transaction of its own.
                defer { scan.close() }
                let shared = UnsafeSendable(rows)
                try Handoff<LightRows>(batchSize: 1, depth: 8).run(producer: { put in
                    var batch = LightRows(capacity: 1024)
                    while try shared.value.step() {
                        batch.append(shared.value)
                        if batch.count == 1024 {
                            try put(batch)
                            batch = LightRows(capacity: 1024)
                        }
                    }
                    if batch.count > 0 { try put(batch) }
                }, consumer: { batch in
                    try batch.forEach { row in try apply(try EventRows.read(row, light: true, recorded: false)) { row.text(.recorded) } }
                })
            } else {
                let s = try RawStatement(db, sql)
                defer { s.reset() }
                while try s.step() { try apply(try EventRows.read(s, light: true)) }
            }
            try projection.flush(db)
            progress?(n, total)
            return n
        } }
    }
}

extension Ledger {
    /// Writes the projections as of a point in time into a new SQLite file:
    /// `entities` (only what exists then), `target_history` and
    /// `measurements` (events known then, with retractions as known then),
    /// the views, and a `meta` table saying when. The ledger is only read.
    public func writeHistoricalView(into path: String, at point: PointInTime, progress: Progress? = nil) throws -> Int {
        if access(path, F_OK) == 0 { throw LedgerError.rejected("\(path) already exists; choose a new file") }
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let out: DatabaseQueue
        do { out = try DatabaseQueue(path: path, configuration: config) } catch let e as DatabaseError {
            throw Self.translate(e, path: path)
        }
        let source = self.path
        let head = try self.head()
        return try read { db in
            let total = try Self.headPosition(db)
            let rule = CountingRule(point)
            let known = rule.knownSQL
            let s = try RawStatement(db, "SELECT \(EventRows.columns) FROM events\(known.whereClause) ORDER BY stream, version")
            known.bind(to: s, from: 1)
            defer { s.reset() }
            var written = 0
            try out.write { w in
                try w.execute(sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
                    CREATE TABLE entities (id TEXT PRIMARY KEY, kind TEXT NOT NULL, version INTEGER NOT NULL,
                        created INTEGER NOT NULL, folded INTEGER, last_position INTEGER, plan TEXT, parent TEXT,
                        title TEXT, status TEXT, state TEXT);
                    CREATE TABLE target_history (position INTEGER PRIMARY KEY, stream TEXT, effective TEXT, recorded TEXT,
                        actor TEXT, recorded_by TEXT, reason TEXT, decision TEXT, value REAL, unit TEXT, comparator TEXT,
                        deadline TEXT, retracted INTEGER);
                    CREATE TABLE measurements (position INTEGER PRIMARY KEY, indicator TEXT, effective TEXT, recorded TEXT,
                        actor TEXT, value REAL, period TEXT, source TEXT, retracted INTEGER);
                    """)
                try Schema.createViews(w, historical: true)
                for (k, v) in [("source", source), ("asOf", point.asOf?.input), ("knownAt", point.knownAt?.input),
                               ("sourceHead", head.map { "\($0.position) \($0.hash)" })] {
                    try w.execute(sql: "INSERT INTO meta VALUES (?, ?)", arguments: [k, v])
                }
                let upsert = try RawStatement(w, Projection.upsertSQL)
                let th = try RawStatement(w, "INSERT INTO target_history VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
                let ms = try RawStatement(w, "INSERT INTO measurements VALUES (?,?,?,?,?,?,?,?,?)")
                var group: [Event] = []
                var done: Int64 = 0
                func flushGroup() throws {
                    guard let first = group.first, let kind = first.type.creates else { group.removeAll(); return }
                    let counted = Set(rule.events(of: group).map(\.id))
                    for e in group where rule.isInEffect(e) {
                        let retracted = counted.contains(e.id) ? nil : Int64(1)
                        if e.type == .targetSet {
                            th.reset()
                            th.bind(1, e.position); th.bind(2, e.stream); th.bind(3, e.effective.text); th.bind(4, e.recorded); th.bind(5, e.actor)
                            th.bind(6, e.recordedBy); th.bind(7, e.reason); th.bind(8, e.decision)
                            th.bind(9, e.data["value"].map { JSONWriter.canonical($0) }); th.bind(10, e.data["unit"]?.stringValue)
                            th.bind(11, e.data["comparator"]?.stringValue); th.bind(12, e.data["deadline"]?.stringValue)
                            th.bind(13, retracted ?? 0)
                            try th.run()
                        } else if e.type == .measurementRecorded {
                            ms.reset()
                            ms.bind(1, e.position); ms.bind(2, e.stream); ms.bind(3, e.effective.text); ms.bind(4, e.recorded)
                            ms.bind(5, e.actor); ms.bind(6, e.data["value"].map { JSONWriter.canonical($0) })
                            ms.bind(7, e.data["period"]?.stringValue); ms.bind(8, e.data["source"]?.stringValue)
                            ms.bind(9, retracted ?? 0)
                            try ms.run()
                        }
                    }
                    if let folded = Fold.state(of: group, at: point) {
                        let entry = StreamEntry(kind: kind, version: group.last!.version,
                                                plan: try Self.planOf(db, first), created: first.position,
                                                timeline: ProjectionHead(head: folded, hasEvents: true))
                        Projection.bind(upsert, first.stream, entry)
                        try upsert.run()
                        written += 1
                    }
                    done += Int64(group.count)
                    progress?(done, total)
                    group.removeAll()
                }
                while try s.step() {
                    let e = try EventRows.read(s)
                    if let last = group.last, last.stream != e.stream { try flushGroup() }
                    group.append(e)
                }
                try flushGroup()
            }
            return written
        }
    }

    /// The plan a stream belongs to, from the current projection (membership never changes).
    static func planOf(_ db: Database, _ creation: Event) throws -> String? {
        try String.fetchOne(db, sql: "SELECT plan FROM entities WHERE id = ?", arguments: [creation.stream])
    }
}
