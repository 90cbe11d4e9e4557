import GoalLedgerCore

/// A projection's current state of one stream, kept light: the head only
/// (state, version and the last event's fold key), so a replay of a million
/// events holds little per stream. (`StreamTimeline` is the full-state
/// follower that `history` and `audit` use.)
///
/// Appending in effective order (the common case) costs one `Fold.fold`. A
/// late measurement is placed by `Fold.insertLate`; any other late event gets
/// its new head from the caller's `refold` (`Projection.refold`: in place for
/// a target, status or revision, else from a snapshot or the whole stream).
struct ProjectionHead: Sendable {
    /// The current state: every event so far, in fold order, retractions applied.
    private(set) var head: Folded?
    /// True once any event has been seen, so a nil head means "retracted away", not "new".
    private var hasEvents: Bool
    /// Whether the last event added was backdated or a retraction (refolded the stream).
    private(set) var lastWasLate = false
    /// The effective key of the stream's creation event, when known: a late
    /// event may skip the refold only if it comes after the creation.
    var creationKey: Int64?
    /// The effective key of the measurement that set the head's `latest`,
    /// when known (nil after a refold or a load: read from the state then).
    private var latestKey: Int64?

    init(head: Folded? = nil, hasEvents: Bool = false) {
        self.head = head
        self.hasEvents = hasEvents || head != nil
    }

    /// Whether the event comes after everything folded so far (the cheap case).
    func inOrder(_ event: Event) -> Bool {
        event.type != .retracted && (!hasEvents || (head.map { $0.lastKey < event.foldKey } ?? false))
    }

    /// Adds the next event without working out its changes, and tells
    /// whether it was late (backdated, or a retraction). A late event that
    /// `Fold.insertLate` can place needs the creation's effective key
    /// (`creationKey` gives it when not known yet); any other gets its new
    /// head from `refold`, given the event, the current head and the
    /// creation's key: the caller may know a faster way than folding the
    /// whole stream (a snapshot).
    @discardableResult
    mutating func advance(_ event: consuming Event, creationKey: () throws -> Int64?,
                                 refold: (_ event: Event, _ current: Folded?,
                                          _ creationKey: Int64?) throws -> Folded?) rethrows -> Bool {
        defer { hasEvents = true }
        if event.type.creates != nil && !hasEvents { self.creationKey = event.effective.key }
        if inOrder(event) {
            lastWasLate = false
            if event.type == .measurementRecorded { latestKey = event.effective.key }
            Fold.fold(event, onto: &head)
            return false
        }
        lastWasLate = true
        guard head != nil else {
            latestKey = nil
            head = try refold(event, nil, self.creationKey)
            return true
        }
        if self.creationKey == nil { self.creationKey = try creationKey() }
        if latestKey == nil, let state = head?.state { latestKey = Fold.latestEffectiveKey(of: state) }
        // In place: no copy of the head is held while the measurement goes in.
        if let key = self.creationKey, key <= event.effective.key,
           Fold.insertLate(event, into: &head, latestKey: latestKey) {
            latestKey = max(latestKey ?? event.effective.key, event.effective.key)
        } else {
            head = try refold(event, head, self.creationKey)
            latestKey = nil
        }
        return true
    }
}
