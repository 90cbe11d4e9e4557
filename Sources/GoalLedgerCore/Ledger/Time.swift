#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calendar arithmetic on the proleptic Gregorian calendar, in UTC.
///
/// Days are counted from 1970-01-01 (Howard Hinnant's `days_from_civil`),
/// which keeps every conversion exact and free of Foundation's time zones.
public enum Calendar {
    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func isValidDate(_ y: Int, _ m: Int, _ d: Int) -> Bool {
        (1...9999).contains(y) && (1...12).contains(m) && d >= 1 && d <= daysInMonth(y, m)
    }

    public static func days(_ y: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y - 1 : y)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((m + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public static func civil(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }
}

/// A little scanner for the fixed-width date and time forms of the SPEC.
struct TimeScanner {
    let b: [UInt8]
    init(_ s: String) { b = Array(s.utf8) }

    func digits(_ at: Int, _ n: Int) -> Int? {
        guard at + n <= b.count else { return nil }
        return Self.digits(b, at, n)
    }

    /// The number written by `n` ASCII digits from `at`; nil when one is not a digit.
    static func digits<Bytes: RandomAccessCollection<UInt8>>(_ b: Bytes, _ at: Int, _ n: Int) -> Int? where Bytes.Index == Int {
        var v = 0
        for k in at..<(at + n) {
            let c = b[k] &- 48
            guard c < 10 else { return nil }
            v = v * 10 + Int(c)
        }
        return v
    }

    func char(_ at: Int, _ c: Character) -> Bool { at < b.count && b[at] == c.asciiValue! }
    func charIn(_ at: Int, _ cs: String) -> Bool { at < b.count && cs.utf8.contains(b[at]) }

    /// `YYYY-MM-DD` at offset 0, checked against the calendar.
    func date() -> (Int, Int, Int)? {
        guard let y = digits(0, 4), char(4, "-"), let m = digits(5, 2), char(7, "-"), let d = digits(8, 2),
              Calendar.isValidDate(y, m, d) else { return nil }
        return (y, m, d)
    }

    /// An RFC 3339 instant: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
    /// Returns whole seconds since 1970 in UTC and the fraction in microseconds.
    func instant() -> (seconds: Int64, micros: Int64)?? {
        guard b.count > 10, charIn(10, "Tt") else { return .some(nil) }
        guard let (y, mo, d) = date(), let h = digits(11, 2), char(13, ":"), let mi = digits(14, 2),
              char(16, ":"), let s = digits(17, 2), h < 24, mi < 60, s < 60 else { return .some(nil) }
        var k = 19
        var micros: Int64 = 0
        if char(k, ".") {
            k += 1
            var n = 0
            while k < b.count, b[k] &- 48 < 10 {
                if n < 6 { micros = micros * 10 + Int64(b[k] - 48) } else if b[k] != 48 { return .some(nil) }
                n += 1; k += 1
            }
            guard n > 0 else { return .some(nil) }
            if n < 6 { for _ in n..<6 { micros *= 10 } }
        }
        var offset = 0
        if charIn(k, "Zz") {
            k += 1
        } else if charIn(k, "+-"), let oh = digits(k + 1, 2), char(k + 3, ":"), let om = digits(k + 4, 2), oh < 24, om < 60 {
            offset = (oh * 60 + om) * 60 * (b[k] == UInt8(ascii: "-") ? -1 : 1)
            k += 6
        } else {
            return .some(nil)
        }
        guard k == b.count else { return .some(nil) }
        let secs = Calendar.days(y, mo, d) * 86400 + Int64(h * 3600 + mi * 60 + s) - Int64(offset)
        return .some((secs, micros))
    }
}

/// The `effective` clock: when a change took effect in the world.
///
/// Stored either as a date (`YYYY-MM-DD`) or as a UTC instant
/// (`YYYY-MM-DDTHH:MM:SSZ`). A date covers that whole day, so for ordering it
/// stands at the start of its day: it is in force from 00:00:00Z on and comes
/// before every instant of the same day. The stored strings compare
/// correctly as text against an instant bound, which SQL queries rely on.
public struct Effective: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The stored text.
    public let text: String
    /// Seconds since 1970-01-01T00:00:00Z of the moment it takes effect.
    public let key: Int64

    public var description: String { text }
    public var isDate: Bool { text.utf8.count == 10 }

    /// Parses user input: a calendar date, or an RFC 3339 instant with an
    /// offset (normalised to UTC). Instants have one-second precision, so a
    /// non-zero fraction of a second is refused rather than silently cut.
    public init(parsing input: String) throws(InputError) {
        if let key = Self.dateKey(input) {
            self.text = input
            self.key = key
            return
        }
        let sc = TimeScanner(input)
        if input.utf8.count == 10 {
            guard let (y, m, d) = sc.date() else {
                throw InputError("effective \"\(input)\" is not a real calendar date (YYYY-MM-DD)")
            }
            text = input
            key = Calendar.days(y, m, d) * 86400
            return
        }
        guard let parsed = sc.instant(), let (secs, micros) = parsed else {
            throw InputError("effective \"\(input)\" is neither a date (YYYY-MM-DD) nor an RFC 3339 instant with offset")
        }
        guard micros == 0 else {
            throw InputError("effective \"\(input)\" has a fraction of a second; effective instants have one-second precision")
        }
        guard let t = Self.formatInstant(secs) else {
            throw InputError("effective \"\(input)\" is outside the years 0001-9999")
        }
        text = t
        key = secs
    }

    /// Reads a stored value (already normalised).
    public init(stored: String) throws(InputError) {
        self = try Effective(parsing: stored)
        guard text == stored else { throw InputError("effective \"\(stored)\" is not in stored form (\(text))") }
    }

    /// Reads a stored value from UTF-8 bytes (a stored `effective` column). A
    /// date, the common case, is read without making more than its small string.
    public init(storedUTF8 b: UnsafeBufferPointer<UInt8>) throws(InputError) {
        if b.count == 10 {
            func d(_ i: Int) -> Int? { let c = b[i] &- 48; return c < 10 ? Int(c) : nil }
            if b[4] == 0x2D, b[7] == 0x2D, let y0 = d(0), let y1 = d(1), let y2 = d(2), let y3 = d(3),
               let m0 = d(5), let m1 = d(6), let d0 = d(8), let d1 = d(9)
            {
                let y = y0 * 1000 + y1 * 100 + y2 * 10 + y3, m = m0 * 10 + m1, day = d0 * 10 + d1
                if Calendar.isValidDate(y, m, day) {
                    text = String(decoding: b, as: UTF8.self)
                    key = Calendar.days(y, m, day) * 86400
                    return
                }
            }
        }
        self = try Effective(stored: String(decoding: b, as: UTF8.self))
    }

    /// Seconds since 1970 of a valid `YYYY-MM-DD`, read without allocating; nil for anything else.
    static func dateKey(_ s: String) -> Int64? {
        guard s.utf8.count == 10 else { return nil }
        return s.utf8.withContiguousStorageIfAvailable { b -> Int64? in
            func d(_ i: Int) -> Int? { let c = b[i] &- 48; return c < 10 ? Int(c) : nil }
            guard b[4] == 0x2D, b[7] == 0x2D, let y0 = d(0), let y1 = d(1), let y2 = d(2), let y3 = d(3),
                  let m0 = d(5), let m1 = d(6), let d0 = d(8), let d1 = d(9) else { return nil }
            let y = y0 * 1000 + y1 * 100 + y2 * 10 + y3, m = m0 * 10 + m1, day = d0 * 10 + d1
            guard Calendar.isValidDate(y, m, day) else { return nil }
            return Calendar.days(y, m, day) * 86400
        } ?? nil
    }

    static func formatInstant(_ secs: Int64) -> String? {
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = Int(secs - days * 86400)
        let (y, m, d) = Calendar.civil(days)
        guard (1...9999).contains(y) else { return nil }
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(rem / 3600, 2) + ":"
            + pad(rem / 60 % 60, 2) + ":" + pad(rem % 60, 2) + "Z"
    }

    public static func < (a: Effective, b: Effective) -> Bool { a.key < b.key }
}

/// The `recorded` clock: when the ledger appended an event, in microseconds, UTC.
public struct Recorded: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let micros: Int64
    public init(micros: Int64) { self.micros = micros }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`. Every append writes one, so it is laid out in place.
    public var text: String {
        let secs = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let frac = Int(micros - secs * 1_000_000)
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = Int(secs - days * 86400)
        let (y, m, d) = Calendar.civil(days)
        guard (1...9999).contains(y) else { return "0000-01-01T00:00:00." + pad(frac, 6) + "Z" }
        return String(unsafeUninitializedCapacity: 27) { b in
            func put(_ v: Int, _ at: Int, _ width: Int) {
                var v = v
                for k in stride(from: at + width - 1, through: at, by: -1) { b[k] = UInt8(48 + v % 10); v /= 10 }
            }
            put(y, 0, 4); b[4] = 0x2D; put(m, 5, 2); b[7] = 0x2D; put(d, 8, 2); b[10] = 0x54
            put(rem / 3600, 11, 2); b[13] = 0x3A; put(rem / 60 % 60, 14, 2); b[16] = 0x3A; put(rem % 60, 17, 2)
            b[19] = 0x2E; put(frac, 20, 6); b[26] = 0x5A
            return 27
        }
    }
    public var description: String { text }

    /// Parses the stored form exactly (`…SS.ffffffZ`).
    public init(stored: String) throws(InputError) {
        if let micros = Self.storedMicros(stored) {
            self.micros = micros
            return
        }
        let sc = TimeScanner(stored)
        guard stored.utf8.count == 27, sc.char(19, "."), sc.char(26, "Z"), sc.char(10, "T"),
              let parsed = sc.instant(), let (secs, frac) = parsed else {
            throw InputError("recorded \"\(stored)\" is not of the form YYYY-MM-DDTHH:MM:SS.ffffffZ")
        }
        micros = secs * 1_000_000 + frac
    }

    /// The stored form read in place (every verified event has one); nil
    /// for anything the careful path should look at and word.
    static func storedMicros(_ s: String) -> Int64? {
        guard s.utf8.count == 27 else { return nil }
        return s.utf8.withContiguousStorageIfAvailable(storedMicros) ?? nil
    }

    /// The stored form given as bytes (a stored column); nil as above.
    public static func storedMicros(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count == 27 else { return nil }
        func n(_ at: Int, _ width: Int) -> Int? { TimeScanner.digits(b, at, width) }
        guard b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x2E, b[26] == 0x5A,
              let y = n(0, 4), let mo = n(5, 2), let d = n(8, 2), let h = n(11, 2), let mi = n(14, 2), let sec = n(17, 2),
              let frac = n(20, 6), Calendar.isValidDate(y, mo, d), h < 24, mi < 60, sec < 60 else { return nil }
        return (Calendar.days(y, mo, d) * 86400 + Int64(h * 3600 + mi * 60 + sec)) * 1_000_000 + Int64(frac)
    }

    /// The system clock now.
    public static func now() -> Recorded {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Recorded(micros: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }

    public static func < (a: Recorded, b: Recorded) -> Bool { a.micros < b.micros }
}

/// A point in time given to `--as-of` or `--known-at`.
///
/// `YYYY`, `YYYY-MM` and `YYYY-MM-DD` mean the END of that period (the last
/// microsecond of it), so `--as-of 2018` is the state at the close of 2018;
/// an RFC 3339 instant means itself.
public struct TimePoint: Sendable, Hashable, CustomStringConvertible {
    /// What the user typed, echoed back in `asOf` / `knownAt`.
    public let input: String
    /// The last microsecond included, since 1970.
    public let micros: Int64

    public var description: String { input }

    public init(parsing input: String) throws(InputError) {
        let sc = TimeScanner(input)
        let n = input.utf8.count
        func endOfDay(_ y: Int, _ m: Int, _ d: Int) -> Int64 { (Calendar.days(y, m, d) + 1) * 86_400_000_000 - 1 }
        if n == 4, let y = sc.digits(0, 4), y >= 1 {
            micros = endOfDay(y, 12, 31)
        } else if n == 7, let y = sc.digits(0, 4), sc.char(4, "-"), let m = sc.digits(5, 2), Calendar.isValidDate(y, m, 1) {
            micros = endOfDay(y, m, Calendar.daysInMonth(y, m))
        } else if n == 10, let (y, m, d) = sc.date() {
            micros = endOfDay(y, m, d)
        } else if let parsed = sc.instant(), let (secs, frac) = parsed {
            micros = secs * 1_000_000 + frac
        } else {
            throw InputError("time \"\(input)\" is not YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 instant with offset")
        }
        self.input = input
    }

    /// The latest `effective` key (whole seconds) this point includes.
    public var effectiveKeyBound: Int64 { micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000 }

    /// The bound as stored `effective` text: `effective <= bound` compares correctly as strings.
    public var effectiveBound: String { Effective.formatInstant(effectiveKeyBound) ?? "9999-12-31T23:59:59Z" }

    /// The bound as stored `recorded` text.
    public var recordedBound: String { Recorded(micros: micros).text }
}

func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
