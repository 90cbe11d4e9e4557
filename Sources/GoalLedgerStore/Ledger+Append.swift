import GRDB
import GoalLedgerCore

/// What happened to one input.
public enum AppendOutcome: Sendable {
    /// Appended as this event.
    case appended(Event)
    /// Already in the ledger with the same content (a retry): nothing written.
    case skipped(Event)

    public var event: Event {
        switch self {
        case .appended(let event), .skipped(let event): event
        }
    }
}

/// Who and when, for the events of one command.
public struct AppendContext: Sendable {
    /// The person at the keyboard (`recordedBy`).
    public var recordedBy: String
    /// The clock for `recorded`; the system clock unless fixed for reproducible fixtures.
    public var clock: @Sendable () -> Recorded

    public init(recordedBy: String, clock: @escaping @Sendable () -> Recorded = Recorded.now) {
        self.recordedBy = recordedBy
        self.clock = clock
    }
}

/// One write transaction: appends inputs one by one, checking each against
/// the ledger as it stands including the inputs before it.
final class AppendSession: LedgerView {
    let db: Database
    let context: AppendContext
    var projection: Projection
    var headPosition: Int64
    var headHash: String
    var lastRecorded: Recorded
    /// The head when the transaction began: later positions are this command's own inputs.
    let startPosition: Int64
    let insert: RawStatement
    /// The texts of the row being inserted.
    var row: [UInt8] = []
    var created: [String: Effective] = [:]
    /// The Merkle tree's edge and the subtrees this transaction completes (SPEC §10).
    var merkle = MerkleAppender()
    /// Every key registered and revoked so far (SPEC §10), for the signature rules.
    var keys = KeyRegistry()

    /// Events between projection checkpoints.
    let checkpointInterval: Int64

    init(_ db: Database, context: AppendContext, checkpointInterval: Int64) throws {
        self.db = db
        self.context = context
        self.checkpointInterval = checkpointInterval
        let head = try RawStatement(db, EventRows.headSQL)
        if try head.step() {
            headPosition = head.int(HeadColumn.position.index)
            headHash = head.text(HeadColumn.hash.index)
            lastRecorded = (try? Recorded(stored: head.text(HeadColumn.recorded.index))) ?? Recorded(micros: 0)
        } else {
            headPosition = 0
            headHash = Event.genesis
            lastRecorded = Recorded(micros: Int64.min / 2)
        }
        head.reset()
        projection = Projection(stored: db, isEmpty: headPosition == 0)
        startPosition = headPosition
        insert = try RawStatement(db, EventRows.insertSQL)
        appendedIDs = headPosition == 0 ? IDFilter() : nil
        retractedIDs = headPosition == 0 ? [] : nil
        if headPosition > 0 {
            let keyEvents = try RawStatement(db, """
                SELECT \(EventRows.columns) FROM events WHERE type IN ('KeyRegistered', 'KeyRevoked') ORDER BY position
                """)
            defer { keyEvents.reset() }
            while try keyEvents.step() { keys.record(try EventRows.read(keyEvents)) }
        }
    }

    /// The events retracted in this session, when the ledger was empty at its
    /// start: then they are all the retracted events there are, and asking
    /// needs no scan of the stream's rows.
    var retractedIDs: Set<String>?

    /// The ids appended in this session, when the ledger was empty at its
    /// start: an id the filter has never seen is in no row, so the lookup
    /// by id is skipped for it (a bulk import into a new file).
    var appendedIDs: IDFilter?

    // MARK: LedgerView

    func kind(of stream: String) throws -> EntityKind? { try projection.entry(stream)?.kind }
    func version(of stream: String) throws -> Int64 { try projection.entry(stream)?.version ?? 0 }
    func currentState(of stream: String) throws -> Folded? { try projection.entry(stream)?.head }
    func event(id: String) throws -> Event? { try EventRows.byID(db, id) }
    func creationEvent(of stream: String) throws -> Event? { try EventRows.creation(db, stream) }

    func creationEffective(of stream: String) throws -> Effective? {
        // A stream's first event never changes: ask the file once per stream,
        // and keep only its time (small enough to keep for every stream).
        if let known = created[stream] { return known }
        if projection.isKnownAbsent(stream) { return nil }
        guard let creation = try EventRows.creation(db, stream) else { return nil }
        created[stream] = creation.effective
        return creation.effective
    }

    func isRetracted(id: String) throws -> Bool {
        if let retractedIDs { return retractedIDs.contains(id) }
        guard let target = try EventRows.byID(db, id) else { return false }
        let statement = try RawStatement(db, """
            SELECT 1 FROM events WHERE stream = ? AND type = 'Retracted' AND json_extract(data, '$.event') = ? LIMIT 1
            """)
        statement.bind(1, target.stream)
        statement.bind(2, id)
        defer { statement.reset() }
        return try statement.step()
    }

    // MARK: Appending

    func append(_ input: EventInput) throws -> AppendOutcome {
        if let id = input.id, appendedIDs?.mayContain(id) ?? true, let stored = try EventRows.byID(db, id) {
            let same: Bool
            if let exported = input.exported {
                same = stored.hash == exported.hash && stored.position == exported.position
                    && input.hasSameContent(as: stored)
            } else {
                same = input.hasSameContent(as: stored)
            }
            guard same else {
                let place = stored.position > startPosition
                    ? "earlier in this input"
                    : "in the ledger (position \(stored.position))"
                throw LedgerError.rejected("id \(id) is already \(place) with different content")
            }
            return .skipped(stored)
        }
        do {
            try Rules.check(input, against: self)
        } catch let error as InputError {
            throw LedgerError(error)
        }
        let isKeyEvent = input.type == .keyRegistered || input.type == .keyRevoked
        if isKeyEvent, try currentState(of: input.stream)?.state["kind"]?.stringValue != "person" {
            throw LedgerError.rejected("\(input.type.rawValue) applies to a person; \(input.stream) is not one")
        }
        let position = headPosition + 1
        let version = try self.version(of: input.stream) + 1
        let event: Event
        if let exported = input.exported {
            guard exported.position == position else {
                throw LedgerError.rejected(
                    "exported event has position \(exported.position), "
                        + "but the next position here is \(position)")
            }
            guard exported.version == version else {
                throw LedgerError.rejected(
                    "exported event has version \(exported.version) of \(input.stream), "
                        + "but the next version here is \(version)")
            }
            guard exported.prev == headHash else {
                throw LedgerError.rejected(
                    "exported event's prev does not match this ledger's head hash "
                        + "(it belongs to another ledger or history)")
            }
            let recorded = try Recorded(stored: exported.recorded)
            guard recorded >= lastRecorded else {
                throw LedgerError.rejected(
                    "exported event's recorded \(exported.recorded) "
                        + "is earlier than the ledger's last (\(lastRecorded.text))")
            }
            event = input.event(position: position, version: version, id: input.id!,
                                recorded: exported.recorded, recordedBy: exported.recordedBy, prev: headHash)
            guard event.hash == exported.hash else {
                throw LedgerError.rejected("exported event's hash does not verify (its content was changed)")
            }
            lastRecorded = recorded
        } else {
            let now = max(context.clock(), lastRecorded)
            lastRecorded = now
            event = input.event(position: position, version: version, id: input.id ?? Identifier.newEventID(),
                                recorded: now.text, recordedBy: input.signerName ?? context.recordedBy, prev: headHash)
        }
        if isKeyEvent || event.sigs != nil {
            do { try keys.check(event, locallySignedDigest: input.locallySignedDigest) } catch {
                throw LedgerError(error)
            }
        }
        do {
            try EventRows.insert(event, insert, buffer: &row)
        } catch let error as DatabaseError where error.resultCode.primaryResultCode == .SQLITE_CONSTRAINT {
            throw LedgerError.rejected("cannot append: \(error.message ?? "constraint failed")")
        }
        try merkle.append(db, eventHash: event.hash, position: position)
        if version == 1 { created[event.stream] = event.effective }  // its creation: spares asking the file
        if isKeyEvent { keys.record(event) }
        headPosition = position
        headHash = event.hash
        appendedIDs?.insert(event.id)
        if event.type == .retracted, let target = event.data["event"]?.stringValue { retractedIDs?.insert(target) }
        let recorded = event.recorded
        try projection.apply(event, db, recorded: { recorded })
        if (position - startPosition) % checkpointInterval == 0 {
            try projection.checkpoint(db)
            if created.count > StoreTuning.creationTimesKept { created.removeAll() }
        }
        return .appended(event)
    }

    func finish() throws { try projection.flush(db) }
}

extension Ledger {
    /// Appends inputs in one transaction: all of them or, on the first failure, none.
    ///
    /// ```swift
    /// let goal = #"{"stream":"kb/plan/mal-1","type":"TargetSet","effective":"2021-06-22","actor":"kb","#
    ///     + #""reason":"Ny politik","data":{"value":30,"unit":"%"}}"#
    /// let outcomes = try ledger.append([try EventInput.parse(goal)], context: AppendContext(recordedBy: "mette"))
    /// if case .appended(let event) = outcomes[0] { print(event.position, event.version) }
    /// ```
    ///
    /// - parameter inputs: Parsed input lines (`EventInput.parse`).
    /// - parameter context: Who records them (`recordedBy`) and the clock that stamps `recorded`.
    /// - returns: One outcome per input: appended, or skipped as a retry of a stored event.
    /// - throws: `LedgerError` with exit code 2 for an input the rules of SPEC §5
    ///   refuse, 4 for a version conflict; the file is then unchanged.
    @discardableResult
    public func append(_ inputs: some Sequence<EventInput>, context: AppendContext) throws -> [AppendOutcome] {
        var outcomes: [AppendOutcome] = []
        try write { db in
            let session = try AppendSession(db, context: context, checkpointInterval: checkpoints.interval)
            for input in inputs { outcomes.append(try session.append(input)) }
            try session.finish()
        }
        return outcomes
    }

    /// Appends the inputs a reader produces, in one transaction. The reader
    /// is called with an `append` function and may throw to roll everything back.
    public func transaction<T>(context: AppendContext,
                               _ body: (_ append: (EventInput) throws -> AppendOutcome) throws -> T) throws -> T
    {
        try write { db in
            let session = try AppendSession(db, context: context, checkpointInterval: checkpoints.interval)
            let result = try body { input in try session.append(input) }
            try session.finish()
            return result
        }
    }
}

/// A Bloom filter of ids (of events, or of streams): "no" is certain, "maybe"
/// is asked of the file. 2^24 bits (2 MiB) keep false maybes under 1 % for a million ids.
struct IDFilter {
    private var bits = [UInt64](repeating: 0, count: 1 << 18)

    private func probes(_ id: String) -> (Int, Int, Int) {
        var hasher = Hasher()
        hasher.combine(id)
        let hash = UInt64(bitPattern: Int64(hasher.finalize()))
        let mask: UInt64 = (1 << 24) - 1
        return (Int(hash & mask), Int((hash >> 24) & mask), Int((hash >> 40) ^ (hash & 0xFFFF)) & Int(mask))
    }

    mutating func insert(_ id: String) {
        let (a, b, c) = probes(id)
        bits[a >> 6] |= 1 << UInt64(a & 63)
        bits[b >> 6] |= 1 << UInt64(b & 63)
        bits[c >> 6] |= 1 << UInt64(c & 63)
    }

    func mayContain(_ id: String) -> Bool {
        let (a, b, c) = probes(id)
        return bits[a >> 6] & (1 << UInt64(a & 63)) != 0 && bits[b >> 6] & (1 << UInt64(b & 63)) != 0
            && bits[c >> 6] & (1 << UInt64(c & 63)) != 0
    }
}
