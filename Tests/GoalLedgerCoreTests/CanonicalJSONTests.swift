import Foundation
import Testing
@testable import GoalLedgerCore

@Suite struct CanonicalJSONTests {
    /// RFC 8785 §3.2.2 (the main example): numbers, string escaping, literals, member order.
    @Test func rfc8785MainExampleCanonicalises() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50,
                          2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(JSONWriter.canonical(try JSONParser.parse(input)) == expected)
    }

    /// RFC 8785 §3.2.3: member names sort by UTF-16 code units, not by code points or bytes.
    @Test func rfc8785SortingExampleOrdersByUTF16() throws {
        let input = #"""
            {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
             "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
             "\u00f6": "Latin Small Letter O With Diaeresis"}
            """#
        guard case .object(let o) = JSONWriter.canonical(try JSONParser.parse(input)).data(using: .utf8).flatMap({
            try? JSONParser.parse(Array($0))
        }) ?? .null else { Issue.record("not an object"); return }
        #expect(o.keys.map { $0.unicodeScalars.first!.value } == [0x0D, 0x31, 0x80, 0xF6, 0x20AC, 0x1F600, 0xFB33])
    }

    /// RFC 8785 Appendix B: IEEE 754 values and their serialisation.
    @Test(arguments: [
        ("0000000000000000", "0"), ("8000000000000000", "0"), ("0000000000000001", "5e-324"),
        ("8000000000000001", "-5e-324"), ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("ffefffffffffffff", "-1.7976931348623157e+308"), ("4340000000000000", "9007199254740992"),
        ("c340000000000000", "-9007199254740992"), ("4430000000000000", "295147905179352830000"),
        ("44b52d02c7e14af5", "9.999999999999997e+22"), ("44b52d02c7e14af6", "1e+23"),
        ("44b52d02c7e14af7", "1.0000000000000001e+23"), ("444b1ae4d6e2ef4e", "999999999999999700000"),
        ("444b1ae4d6e2ef4f", "999999999999999900000"), ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("3eb0c6f7a0b5ed8e", "0.0000010000000000000002"),
        ("41b3de4355555553", "333333333.3333332"), ("41b3de4355555554", "333333333.33333325"),
        ("41b3de4355555555", "333333333.3333333"), ("41b3de4355555556", "333333333.3333334"),
        ("41b3de4355555557", "333333333.33333343"), ("becbf647612f3696", "-0.0000033333333333333333"),
        ("43143ff3c1cb0959", "1424953923781206.2"),
    ])
    func rfc8785AppendixBNumbers(bits: String, expected: String) {
        let d = Double(bitPattern: UInt64(bits, radix: 16)!)
        #expect(JSONWriter.canonical(.number(d)) == expected)
    }

    /// 2,999 random doubles serialised by an independent implementation (the rfc8785 Python package).
    @Test func numbersMatchAnIndependentImplementation() throws {
        let url = try #require(Bundle.module.url(forResource: "rfc8785-numbers", withExtension: "tsv", subdirectory: "Fixtures"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count == 2999)
        var mismatches: [String] = []
        for line in lines {
            let parts = line.split(separator: "\t")
            let d = Double(bitPattern: UInt64(parts[0], radix: 16)!)
            let ours = JSONWriter.canonical(.number(d))
            if ours != String(parts[1]) { mismatches.append("\(parts[0]): \(ours) vs \(parts[1])") }
            // And it reads back to the same double.
            #expect(try JSONParser.parse(ours) == .number(d == 0 ? 0 : d))
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func stringsEscapeOnlyWhatJSONRequires() {
        #expect(JSONWriter.canonical(.string("æøå \u{2028} \u{7F} \t\u{01}\"\\/")) == "\"æøå \u{2028} \u{7F} \\t\\u0001\\\"\\\\/\"")
    }

    @Test func eventHashIsSHA256OfTheCanonicalExportWithoutHash() throws {
        let e = EventInput(stream: "ballerup/kb", type: .actorRegistered, effective: try Effective(parsing: "2014-01-01"),
                           actor: "ballerup/kb", data: ["name": "Kommunalbestyrelsen", "kind": "body"])
            .event(position: 1, version: 1, id: "kb-1", recorded: "2026-11-22T09:00:00.000000Z", recordedBy: "mette",
                   prev: Event.genesis)
        let canonical = String(decoding: e.canonicalBytes(), as: UTF8.self)
        #expect(canonical == #"{"actor":"ballerup/kb","data":{"kind":"body","name":"Kommunalbestyrelsen"},"effective":"2014-01-01","id":"kb-1","position":1,"prev":"0000000000000000000000000000000000000000000000000000000000000000","recorded":"2026-11-22T09:00:00.000000Z","recordedBy":"mette","stream":"ballerup/kb","type":"ActorRegistered","version":1}"#)
        // The generic canonicaliser over the parsed export line minus hash gives the same bytes.
        guard case .object(var o) = try JSONParser.parse(e.exportLine()) else { Issue.record("export is not an object"); return }
        o["hash"] = nil
        #expect(JSONWriter.canonical(.object(o)) == canonical)
        #expect(e.hash.count == 64)
    }

    /// The exact check `verify` falls back on: parses, and writes back the same bytes.
    static func exactlyCanonical(_ text: String) -> Bool {
        guard let v = try? JSONParser.parse(text) else { return false }
        return JSONWriter.canonical(v) == text
    }

    static func surely(_ text: String) -> Bool {
        var t = text
        return t.withUTF8 { CanonicalCheck.isSurelyCanonical($0) }
    }

    /// `CanonicalCheck` recognises the stored data of every event type as the
    /// writer makes it, and says "canonical" of nothing the exact check refuses.
    @Test(arguments: [
        #"{"period":"uge 1 2006-02","value":31}"#, #"{"period":"2019","source":"Danmarks Statistik","value":-0.05}"#,
        #"{"baseline":{"at":2016,"value":12.5},"comparator":">=","deadline":"2029-12-31","unit":"%","value":30}"#,
        #"{"description":"Flere unge vælger \"håndværk\"\n","title":"Mål 3: flere lærepladser"}"#,
        #"{"links":[],"milestones":[{"date":"2016-06-01","title":"Vedtaget"}],"x":null,"y":[true,false]}"#,
        #"{"a":"tab\there, control \u001f, bell \u0007"}"#, #"{}"#, #"{"value":0}"#, #"{"value":999999999999999}"#,
        #"{"value":0.000001}"#, #"{"value":123456789012.345}"#, #"{"value":-0.5}"#,
    ])
    func recognisesCanonicalData(_ text: String) {
        #expect(Self.exactlyCanonical(text), "fixture is not canonical")
        #expect(Self.surely(text))
    }

    @Test(arguments: [
        #"{"value":31,"period":"uge 1"}"#, #"{"a":1,"a":2}"#, #"{"a":1, "b":2}"#, #" {"a":1}"#, "{\"a\":1}\n",
        #"{"a":"\/"}"#, #"{"a":"\u0041"}"#, #"{"a":"\u000A"}"#, #"{"a":"\u000a"}"#, #"{"a":"\u00e9"}"#,
        #"{"value":5.0}"#, #"{"value":-0}"#, #"{"value":1e3}"#, #"{"value":1E+30}"#, #"{"value":0.0000001}"#,
        #"{"value":1234567890123456}"#, #"{"value":0.1234567890123456}"#, #"{"value":01}"#, #"{"value":.5}"#,
        #"{"value":+1}"#, #"{"a":tru}"#, #"{"a":[1,]}"#, #"{"a":1"#, #"{"a"}"#, #"{"a":"x}"#,
        #"{"é":1,"z":2}"#, #"{"b":1,"a":2}"#, #"{"ab":1,"a":2}"#,
    ])
    func refusesOrLeavesToTheExactCheck(_ text: String) {
        #expect(!Self.surely(text) || Self.exactlyCanonical(text))
        #expect(!Self.surely(text), "a form the recogniser should not settle")
    }

    /// Random objects, written canonically and then disturbed a byte at a time:
    /// whatever the recogniser accepts, the exact check accepts too.
    @Test func neverAcceptsWhatTheExactCheckRefuses() {
        var rng = SplitMix64(seed: 20261128)
        let alphabet = Array(#"{}[]",:0123456789.-+eE btnruf"#.utf8) + [0x5C, 0x09, 0x0A, 0xC3, 0xA6]
        var accepted = 0
        for _ in 0..<3000 {
            let canonical = JSONWriter.canonical(Self.randomValue(&rng, depth: 0))
            var bytes = Array(canonical.utf8)
            // Every writer output of these shapes (ASCII names, short numbers) is settled on the bytes.
            #expect(Self.surely(canonical), "not recognised: \(canonical)")
            for _ in 0..<Int(rng.next() % 3) {
                let k = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[k] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: k)
                default: bytes.remove(at: k)
                }
                if bytes.isEmpty { bytes = [0x7B, 0x7D] }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            guard Array(text.utf8) == bytes else { continue }
            if Self.surely(text) {
                accepted += 1
                #expect(Self.exactlyCanonical(text), "accepted but not canonical: \(text)")
            }
        }
        #expect(accepted > 1000)
    }

    static func randomValue(_ rng: inout SplitMix64, depth: Int) -> JSON {
        switch rng.next() % (depth < 3 ? 8 : 6) {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .number(Double(Int64(rng.next() % 2_000_001) - 1_000_000))
        case 3: return .number(Double(Int64(rng.next() % 200_001) - 100_000) / [1, 10, 100, 1000, 1e6][Int(rng.next() % 5)])
        case 4, 5:
            let words = ["uge 1", "Mål", "a\"b", "tab\t", "x\u{1}y", "", "Danmarks Statistik", "/"]
            return .string(words[Int(rng.next() % UInt64(words.count))])
        case 6: return .array((0..<Int(rng.next() % 4)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var o = JSONObject()
            for _ in 0..<Int(rng.next() % 5) {
                o[["value", "unit", "period", "a", "ab", "b", "source"][Int(rng.next() % 7)]] = randomValue(&rng, depth: depth + 1)
            }
            return .object(o)
        }
    }

    /// The word-at-a-time scan for bytes to escape agrees with escaping byte by
    /// byte, wherever in a string of whatever length the special bytes fall.
    @Test func escapingFindsEverySpecialByteAtAnyPlace() {
        var rng = SplitMix64(seed: 77)
        let plain: [UInt8] = Array("abcXYZ 019/!~".utf8) + [0x7F]
        let special: [UInt8] = [0x22, 0x5C, 0x00, 0x01, 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x1F]
        func reference(_ b: [UInt8]) -> String {
            var out = "\""
            for c in b {
                switch c {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x08: out += "\\b"
                case 0x09: out += "\\t"
                case 0x0A: out += "\\n"
                case 0x0C: out += "\\f"
                case 0x0D: out += "\\r"
                case ..<0x20: out += "\\u00" + (c < 16 ? "0" : "") + String(c, radix: 16)
                default: out += String(decoding: [c], as: UTF8.self)
                }
            }
            return out + "\""
        }
        for _ in 0..<5000 {
            let length = Int(rng.next() % 41)
            var b = (0..<length).map { _ in plain[Int(rng.next() % UInt64(plain.count))] }
            for _ in 0..<Int(rng.next() % 3) where !b.isEmpty {
                b[Int(rng.next() % UInt64(b.count))] = special[Int(rng.next() % UInt64(special.count))]
            }
            var w = JSONWriter()
            b.withUnsafeBufferPointer { w.writeString(utf8: $0) }
            #expect(String(decoding: w.bytes, as: UTF8.self) == reference(b), "\(b)")
        }
    }
}
