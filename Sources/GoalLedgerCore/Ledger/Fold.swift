/// The one fold of the ledger: how each event type changes an entity's state
/// (SPEC §5), and how a stream's events are chosen and ordered for a point in
/// time (SPEC §3). `show`, `tree`, `list`, `history`, `diff`, `audit`,
/// `replay`, `verify` and the projections all go through here.
public enum Fold {
    /// Applies one event to a state. A creation event makes the state; a
    /// change event on a missing state is ignored (nil stays nil).
    /// `Retracted` changes nothing here: which events count is decided by
    /// `events(_:at:)`.
    public static func apply(_ event: Event, to state: EntityState?) -> EntityState? {
        var result = state
        _ = apply(event, into: &result)
        return result
    }

    /// Applies one event in place; returns false when the event was ignored
    /// (a change event while the entity does not exist).
    public static func apply(_ event: Event, into state: inout EntityState?) -> Bool {
        if let kind = event.type.creates {
            if state != nil { return true }
            var created = EntityState(kind: kind)
            for (name, value) in Validation.ordered(event.data, by: event.type.fields) { created[name] = value }
            created[.status] = .string(kind.defaultStatus)
            if EntityKind.linkable.contains(kind) { created[.links] = .array([]) }
            if kind == .plan { created[.milestones] = .array([]) }
            if kind == .indicator { created[.measurements] = 0 }
            state = created
            return true
        }
        guard var existing = state.take() else { return false }
        change(event, &existing)
        state = existing
        return true
    }

    /// Folds the next event onto a stream's fold in place: what `fold` does
    /// for one event, without copying the state out and back.
    public static func fold(_ event: consuming Event, onto folded: inout Folded?) {
        if event.type.creates == nil, var current = folded.take() {
            change(event, &current.state)
            current.version += 1
            current.lastKey = event.foldKey
            folded = current
            return
        }
        if let next = fold(CollectionOfOne(event), from: folded.take()) { folded = next }
    }

    /// What a change event does to an existing state (SPEC §5).
    static func change(_ event: Event, _ state: inout EntityState) {
        switch event.type {
        case .actorRevised, .planRevised, .themeRevised, .goalRevised, .initiativeRevised, .indicatorRevised:
            for (name, value) in Validation.ordered(event.data, by: event.type.fields) { state[name] = value }
        case .planAdopted:
            state[.status] = "adopted"
            state[.adoptedBy] = event.data["by"]
            state[.adoptedOn] = .string(event.effective.text)
        case .planSuperseded:
            state[.status] = "superseded"
            state[.supersededBy] = event.data["by"]
        case .planRetired:
            state[.status] = "retired"
        case .milestoneRecorded:
            var milestone = JSONObject(capacity: 3)
            milestone["date"] = .string(event.effective.text)
            milestone["title"] = event.data["title"]
            if let milestoneKind = event.data["kind"] { milestone["kind"] = milestoneKind }
            state[.milestones] = .array((state[.milestones]?.arrayValue ?? []) + [.object(milestone)])
        case .targetSet:
            state[.target] = .object(Validation.ordered(event.data, by: event.type.fields))
        case .measurementRecorded:
            var latest = JSONObject(capacity: 3)
            if let value = event.data["value"] { latest.appendUnchecked("value", value) }
            if let period = event.data["period"] { latest.appendUnchecked("period", period) }
            latest.appendUnchecked("effective", .string(event.effective.text))
            state[.latest] = .object(latest)
            state[.measurements] = .number((state[.measurements]?.numberValue ?? 0) + 1)
        case .statusChanged:
            state[.status] = event.data["status"]
        case .linked:
            // One link per target: linking again replaces the relation in place.
            var links = state[.links]?.arrayValue ?? []
            let to = event.data["to"]
            let link = JSON.object(Validation.ordered(event.data, by: event.type.fields))
            if let index = links.firstIndex(where: { $0.objectValue?["to"] == to }) {
                links[index] = link
            } else {
                links.append(link)
            }
            state[.links] = .array(links)
        case .unlinked:
            let to = event.data["to"]
            state[.links] = .array((state[.links]?.arrayValue ?? []).filter { $0.objectValue?["to"] != to })
        case .retracted:
            break
        default:
            break
        }
    }

    /// How `change` treats the state's members, for a fold that keeps each
    /// member's writers apart (`StreamFoldIndex`): the members an event sets
    /// from its own content alone, whatever the state held before. Every other
    /// member `change` touches depends on what came before: `milestones` and
    /// `links` (folded in order, see `membersFoldedInOrder`) and
    /// `measurements` (a count). The fold-agreement property test holds this
    /// list to `change`.
    package static func membersSet(by event: Event) -> [String] {
        switch event.type {
        case .actorRevised, .planRevised, .themeRevised, .goalRevised, .initiativeRevised, .indicatorRevised:
            return Validation.ordered(event.data, by: event.type.fields).keys
        case .planAdopted: return [StateMember.status.name, StateMember.adoptedBy.name, StateMember.adoptedOn.name]
        case .planSuperseded: return [StateMember.status.name, StateMember.supersededBy.name]
        case .planRetired, .statusChanged: return [StateMember.status.name]
        case .targetSet: return [StateMember.target.name]
        case .measurementRecorded: return [StateMember.latest.name]
        default: return []
        }
    }

    /// The member an event changes by adding to what the events before it
    /// left (`milestones`, `links`), when it is one of those.
    package static func memberFoldedInOrder(by type: EventType) -> StateMember? {
        switch type {
        case .milestoneRecorded: .milestones
        case .linked, .unlinked: .links
        default: nil
        }
    }

    /// Puts into a stream's fold (`head`, changed in place) one more event
    /// that comes before its last event in fold order but after its
    /// creation, when that needs none of the stream's other events. Returns
    /// true when `head` now holds the event; false, with `head` as it was,
    /// when they are needed (a refold).
    ///
    /// A `MeasurementRecorded` changes only `latest` and `measurements`, and
    /// no event reads either: `measurements` counts, so its place does not
    /// matter, and `latest` is that of whichever measurement comes last in
    /// fold order, the new one or the current `latest`. So applying it to the
    /// current state, then putting the current `latest` back when that comes
    /// later, is the fold of the stream with it in its place. The new event
    /// has the stream's highest position, so on a tie of `effective` it is
    /// the later one. The last event folded stays the same.
    ///
    /// `latestKey` is the effective key of the current `latest`, when the
    /// caller knows it; else it is read from the state's text (parsing it
    /// was 16 % of a replay whose measurements all arrive late, issue 12).
    ///
    /// The state is changed where it lies, not copied first (the copy of its
    /// slots was 6 % of a replay of the shuffled shape, whose readings are
    /// nearly all late).
    public static func insertLate(_ event: Event, into head: inout Folded?, latestKey: Int64? = nil) -> Bool {
        guard event.type == .measurementRecorded, var folded = head.take() else { return false }
        let current = folded.state[.latest]
        var currentKey: Int64? = nil
        if current != nil { currentKey = latestKey ?? latestEffectiveKey(of: folded.state) }
        guard event.foldKey < folded.lastKey, current == nil || currentKey != nil else {
            head = folded
            return false
        }
        change(event, &folded.state)
        if let current, let currentKey, event.effective.key < currentKey { folded.state[.latest] = current }
        folded.version += 1
        head = folded
        return true
    }

    /// Whether events of the type only set members from their own content
    /// (`membersSet`), touching nothing else but the version: a revision, a
    /// target, a status, an adoption. What `placeLate` can put in its place.
    public static func setsOnlyItsOwnMembers(_ type: EventType) -> Bool {
        switch type {
        case .actorRevised, .planRevised, .themeRevised, .goalRevised, .initiativeRevised, .indicatorRevised,
             .planAdopted, .planSuperseded, .planRetired, .statusChanged, .targetSet: true
        default: false
        }
    }

    /// The fold of a stream (`head`) with one more event that comes before
    /// its last event in fold order but after its creation, when the event
    /// sets only its own members (`setsOnlyItsOwnMembers`); nil for any other.
    ///
    /// Each member such an event sets (`membersSet`) is last-writer-wins in
    /// fold order: it takes the event's value unless an event after it in
    /// fold order sets it too. Nothing else reads those members, so every
    /// other member stays, the version grows by one and the last event
    /// folded stays the same. `laterInFold` holds the stream's events that
    /// count and come after the event in fold order; only which members they
    /// set is read, so a caller may leave out types that set none of the
    /// event's members (measurements set only `latest` and `measurements`).
    public static func placeLate(_ event: Event, into head: Folded, laterInFold: [Event]) -> Folded? {
        var writtenLater = Set<String>()
        for later in laterInFold { writtenLater.formUnion(membersSet(by: later)) }
        return placeLate(event, into: head, writtenLater: writtenLater)
    }

    /// `placeLate`, given the members that events after it in fold order set
    /// (`writtenLater`) instead of those events.
    public static func placeLate(_ event: Event, into head: Folded, writtenLater: Set<String>) -> Folded? {
        guard setsOnlyItsOwnMembers(event.type) else { return nil }
        let members = membersSet(by: event)
        let setElsewhere: Set<String> = [StateMember.latest.name, StateMember.measurements.name,
                                         StateMember.milestones.name, StateMember.links.name]
        guard setElsewhere.isDisjoint(with: members) else { return nil }
        var placed = head
        var alone = head.state
        change(event, &alone)
        for member in members where !writtenLater.contains(member) { placed.state[member] = alone[member] }
        placed.version += 1
        return placed
    }

    /// The effective key of the measurement that set the state's `latest`, read from its text.
    public static func latestEffectiveKey(of state: EntityState) -> Int64? {
        guard case .string(let text)? = state[.latest]?.objectValue?["effective"] else { return nil }
        return (try? Effective(stored: text))?.key
    }

    /// The fold of a stream after a late `retraction` of `target`, when
    /// that needs none of the stream's other events; nil when they are needed.
    ///
    /// Both must come after the stream's creation, and `target` must be an
    /// event the current fold counts (the append rules see to both: a
    /// retraction names an earlier event of its stream, once). A retracted
    /// `MeasurementRecorded` that comes before the current `latest` left
    /// nothing but its count: taking it out is one measurement less. The
    /// retraction itself counts as an event, so the version stays, and it is
    /// the last event folded when it comes after the current last.
    public static func retractLate(_ target: Event, by retraction: Event, from head: Folded) -> Folded? {
        guard retraction.type == .retracted, target.type == .measurementRecorded,
              case .object(let latest)? = head.state[.latest], case .string(let text)? = latest["effective"],
              let effective = try? Effective(stored: text), target.effective.key < effective.key,
              case .number(let count)? = head.state[.measurements], count >= 1 else { return nil }
        var state = head.state
        state[.measurements] = .number(count - 1)
        return Folded(state: state, version: head.version, lastKey: max(head.lastKey, retraction.foldKey))
    }

    /// Order of events within a stream: by `effective`, ties by `position`.
    @inline(__always)
    public static func precedes(_ lhs: Event, _ rhs: Event) -> Bool { lhs.foldKey < rhs.foldKey }

    /// The events of one stream (in position order) that count at a point in
    /// time, in fold order (`CountingRule`).
    public static func events(_ stream: [Event], at point: PointInTime) -> [Event] {
        CountingRule(point).events(of: stream)
    }

    static func isSorted(_ events: [Event]) -> Bool {
        guard events.count > 1 else { return true }
        for index in 1..<events.count where !precedes(events[index - 1], events[index]) { return false }
        return true
    }

    /// Folds events already in fold order, starting from `start`.
    public static func fold(_ ordered: some Sequence<Event>, from start: consuming Folded? = nil) -> Folded? {
        var version = start?.version ?? 0
        var last = start?.lastKey
        var state = start.take()?.state
        for event in ordered where apply(event, into: &state) {
            version += 1
            last = event.foldKey
        }
        guard let state, let last else { return nil }
        return Folded(state: state, version: version, lastKey: last)
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

/// A folded entity: its state, how many events were folded, and where the
/// last of them stands in fold order.
///
/// A fold keeps the last event's place, not the event: what the fold reads
/// next needs only the place (does a new event come after it?), and a view
/// that shows the last change reads that one event whole by its position
/// (`EntityView.lastChange`). A replay keeps one `Folded` per stream, so it
/// holds two integers per stream, not an event.
public struct Folded: Sendable, Equatable {
    public var state: EntityState
    public var version: Int
    /// The fold key of the last event folded (in fold order, not arrival order).
    public var lastKey: FoldKey

    public init(state: EntityState, version: Int, lastKey: FoldKey) {
        self.state = state
        self.version = version
        self.lastKey = lastKey
    }
}
