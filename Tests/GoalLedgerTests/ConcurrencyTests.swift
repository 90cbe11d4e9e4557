import Foundation
import GRDB
import GoalLedgerCore
import Testing

/// Issue 6, concurrent writers: real `goalledger` processes racing on one
/// ledger file never lose, duplicate or reorder an event; a writer that cannot
/// get the lock gives up after a bounded wait with a clear error.
@Suite struct ConcurrencyTests {
    static let indicators = (1...3).map { "ballerup/erhverv-2017/mal-3/ind-\($0)" }

    /// Fixture.policy plus three indicators of its goal: every stream at version 1.
    static func ledger() throws -> CLI {
        let cli = try CLI()
        try cli.importText(Fixture.policy + "\n" + indicators.map { id in
            #"{"stream":"\#(id)","type":"IndicatorDefined","effective":"2017-09-26","actor":"ballerup/kb","data":{"goal":"ballerup/erhverv-2017/mal-3","title":"Andel \#(id.suffix(1))","unit":"%","direction":"increase"}}"#
        }.joined(separator: "\n"))
        return cli
    }

    /// One `goalledger` process: an `append` of one event or an `import` of a
    /// batch, with or without an expected version (on its first event).
    struct Attempt: Sendable {
        var ids: [String]
        /// The stream of the first event, and the version it expected.
        var stream: String
        var expected: Int64?
        /// The imported file (nil: an append).
        var file: String?
        var isImport: Bool { file != nil }
        var code: Int32
        var stdout: String
        var stderr: String
    }

    /// `appended: position P  STREAM vV  TYPE  id ID` → (P, V).
    static func appended(_ stdout: String) -> (position: Int64, version: Int64)? {
        let f = stdout.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count >= 5, f[0] == "appended:", let p = Int64(f[2]), f[4].hasPrefix("v"), let v = Int64(f[4].dropFirst()) else { return nil }
        return (p, v)
    }

    /// `error: … stream S is at version N, expected M` → N.
    static func conflictVersion(_ stderr: String) -> Int64? {
        guard let r = stderr.range(of: " is at version ") else { return nil }
        return Int64(stderr[r.upperBound...].prefix { $0.isNumber })
    }

    static func measurement(_ stream: String, id: String, value: UInt64, expected: Int64? = nil) -> String {
        let ev = expected.map { #","expectedVersion":\#($0)"# } ?? ""
        return #"{"stream":"\#(stream)","type":"MeasurementRecorded","effective":"2020-01-01","actor":"ballerup/kb","id":"\#(id)"\#(ev),"data":{"value":\#(value)}}"#
    }

    /// Four workers start `goalledger` processes back to back on one ledger, all
    /// on the same three streams: single appends and imports of 5-25 events,
    /// half of each naming the version they expect (from what that worker last saw).
    @Test func concurrentWritersNeitherLoseNorDuplicateAnEvent() throws {
        let workers = 4, perWorker = 60
        let cli = try Self.ledger()
        let base = 10
        let start = ContinuousClock.now
        let results = Locked<[[Attempt]]>(Array(repeating: [], count: workers))
        let done = DispatchGroup()
        for w in 0..<workers {
            done.enter()
            Thread {
                defer { done.leave() }
                var rng = SeededRandom(seed: 0xC0FFEE + UInt64(w))
                var known = Dictionary(uniqueKeysWithValues: Self.indicators.map { ($0, Int64(1)) })
                var mine: [Attempt] = []
                for i in 0..<perWorker {
                    let stream = Self.indicators[Int(rng.next() % 3)]
                    let expected: Int64? = i % 2 == 1 ? known[stream] : nil
                    let isImport = i % 4 >= 2
                    var ids = ["w\(w)-\(i)"]
                    let r: CLI.Result?
                    var file: String?
                    if isImport {
                        ids = (0..<(5 + Int(rng.next() % 21))).map { "w\(w)-\(i)-\($0)" }
                        let lines = ids.enumerated().map { k, id in
                            k == 0 ? Self.measurement(stream, id: id, value: rng.next() % 1000, expected: expected)
                                   : Self.measurement(Self.indicators[Int(rng.next() % 3)], id: id, value: rng.next() % 1000)
                        }
                        file = try? cli.write("w\(w)-\(i).ndjson", lines.joined(separator: "\n") + "\n")
                        r = try? file.map { try cli.run(["import", $0]) }
                    } else {
                        var args = ["append", "--stream", stream, "--type", "MeasurementRecorded", "--effective", "2020-01-01",
                                    "--actor", "ballerup/kb", "--id", ids[0], "--data", #"{"value":\#(rng.next() % 1000)}"#]
                        if let expected { args += ["--expected-version", String(expected)] }
                        r = try? cli.run(args)
                        if let r, r.code == 0, let (_, v) = Self.appended(r.stdout) { known[stream] = v }
                    }
                    if let r, r.code == 4, let v = Self.conflictVersion(r.stderr) { known[stream] = v }
                    mine.append(Attempt(ids: ids, stream: stream, expected: expected, file: file,
                                        code: r?.code ?? -1, stdout: r?.stdout ?? "", stderr: r?.stderr ?? "could not start"))
                }
                results.withLock { $0[w] = mine }
            }.start()
        }
        done.wait()
        let elapsed = ContinuousClock.now - start
        let attempts = results.withLock { $0 }.flatMap { $0 }
        #expect(attempts.count == workers * perWorker)

        // Only successes and conflicts; a conflict only where a version was named, said in one clear line.
        for a in attempts where a.code != 0 {
            #expect(a.code == 4, "\(a.ids[0]): exit \(a.code): \(a.stderr)")
            let v = Self.conflictVersion(a.stderr)
            #expect(a.expected != nil && v != nil && v != a.expected, "\(a.ids[0]): \(a.stderr)")
            let at = a.file.map { "\($0):1: " } ?? ""
            #expect(a.stderr == "error: \(at)stream \(a.stream) is at version \(v ?? -1), expected \(a.expected ?? -1)\n")
        }

        // The ledger: positions 1...N and each stream's versions 1...n without gaps; every event of an
        // exit-0 process exactly once (an import's events next to each other), none of an exit-4 one.
        let export = try cli.run(["export"])
        let events = try export.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let ok = attempts.filter { $0.code == 0 }
        let appended = ok.map(\.ids.count).reduce(0, +)
        #expect(events.count == base + appended)
        #expect(events.map { $0["position"] as? Int } == Array(1...events.count))
        var versions: [String: Int] = [:]
        var byID: [String: [String: Any]] = [:]
        for e in events {
            let stream = e["stream"] as! String
            versions[stream, default: 0] += 1
            #expect(e["version"] as? Int == versions[stream], "position \(e["position"]!): version gap in \(stream)")
            let id = e["id"] as! String
            #expect(byID[id] == nil, "id \(id) appears twice")
            byID[id] = e
        }
        for a in ok {
            let positions = a.ids.map { byID[$0]?["position"] as? Int }
            #expect(!positions.contains(nil), "\(a.ids[0]) exited 0 but is not (all) in the ledger")
            let first = try #require(positions[0])
            #expect(positions == Array(first..<(first + a.ids.count)), "\(a.ids[0]): its events are not contiguous")
            let firstEvent = try #require(byID[a.ids[0]])
            #expect(firstEvent["stream"] as? String == a.stream)
            if let x = a.expected { #expect(firstEvent["version"] as? Int == Int(x) + 1, "\(a.ids[0]) expected version \(x)") }
            if let file = a.file {
                #expect(a.stderr == "\(file): \(a.ids.count) appended, 0 skipped\n")
            } else {
                let said = try #require(Self.appended(a.stdout), "\(a.ids[0]): \(a.stdout)")
                #expect(first == Int(said.position) && firstEvent["version"] as? Int == Int(said.version))
            }
        }
        for a in attempts where a.code == 4 {
            #expect(a.ids.allSatisfy { byID[$0] == nil }, "\(a.ids[0]) exited 4 but is in the ledger")
        }
        let v = try cli.run(["verify"])
        #expect(v.code == 0, "\(v.stderr)")

        let tried = attempts.map(\.ids.count).reduce(0, +)
        let conflicts = attempts.filter { $0.code == 4 }
        print("""
            concurrency: \(workers) workers, \(attempts.count) `goalledger` processes (\(attempts.filter(\.isImport).count) imports), \
            \(tried) event appends (\(attempts.filter { $0.expected != nil }.count) processes named an expected version): \
            \(appended) appended, \(conflicts.count) processes (\(conflicts.map(\.ids.count).reduce(0, +)) events) refused with exit 4, \
            0 other exits; \(events.count) events, gapless, verify ok; \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))
            """)
    }

    /// Several processes creating the same new ledger file at once all succeed
    /// (the schema is made once), and every event is there.
    @Test func processesCreatingOneNewLedgerAtOnceAllSucceed() throws {
        let cli = try CLI()
        for round in 1...3 {
            let db = cli.path("new-\(round).sqlite")
            let codes = Locked<[Int32]>([])
            let done = DispatchGroup()
            for w in 1...6 {
                done.enter()
                Thread {
                    defer { done.leave() }
                    let line = #"{"stream":"body-\#(w)","type":"ActorRegistered","effective":"2014-01-01","actor":"body-\#(w)","data":{"name":"Udvalg \#(w)","kind":"body"}}"#
                    let r = try? cli.run(["append"], stdin: Data(line.utf8), db: db)
                    codes.withLock { $0.append(r?.code ?? -1) }
                    if let r, r.code != 0 { print("round \(round), writer \(w): \(r.stderr)") }
                }.start()
            }
            done.wait()
            #expect(codes.withLock { $0 } == Array(repeating: 0, count: 6), "round \(round)")
            #expect(try cli.run(["head"], db: db).stdout.hasPrefix("6 "))
            #expect(try cli.run(["verify"], db: db).code == 0)
        }
    }

    /// A writer that cannot get the lock waits the busy timeout (60 s; 1 s here),
    /// then gives up with exit 1 and one clear line, and writes nothing.
    @Test func writerThatCannotGetTheLockGivesUpClearlyAfterTheTimeout() throws {
        let cli = try Self.ledger()
        let head = try cli.run(["head"]).stdout
        let lock = try WriteLockHolder(cli.db)
        let clock = ContinuousClock()
        var r: CLI.Result?
        let took = try clock.measure {
            r = try cli.run(["append", "--stream", Self.indicators[0], "--type", "MeasurementRecorded", "--effective", "2020-01-01",
                             "--actor", "ballerup/kb", "--data", #"{"value":1}"#], extraEnv: ["GOALLEDGER_BUSY_TIMEOUT": "1"])
        }
        let imported = try cli.run(["import", try cli.write("more.ndjson", Fixture.actors + "\n")], extraEnv: ["GOALLEDGER_BUSY_TIMEOUT": "1"])
        lock.release()
        #expect(r?.code == 1)
        #expect(r?.stderr == "error: \(cli.db) is busy: another process held it for more than 1 s; try again\n")
        #expect(imported.code == 1)
        #expect(imported.stderr == "error: \(cli.db) is busy: another process held it for more than 1 s; try again\n")
        #expect(took >= .seconds(1) && took < .seconds(20), "waited \(took)")
        #expect(try cli.run(["head"]).stdout == head)
        #expect(try cli.run(["verify"]).code == 0)
    }
}

/// Holds a ledger's write lock from the test process (BEGIN IMMEDIATE on its
/// own connection, on its own thread) until `release()`.
final class WriteLockHolder: Sendable {
    let queue: DatabaseQueue
    private let released = DispatchSemaphore(value: 0)

    init(_ path: String) throws {
        queue = try DatabaseQueue(path: path)
        let locked = DispatchSemaphore(value: 0)
        let (queue, released) = (queue, released)
        Thread {
            do {
                try queue.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        locked.signal()
                        released.wait()
                        return .rollback
                    }
                }
            } catch {
                locked.signal()
            }
        }.start()
        locked.wait()
    }

    func release() { released.signal() }
}

/// A value shared between threads.
final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ value: T) { self.value = value }
    func withLock<R>(_ body: (inout T) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
