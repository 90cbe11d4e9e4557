/// The members the fold itself writes, and those every projection row reads,
/// addressed by a fixed slot instead of by name.
public enum StateMember: Int, CaseIterable, Sendable {
    case status, adoptedBy, adoptedOn, supersededBy, milestones, target, latest, measurements, links
    case title, name, plan, theme, goal, memberOf

    public var name: String { Self.names[rawValue] }
    private static let names = allCases.map { String(describing: $0) }
}

/// The folded state of one entity: the kind's members as SPEC §6 names them.
///
/// Members live in fixed slots, one per name of the kind's `stateOrder`, so
/// the fold sets them without hashing names and the state is written out in
/// a fixed order without sorting.
public struct EntityState: Sendable, Equatable {
    public let kind: EntityKind
    /// Slot k holds member `kind.stateOrder[k]`.
    private var slots: [JSON?]
    /// Members the kind does not have: a valid ledger folds none, a damaged one
    /// might, and they still show (after the others, sorted).
    private var extra: [String: JSON] = [:]

    /// A state with no members yet.
    public init(kind: EntityKind) {
        self.kind = kind
        slots = Array(repeating: nil, count: kind.stateOrder.count)
    }

    public init(kind: EntityKind, fields: [String: JSON]) {
        self.init(kind: kind)
        for (k, v) in fields { self[k] = v }
    }

    /// Every member by name.
    public var fields: [String: JSON] {
        var f = extra
        for (k, name) in kind.stateOrder.enumerated() { if let v = slots[k] { f[name] = v } }
        return f
    }

    /// The names of the members present, in the kind's order, then the others sorted.
    public var memberNames: [String] {
        kind.stateOrder.indices.filter { slots[$0] != nil }.map { kind.stateOrder[$0] } + extra.keys.sorted()
    }

    public subscript(_ name: String) -> JSON? {
        get {
            if let k = kind.slot(name) { return slots[k] }
            return extra.isEmpty ? nil : extra[name]
        }
        set {
            if let k = kind.slot(name) { slots[k] = newValue } else { extra[name] = newValue }
        }
    }

    public subscript(_ m: StateMember) -> JSON? {
        get {
            let k = Int(EntityKind.memberSlots[kind.ordinal][m.rawValue])
            if k >= 0 { return slots[k] }
            return extra.isEmpty ? nil : extra[m.name]
        }
        set {
            let k = Int(EntityKind.memberSlots[kind.ordinal][m.rawValue])
            if k >= 0 { slots[k] = newValue } else { extra[m.name] = newValue }
        }
    }

    public var title: String? { self[.title]?.stringValue ?? self[.name]?.stringValue }
    public var status: String? { self[.status]?.stringValue }

    /// The state as a JSON object in the kind's member order.
    public var json: JSONObject {
        var o = JSONObject(capacity: slots.count)
        for (k, name) in kind.stateOrder.enumerated() { if let v = slots[k] { o.appendUnchecked(name, v) } }
        for name in extra.keys.sorted() { o.appendUnchecked(name, extra[name]!) }
        return o
    }

    /// Canonical text of the state, as stored in projections and snapshots.
    public var canonicalJSON: String {
        guard extra.isEmpty else { return JSONWriter.canonical(.object(json)) }
        var w = JSONWriter(capacity: 512)
        w.append("{")
        var first = true
        let names = kind.stateOrder
        for k in EntityKind.canonicalSlots[kind.ordinal] {
            guard let v = slots[k] else { continue }
            if !first { w.append(",") }
            first = false
            w.key(names[k])
            w.writeCanonical(v)
        }
        w.append("}")
        return w.string
    }

    /// Reads a stored state back, its nested members in fold order (see `inFoldOrder`),
    /// so `show` prints the same whether it read the projection, a snapshot or every event.
    public init(kind: EntityKind, canonicalJSON: String) throws {
        guard case .object(let o) = try JSONParser.parse(canonicalJSON) else { throw InputError("state is not an object") }
        self.init(kind: kind)
        for (k, v) in o { self[k] = v }
        self = inFoldOrder()
    }

    /// The state with its nested objects in the order the fold writes them
    /// (the vocabulary's: `target` value, unit, comparator, …), for a state
    /// read back from canonical JSON, whose members are sorted.
    public func inFoldOrder() -> EntityState {
        func order(_ o: JSONObject, _ names: [String]) -> JSONObject {
            var out = JSONObject()
            for n in names { if let v = o[n] { out[n] = v } }
            for (k, v) in o where !names.contains(k) { out[k] = v }
            return out
        }
        var s = self
        if case .object(let o)? = self[.target] {
            var t = order(o, EventType.targetSet.fields.map(\.name))
            if case .object(let b)? = t["baseline"] { t["baseline"] = .object(order(b, ["value", "at"])) }
            s[.target] = .object(t)
        }
        if case .object(let o)? = self["horizon"] { s["horizon"] = .object(order(o, ["from", "to"])) }
        if case .object(let o)? = self[.latest] { s[.latest] = .object(order(o, ["value", "period", "effective"])) }
        if case .array(let a)? = self[.links] {
            s[.links] = .array(a.map { $0.objectValue.map { .object(order($0, ["to", "relation"])) } ?? $0 })
        }
        if case .array(let a)? = self[.milestones] {
            s[.milestones] = .array(a.map { $0.objectValue.map { .object(order($0, ["date", "title", "kind"])) } ?? $0 })
        }
        return s
    }

    /// The state flattened into dotted paths (`target.value`); arrays are leaves.
    public var flattened: [(path: String, value: JSON)] { flattened(members: nil) }

    /// `flattened`, limited to some top-level members (nil: all).
    func flattened(members: Set<String>?) -> [(path: String, value: JSON)] {
        var out: [(String, JSON)] = []
        func walk(_ prefix: String, _ v: JSON) {
            if case .object(let o) = v {
                for (k, sub) in o { walk(prefix + "." + k, sub) }
            } else {
                out.append((prefix, v))
            }
        }
        for (k, v) in json where members?.contains(k) ?? true { walk(k, v) }
        return out
    }
}

/// One field-level difference: `before`/`after` are absent where the field did not exist.
public struct Change: Sendable, Equatable {
    public var field: String
    public var before: JSON?
    public var after: JSON?

    public init(field: String, before: JSON?, after: JSON?) {
        self.field = field
        self.before = before
        self.after = after
    }

    public var json: JSON {
        var o = JSONObject()
        o["field"] = .string(field)
        if let before { o["before"] = before }
        if let after { o["after"] = after }
        return .object(o)
    }

    /// The differences between two states of one entity, in the kind's member order.
    public static func between(_ a: EntityState?, _ b: EntityState?) -> [Change] {
        // Only members that differ at the top can hold a change: flatten just those.
        var differing = Set<String>()
        for k in a?.memberNames ?? [] where a?[k] != b?[k] { differing.insert(k) }
        for k in b?.memberNames ?? [] where a?[k] != b?[k] { differing.insert(k) }
        if differing.isEmpty { return [] }
        let before = a?.flattened(members: differing) ?? [], after = b?.flattened(members: differing) ?? []
        var beforeMap: [String: JSON] = [:]
        for (p, v) in before { beforeMap[p] = v }
        var afterMap: [String: JSON] = [:]
        for (p, v) in after { afterMap[p] = v }
        // Order: every path of `after` in its order, with paths only in
        // `before` placed before the next `after` path of a later member.
        var order: [String] = []
        var seen = Set<String>()
        let kind = b?.kind ?? a?.kind
        let stateOrder = kind?.stateOrder ?? []
        func top(_ p: String) -> Int { stateOrder.firstIndex(of: String(p.prefix { $0 != "." })) ?? Int.max }
        for (p, _) in after + before where !seen.contains(p) {
            seen.insert(p)
            order.append(p)
        }
        let indexed = order.enumerated().map { (top($1), $0, $1) }
        var changes: [Change] = []
        for (_, _, p) in indexed.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            let x = beforeMap[p], y = afterMap[p]
            if x != y { changes.append(Change(field: p, before: x, after: y)) }
        }
        return changes
    }
}
