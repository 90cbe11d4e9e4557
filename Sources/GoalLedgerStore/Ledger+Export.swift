import GRDB
import GoalLedgerCore

extension Ledger {
    /// Streams every event as an export line (with a trailing newline), in
    /// position order, up to `knownAt` when given. `write` receives the bytes
    /// of a batch of lines; nothing is held in memory beyond one batch.
    ///
    /// - parameter knownAt: only the events recorded by then (system time).
    /// - parameter write: receives each batch of lines, in position order.
    /// - throws: `LedgerError` (integrity) for a row the ledger could not have
    ///   written, or what `write` throws.
    public func export(knownAt: TimePoint? = nil, write: ([UInt8]) throws -> Void) throws {
        try read { db in try Self.withScanCache(db) {
            let known = CountingRule(PointInTime(knownAt: knownAt)).knownSQL
            let statement = try RawStatement(
                db, "SELECT \(EventRows.columns) FROM events\(known.whereClause) ORDER BY position")
            known.bind(to: statement, from: 1)
            defer { statement.reset() }
            var writer = JSONWriter(capacity: 1 << 17)
            while try statement.step() {
                let row = RowBytes(statement)
                if let columns = Self.exportedAsStored(row) {
                    columns.writeExport(hash: row.bytes(.hash), into: &writer)
                } else {
                    try EventRows.read(row, .asStored).writeExport(into: &writer, closing: true)
                }
                writer.bytes.append(0x0A)
                if writer.bytes.count >= 1 << 16 {
                    try write(writer.bytes)
                    writer.bytes.removeAll(keepingCapacity: true)
                }
            }
            if !writer.bytes.isEmpty { try write(writer.bytes) }
        } }
    }

    /// The row's columns when its export line can be written from the stored
    /// bytes as they are: the line that an event read from the row writes
    /// (`Event.writeExport`), without making that event's dozen strings.
    /// Nil for a row that goes the careful way: text that is not UTF-8 (an
    /// event shows it repaired), a type or effective time the ledger does not
    /// store (an error), or signatures (written from their parsed form).
    /// Making and freeing those strings was 46 % of exporting the wide 100k
    /// ledger; written from the bytes it took 0.18 s instead of 0.22 s
    /// (medians of five, alternating; docs/PERFORMANCE.md).
    static func exportedAsStored(_ row: RowBytes) -> ChainHasher.Columns? {
        let columns = row.canonicalColumns
        guard columns.sigs == nil, EventType(utf8: columns.type) != nil,
              Effective.storedFormKey(columns.effective) != nil,
              columns.isValidUTF8, UTF8Check.isValid(row.bytes(.hash)) else { return nil }
        return columns
    }

    /// Runs a whole-ledger scan with a small page cache: a scan reads each
    /// page about once, so the usual 64 MiB cache would only add to the
    /// process's memory (replay, verify and export stay well under 150 MB).
    /// `history` and `audit` read so too: with it their peak RSS fell by
    /// 31-34 MB on every shape at 100k (audit of the long shape 125 → 93 MB),
    /// in the same time.
    static func withScanCache<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA cache_size = -\(StoreTuning.scanPageCacheKibibytes)")
        defer { try? db.execute(sql: "PRAGMA cache_size = -\(StoreTuning.pageCacheKibibytes)") }
        return try body()
    }
}
