import Foundation
import Testing

@testable import GoalLedgerCore

/// `Handoff` carries items from a producer on another thread to a consumer on this
/// one: in order, with the producer's error after the items before it, and a
/// consumer's error stopping the producer.
@Suite struct HandoffTests {
    struct ProducerFailed: Error, Equatable { var after: Int }
    struct ConsumerFailed: Error, Equatable { var at: Int }

    /// Counts across threads, for the producer's side.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func increment() { lock.lock(); count += 1; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    }

    @Test(arguments: [1, 7, 512])
    func itemsArriveInOrder(batchSize: Int) throws {
        var received: [Int] = []
        try Handoff<Int>(batchSize: batchSize, depth: 2).run(producer: { put in
            for item in 0..<10_000 { try put(item) }
        }, consumer: { received.append($0) })
        #expect(received == Array(0..<10_000))
    }

    @Test func producerErrorComesAfterTheItemsBeforeIt() throws {
        var received: [Int] = []
        #expect(throws: ProducerFailed(after: 1_000)) {
            try Handoff<Int>(batchSize: 64).run(producer: { put in
                for item in 0..<1_000 { try put(item) }
                throw ProducerFailed(after: 1_000)
            }, consumer: { received.append($0) })
        }
        #expect(received == Array(0..<1_000))
    }

    @Test func consumerErrorStopsTheProducer() throws {
        let produced = Counter()
        var received = 0
        #expect(throws: ConsumerFailed(at: 100)) {
            try Handoff<Int>(batchSize: 16, depth: 2).run(producer: { put in
                // Endless unless stopped: `put` throws once the consumer has failed.
                var item = 0
                while true {
                    try put(item)
                    produced.increment()
                    item += 1
                }
            }, consumer: { item in
                if item == 100 { throw ConsumerFailed(at: 100) }
                received += 1
            })
        }
        #expect(received == 100)
        // run returns only once the producer has stopped, within a few batches of the failure: the
        // batch being consumed, `depth` queued, the one being filled, and those the drain makes room for.
        #expect(produced.value < 100 + 16 * 6)
    }
}

/// `NDJSONReader` reads lines of any length up to 1 MiB, numbers them, and refuses
/// what SPEC §4 input must not hold, naming the line.
@Suite struct NDJSONReaderTests {
    func file(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ndjson-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func lines(_ text: String) throws -> [(Int, String)] {
        var reader = try NDJSONReader(path: try file(Array(text.utf8)))
        var out: [(Int, String)] = []
        try reader.forEachLine { line, number in out.append((number, String(decoding: line, as: UTF8.self))) }
        return out
    }

    @Test func numbersLinesSkipsBlankOnesAndReadsALastLineWithoutNewline() throws {
        let read = try lines("{\"a\":1}\n\n{\"b\":2}\n   \n{\"c\":3}")
        #expect(read.map(\.0) == [1, 3, 5])
        #expect(read.map(\.1) == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
    }

    @Test func longLinesAcrossBufferBoundariesArriveWhole() throws {
        let long = "{\"x\":\"" + String(repeating: "æ", count: 200_000) + "\"}"
        let read = try lines("{\"a\":1}\n" + long + "\n{\"b\":2}\n")
        #expect(read.map(\.0) == [1, 2, 3])
        #expect(read[1].1 == long)
    }

    @Test func crlfIsRefusedWithItsLineNumber() throws {
        do {
            _ = try lines("{\"a\":1}\n{\"b\":2}\r\n")
            Issue.record("a CRLF line was read")
        } catch let error as InputError {
            #expect(error.line == 2)
            #expect(error.kind == .rejected)
            #expect(error.exitCode == 2)
            #expect(error.message.contains("CR"))
        }
    }

    @Test func aLineOverOneMebibyteIsRefused() throws {
        let huge = String(repeating: "a", count: NDJSONReader.maxLineBytes + 1)
        do {
            _ = try lines("{}\n" + huge + "\n")
            Issue.record("a line over 1 MiB was read")
        } catch let error as InputError {
            #expect(error.line == 2)
        }
    }

    @Test func parsingAheadKeepsOrderAndLineNumbers() throws {
        var text = ""
        for number in 1...5_000 { text += "{\"n\":\(number)}\n" }
        var reader = try NDJSONReader(path: try file(Array(text.utf8)))
        var seen: [(Int, Int)] = []
        try reader.forEachLine(parsingAhead: { line in String(decoding: line, as: UTF8.self).count }) { parsed, line in
            seen.append((line, try parsed.get()))
        }
        #expect(seen.map(\.0) == Array(1...5_000))
        #expect(seen.map(\.1) == (1...5_000).map { "{\"n\":\($0)}".count })
    }
}
