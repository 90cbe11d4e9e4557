/// Follows one stream event by event, in position order, keeping its current
/// state and telling what each event changed: what `history` and `audit` show.
///
/// An event's `changes` compare the entity as of the event's own place in the
/// fold, as the ledger knew it just before the event was recorded, with the
/// same moment just after. So a backdated revision shows what it changed in
/// the past, and a `Retracted` shows what the retracted event had changed,
/// undone. The answer depends only on earlier positions, so `history` and
/// `audit` give the same changes whatever `--known-at` they list up to.
///
/// Events in fold order (the common case) cost one `Fold.fold` each. The
/// first event out of order (backdated, or a retraction) builds a
/// `StreamFoldIndex` of the stream's earlier events, once; from then on every
/// event goes into the index, and a late one costs O(members × log n).
public struct StreamTimeline: Sendable {
    /// The current state: every event so far, in fold order, retractions applied.
    public private(set) var head: Folded?
    /// True once any event has been seen, so a nil head means "retracted away", not "new".
    private var hasEvents = false
    /// The stream by member, once an event arrived out of fold order.
    private var index: StreamFoldIndex?

    public init() {}

    /// A timeline that goes on from a head worked out elsewhere (a stream
    /// folded whole by `audit`), with no index: the events that follow must
    /// be in fold order after it until the next head is given. A nil head
    /// means the stream has had no event yet.
    public init(resumingAt head: Folded?) {
        self.head = head
        self.hasEvents = head != nil
    }

    /// How many events the index holds (0 until an event arrives out of order):
    /// what a caller following many streams weighs against its memory budget.
    public var indexedEvents: Int { index?.count ?? 0 }

    /// Whether the event comes after everything folded so far (the cheap case).
    public func inOrder(_ event: Event) -> Bool {
        guard event.type != .retracted else { return false }
        guard hasEvents else { return true }
        return head.map { $0.lastKey < event.foldKey } ?? false
    }

    /// Adds the next event of the stream and tells what it changed.
    /// `earlier` returns every earlier event of the stream in position order;
    /// it is called at most once, for the first event out of order.
    public mutating func add(_ event: Event, earlier: () throws -> [Event]) rethrows -> [Change] {
        try add(event, earlier: earlier, changes: true)
    }

    /// Adds the next event without working out its changes.
    public mutating func skip(_ event: Event, earlier: () throws -> [Event]) rethrows {
        _ = try add(event, earlier: earlier, changes: false)
    }

    /// True once an event arrived out of fold order and the index was built:
    /// from then on `earlier` is never called.
    public var isIndexed: Bool { index != nil }

    private mutating func add(_ event: Event, earlier: () throws -> [Event],
                              changes wanted: Bool) rethrows -> [Change] {
        defer { hasEvents = true }
        if inOrder(event) {
            let before = wanted ? head?.state : nil
            Fold.fold(event, onto: &head)
            index?.add(event)
            return wanted ? Change.between(before, head?.state) : []
        }
        if index == nil {
            var built = StreamFoldIndex()
            for prior in try earlier() { built.add(prior) }
            index = built
        }
        var changes: [Change] = []
        if wanted, let index {
            if event.type == .retracted {
                // What the retracted event had changed, undone: at its own place in the fold.
                if let target = event.data["event"]?.stringValue.flatMap(index.event(id:)) {
                    let before = index.folded(before: target.foldKey)
                    changes = Change.between(Fold.fold(CollectionOfOne(target), from: before)?.state, before?.state)
                }
            } else {
                let before = index.folded(before: event.foldKey)
                changes = Change.between(before?.state, Fold.fold(CollectionOfOne(event), from: before)?.state)
            }
        }
        index?.add(event)
        // A late measurement after the creation goes into the head where it
        // lies; anything else reads the new head from the index. (Reading it
        // for every late reading was a quarter of the index's work in a
        // `history` of a 33k-reading stream in random order.)
        if let creationKey = index?.creationKey, creationKey < event.foldKey, Fold.insertLate(event, into: &head) {
            return changes
        }
        head = index?.folded(before: nil)
        return changes
    }
}
