/// Identifier rules of SPEC §2 and §4.
public enum Identifier {
    public static let maxEntityIDLength = 200
    public static let maxEventIDLength = 100

    /// Entity id: lowercase path of segments `[a-z0-9][a-z0-9._-]*` joined by `/`, at most 200 characters.
    public static func isEntityID(_ s: String) -> Bool {
        var s = s
        return s.withUTF8(isEntityID)
    }

    public static func isEntityID(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !u.isEmpty, u.count <= maxEntityIDLength else { return false }
        var atSegmentStart = true
        for c in u {
            let lowerOrDigit = (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
            if atSegmentStart {
                guard lowerOrDigit else { return false }
                atSegmentStart = false
            } else if c == 0x2F {
                atSegmentStart = true
            } else if !(lowerOrDigit || c == 0x2E || c == 0x5F || c == 0x2D) {
                return false
            }
        }
        return !atSegmentStart
    }

    /// External reference `scheme:value` (e.g. `sdg:11.3`): a lowercase scheme,
    /// then a value of visible ASCII without spaces.
    public static func isExternalRef(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count <= maxEntityIDLength, let colon = u.firstIndex(of: 0x3A), colon > 0, colon < u.count - 1 else {
            return false
        }
        guard u[0] >= 0x61 && u[0] <= 0x7A else { return false }
        for c in u[1..<colon] where !((c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
                                          || c == 0x2D || c == 0x2E || c == 0x2B) {
            return false
        }
        return u[(colon + 1)...].allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// Event id (idempotency key): 1-100 characters of visible ASCII (no spaces or controls).
    public static func isEventID(_ s: String) -> Bool {
        let u = s.utf8
        return !u.isEmpty && u.count <= maxEventIDLength && u.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// An event id given as bytes (a stored column).
    public static func isEventID(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        !u.isEmpty && u.count <= maxEventIDLength && u.allSatisfy { $0 > 0x20 && $0 < 0x7F }
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
