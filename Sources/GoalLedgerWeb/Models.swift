import GoalLedgerCore
import GoalLedgerStore

/// What the pages show, read from the ledger through the store's public
/// queries only. Building a model is the only step that reads the ledger;
/// rendering a model (`Pages`) is a pure function of it.
public enum PageModel: Sendable {
    case index(IndexModel)
    case entity(EntityModel)
    case audit(AuditModel)
    case verify(VerifyModel)
}

/// Facts every page shows: the time asked for and the ledger's head.
public struct PageFrame: Sendable {
    public var point: PointInTime
    public var head: (position: Int64, hash: String)?

    public init(point: PointInTime, head: (position: Int64, hash: String)?) {
        self.point = point
        self.head = head
    }
}

public struct IndexModel: Sendable {
    public var frame: PageFrame
    public var plans: [EntityView]
}

/// A goal's bullet in a plan's tree: latest value, current target, original target.
public struct GoalBullet: Sendable {
    public var latest: JSONObject?
    public var latestUnit: String?
    public var current: JSONObject?
    /// The first target, when later revisions changed it.
    public var original: JSONObject?
    /// How many events after the point in view changed this entity.
    public var laterChanges: Int
}

public struct EntityModel: Sendable {
    public var frame: PageFrame
    public var view: EntityView
    public var history: [HistoryRow]
    /// The same entity now (no time limits), when the page asks for another time.
    public var now: EntityView?
    /// Events after the point in view that changed this entity ("ændret senere").
    public var laterChanges: Int
    public var tree: TreeView?
    public var bullets: [String: GoalBullet]
    /// For a goal: its indicators at that time.
    public var indicators: [EntityView]
    public var chart: TargetChart?
}

/// A target's history in effective time, as the target-history chart draws it.
public struct TargetChart: Sendable {
    public struct Step: Sendable {
        public var from: Effective
        public var target: JSONObject
        /// The `TargetSet` that set it.
        public var event: Event
    }

    public struct Revision: Sendable {
        public var row: HistoryRow
        public var before: JSONObject?
        public var after: JSONObject
        public var direction: TargetDirection?
        public var backdatedDays: Int64
    }

    public struct Measurement: Sendable {
        public var indicator: String
        public var recorded: String
        public var effective: Effective
        public var value: Double
        public var period: String?
    }

    public var unit: String?
    /// The target in force over effective time, as the ledger knows it at the page's known-at.
    public var steps: [Step]
    /// Before each revision (by position): the steps the ledger held just before it was recorded.
    public var earlier: [(revision: Int64, steps: [Step])]
    public var revisions: [Revision]
    public var measurements: [Measurement]
    public var backdatedThresholdDays: Int
}

public struct AuditModel: Sendable {
    public var frame: PageFrame
    public var query: AuditQuery
    /// The rows of this page, in the order asked for.
    public var rows: [HistoryRow]
    public var total: Int
    public var pageCount: Int
    /// For `loosened`: what the ledger knew of each revision's goal then, by position.
    public var contexts: [Int64: RevisionContext]
    /// Recording lag of the rows matched (a sample of at most `AuditQuery.lagSampleLimit`).
    public var lag: [(effective: Effective, days: Double)]
}

public struct VerifyModel: Sendable {
    public var frame: PageFrame
    /// nil when the ledger verified; else the failure's one-line message.
    public var failure: String?
    public var report: VerifyReport?
}

/// `/audit`'s filters and page, from the query string (SPEC §9) or the CLI's flags.
public struct AuditQuery: Sendable, Equatable {
    public var types: [EventType] = []
    public var actors: [String] = []
    public var field: String?
    public var stream: String?
    public var backdated: Int?
    public var loosened = false
    public var newestFirst = true
    public var page = 1

    public static let pageSize = 50
    /// The lag plot draws at most this many events; beyond it, every k-th of those matched.
    public static let lagSampleLimit = 2_000
    /// Rows recorded more than this many days after they took effect are marked
    /// backdated on the pages when no `backdated` filter is given.
    public static let defaultBackdatedDays = 30

    public init() {}

    public func filter(knownAt: TimePoint?) -> AuditFilter {
        var filter = AuditFilter()
        filter.types = types
        filter.actors = actors
        filter.field = field
        filter.stream = stream
        filter.backdatedDays = backdated
        filter.loosened = loosened
        filter.knownAt = knownAt
        return filter
    }
}

public enum Models {
    public static func frame(_ ledger: Ledger, _ point: PointInTime) throws -> PageFrame {
        PageFrame(point: point, head: try ledger.head())
    }

    public static func index(_ ledger: Ledger, at point: PointInTime) throws -> IndexModel {
        IndexModel(frame: try frame(ledger, point), plans: try ledger.list(kind: .plan, at: point))
    }

    /// One entity's page. Throws `notFound` (exit 3, HTTP 404) when it does not exist at that time.
    public static func entity(_ ledger: Ledger, _ id: String, at point: PointInTime,
                              backdatedThresholdDays: Int = AuditQuery.defaultBackdatedDays) throws -> EntityModel {
        let view = try ledger.show(id, at: point)
        let history = try ledger.history(id, at: point)
        let now = point.isNow ? nil : try? ledger.show(id, at: .now)
        var model = EntityModel(frame: try frame(ledger, point), view: view, history: history, now: now,
                                laterChanges: try laterChanges(ledger, id, at: point, shown: history),
                                tree: nil, bullets: [:], indicators: [], chart: nil)
        switch view.kind {
        case .plan:
            let tree = try ledger.tree(id, at: point)
            model.tree = tree
            let indicatorsByGoal = Dictionary(grouping: tree.indicators) { $0.state["goal"]?.stringValue ?? "" }
            for goal in tree.goals {
                model.bullets[goal.id] = try bullet(ledger, goal, indicators: indicatorsByGoal[goal.id] ?? [])
            }
        case .goal:
            model.indicators = try ledger.indicators(of: view)
            model.chart = try chart(ledger, view, indicators: model.indicators, threshold: backdatedThresholdDays,
                                    history: point.asOf == nil ? history : nil)
        case .indicator:
            model.chart = try chart(ledger, view, indicators: [view], threshold: backdatedThresholdDays,
                                    history: point.asOf == nil ? history : nil)
        case .actor, .theme, .initiative:
            break
        }
        return model
    }

    /// Events of the stream the ledger knows now that change it but are not in
    /// the view: in effect after `asOf`, or recorded after `knownAt`.
    /// - parameter shown: the entity's history at `point`, which the caller has read already.
    static func laterChanges(_ ledger: Ledger, _ id: String, at point: PointInTime, shown: [HistoryRow]) throws -> Int {
        guard !point.isNow else { return 0 }
        let all = try ledger.history(id, at: .now)
        let shownPositions = Set(shown.map(\.event.position))
        return all.filter { !shownPositions.contains($0.event.position) && !$0.changes.isEmpty }.count
    }

    static func bullet(_ ledger: Ledger, _ goal: EntityView, indicators: [EntityView]) throws -> GoalBullet {
        let current = goal.state["target"]?.objectValue
        let history = try ledger.history(goal.id, at: goal.point)
        let targets = history.filter { $0.event.type == .targetSet && $0.retractedBy == nil }
        let original = targets.count > 1 ? targets.first?.event.data : nil
        let measured = indicators.compactMap { view in view.state["latest"]?.objectValue.map { (view, $0) } }
        let latest = measured.max { ($0.1["effective"]?.stringValue ?? "") < ($1.1["effective"]?.stringValue ?? "") }
        return GoalBullet(latest: latest?.1, latestUnit: latest?.0.state["unit"]?.stringValue, current: current,
                          original: original == current ? nil : original,
                          laterChanges: try laterChanges(ledger, goal.id, at: goal.point, shown: history))
    }

    /// The target-history chart of a goal or indicator: every target and
    /// measurement the ledger knows at the page's known-at, in effective time.
    /// - parameter history: the entity's history at its known-at with no as-of, when the caller has it.
    static func chart(_ ledger: Ledger, _ view: EntityView, indicators: [EntityView], threshold: Int,
                      history: [HistoryRow]? = nil) throws -> TargetChart? {
        let known = PointInTime(asOf: nil, knownAt: view.point.knownAt)
        let rows = try history ?? ledger.history(view.id, at: known)
        let targetRows = rows.filter { $0.event.type == .targetSet }
        guard !targetRows.isEmpty else { return nil }
        let inForce = targetRows.filter { $0.retractedBy == nil }
        let steps = orderedSteps(inForce)
        var revisions: [TargetChart.Revision] = []
        var earlier: [(Int64, [TargetChart.Step])] = []
        for row in inForce {
            guard let direction = row.targetDirection else { continue }
            let before = TargetDirection.replaced(by: row.event.data, changes: row.changes)
            revisions.append(TargetChart.Revision(row: row, before: before, after: row.event.data,
                                                  direction: direction,
                                                  backdatedDays: row.event.backdatedSeconds / 86_400))
            // What the ledger held just before this revision was recorded: the
            // targets recorded earlier and not retracted by then.
            let priorRows = targetRows.filter { candidate in
                candidate.event.position < row.event.position
                    && (candidate.retractedBy.map { $0 > row.event.position } ?? true)
            }
            earlier.append((row.event.position, orderedSteps(priorRows)))
        }
        var measurements: [TargetChart.Measurement] = []
        for indicator in indicators {
            let indicatorRows = indicator.id == view.id ? rows : try ledger.history(indicator.id, at: known)
            for row in indicatorRows where row.event.type == .measurementRecorded && row.retractedBy == nil {
                guard let value = row.event.data["value"]?.numberValue else { continue }
                measurements.append(TargetChart.Measurement(indicator: indicator.id, recorded: row.event.recorded,
                                                            effective: row.event.effective,
                                                            value: value,
                                                            period: row.event.data["period"]?.stringValue))
            }
        }
        measurements.sort { $0.effective < $1.effective }
        return TargetChart(unit: steps.last?.target["unit"]?.stringValue, steps: steps, earlier: earlier,
                           revisions: revisions, measurements: measurements, backdatedThresholdDays: threshold)
    }

    /// Targets as steps in effective order (ties by position, as a fold orders them).
    static func orderedSteps(_ rows: [HistoryRow]) -> [TargetChart.Step] {
        rows.sorted { ($0.event.effective, $0.event.position) < ($1.event.effective, $1.event.position) }
            .map { TargetChart.Step(from: $0.event.effective, target: $0.event.data, event: $0.event) }
    }

    public static func audit(_ ledger: Ledger, _ query: AuditQuery, at point: PointInTime) throws -> AuditModel {
        let filter = query.filter(knownAt: point.knownAt)
        let size = AuditQuery.pageSize
        // Oldest first: keep rows [start, start+size). Newest first: keep the last
        // `page * size` rows in a ring, since the total is known only at the end.
        var kept: [HistoryRow] = []
        var ring: [HistoryRow] = []
        let ringCapacity = query.page * size
        var ringStart = 0
        var total = 0
        var lag: [(Effective, Double)] = []
        var lagStride = 1
        try ledger.audit(filter) { row in
            if total % lagStride == 0 {
                lag.append((row.event.effective, Double(row.event.backdatedSeconds) / 86_400))
                if lag.count > AuditQuery.lagSampleLimit {
                    // Keep every other point and sample half as often from now on.
                    lag = stride(from: 0, to: lag.count, by: 2).map { lag[$0] }
                    lagStride *= 2
                }
            }
            if query.newestFirst {
                if ring.count < ringCapacity { ring.append(row) } else {
                    ring[ringStart] = row
                    ringStart = (ringStart + 1) % ringCapacity
                }
            } else if total >= (query.page - 1) * size && total < query.page * size {
                kept.append(row)
            }
            total += 1
        }
        if query.newestFirst {
            let ordered = Array(ring[ringStart...] + ring[..<ringStart]).reversed()
            kept = Array(ordered.dropFirst((query.page - 1) * size).prefix(size))
        }
        var contexts: [Int64: RevisionContext] = [:]
        if query.loosened {
            for row in kept { contexts[row.event.position] = try ledger.revisionContext(of: row) }
        }
        return AuditModel(frame: try frame(ledger, point), query: query, rows: kept, total: total,
                          pageCount: max(1, (total + size - 1) / size), contexts: contexts, lag: lag)
    }

    public static func verify(_ ledger: Ledger) throws -> VerifyModel {
        let frame = try frame(ledger, .now)
        do {
            return VerifyModel(frame: frame, failure: nil, report: try ledger.verify())
        } catch let error as LedgerError where error.kind == .integrity {
            return VerifyModel(frame: frame, failure: error.message, report: nil)
        }
    }
}
