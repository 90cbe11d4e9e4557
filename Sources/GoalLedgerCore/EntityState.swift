/// The folded state of one entity: the kind's members as SPEC §6 names them.
public struct EntityState: Sendable, Equatable {
    public let kind: EntityKind
    public var fields: [String: JSON]

    public init(kind: EntityKind, fields: [String: JSON]) {
        self.kind = kind
        self.fields = fields
    }

    public subscript(_ name: String) -> JSON? {
        get { fields[name] }
        set { fields[name] = newValue }
    }

    public var title: String? { fields["title"]?.stringValue ?? fields["name"]?.stringValue }
    public var status: String? { fields["status"]?.stringValue }

    /// The state as a JSON object in the kind's member order.
    public var json: JSONObject {
        var o = JSONObject()
        for name in kind.stateOrder { if let v = fields[name] { o[name] = v } }
        // Members outside the fixed order (none today) still show, sorted.
        for name in fields.keys.sorted() where !kind.stateOrder.contains(name) { o[name] = fields[name] }
        return o
    }

    /// Canonical text of the state, as stored in projections and snapshots.
    public var canonicalJSON: String { JSONWriter.canonical(.object(json)) }

    /// Reads a stored state back.
    /// Reads a stored state back, its nested members in fold order (see `inFoldOrder`),
    /// so `show` prints the same whether it read the projection, a snapshot or every event.
    public init(kind: EntityKind, canonicalJSON: String) throws {
        guard case .object(let o) = try JSONParser.parse(canonicalJSON) else { throw InputError("state is not an object") }
        var f: [String: JSON] = [:]
        for (k, v) in o { f[k] = v }
        self = EntityState(kind: kind, fields: f).inFoldOrder()
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
        for (name, value) in fields {
            switch (name, value) {
            case ("target", .object(let o)):
                var t = order(o, EventType.targetSet.fields.map(\.name))
                if case .object(let b)? = t["baseline"] { t["baseline"] = .object(order(b, ["value", "at"])) }
                s.fields[name] = .object(t)
            case ("horizon", .object(let o)):
                s.fields[name] = .object(order(o, ["from", "to"]))
            case ("latest", .object(let o)):
                s.fields[name] = .object(order(o, ["value", "period", "effective"]))
            case ("links", .array(let a)):
                s.fields[name] = .array(a.map { $0.objectValue.map { .object(order($0, ["to", "relation"])) } ?? $0 })
            case ("milestones", .array(let a)):
                s.fields[name] = .array(a.map { $0.objectValue.map { .object(order($0, ["date", "title", "kind"])) } ?? $0 })
            default:
                break
            }
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
        for k in (a?.fields.keys).map(Array.init) ?? [] where a?.fields[k] != b?.fields[k] { differing.insert(k) }
        for k in (b?.fields.keys).map(Array.init) ?? [] where a?.fields[k] != b?.fields[k] { differing.insert(k) }
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
