/// Runs async critical sections one at a time, in arrival order. An actor alone does not: it is
/// re-entered at every `await`, so two requests could interleave between a store read and the
/// write that depends on it.
package actor AsyncSerialQueue {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    package init() {}

    /// Waits for the turn; pair with `leave()`.
    package func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the turn to the next waiter, or frees it.
    package func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
