/// The members the fold itself writes, and those every projection reads,
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
        for (name, value) in fields { self[name] = value }
    }

    /// Every member by name.
    public var fields: [String: JSON] {
        var byName = extra
        for (slot, name) in kind.stateOrder.enumerated() { if let value = slots[slot] { byName[name] = value } }
        return byName
    }

    /// The names of the members present, in the kind's order, then the others sorted.
    public var memberNames: [String] {
        kind.stateOrder.indices.filter { slots[$0] != nil }.map { kind.stateOrder[$0] } + extra.keys.sorted()
    }

    public subscript(_ name: String) -> JSON? {
        get {
            if let slot = kind.slot(name) { return slots[slot] }
            return extra.isEmpty ? nil : extra[name]
        }
        set {
            if let slot = kind.slot(name) { slots[slot] = newValue } else { extra[name] = newValue }
        }
    }

    public subscript(_ member: StateMember) -> JSON? {
        get {
            let slot = Int(EntityKind.memberSlots[kind.ordinal][member.rawValue])
            if slot >= 0 { return slots[slot] }
            return extra.isEmpty ? nil : extra[member.name]
        }
        set {
            let slot = Int(EntityKind.memberSlots[kind.ordinal][member.rawValue])
            if slot >= 0 { slots[slot] = newValue } else { extra[member.name] = newValue }
        }
    }

    public var title: String? { self[.title]?.stringValue ?? self[.name]?.stringValue }
    public var status: String? { self[.status]?.stringValue }

    /// The state as a JSON object in the kind's member order.
    public var json: JSONObject {
        var object = JSONObject(capacity: slots.count)
        for (slot, name) in kind.stateOrder.enumerated() {
            if let value = slots[slot] { object.appendUnchecked(name, value) }
        }
        for name in extra.keys.sorted() { object.appendUnchecked(name, extra[name]!) }
        return object
    }

    /// Canonical text of the state, as stored in projections and snapshots.
    public var canonicalJSON: String {
        var writer = JSONWriter(capacity: 512)
        writeCanonicalJSON(into: &writer)
        return writer.string
    }

    /// Appends `canonicalJSON` to a writer (`verify` compares it with stored bytes).
    public func writeCanonicalJSON(into writer: inout JSONWriter) {
        guard extra.isEmpty else { return writer.writeCanonical(.object(json)) }
        writer.append("{")
        var first = true
        let names = kind.stateOrder
        for slot in EntityKind.canonicalSlots[kind.ordinal] {
            guard let value = slots[slot] else { continue }
            if !first { writer.append(",") }
            first = false
            writer.key(names[slot])
            writer.writeCanonical(value)
        }
        writer.append("}")
    }

    /// Reads a stored state back, its nested members in fold order (see `inFoldOrder`),
    /// so `show` prints the same whether it read the projection, a snapshot or every event.
    public init(kind: EntityKind, canonicalJSON: String) throws {
        guard case .object(let object) = try JSONParser.parse(canonicalJSON) else {
            throw InputError("state is not an object")
        }
        self.init(kind: kind)
        for (name, value) in object { self[name] = value }
        self = inFoldOrder()
    }

    /// The state with its nested objects in the order the fold writes them
    /// (the vocabulary's: `target` value, unit, comparator, …), for a state
    /// read back from canonical JSON, whose members are sorted.
    public func inFoldOrder() -> EntityState {
        func order(_ object: JSONObject, _ names: [String]) -> JSONObject {
            var out = JSONObject()
            for name in names { if let value = object[name] { out[name] = value } }
            for (name, value) in object where !names.contains(name) { out[name] = value }
            return out
        }
        var state = self
        if case .object(let object)? = self[.target] {
            var target = order(object, EventType.targetSet.fields.map(\.name))
            if case .object(let baseline)? = target["baseline"] {
                target["baseline"] = .object(order(baseline, ["value", "at"]))
            }
            state[.target] = .object(target)
        }
        if case .object(let object)? = self["horizon"] { state["horizon"] = .object(order(object, ["from", "to"])) }
        if case .object(let object)? = self[.latest] {
            state[.latest] = .object(order(object, ["value", "period", "effective"]))
        }
        if case .array(let links)? = self[.links] {
            state[.links] = .array(links.map { $0.objectValue.map { .object(order($0, ["to", "relation"])) } ?? $0 })
        }
        if case .array(let milestones)? = self[.milestones] {
            state[.milestones] = .array(milestones.map {
                $0.objectValue.map { .object(order($0, ["date", "title", "kind"])) } ?? $0
            })
        }
        return state
    }

    /// The state flattened into dotted paths (`target.value`); arrays are leaves.
    public var flattened: [(path: String, value: JSON)] { leaves(members: nil).map { ($0.path, $0.value) } }

    /// `flattened`, limited to some top-level members (nil: all), each path
    /// with the place in `stateOrder` of its first segment (`Int.max` for none).
    func leaves(members: [String]?) -> [(path: String, value: JSON, top: Int)] {
        var out: [(path: String, value: JSON, top: Int)] = []
        let order = kind.stateOrder
        func top(_ name: String) -> Int {
            guard name.utf8.contains(UInt8(ascii: ".")) else { return kind.slot(name) ?? Int.max }
            return order.firstIndex(of: String(name.prefix { $0 != "." })) ?? Int.max
        }
        for (slot, name) in order.enumerated() where members?.contains(name) ?? true {
            if let value = slots[slot] { Self.flatten(name, value, top: slot, into: &out) }
        }
        for name in extra.keys.sorted() where members?.contains(name) ?? true {
            Self.flatten(name, extra[name]!, top: top(name), into: &out)
        }
        return out
    }

    /// `leaves(members: [name])` of the member in `slot`.
    func leaves(slot: Int) -> [(path: String, value: JSON, top: Int)] {
        var out: [(path: String, value: JSON, top: Int)] = []
        if let value = slots[slot] { Self.flatten(kind.stateOrder[slot], value, top: slot, into: &out) }
        return out
    }

    /// Appends the leaves of `value` at `path`: a nested object's members as `path.name`.
    private static func flatten(_ path: String, _ value: JSON, top: Int,
                                into out: inout [(path: String, value: JSON, top: Int)]) {
        guard case .object(let object) = value else { return out.append((path, value, top)) }
        for (name, sub) in object { flatten(path + "." + name, sub, top: top, into: &out) }
    }

    /// `Change.between` of two states of one kind with no extra members (all
    /// a valid ledger folds; nil for any other pair): member by member in
    /// slot order, flattening only a nested member that differs. Each path
    /// of a member sorts by the member's slot, so this is the order the
    /// general case gives. (The general case was 15 % of a `history` of a
    /// 100k-reading stream, most of it flattening and ordering paths of
    /// members that are not objects.)
    fileprivate static func changesOfSameKind(_ old: EntityState, _ new: EntityState) -> [Change]? {
        guard old.kind == new.kind, old.extra.isEmpty, new.extra.isEmpty else { return nil }
        var changes: [Change] = []
        for slot in old.slots.indices where old.slots[slot] != new.slots[slot] {
            switch (old.slots[slot], new.slots[slot]) {
            case (.object?, _), (_, .object?):
                let name = old.kind.stateOrder[slot]
                if let flat = Change.betweenFlatObjects(name, old.slots[slot], new.slots[slot]) {
                    changes += flat
                } else {
                    changes += Change.between(leaves: old.leaves(slot: slot), new.leaves(slot: slot), reorderedBy: nil)
                }
            case (let before, let after):
                changes.append(Change(field: old.kind.stateOrder[slot], before: before, after: after))
            }
        }
        return changes
    }

    /// The top-level members whose values differ between two states.
    static func differingMembers(_ lhs: EntityState?, _ rhs: EntityState?) -> [String] {
        var differing: [String] = []
        for name in (lhs?.memberNames ?? []) + (rhs?.memberNames ?? [])
        where lhs?[name] != rhs?[name] && !differing.contains(name) {
            differing.append(name)
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
        var object = JSONObject()
        object["field"] = .string(field)
        if let before { object["before"] = before }
        if let after { object["after"] = after }
        return .object(object)
    }

    /// Writes `json` compactly, without building it: the `changes` of every
    /// `history` and `audit --json` row. (Building each change's object was
    /// 6 % of a `history --json` of a 100k-reading stream.)
    public func write(into writer: inout JSONWriter) {
        writer.append("{\"field\":")
        writer.writeString(field)
        if let before {
            writer.append(",\"before\":")
            writer.writeOrdered(before)
        }
        if let after {
            writer.append(",\"after\":")
            writer.writeOrdered(after)
        }
        writer.append("}")
    }

    /// Writes `changes` as the array of their `json`.
    public static func write(_ changes: [Change], into writer: inout JSONWriter) {
        writer.append("[")
        for (offset, change) in changes.enumerated() {
            if offset > 0 { writer.append(",") }
            change.write(into: &writer)
        }
        writer.append("]")
    }

    /// The change `json` wrote, or nil when `json` is not one.
    public init?(json: JSON) {
        guard let object = json.objectValue, let field = object["field"]?.stringValue else { return nil }
        self.init(field: field, before: object["before"], after: object["after"])
    }

    /// The differences between two states of one entity, in the kind's member order.
    public static func between(_ old: EntityState?, _ new: EntityState?) -> [Change] {
        if let old, let new, let changes = EntityState.changesOfSameKind(old, new) { return changes }
        // Only members that differ at the top can hold a change: flatten just those.
        let differing = EntityState.differingMembers(old, new)
        if differing.isEmpty { return [] }
        // The kind of `new` (else `old`) orders the members.
        let reorder = old != nil && new != nil && old!.kind != new!.kind
        return between(leaves: old?.leaves(members: differing) ?? [], new?.leaves(members: differing) ?? [],
                       reorderedBy: reorder ? new!.kind : nil)
    }

    /// The changes of member `name` when it is, on each side, absent or an
    /// object of distinct keys whose values are not objects (`latest`, and
    /// `target` without a baseline): each path is `name.key`, and only the
    /// paths that change are built. Nil for any other pair. The order is the
    /// flattened case's: the new object's keys, then those only the old had.
    /// (Flattening and ordering `latest` at every reading was 8 % of a
    /// `history` of a 100k-reading stream and 10 % of an `audit`.)
    fileprivate static func betweenFlatObjects(_ name: String, _ old: JSON?, _ new: JSON?) -> [Change]? {
        // The members of an object of plain values with distinct keys; none
        // when absent (which flattens as an empty object does); nil for anything else.
        func plainMembers(_ value: JSON?) -> [(key: String, value: JSON)]? {
            guard let value else { return [] }
            guard case .object(let object) = value else { return nil }
            let members = object.members
            for (index, member) in members.enumerated() {
                if case .object = member.value { return nil }
                if members[..<index].contains(where: { $0.key == member.key }) { return nil }
            }
            return members
        }
        guard let before = plainMembers(old), let after = plainMembers(new) else { return nil }
        var changes: [Change] = []
        for (key, value) in after {
            let was = before.first { $0.key == key }?.value
            if was != value { changes.append(Change(field: name + "." + key, before: was, after: value)) }
        }
        for (key, value) in before where !after.contains(where: { $0.key == key }) {
            changes.append(Change(field: name + "." + key, before: value, after: nil))
        }
        return changes
    }

    /// The changes between two flattened states. Order: every path of
    /// `after` in its order, with paths only in `before` placed before the
    /// next `after` path of a later member; `kind`, when given, places the
    /// members instead of each leaf's `top`.
    fileprivate static func between(leaves before: [(path: String, value: JSON, top: Int)],
                                    _ after: [(path: String, value: JSON, top: Int)],
                                    reorderedBy kind: EntityKind?) -> [Change] {
        var order: [(top: Int, seq: Int, path: String)] = []
        for (path, _, top) in after + before where !order.contains(where: { $0.path == path }) {
            let place = kind.map { $0.slot(String(path.prefix { $0 != "." })) ?? Int.max } ?? top
            order.append((place, order.count, path))
        }
        order.sort { ($0.top, $0.seq) < ($1.top, $1.seq) }
        var changes: [Change] = []
        for (_, _, path) in order {
            // The last leaf of a path wins, as a dictionary of them would keep it.
            let oldValue = before.last { $0.path == path }?.value, newValue = after.last { $0.path == path }?.value
            if oldValue != newValue { changes.append(Change(field: path, before: oldValue, after: newValue)) }
        }
        return changes
    }
}
