import Testing
@testable import GoalLedgerCore

/// Builds events for pure fold tests; recorded times follow positions.
struct Script {
    var events: [Event] = []
    let stream = "ballerup/erhverv-2017/mal-3"

    mutating func add(_ type: EventType, _ effective: String, _ data: JSONObject, id: String? = nil,
                      recorded: String? = nil, reason: String? = nil) throws {
        let p = Int64(events.count + 1)
        let rec = recorded ?? "2026-01-01T00:00:\(p < 10 ? "0" : "")\(p).000000Z"
        events.append(EventInput(stream: stream, type: type, effective: try Effective(parsing: effective), actor: "ballerup/kb",
                                 reason: reason, data: data)
            .event(position: p, version: p, id: id ?? "e\(p)", recorded: rec, recordedBy: "t", prev: Event.genesis))
    }

    func target(asOf: String? = nil, knownAt: String? = nil) throws -> JSON? {
        let point = PointInTime(asOf: try asOf.map { t throws(InputError) in try TimePoint(parsing: t) },
                                knownAt: try knownAt.map { t throws(InputError) in try TimePoint(parsing: t) })
        return Fold.state(of: events, at: point)?.state["target"]?.objectValue?["value"]
    }
}

@Suite struct FoldTests {
    func goal() throws -> Script {
        var s = Script()
        try s.add(.goalDefined, "2017-09-26", ["plan": "ballerup/erhverv-2017", "title": "Mål 3"])
        try s.add(.targetSet, "2017-09-26", ["value": 25, "unit": "%"])
        try s.add(.targetSet, "2021-06-22", ["value": 30, "unit": "%"], reason: "Ny politik")
        return s
    }

    /// Later measurements that slot in before a snapshot's point are put in
    /// their place, so the snapshot still answers, as the plain fold does.
    @Test func aSnapshotResumesPastLaterMeasurementsThatSlotInBeforeIt() throws {
        var s = Script()
        try s.add(.indicatorDefined, "2010-01-01", ["goal": "p/g", "title": "Andel", "unit": "%",
                                                    "direction": "increase"])
        try s.add(.measurementRecorded, "2012-05-01", ["value": 1])
        try s.add(.measurementRecorded, "2014-01-01", ["value": 2])
        try s.add(.measurementRecorded, "2013-03-01", ["value": 3])
        let head = try #require(s.events.last)
        let snapshot = Snapshot(folded: try #require(Fold.state(of: s.events, at: .now)), headPosition: head.position,
                                headRecorded: head.recorded)
        try s.add(.measurementRecorded, "2011-01-01", ["value": 4])
        try s.add(.measurementRecorded, "2014-01-01", ["value": 5])  // ties with the snapshot's latest: comes after it
        try s.add(.measurementRecorded, "2015-01-01", ["value": 6])
        try s.add(.measurementRecorded, "2012-01-01", ["value": 7], id: "m8")
        try s.add(.retracted, "2016-01-01", ["event": "m8"])
        let later = Array(s.events[Int(head.position)...])
        let creation = s.events[0].effective.key
        for asOf in [nil, "2014-06-01", "2015-06-01"] as [String?] {
            let point = PointInTime(asOf: try asOf.map { text throws(InputError) in try TimePoint(parsing: text) })
            let plain = try #require(Fold.state(of: s.events, at: point))
            #expect(Fold.resume(snapshot, with: later, at: point, creationKey: creation) == .answered(plain),
                    "\(point)")
        }
        #expect(Fold.state(of: s.events, at: .now)?.state["latest"]?.objectValue?["value"] == 6)
        // Known before the retraction: the retracted measurement counts, and is put in its place too.
        let beforeRetraction = PointInTime(knownAt: try TimePoint(parsing: s.events[7].recorded))
        #expect(Fold.resume(snapshot, with: Array(later.dropLast()), at: beforeRetraction, creationKey: creation)
                    == .answered(Fold.state(of: s.events, at: beforeRetraction)))
        // Without the creation's key, or with a later event of another type before its point, it cannot answer.
        #expect(Fold.resume(snapshot, with: later, at: .now) == .unusable)
        try s.add(.indicatorRevised, "2013-01-01", ["title": "Andel i alt"])
        #expect(Fold.resume(snapshot, with: Array(s.events[Int(head.position)...]), at: .now, creationKey: creation)
                    == .unusable)
    }

    @Test func targetRevisedTwiceAnswersEachPeriod() throws {
        var s = try goal()
        try s.add(.targetSet, "2024-01-10", ["value": 35, "unit": "%"], reason: "Midtvejsrevision")
        #expect(try s.target(asOf: "2017-09-25") == nil)
        #expect(Fold.state(of: s.events, at: PointInTime(asOf: try TimePoint(parsing: "2017-09-25"))) == nil)
        #expect(try s.target(asOf: "2017-09-26") == 25)
        #expect(try s.target(asOf: "2021-06-21") == 25)
        #expect(try s.target(asOf: "2021-06-22") == 30)
        #expect(try s.target(asOf: "2023") == 30)
        #expect(try s.target(asOf: "2024-01") == 35)
        #expect(try s.target() == 35)
    }

    @Test func backdatedRevisionSlotsIntoHistoryAndHidesBeforeItsRecording() throws {
        var s = try goal()
        // Recorded in 2026 with effect from 2019: history as of 2020 changes.
        try s.add(.targetSet, "2019-01-01", ["value": 27, "unit": "%"], recorded: "2026-06-01T00:00:00.000000Z", reason: "Glemt beslutning")
        #expect(try s.target(asOf: "2018") == 25)
        #expect(try s.target(asOf: "2020") == 27)
        #expect(try s.target(asOf: "2022") == 30)
        #expect(try s.target(asOf: "2020", knownAt: "2026-05") == 25)
    }

    @Test func retractionIsIgnoredFromItsRecordingOnAtEveryAsOf() throws {
        var s = try goal()
        try s.add(.retracted, "2026-01-01", ["event": "e3"], recorded: "2026-03-01T00:00:00.000000Z")
        #expect(try s.target() == 25)
        #expect(try s.target(asOf: "2022") == 25)
        #expect(try s.target(asOf: "2022", knownAt: "2026-02") == 30)
    }

    @Test func changesCompareTheEventsOwnMomentBeforeAndAfterItWasRecorded() throws {
        var s = try goal()
        try s.add(.targetSet, "2019-01-01", ["value": 27, "unit": "%"], recorded: "2026-06-01T00:00:00.000000Z", reason: "Glemt")
        try s.add(.retracted, "2026-07-01", ["event": "e3"], recorded: "2026-07-01T00:00:00.000000Z")
        var t = StreamTimeline()
        var all: [[Change]] = []
        for (i, e) in s.events.enumerated() { all.append(t.add(e) { Array(s.events[..<i]) }) }
        #expect(all[1] == [Change(field: "target.value", before: nil, after: 25), Change(field: "target.unit", before: nil, after: "%")])
        #expect(all[2] == [Change(field: "target.value", before: 25, after: 30)])
        #expect(all[3] == [Change(field: "target.value", before: 25, after: 27)])  // as of 2019, not of today
        #expect(all[4] == [Change(field: "target.value", before: 30, after: 27)])  // the retraction undoes 30 at 2021-06-22
        #expect(t.head?.state["target"]?.objectValue?["value"] == 27)
        #expect(t.head?.version == 4)
    }

    @Test func linksAreSetAndRemovedByTarget() throws {
        var s = try goal()
        try s.add(.linked, "2022-01-01", ["to": "sdg:4", "relation": "bidrager til"])
        try s.add(.linked, "2022-01-01", ["to": "sdg:8"])
        try s.add(.linked, "2022-02-01", ["to": "sdg:4", "relation": "understøtter"])
        try s.add(.unlinked, "2023-01-01", ["to": "sdg:8"])
        let links = Fold.state(of: s.events)?.state["links"]
        #expect(links == [["to": "sdg:4", "relation": "understøtter"]])
    }

    /// A late target, status or revision put in its place without a refold
    /// (`Fold.placeLate`) is the plain fold of the stream with it, on random
    /// goals whose events arrive in random effective order, ties and
    /// retractions included; any other type is left to a refold.
    @Test func aLateEventThatSetsOnlyItsOwnMembersIsPlacedAsTheFoldPlacesIt() throws {
        var rng = SplitMix64(seed: 12)
        var placed = 0
        for _ in 0..<40 {
            var s = Script()
            try s.add(.goalDefined, "2015-01-01", ["plan": "p", "title": "Mål"])
            var effectives: [String] = []
            for n in 0..<60 {
                let year = Int.random(in: 2015...2030, using: &rng), month = Int.random(in: 1...12, using: &rng)
                let effective = !effectives.isEmpty && Int.random(in: 0..<5, using: &rng) == 0
                    ? effectives.randomElement(using: &rng)! : "\(year)-\(month < 10 ? "0" : "")\(month)-01"
                effectives.append(effective)
                let before = s.events
                switch Int.random(in: 0..<12, using: &rng) {
                case 0..<4: try s.add(.targetSet, effective, ["value": .number(Double(n)), "unit": "%"])
                case 4..<7: try s.add(.statusChanged, effective,
                                      ["status": .string(["active", "achieved", "missed"].randomElement(using: &rng)!)])
                case 7..<9: try s.add(.goalRevised, effective, n % 2 == 0 ? ["title": .string("Mål \(n)")]
                                          : ["title": .string("Mål \(n)"), "label": .string("L\(n)")])
                case 9..<11: try s.add(.linked, effective, ["to": .string("sdg:\(n % 3)")])
                default:
                    let retractable = before.dropFirst().filter { $0.type != .retracted }
                    guard let target = retractable.randomElement(using: &rng) else { continue }
                    try s.add(.retracted, effective, ["event": .string(target.id)])
                }
                let event = s.events.last!
                guard let head = Fold.state(of: before), head.lastKey > event.foldKey, event.type != .retracted else {
                    continue
                }
                let retracted = CountingRule.now.retractedIDs(among: before)
                let later = before.filter { event.foldKey < $0.foldKey && !retracted.contains($0.id) }
                let result = Fold.placeLate(event, into: head, laterInFold: later)
                if Fold.setsOnlyItsOwnMembers(event.type) {
                    #expect(result == Fold.state(of: s.events), "\(event.type) at \(event.effective.text)")
                    placed += 1
                } else {
                    #expect(result == nil)
                }
            }
        }
        #expect(placed > 300)
    }
}
