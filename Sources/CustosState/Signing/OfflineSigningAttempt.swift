import CustosLedger

/// What a signing attempt of a vault with an offline share (air-gapped signing, #15 item 3) adds
/// to the session: the members that attested the attempt's statement (`OfflineAttestation`), and
/// the offline signer's answer once the log took it. The online signers compute their shares only
/// after the answer, over the package that includes its commitments.
public struct OfflineSigningAttempt: Sendable, Hashable, Codable {
    /// The offline signer's answer, as every node checked it against the attempt's package.
    public struct Answer: Sendable, Hashable, Codable {
        /// Its nonce commitments (`FROST.SigningCommitments` wire encoding).
        public let commitments: [UInt8]
        /// Its signature share z_off (`FROST.SignatureShare` wire encoding).
        public let share: [UInt8]
        /// Block time and height of the block that committed it.
        public let at: UInt64
        public let height: UInt64
    }

    /// A member's attestation as the log took it.
    public struct Attestation: Sendable, Hashable, Codable {
        /// The height of the block that committed it (where `custos vault offline-bundle` finds it).
        public let height: UInt64
        /// SHA-256 of the statement it attests (`OfflineAttestation.encoded`).
        public let statement: [UInt8]
    }

    /// The members that attested this attempt, each with its latest attestation. A member attests
    /// again when the statement its state makes changed meanwhile (a policy adopted, an approval
    /// no longer counting): the offline signer needs a quorum attesting one statement.
    public internal(set) var attestations: [NodeID: Attestation] = [:]
    /// The answer, once committed; the first valid one counts, any later one is refused.
    public internal(set) var answer: Answer? = nil
    /// The deadline of the attempt before the answer came (`signing.offline_timeout` after it
    /// started); the session's `deadline` is the online signers' once the answer is in.
    public internal(set) var answerDeadline: UInt64

    init(answerDeadline: UInt64) {
        self.answerDeadline = answerDeadline
    }
}
