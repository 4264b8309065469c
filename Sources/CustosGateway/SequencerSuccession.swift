import CustosLedger

/// The compare-and-swap rule every `GatewayStore` applies inside its write transaction, so that
/// gateways sharing one store agree on one proposal per height and never lose a committed block.
/// Pure: no I/O.
enum SequencerSuccession {
    /// A proposal may be stored only over the state it was made from: the same genesis and head,
    /// and nothing in flight — or, for a proposal in a later round, the round before it in flight
    /// and a justification for that round. No stored state stands for genesis (height 0, nothing
    /// in flight). A state with nothing in flight over that same state only drops queued entries.
    static func allowsProposal(_ new: SequencerState, over stored: SequencerState?) -> Bool {
        if let pending = new.pending, pending.height != new.head.height + 1 { return false }
        guard let stored else { return new.head.height == 0 && new.head.hash == new.genesisDigest && new.round == 0 }
        guard stored.genesisDigest == new.genesisDigest, stored.head == new.head else { return false }
        guard stored.pending != nil else { return new.round == 0 }
        guard let justification = new.justification, new.pending != nil else { return false }
        return new.round == stored.round + 1 && justification.round == stored.round && justification.height == new.head.height + 1
    }

    /// A certified block may be stored only if it is the stored proposal in flight, and `new`
    /// is the state it leads to: that block as head, nothing in flight.
    static func allowsCommit(_ certified: CertifiedBlock, state new: SequencerState, over stored: SequencerState?) -> Bool {
        let block = certified.block
        guard let stored, let pending = stored.pending, stored.genesisDigest == new.genesisDigest else { return false }
        return pending == block && certified.certificate.blockHash == block.hash && certified.certificate.height == block.height
            && new.pending == nil && new.head == ChainHead(height: block.height, hash: block.hash, timestamp: block.timestamp)
    }
}
