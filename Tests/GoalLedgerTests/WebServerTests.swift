import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `goalledger serve` on a free port of this machine, stopped with SIGTERM.
final class Server: @unchecked Sendable {
    let process: Process
    let port: Int
    private let errorFile: URL

    /// Starts `goalledger serve --port 0 ARGS` on the CLI's ledger and waits for its
    /// `listening on http://127.0.0.1:PORT` line (60 s at most).
    init(_ cli: CLI, _ args: [String] = []) throws {
        process = cli.process(["serve", "--port", "0"] + args)
        errorFile = cli.dir.appendingPathComponent("serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        while found == nil && Date() < deadline && process.isRunning {
            let log = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            if let line = log.split(separator: "\n").first(where: { $0.hasPrefix("listening on http://127.0.0.1:") }) {
                found = Int(line.split(separator: ":").last ?? "")
            } else {
                usleep(50_000)
            }
        }
        guard let found else {
            process.terminate()
            throw ServerError.didNotStart((try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
        }
        port = found
    }

    enum ServerError: Error { case didNotStart(String) }

    var log: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

    /// SIGTERM, then the exit status.
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One HTTP/1.1 request over a plain socket, the path sent exactly as given
    /// (no client normalises `..` or escapes away).
    func request(_ path: String, method: String = "GET") throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        precondition(connected == 0, "cannot connect to port \(port)")
        let request = Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        guard let split = received.range(of: Data("\r\n\r\n".utf8)) else { throw ServerError.didNotStart("no response") }
        let head = String(decoding: received[..<split.lowerBound], as: UTF8.self).split(separator: "\r\n")
        let status = Int(head.first?.split(separator: " ")[1] ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return Response(status: status, headers: headers, body: Data(received[split.upperBound...]))
    }
}

/// Issue 10, end to end: the real binary serving a real ledger on a real port.
@Suite struct WebServerTests {
    /// A server of its own for each test, stopped at its end (none outlives the tests).
    func withServer(_ body: (Server) throws -> Void) throws {
        let server = try Server(WebLedger.cli)
        defer { _ = server.stop() }
        try body(server)
    }

    @Test func everyRouteAnswers() throws { try withServer { server in
        for (path, type) in [
            ("/", "text/html"), ("/?as-of=2018", "text/html"), ("/e/ballerup/erhverv-2021", "text/html"),
            ("/e/ballerup/erhverv-2021/mal-3?lang=en", "text/html"), ("/e/ballerup/kb", "text/html"),
            ("/audit", "text/html"), ("/audit?loosened=1", "text/html"), ("/audit?type=TargetSet&page=1", "text/html"),
            ("/verify", "text/html"), ("/audit.csv?field=target", "text/csv"),
            ("/e/ballerup/erhverv-2021/mal-3/history.csv", "text/csv"), ("/api/openapi.json", "application/json"),
            ("/api/head", "application/json"),
        ] {
            let response = try server.request(path)
            #expect(response.status == 200, "\(path): \(response.status) \(response.text.prefix(300))")
            #expect(response.headers["content-type"]?.hasPrefix(type) == true, "\(path)")
        }
    } }

    @Test func pagesShowTheLedger() throws { try withServer { server in
        let index = try server.request("/")
        #expect(index.text.contains("<html lang=\"da\">"))
        #expect(index.text.contains("Erhvervs- og Vækstpolitik"))
        #expect(index.text.contains("vedtaget"))
        let head = try WebLedger.cli.run(["head"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(index.text.contains(head), "the footer shows the head digest")
        let goal = try server.request("/e/ballerup/erhverv-2021/mal-3").text
        #expect(goal.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""))
        #expect(goal.contains("<title id=\"chart-title\">") && goal.contains("<desc id=\"chart-desc\">"))
        #expect(goal.contains("▼ 30 → 27"))
        #expect(goal.contains("class=\"backdated-band\""))
        #expect(goal.contains("<caption>"))
        #expect(!goal.contains("<script"))
        let english = try server.request("/e/ballerup/erhverv-2021/mal-3?lang=en").text
        #expect(english.contains("<html lang=\"en\">") && english.contains("Target history"))
        let then = try server.request("/e/ballerup/erhverv-2021/mal-3?as-of=2022-06").text
        #expect(then.contains("ændret senere (2)"))
        #expect(then.contains("Dengang ↔ nu"))
        #expect(then.contains("name=\"as-of\" value=\"2022-06\""))
    } }

    @Test func apiAnswersExactlyWhatTheCommandsPrint() throws { try withServer { server in
        let cli = WebLedger.cli
        let pairs: [(String, [String])] = [
            ("/api/show/ballerup/erhverv-2021/mal-3", ["show", "ballerup/erhverv-2021/mal-3", "--json"]),
            ("/api/show/ballerup/vision-2029?as-of=2016-06", ["show", "ballerup/vision-2029", "--as-of", "2016-06", "--json"]),
            ("/api/show/ballerup/erhverv-2021/mal-3?as-of=2022&known-at=2026-11-23",
             ["show", "ballerup/erhverv-2021/mal-3", "--as-of", "2022", "--known-at", "2026-11-23", "--json"]),
            ("/api/tree/ballerup/erhverv-2021", ["tree", "ballerup/erhverv-2021", "--json"]),
            ("/api/list?kind=goal&as-of=2018", ["list", "--kind", "goal", "--as-of", "2018", "--json"]),
            ("/api/list", ["list", "--json"]),
            ("/api/history/ballerup/erhverv-2021/mal-3", ["history", "ballerup/erhverv-2021/mal-3", "--json"]),
            ("/api/diff/ballerup/erhverv-2017?from=2018&to=2022",
             ["diff", "ballerup/erhverv-2017", "--from", "2018", "--to", "2022", "--json"]),
            ("/api/audit?field=target&stream=ballerup", ["audit", "--field", "target", "--stream", "ballerup", "--json"]),
            ("/api/audit?type=TargetSet&type=MeasurementRecorded",
             ["audit", "--type", "TargetSet", "--type", "MeasurementRecorded", "--json"]),
            ("/api/audit?loosened=1", ["audit", "--loosened", "--json"]),
            ("/api/audit", ["audit", "--json"]),
            ("/api/head", ["head", "--json"]),
        ]
        for (path, args) in pairs {
            let response = try server.request(path)
            let printed = try cli.run(args)
            #expect(response.status == 200 && printed.code == 0, "\(path)")
            #expect(response.body == printed.stdoutData, "\(path) differs from goalledger \(args.joined(separator: " "))")
        }
    } }

    @Test func loosenedRevisionsCarryWhatTheLedgerKnewThen() throws { try withServer { server in
        let rows = try #require(try JSONSerialization.jsonObject(
            with: server.request("/api/audit?loosened=1").body) as? [[String: Any]])
        #expect(rows.map { $0["id"] as? String } == ["test-web-003", "test-web-004"])
        let context = try #require(rows.first?["context"] as? [String: Any])
        #expect(context["onCourse"] as? Bool == false)
        #expect((context["latest"] as? [String: Any])?["value"] as? Double == 24.5)
        #expect(context["indicator"] as? String == "ballerup/erhverv-2021/mal-3/erhvervsuddannelse-andel")
        let text = try WebLedger.cli.run(["audit", "--loosened"]).stdout
        #expect(text.contains("target loosened"))
        #expect(text.contains("latest known measurement: 24.5 for 2022 (2022-08-01)"))
        #expect(text.contains("not on course"))
        #expect(text.hasSuffix("2 events\n"))
    } }

    @Test func badRequestsAnswerWithTheirStatus() throws { try withServer { server in
        let cases: [(String, String, Int, String)] = [
            ("GET", "/e/ballerup/no-such-plan", 404, "no entity ballerup/no-such-plan"),
            ("GET", "/e/ballerup/erhverv-2021?as-of=2010", 404, "does not exist"),
            ("GET", "/api/show/ballerup/no-such-plan", 404, "{\"error\":\"no entity ballerup/no-such-plan\"}"),
            ("GET", "/?as-of=2018-13", 400, "as-of"),
            ("GET", "/e/ballerup/kb?known-at=yesterday", 400, "known-at"),
            ("GET", "/api/list?kind=planet", 400, "kind"),
            ("GET", "/audit?backdated=-3", 400, "backdated"),
            ("GET", "/audit?type=Nope", 400, "type"),
            ("GET", "/api/audit?page=2", 400, "page"),
            ("GET", "/?asof=2018", 400, "asof"),
            ("GET", "/api/diff/ballerup/erhverv-2017?from=2018", 400, "to: required"),
            ("GET", "/?lang=de", 400, "lang"),
            ("POST", "/", 405, "POST"),
            ("DELETE", "/api/head", 405, "DELETE"),
            ("GET", "/e/../../../etc/passwd", 404, ""),
            ("GET", "/e/ballerup%2Fkb", 404, ""),
            ("GET", "/e/ballerup/kb%00", 404, ""),
            ("GET", "/%2e%2e/%2e%2e/etc/passwd", 404, ""),
            ("GET", "/e/ballerup/..%2f..%2fetc", 404, ""),
            ("GET", "/etc/passwd", 404, ""),
            ("GET", "/api/nothing", 404, "no API route"),
        ]
        for (method, path, status, fragment) in cases {
            let response = try server.request(path, method: method)
            #expect(response.status == status, "\(method) \(path): \(response.status)")
            #expect(fragment.isEmpty || response.text.contains(fragment), "\(method) \(path): \(response.text.prefix(400))")
            #expect(!response.text.contains("root:"), "\(path) reached a file")
            if path.hasPrefix("/api/") {
                #expect(response.headers["content-type"] == "application/json", "\(path)")
            } else {
                #expect(response.headers["content-type"]?.hasPrefix("text/html") == true, "\(path)")
            }
        }
        #expect(try server.request("/", method: "POST").headers["allow"] == "GET, HEAD")
        let head = try server.request("/", method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty)
    } }

    @Test func openAPIDescribesEveryRoute() throws { try withServer { server in
        let document = try #require(try JSONSerialization.jsonObject(
            with: server.request("/api/openapi.json").body) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = Set((document["paths"] as? [String: Any] ?? [:]).keys)
        #expect(paths == ["/api/show/{id}", "/api/tree/{id}", "/api/list", "/api/history/{id}", "/api/diff/{id}",
                          "/api/audit", "/api/head", "/api/openapi.json"])
    } }

    @Test func serverStopsCleanlyOnSigterm() throws {
        let server = try Server(WebLedger.cli)
        #expect(try server.request("/api/head").status == 200)
        #expect(server.stop() == 0, "exit status after SIGTERM; log: \(server.log)")
    }

    @Test func aPortInUseIsOneClearLine() throws { try withServer { server in
        let result = try WebLedger.cli.run(["serve", "--port", String(server.port)])
        #expect(result.code == 1)
        #expect(result.stderr == "error: cannot serve on 127.0.0.1:\(server.port): the port is in use; "
                    + "choose another with --port (0 picks a free one)\n")
    } }

    @Test func siteRefusesAFileAsItsFolder() throws {
        let cli = WebLedger.cli
        let file = try cli.write("not-a-folder-\(UUID().uuidString)", "x")
        let result = try cli.run(["site", "--out", file])
        #expect(result.code == 1)
        #expect(result.stderr == "error: --out \(file) is a file; give a folder to write the site into\n")
    }

    @Test func serverRefusesAMissingLedger() throws {
        let cli = try CLI()
        let result = try cli.run(["serve", "--port", "0"])
        #expect(result.code == 3)
        #expect(result.stderr.hasPrefix("error: no ledger at"))
    }
}

/// Titles, reasons and links that try to run script render as inert text.
@Suite struct WebHostileTextTests {
    static let cli: CLI = {
        let cli = try! CLI()
        let hostile = #"<script>alert('x')</script>"#
        let breakout = #""><img src=x onerror=alert(1)>"#
        try! cli.importText(Fixture.actors + "\n" + """
            {"stream":"ballerup/hostile","type":"PlanDrafted","effective":"2020-01-01","actor":"ballerup/kb","reason":"\(breakout.replacingOccurrences(of: "\"", with: "\\\""))","data":{"organization":"ballerup/kb","kind":"plan","title":"\(hostile)"}}
            {"stream":"ballerup/hostile/goal","type":"GoalDefined","effective":"2020-01-01","actor":"ballerup/kb","decision":"javascript:alert(2)","data":{"plan":"ballerup/hostile","title":"\(breakout.replacingOccurrences(of: "\"", with: "\\\""))","label":"javascript:alert(3)"}}
            {"stream":"ballerup/hostile/goal","type":"Linked","effective":"2020-01-01","actor":"ballerup/kb","data":{"to":"javascript:alert(4)"}}
            {"stream":"ballerup/hostile/goal","type":"TargetSet","effective":"2020-01-01","actor":"ballerup/kb","data":{"value":1,"unit":"</title><script>alert(5)</script>","comparator":">="}}
            """)
        return cli
    }()

    @Test func hostileTextIsInertOnEveryPage() throws {
        let server = try Server(Self.cli)
        defer { _ = server.stop() }
        for path in ["/", "/e/ballerup/hostile", "/e/ballerup/hostile/goal", "/audit", "/audit?stream=ballerup/hostile"] {
            let page = try server.request(path)
            #expect(page.status == 200, "\(path)")
            #expect(!page.text.contains("<script"), "\(path) carries a script tag")
            #expect(!page.text.contains("<img"), "\(path) carries an img tag")
            #expect(!page.text.contains("href=\"javascript:"), "\(path) links to javascript:")
            #expect(!page.text.contains("onerror=alert(1)>"), "\(path)")
        }
        let plan = try server.request("/e/ballerup/hostile").text
        #expect(plan.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        let goal = try server.request("/e/ballerup/hostile/goal").text
        #expect(goal.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        #expect(goal.contains("<code>javascript:alert(4)</code>"), "an external reference is shown, not linked")
    }
}

/// `goalledger site`: every relative link of every page resolves to a written file.
@Suite struct WebSiteTests {
    @Test func everyRelativeLinkResolves() throws {
        let cli = WebLedger.cli
        let out = cli.path("site-\(UUID().uuidString)")
        let result = try cli.run(["site", "--out", out, "--years", "--accessibility-statement",
                                  "https://example.org/was"])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("wrote "))
        let root = URL(fileURLWithPath: out)
        for file in ["index.html", "audit/index.html", "verify/index.html", "audit.csv", "ledger.ndjson", "head.txt",
                     "as-of/2018/index.html", "e/ballerup/erhverv-2021/mal-3/index.html"] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(file).path), "\(file)")
        }
        let head = try String(contentsOf: root.appendingPathComponent("head.txt"), encoding: .utf8)
        #expect(head == (try cli.run(["head"]).stdout))
        let export = try Data(contentsOf: root.appendingPathComponent("ledger.ndjson"))
        #expect(export == (try cli.run(["export"]).stdoutData))
        var checked = 0
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        let hrefPattern = try NSRegularExpression(pattern: "href=\"([^\"]*)\"")
        for case let url as URL in enumerator where url.pathExtension == "html" {
            let page = try String(contentsOf: url, encoding: .utf8)
            #expect(!page.contains("<script"))
            for match in hrefPattern.matches(in: page, range: NSRange(page.startIndex..., in: page)) {
                let href = String(page[Range(match.range(at: 1), in: page)!]).replacingOccurrences(of: "&amp;", with: "&")
                if href.hasPrefix("https://") || href.hasPrefix("#") { continue }
                #expect(!href.hasPrefix("/"), "\(url.path): absolute link \(href)")
                let target = url.deletingLastPathComponent().appendingPathComponent(href).standardized
                #expect(target.path.hasPrefix(root.standardized.path), "\(url.path): \(href) leaves the site")
                #expect(FileManager.default.fileExists(atPath: target.path), "\(url.path): \(href) does not resolve")
                checked += 1
            }
        }
        #expect(checked > 1000)
    }
}

/// Issue 11 on the web: a site of a ledger with a checkpoint carries the checkpoint and
/// the proof of every event in it, which `verify-proof` checks with no ledger; pages name
/// who signed an event.
@Suite struct WebProofsTests {
    @Test func siteCarriesCheckpointAndProofsThatVerifyOffline() throws {
        let clerks = try SignedEventsTests.clerks()
        let cli = clerks.cli
        let signed = try cli.run(SignedEventsTests.targetArgs + ["--sign", clerks.mayorKey])
        #expect(signed.code == 0, "\(signed.stderr)")
        let logKey = cli.path("log.key")
        let logVkey = try cli.run(["keygen", "goalledger.example/strategi", "--out", logKey]).stdout
            .trimmingCharacters(in: .newlines)
        #expect(try cli.run(["checkpoint", "--key", logKey]).code == 0)
        let size = Int(try cli.run(["head"]).stdout.split(separator: " ")[0])!
        let out = cli.path("site")
        #expect(try cli.run(["site", "--out", out]).code == 0)
        let checkpoint = try String(contentsOfFile: out + "/checkpoint.txt", encoding: .utf8)
        #expect(checkpoint.hasPrefix("goalledger.example/strategi\n\(size)\n"))
        for position in 1...size {
            #expect(FileManager.default.fileExists(atPath: out + "/proofs/\(position).tlog-proof"), "proof \(position)")
        }
        // A reader with only the site's proof file and the log's public key.
        let reader = try CLI()
        let copy = reader.path("proof.tlog-proof")
        try FileManager.default.copyItem(atPath: out + "/proofs/\(size).tlog-proof", toPath: copy)
        let checked = try reader.run(["verify-proof", copy, "--vkey", logVkey])
        #expect(checked.code == 0, "\(checked.stderr)")
        // The goal's page names the signer and links each event to its proof.
        let page = try String(contentsOfFile: out + "/e/\(SignedEventsTests.goal)/index.html", encoding: .utf8)
        #expect(page.contains("✎ underskrevet af \(SignedEventsTests.mayor)"))
        #expect(page.contains("href=\"../../../../proofs/\(size).tlog-proof\""))
        let csv = try String(contentsOfFile: out + "/e/\(SignedEventsTests.goal)/history.csv", encoding: .utf8)
        #expect(csv.contains(",\(SignedEventsTests.mayor)\r\n"))
    }
}
