import ArgumentParser
import GoalLedgerCore
import GoalLedgerStore

#if canImport(Glibc)
import Glibc
#endif

struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Ledger file (default: $GOALLEDGER_DB, else ./goalledger.sqlite).", valueName: "path"))
    var db: String?

    var path: String { db ?? env("GOALLEDGER_DB") ?? "goalledger.sqlite" }

    func open(_ mode: Ledger.Mode) throws -> Ledger { try Ledger(path: path, mode: mode) }
}

struct TimeOptions: ParsableArguments {
    @Option(name: .customLong("as-of"), help: ArgumentHelp(
        "Valid time: only events with effective ≤ T. "
            + "YYYY, YYYY-MM, YYYY-MM-DD (the END of that period) or an RFC 3339 instant.",
        valueName: "T"))
    var asOf: Parsed<TimePoint>?

    @Option(name: .customLong("known-at"), help: ArgumentHelp(
        "System time: only events the ledger had recorded by T (same forms as --as-of).", valueName: "T"))
    var knownAt: Parsed<TimePoint>?

    func validate() throws {
        try asOf?.check()
        try knownAt?.check()
    }

    var point: PointInTime {
        get throws { PointInTime(asOf: try asOf?.value, knownAt: try knownAt?.value) }
    }
}

/// An option's value, parsed once, as argument-parser reads the command line.
///
/// argument-parser words a value its parser refuses as "The value 'x' is invalid for
/// '--as-of <T>': …" with a help line. These options keep the usage error they have always
/// given (`Error: time "x" is not …`, the usage line, exit 64), which only `validate()` can
/// throw: so a refused value is kept with its message, the command's `validate()` calls
/// `check()` on each such option, and `run()` reads `value`. For example:
/// ```swift
/// @Option var kind: Parsed<EntityKind>?
/// func validate() throws { try kind?.check() }
/// func run() throws { let kind = try kind?.value }
/// ```
struct Parsed<Value: OptionValue>: ExpressibleByArgument {
    private let parsed: Result<Value, ValidationError>

    init(argument: String) {
        parsed = Result { () throws(ValidationError) in try Value(option: argument) }
    }

    /// Throws the refused value's usage error; for `validate()`.
    func check() throws(ValidationError) { _ = try parsed.get() }

    /// The value; `validate()` has already refused a bad one.
    var value: Value { get throws(ValidationError) { try parsed.get() } }
}

/// A type an option's text becomes, refusing a bad text with the message a user reads.
protocol OptionValue {
    init(option text: String) throws(ValidationError)
}

extension TimePoint: OptionValue {
    init(option text: String) throws(ValidationError) {
        do { self = try TimePoint(parsing: text) } catch { throw ValidationError(error.message) }
    }
}

/// `list --kind`.
extension EntityKind: OptionValue {
    init(option text: String) throws(ValidationError) {
        guard let kind = EntityKind(rawValue: text) else {
            let kinds = EntityKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--kind must be one of \(kinds)")
        }
        self = kind
    }
}

/// `audit --type`.
extension EventType: OptionValue {
    init(option text: String) throws(ValidationError) {
        guard let type = EventType(rawValue: text) else { throw ValidationError("unknown --type \(text)") }
        self = type
    }
}

struct WriterOptions: ParsableArguments {
    @Option(name: .customLong("recorded-by"), help: ArgumentHelp(
        "The person at the keyboard, stored as recordedBy (default: $GOALLEDGER_USER, else the OS user).",
        valueName: "name"))
    var recordedBy: String?

    func context() throws -> AppendContext {
        let who = recordedBy ?? env("GOALLEDGER_USER") ?? osUser()
        let by: String
        do {
            by = try Validation.text(.string(who), member: "recordedBy")
            try Validation.refuseC1Controls(by, member: "recordedBy")
        } catch { throw LedgerError(error) }
        if let fixed = env("GOALLEDGER_CLOCK") {
            // Reproducible fixtures and tests only; `recorded` still never decreases.
            guard let clock = try? TimePoint(parsing: fixed) else {
                throw LedgerError(.usage, "GOALLEDGER_CLOCK \"\(fixed)\" is not an RFC 3339 instant")
            }
            let recorded = Recorded(micros: clock.micros)
            return AppendContext(recordedBy: by, clock: { recorded })
        }
        return AppendContext(recordedBy: by)
    }
}

func env(_ name: String) -> String? {
    guard let pointer = getenv(name) else { return nil }
    let value = String(cString: pointer)
    return value.isEmpty ? nil : value
}

func osUser() -> String {
    if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
    return env("USER") ?? "unknown"
}

/// `--sign FILE` (repeatable): every key signs each input event (SPEC §10).
struct SigningOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Sign with this private key (repeatable: every key signs; recordedBy is the first key's name).",
        valueName: "file"))
    var sign: [String] = []

    func signers() throws -> EventSigners { EventSigners(try sign.map(KeyFiles.signer)) }

    func sign(_ input: inout EventInput) throws {
        let keys = try signers()
        guard !keys.isEmpty else { return }
        guard input.exported == nil else { throw InputError("--sign: an exported line cannot be signed again") }
        keys.sign(&input, newID: Identifier.newEventID)
    }
}
