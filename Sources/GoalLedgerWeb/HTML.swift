import GoalLedgerCore

/// Markup that is safe to send: every text from the ledger enters it through
/// `HTML.escape`, the one escaping function of the web pages, the SVG charts
/// and the attributes. Only this file builds markup from raw strings; pages
/// and charts compose `HTML` values.
public struct HTML: Sendable, CustomStringConvertible {
    /// The markup, already escaped.
    public private(set) var markup: String

    public var description: String { markup }

    /// Markup written by this target's own code (tags, entities, CSS): never text from the ledger.
    init(trusted markup: String) { self.markup = markup }

    /// Text, escaped.
    public init(text: String) { markup = Self.escape(text) }

    public static let empty = HTML(trusted: "")

    /// Escapes text for an HTML text node or a double- or single-quoted attribute
    /// (HTML and SVG alike): `&`, `<`, `>`, `"` and `'` become character references, and
    /// control characters other than tab and line breaks (Unicode Cc, including
    /// U+0080-U+009F) become U+FFFD, so nothing from the data can open a tag,
    /// close an attribute or reach a terminal that views the source.
    public static func escape(_ text: String) -> String {
        var utf8 = text
        return utf8.withUTF8 { bytes in
            // Most text needs nothing: one pass over the bytes says so, and the string is
            // returned as it is (a plan page escapes ~2,000 texts; per-scalar work was 15 %
            // of its time in perf on the 1M-event ledger).
            guard bytes.contains(where: needsAttention) || Validation.firstC1Control(text) != nil else { return text }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16)
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "&"): out += Array("&amp;".utf8)
                case UInt8(ascii: "<"): out += Array("&lt;".utf8)
                case UInt8(ascii: ">"): out += Array("&gt;".utf8)
                case UInt8(ascii: "\""): out += Array("&quot;".utf8)
                case UInt8(ascii: "'"): out += Array("&#39;".utf8)
                case 0x09, 0x0A, 0x0D: out.append(byte)
                case 0x00..<0x20, 0x7F: out += replacement
                case 0xC2 where index + 1 < bytes.count && (0x80...0x9F).contains(bytes[index + 1]):
                    // U+0080-U+009F, the C1 controls, are 0xC2 0x80-0x9F in UTF-8.
                    out += replacement
                    index += 1
                default: out.append(byte)
                }
                index += 1
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// U+FFFD REPLACEMENT CHARACTER in UTF-8.
    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    @inline(__always)
    private static func needsAttention(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): return true
        case 0x09, 0x0A, 0x0D: return false
        case 0x00..<0x20, 0x7F: return true
        default: return false
        }
    }

    public static func + (lhs: HTML, rhs: HTML) -> HTML { HTML(trusted: lhs.markup + rhs.markup) }

    public static func += (lhs: inout HTML, rhs: HTML) { lhs.markup += rhs.markup }

    /// An element with escaped attribute values; attributes whose value is nil are left out.
    static func element(_ tag: String, _ attributes: [(String, String?)] = [], _ children: HTML...) -> HTML {
        element(tag, attributes, children: children)
    }

    static func element(_ tag: String, _ attributes: [(String, String?)] = [], children: [HTML]) -> HTML {
        var markup = "<" + tag
        for (name, value) in attributes {
            guard let value else { continue }
            markup += " \(name)=\"\(escape(value))\""
        }
        markup += ">"
        for child in children { markup += child.markup }
        markup += "</\(tag)>"
        return HTML(trusted: markup)
    }

    /// An element without content (`<input>`, `<meta>`; in SVG `<circle/>`).
    static func void(_ tag: String, _ attributes: [(String, String?)], selfClosing: Bool = false) -> HTML {
        var markup = "<" + tag
        for (name, value) in attributes {
            guard let value else { continue }
            markup += " \(name)=\"\(escape(value))\""
        }
        markup += selfClosing ? "/>" : ">"
        return HTML(trusted: markup)
    }

    static func joined(_ parts: [HTML], separator: HTML = .empty) -> HTML {
        HTML(trusted: parts.map(\.markup).joined(separator: separator.markup))
    }
}

extension HTML: ExpressibleByStringInterpolation {
    /// A string literal is escaped text; interpolated `HTML` values stay markup.
    public init(stringLiteral value: String) { self.init(text: value) }

    public init(stringInterpolation: Interpolation) { markup = stringInterpolation.markup }

    public struct Interpolation: StringInterpolationProtocol {
        var markup = ""
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { markup += HTML.escape(literal) }
        public mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }
        public mutating func appendInterpolation(_ html: HTML) { markup += html.markup }
    }
}

/// Short constructors for the elements the pages use.
enum Tag {
    static func text(_ text: String) -> HTML { HTML(text: text) }
    static func p(_ children: HTML..., class cls: String? = nil) -> HTML {
        HTML.element("p", [("class", cls)], children: children)
    }
    static func a(_ href: String, _ children: HTML..., class cls: String? = nil, label: String? = nil) -> HTML {
        HTML.element("a", [("href", href), ("class", cls), ("aria-label", label)], children: children)
    }
    static func span(_ children: HTML..., class cls: String? = nil, title: String? = nil) -> HTML {
        HTML.element("span", [("class", cls), ("title", title)], children: children)
    }
    static func h1(_ children: HTML...) -> HTML { HTML.element("h1", children: children) }
    static func h2(_ children: HTML..., id: String? = nil) -> HTML {
        HTML.element("h2", [("id", id)], children: children)
    }
    static func h3(_ children: HTML...) -> HTML { HTML.element("h3", children: children) }
    static func code(_ text: String) -> HTML { HTML.element("code", [], HTML(text: text)) }
    static func li(_ children: HTML..., class cls: String? = nil) -> HTML {
        HTML.element("li", [("class", cls)], children: children)
    }
    static func ul(_ items: [HTML], class cls: String? = nil) -> HTML {
        HTML.element("ul", [("class", cls)], children: items)
    }
    static func section(_ children: HTML..., labelledBy: String? = nil, class cls: String? = nil) -> HTML {
        HTML.element("section", [("aria-labelledby", labelledBy), ("class", cls)], children: children)
    }
    static func div(_ children: HTML..., class cls: String? = nil) -> HTML {
        HTML.element("div", [("class", cls)], children: children)
    }

    /// A table with a caption and a header row whose cells are `<th scope="col">`;
    /// the first cell of each body row is `<th scope="row">` when `rowHeaders` is set.
    static func table(caption: String, headers: [String], rows: [[HTML]], rowHeaders: Bool = false,
                      rowClasses: [String?]? = nil, class cls: String? = nil) -> HTML {
        var head = HTML.empty
        for header in headers { head += HTML.element("th", [("scope", "col")], HTML(text: header)) }
        var body = HTML.empty
        for (index, row) in rows.enumerated() {
            var cells = HTML.empty
            for (column, cell) in row.enumerated() {
                cells += column == 0 && rowHeaders
                    ? HTML.element("th", [("scope", "row")], cell) : HTML.element("td", [], cell)
            }
            body += HTML.element("tr", [("class", rowClasses?[index] ?? nil)], cells)
        }
        let table = HTML.element("table", [("class", cls)],
                                 HTML.element("caption", [], HTML(text: caption)),
                                 HTML.element("thead", [], HTML.element("tr", [], head)),
                                 HTML.element("tbody", [], body))
        // A wide table scrolls inside its own box, so the page reflows at 320 px (WCAG 1.4.10).
        return HTML.element("div", [("class", "table-scroll"), ("role", "region"), ("tabindex", "0"),
                                    ("aria-label", caption)], table)
    }
}
