import Crypto

/// One event as the ledger stores and exports it (SPEC §4).
public struct Event: Sendable, Equatable {
    public var position: Int64
    public var version: Int64
    public var stream: String
    public var type: EventType
    public var effective: Effective
    public var actor: String
    public var reason: String?
    public var decision: String?
    public var id: String
    /// The normalised `data` member.
    public var data: JSONObject
    /// `data` as RFC 8785 canonical JSON: what is stored and hashed.
    public var dataJSON: String
    public var recorded: String
    public var recordedBy: String
    public var prev: String
    public var hash: String
    /// Signatures of the event (SPEC §10); nil when unsigned.
    public var sigs: [EventSignature]?

    public init(position: Int64, version: Int64, stream: String, type: EventType, effective: Effective, actor: String,
                reason: String?, decision: String?, id: String, data: JSONObject, dataJSON: String? = nil,
                recorded: String, recordedBy: String, prev: String, hash: String = "", sigs: [EventSignature]? = nil)
    {
        self.position = position
        self.version = version
        self.stream = stream
        self.type = type
        self.effective = effective
        self.actor = actor
        self.reason = reason
        self.decision = decision
        self.id = id
        self.data = data
        self.dataJSON = dataJSON ?? JSONWriter.canonical(.object(data))
        self.recorded = recorded
        self.recordedBy = recordedBy
        self.prev = prev
        self.hash = hash
        self.sigs = sigs
    }

    /// The event as a fold reads it: without its stream, actor, reason,
    /// decision, the stored `data` text, recorded, recordedBy, prev, hash and
    /// sigs, which no fold reads (the store reads rows much the same way for
    /// its folds). What `StreamFoldIndex` keeps of the few events it folds
    /// in order (creations, milestones, links), so a long stream out of order
    /// holds little per event.
    public var light: Event {
        .forFold(position: position, version: version, stream: "", type: type, effective: effective, id: id,
                 data: data, recorded: "")
    }

    /// An event with only what a fold reads (see `light`); `recorded` may be
    /// empty when the reader takes it from elsewhere.
    public static func forFold(position: Int64, version: Int64, stream: String, type: EventType,
                               effective: Effective, id: String, data: JSONObject, recorded: String) -> Event {
        Event(position: position, version: version, stream: stream, type: type, effective: effective, actor: "",
              reason: nil, decision: nil, id: id, data: data, dataJSON: "", recorded: recorded, recordedBy: "",
              prev: "", hash: "")
    }

    /// 64 zeros: the `prev` of position 1.
    public static let genesis = String(repeating: "0", count: 64)

    /// RFC 8785 serialisation of the exported event without `hash`, the input
    /// of the chain hash (`CanonicalEvent`, with the stored canonical `data`
    /// spliced in, so no re-sorting happens per event).
    public func canonicalBytes() -> [UInt8] {
        var writer = JSONWriter(capacity: dataJSON.utf8.count + 400)
        canonical.write(into: &writer)
        return writer.bytes
    }

    /// Every member but `hash`, as `canonicalBytes` and the export line write them.
    private var canonical: CanonicalEvent<String> {
        CanonicalEvent(actor: actor, data: dataJSON, decision: decision, effective: effective.text, id: id,
                       position: position, prev: prev, reason: reason, recorded: recorded, recordedBy: recordedBy,
                       sigs: sigs.map(EventSignature.canonical), stream: stream, type: type.rawValue, version: version)
    }

    /// The chain hash: lowercase hex SHA-256 of `canonicalBytes()`.
    public func computeHash() -> String { Self.hex(SHA256.hash(data: canonicalBytes())) }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.withUnsafeBytes { digestBytes in
            String(unsafeUninitializedCapacity: 64) { out in
                for (index, byte) in digestBytes.enumerated() {
                    out[2 * index] = hexDigit(byte >> 4)
                    out[2 * index + 1] = hexDigit(byte & 0xF)
                }
                return 64
            }
        }
    }

    @inline(__always) private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }

    /// The export line: one JSON object in a fixed, readable member order
    /// (position first, hash last); no newline.
    public func exportLine() -> String {
        var writer = JSONWriter(capacity: dataJSON.utf8.count + 400)
        writeExport(into: &writer, closing: true)
        return writer.string
    }

    /// Writes the export object; with `closing: false` the caller may add members and the `}`.
    public func writeExport(into writer: inout JSONWriter, closing: Bool) {
        canonical.writeExport(hash: hash, into: &writer, closing: closing)
    }

    /// Seconds between `effective` and `recorded` (positive when recorded later).
    public var backdatedSeconds: Int64 {
        let recordedMicros = (try? Recorded(stored: recorded))?.micros ?? 0
        return recordedMicros / 1_000_000 - effective.key
    }
}

/// An input line (SPEC §4), checked for shape and normalised; references are
/// checked later against the ledger by `Rules`.
public struct EventInput: Sendable, Equatable {
    public var stream: String
    public var type: EventType
    public var effective: Effective
    public var actor: String
    public var reason: String?
    public var decision: String?
    public var id: String?
    public var expectedVersion: Int64?
    /// Signatures (SPEC §10): an input signed by `--sign`, or carried by the line.
    public var sigs: [EventSignature]?
    /// SHA-256 of the message `sigs` were made for by this process (`EventSigners.sign`),
    /// nil when they were read from input: the signatures of exactly that message need
    /// no second check at append time.
    public internal(set) var locallySignedDigest: [UInt8]?
    public var data: JSONObject { didSet { canonicalData = nil } }
    /// Present when the line is an exported event (restore, backup, move).
    public var exported: Exported?
    /// `data` in RFC 8785 form, made when the line is parsed (so on the
    /// parsing core when `import` parses ahead); nil once `data` is changed.
    public private(set) var canonicalData: String?

    /// The members only an exported line carries.
    public struct Exported: Sendable, Equatable {
        public var position: Int64
        public var version: Int64
        public var recorded: String
        public var recordedBy: String
        public var prev: String
        public var hash: String
    }

    public init(stream: String, type: EventType, effective: Effective, actor: String, reason: String? = nil,
                decision: String? = nil, id: String? = nil, expectedVersion: Int64? = nil, data: JSONObject,
                exported: Exported? = nil, sigs: [EventSignature]? = nil)
    {
        self.stream = stream
        self.type = type
        self.effective = effective
        self.actor = actor
        self.reason = reason
        self.decision = decision
        self.id = id
        self.expectedVersion = expectedVersion
        self.data = data
        self.exported = exported
        self.sigs = sigs
    }

    static let inputMembers: Set<String> = ["stream", "type", "effective", "actor", "data", "reason", "decision", "id",
                                            "expectedVersion", "sigs"]
    static let exportMembers: [String] = ["position", "version", "recorded", "recordedBy", "prev", "hash"]

    /// Parses and checks one line of NDJSON (without its newline).
    public static func parse(line: UnsafeBufferPointer<UInt8>) throws(InputError) -> EventInput {
        let value: JSON
        do { value = try JSONParser.parse(line) } catch { throw InputError("invalid JSON: \(error)") }
        guard case .object(let obj) = value else { throw InputError("expected a JSON object, got \(value.typeName)") }
        return try EventInput(object: obj)
    }

    public static func parse(_ text: String) throws(InputError) -> EventInput {
        var text = text
        do {
            return try text.withUTF8 { buf throws(InputError) in try parse(line: buf) }
        } catch let error as InputError {
            throw error
        } catch {
            fatalError("unreachable")
        }
    }

    public init(object obj: JSONObject) throws(InputError) {
        let isExported = Self.exportMembers.contains { obj[$0] != nil }
        for key in obj.keys
        where !Self.inputMembers.contains(key) && !(isExported && Self.exportMembers.contains(key)) {
            throw InputError("unknown member \"\(Self.clip(key))\"")
        }
        func string(_ member: String) throws(InputError) -> String {
            guard let value = obj[member] else { throw InputError("missing member \"\(member)\"") }
            guard case .string(let text) = value else {
                throw InputError("\"\(member)\" must be a string, got \(value.typeName)")
            }
            return text
        }
        stream = try string("stream")
        guard Identifier.isEntityID(stream) else {
            throw InputError(
                "stream \"\(Self.clip(stream))\" is not an entity id "
                    + "(lowercase segments [a-z0-9][a-z0-9._-]* joined by '/', at most 200 characters)")
        }
        let typeName = try string("type")
        guard let parsedType = EventType(rawValue: typeName) else {
            throw InputError("unknown type \"\(Self.clip(typeName))\"")
        }
        type = parsedType
        effective = try Effective(parsing: try string("effective"))
        actor = try string("actor")
        guard Identifier.isEntityID(actor) else {
            throw InputError("actor \"\(Self.clip(actor))\" is not an entity id")
        }
        reason = try obj["reason"].map { value throws(InputError) in try Validation.text(value, member: "reason") }
        decision = try obj["decision"].map { value throws(InputError) in
            try Validation.text(value, member: "decision")
        }
        if obj["id"] != nil {
            let eventID = try string("id")
            guard Identifier.isEventID(eventID) else {
                throw InputError("id \"\(Self.clip(eventID))\" must be 1-100 visible ASCII characters without spaces")
            }
            id = eventID
        }
        if let value = obj["expectedVersion"] {
            if isExported { throw InputError("an exported line cannot carry \"expectedVersion\"") }
            expectedVersion = try Validation.integer(value, member: "expectedVersion", in: 0...Int64(1) << 53)
        }
        if let value = obj["sigs"] {
            sigs = try EventSignature.parse(value)
            // SPEC §10: a signed event must carry an id (the signature covers it).
            guard id != nil else { throw InputError("a signed event must carry an \"id\"") }
        }
        guard let dataValue = obj["data"] else { throw InputError("missing member \"data\"") }
        guard case .object(let dataObj) = dataValue else {
            throw InputError("\"data\" must be an object, got \(dataValue.typeName)")
        }
        data = try Validation.data(dataObj, for: parsedType)
        canonicalData = JSONWriter.canonical(.object(data))
        if !isExported {
            // New text refuses C1 controls too; exported lines (restores) and
            // `verify` keep the rule they were written under (C0 only).
            if let reason { try Validation.refuseC1Controls(reason, member: "reason") }
            if let decision { try Validation.refuseC1Controls(decision, member: "decision") }
            // Canonical JSON writes C1 controls raw, so one scan of it finds them all.
            if Validation.firstC1Control(canonicalData ?? "") != nil {
                try Validation.refuseC1Controls(in: data, path: "data")
            }
        }
        if isExported {
            for member in Self.exportMembers + ["id"] where obj[member] == nil {
                throw InputError(
                    "an exported line must carry position, version, id, recorded, recordedBy, prev and hash; "
                        + "\"\(member)\" is missing")
            }
            let recorded = try string("recorded")
            _ = try Recorded(stored: recorded)
            let prev = try string("prev"), hash = try string("hash")
            guard Validation.isHash(prev) else { throw InputError("prev must be 64 lowercase hex digits") }
            guard Validation.isHash(hash) else { throw InputError("hash must be 64 lowercase hex digits") }
            exported = Exported(
                position: try Validation.integer(obj["position"]!, member: "position", in: 1...Int64(1) << 53),
                version: try Validation.integer(obj["version"]!, member: "version", in: 1...Int64(1) << 53),
                recorded: recorded,
                recordedBy: try Validation.text(obj["recordedBy"]!, member: "recordedBy"),
                prev: prev, hash: hash)
        }
    }

    static func clip(_ text: String) -> String { text.count > 60 ? String(text.prefix(60)) + "…" : text }

    /// The event this input would be at the given place in the ledger.
    public func event(position: Int64, version: Int64, id: String, recorded: String, recordedBy: String, prev: String)
        -> Event
    {
        var event = Event(position: position, version: version, stream: stream, type: type, effective: effective,
                          actor: actor, reason: reason, decision: decision, id: id, data: data,
                          dataJSON: canonicalData, recorded: recorded, recordedBy: recordedBy, prev: prev, sigs: sigs)
        event.hash = event.computeHash()
        return event
    }

    /// True when a stored event says what this input says (same stream, type,
    /// effective, actor, reason, decision and data), so a retry can be skipped.
    public func hasSameContent(as event: Event) -> Bool {
        event.stream == stream && event.type == type && event.effective == effective && event.actor == actor
            && event.reason == reason && event.decision == decision
            && event.dataJSON == (canonicalData ?? JSONWriter.canonical(.object(data)))
            && event.sigs == sigs
    }

    /// Equal when they say the same (the cached canonical `data` follows from `data`).
    public static func == (lhs: EventInput, rhs: EventInput) -> Bool {
        lhs.stream == rhs.stream && lhs.type == rhs.type && lhs.effective == rhs.effective && lhs.actor == rhs.actor
            && lhs.reason == rhs.reason && lhs.decision == rhs.decision && lhs.id == rhs.id
            && lhs.expectedVersion == rhs.expectedVersion && lhs.data == rhs.data
            && lhs.exported == rhs.exported && lhs.sigs == rhs.sigs
    }
}
