import GRDB
import GoalLedgerCore

/// The columns of `events`, in the order `EventRows.columns` selects and
/// `EventRows.insertSQL` binds them: rows are read by name, never by number.
enum EventColumn: Int32, TableColumn {
    case position, version, stream, type, effective, actor, reason, decision, id, data, recorded, recordedBy, prev, hash
    case sigs

    var isInteger: Bool { self == .position || self == .version }
}

/// The columns of the ledger's last event that `EventRows.headSQL` reads.
enum HeadColumn: Int32, TableColumn {
    case position, hash, recorded
}

/// Reading and writing rows of the `events` table.
enum EventRows {
    /// The last event's position, hash and recorded time (`HeadColumn`); no row for an empty ledger.
    static let headSQL = "SELECT \(HeadColumn.list) FROM events ORDER BY position DESC LIMIT 1"

    static let columns = EventColumn.list

    static let insertSQL = EventColumn.insertSQL(into: "events")

    /// Inserts an event. Its texts are copied once into `buffer` and bound
    /// in place, so SQLite makes no copy of its own of each column.
    static func insert(_ event: Event, _ statement: RawStatement, buffer: inout [UInt8]) throws {
        buffer.removeAll(keepingCapacity: true)
        // Where each text column's bytes lie in `buffer`; nil for NULL.
        var spans: [(column: EventColumn, bytes: Range<Int>?)] = []
        spans.reserveCapacity(EventColumn.allCases.count)
        func add(_ column: EventColumn, _ text: String?) {
            guard var text else {
                spans.append((column, nil))
                return
            }
            let start = buffer.count
            text.withUTF8 { buffer.append(contentsOf: $0) }
            spans.append((column, start..<buffer.count))
        }
        add(.stream, event.stream)
        add(.type, event.type.rawValue)
        add(.effective, event.effective.text)
        add(.actor, event.actor)
        add(.reason, event.reason)
        add(.decision, event.decision)
        add(.id, event.id)
        add(.data, event.dataJSON)
        add(.recorded, event.recorded)
        add(.recordedBy, event.recordedBy)
        add(.prev, event.prev)
        add(.hash, event.hash)
        add(.sigs, event.sigs.map(EventSignature.canonical))
        try buffer.withUnsafeBufferPointer { bytes in
            statement.reset()
            statement.bind(EventColumn.position.parameter, event.position)
            statement.bind(EventColumn.version.parameter, event.version)
            for (column, span) in spans {
                guard let span else {
                    statement.bind(column.parameter, nil as String?)
                    continue
                }
                statement.bindStatic(column.parameter, bytes.baseAddress! + span.lowerBound, span.count)
            }
            // The bound bytes live only in this closure: unbind them before it ends.
            defer { statement.reset() }
            try statement.run()
        }
    }

    /// How much of an `events` row `read` decodes. An event read with less
    /// than `.whole` goes only to the readers its mode names.
    enum Read {
        /// Every column, `data` parsed: views, history, audit, the append rules.
        case whole
        /// Every column, `data` kept as its stored text only (`dataJSON`; `data`
        /// empty): export and the chain-hash check write it back as it is.
        case asStored
        /// What a fold reads: position, version, stream, type, effective, id,
        /// `data` parsed, recorded. The columns no fold reads (actor, reason,
        /// decision, recordedBy, prev, hash, sigs, the stored `data` text) are
        /// left empty: point-in-time queries and refolds.
        case forFold
        /// `forFold` without `recorded`: replay and verify read it from the row
        /// only when they take a snapshot (`Projection.apply`'s `recorded`).
        case forFoldWithoutRecorded
    }

    /// Decodes the current row (selected with `columns`), as much as `mode`
    /// says. A row the ledger could not have written is an integrity failure
    /// at its position.
    static func read(_ row: some EventColumns, _ mode: Read = .whole) throws -> Event {
        let onlyWhatFoldsRead = mode == .forFold || mode == .forFoldWithoutRecorded
        let parseData = mode != .asStored
        let recorded = mode != .forFoldWithoutRecorded
        let position = row.int(.position)
        func bad(_ what: String) -> LedgerError { .integrity("position \(position): \(what)", position: position) }
        guard let type = EventType(utf8: row.bytes(.type)) else { throw bad("unknown type \(row.text(.type))") }
        let effective: Effective
        do { effective = try Effective(storedUTF8: row.bytes(.effective)) } catch { throw bad(error.message) }
        var data = JSONObject()
        if parseData {
            do {
                guard case .object(let object) = try JSONParser.parse(row.bytes(.data)) else {
                    throw bad("data is not an object")
                }
                data = object
            } catch let error as LedgerError { throw error } catch { throw bad("data is not valid JSON: \(error)") }
        }
        if onlyWhatFoldsRead {
            return .forFold(position: position, version: row.int(.version), stream: row.text(.stream), type: type,
                            effective: effective, id: row.text(.id), data: data,
                            recorded: recorded ? row.text(.recorded) : "")
        }
        let dataJSON = row.text(.data)
        var sigs: [EventSignature]? = nil
        if !row.isNull(.sigs) {
            do { sigs = try EventSignature.parse(try JSONParser.parse(row.bytes(.sigs))) } catch {
                throw bad("sigs is malformed: \(error)")
            }
        }
        return Event(position: position, version: row.int(.version), stream: row.text(.stream), type: type,
                     effective: effective, actor: row.text(.actor), reason: row.optionalText(.reason),
                     decision: row.optionalText(.decision), id: row.text(.id), data: data, dataJSON: dataJSON,
                     recorded: row.text(.recorded), recordedBy: row.text(.recordedBy), prev: row.text(.prev),
                     hash: row.text(.hash), sigs: sigs)
    }

    /// Every event of one stream, in version order; optionally only those
    /// before a position, and optionally without its measurements: what
    /// `Fold.placeLate` weighs a late target, status or revision against
    /// (measurements set none of the members those set, and are most of an
    /// indicator's events).
    static func stream(_ db: Database, _ stream: String, before position: Int64? = nil,
                       reading mode: Read = .whole, leavingOutMeasurements: Bool = false) throws -> [Event] {
        let statement = try RawStatement(db, leavingOutMeasurements ? streamWithoutMeasurementsSQL : streamSQL)
        statement.bind(1, stream)
        statement.bind(2, position ?? Int64.max)
        var out: [Event] = []
        while try statement.step() { out.append(try read(statement, mode)) }
        statement.reset()
        return out
    }

    static let streamSQL = "SELECT \(columns) FROM events WHERE stream = ? AND position < ? ORDER BY version"
    static let streamWithoutMeasurementsSQL = """
        SELECT \(columns) FROM events WHERE stream = ? AND position < ?
        AND type <> '\(EventType.measurementRecorded.rawValue)' ORDER BY version
        """

    static func byID(_ db: Database, _ id: String) throws -> Event? {
        let statement = try RawStatement(db, "SELECT \(columns) FROM events WHERE id = ?")
        statement.bind(1, id)
        defer { statement.reset() }
        return try statement.step() ? try read(statement) : nil
    }

    /// Of the streams given with the position of the last event a scan has
    /// read of each, those whose last event in the file is that one: nothing
    /// later in the scan moves them. Asked in id order, so the stream index
    /// is walked forward. What `verify` and `audit` let go of on a ledger of
    /// many streams.
    static func streamsEnding(_ db: Database, at lastRead: [String: Int64]) throws -> [String] {
        let last = try RawStatement(db, lastPositionOfStreamSQL)
        defer { last.reset() }
        var ended: [String] = []
        for id in lastRead.keys.sorted() {
            last.reset()
            last.bind(1, id)
            if try last.step(), last.int(0) == lastRead[id]! { ended.append(id) }
        }
        return ended
    }

    static let lastPositionOfStreamSQL = "SELECT position FROM events WHERE stream = ? ORDER BY version DESC LIMIT 1"

    static func at(_ db: Database, position: Int64) throws -> Event? {
        let statement = try RawStatement(db, "SELECT \(columns) FROM events WHERE position = ?")
        statement.bind(1, position)
        defer { statement.reset() }
        return try statement.step() ? try read(statement) : nil
    }

    /// The fold key of the event at a position, read without decoding the rest of the row.
    static func foldKey(_ db: Database, position: Int64) throws -> FoldKey? {
        let statement = try RawStatement(db, "SELECT effective FROM events WHERE position = ?")
        statement.bind(1, position)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        do {
            return FoldKey(effective: try Effective(storedUTF8: statement.bytes(0)).key, position: position)
        } catch {
            throw LedgerError.integrity("position \(position): \(error.message)", position: position)
        }
    }

    static func creation(_ db: Database, _ stream: String) throws -> Event? {
        let statement = try RawStatement(db, "SELECT \(columns) FROM events WHERE stream = ? AND version = 1")
        statement.bind(1, stream)
        defer { statement.reset() }
        return try statement.step() ? try read(statement) : nil
    }
}

/// The columns of an `events` row (selected with `EventRows.columns`), from a
/// statement or from a copy made on another thread.
protocol EventColumns {
    func int(_ column: EventColumn) -> Int64
    /// The column's bytes, valid while the row is.
    func bytes(_ column: EventColumn) -> UnsafeBufferPointer<UInt8>
    func isNull(_ column: EventColumn) -> Bool
}

extension EventColumns {
    func text(_ column: EventColumn) -> String { String(decoding: bytes(column), as: UTF8.self) }
    func optionalText(_ column: EventColumn) -> String? { isNull(column) ? nil : text(column) }
}

extension RawStatement: EventColumns {
    func int(_ column: EventColumn) -> Int64 { int(column.index) }
    func bytes(_ column: EventColumn) -> UnsafeBufferPointer<UInt8> { bytes(column.index) }
    func isNull(_ column: EventColumn) -> Bool { isNull(column.index) }
}

/// The current row of a statement, each column fetched from SQLite once:
/// valid until the next step. `verify` reads every column several times.
struct RowBytes: EventColumns {
    let position: Int64, version: Int64
    /// Each text column's bytes, by `EventColumn.index` (empty for the two
    /// integers). 15 is `EventColumn.allCases.count` (checked in `init`).
    private let texts: InlineArray<15, UnsafeBufferPointer<UInt8>>
    private let nulls: InlineArray<15, Bool>
    /// The `sigs` column (SPEC §10), nil when the event is unsigned.
    var sigs: UnsafeBufferPointer<UInt8>? {
        nulls[Int(EventColumn.sigs.index)] ? nil : texts[Int(EventColumn.sigs.index)]
    }

    init(_ statement: RawStatement) {
        assert(EventColumn.allCases.count == 15, "RowBytes holds one slot per column")
        position = statement.int(.position)
        version = statement.int(.version)
        // Asking SQLite for an integer column as text would convert it: those stay empty.
        texts = InlineArray { index in
            EventColumn(rawValue: Int32(index))!.isInteger
                ? UnsafeBufferPointer(start: nil, count: 0)
                : statement.bytes(Int32(index))
        }
        nulls = InlineArray { index in statement.isNull(Int32(index)) }
    }

    func int(_ column: EventColumn) -> Int64 {
        switch column {
        case .position: position
        case .version: version
        default: preconditionFailure("\(column) is not an integer column")
        }
    }

    func isNull(_ column: EventColumn) -> Bool { nulls[Int(column.index)] }
    func bytes(_ column: EventColumn) -> UnsafeBufferPointer<UInt8> { texts[Int(column.index)] }

    /// Every column but `hash`, as stored: what the chain hash is computed
    /// over (`ChainHasher`) and, with `hash`, what an export line writes.
    var canonicalColumns: ChainHasher.Columns {
        func optional(_ column: EventColumn) -> UnsafeBufferPointer<UInt8>? { isNull(column) ? nil : bytes(column) }
        return ChainHasher.Columns(
            actor: bytes(.actor), data: bytes(.data), decision: optional(.decision), effective: bytes(.effective),
            id: bytes(.id), position: position, prev: bytes(.prev), reason: optional(.reason),
            recorded: bytes(.recorded), recordedBy: bytes(.recordedBy), sigs: sigs, stream: bytes(.stream),
            type: bytes(.type), version: version)
    }
}

/// Rows copied out of a statement, byte for byte, with the columns a light
/// read decodes (position, version, stream, type, effective, id, data,
/// recorded): `replay` steps SQLite and copies on one core and decodes and
/// folds on the other. Only bytes cross between the threads, so every
/// string and object is made and freed by the thread that folds.
struct LightRows: @unchecked Sendable {
    private static let copied: [EventColumn] = [.stream, .type, .effective, .id, .data, .recorded]
    /// Where each column's start and length lie among a row's `layout` entries; nil when not copied.
    private static let slotOfColumn: [Int?] = EventColumn.allCases.map { copied.firstIndex(of: $0) }
    private var bytes: [UInt8] = []
    /// Per row: position, version, then start and length of each copied column.
    private var layout: [Int] = []
    private static let stride = 2 + 2 * copied.count

    init(capacity: Int) {
        bytes.reserveCapacity(capacity * 256)
        layout.reserveCapacity(capacity * Self.stride)
    }

    var count: Int { layout.count / Self.stride }

    mutating func append(_ row: some EventColumns) {
        layout.append(Int(row.int(.position)))
        layout.append(Int(row.int(.version)))
        for column in Self.copied {
            let columnBytes = row.bytes(column)
            layout.append(bytes.count)
            layout.append(columnBytes.count)
            if columnBytes.count > 0 { bytes.append(contentsOf: columnBytes) }
        }
    }

    /// Calls `body` with each row in turn.
    func forEach(_ body: (Row) throws -> Void) rethrows {
        try forEach(upTo: count) { _, row in
            try body(row)
            return true
        }
    }

    /// Calls `body` with the index and row of the first `limit` rows in turn, until it returns false.
    func forEach(upTo limit: Int, _ body: (Int, Row) throws -> Bool) rethrows {
        try bytes.withUnsafeBufferPointer { all in
            try layout.withUnsafeBufferPointer { layout in
                for index in 0..<min(limit, count) {
                    let fields = UnsafeBufferPointer(rebasing: layout[(index * Self.stride)...])
                    guard try body(index, Row(all: all, fields: fields)) else {
                        return
                    }
                }
            }
        }
    }

    struct Row: EventColumns {
        let all: UnsafeBufferPointer<UInt8>
        let fields: UnsafeBufferPointer<Int>

        func int(_ column: EventColumn) -> Int64 {
            switch column {
            case .position: Int64(fields[0])
            case .version: Int64(fields[1])
            default: preconditionFailure("\(column) is not an integer column")
            }
        }

        func isNull(_ column: EventColumn) -> Bool { false }

        func bytes(_ column: EventColumn) -> UnsafeBufferPointer<UInt8> {
            guard let slot = LightRows.slotOfColumn[Int(column.index)] else {
                preconditionFailure("\(column) is not copied for a light read")
            }
            let start = fields[2 + 2 * slot], count = fields[3 + 2 * slot]
            return UnsafeBufferPointer(rebasing: all[start..<(start + count)])
        }
    }
}
