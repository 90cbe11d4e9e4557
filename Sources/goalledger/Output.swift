import ArgumentParser
import GoalLedgerCore
import GoalLedgerStore

#if canImport(Glibc)
import Glibc
#endif

/// Buffered standard output.
enum Out {
    nonisolated(unsafe) static var buffer: [UInt8] = []

    static func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// One line of output. Control characters from the data (Unicode Cc other
    /// than tab and line feed) are shown as U+FFFD, so no text can drive the
    /// terminal (ESC, U+009B); JSON output escapes them instead (`APIJSON`).
    static func print(_ line: String) {
        var safe = terminalSafe(line)
        safe.withUTF8 { buffer.append(contentsOf: $0) }
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    static func terminalSafe(_ text: String) -> String {
        var text = text
        let clean = text.withUTF8 { bytes in
            var previous: UInt8 = 0
            for byte in bytes {
                if (byte < 0x20 && byte != 0x09 && byte != 0x0A) || byte == 0x7F { return false }
                if previous == 0xC2 && byte >= 0x80 && byte <= 0x9F { return false }
                previous = byte
            }
            return true
        }
        if clean { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            let control = scalar.properties.generalCategory == .control && scalar != "\t" && scalar != "\n"
            out.unicodeScalars.append(control ? "\u{FFFD}" : scalar)
        }
        return out
    }

    static func flush() {
        var written = 0
        while written < buffer.count {
            let count = buffer.withUnsafeBytes { bytes in
                Glibc.write(1, bytes.baseAddress! + written, bytes.count - written)
            }
            if count <= 0 { break }
            written += count
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

func writeStderr(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
}

func printError(_ message: String) {
    writeStderr("error: " + Out.terminalSafe(String(message.map { $0 == "\n" ? " " : $0 })) + "\n")
}

func note(_ message: String) { writeStderr(message + "\n") }

var stderrIsTerminal: Bool { isatty(2) == 1 }

/// Runs a command body: prints results, and turns failures into one line on
/// stderr and the SPEC's exit code.
func runCommand(_ body: () throws -> Void) throws {
    do {
        try body()
        Out.flush()
    } catch let error as LedgerError {
        Out.flush()
        printError(error.message)
        throw ExitCode(error.exitCode)
    } catch let error as InputError {
        Out.flush()
        printError(error.message)
        throw ExitCode(error.exitCode)
    }
}

/// A progress line on a terminal, redrawn at most a few times a second.
final class ProgressLine {
    let label: String
    var last: Int64 = 0
    init(_ label: String) { self.label = label }

    func update(_ done: Int64, _ total: Int64) {
        guard stderrIsTerminal else { return }
        let now = Recorded.now().micros
        guard now - last > 200_000 || done == total else { return }
        last = now
        if total <= 0 {
            writeStderr("\r\(label) \(done) events")
            return
        }
        let pct = Int(done * 100 / total)
        let width = 30
        let filled = Int(Int64(width) * done / total)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        writeStderr("\r\(label) \(bar) \(pct)% \(done)/\(total)")
    }

    /// Clears the line, so the command's own output starts clean.
    func finish() { if stderrIsTerminal && last != 0 { writeStderr("\r\u{1B}[K") } }
}
