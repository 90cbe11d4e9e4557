import Crypto
import Testing
@testable import GoalLedgerCore

/// `Event.computeHash` (from strings, when appending) and `ChainHasher` (from
/// stored bytes, when verifying) write the hash input through one writer;
/// on random events, with every optional member present or absent and text
/// that needs escaping, they agree.
@Suite struct CanonicalEventTests {
    static let alphabet: [String] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "\u{7F}", "æ", "ø",
                                     "å", "€", "\u{2028}", "😀", "\u{85}"]

    static func text(_ rng: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
    }

    static func event(_ rng: inout SplitMix64) throws -> Event {
        var data = JSONObject()
        for k in 0..<Int.random(in: 0...3, using: &rng) { data["k\(k)\(text(&rng))"] = .string(text(&rng)) }
        if Bool.random(using: &rng) { data["value"] = .number(Double(Int.random(in: -1_000...1_000, using: &rng)) / 8) }
        let signatures = Bool.random(using: &rng)
            ? [EventSignature(key: "clerk+\(text(&rng))", sig: Base64.encode((0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }))]
            : nil
        var e = Event(position: Int64.random(in: 1...1 << 53, using: &rng), version: Int64.random(in: 1...1_000, using: &rng),
                      stream: "p/\(text(&rng))", type: EventType.allCases.randomElement(using: &rng)!,
                      effective: try Effective(parsing: "2020-0\(Int.random(in: 1...9, using: &rng))-15"),
                      actor: text(&rng), reason: Bool.random(using: &rng) ? text(&rng) : nil,
                      decision: Bool.random(using: &rng) ? text(&rng) : nil, id: text(&rng), data: data,
                      recorded: Recorded(micros: Int64.random(in: 0...1 << 52, using: &rng)).text, recordedBy: text(&rng),
                      prev: Event.genesis, sigs: signatures)
        e.hash = e.computeHash()
        return e
    }

    @Test func appendAndVerifyHashTheSameBytes() throws {
        var rng = SplitMix64(seed: 8785)
        var hasher = ChainHasher()
        var agreed = 0
        for _ in 0..<2_000 {
            let e = try Self.event(&rng)
            var buffers: [UnsafeMutableBufferPointer<UInt8>] = []
            defer { buffers.forEach { $0.deallocate() } }
            func bytes(_ s: String) -> UnsafeBufferPointer<UInt8> {
                let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: s.utf8.count)
                _ = buffer.initialize(from: s.utf8)
                buffers.append(buffer)
                return UnsafeBufferPointer(buffer)
            }
            let columns = ChainHasher.Columns(
                actor: bytes(e.actor), data: bytes(e.dataJSON), decision: e.decision.map(bytes),
                effective: bytes(e.effective.text), id: bytes(e.id), position: e.position, prev: bytes(e.prev),
                reason: e.reason.map(bytes), recorded: bytes(e.recorded), recordedBy: bytes(e.recordedBy),
                sigs: e.sigs.map { bytes(EventSignature.canonical($0)) }, stream: bytes(e.stream),
                type: bytes(e.type.rawValue), version: e.version)
            #expect(hasher.matches(columns, hash: bytes(e.hash)) == true, "\(e.exportLine())")
            // One hex digit off is another hash.
            var other = Array(e.hash)
            other[Int.random(in: 0..<64, using: &rng)] = other[0] == "0" ? "1" : "0"
            #expect(hasher.matches(columns, hash: bytes(String(other))) == false || String(other) == e.hash)
            agreed += 1
        }
        #expect(agreed == 2_000)
    }

    @Test func theSignedBodyIsTheHashInputWithoutThePlaceInTheLedger() throws {
        var rng = SplitMix64(seed: 10)
        for _ in 0..<200 {
            let e = try Self.event(&rng)
            var unsigned = e
            unsigned.sigs = nil
            let hashed = try JSONParser.parse(String(decoding: unsigned.canonicalBytes(), as: UTF8.self)).objectValue!
            let signed = try JSONParser.parse(String(decoding: EventSigning.body(
                id: e.id, stream: e.stream, type: e.type, effective: e.effective, actor: e.actor, reason: e.reason,
                decision: e.decision, dataJSON: e.dataJSON, recordedBy: e.recordedBy), as: UTF8.self)).objectValue!
            var expected = hashed
            for member in ["position", "version", "prev", "recorded"] { expected[member] = nil }
            #expect(JSONWriter.canonical(.object(signed)) == JSONWriter.canonical(.object(expected)))
        }
    }
}
