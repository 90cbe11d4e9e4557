import Foundation
import Testing

/// The benchmark's synthetic national ledger (Sources/goalledger-bench) is
/// only worth measuring if every line passes the append rules.
@Suite struct BenchGeneratorTests {
    static var generator: URL { CLI.binary.deletingLastPathComponent().appendingPathComponent("goalledger-bench") }

    func generate(_ n: Int, _ path: String) throws -> Int32 {
        let p = Process()
        p.executableURL = Self.generator
        p.arguments = ["generate", String(n), path]
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
}
