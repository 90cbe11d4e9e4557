import Foundation
import Testing

/// The documentation stays true: every `$ goalledger …` example in README.md
/// docs/GUIDE.md, docs/WEB.md and docs/PROOFS.md runs against the seed ledger and prints exactly the
/// lines shown under it (indented four spaces, up to the first line that is not).
@Suite struct DocExamplesTests {
    struct Example: CustomTestStringConvertible, Sendable {
        var file: String
        var line: Int
        var command: String
        var output: String
        var testDescription: String { "\(file):\(line): goalledger \(command)" }
    }

    static let documents = ["README.md", "docs/GUIDE.md", "docs/WEB.md", "docs/PROOFS.md"]

    static let examples: [Example] = documents.flatMap { name -> [Example] in
        let url = SeedLedger.root.appendingPathComponent(name)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        let lines = text.components(separatedBy: "\n")
        var out: [Example] = []
        var k = 0
        while k < lines.count {
            let prefix = "    $ goalledger "
            guard lines[k].hasPrefix(prefix) else { k += 1; continue }
            let start = k
            let command = String(lines[k].dropFirst(prefix.count))
            var output: [String] = []
            k += 1
            while k < lines.count, lines[k].hasPrefix("    "), !lines[k].hasPrefix(prefix) {
                output.append(String(lines[k].dropFirst(4)))
                k += 1
            }
            out.append(Example(file: name, line: start + 1, command: command, output: output.map { $0 + "\n" }.joined()))
        }
        return out
    }

    @Test func theDocumentsShowExamples() {
        #expect(Self.examples.filter { $0.file == "README.md" }.count >= 5)
        #expect(Self.examples.filter { $0.file == "docs/GUIDE.md" }.count >= 2)
        #expect(Self.examples.filter { $0.file == "docs/PROOFS.md" }.count >= 2)
    }

    @Test(arguments: examples)
    func examplePrintsWhatTheDocumentShows(_ e: Example) throws {
        // Files the documents name (docs/examples/…) are read from this repository.
        let args = e.command.split(separator: " ").map(String.init).map { argument in
            argument.hasPrefix("docs/") ? SeedLedger.root.appendingPathComponent(argument).path : argument
        }
        let r = try SeedLedger.cli.run(args)
        #expect(r.stdout + r.stderr == e.output, "\(e.file):\(e.line): `goalledger \(e.command)` prints something else now")
    }
}
