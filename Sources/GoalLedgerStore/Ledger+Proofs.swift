import GRDB
import GoalLedgerCore

/// Checkpoints and proofs (SPEC §10): the log signs its Merkle tree, stores the
/// checkpoint append-only, and answers inclusion and consistency proofs at
/// exactly a checkpoint's size, each inside one read transaction.
extension Ledger {
    /// Signs the current tree as a C2SP tlog-checkpoint with the log key, stores it and returns it.
    /// Refuses (integrity) a tree that does not extend the last checkpoint stored for the key's origin.
    ///
    /// - parameter signer: the log's private key; its name is the checkpoint's origin.
    /// - parameter clock: the time stored with the checkpoint.
    /// - throws: `LedgerError` (integrity) when the ledger no longer extends the last checkpoint.
    public func checkpoint(signer: NoteSigner, clock: () -> Recorded = Recorded.now) throws -> SignedCheckpoint {
        try write { db in
            let size = try Self.headPosition(db)
            let root = try MerkleNodes.root(db, size: size)
            if let last = try Self.latestCheckpoint(db, origin: signer.name) {
                let previous = last.checkpoint
                guard previous.size <= size else {
                    throw LedgerError.integrity("""
                        the ledger has \(size) events, fewer than the \(previous.size) of the last checkpoint \
                        for \(signer.name): it was truncated
                        """)
                }
                guard try MerkleNodes.root(db, size: previous.size) == previous.root else {
                    throw LedgerError.integrity("""
                        the first \(previous.size) events no longer give the root of the last checkpoint \
                        for \(signer.name): the ledger was rewritten; refusing to sign
                        """)
                }
            }
            let checkpoint = Checkpoint(origin: signer.name, size: size, root: root)
            let note = SignedNote(text: checkpoint.text, signatures: [])
            var signed = try SignedCheckpoint(note)
            signed.note.signatures = [try NoteSignature(line: signer.signatureLine(for: checkpoint.text)[...])]
            let insert = try RawStatement(db, """
                INSERT INTO checkpoints (origin, size, root, note, recorded) VALUES (?, ?, ?, ?, ?)
                """)
            insert.bind(1, signer.name)
            insert.bind(2, size)
            root.withUnsafeBytes { insert.bindBlob(3, $0) }
            insert.bind(4, signed.note.rendered)
            insert.bind(5, clock().text)
            try insert.run()
            return signed
        }
    }

    /// The last checkpoint stored (for `origin`, when given), with the cosignatures added to it.
    public func latestCheckpoint(origin: String? = nil) throws -> SignedCheckpoint? {
        try read { db in try Self.latestCheckpoint(db, origin: origin) }
    }

    static func latestCheckpoint(_ db: Database, origin: String?) throws -> SignedCheckpoint? {
        guard try db.tableExists("checkpoints") else { return nil }
        let statement = try RawStatement(db, """
            SELECT \(StoredCheckpointColumn.list) FROM checkpoints WHERE (?1 IS NULL OR origin = ?1)
            ORDER BY seq DESC LIMIT 1
            """)
        statement.bind(1, origin)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        let sequence = statement.int(StoredCheckpointColumn.sequence.index)
        let text = statement.text(StoredCheckpointColumn.note.index)
        var signed = try storedNote(text)
        let lines = try RawStatement(db, "SELECT line FROM checkpoint_cosignatures WHERE checkpoint = ? ORDER BY rowid")
        lines.bind(1, sequence)
        defer { lines.reset() }
        while try lines.step() {
            signed.note.signatures.append(try NoteSignature(line: lines.text(0)[...]))
        }
        return signed
    }

    private static func storedNote(_ text: String) throws -> SignedCheckpoint {
        do { return try SignedCheckpoint(parsing: text) } catch {
            throw LedgerError.integrity("a stored checkpoint is malformed: \(error.message)")
        }
    }

    /// Adds witness cosignature lines to the latest stored checkpoint. Each line must be a
    /// cosignature (tlog-cosignature §Format) that verifies with one of `witnesses`.
    ///
    /// - parameter lines: signature lines, as a witness returns them.
    /// - parameter witnesses: the verifier keys the lines may be signed with.
    /// - returns: the checkpoint with every cosignature stored for it.
    /// - throws: `LedgerError`: (not found) without a checkpoint; (rejected) for a line that is not a
    ///   signature line, by a key not in `witnesses`, or past 16 signatures; (integrity) for a
    ///   cosignature that does not verify on the latest checkpoint. Nothing is stored then.
    @discardableResult
    public func addCosignatures(_ lines: [String], witnesses: [NoteVerifier]) throws -> SignedCheckpoint {
        try write { db in
            guard let latest = try Self.latestCheckpoint(db, origin: nil) else {
                throw LedgerError.notFound("the ledger has no checkpoint; run `goalledger checkpoint --key FILE` first")
            }
            let sequence = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM checkpoints") ?? 0
            var signed = latest
            for line in lines {
                let signature: NoteSignature
                do { signature = try NoteSignature(line: line[...]) } catch let error as NoteError {
                    throw LedgerError.rejected(error.message)
                }
                guard let witness = witnesses.first(where: { $0.name == signature.name }) else {
                    throw LedgerError.rejected("cosignature by \(signature.name): no --witness key of that name")
                }
                let single = SignedNote(text: latest.note.text, signatures: [signature])
                do { try single.verifyCosignature(witness) } catch let error as NoteError {
                    throw LedgerError.integrity(
                        "\(error.message) on the latest checkpoint (size \(latest.checkpoint.size))")
                }
                if signed.note.signatures.contains(signature) { continue }
                guard signed.note.signatures.count < SignedNote.maxSignatures else {
                    throw LedgerError.rejected(
                        "the checkpoint would have more than \(SignedNote.maxSignatures) signatures")
                }
                let insert = try RawStatement(
                    db, "INSERT INTO checkpoint_cosignatures (checkpoint, line) VALUES (?, ?)")
                insert.bind(1, sequence)
                insert.bind(2, signature.line)
                try insert.run()
                signed.note.signatures.append(signature)
            }
            return signed
        }
    }

    /// The checkpoint to prove against: the given one, which must match this ledger's tree at
    /// its size, or the latest stored. Runs inside the caller's read transaction.
    private static func checkpointToProve(_ db: Database, _ given: SignedCheckpoint?) throws -> SignedCheckpoint {
        guard let checkpoint = try given ?? latestCheckpoint(db, origin: nil) else {
            throw LedgerError.notFound(
                "the ledger has no checkpoint; run `goalledger checkpoint --key FILE` or give --checkpoint")
        }
        let size = checkpoint.checkpoint.size, head = try headPosition(db)
        guard size <= head else {
            throw LedgerError.integrity("the checkpoint has size \(size), but the ledger has only \(head) events")
        }
        guard try MerkleNodes.root(db, size: size) == checkpoint.checkpoint.root else {
            throw LedgerError.integrity(
                "the first \(size) events do not give the checkpoint's root hash: this ledger does not extend it")
        }
        return checkpoint
    }

    /// A c2sp.org/tlog-proof@v1 proof of the event at `position` against the checkpoint,
    /// with the event's exported line as `extra`.
    ///
    /// - parameter position: the event to prove, 1 up to the checkpoint's size.
    /// - parameter given: the checkpoint to prove against (default: the latest stored).
    /// - throws: `LedgerError` (not found) without a checkpoint or for a position outside it.
    public func prove(position: Int64, checkpoint given: SignedCheckpoint? = nil) throws -> TlogProof {
        try read { db in
            let checkpoint = try Self.checkpointToProve(db, given)
            let size = checkpoint.checkpoint.size
            guard position >= 1, position <= size else {
                throw LedgerError.notFound("position \(position) is not in the checkpoint (size \(size))")
            }
            guard let event = try EventRows.at(db, position: position) else {
                throw LedgerError.notFound("no event at position \(position)")
            }
            let proof = try Merkle.inclusionProof(index: position - 1, size: size) { level, index in
                try MerkleNodes.complete(db, level: level, index: index)
            }
            return TlogProof(extra: Array(event.exportLine().utf8), index: position - 1, proof: proof,
                             checkpoint: checkpoint)
        }
    }

    /// The tlog-witness add-checkpoint body from `oldSize` to the checkpoint.
    ///
    /// - parameter oldSize: the size of the tree the witness last saw (0 for none).
    /// - parameter given: the checkpoint to prove (default: the latest stored).
    /// - throws: `LedgerError` (not found) without a checkpoint; (rejected) when `oldSize` is larger
    ///   than the checkpoint's tree.
    public func consistency(from oldSize: Int64, checkpoint given: SignedCheckpoint? = nil) throws -> AddCheckpoint {
        try read { db in
            let checkpoint = try Self.checkpointToProve(db, given)
            let size = checkpoint.checkpoint.size
            guard oldSize >= 0, oldSize <= size else {
                throw LedgerError.rejected("old size \(oldSize) is larger than the checkpoint's size \(size)")
            }
            let proof = try Merkle.consistencyProof(old: oldSize, size: size) { level, index in
                try MerkleNodes.complete(db, level: level, index: index)
            }
            return AddCheckpoint(oldSize: oldSize, proof: proof, checkpoint: checkpoint)
        }
    }

    /// The Merkle root of the first `size` events (the whole ledger when nil).
    public func merkleRoot(size: Int64? = nil) throws -> (size: Int64, root: MerkleHash) {
        try read { db in
            let head = try Self.headPosition(db)
            let size = size ?? head
            guard size <= head else { throw LedgerError.notFound("the ledger has only \(head) events, not \(size)") }
            return (size, try MerkleNodes.root(db, size: size))
        }
    }
}

/// The columns of a stored checkpoint that `latestCheckpoint` reads.
enum StoredCheckpointColumn: Int32, TableColumn {
    case sequence, note

    var sqlName: String { self == .sequence ? "seq" : "\(self)" }
}
