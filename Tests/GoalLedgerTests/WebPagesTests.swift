import Foundation
import GoalLedgerCore
import GoalLedgerStore
@testable import GoalLedgerWeb
import Testing

/// The seed ledgers plus the web fixture (a goal whose target is revised three
/// times, with measurements), imported once per test process with the fixed
/// clock and user of snapshots/regenerate.sh.
enum WebLedger {
    static let fixture = SeedLedger.root.appendingPathComponent("Tests/GoalLedgerTests/Fixtures/web/revisions.ndjson").path

    static let cli: CLI = {
        var cli = try! CLI()
        cli.env["GOALLEDGER_CLOCK"] = "2026-11-22T09:00:00Z"
        cli.env["GOALLEDGER_USER"] = "goalledger-seed"
        let r = try! cli.run(["import"] + SeedLedger.files + [fixture, "--quiet"])
        precondition(r.code == 0, "the web fixture does not import: \(r.stderr)")
        return cli
    }()

    static var ledger: Ledger { try! Ledger(path: cli.db, mode: .read) }
}

/// Issue 10: every page type rendered from the seed ledgers without a server
/// (the pure model → HTML functions `site` uses) equals its golden file in
/// snapshots/web/, which only snapshots/regenerate.sh writes.
@Suite struct WebGoldenPagesTests {
    struct Page: CustomTestStringConvertible, Sendable {
        var file: String
        var options: [String]
        var path: String
        var testDescription: String { file }
    }

    static let pages: [Page] = {
        let url = SeedLedger.root.appendingPathComponent("snapshots/web/pages.tsv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { row in
            let fields = row.split(separator: "\t").map(String.init)
            return Page(file: fields[0], options: fields[1].split(separator: " ").map(String.init), path: fields[2])
        }
    }()

    @Test func everyPageTypeHasAGoldenFile() {
        let kinds = Set(Self.pages.map { $0.file.split(separator: "-").first.map(String.init) ?? "" })
        for kind in ["index.html", "plan", "goal", "indicator", "theme", "actor", "audit.html", "verify.html", "history"] {
            #expect(kinds.contains(kind), "no golden page of type \(kind)")
        }
    }

    /// The destination of a path inside a site, as `Linker.staticPath` writes it.
    static func destination(_ path: String) -> Destination {
        if path == "index.html" { return .home }
        if path == "audit/index.html" { return .audit(AuditQuery()) }
        if path == "verify/index.html" { return .verify }
        if path.hasSuffix("/history.csv") { return .historyCSV(String(path.dropFirst(2).dropLast("/history.csv".count))) }
        return .entity(String(path.dropFirst(2).dropLast("/index.html".count)))
    }

    @Test(arguments: pages)
    func pageMatchesItsGoldenFile(_ page: Page) throws {
        var language = Language.da
        var point = PointInTime.now
        var index = 0
        while index < page.options.count {
            switch page.options[index] {
            case "--lang": language = Language(rawValue: page.options[index + 1])!
            case "--as-of": point.asOf = try TimePoint(parsing: page.options[index + 1])
            case "--known-at": point.knownAt = try TimePoint(parsing: page.options[index + 1])
            default: Issue.record("unknown option \(page.options[index]) in pages.tsv")
            }
            index += 2
        }
        let options = SiteWriter.Options(out: "", point: point, language: language, accessibilityStatement: nil,
                                         years: false)
        let rendered = try SiteWriter.page(Self.destination(page.path), WebLedger.ledger, at: point, options)
        let golden = try String(contentsOf: SeedLedger.root.appendingPathComponent("snapshots/web/\(page.file)"),
                                encoding: .utf8)
        #expect(rendered == golden, "\(page.file) differs; if the change is intended, run snapshots/regenerate.sh")
    }

    /// Every golden page is listed, so none goes stale unchecked.
    @Test func everyGoldenPageIsListed() throws {
        let names = try FileManager.default.contentsOfDirectory(
            atPath: SeedLedger.root.appendingPathComponent("snapshots/web").path)
        #expect(Set(names.filter { $0 != "pages.tsv" }) == Set(Self.pages.map(\.file)))
    }
}

/// The parts of the pages that the golden files show but do not explain.
@Suite struct WebRenderingTests {
    @Test func escapingMakesHostileTextInert() {
        let hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>'javascript:\u{9B}31m\u{1B}[2J"
        let escaped = HTML.escape(hostile)
        #expect(escaped == "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
                    + "&#39;javascript:\u{FFFD}31m\u{FFFD}[2J")
        #expect(HTML.escape("tab\tand\nline") == "tab\tand\nline")
    }

    @Test func targetChartOfTheRevisedGoal() throws {
        let model = try Models.entity(WebLedger.ledger, "ballerup/erhverv-2021/mal-3", at: .now)
        let chart = try #require(model.chart)
        #expect(chart.steps.map(\.from.text) == ["2021-06-22", "2022-03-01", "2023-01-15", "2024-02-01"])
        #expect(chart.steps.compactMap { $0.target["value"]?.numberValue } == [30, 30, 27, 29])
        // A deadline written in tightens; 30 → 27 with a later deadline loosens; 27 → 29 tightens.
        #expect(chart.revisions.map(\.direction) == [.tightened, .loosened, .tightened])
        #expect(chart.earlier.count == 3)
        #expect(chart.earlier.map(\.steps.count) == [1, 2, 3])
        #expect(chart.measurements.map(\.value) == [24.5, 26.1])
        #expect(chart.unit == "%")
        // Every revision was recorded on 2026-11-22, long after it took effect.
        #expect(chart.revisions.allSatisfy { $0.backdatedDays > 600 })
        #expect(model.indicators.map(\.id) == ["ballerup/erhverv-2021/mal-3/erhvervsuddannelse-andel"])
    }

    @Test func planBulletsShowTheOriginalTargetOfARevisedGoal() throws {
        let model = try Models.entity(WebLedger.ledger, "ballerup/erhverv-2021", at: .now)
        let bullet = try #require(model.bullets["ballerup/erhverv-2021/mal-3"])
        #expect(bullet.current?["value"]?.numberValue == 29)
        #expect(bullet.original?["value"]?.numberValue == 30)
        #expect(bullet.latest?["value"]?.numberValue == 26.1)
        #expect(bullet.laterChanges == 0)
        let unrevised = try #require(model.bullets["ballerup/erhverv-2021/mal-1"])
        #expect(unrevised.original == nil)
    }

    @Test func laterChangesCountWhatTheViewDoesNotShow() throws {
        let then = try Models.entity(WebLedger.ledger, "ballerup/erhverv-2021/mal-3",
                                     at: PointInTime(asOf: try TimePoint(parsing: "2022-06")))
        // After June 2022: the 2023 and 2024 revisions.
        #expect(then.laterChanges == 2)
        #expect(then.view.state["target"]?.objectValue?["value"]?.numberValue == 30)
        #expect(then.now?.state["target"]?.objectValue?["value"]?.numberValue == 29)
    }

    @Test func danishAndEnglishDatesAndNumbers() {
        let da = Catalogue(language: .da), en = Catalogue(language: .en)
        #expect(da.date("2021-06-22") == "22. juni 2021")
        #expect(en.date("2021-06-22") == "22 June 2021")
        #expect(da.date("2026-11-22T09:00:00.000000Z") == "22. november 2026 kl. 09.00 UTC")
        #expect(da.number(12345.5) == "12.345,5")
        #expect(en.number(12345.5) == "12,345.5")
        #expect(da.number(1000) == "1000")
        #expect(da.number(-0.25) == "-0,25")
        #expect(da.quantity(30, unit: "%") == "30 %")
        #expect(en.quantity(30, unit: "%") == "30%")
        #expect(da.target(["value": 27, "unit": "%", "comparator": ">=", "deadline": "2026-12-31"])
                    == "≥ 27 %, senest 31. december 2026")
    }

    @Test func danishAlphabeticalOrder() {
        let titles = ["Åben by", "Ærø", "Zebra", "Aarhus", "Østerbro", "Albertslund", "ballerup"]
        // "Aa" is å: Aarhus sorts with the å words, after Åben.
        #expect(titles.sorted(by: DanishOrder.less) == ["Albertslund", "ballerup", "Zebra", "Ærø", "Østerbro",
                                                         "Åben by", "Aarhus"])
    }

    @Test func targetDirectionFollowsTheComparator() {
        let before: JSONObject = ["value": 30, "unit": "%", "comparator": ">="]
        #expect(TargetDirection.between(before, ["value": 27, "unit": "%", "comparator": ">="]) == .loosened)
        #expect(TargetDirection.between(before, ["value": 33, "unit": "%", "comparator": ">="]) == .tightened)
        let atMost: JSONObject = ["value": 10, "unit": "placering", "comparator": "<="]
        #expect(TargetDirection.between(atMost, ["value": 12, "unit": "placering", "comparator": "<="]) == .loosened)
        #expect(TargetDirection.between(atMost, ["value": 8, "unit": "placering", "comparator": "<="]) == .tightened)
        let dated: JSONObject = ["value": 30, "unit": "%", "comparator": ">=", "deadline": "2025-12-31"]
        #expect(TargetDirection.between(dated, ["value": 30, "unit": "%", "comparator": ">=", "deadline": "2027-12-31"])
                    == .loosened)
        #expect(TargetDirection.between(dated, before) == .loosened)  // the deadline went
        #expect(TargetDirection.between(before, dated) == .tightened)  // a deadline came
        // Harder on the value, easier on the deadline: loosened, since part of it got easier.
        #expect(TargetDirection.between(dated, ["value": 35, "unit": "%", "comparator": ">=", "deadline": "2028-12-31"])
                    == .loosened)
        #expect(TargetDirection.between(["value": 1, "unit": "x", "comparator": "="], ["value": 2, "unit": "x", "comparator": "="])
                    == .changed)
        #expect(TargetDirection.between(nil, before) == nil)
        #expect(TargetDirection.between(before, before) == nil)
    }
}
