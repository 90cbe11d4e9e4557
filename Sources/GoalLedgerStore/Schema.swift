import GRDB
import GoalLedgerCore

/// The ledger's tables, views and triggers, one named migration per change.
///
/// `events` is the record; everything else is derived from it and can be
/// rebuilt by `replay`. The views make the file useful on its own, in the
/// `sqlite3` shell or Datasette (see docs/SCHEMA.md).
enum Schema {
    static let appendOnlyTriggers = [
        ("events_no_update", "UPDATE"),
        ("events_no_delete", "DELETE"),
    ]

    static func triggerSQL(_ name: String, _ op: String) -> String {
        "CREATE TRIGGER \(name) BEFORE \(op) ON events BEGIN "
            + "SELECT RAISE(ABORT, 'goalledger: the events table is append-only'); END"
    }

    /// How many migrations `migrator` registers.
    static var migrationCount: Int { migrator.migrations.count }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: events, entities, views") { db in
            try db.execute(sql: """
                CREATE TABLE events (
                    position    INTEGER PRIMARY KEY,
                    version     INTEGER NOT NULL,
                    stream      TEXT NOT NULL,
                    type        TEXT NOT NULL,
                    effective   TEXT NOT NULL,
                    actor       TEXT NOT NULL,
                    reason      TEXT,
                    decision    TEXT,
                    id          TEXT NOT NULL,
                    data        TEXT NOT NULL,
                    recorded    TEXT NOT NULL,
                    recorded_by TEXT NOT NULL,
                    prev        TEXT NOT NULL,
                    hash        TEXT NOT NULL
                );
                CREATE UNIQUE INDEX events_stream_version ON events(stream, version);
                CREATE UNIQUE INDEX events_id ON events(id);
                """)
            for (name, op) in appendOnlyTriggers { try db.execute(sql: triggerSQL(name, op)) }
            try db.execute(sql: """
                CREATE TABLE entities (
                    id            TEXT PRIMARY KEY,
                    kind          TEXT NOT NULL,
                    version       INTEGER NOT NULL,
                    created       INTEGER NOT NULL,
                    folded        INTEGER,
                    last_position INTEGER,
                    plan          TEXT,
                    parent        TEXT,
                    title         TEXT,
                    status        TEXT,
                    state         TEXT
                );
                CREATE INDEX entities_plan ON entities(plan);
                CREATE INDEX entities_kind ON entities(kind);
                CREATE TABLE snapshots (
                    stream        TEXT NOT NULL,
                    head_position INTEGER NOT NULL,
                    head_recorded TEXT NOT NULL,
                    effective_key INTEGER NOT NULL,
                    last_position INTEGER NOT NULL,
                    folded        INTEGER NOT NULL,
                    state         TEXT NOT NULL,
                    PRIMARY KEY (stream, head_position)
                ) WITHOUT ROWID;
                """)
            try createViews(db, historical: false)
        }
        migrator.registerMigration("v2: events by type") { db in
            // audit --field and --type read only the event types that matter.
            try db.execute(sql: "CREATE INDEX events_type ON events(type)")
        }
        migrator.registerMigration("v3: merkle nodes") { db in
            // Complete subtrees of 16 or more leaves (SPEC §10, `MerkleNodes`), derived from the
            // events but written with them, so proofs need no scan; `verify` rebuilds and compares.
            try db.execute(sql: """
                CREATE TABLE merkle_nodes (
                    level INTEGER NOT NULL,
                    idx   INTEGER NOT NULL,
                    hash  BLOB NOT NULL,
                    PRIMARY KEY (level, idx)
                ) WITHOUT ROWID
                """)
            try MerkleNodes.backfill(db)
        }
        migrator.registerMigration("v4: checkpoints") { db in
            // Signed checkpoints (SPEC §10), append-only like events; cosignatures are added as rows of their own.
            try db.execute(sql: """
                CREATE TABLE checkpoints (
                    seq      INTEGER PRIMARY KEY,
                    origin   TEXT NOT NULL,
                    size     INTEGER NOT NULL,
                    root     BLOB NOT NULL,
                    note     TEXT NOT NULL,
                    recorded TEXT NOT NULL
                );
                CREATE INDEX checkpoints_origin ON checkpoints(origin, seq);
                CREATE TABLE checkpoint_cosignatures (
                    checkpoint INTEGER NOT NULL REFERENCES checkpoints(seq),
                    line       TEXT NOT NULL,
                    UNIQUE (checkpoint, line)
                );
                """)
            for (table, name, op) in checkpointTriggers { try db.execute(sql: triggerSQL(name, op, on: table)) }
        }
        migrator.registerMigration("v5: signed events") { db in
            // SPEC §10: an event's signatures, RFC 8785 JSON; NULL for an unsigned event.
            try db.execute(sql: "ALTER TABLE events ADD COLUMN sigs TEXT")
        }
        return migrator
    }

    static let checkpointTriggers = [
        ("checkpoints", "checkpoints_no_update", "UPDATE"),
        ("checkpoints", "checkpoints_no_delete", "DELETE"),
        ("checkpoint_cosignatures", "checkpoint_cosignatures_no_update", "UPDATE"),
        ("checkpoint_cosignatures", "checkpoint_cosignatures_no_delete", "DELETE"),
    ]

    static func triggerSQL(_ name: String, _ op: String, on table: String) -> String {
        """
        CREATE TRIGGER \(name) BEFORE \(op) ON \(table) BEGIN \
        SELECT RAISE(ABORT, 'goalledger: the \(table) table is append-only'); END
        """
    }

    /// Views for people. In the ledger, target history and measurements read
    /// the events table; in a historical file (`replay --into`) they read
    /// tables of the same shape written at that time.
    static func createViews(_ db: Database, historical: Bool) throws {
        try db.execute(sql: """
            CREATE VIEW current_goals AS
              SELECT id, plan, json_extract(state, '$.theme') AS theme, json_extract(state, '$.label') AS label,
                     title, status,
                     json_extract(state, '$.target.value') AS target_value,
                     json_extract(state, '$.target.unit') AS target_unit,
                     json_extract(state, '$.target.comparator') AS target_comparator,
                     json_extract(state, '$.target.deadline') AS target_deadline
              FROM entities WHERE kind = 'goal' AND state IS NOT NULL;
            CREATE VIEW current_indicators AS
              SELECT id, plan, parent AS goal, title, status,
                     json_extract(state, '$.unit') AS unit, json_extract(state, '$.direction') AS direction,
                     json_extract(state, '$.target.value') AS target_value,
                     json_extract(state, '$.latest.value') AS latest_value,
                     json_extract(state, '$.latest.effective') AS latest_effective,
                     json_extract(state, '$.measurements') AS measurements
              FROM entities WHERE kind = 'indicator' AND state IS NOT NULL;
            """)
        if historical { return }
        try db.execute(sql: """
            CREATE VIEW target_history AS
              SELECT e.position, e.stream, e.effective, e.recorded, e.actor, e.recorded_by, e.reason, e.decision,
                     json_extract(e.data, '$.value') AS value, json_extract(e.data, '$.unit') AS unit,
                     json_extract(e.data, '$.comparator') AS comparator, json_extract(e.data, '$.deadline') AS deadline,
                     \(CountingRule.retractedSQL(event: "e")) AS retracted
              FROM events e WHERE e.type = 'TargetSet';
            CREATE VIEW measurements AS
              SELECT e.position, e.stream AS indicator, e.effective, e.recorded, e.actor,
                     json_extract(e.data, '$.value') AS value, json_extract(e.data, '$.period') AS period,
                     json_extract(e.data, '$.source') AS source,
                     \(CountingRule.retractedSQL(event: "e")) AS retracted
              FROM events e WHERE e.type = 'MeasurementRecorded';
            """)
    }
}
