import GRDB
import GoalLedgerCore

/// Reading and writing rows of the `events` table.
enum EventRows {
    static let columns = "position, version, stream, type, effective, actor, reason, decision, id, data, recorded, "
        + "recorded_by, prev, hash, sigs"

    static let insertSQL = "INSERT INTO events (\(columns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

    /// Inserts an event. Its texts are copied once into `buffer` and bound
    /// in place, so SQLite makes no copy of its own of each column.
    static func insert(_ e: Event, _ s: RawStatement, buffer: inout [UInt8]) throws {
        buffer.removeAll(keepingCapacity: true)
        var spans: [(column: Int32, start: Int, count: Int)?] = []
        spans.reserveCapacity(12)
        func add(_ column: Int32, _ text: String?) {
            guard var text else { spans.append(nil); return }
            let start = buffer.count
            text.withUTF8 { buffer.append(contentsOf: $0) }
            spans.append((column, start, buffer.count - start))
        }
        add(3, e.stream); add(4, e.type.rawValue); add(5, e.effective.text); add(6, e.actor); add(7, e.reason)
        add(8, e.decision); add(9, e.id); add(10, e.dataJSON); add(11, e.recorded); add(12, e.recordedBy)
        add(13, e.prev); add(14, e.hash); add(15, e.sigs.map(EventSignature.canonical))
        try buffer.withUnsafeBufferPointer { bytes in
            s.reset()
            s.bind(1, e.position)
            s.bind(2, e.version)
            for (k, span) in spans.enumerated() {
                guard let span else { s.bind(Int32(k + 3), nil as String?); continue }
                s.bindStatic(span.column, bytes.baseAddress! + span.start, span.count)
            }
            // The bound bytes live only in this closure: unbind them before it ends.
            defer { s.reset() }
            try s.run()
        }
    }

    /// Decodes the current row (selected with `columns`). A row the ledger
    /// could not have written is an integrity failure at its position.
    /// `light` skips the columns a fold never looks at (actor, reason,
    /// decision, recordedBy, prev, hash), for replay.
    /// `light` events also leave out `dataJSON`: a fold reads the parsed `data`;
    /// and with `recorded: false` the recorded time (replay and verify read it
    /// from the row only when a snapshot is taken).
    static func read(_ s: some EventColumns, parseData: Bool = true, light: Bool = false, recorded: Bool = true) throws -> Event {
        let position = s.int(0)
        func bad(_ what: String) -> LedgerError { .integrity("position \(position): \(what)", position: position) }
        guard let type = EventType(utf8: s.bytes(3)) else { throw bad("unknown type \(s.text(3))") }
        let effective: Effective
        do { effective = try Effective(storedUTF8: s.bytes(4)) } catch { throw bad(error.message) }
        let dataJSON = light ? "" : s.text(9)
        var data = JSONObject()
        if parseData { do {
            guard case .object(let o) = try JSONParser.parse(s.bytes(9)) else { throw bad("data is not an object") }
            data = o
        } catch let e as LedgerError { throw e } catch { throw bad("data is not valid JSON: \(error)") } }
        if light {
            return Event(position: position, version: s.int(1), stream: s.text(2), type: type, effective: effective,
                         actor: "", reason: nil, decision: nil, id: s.text(8), data: data, dataJSON: dataJSON,
                         recorded: recorded ? s.text(10) : "", recordedBy: "", prev: "", hash: "")
        }
        var sigs: [EventSignature]? = nil
        if !s.isNull(14) {
            do { sigs = try EventSignature.parse(try JSONParser.parse(s.bytes(14))) } catch {
                throw bad("sigs is malformed: \(error)")
            }
        }
        return Event(position: position, version: s.int(1), stream: s.text(2), type: type, effective: effective,
                     actor: s.text(5), reason: s.optionalText(6), decision: s.optionalText(7), id: s.text(8),
                     data: data, dataJSON: dataJSON, recorded: s.text(10), recordedBy: s.text(11), prev: s.text(12),
                     hash: s.text(13), sigs: sigs)
    }

    /// Every event of one stream, in version order; optionally only those before a position.
    static func stream(_ db: Database, _ stream: String, before position: Int64? = nil, light: Bool = false) throws -> [Event] {
        let s = try RawStatement(db, "SELECT \(columns) FROM events WHERE stream = ? AND position < ? ORDER BY version")
        s.bind(1, stream)
        s.bind(2, position ?? Int64.max)
        var out: [Event] = []
        while try s.step() { out.append(try read(s, light: light)) }
        s.reset()
        return out
    }

    static func byID(_ db: Database, _ id: String) throws -> Event? {
        let s = try RawStatement(db, "SELECT \(columns) FROM events WHERE id = ?")
        s.bind(1, id)
        defer { s.reset() }
        return try s.step() ? try read(s) : nil
    }

    static func at(_ db: Database, position: Int64) throws -> Event? {
        let s = try RawStatement(db, "SELECT \(columns) FROM events WHERE position = ?")
        s.bind(1, position)
        defer { s.reset() }
        return try s.step() ? try read(s) : nil
    }

    static func creation(_ db: Database, _ stream: String) throws -> Event? {
        let s = try RawStatement(db, "SELECT \(columns) FROM events WHERE stream = ? AND version = 1")
        s.bind(1, stream)
        defer { s.reset() }
        return try s.step() ? try read(s) : nil
    }
}

/// The columns of an `events` row (in `EventRows.columns` order), from a
/// statement or from a copy made on another thread.
protocol EventColumns {
    func int(_ i: Int32) -> Int64
    /// The column's bytes, valid while the row is.
    func bytes(_ i: Int32) -> UnsafeBufferPointer<UInt8>
    func isNull(_ i: Int32) -> Bool
}

extension EventColumns {
    func text(_ i: Int32) -> String { String(decoding: bytes(i), as: UTF8.self) }
    func optionalText(_ i: Int32) -> String? { isNull(i) ? nil : text(i) }
}

extension RawStatement: EventColumns {}

/// The current row of a statement, each column fetched from SQLite once:
/// valid until the next step. `verify` reads every column several times.
struct RowBytes: EventColumns {
    let position: Int64, version: Int64
    private let columns: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>,
                          UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>,
                          UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)
    private let reasonIsNull: Bool, decisionIsNull: Bool
    /// The `sigs` column (SPEC §10), nil when the event is unsigned.
    let sigs: UnsafeBufferPointer<UInt8>?

    init(_ s: RawStatement) {
        position = s.int(0)
        version = s.int(1)
        columns = (s.bytes(2), s.bytes(3), s.bytes(4), s.bytes(5), s.bytes(6), s.bytes(7), s.bytes(8), s.bytes(9), s.bytes(10),
                   s.bytes(11), s.bytes(12), s.bytes(13))
        reasonIsNull = s.isNull(6)
        decisionIsNull = s.isNull(7)
        sigs = s.isNull(14) ? nil : s.bytes(14)
    }

    func int(_ i: Int32) -> Int64 { i == 0 ? position : version }
    func isNull(_ i: Int32) -> Bool { i == 6 ? reasonIsNull : i == 7 ? decisionIsNull : i == 14 ? sigs == nil : false }

    func bytes(_ i: Int32) -> UnsafeBufferPointer<UInt8> {
        switch i {
        case 2: columns.0
        case 3: columns.1
        case 4: columns.2
        case 5: columns.3
        case 6: columns.4
        case 7: columns.5
        case 8: columns.6
        case 9: columns.7
        case 10: columns.8
        case 11: columns.9
        case 12: columns.10
        case 13: columns.11
        case 14: sigs ?? UnsafeBufferPointer(start: nil, count: 0)
        default: preconditionFailure("column \(i) is not text")
        }
    }
}

/// Rows copied out of a statement, byte for byte, with the columns a light
/// read decodes (position, version, stream, type, effective, id, data,
/// recorded): `replay` steps SQLite and copies on one core and decodes and
/// folds on the other. Only bytes cross between the threads, so every
/// string and object is made and freed by the thread that folds.
struct LightRows: @unchecked Sendable {
    private static let copied: [Int32] = [2, 3, 4, 8, 9, 10]
    private static let slotOfColumn: [Int] = (0..<14).map { c in copied.firstIndex(of: Int32(c)) ?? -1 }
    private var bytes: [UInt8] = []
    /// Per row: position, version, then start and length of each copied column.
    private var layout: [Int] = []
    private static let stride = 2 + 2 * 6

    init(capacity: Int) {
        bytes.reserveCapacity(capacity * 256)
        layout.reserveCapacity(capacity * Self.stride)
    }

    var count: Int { layout.count / Self.stride }

    mutating func append(_ s: some EventColumns) {
        layout.append(Int(s.int(0)))
        layout.append(Int(s.int(1)))
        for c in Self.copied {
            let b = s.bytes(c)
            layout.append(bytes.count)
            layout.append(b.count)
            if b.count > 0 { bytes.append(contentsOf: b) }
        }
    }

    /// Calls `body` with each row in turn.
    func forEach(_ body: (Row) throws -> Void) rethrows {
        try forEach(upTo: count) { _, row in try body(row); return true }
    }

    /// Calls `body` with the index and row of the first `limit` rows in turn, until it returns false.
    func forEach(upTo limit: Int, _ body: (Int, Row) throws -> Bool) rethrows {
        try bytes.withUnsafeBufferPointer { all in
            try layout.withUnsafeBufferPointer { layout in
                for k in 0..<min(limit, count) {
                    guard try body(k, Row(all: all, fields: UnsafeBufferPointer(rebasing: layout[(k * Self.stride)...]))) else { return }
                }
            }
        }
    }

    struct Row: EventColumns {
        let all: UnsafeBufferPointer<UInt8>
        let fields: UnsafeBufferPointer<Int>

        func int(_ i: Int32) -> Int64 { Int64(fields[Int(i)]) }
        func isNull(_ i: Int32) -> Bool { false }
        func bytes(_ i: Int32) -> UnsafeBufferPointer<UInt8> {
            let slot = LightRows.slotOfColumn[Int(i)]
            precondition(slot >= 0, "column \(i) is not copied for a light read")
            let start = fields[2 + 2 * slot], count = fields[3 + 2 * slot]
            return UnsafeBufferPointer(rebasing: all[start..<(start + count)])
        }
    }
}
