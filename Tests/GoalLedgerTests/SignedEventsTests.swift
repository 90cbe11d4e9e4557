import Foundation
import GRDB
import GoalLedgerCore
import Testing

/// Issue 11, signed authorship (SPEC §10) with the real binary: keys registered
/// on person actors, signed appends and imports, the append-time rules, their
/// re-check in `verify`, and the whole path to a proof a reader checks offline.
@Suite struct SignedEventsTests {
    static let mayor = "ballerup/borgmester"
    static let consultant = "ballerup/udviklingskonsulent"
    static let goal = "ballerup/erhverv-2017/mal-3"

    /// Fixture.policy plus the development consultant the Ballerup seed names.
    static let ledgerText = Fixture.policy + "\n" + """
        {"stream":"ballerup/udviklingskonsulent","type":"ActorRegistered","effective":"2016-02-01",\
        "actor":"ballerup/kb",\
        "id":"uk","data":{"name":"Mette-Louise Andersen Rohde","kind":"person","role":"Udviklingskonsulent",\
        "memberOf":"ballerup/kb"}}
        """

    struct Clerks {
        var cli: CLI
        var mayorKey: String
        var mayorVkey: String
        var consultantKey: String
        var consultantVkey: String
    }

    static func keyRegistered(_ person: String, _ vkey: String, id: String) -> [String] {
        ["append", "--stream", person, "--type", "KeyRegistered", "--effective", "2026-01-05", "--actor", "ballerup/kb",
         "--id", id, "--data", #"{"key":"\#(vkey)"}"#]
    }

    /// Both clerks' keys made and registered: the mayor's first (self-signed), then
    /// the consultant's, vouched for by the mayor.
    static func clerks(seeds: Bool = false) throws -> Clerks {
        let cli = try CLI()
        if seeds {
            #expect(try cli.run(["import", "--quiet"] + SeedLedger.files).code == 0)
        } else {
            try cli.importText(ledgerText)
        }
        let mayorKey = cli.path("mayor.key"), consultantKey = cli.path("consultant.key")
        let mayorVkey = try cli.run(["keygen", mayor, "--out", mayorKey]).stdout.trimmingCharacters(in: .newlines)
        let consultantVkey = try cli.run(["keygen", consultant, "--out", consultantKey]).stdout
            .trimmingCharacters(in: .newlines)
        let first = try cli.run(keyRegistered(mayor, mayorVkey, id: "key-mayor") + ["--sign", mayorKey])
        #expect(first.code == 0, "\(first.stderr)")
        let second = try cli.run(keyRegistered(consultant, consultantVkey, id: "key-consultant")
                                 + ["--sign", consultantKey, "--sign", mayorKey])
        #expect(second.code == 0, "\(second.stderr)")
        return Clerks(cli: cli, mayorKey: mayorKey, mayorVkey: mayorVkey, consultantKey: consultantKey,
                      consultantVkey: consultantVkey)
    }

    static let targetArgs = ["append", "--stream", goal, "--type", "TargetSet", "--effective", "2026-02-01",
                             "--actor", "ballerup/kb", "--reason", "Ny politik", "--id", "signed-target",
                             "--data", #"{"value":35,"unit":"%"}"#]

    /// Runs a command that must be refused with exit 2, leaving the file byte for byte as it was.
    static func expectRefused(_ cli: CLI, _ args: [String], stdin: String? = nil, _ message: String) throws {
        let before = cli.checksum(cli.db)
        let result = try cli.run(args, stdin: stdin.map { Data($0.utf8) })
        #expect(result.code == 2, "\(args): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(cli.checksum(cli.db) == before)
    }

    @Test func aSignedAppendIsRecordedByItsSignerAndShownAsSigned() throws {
        let clerks = try Self.clerks()
        let cli = clerks.cli
        let appended = try cli.run(Self.targetArgs + ["--sign", clerks.consultantKey, "--json"])
        #expect(appended.code == 0, "\(appended.stderr)")
        let event = try EventInput.parse(appended.stdout.trimmingCharacters(in: .newlines))
        #expect(event.exported?.recordedBy == Self.consultant)
        #expect(event.sigs?.map(\.key) == [clerks.consultantVkey])
        let history = try cli.run(["history", Self.goal])
        let signedBy = "    actor ballerup/kb  recorded by \(Self.consultant)\n    signed by \(Self.consultant)\n"
        #expect(history.stdout.contains(signedBy))
        let show = try cli.run(["show", Self.goal, "--json"])
        #expect(show.stdout.contains(#""signedBy":["ballerup/udviklingskonsulent"]"#))
        let signed = try cli.run(["audit", "--signed"])
        #expect(signed.stdout.components(separatedBy: "\n#").count == 3)  // two key registrations and the target
        let unsigned = try cli.run(["audit", "--unsigned", "--type", "TargetSet"])
        #expect(unsigned.stdout.hasPrefix("#6  \(Self.goal)"))
        #expect(!unsigned.stdout.contains("signed-target") && !unsigned.stdout.contains("#11"))
        let verified = try cli.run(["verify"])
        #expect(verified.code == 0, "\(verified.stderr)")
    }

    @Test func exportedSignedLinesRestoreExactly() throws {
        let clerks = try Self.clerks()
        #expect(try clerks.cli.run(Self.targetArgs + ["--sign", clerks.consultantKey]).code == 0)
        let export = try clerks.cli.run(["export"]).stdout
        let copy = try CLI()
        try copy.importText(export)
        #expect(try copy.run(["export"]).stdout == export)
        #expect(try copy.run(["verify"]).code == 0)
        try copy.importText(export)
        #expect(try copy.run(["export"]).stdout == export)
    }

    @Test func importSignsEveryLineWithEveryKey() throws {
        let clerks = try Self.clerks()
        let file = try clerks.cli.write("more.ndjson", """
            {"stream":"ballerup/erhverv-2017/mal-3","type":"StatusChanged","effective":"2026-03-01",\
            "actor":"ballerup/kb","data":{"status":"achieved"}}
            {"stream":"ballerup/erhverv-2017","type":"MilestoneRecorded","effective":"2026-03-01",\
            "actor":"ballerup/kb","id":"m1","data":{"title":"Evaluering"}}
            """)
        let imported = try clerks.cli.run(["import", file, "--sign", clerks.mayorKey, "--sign", clerks.consultantKey])
        #expect(imported.code == 0, "\(imported.stderr)")
        let lines = try clerks.cli.run(["export"]).stdout.split(separator: "\n").suffix(2)
        for line in lines {
            let event = try EventInput.parse(String(line))
            #expect(event.sigs?.map(\.key) == [clerks.mayorVkey, clerks.consultantVkey])
            #expect(event.exported?.recordedBy == Self.mayor)
            #expect(event.id != nil)
        }
    }

    @Test func badSignaturesForeignRevokedAndLaterKeysAreRefused() throws {
        let clerks = try Self.clerks()
        let cli = clerks.cli
        // A signature that does not verify: made for other content.
        let signed = try cli.run(["append", "--stream", Self.goal, "--type", "StatusChanged",
                                  "--effective", "2026-02-02", "--actor", "ballerup/kb", "--id", "s1",
                                  "--data", #"{"status":"achieved"}"#,
                                  "--sign", clerks.consultantKey, "--json"])
        let sigs = try #require(signed.stdout.range(of: #","sigs":"#)).upperBound
        let sigsArray = String(signed.stdout[sigs...].prefix { $0 != "]" }) + "]"
        try Self.expectRefused(cli, ["append"], stdin: """
            {"stream":"\(Self.goal)","type":"StatusChanged","effective":"2026-02-03","actor":"ballerup/kb","id":"s2",\
            "data":{"status":"missed"},"sigs":\(sigsArray)}
            """, "signature by \(Self.consultant) does not verify")
        // A key with the mayor's name that was never registered (another actor's, or forged).
        let forgedKey = cli.path("forged.key")
        #expect(try cli.run(["keygen", Self.mayor, "--out", forgedKey]).code == 0)
        try Self.expectRefused(cli, Self.targetArgs + ["--sign", forgedKey], "is not registered")
        // A key registered later in the same file cannot sign before it.
        let laterKey = cli.path("later.key")
        let laterVkey = try cli.run(["keygen", "ballerup/borgmester", "--out", laterKey]).stdout
            .trimmingCharacters(in: .newlines)
        var early = try EventInput.parse("""
            {"stream":"ballerup/erhverv-2017/mal-3","type":"StatusChanged","effective":"2026-02-04",\
            "actor":"ballerup/kb","id":"early","data":{"status":"missed"}}
            """)
        early.sign(with: [try NoteSigner(String(contentsOfFile: laterKey, encoding: .utf8))], newID: { "unused" })
        let earlyLine = try Self.inputLine(early)
        let file = try cli.write("later.ndjson", earlyLine + "\n" + """
            {"stream":"ballerup/borgmester","type":"KeyRegistered","effective":"2026-02-04",\
            "actor":"ballerup/kb","id":"later","data":{"key":"\(laterVkey)"}}
            """)
        try Self.expectRefused(cli, ["import", file], "later.ndjson:1: signature by \(Self.mayor)")
        // A revoked key signs no more.
        let revoked = try cli.run(["append", "--stream", Self.consultant, "--type", "KeyRevoked",
                                   "--effective", "2026-02-05", "--actor", "ballerup/kb", "--id", "revoke",
                                   "--sign", clerks.mayorKey,
                                   "--data", #"{"key":"\#(clerks.consultantVkey)","reason":"left-office"}"#])
        #expect(revoked.code == 0, "\(revoked.stderr)")
        try Self.expectRefused(cli, Self.targetArgs + ["--sign", clerks.consultantKey], "revoked at position")
        // Its earlier signatures stay valid.
        #expect(try cli.run(["verify"]).code == 0)
    }

    /// An input line with its `sigs`, as an external signing tool would write it.
    static func inputLine(_ input: EventInput) throws -> String {
        var object = JSONObject()
        object["stream"] = .string(input.stream)
        object["type"] = .string(input.type.rawValue)
        object["effective"] = .string(input.effective.text)
        object["actor"] = .string(input.actor)
        object["id"] = .string(input.id!)
        object["data"] = .object(input.data)
        object["sigs"] = .array(input.sigs!.map { signature in
            .object(JSONObject([("key", .string(signature.key)), ("sig", .string(signature.sig))]))
        })
        return JSONWriter.ordered(.object(object))
    }

    @Test func keyRegistrationsNeedTheirOwnAndAVouchingSignature() throws {
        let clerks = try Self.clerks()
        let cli = clerks.cli
        let newKey = cli.path("new.key")
        let newVkey = try cli.run(["keygen", Self.consultant, "--out", newKey]).stdout.trimmingCharacters(in: .newlines)
        try Self.expectRefused(cli, Self.keyRegistered(Self.consultant, newVkey, id: "k3") + ["--sign", newKey],
                               "needs the signature of an active key of another person")
        try Self.expectRefused(cli, Self.keyRegistered(Self.consultant, newVkey, id: "k3")
                               + ["--sign", clerks.mayorKey],
                               "must be signed by the key it registers")
        try Self.expectRefused(cli, Self.keyRegistered(Self.consultant, newVkey, id: "k3"),
                               "must be signed by the key it registers")
        var onABody = Self.keyRegistered("ballerup/kb", newVkey, id: "k3") + ["--sign", newKey]
        onABody[onABody.firstIndex(of: "--actor")! + 1] = Self.mayor
        try Self.expectRefused(cli, onABody,
                               "KeyRegistered applies to a person; ballerup/kb is not one")
        #expect(try cli.run(Self.keyRegistered(Self.consultant, newVkey, id: "k3")
                            + ["--sign", newKey, "--sign", clerks.mayorKey]).code == 0)
    }

    @Test func aSignedEventWithoutIdOrWithAnotherRecordedByIsRefused() throws {
        let clerks = try Self.clerks()
        let cli = clerks.cli
        let zeros = Base64.encode([UInt8](repeating: 0, count: 64))
        try Self.expectRefused(cli, ["append"], stdin: """
            {"stream":"\(Self.goal)","type":"StatusChanged","effective":"2026-02-03","actor":"ballerup/kb",\
            "data":{"status":"missed"},"sigs":[{"key":"\(clerks.consultantVkey)","sig":"\(zeros)"}]}
            """, #"a signed event must carry an "id""#)
        // An exported signed line whose recordedBy was changed, its hash recomputed to match.
        #expect(try cli.run(Self.targetArgs + ["--sign", clerks.consultantKey]).code == 0)
        let lines = try cli.run(["export"]).stdout.split(separator: "\n").map(String.init)
        let last = try EventInput.parse(lines.last!)
        let exported = last.exported!
        let forged = last.event(position: exported.position, version: exported.version, id: last.id!,
                                recorded: exported.recorded, recordedBy: "tester", prev: exported.prev)
        let copy = try CLI()
        try copy.importText(lines.dropLast().joined(separator: "\n"))
        let file = try copy.write("forged.ndjson", forged.exportLine())
        try Self.expectRefused(copy, ["import", file], "recordedBy tester is not \(Self.consultant)")
    }

    /// `verify` leaves every other signed event's Ed25519 checks to its folding
    /// core (`ChainCheck.leavesSignatureChecks`): the third signed event here (the
    /// first target) is checked on the core that steps SQLite, the fourth on the
    /// folding core, the fifth on the first again. Whichever core finds it, the
    /// first event edited is named.
    @Test(arguments: [[0], [1], [2], [1, 2], [0, 1]])
    func editingASignedEventWithEveryHashRecomputedFailsVerifyOnItsSignature(edited targets: [Int]) throws {
        let clerks = try Self.clerks()
        let cli = clerks.cli
        for index in 0..<3 {
            let args = Self.targetArgs.map { $0 == "signed-target" ? "signed-target-\(index)" : $0 }
            #expect(try cli.run(args + ["--sign", clerks.consultantKey]).code == 0)
        }
        let inputs = try TamperingTests.exported(cli)
        let edited = try targets.map { target in try #require(inputs.firstIndex { $0.id == "signed-target-\(target)" }) }
        try TamperingTests.withGuardDropped(cli) { db in
            var prev = inputs[edited[0]].exported!.prev
            for (offset, input) in inputs.enumerated().dropFirst(edited[0]) {
                var changed = input
                if edited.contains(offset) { changed.data["value"] = 20 }
                let event = TamperingTests.rechained(changed, prev: prev)
                try db.execute(sql: "UPDATE events SET data = ?, prev = ?, hash = ? WHERE position = ?",
                               arguments: [event.dataJSON, event.prev, event.hash, event.position])
                prev = event.hash
            }
        }
        let result = try cli.run(["verify"])
        #expect(result.code == 5)
        let position = inputs[edited[0]].exported!.position
        #expect(result.stderr == "error: position \(position): signature by \(Self.consultant) does not verify\n")
    }

    /// The issue's end-to-end path: keys for a log, a witness and two clerks; the
    /// seeds imported; keys registered; signed appends; a checkpoint, cosigned;
    /// the proof of the signed TargetSet checked by a reader with the file alone.
    @Test func aSignedTargetIsProvedToAReaderInAnotherDirectory() throws {
        let clerks = try Self.clerks(seeds: true)
        let cli = clerks.cli
        let appended = try cli.run(Self.targetArgs + ["--sign", clerks.consultantKey, "--sign", clerks.mayorKey])
        #expect(appended.code == 0, "\(appended.stderr)")
        let position = try #require(appended.stdout.split(separator: " ").dropFirst(2).first).description
        let logKey = cli.path("log.key"), witnessKey = cli.path("witness.key")
        let logVkey = try cli.run(["keygen", ProofsTests.origin, "--out", logKey]).stdout
            .trimmingCharacters(in: .newlines)
        let witnessVkey = try cli.run(["keygen", ProofsTests.witnessName, "--out", witnessKey, "--witness"]).stdout
            .trimmingCharacters(in: .newlines)
        #expect(try cli.run(["checkpoint", "--key", logKey]).code == 0)
        let body = try cli.run(["prove", "--consistency", "0"])
        let cosigned = try cli.run(["cosign", "--key", witnessKey, "--log-vkey", logVkey, "--state", cli.path("w")],
                                   stdin: body.stdoutData)
        #expect(cosigned.code == 0, "\(cosigned.stderr)")
        let lines = try cli.write("cosig.txt", cosigned.stdout)
        #expect(try cli.run(["checkpoint", "--add-cosignatures", lines, "--witness", witnessVkey]).code == 0)
        let proof = try cli.run(["prove", position])
        #expect(proof.code == 0, "\(proof.stderr)")
        let reader = try CLI()
        let file = try reader.write("target.tlog-proof", proof.stdout)
        let checked = try reader.run(["verify-proof", file, "--vkey", logVkey, "--witness", witnessVkey,
                                      "--quorum", "1"])
        #expect(checked.code == 0, "\(checked.stderr)")
        #expect(checked.stdout.hasPrefix("ok: position \(position) (\(Self.goal) "))
        // The proof carries the signed event: its signature is checkable from the extra line alone.
        let extra = try #require(proof.stdout.split(separator: "\n").dropFirst().first?.dropFirst(6))
        let event = try EventInput.parse(String(decoding: try #require(Base64.decode(extra)), as: UTF8.self))
        #expect(event.sigs?.count == 2)
    }
}
