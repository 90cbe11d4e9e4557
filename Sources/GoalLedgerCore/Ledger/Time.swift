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
    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func isValidDate(_ year: Int, _ month: Int, _ day: Int) -> Bool {
        (1...9999).contains(year) && (1...12).contains(month) && day >= 1 && day <= daysInMonth(year, month)
    }

    public static func days(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let marchYear = Int64(month <= 2 ? year - 1 : year)
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yoe = marchYear - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public static func civil(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719468
        let era = (shifted >= 0 ? shifted : shifted - 146096) / 146097
        let doe = shifted - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let marchYear = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (Int(month <= 2 ? marchYear + 1 : marchYear), Int(month), Int(day))
    }
}

/// A little scanner for the fixed-width date and time forms of the SPEC.
struct TimeScanner {
    let bytes: [UInt8]
    init(_ text: String) { bytes = Array(text.utf8) }

    func digits(_ at: Int, _ count: Int) -> Int? {
        guard at + count <= bytes.count else { return nil }
        return Self.digits(bytes, at, count)
    }

    /// The number written by `count` ASCII digits from `at`; nil when one is not a digit.
    static func digits<Bytes: RandomAccessCollection<UInt8>>(
        _ bytes: Bytes,
        _ at: Int,
        _ count: Int
    ) -> Int? where Bytes.Index == Int {
        var value = 0
        for k in at..<(at + count) {
            let digit = bytes[k] &- 48
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    func char(_ at: Int, _ character: Character) -> Bool { at < bytes.count && bytes[at] == character.asciiValue! }
    func charIn(_ at: Int, _ cs: String) -> Bool { at < bytes.count && cs.utf8.contains(bytes[at]) }

    /// `YYYY-MM-DD` at offset 0, checked against the calendar.
    func date() -> (Int, Int, Int)? {
        guard let year = digits(0, 4), char(4, "-"), let month = digits(5, 2), char(7, "-"), let day = digits(8, 2),
              Calendar.isValidDate(year, month, day) else { return nil }
        return (year, month, day)
    }

    /// An RFC 3339 instant: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
    /// Returns whole seconds since 1970 in UTC and the fraction in microseconds; nil when it is not one.
    func instant() -> (seconds: Int64, micros: Int64)? {
        guard bytes.count > 10, charIn(10, "Tt") else { return nil }
        guard let (year, month, day) = date(), let hour = digits(11, 2), char(13, ":"), let minute = digits(14, 2),
              char(16, ":"), let second = digits(17, 2), hour < 24, minute < 60, second < 60 else { return nil }
        var cursor = 19
        var micros: Int64 = 0
        if char(cursor, ".") {
            cursor += 1
            var fractionDigits = 0
            while cursor < bytes.count, bytes[cursor] &- 48 < 10 {
                if fractionDigits < 6 {
                    micros = micros * 10 + Int64(bytes[cursor] - 48)
                } else if bytes[cursor] != 48 {
                    return nil
                }
                fractionDigits += 1
                cursor += 1
            }
            guard fractionDigits > 0 else { return nil }
            if fractionDigits < 6 { for _ in fractionDigits..<6 { micros *= 10 } }
        }
        var offset = 0
        if charIn(cursor, "Zz") {
            cursor += 1
        } else if charIn(cursor, "+-"),
                  let oh = digits(cursor + 1, 2), char(cursor + 3, ":"), let om = digits(cursor + 4, 2),
                  oh < 24, om < 60 {
            offset = (oh * 60 + om) * 60 * (bytes[cursor] == UInt8(ascii: "-") ? -1 : 1)
            cursor += 6
        } else {
            return nil
        }
        guard cursor == bytes.count else { return nil }
        let secs = Calendar.days(year, month, day) * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return (secs, micros)
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
        if let key = Self.storedFormKey(input) {
            self.text = input
            self.key = key
            return
        }
        let scanner = TimeScanner(input)
        if input.utf8.count == 10 {
            guard let (year, month, day) = scanner.date() else {
                throw InputError("effective \"\(input)\" is not a real calendar date (YYYY-MM-DD)")
            }
            text = input
            key = Calendar.days(year, month, day) * 86400
            return
        }
        guard let (secs, micros) = scanner.instant() else {
            throw InputError(
                "effective \"\(input)\" is neither a date (YYYY-MM-DD) nor an RFC 3339 instant with offset")
        }
        guard micros == 0 else {
            throw InputError(
                "effective \"\(input)\" has a fraction of a second; "
                    + "effective instants have one-second precision")
        }
        guard let formatted = Self.formatInstant(secs) else {
            throw InputError("effective \"\(input)\" is outside the years 0001-9999")
        }
        text = formatted
        key = secs
    }

    /// Reads a stored value (already normalised).
    public init(stored: String) throws(InputError) {
        self = try Effective(parsing: stored)
        guard text == stored else { throw InputError("effective \"\(stored)\" is not in stored form (\(text))") }
    }

    /// Reads a stored value from UTF-8 bytes (a stored `effective` column).
    /// The stored forms are read without making more than their small string.
    package init(storedUTF8 bytes: UnsafeBufferPointer<UInt8>) throws(InputError) {
        if let key = Self.storedFormKey(bytes) {
            text = String(decoding: bytes, as: UTF8.self)
            self.key = key
            return
        }
        self = try Effective(stored: String(decoding: bytes, as: UTF8.self))
    }

    /// Seconds since 1970 of text already in stored form, read without allocating; nil for anything else.
    static func storedFormKey(_ text: String) -> Int64? {
        text.utf8.withContiguousStorageIfAvailable(storedFormKey) ?? nil
    }

    /// Seconds since 1970 of an effective time in exactly the form `Effective`
    /// stores (`YYYY-MM-DD`, a real date, or `YYYY-MM-DDTHH:MM:SSZ` as
    /// `formatInstant` writes it), read without allocating; nil for anything
    /// else, which the careful path then reads and words. Every replayed and
    /// verified event goes through here: hourly measurements (the long shape,
    /// 100k events) spent 22 % of a replay in the careful path before instants
    /// were read here too.
    package static func storedFormKey(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        func number(_ at: Int, _ width: Int) -> Int? { TimeScanner.digits(bytes, at, width) }
        guard bytes.count == 10 || bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              Calendar.isValidDate(year, month, day) else { return nil }
        let midnight = Calendar.days(year, month, day) * 86400
        if bytes.count == 10 { return midnight }
        guard bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              bytes[19] == UInt8(ascii: "Z"),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              hour < 24, minute < 60, second < 60 else { return nil }
        return midnight + Int64(hour * 3600 + minute * 60 + second)
    }

    static func formatInstant(_ secs: Int64) -> String? {
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = Int(secs - days * 86400)
        let (year, month, day) = Calendar.civil(days)
        guard (1...9999).contains(year) else { return nil }
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(rem / 3600, 2) + ":"
            + pad(rem / 60 % 60, 2) + ":" + pad(rem % 60, 2) + "Z"
    }

    public static func < (lhs: Effective, rhs: Effective) -> Bool { lhs.key < rhs.key }
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
        let (year, month, day) = Calendar.civil(days)
        guard (1...9999).contains(year) else { return "0000-01-01T00:00:00." + pad(frac, 6) + "Z" }
        return String(unsafeUninitializedCapacity: 27) { buffer in
            func put(_ value: Int, _ at: Int, _ width: Int) {
                var value = value
                for k in stride(from: at + width - 1, through: at, by: -1) {
                    buffer[k] = UInt8(48 + value % 10)
                    value /= 10
                }
            }
            put(year, 0, 4)
            buffer[4] = 0x2D
            put(month, 5, 2)
            buffer[7] = 0x2D
            put(day, 8, 2)
            buffer[10] = 0x54
            put(rem / 3600, 11, 2)
            buffer[13] = 0x3A
            put(rem / 60 % 60, 14, 2)
            buffer[16] = 0x3A
            put(rem % 60, 17, 2)
            buffer[19] = 0x2E
            put(frac, 20, 6)
            buffer[26] = 0x5A
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
        let scanner = TimeScanner(stored)
        guard stored.utf8.count == 27, scanner.char(19, "."), scanner.char(26, "Z"), scanner.char(10, "T"),
              let (secs, frac) = scanner.instant() else {
            throw InputError("recorded \"\(stored)\" is not of the form YYYY-MM-DDTHH:MM:SS.ffffffZ")
        }
        micros = secs * 1_000_000 + frac
    }

    /// The stored form read in place (every verified event has one); nil
    /// for anything the careful path should look at and word.
    static func storedMicros(_ text: String) -> Int64? {
        guard text.utf8.count == 27 else { return nil }
        return text.utf8.withContiguousStorageIfAvailable(storedMicros) ?? nil
    }

    /// The stored form given as bytes (a stored column); nil as above.
    package static func storedMicros(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count == 27 else { return nil }
        func number(_ at: Int, _ width: Int) -> Int? { TimeScanner.digits(bytes, at, width) }
        guard bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A,
              bytes[19] == 0x2E, bytes[26] == 0x5A,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let sec = number(17, 2),
              let frac = number(20, 6), Calendar.isValidDate(year, month, day), hour < 24, minute < 60, sec < 60
        else { return nil }
        return (Calendar.days(year, month, day) * 86400 + Int64(hour * 3600 + minute * 60 + sec)) * 1_000_000
            + Int64(frac)
    }

    /// The system clock now.
    public static func now() -> Recorded {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Recorded(micros: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }

    public static func < (lhs: Recorded, rhs: Recorded) -> Bool { lhs.micros < rhs.micros }
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
        let scanner = TimeScanner(input)
        let length = input.utf8.count
        func endOfDay(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
            (Calendar.days(year, month, day) + 1) * 86_400_000_000 - 1
        }
        if length == 4, let year = scanner.digits(0, 4), year >= 1 {
            micros = endOfDay(year, 12, 31)
        } else if length == 7, let year = scanner.digits(0, 4), scanner.char(4, "-"),
                  let month = scanner.digits(5, 2), Calendar.isValidDate(year, month, 1) {
            micros = endOfDay(year, month, Calendar.daysInMonth(year, month))
        } else if length == 10, let (year, month, day) = scanner.date() {
            micros = endOfDay(year, month, day)
        } else if let (secs, frac) = scanner.instant() {
            micros = secs * 1_000_000 + frac
        } else {
            throw InputError(
                "time \"\(input)\" is not YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 instant with offset")
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

func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
