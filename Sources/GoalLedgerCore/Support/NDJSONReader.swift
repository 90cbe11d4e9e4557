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
package struct NDJSONReader: ~Copyable {
    package static let maxLineBytes = 1 << 20

    private let fd: Int32
    private let ownsFD: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    package private(set) var lineNumber = 0

    /// Opens a file, or standard input for "-".
    package init(path: String) throws(InputError) {
        if path == "-" {
            fd = 0
            ownsFD = false
        } else {
            let opened = open(path, O_RDONLY)
            guard opened >= 0 else {
                throw InputError("cannot open \(path): \(String(cString: strerror(errno)))", kind: .unreadable)
            }
            fd = opened
            ownsFD = true
        }
        buffer.reserveCapacity(1 << 16)
    }

    deinit { if ownsFD { close(fd) } }

    /// Calls `body` with each non-blank line (without its newline) and its
    /// 1-based line number. The bytes are valid only during the call.
    /// A line it refuses (CRLF, BOM, too long) throws an `InputError` with its `line`.
    package mutating func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        while true {
            // Find the next newline in what is buffered.
            var end: Int? = nil
            var scanned = start
            while scanned < buffer.count {
                if buffer[scanned] == 0x0A {
                    end = scanned
                    break
                }
                scanned += 1
            }
            if end == nil && !eof {
                if buffer.count - start > Self.maxLineBytes {
                    throw InputError("longer than \(Self.maxLineBytes) bytes", line: lineNumber + 1)
                }
                try fill()
                continue
            }
            let lineEnd = end ?? buffer.count
            if end == nil && start == buffer.count { return }
            lineNumber += 1
            let number = lineNumber
            try buffer.withUnsafeBufferPointer { all in
                let line = UnsafeBufferPointer(rebasing: all[start..<lineEnd])
                if number == 1, line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
                    throw InputError("byte-order mark (BOM) at the start of the file; save it as UTF-8 without BOM",
                                     line: number)
                }
                if line.last == 0x0D {
                    throw InputError("line ends with CR (CRLF line endings); use LF only", line: number)
                }
                if line.count > Self.maxLineBytes {
                    throw InputError("longer than \(Self.maxLineBytes) bytes", line: number)
                }
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
                try body(line, number)
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
    package mutating func forEachLine<T: Sendable>(
        parsingAhead parse: @escaping @Sendable (UnsafeBufferPointer<UInt8>) throws -> T,
        _ body: (Result<T, any Error>, Int) throws -> Void
    ) throws {
        let pipe = Handoff<(Result<T, any Error>, Int)>()
        try withUnsafeMutablePointer(to: &self) { reader in
            let shared = UnsafeSendable(reader)
            try pipe.run(producer: { put in
                try shared.value.pointee.forEachLine { line, number in try put((Result { try parse(line) }, number)) }
            }, consumer: { item in try body(item.0, item.1) })
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
        let got = buffer.withUnsafeMutableBufferPointer { free in read(fd, free.baseAddress! + old, chunk) }
        if got < 0 {
            buffer.removeLast(chunk)
            throw InputError("read failed: \(String(cString: strerror(errno)))", kind: .unreadable)
        }
        buffer.removeLast(chunk - got)
        if got == 0 { eof = true }
    }
}
