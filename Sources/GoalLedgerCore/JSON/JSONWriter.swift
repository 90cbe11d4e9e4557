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
        var w = JSONWriter()
        w.writeCanonical(value)
        return w.string
    }

    /// Compact serialisation keeping each object's member order.
    public static func ordered(_ value: JSON) -> String {
        var w = JSONWriter()
        w.writeOrdered(value)
        return w.string
    }

    // MARK: Values

    public mutating func writeCanonical(_ value: JSON) {
        switch value {
        case .object(let o):
            bytes.append(UInt8(ascii: "{"))
            // Stored data and states are already in canonical order: check before sorting.
            let members = o.members
            var inOrder = true
            for k in members.indices.dropFirst() where !Self.utf16Less(members[k - 1].key, members[k].key) {
                inOrder = false
                break
            }
            func write(_ n: Int, _ m: (key: String, value: JSON)) {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(m.key)
                bytes.append(UInt8(ascii: ":"))
                writeCanonical(m.value)
            }
            if inOrder {
                for (n, m) in members.enumerated() { write(n, m) }
            } else {
                // The ledger's objects are small: sort their places on the stack, not a copy of the members.
                withUnsafeTemporaryAllocation(of: Int.self, capacity: members.count) { order in
                    for k in order.indices { order[k] = k }
                    for k in order.indices.dropFirst() {
                        let x = order[k]
                        var j = k
                        while j > 0 && Self.utf16Less(members[x].key, members[order[j - 1]].key) {
                            order[j] = order[j - 1]
                            j -= 1
                        }
                        order[j] = x
                    }
                    for (n, k) in order.enumerated() { write(n, members[k]) }
                }
            }
            bytes.append(UInt8(ascii: "}"))
        case .array(let a):
            bytes.append(UInt8(ascii: "["))
            for (n, v) in a.enumerated() {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                writeCanonical(v)
            }
            bytes.append(UInt8(ascii: "]"))
        default:
            writeScalar(value)
        }
    }

    public mutating func writeOrdered(_ value: JSON) {
        switch value {
        case .object(let o):
            bytes.append(UInt8(ascii: "{"))
            for (n, m) in o.members.enumerated() {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(m.key)
                bytes.append(UInt8(ascii: ":"))
                writeOrdered(m.value)
            }
            bytes.append(UInt8(ascii: "}"))
        case .array(let a):
            bytes.append(UInt8(ascii: "["))
            for (n, v) in a.enumerated() {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                writeOrdered(v)
            }
            bytes.append(UInt8(ascii: "]"))
        default:
            writeScalar(value)
        }
    }

    private mutating func writeScalar(_ value: JSON) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .number(let d): writeNumber(d)
        case .string(let s): writeString(s)
        case .array, .object: preconditionFailure("not a scalar")
        }
    }

    /// RFC 8785 §3.2.2.3: member names sort by their UTF-16 code units.
    public static func utf16Less(_ a: String, _ b: String) -> Bool {
        // Names are ASCII almost always: compare their bytes in place.
        let inPlace = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y -> Bool? in
                for k in 0..<min(x.count, y.count) where x[k] != y[k] {
                    return x[k] < 0x80 && y[k] < 0x80 ? x[k] < y[k] : nil
                }
                return x.count < y.count
            } ?? nil
        }
        if let less = inPlace ?? nil { return less }
        // UTF-8 byte order is code point order, which is UTF-16 order unless the
        // first difference involves a character above U+DFFF: settle ASCII differences here.
        var x = a.utf8.makeIterator(), y = b.utf8.makeIterator()
        while true {
            switch (x.next(), y.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (p?, q?):
                if p == q { continue }
                if p < 0x80 && q < 0x80 { return p < q }
                return a.utf16.lexicographicallyPrecedes(b.utf16)
            }
        }
    }

    // MARK: Pieces, for writers that assemble objects themselves

    public mutating func append(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Appends text that is already JSON (a stored canonical fragment).
    public mutating func appendRaw(_ s: String) {
        // Read in place where the string is contiguous (native strings are): no copy, no retain.
        if s.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) != nil { return }
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Writes `"key":` for an object member.
    public mutating func key(_ k: String) {
        writeString(k)
        bytes.append(UInt8(ascii: ":"))
    }

    /// RFC 8785 §3.2.2.2: escape only `"`, `\` and C0 controls; short forms where JSON has them.
    public mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        if s.utf8.withContiguousStorageIfAvailable({ writeEscaped($0) }) == nil {
            var s = s
            s.withUTF8 { writeEscaped($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes UTF-8 text given as bytes (a stored column) as a JSON string, escaped as `writeString` does.
    public mutating func writeString(utf8 buf: UnsafeBufferPointer<UInt8>) {
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
            let b = buf[k]
            if b >= 0x20 && b != 0x22 && b != 0x5C { continue }
            if runStart < k { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<k])) }
            runStart = k + 1
            switch b {
            case 0x22: append("\\\"")
            case 0x5C: append("\\\\")
            case 0x08: append("\\b")
            case 0x09: append("\\t")
            case 0x0A: append("\\n")
            case 0x0C: append("\\f")
            case 0x0D: append("\\r")
            default:
                append("\\u00")
                bytes.append(Self.hexDigit(b >> 4))
                bytes.append(Self.hexDigit(b & 0xF))
            }
        }
        if runStart < buf.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart...])) }
    }

    private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 87 + v }

    /// Index of the first byte a JSON string must escape (`"`, `\`, below 0x20); the count when none.
    static func firstToEscape(_ buf: UnsafeBufferPointer<UInt8>) -> Int {
        var k = 0
        let n = buf.count
        if let base = buf.baseAddress {
            let raw = UnsafeRawPointer(base)
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            while k + 8 <= n {
                let v = raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                // A byte below 0x20, or equal to '"' or '\\' (a zero byte of v XOR it), sets its high bit.
                let control = (v &- ones &* 0x20) & ~v & highs
                let q = v ^ (ones &* 0x22), quote = (q &- ones) & ~q & highs
                let b = v ^ (ones &* 0x5C), backslash = (b &- ones) & ~b & highs
                if control | quote | backslash != 0 { break }
                k += 8
            }
        }
        while k < n {
            let c = buf[k]
            if c < 0x20 || c == 0x22 || c == 0x5C { return k }
            k += 1
        }
        return n
    }

    public mutating func writeInteger(_ v: Int64) {
        if v < 0 {
            bytes.append(UInt8(ascii: "-"))
            if v == .min { append("9223372036854775808"); return }
            writeInteger(-v)
            return
        }
        if v < 10 { bytes.append(48 + UInt8(v)); return }
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &tmp) { p in
            while x > 0 { p[n] = 48 + UInt8(x % 10); x /= 10; n += 1 }
            for k in stride(from: n - 1, through: 0, by: -1) { bytes.append(p[k]) }
        }
    }

    /// ECMAScript `Number::toString` for a finite double (RFC 8785 §3.2.2.3).
    public mutating func writeNumber(_ d: Double) {
        precondition(d.isFinite, "JSON numbers are finite")
        if d == 0 { bytes.append(UInt8(ascii: "0")); return }  // also -0
        if d == d.rounded(), abs(d) < 1e15 { writeInteger(Int64(d)); return }
        if d < 0 { bytes.append(UInt8(ascii: "-")) }
        // Swift's description is the shortest digit string that round-trips
        // (closest to the value when several do), as ECMAScript requires; only
        // the layout differs, so take its digits and exponent and lay them out again.
        var text = abs(d).description  // e.g. "1.5", "0.001", "1.2345e+20", "5e-324": short, so no allocation
        text.withUTF8 { t in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: t.count) { digits in
                let (k, n) = Self.shortestDigits(t, into: digits)
                layOut(UnsafeBufferPointer(rebasing: digits[..<k]), n)
            }
        }
    }

    /// ECMAScript's layout of the digits `d1…dk` of a positive number 0.d1…dk × 10^n.
    private mutating func layOut(_ digits: UnsafeBufferPointer<UInt8>, _ n: Int) {
        let k = digits.count
        if k <= n && n <= 21 {
            bytes.append(contentsOf: digits)
            for _ in 0..<(n - k) { bytes.append(48) }
        } else if 0 < n && n <= 21 {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[0..<n]))
            bytes.append(UInt8(ascii: "."))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[n...]))
        } else if -6 < n && n <= 0 {
            append("0.")
            for _ in 0..<(-n) { bytes.append(48) }
            bytes.append(contentsOf: digits)
        } else {
            bytes.append(digits[0])
            if k > 1 {
                bytes.append(UInt8(ascii: "."))
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[1...]))
            }
            bytes.append(UInt8(ascii: "e"))
            let e = n - 1
            bytes.append(e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            writeInteger(Int64(abs(e)))
        }
    }

    /// The significant digits of Swift's shortest round-trip `description` of a
    /// positive finite double, written into `out`: their count `k`, and the
    /// exponent `n` with value = 0.d1d2…dk × 10^n.
    static func shortestDigits(_ text: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> (k: Int, n: Int) {
        var end = text.count
        var exp = 0
        if let e = text.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            end = e
            var sign = 1
            var j = e + 1
            if j < text.count && (text[j] == UInt8(ascii: "-") || text[j] == UInt8(ascii: "+")) {
                if text[j] == UInt8(ascii: "-") { sign = -1 }
                j += 1
            }
            while j < text.count { exp = exp * 10 + Int(text[j] - 48); j += 1 }
            exp *= sign
        }
        var k = 0
        var pointAt: Int? = nil
        for j in 0..<end {
            let c = text[j]
            if c == UInt8(ascii: ".") { pointAt = k } else { out[k] = c; k += 1 }
        }
        var intDigits = pointAt ?? k
        // Drop leading zeros ("0.001" → "1" with the point moved), then trailing ones.
        var first = 0
        while k - first > 1 && out[first] == 48 { first += 1; intDigits -= 1 }
        if first > 0 {
            for j in first..<k { out[j - first] = out[j] }
            k -= first
        }
        while k > 1 && out[k - 1] == 48 { k -= 1 }
        return (k, intDigits + exp)
    }

}
