import CustosLedger

extension ReplicatedState {
    /// Why no node accepts a block carrying `entry`, whatever state it would meet; nil if it may
    /// go into a block. Reads the entry alone (`signer(of:)`): a kind not in `entryKinds`, an
    /// entry over its kind's bound, one that does not decode as its kind says (a governance entry
    /// or signed request that does not parse, a person's request that also carries a signature,
    /// an operation id or lifetime out of range), or one with no signature where its kind needs
    /// one. The transition refuses exactly these first, with the same error, before any room
    /// reads the state; a node refuses the whole block (`GovernanceErrorCode.refusesBlock`).
    ///
    /// A signature that is present but does not verify is not named here: the transition refuses
    /// it and every node records the refusal, and the block commits. That check depends on the
    /// state (registered keys and credentials, signature counters, members), which can change
    /// inside a block — a key rotated by an earlier entry of the same block, a counter moved by an
    /// earlier assertion. Were such entries to make a block unvotable, nodes whose view differs
    /// only in timing, or one rotation, could refuse every block the gateway can build, and the
    /// log would stall; only what the entry alone shows is allowed to do that.
    ///
    /// No signature is verified and no policy evaluated, so a gateway may ask this for every
    /// entry it queues or proposes.
    public static func malformation(of entry: Entry) -> GovernanceError? {
        do throws(GovernanceError) {
            _ = try signer(of: entry)
            return nil
        } catch {
            return error
        }
    }
}
