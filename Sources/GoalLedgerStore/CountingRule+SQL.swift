import GoalLedgerCore

/// A condition on rows: SQL terms joined by AND, and the values of their
/// `?` parameters, in order. No term means every row.
struct SQLCondition {
    enum Value {
        case text(String)
        case integer(Int64)
    }

    private(set) var terms: [String] = []
    private(set) var values: [Value] = []

    mutating func add(_ term: String, _ values: Value...) {
        terms.append(term)
        self.values += values
    }

    /// Adds every term of another condition (with its values).
    mutating func add(_ other: SQLCondition) {
        terms += other.terms
        values += other.values
    }

    /// ` AND term…` to follow a WHERE clause; empty for no term.
    var andTerms: String { terms.map { " AND " + $0 }.joined() }

    /// ` WHERE term AND …`; empty for no term.
    var whereClause: String { terms.isEmpty ? "" : " WHERE " + terms.joined(separator: " AND ") }

    /// Binds the values to the statement's parameters from `first` on; returns the next free parameter.
    @discardableResult
    func bind(to statement: RawStatement, from first: Int32) -> Int32 {
        var parameter = first
        for value in values {
            switch value {
            case .text(let text): statement.bind(parameter, text)
            case .integer(let integer): statement.bind(parameter, integer)
            }
            parameter += 1
        }
        return parameter
    }
}

/// `CountingRule` in SQL, for the queries that pre-filter `events` rows in
/// SQLite before the fold sees them: the one place these conditions are written.
extension CountingRule {
    /// Rows known by then: what `isKnown` keeps.
    var knownSQL: SQLCondition {
        var condition = SQLCondition()
        if let recordedBound { condition.add("recorded <= ?", .text(recordedBound)) }
        return condition
    }

    /// The rows a fold at this point reads: known, and in effect or a
    /// retraction (a retraction hides its event whenever it takes effect).
    /// The fold itself then keeps what counts (`events(of:)`).
    var foldReadsSQL: SQLCondition {
        var condition = knownSQL
        if let asOf = point.asOf { condition.add("(effective <= ? OR type = 'Retracted')", .text(asOf.effectiveBound)) }
        return condition
    }

    /// Rows of `snapshots` that may answer at this point: what `Snapshot.admits` keeps.
    var snapshotsAdmittedSQL: SQLCondition {
        var condition = SQLCondition()
        if let recordedBound { condition.add("head_recorded <= ?", .text(recordedBound)) }
        if let effectiveKeyBound { condition.add("effective_key <= ?", .integer(effectiveKeyBound)) }
        return condition
    }

    /// True for a row of `events` (named `alias`) that a retraction of its
    /// stream names: the views' `retracted` column, with every retraction known.
    static func retractedSQL(event alias: String) -> String {
        """
        EXISTS (SELECT 1 FROM events r WHERE r.stream = \(alias).stream AND r.type = 'Retracted' \
        AND json_extract(r.data, '$.event') = \(alias).id)
        """
    }
}
