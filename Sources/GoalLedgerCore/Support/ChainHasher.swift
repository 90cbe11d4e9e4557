import Crypto

/// Recomputes chain hashes from stored columns, as bytes: what `Event.computeHash`
/// computes, without making a string or an event per row. `verify` runs it on
/// the core that steps SQLite.
package struct ChainHasher {
    private var writer = JSONWriter(capacity: 2048)

    package init() {}

    /// One stored event's columns, as UTF-8 bytes read in place (nil for NULL).
    package typealias Columns = CanonicalEvent<UnsafeBufferPointer<UInt8>>

    /// Whether `hash` (64 lowercase hex digits) is the chain hash of the columns:
    /// SHA-256 of their `CanonicalEvent`, the writer `Event.canonicalBytes` uses too.
    /// Nil when a column is not valid UTF-8: the caller decides on the decoded event.
    package mutating func matches(_ row: Columns, hash: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard row.isValidUTF8 else { return nil }
        writer.bytes.removeAll(keepingCapacity: true)
        row.write(into: &writer)
        let digest = SHA256.hash(data: writer.bytes)
        guard hash.count == 64 else { return false }
        return digest.withUnsafeBytes { digestBytes in
            for index in 0..<32 {
                let byte = digestBytes[index]
                if hash[2 * index] != Self.hexDigit(byte >> 4) || hash[2 * index + 1] != Self.hexDigit(byte & 0xF) {
                    return false
                }
            }
            return true
        }
    }

    @inline(__always) private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }
}

extension CanonicalEvent<UnsafeBufferPointer<UInt8>> {
    /// Every text column is valid UTF-8, so its bytes are the text an event made from it hashes.
    package var isValidUTF8: Bool {
        func valid(_ text: UnsafeBufferPointer<UInt8>?) -> Bool { text.map(UTF8Check.isValid) ?? true }
        return valid(actor) && valid(data) && valid(decision) && valid(effective) && valid(id) && valid(prev)
            && valid(reason) && valid(recorded) && valid(recordedBy) && valid(sigs) && valid(stream) && valid(type)
    }
}

/// UTF-8 well-formedness of stored bytes, read in place.
package enum UTF8Check {
    package static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var offset = 0
        let count = bytes.count
        // ASCII, the common case, eight bytes at a time.
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while offset + 8 <= count
                && raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                offset += 8
            }
        }
        while offset < count {
            let lead = bytes[offset]
            if lead < 0x80 {
                offset += 1
                continue
            }
            var need: Int
            var minNext: UInt8 = 0x80, maxNext: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: need = 1
            case 0xE0: (need, minNext) = (2, 0xA0)
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: (need, maxNext) = (2, 0x9F)
            case 0xF0: (need, minNext) = (3, 0x90)
            case 0xF1...0xF3: need = 3
            case 0xF4: (need, maxNext) = (3, 0x8F)
            default: return false
            }
            guard offset + need < count else { return false }  // the last continuation byte is there
            let first = bytes[offset + 1]
            guard first >= minNext && first <= maxNext else { return false }
            if need >= 2 {
                for next in 2...need where bytes[offset + next] & 0xC0 != 0x80 { return false }
            }
            offset += need + 1
        }
        return true
    }
}
