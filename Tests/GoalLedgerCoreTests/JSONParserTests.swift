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
}
