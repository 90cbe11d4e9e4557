import GRDB
import GRDBSQLite

let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Direct access to a prepared statement on hot paths (append, replay,
/// verify, export), where GRDB's `Row` would allocate per column.
/// The statement stays owned by GRDB's cache.
struct RawStatement {
    let stmt: SQLiteStatement

    init(_ db: Database, _ sql: String) throws {
        stmt = try db.cachedStatement(sql: sql).sqliteStatement
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    /// A statement of a connection GRDB does not manage (see `ScanConnection`).
    init(raw stmt: SQLiteStatement) { self.stmt = stmt }

    func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    func bind(_ i: Int32, _ s: String?) {
        guard var s else { sqlite3_bind_null(stmt, i); return }
        s.withUTF8 { buf in
            _ = sqlite3_bind_text(stmt, i, UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self),
                                  Int32(buf.count), SQLITE_TRANSIENT)
        }
    }

    /// Binds text that stays where it is until the statement is reset (no copy).
    func bindStatic(_ i: Int32, _ p: UnsafePointer<UInt8>, _ n: Int) {
        sqlite3_bind_text(stmt, i, UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self), Int32(n), nil)
    }

    func bind(_ i: Int32, _ v: Int64?) {
        guard let v else { sqlite3_bind_null(stmt, i); return }
        sqlite3_bind_int64(stmt, i, v)
    }

    /// Binds bytes as a BLOB (copied by SQLite).
    func bindBlob(_ i: Int32, _ bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_blob(stmt, i, bytes.baseAddress, Int32(bytes.count), SQLITE_TRANSIENT)
    }

    /// Steps once; true when a row is available.
    func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt)))
        sqlite3_reset(stmt)
        throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message)
    }

    func run() throws { _ = try step(); sqlite3_reset(stmt) }

    func int(_ i: Int32) -> Int64 { sqlite3_column_int64(stmt, i) }
    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(stmt, i) == SQLITE_NULL }

    /// A BLOB column's bytes, copied.
    func blob(_ i: Int32) -> [UInt8] {
        guard let p = sqlite3_column_blob(stmt, i) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, i))))
    }

    func text(_ i: Int32) -> String { String(decoding: bytes(i), as: UTF8.self) }
    func optionalText(_ i: Int32) -> String? { isNull(i) ? nil : text(i) }

    /// The column's bytes, valid until the next step.
    func bytes(_ i: Int32) -> UnsafeBufferPointer<UInt8> {
        let p = sqlite3_column_text(stmt, i)
        let n = Int(sqlite3_column_bytes(stmt, i))
        return UnsafeBufferPointer(start: p, count: n)
    }
}

/// A read-only connection of its own for a whole-ledger scan on another
/// core, while the ledger's connection folds and writes. It reads in one
/// transaction, so it sees one state of the file throughout.
final class ScanConnection: @unchecked Sendable {
    private var db: OpaquePointer?
    private var statement: OpaquePointer?
    private(set) var rows: RawStatement?

    /// Opens the file and prepares `sql`; nil when that cannot be done (the
    /// caller then scans on its own connection).
    init?(path: String, sql: String) {
        // One thread at a time uses it (opened here, stepped on the other core): no mutexes needed.
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK,
              sqlite3_exec(db, "PRAGMA cache_size = -4096; BEGIN", nil, nil, nil) == SQLITE_OK,
              sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            close()
            return nil
        }
        // The first step starts the read transaction: the state it sees is taken now, on this thread.
        let first = sqlite3_step(statement)
        guard first == SQLITE_ROW || first == SQLITE_DONE else {
            close()
            return nil
        }
        sqlite3_reset(statement)
        rows = RawStatement(raw: statement)
    }

    /// The last position in the state this connection reads (nil when it cannot tell), so a
    /// caller that also reads on a connection of its own can check that both see the same events.
    func headPosition() -> Int64? {
        var s: OpaquePointer?
        guard sqlite3_prepare_v2(db, Ledger.headPositionSQL, -1, &s, nil) == SQLITE_OK, let s else { return nil }
        defer { sqlite3_finalize(s) }
        return sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : nil
    }

    func close() {
        if let statement { sqlite3_finalize(statement) }
        statement = nil
        rows = nil
        if let db { sqlite3_close_v2(db) }
        db = nil
    }

    deinit { close() }
}
