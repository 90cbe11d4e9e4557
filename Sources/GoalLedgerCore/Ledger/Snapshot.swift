/// A stored fold of a stream's prefix, so a point-in-time query on a long
/// stream folds only the events after it.
///
/// The snapshot holds the fold of the stream's events up to and including
/// `folded.lastKey` in fold order, as the ledger knew them at
/// `headPosition` (retractions included). It answers a query only when the
/// query knows everything the snapshot knew (`headRecorded` ≤ knownAt), the
/// snapshot's point is in effect (its effective ≤ asOf), and nothing
/// recorded after it slots in before its point or retracts an event inside
/// it. Otherwise the caller folds from the beginning, so a backdated event or
/// a late retraction never makes a snapshot give a different answer.
public struct Snapshot: Sendable, Equatable {
    public var folded: Folded
    public var headPosition: Int64
    public var headRecorded: String

    public init(folded: Folded, headPosition: Int64, headRecorded: String) {
        self.folded = folded
        self.headPosition = headPosition
        self.headRecorded = headRecorded
    }

    /// How often a stream is snapshotted: every this many events of the stream.
    public static let interval: Int64 = 100

    /// How far back a stream's last snapshot must be for a late event to take
    /// another. A late event (backdated, or a retraction) makes the stream's
    /// later snapshots useless to queries that know it, so a stream past
    /// `interval` events is snapshotted again right after it; but a stream
    /// whose events all arrive out of order (hourly readings migrated from a
    /// spreadsheet) would then write a snapshot per event: 99,683 snapshots
    /// for the 100k-event long shape, a fifth of its replay and all of
    /// verify's memory. With this gap it writes one per ten events.
    public static let lateGap: Int64 = 10

    /// Whether a projection snapshots a stream right after folding its event
    /// at `version`: every `interval` events, and after a late event when the
    /// stream's last snapshot (`lastSnapshotVersion`, the version at its head,
    /// 0 for none; asked only then) is `lateGap` or more events back. The
    /// file's snapshots are the ones this rule takes, whoever wrote them, so
    /// `verify` checks them against it.
    public static func isTaken(version: Int64, late: Bool,
                               lastSnapshotVersion: () throws -> Int64) rethrows -> Bool {
        guard version >= interval else { return false }
        if version % interval == 0 { return true }
        return try late && version - lastSnapshotVersion() >= lateGap
    }

    /// Whether the snapshot may answer a query at `point` at all (before looking at later events).
    /// It must know no more than the point does, and its last event must be in effect then.
    public func admits(_ point: PointInTime) -> Bool {
        let rule = CountingRule(point)
        return rule.isKnown(recorded: headRecorded) && rule.isInEffect(effectiveKey: folded.lastKey.effective)
    }
}

extension Fold {
    /// Continues a snapshot to a point in time.
    ///
    /// `candidates` must hold every event of the stream known at
    /// `point.knownAt` that lies after `snapshot.headPosition` and takes
    /// effect by `point.asOf`, every retraction among them whatever its
    /// effective, and each retracted event that lies after the head. Other
    /// events may be given and change nothing: an earlier one that is not
    /// retracted comes before the snapshot's last event in fold order (and a
    /// later retraction of one makes the snapshot unusable either way); a later
    /// one in effect after `asOf` neither counts nor slots in before the
    /// snapshot's point.
    ///
    /// A later measurement that slots in before the snapshot's point is put
    /// in its place (`insertLate`) when `creationKey`, the effective key of
    /// the stream's creation, is given and comes no later: a stream whose
    /// readings all arrive out of order is snapshotted only every tenth
    /// event (`Snapshot.lateGap`), and without this a query of it after its
    /// last snapshot folded the whole stream (2.5× slower `show --as-of` on
    /// the 100k long shape). Returns `.unusable` when the snapshot cannot
    /// answer (any other later event slots in before its point, or a later
    /// retraction takes out one of its events); `.answered(folded)`
    /// otherwise, equal to `state(of:at:)`.
    public static func resume(_ snapshot: Snapshot, with candidates: [Event],
                              at point: PointInTime, creationKey: Int64? = nil) -> SnapshotResumption {
        guard snapshot.admits(point) else { return .unusable }
        let upTo = snapshot.folded.lastKey
        let byID = Dictionary(candidates.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // The snapshot's last event lies at or before its head, so a later one never is it.
        func isLater(_ event: Event) -> Bool { event.position > snapshot.headPosition }
        var retracted = Set<String>()
        for candidate in candidates {
            guard candidate.type == .retracted, let target = candidate.data["event"]?.stringValue else { continue }
            retracted.insert(target)
            if isLater(candidate) {
                // A late retraction of an event inside the snapshot invalidates it.
                guard let retractedEvent = byID[target], isLater(retractedEvent) || upTo < retractedEvent.foldKey
                else { return .unusable }
            }
        }
        let rule = CountingRule(point)
        var start: Folded? = snapshot.folded
        for candidate in candidates where isLater(candidate) && candidate.foldKey < upTo {
            if retracted.contains(candidate.id) { continue }
            guard let creationKey, creationKey <= candidate.effective.key, rule.isInEffect(candidate),
                  insertLate(candidate, into: &start) else { return .unusable }
        }
        var tail = candidates.filter { candidate in
            upTo < candidate.foldKey && !retracted.contains(candidate.id) && rule.isInEffect(candidate)
        }
        if !isSorted(tail) { tail.sort(by: precedes) }
        return .answered(fold(tail, from: start ?? snapshot.folded))
    }
}

/// What continuing a snapshot to a point in time gives (`Fold.resume`).
public enum SnapshotResumption: Sendable, Equatable {
    /// Something recorded after the snapshot changes what it holds: fold from the start instead.
    case unusable
    /// The fold at the point; nil when the entity does not exist then.
    case answered(Folded?)
}
