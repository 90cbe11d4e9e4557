import Foundation
import GRDB
import GoalLedgerCore
import GoalLedgerStore
import Testing

/// `verify` of a ledger with more streams than it keeps in memory compares
/// the rows of finished streams during its scan and lets them go
/// (`Projection.letGoOfFinished`; issue 12: the wide shape at 1M held 426 MB).
/// With a budget of 40 streams and a call every 97 events, a 4,000-event
/// ledger takes that path; each tampering must be named exactly as the
/// verify that keeps every stream names it.
@Suite struct VerifyBoundTests {
    /// A generated 4,000-event ledger (national shape) in a fresh directory.
    static func ledger() throws -> CLI {
        let cli = try CLI()
        let file = cli.path("synthetic.ndjson")
        #expect(try BenchGeneratorTests().generate(4000, file) == 0)
        #expect(try cli.run(["import", file, "--quiet"]).code == 0)
        return cli
    }

    /// A verify that keeps at most 40 streams, and one that keeps them all.
    static func bothVerifies(_ cli: CLI) throws -> (bounded: Result<VerifyReport, any Error>,
                                                   whole: Result<VerifyReport, any Error>) {
        let ledger = try Ledger(path: cli.db, mode: .read)
        ledger.checkpoints.interval = 97
        ledger.checkpoints.verifyResidentStreams = 40
        let bounded = Result { try ledger.verify() }
        ledger.checkpoints.verifyResidentStreams = 1_000_000
        let whole = Result { try ledger.verify() }
        return (bounded, whole)
    }

    /// The failure's message; nil when the verify passed.
    static func message(_ result: Result<VerifyReport, any Error>) -> String? {
        if case .failure(let error) = result { return (error as? LedgerError)?.message ?? "\(error)" }
        return nil
    }

    /// Streams whose last event comes early: verify has let them go by the end of the scan.
    static func finishedEarly(_ cli: CLI) throws -> [String] {
        let q = try DatabaseQueue(path: cli.db)
        defer { try? q.close() }
        return try q.read { db in
            try String.fetchAll(db, sql: """
                SELECT stream FROM events GROUP BY stream HAVING max(position) BETWEEN 1000 AND 2000
                ORDER BY max(position) LIMIT 3
                """)
        }
    }

    @Test func aCleanLedgerPassesWithFinishedStreamsComparedDuringTheScan() throws {
        let cli = try Self.ledger()
        let (bounded, whole) = try Self.bothVerifies(cli)
        let report = try bounded.get(), all = try whole.get()
        #expect(report.events == 4000)
        #expect(report.comparedDuringScan > 40, "the bounded path ran")
        #expect(all.comparedDuringScan == 0)
        #expect(report.streams == all.streams)
        #expect(report.head! == all.head!)
    }

    @Test func aChangedRowOfAFinishedStreamIsNamedAsWhenEveryStreamIsKept() throws {
        let cli = try Self.ledger()
        let streams = try Self.finishedEarly(cli)
        #expect(streams.count == 3)
        for stream in streams {
            try cli.changeOneRow("UPDATE entities SET version = version + 1 WHERE id = ?", [stream])
            let (bounded, whole) = try Self.bothVerifies(cli)
            #expect(Self.message(bounded) == "projection: entities row \(stream), column version, differs from a "
                        + "fresh fold of its events; run `goalledger replay`")
            #expect(Self.message(bounded) == Self.message(whole))
            try cli.changeOneRow("UPDATE entities SET version = version - 1 WHERE id = ?", [stream])
        }
        #expect(try Self.bothVerifies(cli).bounded.get().events == 4000)
    }

    @Test func aRowNoEventCreatesAndAMissingRowAreNamed() throws {
        let cli = try Self.ledger()
        let stream = try #require(try Self.finishedEarly(cli).first)
        let columns = "kind, version, created, folded, last_position, plan, parent, title, status, state"
        try cli.changeOneRow("INSERT INTO entities (id, \(columns)) SELECT 'nobody/made/this', \(columns) "
                          + "FROM entities WHERE id = ?", [stream])
        var (bounded, whole) = try Self.bothVerifies(cli)
        #expect(Self.message(bounded)
                    == "projection: entities has a row nobody/made/this that no event creates; run `goalledger replay`")
        #expect(Self.message(whole) == Self.message(bounded))
        try cli.changeOneRow("DELETE FROM entities WHERE id = ?", ["nobody/made/this"])

        try cli.changeOneRow("DELETE FROM entities WHERE id = ?", [stream])
        (bounded, whole) = try Self.bothVerifies(cli)
        #expect(Self.message(bounded) == "projection: entities has no row for \(stream); run `goalledger replay`")
        #expect(Self.message(whole) == Self.message(bounded))
    }

    /// A difference found during the scan waits: a broken event later in the
    /// ledger is still what verify names, as when every stream is kept.
    @Test func aBrokenEventIsNamedBeforeARowFoundChangedEarlier() throws {
        let cli = try Self.ledger()
        let stream = try #require(try Self.finishedEarly(cli).first)
        try cli.changeOneRow("UPDATE entities SET title = title || ' ' WHERE id = ?", [stream])
        try TamperingTests.withGuardDropped(cli) { db in
            try db.execute(sql: "UPDATE events SET reason = 'omskrevet' WHERE position = 3900")
        }
        let (bounded, whole) = try Self.bothVerifies(cli)
        let message = try #require(Self.message(bounded))
        #expect(message.hasPrefix("position 3900: "), "\(message)")
        #expect(Self.message(whole) == message)
    }
}
