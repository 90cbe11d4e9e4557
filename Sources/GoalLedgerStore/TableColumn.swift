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
    var sqlName: String { ColumnSQL.snakeCase("\(self)") }

    /// The index of the column in a row selected with `list` (from 0).
    /// Read for every column of every row of a scan: always inlined.
    @inline(__always) var index: Int32 { rawValue }

    /// The number of its `?` in `insertSQL(into:)` (from 1).
    @inline(__always) var parameter: Int32 { rawValue + 1 }

    /// The columns' SQL names, comma-separated, in case order. Built at each
    /// call (the names come from the cases by reflection): SQL that runs per
    /// event or per stream keeps it in a `static let`, as `EventRows.columns`
    /// and `Projection.storedSnapshotSQL` do (building it took 8 % of a wide replay).
    static var list: String { allCases.map(\.sqlName).joined(separator: ", ") }

    /// `INSERT INTO table (list) VALUES (?, …)`, one `?` per column in case order.
    static func insertSQL(into table: String, orReplace: Bool = false) -> String {
        ColumnSQL.insert(into: table, columns: allCases.map(\.sqlName), orReplace: orReplace)
    }
}

/// The SQL text shared by `TableColumn` and the history tables' `HistoryField`
/// (whose column lists are chosen per table, so they are not an enum's cases).
enum ColumnSQL {
    /// A Swift case name as an SQL column name: `recordedBy` → `recorded_by`.
    static func snakeCase(_ name: String) -> String {
        String(name.flatMap { $0.isUppercase ? ["_", Character($0.lowercased())] : [$0] })
    }

    /// `INSERT [OR REPLACE] INTO table (columns) VALUES (?, …)`, one `?` per column, in order.
    static func insert(into table: String, columns: [String], orReplace: Bool = false) -> String {
        "INSERT \(orReplace ? "OR REPLACE " : "")INTO \(table) (\(columns.joined(separator: ", "))) VALUES ("
            + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
    }
}
