import ArgumentParser
import GoalLedgerCore
import GoalLedgerStore

#if canImport(Glibc)
import Glibc
#endif

/// Reading keys, notes and proofs from files (SPEC §10).
enum KeyFiles {
    /// A private key file: refused when group or others may read it.
    static func signer(_ path: String) throws -> NoteSigner {
        var info = stat()
        guard stat(path, &info) == 0 else { throw LedgerError.notFound("no key file at \(path)") }
        guard info.st_mode & 0o077 == 0 else {
            throw LedgerError.rejected(
                "key file \(path) may be read by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        do { return try NoteSigner(try readText(path)) } catch let error as NoteError {
            throw LedgerError.rejected("\(path): \(error.message)")
        }
    }

    /// A verifier key `NAME+KEYID+BASE64` given on the command line.
    static func verifier(_ text: String, _ option: String) throws -> NoteVerifier {
        do { return try NoteVerifier(text) } catch { throw LedgerError(.usage, "\(option): \(error.message)") }
    }

    static func readText(_ path: String) throws -> String {
        if path == "-" { return readStandardInput() }
        guard let file = fopen(path, "rb") else { throw LedgerError.notFound("cannot read \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func readStandardInput() -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(0, &chunk, chunk.count)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A checkpoint file, refused (integrity) when malformed.
    static func checkpoint(_ path: String) throws -> SignedCheckpoint {
        do { return try SignedCheckpoint(parsing: try readText(path)) } catch let error as NoteError {
            throw LedgerError.integrity("\(path): \(error.message)")
        }
    }

    /// Writes a new file with mode 0600; an existing file is not overwritten.
    static func writePrivate(_ path: String, _ text: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw errno == EEXIST ? LedgerError.conflict("\(path) exists; not overwriting a key")
                                  : LedgerError.failure("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes = Array(text.utf8)
        guard write(descriptor, &bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw LedgerError.failure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

extension GoalLedgerCommand {
    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make an Ed25519 key pair in the C2SP signed-note format.",
            discussion: """
                Writes the private key (mode 0600, never printed) and prints the
                verifier key to publish:
                  goalledger keygen goalledger.ballerup.dk/strategi --out log.key
                  goalledger keygen arkiv.example/witness --out w.key --witness
                A log key's NAME is the ledger's origin; a person's is their actor id.
                """)

        @Argument(help: ArgumentHelp("Key name: an origin or an actor id.", valueName: "name")) var name: String
        @Option(help: ArgumentHelp("New file for the private key.", valueName: "file")) var out: String
        @Flag(help: "A witness key: its verifier key has the cosignature type (0x04).") var witness = false

        func run() throws {
            try runCommand {
                let signer: NoteSigner
                let type: NoteSignatureType = witness ? .cosignature : .ed25519
                do { signer = try NoteSigner.generate(name: name, type: type) } catch let error as NoteError {
                    throw LedgerError(.usage, error.message)
                }
                try KeyFiles.writePrivate(out, signer.privateText + "\n")
                Out.print(signer.verifier.text)
            }
        }
    }

    struct CheckpointCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint",
            abstract: "Sign the ledger's Merkle tree as a checkpoint, store it and print it.",
            discussion: """
                  goalledger checkpoint --key log.key > checkpoint.txt
                  goalledger checkpoint --add-cosignatures cosig.txt \\
                    --witness arkiv.example/witness+1a2b3c4d+BA…
                Refuses (exit 5) a tree that does not extend the last checkpoint
                stored for the key's origin.
                """)

        @OptionGroup var ledger: LedgerOptions
        @Option(help: ArgumentHelp("The log's private key file.", valueName: "file")) var key: String?
        @Option(name: .customLong("add-cosignatures"), help: ArgumentHelp(
            "Add witness cosignature lines (from `cosign`) to the latest checkpoint.", valueName: "file"))
        var addCosignatures: String?
        @Option(help: ArgumentHelp("Witness verifier key for --add-cosignatures (repeatable).", valueName: "vkey"))
        var witness: [String] = []

        func validate() throws {
            guard (key == nil) != (addCosignatures == nil) else {
                throw ValidationError("give either --key FILE or --add-cosignatures FILE")
            }
            if addCosignatures != nil && witness.isEmpty {
                throw ValidationError("--add-cosignatures needs the --witness key of every line")
            }
        }

        func run() throws {
            try runCommand {
                if let key {
                    let signer = try KeyFiles.signer(key)
                    Out.write(Array(try ledger.open(.write).checkpoint(signer: signer).note.rendered.utf8))
                    return
                }
                let witnesses = try witness.map { try KeyFiles.verifier($0, "--witness") }
                let lines = try KeyFiles.readText(addCosignatures!).split(separator: "\n").map(String.init)
                let signed = try ledger.open(.write).addCosignatures(lines, witnesses: witnesses)
                Out.write(Array(signed.note.rendered.utf8))
            }
        }
    }

    struct Prove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a proof that an event is in a checkpoint, or that one tree extends another.",
            discussion: """
                  goalledger prove 41 > event-41.tlog-proof
                  goalledger prove 41 --checkpoint checkpoint.txt
                  goalledger prove --consistency 30   # a witness's add-checkpoint body
                The proof is c2sp.org/tlog-proof@v1 with the event's exported line as
                extra; anyone checks it with `goalledger verify-proof`, no ledger needed.
                """)

        @OptionGroup var ledger: LedgerOptions
        @Argument(help: ArgumentHelp("Position of the event.", valueName: "position")) var position: Int64?
        @Option(help: ArgumentHelp("Prove consistency from this older tree size instead.", valueName: "size"))
        var consistency: Int64?
        @Option(help: ArgumentHelp("Checkpoint file to prove against (default: the latest stored).", valueName: "file"))
        var checkpoint: String?

        func validate() throws {
            guard (position == nil) != (consistency == nil) else {
                throw ValidationError("give either a POSITION or --consistency SIZE")
            }
        }

        func run() throws {
            try runCommand {
                let given = try checkpoint.map(KeyFiles.checkpoint)
                let ledger = try ledger.open(.read)
                if let position {
                    Out.write(Array(try ledger.prove(position: position, checkpoint: given).text.utf8))
                } else {
                    Out.write(Array(try ledger.consistency(from: consistency!, checkpoint: given).text.utf8))
                }
            }
        }
    }

    struct VerifyProof: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-proof",
            abstract: "Check a proof file offline: signatures, the event's hash, its inclusion.",
            discussion: """
                  goalledger verify-proof event-41.tlog-proof \\
                    --vkey goalledger.ballerup.dk/strategi+6a1f…+AQ…
                  goalledger verify-proof event-41.tlog-proof --vkey … \\
                    --witness arkiv.example/witness+…+BA… --quorum 1
                No ledger is read. Exit 5 with one line naming what failed.
                """)

        @Argument(help: ArgumentHelp("The proof (c2sp.org/tlog-proof@v1); - for stdin.", valueName: "file"))
        var file: String
        @Option(help: ArgumentHelp("The log's verifier key.", valueName: "vkey")) var vkey: String
        @Option(help: ArgumentHelp("A trusted witness's verifier key (repeatable).", valueName: "vkey"))
        var witness: [String] = []
        @Option(help: ArgumentHelp("Valid witness cosignatures needed (default: 0).", valueName: "k"))
        var quorum: Int = 0

        func validate() throws {
            if quorum < 0 || quorum > witness.count {
                throw ValidationError("--quorum must be between 0 and the number of --witness keys")
            }
        }

        func run() throws {
            try runCommand {
                let log = try KeyFiles.verifier(vkey, "--vkey")
                let witnesses = try witness.map { try KeyFiles.verifier($0, "--witness") }
                let text = try KeyFiles.readText(file)
                let event: Event
                do {
                    let proof = try TlogProof(parsing: text)
                    event = try proof.verifyEvent(log: log)
                    try proof.checkpoint.verify(witnesses: witnesses, quorum: quorum)
                } catch let error as NoteError {
                    throw LedgerError.integrity(error.message)
                }
                Out.print(TextRender.proofVerified(event, quorum: quorum))
            }
        }
    }

    struct Cosign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Act as a witness: cosign a checkpoint that extends the last one seen.",
            discussion: """
                Reads a tlog-witness add-checkpoint body on stdin (from
                `prove --consistency`) and prints the cosignature line:
                  goalledger prove --consistency 30 | goalledger cosign \\
                    --key w.key --log-vkey goalledger.ballerup.dk/strategi+… \\
                    --state witness-state/
                Exit 4 when `old` is not the size last cosigned (the size is named);
                exit 5 when the log's signature or the consistency proof fails.
                Nothing is stored unless the checkpoint is cosigned.
                """)

        @Option(help: ArgumentHelp("The witness's private key file.", valueName: "file")) var key: String
        @Option(name: .customLong("log-vkey"), help: ArgumentHelp("The log's verifier key.", valueName: "vkey"))
        var logVkey: String
        @Option(help: ArgumentHelp("Directory of the witness's state, one file per origin.", valueName: "dir"))
        var state: String

        func run() throws {
            try runCommand {
                let witness = try KeyFiles.signer(key)
                let log = try KeyFiles.verifier(logVkey, "--log-vkey")
                let request: AddCheckpoint
                do {
                    request = try AddCheckpoint(parsing: KeyFiles.readStandardInput())
                    try request.checkpoint.verify(log: log)
                } catch let error as NoteError {
                    throw LedgerError.integrity(error.message)
                }
                let line = try WitnessStore(directory: state).cosign(request, witness: witness)
                Out.print(line)
            }
        }
    }
}

/// A witness's memory: for each origin, the checkpoint it last cosigned, in
/// `DIR/ORIGIN` (the origin with `/` as `%2F`). Checking and storing happen under
/// an exclusive lock, so two requests never roll the state back (tlog-witness §add-checkpoint).
struct WitnessStore {
    let directory: String

    func cosign(_ request: AddCheckpoint, witness: NoteSigner) throws -> String {
        mkdir(directory, 0o700)
        let origin = request.checkpoint.checkpoint.origin
        let path = directory + "/" + origin.utf8.map { byte in
            let safe = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2E || byte == 0x2D
                || byte == 0x5F
            return safe ? String(UnicodeScalar(byte)) : "%" + String(byte, radix: 16, uppercase: true)
        }.joined()
        let lock = open(directory + "/.lock", O_RDWR | O_CREAT, 0o600)
        guard lock >= 0, flock(lock, LOCK_EX) == 0 else { throw LedgerError.failure("cannot lock \(directory)") }
        defer { close(lock) }
        var previous: WitnessState? = nil
        if access(path, F_OK) == 0 {
            do {
                let stored = try Checkpoint(text: try KeyFiles.readText(path))
                previous = WitnessState(size: stored.size, root: stored.root)
            } catch let error as NoteError {
                throw LedgerError.integrity("\(path): \(error.message)")
            }
        }
        switch WitnessState.check(request, previous: previous) {
        case .staleOld(let size):
            throw LedgerError.conflict(
                "old size \(request.oldSize) is not \(size), the size last cosigned for \(origin)")
        case .inconsistent(let reason):
            throw LedgerError.integrity("\(origin): \(reason); not cosigning")
        case .cosign:
            break
        }
        let temporary = path + ".new"
        unlink(temporary)
        try KeyFiles.writePrivate(temporary, request.checkpoint.checkpoint.text)
        guard rename(temporary, path) == 0 else { throw LedgerError.failure("cannot write \(path)") }
        let now = UInt64(max(0, Recorded.now().micros / 1_000_000))
        return witness.cosignatureLine(for: request.checkpoint.note.text, time: now)
    }
}
