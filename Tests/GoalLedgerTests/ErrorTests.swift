import GoalLedgerCore
import GoalLedgerStore
import Testing

/// Issue 13, point 8: the core reports input errors with one type, whose kind
/// carries the exit code of SPEC §7, and the store turns it into a
/// `LedgerError` in one place with the same code.
@Suite struct ErrorTests {
    @Test(arguments: [
        (InputError.Kind.rejected, Int32(2), LedgerError.Kind.rejected),
        (.conflict, 4, .conflict),
        (.unreadable, 1, .failure),
    ])
    func eachKindKeepsItsExitCode(kind: InputError.Kind, code: Int32, ledgerKind: LedgerError.Kind) {
        let input = InputError("data.value: not a number", kind: kind)
        #expect(input.exitCode == code)
        let ledger = LedgerError(input)
        #expect(ledger.kind == ledgerKind)
        #expect(ledger.exitCode == code)
        #expect(ledger.message == "data.value: not a number")
    }

    @Test func theFileAndLineGoInFront() {
        let error = InputError("line ends with CR (CRLF line endings); use LF only", line: 7)
        #expect(LedgerError(error, file: "plan.ndjson").message
            == "plan.ndjson:7: line ends with CR (CRLF line endings); use LF only")
        #expect(LedgerError(InputError("read failed: I/O error", kind: .unreadable), file: "stdin").message
            == "stdin: read failed: I/O error")
        #expect(LedgerError(error.at(line: 9), file: "x").message.hasPrefix("x:9: "))
    }
}
