import Foundation
import GoalLedgerCore
import GoalLedgerStore
import Testing

/// `history` hands its rows out one by one (issue 12: a stream of 100k events
/// is printed as it is worked out, not held whole). Each row still leaves with
/// the retraction that hides it, and an entity that is not there gets no row
/// and no output at all.
@Suite struct HistoryStreamTests {
    static let goal = "ballerup/erhverv-2017/mal-3"

    /// The fixture recorded early in 2026, then a retraction of its target (position 8) in June.
    static func ledger(_ cli: CLI) throws -> Ledger {
        let ledger = try Ledger(path: cli.db, mode: .write)
        let january = try Recorded(stored: "2026-01-01T00:00:00.000000Z")
        let june = try Recorded(stored: "2026-06-01T00:00:00.000000Z")
        let inputs = try Fixture.policy.split(separator: "\n").map { try EventInput.parse(String($0)) }
        try ledger.append(inputs, context: AppendContext(recordedBy: "test", clock: { january }))
        let retraction = #"{"stream":"\#(goal)","type":"Retracted","effective":"2018-01-01","actor":"ballerup/kb","#
            + #""id":"r1","reason":"Forkert mål","data":{"event":"t1"}}"#
        try ledger.append([try EventInput.parse(retraction)], context: AppendContext(recordedBy: "test", clock: { june }))
        return ledger
    }

    @Test func eachRowLeavesWithTheRetractionThatHidesIt() throws {
        let cli = try CLI()
        let ledger = try Self.ledger(cli)
        var streamed: [HistoryRow] = []
        try ledger.history(Self.goal) { streamed.append($0) }
        #expect(streamed.map(\.event.id) == ["g3", "t1", "r1"])
        #expect(streamed.map(\.retractedBy) == [nil, 8, nil])
        #expect(streamed.map(\.event.position) == (try ledger.history(Self.goal)).map(\.event.position))

        // Known in March, the retraction was not yet recorded: nothing hides the target.
        let march = PointInTime(knownAt: try TimePoint(parsing: "2026-03"))
        var then: [HistoryRow] = []
        try ledger.history(Self.goal, at: march) { then.append($0) }
        #expect(then.map(\.event.id) == ["g3", "t1"])
        #expect(then.map(\.retractedBy) == [nil, nil])
    }

    @Test func nothingIsHandedOutForAnEntityThatIsNotThere() throws {
        let cli = try CLI()
        let ledger = try Self.ledger(cli)
        var handed = 0
        #expect(throws: LedgerError.self) { try ledger.history("ballerup/nowhere") { _ in handed += 1 } }
        // Known before anything was recorded, the goal has no event yet.
        let before = PointInTime(knownAt: try TimePoint(parsing: "2025"))
        #expect(throws: LedgerError.self) { try ledger.history(Self.goal, at: before) { _ in handed += 1 } }
        #expect(handed == 0)
        for args in [["history", "ballerup/nowhere", "--json"], ["history", Self.goal, "--known-at", "2025", "--json"],
                     ["history", "ballerup/nowhere"]] {
            let r = try cli.run(args)
            #expect(r.code == 3, "\(args)")
            #expect(r.stdout.isEmpty, "\(args): \(r.stdout)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
    }
}
