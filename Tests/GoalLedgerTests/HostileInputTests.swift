import Foundation
import Testing

/// Issue 6: every bad input of the corpus (Fixtures/hostile, see its manifest.tsv) is
/// rejected with exit 2 and one line naming the file and line, and the ledger file is
/// byte-for-byte unchanged afterwards.
@Suite struct HostileInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var line: Int
        var about: String
        var testDescription: String { "\(file): \(about)" }
    }

    static let folder: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("hostile")

    static let cases: [Case] = {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("manifest.tsv"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().map { row in
            let f = row.split(separator: "\t", maxSplits: 2).map(String.init)
            return Case(file: f[0], line: Int(f[1])!, about: f.count > 2 ? f[2] : "")
        }
    }()

    @Test func corpusHasAtLeastSixtyInputs() {
        #expect(Self.cases.count >= 60)
    }

    @Test(arguments: cases)
    func hostileInputIsRejectedAndChangesNothing(_ c: Case) throws {
        let cli = try CLI()
        let base = try cli.run(["import", Self.folder.appendingPathComponent("base.ndjson").path, "--quiet"])
        #expect(base.code == 0, "\(base.stderr)")
        let before = cli.checksum(cli.db)
        let headBefore = try cli.run(["head"]).stdout
        let path = Self.folder.appendingPathComponent(c.file).path
        let r = try cli.run(["import", path])
        #expect(r.code == 2, "\(c.file): exit \(r.code): \(r.stderr)")
        #expect(r.stderr.hasPrefix("error: \(path):\(c.line): "), "\(c.file): \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasSuffix("\n"), "\(c.file): \(r.stderr)")
        #expect(cli.checksum(cli.db) == before, "\(c.file): the ledger file changed")
        #expect(try cli.run(["head"]).stdout == headBefore)
    }

    /// An exported line whose hash was changed: built at run time, since the
    /// chain depends on when the base was recorded.
    @Test func exportedLineWithAForgedHashIsRejected() throws {
        let cli = try CLI()
        try cli.importText(Fixture.policy)
        let lines = try cli.run(["export"]).stdout.split(separator: "\n").map(String.init)
        let first = lines[0]
        let hash = try #require(first.range(of: #""hash":""#)).upperBound
        var forged = first
        forged.replaceSubrange(hash..<first.index(hash, offsetBy: 64), with: String(repeating: "e", count: 64))
        let r = try cli.run(["import", "-"], stdin: Data((forged + "\n").utf8), db: cli.path("restore.sqlite"))
        #expect(r.code == 2)
        #expect(r.stderr == "error: stdin:1: exported event's hash does not verify (its content was changed)\n")
    }
}
