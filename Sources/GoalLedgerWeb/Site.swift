import Foundation
import GoalLedgerCore
import GoalLedgerStore

/// `goalledger site`: the pages of `serve` as files with relative links, for
/// any static host or `file://`, plus the CSV files, the export and the head.
public enum SiteWriter {
    public struct Options: Sendable {
        public var out: String
        public var point: PointInTime
        public var language: Language
        public var accessibilityStatement: String?
        /// Also one copy per year end of the ledger's span, under `as-of/YYYY/`.
        public var years: Bool

        public init(out: String, point: PointInTime, language: Language, accessibilityStatement: String?, years: Bool) {
            self.out = out
            self.point = point
            self.language = language
            self.accessibilityStatement = accessibilityStatement
            self.years = years
        }
    }

    public struct Report: Sendable {
        public var pages = 0
        public var files = 0
        public var copies = 0
    }

    /// One copy of the pages: the root's (at the asked point) or a year end's.
    struct Copy {
        var label: String
        var variant: String
        var point: PointInTime
        var ids: [String]
    }

    public static func write(_ ledger: Ledger, _ options: Options) throws -> Report {
        var report = Report()
        let text = Catalogue(language: options.language)
        // The export and the head, as of known-at: what a reader needs to check the copy.
        var export: [UInt8] = []
        try ledger.export(knownAt: options.point.knownAt) { export.append(contentsOf: $0) }
        let lines = export.split(separator: 0x0A).compactMap { line -> JSONObject? in
            guard case .object(let object)? = try? JSONParser.parse(Array(line)) else { return nil }
            return object
        }
        let proofSize = try ledger.latestCheckpoint()?.checkpoint.size
        var copies = [Copy(label: rootLabel(options.point, text), variant: "", point: options.point,
                           ids: try ledger.list(at: options.point).map(\.id))]
        if options.years {
            for year in yearSpan(lines) {
                let point = PointInTime(asOf: try TimePoint(parsing: String(year)), knownAt: options.point.knownAt)
                copies.append(Copy(label: String(year), variant: "as-of/\(year)", point: point,
                                   ids: try ledger.list(at: point).map(\.id)))
            }
        }
        let times = copies.count > 1
            ? copies.map { RenderSettings.StaticTime(label: $0.label, variant: $0.variant, ids: Set($0.ids)) } : []
        for copy in copies {
            func put(_ destination: Destination, _ content: String) throws {
                let path = (copy.variant.isEmpty ? "" : copy.variant + "/") + Linker.staticPath(destination)
                try writeFile(options.out + "/" + path, content)
                if path.hasSuffix(".html") { report.pages += 1 } else { report.files += 1 }
            }
            let written = Linker.WrittenPages(here: Set(copy.ids), root: Set(copies[0].ids))
            let page = { (destination: Destination) throws -> String in
                try self.page(destination, ledger, at: copy.point, variant: copy.variant, times: times,
                              written: written, proofs: proofSize, options)
            }
            try put(.home, try page(.home))
            for id in copy.ids {
                try put(.entity(id), try page(.entity(id)))
                try put(.historyCSV(id), try page(.historyCSV(id)))
            }
            let pageCount = try Models.audit(ledger, AuditQuery(),
                                             at: PointInTime(asOf: nil, knownAt: copy.point.knownAt))
                .pageCount
            for number in 1...pageCount {
                var query = AuditQuery()
                query.page = number
                try put(.audit(query), try page(.audit(query)))
            }
            try put(.auditCSV(AuditQuery()), try page(.auditCSV(AuditQuery())))
            try put(.verify, try page(.verify))
            report.copies += 1
        }
        try writeFile(options.out + "/ledger.ndjson", String(decoding: export, as: UTF8.self))
        let head = lines.last.flatMap { line in
            line["position"]?.numberValue.map { "\(Int64($0)) \(line["hash"]?.stringValue ?? "")\n" }
        }
        try writeFile(options.out + "/head.txt", head ?? "")
        report.files += 2
        // SPEC §10: with a checkpoint, the copy carries it and the proof of every event in
        // it, so a reader can check any decision offline with `goalledger verify-proof`.
        if let checkpoint = try ledger.latestCheckpoint() {
            try writeFile(options.out + "/checkpoint.txt", checkpoint.note.rendered)
            report.files += 1
            for position in stride(from: Int64(1), through: checkpoint.checkpoint.size, by: 1) {
                try writeFile(options.out + "/" + Linker.proofPath(position),
                              try ledger.prove(position: position, checkpoint: checkpoint).text)
                report.files += 1
            }
        }
        return report
    }

    /// One file of a static copy: the page (or CSV) at `destination`, with the
    /// links it has when written into the copy at `variant` (the golden tests
    /// render pages through this, without a server).
    /// - parameter written: the entity pages of this copy and of the root copy (default: those
    ///   that exist at `point` and at the options' point, as `write` writes them).
    public static func page(_ destination: Destination, _ ledger: Ledger, at point: PointInTime, variant: String = "",
                            times: [RenderSettings.StaticTime] = [], written: Linker.WrittenPages? = nil,
                            proofs: Int64? = nil, _ options: Options) throws -> String {
        let depth = Linker.depth(of: destination) + (variant.isEmpty ? 0 : variant.split(separator: "/").count)
        let pages = try written ?? Linker.WrittenPages(here: Set(ledger.list(at: point).map(\.id)),
                                                        root: Set(ledger.list(at: options.point).map(\.id)))
        let settings = RenderSettings(language: options.language,
                                      linker: Linker(.staticSite(depth: depth, variant: variant, written: pages)),
                                      accessibilityStatement: options.accessibilityStatement, staticTimes: times,
                                      proofs: proofs)
        let auditPoint = PointInTime(asOf: nil, knownAt: point.knownAt)
        switch destination {
        case .home: return Pages.render(.index(try Models.index(ledger, at: point)), settings)
        case .entity(let id): return Pages.render(.entity(try Models.entity(ledger, id, at: point)), settings)
        case .historyCSV(let id): return CSV.history(try ledger.history(id, at: point))
        case .audit(let query): return Pages.render(.audit(try Models.audit(ledger, query, at: auditPoint)), settings)
        case .auditCSV(let query):
            var rows: [HistoryRow] = []
            try ledger.audit(query.filter(knownAt: point.knownAt)) { rows.append($0) }
            return CSV.history(rows)
        case .verify: return Pages.render(.verify(try Models.verify(ledger)), settings)
        case .apiShow(let id): return try APIJSON.show(ledger, id, at: point)
        }
    }

    static func rootLabel(_ point: PointInTime, _ text: Catalogue) -> String {
        point.isNow ? text(.timeNow) : Pages.when(point, text)
    }

    /// The years from the earliest to the latest effective date among the exported events.
    static func yearSpan(_ lines: [JSONObject]) -> [Int] {
        let years = lines.compactMap { $0["effective"]?.stringValue.flatMap { Int($0.prefix(4)) } }
        guard let earliest = years.min(), let latest = years.max() else { return [] }
        return Array(earliest...latest)
    }

    static func writeFile(_ path: String, _ content: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
    }
}
