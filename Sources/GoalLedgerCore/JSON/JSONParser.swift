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
    private var i = 0
    private var depth = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public static func parse(_ text: String) throws(Error) -> JSON {
        var text = text
        do {
            return try text.withUTF8 { buf in try parse(buf) }
        } catch let e as Error { throw e } catch { fatalError("unreachable") }
    }

    public static func parse(_ bytes: [UInt8]) throws(Error) -> JSON {
        do {
            return try bytes.withUnsafeBufferPointer { buf in try parse(buf) }
        } catch let e as Error { throw e } catch { fatalError("unreachable") }
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Error) -> JSON {
        var p = JSONParser(bytes)
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            throw Error(message: "byte-order mark (BOM) is not allowed", offset: 0)
        }
        p.skipWhitespace()
        let v = try p.value()
        p.skipWhitespace()
        if p.i != bytes.count { throw p.fail("unexpected content after the JSON value") }
        return v
    }

    private func fail(_ message: String) -> Error { Error(message: message, offset: i) }

    private mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func value() throws(Error) -> JSON {
        guard i < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case 0: throw fail("NUL byte is not allowed")
        default:
            if bytes[i] == UInt8(ascii: "N") || bytes[i] == UInt8(ascii: "I") {
                throw fail("NaN and Infinity are not JSON numbers")
            }
            throw fail("unexpected character '\(Self.printable(bytes[i]))'")
        }
    }

    private static func printable(_ b: UInt8) -> String {
        (0x21...0x7E).contains(b) ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
    }

    private mutating func literal(_ word: StaticString) throws(Error) {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw fail("unexpected end of input") }
        let w = word.utf8Start
        for k in 0..<n where bytes[i + k] != w[k] {
            throw fail("invalid literal (expected \(word))")
        }
        i += n
    }

    private mutating func enter() throws(Error) {
        depth += 1
        if depth > Self.maxDepth { throw fail("nesting deeper than \(Self.maxDepth) levels") }
    }

    private mutating func object() throws(Error) -> JSON {
        try enter()
        i += 1
        // Past a few members, duplicates are found by hashing: a line of 100,000
        // members must not take minutes to reject.
        var names: Set<String>? = nil
        skipWhitespace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") {
            i += 1; depth -= 1
            return .object(JSONObject())
        }
        // The ledger's objects have a handful of members: room for them at once, not grown one by one.
        var obj = JSONObject(capacity: 4)
        while true {
            skipWhitespace()
            guard i < bytes.count else { throw fail("unexpected end of input in an object") }
            guard bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes") }
            let keyStart = i
            let key = try string()
            if obj.count >= 16 && names == nil { names = Set(obj.keys) }
            if names == nil ? obj.members.contains(where: { $0.key == key }) : !names!.insert(key).inserted {
                i = keyStart
                throw fail("duplicate member \"\(key)\"")
            }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a member name") }
            i += 1
            skipWhitespace()
            let v = try value()
            obj.appendUnchecked(key, v)
            skipWhitespace()
            guard i < bytes.count else { throw fail("unexpected end of input in an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; break }
            throw fail("expected ',' or '}' in an object")
        }
        depth -= 1
        return .object(obj)
    }

    private mutating func array() throws(Error) -> JSON {
        try enter()
        i += 1
        var items: [JSON] = []
        skipWhitespace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "]") {
            i += 1; depth -= 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try value())
            skipWhitespace()
            guard i < bytes.count else { throw fail("unexpected end of input in an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; break }
            throw fail("expected ',' or ']' in an array")
        }
        depth -= 1
        return .array(items)
    }

    private mutating func string() throws(Error) -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes.
        var ascii = true
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<i])
                i += 1
                // ASCII needs no validation; anything else is checked strictly.
                if ascii { return String(decoding: slice, as: UTF8.self) }
                guard let s = String(validating: slice, as: UTF8.self) else {
                    i = start
                    throw fail("invalid UTF-8 in a string")
                }
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw fail(b == 0 ? "NUL byte in a string" : "unescaped control character in a string") }
            if b >= 0x80 { ascii = false }
            i += 1
        }
        // Slow path: unescape into a byte buffer.
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw fail("invalid UTF-8 in a string")
                }
                return s
            }
            if b < 0x20 { throw fail(b == 0 ? "NUL byte in a string" : "unescaped control character in a string") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
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
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw fail("lone UTF-16 surrogate in a \\u escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("lone UTF-16 surrogate in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("lone UTF-16 surrogate in a \\u escape")
                }
                let u = Unicode.Scalar(scalar)!
                out.append(contentsOf: UTF8.encode(u)!)
            default:
                i -= 1
                throw fail("invalid escape '\\\(Self.printable(e))'")
            }
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws(Error) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private mutating func number() throws(Error) -> Double {
        let start = i
        var isInteger = true
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else { throw fail("invalid number") }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if i < bytes.count && isDigit(bytes[i]) { throw fail("leading zeros are not allowed in numbers") }
        } else {
            while i < bytes.count && isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { throw fail("invalid number: digits must follow '.'") }
            while i < bytes.count && isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            isInteger = false
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else { throw fail("invalid number: digits must follow the exponent") }
            while i < bytes.count && isDigit(bytes[i]) { i += 1 }
        }
        let len = i - start
        if !isInteger && len <= 17, let d = Self.shortDecimal(UnsafeBufferPointer(rebasing: bytes[start..<i])) { return d }
        if isInteger && len <= 16 {
            // Exact in a double for up to 15 digits plus sign; parse without strtod.
            var v: Int64 = 0
            var k = start
            let neg = bytes[k] == UInt8(ascii: "-")
            if neg { k += 1 }
            while k < i { v = v * 10 + Int64(bytes[k] - 48); k += 1 }
            return neg ? -Double(v) : Double(v)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            i = start
            throw fail("number out of range: \(text.prefix(40))")
        }
        return d
    }

    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }

    /// A decimal fraction without exponent and with at most 15 digits
    /// (`12.3`, `-0.05`), read without strtod: its digits make an integer
    /// below 2^53 and its scale a power of ten up to 10^15, both exact
    /// doubles, and IEEE division rounds their quotient correctly, so the
    /// result is the double strtod gives. Nil for anything else.
    private static func shortDecimal(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        var k = 0
        let negative = b[0] == UInt8(ascii: "-")
        if negative { k = 1 }
        var mantissa: Int64 = 0, digits = 0, scale = -1
        while k < b.count {
            let c = b[k]
            if c == UInt8(ascii: ".") {
                scale = 0
            } else {
                guard c &- 48 < 10 else { return nil }
                mantissa = mantissa * 10 + Int64(c - 48)
                digits += 1
                if scale >= 0 { scale += 1 }
            }
            k += 1
        }
        guard digits <= 15, scale >= 1 else { return nil }
        let d = Double(mantissa) / powersOfTen[scale]
        return negative ? -d : d
    }

    private static let powersOfTen: [Double] = (0...15).map { k in (0..<k).reduce(1.0) { x, _ in x * 10 } }
}
