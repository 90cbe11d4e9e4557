import Foundation
import GRDB
import GoalLedgerCore
import GoalLedgerStore
import Testing

/// Issue 11 (SPEC §10): the Merkle tree in the file, checkpoints, proofs,
/// witnesses and offline verification, with the real binary.
@Suite struct ProofsTests {
    static let origin = "goalledger.ballerup.dk/strategi"
    static let witnessName = "arkiv.example/witness"

    /// `count` inputs registering people, each its own stream.
    static func people(_ count: Int, from first: Int = 0) -> [EventInput] {
        (first..<(first + count)).map { number in
            try! EventInput.parse("""
                {"stream":"ballerup/person-\(number)","type":"ActorRegistered","effective":"2020-01-01",\
                "actor":"ballerup/kb","id":"person-\(number)","data":{"name":"Person \(number)","kind":"person"}}
                """)
        }
    }

    static func kb() -> EventInput {
        try! EventInput.parse("""
            {"stream":"ballerup/kb","type":"ActorRegistered","effective":"2014-01-01","actor":"ballerup/kb","id":"kb",\
            "data":{"name":"Ballerup Kommunalbestyrelse","kind":"body"}}
            """)
    }

    /// The leaf hashes of the ledger's events, from its export.
    static func leaves(_ ledger: Ledger) throws -> [MerkleHash] {
        var leaves: [MerkleHash] = []
        try ledger.export { bytes in
            for line in bytes.split(separator: 0x0A) {
                let input = try EventInput.parse(String(decoding: line, as: UTF8.self))
                leaves.append(Merkle.leafHash(eventHash: MerkleHash(hex: Array(input.exported!.hash.utf8))!))
            }
        }
        return leaves
    }

    @Test func storedTreeGivesTheRootAndProofsOfEverySizeWhateverTheTransactions() throws {
        let cli = try CLI()
        let ledger = try Ledger(path: cli.db, mode: .write)
        let context = AppendContext(recordedBy: "tester")
        try ledger.append([Self.kb()], context: context)
        // Transactions of 1, 16, 5 and 47 events: their edges fall inside and on stored subtrees.
        var next = 0
        for batch in [1, 16, 5, 47] {
            try ledger.append(Self.people(batch, from: next), context: context)
            next += batch
        }
        let leaves = try Self.leaves(ledger)
        #expect(leaves.count == 70)
        for size in 0...leaves.count {
            let stored = try ledger.merkleRoot(size: Int64(size))
            #expect(stored.root == Merkle.root(of: Array(leaves.prefix(size))), "size \(size)")
        }
        let signer = try NoteSigner.generate(name: Self.origin, type: .ed25519)
        let checkpoint = try ledger.checkpoint(signer: signer)
        #expect(checkpoint.checkpoint.size == 70)
        for position in Int64(1)...70 {
            let proof = try ledger.prove(position: position)
            let event = try proof.verifyEvent(log: signer.verifier)
            #expect(event.position == position)
        }
        for old in Int64(0)...70 {
            let body = try ledger.consistency(from: old)
            let oldRoot = Merkle.root(of: Array(leaves.prefix(Int(old))))
            try Merkle.verifyConsistency(oldSize: old, size: 70, oldRoot: oldRoot, root: checkpoint.checkpoint.root,
                                         proof: body.proof)
        }
        _ = try ledger.verify()
    }

    @Test func verifyNamesAStoredMerkleNodeThatWasChanged() throws {
        let cli = try CLI()
        let ledger = try Ledger(path: cli.db, mode: .write)
        try ledger.append([Self.kb()] + Self.people(40), context: AppendContext(recordedBy: "tester"))
        let queue = try DatabaseQueue(path: cli.db)
        try queue.write { db in
            try db.execute(sql: "UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 4 AND idx = 1")
        }
        try queue.close()
        let result = try cli.run(["verify"])
        #expect(result.code == 5)
        #expect(result.stderr == """
            error: Merkle tree: node at level 4, index 1 (positions 17...32) differs from the hash the events give

            """)
    }

    @Test func checkpointRefusesATreeThatDoesNotExtendTheLastOne() throws {
        let cli = try CLI()
        try cli.importText(Fixture.policy)
        let key = cli.path("log.key")
        #expect(try cli.run(["keygen", Self.origin, "--out", key]).code == 0)
        #expect(try cli.run(["checkpoint", "--key", key]).code == 0)
        // A forger rewrites position 2's hash (the chain is broken too, but `checkpoint` reads only the tree).
        try TamperingTests.withGuardDropped(cli) { db in
            try db.execute(sql: "UPDATE events SET hash = ? WHERE position = 2",
                           arguments: [String(repeating: "ab", count: 32)])
        }
        let refused = try cli.run(["checkpoint", "--key", key])
        #expect(refused.code == 5)
        #expect(refused.stderr == """
            error: the first 7 events no longer give the root of the last checkpoint for \(Self.origin): \
            the ledger was rewritten; refusing to sign

            """)
        let queue = try DatabaseQueue(path: cli.db)
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM checkpoints") } == 1)
        let update = #expect(throws: DatabaseError.self) {
            try queue.write { try $0.execute(sql: "UPDATE checkpoints SET size = 1") }
        }
        #expect(update?.message == "goalledger: the checkpoints table is append-only")
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "DELETE FROM checkpoints") } }
        try queue.close()
    }

    @Test func aPrivateKeyIsWritten0600NeverPrintedAndRefusedWhenOthersMayReadIt() throws {
        let cli = try CLI()
        let key = cli.path("clerk.key")
        let made = try cli.run(["keygen", "ballerup/borgmester", "--out", key])
        #expect(made.code == 0)
        let vkey = try NoteVerifier(made.stdout.trimmingCharacters(in: .newlines))
        #expect(vkey.name == "ballerup/borgmester")
        let secret = try String(contentsOfFile: key, encoding: .utf8)
        #expect(secret.hasPrefix("PRIVATE+KEY+ballerup/borgmester+"))
        #expect(!made.stdout.contains("PRIVATE"))
        let mode = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try cli.run(["keygen", "ballerup/borgmester", "--out", key]).code == 4)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let refused = try cli.run(["checkpoint", "--key", key])
        #expect(refused.code == 2)
        #expect(refused.stderr == "error: key file \(key) may be read by others (mode 644); chmod 600 it\n")
    }

    /// The keys and files of one run of the log, a witness and a reader.
    struct Published {
        var cli: CLI
        var logKey: String
        var logVkey: String
        var witnessKey: String
        var witnessVkey: String
        var proof: String
    }

    /// Seeds imported, checkpoint, cosigned by a witness, the proof of a TargetSet.
    static func publish() throws -> Published {
        let cli = try CLI()
        try cli.importText(Fixture.policy)
        let logKey = cli.path("log.key"), witnessKey = cli.path("witness.key")
        let logVkey = try cli.run(["keygen", origin, "--out", logKey]).stdout.trimmingCharacters(in: .newlines)
        let witnessVkey = try cli.run(["keygen", witnessName, "--out", witnessKey, "--witness"]).stdout
            .trimmingCharacters(in: .newlines)
        let signed = try cli.run(["checkpoint", "--key", logKey])
        #expect(signed.code == 0, "\(signed.stderr)")
        let body = try cli.run(["prove", "--consistency", "0"])
        let state = cli.path("witness-state")
        let cosigned = try cli.run(["cosign", "--key", witnessKey, "--log-vkey", logVkey, "--state", state],
                                   stdin: body.stdoutData)
        #expect(cosigned.code == 0, "\(cosigned.stderr)")
        let lines = try cli.write("cosignature.txt", cosigned.stdout)
        let added = try cli.run(["checkpoint", "--add-cosignatures", lines, "--witness", witnessVkey])
        #expect(added.code == 0, "\(added.stderr)")
        #expect(added.stdout == signed.stdout + cosigned.stdout)
        let proof = try cli.run(["prove", "6"])
        #expect(proof.code == 0, "\(proof.stderr)")
        return Published(cli: cli, logKey: logKey, logVkey: logVkey, witnessKey: witnessKey, witnessVkey: witnessVkey,
                         proof: proof.stdout)
    }

    @Test func aTargetSetIsProvedToAReaderWithOnlyTheProofFile() throws {
        let published = try Self.publish()
        #expect(published.proof.utf8.count < 2048)
        let reader = try CLI()
        let file = try reader.write("event-6.tlog-proof", published.proof)
        let checked = try reader.run(["verify-proof", file, "--vkey", published.logVkey,
                                      "--witness", published.witnessVkey, "--quorum", "1"])
        #expect(checked.stderr == "")
        #expect(checked.stdout == """
            ok: position 6 (ballerup/erhverv-2017/mal-3 v2 TargetSet) is in the signed tree, \
            cosigned by 1 or more witnesses

            """)
        #expect(checked.code == 0)
        #expect(!FileManager.default.fileExists(atPath: reader.db))
        let checkpointFile = try published.cli.write("cp.txt", Self.checkpoint(of: published.proof))
        let verified = try published.cli.run(["verify", "--against", checkpointFile, "--vkey", published.logVkey])
        #expect(verified.code == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("extends the checkpoint of \(Self.origin) at size 7\n"))
    }

    static func checkpoint(of proof: String) -> String {
        String(proof[proof.range(of: "\n\n")!.upperBound...])
    }

    /// The proof with one bit flipped at `offset`, in the region that names what fails.
    @Test func aProofWithOneFlippedBitAnywhereFailsWithOneLine() throws {
        let published = try Self.publish()
        let log = try NoteVerifier(published.logVkey), witness = try NoteVerifier(published.witnessVkey)
        let bytes = Array(published.proof.utf8)
        // Every bit, in process: nothing flipped passes.
        for offset in bytes.indices {
            for bit in 0..<8 {
                var flipped = bytes
                flipped[offset] ^= 1 << bit
                let text = String(decoding: flipped, as: UTF8.self)
                #expect(throws: NoteError.self, "byte \(offset) bit \(bit)") {
                    let proof = try TlogProof(parsing: text)
                    _ = try proof.verifyEvent(log: log)
                    try proof.checkpoint.verify(witnesses: [witness], quorum: 1)
                }
            }
        }
        // One flip per region with the binary: exit 5 and one line naming what failed.
        let lines = published.proof.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func flip(line: Int, at column: Int) -> String {
            var changed = lines
            var characters = Array(changed[line].utf8)
            characters[column] ^= 0x01
            changed[line] = String(decoding: characters, as: UTF8.self)
            return changed.joined(separator: "\n")
        }
        let blank = lines.firstIndex(of: "")!
        // A flipped base64 character may leave the alphabet: then the line is named as not base64.
        let logSignature = ["signature by \(Self.origin) does not verify", "signature of \(Self.origin) is not base64"]
        let regions: [(String, String, [String])] = [
            ("extra", flip(line: 1, at: 10), ["extra"]),
            ("index", flip(line: 2, at: 6), ["index"]),
            ("path", flip(line: 3, at: 5), ["inclusion"]),
            ("origin", flip(line: blank + 1, at: 3), ["origin"]),
            ("size", flip(line: blank + 2, at: 0), logSignature),
            ("root", flip(line: blank + 3, at: 5), logSignature + ["checkpoint root hash is not base64"]),
            ("log signature", flip(line: blank + 5, at: 60), logSignature),
            ("witness signature", flip(line: blank + 6, at: 60),
             ["cosignature by witness \(Self.witnessName) does not verify",
              "signature of \(Self.witnessName) is not base64"]),
        ]
        for (region, text, named) in regions {
            let file = try published.cli.write("flipped.tlog-proof", text)
            let result = try published.cli.run(["verify-proof", file, "--vkey", published.logVkey,
                                                "--witness", published.witnessVkey, "--quorum", "1"])
            #expect(result.code == 5, "\(region)")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.filter { $0 == "\n" }.count == 1, "\(region)")
            #expect(named.contains { result.stderr.contains($0) }, "\(region): \(result.stderr)")
        }
    }

    @Test func malformedCheckpointsAreRefusedWithExit5() throws {
        let published = try Self.publish()
        let cli = published.cli
        let lines = published.proof.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let blank = lines.firstIndex(of: "")!
        let otherKey = cli.path("other.key")
        let otherVkey = try cli.run(["keygen", Self.origin, "--out", otherKey]).stdout.trimmingCharacters(in: .newlines)
        var sizeWithZero = lines
        sizeWithZero[blank + 2] = "0" + sizeWithZero[blank + 2]
        var shortRoot = lines
        shortRoot[blank + 3] = Base64.encode([UInt8](repeating: 1, count: 31))
        var extraBlank = lines
        extraBlank.insert("", at: blank + 4)
        var missingBlank = lines
        missingBlank.remove(at: blank + 4)
        var seventeen = lines
        seventeen.insert(contentsOf: Array(repeating: lines[blank + 5], count: 16), at: blank + 5)
        let cases: [(String, [String], String, String)] = [
            ("another key", lines, otherVkey, "no signature by \(Self.origin)+"),
            ("leading zero", sizeWithZero, published.logVkey,
             "checkpoint size \"07\" is not a decimal without leading zeroes"),
            ("short root", shortRoot, published.logVkey, "checkpoint root hash is not base64 of 32 bytes"),
            ("extra blank line", extraBlank, published.logVkey, "checkpoint has an empty line in its text"),
            ("missing blank line", missingBlank, published.logVkey, "error: "),
            ("17 signatures", seventeen, published.logVkey, "note has 18 signatures, more than 16"),
        ]
        for (name, proofLines, vkey, named) in cases {
            let file = try cli.write("bad.tlog-proof", proofLines.joined(separator: "\n"))
            let result = try cli.run(["verify-proof", file, "--vkey", vkey])
            #expect(result.code == 5, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(named), "\(name): \(result.stderr)")
        }
    }

    static let statusChanged = """
        {"stream":"ballerup/erhverv-2017/mal-3","type":"StatusChanged","effective":"2022-01-01","actor":"ballerup/kb",\
        "id":"s1","data":{"status":"achieved"}}
        """

    @Test func aWitnessRefusesRewrittenAndStaleTreesAndStoresNothing() throws {
        let published = try Self.publish()
        let cli = published.cli
        let state = cli.path("witness-state")
        let stateFile = state + "/" + Self.origin.replacingOccurrences(of: "/", with: "%2F")
        let seen = try String(contentsOfFile: stateFile, encoding: .utf8)
        func cosign(_ body: String) throws -> CLI.Result {
            try cli.run(["cosign", "--key", published.witnessKey, "--log-vkey", published.logVkey, "--state", state],
                        stdin: Data(body.utf8))
        }
        // A rewritten ledger of the same size: another root, signed by the same log key.
        let forged = try CLI()
        try forged.importText(Fixture.policy.replacingOccurrences(of: "\"value\":25", with: "\"value\":20"))
        #expect(try forged.run(["checkpoint", "--key", published.logKey]).code == 0)
        let sameSize = try forged.run(["prove", "--consistency", "7"])
        let rewritten = try cosign(sameSize.stdout)
        #expect(rewritten.code == 5)
        #expect(rewritten.stderr == "error: \(Self.origin): same size 7 but another root hash; not cosigning\n")
        // A larger forged tree whose first 7 events are not the ones cosigned.
        try forged.importText(Self.statusChanged, name: "more.ndjson")
        #expect(try forged.run(["checkpoint", "--key", published.logKey]).code == 0)
        let notPrefix = try cosign(try forged.run(["prove", "--consistency", "7"]).stdout)
        #expect(notPrefix.code == 5)
        #expect(notPrefix.stderr.contains("consistency proof does not lead to the old root hash; not cosigning"))
        // The honest log grows, but the request names an old size the witness did not cosign.
        try cli.importText(Self.statusChanged, name: "more.ndjson")
        #expect(try cli.run(["checkpoint", "--key", published.logKey]).code == 0)
        let stale = try cosign(try cli.run(["prove", "--consistency", "5"]).stdout)
        #expect(stale.code == 4)
        #expect(stale.stderr == "error: old size 5 is not 7, the size last cosigned for \(Self.origin)\n")
        #expect(try String(contentsOfFile: stateFile, encoding: .utf8) == seen)
        let fresh = try cosign(try cli.run(["prove", "--consistency", "7"]).stdout)
        #expect(fresh.code == 0, "\(fresh.stderr)")
        #expect(try String(contentsOfFile: stateFile, encoding: .utf8) != seen)
    }
}

/// A ledger written before SPEC §10 (no Merkle nodes, checkpoints or `sigs`)
/// stays valid: reads ask for one write, the first write upgrades it and fills
/// in the Merkle tree from the events, and nothing about its events changes.
@Suite struct LedgerUpgradeTests {
    @Test func aLedgerWrittenBeforeProofsIsUpgradedByItsFirstWrite() throws {
        let cli = try CLI()
        try cli.importText(Fixture.policy + "\n" + (0..<30).map { number in
            """
            {"stream":"ballerup/person-\(number)","type":"ActorRegistered","effective":"2020-01-01",\
            "actor":"ballerup/kb","id":"person-\(number)","data":{"name":"Person \(number)","kind":"person"}}
            """
        }.joined(separator: "\n"))
        let export = try cli.run(["export"]).stdout
        let head = try cli.run(["head"]).stdout
        // Back to the schema of the version before issue 11.
        let queue = try DatabaseQueue(path: cli.db)
        try queue.write { db in
            try db.execute(sql: "DROP TABLE merkle_nodes; DROP TABLE checkpoint_cosignatures; DROP TABLE checkpoints")
            try db.execute(sql: "ALTER TABLE events DROP COLUMN sigs")
            try db.execute(sql: """
                DELETE FROM grdb_migrations
                WHERE identifier IN ('v3: merkle nodes', 'v4: checkpoints', 'v5: signed events')
                """)
        }
        try queue.close()
        let read = try cli.run(["verify"])
        #expect(read.code == 1)
        #expect(read.stderr == """
            error: \(cli.db) was written by an earlier GoalLedger; run `goalledger replay` once to upgrade it

            """)
        #expect(try cli.run(["replay"]).code == 0)
        let verified = try cli.run(["verify"])
        #expect(verified.code == 0, "\(verified.stderr)")
        #expect(try cli.run(["export"]).stdout == export)
        #expect(try cli.run(["head"]).stdout == head)
        let upgraded = try DatabaseQueue(path: cli.db)
        // 37 events: complete subtrees of 16 leaves at level 4 (two) and of 32 at level 5 (one).
        let nodes = try upgraded.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM merkle_nodes") }
        try upgraded.close()
        #expect(nodes == 3)
        let key = cli.path("log.key")
        let vkey = try cli.run(["keygen", ProofsTests.origin, "--out", key]).stdout
            .trimmingCharacters(in: .newlines)
        #expect(try cli.run(["checkpoint", "--key", key]).code == 0)
        let proof = try cli.write("p.tlog-proof", try cli.run(["prove", "37"]).stdout)
        #expect(try cli.run(["verify-proof", proof, "--vkey", vkey]).code == 0)
    }
}
