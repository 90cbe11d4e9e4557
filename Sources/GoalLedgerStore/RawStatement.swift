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

    /// Binds text (copied by SQLite), or NULL for nil. Parameters count from 1.
    func bind(_ parameter: Int32, _ text: String?) {
        guard var text else {
            sqlite3_bind_null(stmt, parameter)
            return
        }
        text.withUTF8 { utf8 in
            _ = sqlite3_bind_text(stmt, parameter,
                                  UnsafeRawPointer(utf8.baseAddress!).assumingMemoryBound(to: CChar.self),
                                  Int32(utf8.count), SQLITE_TRANSIENT)
        }
    }

    /// Binds text that stays where it is until the statement is reset (no copy).
    func bindStatic(_ parameter: Int32, _ start: UnsafePointer<UInt8>, _ count: Int) {
        sqlite3_bind_text(stmt, parameter, UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self),
                          Int32(count), nil)
    }

    /// Binds an integer, or NULL for nil.
    func bind(_ parameter: Int32, _ value: Int64?) {
        guard let value else {
            sqlite3_bind_null(stmt, parameter)
            return
        }
        sqlite3_bind_int64(stmt, parameter, value)
    }

    /// Binds bytes as a BLOB (copied by SQLite).
    func bindBlob(_ parameter: Int32, _ bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_blob(stmt, parameter, bytes.baseAddress, Int32(bytes.count), SQLITE_TRANSIENT)
    }

    /// Steps once; true when a row is available.
    func step() throws -> Bool {
        let resultCode = sqlite3_step(stmt)
        if resultCode == SQLITE_ROW { return true }
        if resultCode == SQLITE_DONE { return false }
        let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt)))
        sqlite3_reset(stmt)
        throw DatabaseError(resultCode: ResultCode(rawValue: resultCode), message: message)
    }

    /// Steps a statement that returns no rows, then resets it.
    func run() throws {
        _ = try step()
        sqlite3_reset(stmt)
    }

    // Columns count from 0; event rows name theirs (`EventColumn`).

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(stmt, column) == SQLITE_NULL }

    /// A BLOB column's bytes, copied.
    func blob(_ column: Int32) -> [UInt8] {
        guard let start = sqlite3_column_blob(stmt, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: Int(sqlite3_column_bytes(stmt, column))))
    }

    func text(_ column: Int32) -> String { String(decoding: bytes(column), as: UTF8.self) }
    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    /// The column's bytes, valid until the next step.
    func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        let start = sqlite3_column_text(stmt, column)
        let count = Int(sqlite3_column_bytes(stmt, column))
        return UnsafeBufferPointer(start: start, count: count)
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
              sqlite3_exec(db, "PRAGMA cache_size = -\(StoreTuning.scanConnectionCacheKibibytes); BEGIN", nil, nil, nil)
                == SQLITE_OK,
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
        var head: OpaquePointer?
        guard sqlite3_prepare_v2(db, Ledger.headPositionSQL, -1, &head, nil) == SQLITE_OK, let head else { return nil }
        defer { sqlite3_finalize(head) }
        return sqlite3_step(head) == SQLITE_ROW ? sqlite3_column_int64(head, 0) : nil
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
