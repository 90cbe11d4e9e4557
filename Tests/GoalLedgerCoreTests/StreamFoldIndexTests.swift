import Testing
@testable import GoalLedgerCore

/// The definition `StreamTimeline` must keep, written the plain way: every
/// change is worked out by folding the stream's earlier events again.
/// Quadratic on a stream whose events arrive out of order, exact always.
struct ReferenceTimeline {
    var events: [Event] = []

    mutating func add(_ e: Event) -> [Change] {
        defer { events.append(e) }
        let ordered = Fold.events(events, at: .now)
        if e.type == .retracted {
            let target = e.data["event"]?.stringValue
            guard let i = ordered.firstIndex(where: { $0.id == target }) else { return [] }
            return Change.between(Fold.fold(ordered[...i])?.state, Fold.fold(ordered[..<i])?.state)
        }
        let before = Fold.fold(ordered.filter { Fold.precedes($0, e) })
        return Change.between(before?.state, Fold.fold([e], from: before)?.state)
    }

    var head: Folded? { Fold.state(of: events) }
}

/// Random streams of every event type, in random effective order, with
/// retractions (of creations and of retractions too) and ties of `effective`.
struct RandomStream {
    var rng: SplitMix64
    let kind: EntityKind
    var events: [Event] = []
    var effectives: [String] = []

    init(seed: UInt64, kind: EntityKind) {
        rng = SplitMix64(seed: seed)
        self.kind = kind
    }

    var stream: String { kind == .plan ? "p" : "p/x" }

    mutating func effective() -> String {
        if !effectives.isEmpty, Int.random(in: 0..<5, using: &rng) == 0 { return effectives.randomElement(using: &rng)! }
        let year = Int.random(in: 2010...2026, using: &rng), month = Int.random(in: 1...12, using: &rng)
        let day = Int.random(in: 1...28, using: &rng)
        let date = "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
        effectives.append(date)
        return date
    }

    mutating func next() throws -> Event {
        let position = Int64(events.count + 1)
        let when = effective()
        let (type, data) = content(position)
        let input = EventInput(stream: stream, type: type, effective: try Effective(parsing: when), actor: "kb", data: data)
        let e = input.event(position: position, version: position, id: "e\(position)",
                            recorded: Recorded(micros: 1_767_225_600_000_000 + position * 1_000_000).text,
                            recordedBy: "t", prev: Event.genesis)
        events.append(e)
        return e
    }

    private mutating func content(_ position: Int64) -> (EventType, JSONObject) {
        let pick = Int.random(in: 0..<100, using: &rng)
        if position == 1 || pick < 3 { return creation() }
        if pick < 13, let target = events.randomElement(using: &rng) {
            return (.retracted, ["event": .string(target.id)])
        }
        let value = JSON.number(Double(Int.random(in: 0...50, using: &rng)))
        let sdg = JSON.string("sdg:\(Int.random(in: 1...4, using: &rng))")
        switch (kind, pick % 6) {
        case (.indicator, 0), (.indicator, 1), (.indicator, 2):
            return (.measurementRecorded, ["value": value, "period": "2020"])
        case (.indicator, 3): return (.targetSet, ["value": value, "unit": "%"])
        case (.indicator, 4): return (.indicatorRevised, ["title": .string("Titel \(position)")])
        case (.indicator, _): return pick % 2 == 0 ? (.linked, ["to": sdg]) : (.unlinked, ["to": sdg])
        case (.plan, 0): return (.planRevised, ["title": .string("Plan \(position)")])
        case (.plan, 1): return (.planAdopted, pick % 2 == 0 ? ["by": "kb"] : [:])
        case (.plan, 2): return (.planSuperseded, ["by": "q"])
        case (.plan, 3): return (.milestoneRecorded, ["title": .string("Milepæl \(position)")])
        case (.plan, 4): return (.planRetired, [:])
        default: return pick % 2 == 0 ? (.linked, ["to": sdg, "relation": "bidrager til"]) : (.unlinked, ["to": sdg])
        }
    }

    private func creation() -> (EventType, JSONObject) {
        kind == .plan
            ? (.planDrafted, ["organization": "kb", "kind": "policy", "title": "Plan"])
            : (.indicatorDefined, ["goal": "p/g", "title": "Andel", "unit": "%", "direction": "increase"])
    }
}

@Suite struct StreamFoldIndexTests {
    @Test func orderedListAnswersLikeASortedArray() {
        var rng = SplitMix64(seed: 7)
        var list = FoldOrderedList<Int>()
        var plain: [FoldKey] = []
        for step in 0..<2_000 {
            let key = FoldKey(effective: Int64.random(in: 0..<400, using: &rng), position: Int64(step))
            if !plain.isEmpty, Int.random(in: 0..<4, using: &rng) == 0 {
                let gone = plain.remove(at: Int.random(in: 0..<plain.count, using: &rng))
                #expect(list.remove(gone) == Int(gone.position))
            } else {
                plain.append(key)
                plain.sort()
                list.insert(key, Int(key.position))
            }
            let probe = FoldKey(effective: Int64.random(in: 0..<400, using: &rng), position: Int64.random(in: 0..<5_000, using: &rng))
            #expect(list.last(before: probe)?.key == plain.last { $0 < probe })
            let lower = plain.randomElement(using: &rng) ?? probe
            #expect(list.count(from: lower, before: probe) == plain.filter { !($0 < lower) && $0 < probe }.count)
            #expect(list.entries(after: lower, before: probe).map(\.key) == plain.filter { lower < $0 && $0 < probe })
            #expect(list.count == plain.count)
        }
        #expect(list.all.map(\.key) == plain)
        #expect(list.remove(FoldKey(effective: -1, position: -1)) == nil)
    }

    @Test(arguments: [(1, EntityKind.indicator), (2, .indicator), (3, .plan), (4, .plan), (5, .indicator)] as [(UInt64, EntityKind)])
    func timelineChangesAndHeadEqualThePlainFold(seed: UInt64, kind: EntityKind) throws {
        var stream = RandomStream(seed: seed, kind: kind)
        var timeline = StreamTimeline()
        var reference = ReferenceTimeline()
        for _ in 0..<600 {
            let e = try stream.next()
            let all = stream.events
            let changes = timeline.add(e) { Array(all.dropLast()) }
            #expect(changes == reference.add(e), "seed \(seed) event \(e.position) \(e.type)")
            let expected = reference.head
            #expect(timeline.head?.state == expected?.state, "seed \(seed) event \(e.position)")
            #expect(timeline.head?.version == expected?.version)
            #expect(timeline.head?.lastKey == expected?.lastKey)
        }
    }

    @Test func indexFoldsEveryPrefixLikeTheFold() throws {
        for (seed, kind) in [(11, EntityKind.indicator), (12, .plan)] as [(UInt64, EntityKind)] {
            var stream = RandomStream(seed: seed, kind: kind)
            var index = StreamFoldIndex()
            for _ in 0..<300 { index.add(try stream.next()) }
            let chosen = Fold.events(stream.events, at: .now)
            for bound in chosen.map(\.foldKey) + [FoldKey(effective: .max, position: 0)] {
                let expected = Fold.fold(chosen.filter { $0.foldKey < bound })
                let folded = index.folded(before: bound)
                #expect(folded?.state == expected?.state, "seed \(seed) before \(bound)")
                #expect(folded?.version == expected?.version)
            }
        }
    }

    /// One indicator with 20,000 measurements in random effective order: a
    /// migration of old figures. Each late one costs a few lookups, not a
    /// refold (the plain way is quadratic: more than a minute).
    @Test func aLongShuffledStreamFollowsInOneLogarithmicPass() throws {
        var rng = SplitMix64(seed: 3)
        let creation = EventInput(stream: "p/x", type: .indicatorDefined, effective: try Effective(parsing: "2000-01-01"),
                                  actor: "kb", data: ["goal": "p/g", "title": "Andel", "unit": "%", "direction": "increase"])
        var events = [creation.event(position: 1, version: 1, id: "e1", recorded: "2026-01-01T00:00:00.000000Z",
                                     recordedBy: "t", prev: Event.genesis)]
        var timeline = StreamTimeline()
        _ = timeline.add(events[0]) { [] }
        var latestKey = events[0].foldKey
        var latestValue = 0.0
        for position in 2...20_000 as ClosedRange<Int64> {
            let day = Int64.random(in: 0..<9_000, using: &rng)
            let value = Double(position)
            let input = EventInput(stream: "p/x", type: .measurementRecorded, effective: try Effective(parsing: "2001-01-01"),
                                   actor: "kb", data: ["value": .number(value)])
            var e = input.event(position: position, version: position, id: "e\(position)", recorded: "2026-01-02T00:00:00.000000Z",
                                recordedBy: "t", prev: Event.genesis)
            e.effective = try Effective(parsing: Effective.formatInstant(946_684_800 + day * 86_400)!)
            let changes = timeline.add(e) { events }
            events.append(e)
            if latestKey < e.foldKey {
                latestKey = e.foldKey
                latestValue = value
            }
            // Every measurement adds one to the count, as of its own day.
            if changes.first(where: { $0.field == "measurements" })?.after == nil { Issue.record("no count at \(position)") }
        }
        #expect(timeline.head?.state[.measurements] == .number(19_999))
        #expect(timeline.head?.state[.latest]?.objectValue?["value"] == .number(latestValue))
        #expect(timeline.indexedEvents == 20_000)
    }
}
