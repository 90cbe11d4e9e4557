import Foundation
import Testing

/// The benchmark's synthetic national ledger (Sources/goalledger-bench) is
/// only worth measuring if every line passes the append rules.
@Suite struct BenchGeneratorTests {
    static var generator: URL { CLI.binary.deletingLastPathComponent().appendingPathComponent("goalledger-bench") }

    func generate(_ n: Int, _ path: String, shape: String = "national") throws -> Int32 {
        let p = Process()
        p.executableURL = Self.generator
        p.arguments = ["generate", String(n), path, "--shape", shape]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    @Test func twoThousandGeneratedEventsImportCleanlyAndVerify() throws {
        let cli = try CLI()
        let file = cli.path("synthetic.ndjson")
        #expect(try generate(2000, file) == 0)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2000)
        let r = try cli.run(["import", file])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stderr.contains("2000 appended, 0 skipped"))
        let v = try cli.run(["verify"])
        #expect(v.code == 0, "\(v.stderr)")
        // Backdated measurements and corrections are there from the start.
        #expect(lines.contains { $0.contains(#""type":"Retracted""#) })
    }

    @Test func theSameSeedGivesTheSameLedger() throws {
        let cli = try CLI()
        #expect(try generate(1500, cli.path("a.ndjson")) == 0)
        #expect(try generate(1500, cli.path("b.ndjson")) == 0)
        #expect(cli.checksum(cli.path("a.ndjson")) == cli.checksum(cli.path("b.ndjson")))
    }

    /// Issue 12's shapes: each imports cleanly and verifies, and has the shape it claims.
    @Test(arguments: ["wide", "shuffled", "long"])
    func everyShapeImportsCleanlyAndVerifies(_ shape: String) throws {
        let cli = try CLI()
        let file = cli.path("\(shape).ndjson")
        #expect(try generate(3000, file, shape: shape) == 0)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 3000)
        let r = try cli.run(["import", file])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(try cli.run(["verify"]).code == 0)
        let events = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let streams = Dictionary(grouping: events) { $0["stream"] as? String ?? "" }
        let creations: Set = ["ActorRegistered", "PlanDrafted", "ThemeAdded", "GoalDefined", "IndicatorDefined",
                              "InitiativeAdded"]
        func outOfOrder(_ stream: [[String: Any]]) -> Bool {
            let dates = stream.filter { $0["type"] as? String == "MeasurementRecorded" }.compactMap { $0["effective"] as? String }
            return dates != dates.sorted()
        }
        switch shape {
        case "wide":
            #expect(events.filter { creations.contains($0["type"] as? String ?? "") }.count * 3 >= events.count)
            #expect(streams.count * 10 >= events.count * 3, "≥ 30,000 streams per 100k events")
            #expect(events.allSatisfy { $0["id"] == nil })
        case "shuffled":
            let national = cli.path("national.ndjson")
            #expect(try generate(3000, national) == 0)
            let original = try String(contentsOfFile: national, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(original.sorted() == lines.sorted(), "the same events")
            #expect(original != lines)
            #expect(streams.values.contains(where: outOfOrder))
        default:
            let longest = streams.values.map(\.count).max() ?? 0
            #expect(longest * 10 >= events.count * 9)
            #expect(streams.values.contains(where: outOfOrder))
        }
    }
}
