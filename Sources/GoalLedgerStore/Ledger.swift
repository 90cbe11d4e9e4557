import GRDB
import GRDBSQLite
import GoalLedgerCore

#if canImport(Glibc)
import Glibc
#endif

/// A GoalLedger file: the append-only, hash-chained event table and its projections.
///
/// Open one for writing, append events (SPEC §4) and ask it about any point in time:
///
/// ```swift
/// let ledger = try Ledger(path: path, mode: .write)
/// let line = #"{"stream":"kb","type":"ActorRegistered","effective":"2017-01-01","actor":"kb","#
///     + #""data":{"name":"Byrådet","kind":"body"}}"#
/// try ledger.append([try EventInput.parse(line)], context: AppendContext(recordedBy: "mette"))
/// if let head = try ledger.head() {
///     print(head.position, head.hash)  // 1 and the chain hash of the event
/// }
/// ```
///
/// Each call runs in one transaction; a `.read` ledger never changes its file.
/// Errors are `LedgerError`, whose `exitCode` is the CLI's (SPEC §7).
public final class Ledger: @unchecked Sendable {
    public enum Mode: Sendable { case read, write }

    public let path: String
    public let mode: Mode
    let queue: DatabaseQueue

    /// How a long `import` or `replay` keeps its memory bounded: every
    /// `interval` events it writes the snapshots taken and drops streams that
    /// have been idle since the last time, keeping up to `replayResidentStreams`
    /// in memory during a replay and none during an import (see
    /// `Projection.checkpoint`). The tables end the same whatever the values;
    /// tests make them small to exercise dropping and reading back.
    public struct Checkpoints: Sendable {
        public var interval: Int64 = 1 << 15
        public var replayResidentStreams = 50_000
        /// Past this many streams in memory, `verify` compares the rows of
        /// streams whose last event it has folded and lets them go
        /// (`Projection.letGoOfFinished`), every `interval` events.
        public var verifyResidentStreams = 50_000
        /// Past this many streams in fold order, `audit` lets go of those
        /// whose last event it has read (`Ledger.letGoOfFinished`), every `interval` events.
        public var auditResidentStreams = 50_000
        /// From this many rows on, the last write of `entities` at the end of a
        /// replay makes the rows' values (the state's canonical JSON above all)
        /// on the other core, idle by then, while this one inserts them
        /// (`Projection.write`). A replay of the wide shape writes 45,000 rows at
        /// its end, and making their values took a third of that time: wide
        /// replay at 100k, five alternating runs, median 0.67 → 0.62 s. Not in
        /// an import, whose other core parses lines: done there too, the wide
        /// import at 100k went from 2.34 to 3.45 s (median of three).
        public var rowsMadeOnAnotherCore = 4_096
        public init() {}
    }

    public var checkpoints = Checkpoints()

    /// How long a writer waits for another process's transaction before giving
    /// up: 60 s, or `GOALLEDGER_BUSY_TIMEOUT` seconds (for tests of the limit).
    public static let busyTimeoutSeconds: Double =
        getenv("GOALLEDGER_BUSY_TIMEOUT").flatMap { Double(String(cString: $0)) } ?? 60

    /// Opens a ledger. Writes create the file; reads of a missing file fail
    /// with `notFound`, and open it read-only so they never change it.
    ///
    /// - parameter path: The SQLite file.
    /// - parameter mode: `.write` to append (creating the file when missing), `.read` to query.
    /// - throws: `LedgerError` (`notFound` for a missing file read, `failure`
    ///   when SQLite cannot open it, or an older schema that needs `replay`).
    public init(path: String, mode: Mode) throws {
        self.path = path
        self.mode = mode
        var config = Configuration()
        config.busyMode = .timeout(Self.busyTimeoutSeconds)
        if mode == .read {
            guard access(path, F_OK) == 0 else { throw LedgerError.notFound("no ledger at \(path)") }
            config.readonly = true
        } else {
            // Not GRDB's `journalMode = .wal`: it lowers `synchronous` to NORMAL
            // and creates and drops a table on every open, changing the file.
            // WAL is persistent, so this changes the file only when it is new.
            config.prepareDatabase { db in
                guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                    throw LedgerError.failure("cannot switch \(path) to WAL mode")
                }
                // Durable when the command returns (SPEC §8).
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
        }
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -\(StoreTuning.pageCacheKibibytes)")
        }
        do {
            queue = try Self.retryingImmediateBusy { try DatabaseQueue(path: path, configuration: config) }
            if mode == .write {
                try Self.migrate(queue)
            } else {
                let ok = try queue.read { db in try db.tableExists("events") && db.tableExists("entities") }
                guard ok else { throw LedgerError.failure("\(path) is not a GoalLedger file (no events table)") }
                // Reads never change the file: one written before the last schema change is upgraded
                // by the next write (its events stay as they are; SPEC §10 adds columns and tables).
                guard try queue.read({ try Schema.migrator.hasCompletedMigrations($0) }) else {
                    throw LedgerError.failure("""
                        \(path) was written by an earlier GoalLedger; run `goalledger replay` once to upgrade it
                        """)
                }
            }
        } catch let error as LedgerError {
            throw error
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// Applies the schema's migrations. GRDB reads which migrations are applied before
    /// it takes the write lock, so processes creating or upgrading the same file at once
    /// may all try the same migration: the first one's stands, the others roll back and
    /// read again, until every migration is in (each retry finds at least one more applied).
    static func migrate(_ queue: DatabaseQueue) throws {
        var attempt = 0
        while true {
            do {
                try retryingImmediateBusy { try Schema.migrator.migrate(queue) }
                return
            } catch let error as DatabaseError {
                if (try? queue.read({ try Schema.migrator.hasCompletedMigrations($0) })) == true { return }
                attempt += 1
                if attempt > 2 * Schema.migrationCount { throw error }
            }
        }
    }

    /// Runs `body` again, a little later, while it fails with SQLITE_BUSY at once (not after
    /// waiting out the busy timeout). On a file being created by several processes together,
    /// SQLite refuses some lock changes (switching a new file to WAL, a read transaction turning
    /// into a write one) without waiting, since waiting could deadlock: one of six processes
    /// creating one file failed so in a run of `ConcurrencyTests`. Gives up after 200 such tries
    /// (about two seconds); a failure after a real wait is thrown as it is.
    static func retryingImmediateBusy<T>(_ body: () throws -> T) throws -> T {
        var tries = 0
        while true {
            let start = ContinuousClock.now
            do {
                return try body()
            } catch let error as DatabaseError where error.resultCode.primaryResultCode == .SQLITE_BUSY {
                let waited = ContinuousClock.now - start
                guard tries < 200, waited < .milliseconds(Int(busyTimeoutSeconds * 500)) else { throw error }
                tries += 1
                usleep(10_000)
            }
        }
    }

    /// Database errors in words a user can act on, with the SPEC's exit code.
    static func translate(_ error: DatabaseError, path: String) -> LedgerError {
        switch error.resultCode.primaryResultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return .integrity("\(path) is damaged: \(error.message ?? "database disk image is malformed")")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .failure(
                "\(path) is busy: another process held it for more than \(Int(busyTimeoutSeconds)) s; try again")
        case .SQLITE_CANTOPEN:
            return .failure("cannot open \(path): \(error.message ?? "unable to open")")
        case .SQLITE_READONLY:
            return .failure("\(path) is read-only: \(error.message ?? "")")
        default:
            return .failure("\(path): \(error.message ?? "\(error)")")
        }
    }

    /// Runs a read, translating database errors.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.inDatabase { db in
                var result: T?
                try db.inTransaction(.deferred) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// Runs one write transaction (BEGIN IMMEDIATE: writers queue up, never interleave).
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// `POSITION HASH` of the last event, or nil for an empty ledger.
    ///
    /// - returns: The last event's position and chain hash: what `verify --against` checks later.
    /// - throws: `LedgerError` when the file cannot be read.
    public func head() throws -> (position: Int64, hash: String)? {
        try read { db in try Self.head(db) }
    }

    static func head(_ db: Database) throws -> (position: Int64, hash: String)? {
        let last = try RawStatement(db, EventRows.headSQL)
        defer { last.reset() }
        guard try last.step() else { return nil }
        return (last.int(HeadColumn.position.index), last.text(HeadColumn.hash.index))
    }

    /// Every event of one stream, in version order.
    public func events(of stream: String) throws -> [Event] {
        try read { db in try EventRows.stream(db, stream) }
    }

    /// How many snapshots the ledger holds (a cache for point-in-time queries).
    public var snapshotCount: Int {
        get throws { try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM snapshots") ?? 0 } }
    }

    public var eventCount: Int64 {
        get throws { try read { db in try Int64.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 } }
    }
}
