/// The one fold of the ledger: how each event type changes an entity's state
/// (SPEC §5), and how a stream's events are chosen and ordered for a point in
/// time (SPEC §3). `show`, `tree`, `list`, `history`, `diff`, `audit`,
/// `replay`, `verify` and the projections all go through here.
public enum Fold {
    /// Applies one event to a state. A creation event makes the state; a
    /// change event on a missing state is ignored (nil stays nil).
    /// `Retracted` changes nothing here: which events count is decided by
    /// `events(_:at:)`.
    public static func apply(_ e: Event, to state: EntityState?) -> EntityState? {
        var s = state
        _ = apply(e, into: &s)
        return s
    }

    /// Applies one event in place; returns false when the event was ignored
    /// (a change event while the entity does not exist).
    public static func apply(_ e: Event, into state: inout EntityState?) -> Bool {
        if let kind = e.type.creates {
            if state != nil { return true }
            var f: [String: JSON] = [:]
            for (k, v) in Validation.ordered(e.data, by: e.type.fields) { f[k] = v }
            f["status"] = .string(kind.defaultStatus)
            if EntityKind.linkable.contains(kind) { f["links"] = .array([]) }
            if kind == .plan { f["milestones"] = .array([]) }
            if kind == .indicator { f["measurements"] = 0 }
            state = EntityState(kind: kind, fields: f)
            return true
        }
        guard var s = state.take() else { return false }
        switch e.type {
        case .actorRevised, .planRevised, .themeRevised, .goalRevised, .initiativeRevised, .indicatorRevised:
            for (k, v) in Validation.ordered(e.data, by: e.type.fields) { s[k] = v }
        case .planAdopted:
            s["status"] = "adopted"
            s["adoptedBy"] = e.data["by"]
            s["adoptedOn"] = .string(e.effective.text)
        case .planSuperseded:
            s["status"] = "superseded"
            s["supersededBy"] = e.data["by"]
        case .planRetired:
            s["status"] = "retired"
        case .milestoneRecorded:
            var m = JSONObject()
            m["date"] = .string(e.effective.text)
            m["title"] = e.data["title"]
            if let k = e.data["kind"] { m["kind"] = k }
            s["milestones"] = .array((s["milestones"]?.arrayValue ?? []) + [.object(m)])
        case .targetSet:
            s["target"] = .object(Validation.ordered(e.data, by: e.type.fields))
        case .measurementRecorded:
            var latest = JSONObject()
            latest["value"] = e.data["value"]
            if let p = e.data["period"] { latest["period"] = p }
            latest["effective"] = .string(e.effective.text)
            s["latest"] = .object(latest)
            s["measurements"] = .number((s["measurements"]?.numberValue ?? 0) + 1)
        case .statusChanged:
            s["status"] = e.data["status"]
        case .linked:
            // One link per target: linking again replaces the relation in place.
            var links = s["links"]?.arrayValue ?? []
            let to = e.data["to"]
            let link = JSON.object(Validation.ordered(e.data, by: e.type.fields))
            if let i = links.firstIndex(where: { $0.objectValue?["to"] == to }) {
                links[i] = link
            } else {
                links.append(link)
            }
            s["links"] = .array(links)
        case .unlinked:
            let to = e.data["to"]
            s["links"] = .array((s["links"]?.arrayValue ?? []).filter { $0.objectValue?["to"] != to })
        case .retracted:
            break
        default:
            break
        }
        state = s
        return true
    }

    /// Order of events within a stream: by `effective`, ties by `position`.
    @inline(__always)
    public static func precedes(_ a: Event, _ b: Event) -> Bool {
        a.effective.key != b.effective.key ? a.effective.key < b.effective.key : a.position < b.position
    }

    /// The events of one stream (in position order) that count at a point in
    /// time, in fold order: known at `knownAt` (recorded ≤ it), in effect at
    /// `asOf` (effective ≤ it), and not retracted by a retraction known at
    /// `knownAt`. A retraction hides its event at every `asOf`.
    public static func events(_ stream: [Event], at point: PointInTime) -> [Event] {
        var known = stream
        if let k = point.knownAt {
            let bound = k.recordedBound
            known = stream.filter { $0.recorded <= bound }
        }
        var retracted = Set<String>()
        for e in known where e.type == .retracted {
            if let id = e.data["event"]?.stringValue { retracted.insert(id) }
        }
        let asOfKey = point.asOf?.effectiveKeyBound
        var chosen = known.filter { e in
            !retracted.contains(e.id) && (asOfKey == nil || e.effective.key <= asOfKey!)
        }
        // Stable: position order breaks ties.
        if !isSorted(chosen) { chosen.sort(by: precedes) }
        return chosen
    }

    static func isSorted(_ events: [Event]) -> Bool {
        guard events.count > 1 else { return true }
        for k in 1..<events.count where !precedes(events[k - 1], events[k]) { return false }
        return true
    }

    /// Folds events already in fold order, starting from `start`.
    public static func fold(_ ordered: some Sequence<Event>, from start: consuming Folded? = nil) -> Folded? {
        var version = start?.version ?? 0
        var last = start?.lastChange
        var state = start.take()?.state
        for e in ordered where apply(e, into: &state) {
            version += 1
            last = e
        }
        guard let state, let last else { return nil }
        return Folded(state: state, version: version, lastChange: last)
    }

    /// The state of one stream at a point in time; nil when the entity does not exist then.
    public static func state(of stream: [Event], at point: PointInTime = .now) -> Folded? {
        fold(events(stream, at: point))
    }
}

/// The two clocks of a query: `asOf` limits `effective`, `knownAt` limits `recorded`.
public struct PointInTime: Sendable, Hashable {
    public var asOf: TimePoint?
    public var knownAt: TimePoint?

    public init(asOf: TimePoint? = nil, knownAt: TimePoint? = nil) {
        self.asOf = asOf
        self.knownAt = knownAt
    }

    public static let now = PointInTime()
    public var isNow: Bool { asOf == nil && knownAt == nil }
}

/// A folded entity: its state, how many events were folded, and the last of them.
public struct Folded: Sendable, Equatable {
    public var state: EntityState
    public var version: Int
    public var lastChange: Event

    public init(state: EntityState, version: Int, lastChange: Event) {
        self.state = state
        self.version = version
        self.lastChange = lastChange
    }
}
