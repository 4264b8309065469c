import CustosCore
import CustosLedger

extension ReplicatedState {
    /// Every kind of entry the log may carry, by name: the one table nodes and the gateway read.
    /// Adding a kind is one row here — its name, its bound, the validator that reads the entry
    /// alone and names its signer (`EntryKind.signer`), and its room's transition — and nothing
    /// else: admission, block validation and routing all follow the table.
    ///
    /// Bounds (payload and authorization together): a governance proposal may carry a policy
    /// document of up to 200 KiB and an assertion; a vote is an id, a name and an assertion; a
    /// request is a small JSON envelope and, for a person, an assertion; a request's approval or
    /// rejection is an id, a name and an assertion; a batch approval is at most 20 ids, a name
    /// and an assertion; an enrolment is an id, a name, a code and a
    /// registration (an attestation object of up to 32 KiB); a price bot's price is a small
    /// signed envelope (4 KiB); a watcher's report is a signed envelope of at most 24 transfers (8 KiB); a transaction's parameters are an id, five numbers, a bot's name
    /// and its signature (1 KiB); a simulation is an id, a block, an outcome, at most 320 bytes of revert data, a bot's name and its signature (1 KiB); a receipt is an id, hashes, numbers, its log count and at most 16 logs (data cut to 512 bytes) and a signature (14 KiB); a node's check of a receipt is an id, a hash, a digest, its name and its signature (512 bytes); a node's reading of a deployment is an id, a block number, at most 9 hashes, its name and its signature (1 KiB); a restored node's announcement is a nonce, its name and its signature (384 bytes); a member's attestation of an offline signing attempt is its statement (at most 48 KiB, the message within it at most 16 KiB) and its signature; an offline signer's answer is its signed response (1 KiB); a node's vault entry (a
    /// round-1 package, a nonce batch, a signature, evidence) fits 16 KiB and its signature.
    /// docs/openapi.yaml states them.
    public static let entryKinds: [String: EntryKind] = Dictionary(uniqueKeysWithValues: ([
        EntryKind(name: GovernanceEntry.proposeKind, maximumBytes: 256 * 1024, signer: GovernanceEntry.signer(of:),
                  transition: { state, entry in state.applyGovernance(entry) }),
        EntryKind(name: GovernanceEntry.approveKind, maximumBytes: 32 * 1024, signer: GovernanceEntry.signer(of:),
                  transition: { state, entry in state.applyGovernance(entry) }),
        EntryKind(name: GovernanceEntry.rejectKind, maximumBytes: 32 * 1024, signer: GovernanceEntry.signer(of:),
                  transition: { state, entry in state.applyGovernance(entry) }),
        EntryKind(name: GovernanceEntry.enrolKind, maximumBytes: 48 * 1024, signer: GovernanceEntry.signer(of:),
                  transition: { state, entry in state.applyGovernance(entry) }),
        EntryKind(name: RequestEntry.submitKind, maximumBytes: 64 * 1024, signer: RequestEntry.signer(of:),
                  transition: { state, entry in state.submit(entry) }),
        EntryKind(name: RequestDecisionEntry.approveKind, maximumBytes: 32 * 1024, signer: RequestDecisionEntry.signer(of:),
                  transition: { state, entry in state.applyRequestDecision(entry) }),
        EntryKind(name: RequestDecisionEntry.rejectKind, maximumBytes: 32 * 1024, signer: RequestDecisionEntry.signer(of:),
                  transition: { state, entry in state.applyRequestDecision(entry) }),
        EntryKind(name: RequestBatchApproval.kind, maximumBytes: 34 * 1024, signer: RequestBatchApproval.signer(of:),
                  transition: { state, entry in state.applyBatchApproval(entry) }),
        EntryKind(name: PriceEntry.postKind, maximumBytes: PriceEntry.maximumBytes, signer: PriceEntry.signer(of:),
                  transition: { state, entry in state.applyPrice(entry) }),
        EntryKind(name: WatchEntry.reportKind, maximumBytes: WatchEntry.maximumBytes, signer: WatchEntry.signer(of:),
                  transition: { state, entry in state.applyWatch(entry) }),
        EntryKind(name: TransactionParametersEntry.kind, maximumBytes: 1024, signer: TransactionParametersEntry.signer(of:),
                  transition: { state, entry in state.applyParameters(entry) }),
        EntryKind(name: TransactionSimulationEntry.kind, maximumBytes: TransactionSimulationEntry.maximumBytes,
                  signer: TransactionSimulationEntry.signer(of:), transition: { state, entry in state.applySimulation(entry) }),
        EntryKind(name: TransactionReceiptEntry.kind, maximumBytes: TransactionReceiptEntry.maximumBytes,
                  signer: TransactionReceiptEntry.signer(of:), transition: { state, entry in state.applyReceipt(entry) }),
        EntryKind(name: ReceiptCheckEntry.kind, maximumBytes: ReceiptCheckEntry.maximumBytes,
                  signer: ReceiptCheckEntry.signer(of:), transition: { state, entry in state.applyReceiptCheck(entry) }),
        EntryKind(name: DeploymentCheckEntry.kind, maximumBytes: DeploymentCheckEntry.maximumBytes,
                  signer: DeploymentCheckEntry.signer(of:), transition: { state, entry in state.applyDeploymentCheck(entry) }),
        EntryKind(name: NodeRestoredEntry.kind, maximumBytes: NodeRestoredEntry.maximumBytes,
                  signer: NodeRestoredEntry.signer(of:), transition: { state, entry in state.applyNodeRestored(entry) }),
        EntryKind(name: OfflineAttestation.kind, maximumBytes: OfflineAttestation.maximumBytes + 256,
                  signer: OfflineAttestation.signer(of:), transition: { state, entry in state.applyOfflineAttestation(entry) }),
        EntryKind(name: OfflineShareEntry.kind, maximumBytes: OfflineShareEntry.maximumBytes,
                  signer: OfflineShareEntry.signer(of:), transition: { state, entry in state.applyOfflineShare(entry) }),
    ] + VaultEntry.kinds.map { name in
        EntryKind(name: name, maximumBytes: VaultEntry.maximumPayloadBytes + 256, signer: VaultEntry.memberSigner(of:),
                  transition: { state, entry in state.applyVault(entry) })
    }).map { ($0.name, $0) })

    /// Who signed `entry`, read from the entry alone, if every node may accept a block carrying
    /// it: its kind is in `entryKinds` (else `unknownKind`), it is within its kind's bound (else
    /// `oversize`), it decodes as its kind says (else `malformed`) and carries a signature where
    /// its kind requires one (else `unsigned`). No signature is verified here.
    public static func signer(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        try admit(entry).signer
    }

    /// `signer(of:)` with the row of `entryKinds` the entry belongs to.
    static func admit(_ entry: Entry) throws(GovernanceError) -> (kind: EntryKind, signer: EntrySigner) {
        guard let kind = entryKinds[entry.kind] else {
            throw GovernanceError(.unknownKind, "no node knows entry kind \"\(entry.kind.printable(limit: 64))\"")
        }
        let size = entry.payload.count + entry.authorization.count
        guard size <= kind.maximumBytes else {
            throw GovernanceError(
                .oversize, "a \(kind.name) entry carries at most \(kind.maximumBytes) bytes of payload and authorization, this one \(size)")
        }
        return (kind, try kind.signer(entry))
    }
}
