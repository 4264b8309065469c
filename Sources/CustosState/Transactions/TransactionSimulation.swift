import CustosChains
import CustosCore

/// What an executor saw when it ran a planned transaction with `eth_call` (from, to, value and
/// data of the plan, at one block) before proposing its parameters: the block it ran at, whether
/// it succeeded, the gas it would use and, for a revert, the revert data (its first
/// `maximumRevertData` bytes). Every node decodes the reason from the data itself
/// (`EVM.RevertReason`); the executor's own words never reach the state.
public struct TransactionSimulation: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        case success
        case reverted
    }

    public let requestId: String
    public let chainId: UInt64
    public let blockNumber: UInt64
    /// The block's hash, 32 bytes.
    public let blockHash: [UInt8]
    public let outcome: Outcome
    /// Gas used (the endpoint's estimate); 0 for a revert where the endpoint gave none.
    public let gasUsed: UInt64
    /// The revert data (empty for a success).
    public let revertData: [UInt8]
    /// `PlannedTransaction.intentDigest` of the transaction the executor ran, 32 bytes.
    public let intentDigest: [UInt8]
    /// When the executor ran it, milliseconds since 1970 by its clock.
    public let simulatedAt: UInt64

    /// Revert data kept: enough for an `Error(string)` of 200 characters.
    public static let maximumRevertData = 320
    /// How long, in block time, a successful simulation lets parameters be accepted: 2 minutes.
    public static let freshness: UInt64 = 2 * 60 * 1000
    /// How far a simulation's own time may be from the block time that records it: 30 seconds.
    public static let clockSkew: UInt64 = 30 * 1000

    public init(requestId: String, chainId: UInt64, blockNumber: UInt64, blockHash: [UInt8], outcome: Outcome, gasUsed: UInt64,
                revertData: [UInt8] = [], intentDigest: [UInt8], simulatedAt: UInt64) {
        self.requestId = requestId
        self.chainId = chainId
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.outcome = outcome
        self.gasUsed = gasUsed
        self.revertData = revertData
        self.intentDigest = intentDigest
        self.simulatedAt = simulatedAt
    }

    /// The revert reason in words, for a revert.
    public var revertReason: String? { outcome == .reverted ? EVM.RevertReason.describe(revertData) : nil }
}
