import Foundation
import GoalLedgerCore
import GoalLedgerStore
import Testing

/// `audit` of a ledger with more streams in fold order than it keeps lets go
/// of the finished ones (`Ledger.letGoOfFinished`; issue 12: the wide shape
/// at 1M held 331 MB). With a budget of 20 streams and a call every 97
/// events, the rows of 3,000-event ledgers of three shapes must be exactly
/// those of an audit that keeps every stream, filtered or not.
@Suite struct AuditBoundTests {
    /// Every row of an audit as its JSON text, with a budget of `resident` streams.
    static func rows(_ ledger: Ledger, _ filter: AuditFilter, resident: Int) throws -> [String] {
        ledger.checkpoints.interval = 97
        ledger.checkpoints.auditResidentStreams = resident
        var rows: [String] = []
        try ledger.audit(filter) { rows.append($0.jsonText) }
        return rows
    }

    @Test(arguments: ["national", "wide", "shuffled"])
    func rowsAreThoseOfAnAuditThatKeepsEveryStream(shape: String) throws {
        let cli = try CLI()
        let file = cli.path("\(shape).ndjson")
        #expect(try BenchGeneratorTests().generate(3000, file, shape: shape) == 0)
        #expect(try cli.run(["import", file, "--quiet"]).code == 0)
        let ledger = try Ledger(path: cli.db, mode: .read)
        var target = AuditFilter()
        target.field = "target"
        for filter in [AuditFilter(), target] {
            let whole = try Self.rows(ledger, filter, resident: 1_000_000)
            #expect(whole.count > (filter.field == nil ? 2900 : 0))
            #expect(try Self.rows(ledger, filter, resident: 20) == whole, "\(shape) \(filter.field ?? "all")")
        }
    }

    /// `auditOnTwoCores` (the scan on another core, rows on this one, as
    /// `audit` on the command line and `/api/audit` run it) hands over
    /// exactly `audit`'s rows, in order, with and without a filter; a row
    /// callback that throws stops it, and its error comes out.
    @Test func onTwoCoresTheRowsAreThoseOfOne() throws {
        struct Enough: Error {}
        let cli = try CLI()
        let file = cli.path("shuffled.ndjson")
        #expect(try BenchGeneratorTests().generate(3000, file, shape: "shuffled") == 0)
        #expect(try cli.run(["import", file, "--quiet"]).code == 0)
        let ledger = try Ledger(path: cli.db, mode: .read)
        var target = AuditFilter()
        target.field = "target"
        for filter in [AuditFilter(), target] {
            var one: [String] = [], two: [String] = []
            try ledger.audit(filter) { one.append($0.jsonText) }
            try ledger.auditOnTwoCores(filter) { two.append($0.jsonText) }
            #expect(one.count > (filter.field == nil ? 2900 : 0))
            #expect(two == one, "\(filter.field ?? "all")")
        }
        var shown = 0
        #expect(throws: Enough.self) {
            try ledger.auditOnTwoCores(AuditFilter()) { _ in
                if shown == 1_000 { throw Enough() }
                shown += 1
            }
        }
        #expect(shown == 1_000)
    }
}
