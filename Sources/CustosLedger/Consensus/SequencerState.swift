import CustosCore

/// What the gateway's sequencer keeps durably: the committed head and the proposal in flight at
/// the next height, if any. The proposal is persisted before it is sent, so a restarted gateway
/// re-sends it rather than proposing a second block at that height.
public struct SequencerState: Sendable, Hashable {
    public let genesisDigest: LedgerHash
    public internal(set) var head: ChainHead
    public internal(set) var pending: Block?

    public init(genesisDigest: LedgerHash, head: ChainHead, pending: Block?) {
        self.genesisDigest = genesisDigest
        self.head = head
        self.pending = pending
    }

    public static func genesis(_ configuration: ClusterConfiguration) -> SequencerState {
        SequencerState(genesisDigest: configuration.genesisDigest, head: .genesis(configuration), pending: nil)
    }

    public var serialized: [UInt8] {
        var w = CanonicalWriter(kind: LedgerWire.Kind.sequencerState)
        w.append(genesisDigest)
        w.append(head)
        if let pending {
            w.append(UInt8(1))
            w.append(lengthPrefixed: pending.serialized)
        } else {
            w.append(UInt8(0))
        }
        return w.bytes
    }

    public init(serialized bytes: [UInt8]) throws(LedgerError) {
        var r = try LedgerReader(bytes, kind: LedgerWire.Kind.sequencerState, what: "sequencer state")
        genesisDigest = try r.hash("genesis digest")
        head = try r.chainHead("head")
        switch try r.uint8("pending flag") {
        case 0: pending = nil
        case 1: pending = try Block(serialized: try r.lengthPrefixed("pending block", max: Block.maximumEncodedBytes))
        case let other: throw r.fail("pending flag \(other) is neither 0 nor 1")
        }
        try r.finish()
    }
}
