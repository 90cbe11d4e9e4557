/// Text a canonical event is written from: a `String`, or UTF-8 bytes read
/// in place from stored bytes (`ChainHasher`).
package protocol CanonicalEventText {
    /// Writes the text as a JSON string.
    func writeString(into writer: inout JSONWriter)
    /// Writes the text as it is: it is already RFC 8785 JSON.
    func writeJSON(into writer: inout JSONWriter)
}

extension String: CanonicalEventText {
    package func writeString(into writer: inout JSONWriter) { writer.writeString(self) }
    package func writeJSON(into writer: inout JSONWriter) { writer.appendRaw(self) }
}

extension UnsafeBufferPointer<UInt8>: CanonicalEventText {
    package func writeString(into writer: inout JSONWriter) { writer.writeString(utf8: self) }
    package func writeJSON(into writer: inout JSONWriter) { writer.bytes.append(contentsOf: self) }
}

/// The members of an event in RFC 8785 form (SPEC §4, §10): names sorted,
/// `data` and `sigs` spliced in as stored (already canonical), absent
/// members left out. The one writer of both hashed and signed forms:
/// `Event.canonicalBytes` and `ChainHasher` (the chain hash input: every
/// exported member but `hash`) and `EventSigning.body` (the signed members:
/// no `position`, `version`, `prev`, `recorded` or `sigs`).
package struct CanonicalEvent<Text: CanonicalEventText> {
    package var actor: Text
    package var data: Text
    package var decision: Text?
    package var effective: Text
    package var id: Text
    package var position: Int64?
    package var prev: Text?
    package var reason: Text?
    package var recorded: Text?
    package var recordedBy: Text
    package var sigs: Text?
    package var stream: Text
    package var type: Text
    package var version: Int64?

    /// The signed members only (`EventSigning.body`).
    package init(actor: Text, data: Text, decision: Text?, effective: Text, id: Text, reason: Text?, recordedBy: Text,
                 stream: Text, type: Text)
    {
        self.actor = actor
        self.data = data
        self.decision = decision
        self.effective = effective
        self.id = id
        self.reason = reason
        self.recordedBy = recordedBy
        self.stream = stream
        self.type = type
    }

    /// Every member of the chain hash input.
    @_specialize(exported: true, where Text == UnsafeBufferPointer<UInt8>)
    package init(actor: Text, data: Text, decision: Text?, effective: Text, id: Text, position: Int64, prev: Text,
                 reason: Text?, recorded: Text, recordedBy: Text, sigs: Text?, stream: Text, type: Text, version: Int64)
    {
        self.init(actor: actor, data: data, decision: decision, effective: effective, id: id, reason: reason,
                  recordedBy: recordedBy, stream: stream, type: type)
        self.position = position
        self.prev = prev
        self.recorded = recorded
        self.sigs = sigs
        self.version = version
    }

    /// Appends the object to `writer`, members in RFC 8785 (code point) order.
    package func write(into writer: inout JSONWriter) {
        write(EventMember.canonicalOrder, hash: nil, into: &writer, closing: true)
    }

    /// Appends the export line's object (SPEC §4): every member of the chain
    /// hash input and `hash`, in the fixed, readable order of an export line.
    /// With `closing: false` the caller may add members and the `}`
    /// (`history --json` adds `changes`).
    @_specialize(exported: true, where Text == UnsafeBufferPointer<UInt8>)
    package func writeExport(hash: Text, into writer: inout JSONWriter, closing: Bool = true) {
        write(EventMember.exportOrder, hash: hash, into: &writer, closing: closing)
    }

    /// Appends the members present, in `order`, as one JSON object.
    private func write(_ order: [EventMember], hash: Text?, into writer: inout JSONWriter, closing: Bool) {
        writer.append("{")
        var separated = false
        func name(_ member: EventMember) {
            // `,"name":` in one append; the first member's goes without the comma.
            let key = member.key, skip = separated ? 0 : 1
            writer.bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start + skip,
                                                                count: key.utf8CodeUnitCount - skip))
            separated = true
        }
        for member in order {
            switch member {
            case .data:
                name(member)
                data.writeJSON(into: &writer)
            case .sigs:
                guard let sigs else { continue }
                name(member)
                sigs.writeJSON(into: &writer)
            case .position, .version:
                guard let integer = member == .position ? position : version else { continue }
                name(member)
                writer.writeInteger(integer)
            default:
                guard let text = text(member, hash: hash) else { continue }
                name(member)
                text.writeString(into: &writer)
            }
        }
        if closing { writer.append("}") }
    }

    /// A member written as a JSON string, nil when absent (or not a string).
    private func text(_ member: EventMember, hash: Text?) -> Text? {
        switch member {
        case .actor: actor
        case .decision: decision
        case .effective: effective
        case .hash: hash
        case .id: id
        case .prev: prev
        case .reason: reason
        case .recorded: recorded
        case .recordedBy: recordedBy
        case .stream: stream
        case .type: type
        case .data, .position, .sigs, .version: nil
        }
    }
}

/// A member of a written event. The two orders events are written in are
/// lists of them, so each order is stated once, as data.
enum EventMember: Sendable {
    case actor, data, decision, effective, hash, id, position, prev, reason, recorded, recordedBy, sigs, stream, type,
         version

    /// RFC 8785 (code point) order: the chain hash input and the signed body.
    static let canonicalOrder: [EventMember] = [
        .actor, .data, .decision, .effective, .id, .position, .prev, .reason, .recorded, .recordedBy, .sigs, .stream,
        .type, .version,
    ]

    /// An export line's fixed, readable order (SPEC §4): position first, hash last.
    static let exportOrder: [EventMember] = [
        .position, .version, .stream, .type, .effective, .actor, .reason, .decision, .id, .data, .sigs, .recorded,
        .recordedBy, .prev, .hash,
    ]

    /// `,"name":`
    var key: StaticString {
        switch self {
        case .actor: ",\"actor\":"
        case .data: ",\"data\":"
        case .decision: ",\"decision\":"
        case .effective: ",\"effective\":"
        case .hash: ",\"hash\":"
        case .id: ",\"id\":"
        case .position: ",\"position\":"
        case .prev: ",\"prev\":"
        case .reason: ",\"reason\":"
        case .recorded: ",\"recorded\":"
        case .recordedBy: ",\"recordedBy\":"
        case .sigs: ",\"sigs\":"
        case .stream: ",\"stream\":"
        case .type: ",\"type\":"
        case .version: ",\"version\":"
        }
    }
}
