import Testing
@testable import GoalLedgerCore

@Suite struct IdentifierTests {
    /// Ids given to events without one: RFC 4122 version 4 UUIDs, lowercase, each new.
    @Test func newEventIDsAreLowercaseVersion4UUIDs() {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let id = Identifier.newEventID()
            let groups = id.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
            #expect(groups == [8, 4, 4, 4, 12], "\(id)")
            #expect(id.allSatisfy { "0123456789abcdef-".contains($0) }, "\(id)")
            #expect(Array(id)[14] == "4", "\(id)")
            #expect("89ab".contains(Array(id)[19]), "\(id)")
            #expect(Identifier.isEventID(id))
            seen.insert(id)
        }
        #expect(seen.count == 10_000)
    }
}
