import Crypto
import Foundation
import GRDB
import Testing

/// Runs the real `goalledger` binary, as a user would.
struct CLI {
    struct Result {
        var code: Int32
        var stdout: String
        var stderr: String
        var stdoutData: Data
    }

    /// The built executable, next to the test bundle (or $GOALLEDGER_BIN).
    static let binary: URL = {
        if let p = ProcessInfo.processInfo.environment["GOALLEDGER_BIN"] { return URL(fileURLWithPath: p) }
        var candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        for b in Bundle.allBundles { candidates.append(b.bundleURL.deletingLastPathComponent()) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug"))
        for dir in candidates {
            let u = dir.appendingPathComponent("goalledger")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        fatalError("goalledger binary not found near \(Bundle.main.bundleURL.path); build it or set GOALLEDGER_BIN")
    }()

    let dir: URL
    var db: String { dir.appendingPathComponent("ledger.sqlite").path }
    var env: [String: String] = ["GOALLEDGER_USER": "tester"]

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("goalledger-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws -> String {
        let p = path(name)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    /// Commands that read no ledger and take no --db.
    static let ledgerless: Set<String> = ["keygen", "verify-proof", "cosign"]

    /// `goalledger ARGS --db <this ledger>` (unless args already name --db), ready to start.
    func process(_ args: [String], db: String? = nil, extraEnv: [String: String] = [:]) -> Process {
        let p = Process()
        p.executableURL = Self.binary
        let bare = args.contains("--db") || args.first == "--help" || args.contains("--help")
            || args.first.map(Self.ledgerless.contains) == true
        p.arguments = bare ? args : args + ["--db", db ?? self.db]
        var e = ["PATH": "/usr/bin:/bin", "HOME": dir.path]
        for (k, v) in env { e[k] = v }
        for (k, v) in extraEnv { e[k] = v }
        p.environment = e
        p.currentDirectoryURL = dir
        return p
    }

    /// Runs `goalledger ARGS --db <this ledger>` unless args already name --db.
    @discardableResult
    func run(_ args: [String], stdin: Data? = nil, db: String? = nil, extraEnv: [String: String] = [:]) throws -> Result {
        let p = process(args, db: db, extraEnv: extraEnv)
        let out = Pipe()
        let errPath = dir.appendingPathComponent("stderr-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = input
        try p.run()
        if let stdin { try input.fileHandleForWriting.write(contentsOf: stdin) }
        try input.fileHandleForWriting.close()
        // stderr goes to a file, so reading stdout to its end can never block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try err.close()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        try? FileManager.default.removeItem(atPath: errPath)
        return Result(code: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self), stdoutData: outData)
    }

    /// Imports NDJSON text and expects success.
    func importText(_ text: String, name: String = "in.ndjson") throws {
        let f = try write(name, text)
        let r = try run(["import", f, "--quiet"])
        #expect(r.code == 0, "import failed: \(r.stderr)")
    }

    /// SHA-256 of a file's bytes (nil when absent).
    func checksum(_ path: String) -> String? {
        guard let d = FileManager.default.contents(atPath: path) else { return nil }
        return SHA256.hash(data: d).map { String(format: "%02x", $0) }.joined()
    }

    /// Runs one statement on the ledger file behind the binary's back (a
    /// tampering test's edit), expecting it to change exactly one row.
    func changeOneRow(_ sql: String, _ arguments: StatementArguments = []) throws {
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            try db.execute(sql: sql, arguments: arguments)
            #expect(db.changesCount == 1)
        }
        try queue.close()
    }

    func json(_ r: Result) throws -> Any { try JSONSerialization.jsonObject(with: r.stdoutData, options: [.fragmentsAllowed]) }
}

/// Lines of a small Ballerup ledger used by many tests.
enum Fixture {
    static let actors = """
        {"stream":"ballerup/kb","type":"ActorRegistered","effective":"2014-01-01","actor":"ballerup/kb","id":"kb","data":{"name":"Ballerup Kommunalbestyrelse","kind":"body"}}
        {"stream":"ballerup/borgmester","type":"ActorRegistered","effective":"2014-01-01","actor":"ballerup/kb","id":"bm","data":{"name":"Jesper Würtzen","kind":"person","role":"Borgmester","memberOf":"ballerup/kb"}}
        """

    static let policy = actors + "\n" + """
        {"stream":"ballerup/erhverv-2017","type":"PlanDrafted","effective":"2017-03-01","actor":"ballerup/kb","id":"p1","data":{"organization":"ballerup/kb","kind":"policy","title":"Erhvervs- og Vækstpolitik 2017","horizon":{"from":2017,"to":2021}}}
        {"stream":"ballerup/erhverv-2017/spor-2","type":"ThemeAdded","effective":"2017-03-01","actor":"ballerup/kb","id":"th2","data":{"plan":"ballerup/erhverv-2017","title":"Arbejdskraft og arbejdsmarked","label":"Spor 2","order":2}}
        {"stream":"ballerup/erhverv-2017/mal-3","type":"GoalDefined","effective":"2017-09-26","actor":"ballerup/kb","id":"g3","data":{"plan":"ballerup/erhverv-2017","theme":"ballerup/erhverv-2017/spor-2","label":"Mål 3","title":"30 pct. af eleverne i folkeskolen vælger en erhvervsuddannelse"}}
        {"stream":"ballerup/erhverv-2017/mal-3","type":"TargetSet","effective":"2017-09-26","actor":"ballerup/kb","id":"t1","decision":"KB 26.09.2017 pkt. 4","data":{"value":25,"unit":"%","comparator":">=","deadline":"2021-12-31"}}
        {"stream":"ballerup/erhverv-2017","type":"PlanAdopted","effective":"2017-09-26","actor":"ballerup/kb","id":"a1","decision":"KB 26.09.2017 pkt. 4","data":{"by":"ballerup/kb"}}
        """
}
