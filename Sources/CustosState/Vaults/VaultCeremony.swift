import CustosCore
import CustosCrypto
import CustosLedger

/// One key ceremony of a vault as the log records it: who takes part (the voting members when
/// it started, in id order; participant i has MPC identifier i + 1), the threshold, when it
/// started (block time and height) and its deadline in block time, each participant's committed
/// round-1 package, their confirmations and the complaints raised. The log is the broadcast
/// channel: every participant sees the same round-1 packages, so no one can show different
/// commitments to different peers. Only the secret round-2 shares travel through the relay.
public struct VaultCeremony: Sendable, Hashable, Codable {
    /// A participant's round-1 message as committed: the DKG round-1 package (Feldman
    /// commitments and proof of knowledge bound to the ceremony's context) and its commitment
    /// to its part of the chain code.
    public struct Commitment: Sendable, Hashable, Codable {
        public let package: [UInt8]
        public let chainCodeCommitment: [UInt8]
        public let at: UInt64
    }

    /// A participant's statement that it holds its share of exactly this key.
    public struct Confirmation: Sendable, Hashable, Codable {
        public let groupKey: [UInt8]
        public let transcriptDigest: [UInt8]
        public let softwareVersion: String
        public let chainCodeReveal: [UInt8]
        public let at: UInt64
    }

    public let operationId: String
    public let epoch: UInt32
    public let participants: [NodeID]
    /// Shares needed to sign (t + 1 for a degree-t sharing).
    public let minSigners: Int
    public let startedAt: UInt64
    public let startedHeight: UInt64
    public let deadline: UInt64
    public internal(set) var commitments: [NodeID: Commitment] = [:]
    public internal(set) var confirmations: [NodeID: Confirmation] = [:]
    /// What the log's round-1 packages make, once all are in: the key every confirmation
    /// must name.
    public internal(set) var expected: VaultKeyGeneration.Outcome?

    /// How long a ceremony may take, in block time.
    public static let timeLimit: UInt64 = 10 * 60 * 1000

    /// The MPC identifier (1-based) of a participant.
    public func index(of node: NodeID) -> Int? { participants.firstIndex(of: node).map { $0 + 1 } }

    /// The context every proof of knowledge of this ceremony binds: the cluster's genesis
    /// digest, the vault and the epoch. A proof made for another cluster, vault or epoch does
    /// not verify here.
    public static func context(genesisDigest: [UInt8], vault: String, epoch: UInt32) -> [UInt8] {
        var w = CanonicalWriter(tag: "custos.vault.dkg-context.v1")
        w.append(lengthPrefixed: genesisDigest)
        w.append(string: vault)
        w.append(epoch)
        return Hashes.sha256(w.bytes)
    }

    /// The relay session of this ceremony's round 2 (`SessionName`): the DKG of this vault and
    /// epoch among these participants, started at this height, in the cluster with
    /// `genesisDigest` (the governed state's).
    public func sessionID(genesisDigest: [UInt8], vault: String) -> [UInt8] {
        SessionName(mpcProtocol: .dkg, vaultID: vault, keyEpoch: UInt64(epoch), signers: participants.map(\.rawValue),
                    startHeight: startedHeight).sessionID(genesisDigest: genesisDigest)
    }
}
