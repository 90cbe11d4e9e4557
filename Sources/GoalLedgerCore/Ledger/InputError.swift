/// Why an input was refused or could not be read: one line a person can act
/// on, and the exit code SPEC §7 gives it. The core's one error type for
/// input (`NoteError` is the proofs' own, for signed notes).
///
/// The message names the member and the value at fault; `line` is the
/// 1-based line of an NDJSON input it concerns, when one is known. The store
/// turns it into a `LedgerError` in one place (`LedgerError.init(_:file:)`),
/// which adds `FILE:LINE: ` in front.
public struct InputError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The input breaks a rule of the SPEC: exit 2.
        case rejected
        /// The input expected another version of its stream (`expectedVersion`): exit 4.
        case conflict
        /// The input could not be opened or read at all: exit 1.
        case unreadable
    }

    public var kind: Kind
    public var message: String
    /// The 1-based line of the input, when the error concerns one line.
    public var line: Int?

    public init(_ message: String, kind: Kind = .rejected, line: Int? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
    }

    public var description: String { message }

    /// The exit code of SPEC §7.
    public var exitCode: Int32 {
        switch kind {
        case .rejected: 2
        case .conflict: 4
        case .unreadable: 1
        }
    }

    /// The same error, about line `line`.
    public func at(line: Int) -> InputError { InputError(message, kind: kind, line: line) }
}
