import Foundation
import Testing

/// Issue 4: `events/` replayed into a fresh ledger renders every moment of
/// `snapshots/moments.tsv` exactly as the golden file (regenerated only by
/// snapshots/regenerate.sh, never by tests).
@Suite struct GoldenSnapshotTests {
    static let root = SeedLedger.root

    struct Moment: CustomTestStringConvertible, Sendable {
        var file: String
        var args: [String]
        var testDescription: String { file }
    }

    static let moments: [Moment] = {
        let url = root.appendingPathComponent("snapshots/moments.tsv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { row in
            let f = row.split(separator: "\t", maxSplits: 1).map(String.init)
            return Moment(file: f[0], args: f[1].split(separator: " ").map(String.init))
        }
    }()

    @Test func thereAreGoldenMoments() {
        #expect(Self.moments.count >= 6)
    }

    @Test(arguments: moments)
    func momentMatchesItsGoldenFile(_ m: Moment) throws {
        let golden = try Data(contentsOf: Self.root.appendingPathComponent("snapshots/\(m.file)"))
        let r = try SeedLedger.cli.run(m.args)
        #expect(r.code == 0, "\(m.file): \(r.stderr)")
        #expect(r.stdoutData == golden, "\(m.file) differs from a fresh replay of events/; if the change is intended, run snapshots/regenerate.sh")
    }
}

extension GoldenSnapshotTests {
    /// Every golden document in snapshots/ is one of the moments, so none goes stale unchecked.
    @Test func everyGoldenFileIsAMoment() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("snapshots").path)
        // snapshots/web/ holds the web pages, checked by WebGoldenPagesTests.
        let documents = Set(names.filter { $0 != "moments.tsv" && $0 != "regenerate.sh" && $0 != "web" })
        #expect(documents == Set(Self.moments.map(\.file)))
    }
}
