import GRDB
import GoalLedgerCore

/// What the projections know of one stream: its kind, how many events it
/// has, where it sits in the plan tree, and its timeline (current state).
///
/// A class, so the table is looked up once per event and the state changes
/// in place (a struct taken out and put back costs two more hashes of the id).
final class StreamEntry {
    let kind: EntityKind
    var version: Int64
    /// The plan a theme, goal, initiative or indicator belongs to (fixed at creation).
    let plan: String?
    /// Position of the stream's first event: listings follow the order things were defined.
    let created: Int64
    var timeline: ProjectionHead
    /// Position of the last event applied in this run (0 when read back from the file).
    var touched: Int64 = 0
    /// Changed since it was last written to `entities`.
    var dirty = false
    /// The stream's version at the head of its latest snapshot (0 for none):
    /// what `Snapshot.isTaken` asks after a late event. Nil when the entry was
    /// read back from the file, until a late event asks the file.
    var lastSnapshotVersion: Int64? = 0

    init(kind: EntityKind, version: Int64, plan: String?, created: Int64, timeline: ProjectionHead) {
        self.kind = kind
        self.version = version
        self.plan = plan
        self.created = created
        self.timeline = timeline
    }

    var head: Folded? { timeline.head }

    /// The direct parent, from the current state: a goal's theme (else its
    /// plan), an indicator's goal, a theme's plan.
    var parent: String? {
        guard let state = head?.state else { return nil }
        switch kind {
        case .actor: return state["memberOf"]?.stringValue
        case .plan: return nil
        case .theme: return state["plan"]?.stringValue
        case .goal, .initiative: return state["theme"]?.stringValue ?? state["plan"]?.stringValue
        case .indicator: return state["goal"]?.stringValue
        }
    }
}

/// The current-state projection (`entities`), built event by event in
/// position order. Appends and `replay` both go through `apply`, so the
/// table is the same however it was reached.
struct Projection {
    var entries: [String: StreamEntry] = [:]
    /// Snapshots taken since the last flush, as `Snapshot.isTaken` says:
    /// every `Snapshot.interval` events of a stream, and after a backdated
    /// event or retraction on a long stream.
    var snapshots: [(stream: String, snapshot: Snapshot)] = []
    /// When set (`verify`), the snapshots the rule takes are compared with
    /// the file's instead of kept for writing.
    var storedSnapshots: StoredSnapshotCheck?
    /// Every snapshot taken in this run, by stream, for refolding late events.
    var taken: [String: [Snapshot]] = [:]
    /// The streams `verify` has compared and let go of (`letGoOfFinished`).
    var finished = FinishedStreams()
    /// Where the entries not in memory are.
    enum EntrySource {
        /// Nowhere: every entry is in memory. A replay (which empties
        /// `entities`) until it first drops idle entries; a verify throughout.
        case memoryOnly
        /// In `entities`, read back with this function: appends, and a
        /// replay once it has dropped idle entries (`checkpoint`).
        case table((String) throws -> StreamEntry?)
    }

    var entrySource: EntrySource
    /// Whether the file may hold snapshots of the streams (not only `taken`):
    /// always for appends; for a replay, which deletes them, from its first checkpoint.
    var snapshotsInFile: Bool

    /// A projection that starts from nothing: replay and verify.
    init() {
        entrySource = .memoryOnly
        snapshotsInFile = false
    }

    /// The projection stored in the file, read entry by entry as appends need
    /// them. `isEmpty` says the file has no events yet (an import into a new file).
    init(stored db: Database, isEmpty: Bool) {
        entrySource = .table { id in try Projection.loadEntry(db, id) }
        snapshotsInFile = true
        createdInThisRun = isEmpty ? IDFilter() : nil
    }

    /// The streams created in this run, when the file held none at its start
    /// (an import into a new file, or a replay once it reads entries back):
    /// a stream the filter has never seen has no row, so neither `entry` nor
    /// the append rules ask the file for it (see `isKnownAbsent`). Those
    /// questions about new streams took 12 % of a wide import's samples;
    /// without them its median went from 3.60 to 2.51 s (bench/ab.sh, 100k).
    /// It costs a hash per new stream, so a verify, which never asks the
    /// file, and a replay that keeps every stream in memory go without it.
    var createdInThisRun: IDFilter?

    /// Whether the stream certainly does not exist: not in memory, and not
    /// created in this run when the file held no streams before it.
    func isKnownAbsent(_ id: String) -> Bool {
        guard let createdInThisRun, entries[id] == nil else { return false }
        return !createdInThisRun.mayContain(id)
    }

    mutating func entry(_ id: String) throws -> StreamEntry? {
        if let found = entries[id] { return found }
        guard case .table(let load) = entrySource, !isKnownAbsent(id), let found = try load(id) else { return nil }
        entries[id] = found
        return found
    }

    /// Folds one new event into its stream's entry. A late event (backdated,
    /// or a retraction) refolds the stream from the nearest snapshot before
    /// its point, reading only the events after it.
    /// `check` sees the stream's version before the event (0 for a new
    /// stream) and may throw to leave everything as it was.
    /// `recorded` gives the event's recorded time, asked only when a snapshot
    /// is taken: replay and verify read events without it (`EventRows.Read`).
    /// Both are plain (non-escaping) closures: they are called per event and
    /// must not cost an allocation each.
    mutating func apply(_ event: consuming Event, _ db: Database, check: (_ version: Int64) throws -> Void = { _ in },
                        recorded: () -> String) throws {
        let found = try self.entry(event.stream)
        try check(found?.version ?? 0)
        let entry: StreamEntry
        if let found {
            entry = found
        } else {
            let kind = event.type.creates ?? .actor  // a stream always starts with its creation event
            var plan: String? = nil
            switch kind {
            case .theme, .goal, .initiative: plan = event.data["plan"]?.stringValue
            case .indicator:
                plan = try event.data["goal"]?.stringValue.flatMap { goal in
                    try self.entry(goal)?.plan ?? finished.plansOfGoals[goal]
                }
            case .actor, .plan: plan = nil
            }
            entry = StreamEntry(kind: kind, version: 0, plan: plan, created: event.position,
                                timeline: ProjectionHead())
            entries[event.stream] = entry
            createdInThisRun?.insert(event.stream)
        }
        entry.version = event.version
        entry.touched = event.position
        entry.dirty = true
        latest = event.position
        let position = event.position, version = event.version, stream = event.stream
        let kind = entry.kind, created = entry.created
        let late = try entry.timeline.advance(event) {
            // Read back from the file: the late-event shortcut needs the creation's point.
            try EventRows.at(db, position: created)?.effective.key
        } refold: { lateEvent, current, creationKey in
            var retractedType: EventType? = nil
            let head = try refold(lateEvent, current: current, creationKey: creationKey, kind: kind,
                                  hasSnapshots: entry.lastSnapshotVersion != 0, retractedType: &retractedType, db)
            return ProjectionHead.Refolded(
                head: head, keepsLastWriters: ProjectionHead.keepsLastWriters(lateEvent, retractedType: retractedType))
        }
        let takes = try Snapshot.isTaken(version: version, late: late) {
            if let known = entry.lastSnapshotVersion { return known }
            let inFile = try Self.lastSnapshotVersion(db, stream)
            entry.lastSnapshotVersion = inFile
            return inFile
        }
        // verify: the file's snapshot here, if any, counts for the rule as one taken.
        let inFile = try storedSnapshots?.check(position: position, stream: stream, head: entry.timeline.head,
                                                required: takes, recorded: recorded) ?? false
        if inFile { entry.lastSnapshotVersion = version }
        guard takes, let head = entry.timeline.head else { return }
        let snapshot = Snapshot(folded: head, headPosition: position, headRecorded: recorded())
        if storedSnapshots == nil { snapshots.append((stream, snapshot)) }
        taken[stream, default: []].append(snapshot)
        entry.lastSnapshotVersion = version
    }

    /// The stream's version at the head of its latest snapshot in the file; 0 when it has none.
    static func lastSnapshotVersion(_ db: Database, _ stream: String) throws -> Int64 {
        let statement = try RawStatement(db, """
            SELECT events.version FROM snapshots JOIN events ON events.position = snapshots.head_position
            WHERE snapshots.stream = ? ORDER BY snapshots.head_position DESC LIMIT 1
            """)
        statement.bind(1, stream)
        defer { statement.reset() }
        return try statement.step() ? statement.int(0) : 0
    }

    /// The stream's current state with a late event added. `hasSnapshots`
    /// false says the stream has none, in memory or in the file, so the file
    /// is not asked: the short streams of a wide ledger, where that empty
    /// query (with its text, then built each time) took 81 of the 142
    /// samples of refolding in a profile of a wide replay.
    func refold(_ event: Event, current: Folded?, creationKey: Int64?, kind: EntityKind,
                hasSnapshots: Bool, retractedType: inout EventType?, _ db: Database) throws -> Folded? {
        // The point the snapshot must lie before: the event's own, or for a retraction the retracted event's.
        var pivot = event
        if event.type == .retracted {
            guard let id = event.data["event"]?.stringValue, let target = try EventRows.byID(db, id) else {
                let earlier = try EventRows.stream(db, event.stream, before: event.position, reading: .forFold)
                return Fold.state(of: earlier + [event])
            }
            retractedType = target.type
            if let current, let creationKey, creationKey <= event.effective.key,
               creationKey <= target.effective.key, target.stream == event.stream,
               let next = Fold.retractLate(target, by: event, from: current) {
                return next
            }
            pivot = target
        }
        if let current, let creationKey, creationKey <= event.effective.key,
           Fold.setsOnlyItsOwnMembers(event.type) {
            // A late target, status or revision needs only the events after it in fold order, and of
            // those only which members they set (`Fold.placeLate`), not a fold of the whole stream and
            // its measurements: replay of the shuffled 100k ledger (its targets arrive in random order
            // in streams of up to 1,088 events) 0.41 -> 0.20 s, verify 0.46 -> 0.32 s, medians of five.
            let others = try EventRows.stream(db, event.stream, before: event.position, reading: .forFold,
                                              leavingOutMeasurements: true)
            let retracted = CountingRule.now.retractedIDs(among: others)
            let later = others.filter { event.foldKey < $0.foldKey && !retracted.contains($0.id) }
            if let placed = Fold.placeLate(event, into: current, laterInFold: later) { return placed }
        }
        if hasSnapshots {
            let inMemory = (taken[event.stream] ?? []).last { $0.folded.lastKey < pivot.foldKey }
            let stored = snapshotsInFile ? try Self.storedSnapshot(db, event.stream, kind: kind, before: pivot) : nil
            let best = [inMemory, stored].compactMap { $0 }.max { $0.folded.lastKey < $1.folded.lastKey }
            if let best {
                let candidates = try Self.tail(db, event.stream, after: best, before: event.position) + [event]
                let resumed = Fold.resume(best, with: candidates, at: .now, creationKey: creationKey)
                if case .answered(let folded) = resumed { return folded }
            }
        }
        let earlier = try EventRows.stream(db, event.stream, before: event.position, reading: .forFold)
        return Fold.state(of: earlier + [event])
    }

    /// Events of a stream before a position that `Fold.resume` needs after a
    /// snapshot: those after its head, found by version on the stream's index.
    static func tail(_ db: Database, _ stream: String, after snapshot: Snapshot,
                     before position: Int64) throws -> [Event] {
        let statement = try RawStatement(db, """
            SELECT \(EventRows.columns) FROM events WHERE stream = ?
            AND version > (SELECT version FROM events WHERE position = ?) AND position < ? ORDER BY version
            """)
        statement.bind(1, stream)
        statement.bind(2, snapshot.headPosition)
        statement.bind(3, position)
        var out: [Event] = []
        while try statement.step() { out.append(try EventRows.read(statement, .forFold)) }
        statement.reset()
        return out
    }

    /// The latest stored snapshot of a stream whose point lies before an event.
    static func storedSnapshot(_ db: Database, _ stream: String, kind: EntityKind,
                               before event: Event) throws -> Snapshot? {
        let statement = try RawStatement(db, storedSnapshotSQL)
        statement.bind(1, stream)
        statement.bind(2, event.effective.key)
        statement.bind(3, event.effective.key)
        statement.bind(4, event.position)
        return try snapshot(from: statement, kind: kind)
    }

    /// Reads a snapshot row (selected with `SnapshotColumn.list`), then resets the statement.
    static func snapshot(from statement: RawStatement, kind: EntityKind) throws -> Snapshot? {
        try snapshots(from: statement, kind: kind).first
    }

    /// Reads the snapshot rows the statement selects (with `SnapshotColumn.list`), then resets it.
    /// With `distinct`, keeps at most that many, one per point (last event): rows of the same point
    /// follow each other, and the first of them is kept.
    static func snapshots(from statement: RawStatement, kind: EntityKind, distinct: Int? = nil) throws -> [Snapshot] {
        defer { statement.reset() }
        var found: [Snapshot] = []
        while try statement.step() {
            let lastKey = FoldKey(effective: statement.int(SnapshotColumn.effectiveKey.index),
                                  position: statement.int(SnapshotColumn.lastPosition.index))
            if distinct != nil && found.last?.folded.lastKey == lastKey { continue }
            guard let state = try? EntityState(kind: kind, canonicalJSON: statement.text(SnapshotColumn.state.index))
            else { continue }
            let folded = Folded(state: state, version: Int(statement.int(SnapshotColumn.folded.index)),
                                lastKey: lastKey)
            found.append(Snapshot(folded: folded, headPosition: statement.int(SnapshotColumn.headPosition.index),
                                  headRecorded: statement.text(SnapshotColumn.headRecorded.index)))
            if let distinct, found.count == distinct { break }
        }
        return found
    }

    static let storedSnapshotSQL = """
        SELECT \(SnapshotColumn.list) FROM snapshots
        WHERE stream = ? AND (effective_key < ? OR (effective_key = ? AND last_position < ?))
        ORDER BY effective_key DESC, last_position DESC LIMIT 1
        """
    static let upsertSQL = EntityColumn.insertSQL(into: "entities", orReplace: true)
    static let insertSnapshotSQL = SnapshotColumn.insertSQL(into: "snapshots", orReplace: true)
    static let selectEntitySQL = "SELECT \(EntityColumn.list) FROM entities WHERE id = ?"

    /// Writes the changed entries to `entities`, and the snapshots taken.
    /// From `rowsMadeOnAnotherCore` changed entries on, their rows' values are
    /// made on another core (`Ledger.Checkpoints.rowsMadeOnAnotherCore`):
    /// only when that core is idle.
    mutating func flush(_ db: Database, rowsMadeOnAnotherCore: Int = .max) throws {
        try write(entries.filter { $0.value.dirty }, db, rowsMadeOnAnotherCore: rowsMadeOnAnotherCore)
    }

    /// Writes some entries (marking them clean) and the snapshots taken since the last flush.
    mutating func write(_ changed: [String: StreamEntry], _ db: Database, rowsMadeOnAnotherCore: Int = .max) throws {
        let statement = try RawStatement(db, Self.upsertSQL)
        func insert(_ row: EntityRow) throws {
            row.bind(to: statement)
            try statement.run()
        }
        let ids = changed.keys.sorted()
        if ids.count >= rowsMadeOnAnotherCore {
            // Only the entries are read there, and nothing changes them until it is done.
            let shared = UnsafeSendable((ids, changed))
            try Handoff<EntityRow>().run(producer: { put in
                for id in shared.value.0 { try put(EntityRow(id, shared.value.1[id]!)) }
            }, consumer: insert)
        } else {
            for id in ids { try insert(EntityRow(id, changed[id]!)) }
        }
        for entry in changed.values { entry.dirty = false }
        let insertSnapshot = try RawStatement(db, Self.insertSnapshotSQL)
        for (stream, snapshot) in snapshots {
            insertSnapshot.reset()
            insertSnapshot.bind(SnapshotColumn.stream.parameter, stream)
            insertSnapshot.bind(SnapshotColumn.headPosition.parameter, snapshot.headPosition)
            insertSnapshot.bind(SnapshotColumn.headRecorded.parameter, snapshot.headRecorded)
            insertSnapshot.bind(SnapshotColumn.effectiveKey.parameter, snapshot.folded.lastKey.effective)
            insertSnapshot.bind(SnapshotColumn.lastPosition.parameter, snapshot.folded.lastKey.position)
            insertSnapshot.bind(SnapshotColumn.folded.parameter, Int64(snapshot.folded.version))
            insertSnapshot.bind(SnapshotColumn.state.parameter, snapshot.folded.state.canonicalJSON)
            try insertSnapshot.run()
        }
        snapshots.removeAll()
    }

    /// Writes what the file should hold by now and, when many streams are in
    /// memory, forgets what it can give back. The snapshots taken since the
    /// last checkpoint are written every time. Past `residentEntries`
    /// streams, the entries of streams that had no event since the last
    /// checkpoint (a finished plan's indicators) are written if they changed
    /// and dropped, to be read back from the file if their streams move
    /// again. Entries still in use stay in memory and are written when they
    /// are dropped or at the final flush, not at every checkpoint. A long
    /// replay or import calls it every so many events, so its memory follows
    /// the streams in use, not the ledger's size; the tables end the same.
    mutating func checkpoint(_ db: Database) throws {
        let since = lastCheckpoint
        if entries.count > residentEntries {
            if case .memoryOnly = entrySource {
                // A replay's first drop: every stream so far is in memory, the rest is new.
                var created = IDFilter()
                for id in entries.keys { created.insert(id) }
                createdInThisRun = created
                entrySource = .table { id in try Projection.loadEntry(db, id) }
            }
            let idle = entries.filter { $0.value.touched <= since }
            try write(idle.filter { $0.value.dirty }, db)
            for id in idle.keys { entries.removeValue(forKey: id) }
        } else {
            try write([:], db)
        }
        taken.removeAll()
        snapshotsInFile = true
        lastCheckpoint = latest
    }

    /// Streams kept in memory between checkpoints before idle ones are dropped.
    /// An entry takes about 1.5 KB: `replay` keeps up to 50,000 (some 75 MB;
    /// `Ledger.Checkpoints`), which spares a national ledger's replay writing
    /// and reading back entries; `import`, which holds parsed lines and
    /// SQLite's cache besides, drops idle ones at every checkpoint.
    var residentEntries = 0

    /// Positions of the last event applied and of the last checkpoint.
    var latest: Int64 = 0
    var lastCheckpoint: Int64 = 0


    /// Reads one entry back from `entities` (the head's last event's effective time from `events`).
    static func loadEntry(_ db: Database, _ id: String) throws -> StreamEntry? {
        try loadEntry(db, id) { position in try EventRows.foldKey(db, position: position) }
    }

    /// Reads one entry back from `entities`, asking `lastKeyAt` for the fold
    /// key of the head's last event (given its position), nil when missing.
    static func loadEntry(_ db: Database, _ id: String,
                          lastKeyAt: (Int64) throws -> FoldKey?) throws -> StreamEntry? {
        let row = try RawStatement(db, Self.selectEntitySQL)
        row.bind(1, id)
        defer { row.reset() }
        guard try row.step() else { return nil }
        guard let kind = EntityKind(rawValue: row.text(EntityColumn.kind.index)) else {
            throw LedgerError.integrity("entities row \(id) has an unknown kind; run `goalledger replay`")
        }
        let version = row.int(EntityColumn.version.index), plan = row.optionalText(EntityColumn.plan.index)
        let folded = row.isNull(EntityColumn.folded.index) ? nil : Int(row.int(EntityColumn.folded.index))
        let last = row.isNull(EntityColumn.lastPosition.index) ? nil : row.int(EntityColumn.lastPosition.index)
        let stateJSON = row.optionalText(EntityColumn.state.index)
        let created = row.int(EntityColumn.created.index)
        var head: Folded? = nil
        if let folded, let last, let stateJSON {
            guard let lastKey = try lastKeyAt(last),
                  let state = try? EntityState(kind: kind, canonicalJSON: stateJSON) else {
                throw LedgerError.integrity("entities row \(id) does not match the events; run `goalledger replay`")
            }
            head = Folded(state: state, version: folded, lastKey: lastKey)
        }
        let entry = StreamEntry(kind: kind, version: version, plan: plan, created: created,
                                timeline: ProjectionHead(head: head, hasEvents: true))
        entry.lastSnapshotVersion = nil  // in the file: asked there at the stream's next late event
        return entry
    }
}

/// The columns of `snapshots`, as the store reads and writes them:
/// what `Projection.snapshots(from:)` reads, `Projection.write` inserts and
/// `verify` compares.
enum SnapshotColumn: Int32, TableColumn {
    case stream, headPosition, headRecorded, effectiveKey, lastPosition, folded, state
}

/// The values of one `entities` row, made from a stream's entry.
struct EntityRow: Sendable {
    var id: String
    var kind: EntityKind
    var version: Int64
    var created: Int64
    var folded: Int64?
    var lastPosition: Int64?
    var plan: String?
    var parent: String?
    var title: String?
    var status: String?
    var state: String?

    init(_ id: String, _ entry: StreamEntry) {
        let head = entry.timeline.head
        self.id = id
        kind = entry.kind
        version = entry.version
        created = entry.created
        folded = head.map { Int64($0.version) }
        lastPosition = head?.lastKey.position
        plan = entry.plan
        parent = entry.parent
        title = head?.state.title
        status = head?.state.status
        state = head?.state.canonicalJSON
    }

    func bind(to statement: RawStatement) {
        statement.reset()
        statement.bind(EntityColumn.id.parameter, id)
        statement.bind(EntityColumn.kind.parameter, kind.rawValue)
        statement.bind(EntityColumn.version.parameter, version)
        statement.bind(EntityColumn.created.parameter, created)
        statement.bind(EntityColumn.folded.parameter, folded)
        statement.bind(EntityColumn.lastPosition.parameter, lastPosition)
        statement.bind(EntityColumn.plan.parameter, plan)
        statement.bind(EntityColumn.parent.parameter, parent)
        statement.bind(EntityColumn.title.parameter, title)
        statement.bind(EntityColumn.status.parameter, status)
        statement.bind(EntityColumn.state.parameter, state)
    }
}

/// The columns of `entities`, as the store reads and writes them.
enum EntityColumn: Int32, TableColumn {
    case id, kind, version, created, folded, lastPosition, plan, parent, title, status, state
}
