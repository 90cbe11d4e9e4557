import GRDB
import GoalLedgerCore

extension Ledger {
    /// Who changed what, across all streams, in position order. Rows stream
    /// to `row`, so the whole ledger is never held in memory.
    ///
    /// ```swift
    /// var filter = AuditFilter()
    /// filter.field = "target"
    /// try ledger.audit(filter) { row in
    ///     print(row.event.recordedBy, row.event.stream, row.changes.map(\.field))
    /// }
    /// ```
    ///
    /// The scan keeps each stream's current state while its events arrive in
    /// fold order: one `Fold.fold` an event. At a stream's first event out of
    /// fold order (backdated, or a retraction) the stream is folded whole,
    /// once, in its own position order (`AuditStreamFold`): that event's row
    /// is shown, the rows of its later late events wait in an `AuditSpill`
    /// until the scan reaches them, and the scan folds the stream's later
    /// events in fold order itself, on heads the spill gives it. So a late
    /// event costs O(members × log n) on its stream whatever the arrival
    /// order, and memory holds one such stream at a time. (Keeping every
    /// late stream's index in memory instead thrashed against its budget:
    /// audit of the 1M shuffled and long-stream ledgers passed 120 s,
    /// against 26 s for the ordered one; issue 12.)
    ///
    /// - parameter filter: Which rows: by stream, actor, field, time, signatures.
    /// - parameter row: Called with each matching row, in position order; may throw to stop.
    /// - throws: `LedgerError` when the file cannot be read, or what `row` throws.
    public func audit(_ filter: AuditFilter, row: (HistoryRow) throws -> Void) throws {
        try scanForAudit(filter) { found in try row(try found.row()) }
    }

    /// `audit`'s scan: each row it finds, in position order, whole or as it waited in the spill.
    func scanForAudit(_ filter: AuditFilter, found: (AuditFound) throws -> Void) throws {
        guard let filter = filter.resolved else { return }
        try read { db in try Self.withScanCache(db) {
            let relevant = filter.relevantTypes
            let typeList = relevant.map { types in
                " AND type IN (" + types.map { "'\($0.rawValue)'" }.joined(separator: ",") + ")"
            } ?? ""
            // With the index by type, only the rows of those types are read, in position order.
            let hasTypeIndex = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'events_type'") ?? false
            let byType = relevant != nil && hasTypeIndex
            let known = CountingRule(PointInTime(knownAt: filter.knownAt)).knownSQL
            var condition = known
            if let streams = filter.streamCondition { condition.add(streams) }
            let sql = "SELECT \(EventRows.columns) FROM events WHERE 1"
                + (byType ? " AND position IN (SELECT position FROM events WHERE 1" + typeList + ")" : typeList)
                + condition.andTerms + " ORDER BY position"
            let statement = try RawStatement(db, sql)
            defer { statement.reset() }
            condition.bind(to: statement, from: 1)

            let rule = AuditRowRule(filter: filter, readsSomeTypes: relevant != nil)
            var streamFold = AuditStreamFold(
                rule: rule,
                sql: "SELECT \(EventRows.columns) FROM events WHERE stream = ?" + typeList + known.andTerms
                    + " ORDER BY version",
                known: known)
            // The streams still in fold order, each with its current state.
            var timelines: [String: StreamTimeline] = [:]
            // The streams folded whole: their late events' rows, and heads to go on from, come from the spill.
            var foldedWhole = Set<String>()
            // The streams let go of as finished (`letGoOfFinished`): should one move again, it is folded whole.
            var letGo: IDFilter? = nil
            var scanned: Int64 = 0, lastLetGo: Int64 = 0
            while try statement.step() {
                let event = try EventRows.read(statement)
                guard filter.matchesStream(event.stream) else { continue }
                scanned += 1
                if scanned % checkpoints.interval == 0 && timelines.count > checkpoints.auditResidentStreams {
                    try Self.letGoOfFinished(db, &timelines, idleSince: lastLetGo, letGo: &letGo)
                    lastLetGo = event.position
                }
                var waitingHead: Folded? = nil
                if foldedWhole.contains(event.stream) {
                    switch try streamFold.spill?.take(position: event.position) {
                    case .late(let changesJSON):
                        if let changesJSON { try found(.spilled(event, changesJSON: changesJSON)) }
                        continue
                    case .resume(let head): waitingHead = head
                    case nil: break
                    }
                }
                // Taken out while it changes, so its state is not copied on write.
                let kept = timelines.removeValue(forKey: event.stream)
                let wasLetGo = kept == nil && letGo?.mayContain(event.stream) == true
                var timeline = waitingHead.map(StreamTimeline.init(resumingAt:)) ?? kept ?? StreamTimeline()
                // A stream folded whole gets a head from the spill before its first event in fold order,
                // and keeps it until let go; should it have none all the same, it is folded whole again.
                let lost = kept == nil && waitingHead == nil && foldedWhole.contains(event.stream)
                assert(!lost || wasLetGo, "audit: \(event.stream) was folded whole but has no head to go on from")
                guard !wasLetGo, !lost, timeline.inOrder(event) else {
                    foldedWhole.insert(event.stream)
                    try streamFold.fold(db, stream: event.stream, showingFrom: event.position, found: found)
                    continue
                }
                if let shown = rule.row(for: event, timeline: &timeline, earlier: { [] }) { try found(.whole(shown)) }
                if streamFold.spill?.isLastFoldedByScan(event.position) != true { timelines[event.stream] = timeline }
            }
        } }
    }
}

extension Ledger {
    /// `audit(_:row:)` on two cores: the scan and the folds run on another
    /// core, and `row` is called on this one, in position order, so what a
    /// caller does with a row (render it, write it) overlaps with finding the
    /// next. The first row comes over alone, at once, so a reader sees the
    /// output start; the rest come in batches. (Rendering and writing were a
    /// sixth of the single core's samples of `audit --json` on the national
    /// 100k ledger and a tenth on the long-stream one.) A row that waited in
    /// the spill has its changes read back from their JSON text on this core
    /// too: on the long-stream ledger, where nearly every row waits there,
    /// that was a tenth of the scanning core.
    ///
    /// - parameter filter: Which rows, as for `audit(_:row:)`.
    /// - parameter row: Called on this thread with each matching row; may throw to stop the scan.
    /// - throws: `LedgerError` when the file cannot be read, or what `row` throws.
    public func auditOnTwoCores(_ filter: AuditFilter, row: (HistoryRow) throws -> Void) throws {
        try Handoff<AuditFound>(batchSize: 256, depth: 4, sendsFirstItemAlone: true,
                                freesItemsOnProducerThread: true).run(producer: { put in
            try self.scanForAudit(filter, found: put)
        }, consumer: { found in try row(try found.row()) })
    }
}

/// A row `audit`'s scan found: whole, or one that waited in the spill, whose
/// changes are still the spill's JSON text until `row()` reads them (on the
/// core that takes the row, with `Ledger.auditOnTwoCores`).
enum AuditFound {
    case whole(HistoryRow)
    case spilled(Event, changesJSON: String)

    func row() throws -> HistoryRow {
        switch self {
        case .whole(let row): row
        case .spilled(let event, let changesJSON): HistoryRow(event: event, changes: try AuditSpill.changes(changesJSON))
        }
    }
}

extension Ledger {
    /// `audit`'s bound on memory on a ledger of many streams. Past
    /// `Checkpoints.auditResidentStreams` streams in fold order, each one
    /// idle since the last call whose last folded event is the file's last
    /// of its stream (`EventRows.streamsEnding`) is let go (its id kept in
    /// `letGo`). Should one move again all the same (a later event the scan
    /// reads), it is folded whole from the file like a late stream, so the
    /// rows never depend on this. The wide shape at 1M (450k streams) held
    /// 339 MB without it and 125 MB with it, in the same time (15.3-19.3 s
    /// against 17.1-17.9 s), the output byte for byte the same.
    static func letGoOfFinished(_ db: Database, _ timelines: inout [String: StreamTimeline], idleSince: Int64,
                                letGo: inout IDFilter?) throws {
        var lastRead: [String: Int64] = [:]
        for (id, timeline) in timelines {
            if let last = timeline.head?.lastKey.position, last <= idleSince { lastRead[id] = last }
        }
        var filter = letGo ?? IDFilter()
        for id in try EventRows.streamsEnding(db, at: lastRead) {
            timelines.removeValue(forKey: id)
            filter.insert(id)
        }
        letGo = filter
    }
}

/// What `audit` shows for one event of a stream followed by `timeline`: its
/// row, or nil. The one decision for the scan by position and for a stream
/// folded whole.
struct AuditRowRule {
    let filter: AuditFilter
    /// The filtered field's top member (`target` for `target.value`), when a field is given.
    let topMember: String?
    /// True when only the rows of some types are read (`AuditFilter.relevantTypes`).
    let readsSomeTypes: Bool

    init(filter: AuditFilter, readsSomeTypes: Bool) {
        self.filter = filter
        self.topMember = filter.field.map { String($0.prefix { $0 != "." }) }
        self.readsSomeTypes = readsSomeTypes
    }

    /// Folds `event` into `timeline` and returns its row when the filter keeps it.
    /// `earlier` is what `StreamTimeline.add` asks for; an event in fold order never calls it.
    func row(for event: Event, timeline: inout StreamTimeline, earlier: () throws -> [Event]) rethrows -> HistoryRow? {
        guard filter.matches(event), filter.typeCanTouchField(event.type) else {
            try timeline.skip(event, earlier: earlier)
            return nil
        }
        let changes: [Change]
        if let topMember, timeline.inOrder(event) {
            // In order, the changes are those between the heads: when the
            // filtered field's member is the same in both, none can match.
            let before = timeline.head?.state
            try timeline.skip(event, earlier: earlier)
            if before?[topMember] == timeline.head?.state[topMember] { return nil }
            changes = Change.between(before, timeline.head?.state)
        } else {
            changes = try timeline.add(event, earlier: earlier)
        }
        guard filter.matches(changes) else { return nil }
        let found = HistoryRow(event: event, changes: changes)
        if filter.loosened && found.targetDirection != .loosened { return nil }
        return found
    }
}

/// `audit`'s fold of one stream whole, in position order, from its first
/// event: for the events before `showingFrom` (already shown by the scan)
/// only the state; the row of the event at `showingFrom` is shown at once.
/// Of the later events, those out of fold order leave their rows in the
/// spill for the scan to find, and the first in fold order after them the
/// head to fold it onto; the scan folds the rest itself. (Keeping every
/// later row in the spill cost the national 1M audit a fifth of its
/// samples in inserts and lookups, for events the scan folds as cheaply.)
struct AuditStreamFold {
    let rule: AuditRowRule
    /// The stream's events that the scan reads, in position order (`?` is the stream).
    let sql: String
    let known: SQLCondition
    /// Opened at the first stream folded whole.
    private(set) var spill: AuditSpill?

    init(rule: AuditRowRule, sql: String, known: SQLCondition) {
        self.rule = rule
        self.sql = sql
        self.known = known
    }

    mutating func fold(_ db: Database, stream: String, showingFrom first: Int64,
                       found: (AuditFound) throws -> Void) throws {
        let spill = try spill ?? AuditSpill()
        self.spill = spill
        let statement = try RawStatement(db, sql)
        defer { statement.reset() }
        statement.bind(1, stream)
        known.bind(to: statement, from: 2)
        var timeline = StreamTimeline()
        // The events read so far, until the timeline has built its index from them.
        var earlier: [Event] = []
        // With only some types read, a retraction of an event of another type
        // changes none of the fields they set: it is not folded in.
        var readIDs = Set<String>()
        // Whether the event before (from `first` on) was one the scan cannot fold itself.
        var afterLate = true
        var lastFoldedByScan: Int64? = nil
        defer { if let lastFoldedByScan { spill.keepLastFoldedByScan(lastFoldedByScan) } }
        while try statement.step() {
            let event = try EventRows.read(statement)
            defer {
                if timeline.isIndexed { earlier = [] } else { earlier.append(event) }
            }
            if rule.readsSomeTypes {
                if event.type == .retracted, let target = event.data["event"]?.stringValue,
                   !readIDs.contains(target) {
                    // Not folded in, so not by the scan either.
                    if event.position > first { try spill.keep(.late(changesJSON: nil), position: event.position) }
                    afterLate = true
                    continue
                }
                readIDs.insert(event.id)
            }
            if event.position < first {
                timeline.skip(event) { earlier }
                continue
            }
            if event.position > first, timeline.inOrder(event), let head = timeline.head {
                // The scan folds it itself, on the head it is given at the first such event after late ones.
                if afterLate { try spill.keep(.resume(head), position: event.position) }
                afterLate = false
                lastFoldedByScan = event.position
                timeline.skip(event) { earlier }
                continue
            }
            let shown = rule.row(for: event, timeline: &timeline, earlier: { earlier })
            afterLate = true
            if event.position == first {
                if let shown { try found(.whole(shown)) }
            } else {
                try spill.keep(.late(changesJSON: shown.map { AuditSpill.json($0.changes) }), position: event.position)
            }
        }
    }
}
