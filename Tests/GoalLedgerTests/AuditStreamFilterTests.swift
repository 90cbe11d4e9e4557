import Foundation
import Testing

/// `audit --stream P` lists the stream P and every stream under `P/`, and
/// nothing else: not `P-x`, `P.x`, `Px` or `P0`, which sort next to them.
/// `P/` leaves out P itself. The SQL pre-filter and the rule agree.
@Suite struct AuditStreamFilterTests {
    @Test func aStreamPrefixMatchesItsStreamAndTheStreamsUnderIt() throws {
        let cli = try CLI()
        let names = ["ballerup/kb/x", "ballerup/kb-x", "ballerup/kb.x", "ballerup/kbx", "ballerup/kb/y/z", "ballerup/kb0"]
        let lines = names.enumerated().map { offset, stream in
            #"{"stream":"\#(stream)","type":"ActorRegistered","effective":"2015-01-01","actor":"ballerup/kb","#
                + #""id":"a\#(offset)","data":{"name":"N\#(offset)","kind":"person"}}"#
        }
        try cli.importText(Fixture.actors + "\n" + lines.joined(separator: "\n"))
        func streams(_ prefix: String) throws -> [String] {
            let result = try cli.run(["audit", "--stream", prefix, "--json"])
            #expect(result.code == 0, "\(result.stderr)")
            let rows = try #require(try cli.json(result) as? [[String: Any]])
            return rows.compactMap { $0["stream"] as? String }
        }
        #expect(try streams("ballerup/kb") == ["ballerup/kb", "ballerup/kb/x", "ballerup/kb/y/z"])
        #expect(try streams("ballerup/kb/") == ["ballerup/kb/x", "ballerup/kb/y/z"])
        #expect(try streams("ballerup/kb/y") == ["ballerup/kb/y/z"])
        #expect(try streams("ballerup/kbx") == ["ballerup/kbx"])
        #expect(try streams("ballerup/k") == [])
    }
}
