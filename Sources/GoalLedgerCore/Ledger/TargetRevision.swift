/// Which way a `TargetSet` moved a target that already existed, judged by its
/// comparator: a value moved against the comparator (lower for `>=`, higher
/// for `<=`), a later deadline or a removed one makes the goal easier to meet.
public enum TargetDirection: String, Sendable, Equatable {
    /// Harder to meet: the value moved with the comparator, or the deadline is earlier or new.
    case tightened
    /// Easier to meet ("moved goalposts"): the value moved against the comparator, or the deadline is later or gone.
    case loosened
    /// Changed in a way that is neither (unit, baseline, a value under `=` or without comparator).
    case changed

    /// The direction of a `TargetSet` from the target it sets (its `data`) and
    /// its field-level changes (`history`'s `target.value`, `target.deadline`,
    /// … before → after), which give back the target it replaced; nil when it
    /// set a first target or changed nothing. A revision that is easier in one
    /// respect and harder in another counts as loosened: the question is
    /// whether any part of the goal was made easier.
    public static func of(setting target: JSONObject, changes: [Change]) -> TargetDirection? {
        guard let before = replaced(by: target, changes: changes) else { return nil }
        return between(before, target) ?? .changed
    }

    /// The target a `TargetSet` replaced, rebuilt from the target it sets and its
    /// field-level changes; nil when it set a first target or did not touch the target.
    public static func replaced(by target: JSONObject, changes: [Change]) -> JSONObject? {
        let targetChanges = changes.filter { $0.field == "target" || $0.field.hasPrefix("target.") }
        guard !targetChanges.isEmpty else { return nil }
        // A first target: its value (required in every target) did not exist before.
        if targetChanges.contains(where: { ($0.field == "target.value" || $0.field == "target") && $0.before == nil }) {
            return nil
        }
        var before = target
        for change in targetChanges {
            let path = change.field.split(separator: ".").dropFirst()
            // Only top-level members are rebuilt (value, unit, comparator, deadline; not baseline's parts).
            guard path.count == 1, let member = path.first else { continue }
            before[String(member)] = change.before
        }
        return before
    }

    /// The direction between two target objects (`{value, unit, comparator?, deadline?}`);
    /// nil when there was no target before.
    public static func between(_ before: JSONObject?, _ after: JSONObject?) -> TargetDirection? {
        guard let before, let after else { return nil }
        var loosened = false, tightened = false
        let comparator = after["comparator"]?.stringValue
        if before["comparator"]?.stringValue == comparator,
           let old = before["value"]?.numberValue, let new = after["value"]?.numberValue, old != new {
            judgeValue(old: old, new: new, comparator: comparator, loosened: &loosened, tightened: &tightened)
        }
        judgeDeadline(old: before["deadline"]?.stringValue, new: after["deadline"]?.stringValue,
                      loosened: &loosened, tightened: &tightened)
        if loosened { return .loosened }
        if tightened { return .tightened }
        return before == after ? nil : .changed
    }

    private static func judgeValue(old: Double, new: Double, comparator: String?,
                                   loosened: inout Bool, tightened: inout Bool) {
        switch comparator {
        case ">=": if new < old { loosened = true } else if new > old { tightened = true }
        case "<=": if new > old { loosened = true } else if new < old { tightened = true }
        default: break
        }
    }

    private static func judgeDeadline(old: String?, new: String?, loosened: inout Bool, tightened: inout Bool) {
        switch (old, new) {
        case let (old?, new?):
            // Dates and UTC instants as stored sort as text.
            if new > old { loosened = true } else if new < old { tightened = true }
        case (.some, nil): loosened = true
        case (nil, .some): tightened = true
        case (nil, nil): break
        }
    }

    /// Whether a measured value meets a target: `>=`, `<=` or `=`; nil without a comparator.
    public static func meets(_ value: Double, _ target: JSONObject) -> Bool? {
        guard let goal = target["value"]?.numberValue else { return nil }
        switch target["comparator"]?.stringValue {
        case ">=": return value >= goal
        case "<=": return value <= goal
        case "=": return value == goal
        default: return nil
        }
    }
}
