/// Where an event sits in its stream's fold order (SPEC §3): by `effective`,
/// ties by `position`. Two events of a ledger never share a key.
public struct FoldKey: Comparable, Hashable, Sendable {
    /// The effective time in whole seconds (`Effective.key`).
    public var effective: Int64
    public var position: Int64

    public init(effective: Int64, position: Int64) {
        self.effective = effective
        self.position = position
    }

    public static func < (lhs: FoldKey, rhs: FoldKey) -> Bool {
        lhs.effective != rhs.effective ? lhs.effective < rhs.effective : lhs.position < rhs.position
    }
}

extension Event {
    /// Where the event stands in its stream's fold order (SPEC §3).
    @inline(__always)
    public var foldKey: FoldKey { FoldKey(effective: effective.key, position: position) }
}

/// Values kept sorted by `FoldKey`, for a fold that must answer "what was
/// true just before this point" after events arrive in any order.
///
/// The entries live in sorted chunks of at most `chunkCapacity`, so an insert
/// in the middle moves at most that many entries, and a lookup is a binary
/// search over the chunks and then within one: O(log n) for `last(before:)`,
/// O(n / chunkCapacity) for `count(from:before:)`. Events in fold order (the
/// common case) are appended to the last chunk.
///
/// A sorted array would move half the stream per late event: 20,000 late
/// measurements of one indicator took 60 s that way (issue 12).
struct FoldOrderedList<Value> {
    typealias Entry = (key: FoldKey, value: Value)

    /// A chunk splits in two halves when it grows past this size. 512 keeps
    /// a chunk's move within a few microseconds and a 100k-event stream
    /// within 200-400 chunks.
    static var chunkCapacity: Int { 512 }

    private var chunks: [[Entry]] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }
    var first: Entry? { chunks.first?.first }
    var last: Entry? { chunks.last?.last }

    /// Adds an entry; its key must not be in the list yet.
    mutating func insert(_ key: FoldKey, _ value: Value) {
        count += 1
        guard let lastChunk = chunks.indices.last else {
            chunks = [[(key, value)]]
            return
        }
        if let tail = chunks[lastChunk].last, tail.key < key {
            chunks[lastChunk].append((key, value))
            splitIfFull(lastChunk)
            return
        }
        let chunk = chunkIndex(for: key)
        let slot = Self.firstIndex(in: chunks[chunk], notBelow: key)
        chunks[chunk].insert((key, value), at: slot)
        splitIfFull(chunk)
    }

    /// Removes the entry with this key and returns its value; nil when there is none.
    @discardableResult
    mutating func remove(_ key: FoldKey) -> Value? {
        guard !chunks.isEmpty else { return nil }
        let chunk = chunkIndex(for: key)
        let slot = Self.firstIndex(in: chunks[chunk], notBelow: key)
        guard slot < chunks[chunk].count, chunks[chunk][slot].key == key else { return nil }
        let removed = chunks[chunk].remove(at: slot)
        if chunks[chunk].isEmpty { chunks.remove(at: chunk) }
        count -= 1
        return removed.value
    }

    /// The entry with the greatest key below `bound`; with no bound, the last entry.
    func last(before bound: FoldKey?) -> Entry? {
        guard let bound else { return last }
        guard !chunks.isEmpty else { return nil }
        let chunk = chunkIndex(for: bound)
        let slot = Self.firstIndex(in: chunks[chunk], notBelow: bound)
        if slot > 0 { return chunks[chunk][slot - 1] }
        return chunk > 0 ? chunks[chunk - 1].last : nil
    }

    /// How many entries have a key from `lower` (inclusive) up to `bound` (exclusive; no bound: all).
    func count(from lower: FoldKey, before bound: FoldKey?) -> Int {
        let below = bound.map(countBelow) ?? count
        return max(0, below - countBelow(lower))
    }

    /// The entries from `lower` (exclusive) up to `bound` (exclusive; no bound: all), in key order.
    func entries(after lower: FoldKey, before bound: FoldKey?) -> [Entry] {
        var out: [Entry] = []
        guard !chunks.isEmpty else { return out }
        var chunk = chunkIndex(for: lower)
        var slot = Self.firstIndex(in: chunks[chunk], notBelow: lower)
        while chunk < chunks.count {
            while slot < chunks[chunk].count {
                let entry = chunks[chunk][slot]
                if let bound, !(entry.key < bound) { return out }
                if lower < entry.key { out.append(entry) }
                slot += 1
            }
            chunk += 1
            slot = 0
        }
        return out
    }

    /// Every entry, in key order.
    var all: some Sequence<Entry> { chunks.joined() }

    // MARK: Chunks

    /// How many entries have a key below `key`.
    private func countBelow(_ key: FoldKey) -> Int {
        guard !chunks.isEmpty else { return 0 }
        let chunk = chunkIndex(for: key)
        var below = Self.firstIndex(in: chunks[chunk], notBelow: key)
        for earlier in chunks[..<chunk] { below += earlier.count }
        return below
    }

    /// The chunk where `key` belongs: the first whose last key is not below it, else the last.
    private func chunkIndex(for key: FoldKey) -> Int {
        var low = 0, high = chunks.count - 1
        while low < high {
            let middle = (low + high) / 2
            if chunks[middle].last!.key < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func firstIndex(in chunk: [Entry], notBelow key: FoldKey) -> Int {
        var low = 0, high = chunk.count
        while low < high {
            let middle = (low + high) / 2
            if chunk[middle].key < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private mutating func splitIfFull(_ chunk: Int) {
        let size = chunks[chunk].count
        guard size > Self.chunkCapacity else { return }
        let upper = Array(chunks[chunk][(size / 2)...])
        chunks[chunk].removeSubrange((size / 2)...)
        chunks.insert(upper, at: chunk + 1)
    }
}

extension FoldOrderedList: Sendable where Value: Sendable {}
