import Foundation
import GoalLedgerCore
import GoalLedgerStore

/// `history.csv` and `audit.csv`: RFC 4180 (CRLF, fields quoted when they
/// hold a comma, quote or line break, quotes doubled), UTF-8, a header row.
enum CSV {
    static let header = ["position", "stream", "type", "effective", "recorded", "actor", "recordedBy", "decision",
                         "reason", "id", "changes", "retractedBy", "signedBy"]

    static func history(_ rows: [HistoryRow]) -> String {
        var out = line(header)
        for row in rows {
            let event = row.event
            let changes = row.changes.map { change in
                change.field + ": " + (change.before.map(value) ?? "") + " → " + (change.after.map(value) ?? "")
            }.joined(separator: "; ")
            out += line([String(event.position), event.stream, event.type.rawValue, event.effective.text,
                         event.recorded, event.actor, event.recordedBy, event.decision ?? "", event.reason ?? "",
                         event.id, changes, row.retractedBy.map(String.init) ?? "",
                         (event.sigs ?? []).map(\.name).joined(separator: " ")])
        }
        return out
    }

    static func value(_ json: JSON) -> String {
        if case .string(let text) = json { return text }
        return JSONWriter.canonical(json)
    }

    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// One field: control characters other than tab and line breaks become U+FFFD.
    static func field(_ text: String) -> String {
        var clean = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control && scalar != "\t" && scalar != "\n" && scalar != "\r" {
                clean.unicodeScalars.append("\u{FFFD}")
            } else {
                clean.unicodeScalars.append(scalar)
            }
        }
        guard clean.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return clean
        }
        return "\"" + clean.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
