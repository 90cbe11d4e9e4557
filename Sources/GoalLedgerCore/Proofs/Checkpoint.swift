/// A decimal with no leading zeroes (unless it is `0`), as checkpoints, proofs and
/// add-checkpoint bodies write sizes and indices (C2SP tlog-checkpoint §Note text).
func parseSize(_ text: some StringProtocol, _ what: String) throws(NoteError) -> Int64 {
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
          text == "0" || !text.hasPrefix("0"), let value = Int64(text)
    else { throw NoteError("\(what) \"\(text)\" is not a decimal without leading zeroes") }
    return value
}

func parseHash(_ text: some StringProtocol, _ what: String) throws(NoteError) -> MerkleHash {
    guard let bytes = Base64.decode(text), let hash = MerkleHash(bytes: bytes) else {
        throw NoteError("\(what) is not base64 of 32 bytes")
    }
    return hash
}

/// The note text of a checkpoint (C2SP tlog-checkpoint §Note text): origin,
/// tree size, base64 root hash, and optional non-empty extension lines.
///
/// For example:
///
/// ```swift
/// let checkpoint = Checkpoint(origin: "goalledger.ballerup.dk/strategi", size: 41, root: root)
/// let note = SignedNote(text: checkpoint.text, signatures: [])
/// ```
public struct Checkpoint: Sendable, Equatable {
    public var origin: String
    public var size: Int64
    public var root: MerkleHash
    public var extensions: [String] = []

    public init(origin: String, size: Int64, root: MerkleHash) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    public var text: String {
        ([origin, String(size), root.base64] + extensions).map { $0 + "\n" }.joined()
    }

    public init(text: String) throws(NoteError) {
        guard text.hasSuffix("\n") else { throw NoteError("checkpoint text does not end with a newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3 else { throw NoteError("checkpoint has \(lines.count) lines, fewer than 3") }
        guard lines.allSatisfy({ !$0.isEmpty }) else { throw NoteError("checkpoint has an empty line in its text") }
        origin = String(lines[0])
        size = try parseSize(lines[1], "checkpoint size")
        root = try parseHash(lines[2], "checkpoint root hash")
        extensions = lines.dropFirst(3).map(String.init)
    }
}

/// A checkpoint with its signatures, as stored, published and carried in proofs.
public struct SignedCheckpoint: Sendable, Equatable {
    public var note: SignedNote
    public var checkpoint: Checkpoint

    public init(_ note: SignedNote) throws(NoteError) {
        self.note = note
        checkpoint = try Checkpoint(text: note.text)
    }

    public init(parsing text: String) throws(NoteError) {
        try self.init(SignedNote(parsing: text))
    }

    /// The log's signature verifies and its key name is the origin (tlog-checkpoint §Signatures).
    public func verify(log key: NoteVerifier) throws(NoteError) {
        guard key.name == checkpoint.origin else {
            throw NoteError("checkpoint origin \(checkpoint.origin) is not the log key's name \(key.name)")
        }
        try note.verify(key)
    }

    /// At least `quorum` of the witnesses cosigned it validly; a cosignature of a
    /// known witness that fails is an error.
    public func verify(witnesses: [NoteVerifier], quorum: Int) throws(NoteError) {
        var valid = 0
        for witness in witnesses {
            let key = witness.asType(.cosignature)
            guard note.signatures.contains(where: { $0.name == key.name && $0.keyID == key.keyID }) else { continue }
            try note.verifyCosignature(witness)
            valid += 1
        }
        guard valid >= quorum else {
            throw NoteError("checkpoint has \(valid) valid witness cosignatures, the quorum is \(quorum)")
        }
    }
}

/// A c2sp.org/tlog-proof@v1 proof (C2SP tlog-proof §Format): optional extra
/// data, the leaf index, its inclusion proof, and the checkpoint it proves against.
public struct TlogProof: Sendable, Equatable {
    public static let header = "c2sp.org/tlog-proof@v1"

    public var extra: [UInt8]?
    public var index: Int64
    public var proof: [MerkleHash]
    public var checkpoint: SignedCheckpoint

    public init(extra: [UInt8]?, index: Int64, proof: [MerkleHash], checkpoint: SignedCheckpoint) {
        self.extra = extra
        self.index = index
        self.proof = proof
        self.checkpoint = checkpoint
    }

    public var text: String {
        var lines = [Self.header]
        if let extra { lines.append("extra " + Base64.encode(extra)) }
        lines.append("index \(index)")
        lines += proof.map(\.base64)
        lines.append("")
        return lines.map { $0 + "\n" }.joined() + checkpoint.note.rendered
    }

    public init(parsing text: String) throws(NoteError) {
        var rest = text[...]
        func line() throws(NoteError) -> Substring {
            guard let end = rest.firstIndex(of: "\n") else { throw NoteError("proof ends without a newline") }
            defer { rest = rest[rest.index(after: end)...] }
            return rest[..<end]
        }
        guard try line() == Self.header else { throw NoteError("proof does not start with \(Self.header)") }
        var next = try line()
        if next.hasPrefix("extra ") {
            guard let bytes = Base64.decode(next.dropFirst(6)) else { throw NoteError("proof extra is not base64") }
            extra = bytes
            next = try line()
        }
        guard next.hasPrefix("index ") else { throw NoteError("proof has no index line") }
        index = try parseSize(next.dropFirst(6), "proof index")
        proof = []
        while true {
            let hashLine = try line()
            if hashLine.isEmpty { break }
            guard proof.count < 63 else { throw NoteError("inclusion proof has more than 63 hashes") }
            proof.append(try parseHash(hashLine, "inclusion proof hash \(proof.count + 1)"))
        }
        checkpoint = try SignedCheckpoint(parsing: String(rest))
    }

    /// Verifies the checkpoint signature, that `extra` is exactly an exported event
    /// line whose hash recomputes and whose position is `index` + 1, and its
    /// inclusion (SPEC §10, `verify-proof`). Returns the event.
    public func verifyEvent(log key: NoteVerifier) throws(NoteError) -> Event {
        try checkpoint.verify(log: key)
        guard let extra else { throw NoteError("proof has no extra line: the event's exported line is missing") }
        let line = String(decoding: extra, as: UTF8.self)
        let input: EventInput
        do { input = try EventInput.parse(line) } catch {
            throw NoteError("extra is not an exported event: \(error.message)")
        }
        guard let exported = input.exported, let id = input.id else {
            throw NoteError("extra is not an exported event line")
        }
        guard exported.position == index + 1 else {
            throw NoteError("extra is the event at position \(exported.position), but the proof is of index \(index)")
        }
        let event = input.event(position: exported.position, version: exported.version, id: id,
                                recorded: exported.recorded, recordedBy: exported.recordedBy, prev: exported.prev)
        guard event.hash == exported.hash else { throw NoteError("extra: the event's hash does not match its content") }
        guard event.exportLine() == line else {
            throw NoteError("extra is not the event's exported line byte for byte")
        }
        try verify(leaf: Merkle.leafHash(eventHash: MerkleHash(hex: Array(event.hash.utf8))!), log: key)
        return event
    }

    /// Verifies the checkpoint signature, then the inclusion of `leaf` at `index`.
    public func verify(leaf: MerkleHash, log key: NoteVerifier) throws(NoteError) {
        try checkpoint.verify(log: key)
        do {
            try Merkle.verifyInclusion(leaf: leaf, index: index, size: checkpoint.checkpoint.size, proof: proof,
                                       root: checkpoint.checkpoint.root)
        } catch {
            throw NoteError("inclusion: \(error.message)")
        }
    }
}

/// The body of a C2SP tlog-witness `add-checkpoint` request: `old SIZE`, the
/// consistency proof lines, a blank line, then the checkpoint.
public struct AddCheckpoint: Sendable, Equatable {
    public var oldSize: Int64
    public var proof: [MerkleHash]
    public var checkpoint: SignedCheckpoint

    public init(oldSize: Int64, proof: [MerkleHash], checkpoint: SignedCheckpoint) {
        self.oldSize = oldSize
        self.proof = proof
        self.checkpoint = checkpoint
    }

    public var text: String {
        (["old \(oldSize)"] + proof.map(\.base64) + [""]).map { $0 + "\n" }.joined() + checkpoint.note.rendered
    }

    public init(parsing text: String) throws(NoteError) {
        guard let blank = text.utf8.indices.dropLast().first(where: { index in
            text.utf8[index] == 0x0A && text.utf8[text.utf8.index(after: index)] == 0x0A
        }) else { throw NoteError("add-checkpoint body has no blank line before the checkpoint") }
        let head = text[...blank].dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = head.first, first.hasPrefix("old ") else {
            throw NoteError("add-checkpoint body has no old line")
        }
        oldSize = try parseSize(first.dropFirst(4), "old size")
        guard head.count - 1 <= 63 else { throw NoteError("consistency proof has more than 63 hashes") }
        var hashes: [MerkleHash] = []
        for (offset, line) in head.dropFirst().enumerated() {
            hashes.append(try parseHash(line, "consistency proof hash \(offset + 1)"))
        }
        proof = hashes
        checkpoint = try SignedCheckpoint(parsing: String(text[text.utf8.index(blank, offsetBy: 2)...]))
    }
}

/// What a witness remembers of one log: the checkpoint it last cosigned.
public struct WitnessState: Sendable, Equatable {
    public var size: Int64
    public var root: MerkleHash

    public init(size: Int64, root: MerkleHash) {
        self.size = size
        self.root = root
    }

    /// The outcome of checking an add-checkpoint request (tlog-witness §add-checkpoint).
    public enum Verdict: Equatable, Sendable {
        case cosign
        /// `old` is not the size last cosigned (HTTP 409): the size the witness has.
        case staleOld(Int64)
        /// Not consistent with what the witness saw (HTTP 409 same size, other root; 422 bad proof).
        case inconsistent(String)
    }

    /// Checks a request whose log signature has been verified. `previous` is nil when
    /// this witness never cosigned the origin (then `old` must be 0).
    public static func check(_ request: AddCheckpoint, previous: WitnessState?) -> Verdict {
        let last = previous?.size ?? 0
        guard request.oldSize <= request.checkpoint.checkpoint.size else {
            return .inconsistent("old size \(request.oldSize) is larger than the checkpoint size")
        }
        guard request.oldSize == last else { return .staleOld(last) }
        guard let previous else {
            return request.proof.isEmpty
                ? .cosign : .inconsistent("old size is 0 but the consistency proof is not empty")
        }
        do {
            try Merkle.verifyConsistency(oldSize: previous.size, size: request.checkpoint.checkpoint.size,
                                         oldRoot: previous.root, root: request.checkpoint.checkpoint.root,
                                         proof: request.proof)
        } catch {
            return .inconsistent(error.message)
        }
        return .cosign
    }
}
