import Foundation
import GoalLedgerCore
import GoalLedgerStore
import Testing

/// Issue 10: text holds no control character but tab and line breaks (Unicode
/// Cc, C1 included), and no command prints one from the data raw.
@Suite struct ControlCharacterTests {
    @Test(arguments: ["\\u0080", "\\u009b", "\\u0085", "\\u009f"])
    func c1ControlInNewTextIsRefusedNamingLineAndMember(_ escape: String) throws {
        let cli = try CLI()
        try cli.importText(Fixture.actors)
        let before = cli.checksum(cli.db)
        let file = try cli.write("c1.ndjson", """
            {"stream":"ballerup/ok","type":"PlanDrafted","effective":"2020-01-01","actor":"ballerup/kb","data":{"organization":"ballerup/kb","kind":"plan","title":"fine"}}
            {"stream":"ballerup/bad","type":"PlanDrafted","effective":"2020-01-01","actor":"ballerup/kb","data":{"organization":"ballerup/kb","kind":"plan","title":"a\(escape)b"}}
            """)
        let result = try cli.run(["import", file])
        #expect(result.code == 2)
        let code = escape.dropFirst(2).uppercased()
        #expect(result.stderr == "error: \(file):2: \"data.title\" contains a control character (U+\(code))\n")
        #expect(cli.checksum(cli.db) == before, "the ledger changed")
    }

    @Test func c1ControlInReasonAndRecordedByIsRefused() throws {
        let cli = try CLI()
        try cli.importText(Fixture.actors)
        let line = #"{"stream":"ballerup/x","type":"PlanDrafted","effective":"2020-01-01","actor":"ballerup/kb","reason":"a\u009bb","data":{"organization":"ballerup/kb","kind":"plan","title":"t"}}"#
        let reason = try cli.run(["append"], stdin: Data(line.utf8))
        #expect(reason.code == 2)
        #expect(reason.stderr.contains("\"reason\" contains a control character (U+009B)"))
        let clean = line.replacingOccurrences(of: #"a\u009bb"#, with: "ok")
        let recorder = try cli.run(["append", "--recorded-by", "mette\u{9B}"], stdin: Data(clean.utf8))
        #expect(recorder.code == 2)
        #expect(recorder.stderr.contains("\"recordedBy\" contains a control character (U+009B)"))
        #expect(try cli.run(["show", "ballerup/x"]).code == 3)
    }

    /// A ledger written before the rule (here through the library, which does not
    /// re-check an `EventInput` built in code) still verifies, and no command
    /// prints its control characters raw: text shows U+FFFD, JSON escapes them.
    @Test func olderTextWithControlsIsNeverPrintedRaw() throws {
        let cli = try CLI()
        try cli.importText(Fixture.actors)
        let ledger = try Ledger(path: cli.db, mode: .write)
        let title = "Plan \u{9B}31m \u{85}end"
        let input = EventInput(stream: "ballerup/old", type: .planDrafted, effective: try Effective(parsing: "2019-01-01"),
                               actor: "ballerup/kb", reason: "before \u{9B}2J the rule",
                               data: ["organization": "ballerup/kb", "kind": "plan", "title": .string(title)])
        _ = try ledger.append([input], context: AppendContext(recordedBy: "tester"))
        #expect(try cli.run(["verify"]).code == 0)
        for args in [["show", "ballerup/old"], ["list"], ["history", "ballerup/old"], ["audit"], ["tree", "ballerup/old"]] {
            let text = try cli.run(args)
            #expect(text.code == 0, "\(args)")
            #expect(!text.stdout.unicodeScalars.contains { (0x80...0x9F).contains($0.value) }, "\(args) printed a C1 control")
            #expect(text.stdout.contains("\u{FFFD}"), "\(args)")
            let json = try cli.run(args + ["--json"])
            #expect(!json.stdout.unicodeScalars.contains { (0x80...0x9F).contains($0.value) }, "\(args) --json")
            #expect(json.stdout.contains("\\u009b"), "\(args) --json escapes U+009B")
        }
        // The JSON still says the same: a parser reads the title back exactly.
        let shown = try #require(try cli.json(cli.run(["show", "ballerup/old", "--json"])) as? [String: Any])
        #expect((shown["state"] as? [String: Any])?["title"] as? String == title)
    }
}
