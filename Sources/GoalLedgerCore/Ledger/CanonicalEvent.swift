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
        writer.append("{\"actor\":")
        actor.writeString(into: &writer)
        writer.append(",\"data\":")
        data.writeJSON(into: &writer)
        Self.member(",\"decision\":", decision, into: &writer)
        Self.member(",\"effective\":", effective, into: &writer)
        Self.member(",\"id\":", id, into: &writer)
        Self.member(",\"position\":", position, into: &writer)
        Self.member(",\"prev\":", prev, into: &writer)
        Self.member(",\"reason\":", reason, into: &writer)
        Self.member(",\"recorded\":", recorded, into: &writer)
        Self.member(",\"recordedBy\":", recordedBy, into: &writer)
        if let sigs {
            writer.append(",\"sigs\":")
            sigs.writeJSON(into: &writer)
        }
        Self.member(",\"stream\":", stream, into: &writer)
        Self.member(",\"type\":", type, into: &writer)
        Self.member(",\"version\":", version, into: &writer)
        writer.append("}")
    }

    /// `,"name":"text"`, or nothing when the member is absent.
    @inline(__always)
    private static func member(_ prefix: StaticString, _ text: Text?, into writer: inout JSONWriter) {
        guard let text else { return }
        writer.append(prefix)
        text.writeString(into: &writer)
    }

    /// `,"name":integer`, or nothing when the member is absent.
    @inline(__always)
    private static func member(_ prefix: StaticString, _ integer: Int64?, into writer: inout JSONWriter) {
        guard let integer else { return }
        writer.append(prefix)
        writer.writeInteger(integer)
    }
}
