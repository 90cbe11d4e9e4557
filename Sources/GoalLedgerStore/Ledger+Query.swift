import GRDB
import GoalLedgerCore

/// One entity at a point in time: what `show` prints.
public struct EntityView: Sendable {
    public var id: String
    public var kind: EntityKind
    public var point: PointInTime
    public var folded: Folded
    public var state: EntityState { folded.state }
    /// The last event folded (`folded.lastKey`), read whole: who made the change, when and why.
    public var lastChange: Event

    /// The `show --json` object of SPEC §6.
    public var json: JSON {
        var object = JSONObject()
        object["id"] = .string(id)
        object["kind"] = .string(kind.rawValue)
        object["asOf"] = point.asOf.map { .string($0.input) } ?? .null
        object["knownAt"] = point.knownAt.map { .string($0.input) } ?? .null
        object["version"] = .number(Double(folded.version))
        object["state"] = .object(folded.state.json)
        var last = JSONObject()
        last["position"] = .number(Double(lastChange.position))
        last["id"] = .string(lastChange.id)
        last["type"] = .string(lastChange.type.rawValue)
        last["effective"] = .string(lastChange.effective.text)
        last["recorded"] = .string(lastChange.recorded)
        last["actor"] = .string(lastChange.actor)
        last["recordedBy"] = .string(lastChange.recordedBy)
        if let reason = lastChange.reason { last["reason"] = .string(reason) }
        if let decision = lastChange.decision { last["decision"] = .string(decision) }
        // SPEC §10: who signed the last change, by their keys' names.
        if let sigs = lastChange.sigs { last["signedBy"] = .array(sigs.map { .string($0.name) }) }
        object["lastChange"] = .object(last)
        return .object(object)
    }
}

/// A plan and everything that belongs to it at a point in time: what `tree` prints.
public struct TreeView: Sendable {
    public var plan: EntityView
    public var themes: [EntityView]
    public var goals: [EntityView]
    public var indicators: [EntityView]
    public var initiatives: [EntityView]

    public var json: JSON {
        var object = JSONObject()
        object["plan"] = plan.json
        object["themes"] = .array(themes.map(\.json))
        object["goals"] = .array(goals.map(\.json))
        object["indicators"] = .array(indicators.map(\.json))
        object["initiatives"] = .array(initiatives.map(\.json))
        return .object(object)
    }

    public var all: [EntityView] { [plan] + themes + goals + indicators + initiatives }
}

/// One event with what it changed: a row of `history` and `audit`.
public struct HistoryRow: Sendable {
    public var event: Event
    public var changes: [Change]
    /// The position of the retraction that hides this event, when one is known.
    public var retractedBy: Int64?

    /// The exported event plus its `changes`.
    public var json: JSON {
        // Re-parsed so callers can embed it; history output is small.
        (try? JSONParser.parse(written().bytes)) ?? .null
    }

    /// `json` as compact text, written once: the rows of `audit --json`.
    /// (Writing `json` again after its re-parse was a third of a 1M audit.)
    public var jsonText: String { written().string }

    private func written() -> JSONWriter {
        var writer = JSONWriter(capacity: 1024)
        event.writeExport(into: &writer, closing: false)
        writer.append(",\"changes\":")
        Change.write(changes, into: &writer)
        writer.append("}")
        return writer
    }
}

/// `diff` between two as-of states.
public struct DiffView: Sendable {
    public var id: String
    public var from: String
    public var to: String
    public var changes: [Change]
    /// For a plan: its entities added, removed or changed between the two times.
    public var entities: [(id: String, change: String, changes: [Change])]?

    public var json: JSON {
        var object = JSONObject()
        object["id"] = .string(id)
        object["from"] = .string(from)
        object["to"] = .string(to)
        object["changes"] = .array(changes.map(\.json))
        if let entities {
            object["entities"] = .array(entities.map { entity in
                .object(JSONObject([
                    ("id", .string(entity.id)),
                    ("change", .string(entity.change)),
                    ("changes", .array(entity.changes.map(\.json))),
                ]))
            })
        }
        return .object(object)
    }
}

/// Which events `audit --signed` / `--unsigned` keep.
public enum SignatureFilter: Sendable {
    case any
    case signedOnly
    case unsignedOnly

    func admits(_ event: Event) -> Bool {
        switch self {
        case .any: true
        case .signedOnly: event.sigs != nil
        case .unsignedOnly: event.sigs == nil
        }
    }
}

/// Filters of `audit`.
public struct AuditFilter: Sendable {
    public var types: [EventType] = []
    public var actors: [String] = []
    /// A dotted field path or its prefix: `target` matches `target.value`.
    public var field: String?
    /// An entity id prefix, by whole segments: `ballerup` matches `ballerup/kb`, not `ballerupx`.
    public var stream: String?
    /// Only events recorded more than this many days after they took effect.
    public var backdatedDays: Int?
    /// Only target revisions that made a goal easier to meet (`TargetDirection.loosened`).
    public var loosened = false
    public var knownAt: TimePoint?
    /// Signed events, unsigned ones, or both (SPEC §10).
    public var signatures: SignatureFilter = .any

    public init() {}

    /// `--loosened` reads as `--type TargetSet --field target` plus the direction test;
    /// nil when the filters exclude every target revision.
    var resolved: AuditFilter? {
        guard loosened else { return self }
        var filter = self
        if types.isEmpty { filter.types = [.targetSet] } else if types.contains(.targetSet) {
            filter.types = [.targetSet]
        } else {
            return nil
        }
        if let field, field != "target" && !field.hasPrefix("target.") {
            return nil
        }
        filter.field = field ?? "target"
        return filter
    }

    func matchesStream(_ candidate: String) -> Bool {
        guard let prefix = stream else { return true }
        if prefix.hasSuffix("/") { return candidate.hasPrefix(prefix) }
        return candidate == prefix || candidate.hasPrefix(prefix + "/")
    }

    /// `matchesStream` in SQL, for exactly the same ids: the prefix's own
    /// stream (unless the prefix ends in `/`) and every id under `prefix/`,
    /// the latter as a range of the stream index. Nil without a stream filter.
    var streamCondition: SQLCondition? {
        guard let prefix = stream else { return nil }
        let base = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        let under = Self.strings(startingWith: base + "/")
        var condition = SQLCondition()
        if prefix.hasSuffix("/") {
            condition.add("stream >= ? AND stream < ?", .text(under.lowerBound), .text(under.upperBound))
        } else {
            condition.add("(stream = ? OR (stream >= ? AND stream < ?))",
                          .text(base), .text(under.lowerBound), .text(under.upperBound))
        }
        return condition
    }

    /// Every string that starts with `prefix`, as a half-open range in
    /// SQLite's byte order: from the prefix up to the prefix with its last
    /// byte raised by one. The prefix ends in `/`, so that byte is ASCII.
    static func strings(startingWith prefix: String) -> Range<String> {
        var bytes = Array(prefix.utf8)
        bytes[bytes.count - 1] += 1
        return prefix..<String(decoding: bytes, as: UTF8.self)
    }

    func matches(_ event: Event) -> Bool {
        if !types.isEmpty && !types.contains(event.type) { return false }
        if !actors.isEmpty && !actors.contains(event.actor) { return false }
        if let days = backdatedDays, event.backdatedSeconds <= Int64(days) * 86400 { return false }
        if !signatures.admits(event) { return false }
        return matchesStream(event.stream)
    }

    func matches(_ changes: [Change]) -> Bool {
        guard let path = field else { return true }
        return changes.contains { $0.field == path || $0.field.hasPrefix(path + ".") }
    }

    /// The event types whose changes can matter to this audit, or nil for all.
    ///
    /// A field's value depends only on the events that can set it, plus
    /// creations and retractions; so when rows are limited by field (or by
    /// types, which limit the fields they can change), a fold of just those
    /// events reports the same changes for every row it lists.
    var relevantTypes: [EventType]? {
        var fields: Set<String>
        if let path = field {
            fields = [String(path.prefix { $0 != "." })]
        } else if !types.isEmpty {
            fields = []
            for eventType in types {
                guard let touched = eventType.touches else { return nil }
                fields.formUnion(touched)
            }
        } else {
            return nil
        }
        return EventType.allCases.filter { eventType in
            eventType.creates != nil || eventType == .retracted || !(eventType.touches ?? []).isDisjoint(with: fields)
        }
    }

    /// Whether an event of this type could change the field at all.
    func typeCanTouchField(_ eventType: EventType) -> Bool {
        guard let path = field else { return true }
        guard let touched = eventType.touches else { return true }
        let top = String(path.prefix { $0 != "." })
        return touched.contains(top)
    }
}

extension Ledger {
    /// The state of one entity at a point in time.
    ///
    /// ```swift
    /// let now = try ledger.show("kb/plan/mal-1")
    /// let then = try ledger.show("kb/plan/mal-1", at: PointInTime(asOf: try TimePoint(parsing: "2020")))
    /// print(now.state["target"] ?? "no target", then.folded.version)
    /// ```
    ///
    /// - parameter id: The entity's stream id.
    /// - parameter point: As of (effective time) and known at (recorded time); `.now` by default.
    /// - returns: The folded state, its version and its last change (`CountingRule` chooses the events).
    /// - throws: `LedgerError` `notFound` (exit 3) when there is no such entity then.
    public func show(_ id: String, at point: PointInTime = .now) throws -> EntityView {
        try read { db in
            guard let view = try Self.view(db, id, at: point) else { throw Self.notFound(db, id, point) }
            return view
        }
    }

    /// A plan with its themes, goals, indicators and initiatives at a point in time.
    public func tree(_ plan: String, at point: PointInTime = .now) throws -> TreeView {
        try read { db in
            guard let planView = try Self.view(db, plan, at: point) else { throw Self.notFound(db, plan, point) }
            guard planView.kind == .plan else {
                throw LedgerError.notFound("no plan \(plan): it is \(planView.kind.withArticle)")
            }
            var tree = TreeView(plan: planView, themes: [], goals: [], indicators: [], initiatives: [])
            for (id, _) in try Self.members(db, of: plan) {
                guard let view = try Self.view(db, id, at: point) else { continue }
                switch view.kind {
                case .theme: tree.themes.append(view)
                case .goal: tree.goals.append(view)
                case .indicator: tree.indicators.append(view)
                case .initiative: tree.initiatives.append(view)
                case .plan, .actor: break
                }
            }
            // Themes in their `order` where given, else in the order they were added.
            tree.themes = tree.themes.enumerated().sorted { lhs, rhs in
                let lhsOrder = lhs.element.state["order"]?.numberValue ?? .infinity
                let rhsOrder = rhs.element.state["order"]?.numberValue ?? .infinity
                return lhsOrder != rhsOrder ? lhsOrder < rhsOrder : lhs.offset < rhs.offset
            }.map(\.element)
            return tree
        }
    }

    /// Every entity that exists at a point in time, optionally of one kind, in the order they were created.
    public func list(kind: EntityKind? = nil, at point: PointInTime = .now) throws -> [EntityView] {
        try read { db in
            var sql = "SELECT id FROM entities"
            var args: StatementArguments = []
            if let kind {
                sql += " WHERE kind = ?"
                args = [kind.rawValue]
            }
            sql += " ORDER BY created"
            let ids = try String.fetchAll(db, sql: sql, arguments: args)
            return try ids.compactMap { try Self.view(db, $0, at: point) }
        }
    }

    /// Every event of a stream known at `knownAt` (and in effect by `asOf`,
    /// when given), in position order, with what each changed.
    ///
    /// ```swift
    /// for row in try ledger.history("kb/plan/mal-1") {
    ///     print(row.event.position, row.event.type.rawValue, row.changes.map(\.field))
    /// }
    /// ```
    ///
    /// - parameter id: The entity's stream id.
    /// - parameter point: Lists the events known at `knownAt` and in effect by `asOf`.
    /// - returns: The rows; a row's `changes` compare the entity at the event's own place in time, just before
    ///   and just after it was recorded, and `retractedBy` names a retraction of it.
    /// - throws: `LedgerError` `notFound` (exit 3) when there is no such entity or no event then.
    public func history(_ id: String, at point: PointInTime = .now) throws -> [HistoryRow] {
        var rows: [HistoryRow] = []
        try history(id, at: point) { rows.append($0) }
        return rows
    }

    /// `history`, each row handed to `row` as soon as it is worked out, so
    /// the rows of a long stream are never all in memory (the CLI prints them
    /// as they come). Which events a retraction hides is asked first, so each
    /// row leaves with its `retractedBy`.
    ///
    /// - throws: `LedgerError` `notFound` after the last row when there is no
    ///   such entity or no event then (no row was handed out), or what `row` throws.
    public func history(_ id: String, at point: PointInTime = .now, row: (HistoryRow) throws -> Void) throws {
        try read { db in try Self.withScanCache(db) {
            let rule = CountingRule(point)
            var retractions: [String: Int64] = [:]
            let retracting = try RawStatement(db, Self.retractionsOfStreamSQL)
            retracting.bind(1, id)
            while try retracting.step() {
                let event = try EventRows.read(retracting)
                guard rule.isKnown(event) else { break }
                if let target = event.data["event"]?.stringValue { retractions[target] = event.position }
            }
            retracting.reset()

            let statement = try RawStatement(db, Self.historyOfStreamSQL)
            statement.bind(1, id)
            defer { statement.reset() }
            var timeline = StreamTimeline()
            var exists = false, shown = false
            // Every event known then, with what it changed; those in effect then are listed.
            while try statement.step() {
                let event = try EventRows.read(statement)
                exists = true
                guard rule.isKnown(event) else { break }
                let changes = try timeline.add(event) { try EventRows.stream(db, id, before: event.position) }
                guard rule.isInEffect(event) else { continue }
                var found = HistoryRow(event: event, changes: changes)
                found.retractedBy = retractions[event.id]
                try row(found)
                shown = true
            }
            guard exists else { throw LedgerError.notFound("no entity \(id)") }
            guard shown else { throw LedgerError.notFound("no events of \(id) at that time") }
        } }
    }

    /// A stream's events in position order, for `history` (its own text, so
    /// its cached statement is not the one `EventRows.stream` resets meanwhile).
    static let historyOfStreamSQL = "SELECT \(EventRows.columns) FROM events WHERE stream = ? ORDER BY position"
    /// A stream's retractions in position order, for `history`.
    static let retractionsOfStreamSQL =
        "SELECT \(EventRows.columns) FROM events WHERE stream = ? AND type = 'Retracted' ORDER BY position"

    /// Field-level differences of an entity between two as-of times; for a plan also its entities.
    public func diff(_ id: String, from: TimePoint, to: TimePoint, knownAt: TimePoint? = nil) throws -> DiffView {
        try read { db in
            let p1 = PointInTime(asOf: from, knownAt: knownAt), p2 = PointInTime(asOf: to, knownAt: knownAt)
            let before = try Self.view(db, id, at: p1), after = try Self.view(db, id, at: p2)
            guard before != nil || after != nil else {
                throw LedgerError.notFound("no entity \(id) as of \(from.input) or \(to.input)")
            }
            var view = DiffView(
                id: id, from: from.input, to: to.input, changes: Change.between(before?.state, after?.state))
            if (before ?? after)!.kind == .plan {
                var entities: [(String, String, [Change])] = []
                for (member, _) in try Self.members(db, of: id) {
                    let memberBefore = try Self.view(db, member, at: p1)
                    let memberAfter = try Self.view(db, member, at: p2)
                    let changes = Change.between(memberBefore?.state, memberAfter?.state)
                    switch (memberBefore, memberAfter) {
                    case (nil, nil): continue
                    case (nil, _): entities.append((member, "added", changes))
                    case (_, nil): entities.append((member, "removed", changes))
                    default: if !changes.isEmpty { entities.append((member, "changed", changes)) }
                    }
                }
                view.entities = entities
            }
            return view
        }
    }

    // MARK: Folding one entity

    /// The entity at a point in time, or nil when it does not exist then (or at all).
    static func view(_ db: Database, _ id: String, at point: PointInTime) throws -> EntityView? {
        if point.isNow {
            // The projection's head, and its last event read whole once: it is shown, and gives the fold key.
            var lastChange: Event?
            let entry = try Projection.loadEntry(db, id) { position in
                lastChange = try EventRows.at(db, position: position)
                return lastChange?.foldKey
            }
            guard let entry, let folded = entry.head, let lastChange else { return nil }
            return EntityView(id: id, kind: entry.kind, point: point, folded: folded, lastChange: lastChange)
        }
        guard let (kind, folded) = try folded(db, id, at: point), let folded else { return nil }
        guard let lastChange = try EventRows.at(db, position: folded.lastKey.position) else {
            throw LedgerError.integrity("the last change of \(id) (position \(folded.lastKey.position)) is missing")
        }
        return EntityView(id: id, kind: kind, point: point, folded: folded, lastChange: lastChange)
    }

    /// The fold of one stream at a point in time, from its events (a snapshot
    /// and those after it, else all). `view` answers now from the projection.
    static func folded(_ db: Database, _ id: String, at point: PointInTime) throws -> (EntityKind, Folded?)? {
        let rule = CountingRule(point)
        let foldReads = rule.foldReadsSQL
        guard let creation = try EventRows.creation(db, id), rule.isKnown(creation),
              let kind = creation.type.creates else { return nil }
        for snapshot in try latestSnapshots(db, id, kind: kind, at: point) {
            // Only the events after the snapshot's head (a range of the stream's
            // index) that are in effect by asOf, and every retraction: later
            // events cannot change this state, and only those rows are decoded.
            let statement = try RawStatement(db, """
                SELECT \(EventRows.columns) FROM events
                WHERE stream = ? AND version > (SELECT version FROM events WHERE position = ?)\(foldReads.andTerms)
                ORDER BY version
                """)
            statement.bind(1, id)
            statement.bind(2, snapshot.headPosition)
            foldReads.bind(to: statement, from: 3)
            var candidates: [Event] = []
            while try statement.step() { candidates.append(try EventRows.read(statement, .forFold)) }
            statement.reset()
            // A retraction of an event after the head that takes effect later still
            // needs its target among the candidates, or the snapshot looks unusable.
            let ids = Set(candidates.map(\.id))
            for retraction in candidates where retraction.type == .retracted {
                guard let target = retraction.data["event"]?.stringValue, !ids.contains(target),
                      let targetEvent = try EventRows.byID(db, target),
                      targetEvent.position > snapshot.headPosition, rule.isKnown(targetEvent) else { continue }
                candidates.append(targetEvent)
            }
            candidates.sort { $0.version < $1.version }
            let resumed = Fold.resume(snapshot, with: candidates, at: point, creationKey: creation.effective.key)
            if case .answered(let folded) = resumed {
                return (kind, folded)
            }
        }
        return (kind, Fold.state(of: try streamEvents(db, id, at: rule), at: point))
    }

    /// The events of a stream a fold at that time reads (`CountingRule.foldReadsSQL`).
    static func streamEvents(_ db: Database, _ id: String, at rule: CountingRule) throws -> [Event] {
        let foldReads = rule.foldReadsSQL
        let statement = try RawStatement(db, """
            SELECT \(EventRows.columns) FROM events WHERE stream = ?\(foldReads.andTerms) ORDER BY version
            """)
        statement.bind(1, id)
        foldReads.bind(to: statement, from: 2)
        var events: [Event] = []
        while try statement.step() { events.append(try EventRows.read(statement, .forFold)) }
        statement.reset()
        return events
    }

    /// The latest snapshot of a stream that a query at `point` may start from.
    /// The latest snapshots of a stream that a query at `point` may start
    /// from, newest first, one per point (the one that knew most): when an
    /// event recorded later slots in before the newest point, an earlier
    /// point usually still answers.
    static func latestSnapshots(
        _ db: Database,
        _ id: String,
        kind: EntityKind,
        at point: PointInTime
    ) throws -> [Snapshot] {
        let admitted = CountingRule(point).snapshotsAdmittedSQL
        let statement = try RawStatement(db, """
            SELECT \(SnapshotColumn.list) FROM snapshots
            WHERE stream = ?\(admitted.andTerms)
            ORDER BY effective_key DESC, last_position DESC, head_position DESC LIMIT 16
            """)
        statement.bind(1, id)
        admitted.bind(to: statement, from: 2)
        return try Projection.snapshots(from: statement, kind: kind, distinct: 3)
    }

    /// The themes, goals, initiatives and indicators of a plan, in creation order.
    static func members(_ db: Database, of plan: String) throws -> [(String, EntityKind)] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, kind FROM entities WHERE plan = ? ORDER BY created", arguments: [plan])
        return rows.compactMap { row in EntityKind(rawValue: row["kind"]).map { (row["id"], $0) } }
    }

    static func notFound(_ db: Database, _ id: String, _ point: PointInTime) -> LedgerError {
        let exists = (try? Int.fetchOne(db, sql: "SELECT 1 FROM entities WHERE id = ?", arguments: [id])) != nil
        guard exists else { return .notFound("no entity \(id)") }
        var when: [String] = []
        if let asOf = point.asOf { when.append("as of \(asOf.input)") }
        if let knownAt = point.knownAt { when.append("as known at \(knownAt.input)") }
        return .notFound(
            "\(id) does not exist \(when.isEmpty ? "now (its creation was retracted)" : when.joined(separator: " "))")
    }
}
