import Testing
@testable import GoalLedgerCore

@Suite struct TimeTests {
    @Test func partialPeriodsMeanTheEndOfThePeriod() throws {
        #expect(try TimePoint(parsing: "2018").recordedBound == "2018-12-31T23:59:59.999999Z")
        #expect(try TimePoint(parsing: "2016-02").recordedBound == "2016-02-29T23:59:59.999999Z")
        #expect(try TimePoint(parsing: "2018-06-22").effectiveBound == "2018-06-22T23:59:59Z")
        #expect(try TimePoint(parsing: "2018-06-22T10:00:00+02:00").effectiveBound == "2018-06-22T08:00:00Z")
    }

    @Test func instantsAreNormalisedToUTC() throws {
        #expect(try Effective(parsing: "2019-03-01T00:30:00+01:00").text == "2019-02-28T23:30:00Z")
        #expect(try Effective(parsing: "2021-06-22").text == "2021-06-22")
        #expect(try Effective(parsing: "2020-01-01T00:00:00.000Z").text == "2020-01-01T00:00:00Z")
    }

    @Test(arguments: ["2018-02-30", "2019-02-29", "2018-13-01", "2018-00-10", "2018-6-1", "2018-06-01T10:00:00",
                      "2018-06-01T10:00:00+25:00", "2018-06-01T10:00:00.5Z", "2018-06-01T24:00:00Z", "18-06-01", ""])
    func impossibleEffectiveIsRejected(text: String) {
        #expect(throws: InputError.self) { _ = try Effective(parsing: text) }
    }

    /// The allocation-free reader of stored effective times gives what the
    /// careful scanner gives, on random dates and instants of years 1-9999.
    @Test func storedFormsAreReadAsTheScannerReadsThem() throws {
        var random = SplitMix64(seed: 20261202)
        let first = Calendar.days(1, 1, 1) * 86400, last = Calendar.days(9999, 12, 31) * 86400 + 86399
        for _ in 0..<20_000 {
            let seconds = Int64.random(in: first...last, using: &random)
            let instant = try #require(Effective.formatInstant(seconds))
            let scanned = try #require(TimeScanner(instant).instant())
            #expect(scanned.seconds == seconds)
            let read = try Self.readStored(instant)
            #expect(read.key == seconds && read.text == instant)
            let date = String(instant.prefix(10))
            let (year, month, day) = try #require(TimeScanner(date).date())
            let readDate = try Self.readStored(date)
            #expect(readDate.key == Calendar.days(year, month, day) * 86400 && readDate.text == date)
        }
    }

    /// Text that is not exactly a stored form is left to the careful path, which refuses it as stored.
    @Test(arguments: ["2018-06-01t10:00:00Z", "2018-06-01T10:00:00z", "2018-06-01T24:00:00Z", "2018-06-01T10:60:00Z",
                      "2018-06-01T10:00:60Z", "2018-02-30T10:00:00Z", "0000-01-01", "2018-06-01 10:00:00Z",
                      "2018-06-01T10:00:00.0Z", "2018-02-29", "2018-06-01T1a:00:00Z"])
    func nonStoredFormsAreNotReadAsStored(text: String) {
        #expect(Effective.storedFormKey(text) == nil)
        #expect(throws: InputError.self) { _ = try Self.readStored(text) }
    }

    static func readStored(_ text: String) throws -> Effective {
        var text = text
        return try text.withUTF8 { bytes in try Effective(storedUTF8: bytes) }
    }

    /// A date stands at the start of its day: before every instant of that day, after every instant of the day before.
    @Test func dateOrdersAtTheStartOfItsDay() throws {
        let date = try Effective(parsing: "2018-06-22")
        #expect(date.key == (try Effective(parsing: "2018-06-22T00:00:00Z")).key)
        #expect(date.key > (try Effective(parsing: "2018-06-21T23:59:59Z")).key)
        // And the stored texts compare as text the same way against an instant bound.
        #expect(date.text <= (try TimePoint(parsing: "2018-06-22T00:00:00Z")).effectiveBound)
        #expect(!(date.text <= (try TimePoint(parsing: "2018-06-21T23:59:59Z")).effectiveBound))
    }

    @Test func recordedRoundTrips() throws {
        let r = try Recorded(stored: "2026-11-22T09:00:00.000001Z")
        #expect(r.text == "2026-11-22T09:00:00.000001Z")
        #expect(throws: InputError.self) { _ = try Recorded(stored: "2026-11-22T09:00:00Z") }
    }
}
