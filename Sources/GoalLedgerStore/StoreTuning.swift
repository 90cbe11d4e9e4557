/// The store's tuning constants, in one place, each with the measurement
/// that chose it (docs/PERFORMANCE.md has the runs). Changing one changes
/// speed and memory only, never an answer: the tests hold whatever the values.
///
/// Two constants that also shape what the file holds live with that format:
/// `Snapshot.interval` (a stream is snapshotted every 100 events) and
/// `MerkleNodes.lowestStoredLevel` (stored subtrees of 16 leaves and up).
enum StoreTuning {
    /// The page cache of a ledger's own connection: 64 MiB. Import at 1M is
    /// bound by the `(stream, version)` B-tree outgrowing the cache; a 96 MiB
    /// cache was 4 % faster there but took import to 163 MB peak RSS, past
    /// the 150 MB budget, so not kept.
    static let pageCacheKibibytes = 65_536

    /// The page cache during a whole-ledger scan (replay, verify, export):
    /// 8 MiB. A scan reads each page about once, so the usual cache would
    /// only add to memory; with it the three stay under 150 MB at 1M.
    static let scanPageCacheKibibytes = 8_192

    /// The streams' creation times an append session keeps for the rules
    /// (`AppendSession.created`) before it forgets them all at a checkpoint:
    /// 50,000. A wide import at 1M (450k streams) peaked at 186 MB keeping
    /// 200,000 and at 141 MB keeping 50,000, in the same time (27.4-30.0 s
    /// against 27.9-28.6 s); a forgotten one is read again from `events`.
    static let creationTimesKept = 50_000

    /// The page cache of the second core's read-only scan connection: 4 MiB,
    /// for the same reason.
    static let scanConnectionCacheKibibytes = 4_096

    /// Rows the scanning core copies before handing them to the folding core.
    /// Large enough that the handoff's lock is taken once per thousand rows.
    static let scanRowsPerBatch = 1_024

    /// Batches the scanning core may run ahead of the folding core: eight, not
    /// two, so a moment's steal of one core by the machine's other tenants
    /// does not stall the other (verify at 1M: median 3.37 → 3.01 s).
    static let scanBatchesAhead = 8

    /// The page cache of `audit`'s spill of waiting rows (`AuditSpill`):
    /// 8 MiB, so an unfiltered audit of the 1M shuffled ledger, where nearly
    /// every row waits there a while, keeps its memory flat.
    static let auditSpillCacheKibibytes = 8_192
}
