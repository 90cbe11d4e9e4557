import GRDB
import GRDBSQLite
import GoalLedgerCore

/// The stored part of the Merkle tree (SPEC §10): the hash of every complete,
/// aligned subtree of at least 2^`lowestStoredLevel` leaves, written in the
/// transaction that appends its last leaf. Smaller subtrees are recomputed
/// from the events' own `hash` column (one range read of at most 15 rows), so
/// a proof or a root costs O(log n) reads, and an append writes one node per
/// 8 events on average.
enum MerkleNodes {
    /// 16 leaves: the stored nodes are an eighth of the events in number, a
    /// tree of 1M events keeps 125k rows (about 6 MB).
    static let lowestStoredLevel = 4

    /// One stored node: the `index`-th complete subtree of 2^`level` leaves.
    struct Node {
        var level: Int64
        var index: Int64
        var hash: MerkleHash
    }

    /// The columns of `merkle_nodes`: one stored subtree hash each.
    enum Column: Int32, TableColumn {
        case level, index, hash

        var sqlName: String { self == .index ? "idx" : "\(self)" }
    }

    static let insertSQL = Column.insertSQL(into: "merkle_nodes")

    /// The columns of `events` a leaf is made from.
    enum LeafColumn: Int32, TableColumn {
        case position, hash
    }

    /// The leaf hash of a stored chain hash (64 lowercase hex digits).
    static func leaf(hex: UnsafeBufferPointer<UInt8>, position: Int64) throws -> MerkleHash {
        guard let eventHash = MerkleHash(hex: hex) else {
            throw LedgerError.integrity("position \(position): hash is not 64 lowercase hex digits", position: position)
        }
        return Merkle.leafHash(eventHash: eventHash)
    }

    /// The hash of the `index`-th complete subtree of 2^`level` leaves, from the file.
    static func complete(_ db: Database, level: Int, index: Int64) throws -> MerkleHash {
        if level >= lowestStoredLevel {
            let statement = try RawStatement(db, "SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?")
            statement.bind(1, Int64(level))
            statement.bind(2, index)
            defer { statement.reset() }
            guard try statement.step(), let hash = MerkleHash(bytes: statement.blob(0)) else {
                throw LedgerError.integrity("""
                    Merkle tree: node at level \(level), index \(index) is missing or malformed; \
                    run `goalledger verify`
                    """)
            }
            return hash
        }
        let first = index << level + 1, last = (index + 1) << level
        let statement = try RawStatement(
            db, "SELECT \(LeafColumn.list) FROM events WHERE position BETWEEN ? AND ? ORDER BY position")
        statement.bind(1, first)
        statement.bind(2, last)
        defer { statement.reset() }
        var leaves: [MerkleHash] = []
        while try statement.step() {
            leaves.append(try leaf(hex: statement.bytes(LeafColumn.hash.index),
                                   position: statement.int(LeafColumn.position.index)))
        }
        guard leaves.count == 1 << level else {
            throw LedgerError.integrity("Merkle tree: positions \(first)...\(last) are not all in the ledger")
        }
        return Merkle.root(of: leaves)
    }

    /// The right edge of the tree of the first `size` events.
    static func frontier(_ db: Database, size: Int64) throws -> MerkleFrontier {
        try MerkleFrontier(size: size) { level, index in try complete(db, level: level, index: index) }
    }

    /// The root of the tree of the first `size` events.
    static func root(_ db: Database, size: Int64) throws -> MerkleHash {
        try Merkle.root(size: size) { level, index in try complete(db, level: level, index: index) }
    }
}

/// Appends the leaves of one write transaction to the tree and stores the
/// subtrees they complete. The edge is read once, at the first leaf.
struct MerkleAppender {
    private var frontier: MerkleFrontier?
    private var insert: RawStatement?

    mutating func append(_ db: Database, eventHash: String, position: Int64) throws {
        if frontier == nil {
            frontier = try MerkleNodes.frontier(db, size: position - 1)
            insert = try RawStatement(db, MerkleNodes.insertSQL)
        }
        var hex = eventHash
        let leaf = try hex.withUTF8 { try MerkleNodes.leaf(hex: $0, position: position) }
        let statement = insert!
        try frontier!.append(leaf) { level, index, hash in
            guard level >= MerkleNodes.lowestStoredLevel else { return }
            try MerkleNodes.store(statement, level: level, index: index, hash: hash)
        }
    }
}

/// The tree rebuilt from the events by `verify`: the nodes of the levels the ledger stores.
struct MerkleRebuild {
    private var frontier = MerkleFrontier()
    private(set) var nodes: [MerkleNodes.Node] = []

    mutating func append(_ eventHash: MerkleHash) {
        frontier.append(Merkle.leafHash(eventHash: eventHash)) { level, index, node in
            if level >= MerkleNodes.lowestStoredLevel {
                nodes.append(MerkleNodes.Node(level: Int64(level), index: index, hash: node))
            }
        }
    }
}

extension MerkleNodes {
    static func store(_ statement: RawStatement, level: Int, index: Int64, hash: MerkleHash) throws {
        statement.reset()
        statement.bind(1, Int64(level))
        statement.bind(2, index)
        hash.withUnsafeBytes { statement.bindBlob(3, $0) }
        try statement.run()
    }

    /// Writes the nodes of the events already in the file (the migration that adds the table).
    static func backfill(_ db: Database) throws {
        var frontier = MerkleFrontier()
        let rows = try RawStatement(db, "SELECT \(LeafColumn.list) FROM events ORDER BY position")
        defer { rows.reset() }
        let insert = try RawStatement(db, insertSQL)
        while try rows.step() {
            let leaf = try leaf(hex: rows.bytes(LeafColumn.hash.index), position: rows.int(LeafColumn.position.index))
            try frontier.append(leaf) { level, index, hash in
                guard level >= lowestStoredLevel else { return }
                try store(insert, level: level, index: index, hash: hash)
            }
        }
    }
}
