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
package enum CanonicalCheck {
    package static func isSurelyCanonical(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var position = 0
        guard value(bytes, &position, depth: 0) else { return false }
        return position == bytes.count
    }

    private static func value(_ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int, depth: Int) -> Bool {
        guard position < bytes.count, depth <= JSONParser.maxDepth else { return false }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
                position += 1
                return true
            }
            var previous: Range<Int>? = nil
            while true {
                guard position < bytes.count,
                      bytes[position] == UInt8(ascii: "\""),
                      let name = asciiName(bytes, &position)
                else { return false }
                // Names sort by UTF-16 code units: for ASCII, by bytes. Strictly, so none repeats.
                if let previous, !less(bytes, previous, name) { return false }
                previous = name
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return false }
                position += 1
                guard value(bytes, &position, depth: depth + 1), position < bytes.count else { return false }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard bytes[position] == UInt8(ascii: "}") else { return false }
                position += 1
                return true
            }
        case UInt8(ascii: "["):
            position += 1
            if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
                position += 1
                return true
            }
            while true {
                guard value(bytes, &position, depth: depth + 1), position < bytes.count else { return false }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard bytes[position] == UInt8(ascii: "]") else { return false }
                position += 1
                return true
            }
        case UInt8(ascii: "\""):
            return string(bytes, &position)
        case UInt8(ascii: "t"): return literal(bytes, &position, "true")
        case UInt8(ascii: "f"): return literal(bytes, &position, "false")
        case UInt8(ascii: "n"): return literal(bytes, &position, "null")
        default:
            return number(bytes, &position)
        }
    }

    private static func literal(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ position: inout Int,
        _ word: StaticString
    ) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for k in 0..<count where bytes[position + k] != word.utf8Start[k] { return false }
        position += count
        return true
    }

    /// A member name of printable ASCII without escapes; its bytes between the quotes.
    private static func asciiName(_ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int) -> Range<Int>? {
        let start = position + 1
        var cursor = start
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") {
                position = cursor + 1
                return start..<cursor
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
            cursor += 1
        }
        return nil
    }

    private static func less(_ bytes: UnsafeBufferPointer<UInt8>, _ lhs: Range<Int>, _ rhs: Range<Int>) -> Bool {
        let count = min(lhs.count, rhs.count)
        for cursor in 0..<count where bytes[lhs.lowerBound + cursor] != bytes[rhs.lowerBound + cursor] {
            return bytes[lhs.lowerBound + cursor] < bytes[rhs.lowerBound + cursor]
        }
        return lhs.count < rhs.count
    }

    /// A string whose escapes are exactly those the canonical writer makes.
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int) -> Bool {
        var cursor = position + 1
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") {
                position = cursor + 1
                return true
            }
            if byte < 0x20 { return false }
            if byte == UInt8(ascii: "\\") {
                guard cursor + 1 < bytes.count else { return false }
                switch bytes[cursor + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                     UInt8(ascii: "r"), UInt8(ascii: "t"):
                    cursor += 2
                case UInt8(ascii: "u"):
                    // Only C0 controls without a short form, as \u00 and two lowercase hex digits.
                    guard cursor + 5 < bytes.count,
                          bytes[cursor + 2] == 0x30,
                          bytes[cursor + 3] == 0x30,
                          let hi = lowerHex(bytes[cursor + 4]),
                          let lo = lowerHex(bytes[cursor + 5])
                    else { return false }
                    let scalar = hi << 4 | lo
                    guard scalar < 0x20, ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(scalar) else { return false }
                    cursor += 6
                default:
                    return false
                }
                continue
            }
            cursor += 1
        }
        return false
    }

    private static func lowerHex(_ byte: UInt8) -> UInt8? {
        if byte &- 48 < 10 { return byte - 48 }
        if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f") { return byte - 87 }
        return nil
    }

    /// A number as ECMAScript prints it, for the forms settled on the bytes:
    /// an integer of at most 15 digits other than -0, or a decimal fraction
    /// of at most 15 significant digits, no trailing zero, and not below 10^-6
    /// (such a decimal is the shortest text of the double it denotes).
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int) -> Bool {
        var cursor = position
        let negative = bytes[cursor] == UInt8(ascii: "-")
        if negative { cursor += 1 }
        guard cursor < bytes.count, bytes[cursor] &- 48 < 10 else { return false }
        let intStart = cursor
        if bytes[cursor] == UInt8(ascii: "0") {
            cursor += 1
        } else {
            while cursor < bytes.count && bytes[cursor] &- 48 < 10 { cursor += 1 }
        }
        let intDigits = cursor - intStart
        let intIsZero = intDigits == 1 && bytes[intStart] == UInt8(ascii: "0")
        var significant = intIsZero ? 0 : intDigits
        if cursor < bytes.count && bytes[cursor] == UInt8(ascii: ".") {
            cursor += 1
            let fracStart = cursor
            while cursor < bytes.count && bytes[cursor] &- 48 < 10 { cursor += 1 }
            guard cursor > fracStart, bytes[cursor - 1] != UInt8(ascii: "0") else { return false }
            if intIsZero {
                var zeros = 0
                while bytes[fracStart + zeros] == UInt8(ascii: "0") { zeros += 1 }
                guard zeros <= 5 else { return false }
                significant = cursor - fracStart - zeros
            } else {
                significant += cursor - fracStart
            }
        } else if negative && intIsZero {
            return false  // -0 prints as 0
        }
        guard significant <= 15 else { return false }
        if cursor < bytes.count && (bytes[cursor] == UInt8(ascii: "e") || bytes[cursor] == UInt8(ascii: "E")) {
            return false
        }
        position = cursor
        return true
    }
}
