/// The shape rules of SPEC §5 for `data` and text: what can be checked
/// without the ledger. References are checked by `Rules`.
public enum Validation {
    public static let maxTextLength = 10_000

    /// Text is trimmed, non-empty and at most 10,000 characters (Unicode code
    /// points); control characters other than tab and line breaks are refused.
    public static func text(_ value: JSON, member: String) throws(InputError) -> String {
        guard case .string(let raw) = value else {
            throw InputError("\"\(member)\" must be a string, got \(value.typeName)")
        }
        if isPlainText(raw) { return raw }
        let trimmed = trim(raw)
        guard !trimmed.isEmpty else { throw InputError("\"\(member)\" is empty") }
        var count = 0
        for scalar in trimmed.unicodeScalars {
            count += 1
            if (scalar.value < 0x20 && scalar.value != 0x09 && scalar.value != 0x0A && scalar.value != 0x0D)
                || scalar.value == 0x7F {
                throw InputError(
                    "\"\(member)\" contains a control character "
                        + "(U+\(String(scalar.value, radix: 16, uppercase: true)))")
            }
        }
        guard count <= maxTextLength else {
            throw InputError("\"\(member)\" is longer than \(maxTextLength) characters (\(count))")
        }
        return trimmed
    }

    /// The common case, decided on the bytes: nothing to trim (visible ASCII
    /// at both ends), no refused control character, not too long. Anything
    /// else takes the careful path, which also words the error.
    static func isPlainText(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let first = bytes.first, let last = bytes.last,
                  first > 0x20, first < 0x7F, last > 0x20, last < 0x7F else {
                return false
            }
            var scalars = 0
            for byte in bytes {
                if (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F { return false }
                if byte & 0xC0 != 0x80 { scalars += 1 }
            }
            return scalars <= maxTextLength
        }
    }

    /// Refuses Unicode's C1 controls (U+0080-U+009F) in new text: like the C0
    /// controls that `text` refuses, some drive terminals (U+009B opens a control
    /// sequence). Checked on the bytes: in UTF-8 they are 0xC2 0x80-0x9F.
    public static func refuseC1Controls(_ text: String, member: String) throws(InputError) {
        if let byte = firstC1Control(text) {
            throw InputError(
                "\"\(member)\" contains a control character (U+00\(String(byte, radix: 16, uppercase: true)))")
        }
    }

    /// The second UTF-8 byte of the first C1 control in the text (0x80-0x9F), if any.
    public static func firstC1Control(_ text: String) -> UInt8? {
        var text = text
        return text.withUTF8 { bytes in
            // Only after a 0xC2 lead byte: jump between them (`firstIndex` is a byte search;
            // the loop over every byte was 6 % of `audit --json`).
            var rest = bytes[...]
            while let lead = rest.firstIndex(of: 0xC2) {
                let next = lead + 1
                guard next < bytes.endIndex else { return nil }
                if bytes[next] >= 0x80 && bytes[next] <= 0x9F { return bytes[next] }
                rest = bytes[next...]
            }
            return nil
        }
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

    static func trim(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }

    public static func integer(
        _ value: JSON,
        member: String,
        in range: ClosedRange<Int64>
    ) throws(InputError) -> Int64 {
        guard case .number(let number) = value else {
            throw InputError("\"\(member)\" must be a whole number, got \(value.typeName)")
        }
        guard number == number.rounded(), number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            throw InputError(
                "\"\(member)\" must be a whole number from \(range.lowerBound) to \(range.upperBound), "
                    + "got \(JSONWriter.canonical(value))")
        }
        return Int64(number)
    }

    public static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Checks `data` against the type's members and returns it normalised
    /// (texts trimmed), in the vocabulary's member order.
    public static func data(_ obj: JSONObject, for type: EventType) throws(InputError) -> JSONObject {
        let out = try object(obj, fields: type.fields, path: "data")
        if type.isRevision && out.isEmpty {
            throw InputError(
                "\(type.rawValue) needs at least one of: \(type.fields.map(\.name).joined(separator: ", "))")
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
        for field in fields {
            guard let memberValue = obj[field.name] else {
                if field.required { return false }
                continue
            }
            present += 1
            switch field.type {
            case .text:
                guard case .string(let text) = memberValue, isPlainText(text) else { return false }
            case .object(let sub):
                guard case .object(let nested) = memberValue, !nested.isEmpty, conforms(nested, fields: sub) else {
                    return false
                }
            default:
                // The other types give back the value itself when they accept it.
                guard let checked = try? value(memberValue, field.type, member: ""), checked == memberValue else {
                    return false
                }
            }
        }
        // Members are unique, so every member is a field exactly when the counts agree.
        return present == obj.count
    }

    /// Puts an object's members (and nested objects') in the vocabulary's order, for display.
    /// Stored data is canonical (sorted); states show members as SPEC §5 lists them.
    public static func ordered(_ obj: JSONObject, by fields: [Field]) -> JSONObject {
        var out = JSONObject(capacity: obj.count)
        for field in fields {
            guard let memberValue = obj[field.name] else { continue }
            // Field names are unique, so no member is added twice.
            if case .object(let sub) = field.type, case .object(let nested) = memberValue {
                out.appendUnchecked(field.name, .object(ordered(nested, by: sub)))
            } else {
                out.appendUnchecked(field.name, memberValue)
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
        for field in fields {
            guard let memberValue = obj[field.name] else {
                if field.required { throw InputError("missing member \"\(field.name)\" in \(path)") }
                continue
            }
            out[field.name] = try value(memberValue, field.type, member: path + "." + field.name)
        }
        return out
    }

    static func value(_ value: JSON, _ type: FieldType, member: String) throws(InputError) -> JSON {
        switch type {
        case .text:
            return .string(try text(value, member: member))
        case .ref:
            guard case .string(let text) = value else {
                throw InputError("\"\(member)\" must be an entity id string, got \(value.typeName)")
            }
            guard Identifier.isEntityID(text) else {
                throw InputError("\"\(member)\" \"\(EventInput.clip(text))\" is not an entity id")
            }
            return value
        case .linkTarget:
            guard case .string(let text) = value else {
                throw InputError("\"\(member)\" must be a string, got \(value.typeName)")
            }
            guard Identifier.isEntityID(text) || Identifier.isExternalRef(text) else {
                throw InputError(
                    "\"\(member)\" \"\(EventInput.clip(text))\" is neither an entity id "
                        + "nor an external reference scheme:value")
            }
            return value
        case .eventID:
            guard case .string(let text) = value, Identifier.isEventID(text) else {
                throw InputError("\"\(member)\" must be an event id (1-100 visible ASCII characters)")
            }
            return value
        case .oneOf(let words):
            guard case .string(let text) = value, words.contains(text) else {
                throw InputError(
                    "\"\(member)\" must be one of \(words.joined(separator: ", ")), "
                        + "got \(EventInput.clip(JSONWriter.canonical(value)))")
            }
            return value
        case .number:
            guard case .number = value else {
                throw InputError("\"\(member)\" must be a number, got \(value.typeName)")
            }
            return value
        case .integer(let range):
            return .number(Double(try integer(
                value,
                member: member,
                in: Int64(range.lowerBound)...Int64(range.upperBound))))
        case .date:
            guard case .string(let text) = value, text.utf8.count == 10, TimeScanner(text).date() != nil else {
                throw InputError(
                    "\"\(member)\" must be a real calendar date YYYY-MM-DD, "
                        + "got \(EventInput.clip(JSONWriter.canonical(value)))")
            }
            return value
        case .yearOrDate:
            switch value {
            case .number(let number) where number == number.rounded() && number >= 1 && number <= 9999:
                return value
            case .string(let text) where (text.utf8.count == 10 && TimeScanner(text).date() != nil)
                || (text.utf8.count == 4 && (TimeScanner(text).digits(0, 4) ?? 0) >= 1):
                return value
            default:
                throw InputError(
                    "\"\(member)\" must be a year (e.g. 2029) or a date YYYY-MM-DD, "
                        + "got \(EventInput.clip(JSONWriter.canonical(value)))")
            }
        case .object(let fields):
            guard case .object(let nested) = value else {
                throw InputError("\"\(member)\" must be an object, got \(value.typeName)")
            }
            let out = try object(nested, fields: fields, path: member)
            if out.isEmpty { throw InputError("\"\(member)\" is empty") }
            return .object(out)
        }
    }
}
