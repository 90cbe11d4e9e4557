import Crypto
import Testing
@testable import GoalLedgerCore

/// Signed notes, keys, checkpoints and proofs against C2SP signed-note §Example
/// and golang.org/x/mod sumdb/note (../shared/vectors/README.md V3, V4).
@Suite struct SignedNoteTests {
    static let c2spKey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
    static let c2spNote = """
        This is an example message.

        — example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=

        """

    static let goSigner = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let goVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let goText = "If you think cryptography is the answer to your problem,\n"
        + "then you don't know what your problem is.\n"
    static let goSignature =
        "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="

    @Test func theC2SPExampleKeyIDRecomputesAndTheNoteVerifies() throws {
        let key = try NoteVerifier(Self.c2spKey)
        #expect(key.keyID == 0x530d903a)
        #expect(key.text == Self.c2spKey)
        let note = try SignedNote(parsing: Self.c2spNote)
        #expect(note.text == "This is an example message.\n")
        try note.verify(key)
    }

    @Test func theSumdbNoteVectorSignsByteForByte() throws {
        let signer = try NoteSigner(Self.goSigner)
        #expect(signer.verifier.text == Self.goVerifier)
        #expect(signer.privateText == Self.goSigner)
        #expect(signer.signatureLine(for: Self.goText) == Self.goSignature)
        let note = try SignedNote(parsing: Self.goText + "\n" + Self.goSignature + "\n")
        try note.verify(try NoteVerifier(Self.goVerifier))
    }

    /// secure-systems-lab/dsse `protocol.md` §Test Vectors (V6).
    @Test func thePreAuthenticationEncodingMatchesTheDSSEVector() {
        let encoded = EventSigning.preAuthenticationEncoding(payloadType: "http://example.com/HelloWorld",
                                                             body: Array("hello world".utf8))
        #expect(String(decoding: encoded, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
    }

    @Test func aSignedInputSignsTheEventAsExported() throws {
        let signer = try NoteSigner(Self.goSigner)
        var input = try EventInput.parse("""
            {"stream":"ballerup/kb","type":"ActorRevised","effective":"2021-06-22T12:00:00+02:00",\
            "actor":"ballerup/kb","reason":" Ny rolle ","data":{"role":"Byråd"}}
            """)
        input.sign(with: [signer], newID: { "fixed-id" })
        let event = input.event(position: 3, version: 2, id: input.id!, recorded: "2026-01-01T00:00:00.000000Z",
                                recordedBy: "PeterNeumann", prev: Event.genesis)
        let body = #"{"actor":"ballerup/kb","data":{"role":"Byråd"},"effective":"2021-06-22T10:00:00Z","#
            + #""id":"fixed-id","reason":"Ny rolle","recordedBy":"PeterNeumann","stream":"ballerup/kb","#
            + #""type":"ActorRevised"}"#
        let message = EventSigning.message(of: event)
        #expect(message == Array("DSSEv1 37 application/vnd.goalledger.event+json \(body.utf8.count) \(body)".utf8))
        let encoded = try #require(input.sigs?.first?.sig)
        let signature = try #require(Base64.decode(encoded))
        #expect(signer.verifier.publicKey.isValidSignature(signature, for: message))
        // Verified, but by a key no KeyRegistered has made active.
        #expect(throws: InputError.self) { try KeyRegistry().check(event) }
    }

    /// `verify` leaves some events' Ed25519 checks to its other core
    /// (`KeyRegistry.checkLeavingSignatures`): whatever the event, it must pass
    /// or fail exactly as `check` says, with the same message.
    @Test func checksLeftForLaterAgreeWithCheck() throws {
        let mayor = try NoteSigner.generate(name: "ballerup/borgmester", type: .ed25519)
        let stranger = try NoteSigner.generate(name: "ballerup/borgmester", type: .ed25519)
        var registry = KeyRegistry()
        var registration = try EventInput.parse("""
            {"stream":"ballerup/borgmester","type":"KeyRegistered","effective":"2026-01-05",\
            "actor":"ballerup/kb","data":{"key":"\(mayor.verifier.text)"}}
            """)
        registration.sign(with: [mayor], newID: { "key-1" })
        let registered = registration.event(position: 1, version: 2, id: "key-1", recorded: "2026-01-05T00:00:00Z",
                                            recordedBy: mayor.name, prev: Event.genesis)
        try registry.check(registered)
        registry.record(registered)

        func event(signedBy signers: [NoteSigner], forgingWith: Int? = nil) throws -> Event {
            var input = try EventInput.parse("""
                {"stream":"ballerup/erhverv-2017/mal-3","type":"StatusChanged","effective":"2026-02-01",\
                "actor":"ballerup/kb","data":{"status":"achieved"}}
                """)
            input.sign(with: signers, newID: { "e" })
            if let forged = forgingWith, var sigs = input.sigs {
                // A signature made for other content.
                var other = input
                other.data["status"] = .string("missed")
                other.sign(with: signers, newID: { "e" })
                sigs[forged] = other.sigs![forged]
                input.sigs = sigs
            }
            return input.event(position: 5, version: 3, id: "e", recorded: "2026-02-01T00:00:00Z",
                               recordedBy: signers[0].name, prev: Event.genesis)
        }
        let cases: [(String, Event)] = [
            ("valid", try event(signedBy: [mayor])),
            ("valid twice", try event(signedBy: [mayor, mayor])),
            ("forged", try event(signedBy: [mayor], forgingWith: 0)),
            ("second forged", try event(signedBy: [mayor, mayor], forgingWith: 1)),
            ("unregistered", try event(signedBy: [stranger])),
            ("unregistered forged", try event(signedBy: [stranger], forgingWith: 0)),
            ("registered, then unregistered forged", try event(signedBy: [mayor, stranger], forgingWith: 1)),
        ]
        for (name, event) in cases {
            var direct: String? = nil
            do { try registry.check(event) } catch { direct = error.message }
            var left: String? = nil
            do {
                let checks = try registry.checkLeavingSignatures(event)
                #expect(checks.count == event.sigs?.count, "\(name)")
                left = checks.first { !$0.verifies() }?.failure
            } catch {
                left = error.message
            }
            #expect(left == direct, "\(name)")
        }
        #expect(try registry.checkLeavingSignatures(cases[0].1).count == 1)
    }

    @Test func aFlippedCharacterAnywhereIsRefused() throws {
        let key = try NoteVerifier(Self.c2spKey)
        let note = Array(Self.c2spNote)
        for offset in note.indices where note[offset] != "\n" {
            var changed = note
            changed[offset] = note[offset] == "A" ? "B" : "A"
            let text = String(changed)
            #expect(throws: NoteError.self, "offset \(offset)") { try SignedNote(parsing: text).verify(key) }
        }
    }

    @Test func keysOfAnotherNameOrIDAreNotTheSigner() throws {
        let note = try SignedNote(parsing: Self.c2spNote)
        let other = try NoteVerifier(Self.goVerifier)
        #expect(throws: NoteError("no signature by PeterNeumann+c74f20a3")) { try note.verify(other) }
        let wrongID = Self.c2spKey.replacing("530d903a", with: "530d903b")
        #expect(throws: NoteError("verifier key example.com/foo: key id 530d903b does not match the key")) {
            try NoteVerifier(wrongID)
        }
    }

    @Test func notesWithExtraOrMissingBlankLinesOrTooManySignaturesAreRefused() throws {
        let signer = try NoteSigner(Self.goSigner)
        let checkpoint = "log.example\n1\n" + Merkle.emptyRoot.base64 + "\n"
        let line = signer.signatureLine(for: checkpoint)
        #expect(throws: NoteError.self) { try SignedCheckpoint(parsing: checkpoint + line + "\n") }
        #expect(throws: NoteError.self) { try SignedCheckpoint(parsing: checkpoint + "\n\n" + line + "\n") }
        #expect(throws: NoteError.self) { try SignedCheckpoint(parsing: checkpoint + "\n" + line) }
        let seventeen = String(repeating: line + "\n", count: 17)
        #expect(throws: NoteError("note has 17 signatures, more than 16")) {
            try SignedNote(parsing: checkpoint + "\n" + seventeen)
        }
        let sixteen = String(repeating: line + "\n", count: 16)
        #expect(try SignedNote(parsing: checkpoint + "\n" + sixteen).signatures.count == 16)
    }

    @Test func checkpointSizesWithLeadingZerosAndShortRootsAreRefused() {
        let root = Merkle.emptyRoot.base64
        #expect(throws: NoteError("checkpoint size \"01\" is not a decimal without leading zeroes")) {
            try Checkpoint(text: "log.example\n01\n\(root)\n")
        }
        #expect(throws: NoteError("checkpoint root hash is not base64 of 32 bytes")) {
            try Checkpoint(text: "log.example\n1\n\(Base64.encode([UInt8](repeating: 7, count: 31)))\n")
        }
        #expect(throws: Never.self) { try Checkpoint(text: "log.example\n0\n\(root)\n") }
    }

    @Test func cosignaturesVerifyWithTheWitnessKeyAndTimestamp() throws {
        let witness = try NoteSigner.generate(name: "arkiv.example/witness", type: .cosignature)
        let text = "log.example\n1\n" + Merkle.emptyRoot.base64 + "\n"
        let line = witness.cosignatureLine(for: text, time: 1_700_000_000)
        let note = try SignedNote(parsing: text + "\n" + line + "\n")
        #expect(try note.verifyCosignature(witness.verifier) == 1_700_000_000)
        let other = try NoteSigner.generate(name: "arkiv.example/witness", type: .cosignature)
        #expect(throws: NoteError("no cosignature by witness arkiv.example/witness")) {
            try note.verifyCosignature(other.verifier)
        }
        #expect(witness.verifier.text.hasPrefix("arkiv.example/witness+"))
        #expect(Base64.decode(witness.verifier.text.split(separator: "+", maxSplits: 2)[2])?.first == 0x04)
    }

    @Test func addCheckpointBodiesAndProofsRoundTrip() throws {
        let signer = try NoteSigner(Self.goSigner)
        let checkpoint = Checkpoint(origin: "PeterNeumann", size: 8, root: MerkleTests.roots[8])
        let note = try SignedNote(parsing: checkpoint.text + "\n" + signer.signatureLine(for: checkpoint.text) + "\n")
        let signed = try SignedCheckpoint(note)
        let proof = try Merkle.consistencyProof(old: 6, size: 8, MerkleTests.complete)
        let body = AddCheckpoint(oldSize: 6, proof: proof, checkpoint: signed)
        #expect(try AddCheckpoint(parsing: body.text) == body)
        let path = try Merkle.inclusionProof(index: 5, size: 8, MerkleTests.complete)
        let inclusion = TlogProof(extra: Array("x".utf8), index: 5, proof: path, checkpoint: signed)
        #expect(try TlogProof(parsing: inclusion.text) == inclusion)
        try inclusion.verify(leaf: MerkleTests.leaves[5], log: signer.verifier)
        #expect(throws: NoteError("inclusion: inclusion proof does not lead to the root hash")) {
            try inclusion.verify(leaf: MerkleTests.leaves[4], log: signer.verifier)
        }
    }

    @Test func aWitnessCosignsOnlyConsistentExtensions() throws {
        func request(old: Int64, size: Int, proofFrom: Int64? = nil) throws -> AddCheckpoint {
            let checkpoint = Checkpoint(origin: "PeterNeumann", size: Int64(size), root: MerkleTests.roots[size])
            let note = SignedNote(text: checkpoint.text, signatures: [])
            let proof = try Merkle.consistencyProof(old: proofFrom ?? old, size: Int64(size), MerkleTests.complete)
            return AddCheckpoint(oldSize: old, proof: proof, checkpoint: try SignedCheckpoint(note))
        }
        #expect(WitnessState.check(try request(old: 0, size: 5), previous: nil) == .cosign)
        let seen = WitnessState(size: 5, root: MerkleTests.roots[5])
        #expect(WitnessState.check(try request(old: 5, size: 8), previous: seen) == .cosign)
        #expect(WitnessState.check(try request(old: 3, size: 8), previous: seen) == .staleOld(5))
        let rewritten = WitnessState(size: 5, root: MerkleTests.roots[4])
        #expect(WitnessState.check(try request(old: 5, size: 8), previous: rewritten)
                == .inconsistent("consistency proof does not lead to the old root hash"))
        #expect(WitnessState.check(try request(old: 5, size: 5), previous: rewritten)
                == .inconsistent("same size 5 but another root hash"))
    }
}
