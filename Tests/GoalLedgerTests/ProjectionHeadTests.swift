import Foundation
@testable import GoalLedgerCore
@testable import GoalLedgerStore
import Testing

/// `ProjectionHead` after every event of streams arriving in random
/// effective order equals the plain fold of the events so far. Its own
/// shortcuts (a late measurement, a late target, status or title placed
/// from the members' last writers it keeps) are what is tested; the refold
/// it asks for is the plain fold here, and says whether the last writers
/// stayed as `Projection.refold` does.
@Suite struct ProjectionHeadTests {
    static func event(_ type: EventType, _ effective: String, _ data: JSONObject, position: Int64) throws -> Event {
        EventInput(stream: "p/g", type: type, effective: try Effective(parsing: effective), actor: "kb",
                       reason: nil, data: data)
            .event(position: position, version: position, id: "e\(position)", recorded: "2026-01-01T00:00:00.000000Z",
                   recordedBy: "t", prev: Event.genesis)
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func everyStepEqualsThePlainFold(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var events = [try Self.event(.goalDefined, "2010-01-01", ["plan": "p", "title": "Mål"], position: 1)]
        var head = ProjectionHead()
        head.advance(events[0], creationKey: { nil }, refold: { _, _, _ in
            Issue.record("a creation in order is never refolded")
            return ProjectionHead.Refolded(head: nil, keepsLastWriters: false)
        })
        var retracted = Set<String>()
        var placedWithoutRefold = 0
        for n in 2...400 {
            let effective = String(format: "%04d-%02d-01", Int.random(in: 2010...2030, using: &rng),
                                   Int.random(in: 1...12, using: &rng))
            let position = Int64(n)
            let next: Event
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<30: next = try Self.event(.targetSet, effective, ["value": .number(Double(n)), "unit": "%"],
                                               position: position)
            case 30..<50: next = try Self.event(.statusChanged, effective,
                                                ["status": .string(["active", "achieved"].randomElement(using: &rng)!)],
                                                position: position)
            case 50..<65: next = try Self.event(.goalRevised, effective, ["title": .string("Mål \(n)")],
                                                position: position)
            case 65..<85: next = try Self.event(.linked, effective, ["to": .string("sdg:\(n % 3)")], position: position)
            default:
                // Links now and then; in the last quarter, the event that sets the current target too:
                // the head must forget its writers then (a later target may now win).
                let counted = events.dropFirst().filter { $0.type != .retracted && !retracted.contains($0.id) }
                let targetWriter = counted.filter { $0.type == .targetSet }.max { $0.foldKey < $1.foldKey }
                let links = counted.filter { $0.type == .linked }
                guard let target = n > 300 && Bool.random(using: &rng) ? targetWriter : links.randomElement(using: &rng)
                else { continue }
                retracted.insert(target.id)
                next = try Self.event(.retracted, effective, ["event": .string(target.id)], position: position)
            }
            var refolded = false
            head.advance(next, creationKey: { events[0].effective.key }, refold: { late, _, _ in
                refolded = true
                let target = late.data["event"]?.stringValue.flatMap { id in events.first { $0.id == id } }
                return ProjectionHead.Refolded(
                    head: Fold.state(of: events + [late]),
                    keepsLastWriters: ProjectionHead.keepsLastWriters(late, retractedType: target?.type))
            })
            events.append(next)
            #expect(head.head == Fold.state(of: events), "seed \(seed) position \(n) \(next.type)")
            if !refolded && next.foldKey < events.dropLast().map(\.foldKey).max()! { placedWithoutRefold += 1 }
        }
        #expect(placedWithoutRefold > 100)
    }
}
