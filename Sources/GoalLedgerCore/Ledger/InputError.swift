/// Why an input was rejected: one line a person can act on.
///
/// The import loop adds the file and line (`error: plan.ndjson:17: …`); the
/// message itself names the member and the value at fault.
public struct InputError: Error, Equatable, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
