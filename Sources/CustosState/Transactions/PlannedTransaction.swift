import BigInt
import CustosChains
import CustosCrypto

/// The EVM transaction of one transfer, contract call or deployment request, as every node resolved it
/// from the committed body and the state at its block: sender (a vault address and its
/// derivation path), recipient or contract, value and calldata. The executor's parameters
/// (nonce, gas, fees) complete it; every node then builds the EIP-1559 transaction and its
/// signing hash itself, and records the signed raw transaction once the vault signed it.
///
/// A governed nonce cancellation plans a transaction of its own (`cancels`): a zero-value
/// transfer from the address to itself at the cancelled nonce (`reservedNonce`).
public struct PlannedTransaction: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// Recorded; waiting for the request to be allowed and for its parameters (until
        /// `parametersDeadline` once allowed).
        case awaitingParameters = "awaiting-parameters"
        /// Parameters accepted; the vault is signing the transaction's hash.
        case signing
        /// The signature is in the log; `rawTransaction` is ready to broadcast. Without a receipt
        /// after `replacementInterval`, the executor may replace it by a fee bump (same nonce):
        /// the plan signs again and keeps the replaced hash in `replacedTransactions`.
        case signed
        /// The signing failed before any signer set formed (`failure` says why): no signature
        /// exists, its nonce went back to the sender's free nonces and it stopped counting in the limits.
        case failed
        /// The signing failed after signers took part: a signature may exist outside the log and
        /// be broadcast. Its nonce stays reserved to it and it keeps counting in the limits; a late
        /// signature in the log still makes it `signed`. The executor may propose replacement
        /// parameters (same nonce, fees at least as high), or governance may cancel the nonce.
        case outcomeUnknown = "outcome-unknown"
        /// No parameters came within `parametersWaitLimit` of its approval, or its initiator was
        /// offboarded before they came (`failure` says which): it never signed and stopped
        /// counting in the limits.
        case expired
        /// A governed cancellation handed its nonce to a zero-value transaction (`failure` names
        /// the operation). Whichever of the two is mined, the other cannot be: until the chain is
        /// read, this one may have been paid.
        case superseded = "superseded-unconfirmed"
        /// The executor's simulation of the approved transaction reverted (`failure` gives the
        /// reason): it was never signed, took no nonce and stopped counting in the limits.
        case revertedInSimulation = "reverted-in-simulation"
        /// An executor recorded its receipt: mined with status 1 (`receipt`).
        case mined
        /// An executor recorded its receipt: mined, and execution reverted (its gas was paid).
        case minedReverted = "mined-reverted"
        /// The other transaction at its nonce (its governed cancellation, or the transaction a
        /// cancellation superseded) was mined, so this one never can be.
        case notMined = "not-mined"
    }

    public let requestId: String
    public let vault: String
    public let chain: String
    public let chainId: UInt64
    /// The sender: an EVM address of the vault (EIP-55) and its derivation path below the vault key.
    public let from: EVM.Address
    public let path: [UInt32]
    /// The `to` of the transaction: the recipient of native value, or the contract called
    /// (for an ERC-20 transfer, the token); nil for a deployment, which creates a contract.
    public let to: EVM.Address?
    public let value: BigUInt
    /// The calldata, or a deployment's init code and constructor arguments.
    public let data: [UInt8]
    /// A deployment's request: what it creates and must then hold (nil for any other plan).
    public internal(set) var deployment: ContractDeployment? = nil
    /// The address a deployment creates, as every node computed it from the sender and the
    /// nonce when it accepted the parameters, before the signing (`EVM.Address.created(by:nonce:)`).
    public internal(set) var contractAddress: EVM.Address? = nil
    public internal(set) var status: Status
    public internal(set) var parameters: TransactionParameters?
    /// Keccak-256 of the EIP-1559 signing payload, as this node built it.
    public internal(set) var signingHash: [UInt8]?
    /// The signed transaction, RLP with y-parity, r and s (EIP-2718 type 2).
    public internal(set) var rawTransaction: [UInt8]?
    /// Block time (milliseconds) at which `rawTransaction` was recorded: its receipt is due by the
    /// policy's deadline for its chain after it (`alerts.receipt_deadline`).
    public internal(set) var signedAt: UInt64? = nil
    /// The hashes of the transactions this plan signed earlier at the same nonce and replaced by
    /// a fee bump (oldest first): any of them may still be mined instead of `rawTransaction`, so
    /// a receipt of any completes the plan.
    public internal(set) var replacedTransactions: [[UInt8]] = []
    /// The parameters of each transaction in `replacedTransactions`, in the same order: a receipt
    /// of a replaced hash is checked against that transaction's own gas limit and maximum fee
    /// (review helper-96 L1).
    public internal(set) var replacedParameters: [TransactionParameters] = []
    /// How many replacement parameters every node accepted for this plan, fee bumps of a signed
    /// transaction and replacements of one whose outcome is unknown alike (review helper-96 M3):
    /// at most `maximumReplacements`.
    public internal(set) var replacements: Int = 0
    /// Block time (milliseconds) at which parameters were last accepted: a replacement comes
    /// `replacementInterval` after it at the earliest.
    public internal(set) var parametersAt: UInt64? = nil
    public internal(set) var failure: String?
    /// Block time (milliseconds) by which parameters must be accepted, set when the request is
    /// approved for signing: `parametersWaitLimit` after it.
    public internal(set) var parametersDeadline: UInt64? = nil
    /// Whether a signing session of this plan ever had a signer set: a signature at its nonce may
    /// exist, so the nonce is never given back without a governed cancellation.
    public internal(set) var signatureMayExist: Bool = false
    /// For a governed nonce cancellation: the plan whose nonce it takes, and the nonce it must use.
    public internal(set) var cancels: String? = nil
    public internal(set) var reservedNonce: UInt64? = nil
    /// The latest simulation an executor recorded, and the block time it was recorded at.
    public internal(set) var simulation: TransactionSimulation? = nil
    public internal(set) var simulatedAt: UInt64? = nil
    /// The receipt an executor recorded once the transaction was mined, and the block time it was recorded at.
    public internal(set) var receipt: TransactionReceipt? = nil
    public internal(set) var receiptAt: UInt64? = nil
    /// What the receipt shows that differs from the intent (`differences(from:)`), as every node
    /// found when it recorded the receipt: empty when it matched. Each is an alert.
    public internal(set) var mismatches: [ReceiptMismatch] = []
    /// The voting members' own readings of the recorded receipt (`ReceiptCheckEntry`), in the
    /// order they were committed, at most one per member.
    public internal(set) var receiptChecks: [ReceiptCheck] = []
    /// What the first f+1 checks that agree made of the receipt; nil until then.
    public internal(set) var receiptVerdict: ReceiptVerdict? = nil
    /// For a deployment: the voting members' readings of the contract (`DeploymentCheckEntry`),
    /// in the order they were committed, at most one per member.
    public internal(set) var deploymentChecks: [DeploymentCheck] = []
    /// What the first f+1 deployment checks that agree made of it; nil until then.
    public internal(set) var deploymentVerdict: DeploymentVerdict? = nil

    /// Gas a plain native transfer (no calldata) uses, and must be given exactly.
    public static let nativeTransferGas: UInt64 = 21_000
    /// The least gas any contract creation pays before its init code runs: 21,000 and 32,000
    /// for the creation (EIP-2).
    public static let creationGas: UInt64 = 53_000
    /// How long, in block time, an approved plan waits for its first parameters: 15 minutes,
    /// after which it expires, so an approval is not turned into a transaction long after the
    /// fact (at a nonce, fee and policy nobody looked at then). A plan whose nonce is already
    /// reserved (`outcomeUnknown`, a cancellation) does not expire.
    public static let parametersWaitLimit: UInt64 = 15 * 60 * 1000
    /// How long, in block time, a signed transaction without a receipt waits before every node
    /// accepts a fee bump of it: 10 seconds. Nodes cannot see the chain, so "stuck" is the
    /// executor's judgement; this bounds how fast it can spend presignatures and raise fees.
    public static let replacementInterval: UInt64 = 10 * 1000
    /// How many times one plan's parameters may be replaced, by a fee bump of its signed
    /// transaction or a replacement of one whose outcome is unknown: 8 (each adds at least
    /// 12.5 %, so the last bids at least 2.5 times the first, within the fee limit).
    public static let maximumReplacements = 8

    /// The unsigned EIP-1559 transaction these fields and `parameters` define.
    public func transaction(_ p: TransactionParameters) throws(EVMError) -> EVM.Transaction {
        try .eip1559(chainID: p.chainId, nonce: p.nonce, maxPriorityFeePerGas: p.maxPriorityFeePerGas, maxFeePerGas: p.maxFeePerGas,
                     gasLimit: p.gasLimit, to: to, value: value, data: data)
    }

    /// Keccak-256 of the signed transaction: its hash on the chain.
    public var transactionHash: [UInt8]? { rawTransaction.map { Keccak256.hash($0) } }

    /// Every transaction hash this plan signed at its nonce: those replaced by fee bumps, then
    /// the current one. The chain mines at most one of them.
    public var signedHashes: [[UInt8]] { replacedTransactions + (transactionHash.map { [$0] } ?? []) }
}
