import GRDB
import GoalLedgerCore

#if canImport(Glibc)
import Glibc
#endif

extension Ledger {
    /// Rebuilds every projection from the events, in one transaction: a
    /// killed replay leaves the old projections, and events are only read.
    ///
    /// - parameter progress: called now and then with the events folded and the total.
    /// - returns: how many events were folded.
    /// - throws: `LedgerError` (integrity) for a row the ledger could not have written.
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
            // The scan is over: the other core can make the rows' values.
            try projection.flush(db, rowsMadeOnAnotherCore: checkpoints.rowsMadeOnAnotherCore)
            freeOnAnotherThread(projection.entries)
            projection.entries = [:]
            progress?(applied, total)
            return applied
        } }
    }
}
