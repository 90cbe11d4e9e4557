import Crypto

/// One SHA-256 value of the Merkle tree, kept inline (no heap per hash).
public struct MerkleHash: Hashable, Sendable, CustomStringConvertible {
    private var storage: SIMD4<UInt64>

    /// Exactly 32 bytes, else nil.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        storage = .zero
        withUnsafeMutableBytes(of: &storage) { raw in
            bytes.withUnsafeBytes { raw.copyMemory(from: $0) }
        }
    }

    init(_ digest: SHA256.Digest) {
        storage = .zero
        withUnsafeMutableBytes(of: &storage) { raw in
            digest.withUnsafeBytes { raw.copyMemory(from: $0) }
        }
    }

    /// The 32 bytes of a chain hash given as 64 lowercase hex digits (an event's `hash`), else nil.
    public init?(hex: [UInt8]) {
        guard let hash = hex.withUnsafeBufferPointer({ MerkleHash(hex: $0) }) else { return nil }
        self = hash
    }

    /// The same, read in place from a stored column: `verify` and `append` decode every event's hash.
    package init?(hex: UnsafeBufferPointer<UInt8>) {
        guard hex.count == 64 else { return nil }
        storage = .zero
        let valid = withUnsafeMutableBytes(of: &storage) { raw in
            var invalid: UInt8 = 0
            for offset in 0..<32 {
                let high = Self.nibbles[Int(hex[2 * offset])], low = Self.nibbles[Int(hex[2 * offset + 1])]
                invalid |= (high | low) & 0x10
                raw[offset] = high << 4 | (low & 0x0F)
            }
            return invalid == 0
        }
        if !valid { return nil }
    }

    /// The value of each lowercase hex digit; 0x10 marks any other byte.
    private static let nibbles: [UInt8] = (0..<256).map { byte in
        switch byte {
        case 0x30...0x39: UInt8(byte - 0x30)
        case 0x61...0x66: UInt8(byte - 0x61 + 10)
        default: 0x10
        }
    }

    public var bytes: [UInt8] { Swift.withUnsafeBytes(of: storage) { Array($0) } }

    package func withUnsafeBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try Swift.withUnsafeBytes(of: storage, body)
    }

    /// Standard base64 (RFC 4648 §4), as checkpoints and proofs write hashes.
    public var base64: String { Base64.encode(bytes) }

    public var hex: String {
        bytes.map { byte in String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16) }.joined()
    }

    public var description: String { hex }
}

/// Why a Merkle proof does not verify.
public struct MerkleError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The RFC 6962 Merkle tree (RFC 9162 §2.1) over the ledger's events (SPEC §10):
/// leaf *i* is the event at position *i*+1, hashed as SHA-256(0x00 ‖ the 32
/// bytes of its `hash`); an inner node is SHA-256(0x01 ‖ left ‖ right).
///
/// Proofs are computed from any source of subtree hashes: `RangeHashes` asks
/// the source only for complete, aligned subtrees (a power of two of leaves),
/// which is what the store keeps.
///
/// For example:
///
/// ```swift
/// let leaves = hashes.map { Merkle.leafHash($0) }
/// let root = Merkle.root(of: leaves)
/// let proof = try Merkle.inclusionProof(index: 2, size: 5) { level, index in
///     Merkle.root(of: Array(leaves[Int(index << level)..<Int((index + 1) << level)]))
/// }
/// try Merkle.verifyInclusion(leaf: leaves[2], index: 2, size: 5, proof: proof, root: root)
/// ```
public enum Merkle {
    /// MTH({}) = SHA-256 of the empty string (RFC 9162 §2.1.1).
    public static let emptyRoot = MerkleHash(SHA256.hash(data: [UInt8]()))

    /// SHA-256(0x00 ‖ entry): the hash of one leaf (RFC 9162 §2.1.1).
    public static func leafHash(_ entry: some Collection<UInt8>) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: Array(entry))
        return MerkleHash(hasher.finalize())
    }

    /// The leaf hash of an event from its chain hash: SHA-256(0x00 ‖ 32 bytes).
    public static func leafHash(eventHash: MerkleHash) -> MerkleHash {
        hash(prefix: 0x00, eventHash, nil)
    }

    /// SHA-256(0x01 ‖ left ‖ right): an inner node (RFC 9162 §2.1.1).
    public static func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        hash(prefix: 0x01, left, right)
    }

    /// SHA-256 of the prefix byte and one or two hashes, laid out in one buffer on the
    /// stack and hashed in one call: `verify` and `append` hash about two per event.
    private static func hash(prefix: UInt8, _ first: MerkleHash, _ second: MerkleHash?) -> MerkleHash {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buffer in
            buffer[0] = prefix
            first.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[1..<33]).copyMemory(from: $0) }
            second?.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[33..<65]).copyMemory(from: $0) }
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<(second == nil ? 33 : 65)]))
            return MerkleHash(hasher.finalize())
        }
    }

    /// The largest power of two smaller than `count` (count ≥ 2): where RFC 9162 §2.1.1 splits a tree.
    public static func split(_ count: Int64) -> Int64 {
        precondition(count >= 2)
        return Int64(1) << (63 - (count - 1).leadingZeroBitCount)
    }

    /// MTH of leaf hashes held in memory (tests, small trees).
    public static func root(of leaves: [MerkleHash]) -> MerkleHash {
        var frontier = MerkleFrontier()
        for leaf in leaves { frontier.append(leaf) { _, _, _ in } }
        return frontier.root
    }

    /// The hash of a complete subtree: `index`-th subtree of 2^`level` leaves.
    public typealias CompleteSubtree = (_ level: Int, _ index: Int64) throws -> MerkleHash

    /// MTH of the leaves `start ..< start + count` of a tree, where the range is one
    /// that RFC 9162 §2.1.1's recursion visits: split into complete subtrees.
    public static func rangeHash(start: Int64, count: Int64, _ complete: CompleteSubtree) rethrows -> MerkleHash {
        if count & (count - 1) == 0 {
            let level = count.trailingZeroBitCount
            return try complete(level, start >> level)
        }
        let left = split(count)
        return nodeHash(try rangeHash(start: start, count: left, complete),
                        try rangeHash(start: start + left, count: count - left, complete))
    }

    /// MTH(D[0:size]).
    public static func root(size: Int64, _ complete: CompleteSubtree) rethrows -> MerkleHash {
        size == 0 ? emptyRoot : try rangeHash(start: 0, count: size, complete)
    }

    /// PATH(index, D[0:size]), leaf sibling first (RFC 9162 §2.1.3.1).
    public static func inclusionProof(index: Int64, size: Int64, _ complete: CompleteSubtree) throws -> [MerkleHash] {
        guard index >= 0, index < size else {
            throw MerkleError("leaf index \(index) is not in a tree of size \(size)")
        }
        var proof: [MerkleHash] = []
        try path(index, start: 0, count: size, complete, into: &proof)
        return proof
    }

    private static func path(_ index: Int64, start: Int64, count: Int64, _ complete: CompleteSubtree,
                             into proof: inout [MerkleHash]) throws
    {
        guard count > 1 else { return }
        let left = split(count)
        if index < left {
            try path(index, start: start, count: left, complete, into: &proof)
            proof.append(try rangeHash(start: start + left, count: count - left, complete))
        } else {
            try path(index - left, start: start + left, count: count - left, complete, into: &proof)
            proof.append(try rangeHash(start: start, count: left, complete))
        }
    }

    /// PROOF(old, D[0:size]) (RFC 9162 §2.1.4.1); empty when old is 0 or equals size.
    public static func consistencyProof(old: Int64, size: Int64, _ complete: CompleteSubtree) throws -> [MerkleHash] {
        guard old >= 0, old <= size else { throw MerkleError("old size \(old) is larger than the tree size \(size)") }
        var proof: [MerkleHash] = []
        if old > 0 && old < size { try subproof(old, start: 0, count: size, wholeOld: true, complete, into: &proof) }
        return proof
    }

    private static func subproof(_ old: Int64, start: Int64, count: Int64, wholeOld: Bool, _ complete: CompleteSubtree,
                                 into proof: inout [MerkleHash]) throws
    {
        if old == count {
            if !wholeOld { proof.append(try rangeHash(start: start, count: count, complete)) }
            return
        }
        let left = split(count)
        if old <= left {
            try subproof(old, start: start, count: left, wholeOld: wholeOld, complete, into: &proof)
            proof.append(try rangeHash(start: start + left, count: count - left, complete))
        } else {
            try subproof(old - left, start: start + left, count: count - left, wholeOld: false, complete, into: &proof)
            proof.append(try rangeHash(start: start, count: left, complete))
        }
    }

    /// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(leaf: MerkleHash, index: Int64, size: Int64, proof: [MerkleHash],
                                       root: MerkleHash) throws(MerkleError)
    {
        guard index >= 0, index < size else {
            throw MerkleError("leaf index \(index) is not below the tree size \(size)")
        }
        var node = index, last = size - 1, computed = leaf
        for sibling in proof {
            guard last != 0 else {
                throw MerkleError("inclusion proof has \(proof.count) hashes, more than the tree needs")
            }
            if node & 1 == 1 || node == last {
                computed = nodeHash(sibling, computed)
                if node & 1 == 0 { climbLeftEdge(&node, &last) }
            } else {
                computed = nodeHash(computed, sibling)
            }
            node >>= 1
            last >>= 1
        }
        guard last == 0 else {
            throw MerkleError("inclusion proof has \(proof.count) hashes, fewer than the tree needs")
        }
        guard computed == root else { throw MerkleError("inclusion proof does not lead to the root hash") }
    }

    /// "Right-shift fn and sn equally until either LSB(fn) is set or fn is 0" (RFC 9162 §2.1.3.2 and §2.1.4.2):
    /// past the levels where the node is the last one and has no right sibling.
    private static func climbLeftEdge(_ node: inout Int64, _ last: inout Int64) {
        repeat {
            node >>= 1
            last >>= 1
        } while node & 1 == 0 && node != 0
    }

    /// Verifies a consistency proof (RFC 9162 §2.1.4.2), with the edge cases of
    /// transparency-dev/merkle: equal sizes need an empty proof and equal roots;
    /// an old size of 0 needs an empty proof.
    public static func verifyConsistency(oldSize: Int64, size: Int64, oldRoot: MerkleHash, root: MerkleHash,
                                         proof: [MerkleHash]) throws(MerkleError)
    {
        guard oldSize >= 0, oldSize <= size else {
            throw MerkleError("old size \(oldSize) is larger than the new size \(size)")
        }
        if oldSize == size {
            guard proof.isEmpty else { throw MerkleError("sizes are equal but the consistency proof is not empty") }
            guard oldRoot == root else { throw MerkleError("same size \(size) but another root hash") }
            return
        }
        if oldSize == 0 {
            guard proof.isEmpty else { throw MerkleError("old size is 0 but the consistency proof is not empty") }
            return
        }
        guard !proof.isEmpty else { throw MerkleError("consistency proof is empty") }
        var path = proof[...]
        if oldSize & (oldSize - 1) == 0 { path = [oldRoot] + path }
        var node = oldSize - 1, last = size - 1
        while node & 1 == 1 {
            node >>= 1
            last >>= 1
        }
        var oldComputed = path[path.startIndex], newComputed = path[path.startIndex]
        for hash in path.dropFirst() {
            guard last != 0 else { throw MerkleError("consistency proof has more hashes than the trees need") }
            if node & 1 == 1 || node == last {
                oldComputed = nodeHash(hash, oldComputed)
                newComputed = nodeHash(hash, newComputed)
                if node & 1 == 0 { climbLeftEdge(&node, &last) }
            } else {
                newComputed = nodeHash(newComputed, hash)
            }
            node >>= 1
            last >>= 1
        }
        guard last == 0 else { throw MerkleError("consistency proof has fewer hashes than the trees need") }
        guard oldComputed == oldRoot else { throw MerkleError("consistency proof does not lead to the old root hash") }
        guard newComputed == root else { throw MerkleError("consistency proof does not lead to the new root hash") }
    }
}

/// The right edge of a growing tree: for each level, the complete subtree
/// waiting for its right sibling. Appending a leaf completes the subtrees it
/// closes (reported to the caller, who stores those it keeps); `root` folds the
/// edge into MTH of the leaves so far. Memory is one hash per level.
public struct MerkleFrontier: Sendable {
    /// Leaves appended so far.
    public private(set) var size: Int64 = 0
    /// `pending[level]` is meaningful when bit `level` of `size` is set.
    private var pending: [MerkleHash] = []

    public init() {}

    /// The edge of a tree of `size` leaves, from its complete subtrees: for each
    /// set bit `level` of size, the subtree of 2^level leaves ending where the
    /// higher bits end.
    public init(size: Int64, _ complete: Merkle.CompleteSubtree) throws {
        self.size = size
        var start: Int64 = 0
        let levels = size == 0 ? 0 : 64 - size.leadingZeroBitCount
        pending = Array(repeating: Merkle.emptyRoot, count: levels)
        for level in stride(from: levels - 1, through: 0, by: -1) where size >> level & 1 == 1 {
            pending[level] = try complete(level, start >> level)
            start += Int64(1) << level
        }
    }

    /// Appends a leaf hash; `completed` sees each subtree it completes (level ≥ 1, and the leaf itself at level 0).
    public mutating func append(_ leaf: MerkleHash,
                                completed: (_ level: Int, _ index: Int64, _ hash: MerkleHash) throws -> Void) rethrows
    {
        var node = leaf, level = 0, index = size
        try completed(0, index, node)
        while index & 1 == 1 {
            node = Merkle.nodeHash(pending[level], node)
            level += 1
            index >>= 1
            try completed(level, index, node)
        }
        if level == pending.count { pending.append(node) } else { pending[level] = node }
        size += 1
    }

    /// MTH of the leaves appended so far.
    public var root: MerkleHash {
        guard size > 0 else { return Merkle.emptyRoot }
        var result: MerkleHash? = nil
        for level in 0..<pending.count where size >> level & 1 == 1 {
            result = result.map { Merkle.nodeHash(pending[level], $0) } ?? pending[level]
        }
        return result!
    }
}
