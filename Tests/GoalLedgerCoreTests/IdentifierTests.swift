import Testing
@testable import GoalLedgerCore

@Suite struct IdentifierTests {
    /// Ids given to events without one: RFC 9562 version 7 UUIDs, lowercase,
    /// each new, each after the one before (so the id index grows at its end).
    @Test func newEventIDsAreLowercaseVersion7UUIDsInOrder() {
        var seen = Set<String>()
        var previous = ""
        let before = EventIDClock.unixMillis()
        for _ in 0..<10_000 {
            let id = Identifier.newEventID()
            let groups = id.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
            #expect(groups == [8, 4, 4, 4, 12], "\(id)")
            #expect(id.allSatisfy { "0123456789abcdef-".contains($0) }, "\(id)")
            #expect(Array(id)[14] == "7", "\(id)")
            #expect("89ab".contains(Array(id)[19]), "\(id)")
            #expect(Identifier.isEventID(id))
            #expect(id > previous, "\(id) after \(previous)")
            previous = id
            seen.insert(id)
        }
        #expect(seen.count == 10_000)
        // The first 48 bits are the Unix time in milliseconds.
        let first = Identifier.newEventID().filter { $0 != "-" }
        let millis = UInt64(first.prefix(12), radix: 16)!
        #expect(millis >= before && millis <= EventIDClock.unixMillis() + 1)
    }

    /// RFC 9562 §6.2, method 1: a 12-bit count within one millisecond, the
    /// next millisecond when it runs out, and never backwards with the clock.
    @Test func eventIDClockCountsWithinAMillisecondAndNeverGoesBack() {
        let clock = EventIDClock()
        #expect(clock.next(now: 1_000) == (1_000, 0))
        #expect(clock.next(now: 1_000) == (1_000, 1))
        #expect(clock.next(now: 999) == (1_000, 2))  // the clock went back
        #expect(clock.next(now: 1_005) == (1_005, 0))
        for count in 1...0xFFF { #expect(clock.next(now: 1_005) == (1_005, UInt16(count))) }
        #expect(clock.next(now: 1_005) == (1_006, 0))  // the count ran out
        #expect(clock.next(now: 1_005) == (1_006, 1))
    }

    /// The text of a UUID is its 128 bits in hex, grouped 8-4-4-4-12.
    @Test func uuidTextGroupsTheBitsInHex() {
        #expect(Identifier.uuidText(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
                == "01234567-89ab-cdef-fedc-ba9876543210")
        #expect(Identifier.uuidText(high: 0, low: .max) == "00000000-0000-0000-ffff-ffffffffffff")
    }
}
