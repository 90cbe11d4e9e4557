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

    /// With `sendsFirstItemAlone`, the first item reaches the consumer while the
    /// producer is still short of a batch: here the producer waits for the
    /// consumer to have it (up to 10 s) before it puts any other.
    @Test(arguments: [false, true])
    func theFirstItemGoesOverAlone(alone: Bool) throws {
        let arrived = DispatchSemaphore(value: 0)
        let waitedInVain = Counter()
        var received: [Int] = []
        try Handoff<Int>(batchSize: 64, depth: 2, sendsFirstItemAlone: alone).run(producer: { put in
            try put(0)
            if arrived.wait(timeout: .now() + (alone ? 10 : 0.2)) == .timedOut { waitedInVain.increment() }
            for item in 1..<200 { try put(item) }
        }, consumer: { item in
            if item == 0 { arrived.signal() }
            received.append(item)
        })
        #expect(received == Array(0..<200))
        #expect(waitedInVain.value == (alone ? 0 : 1))
    }

    /// An item that notes the thread it is freed on.
    final class Noted: @unchecked Sendable {
        let threads: Threads
        init(_ threads: Threads) { self.threads = threads }
        deinit { threads.note() }
    }

    final class Threads: @unchecked Sendable {
        private let lock = NSLock()
        private var freedOn: [pthread_t] = []
        var producer: pthread_t?
        func note() { lock.lock(); freedOn.append(pthread_self()); lock.unlock() }
        /// How many items were freed on the producer's thread, and how many in all.
        var counts: (onProducer: Int, all: Int) {
            lock.lock()
            defer { lock.unlock() }
            return (freedOn.filter { pthread_equal($0, producer!) != 0 }.count, freedOn.count)
        }
    }

    /// With `freesItemsOnProducerThread`, the batches the consumer is done with
    /// go back and are freed on the producer's thread as it goes: all but the
    /// last few, which are freed once the run is over. (Without it, who frees
    /// a batch depends on which thread lets go of it last.)
    @Test func itemsAreFreedOnTheProducersThreadWhenAsked() throws {
        let threads = Threads()
        let setProducer = NSLock()
        var consumed = 0
        try Handoff<Noted>(batchSize: 16, depth: 2, freesItemsOnProducerThread: true).run(producer: { put in
            setProducer.lock()
            threads.producer = pthread_self()
            setProducer.unlock()
            for _ in 0..<1_600 { try put(Noted(threads)) }
        }, consumer: { _ in consumed += 1 })
        let counts = threads.counts
        #expect(consumed == 1_600)
        #expect(counts.all == 1_600)
        #expect(counts.onProducer > 1_600 - 16 * 8, "\(counts)")
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
