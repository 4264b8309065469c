import CustosClusterAPI
import CustosCore
import CustosLedger
import Logging

extension LogFollower {
    /// Before the node commits anything below its trust anchor, learns the hashes of every block
    /// from the head up to the anchor, from the top down: the gateway's block at the anchor's
    /// height must have the trusted hash, each block below must be the one its successor names,
    /// and the lowest must extend the committed head. Nothing is applied here; a history the
    /// anchor does not vouch for (a long-range fork certified by retired keys) is refused before
    /// any of it is committed, with an error naming the height. Costs one extra fetch per block
    /// below the anchor, once.
    func pinAnchoredHistory() async throws {
        let head = consensus.head
        guard let anchor = trustAnchor, head.height < anchor.height else { return }
        // Pinned once: the hashes run up to the anchor, so they cover every later catch-up below it.
        if let pinned, pinned.from <= head.height + 1 { return }
        guard let top = try await gateway.certifiedBlock(height: anchor.height) else {
            throw ClusterAPIError(.untrustedHistory, "the gateway has no block at the trusted height \(anchor.height) yet; nothing is committed below it until it has")
        }
        if let refusal = anchor.refusal(of: top.block.hash) { throw refused(refusal) }
        var hashes = [top.block.hash]
        var expected = top.block.previousHash
        var height = anchor.height
        while height > head.height + 1 {
            height -= 1
            guard let certified = try await gateway.certifiedBlock(height: height) else {
                throw ClusterAPIError(.untrustedHistory, "the gateway has no block at height \(height), below the trusted block \(anchor.height)")
            }
            guard certified.block.hash == expected else {
                throw refused("the block at height \(height) has hash \(certified.block.hash.hex), but the trusted block \(anchor.height) descends from \(expected.hex)")
            }
            hashes.append(expected)
            expected = certified.block.previousHash
        }
        guard expected == head.hash else {
            throw refused("the trusted block \(anchor.height) does not descend from this node's committed block \(head.height) (\(head.hash.hex))")
        }
        pinned = (from: head.height + 1, hashes: hashes.reversed())
    }

    /// Why `block` may not be committed under the trust anchor, nil if it may: at or below the
    /// anchor's height it must be the block pinned there.
    func anchoredRefusal(of block: Block) -> String? {
        guard let anchor = trustAnchor, block.height <= anchor.height else { return nil }
        guard let pinned, block.height >= pinned.from, block.height - pinned.from < UInt64(pinned.hashes.count) else {
            return "block \(block.height) is below the trust anchor (block \(anchor.height)) and not yet checked against it"
        }
        let expected = pinned.hashes[Int(block.height - pinned.from)]
        return block.hash == expected ? nil : "the block at height \(block.height) has hash \(block.hash.hex), not \(expected.hex) of the trusted history"
    }

    /// A refusal of the gateway's history, logged as critical.
    private func refused(_ reason: String) -> ClusterAPIError {
        logger.critical("refusing the gateway's history: it is not the one the trust anchor vouches for",
                        metadata: ["reason": "\(reason)"])
        return ClusterAPIError(.untrustedHistory, reason)
    }
}
