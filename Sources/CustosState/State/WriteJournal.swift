import CustosCore
import CustosCrypto

/// A hash chain over the writes made to one room of the state, in the order they were made: each
/// write moves `head` to SHA-256(head ‖ the write's canonical encoding). Rooms that grow with
/// traffic (requests, signing sessions, refusals) enter the state digest by their journal's head,
/// so a block costs the digest what it wrote, not what the room holds. Two states that applied
/// the same entries have the same heads; two whose rooms differ have different ones.
struct WriteJournal: Sendable, Hashable, Codable {
    /// The chain's current head; before any write, the hash of the room's name.
    private(set) var head: [UInt8]

    init(room: String) { head = Hashes.sha256(Array("custos.state.journal.\(room)".utf8)) }

    /// Folds one write, encoded by `encode`, into the chain.
    mutating func record(_ encode: (inout CanonicalWriter) -> Void) {
        var w = CanonicalWriter()
        w.reserve(256)
        w.append(raw: head)
        encode(&w)
        head = Hashes.sha256(w.bytes)
    }
}
