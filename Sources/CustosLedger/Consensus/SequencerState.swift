import CustosCore

/// What the gateway's sequencer keeps durably: the committed head and the proposal in flight at
/// the next height, if any, with its round and the round-change certificate that justifies it.
/// The proposal is persisted before it is sent, so a restarted gateway re-sends it rather than
/// proposing a second block in that round.
public struct SequencerState: Sendable, Hashable {
    public let genesisDigest: LedgerHash
    public internal(set) var head: ChainHead
    public internal(set) var pending: Block?
    /// The round of `pending`; 0 when nothing is in flight.
    public internal(set) var round: UInt32
    /// The certificate for round `round − 1` that justifies `pending`; nil in round 0.
    public internal(set) var justification: RoundChangeCertificate?

    public init(genesisDigest: LedgerHash, head: ChainHead, pending: Block?, round: UInt32 = 0,
                justification: RoundChangeCertificate? = nil) {
        self.genesisDigest = genesisDigest
        self.head = head
        self.pending = pending
        self.round = round
        self.justification = justification
    }

    /// The proposal in flight, nil if none.
    public var proposal: Proposal? { pending.map { Proposal(block: $0, round: round, justification: justification) } }

    public static func genesis(_ configuration: ClusterConfiguration) -> SequencerState {
        SequencerState(genesisDigest: configuration.genesisDigest, head: .genesis(configuration), pending: nil)
    }

    /// A proposal in round 0 (or none) in the layout from before rounds; a later round under its
    /// own kind tag, with the round and the justification after the block.
    public var serialized: [UInt8] {
        let later = pending != nil && round > 0
        var w = CanonicalWriter(kind: later ? LedgerWire.Kind.roundSequencerState : LedgerWire.Kind.sequencerState)
        w.append(genesisDigest)
        w.append(head)
        if let pending {
            w.append(UInt8(1))
            w.append(lengthPrefixed: pending.serialized)
        } else {
            w.append(UInt8(0))
        }
        if later {
            w.append(round)
            w.append(lengthPrefixed: justification?.serialized ?? [])
        }
        return w.bytes
    }

    public init(serialized bytes: [UInt8]) throws(LedgerError) {
        let later = LedgerWire.kind(of: bytes) == LedgerWire.Kind.roundSequencerState
        var r = try LedgerReader(bytes, kind: later ? LedgerWire.Kind.roundSequencerState : LedgerWire.Kind.sequencerState,
                                 what: "sequencer state")
        genesisDigest = try r.hash("genesis digest")
        head = try r.chainHead("head")
        switch try r.uint8("pending flag") {
        case 0: pending = nil
        case 1: pending = try Block(serialized: try r.lengthPrefixed("pending block", max: Block.maximumEncodedBytes))
        case let other: throw r.fail("pending flag \(other) is neither 0 nor 1")
        }
        if later {
            guard pending != nil else { throw r.fail("a later round with nothing in flight") }
            round = try r.uint32("round")
            guard round > 0 else { throw r.fail("a later round numbered 0") }
            justification = try RoundChangeCertificate(serialized: Array(try r.lengthPrefixed("justification", max: Block.maximumEncodedBytes)))
        } else {
            round = 0
            justification = nil
        }
        try r.finish()
    }
}
