import GRDB
import GRDBSQLite
import GoalLedgerCore

/// What `audit`'s fold of a stream whole (`AuditStreamFold`) leaves for the
/// scan by position at the positions of that stream's later events that the
/// scan cannot fold itself, until the scan reaches them.
///
/// The scan folds the events in fold order of such a stream itself, on the
/// head it keeps; only two kinds of position wait here:
/// - an event out of fold order (backdated, or a retraction): its row, since
///   its changes need the whole stream (`late`);
/// - the first event in fold order after such events: the head to fold it
///   onto (`resume`).
///
/// They live in a private temporary SQLite database (an empty file name:
/// SQLite deletes it on close) with a small page cache, so however many
/// wait, memory stays near the cache: in an unfiltered audit of the 1M
/// shuffled ledger nearly every event is out of order and waits here for a
/// while. Which positions wait is also kept as one bit a position, so the
/// scan asks the database only for those.
final class AuditSpill {
    /// What waits at one position.
    enum Waiting {
        /// An event out of fold order: the changes of its row as JSON text
        /// (`json(_:)`), nil when the row is not shown. They stay text until
        /// the row is used (`changes(_:)`, `AuditFound`), on the core that renders it.
        case late(changesJSON: String?)
        /// The first event in fold order after late ones: the stream's head just before it.
        case resume(Folded)
    }

    private var connection: OpaquePointer?
    private var insert: OpaquePointer?
    private var select: OpaquePointer?
    private var waiting = PositionBits()
    /// The last event of each stream folded whole that the scan folds itself:
    /// after it the scan lets go of the stream's head. (Kept to the end, such
    /// heads were never let go, and `Ledger.letGoOfFinished` asked the file
    /// about each of them at every call: the wide 1M audit took 37 s against
    /// 11 s for the build before; now 13.3-13.5 s against 13.3-14.3 s.)
    private var lastFoldedByScan = PositionBits()

    /// The columns of the `waiting` table. A `late` row has no head (its
    /// head columns are NULL); a `resume` row has no changes.
    enum Column: Int32, TableColumn {
        case position, changes, headKind, headState, headVersion, headEffective, headPosition
    }

    init() throws {
        guard sqlite3_open_v2("", &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
            == SQLITE_OK
        else { throw failure("cannot open a temporary file for audit") }
        // Nothing here outlives the audit: no journal, no syncs, one transaction never committed.
        let setup = """
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            PRAGMA cache_size = -\(StoreTuning.auditSpillCacheKibibytes);
            CREATE TABLE waiting (position INTEGER PRIMARY KEY, changes TEXT, head_kind TEXT, head_state TEXT,
                                  head_version INTEGER, head_effective INTEGER, head_position INTEGER);
            BEGIN;
            """
        // OR REPLACE: a stream folded whole again (`Ledger.letGoOfFinished`) rewrites its later positions.
        guard sqlite3_exec(connection, setup, nil, nil, nil) == SQLITE_OK,
              sqlite3_prepare_v2(connection, Column.insertSQL(into: "waiting", orReplace: true), -1, &insert, nil)
                == SQLITE_OK,
              sqlite3_prepare_v2(connection, "SELECT \(Column.list) FROM waiting WHERE position = ?", -1, &select, nil)
                == SQLITE_OK
        else { throw failure("cannot prepare the temporary file for audit") }
    }

    deinit {
        sqlite3_finalize(insert)
        sqlite3_finalize(select)
        sqlite3_close_v2(connection)
    }

    /// Keeps what the scan needs at `position`.
    func keep(_ what: Waiting, position: Int64) throws {
        let statement = RawStatement(raw: insert!)
        defer { statement.reset() }
        statement.bind(Column.position.parameter, position)
        switch what {
        case .late(let changesJSON):
            statement.bind(Column.changes.parameter, changesJSON)
        case .resume(let head):
            statement.bind(Column.headKind.parameter, head.state.kind.rawValue)
            statement.bind(Column.headState.parameter, head.state.canonicalJSON)
            statement.bind(Column.headVersion.parameter, Int64(head.version))
            statement.bind(Column.headEffective.parameter, head.lastKey.effective)
            statement.bind(Column.headPosition.parameter, head.lastKey.position)
        }
        try statement.run()
        waiting.insert(position)
    }

    /// Marks the last event of its stream that the scan folds itself.
    func keepLastFoldedByScan(_ position: Int64) { lastFoldedByScan.insert(position) }

    /// Whether the event at `position` is the last of its stream that the scan folds itself.
    func isLastFoldedByScan(_ position: Int64) -> Bool { lastFoldedByScan.contains(position) }

    /// What waits at `position`, or nil when the scan folds the event there itself.
    func take(position: Int64) throws -> Waiting? {
        guard waiting.contains(position) else { return nil }
        let statement = RawStatement(raw: select!)
        defer { statement.reset() }
        statement.bind(1, position)
        guard try statement.step() else { throw failure("audit's temporary file lost position \(position)") }
        if statement.isNull(Column.headState.index) {
            if statement.isNull(Column.changes.index) { return .late(changesJSON: nil) }
            return .late(changesJSON: statement.text(Column.changes.index))
        }
        guard let kind = EntityKind(rawValue: statement.text(Column.headKind.index)),
              let state = try? EntityState(kind: kind, canonicalJSON: statement.text(Column.headState.index))
        else { throw failure("audit's temporary file holds no state") }
        return .resume(Folded(
            state: state, version: Int(statement.int(Column.headVersion.index)),
            lastKey: FoldKey(effective: statement.int(Column.headEffective.index),
                             position: statement.int(Column.headPosition.index))))
    }

    /// A late row's changes as the JSON text `Waiting.late` holds.
    static func json(_ changes: [Change]) -> String {
        var writer = JSONWriter()
        Change.write(changes, into: &writer)
        return writer.string
    }

    /// A late row's changes, from the JSON text `Waiting.late` holds.
    static func changes(_ json: String) throws -> [Change] {
        let parsed = try JSONParser.parse(json)
        guard let items = parsed.arrayValue else { throw LedgerError.failure("audit's temporary file holds no array") }
        return try items.map { item in
            guard let change = Change(json: item) else {
                throw LedgerError.failure("audit's temporary file holds no change")
            }
            return change
        }
    }

    private func failure(_ message: String) -> LedgerError {
        let detail = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
        return .failure("\(message): \(detail)")
    }
}

/// A set of event positions as one bit each: 125 KB for a million events.
struct PositionBits {
    private var words: [UInt64] = []

    mutating func insert(_ position: Int64) {
        let word = Int(position >> 6)
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word + 1 - words.count)) }
        words[word] |= 1 << UInt64(position & 63)
    }

    func contains(_ position: Int64) -> Bool {
        let word = Int(position >> 6)
        return word < words.count && words[word] & (1 << UInt64(position & 63)) != 0
    }
}
