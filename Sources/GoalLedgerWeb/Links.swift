import GoalLedgerCore

/// Where a link on a page goes.
public enum Destination: Sendable, Equatable {
    case home
    case entity(String)
    case audit(AuditQuery)
    case verify
    case historyCSV(String)
    case auditCSV(AuditQuery)
    case apiShow(String)
}

/// How pages link: to the server's routes with the time and language in the
/// query string, or to the files of a static site by relative paths.
public struct Linker: Sendable {
    public enum Mode: Sendable {
        /// `serve`: absolute routes; the query keeps `as-of`, `known-at` and an explicit `lang`.
        case server(point: PointInTime, explicitLanguage: Language?)
        /// `site`: relative paths from a page `depth` folders below the site's root (counting the
        /// folders of its copy), into the copy at `variant` (a folder path under the root, "" for the root).
        case staticSite(depth: Int, variant: String, written: WrittenPages = WrittenPages())
    }

    /// Which entity pages a static site has: in the copy a page belongs to, and
    /// in the root copy. An entity that is in neither (it did not exist at that
    /// time) is named without a link, so no link of a static site is broken.
    public struct WrittenPages: Sendable {
        public var here: Set<String>?
        public var root: Set<String>?
        /// nil sets: every entity page is assumed written.
        public init(here: Set<String>? = nil, root: Set<String>? = nil) {
            self.here = here
            self.root = root
        }
    }

    public var mode: Mode

    public init(_ mode: Mode) { self.mode = mode }

    public var isStatic: Bool {
        if case .staticSite = mode { return true }
        return false
    }

    public func href(_ destination: Destination) -> String {
        switch mode {
        case let .server(point, language):
            var time: [(String, String)] = []
            if let asOf = point.asOf { time.append(("as-of", asOf.input)) }
            if let knownAt = point.knownAt { time.append(("known-at", knownAt.input)) }
            if let language { time.append(("lang", language.rawValue)) }
            switch destination {
            case .home: return "/" + Self.query(time)
            case .entity(let id): return "/e/" + Self.pathEscape(id) + Self.query(time)
            case .audit(let audit):
                // audit reads every event up to known-at; as-of does not apply to it.
                return "/audit" + Self.query(time.filter { $0.0 != "as-of" } + audit.parameters)
            case .verify: return "/verify" + Self.query(language.map { [("lang", $0.rawValue)] } ?? [])
            case .historyCSV(let id): return "/e/" + Self.pathEscape(id) + "/history.csv" + Self.query(time)
            case .auditCSV(let audit):
                return "/audit.csv" + Self.query(time.filter { $0.0 == "known-at" } + audit.parameters)
            case .apiShow(let id):
                return "/api/show/" + Self.pathEscape(id) + Self.query(time.filter { $0.0 != "lang" })
            }
        case let .staticSite(depth, variant, _):
            let root = String(repeating: "../", count: depth) + (variant.isEmpty ? "" : variant + "/")
            return root + Self.staticPath(destination)
        }
    }

    /// The link to an entity's page, or nil on a static site that has no page for it.
    public func entityHref(_ id: String) -> String? {
        guard case let .staticSite(depth, variant, written) = mode else { return href(.entity(id)) }
        if written.here?.contains(id) ?? true { return href(.entity(id)) }
        guard !variant.isEmpty, written.root?.contains(id) ?? true else { return nil }
        return Linker(.staticSite(depth: depth, variant: "", written: written)).href(.entity(id))
    }

    /// The file of a destination inside one copy of a static site. Pages are
    /// `index.html` files in folders named like the routes, so that `e/ID/`
    /// mirrors `/e/ID`; links name `index.html`, since `file://` serves no index.
    public static func staticPath(_ destination: Destination) -> String {
        switch destination {
        case .home: return "index.html"
        case .entity(let id): return "e/" + id + "/index.html"
        case .audit(let audit): return audit.page <= 1 ? "audit/index.html" : "audit/\(audit.page).html"
        case .verify: return "verify/index.html"
        case .historyCSV(let id): return "e/" + id + "/history.csv"
        case .auditCSV: return "audit.csv"
        case .apiShow(let id): return "api/show/" + id + ".json"
        }
    }

    /// A static site's proof of the event at `position` (SPEC §10), from the site's root.
    public static func proofPath(_ position: Int64) -> String { "proofs/\(position).tlog-proof" }

    /// The link to a proof from a page of a static site.
    public func proofHref(_ position: Int64) -> String? {
        guard case let .staticSite(depth, _, _) = mode else { return nil }
        return String(repeating: "../", count: depth) + Self.proofPath(position)
    }

    /// How many folders below its copy's root a destination's file is.
    public static func depth(of destination: Destination) -> Int {
        staticPath(destination).split(separator: "/").count - 1
    }

    static func query(_ parameters: [(String, String)]) -> String {
        guard !parameters.isEmpty else { return "" }
        return "?" + parameters.map { queryEscape($0.0) + "=" + queryEscape($0.1) }.joined(separator: "&")
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986).
    static func queryEscape(_ text: String) -> String {
        // Ids and dates need no escape: return them as they are (links were 7 % of a
        // plan page's time in perf when every byte went through the loop below).
        if text.utf8.allSatisfy(isUnreserved) { return text }
        var out = ""
        for byte in text.utf8 {
            if isUnreserved(byte) {
                out.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                out += "%" + String(byte >> 4, radix: 16, uppercase: true)
                    + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return out
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"), UInt8(ascii: ":"):
            return true
        default:
            return false
        }
    }

    /// Entity ids are ASCII `[a-z0-9._-]` segments joined by `/`; anything else is escaped.
    static func pathEscape(_ id: String) -> String {
        if id.utf8.allSatisfy({ isUnreserved($0) || $0 == UInt8(ascii: "/") }) { return id }
        return id.split(separator: "/", omittingEmptySubsequences: false).map { queryEscape(String($0)) }
            .joined(separator: "/")
    }
}

extension AuditQuery {
    /// The filters as query parameters, in a fixed order (page last, defaults left out).
    public var parameters: [(String, String)] {
        var out: [(String, String)] = []
        for type in types { out.append(("type", type.rawValue)) }
        for actor in actors { out.append(("actor", actor)) }
        if let field { out.append(("field", field)) }
        if let stream { out.append(("stream", stream)) }
        if let backdated { out.append(("backdated", String(backdated))) }
        if loosened { out.append(("loosened", "1")) }
        if !newestFirst { out.append(("order", "oldest")) }
        if page > 1 { out.append(("page", String(page))) }
        return out
    }
}
