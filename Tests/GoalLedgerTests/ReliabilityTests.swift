import Foundation
import GRDB
import Testing

/// Issue 6: read commands open the database read-only and never change the file.
@Suite struct ReadOnlyTests {
    static let goal = "ballerup/erhverv-2017/mal-3"
    static let plan = "ballerup/erhverv-2017"

    /// Every read command, in text and JSON, with and without time limits, and the exit code each must give.
    static func readCommands(_ cli: CLI, digest: String, pass: String) -> [([String], Int32)] {
        [
            (["show", goal], 0), (["show", goal, "--json", "--as-of", "2018", "--known-at", "2100"], 0),
            (["show", "ballerup/findes-ikke"], 3),
            (["tree", plan], 0), (["tree", plan, "--json", "--as-of", "2017-06"], 0),
            (["list"], 0), (["list", "--kind", "goal", "--json", "--as-of", "2019"], 0),
            (["history", goal], 0), (["history", goal, "--json", "--known-at", "2100"], 0),
            (["diff", goal, "--from", "2017", "--to", "2020"], 0), (["diff", plan, "--from", "2017-06", "--to", "2019", "--json"], 0),
            (["audit"], 0), (["audit", "--field", "target", "--json"], 0), (["audit", "--backdated", "30", "--stream", "ballerup"], 0),
            (["export"], 0), (["export", "--known-at", "2100"], 0),
            (["verify"], 0), (["verify", "--against", digest], 0),
            (["head"], 0),
            (["replay", "--as-of", "2018", "--into", cli.path("as-of-2018-\(pass).sqlite")], 0),
            (["replay", "--known-at", "2100", "--into", cli.path("known-\(pass).sqlite")], 0),
        ]
    }

    /// Bytes of the ledger and its -wal (nil when absent or empty: a reader may
    /// create an empty -wal, as SQLite does for WAL files). The -shm is shared
    /// memory that readers mark, so it is not part of the file's content.
    static func state(_ cli: CLI) -> [String?] {
        let wal = FileManager.default.contents(atPath: cli.db + "-wal")
        return [cli.checksum(cli.db), wal?.isEmpty == false ? cli.checksum(cli.db + "-wal") : nil]
    }

    static func runAll(_ cli: CLI, digest: String, pass: String) throws {
        let before = state(cli)
        for (args, code) in readCommands(cli, digest: digest, pass: pass) {
            let r = try cli.run(args)
            #expect(r.code == code, "\(args): \(r.stderr)")
            #expect(code != 0 || !r.stdout.isEmpty, "\(args) printed nothing")
            #expect(state(cli) == before, "\(args) changed the ledger file or its -wal")
        }
    }

    @Test func everyReadCommandLeavesTheFileAndItsWalByteIdentical() throws {
        let cli = try TamperingTests.tenEventLedger()
        // After the writers have closed, the WAL was checkpointed and removed.
        #expect(!FileManager.default.fileExists(atPath: cli.db + "-wal"))
        let digest = try cli.run(["head"]).stdout.trimmingCharacters(in: .newlines).replacingOccurrences(of: " ", with: ":")
        try Self.runAll(cli, digest: digest, pass: "closed")
        #expect(Self.state(cli)[1] == nil, "reads put content into the -wal")
    }

    /// Committed events still only in the -wal, and no connection open: a
    /// command that opened the file for writing would checkpoint them into the
    /// main file and remove the -wal when it closed, even without writing. Then,
    /// with a writer holding the write lock, every read still succeeds at once.
    @Test func readsNeitherCheckpointTheWalNorWaitForAWriter() throws {
        let cli = try TamperingTests.tenEventLedger()
        // A read-only connection keeps the appending process from checkpointing
        // when it closes, and cannot checkpoint itself.
        var config = Configuration()
        config.readonly = true
        let holder = try DatabaseQueue(path: cli.db, configuration: config)
        try holder.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM events") }
        let r = try cli.run(["append", "--stream", Self.goal, "--type", "StatusChanged", "--effective", "2023-01-01",
                             "--actor", "ballerup/kb", "--data", #"{"status":"missed"}"#])
        #expect(r.code == 0, "\(r.stderr)")
        try holder.close()
        let wal = try #require(try FileManager.default.attributesOfItem(atPath: cli.db + "-wal")[.size] as? Int)
        #expect(wal > 0, "the append should still be in the -wal")
        let digest = try cli.run(["head"]).stdout.trimmingCharacters(in: .newlines).replacingOccurrences(of: " ", with: ":")
        #expect(digest.hasPrefix("11:"))
        try Self.runAll(cli, digest: digest, pass: "wal")

        let lock = try WriteLockHolder(cli.db)
        defer { lock.release() }
        let took = try ContinuousClock().measure { try Self.runAll(cli, digest: digest, pass: "locked") }
        #expect(took < .seconds(50), "reads waited for the writer's lock")
    }
}

/// Issue 6, hostile input at scale, made at run time rather than kept as
/// megabyte fixtures: each is refused quickly with exit 2 and one line naming
/// the line, and the ledger file is unchanged.
@Suite struct OversizedInputTests {
    static func rejects(_ body: String, line: Int, saying message: String) throws {
        let cli = try CLI()
        try cli.importText(Fixture.actors)
        let before = cli.checksum(cli.db)
        let f = try cli.write("big.ndjson", Fixture.actors + "\n" + body + "\n")
        let started = ContinuousClock.now
        let r = try cli.run(["import", f])
        let took = ContinuousClock.now - started
        #expect(r.code == 2)
        #expect(r.stderr.hasPrefix("error: \(f):\(line): \(message)"), "\(r.stderr.prefix(300))")
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasSuffix("\n"))
        #expect(r.stderr.utf8.count < 400, "the error line quotes too much of the input")
        #expect(cli.checksum(cli.db) == before)
        #expect(took < .seconds(15), "took \(took)")
    }

    /// Duplicate member names used to be found by comparing each name with all
    /// earlier ones: 40,000 members took 50 s (debug), 90,000 several minutes.
    @Test func objectWithNinetyThousandMembersIsRejectedInSeconds() throws {
        let members = (0..<90_000).map { #""k\#($0)":0"# }.joined(separator: ",")
        try Self.rejects("{" + members + "}", line: 3, saying: #"unknown member "k0""#)
    }

    @Test func lineOverOneMebibyteIsRejected() throws {
        let title = String(repeating: "æ", count: 600_000)
        try Self.rejects(#"{"stream":"ballerup/x","type":"ActorRegistered","effective":"2014-01-01","actor":"ballerup/kb","data":{"name":"\#(title)","kind":"body"}}"#,
                         line: 3, saying: "longer than 1048576 bytes")
    }

    @Test func nestingAMillionLevelsDeepIsRejectedWithoutExhaustingTheStack() throws {
        try Self.rejects(String(repeating: "[", count: 500_000) + String(repeating: "]", count: 500_000), line: 3,
                         saying: "invalid JSON: nesting deeper than 32 levels")
    }
}
