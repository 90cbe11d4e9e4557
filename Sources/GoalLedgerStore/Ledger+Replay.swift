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
            var applied: Int64 = 0
            func apply(_ event: consuming Event, recorded: () -> String) throws {
                try projection.apply(event, db, recorded: recorded)
                applied += 1
                if applied % checkpoints.interval == 0 { try projection.checkpoint(db) }
                if let progress, applied % 20_000 == 0 { progress(applied, total) }
            }
            let sql = "SELECT \(EventRows.columns) FROM events ORDER BY position"
            if let scan = ScanConnection(path: path, sql: sql), let rows = scan.rows {
                // SQLite steps through the rows on the second core, from a read-only
                // connection of its own, and copies their bytes; this core decodes and
                // folds. The events cannot change meanwhile: this transaction holds the
                // write lock, and the copy is read in one transaction of its own.
                defer { scan.close() }
                let shared = UnsafeSendable(rows)
                try Handoff<LightRows>(batchSize: 1, depth: StoreTuning.scanBatchesAhead).run(producer: { put in
                    var batch = LightRows(capacity: StoreTuning.scanRowsPerBatch)
                    while try shared.value.step() {
                        batch.append(shared.value)
                        if batch.count == StoreTuning.scanRowsPerBatch {
                            try put(batch)
                            batch = LightRows(capacity: StoreTuning.scanRowsPerBatch)
                        }
                    }
                    if batch.count > 0 { try put(batch) }
                }, consumer: { batch in
                    try batch.forEach { row in
                        try apply(try EventRows.read(row, .forFoldWithoutRecorded)) { row.text(.recorded) }
                    }
                })
            } else {
                let statement = try RawStatement(db, sql)
                defer { statement.reset() }
                while try statement.step() {
                    try apply(try EventRows.read(statement, .forFoldWithoutRecorded)) { statement.text(.recorded) }
                }
            }
            try projection.flush(db)
            progress?(applied, total)
            return applied
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
        do {
            out = try DatabaseQueue(path: path, configuration: config)
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
        let source = self.path
        let head = try self.head()
        return try read { db in
            let total = try Self.headPosition(db)
            let rule = CountingRule(point)
            let known = rule.knownSQL
            let statement = try RawStatement(
                db, "SELECT \(EventRows.columns) FROM events\(known.whereClause) ORDER BY stream, version")
            known.bind(to: statement, from: 1)
            defer { statement.reset() }
            var written = 0
            try out.write { viewDB in
                try viewDB.execute(sql: """
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
                try Schema.createViews(viewDB, historical: true)
                for (key, value) in [("source", source), ("asOf", point.asOf?.input), ("knownAt", point.knownAt?.input),
                               ("sourceHead", head.map { "\($0.position) \($0.hash)" })] {
                    try viewDB.execute(sql: "INSERT INTO meta VALUES (?, ?)", arguments: [key, value])
                }
                let upsert = try RawStatement(viewDB, Projection.upsertSQL)
                let targetRows = try RawStatement(
                    viewDB, "INSERT INTO target_history VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
                let measurementRows = try RawStatement(viewDB, "INSERT INTO measurements VALUES (?,?,?,?,?,?,?,?,?)")
                var group: [Event] = []
                var done: Int64 = 0
                func flushGroup() throws {
                    guard let first = group.first, let kind = first.type.creates else {
                        group.removeAll()
                        return
                    }
                    let counted = Set(rule.events(of: group).map(\.id))
                    for event in group where rule.isInEffect(event) {
                        let retracted = counted.contains(event.id) ? nil : Int64(1)
                        if event.type == .targetSet {
                            targetRows.reset()
                            targetRows.bind(1, event.position)
                            targetRows.bind(2, event.stream)
                            targetRows.bind(3, event.effective.text)
                            targetRows.bind(4, event.recorded)
                            targetRows.bind(5, event.actor)
                            targetRows.bind(6, event.recordedBy)
                            targetRows.bind(7, event.reason)
                            targetRows.bind(8, event.decision)
                            targetRows.bind(9, event.data["value"].map { JSONWriter.canonical($0) })
                            targetRows.bind(10, event.data["unit"]?.stringValue)
                            targetRows.bind(11, event.data["comparator"]?.stringValue)
                            targetRows.bind(12, event.data["deadline"]?.stringValue)
                            targetRows.bind(13, retracted ?? 0)
                            try targetRows.run()
                        } else if event.type == .measurementRecorded {
                            measurementRows.reset()
                            measurementRows.bind(1, event.position); measurementRows.bind(2, event.stream)
                            measurementRows.bind(3, event.effective.text); measurementRows.bind(4, event.recorded)
                            measurementRows.bind(5, event.actor)
                            measurementRows.bind(6, event.data["value"].map { JSONWriter.canonical($0) })
                            measurementRows.bind(7, event.data["period"]?.stringValue)
                            measurementRows.bind(8, event.data["source"]?.stringValue)
                            measurementRows.bind(9, retracted ?? 0)
                            try measurementRows.run()
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
                while try statement.step() {
                    let event = try EventRows.read(statement)
                    if let last = group.last, last.stream != event.stream { try flushGroup() }
                    group.append(event)
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
