import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import GoalLedgerCore

/// The result of a successful `verify`.
public struct VerifyReport: Sendable {
    public var events: Int64
    public var streams: Int
    public var head: (position: Int64, hash: String)?
    /// Streams whose `entities` rows were compared during the scan, to bound
    /// memory (0 unless more than `Checkpoints.verifyResidentStreams` were in use).
    public var comparedDuringScan = 0
}

/// Progress callbacks for long scans: events done so far, and the total.
public typealias Progress = (_ done: Int64, _ total: Int64) -> Void

extension Ledger {
    /// Checks everything SPEC §8 promises, in one pass over the events: the
    /// append-only guard, gapless positions and versions, non-decreasing
    /// `recorded`, every `prev` and `hash`, every row decodable and valid, and
    /// the projections equal to a fresh fold. Throws an integrity error
    /// naming the first bad position.
    ///
    /// With `against`, also proves that the ledger still extends a digest
    /// published earlier: the event at that position has that hash.
    ///
    /// With `checkpoint`, also proves that the ledger extends a signed tree (SPEC §10):
    /// the first `size` events give its root hash.
    ///
    /// - parameter against: a `POSITION HASH` digest published earlier.
    /// - parameter checkpoint: a checkpoint (already checked against its log key).
    /// - parameter progress: called now and then with the position reached and the last position.
    /// - returns: the head and the number of events and streams checked.
    /// - throws: `LedgerError` (integrity, exit 5) naming the first bad position or table.
    public func verify(against: (position: Int64, hash: String)? = nil, checkpoint: Checkpoint? = nil,
                       progress: Progress? = nil) throws -> VerifyReport
    {
        try read { db in try Self.withScanCache(db) {
            try Self.checkGuard(db)
            let total = try Self.headPosition(db)
            let chain = ChainCheck(against: against)
            var fold = VerifyFold(db: db, progress: progress, total: total, interval: checkpoints.interval)
            fold.projection.residentEntries = checkpoints.verifyResidentStreams
            fold.projection.storedSnapshots = try StoredSnapshotCheck(db)
            // The Merkle tree is rebuilt on the folding core: the core that steps SQLite has the
            // most to do, so it only decodes each event's hash (SPEC §10).
            var merkle = MerkleRebuild()
            let sql = "SELECT \(EventRows.columns) FROM events ORDER BY position"
            if let scan = ScanConnection(path: path, sql: sql), scan.headPosition() == total, let rows = scan.rows {
                // The second core steps SQLite, follows the chain and recomputes
                // every hash from the rows' bytes; this one decodes what a fold
                // reads, checks it and folds. Both read the same events: they
                // are append-only, and the last positions agree. The first failure by
                // position wins, then by the order the checks of one event run.
                defer { scan.close() }
                chain.leavesSignatureChecks = true
                let shared = UnsafeSendable(rows)
                try Handoff<VerifyBatch>(batchSize: 1, depth: StoreTuning.scanBatchesAhead).run(producer: { put in
                    var batch = VerifyBatch()
                    while try shared.value.step() {
                        let row = RowBytes(shared.value)
                        batch.rows.append(row)
                        if !CanonicalCheck.isSurelyCanonical(row.bytes(.data)) {
                            batch.exact.append(batch.rows.count - 1)
                        }
                        if let failure = chain.check(row, index: batch.rows.count - 1)
                            ?? batch.appendEventHash(row, index: batch.rows.count - 1)
                        {
                            batch.failure = failure
                            break
                        }
                        if batch.rows.count == StoreTuning.scanRowsPerBatch {
                            batch.signatureChecks = chain.takeSignatureChecks()
                            try put(batch)
                            batch = VerifyBatch()
                        }
                    }
                    batch.signatureChecks = chain.takeSignatureChecks()
                    if batch.rows.count > 0 { try put(batch) }
                }, consumer: { batch in
                    var own: VerifyFailure? = nil
                    var exact = batch.exact.makeIterator(), nextExact = exact.next()
                    batch.rows.forEach(upTo: batch.failure.map { $0.index + 1 } ?? batch.rows.count) { index, row in
                        let compare = nextExact == index
                        if compare { nextExact = exact.next() }
                        own = fold.check(row, index: index, compareCanonical: compare)
                        if own == nil, index < batch.eventHashes.count { merkle.append(batch.eventHashes[index]) }
                        return own == nil
                    }
                    let failures = [batch.failure, own, batch.signatureFailure()].compactMap { $0 }
                    if let first = failures.min() { throw first.error }
                })
            } else {
                let statement = try RawStatement(db, sql)
                defer { statement.reset() }
                var index = 0
                while try statement.step() {
                    let row = RowBytes(statement)
                    let compare = !CanonicalCheck.isSurelyCanonical(row.bytes(.data))
                    var hashes = VerifyBatch()
                    let chained = chain.check(row, index: index) ?? hashes.appendEventHash(row, index: index)
                    let failures = [chained, fold.check(row, index: index, compareCanonical: compare)].compactMap { $0 }
                    if let first = failures.min() { throw first.error }
                    merkle.append(hashes.eventHashes[0])
                    index += 1
                }
            }
            if let against, !chain.againstSeen {
                throw LedgerError.integrity(
                    "position \(against.position) is not in the ledger (head is \(chain.expected - 1)): "
                        + "it does not extend that digest",
                    position: against.position)
            }
            try Self.compareProjection(db, fold.projection)
            try fold.projection.storedSnapshots?.finish()
            let streams = fold.projection.entries.count + fold.projection.finished.count
            freeOnAnotherThread(fold.projection.entries)
            fold.projection.entries = [:]
            try Self.compareMerkleNodes(db, merkle.nodes)
            if let checkpoint {
                guard checkpoint.size <= chain.expected - 1 else {
                    throw LedgerError.integrity("""
                        the checkpoint has size \(checkpoint.size), but the ledger has only \
                        \(chain.expected - 1) events: \
                        it does not extend that checkpoint
                        """)
                }
                guard try MerkleNodes.root(db, size: checkpoint.size) == checkpoint.root else {
                    throw LedgerError.integrity("""
                        the first \(checkpoint.size) events do not give the checkpoint's root hash: \
                        the ledger does not extend that checkpoint
                        """)
                }
            }
            let head = chain.expected > 1 ? (chain.expected - 1, String(decoding: chain.prev, as: UTF8.self)) : nil
            return VerifyReport(events: chain.expected - 1,
                                streams: streams,
                                head: head, comparedDuringScan: fold.projection.finished.count)
        } }
    }

    /// The last position (the number of events when they are gapless), read
    /// from the table's key without counting rows: the total that progress reports show.
    static func headPosition(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: headPositionSQL) ?? 0
    }

    static let headPositionSQL = "SELECT coalesce(max(position), 0) FROM events"

    static func checkGuard(_ db: Database) throws {
        var triggers = Schema.appendOnlyTriggers.map { name, operation in
            (table: "events", name: name, sql: Schema.triggerSQL(name, operation))
        }
        // A file written before checkpoints existed has no such tables yet (its first write adds them).
        if try db.tableExists("checkpoints") {
            triggers += Schema.checkpointTriggers.map { ($0.0, $0.1, Schema.triggerSQL($0.1, $0.2, on: $0.0)) }
        }
        for trigger in triggers {
            let sql = try String.fetchOne(
                db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ? AND tbl_name = ?",
                arguments: [trigger.name, trigger.table])
            guard sql == trigger.sql else {
                throw LedgerError.integrity(
                    "the append-only guard is missing: trigger \(trigger.name) (on \(trigger.table)) "
                        + "was dropped or changed")
            }
        }
    }

    /// The stored Merkle nodes are exactly those the events give (SPEC §10).
    /// A file written before the tree existed has no table yet (its first write adds it).
    static func compareMerkleNodes(_ db: Database, _ fresh: [MerkleNodes.Node]) throws {
        guard try db.tableExists("merkle_nodes") else { return }
        let expected = fresh.sorted { ($0.level, $0.index) < ($1.level, $1.index) }
        typealias Column = MerkleNodes.Column
        let statement = try RawStatement(db, "SELECT \(Column.list) FROM merkle_nodes ORDER BY level, idx")
        defer { statement.reset() }
        var offset = 0
        func failure(_ level: Int64, _ index: Int64, _ what: String) -> LedgerError {
            let first = index << level + 1
            return LedgerError.integrity(
                "Merkle tree: node at level \(level), index \(index) "
                    + "(positions \(first)...\((index + 1) << level)) \(what)",
                position: first)
        }
        while try statement.step() {
            let level = statement.int(Column.level.index), index = statement.int(Column.index.index)
            guard offset < expected.count, expected[offset].level == level, expected[offset].index == index else {
                throw failure(level, index, "is not one the events give")
            }
            guard MerkleHash(bytes: statement.blob(Column.hash.index)) == expected[offset].hash else {
                throw failure(level, index, "differs from the hash the events give")
            }
            offset += 1
        }
        if offset < expected.count {
            throw failure(expected[offset].level, expected[offset].index, "is missing")
        }
    }

    /// Every `entities` row equals the fresh fold, and no row is missing or
    /// extra. The streams let go of during the scan (`letGoOfFinished`) were
    /// compared then: the first difference found there is thrown now, and
    /// the rest of the rows are counted instead of read in id order.
    static func compareProjection(_ db: Database, _ fresh: Projection) throws {
        if let failure = fresh.finished.failure { throw failure }
        var check = EntityRowCheck()
        guard fresh.finished.count > 0 else { return try check.compareEveryRow(db, fresh.entries) }
        for id in fresh.entries.keys.sorted() { try check.compare(db, id, fresh.entries[id]!) }
        // Each stream matched its own row by id (a key), so a surplus is a row no event creates.
        let rows = try Int.fetchOne(db, sql: "SELECT count(*) FROM entities") ?? 0
        if rows != fresh.entries.count + fresh.finished.count {
            let extra = try String.fetchOne(db, sql: """
                SELECT id FROM entities WHERE NOT EXISTS (SELECT 1 FROM events WHERE events.stream = entities.id)
                ORDER BY id LIMIT 1
                """) ?? "?"
            throw EntityRowCheck.extraRow(extra)
        }
    }
}

/// Compares `entities` rows with a fresh fold's entries, each column as
/// stored text with the text the fold gives, without making strings.
struct EntityRowCheck {
    private var writer = JSONWriter(capacity: 4096)

    static func extraRow(_ id: String) -> LedgerError {
        .integrity("projection: entities has a row \(id) that no event creates; run `goalledger replay`")
    }

    static func missingRow(_ id: String) -> LedgerError {
        .integrity("projection: entities has no row for \(id); run `goalledger replay`")
    }

    static func differs(_ id: String, _ column: EntityColumn) -> LedgerError {
        .integrity("projection: entities row \(id), column \(column.sqlName), differs from a fresh "
            + "fold of its events; run `goalledger replay`")
    }

    /// The row of `id`, looked up by its key, equals the entry.
    mutating func compare(_ db: Database, _ id: String, _ entry: StreamEntry) throws {
        let row = try RawStatement(db, Projection.selectEntitySQL)
        row.bind(1, id)
        defer { row.reset() }
        guard try row.step() else { throw Self.missingRow(id) }
        if let differing = firstDifference(row, from: entry) { throw Self.differs(id, differing) }
    }

    /// Every row in id order against the entries: a row with no entry, a
    /// difference, or an entry with no row is the error.
    mutating func compareEveryRow(_ db: Database, _ entries: [String: StreamEntry]) throws {
        let statement = try RawStatement(db, "SELECT \(EntityColumn.list) FROM entities ORDER BY id")
        defer { statement.reset() }
        var seen = 0
        while try statement.step() {
            let id = statement.text(EntityColumn.id.index)
            guard let entry = entries[id] else { throw Self.extraRow(id) }
            seen += 1
            if let differing = firstDifference(statement, from: entry) { throw Self.differs(id, differing) }
        }
        if seen != entries.count {
            let missing = entries.keys.sorted().first { id in
                (try? Int.fetchOne(db, sql: "SELECT 1 FROM entities WHERE id = ?", arguments: [id])) == nil
            } ?? "?"
            throw Self.missingRow(missing)
        }
    }

    /// The first column of the statement's current row (selected with
    /// `EntityColumn.list`) that differs from the entry.
    private mutating func firstDifference(_ row: RawStatement, from entry: StreamEntry) -> EntityColumn? {
        func equal(_ column: EntityColumn, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            ChainCheck.same(row.bytes(column.index), bytes)
        }
        func sameText(_ column: EntityColumn, _ text: String?) -> Bool {
            guard var text else { return row.isNull(column.index) }
            return !row.isNull(column.index) && text.withUTF8 { equal(column, $0) }
        }
        func sameInteger(_ column: EntityColumn, _ value: Int64?) -> Bool {
            guard let value else { return row.isNull(column.index) }
            writer.bytes.removeAll(keepingCapacity: true)
            writer.writeInteger(value)
            return !row.isNull(column.index) && writer.bytes.withUnsafeBufferPointer { equal(column, $0) }
        }
        func sameState(_ column: EntityColumn, _ state: EntityState?) -> Bool {
            guard let state else { return row.isNull(column.index) }
            writer.bytes.removeAll(keepingCapacity: true)
            state.writeCanonicalJSON(into: &writer)
            return !row.isNull(column.index) && writer.bytes.withUnsafeBufferPointer { equal(column, $0) }
        }
        let head = entry.head
        if !sameText(.kind, entry.kind.rawValue) { return .kind }
        if !sameInteger(.version, entry.version) { return .version }
        if !sameInteger(.created, entry.created) { return .created }
        if !sameInteger(.folded, head.map { Int64($0.version) }) { return .folded }
        if !sameInteger(.lastPosition, head?.lastKey.position) { return .lastPosition }
        if !sameText(.plan, entry.plan) { return .plan }
        if !sameText(.parent, entry.parent) { return .parent }
        if !sameText(.title, head?.state.title) { return .title }
        if !sameText(.status, head?.state.status) { return .status }
        if !sameState(.state, head?.state) { return .state }
        return nil
    }
}

/// The streams `verify` compared with `entities` during its scan and let go
/// of, to keep its memory bounded on a ledger of many streams.
struct FinishedStreams {
    /// How many were let go.
    var count = 0
    /// The first difference found among them, thrown after the scan.
    var failure: LedgerError?
    /// The plan of each goal let go: an indicator created later takes its goal's plan.
    var plansOfGoals: [String: String] = [:]
}

extension Projection {
    /// `verify`'s bound on memory. Past `residentEntries` streams, each
    /// stream idle since the last call whose last event is the file's last
    /// of its stream (`EventRows.streamsEnding`: nothing later in the scan
    /// moves it) is compared with its `entities` row now and let go. A
    /// difference is kept, the first found, and thrown after the scan
    /// (`compareProjection`), so failures of the events themselves are still
    /// named first. The wide shape at 1M (450k streams of a few events each)
    /// held 436 MB without it and 135 MB with it, for 6.6 → 7.9 s (medians of
    /// 3): the rows are read by key instead of in one pass. Ledgers of up to
    /// `residentEntries` streams (all the other shapes) never come here.
    mutating func letGoOfFinished(_ db: Database, check: inout EntityRowCheck) throws {
        let since = lastCheckpoint
        lastCheckpoint = latest
        guard entries.count > residentEntries else { return }
        var lastRead: [String: Int64] = [:]
        for (id, entry) in entries where entry.touched <= since { lastRead[id] = entry.touched }
        for id in try EventRows.streamsEnding(db, at: lastRead) {
            let entry = entries.removeValue(forKey: id)!
            if finished.failure == nil {
                do { try check.compare(db, id, entry) } catch let failure as LedgerError { finished.failure = failure }
            }
            if entry.kind == .goal, let plan = entry.plan { finished.plansOfGoals[id] = plan }
            taken.removeValue(forKey: id)
            finished.count += 1
        }
    }
}

/// The first failed check of a verify batch: by position, then by the order
/// in which checks run on one event, so the error is the one a one-by-one
/// check names.
struct VerifyFailure: Comparable {
    enum Stage: Int {
        /// Position and chain link.
        case order
        /// The hash recomputed.
        case hash
        /// Version.
        case sequence
        /// Recorded time.
        case recorded
        /// Identifiers, canonical data, data that fits its type.
        case content
        /// Signatures and the keys that made them (SPEC §10).
        case signature
        /// A creation event first and only first; a published digest.
        case creation
        /// The fold itself.
        case fold
    }
    var index: Int
    var stage: Stage
    var error: any Error

    static func < (lhs: VerifyFailure, rhs: VerifyFailure) -> Bool {
        (lhs.index, lhs.stage.rawValue) < (rhs.index, rhs.stage.rawValue)
    }
    static func == (lhs: VerifyFailure, rhs: VerifyFailure) -> Bool { (lhs.index, lhs.stage) == (rhs.index, rhs.stage) }
}

extension VerifyFailure {
    /// A failed check of the event at `position`, named "position N: message".
    init(index: Int, position: Int64, stage: Stage, _ message: String) {
        self.init(index: index, stage: stage,
                  error: LedgerError.integrity("position \(position): \(message)", position: position))
    }
}

/// A batch of rows for the folding core (the columns a fold reads), the
/// rows whose `data` the bytes alone did not show canonical, and the first
/// failure the chain checks found, if any: the batch ends there.
struct VerifyBatch: @unchecked Sendable {
    var rows = LightRows(capacity: StoreTuning.scanRowsPerBatch)
    /// Indices of rows whose `data` must be written out canonically and compared.
    var exact: [Int] = []
    var failure: VerifyFailure?
    /// Each row's chain hash as bytes, for the Merkle tree, once its chain checks passed.
    var eventHashes: [MerkleHash] = []
    /// The Ed25519 checks the chain's core left to the folding core (`ChainCheck.leavesSignatureChecks`).
    var signatureChecks: [SignatureChecksLeft] = []

    /// The first of `signatureChecks` that fails, as `ChainCheck` would have named it.
    func signatureFailure() -> VerifyFailure? {
        for event in signatureChecks {
            if let failed = event.checks.first(where: { !$0.verifies() }) {
                return VerifyFailure(index: event.index, position: event.position, stage: .signature, failed.failure)
            }
        }
        return nil
    }

    /// Decodes the row's `hash` for the Merkle tree; a failure when it is not 64 lowercase hex digits.
    mutating func appendEventHash(_ row: RowBytes, index: Int) -> VerifyFailure? {
        guard let hash = MerkleHash(hex: row.bytes(.hash)) else {
            let position = row.int(.position)
            return VerifyFailure(index: index, position: position, stage: .hash,
                                 "hash is not 64 lowercase hex digits")
        }
        eventHashes.append(hash)
        return nil
    }
}

/// The Ed25519 checks of one signed event, left by the chain's core for the folding core.
struct SignatureChecksLeft: Sendable {
    var index: Int
    var position: Int64
    var checks: [KeyRegistry.SignatureCheck]
}

/// The checks that follow the rows in position order and need nothing but
/// their bytes: gapless positions, each `prev` the hash before, each hash
/// recomputed, well-formed identifiers, a published digest. The core that
/// steps SQLite runs them.
final class ChainCheck: @unchecked Sendable {
    private(set) var expected: Int64 = 1
    /// The hash of the last row checked (64 zeros before the first).
    private(set) var prev: [UInt8] = Array(Event.genesis.utf8)
    private(set) var againstSeen = false
    /// The recorded time of the last row checked.
    private var lastRecorded: [UInt8] = []
    private let against: (position: Int64, hash: [UInt8])?
    private var hasher = ChainHasher()
    /// Keys registered and revoked so far, rebuilt along the events (SPEC §10).
    private var keys = KeyRegistry()
    /// Set when a folding core runs beside this one: every other signed event's
    /// Ed25519 checks are left to it (`takeSignatureChecks`) instead of made here.
    /// One check takes about 80 µs here, against some 3 µs for the rest of an
    /// event on either core, so a ledger of signed events kept this core busy
    /// while the other waited: `verify` of 40,000 events signed by one key,
    /// median of three alternating runs, 3.76 → 2.18 s.
    var leavesSignatureChecks = false
    private var signedEventsSeen = 0
    private var signatureChecksLeft: [SignatureChecksLeft] = []

    init(against: (position: Int64, hash: String)?) {
        self.against = against.map { ($0.position, Array($0.hash.utf8)) }
    }

    static func same(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: [UInt8]) -> Bool {
        rhs.withUnsafeBufferPointer { same(lhs, $0) }
    }

    static func same(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        lhs.count == rhs.count && (lhs.count == 0 || memcmp(lhs.baseAddress!, rhs.baseAddress!, lhs.count) == 0)
    }

    /// Byte order, which is the order of stored recorded times.
    static func less(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: [UInt8]) -> Bool {
        rhs.withUnsafeBufferPointer { rhs in
            let count = min(lhs.count, rhs.count)
            let order = count == 0 ? 0 : memcmp(lhs.baseAddress!, rhs.baseAddress!, count)
            return order < 0 || (order == 0 && lhs.count < rhs.count)
        }
    }

    /// A signed event's signatures and keys, and a key event's key, checked again at
    /// its position; only these rows are decoded (no other type starts with "K").
    private func checkSignatures(_ row: RowBytes, index: Int, fail: (VerifyFailure.Stage, String) -> VerifyFailure)
        -> VerifyFailure?
    {
        let isKeyEvent = row.bytes(.type).first == UInt8(ascii: "K")
        guard isKeyEvent || row.sigs != nil else { return nil }
        let event: Event
        do { event = try EventRows.read(row) } catch { return fail(.signature, "cannot be read: \(error)") }
        if let sigs = event.sigs, let stored = row.sigs,
           !Self.same(stored, Array(EventSignature.canonical(sigs).utf8)) {
            return fail(.signature, "sigs is not in canonical form")
        }
        if event.sigs != nil { signedEventsSeen += 1 }
        do {
            if leavesSignatureChecks && event.sigs != nil && signedEventsSeen.isMultiple(of: 2) {
                signatureChecksLeft.append(SignatureChecksLeft(
                    index: index, position: event.position, checks: try keys.checkLeavingSignatures(event)))
            } else {
                try keys.check(event)
            }
        } catch {
            return fail(.signature, error.message)
        }
        if isKeyEvent { keys.record(event) }
        return nil
    }

    /// The Ed25519 checks left for the folding core since the last call.
    func takeSignatureChecks() -> [SignatureChecksLeft] {
        defer { signatureChecksLeft = [] }
        return signatureChecksLeft
    }

    func check(_ row: RowBytes, index: Int) -> VerifyFailure? {
        let position = row.int(.position)
        func fail(_ stage: VerifyFailure.Stage, _ message: String) -> VerifyFailure {
            VerifyFailure(index: index, position: position, stage: stage, message)
        }
        if position != expected {
            let first = min(position, expected)
            return VerifyFailure(index: index, stage: .order, error: LedgerError.integrity(
                position > expected ? "position \(first): missing (positions jump from \(expected - 1) to \(position))"
                             : "position \(first): out of order", position: first))
        }
        if !Self.same(row.bytes(.prev), prev) {
            return fail(.order, "prev does not match the hash of position \(position - 1) (the chain is broken)")
        }
        let hash = row.bytes(.hash)
        // Text that is not UTF-8 is hashed as an event made from the row would hash it.
        let matches = hasher.matches(row.canonicalColumns, hash: hash)
            ?? ((try? EventRows.read(row, .asStored)).map { $0.computeHash() == $0.hash } ?? false)
        if !matches { return fail(.hash, "hash does not match the event's content (it was changed)") }
        let recorded = row.bytes(.recorded)
        if Recorded.storedMicros(recorded) == nil,
           (try? Recorded(stored: String(decoding: recorded, as: UTF8.self))) == nil {
            return fail(.recorded, "recorded \(String(decoding: recorded, as: UTF8.self)) is malformed")
        }
        if Self.less(recorded, lastRecorded) {
            return fail(
                .recorded,
                "recorded \(String(decoding: recorded, as: UTF8.self)) is earlier than position \(position - 1)'s "
                    + "\(String(decoding: lastRecorded, as: UTF8.self))")
        }
        guard Identifier.isEntityID(row.bytes(.stream)),
              Identifier.isEntityID(row.bytes(.actor)),
              Identifier.isEventID(row.bytes(.id))
        else {
            return fail(.content, "stream, actor or id is malformed")
        }
        if let failure = checkSignatures(row, index: index, fail: fail) { return failure }
        if let against, against.position == position {
            guard Self.same(hash, against.hash) else {
                let text = String(decoding: hash, as: UTF8.self)
                let published = String(decoding: against.hash, as: UTF8.self)
                return fail(
                    .creation,
                    "hash \(text) differs from the published \(published): the ledger no longer extends that digest")
            }
            againstSeen = true
        }
        prev.removeAll(keepingCapacity: true)
        prev.append(contentsOf: hash)
        lastRecorded.removeAll(keepingCapacity: true)
        lastRecorded.append(contentsOf: recorded)
        expected += 1
        return nil
    }
}

/// The checks that need the decoded event and the stream it belongs to:
/// canonical `data` that fits its type, versions, a creation event first and
/// only first; then the fold, for the projections.
struct VerifyFold {
    let db: Database
    let progress: Progress?
    let total: Int64
    /// Events between `Projection.letGoOfFinished` calls.
    let interval: Int64
    var projection = Projection()
    private var writer = JSONWriter(capacity: 1024)
    private var rowCheck = EntityRowCheck()

    init(db: Database, progress: Progress?, total: Int64, interval: Int64) {
        self.db = db
        self.progress = progress
        self.total = total
        self.interval = interval
    }

    /// A check inside the fold's lookup of the stream failed: the event must not be folded.
    private struct StreamCheckFailed: Error { var failure: VerifyFailure }

    /// `compareCanonical`: `data` was not shown canonical on its bytes
    /// (`CanonicalCheck`), so it is written out canonically and compared.
    mutating func check(_ row: some EventColumns, index: Int, compareCanonical: Bool) -> VerifyFailure? {
        let position = row.int(.position)
        func fail(_ stage: VerifyFailure.Stage, _ message: String) -> VerifyFailure {
            VerifyFailure(index: index, position: position, stage: stage, message)
        }
        let event: Event
        do {
            event = try EventRows.read(row, .forFoldWithoutRecorded)
        } catch {
            return VerifyFailure(index: index, stage: .content, error: error)
        }
        var content: VerifyFailure? = nil
        if compareCanonical {
            writer.bytes.removeAll(keepingCapacity: true)
            writer.writeCanonical(.object(event.data))
        }
        if compareCanonical && !ChainCheck.same(row.bytes(.data), writer.bytes) {
            content = fail(.content, "data is not in canonical form")
        } else if !Validation.conforms(event.data, for: event.type),
                  (try? Validation.data(event.data, for: event.type)) != event.data {
            content = fail(.content, "data does not fit \(event.type.rawValue)")
        }
        let version = event.version, stream = event.stream, type = event.type
        do {
            // The stream's entry is looked up once: its version is checked, then the event folded.
            try projection.apply(consume event, db, check: { folded in
                let expected = folded + 1
                if version != expected {
                    throw StreamCheckFailed(
                        failure: fail(.sequence, "version \(version) of \(stream), expected \(expected)"))
                }
                if let content { throw StreamCheckFailed(failure: content) }
                let startsTheStream = expected == 1
                if startsTheStream && type.creates == nil {
                    throw StreamCheckFailed(
                        failure: fail(.creation, "a stream must start with a creation event, not \(type.rawValue)"))
                }
                if !startsTheStream && type.creates != nil {
                    throw StreamCheckFailed(failure: fail(.creation, "\(type.rawValue) on an existing stream"))
                }
            }, recorded: { row.text(.recorded) })
        } catch let failed as StreamCheckFailed {
            return failed.failure
        } catch {
            return content ?? VerifyFailure(index: index, stage: .fold, error: error)
        }
        if let content { return content }
        if position % interval == 0 {
            do { try projection.letGoOfFinished(db, check: &rowCheck) } catch {
                return VerifyFailure(index: index, stage: .fold, error: error)
            }
        }
        if let progress, position % 50_000 == 0 { progress(position, total) }
        return nil
    }
}

/// The file's snapshots, read in head order beside `verify`'s fold: each must
/// be its stream's fold at its head, and each one `Snapshot.isTaken` asks for
/// must be there. One the rule does not ask for may stay once shown true:
/// files written before `Snapshot.lateGap` hold one after every late event.
/// The rule counts from the file's own snapshots (`lastSnapshotVersion`), so
/// an append to such a file and a verify of it agree on what is asked for.
/// The first failure is kept and thrown by `finish`, after the events and
/// `entities` are checked, as a fresh fold's comparison would.
final class StoredSnapshotCheck {
    private let rows: RawStatement
    private var hasRow: Bool
    private var failure: LedgerError?

    init(_ db: Database) throws {
        rows = try RawStatement(db, "SELECT \(SnapshotColumn.list) FROM snapshots ORDER BY head_position")
        hasRow = try rows.step()
    }

    /// Checks the file's snapshot at `position`, if it has one, against the
    /// stream's head after that event, and notes a missing one the rule
    /// requires. Returns whether the stream has a snapshot there.
    func check(position: Int64, stream: String, head: Folded?, required: Bool,
               recorded: () -> String) throws -> Bool {
        while hasRow && rows.int(SnapshotColumn.headPosition.index) < position {
            note(rows.text(SnapshotColumn.stream.index), rows.int(SnapshotColumn.headPosition.index),
                 "is not one a fresh fold takes")
            hasRow = try rows.step()
        }
        var found = false
        if hasRow && rows.int(SnapshotColumn.headPosition.index) == position {
            let storedStream = rows.text(SnapshotColumn.stream.index)
            if storedStream == stream, let head {
                found = true
                let storedKey = FoldKey(effective: rows.int(SnapshotColumn.effectiveKey.index),
                                        position: rows.int(SnapshotColumn.lastPosition.index))
                let same = storedKey == head.lastKey
                    && rows.int(SnapshotColumn.folded.index) == Int64(head.version)
                    && rows.text(SnapshotColumn.headRecorded.index) == recorded()
                    && rows.text(SnapshotColumn.state.index) == head.state.canonicalJSON
                if !same { note(stream, position, "differs from a fresh fold") }
            } else {
                note(storedStream, position, "is not one a fresh fold takes")
            }
            hasRow = try rows.step()
        }
        if required && !found { note(stream, position, "is missing") }
        return found
    }

    /// Throws the first failure, or one for a snapshot past the last event.
    func finish() throws {
        if hasRow {
            note(rows.text(SnapshotColumn.stream.index), rows.int(SnapshotColumn.headPosition.index),
                 "is not one a fresh fold takes")
        }
        rows.reset()
        if let failure { throw failure }
    }

    private func note(_ stream: String, _ position: Int64, _ what: String) {
        guard failure == nil else { return }
        failure = .integrity(
            "projection: snapshot of \(stream) at position \(position) \(what); run `goalledger replay`")
    }
}
