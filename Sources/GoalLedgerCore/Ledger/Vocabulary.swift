#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kinds of entity the ledger holds (SPEC §5). A stream's first event fixes its kind.
public enum EntityKind: String, Sendable, CaseIterable, Codable {
    case actor, plan, theme, goal, indicator, initiative

    /// Kinds that `Linked` / `Unlinked` apply to, and that a link may point at.
    public static let linkable: [EntityKind] = [.plan, .theme, .goal, .indicator, .initiative]

    /// "a goal", "an actor": for messages.
    public var withArticle: String {
        (self == .actor || self == .indicator || self == .initiative ? "an " : "a ") + rawValue
    }

    /// The status an entity starts with.
    public var defaultStatus: String { self == .plan ? "draft" : "active" }

    /// The order of members in `state`, for every output: creation fields,
    /// then what events add. Members absent from a state are skipped. It is
    /// also the layout of `EntityState`: member k of this list lives in slot k.
    public var stateOrder: [String] { Self.stateOrders[ordinal] }

    /// The case's place in `allCases`, to index the tables below.
    @inline(__always) var ordinal: Int { Int(unsafeBitCast(self, to: UInt8.self)) }

    private static let stateOrders: [[String]] = allCases.map(\.stateOrderList)

    /// `stateOrder`'s slots sorted by member name in RFC 8785 order, so a
    /// state is written canonically without sorting it each time.
    static let canonicalSlots: [[Int]] = allCases.map { kind in
        kind.stateOrder.indices.sorted { JSONWriter.utf16Less(kind.stateOrder[$0], kind.stateOrder[$1]) }
    }

    /// The slot of a member in this kind's state; nil when the kind has no such member.
    @inline(__always) func slot(_ name: String) -> Int? { stateOrder.firstIndex(of: name) }

    /// The slot of each `StateMember` in each kind's state, -1 where the kind has none.
    static let memberSlots: [[Int8]] = allCases.map { kind in
        StateMember.allCases.map { member in Int8(kind.slot(member.name) ?? -1) }
    }

    private var stateOrderList: [String] {
        switch self {
        case .actor: ["name", "kind", "role", "memberOf", "status"]
        case .plan: ["organization", "kind", "title", "summary", "horizon", "supersedes", "status",
                     "adoptedBy", "adoptedOn", "supersededBy", "milestones", "links"]
        case .theme: ["plan", "label", "title", "description", "order", "status", "links"]
        case .goal: ["plan", "theme", "label", "title", "description", "status", "target", "links"]
        case .indicator: ["goal", "title", "unit", "direction", "source", "status", "target", "latest",
                          "measurements", "links"]
        case .initiative: ["plan", "theme", "label", "title", "description", "tag", "status", "links"]
        }
    }
}

/// How a `data` member is checked at append time.
public indirect enum FieldType: Sendable {
    /// Trimmed, non-empty, at most 10,000 characters.
    case text
    /// An entity id naming an existing stream of one of these kinds.
    case ref([EntityKind])
    /// One of a fixed set of words.
    case oneOf([String])
    /// A finite number.
    case number
    /// A whole number in a range.
    case integer(ClosedRange<Int>)
    /// A calendar date `YYYY-MM-DD`.
    case date
    /// A year (a number or `"YYYY"`) or a date.
    case yearOrDate
    /// An object with these members.
    case object([Field])
    /// An entity id of a linkable kind, or an external reference `scheme:value`.
    case linkTarget
    /// The id of an earlier event of the same stream.
    case eventID
}

public struct Field: Sendable {
    public var name: String
    public var type: FieldType
    public var required: Bool

    public init(_ name: String, _ type: FieldType, required: Bool = false) {
        self.name = name
        self.type = type
        self.required = required
    }
}

/// Every event type of SPEC §5, with the kind it creates or applies to and its `data` members.
public enum EventType: String, Sendable, CaseIterable, Codable {
    case actorRegistered = "ActorRegistered"
    case planDrafted = "PlanDrafted"
    case themeAdded = "ThemeAdded"
    case goalDefined = "GoalDefined"
    case indicatorDefined = "IndicatorDefined"
    case initiativeAdded = "InitiativeAdded"

    case actorRevised = "ActorRevised"
    case planRevised = "PlanRevised"
    case planAdopted = "PlanAdopted"
    case planSuperseded = "PlanSuperseded"
    case planRetired = "PlanRetired"
    case milestoneRecorded = "MilestoneRecorded"
    case themeRevised = "ThemeRevised"
    case goalRevised = "GoalRevised"
    case initiativeRevised = "InitiativeRevised"
    case indicatorRevised = "IndicatorRevised"
    case targetSet = "TargetSet"
    case measurementRecorded = "MeasurementRecorded"
    case statusChanged = "StatusChanged"
    case linked = "Linked"
    case unlinked = "Unlinked"
    case retracted = "Retracted"
    // SPEC §10: a person's signing keys. They change no state; `KeyRegistry` follows them.
    case keyRegistered = "KeyRegistered"
    case keyRevoked = "KeyRevoked"

    /// The kind a creation event creates; nil for change events.
    public var creates: EntityKind? {
        switch self {
        case .actorRegistered: .actor
        case .planDrafted: .plan
        case .themeAdded: .theme
        case .goalDefined: .goal
        case .indicatorDefined: .indicator
        case .initiativeAdded: .initiative
        default: nil
        }
    }

    /// The kinds a change event applies to.
    public var appliesTo: [EntityKind] {
        if let created = creates { return [created] }
        switch self {
        case .actorRevised, .keyRegistered, .keyRevoked: return [.actor]
        case .planRevised, .planAdopted, .planSuperseded, .planRetired, .milestoneRecorded: return [.plan]
        case .themeRevised: return [.theme]
        case .goalRevised: return [.goal]
        case .initiativeRevised: return [.initiative]
        case .indicatorRevised: return [.indicator]
        case .targetSet: return [.goal, .indicator]
        case .measurementRecorded: return [.indicator]
        case .statusChanged: return [.theme, .goal, .initiative]
        case .linked, .unlinked: return EntityKind.linkable
        case .retracted: return EntityKind.allCases
        default: return []
        }
    }

    /// `*Revised` events set any of the given fields, and must give at least one.
    public var isRevision: Bool {
        switch self {
        case .actorRevised, .planRevised, .themeRevised, .goalRevised, .initiativeRevised, .indicatorRevised: true
        default: false
        }
    }

    static let text = FieldType.text
    static let horizon = FieldType.object([Field("from", .yearOrDate), Field("to", .yearOrDate)])

    /// The `data` members, in the order they are shown.
    public var fields: [Field] { Self.fieldTable[ordinal] }

    /// The case's place in `allCases`: a field-less enum is stored as its case
    /// number, which indexes the tables below without hashing the raw value.
    @inline(__always) var ordinal: Int { Int(unsafeBitCast(self, to: UInt8.self)) }

    /// `fields` of every type, built once: folds and checks read them for every event.
    private static let fieldTable: [[Field]] = allCases.map(\.fieldList)

    private static let names: [[UInt8]] = allCases.map { Array($0.rawValue.utf8) }

    /// The type named by UTF-8 bytes (a stored `type` column), without making a String.
    package init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return nil }
        for (k, name) in Self.names.enumerated() where name.count == bytes.count {
            if name.withUnsafeBytes({ memcmp($0.baseAddress!, base, bytes.count) }) == 0 {
                self = Self.allCases[k]
                return
            }
        }
        return nil
    }

    private var fieldList: [Field] {
        switch self {
        case .actorRegistered:
            [Field("name", .text, required: true),
             Field("kind", .oneOf(["person", "body", "organization"]), required: true),
             Field("role", .text), Field("memberOf", .ref([.actor]))]
        case .planDrafted:
            [Field("organization", .ref([.actor]), required: true),
             Field("kind", .oneOf(["vision", "strategy", "policy", "plan"]), required: true),
             Field("title", .text, required: true), Field("summary", .text), Field("horizon", Self.horizon),
             Field("supersedes", .ref([.plan]))]
        case .themeAdded:
            [Field("plan", .ref([.plan]), required: true), Field("title", .text, required: true),
             Field("description", .text), Field("label", .text), Field("order", .integer(-1_000_000...1_000_000))]
        case .goalDefined:
            [Field("plan", .ref([.plan]), required: true), Field("theme", .ref([.theme])),
             Field("title", .text, required: true), Field("description", .text), Field("label", .text)]
        case .indicatorDefined:
            [Field("goal", .ref([.goal]), required: true), Field("title", .text, required: true),
             Field("unit", .text, required: true), Field("direction", .oneOf(["increase", "decrease"]), required: true),
             Field("source", .text)]
        case .initiativeAdded:
            [Field("plan", .ref([.plan]), required: true), Field("theme", .ref([.theme])),
             Field("title", .text, required: true), Field("description", .text), Field("label", .text),
             Field("tag", .text)]
        case .actorRevised:
            [Field("name", .text), Field("role", .text), Field("memberOf", .ref([.actor]))]
        case .planRevised:
            [Field("title", .text), Field("summary", .text), Field("horizon", Self.horizon)]
        case .planAdopted:
            [Field("by", .ref([.actor]), required: true)]
        case .planSuperseded:
            [Field("by", .ref([.plan]), required: true)]
        case .planRetired:
            []
        case .milestoneRecorded:
            [Field("title", .text, required: true), Field("kind", .text)]
        case .themeRevised, .goalRevised, .initiativeRevised, .indicatorRevised:
            // Any creation field except the parent (the plan, or an indicator's goal).
            creationType.fieldList.filter { $0.name != "plan" && $0.name != "goal" }.map {
                Field($0.name, $0.type, required: false)
            }
        case .targetSet:
            [Field("value", .number, required: true), Field("unit", .text, required: true),
             Field("comparator", .oneOf([">=", "<=", "="])), Field("deadline", .date),
             Field("baseline", .object([Field("value", .number, required: true),
                                        Field("at", .yearOrDate, required: true)]))]
        case .measurementRecorded:
            [Field("value", .number, required: true), Field("period", .text), Field("source", .text)]
        case .statusChanged:
            [Field("status", .oneOf(["active", "achieved", "missed", "dropped", "removed"]), required: true)]
        case .linked:
            [Field("to", .linkTarget, required: true), Field("relation", .text)]
        case .unlinked:
            [Field("to", .linkTarget, required: true)]
        case .retracted:
            [Field("event", .eventID, required: true)]
        case .keyRegistered:
            [Field("key", .text, required: true)]
        case .keyRevoked:
            [Field("key", .text, required: true),
             Field("reason", .oneOf(["superseded", "left-office", "compromised"]), required: true)]
        }
    }

    /// For a revision, the creation event of the same kind.
    var creationType: EventType {
        switch self {
        case .themeRevised: .themeAdded
        case .goalRevised: .goalDefined
        case .initiativeRevised: .initiativeAdded
        case .indicatorRevised: .indicatorDefined
        case .actorRevised: .actorRegistered
        case .planRevised: .planDrafted
        default: self
        }
    }

    /// The top-level `state` members this event type can change; `Retracted` can change any.
    /// `audit --field` uses it to skip events that cannot match.
    public var touches: Set<String>? {
        switch self {
        case .retracted: return nil
        case _ where creates != nil: return nil
        case .planAdopted: return ["status", "adoptedBy", "adoptedOn"]
        case .planSuperseded: return ["status", "supersededBy"]
        case .planRetired, .statusChanged: return ["status"]
        case .milestoneRecorded: return ["milestones"]
        case .targetSet: return ["target"]
        case .measurementRecorded: return ["latest", "measurements"]
        case .linked, .unlinked: return ["links"]
        default: return Set(fields.map(\.name))
        }
    }
}
