import GRDB
import GRDBSQLite

let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Direct access to a prepared statement on hot paths (append, replay,
/// verify, export), where GRDB's `Row` would allocate per column.
/// The statement stays owned by GRDB's cache.
struct RawStatement {
    let stmt: SQLiteStatement
    let db: Database

    init(_ db: Database, _ sql: String) throws {
        self.db = db
        stmt = try db.cachedStatement(sql: sql).sqliteStatement
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

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

    func text(_ i: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, i) else { return "" }
        let n = Int(sqlite3_column_bytes(stmt, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func optionalText(_ i: Int32) -> String? { isNull(i) ? nil : text(i) }

    /// The column's bytes, valid until the next step.
    func bytes(_ i: Int32) -> UnsafeBufferPointer<UInt8> {
        let p = sqlite3_column_text(stmt, i)
        let n = Int(sqlite3_column_bytes(stmt, i))
        return UnsafeBufferPointer(start: p, count: n)
    }
}
