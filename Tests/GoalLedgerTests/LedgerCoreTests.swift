import Crypto
import Foundation
import GRDB
import Testing

/// Issue 2 acceptance: the append-only, hash-chained store through the real binary.
@Suite struct LedgerCoreTests {
    @Test func danishTextImportsAndExportsByteForByte() throws {
        let cli = try CLI()
        try cli.importText(Fixture.policy)
        let r = try cli.run(["append", "--stream", "ballerup/erhverv-2017/mal-3", "--type", "GoalRevised", "--effective", "2018-01-15",
                             "--actor", "ballerup/borgmester", "--reason", "Præcisering: æøå ÆØÅ – “citat”",
                             "--data", #"{"description":"Flere unge skal vælge håndværksfag; særligt i Måløv og Skovlunde."}"#])
        #expect(r.code == 0, "\(r.stderr)")
        let export = try cli.run(["export"])
        #expect(export.code == 0)
        let lines = export.stdout.split(separator: "\n")
        #expect(lines.count == 8)
        #expect(lines[7].contains(#""reason":"Præcisering: æøå ÆØÅ – “citat”""#))
        #expect(lines[7].contains(#""description":"Flere unge skal vælge håndværksfag; særligt i Måløv og Skovlunde.""#))
        #expect(lines[0].contains(#""name":"Ballerup Kommunalbestyrelse""#))
        // Text is stored as given (only trimmed), and reads back the same through show.
        let show = try cli.run(["show", "ballerup/erhverv-2017/mal-3", "--json"])
        let state = try #require((try cli.json(show) as? [String: Any])?["state"] as? [String: Any])
        #expect(state["description"] as? String == "Flere unge skal vælge håndværksfag; særligt i Måløv og Skovlunde.")
        #expect(state["title"] as? String == "30 pct. af eleverne i folkeskolen vælger en erhvervsuddannelse")
    }

    @Test func badLineAmongAThousandRollsBackTheFileAndNamesTheLine() throws {
        let cli = try CLI()
        try cli.importText(Fixture.policy)
        var lines: [String] = []
        for i in 1...1000 {
            if i == 737 {
                lines.append(#"{"stream":"ballerup/erhverv-2017/mal-x\#(i)","type":"GoalDefined","effective":"2018-02-30","actor":"ballerup/kb","data":{"plan":"ballerup/erhverv-2017","title":"Mål \#(i)"}}"#)
            } else {
                lines.append(#"{"stream":"ballerup/erhverv-2017/mal-x\#(i)","type":"GoalDefined","effective":"2018-01-01","actor":"ballerup/kb","id":"bulk-\#(i)","data":{"plan":"ballerup/erhverv-2017","title":"Mål \#(i) – æøå"}}"#)
            }
        }
        let f = try cli.write("bulk.ndjson", lines.joined(separator: "\n") + "\n")
        let before = cli.checksum(cli.db)
        let r = try cli.run(["import", f])
        #expect(r.code == 2)
        #expect(r.stderr.hasPrefix("error: \(f):737: "), "\(r.stderr)")
        #expect(r.stderr.contains("2018-02-30"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(cli.checksum(cli.db) == before)
        #expect(try cli.run(["export"]).stdout.split(separator: "\n").count == 7)
        #expect(try cli.run(["verify"]).code == 0)
    }

    @Test func reimportingTheSameFileAppendsNothing() throws {
        let cli = try CLI()
        let f = try cli.write("p.ndjson", Fixture.policy + "\n")
        #expect(try cli.run(["import", f]).code == 0)
        let head = try cli.run(["head"]).stdout
        let again = try cli.run(["import", f])
        #expect(again.code == 0)
        #expect(again.stderr.contains("0 appended, 7 skipped"))
        #expect(try cli.run(["head"]).stdout == head)
    }

    @Test func sameIDWithOtherContentIsRejected() throws {
        let cli = try CLI()
        try cli.importText(Fixture.actors)
        let f = try cli.write("dup.ndjson", #"{"stream":"ballerup/kb","type":"ActorRevised","effective":"2015-01-01","actor":"ballerup/kb","id":"bm","data":{"name":"X"}}"# + "\n")
        let r = try cli.run(["import", f])
        #expect(r.code == 2)
        #expect(r.stderr.contains(":1: id bm is already in the ledger (position 2) with different content"))
    }

    @Test func secondAppendWithTheSameExpectedVersionConflicts() throws {
        let cli = try CLI()
        try cli.importText(Fixture.policy)
        func append(_ value: Int) throws -> CLI.Result {
            try cli.run(["append", "--stream", "ballerup/erhverv-2017/mal-3", "--type", "TargetSet", "--effective", "2019-01-01",
                         "--actor", "ballerup/kb", "--reason", "Revision", "--expected-version", "2",
                         "--data", #"{"value":\#(value),"unit":"%"}"#])
        }
        #expect(try append(27).code == 0)
        let second = try append(28)
        #expect(second.code == 4)
        #expect(second.stderr == "error: stream ballerup/erhverv-2017/mal-3 is at version 3, expected 2\n")
        // From stdin, with expectedVersion 0 on an existing stream.
        let stdin = #"{"stream":"ballerup/kb","type":"ActorRegistered","effective":"2014-01-01","actor":"ballerup/kb","expectedVersion":0,"data":{"name":"X","kind":"body"}}"#
        #expect(try cli.run(["append"], stdin: Data(stdin.utf8)).code == 4)
    }

    @Test func exportPipedIntoImportReproducesTheLedgerExactly() throws {
        let cli = try CLI()
        try cli.importText(Fixture.policy)
        #expect(try cli.run(["append", "--stream", "ballerup/erhverv-2017/mal-3", "--type", "TargetSet", "--effective", "2021-06-22",
                             "--actor", "ballerup/kb", "--reason", "Ny politik", "--data", #"{"value":30,"unit":"%"}"#]).code == 0)
        let export = try cli.run(["export"])
        let other = cli.path("other.sqlite")
        let restored = try cli.run(["import", "-"], stdin: export.stdoutData, db: other)
        #expect(restored.code == 0, "\(restored.stderr)")
        #expect(try cli.run(["export"], db: other).stdoutData == export.stdoutData)
        #expect(try cli.run(["head"], db: other).stdout == (try cli.run(["head"]).stdout))
        #expect(try cli.run(["verify"], db: other).code == 0)
        // Re-importing the export into the same ledger appends nothing.
        let again = try cli.run(["import", "-"], stdin: export.stdoutData)
        #expect(again.code == 0)
        #expect(again.stderr.contains("0 appended, 8 skipped"))
        #expect(try cli.run(["export"]).stdoutData == export.stdoutData)
        // An exported line that does not continue this ledger is rejected.
        let lastLine = export.stdout.split(separator: "\n").last!
        let edited = lastLine.replacingOccurrences(of: #""value":30"#, with: #""value":31"#)
            .replacingOccurrences(of: #""id":""#, with: #""id":"x"#)
        let forged = try cli.run(["import", "-"], stdin: Data((edited + "\n").utf8), db: cli.path("third.sqlite"))
        #expect(forged.code == 2)
    }

    /// Recomputes every hash with a separate, simple implementation: parse, drop hash, canonicalise, SHA-256.
    @Test func hashChainVerifiesIndependentlyAndTamperingIsNamed() throws {
        let cli = try CLI()
        try cli.importText(Fixture.policy)
        let export = try cli.run(["export"])
        var prev = String(repeating: "0", count: 64)
        for line in export.stdout.split(separator: "\n") {
            var o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let hash = try #require(o.removeValue(forKey: "hash") as? String)
            #expect(o["prev"] as? String == prev)
            let digest = SHA256.hash(data: Data(SimpleJCS.serialise(o).utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(digest == hash)
            prev = hash
        }
        #expect(try cli.run(["head"]).stdout == "7 \(prev)\n")

        // The guard: UPDATE and DELETE fail for any connection.
        let q = try DatabaseQueue(path: cli.db)
        #expect(throws: DatabaseError.self) { try q.write { try $0.execute(sql: "UPDATE events SET actor = 'x' WHERE position = 3") } }
        #expect(throws: DatabaseError.self) { try q.write { try $0.execute(sql: "DELETE FROM events WHERE position = 7") } }
        // Dropping the guard is itself detected.
        try q.write { try $0.execute(sql: "DROP TRIGGER events_no_update") }
        let noGuard = try cli.run(["verify"])
        #expect(noGuard.code == 5)
        #expect(noGuard.stderr.contains("append-only guard is missing"))
        // One changed byte in one event: verify names its position.
        try q.write { try $0.execute(sql: "UPDATE events SET data = replace(data, '25', '35') WHERE position = 6") }
        try q.write { try $0.execute(sql: "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'goalledger: the events table is append-only'); END") }
        try q.close()
        let r = try cli.run(["verify"])
        #expect(r.code == 5)
        #expect(r.stderr == "error: position 6: hash does not match the event's content (it was changed)\n")
    }

    @Test func verifyAgainstAPublishedDigest() throws {
        let cli = try CLI()
        try cli.importText(Fixture.actors)
        let digest = try cli.run(["head"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: " ", with: ":")
        try cli.importText(Fixture.policy, name: "more.ndjson")
        let ok = try cli.run(["verify", "--against", digest])
        #expect(ok.code == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("extends \(digest)"))
        let wrong = try cli.run(["verify", "--against", "2:" + String(repeating: "a", count: 64)])
        #expect(wrong.code == 5)
        #expect(wrong.stderr.hasPrefix("error: position 2: "))
    }

    @Test func readsOfAMissingLedgerFailWithNotFoundAndCreateNothing() throws {
        let cli = try CLI()
        for cmd in [["export"], ["head"], ["verify"], ["show", "ballerup/kb"]] {
            let r = try cli.run(cmd)
            #expect(r.code == 3, "\(cmd)")
            #expect(r.stderr == "error: no ledger at \(cli.db)\n")
        }
        #expect(!FileManager.default.fileExists(atPath: cli.db))
    }

    @Test func helpExplainsEveryCommandWithAnExample() throws {
        let cli = try CLI()
        let root = try cli.run(["--help"])
        #expect(root.code == 0)
        #expect(root.stdout.contains("goalledger demo"))
        for cmd in ["append", "import", "export", "show", "tree", "list", "history", "diff", "audit", "replay", "verify", "head", "demo",
                    "keygen", "checkpoint", "prove", "verify-proof", "cosign"] {
            let r = try cli.run([cmd, "--help"])
            #expect(r.code == 0)
            #expect(r.stdout.contains("goalledger \(cmd)"), "\(cmd) --help has no example")
            #expect(root.stdout.contains(cmd))
        }
        #expect(try cli.run(["show"]).code == 64)
    }

    /// Help reads well in an 80-column terminal: examples fit as they are, and
    /// prose that must be wrapped is a whole paragraph, so wrapping it leaves
    /// no stub lines. Printed 400 wide, nothing is wrapped, so the text is as written.
    @Test func helpFitsEightyColumns() throws {
        let cli = try CLI()
        for cmd in ["", "append", "import", "export", "show", "tree", "list", "history", "diff", "audit", "replay", "verify", "head", "demo",
                    "keygen", "checkpoint", "prove", "verify-proof", "cosign"] {
            let r = try cli.run(cmd.isEmpty ? ["--help"] : [cmd, "--help"], extraEnv: ["COLUMNS": "400"])
            #expect(r.code == 0)
            let text = r.stdout.components(separatedBy: "\nUSAGE:")[0]
            let lines = text.components(separatedBy: "\n")
            #expect(lines.count > 2, "\(cmd)")
            for (k, line) in lines.enumerated() {
                if line.hasPrefix("  ") {
                    #expect(line.count <= 79, "\(cmd) --help: example wider than 80 columns: \(line)")
                } else if line.count > 79 {
                    let next = k + 1 < lines.count ? lines[k + 1] : ""
                    #expect(next.isEmpty || next.hasPrefix("  "), "\(cmd) --help: a long line runs on into the next: \(line)")
                }
            }
        }
    }
}

/// A deliberately small RFC 8785 serialiser, independent of the library's,
/// for the values an export holds (strings, integers, short decimals, objects, arrays).
enum SimpleJCS {
    static func serialise(_ v: Any) -> String {
        switch v {
        case let s as String: return quote(s)
        case let n as NSNumber:
            let d = n.doubleValue
            return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        case let a as [Any]: return "[" + a.map(serialise).joined(separator: ",") + "]"
        case let o as [String: Any]:
            let keys = o.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            return "{" + keys.map { quote($0) + ":" + serialise(o[$0]!) }.joined(separator: ",") + "}"
        case is NSNull: return "null"
        default: return "?"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
