import GoalLedgerCore

/// A projection's current state of one stream, kept light: the head only
/// (state, version and the last event's fold key), so a replay of a million
/// events holds little per stream. (`StreamTimeline` is the full-state
/// follower that `history` and `audit` use.)
///
/// Appending in effective order (the common case) costs one `Fold.fold`. A
/// late measurement is placed by `Fold.insertLate`, and a late target,
/// status or revision by `Fold.placeLate` from the members' last writers the
/// head keeps; any other late event gets its new head from the caller's
/// `refold` (`Projection.refold`: in place for a target, status or revision
/// when the last writers are not known, else from a snapshot or the whole stream).
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
    /// The fold key of the last writer of each member that a revision,
    /// target, status or adoption folded so far has set, when known: from
    /// a stream's first event on, until a refold that may move one (after a
    /// load, nil). With it a late one of those is put in its place without
    /// asking the file what comes after it (`advance`).
    private var lastWriters: [String: FoldKey]?

    /// What a `refold` gives back: the new head, and whether every member's
    /// last writer stayed where it was (`keepsLastWriters`).
    struct Refolded {
        var head: Folded?
        var keepsLastWriters: Bool
    }

    init(head: Folded? = nil, hasEvents: Bool = false) {
        self.head = head
        self.hasEvents = hasEvents || head != nil
        lastWriters = self.hasEvents ? nil : [:]
    }

    /// Whether a late event, refolded, leaves the last writer of every member
    /// that revisions, targets, statuses and adoptions set where it was: a
    /// measurement, a link, a milestone, or a retraction of one of them
    /// (`retractedType`, when the retracted event was found) sets none.
    static func keepsLastWriters(_ event: Event, retractedType: EventType?) -> Bool {
        func setsNone(_ type: EventType) -> Bool {
            type == .measurementRecorded || Fold.memberFoldedInOrder(by: type) != nil
        }
        if event.type == .retracted { return retractedType.map(setsNone) ?? false }
        return setsNone(event.type)
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
                                          _ creationKey: Int64?) throws -> Refolded) rethrows -> Bool {
        defer { hasEvents = true }
        if event.type.creates != nil && !hasEvents { self.creationKey = event.effective.key }
        if inOrder(event) {
            lastWasLate = false
            if event.type == .measurementRecorded {
                latestKey = event.effective.key
            } else if lastWriters != nil, Fold.setsOnlyItsOwnMembers(event.type) {
                for member in Fold.membersSet(by: event) { lastWriters![member] = event.foldKey }
            }
            Fold.fold(event, onto: &head)
            return false
        }
        lastWasLate = true
        guard head != nil else {
            latestKey = nil
            lastWriters = nil
            head = try refold(event, nil, self.creationKey).head
            return true
        }
        if self.creationKey == nil { self.creationKey = try creationKey() }
        if let writers = lastWriters, let current = head, let key = self.creationKey, key <= event.effective.key,
           Fold.setsOnlyItsOwnMembers(event.type) {
            // The members that events after it in fold order set are those whose last writer comes after it.
            // (Asking the file instead, `Projection.refold`, was 15 % of the folding core in a replay of the
            // 1M shuffled ledger: two rounds of five alternating runs, replay 3.31 -> 3.02 and 3.25 -> 2.97 s,
            // verify 4.27 -> 3.95 and 4.07 -> 3.81 s, medians; peak RSS 5 MB more.)
            let writtenLater = Set(writers.filter { event.foldKey < $0.value }.keys)
            if let placed = Fold.placeLate(event, into: current, writtenLater: writtenLater) {
                for member in Fold.membersSet(by: event) where !writtenLater.contains(member) {
                    lastWriters![member] = event.foldKey
                }
                head = placed
                return true
            }
        }
        if latestKey == nil, let state = head?.state { latestKey = Fold.latestEffectiveKey(of: state) }
        // In place: no copy of the head is held while the measurement goes in.
        if let key = self.creationKey, key <= event.effective.key,
           Fold.insertLate(event, into: &head, latestKey: latestKey) {
            latestKey = max(latestKey ?? event.effective.key, event.effective.key)
        } else {
            let refolded = try refold(event, head, self.creationKey)
            head = refolded.head
            latestKey = nil
            if !refolded.keepsLastWriters { lastWriters = nil }
        }
        return true
    }
}
