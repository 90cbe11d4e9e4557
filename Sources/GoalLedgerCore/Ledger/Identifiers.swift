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
        guard u.count <= maxEntityIDLength, let colon = u.firstIndex(of: 0x3A), colon > 0, colon < u.count - 1 else { return false }
        guard u[0] >= 0x61 && u[0] <= 0x7A else { return false }
        for c in u[1..<colon] where !((c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E || c == 0x2B) {
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
    public static func newEventID() -> String {
        var g = SystemRandomNumberGenerator()
        var b = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        let hex = b.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }
        return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-"
            + hex[8..<10].joined() + "-" + hex[10..<16].joined()
    }
}
