/// The columns a statement reads or writes, as an enum whose cases are in
/// the statement's order: the SQL column list, each column's index in a row
/// and its `?` number all come from the cases, so no row is read by number.
/// For example `HeadColumn` (position, hash, recorded) gives `EventRows.headSQL`
/// its column list, and `Ledger.head` reads `HeadColumn.hash.index` of its row.
protocol TableColumn: CaseIterable, RawRepresentable where RawValue == Int32 {
    /// The column's name in SQL; by default the case name in snake_case (`recordedBy` → `recorded_by`).
    var sqlName: String { get }
}

extension TableColumn {
    var sqlName: String {
        String("\(self)".flatMap { $0.isUppercase ? ["_", Character($0.lowercased())] : [$0] })
    }

    /// The index of the column in a row selected with `list` (from 0).
    /// Read for every column of every row of a scan: always inlined.
    @inline(__always) var index: Int32 { rawValue }

    /// The number of its `?` in `insertSQL(into:)` (from 1).
    @inline(__always) var parameter: Int32 { rawValue + 1 }

    /// The columns' SQL names, comma-separated, in case order.
    static var list: String { allCases.map(\.sqlName).joined(separator: ", ") }

    /// `INSERT INTO table (list) VALUES (?, …)`, one `?` per column in case order.
    static func insertSQL(into table: String, orReplace: Bool = false) -> String {
        "INSERT \(orReplace ? "OR REPLACE " : "")INTO \(table) (\(list)) VALUES ("
            + Array(repeating: "?", count: allCases.count).joined(separator: ",") + ")"
    }
}
