#if canImport(Glibc)
import Glibc
#endif

/// Monotonic seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
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
func spawn(_ argv: [String], stdout: String = "/dev/null", env extra: [String: String] = [:], measureRSS: Bool = false) throws -> Run {
    let args = measureRSS ? ["/usr/bin/time", "-v"] + argv : argv
    let errPath = "/tmp/goalledger-bench-stderr-\(getpid())"
    var fa = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&fa)
    defer { posix_spawn_file_actions_destroy(&fa) }
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&fa, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&fa, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var envStrings: [String] = []
    var p = environ
    while let e = p.pointee {
        let s = String(cString: e)
        if !extra.keys.contains(where: { s.hasPrefix($0 + "=") }) { envStrings.append(s) }
        p += 1
    }
    for (k, v) in extra { envStrings.append("\(k)=\(v)") }
    let cArgs = args.map { strdup($0) } + [nil]
    let cEnv = envStrings.map { strdup($0) } + [nil]
    defer { for a in cArgs { free(a) }; for e in cEnv { free(e) } }
    var pid: pid_t = 0
    let t0 = now()
    let rc = posix_spawn(&pid, args[0], &fa, nil, cArgs, cEnv)
    guard rc == 0 else { throw BenchError("cannot start \(args[0]): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let seconds = now() - t0
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
func check(_ argv: [String], stdout: String = "/dev/null", env: [String: String] = [:], measureRSS: Bool = false) throws -> Run {
    let r = try spawn(argv, stdout: stdout, env: env, measureRSS: measureRSS)
    guard r.status == 0 else {
        throw BenchError("\(argv.joined(separator: " ")) exited \(r.status): \(r.stderr.suffix(2000))")
    }
    return r
}

func readFile(_ path: String) throws -> String {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw BenchError("cannot read \(path)") }
    defer { close(fd) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return String(decoding: out, as: UTF8.self)
}

func writeFile(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw BenchError("cannot write \(path)") }
    defer { close(fd) }
    var t = text
    t.withUTF8 { p in _ = write(fd, p.baseAddress, p.count) }
}

func fileSize(_ path: String) -> Int64 {
    var st = stat()
    return stat(path, &st) == 0 ? Int64(st.st_size) : 0
}

func removeLedger(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
}

extension Substring {
    func trimmingCharacters() -> String { String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Nearest-rank percentile of samples.
func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return .nan }
    return s[min(s.count - 1, max(0, Int((p * Double(s.count)).rounded(.up)) - 1))]
}
