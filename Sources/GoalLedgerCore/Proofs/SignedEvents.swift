import Crypto

/// One signature of an event (SPEC §10): `{"key":"NAME+KEYID+BASE64","sig":BASE64}`.
public struct EventSignature: Sendable, Equatable {
    /// The signer's verifier key; its NAME is the signing person's actor id.
    public var key: String
    /// Base64 of the 64-byte Ed25519 signature of `EventSigning.message`.
    public var sig: String

    public init(key: String, sig: String) {
        self.key = key
        self.sig = sig
    }

    /// The signer's name (the NAME of `key`).
    public var name: String { String(key.prefix { $0 != "+" }) }

    /// At most this many signatures per event (as for a signed note, C2SP signed-note §Format).
    public static let maxCount = 16

    /// Writes the array in RFC 8785 form (members `key`, `sig` are already in order).
    public static func write(_ signatures: [EventSignature], into writer: inout JSONWriter) {
        writer.append("[")
        for (offset, signature) in signatures.enumerated() {
            writer.append(offset == 0 ? "{\"key\":" : ",{\"key\":")
            writer.writeString(signature.key)
            writer.append(",\"sig\":")
            writer.writeString(signature.sig)
            writer.append("}")
        }
        writer.append("]")
    }

    /// The stored form: RFC 8785 JSON.
    public static func canonical(_ signatures: [EventSignature]) -> String {
        var writer = JSONWriter(capacity: 160 * signatures.count)
        write(signatures, into: &writer)
        return writer.string
    }

    /// Parses and checks the shape of a `sigs` member: 1 to 16 objects of exactly
    /// `key` (a verifier key) and `sig` (base64 of 64 bytes).
    public static func parse(_ value: JSON) throws(InputError) -> [EventSignature] {
        guard case .array(let items) = value, !items.isEmpty, items.count <= maxCount else {
            throw InputError("\"sigs\" must be an array of 1 to \(maxCount) signatures")
        }
        var signatures: [EventSignature] = []
        for (offset, item) in items.enumerated() {
            guard case .object(let object) = item, object.count == 2,
                  case .string(let key)? = object["key"], case .string(let sig)? = object["sig"]
            else { throw InputError("sigs[\(offset)] must be {\"key\": verifier key, \"sig\": base64}") }
            let verifier: NoteVerifier
            do { verifier = try NoteVerifier(key) } catch { throw InputError("sigs[\(offset)].key: \(error.message)") }
            guard verifier.type == .ed25519 else {
                throw InputError("sigs[\(offset)].key is not an Ed25519 signing key")
            }
            guard Base64.decode(sig)?.count == 64 else {
                throw InputError("sigs[\(offset)].sig is not base64 of a 64-byte Ed25519 signature")
            }
            signatures.append(EventSignature(key: key, sig: sig))
        }
        return signatures
    }
}

/// What a signature of an event signs (SPEC §10): the DSSE v1 pre-authentication
/// encoding of the RFC 8785 form of the event's `id`, `stream`, `type`,
/// `effective`, `actor`, `reason`, `decision`, `data` and `recordedBy`, as
/// stored and exported, so anyone can re-check it from an exported line.
public enum EventSigning {
    public static let payloadType = "application/vnd.goalledger.event+json"

    /// `"DSSEv1" SP len(T) SP T SP len(B) SP B` (DSSE protocol, PAE).
    public static func preAuthenticationEncoding(payloadType: String, body: [UInt8]) -> [UInt8] {
        Array("DSSEv1 \(payloadType.utf8.count) \(payloadType) \(body.count) ".utf8) + body
    }

    /// The signed body: members in RFC 8785 order, `data` as stored (canonical).
    public static func body(id: String, stream: String, type: EventType, effective: Effective, actor: String,
                            reason: String?, decision: String?, dataJSON: String, recordedBy: String) -> [UInt8]
    {
        var writer = JSONWriter(capacity: dataJSON.utf8.count + 300)
        CanonicalEvent(actor: actor, data: dataJSON, decision: decision, effective: effective.text, id: id,
                       reason: reason, recordedBy: recordedBy, stream: stream, type: type.rawValue)
            .write(into: &writer)
        return writer.bytes
    }

    /// The message an event's signatures sign.
    public static func message(of event: Event) -> [UInt8] {
        preAuthenticationEncoding(payloadType: payloadType, body: body(
            id: event.id, stream: event.stream, type: event.type, effective: event.effective, actor: event.actor,
            reason: event.reason, decision: event.decision, dataJSON: event.dataJSON, recordedBy: event.recordedBy))
    }
}

/// The keys of `append --sign` and `import --sign`, ready to sign many inputs:
/// each private key is made once from its seed, not once per event.
public final class EventSigners: @unchecked Sendable {
    // @unchecked: the keys are immutable after init, and an Ed25519 signature reads them only.
    private let keys: [(name: String, verifier: String, key: Curve25519.Signing.PrivateKey)]

    public init(_ signers: [NoteSigner]) {
        keys = signers.map { ($0.name, $0.verifier.text, $0.privateKeyForSigning) }
    }

    public var isEmpty: Bool { keys.isEmpty }

    /// Signs the input with every key: it gets an id when it has none, and its
    /// `recordedBy` will be the first key's name.
    public func sign(_ input: inout EventInput, newID: () -> String) {
        guard let first = keys.first else { return }
        let id = input.id ?? newID()
        input.id = id
        let body = EventSigning.body(
            id: id, stream: input.stream, type: input.type, effective: input.effective, actor: input.actor,
            reason: input.reason, decision: input.decision,
            dataJSON: input.canonicalData ?? JSONWriter.canonical(.object(input.data)), recordedBy: first.name)
        let message = EventSigning.preAuthenticationEncoding(payloadType: EventSigning.payloadType, body: body)
        input.sigs = keys.map { signer in
            // Ed25519 cannot fail on a valid key; the API throws by protocol only.
            EventSignature(key: signer.verifier, sig: Base64.encode(Array(try! signer.key.signature(for: message))))
        }
        input.locallySignedDigest = Array(SHA256.hash(data: message))
    }
}

extension EventInput {
    /// Signs the input with every key (see `EventSigners.sign`).
    public mutating func sign(with signers: [NoteSigner], newID: () -> String) {
        EventSigners(signers).sign(&self, newID: newID)
    }

    /// The `recordedBy` a signed input gets: the name of its first signing key (SPEC §10).
    public var signerName: String? { sigs?.first?.name }
}

/// The keys registered and revoked so far, by position (SPEC §10), and the
/// rules every signed event and every key event must meet. `append` checks
/// each input against the ledger's registry; `verify` rebuilds the registry
/// along the events and checks each again.
public struct KeyRegistry: Sendable {
    private struct Entry: Sendable {
        var registered: Int64
        var revoked: Int64?
        /// The key, parsed once: parsing it again for every signature took 8.6 % of
        /// a `verify` of 40,000 signed events (its core's sixth).
        var verifier: NoteVerifier
    }

    /// Verifier key text → where it was registered (and revoked).
    private var keys: [String: Entry] = [:]

    public init() {}

    /// True when no key was ever registered: the first `KeyRegistered` needs no voucher.
    public var isEmpty: Bool { keys.isEmpty }

    /// Follows a `KeyRegistered` or `KeyRevoked` that has passed `check`.
    public mutating func record(_ event: Event) {
        guard let key = event.data["key"]?.stringValue else { return }
        switch event.type {
        case .keyRegistered:
            guard let verifier = try? NoteVerifier(key) else { return }  // `check` has refused it
            keys[key] = Entry(registered: event.position, verifier: verifier)
        case .keyRevoked: keys[key]?.revoked = event.position
        default: break
        }
    }

    /// A key that may sign at `position`: registered at an earlier position and
    /// not revoked before this one (a revocation takes effect from the next position).
    private func activeEntry(_ key: String, at position: Int64) -> Bool {
        guard let entry = keys[key], entry.registered < position else { return false }
        return entry.revoked.map { position <= $0 } ?? true
    }

    /// Checks one event at its position: for a key event, the key it names; for a
    /// signed event, every signature, its key, and `recordedBy`. The message names
    /// the first failure. `locallySignedDigest`: the SHA-256 of a message this process
    /// has just signed with the keys themselves (`--sign`); when it is this event's
    /// message, its signatures verify by construction and only the keys are checked.
    /// `verify` checks every signature again.
    public func check(_ event: Event, locallySignedDigest: [UInt8]? = nil) throws(InputError) {
        var verifiedHere: [SignatureCheck]? = nil
        try check(event, locallySignedDigest: locallySignedDigest, leaving: &verifiedHere)
    }

    /// One Ed25519 check of an event's signature, to run later or on another core.
    public struct SignatureCheck: Sendable {
        let verifier: NoteVerifier
        let signature: [UInt8]
        let message: [UInt8]

        public func verifies() -> Bool { verifier.publicKey.isValidSignature(signature, for: message) }
        /// What `check` says when this signature is the first of its event not to verify.
        public var failure: String { "signature by \(verifier.name) does not verify" }
    }

    /// `check`, but the Ed25519 checks themselves are returned, in signature
    /// order, instead of made: the event passes `check` exactly when every one
    /// of them verifies, and otherwise `check` fails with the `failure` of the
    /// first that does not. Any other failure is thrown as `check` throws it
    /// (the event is checked again with its signatures, so the message is the
    /// one `check` would give). `verify` shares these checks between its cores.
    public func checkLeavingSignatures(_ event: Event) throws(InputError) -> [SignatureCheck] {
        var left: [SignatureCheck]? = []
        do {
            try check(event, locallySignedDigest: nil, leaving: &left)
        } catch {
            // The same rules fail again, unless a signature before them fails first, as in `check`.
            try check(event)
            throw error
        }
        return left ?? []
    }

    /// `check`; with `left` not nil, the Ed25519 checks are appended to it instead of made.
    private func check(_ event: Event, locallySignedDigest: [UInt8]?,
                       leaving left: inout [SignatureCheck]?) throws(InputError) {
        var dataKey: String? = nil
        if event.type == .keyRegistered || event.type == .keyRevoked {
            let key = event.data["key"]?.stringValue ?? ""
            let verifier: NoteVerifier
            do { verifier = try NoteVerifier(key) } catch { throw InputError("data.key: \(error.message)") }
            guard verifier.type == .ed25519, verifier.name == event.stream else {
                throw InputError("data.key must be an Ed25519 key named \(event.stream), not \(verifier.name)")
            }
            if event.type == .keyRegistered, let entry = keys[key] {
                throw InputError("data.key is already registered (position \(entry.registered))")
            }
            if event.type == .keyRevoked {
                guard let entry = keys[key] else { throw InputError("data.key is not registered on \(event.stream)") }
                if let revoked = entry.revoked {
                    throw InputError("data.key was already revoked at position \(revoked)")
                }
            }
            dataKey = key
        }
        guard let sigs = event.sigs else {
            if event.type == .keyRegistered {
                throw InputError("a KeyRegistered must be signed by the key it registers")
            }
            return
        }
        guard event.recordedBy == sigs[0].name else {
            throw InputError("recordedBy \(event.recordedBy) is not \(sigs[0].name), the name of the first signing key")
        }
        let message = EventSigning.message(of: event)
        let madeHere = locallySignedDigest.map { $0 == Array(SHA256.hash(data: message)) } ?? false
        for signature in sigs {
            let verifier: NoteVerifier
            if let known = keys[signature.key]?.verifier {
                verifier = known
            } else {
                do { verifier = try NoteVerifier(signature.key) } catch { throw InputError("sigs: \(error.message)") }
            }
            if !madeHere {
                guard let bytes = Base64.decode(signature.sig) else {
                    throw InputError("signature by \(verifier.name) does not verify")
                }
                let signatureCheck = SignatureCheck(verifier: verifier, signature: bytes, message: message)
                if left != nil {
                    left!.append(signatureCheck)
                } else if !signatureCheck.verifies() {
                    throw InputError(signatureCheck.failure)
                }
            }
            let registersItself = event.type == .keyRegistered && signature.key == dataKey
            guard registersItself || activeEntry(signature.key, at: event.position) else {
                let state = keys[signature.key].map { entry in
                    entry.registered >= event.position ? "registered only at position \(entry.registered)"
                        : "revoked at position \(entry.revoked ?? 0)"
                } ?? "not registered"
                throw InputError("signature by \(verifier.name): key \(signature.key.prefix(60))… is \(state)")
            }
        }
        if event.type == .keyRegistered {
            guard sigs.contains(where: { $0.key == dataKey }) else {
                throw InputError("a KeyRegistered must be signed by the key it registers")
            }
            if !isEmpty, !sigs.contains(where: { $0.name != event.stream && activeEntry($0.key, at: event.position) }) {
                throw InputError("a KeyRegistered needs the signature of an active key of another person")
            }
        }
    }
}
