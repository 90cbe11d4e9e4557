import Dispatch

/// Items made on a second core and used on this one, in order: the
/// producer runs ahead by at most `depth` batches (two unless said), so
/// memory stays small.
///
/// For example, `import` parses lines while it appends earlier ones, and
/// `replay` decodes rows while it folds earlier ones.
package final class Handoff<Item>: @unchecked Sendable {
    private enum Batch {
        case items([Item])
        case end((any Error)?)
    }

    package let batchSize: Int
    /// Whether the first item goes over alone, at once: a reader waiting for
    /// output sees it start (`Ledger.auditOnTwoCores(_:row:)`).
    package let sendsFirstItemAlone: Bool
    /// Whether the consumer gives each batch back once done with it, for the
    /// producer's thread to free: items that hold many small objects made
    /// there (an audit row's event and changes) are then freed by the thread
    /// whose heap they came from. Freed on the consumer's thread, such rows
    /// cost the long-stream audit a tenth more CPU, in malloc's locks.
    package let freesItemsOnProducerThread: Bool
    /// Batches the consumer is done with, waiting for the producer's thread to free them.
    private var givenBack: [[Item]] = []
    private var batches: [Batch] = []
    private var stopped = false
    private let lock = DispatchSemaphore(value: 1)
    private let filled = DispatchSemaphore(value: 0)
    private let room: DispatchSemaphore

    /// A deeper queue lets the faster side bank work while the other core is
    /// briefly taken by something else (the machine is shared).
    package init(batchSize: Int = 512, depth: Int = 2, sendsFirstItemAlone: Bool = false,
                 freesItemsOnProducerThread: Bool = false) {
        self.batchSize = batchSize
        self.sendsFirstItemAlone = sendsFirstItemAlone
        self.freesItemsOnProducerThread = freesItemsOnProducerThread
        room = DispatchSemaphore(value: depth)
    }

    /// Runs `producer` on another thread, handing each item it puts to
    /// `consumer` on this one, in order. An error of the producer comes out
    /// after the consumer has had every item put before it; when the
    /// consumer throws, the producer's next `put` throws to stop it, and the
    /// error comes out as it is. Returns once the producer has finished, so
    /// whatever it reads may go away then.
    package func run(producer: @escaping @Sendable (_ put: (Item) throws -> Void) throws -> Void,
                    consumer: (Item) throws -> Void) throws {
        let done = DispatchGroup()
        DispatchQueue.global().async(group: done) { [self] in
            var batch: [Item] = []
            batch.reserveCapacity(batchSize)
            var firstSent = !sendsFirstItemAlone
            do {
                try producer { item in
                    batch.append(item)
                    if batch.count == batchSize || !firstSent {
                        firstSent = true
                        if isStopped { throw CancellationError() }
                        send(.items(batch))
                        batch.removeAll(keepingCapacity: true)
                        if freesItemsOnProducerThread { _ = takeGivenBack() }  // freed here, as it goes
                    }
                }
                send(.items(batch))
                send(.end(nil))
            } catch {
                send(.items(batch))
                send(.end(error))
            }
        }
        defer {
            // Let the producer stop at its next batch, and wait for it.
            isStopped = true
            while case .items = receive() {}
            done.wait()
        }
        while true {
            switch receive() {
            case .items(let items):
                for item in items { try consumer(item) }
                if freesItemsOnProducerThread { giveBack(items) }
            case .end(let error):
                send(.end(error))  // for the drain in `defer`
                if let error, !(error is CancellationError) { throw error }
                return
            }
        }
    }

    private var isStopped: Bool {
        get {
            lock.wait()
            defer { lock.signal() }
            return stopped
        }
        set {
            lock.wait()
            defer { lock.signal() }
            stopped = newValue
        }
    }

    private func giveBack(_ items: consuming [Item]) {
        lock.wait()
        givenBack.append(items)
        lock.signal()
    }

    private func takeGivenBack() -> [[Item]] {
        lock.wait()
        defer { lock.signal() }
        guard !givenBack.isEmpty else { return [] }
        let taken = givenBack
        givenBack = []
        return taken
    }

    private func send(_ batch: Batch) {
        if case .items = batch { room.wait() }
        lock.wait()
        batches.append(batch)
        lock.signal()
        filled.signal()
    }

    private func receive() -> Batch {
        filled.wait()
        lock.wait()
        let batch = batches.removeFirst()
        lock.signal()
        if case .items = batch { room.signal() }
        return batch
    }
}

/// A value handed to another thread whose sender guarantees it outlives the
/// use there and is not used by two threads at once (a reader's buffer, a
/// statement).
package struct UnsafeSendable<V>: @unchecked Sendable {
    package let value: V
    package init(_ value: V) { self.value = value }
}

/// Lets go of a large value on another thread: freeing it there overlaps with
/// what this thread does next (committing, answering). The caller gives up its
/// own reference; should the other thread let go first, this one frees it as
/// before. For the entries of 45,000 streams at the end of a wide `replay` or
/// `verify`, where freeing them took 7-11 % of the folding core's samples.
package func freeOnAnotherThread<V>(_ value: consuming V) {
    let handed = UnsafeSendable(value)
    DispatchQueue.global().async { withExtendedLifetime(handed) {} }
}
