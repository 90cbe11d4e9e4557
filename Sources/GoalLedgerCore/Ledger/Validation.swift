/// The shape rules of SPEC §5 for `data` and text: what can be checked
/// without the ledger. References are checked by `Rules`.
public enum Validation {
    public static let maxTextLength = 10_000

    /// Text is trimmed, non-empty and at most 10,000 characters (Unicode code
    /// points); control characters other than tab and line breaks are refused.
    public static func text(_ v: JSON, member: String) throws(InputError) -> String {
        guard case .string(let raw) = v else { throw InputError("\"\(member)\" must be a string, got \(v.typeName)") }
        if isPlainText(raw) { return raw }
        let s = trim(raw)
        guard !s.isEmpty else { throw InputError("\"\(member)\" is empty") }
        var n = 0
        for u in s.unicodeScalars {
            n += 1
            if (u.value < 0x20 && u.value != 0x09 && u.value != 0x0A && u.value != 0x0D) || u.value == 0x7F {
                throw InputError("\"\(member)\" contains a control character (U+\(String(u.value, radix: 16, uppercase: true)))")
            }
        }
        guard n <= maxTextLength else { throw InputError("\"\(member)\" is longer than \(maxTextLength) characters (\(n))") }
        return s
    }

    /// The common case, decided on the bytes: nothing to trim (visible ASCII
    /// at both ends), no refused control character, not too long. Anything
    /// else takes the careful path, which also words the error.
    static func isPlainText(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { b in
            guard let first = b.first, let last = b.last, first > 0x20, first < 0x7F, last > 0x20, last < 0x7F else {
                return false
            }
            var scalars = 0
            for c in b {
                if (c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) || c == 0x7F { return false }
                if c & 0xC0 != 0x80 { scalars += 1 }
            }
            return scalars <= maxTextLength
        }
    }

    /// Refuses Unicode's C1 controls (U+0080-U+009F) in new text: like the C0
    /// controls that `text` refuses, some drive terminals (U+009B opens a control
    /// sequence). Checked on the bytes: in UTF-8 they are 0xC2 0x80-0x9F.
    public static func refuseC1Controls(_ text: String, member: String) throws(InputError) {
        if let byte = firstC1Control(text) {
            throw InputError("\"\(member)\" contains a control character (U+00\(String(byte, radix: 16, uppercase: true)))")
        }
    }

    /// The second UTF-8 byte of the first C1 control in the text (0x80-0x9F), if any.
    public static func firstC1Control(_ text: String) -> UInt8? {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if previous == 0xC2 && byte >= 0x80 && byte <= 0x9F { return byte }
            previous = byte
        }
        return nil
    }

    /// `refuseC1Controls` on every string in `data`, naming the member by its path.
    public static func refuseC1Controls(in data: JSONObject, path: String = "") throws(InputError) {
        for (key, value) in data {
            let member = path.isEmpty ? key : path + "." + key
            switch value {
            case .string(let text): try refuseC1Controls(text, member: member)
            case .object(let object): try refuseC1Controls(in: object, path: member)
            case .array(let items):
                for item in items {
                    if case .object(let object) = item { try refuseC1Controls(in: object, path: member) }
                    if case .string(let text) = item { try refuseC1Controls(text, member: member) }
                }
            default: break
            }
        }
    }

    static func trim(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return s }
        return String(scalars[first...last])
    }

    public static func integer(_ v: JSON, member: String, in range: ClosedRange<Int64>) throws(InputError) -> Int64 {
        guard case .number(let d) = v else { throw InputError("\"\(member)\" must be a whole number, got \(v.typeName)") }
        guard d == d.rounded(), d >= Double(range.lowerBound), d <= Double(range.upperBound) else {
            throw InputError("\"\(member)\" must be a whole number from \(range.lowerBound) to \(range.upperBound), got \(JSONWriter.canonical(v))")
        }
        return Int64(d)
    }

    public static func isHash(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Checks `data` against the type's members and returns it normalised
    /// (texts trimmed), in the vocabulary's member order.
    public static func data(_ obj: JSONObject, for type: EventType) throws(InputError) -> JSONObject {
        let out = try object(obj, fields: type.fields, path: "data")
        if type.isRevision && out.isEmpty {
            throw InputError("\(type.rawValue) needs at least one of: \(type.fields.map(\.name).joined(separator: ", "))")
        }
        return out
    }

    /// Whether `data(obj, for: type)` accepts the object and returns it
    /// unchanged, decided without building anything in the common case
    /// (`verify` asks it of every stored event). False may also mean "ask
    /// `data` itself": text with something to trim or to look at closely.
    public static func conforms(_ obj: JSONObject, for type: EventType) -> Bool {
        if type.isRevision && obj.isEmpty { return false }
        return conforms(obj, fields: type.fields)
    }

    static func conforms(_ obj: JSONObject, fields: [Field]) -> Bool {
        var present = 0
        for f in fields {
            guard let v = obj[f.name] else {
                if f.required { return false }
                continue
            }
            present += 1
            switch f.type {
            case .text:
                guard case .string(let s) = v, isPlainText(s) else { return false }
            case .object(let sub):
                guard case .object(let o) = v, !o.isEmpty, conforms(o, fields: sub) else { return false }
            default:
                // The other types give back the value itself when they accept it.
                guard let checked = try? value(v, f.type, member: ""), checked == v else { return false }
            }
        }
        // Members are unique, so every member is a field exactly when the counts agree.
        return present == obj.count
    }

    /// Puts an object's members (and nested objects') in the vocabulary's order, for display.
    /// Stored data is canonical (sorted); states show members as SPEC §5 lists them.
    public static func ordered(_ obj: JSONObject, by fields: [Field]) -> JSONObject {
        var out = JSONObject(capacity: obj.count)
        for f in fields {
            guard let v = obj[f.name] else { continue }
            // Field names are unique, so no member is added twice.
            if case .object(let sub) = f.type, case .object(let o) = v {
                out.appendUnchecked(f.name, .object(ordered(o, by: sub)))
            } else {
                out.appendUnchecked(f.name, v)
            }
        }
        return out
    }

    static func object(_ obj: JSONObject, fields: [Field], path: String) throws(InputError) -> JSONObject {
        for key in obj.keys where !fields.contains(where: { $0.name == key }) {
            let allowed = fields.isEmpty ? "none" : fields.map(\.name).joined(separator: ", ")
            throw InputError("unknown member \"\(EventInput.clip(key))\" in \(path) (allowed: \(allowed))")
        }
        var out = JSONObject()
        for f in fields {
            guard let v = obj[f.name] else {
                if f.required { throw InputError("missing member \"\(f.name)\" in \(path)") }
                continue
            }
            out[f.name] = try value(v, f.type, member: path + "." + f.name)
        }
        return out
    }

    static func value(_ v: JSON, _ type: FieldType, member: String) throws(InputError) -> JSON {
        switch type {
        case .text:
            return .string(try text(v, member: member))
        case .ref:
            guard case .string(let s) = v else { throw InputError("\"\(member)\" must be an entity id string, got \(v.typeName)") }
            guard Identifier.isEntityID(s) else { throw InputError("\"\(member)\" \"\(EventInput.clip(s))\" is not an entity id") }
            return v
        case .linkTarget:
            guard case .string(let s) = v else { throw InputError("\"\(member)\" must be a string, got \(v.typeName)") }
            guard Identifier.isEntityID(s) || Identifier.isExternalRef(s) else {
                throw InputError("\"\(member)\" \"\(EventInput.clip(s))\" is neither an entity id nor an external reference scheme:value")
            }
            return v
        case .eventID:
            guard case .string(let s) = v, Identifier.isEventID(s) else {
                throw InputError("\"\(member)\" must be an event id (1-100 visible ASCII characters)")
            }
            return v
        case .oneOf(let words):
            guard case .string(let s) = v, words.contains(s) else {
                throw InputError("\"\(member)\" must be one of \(words.joined(separator: ", ")), got \(EventInput.clip(JSONWriter.canonical(v)))")
            }
            return v
        case .number:
            guard case .number = v else { throw InputError("\"\(member)\" must be a number, got \(v.typeName)") }
            return v
        case .integer(let r):
            return .number(Double(try integer(v, member: member, in: Int64(r.lowerBound)...Int64(r.upperBound))))
        case .date:
            guard case .string(let s) = v, s.utf8.count == 10, TimeScanner(s).date() != nil else {
                throw InputError("\"\(member)\" must be a real calendar date YYYY-MM-DD, got \(EventInput.clip(JSONWriter.canonical(v)))")
            }
            return v
        case .yearOrDate:
            switch v {
            case .number(let d) where d == d.rounded() && d >= 1 && d <= 9999:
                return v
            case .string(let s) where (s.utf8.count == 10 && TimeScanner(s).date() != nil)
                || (s.utf8.count == 4 && (TimeScanner(s).digits(0, 4) ?? 0) >= 1):
                return v
            default:
                throw InputError("\"\(member)\" must be a year (e.g. 2029) or a date YYYY-MM-DD, got \(EventInput.clip(JSONWriter.canonical(v)))")
            }
        case .object(let fields):
            guard case .object(let o) = v else { throw InputError("\"\(member)\" must be an object, got \(v.typeName)") }
            let out = try object(o, fields: fields, path: member)
            if out.isEmpty { throw InputError("\"\(member)\" is empty") }
            return .object(out)
        }
    }
}
