import Foundation
import GoalLedgerCore
import GoalLedgerStore
import Testing

/// The fenced `swift` examples in the doc comments of the core and the store
/// compile and run: each is copied verbatim into a test below, with a small
/// ledger in scope as `ledger` (or a fresh file at `path`), and a check
/// reads every doc comment and fails when an example is not found here
/// word for word, so a changed API breaks the build, not the reader.
@Suite struct DocCommentExamplesTests {
    /// A new file in a directory of its own, and a ledger there with an actor, a plan and a goal.
    static func seeded() throws -> (ledger: Ledger, path: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("goalledger-doc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let ledger = try Ledger(path: dir.appendingPathComponent("seeded.sqlite").path, mode: .write)
        let lines = [
            #"{"stream":"kb","type":"ActorRegistered","effective":"2017-01-01","actor":"kb","data":{"name":"KB","kind":"body"}}"#,
            #"{"stream":"kb/plan","type":"PlanDrafted","effective":"2017-01-01","actor":"kb","#
                + #""data":{"organization":"kb","kind":"policy","title":"Politik"}}"#,
            #"{"stream":"kb/plan/mal-1","type":"GoalDefined","effective":"2017-09-26","actor":"kb","#
                + #""data":{"plan":"kb/plan","title":"Mål 1"}}"#,
            #"{"stream":"kb/plan/mal-1","type":"TargetSet","effective":"2017-09-26","actor":"kb","#
                + #""data":{"value":25,"unit":"%"}}"#,
        ]
        try ledger.append(try lines.map { try EventInput.parse($0) }, context: AppendContext(recordedBy: "test"))
        return (ledger, dir.appendingPathComponent("new.sqlite").path)
    }

    @Test func ledgerTypeExample() throws {
        let path = try Self.seeded().path
        let ledger = try Ledger(path: path, mode: .write)
        let line = #"{"stream":"kb","type":"ActorRegistered","effective":"2017-01-01","actor":"kb","#
            + #""data":{"name":"Byrådet","kind":"body"}}"#
        try ledger.append([try EventInput.parse(line)], context: AppendContext(recordedBy: "mette"))
        if let head = try ledger.head() {
            print(head.position, head.hash)  // 1 and the chain hash of the event
        }
        #expect(try ledger.head()?.position == 1)
    }

    @Test func appendExample() throws {
        let ledger = try Self.seeded().ledger
        let goal = #"{"stream":"kb/plan/mal-1","type":"TargetSet","effective":"2021-06-22","actor":"kb","#
            + #""reason":"Ny politik","data":{"value":30,"unit":"%"}}"#
        let outcomes = try ledger.append([try EventInput.parse(goal)], context: AppendContext(recordedBy: "mette"))
        if case .appended(let event) = outcomes[0] { print(event.position, event.version) }
        #expect(try ledger.head()?.position == 5)
    }

    @Test func showExample() throws {
        let ledger = try Self.seeded().ledger
        let now = try ledger.show("kb/plan/mal-1")
        let then = try ledger.show("kb/plan/mal-1", at: PointInTime(asOf: try TimePoint(parsing: "2020")))
        print(now.state["target"] ?? "no target", then.folded.version)
        #expect(then.folded.version == 2)
    }

    @Test func historyExample() throws {
        let ledger = try Self.seeded().ledger
        for row in try ledger.history("kb/plan/mal-1") {
            print(row.event.position, row.event.type.rawValue, row.changes.map(\.field))
        }
        #expect(try ledger.history("kb/plan/mal-1").count == 2)
    }

    @Test func auditExample() throws {
        let ledger = try Self.seeded().ledger
        var filter = AuditFilter()
        filter.field = "target"
        try ledger.audit(filter) { row in
            print(row.event.recordedBy, row.event.stream, row.changes.map(\.field))
        }
        var rows = 0
        try ledger.audit(filter) { _ in rows += 1 }
        #expect(rows == 1)
    }

    @Test func countingRuleExample() throws {
        let ledger = try Self.seeded().ledger
        let rule = CountingRule(PointInTime(asOf: try TimePoint(parsing: "2018"),
                                            knownAt: try TimePoint(parsing: "2020-06")))
        let chosen = rule.events(of: try ledger.events(of: "kb/plan/mal-1"))  // in fold order
        print(chosen.map(\.position))
        // Recorded today, so nothing was known in 2020.
        #expect(chosen.isEmpty)
    }

    @Test func merkleExample() throws {
        let hashes: [[UInt8]] = (0..<5).map { [UInt8($0)] }
        let leaves = hashes.map { Merkle.leafHash($0) }
        let root = Merkle.root(of: leaves)
        let proof = try Merkle.inclusionProof(index: 2, size: 5) { level, index in
            Merkle.root(of: Array(leaves[Int(index << level)..<Int((index + 1) << level)]))
        }
        try Merkle.verifyInclusion(leaf: leaves[2], index: 2, size: 5, proof: proof, root: root)
        #expect(proof.count == 3)
    }

    @Test func checkpointExample() throws {
        let root = Merkle.root(of: [Merkle.leafHash([UInt8]())])
        let checkpoint = Checkpoint(origin: "goalledger.ballerup.dk/strategi", size: 41, root: root)
        let note = SignedNote(text: checkpoint.text, signatures: [])
        #expect(note.text.hasPrefix("goalledger.ballerup.dk/strategi\n41\n"))
    }

    @Test func noteVerifierExample() throws {
        let key = try NoteVerifier("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
        print(String(key.keyID, radix: 16))  // 530d903a
        #expect(key.keyID == 0x530d_903a)
    }

    /// Every fenced `swift` block of a `///` comment in Sources/GoalLedgerCore and
    /// Sources/GoalLedgerStore, as its lines without the comment marker.
    static func docExamples() throws -> [(file: String, lines: [String])] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var examples: [(String, [String])] = []
        for target in ["Sources/GoalLedgerCore", "Sources/GoalLedgerStore"] {
            let base = root.appendingPathComponent(target)
            let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? []
            for file in files.sorted() where file.hasSuffix(".swift") {
                let text = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
                var current: [String]?
                for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    guard trimmed.hasPrefix("///") else { continue }
                    let body = String(trimmed.dropFirst(3).drop { $0 == " " })
                    if current == nil, body == "```swift" {
                        current = []
                    } else if let lines = current, body == "```" {
                        examples.append(("\(target)/\(file)", lines))
                        current = nil
                    } else if current != nil {
                        current!.append(body)
                    }
                }
            }
        }
        return examples
    }

    @Test func everyDocExampleIsOneOfTheseTests() throws {
        let examples = try Self.docExamples()
        #expect(examples.count >= 6)
        let here = try String(contentsOfFile: #filePath, encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for (file, lines) in examples {
            let wanted = lines.map { $0.trimmingCharacters(in: .whitespaces) }
            var found = false
            for start in here.indices where start + wanted.count <= here.count {
                let window: [String] = Array(here[start..<(start + wanted.count)])
                if window == wanted {
                    found = true
                    break
                }
            }
            #expect(found, "the example in \(file) starting \"\(wanted.first ?? "")\" is not compiled by a test here")
        }
    }
}
