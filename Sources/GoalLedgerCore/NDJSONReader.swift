import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads NDJSON from a file descriptor line by line, in fixed-size chunks,
/// so a file of any size streams through constant memory.
///
/// Blank lines are skipped. A last line without a newline still counts.
/// CRLF line endings, a byte-order mark and lines over `maxLineBytes` are
/// refused with the line number, because a ledger line must mean one thing.
public struct NDJSONReader: ~Copyable {
    public static let maxLineBytes = 1 << 20

    private let fd: Int32
    private let ownsFD: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    public private(set) var lineNumber = 0

    /// Opens a file, or standard input for "-".
    public init(path: String) throws(InputError) {
        if path == "-" {
            fd = 0
            ownsFD = false
        } else {
            let f = open(path, O_RDONLY)
            guard f >= 0 else { throw InputError("cannot open \(path): \(String(cString: strerror(errno)))") }
            fd = f
            ownsFD = true
        }
        buffer.reserveCapacity(1 << 16)
    }

    deinit { if ownsFD { close(fd) } }

    /// Calls `body` with each non-blank line (without its newline) and its
    /// 1-based line number. The bytes are valid only during the call.
    public mutating func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        while true {
            // Find the next newline in what is buffered.
            var end: Int? = nil
            var k = start
            while k < buffer.count {
                if buffer[k] == 0x0A { end = k; break }
                k += 1
            }
            if end == nil && !eof {
                if buffer.count - start > Self.maxLineBytes {
                    throw LineError(line: lineNumber + 1, message: "longer than \(Self.maxLineBytes) bytes")
                }
                try fill()
                continue
            }
            let lineEnd = end ?? buffer.count
            if end == nil && start == buffer.count { return }
            lineNumber += 1
            let n = lineNumber
            try buffer.withUnsafeBufferPointer { all in
                let line = UnsafeBufferPointer(rebasing: all[start..<lineEnd])
                if n == 1, line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
                    throw LineError(line: n, message: "byte-order mark (BOM) at the start of the file; save it as UTF-8 without BOM")
                }
                if line.last == 0x0D {
                    throw LineError(line: n, message: "line ends with CR (CRLF line endings); use LF only")
                }
                if line.count > Self.maxLineBytes {
                    throw LineError(line: n, message: "longer than \(Self.maxLineBytes) bytes")
                }
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
                try body(line, n)
            }
            start = end.map { $0 + 1 } ?? buffer.count
            if end == nil { return }
        }
    }

    /// `forEachLine` with `parse` run on a second core ahead of `body`:
    /// reading and parsing the next lines overlaps with handling these.
    /// `body` gets every line's parse result (a value, or the error `parse`
    /// threw) in order, as a one-core loop would; a failure to read line n
    /// is thrown after `body` has had the lines before it. When `body`
    /// throws, reading stops and the error comes out as it is.
    public mutating func forEachLine<T: Sendable>(
        parsingAhead parse: @escaping @Sendable (UnsafeBufferPointer<UInt8>) throws -> T,
        _ body: (Result<T, any Error>, Int) throws -> Void
    ) throws {
        let pipe = ParsePipe<T>()
        try withUnsafeMutablePointer(to: &self) { reader in
            let shared = UnsafeSendable(reader)
            let producer = DispatchGroup()
            DispatchQueue.global().async(group: producer) {
                var batch: [(Result<T, any Error>, Int)] = []
                batch.reserveCapacity(ParsePipe<T>.batchSize)
                do {
                    try shared.value.pointee.forEachLine { line, n in
                        batch.append((Result { try parse(line) }, n))
                        if batch.count == ParsePipe<T>.batchSize {
                            if pipe.cancelled { throw CancellationError() }
                            pipe.put(.lines(batch))
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                    pipe.put(.lines(batch))
                    pipe.put(.end(nil))
                } catch {
                    pipe.put(.lines(batch))
                    pipe.put(.end(error))
                }
            }
            defer {
                // Let the reader finish (it stops at its next line) before its buffer goes away.
                pipe.cancelled = true
                while case .lines = pipe.take() {}
                producer.wait()
            }
            while true {
                switch pipe.take() {
                case .lines(let lines):
                    for (result, n) in lines { try body(result, n) }
                case .end(let error):
                    pipe.put(.end(error))  // for the drain in `defer`
                    if let error, !(error is CancellationError) { throw error }
                    return
                }
            }
        }
    }

    private mutating func fill() throws(InputError) {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let chunk = 1 << 16
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        let n = buffer.withUnsafeMutableBufferPointer { p in read(fd, p.baseAddress! + old, chunk) }
        if n < 0 {
            buffer.removeLast(chunk)
            throw InputError("read failed: \(String(cString: strerror(errno)))")
        }
        buffer.removeLast(chunk - n)
        if n == 0 { eof = true }
    }
}

/// A problem with one line of an NDJSON file.
public struct LineError: Error, Sendable {
    public var line: Int
    public var message: String
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}

/// Batches of parsed lines handed from the reading thread to the appending one,
/// at most two batches ahead so memory stays small.
private final class ParsePipe<T: Sendable>: @unchecked Sendable {
    enum Item {
        case lines([(Result<T, any Error>, Int)])
        case end((any Error)?)
    }

    static var batchSize: Int { 512 }

    private var items: [Item] = []
    private let lock = DispatchSemaphore(value: 1)
    private let filled = DispatchSemaphore(value: 0)
    private let room = DispatchSemaphore(value: 2)
    private var flag = false

    var cancelled: Bool {
        get { lock.wait(); defer { lock.signal() }; return flag }
        set { lock.wait(); flag = newValue; lock.signal() }
    }

    func put(_ item: Item) {
        if case .lines = item { room.wait() }
        lock.wait()
        items.append(item)
        lock.signal()
        filled.signal()
    }

    func take() -> Item {
        filled.wait()
        lock.wait()
        let item = items.removeFirst()
        lock.signal()
        if case .lines = item { room.signal() }
        return item
    }
}

/// A value handed to another thread that the sender guarantees outlives the use.
private struct UnsafeSendable<V>: @unchecked Sendable {
    let value: V
    init(_ value: V) { self.value = value }
}
