import Synchronization

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

    /// A fresh UUID for an event given without an id: version 7 (RFC 9562
    /// §5.7), lowercase, so ids made later sort after earlier ones.
    ///
    /// The time-ordered ids go into the `events_id` index at its right edge
    /// instead of at random places in it: importing the wide 1M ledger (no
    /// ids) took 22.75 s instead of 25.74 s (medians of three, alternating),
    /// its 100k ledger 2.57 s instead of 2.72 s. The first 48 bits are the Unix
    /// time in milliseconds, the next 12 a counter within that millisecond
    /// (RFC 9562 §6.2, method 1), the last 62 random. So ids made in one
    /// process never go backwards, even when the clock does.
    public static func newEventID() -> String {
        var generator = SystemRandomNumberGenerator()
        let (millis, counter) = EventIDClock.shared.next()
        let high = millis << 16 | 0x7000 | UInt64(counter)  // version 7
        let low = generator.next() & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000  // RFC 9562 variant
        return uuidText(high: high, low: low)
    }

    /// The 36 characters of a UUID whose 128 bits are `high` then `low`,
    /// written straight into the string: building it from one string per
    /// byte was 21 % of importing a ledger without ids (issue 12, wide shape).
    static func uuidText(high: UInt64, low: UInt64) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { out in
            var written = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    out[written] = UInt8(ascii: "-")
                    written += 1
                }
                let byte = UInt8(truncatingIfNeeded: (index < 8 ? high : low) >> (56 - 8 * (index % 8)))
                out[written] = digits.utf8Start[Int(byte >> 4)]
                out[written + 1] = digits.utf8Start[Int(byte & 0x0F)]
                written += 2
            }
            return written
        }
    }
}

/// The millisecond and counter of the last version 7 id made in this
/// process (RFC 9562 §6.2, method 1): the next id takes the clock's
/// millisecond if it is later, or else the same millisecond and the next
/// count; when the 12-bit count runs out, the next millisecond.
final class EventIDClock: Sendable {
    static let shared = EventIDClock()

    private let last = Mutex<(millis: UInt64, counter: UInt16)>((0, 0))

    func next(now: UInt64 = EventIDClock.unixMillis()) -> (millis: UInt64, counter: UInt16) {
        last.withLock { last in
            if now > last.millis {
                last = (now, 0)
            } else if last.counter < 0xFFF {
                last.counter += 1
            } else {
                last = (last.millis + 1, 0)
            }
            return last
        }
    }

    /// The system clock in whole milliseconds since 1970 (the clock `recorded` reads).
    static func unixMillis() -> UInt64 { UInt64(max(0, Recorded.now().micros / 1000)) }
}
