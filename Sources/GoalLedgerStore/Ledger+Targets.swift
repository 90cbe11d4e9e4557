import GRDB
import GoalLedgerCore

extension HistoryRow {
    /// For a `TargetSet` that revised an existing target: whether it made the
    /// goal harder or easier to meet (SPEC §7 `audit --loosened`); else nil.
    public var targetDirection: TargetDirection? {
        guard event.type == .targetSet else { return nil }
        return TargetDirection.of(setting: event.data, changes: changes)
    }
}

/// What the ledger knew of a goal's progress when one of its targets was revised.
public struct RevisionContext: Sendable {
    /// The indicator whose measurement this is (the entity itself for an indicator).
    public var indicator: String
    /// The latest measurement (`{value, period?, effective}`) in effect at the
    /// revision's effective date, as the ledger knew it when the revision was recorded.
    public var latest: JSONObject
    /// Whether that measurement met the target the revision replaced; nil without a comparator.
    public var onCourse: Bool?

    public var json: JSON {
        var object = JSONObject()
        object["indicator"] = .string(indicator)
        object["latest"] = .object(latest)
        if let onCourse { object["onCourse"] = .bool(onCourse) }
        return .object(object)
    }
}

extension Ledger {
    /// The indicators of a goal that exist at the goal view's point in time, in creation order.
    public func indicators(of goal: EntityView) throws -> [EntityView] {
        guard goal.kind == .goal, let plan = goal.state["plan"]?.stringValue else { return [] }
        return try read { db in
            try Self.members(db, of: plan).compactMap { member, kind in
                guard kind == .indicator, let view = try Self.view(db, member, at: goal.point),
                      view.state["goal"]?.stringValue == goal.id else { return nil }
                return view
            }
        }
    }

    /// The latest measurement a revision's authors could see: in effect at the
    /// revision's effective date, recorded by the time the revision was; for a
    /// goal, the most recent of its indicators' (preferring those in the
    /// target's unit). Nil when there was none.
    /// - parameter row: a `TargetSet` row of `history` or `audit`.
    public func revisionContext(of row: HistoryRow) throws -> RevisionContext? {
        guard row.event.type == .targetSet else { return nil }
        let knownAt = try TimePoint(parsing: row.event.recorded)
        let asOf = try TimePoint(parsing: row.event.effective.text)
        let point = PointInTime(asOf: asOf, knownAt: knownAt)
        guard let entity = try? show(row.event.stream, at: point) else { return nil }
        let candidates = entity.kind == .indicator ? [entity] : try indicators(of: entity)
        let unit = row.event.data["unit"]?.stringValue
        let measured = candidates.compactMap { view -> (EntityView, JSONObject)? in
            view.state["latest"]?.objectValue.map { (view, $0) }
        }
        let sameUnit = measured.filter { $0.0.state["unit"]?.stringValue == unit }
        guard let (indicator, latest) = (sameUnit.isEmpty ? measured : sameUnit).max(by: { earlier, later in
            (earlier.1["effective"]?.stringValue ?? "") < (later.1["effective"]?.stringValue ?? "")
        }) else { return nil }
        let replaced = TargetDirection.replaced(by: row.event.data, changes: row.changes) ?? row.event.data
        let onCourse = latest["value"]?.numberValue.flatMap { TargetDirection.meets($0, replaced) }
        return RevisionContext(indicator: indicator.id, latest: latest, onCourse: onCourse)
    }
}
