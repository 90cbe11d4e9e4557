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

    /// The event without what no fold reads (actor, reason, decision, the
    /// stored `data` text, recordedBy, prev, hash): what a projection keeps
    /// as a stream's last change, so a long run holds little per stream.
    public var light: Event {
        Event(position: position, version: version, stream: stream, type: type, effective: effective, actor: "", reason: nil,
              decision: nil, id: id, data: data, dataJSON: "", recorded: recorded, recordedBy: "", prev: "", hash: "")
    }

    /// 64 zeros: the `prev` of position 1.
    public static let genesis = String(repeating: "0", count: 64)

    /// RFC 8785 serialisation of the exported event without `hash`, the input
    /// of the chain hash (`CanonicalEvent`, with the stored canonical `data`
    /// spliced in, so no re-sorting happens per event).
    public func canonicalBytes() -> [UInt8] {
        var writer = JSONWriter(capacity: dataJSON.utf8.count + 400)
        CanonicalEvent(actor: actor, data: dataJSON, decision: decision, effective: effective.text, id: id,
                       position: position, prev: prev, reason: reason, recorded: recorded, recordedBy: recordedBy,
                       sigs: sigs.map(EventSignature.canonical), stream: stream, type: type.rawValue, version: version)
            .write(into: &writer)
        return writer.bytes
    }

    /// The chain hash: lowercase hex SHA-256 of `canonicalBytes()`.
    public func computeHash() -> String { Self.hex(SHA256.hash(data: canonicalBytes())) }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.withUnsafeBytes { d in
            String(unsafeUninitializedCapacity: 64) { out in
                for (k, b) in d.enumerated() {
                    out[2 * k] = hexDigit(b >> 4)
                    out[2 * k + 1] = hexDigit(b & 0xF)
                }
                return 64
            }
        }
    }

    @inline(__always) private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 87 + v }

    /// The export line: one JSON object in a fixed, readable member order
    /// (position first, hash last); no newline.
    public func exportLine() -> String {
        var w = JSONWriter(capacity: dataJSON.utf8.count + 400)
        writeExport(into: &w, closing: true)
        return w.string
    }

    /// Writes the export object; with `closing: false` the caller may add members and the `}`.
    public func writeExport(into w: inout JSONWriter, closing: Bool) {
        w.append("{\"position\":"); w.writeInteger(position)
        w.append(",\"version\":"); w.writeInteger(version)
        w.append(",\"stream\":"); w.writeString(stream)
        w.append(",\"type\":"); w.writeString(type.rawValue)
        w.append(",\"effective\":"); w.writeString(effective.text)
        w.append(",\"actor\":"); w.writeString(actor)
        if let reason { w.append(",\"reason\":"); w.writeString(reason) }
        if let decision { w.append(",\"decision\":"); w.writeString(decision) }
        w.append(",\"id\":"); w.writeString(id)
        w.append(",\"data\":"); w.appendRaw(dataJSON)
        if let sigs { w.append(",\"sigs\":"); EventSignature.write(sigs, into: &w) }
        w.append(",\"recorded\":"); w.writeString(recorded)
        w.append(",\"recordedBy\":"); w.writeString(recordedBy)
        w.append(",\"prev\":"); w.writeString(prev)
        w.append(",\"hash\":"); w.writeString(hash)
        if closing { w.append("}") }
    }

    /// Seconds between `effective` and `recorded` (positive when recorded later).
    public var backdatedSeconds: Int64 {
        let r = (try? Recorded(stored: recorded))?.micros ?? 0
        return r / 1_000_000 - effective.key
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
        } catch let e as InputError { throw e } catch { fatalError("unreachable") }
    }

    public init(object obj: JSONObject) throws(InputError) {
        let isExported = Self.exportMembers.contains { obj[$0] != nil }
        for key in obj.keys where !Self.inputMembers.contains(key) && !(isExported && Self.exportMembers.contains(key)) {
            throw InputError("unknown member \"\(Self.clip(key))\"")
        }
        func string(_ k: String) throws(InputError) -> String {
            guard let v = obj[k] else { throw InputError("missing member \"\(k)\"") }
            guard case .string(let s) = v else { throw InputError("\"\(k)\" must be a string, got \(v.typeName)") }
            return s
        }
        stream = try string("stream")
        guard Identifier.isEntityID(stream) else {
            throw InputError("stream \"\(Self.clip(stream))\" is not an entity id (lowercase segments [a-z0-9][a-z0-9._-]* joined by '/', at most 200 characters)")
        }
        let typeName = try string("type")
        guard let t = EventType(rawValue: typeName) else { throw InputError("unknown type \"\(Self.clip(typeName))\"") }
        type = t
        effective = try Effective(parsing: try string("effective"))
        actor = try string("actor")
        guard Identifier.isEntityID(actor) else { throw InputError("actor \"\(Self.clip(actor))\" is not an entity id") }
        reason = try obj["reason"].map { v throws(InputError) in try Validation.text(v, member: "reason") }
        decision = try obj["decision"].map { v throws(InputError) in try Validation.text(v, member: "decision") }
        if obj["id"] != nil {
            let s = try string("id")
            guard Identifier.isEventID(s) else {
                throw InputError("id \"\(Self.clip(s))\" must be 1-100 visible ASCII characters without spaces")
            }
            id = s
        }
        if let v = obj["expectedVersion"] {
            if isExported { throw InputError("an exported line cannot carry \"expectedVersion\"") }
            expectedVersion = try Validation.integer(v, member: "expectedVersion", in: 0...Int64(1) << 53)
        }
        if let value = obj["sigs"] {
            sigs = try EventSignature.parse(value)
            // SPEC §10: a signed event must carry an id (the signature covers it).
            guard id != nil else { throw InputError("a signed event must carry an \"id\"") }
        }
        guard let d = obj["data"] else { throw InputError("missing member \"data\"") }
        guard case .object(let dataObj) = d else { throw InputError("\"data\" must be an object, got \(d.typeName)") }
        data = try Validation.data(dataObj, for: t)
        canonicalData = JSONWriter.canonical(.object(data))
        if !isExported {
            // New text refuses C1 controls too; exported lines (restores) and
            // `verify` keep the rule they were written under (C0 only).
            if let reason { try Validation.refuseC1Controls(reason, member: "reason") }
            if let decision { try Validation.refuseC1Controls(decision, member: "decision") }
            // Canonical JSON writes C1 controls raw, so one scan of it finds them all.
            if Validation.firstC1Control(canonicalData ?? "") != nil { try Validation.refuseC1Controls(in: data, path: "data") }
        }
        if isExported {
            for k in Self.exportMembers + ["id"] where obj[k] == nil {
                throw InputError("an exported line must carry position, version, id, recorded, recordedBy, prev and hash; \"\(k)\" is missing")
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

    static func clip(_ s: String) -> String { s.count > 60 ? String(s.prefix(60)) + "…" : s }

    /// The event this input would be at the given place in the ledger.
    public func event(position: Int64, version: Int64, id: String, recorded: String, recordedBy: String, prev: String)
        -> Event
    {
        var e = Event(position: position, version: version, stream: stream, type: type, effective: effective, actor: actor,
                      reason: reason, decision: decision, id: id, data: data, dataJSON: canonicalData, recorded: recorded,
                      recordedBy: recordedBy, prev: prev, sigs: sigs)
        e.hash = e.computeHash()
        return e
    }

    /// True when a stored event says what this input says (same stream, type,
    /// effective, actor, reason, decision and data), so a retry can be skipped.
    public func hasSameContent(as e: Event) -> Bool {
        e.stream == stream && e.type == type && e.effective == effective && e.actor == actor && e.reason == reason
            && e.decision == decision && e.dataJSON == (canonicalData ?? JSONWriter.canonical(.object(data)))
            && e.sigs == sigs
    }

    /// Equal when they say the same (the cached canonical `data` follows from `data`).
    public static func == (a: EventInput, b: EventInput) -> Bool {
        a.stream == b.stream && a.type == b.type && a.effective == b.effective && a.actor == b.actor && a.reason == b.reason
            && a.decision == b.decision && a.id == b.id && a.expectedVersion == b.expectedVersion && a.data == b.data
            && a.exported == b.exported && a.sigs == b.sigs
    }
}
