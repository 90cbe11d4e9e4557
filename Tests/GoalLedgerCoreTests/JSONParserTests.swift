import Testing
@testable import GoalLedgerCore

@Suite struct JSONParserTests {
    @Test(arguments: [
        (#"{"a":1,"a":2}"#, "duplicate member"),
        ("\u{FEFF}{}", "byte-order mark"),
        (#"{"a":NaN}"#, "NaN"),
        (#"{"a":1e400}"#, "out of range"),
        (#"{"a":01}"#, "leading zeros"),
        (#"{"a":"\ud800"}"#, "lone UTF-16 surrogate"),
        (#"{"a":1,}"#, "member name"),
        (#"{"a":1} x"#, "after the JSON value"),
        ("{\"a\":\"x\u{01}\"}", "control character"),
        (#"{"a":[1,2"#, "end of input"),
        (#"{'a':1}"#, "member name"),
        (String(repeating: "[", count: 40) + String(repeating: "]", count: 40), "nesting deeper"),
    ])
    func rejects(text: String, fragment: String) {
        #expect {
            _ = try JSONParser.parse(text)
        } throws: { error in
            (error as? JSONParser.Error)?.message.contains(fragment) == true
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.Error.self) { _ = try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func bomIsNamedAsSuch() {
        #expect { _ = try JSONParser.parse([0xEF, 0xBB, 0xBF, 0x7B, 0x7D]) } throws: { error in
            (error as? JSONParser.Error)?.message.contains("byte-order mark") == true
        }
    }

    @Test func parsesDanishTextAndEscapes() throws {
        let v = try JSONParser.parse(#"{"t":"Grøn by i balance – æøå \u00e6\ud83d\ude00","n":-12.5,"b":[true,false,null]}"#)
        #expect(v == ["t": "Grøn by i balance – æøå æ😀", "n": -12.5, "b": [true, false, nil]])
    }

    /// Short decimals are read without strtod: every one must be the double strtod gives.
    @Test func shortDecimalsReadAsStrtodReadsThem() throws {
        var state: UInt64 = 2026
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var mismatches: [String] = []
        for _ in 0..<200_000 {
            let digits = Int(next() % 16) + 1
            var text = next() % 2 == 0 ? "-" : ""
            let point = Int(next() % UInt64(digits))
            for k in 0..<digits {
                if k == point && k > 0 { text += "." }
                text += String(next() % 10)
            }
            if !text.contains(".") { text += ".5" }
            // JSON allows no leading zeros before other digits.
            let unsigned = text.hasPrefix("-") ? String(text.dropFirst()) : text
            if unsigned.hasPrefix("0") && !unsigned.hasPrefix("0.") { continue }
            guard case .number(let d) = try JSONParser.parse(text) else { Issue.record("not a number: \(text)"); continue }
            if d.bitPattern != Double(text)!.bitPattern { mismatches.append(text) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
