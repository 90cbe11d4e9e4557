import Foundation
import GoalLedgerCore
import GoalLedgerStore

/// One answer of the web interface, before it meets HTTP.
public struct WebResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    public var allow: String?

    public init(status: Int, contentType: String, body: [UInt8], allow: String? = nil) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.allow = allow
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    static func html(_ status: Int, _ page: String) -> WebResponse {
        WebResponse(status: status, contentType: "text/html; charset=utf-8", body: Array(page.utf8))
    }

    static func json(_ status: Int, _ text: String) -> WebResponse {
        WebResponse(status: status, contentType: "application/json", body: Array(text.utf8))
    }
}

/// A request the routes refuse: its HTTP status and one sentence naming the parameter or path.
struct RouteError: Error {
    var status: Int
    var message: String

    static func badParameter(_ name: String, _ problem: String) -> RouteError {
        RouteError(status: 400, message: "\(name): \(problem)")
    }
}

/// A small set of read-only ledger connections that requests take turns on:
/// each `Ledger` is one SQLite connection opened read-only, and each request
/// runs its queries on one of them (a GRDB queue serialises its own use).
public final class LedgerPool: @unchecked Sendable {
    let ledgers: [Ledger]
    private var next = 0
    private let lock = NSLock()

    /// - parameter connections: 4 by default: two cores here, and a request
    ///   spends part of its time in Swift outside SQLite.
    public init(path: String, connections: Int = 4) throws {
        ledgers = try (0..<max(1, connections)).map { _ in try Ledger(path: path, mode: .read) }
    }

    public func withLedger<T>(_ body: (Ledger) throws -> T) rethrows -> T {
        lock.lock()
        let ledger = ledgers[next]
        next = (next + 1) % ledgers.count
        lock.unlock()
        return try body(ledger)
    }
}

/// The routes of SPEC §9: `respond` maps a method, a raw path and a raw query
/// to a response, reading the ledger only through the store's public queries.
public struct WebApp: Sendable {
    public let pool: LedgerPool
    public let defaultLanguage: Language
    public let accessibilityStatement: String?

    public init(pool: LedgerPool, defaultLanguage: Language = .da, accessibilityStatement: String? = nil) {
        self.pool = pool
        self.defaultLanguage = defaultLanguage
        self.accessibilityStatement = accessibilityStatement
    }

    public func respond(method: String, path rawPath: String, query rawQuery: String?) -> WebResponse {
        let isAPI = rawPath.hasPrefix("/api/") || rawPath == "/api"
        guard method == "GET" || method == "HEAD" else {
            var response = failure(405, "only GET and HEAD are answered here, not \(method)", api: isAPI,
                                   language: defaultLanguage)
            response.allow = "GET, HEAD"
            return response
        }
        let language: Language
        var parameters: Parameters
        let explicit: Bool
        do {
            parameters = try Parameters(rawQuery)
            explicit = parameters.has("lang")
            language = try parameters.language() ?? defaultLanguage
        } catch let error as RouteError {
            return failure(error.status, error.message, api: isAPI, language: defaultLanguage)
        } catch {
            return failure(400, "\(error)", api: isAPI, language: defaultLanguage)
        }
        guard let path = Self.safePath(rawPath) else {
            return failure(404, "no page at this address", api: isAPI, language: language)
        }
        do {
            return try route(path, &parameters, language: language, explicit: explicit)
        } catch let error as RouteError {
            return failure(error.status, error.message, api: isAPI, language: language)
        } catch let error as LedgerError {
            let status = error.kind == .notFound ? 404 : 500
            return failure(status, error.message, api: isAPI, language: language)
        } catch let error as InputError {
            return failure(400, error.message, api: isAPI, language: language)
        } catch {
            return failure(500, "\(error)", api: isAPI, language: language)
        }
    }

    /// The decoded path, or nil for one that could reach outside the routes:
    /// a `..` or `.` segment, an encoded slash or backslash, a NUL, or bad escapes.
    static func safePath(_ raw: String) -> String? {
        guard raw.hasPrefix("/") else { return nil }
        let lowered = raw.lowercased()
        for forbidden in ["%2f", "%5c", "%00", "\\", "\0"] where lowered.contains(forbidden) { return nil }
        guard let decoded = raw.removingPercentEncoding, !decoded.contains("\0") else { return nil }
        for segment in decoded.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        where segment == ".." || segment == "." {
            return nil
        }
        if decoded.count > 1 && decoded.hasSuffix("/") { return String(decoded.dropLast()) }
        return decoded
    }

    func settings(_ language: Language, _ point: PointInTime, explicit: Bool) -> RenderSettings {
        RenderSettings(language: language,
                       linker: Linker(.server(point: point, explicitLanguage: explicit ? language : nil)),
                       accessibilityStatement: accessibilityStatement)
    }

    func route(_ path: String, _ parameters: inout Parameters, language: Language, explicit: Bool) throws
        -> WebResponse {
        if path.hasPrefix("/api/") { return try api(String(path.dropFirst("/api/".count)), &parameters) }
        switch path {
        case "/":
            let point = try parameters.point()
            try parameters.finish()
            let model = try pool.withLedger { try Models.index($0, at: point) }
            return .html(200, Pages.render(.index(model), settings(language, point, explicit: explicit)))
        case "/audit", "/audit.csv":
            let query = try parameters.auditQuery(page: path == "/audit")
            let knownAt = try parameters.time("known-at")
            try parameters.finish()
            let point = PointInTime(asOf: nil, knownAt: knownAt)
            if path == "/audit.csv" {
                var rows: [HistoryRow] = []
                try pool.withLedger { try $0.audit(query.filter(knownAt: knownAt)) { rows.append($0) } }
                return WebResponse(status: 200, contentType: "text/csv; charset=utf-8",
                                   body: Array(CSV.history(rows).utf8))
            }
            let model = try pool.withLedger { try Models.audit($0, query, at: point) }
            return .html(200, Pages.render(.audit(model), settings(language, point, explicit: explicit)))
        case "/verify":
            try parameters.finish()
            let model = try pool.withLedger { try Models.verify($0) }
            return .html(model.failure == nil ? 200 : 500,
                         Pages.render(.verify(model), settings(language, .now, explicit: explicit)))
        default:
            guard path.hasPrefix("/e/") else { throw RouteError(status: 404, message: "no page at this address") }
            var id = String(path.dropFirst("/e/".count))
            let point = try parameters.point()
            try parameters.finish()
            if id.hasSuffix("/history.csv") {
                id = String(id.dropLast("/history.csv".count))
                let rows = try pool.withLedger { try $0.history(id, at: point) }
                return WebResponse(status: 200, contentType: "text/csv; charset=utf-8",
                                   body: Array(CSV.history(rows).utf8))
            }
            let model = try pool.withLedger { try Models.entity($0, id, at: point) }
            return .html(200, Pages.render(.entity(model), settings(language, point, explicit: explicit)))
        }
    }

    /// `/api/…`: exactly the `--json` output of the command of that name.
    func api(_ route: String, _ parameters: inout Parameters) throws -> WebResponse {
        let parts = route.split(separator: "/", maxSplits: 1).map(String.init)
        let command = parts.first ?? ""
        let id = parts.count > 1 ? parts[1] : nil
        func needID() throws -> String {
            guard let id, !id.isEmpty else {
                throw RouteError(status: 404, message: "/api/\(command) needs an entity id")
            }
            return id
        }
        let json: String
        switch command {
        case "openapi.json":
            try parameters.finish()
            return .json(200, OpenAPI.document)
        case "show":
            let id = try needID()
            let point = try parameters.point()
            try parameters.finish()
            json = try pool.withLedger { try APIJSON.show($0, id, at: point) }
        case "tree":
            let id = try needID()
            let point = try parameters.point()
            try parameters.finish()
            json = try pool.withLedger { try APIJSON.tree($0, id, at: point) }
        case "list" where id == nil:
            let point = try parameters.point()
            let kind = try parameters.kind()
            try parameters.finish()
            json = try pool.withLedger { try APIJSON.list($0, kind: kind, at: point) }
        case "history":
            let id = try needID()
            let point = try parameters.point()
            try parameters.finish()
            json = try pool.withLedger { try APIJSON.history($0, id, at: point) }
        case "diff":
            let id = try needID()
            let from = try parameters.time("from")
            let to = try parameters.time("to")
            let knownAt = try parameters.time("known-at")
            try parameters.finish()
            guard let from else { throw RouteError.badParameter("from", "required (the earlier as-of time)") }
            guard let to else { throw RouteError.badParameter("to", "required (the later as-of time)") }
            json = try pool.withLedger { try APIJSON.diff($0, id, from: from, to: to, knownAt: knownAt) }
        case "audit" where id == nil:
            let query = try parameters.auditQuery(page: false)
            let knownAt = try parameters.time("known-at")
            try parameters.finish()
            json = try pool.withLedger { try APIJSON.audit($0, query.filter(knownAt: knownAt)) }
        case "head" where id == nil:
            try parameters.finish()
            json = try pool.withLedger { try APIJSON.head($0) }
        default:
            throw RouteError(status: 404, message: "no API route /api/\(route)")
        }
        return .json(200, json)
    }

    func failure(_ status: Int, _ message: String, api: Bool, language: Language) -> WebResponse {
        if api {
            var object = JSONObject()
            object["error"] = .string(message)
            return .json(status, JSONWriter.ordered(.object(object)) + "\n")
        }
        let settings = RenderSettings(language: language, linker: Linker(.server(point: .now, explicitLanguage: nil)),
                                      accessibilityStatement: accessibilityStatement)
        return .html(status, Pages.error(status: status, message: message, settings))
    }
}

/// A query string, decoded once; each route takes the parameters it knows and
/// `finish` refuses any left over, so a misspelt parameter is a 400, not ignored.
struct Parameters {
    private var pairs: [(name: String, value: String)]

    init(_ raw: String?) throws {
        pairs = []
        guard let raw, !raw.isEmpty else { return }
        for piece in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let halves = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawName = String(halves[0]).replacingOccurrences(of: "+", with: " ")
            let rawValue = halves.count > 1 ? String(halves[1]).replacingOccurrences(of: "+", with: " ") : ""
            guard let name = rawName.removingPercentEncoding else {
                throw RouteError(status: 400, message: "a parameter name is not valid percent-encoded UTF-8")
            }
            guard let value = rawValue.removingPercentEncoding else {
                throw RouteError.badParameter(name, "not valid percent-encoded UTF-8")
            }
            guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw RouteError.badParameter(name, "control characters are not allowed")
            }
            // Forms send empty fields: an empty value is the same as none.
            if value.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            pairs.append((name, value.trimmingCharacters(in: .whitespaces)))
        }
    }

    func has(_ name: String) -> Bool { pairs.contains { $0.name == name } }

    mutating func take(_ name: String) -> [String] {
        let values = pairs.filter { $0.name == name }.map(\.value)
        pairs.removeAll { $0.name == name }
        return values
    }

    mutating func single(_ name: String) throws -> String? {
        let values = take(name)
        guard values.count <= 1 else {
            throw RouteError.badParameter(name, "given \(values.count) times; give it once")
        }
        return values.first
    }

    mutating func language() throws -> Language? {
        guard let value = try single("lang") else { return nil }
        guard let language = Language(rawValue: value) else {
            throw RouteError.badParameter("lang", "\"\(value)\" is not da or en")
        }
        return language
    }

    mutating func time(_ name: String) throws -> TimePoint? {
        guard let value = try single(name) else { return nil }
        do { return try TimePoint(parsing: value) } catch { throw RouteError.badParameter(name, error.message) }
    }

    mutating func point() throws -> PointInTime {
        PointInTime(asOf: try time("as-of"), knownAt: try time("known-at"))
    }

    mutating func kind() throws -> EntityKind? {
        guard let value = try single("kind") else { return nil }
        guard let kind = EntityKind(rawValue: value) else {
            throw RouteError.badParameter("kind", "\"\(value)\" is not one of "
                                              + EntityKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return kind
    }

    mutating func auditQuery(page: Bool) throws -> AuditQuery {
        var query = AuditQuery()
        for value in take("type") {
            guard let type = EventType(rawValue: value) else {
                throw RouteError.badParameter("type", "unknown event type \"\(value)\"")
            }
            query.types.append(type)
        }
        query.actors = take("actor")
        query.field = try single("field")
        query.stream = try single("stream")
        if let value = try single("backdated") {
            guard let days = Int(value), days >= 0 else {
                throw RouteError.badParameter("backdated", "\"\(value)\" is not a whole number of days ≥ 0")
            }
            query.backdated = days
        }
        if let value = try single("loosened") {
            guard ["1", "true", "on", "yes"].contains(value) else {
                throw RouteError.badParameter("loosened", "\"\(value)\" is not 1 or true")
            }
            query.loosened = true
        }
        guard page else { return query }
        if let value = try single("page") {
            guard let number = Int(value), number >= 1, number <= 1_000_000 else {
                throw RouteError.badParameter("page", "\"\(value)\" is not a page number")
            }
            query.page = number
        }
        if let value = try single("order") {
            guard value == "newest" || value == "oldest" else {
                throw RouteError.badParameter("order", "\"\(value)\" is not newest or oldest")
            }
            query.newestFirst = value == "newest"
        }
        return query
    }

    /// Refuses the parameters no route took.
    func finish() throws {
        if let left = pairs.first { throw RouteError.badParameter(left.name, "unknown parameter here") }
    }
}
