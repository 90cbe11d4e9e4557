import Crypto

/// Why a key, note, checkpoint or proof was refused: one line naming what failed.
public struct NoteError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Signature types of C2SP signed-note §Signature types.
public enum NoteSignatureType: UInt8, Sendable {
    /// Ed25519 over the note text (signed-note §Ed25519 signatures).
    case ed25519 = 0x01
    /// Timestamped Ed25519 witness cosignatures (tlog-cosignature §Format).
    case cosignature = 0x04
}

/// A key name as C2SP signed-note §Format allows it: non-empty, no Unicode spaces, no `+`.
func checkKeyName(_ name: String) throws(NoteError) {
    let forbidden = { (scalar: Unicode.Scalar) in
        scalar == "+" || scalar.properties.isWhitespace || scalar.value < 0x20
    }
    guard !name.isEmpty, !name.unicodeScalars.contains(where: forbidden) else {
        throw NoteError("key name \"\(name)\" is empty or has a space or +")
    }
}

/// Key ID = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4] (signed-note §Signatures).
func noteKeyID(name: String, type: NoteSignatureType, publicKey: some Collection<UInt8>) -> UInt32 {
    var hasher = SHA256()
    hasher.update(data: Array(name.utf8) + [0x0A, type.rawValue] + Array(publicKey))
    return hasher.finalize().withUnsafeBytes { digest in
        digest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
}

func hex8(_ keyID: UInt32) -> String {
    let digits = String(keyID, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}

/// A public verifier key `NAME+KEYID+BASE64` (signed-note §Verifier keys), BASE64 = type ‖ key.
///
/// For example:
///
/// ```swift
/// let key = try NoteVerifier("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
/// print(String(key.keyID, radix: 16))  // 530d903a
/// ```
public struct NoteVerifier: Sendable, Equatable {
    public let name: String
    public let keyID: UInt32
    public let type: NoteSignatureType
    public let publicKeyBytes: [UInt8]
    /// Checked to be an Ed25519 key when the verifier was made.
    public var publicKey: Curve25519.Signing.PublicKey {
        try! Curve25519.Signing.PublicKey(rawRepresentation: publicKeyBytes)
    }

    public static func == (lhs: NoteVerifier, rhs: NoteVerifier) -> Bool {
        lhs.name == rhs.name && lhs.keyID == rhs.keyID && lhs.type == rhs.type
            && lhs.publicKeyBytes == rhs.publicKeyBytes
    }

    public init(_ text: String) throws(NoteError) {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw NoteError("verifier key is not NAME+KEYID+BASE64") }
        let name = String(parts[0])
        try checkKeyName(name)
        guard parts[1].utf8.count == 8, let keyID = UInt32(parts[1], radix: 16), hex8(keyID) == parts[1] else {
            throw NoteError("verifier key \(name): key id \(parts[1]) is not 8 lowercase hex digits")
        }
        guard let material = Base64.decode(parts[2]), material.count == 33,
              let type = NoteSignatureType(rawValue: material[0])
        else { throw NoteError("verifier key \(name): key is not base64 of an Ed25519 type byte and 32 bytes") }
        let publicBytes = Array(material.dropFirst())
        guard noteKeyID(name: name, type: type, publicKey: publicBytes) == keyID else {
            throw NoteError("verifier key \(name): key id \(parts[1]) does not match the key")
        }
        guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: publicBytes) else {
            throw NoteError("verifier key \(name): not an Ed25519 public key")
        }
        self.init(name: name, type: type, publicKey: publicKey)
    }

    public init(name: String, type: NoteSignatureType, publicKey: Curve25519.Signing.PublicKey) {
        self.name = name
        self.type = type
        publicKeyBytes = Array(publicKey.rawRepresentation)
        keyID = noteKeyID(name: name, type: type, publicKey: publicKeyBytes)
    }

    /// `NAME+KEYID+BASE64`.
    public var text: String { "\(name)+\(hex8(keyID))+\(Base64.encode([type.rawValue] + publicKeyBytes))" }

    /// The same Ed25519 key as the other signature type (a witness key used for cosignatures).
    public func asType(_ other: NoteSignatureType) -> NoteVerifier {
        NoteVerifier(name: name, type: other, publicKey: publicKey)
    }
}

/// A private signer key `PRIVATE+KEY+NAME+KEYID+BASE64`, BASE64 = type ‖ 32-byte Ed25519 seed
/// (the format of golang.org/x/mod/sumdb/note).
public struct NoteSigner: Sendable {
    public let verifier: NoteVerifier
    /// The 32-byte Ed25519 seed (swift-crypto's key type is not Sendable).
    private let seed: [UInt8]
    /// The key itself, for a signer of many messages (`EventSigners`).
    public var privateKeyForSigning: Curve25519.Signing.PrivateKey { privateKey }

    private var privateKey: Curve25519.Signing.PrivateKey {
        try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    public var name: String { verifier.name }

    public init(_ text: String) throws(NoteError) {
        let trimmed = text.hasSuffix("\n") ? String(text.dropLast()) : text
        let parts = trimmed.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
            throw NoteError("private key is not PRIVATE+KEY+NAME+KEYID+BASE64")
        }
        let name = String(parts[2])
        try checkKeyName(name)
        guard let material = Base64.decode(parts[4]), material.count == 33,
              let type = NoteSignatureType(rawValue: material[0]),
              let privateKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: material.dropFirst())
        else { throw NoteError("private key \(name): key is not base64 of an Ed25519 type byte and a 32-byte seed") }
        self.init(name: name, type: type, privateKey: privateKey)
        guard hex8(verifier.keyID) == parts[3] else {
            throw NoteError("private key \(name): key id \(parts[3]) does not match the key")
        }
    }

    public init(name: String, type: NoteSignatureType, privateKey: Curve25519.Signing.PrivateKey) {
        seed = Array(privateKey.rawRepresentation)
        verifier = NoteVerifier(name: name, type: type, publicKey: privateKey.publicKey)
    }

    /// A new random key.
    public static func generate(name: String, type: NoteSignatureType) throws(NoteError) -> NoteSigner {
        try checkKeyName(name)
        return NoteSigner(name: name, type: type, privateKey: Curve25519.Signing.PrivateKey())
    }

    /// `PRIVATE+KEY+NAME+KEYID+BASE64`: secret, for a 0600 file only.
    public var privateText: String {
        "PRIVATE+KEY+\(name)+\(hex8(verifier.keyID))+\(Base64.encode([verifier.type.rawValue] + seed))"
    }

    /// Ed25519 signature of the bytes (64 bytes).
    public func signature(of message: [UInt8]) -> [UInt8] {
        // Ed25519 cannot fail on a valid key; swift-crypto's signature is throwing by protocol only.
        Array(try! privateKey.signature(for: message))
    }

    /// The signature line of a note text (signed-note §Format): `— NAME base64(keyID ‖ signature)`.
    public func signatureLine(for text: String) -> String {
        NoteSignature(name: name, keyID: verifier.keyID, bytes: signature(of: Array(text.utf8))).line
    }

    /// A timestamped cosignature line of a checkpoint's note text (tlog-cosignature §Format):
    /// base64(keyID(type 0x04) ‖ timestamp u64 big-endian ‖ Ed25519 signature of the v1 message).
    public func cosignatureLine(for text: String, time: UInt64) -> String {
        let witness = verifier.asType(.cosignature)
        let message = Cosignature.message(text: text, time: time)
        var bytes = withUnsafeBytes(of: time.bigEndian) { Array($0) }
        bytes += signature(of: message)
        return NoteSignature(name: name, keyID: witness.keyID, bytes: bytes).line
    }
}

/// Messages of tlog-cosignature §Ed25519 signed message.
public enum Cosignature {
    /// `cosignature/v1\ntime T\n` then the whole note text.
    public static func message(text: String, time: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(time)\n".utf8) + Array(text.utf8)
    }
}

/// One signature line of a note.
public struct NoteSignature: Sendable, Equatable {
    public var name: String
    public var keyID: UInt32
    /// After the 4 key-id bytes.
    public var bytes: [UInt8]

    public var line: String {
        let id = withUnsafeBytes(of: keyID.bigEndian) { Array($0) }
        return "— \(name) \(Base64.encode(id + bytes))"
    }

    init(name: String, keyID: UInt32, bytes: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.bytes = bytes
    }

    /// Parses `— NAME BASE64` (without its newline).
    public init(line: Substring) throws(NoteError) {
        guard line.hasPrefix("— ") else { throw NoteError("signature line does not start with \"— \"") }
        let rest = line.dropFirst(2)
        let parts = rest.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw NoteError("signature line is not \"— NAME BASE64\"") }
        try checkKeyName(String(parts[0]))
        guard let decoded = Base64.decode(parts[1]), decoded.count > 4 else {
            throw NoteError("signature of \(parts[0]) is not base64 of a key id and a signature")
        }
        self.init(name: String(parts[0]), keyID: decoded.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) },
                  bytes: Array(decoded.dropFirst(4)))
    }
}

/// A signed note (C2SP signed-note §Format): a text ending in a newline, a
/// blank line, and one or more signature lines.
public struct SignedNote: Sendable, Equatable {
    /// Verifiers MUST accept at least 16 signatures (signed-note §Format); this one accepts no more.
    public static let maxSignatures = 16

    /// The note text, including its final newline.
    public var text: String
    public var signatures: [NoteSignature]

    public init(text: String, signatures: [NoteSignature]) {
        self.text = text
        self.signatures = signatures
    }

    public init(parsing note: String) throws(NoteError) {
        if note.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) {
            throw NoteError("note has a control character")
        }
        let bytes = Array(note.utf8)
        // The text ends at the last blank line (signed-note §Format).
        guard let split = bytes.indices.dropLast().last(where: { bytes[$0] == 0x0A && bytes[$0 + 1] == 0x0A }) else {
            throw NoteError("note has no blank line between text and signatures")
        }
        text = String(decoding: bytes[...split], as: UTF8.self)
        let block = String(decoding: bytes[(split + 2)...], as: UTF8.self)
        guard block.hasSuffix("\n") else { throw NoteError("note does not end with a newline") }
        let lines = block.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count <= Self.maxSignatures else {
            throw NoteError("note has \(lines.count) signatures, more than \(Self.maxSignatures)")
        }
        var parsed: [NoteSignature] = []
        for line in lines { parsed.append(try NoteSignature(line: line)) }
        signatures = parsed
    }

    /// The note as text: text, blank line, signature lines.
    public var rendered: String { text + "\n" + signatures.map { $0.line + "\n" }.joined() }

    /// Whether a valid signature of this verifier (0x01 Ed25519) is on the note; a
    /// signature with its name and key id that fails is an error (signed-note §Signatures).
    public func verify(_ key: NoteVerifier) throws(NoteError) {
        let matching = signatures.filter { $0.name == key.name && $0.keyID == key.keyID }
        guard !matching.isEmpty else { throw NoteError("no signature by \(key.name)+\(hex8(key.keyID))") }
        let message = Array(text.utf8)
        for signature in matching where !key.publicKey.isValidSignature(signature.bytes, for: message) {
            throw NoteError("signature by \(key.name) does not verify")
        }
    }

    /// The timestamp of a valid cosignature by this witness key, else an error (tlog-cosignature §Format).
    @discardableResult
    public func verifyCosignature(_ witness: NoteVerifier) throws(NoteError) -> UInt64 {
        let key = witness.asType(.cosignature)
        guard let signature = signatures.first(where: { $0.name == key.name && $0.keyID == key.keyID }) else {
            throw NoteError("no cosignature by witness \(key.name)")
        }
        guard signature.bytes.count == 8 + 64 else { throw NoteError("cosignature by \(key.name) is not 72 bytes") }
        let time = signature.bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard time <= UInt64(Int64.max) else { throw NoteError("cosignature by \(key.name) has a time above 2^63-1") }
        let message = Cosignature.message(text: text, time: time)
        guard key.publicKey.isValidSignature(Array(signature.bytes.dropFirst(8)), for: message) else {
            throw NoteError("cosignature by witness \(key.name) does not verify")
        }
        return time
    }
}
