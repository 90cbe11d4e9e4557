/// Follows one stream event by event, in position order, keeping its current
/// state and telling what each event changed.
///
/// An event's `changes` compare the entity as of the event's own effective
/// point, as the ledger knew it just before the event was recorded, with the
/// same moment just after. So a backdated revision shows what it changed in
/// the past, and a `Retracted` shows what the retracted event had changed,
/// undone. The answer depends only on earlier positions, so `history` and
/// `audit` give the same changes whatever `--known-at` they list up to.
///
/// Appending in effective order (the common case) costs one `apply`; a
/// backdated event or a retraction refolds the stream from `earlier`.
public struct StreamTimeline: Sendable {
    /// The current state: every event so far, in fold order, retractions applied.
    public private(set) var head: Folded?
    /// True once any event has been seen, so a nil head means "retracted away", not "new".
    private var hasEvents: Bool
    /// Whether the last event added was backdated or a retraction (refolded the stream).
    public private(set) var lastWasLate = false
    /// The effective key of the stream's creation event, when known: a late
    /// event may skip the refold only if it comes after the creation.
    public var creationKey: Int64?

    public init(head: Folded? = nil, hasEvents: Bool = false) {
        self.head = head
        self.hasEvents = hasEvents || head != nil
    }

    /// Adds the next event of the stream and tells what it changed.
    /// `earlier` returns every earlier event of the stream in position order;
    /// it is called only for a backdated event or a retraction.
    public mutating func add(_ e: Event, earlier: () throws -> [Event]) rethrows -> [Change] {
        try add(e, earlier: earlier, changes: true)
    }

    /// Whether the event comes after everything folded so far (the cheap case).
    public func inOrder(_ e: Event) -> Bool {
        e.type != .retracted && (!hasEvents || (head.map { Fold.precedes($0.lastChange, e) } ?? false))
    }

    /// Adds the next event without working out its changes, and tells
    /// whether it was late (backdated, or a retraction). For the projections:
    /// the head's `lastChange` keeps no `data`, `recorded`, `stream` or `id`. A late event that
    /// `Fold.insertLate` can place needs the creation's effective key
    /// (`creationKey` gives it when not known yet); any other gets its new
    /// head from `refold`, given the event, the current head and the
    /// creation's key: the caller may know a faster way than folding the
    /// whole stream (a snapshot).
    @discardableResult
    public mutating func advance(_ e: consuming Event, creationKey: () throws -> Int64?,
                                 refold: (_ e: Event, _ current: Folded?, _ creationKey: Int64?) throws -> Folded?) rethrows -> Bool {
        defer { hasEvents = true }
        if e.type.creates != nil && !hasEvents { self.creationKey = e.effective.key }
        if inOrder(e) {
            lastWasLate = false
            Fold.fold(e, onto: &head)
            // What follows reads of the last change only its place in the fold
            // (position and effective; a snapshot's resume compares positions
            // before ids); views read the whole event again. Its data, recorded
            // time, stream and id go now, while they are in the cache, not when
            // the stream's next event replaces it.
            head?.lastChange.data = JSONObject()
            head?.lastChange.recorded = ""
            head?.lastChange.stream = ""
            head?.lastChange.id = ""
            return false
        }
        lastWasLate = true
        guard case .some(let current) = head else {
            head = try refold(e, nil, self.creationKey)
            return true
        }
        if self.creationKey == nil { self.creationKey = try creationKey() }
        if let key = self.creationKey, key <= e.effective.key, let next = Fold.insertLate(e, into: current) {
            head = next
        } else {
            head = try refold(e, current, self.creationKey)
        }
        return true
    }

    /// Adds the next event without working out its changes (projections need only the head).
    public mutating func advance(_ e: Event, earlier: () throws -> [Event]) rethrows {
        _ = try add(e, earlier: earlier, changes: false)
    }

    private mutating func add(_ e: Event, earlier: () throws -> [Event], changes wanted: Bool) rethrows -> [Change] {
        defer { hasEvents = true }
        lastWasLate = false
        if inOrder(e) {
            let before = wanted ? head?.state : nil
            Fold.fold(e, onto: &head)
            return wanted ? Change.between(before, head?.state) : []
        }
        lastWasLate = true
        let prior = try earlier()
        guard wanted else {
            head = Fold.state(of: prior + [e])
            return []
        }
        let ordered = Fold.events(prior, at: .now)
        let changes: [Change]
        if e.type == .retracted {
            let target = e.data["event"]?.stringValue
            if let i = ordered.firstIndex(where: { $0.id == target }) {
                let upTo = ordered[...i]
                changes = Change.between(Fold.fold(upTo)?.state, Fold.fold(upTo.dropLast())?.state)
            } else {
                changes = []
            }
        } else {
            let before = Fold.fold(ordered.filter { Fold.precedes($0, e) })
            changes = Change.between(before?.state, Fold.fold([e], from: before)?.state)
        }
        head = Fold.state(of: prior + [e])
        return changes
    }
}
