/// Serialises JSON to UTF-8 bytes: canonically (RFC 8785, for hashing) or in
/// a chosen member order (for people).
///
/// Both modes share the RFC 8785 rules for strings (minimal escaping) and
/// numbers (ECMAScript `Number.prototype.toString`), so every number and
/// string the ledger prints is the one it hashed.
///
/// For example:
///
///     JSONWriter.canonical(["b": 1, "a": [true, nil]])   // {"a":[true,null],"b":1}
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// RFC 8785 canonical serialisation.
    public static func canonical(_ value: JSON) -> String {
        var writer = JSONWriter()
        writer.writeCanonical(value)
        return writer.string
    }

    /// Compact serialisation keeping each object's member order.
    public static func ordered(_ value: JSON) -> String {
        var writer = JSONWriter()
        writer.writeOrdered(value)
        return writer.string
    }

    // MARK: Values

    public mutating func writeCanonical(_ value: JSON) {
        switch value {
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            // Stored data and states are already in canonical order: check before sorting.
            let members = object.members
            var inOrder = true
            for k in members.indices.dropFirst() where !Self.utf16Less(members[k - 1].key, members[k].key) {
                inOrder = false
                break
            }
            func write(_ offset: Int, _ member: (key: String, value: JSON)) {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(member.key)
                bytes.append(UInt8(ascii: ":"))
                writeCanonical(member.value)
            }
            if inOrder {
                for (offset, member) in members.enumerated() { write(offset, member) }
            } else {
                // The ledger's objects are small: sort their places on the stack, not a copy of the members.
                withUnsafeTemporaryAllocation(of: Int.self, capacity: members.count) { order in
                    for k in order.indices { order[k] = k }
                    for k in order.indices.dropFirst() {
                        let place = order[k]
                        var slot = k
                        while slot > 0 && Self.utf16Less(members[place].key, members[order[slot - 1]].key) {
                            order[slot] = order[slot - 1]
                            slot -= 1
                        }
                        order[slot] = place
                    }
                    for (offset, place) in order.enumerated() { write(offset, members[place]) }
                }
            }
            bytes.append(UInt8(ascii: "}"))
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                writeCanonical(element)
            }
            bytes.append(UInt8(ascii: "]"))
        default:
            writeScalar(value)
        }
    }

    public mutating func writeOrdered(_ value: JSON) {
        switch value {
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            for (offset, member) in object.members.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(member.key)
                bytes.append(UInt8(ascii: ":"))
                writeOrdered(member.value)
            }
            bytes.append(UInt8(ascii: "}"))
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                writeOrdered(element)
            }
            bytes.append(UInt8(ascii: "]"))
        default:
            writeScalar(value)
        }
    }

    private mutating func writeScalar(_ value: JSON) {
        switch value {
        case .null: append("null")
        case .bool(let bool): append(bool ? "true" : "false")
        case .number(let number): writeNumber(number)
        case .string(let text): writeString(text)
        case .array, .object: preconditionFailure("not a scalar")
        }
    }

    /// RFC 8785 §3.2.2.3: member names sort by their UTF-16 code units.
    public static func utf16Less(_ lhs: String, _ rhs: String) -> Bool {
        // Names are ASCII almost always: compare their bytes in place.
        let inPlace = lhs.utf8.withContiguousStorageIfAvailable { lhsBytes in
            rhs.utf8.withContiguousStorageIfAvailable { rhsBytes -> Bool? in
                for k in 0..<min(lhsBytes.count, rhsBytes.count) where lhsBytes[k] != rhsBytes[k] {
                    return lhsBytes[k] < 0x80 && rhsBytes[k] < 0x80 ? lhsBytes[k] < rhsBytes[k] : nil
                }
                return lhsBytes.count < rhsBytes.count
            } ?? nil
        }
        if let less = inPlace ?? nil { return less }
        // UTF-8 byte order is code point order, which is UTF-16 order unless the
        // first difference involves a character above U+DFFF: settle ASCII differences here.
        var lhsIterator = lhs.utf8.makeIterator(), rhsIterator = rhs.utf8.makeIterator()
        while true {
            switch (lhsIterator.next(), rhsIterator.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (lhsByte?, rhsByte?):
                if lhsByte == rhsByte { continue }
                if lhsByte < 0x80 && rhsByte < 0x80 { return lhsByte < rhsByte }
                return lhs.utf16.lexicographicallyPrecedes(rhs.utf16)
            }
        }
    }

    // MARK: Pieces, for writers that assemble objects themselves

    public mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends text that is already JSON (a stored canonical fragment).
    public mutating func appendRaw(_ json: String) {
        // Read in place where the string is contiguous (native strings are): no copy, no retain.
        if json.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) != nil { return }
        var json = json
        json.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends `prefix` (such as `,"reason":`) and the string, or nothing when there is no string:
    /// an optional string member of an object written by hand.
    @inline(__always)
    public mutating func writeMember(_ prefix: StaticString, ifPresent text: String?) {
        guard let text else { return }
        append(prefix)
        writeString(text)
    }

    /// Writes `"key":` for an object member.
    public mutating func key(_ name: String) {
        writeString(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// RFC 8785 §3.2.2.2: escape only `"`, `\` and C0 controls; short forms where JSON has them.
    public mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        if text.utf8.withContiguousStorageIfAvailable({ writeEscaped($0) }) == nil {
            var text = text
            text.withUTF8 { writeEscaped($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes UTF-8 text given as bytes (a stored column) as a JSON string, escaped as `writeString` does.
    package mutating func writeString(utf8 buf: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        writeEscaped(buf)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func writeEscaped(_ buf: UnsafeBufferPointer<UInt8>) {
        // Most text needs no escape at all: find the first byte that does, eight at a time.
        let first = Self.firstToEscape(buf)
        if first == buf.count {
            bytes.append(contentsOf: buf)
            return
        }
        var runStart = 0
        for k in first..<buf.count {
            let byte = buf[k]
            if byte >= 0x20 && byte != 0x22 && byte != 0x5C { continue }
            if runStart < k { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<k])) }
            runStart = k + 1
            switch byte {
            case 0x22: append("\\\"")
            case 0x5C: append("\\\\")
            case 0x08: append("\\b")
            case 0x09: append("\\t")
            case 0x0A: append("\\n")
            case 0x0C: append("\\f")
            case 0x0D: append("\\r")
            default:
                append("\\u00")
                bytes.append(Self.hexDigit(byte >> 4))
                bytes.append(Self.hexDigit(byte & 0xF))
            }
        }
        if runStart < buf.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart...])) }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }

    /// Index of the first byte a JSON string must escape (`"`, `\`, below 0x20); the count when none.
    static func firstToEscape(_ buf: UnsafeBufferPointer<UInt8>) -> Int {
        var index = 0
        let count = buf.count
        if let base = buf.baseAddress {
            let raw = UnsafeRawPointer(base)
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            while index + 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                // A byte below 0x20, or equal to '"' or '\\' (a zero byte of word XOR it), sets its high bit.
                let control = (word &- ones &* 0x20) & ~word & highs
                let quoteXor = word ^ (ones &* 0x22), quote = (quoteXor &- ones) & ~quoteXor & highs
                let backslashXor = word ^ (ones &* 0x5C), backslash = (backslashXor &- ones) & ~backslashXor & highs
                if control | quote | backslash != 0 { break }
                index += 8
            }
        }
        while index < count {
            let byte = buf[index]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C { return index }
            index += 1
        }
        return count
    }

    public mutating func writeInteger(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            if value == .min {
                append("9223372036854775808")
                return
            }
            writeInteger(-value)
            return
        }
        if value < 10 {
            bytes.append(48 + UInt8(value))
            return
        }
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var remaining = value
        withUnsafeMutableBytes(of: &tmp) { digits in
            while remaining > 0 {
                digits[count] = 48 + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            }
            for k in stride(from: count - 1, through: 0, by: -1) { bytes.append(digits[k]) }
        }
    }

    /// ECMAScript `Number::toString` for a finite double (RFC 8785 §3.2.2.3).
    public mutating func writeNumber(_ number: Double) {
        precondition(number.isFinite, "JSON numbers are finite")
        if number == 0 {  // also -0
            bytes.append(UInt8(ascii: "0"))
            return
        }
        if number == number.rounded(), abs(number) < 1e15 {
            writeInteger(Int64(number))
            return
        }
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        // Swift's description is the shortest digit string that round-trips
        // (closest to the value when several do), as ECMAScript requires; only
        // the layout differs, so take its digits and exponent and lay them out again.
        var text = abs(number).description  // e.g. "1.5", "0.001", "1.2345e+20", "5e-324": short, so no allocation
        text.withUTF8 { utf8 in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: utf8.count) { digits in
                let (count, exponent) = Self.shortestDigits(utf8, into: digits)
                layOut(UnsafeBufferPointer(rebasing: digits[..<count]), exponent)
            }
        }
    }

    /// ECMAScript's layout of the digits `d1…dk` of a positive number 0.d1…dk × 10^exponent.
    private mutating func layOut(_ digits: UnsafeBufferPointer<UInt8>, _ exponent: Int) {
        let count = digits.count
        if count <= exponent && exponent <= 21 {
            bytes.append(contentsOf: digits)
            for _ in 0..<(exponent - count) { bytes.append(48) }
        } else if 0 < exponent && exponent <= 21 {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[0..<exponent]))
            bytes.append(UInt8(ascii: "."))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[exponent...]))
        } else if -6 < exponent && exponent <= 0 {
            append("0.")
            for _ in 0..<(-exponent) { bytes.append(48) }
            bytes.append(contentsOf: digits)
        } else {
            bytes.append(digits[0])
            if count > 1 {
                bytes.append(UInt8(ascii: "."))
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[1...]))
            }
            bytes.append(UInt8(ascii: "e"))
            let scientificExponent = exponent - 1
            bytes.append(scientificExponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            writeInteger(Int64(abs(scientificExponent)))
        }
    }

    /// The significant digits of Swift's shortest round-trip `description` of a
    /// positive finite double, written into `out`: their `count`, and the
    /// `exponent` with value = 0.d1d2…dk × 10^exponent.
    static func shortestDigits(
        _ text: UnsafeBufferPointer<UInt8>,
        into out: UnsafeMutableBufferPointer<UInt8>
    ) -> (count: Int, exponent: Int) {
        var end = text.count
        var exp = 0
        if let exponentMark = text.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            end = exponentMark
            var sign = 1
            var cursor = exponentMark + 1
            if cursor < text.count && (text[cursor] == UInt8(ascii: "-") || text[cursor] == UInt8(ascii: "+")) {
                if text[cursor] == UInt8(ascii: "-") { sign = -1 }
                cursor += 1
            }
            while cursor < text.count {
                exp = exp * 10 + Int(text[cursor] - 48)
                cursor += 1
            }
            exp *= sign
        }
        var count = 0
        var pointAt: Int? = nil
        for j in 0..<end {
            let byte = text[j]
            if byte == UInt8(ascii: ".") {
                pointAt = count
            } else {
                out[count] = byte
                count += 1
            }
        }
        var intDigits = pointAt ?? count
        // Drop leading zeros ("0.001" → "1" with the point moved), then trailing ones.
        var first = 0
        while count - first > 1 && out[first] == 48 {
            first += 1
            intDigits -= 1
        }
        if first > 0 {
            for j in first..<count { out[j - first] = out[j] }
            count -= first
        }
        while count > 1 && out[count - 1] == 48 { count -= 1 }
        return (count, intDigits + exp)
    }

}
