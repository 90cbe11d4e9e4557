/// Recognises RFC 8785 canonical JSON from its bytes, without building
/// values: what `verify` asks of every stored `data` on the core that hashes,
/// so the folding core need not write each object out again to compare.
///
/// `isSurelyCanonical` is true only when the text is canonical wherever it
/// parses: members in order with no repeats, no whitespace, strings escaped
/// minimally, numbers as ECMAScript prints them. It leaves to the exact check
/// (parse, write canonically, compare) what it does not settle on the bytes
/// alone: names beyond ASCII, numbers with exponents or more than 15 digits.
/// It does not validate UTF-8; the parser does.
public enum CanonicalCheck {
    public static func isSurelyCanonical(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        guard value(b, &i, depth: 0) else { return false }
        return i == b.count
    }

    private static func value(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, depth: Int) -> Bool {
        guard i < b.count, depth <= JSONParser.maxDepth else { return false }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            if i < b.count && b[i] == UInt8(ascii: "}") { i += 1; return true }
            var previous: Range<Int>? = nil
            while true {
                guard i < b.count, b[i] == UInt8(ascii: "\""), let name = asciiName(b, &i) else { return false }
                // Names sort by UTF-16 code units: for ASCII, by bytes. Strictly, so none repeats.
                if let previous, !less(b, previous, name) { return false }
                previous = name
                guard i < b.count, b[i] == UInt8(ascii: ":") else { return false }
                i += 1
                guard value(b, &i, depth: depth + 1), i < b.count else { return false }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                guard b[i] == UInt8(ascii: "}") else { return false }
                i += 1
                return true
            }
        case UInt8(ascii: "["):
            i += 1
            if i < b.count && b[i] == UInt8(ascii: "]") { i += 1; return true }
            while true {
                guard value(b, &i, depth: depth + 1), i < b.count else { return false }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                guard b[i] == UInt8(ascii: "]") else { return false }
                i += 1
                return true
            }
        case UInt8(ascii: "\""):
            return string(b, &i)
        case UInt8(ascii: "t"): return literal(b, &i, "true")
        case UInt8(ascii: "f"): return literal(b, &i, "false")
        case UInt8(ascii: "n"): return literal(b, &i, "null")
        default:
            return number(b, &i)
        }
    }

    private static func literal(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { return false }
        for k in 0..<n where b[i + k] != word.utf8Start[k] { return false }
        i += n
        return true
    }

    /// A member name of printable ASCII without escapes; its bytes between the quotes.
    private static func asciiName(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Range<Int>? {
        let start = i + 1
        var k = start
        while k < b.count {
            let c = b[k]
            if c == UInt8(ascii: "\"") {
                i = k + 1
                return start..<k
            }
            guard c >= 0x20, c < 0x80, c != UInt8(ascii: "\\") else { return nil }
            k += 1
        }
        return nil
    }

    private static func less(_ b: UnsafeBufferPointer<UInt8>, _ x: Range<Int>, _ y: Range<Int>) -> Bool {
        let n = min(x.count, y.count)
        for k in 0..<n where b[x.lowerBound + k] != b[y.lowerBound + k] {
            return b[x.lowerBound + k] < b[y.lowerBound + k]
        }
        return x.count < y.count
    }

    /// A string whose escapes are exactly those the canonical writer makes.
    private static func string(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Bool {
        var k = i + 1
        while k < b.count {
            let c = b[k]
            if c == UInt8(ascii: "\"") {
                i = k + 1
                return true
            }
            if c < 0x20 { return false }
            if c == UInt8(ascii: "\\") {
                guard k + 1 < b.count else { return false }
                switch b[k + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                     UInt8(ascii: "r"), UInt8(ascii: "t"):
                    k += 2
                case UInt8(ascii: "u"):
                    // Only C0 controls without a short form, as \u00 and two lowercase hex digits.
                    guard k + 5 < b.count, b[k + 2] == 0x30, b[k + 3] == 0x30, let hi = lowerHex(b[k + 4]), let lo = lowerHex(b[k + 5])
                    else { return false }
                    let scalar = hi << 4 | lo
                    guard scalar < 0x20, ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(scalar) else { return false }
                    k += 6
                default:
                    return false
                }
                continue
            }
            k += 1
        }
        return false
    }

    private static func lowerHex(_ c: UInt8) -> UInt8? {
        if c &- 48 < 10 { return c - 48 }
        if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f") { return c - 87 }
        return nil
    }

    /// A number as ECMAScript prints it, for the forms settled on the bytes:
    /// an integer of at most 15 digits other than -0, or a decimal fraction
    /// of at most 15 significant digits, no trailing zero, and not below 10^-6
    /// (such a decimal is the shortest text of the double it denotes).
    private static func number(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Bool {
        var k = i
        let negative = b[k] == UInt8(ascii: "-")
        if negative { k += 1 }
        guard k < b.count, b[k] &- 48 < 10 else { return false }
        let intStart = k
        if b[k] == UInt8(ascii: "0") {
            k += 1
        } else {
            while k < b.count && b[k] &- 48 < 10 { k += 1 }
        }
        let intDigits = k - intStart
        let intIsZero = intDigits == 1 && b[intStart] == UInt8(ascii: "0")
        var significant = intIsZero ? 0 : intDigits
        if k < b.count && b[k] == UInt8(ascii: ".") {
            k += 1
            let fracStart = k
            while k < b.count && b[k] &- 48 < 10 { k += 1 }
            guard k > fracStart, b[k - 1] != UInt8(ascii: "0") else { return false }
            if intIsZero {
                var zeros = 0
                while b[fracStart + zeros] == UInt8(ascii: "0") { zeros += 1 }
                guard zeros <= 5 else { return false }
                significant = k - fracStart - zeros
            } else {
                significant += k - fracStart
            }
        } else if negative && intIsZero {
            return false  // -0 prints as 0
        }
        guard significant <= 15 else { return false }
        if k < b.count && (b[k] == UInt8(ascii: "e") || b[k] == UInt8(ascii: "E")) { return false }
        i = k
        return true
    }
}
