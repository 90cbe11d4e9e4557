#if canImport(Glibc)
import Glibc
#endif

/// Monotonic seconds.
func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// One finished child process.
struct Run {
    var seconds: Double
    var status: Int32
    /// Peak resident set size in MiB, when run under `/usr/bin/time -v`.
    var peakRSSMiB: Double?
    var stderr: String
}

/// Runs a program with posix_spawn (no shell), stdout to a file, stderr
/// captured; wall time measured around spawn and wait. With `measureRSS`
/// it runs under `/usr/bin/time -v` and reads the peak RSS from it.
func spawn(_ argv: [String], stdout: String = "/dev/null", env extra: [String: String] = [:],
           measureRSS: Bool = false) throws -> Run {
    let args = measureRSS ? ["/usr/bin/time", "-v"] + argv : argv
    let errPath = "/tmp/goalledger-bench-stderr-\(getpid())"
    var fileActions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&fileActions)
    defer { posix_spawn_file_actions_destroy(&fileActions) }
    posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&fileActions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&fileActions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var envStrings: [String] = []
    var cursor = environ
    while let entry = cursor.pointee {
        let variable = String(cString: entry)
        if !extra.keys.contains(where: { variable.hasPrefix($0 + "=") }) { envStrings.append(variable) }
        cursor += 1
    }
    for (key, value) in extra { envStrings.append("\(key)=\(value)") }
    let cArgs = args.map { strdup($0) } + [nil]
    let cEnv = envStrings.map { strdup($0) } + [nil]
    defer {
        for arg in cArgs { free(arg) }
        for entry in cEnv { free(entry) }
    }
    var pid: pid_t = 0
    let start = now()
    let rc = posix_spawn(&pid, args[0], &fileActions, nil, cArgs, cEnv)
    guard rc == 0 else { throw BenchError("cannot start \(args[0]): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let seconds = now() - start
    let err = (try? readFile(errPath)) ?? ""
    unlink(errPath)
    let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    var rss: Double? = nil
    if measureRSS, let line = err.split(separator: "\n").first(where: { $0.contains("Maximum resident set size") }),
       let kb = Double(line.split(separator: ":").last!.trimmingCharacters()) {
        rss = kb / 1024
    }
    return Run(seconds: seconds, status: code, peakRSSMiB: rss, stderr: err)
}

/// Runs and insists on exit 0.
@discardableResult
func check(_ argv: [String], stdout: String = "/dev/null", env: [String: String] = [:],
           measureRSS: Bool = false) throws -> Run {
    let run = try spawn(argv, stdout: stdout, env: env, measureRSS: measureRSS)
    guard run.status == 0 else {
        throw BenchError("\(argv.joined(separator: " ")) exited \(run.status): \(run.stderr.suffix(2000))")
    }
    return run
}

func readFile(_ path: String) throws -> String {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw BenchError("cannot read \(path)") }
    defer { close(fd) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count <= 0 { break }
        out.append(contentsOf: buf[0..<count])
    }
    return String(decoding: out, as: UTF8.self)
}

func writeFile(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw BenchError("cannot write \(path)") }
    defer { close(fd) }
    var contents = text
    contents.withUTF8 { bytes in _ = write(fd, bytes.baseAddress, bytes.count) }
}

func fileSize(_ path: String) -> Int64 {
    var status = stat()
    return stat(path, &status) == 0 ? Int64(status.st_size) : 0
}

func removeLedger(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

func median(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Nearest-rank percentile of samples.
func percentile(_ samples: [Double], _ fraction: Double) -> Double {
    let sorted = samples.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))]
}
