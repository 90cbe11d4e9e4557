import GoalLedgerCore

/// A failure with the exit code SPEC §7 gives it.
public struct LedgerError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Int32, Sendable {
        case failure = 1, rejected = 2, notFound = 3, conflict = 4, integrity = 5, usage = 64
    }

    public var kind: Kind
    public var message: String
    /// For integrity failures: the first bad position.
    public var position: Int64?

    public init(_ kind: Kind, _ message: String, position: Int64? = nil) {
        self.kind = kind
        self.message = message
        self.position = position
    }

    public var description: String { message }
    public var exitCode: Int32 { kind.rawValue }

    public static func rejected(_ message: String) -> LedgerError { LedgerError(.rejected, message) }
    public static func notFound(_ message: String) -> LedgerError { LedgerError(.notFound, message) }
    public static func conflict(_ message: String) -> LedgerError { LedgerError(.conflict, message) }
    public static func integrity(_ message: String, position: Int64? = nil) -> LedgerError {
        LedgerError(.integrity, message, position: position)
    }
    public static func failure(_ message: String) -> LedgerError { LedgerError(.failure, message) }

    /// An input error of the core as the store reports it, with the same exit
    /// code: `FILE:LINE: ` in front when the file (`stdin` for standard input)
    /// and the error's line are known, `FILE: ` when only the file is.
    public init(_ input: InputError, file: String? = nil) {
        let kind: Kind = switch input.kind {
        case .rejected: .rejected
        case .conflict: .conflict
        case .unreadable: .failure
        }
        let place = switch (file, input.line) {
        case (let file?, let line?): "\(file):\(line): "
        case (let file?, nil): "\(file): "
        case (nil, _): ""
        }
        self.init(kind, place + input.message)
    }

    /// Adds `FILE:LINE: ` in front, for imports.
    public func at(_ file: String, line: Int) -> LedgerError {
        LedgerError(kind, "\(file):\(line): \(message)", position: position)
    }
}
