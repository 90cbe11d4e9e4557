import GoalLedgerCore

/// libFuzzer's entry point: one input is a chunk of an NDJSON file.
///
/// Each line (split on LF, as `NDJSONReader` does) goes through the line
/// parser and validator. Whatever the bytes, nothing may crash, and:
///
/// 1. JSON: a line `JSONParser` accepts serialises canonically (RFC 8785) to
///    text that parses back to the same value and serialises to the same text.
/// 2. `EventInput.parse(line:)` either throws `InputError` (its typed throw
///    allows nothing else) or returns an input that
///    a. serialised as an input line parses back to the same input;
///    b. is what the `String` overload `EventInput.parse(_:)` returns for the same
///       text (or both reject with the same message);
///    c. (plain inputs) as an event, exported and parsed again, is accepted as
///       an exported line with the same content and the same hash.
///
/// A violated property is a `fatalError`, so libFuzzer saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func goalLedgerFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let all = UnsafeBufferPointer(start: data, count: size)
    var start = 0
    for k in 0...size where k == size || all[k] == 0x0A {
        check(UnsafeBufferPointer(rebasing: all[start..<k]))
        start = k + 1
    }
    return 0
}

func check(_ line: UnsafeBufferPointer<UInt8>) {
    checkJSON(line)
    let text = String(validating: line, as: UTF8.self)
    let viaBytes: Result<EventInput, InputError>
    do { viaBytes = .success(try EventInput.parse(line: line)) } catch { viaBytes = .failure(error) }
    if let text {
        let viaString: Result<EventInput, InputError>
        do { viaString = .success(try EventInput.parse(text)) } catch { viaString = .failure(error) }
        if viaString != viaBytes {
            fatalError("parse(line:) and parse(_:) disagree on \(text.debugDescription): \(viaBytes) vs \(viaString)")
        }
    }
    guard case .success(let input) = viaBytes else { return }
    let line2 = FuzzSupport.inputLine(input)
    let again: EventInput
    do { again = try EventInput.parse(line2) } catch {
        fatalError("accepted input re-serialised as \(line2.debugDescription) is rejected: \(error.message)")
    }
    if again != input { fatalError("input does not round-trip: \(input) vs \(again) via \(line2.debugDescription)") }

    guard input.exported == nil else { return }
    let event = input.event(position: 7, version: 3, id: input.id ?? "fuzz-id", recorded: "2026-01-02T03:04:05.000006Z",
                            recordedBy: "fuzz", prev: Event.genesis)
    let exportLine = event.exportLine()
    let exported: EventInput
    do { exported = try EventInput.parse(exportLine) } catch {
        fatalError("export line \(exportLine.debugDescription) is rejected: \(error.message)")
    }
    guard let x = exported.exported, x.hash == event.hash, x.position == 7, x.version == 3, exported.hasSameContent(as: event)
    else { fatalError("export line does not round-trip: \(exportLine.debugDescription)") }
    let rebuilt = exported.event(position: x.position, version: x.version, id: exported.id!, recorded: x.recorded,
                                 recordedBy: x.recordedBy, prev: x.prev)
    if rebuilt.hash != event.hash { fatalError("hash of the re-imported export differs: \(exportLine.debugDescription)") }
}

func checkJSON(_ line: UnsafeBufferPointer<UInt8>) {
    guard let value = try? JSONParser.parse(line) else { return }
    let canonical = JSONWriter.canonical(value)
    let reparsed: JSON
    do { reparsed = try JSONParser.parse(canonical) } catch {
        fatalError("canonical form \(canonical.debugDescription) does not parse: \(error)")
    }
    if !same(reparsed, value) { fatalError("JSON does not round-trip through \(canonical.debugDescription)") }
    if JSONWriter.canonical(reparsed) != canonical { fatalError("canonical form is not stable: \(canonical.debugDescription)") }
}

/// Value equality with members compared by name in O(n log n) (`JSONObject.==`
/// looks each name up in turn, which is slow for the wide objects fuzzing makes).
func same(_ a: JSON, _ b: JSON) -> Bool {
    switch (a, b) {
    case (.object(let x), .object(let y)):
        guard x.count == y.count else { return false }
        let xs = x.members.sorted { $0.key < $1.key }, ys = y.members.sorted { $0.key < $1.key }
        return zip(xs, ys).allSatisfy { $0.key == $1.key && same($0.value, $1.value) }
    case (.array(let x), .array(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
    default:
        return a == b
    }
}

enum FuzzSupport {
    /// An input line saying exactly what `input` says (exported members included).
    static func inputLine(_ input: EventInput) -> String {
        var o = JSONObject()
        o["stream"] = .string(input.stream)
        o["type"] = .string(input.type.rawValue)
        o["effective"] = .string(input.effective.text)
        o["actor"] = .string(input.actor)
        if let r = input.reason { o["reason"] = .string(r) }
        if let d = input.decision { o["decision"] = .string(d) }
        if let id = input.id { o["id"] = .string(id) }
        if let v = input.expectedVersion { o["expectedVersion"] = .number(Double(v)) }
        o["data"] = .object(input.data)
        if let x = input.exported {
            o["position"] = .number(Double(x.position))
            o["version"] = .number(Double(x.version))
            o["recorded"] = .string(x.recorded)
            o["recordedBy"] = .string(x.recordedBy)
            o["prev"] = .string(x.prev)
            o["hash"] = .string(x.hash)
        }
        return JSONWriter.canonical(.object(o))
    }
}
