import Synchronization

/// The gateways a node may talk to, in the operator's order, and the one it talks to now. Every
/// gateway in the list serves the same cluster from one shared store (PostgreSQL, one sequencer
/// at a time), so any of them will do; a node stays with one until it stops answering, then
/// moves on to the next, round the list. Safe from any task.
public final class GatewayEndpoints: Sendable {
    public let urls: [String]
    private let current = Mutex<Int>(0)
    private let moves = Atomic<Int>(0)

    /// Base URLs without a trailing slash are kept as given; a trailing slash is dropped. At
    /// least one is needed.
    public init(_ urls: [String]) {
        precondition(!urls.isEmpty, "a node needs at least one gateway")
        self.urls = urls.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// The base URL to talk to now.
    public var url: String { urls[current.withLock { $0 }] }

    /// How often this node moved on to another gateway.
    public var failovers: Int { moves.load(ordering: .relaxed) }

    /// Says that `url` did not answer (or answered with a server error): if it is still the
    /// current gateway, the next one in the list becomes current. Answers the one current now.
    @discardableResult
    public func failed(_ url: String) -> String {
        guard urls.count > 1 else { return url }
        let index = current.withLock { index in
            if urls[index] == url {
                index = (index + 1) % urls.count
                moves.add(1, ordering: .relaxed)
            }
            return index
        }
        return urls[index]
    }
}
