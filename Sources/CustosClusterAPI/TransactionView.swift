import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosState

/// A transfer's or contract call's EVM transaction as the API and `custos request show` show
/// it: what every node resolved from the request (sender, `to`, value in wei, calldata), the
/// parameters the executor proposed and every node accepted, the signing hash every node built,
/// and once the vault signed, the raw transaction (EIP-2718 type 2 RLP with y-parity, r, s) and
/// its hash, ready to broadcast.
public struct TransactionView: Codable, Sendable, Equatable {
    public struct Parameters: Codable, Sendable, Equatable {
        public var chainId: UInt64
        public var nonce: UInt64
        public var gasLimit: UInt64
        /// Wei per gas, decimal.
        public var maxFeePerGas: String
        public var maxPriorityFeePerGas: String
    }

    /// The latest simulation an executor recorded (`eth_call` of the transaction at one block).
    public struct Simulation: Codable, Sendable, Equatable {
        public var blockNumber: UInt64
        public var blockHash: String
        /// `success` or `reverted`.
        public var outcome: String
        public var gasUsed: UInt64
        /// For a revert: the reason every node decoded from the revert data, text-safe.
        public var revertReason: String?
        /// For a revert: the revert data (at most 320 bytes), `0x` hex.
        public var revertData: String?
        /// Block time (milliseconds) at which it was recorded.
        public var recordedAt: UInt64
    }

    /// The receipt an executor recorded once the transaction was mined.
    public struct Receipt: Codable, Sendable, Equatable {
        public struct Log: Codable, Sendable, Equatable {
            public var address: String
            public var topics: [String]
            /// The data carried: whole, or its first 512 bytes when `dataLength` is more.
            public var data: String
            /// The whole data's length in bytes.
            public var dataLength: Int
            /// Where the data is cut: Keccak-256 of the whole data.
            public var dataDigest: String?
        }
        /// One way the receipt differs from the intent: a stable code (`reverted`,
        /// `transfer-mismatch`, `unexpected-transfer`, `unexpected-approval`,
        /// `unexpected-authority-change`, `foreign-authority-event`, `foreign-event`, `unreadable-log`, `too-many-logs`, `unverifiable-call`), the log it concerns
        /// and the same in words.
        public struct Mismatch: Codable, Sendable, Equatable {
            public var code: String
            public var log: Int?
            public var text: String
        }
        public var transactionHash: String
        public var blockNumber: UInt64
        public var blockHash: String
        /// `success` or `reverted`.
        public var status: String
        public var gasUsed: UInt64
        /// Wei per gas, decimal.
        public var effectiveGasPrice: String
        /// How many logs the transaction emitted; `logs` holds the first 16.
        public var logCount: Int
        public var logs: [Log]
        /// SHA-256 (tagged `custos/receipt/logs`) of the logs' canonical encoding, as the entry names it.
        public var logsDigest: String
        /// Block time (milliseconds) at which it was recorded.
        public var recordedAt: UInt64
        /// What every node found that differs from the intent (an ERC-20 amount or recipient, a
        /// revert, an approval or ownership event nobody decided); empty when it matched.
        public var mismatches: [Mismatch]
        /// `confirmed` (f+1 nodes read exactly this receipt from their own chain endpoints),
        /// `disputed` (f+1 read another or none) or `unconfirmed` (no f+1 agree yet, or no node
        /// has an endpoint for the chain: the executor's word alone).
        public var verification: String
        /// Each node's own reading of the receipt, in the order committed.
        public var checks: [Check]
    }

    /// A node's reading of a receipt from its own chain endpoint.
    /// A deployment's expected outcome and the address every node computed for it.
    public struct Deployment: Codable, Sendable, Equatable {
        public struct ViewCall: Codable, Sendable, Equatable {
            public var function: String
            public var arguments: String
            public var returns: String
        }
        /// Keccak-256 of the init code alone (without the constructor's arguments), to compare with a reviewed build.
        public var initCodeHash: String
        public var arguments: String
        public var runtimeCodeHash: String
        public var expectedState: [ViewCall]
        public struct Check: Codable, Sendable, Equatable {
            public var node: String
            public var matches: Bool
            public var differences: [String]
            public var height: UInt64
        }
        /// The created contract's address, once the parameters fixed the nonce.
        public var contractAddress: String?
        /// `verified` or `mismatch` once f+1 nodes' own readings agree, else `unverified`.
        public var verification: String
        public var checks: [Check]
    }

    public struct Check: Codable, Sendable, Equatable {
        public var node: String
        /// Whether what it read is the recorded receipt: status, gas used and every log
        /// (`TransactionReceipt.digest`; the block and the gas price may differ).
        public var agrees: Bool
        /// Whether its endpoint held a receipt of the transaction at all.
        public var found: Bool
        public var height: UInt64
    }

    /// `awaiting-parameters`, `signing`, `signed`, `failed` (before any signer took part: its
    /// nonce is free again), `outcome-unknown` (a signature may exist: its nonce stays reserved
    /// to it), `expired` (no parameters in time), `reverted-in-simulation` (its simulation reverted: never signed), `mined`, `mined-reverted`, `not-mined` (the other transaction at its nonce was mined) or `superseded-unconfirmed` (governance gave its nonce to a zero-value transaction; the
    /// chain may still have mined this one).
    public var status: String
    public var vault: String
    public var chain: String
    public var chainId: UInt64
    /// EIP-55 addresses.
    public var from: String
    /// BIP-32 path of the sender's key below the vault key, e.g. `m/0/1`.
    public var path: String
    public var to: String
    /// Wei, decimal.
    public var value: String
    /// `0x` hex.
    public var data: String
    /// The sender's next nonce on the chain in the state this view was built from: never handed out.
    public var nextNonce: UInt64
    /// The sender's nonces below `nextNonce` handed out and given back, lowest first: a new
    /// transaction takes the lowest of them, else `nextNonce`.
    public var freeNonces: [UInt64]
    /// Block time (milliseconds) by which parameters must be accepted.
    public var parametersDeadline: UInt64?
    /// For a governed nonce cancellation: the nonce it takes.
    public var reservedNonce: UInt64?
    public var simulation: Simulation?
    public var parameters: Parameters?
    public var signingHash: String?
    public var rawTransaction: String?
    public var transactionHash: String?
    /// Block time (milliseconds) at which `rawTransaction` was recorded.
    public var signedAt: UInt64?
    /// The hashes of the transactions signed earlier at the same nonce and replaced by fee bumps,
    /// oldest first (absent when none): the chain may mine one of them instead, which completes
    /// the plan as well.
    public var replacedTransactions: [String]?
    public var receipt: Receipt?
    public var deployment: Deployment?
    public var failure: String?

    /// `t` with its sender's nonces in `state`.
    public init(_ t: PlannedTransaction, in state: ReplicatedState) {
        let key = TransactionBook.nonceKey(chainId: t.chainId, address: t.from.checksummed)
        self.init(t, nextNonce: state.transactions.nextNonces[key] ?? 0, freeNonces: state.transactions.freeNonces[key] ?? [])
    }

    public init(_ t: PlannedTransaction, nextNonce: UInt64, freeNonces: [UInt64] = []) {
        status = t.status.rawValue
        vault = t.vault
        chain = t.chain
        chainId = t.chainId
        from = t.from.checksummed
        path = VaultAddress.pathDescription(t.path)
        to = t.to?.checksummed ?? ""
        value = String(t.value)
        data = "0x" + t.data.hexString
        self.nextNonce = nextNonce
        self.freeNonces = freeNonces
        parametersDeadline = t.parametersDeadline
        reservedNonce = t.reservedNonce
        simulation = t.simulation.map {
            Simulation(blockNumber: $0.blockNumber, blockHash: "0x" + $0.blockHash.hexString, outcome: $0.outcome.rawValue, gasUsed: $0.gasUsed,
                       revertReason: $0.revertReason, revertData: $0.outcome == .reverted ? "0x" + $0.revertData.hexString : nil,
                       recordedAt: t.simulatedAt ?? 0)
        }
        parameters = t.parameters.map {
            Parameters(chainId: $0.chainId, nonce: $0.nonce, gasLimit: $0.gasLimit, maxFeePerGas: String($0.maxFeePerGas),
                       maxPriorityFeePerGas: String($0.maxPriorityFeePerGas))
        }
        signingHash = t.signingHash.map { "0x" + $0.hexString }
        rawTransaction = t.rawTransaction.map { "0x" + $0.hexString }
        transactionHash = t.transactionHash.map { "0x" + $0.hexString }
        signedAt = t.signedAt
        replacedTransactions = t.replacedTransactions.isEmpty ? nil : t.replacedTransactions.map { "0x" + $0.hexString }
        receipt = t.receipt.map { r in
            Receipt(transactionHash: "0x" + r.transactionHash.hexString, blockNumber: r.blockNumber, blockHash: "0x" + r.blockHash.hexString,
                    status: r.succeeded ? "success" : "reverted", gasUsed: r.gasUsed, effectiveGasPrice: String(r.effectiveGasPrice),
                    logCount: r.logCount,
                    logs: r.logs.map {
                        Receipt.Log(address: $0.address.checksummed, topics: $0.topics.map { "0x" + $0.hexString }, data: "0x" + $0.data.hexString,
                                    dataLength: $0.dataLength, dataDigest: $0.isWhole ? nil : "0x" + $0.dataDigest.hexString)
                    },
                    logsDigest: r.logsDigest.hexString, recordedAt: t.receiptAt ?? 0,
                    mismatches: t.mismatches.map { Receipt.Mismatch(code: $0.code.rawValue, log: $0.log, text: $0.text) },
                    verification: t.receiptVerdict?.rawValue ?? "unconfirmed",
                    checks: t.receiptChecks.map { Check(node: $0.member, agrees: $0.agrees, found: $0.digest != nil, height: $0.height) })
        }
        deployment = t.deployment.map { d in
            Deployment(initCodeHash: "0x" + Keccak256.hash(d.initCode).hexString, arguments: "0x" + d.arguments.hexString,
                       runtimeCodeHash: "0x" + d.runtimeCodeHash.hexString,
                       expectedState: d.expectedState.map {
                           Deployment.ViewCall(function: $0.function, arguments: "0x" + $0.arguments.hexString, returns: "0x" + $0.result.hexString)
                       },
                       contractAddress: t.contractAddress?.checksummed, verification: t.deploymentVerdict?.rawValue ?? "unverified",
                       checks: t.deploymentChecks.map { Deployment.Check(node: $0.member, matches: $0.matches, differences: $0.differences.map(\.text), height: $0.height) })
        }
        failure = t.failure
    }
}
