import Testing
@testable import GoalLedgerCore

/// `Change.between`: what `history`, `audit`, `diff` and the web show as
/// changed, flattened to dotted paths, in the kind's member order; within a
/// member, the new state's paths first, then those only the old one had.
struct ChangeBetweenTests {
    func goal(_ fields: [String: JSON]) -> EntityState { EntityState(kind: .goal, fields: fields) }

    @Test func nestedMembersFlattenInMemberOrderNewPathsFirst() {
        let old = goal([
            "title": "Clean air", "status": "active",
            "target": ["value": 40, "unit": "µg/m³", "deadline": "2030"],
        ])
        let new = goal([
            "title": "Cleaner air", "status": "active",
            "target": ["value": 30, "comparator": "<=", "unit": "µg/m³"],
            "links": [["to": "kb/plan/mal-2", "relation": "supports"]],
        ])
        #expect(Change.between(old, new) == [
            Change(field: "title", before: "Clean air", after: "Cleaner air"),
            Change(field: "target.value", before: 40, after: 30),
            Change(field: "target.comparator", before: nil, after: "<="),
            Change(field: "target.deadline", before: "2030", after: nil),
            Change(field: "links", before: nil, after: [["to": "kb/plan/mal-2", "relation": "supports"]]),
        ])
    }

    @Test func membersThatAppearOrGoShowEveryLeafAndAnEmptyObjectShowsNone() {
        #expect(Change.between(goal(["target": ["value": 1, "baseline": ["value": 3, "at": "2019"]]]), goal([:])) == [
            Change(field: "target.value", before: 1, after: nil),
            Change(field: "target.baseline.value", before: 3, after: nil),
            Change(field: "target.baseline.at", before: "2019", after: nil),
        ])
        #expect(Change.between(goal(["target": [:]]), goal([:])) == [])
        #expect(Change.between(goal(["target": "x"]), goal(["target": ["value": 1]])) == [
            Change(field: "target.value", before: nil, after: 1),
            Change(field: "target", before: "x", after: nil),
        ])
        #expect(Change.between(nil, goal(["title": "T", "target": ["value": 1]])) == [
            Change(field: "title", before: nil, after: "T"),
            Change(field: "target.value", before: nil, after: 1),
        ])
    }

    @Test func membersTheKindDoesNotHaveComeLastSorted() {
        let old = goal(["zeta": 1, "title": "A"]), new = goal(["alpha": ["x": 2], "zeta": 2, "title": "B"])
        #expect(Change.between(old, new) == [
            Change(field: "title", before: "A", after: "B"),
            Change(field: "alpha.x", before: nil, after: 2),
            Change(field: "zeta", before: 1, after: 2),
        ])
    }

    /// The definition, written the plain way: flatten both whole states, order
    /// every path by its member's place (new paths first), compare path by path.
    static func reference(_ old: EntityState?, _ new: EntityState?) -> [Change] {
        func leaves(_ state: EntityState?) -> [(path: String, value: JSON, top: Int)] {
            guard let state else { return [] }
            return state.flattened.map { leaf in
                let member = String(leaf.path.prefix { $0 != "." })
                return (leaf.path, leaf.value, state.kind.stateOrder.firstIndex(of: member) ?? Int.max)
            }
        }
        let before = leaves(old), after = leaves(new)
        var order: [(top: Int, seq: Int, path: String)] = []
        for leaf in after + before where !order.contains(where: { $0.path == leaf.path }) {
            order.append((leaf.top, order.count, leaf.path))
        }
        order.sort { ($0.top, $0.seq) < ($1.top, $1.seq) }
        return order.compactMap { entry in
            let was = before.last { $0.path == entry.path }?.value, now = after.last { $0.path == entry.path }?.value
            return was == now ? nil : Change(field: entry.path, before: was, after: now)
        }
    }

    @Test func randomStatesOfOneKindAgreeWithTheDefinition() {
        var rng = SplitMix64(seed: 12)
        func value(_ depth: Int) -> JSON {
            switch Int.random(in: 0..<(depth < 2 ? 5 : 3), using: &rng) {
            case 0: return .number(Double(Int.random(in: 0..<3, using: &rng)))
            case 1: return .string(["a", "b"].randomElement(using: &rng)!)
            case 2: return .array([.number(Double(Int.random(in: 0..<2, using: &rng)))])
            default:
                var object = JSONObject()
                for name in ["value", "unit", "at", "baseline"].shuffled(using: &rng).prefix(Int.random(in: 0...3, using: &rng)) {
                    object[name] = value(depth + 1)
                }
                return .object(object)
            }
        }
        func state() -> EntityState? {
            guard Int.random(in: 0..<8, using: &rng) > 0 else { return nil }
            var state = EntityState(kind: .indicator)
            for name in EntityKind.indicator.stateOrder where Bool.random(using: &rng) { state[name] = value(0) }
            return state
        }
        for _ in 0..<2_000 {
            let old = state()
            // Often the new state is the old with a member or two changed, as after one event.
            var new = Bool.random(using: &rng) ? old : state()
            if new != nil, Bool.random(using: &rng) { new![EntityKind.indicator.stateOrder.randomElement(using: &rng)!] = value(0) }
            #expect(Change.between(old, new) == Self.reference(old, new), "\(String(describing: old)) → \(String(describing: new))")
        }
    }
}
