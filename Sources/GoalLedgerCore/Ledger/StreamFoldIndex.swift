/// The events of one stream that count, kept by member in fold order, so
/// the fold at any point of the stream is a few lookups, however the events
/// arrived.
///
/// It holds what `Fold.events(_:at: .now)` chooses from the events added so
/// far (in position order), and answers `Fold.fold` of any prefix of them:
/// `folded(before:)` equals `Fold.fold(chosen.filter { key < bound })`.
/// Most members are set by one event whatever came before (`Fold.membersSet`):
/// their value is that of their last writer, one binary search each. The
/// count of measurements is a count of writers; `milestones` and `links` are
/// folded from their own few events. So a backdated event or a retraction
/// costs O(members × log n) instead of a refold of the stream: `history` of
/// one indicator with 20,000 measurements in random effective order went
/// from more than 60 s to well under a second this way (issue 12).
public struct StreamFoldIndex: Sendable {
    /// Where every counted event sits: for the version and the last change.
    /// Keys only, as a late event moves the entries after it in its chunk:
    /// moving whole events there was 9 % of a `history` of a shuffled
    /// 33k-reading stream (the events themselves are in `events`).
    private var counted = FoldOrderedList<Void>()
    /// Counted creation events: the first in fold order makes the entity.
    private var creations = FoldOrderedList<Event>()
    /// The state the first creation in fold order makes (nil when it makes
    /// none), kept as that creation changes: every `folded(before:)` starts
    /// from it. (Applying the creation again at each was 4 % of a `history`
    /// of a 100k-reading stream in random order.)
    private var created: (key: FoldKey, state: EntityState?)?
    /// For each member set whole by some event, what each writer set it to.
    private var writers: [String: FoldOrderedList<JSON?>] = [:]
    /// Counted measurements, for their count (each also writes `latest`).
    private var measurements = FoldOrderedList<Void>()
    /// Counted events of the members folded in order (`milestones`, `links`).
    private var foldedInOrder: [StateMember: FoldOrderedList<Event>] = [:]
    /// Every event added that counted, in the order added (a retracted one
    /// stays, unreachable), as much as a fold reads of it: dense, and a
    /// third of the size of whole `Event`s (which were 24 of the 154 MB of a
    /// `history` of a 100k-reading stream in random order).
    private var events: [KeptEvent] = []
    /// Where each counted event is in `events`, by id: what a retraction looks up.
    private var slotByID: [String: Int] = [:]
    /// Every id a retraction has named: an event with one of them never counts.
    private var retractedIDs: Set<String> = []

    public init() {}

    /// How many events are held (counted ones; retracted ones are dropped).
    public var count: Int { counted.count }

    /// Adds the next event of the stream (in position order). A retraction
    /// takes out the event it names, when that counts.
    public mutating func add(_ added: Event) {
        if added.type == .retracted, let target = added.data["event"]?.stringValue {
            retractedIDs.insert(target)
            if let slot = slotByID.removeValue(forKey: target) { remove(events[slot].event) }
        }
        guard !retractedIDs.contains(added.id) else { return }
        // What no fold reads (actor, reasons, stored text, hashes) is not kept.
        let key = added.foldKey
        slotByID[added.id] = events.count
        events.append(KeptEvent(added))
        counted.insert(key, ())
        if added.type.creates != nil {
            creations.insert(key, added.light)
            keepCreated()
        }
        if added.type == .measurementRecorded { measurements.insert(key, ()) }
        if let member = Fold.memberFoldedInOrder(by: added.type) {
            foldedInOrder[member, default: .init()].insert(key, added.light)
        }
        for (member, value) in Self.valuesSet(by: added) { writers[member, default: .init()].insert(key, value) }
    }

    /// The counted event that `id` names, when there is one.
    public func event(id: String) -> Event? { slotByID[id].map { events[$0].event } }

    /// The fold key of the first creation event in fold order: the entity
    /// exists from there on (nil before any creation).
    public var creationKey: FoldKey? { creations.first?.key }

    /// The fold of the counted events before `bound` in fold order (with no
    /// bound: of all of them); nil when the entity does not exist there.
    public func folded(before bound: FoldKey?) -> Folded? {
        guard let creation = created, bound.map({ creation.key < $0 }) ?? true, var state = creation.state
        else { return nil }
        for (member, list) in writers {
            if let writer = list.last(before: bound), creation.key < writer.key { state[member] = writer.value }
        }
        let measured = measurements.count(from: creation.key, before: bound)
        if measured > 0 { state[.measurements] = .number(Double(measured)) }
        for (_, list) in foldedInOrder {
            for event in list.entries(after: creation.key, before: bound) { Fold.change(event.value, &state) }
        }
        guard let last = counted.last(before: bound) else { return nil }
        return Folded(state: state, version: counted.count(from: creation.key, before: bound), lastKey: last.key)
    }

    private mutating func remove(_ event: Event) {
        let key = event.foldKey
        guard counted.remove(key) != nil else { return }
        if event.type.creates != nil {
            creations.remove(key)
            keepCreated()
        }
        if event.type == .measurementRecorded { measurements.remove(key) }
        if let member = Fold.memberFoldedInOrder(by: event.type) { foldedInOrder[member]?.remove(key) }
        for member in Fold.membersSet(by: event) { writers[member]?.remove(key) }
    }

    /// Sets `created` from the first creation in fold order, when that changed.
    private mutating func keepCreated() {
        guard let first = creations.first else { return created = nil }
        guard created?.key != first.key else { return }
        var made: EntityState?
        created = (first.key, Fold.apply(first.value, into: &made) ? made : nil)
    }

    /// What the event sets each member in `Fold.membersSet(by:)` to: read
    /// back from `Fold.change` on an empty state, so the values are the fold's own.
    private static func valuesSet(by event: Event) -> [(String, JSON?)] {
        let members = Fold.membersSet(by: event)
        guard !members.isEmpty, let kind = event.type.appliesTo.first else { return [] }
        var probe = EntityState(kind: kind)
        Fold.change(event, &probe)
        return members.map { ($0, probe[$0]) }
    }
}

/// What folds read of an event (`Event.forFold`), and no more: its stream
/// is the index's, and no fold reads `recorded`.
private struct KeptEvent: Sendable {
    let position: Int64
    let version: Int64
    let type: EventType
    let effective: Effective
    let id: String
    let data: JSONObject

    init(_ event: Event) {
        position = event.position
        version = event.version
        type = event.type
        effective = event.effective
        id = event.id
        data = event.data
    }

    var event: Event {
        .forFold(position: position, version: version, stream: "", type: type, effective: effective, id: id,
                 data: data, recorded: "")
    }
}
