/// Identifier rules of SPEC §2 and §4.
public enum Identifier {
    public static let maxEntityIDLength = 200
    public static let maxEventIDLength = 100

    /// Entity id: lowercase path of segments `[a-z0-9][a-z0-9._-]*` joined by `/`, at most 200 characters.
    public static func isEntityID(_ text: String) -> Bool {
        var text = text
        return text.withUTF8(isEntityID)
    }

    package static func isEntityID(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !utf8.isEmpty, utf8.count <= maxEntityIDLength else { return false }
        var atSegmentStart = true
        for byte in utf8 {
            let lowerOrDigit = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            if atSegmentStart {
                guard lowerOrDigit else { return false }
                atSegmentStart = false
            } else if byte == 0x2F {
                atSegmentStart = true
            } else if !(lowerOrDigit || byte == 0x2E || byte == 0x5F || byte == 0x2D) {
                return false
            }
        }
        return !atSegmentStart
    }

    /// External reference `scheme:value` (e.g. `sdg:11.3`): a lowercase scheme,
    /// then a value of visible ASCII without spaces.
    public static func isExternalRef(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count <= maxEntityIDLength, let colon = utf8.firstIndex(of: 0x3A),
              colon > 0, colon < utf8.count - 1 else {
            return false
        }
        guard utf8[0] >= 0x61 && utf8[0] <= 0x7A else { return false }
        for byte in utf8[1..<colon] where !((byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                                             || byte == 0x2D || byte == 0x2E || byte == 0x2B) {
            return false
        }
        return utf8[(colon + 1)...].allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// Event id (idempotency key): 1-100 characters of visible ASCII (no spaces or controls).
    public static func isEventID(_ text: String) -> Bool {
        let utf8 = text.utf8
        return !utf8.isEmpty && utf8.count <= maxEventIDLength && utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// An event id given as bytes (a stored column).
    package static func isEventID(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        !utf8.isEmpty && utf8.count <= maxEventIDLength && utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// A fresh random UUID (version 4), lowercase.
    ///
    /// Two 64-bit draws from the system's generator, written straight into
    /// the 36 characters: drawing each byte on its own and joining strings
    /// was 21 % of importing a ledger without ids (issue 12, wide shape).
    public static func newEventID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next(), low = generator.next()
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { out in
            var written = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    out[written] = UInt8(ascii: "-")
                    written += 1
                }
                out[written] = digits[Int(byte >> 4)]
                out[written + 1] = digits[Int(byte & 0x0F)]
                written += 2
            }
            return written
        }
    }
}
