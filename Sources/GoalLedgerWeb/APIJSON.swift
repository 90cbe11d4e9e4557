import GoalLedgerCore
import GoalLedgerStore

/// The `--json` output of the read commands, byte for byte: the CLI prints
/// these strings and `/api/…` answers with them, so the two cannot differ.
public enum APIJSON {
    public static func show(_ ledger: Ledger, _ id: String, at point: PointInTime) throws -> String {
        line(try ledger.show(id, at: point).json)
    }

    public static func tree(_ ledger: Ledger, _ plan: String, at point: PointInTime) throws -> String {
        line(try ledger.tree(plan, at: point).json)
    }

    public static func list(_ ledger: Ledger, kind: EntityKind?, at point: PointInTime) throws -> String {
        line(.array(try ledger.list(kind: kind, at: point).map(\.json)))
    }

    public static func history(_ ledger: Ledger, _ id: String, at point: PointInTime) throws -> String {
        var json = ""
        try history(ledger, id, at: point) { json += $0 }
        return json
    }

    /// The history rows as one array, written row by row (as `audit`), so the
    /// CLI can stream a long stream's history; nothing is written when the
    /// entity or its events are not found.
    public static func history(_ ledger: Ledger, _ id: String, at point: PointInTime,
                               write: (String) throws -> Void) throws {
        var first = true
        try ledger.history(id, at: point) { row in
            try write((first ? "[" : ",") + escapingC1Controls(row.jsonText))
            first = false
        }
        try write("]\n")
    }

    public static func diff(_ ledger: Ledger, _ id: String, from: TimePoint, to: TimePoint,
                            knownAt: TimePoint?) throws -> String {
        line(try ledger.diff(id, from: from, to: to, knownAt: knownAt).json)
    }

    /// `{"position":N,"hash":"…"}`; `notFound` for an empty ledger, as `head` exits 3.
    public static func head(_ ledger: Ledger) throws -> String {
        guard let head = try ledger.head() else { throw LedgerError.notFound("the ledger is empty") }
        return line(.object(JSONObject([("position", .number(Double(head.position))), ("hash", .string(head.hash))])))
    }

    /// The audit rows as one array, written row by row (`write` receives the
    /// pieces in order), so the CLI can stream a long audit to stdout.
    /// With `loosened`, each row also carries `context`: the latest measurement the
    /// ledger knew when the revision was recorded, and whether the goal was then on course.
    public static func audit(_ ledger: Ledger, _ filter: AuditFilter, write: (String) throws -> Void) throws {
        try write("[")
        var first = true
        if filter.loosened {
            var rows: [HistoryRow] = []
            try ledger.audit(filter) { rows.append($0) }
            for row in rows {
                var object = row.json.objectValue ?? JSONObject()
                if let context = try ledger.revisionContext(of: row) { object["context"] = context.json }
                try write((first ? "" : ",") + escapingC1Controls(JSONWriter.ordered(.object(object))))
                first = false
            }
        } else {
            try ledger.auditOnTwoCores(filter, row: { row in
                try write((first ? "" : ",") + escapingC1Controls(row.jsonText))
                first = false
            })
        }
        try write("]\n")
    }

    public static func audit(_ ledger: Ledger, _ filter: AuditFilter) throws -> String {
        var out = ""
        try audit(ledger, filter) { out += $0 }
        return out
    }

    static func line(_ value: JSON) -> String { escapingC1Controls(JSONWriter.ordered(value)) + "\n" }

    /// JSON text with U+0080-U+009F written as `\u0080`…: the same strings to
    /// any JSON parser, but no raw control character for a terminal to obey.
    /// (RFC 8785 writes them raw; the hash input is not this output.)
    static func escapingC1Controls(_ json: String) -> String {
        guard Validation.firstC1Control(json) != nil else { return json }
        var out = ""
        for scalar in json.unicodeScalars {
            if (0x80...0x9F).contains(scalar.value) {
                out += "\\u00" + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
