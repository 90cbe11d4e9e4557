/// A strict JSON parser over UTF-8 bytes (RFC 8259, no extensions).
///
/// Stricter than Foundation where a ledger must be: duplicate member names,
/// invalid UTF-8, lone surrogates, a byte-order mark, non-finite numbers and
/// trailing content are all errors. It is also several times faster than
/// `JSONDecoder`, which matters because replay decodes every event.
///
/// For example:
///
///     let value = try JSONParser.parse(#"{"value":30,"unit":"%"}"#)
public struct JSONParser: ~Copyable {
    /// Why the text is not acceptable JSON, with the byte offset where that was noticed.
    public struct Error: Swift.Error, Equatable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "\(message) (at byte \(offset + 1))" }
    }

    public static let maxDepth = 32

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public static func parse(_ text: String) throws(Error) -> JSON {
        var text = text
        do {
            return try text.withUTF8 { buf in try parse(buf) }
        } catch let error as Error {
            throw error
        } catch {
            fatalError("unreachable")
        }
    }

    public static func parse(_ bytes: [UInt8]) throws(Error) -> JSON {
        do {
            return try bytes.withUnsafeBufferPointer { buf in try parse(buf) }
        } catch let error as Error {
            throw error
        } catch {
            fatalError("unreachable")
        }
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Error) -> JSON {
        var parser = JSONParser(bytes)
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            throw Error(message: "byte-order mark (BOM) is not allowed", offset: 0)
        }
        parser.skipWhitespace()
        let value = try parser.value()
        parser.skipWhitespace()
        if parser.position != bytes.count { throw parser.fail("unexpected content after the JSON value") }
        return value
    }

    private func fail(_ message: String) -> Error { Error(message: message, offset: position) }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func value() throws(Error) -> JSON {
        guard position < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case 0: throw fail("NUL byte is not allowed")
        default:
            if bytes[position] == UInt8(ascii: "N") || bytes[position] == UInt8(ascii: "I") {
                throw fail("NaN and Infinity are not JSON numbers")
            }
            throw fail("unexpected character '\(Self.printable(bytes[position]))'")
        }
    }

    private static func printable(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    private mutating func literal(_ word: StaticString) throws(Error) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("unexpected end of input") }
        let expected = word.utf8Start
        for k in 0..<count where bytes[position + k] != expected[k] {
            throw fail("invalid literal (expected \(word))")
        }
        position += count
    }

    private mutating func enter() throws(Error) {
        depth += 1
        if depth > Self.maxDepth { throw fail("nesting deeper than \(Self.maxDepth) levels") }
    }

    private mutating func object() throws(Error) -> JSON {
        try enter()
        position += 1
        // Past a few members, duplicates are found by hashing: a line of 100,000
        // members must not take minutes to reject.
        var names: Set<String>? = nil
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(JSONObject())
        }
        // The ledger's objects have a handful of members: room for them at once, not grown one by one.
        var obj = JSONObject(capacity: 4)
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of input in an object") }
            guard bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes") }
            let keyStart = position
            let key = try string()
            if obj.count >= 16 && names == nil { names = Set(obj.keys) }
            if names == nil ? obj.members.contains(where: { $0.key == key }) : !names!.insert(key).inserted {
                position = keyStart
                throw fail("duplicate member \"\(key)\"")
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw fail("expected ':' after a member name")
            }
            position += 1
            skipWhitespace()
            let memberValue = try value()
            obj.appendUnchecked(key, memberValue)
            if try closes(with: "}", in: "an object") { break }
        }
        depth -= 1
        return .object(obj)
    }

    /// After a member or an element: consumes the `,` before the next one
    /// (false) or the `closing` bracket (true).
    private mutating func closes(with closing: Unicode.Scalar, in container: String) throws(Error) -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input in \(container)") }
        let byte = bytes[position]
        guard byte == UInt8(ascii: ",") || byte == UInt8(ascii: closing) else {
            throw fail("expected ',' or '\(closing)' in \(container)")
        }
        position += 1
        return byte == UInt8(ascii: closing)
    }

    private mutating func array() throws(Error) -> JSON {
        try enter()
        position += 1
        var items: [JSON] = []
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try value())
            if try closes(with: "]", in: "an array") { break }
        }
        depth -= 1
        return .array(items)
    }

    private mutating func string() throws(Error) -> String {
        position += 1  // opening quote
        let start = position
        // Fast path: no escapes.
        var ascii = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                position += 1
                // ASCII needs no validation; anything else is checked strictly.
                if ascii { return String(decoding: slice, as: UTF8.self) }
                guard let text = String(validating: slice, as: UTF8.self) else {
                    position = start
                    throw fail("invalid UTF-8 in a string")
                }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 {
                throw fail(byte == 0 ? "NUL byte in a string" : "unescaped control character in a string")
            }
            if byte >= 0x80 { ascii = false }
            position += 1
        }
        // Slow path: unescape into a byte buffer.
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                guard let text = String(validating: out, as: UTF8.self) else {
                    throw fail("invalid UTF-8 in a string")
                }
                return text
            }
            if byte < 0x20 {
                throw fail(byte == 0 ? "NUL byte in a string" : "unescaped control character in a string")
            }
            if byte != UInt8(ascii: "\\") {
                out.append(byte)
                position += 1
                continue
            }
            position += 1
            guard position < bytes.count else { break }
            let escaped = bytes[position]
            position += 1
            switch escaped {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard position + 1 < bytes.count,
                          bytes[position] == UInt8(ascii: "\\"),
                          bytes[position + 1] == UInt8(ascii: "u")
                    else {
                        throw fail("lone UTF-16 surrogate in a \\u escape")
                    }
                    position += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw fail("lone UTF-16 surrogate in a \\u escape")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("lone UTF-16 surrogate in a \\u escape")
                }
                let unicodeScalar = Unicode.Scalar(scalar)!
                out.append(contentsOf: UTF8.encode(unicodeScalar)!)
            default:
                position -= 1
                throw fail("invalid escape '\\\(Self.printable(escaped))'")
            }
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws(Error) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private mutating func number() throws(Error) -> Double {
        let start = position
        var isInteger = true
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count && isDigit(bytes[position]) {
                throw fail("leading zeros are not allowed in numbers")
            }
        } else {
            while position < bytes.count && isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw fail("invalid number: digits must follow '.'")
            }
            while position < bytes.count && isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
            isInteger = false
            position += 1
            if position < bytes.count
                && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw fail("invalid number: digits must follow the exponent")
            }
            while position < bytes.count && isDigit(bytes[position]) { position += 1 }
        }
        let len = position - start
        if !isInteger && len <= 17,
           let decimal = Self.shortDecimal(UnsafeBufferPointer(rebasing: bytes[start..<position])) {
            return decimal
        }
        if isInteger && len <= 16 {
            // Exact in a double for up to 15 digits plus sign; parse without strtod.
            var value: Int64 = 0
            var cursor = start
            let neg = bytes[cursor] == UInt8(ascii: "-")
            if neg { cursor += 1 }
            while cursor < position {
                value = value * 10 + Int64(bytes[cursor] - 48)
                cursor += 1
            }
            return neg ? -Double(value) : Double(value)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let parsed = Double(text), parsed.isFinite else {
            position = start
            throw fail("number out of range: \(text.prefix(40))")
        }
        return parsed
    }

    @inline(__always) private func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }

    /// A decimal fraction without exponent and with at most 15 digits
    /// (`12.3`, `-0.05`), read without strtod: its digits make an integer
    /// below 2^53 and its scale a power of ten up to 10^15, both exact
    /// doubles, and IEEE division rounds their quotient correctly, so the
    /// result is the double strtod gives. Nil for anything else.
    private static func shortDecimal(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        var cursor = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { cursor = 1 }
        var mantissa: Int64 = 0, digits = 0, scale = -1
        while cursor < text.count {
            let byte = text[cursor]
            if byte == UInt8(ascii: ".") {
                scale = 0
            } else {
                guard byte &- 48 < 10 else { return nil }
                mantissa = mantissa * 10 + Int64(byte - 48)
                digits += 1
                if scale >= 0 { scale += 1 }
            }
            cursor += 1
        }
        guard digits <= 15, scale >= 1 else { return nil }
        let magnitude = Double(mantissa) / powersOfTen[scale]
        return negative ? -magnitude : magnitude
    }

    private static let powersOfTen: [Double] = (0...15).map { k in (0..<k).reduce(1.0) { product, _ in product * 10 } }
}
