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
        var w = JSONWriter(capacity: 512)
        writeCanonicalJSON(into: &w)
        return w.string
    }

    /// Appends `canonicalJSON` to a writer (`verify` compares it with stored bytes).
    public func writeCanonicalJSON(into w: inout JSONWriter) {
        guard extra.isEmpty else { return w.writeCanonical(.object(json)) }
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
    public var flattened: [(path: String, value: JSON)] { leaves(members: nil).map { ($0.path, $0.value) } }

    /// `flattened`, limited to some top-level members (nil: all), each path
    /// with the place in `stateOrder` of its first segment (`Int.max` for none).
    func leaves(members: [String]?) -> [(path: String, value: JSON, top: Int)] {
        var out: [(String, JSON, Int)] = []
        let order = kind.stateOrder
        func walk(_ prefix: String, _ v: JSON, _ top: Int) {
            if case .object(let o) = v {
                for (k, sub) in o { walk(prefix + "." + k, sub, top) }
            } else {
                out.append((prefix, v, top))
            }
        }
        func top(_ name: String) -> Int {
            guard name.utf8.contains(UInt8(ascii: ".")) else { return kind.slot(name) ?? Int.max }
            return order.firstIndex(of: String(name.prefix { $0 != "." })) ?? Int.max
        }
        for (k, name) in order.enumerated() where members?.contains(name) ?? true {
            if let v = slots[k] { walk(name, v, k) }
        }
        for name in extra.keys.sorted() where members?.contains(name) ?? true { walk(name, extra[name]!, top(name)) }
        return out
    }

    /// The top-level members whose values differ between two states.
    static func differingMembers(_ a: EntityState?, _ b: EntityState?) -> [String] {
        if let a, let b, a.kind == b.kind, a.extra.isEmpty, b.extra.isEmpty {
            return a.kind.stateOrder.indices.filter { a.slots[$0] != b.slots[$0] }.map { a.kind.stateOrder[$0] }
        }
        var differing: [String] = []
        for k in (a?.memberNames ?? []) + (b?.memberNames ?? []) where a?[k] != b?[k] && !differing.contains(k) {
            differing.append(k)
        }
        return differing
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
        let differing = EntityState.differingMembers(a, b)
        if differing.isEmpty { return [] }
        let before = a?.leaves(members: differing) ?? [], after = b?.leaves(members: differing) ?? []
        // Order: every path of `after` in its order, with paths only in
        // `before` placed before the next `after` path of a later member.
        // The kind of `b` (else `a`) orders the members.
        let reorder = a != nil && b != nil && a!.kind != b!.kind
        var order: [(top: Int, seq: Int, path: String)] = []
        for (p, _, top) in after + before where !order.contains(where: { $0.path == p }) {
            let t = reorder ? (b!.kind.slot(String(p.prefix { $0 != "." })) ?? Int.max) : top
            order.append((t, order.count, p))
        }
        order.sort { ($0.top, $0.seq) < ($1.top, $1.seq) }
        var changes: [Change] = []
        for (_, _, p) in order {
            // The last leaf of a path wins, as a dictionary of them would keep it.
            let x = before.last { $0.path == p }?.value, y = after.last { $0.path == p }?.value
            if x != y { changes.append(Change(field: p, before: x, after: y)) }
        }
        return changes
    }
}
