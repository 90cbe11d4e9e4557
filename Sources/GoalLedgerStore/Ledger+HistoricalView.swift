import GRDB
import GoalLedgerCore

#if canImport(Glibc)
import Glibc
#endif

extension Ledger {
    /// Writes the projections as of a point in time into a new SQLite file:
    /// `entities` (only what exists then), `target_history` and
    /// `measurements` (events known then, with retractions as known then),
    /// the views, and a `meta` table saying when. The ledger is only read.
    ///
    /// - parameter path: a new file; an existing one is refused.
    /// - parameter point: the as-of and known-at times the view shows.
    /// - parameter progress: called now and then with the events written and the total.
    /// - returns: how many entities exist at `point`.
    /// - throws: `LedgerError` (rejected) when `path` exists, or a SQLite error writing it.
    public func writeHistoricalView(into path: String, at point: PointInTime, progress: Progress? = nil) throws -> Int {
        if access(path, F_OK) == 0 { throw LedgerError.rejected("\(path) already exists; choose a new file") }
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let out: DatabaseQueue
        do {
            out = try DatabaseQueue(path: path, configuration: config)
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
        let source = self.path
        let head = try self.head()
        return try read { db in
            let total = try Self.headPosition(db)
            let known = CountingRule(point).knownSQL
            let statement = try RawStatement(
                db, "SELECT \(EventRows.columns) FROM events\(known.whereClause) ORDER BY stream, version")
            known.bind(to: statement, from: 1)
            defer { statement.reset() }
            return try out.write { viewDB in
                try viewDB.execute(sql: HistoricalView.schemaSQL)
                try Schema.createViews(viewDB, historical: true)
                let meta = [("source", source), ("asOf", point.asOf?.input), ("knownAt", point.knownAt?.input),
                            ("sourceHead", head.map { "\($0.position) \($0.hash)" })]
                for (key, value) in meta {
                    try viewDB.execute(sql: "INSERT INTO meta VALUES (?, ?)", arguments: [key, value])
                }
                var view = try HistoricalView(viewDB, at: point)
                var stream: [Event] = []
                var done: Int64 = 0
                func writeStream() throws {
                    guard let creation = stream.first else { return }
                    try view.write(stream, plan: try Self.planOf(db, creation))
                    done += Int64(stream.count)
                    progress?(done, total)
                    stream.removeAll()
                }
                while try statement.step() {
                    let event = try EventRows.read(statement)
                    if let last = stream.last, last.stream != event.stream { try writeStream() }
                    stream.append(event)
                }
                try writeStream()
                return view.entitiesWritten
            }
        }
    }

    /// The plan a stream belongs to, from the current projection (membership never changes).
    static func planOf(_ db: Database, _ creation: Event) throws -> String? {
        try String.fetchOne(db, sql: "SELECT plan FROM entities WHERE id = ?", arguments: [creation.stream])
    }
}

/// The tables of a historical view (`replay --as-of … --into FILE`) and the
/// writing of one stream's rows into them.
struct HistoricalView {
    static let schemaSQL = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE entities (id TEXT PRIMARY KEY, kind TEXT NOT NULL, version INTEGER NOT NULL,
            created INTEGER NOT NULL, folded INTEGER, last_position INTEGER, plan TEXT, parent TEXT,
            title TEXT, status TEXT, state TEXT);
        CREATE TABLE target_history (position INTEGER PRIMARY KEY, stream TEXT, effective TEXT,
            recorded TEXT, actor TEXT, recorded_by TEXT, reason TEXT, decision TEXT, value REAL, unit TEXT,
            comparator TEXT, deadline TEXT, retracted INTEGER);
        CREATE TABLE measurements (position INTEGER PRIMARY KEY, indicator TEXT, effective TEXT,
            recorded TEXT, actor TEXT, value REAL, period TEXT, source TEXT, retracted INTEGER);
        """

    /// The columns of `target_history`: one row per `TargetSet` in effect then.
    static let targetColumns: [HistoryField] = [
        .position, .stream, .effective, .recorded, .actor, .recordedBy, .reason, .decision, .value, .unit,
        .comparator, .deadline, .retracted,
    ]

    /// The columns of `measurements`: one row per `MeasurementRecorded` in effect then.
    static let measurementColumns: [HistoryField] = [
        .position, .indicator, .effective, .recorded, .actor, .value, .period, .source, .retracted,
    ]

    let rule: CountingRule
    let point: PointInTime
    let entities: RawStatement
    let targets: RawStatement
    let measurements: RawStatement
    private(set) var entitiesWritten = 0

    init(_ viewDB: Database, at point: PointInTime) throws {
        self.point = point
        rule = CountingRule(point)
        entities = try RawStatement(viewDB, Projection.upsertSQL)
        targets = try RawStatement(viewDB, HistoryField.insertSQL(into: "target_history", Self.targetColumns))
        measurements = try RawStatement(viewDB, HistoryField.insertSQL(into: "measurements", Self.measurementColumns))
    }

    /// Writes one stream's rows: its events known then (in version order), of
    /// which those in effect then get a history row, marked retracted when a
    /// retraction known then takes them out; and its entity, if it exists then.
    mutating func write(_ stream: [Event], plan: String?) throws {
        guard let creation = stream.first, let kind = creation.type.creates else { return }
        let counted = Set(rule.events(of: stream).map(\.id))
        for event in stream where rule.isInEffect(event) {
            let retracted: Int64 = counted.contains(event.id) ? 0 : 1
            switch event.type {
            case .targetSet: try writeTarget(event, retracted: retracted)
            case .measurementRecorded: try writeMeasurement(event, retracted: retracted)
            default: break
            }
        }
        guard let folded = Fold.state(of: stream, at: point) else { return }
        let entry = StreamEntry(kind: kind, version: stream.last!.version, plan: plan, created: creation.position,
                                timeline: ProjectionHead(head: folded, hasEvents: true))
        EntityRow(creation.stream, entry).bind(to: entities)
        try entities.run()
        entitiesWritten += 1
    }

    private func writeTarget(_ event: Event, retracted: Int64) throws {
        try Self.insert(event, retracted: retracted, into: targets, columns: Self.targetColumns)
    }

    private func writeMeasurement(_ event: Event, retracted: Int64) throws {
        try Self.insert(event, retracted: retracted, into: measurements, columns: Self.measurementColumns)
    }

    /// Binds each column's value in turn (the `?` of column i is i + 1) and inserts the row.
    private static func insert(_ event: Event, retracted: Int64, into statement: RawStatement,
                               columns: [HistoryField]) throws {
        statement.reset()
        for (offset, column) in columns.enumerated() {
            let parameter = Int32(offset + 1)
            switch column {
            case .position: statement.bind(parameter, event.position)
            case .retracted: statement.bind(parameter, retracted)
            default: statement.bind(parameter, column.text(of: event))
            }
        }
        try statement.run()
    }
}

/// What a column of a history table holds of an event.
enum HistoryField {
    case position, stream, indicator, effective, recorded, actor, recordedBy, reason, decision
    /// Members of the event's `data`.
    case value, unit, comparator, deadline, period, source
    /// 1 when a retraction known then takes the event out, else 0.
    case retracted

    var sqlName: String { ColumnSQL.snakeCase("\(self)") }

    static func insertSQL(into table: String, _ columns: [HistoryField]) -> String {
        ColumnSQL.insert(into: table, columns: columns.map(\.sqlName))
    }

    /// The column's text for an event (not for `position` and `retracted`, which are integers).
    func text(of event: Event) -> String? {
        switch self {
        case .stream, .indicator: event.stream
        case .effective: event.effective.text
        case .recorded: event.recorded
        case .actor: event.actor
        case .recordedBy: event.recordedBy
        case .reason: event.reason
        case .decision: event.decision
        // A number, as canonical JSON: SQLite stores it as REAL.
        case .value: event.data["value"].map { JSONWriter.canonical($0) }
        case .unit, .comparator, .deadline, .period, .source: event.data["\(self)"]?.stringValue
        case .position, .retracted: nil
        }
    }
}
