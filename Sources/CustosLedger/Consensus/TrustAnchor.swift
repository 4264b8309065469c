import CustosCore

/// A block hash an operator trusts at one height, learned out of band (from a node they run, an
/// audit, a colleague's `custos node status`). It defends a node that joins or was wiped, and an
/// auditor, against a long-range fork: a history certified by keys that were retired (and may
/// have leaked since) is self-consistent, so only an anchor from the present can refuse it.
/// Because every block commits to its predecessor's hash, a block at the anchor's height with the
/// anchor's hash vouches for every block below it.
public struct TrustAnchor: Sendable, Hashable, CustomStringConvertible {
    public let height: UInt64
    public let hash: LedgerHash

    /// Height 0 would name the genesis, which the genesis digest already pins.
    public init(height: UInt64, hash: LedgerHash) throws(LedgerError) {
        guard height > 0 else { throw LedgerError(.invalidConfiguration, "a trust anchor names a block: height 1 or more") }
        self.height = height
        self.hash = hash
    }

    public var description: String { "block \(height) \(hash.hex)" }

    /// Why `hash`, found at this anchor's height, is refused; nil when it is the trusted hash.
    /// The reason names the height.
    public func refusal(of hash: LedgerHash) -> String? {
        hash == self.hash ? nil : "the block at height \(height) has hash \(hash.hex), not the trusted \(self.hash.hex): this history is not the one the trust anchor vouches for"
    }
}
