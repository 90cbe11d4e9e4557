import Crypto

/// Recomputes chain hashes from stored columns, as bytes: what `Event.computeHash`
/// computes, without making a string or an event per row. `verify` runs it on
/// the core that steps SQLite.
package struct ChainHasher {
    private var w = JSONWriter(capacity: 2048)

    package init() {}

    /// The columns of one stored event, as UTF-8 bytes (nil for NULL).
    package struct Columns {
        package var position: Int64
        package var version: Int64
        package var stream, type, effective, actor: UnsafeBufferPointer<UInt8>
        package var reason, decision: UnsafeBufferPointer<UInt8>?
        package var id, data, recorded, recordedBy, prev: UnsafeBufferPointer<UInt8>
        /// The stored `sigs` (RFC 8785 JSON), nil for an unsigned event.
        package var sigs: UnsafeBufferPointer<UInt8>?

        package init(position: Int64, version: Int64, stream: UnsafeBufferPointer<UInt8>,
                    type: UnsafeBufferPointer<UInt8>, effective: UnsafeBufferPointer<UInt8>,
                    actor: UnsafeBufferPointer<UInt8>, reason: UnsafeBufferPointer<UInt8>?,
                    decision: UnsafeBufferPointer<UInt8>?, id: UnsafeBufferPointer<UInt8>,
                    data: UnsafeBufferPointer<UInt8>,
                    recorded: UnsafeBufferPointer<UInt8>, recordedBy: UnsafeBufferPointer<UInt8>,
                    prev: UnsafeBufferPointer<UInt8>, sigs: UnsafeBufferPointer<UInt8>? = nil)
        {
            self.sigs = sigs
            self.position = position; self.version = version; self.stream = stream; self.type = type
            self.effective = effective; self.actor = actor; self.reason = reason; self.decision = decision
            self.id = id; self.data = data; self.recorded = recorded; self.recordedBy = recordedBy; self.prev = prev
        }

        /// Every text column is valid UTF-8, so its bytes are the text an event made from it hashes.
        var isValidUTF8: Bool {
            UTF8Check.isValid(stream) && UTF8Check.isValid(type) && UTF8Check.isValid(effective)
                && UTF8Check.isValid(actor) && (reason.map(UTF8Check.isValid) ?? true)
                && (decision.map(UTF8Check.isValid) ?? true) && UTF8Check.isValid(id)
                && UTF8Check.isValid(data) && UTF8Check.isValid(recorded) && UTF8Check.isValid(recordedBy)
                && UTF8Check.isValid(prev)
                && (sigs.map(UTF8Check.isValid) ?? true)
        }
    }

    /// Whether `hash` (64 lowercase hex digits) is the chain hash of the columns:
    /// SHA-256 of `CanonicalEvent`, the writer `Event.canonicalBytes` uses too.
    /// Nil when a column is not valid UTF-8: the caller decides on the decoded event.
    package mutating func matches(_ c: Columns, hash: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard c.isValidUTF8 else { return nil }
        w.bytes.removeAll(keepingCapacity: true)
        CanonicalEvent(actor: c.actor, data: c.data, decision: c.decision, effective: c.effective, id: c.id,
                       position: c.position, prev: c.prev, reason: c.reason, recorded: c.recorded,
                       recordedBy: c.recordedBy, sigs: c.sigs, stream: c.stream, type: c.type, version: c.version)
            .write(into: &w)
        let digest = SHA256.hash(data: w.bytes)
        guard hash.count == 64 else { return false }
        return digest.withUnsafeBytes { d in
            for k in 0..<32 {
                let b = d[k]
                if hash[2 * k] != Self.hexDigit(b >> 4) || hash[2 * k + 1] != Self.hexDigit(b & 0xF) { return false }
            }
            return true
        }
    }

    @inline(__always) private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 87 + v }
}

/// UTF-8 well-formedness of stored bytes, read in place.
package enum UTF8Check {
    package static func isValid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var k = 0
        let n = b.count
        // ASCII, the common case, eight bytes at a time.
        if let base = b.baseAddress {
            let raw = UnsafeRawPointer(base)
            while k + 8 <= n && raw.loadUnaligned(fromByteOffset: k, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                k += 8
            }
        }
        while k < n {
            let c = b[k]
            if c < 0x80 { k += 1; continue }
            var need: Int
            var minNext: UInt8 = 0x80, maxNext: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; minNext = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; maxNext = 0x9F
            case 0xF0: need = 3; minNext = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; maxNext = 0x8F
            default: return false
            }
            guard k + need < n else { return false }  // the last continuation byte is there
            let first = b[k + 1]
            guard first >= minNext && first <= maxNext else { return false }
            if need >= 2 {
                for j in 2...need where b[k + j] & 0xC0 != 0x80 { return false }
            }
            k += need + 1
        }
        return true
    }
}
