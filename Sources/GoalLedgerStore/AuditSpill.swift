import GRDB
import GRDBSQLite
import GoalLedgerCore

/// The changes of `audit` rows worked out before the scan by position
/// reaches them (`AuditStreamFold`), by position, until the scan takes them.
///
/// They live in a private temporary SQLite database (an empty file name:
/// SQLite deletes it on close) with a small page cache, so however many
/// rows wait, memory stays near the cache: in an unfiltered audit of the 1M
/// shuffled ledger nearly every row waits here for a while.
final class AuditSpill {
    private var connection: OpaquePointer?
    private var insert: OpaquePointer?
    private var select: OpaquePointer?

    init() throws {
        guard sqlite3_open_v2("", &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
            == SQLITE_OK
        else { throw failure("cannot open a temporary file for audit") }
        // Nothing here outlives the audit: no journal, no syncs, one transaction never committed.
        let setup = """
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            PRAGMA cache_size = -\(StoreTuning.auditSpillCacheKibibytes);
            CREATE TABLE waiting (position INTEGER PRIMARY KEY, changes TEXT NOT NULL); BEGIN;
            """
        guard sqlite3_exec(connection, setup, nil, nil, nil) == SQLITE_OK,
              sqlite3_prepare_v2(connection, "INSERT INTO waiting VALUES (?, ?)", -1, &insert, nil) == SQLITE_OK,
              sqlite3_prepare_v2(connection, "SELECT changes FROM waiting WHERE position = ?", -1, &select, nil)
                == SQLITE_OK
        else { throw failure("cannot prepare the temporary file for audit") }
    }

    deinit {
        sqlite3_finalize(insert)
        sqlite3_finalize(select)
        sqlite3_close_v2(connection)
    }

    /// Keeps the changes of the row at `position`, as JSON.
    func keep(_ changes: [Change], position: Int64) throws {
        var writer = JSONWriter()
        Change.write(changes, into: &writer)
        let text = writer.string
        let statement = RawStatement(raw: insert!)
        defer { statement.reset() }
        statement.bind(1, position)
        statement.bind(2, text)
        try statement.run()
    }

    /// The changes kept for `position`, or nil when the row there is not shown.
    func take(position: Int64) throws -> [Change]? {
        let statement = RawStatement(raw: select!)
        defer { statement.reset() }
        statement.bind(1, position)
        guard try statement.step() else { return nil }
        let parsed = try JSONParser.parse(statement.bytes(0))
        guard let items = parsed.arrayValue else { throw failure("audit's temporary file holds no array") }
        return try items.map { item in
            guard let change = Change(json: item) else { throw failure("audit's temporary file holds no change") }
            return change
        }
    }

    private func failure(_ message: String) -> LedgerError {
        let detail = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
        return .failure("\(message): \(detail)")
    }
}
