import BigInt
import CustosChains
import CustosChainsRPC
import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState

extension ExecutorCommand {
    /// How the executor broadcasts a signed transaction and records its receipt.
    struct Broadcast {
        let call: GatewayCall
        let rpc: EVMRPCClient
        let executor: String
        let key: BotSigningKey
        let genesis: [UInt8]
        let confirmations: UInt64

        /// Sends the signed raw transaction of `t` (request or cancellation `id`) when `send` is
        /// set — a node that already has it ("already known", "nonce too low" once it is mined)
        /// is no failure — then reads its receipt (or that of a transaction it replaced by a fee
        /// bump, which the chain may have mined instead) and, once its block has `confirmations`
        /// (counting itself), posts the signed `request.receipt` entry, whatever the number and
        /// size of its logs. What it found (`Served`): only `notMined` may lead to a fee bump.
        func serve(_ id: String, _ t: TransactionView, send: Bool) async -> Served {
            guard let rawHex = t.rawTransaction, let raw = try? [UInt8](hex: rawHex), let hashHex = t.transactionHash,
                  let hash = try? [UInt8](hex: hashHex)
            else { return .unknown }
            do {
                if send {
                    do {
                        _ = try await rpc.sendRawTransaction(try EVM.SignedTransaction.decode(raw))
                        print("request \(id): broadcast \(hashHex)")
                    } catch let error as EVMRPCError where error.code == .rpcError {
                        // Already in the pool or mined: the receipt below says which.
                        let text = error.reason.lowercased()
                        if !["already known", "known transaction", "already imported", "nonce too low", "invalid transaction nonce"].contains(where: text.contains) {
                            print("request \(id): the endpoint refused \(hashHex): \(error.reason)")
                        }
                    }
                }
                // A transaction replaced by a fee bump may be the one the chain mined.
                var found: EVMReceipt? = nil
                for signed in [hash] + (t.replacedTransactions ?? []).compactMap({ try? [UInt8](hex: $0) }) where found == nil {
                    found = try await rpc.transactionReceipt(signed)
                }
                guard let found else { return .notMined }
                let latest = try await rpc.blockNumber()
                guard latest >= found.blockNumber, latest - found.blockNumber + 1 >= confirmations else { return .mined }
                guard found.blockHash?.count == 32 else {
                    print("request \(id): the receipt of \(hashHex) names no block hash")
                    return .mined
                }
                // A receipt carries the first 16 logs, each cut to 512 data bytes with its length and
                // digest, and the true count: one that emitted more is recorded all the same, and every
                // node finds "too many logs to verify" in it. Only a log no EVM can emit is refused.
                guard found.logs.allSatisfy({ $0.topics.count <= 4 && $0.topics.allSatisfy { $0.count == 32 } }) else {
                    print("request \(id): the endpoint's receipt of \(hashHex) has a log of more than 4 topics or a topic of other than 32 bytes; not recorded")
                    return .mined
                }
                let receipt = TransactionReceipt(requestId: id, read: found)
                let entry = try TransactionReceiptEntry(receipt, executor: executor, key: key, genesisDigest: genesis).entry()
                let answer: EntryReceipt = try await call.post(
                    "/v1/entries", EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization))
                answer.check(signed: entry, what: "receipt")
                print("request \(id): mined in block \(found.blockNumber), status \(found.succeeded ? "success" : "reverted")"
                      + (answer.preview.map { "; \($0)" } ?? ""))
                // Refused against the committed state (the nodes will refuse it too): posted again
                // only after a growing wait, not every pass (review helper-97 M2).
                if answer.preview?.hasPrefix("refused") == true { return .refused }
                return .recorded
            } catch {
                print("request \(id): no receipt recorded: \(error)")
                return .unknown
            }
        }

        /// A signed transaction to look at in this pass, and whether to send it.
        struct Signed: Sendable {
            let id: String
            let transaction: TransactionView
            let send: Bool
        }

        /// `serve` for each of `transactions`: one sender's one after the other in nonce order
        /// (a chain takes a sender's nonces in turn), up to eight senders concurrently. What
        /// each found, in the order given.
        func serve(_ transactions: [Signed]) async -> [Served] {
            let bySender = Array(Dictionary(grouping: transactions.indices, by: { transactions[$0].transaction.from }).values)
            let found = await boundedConcurrentMap(bySender) { indices -> [(Int, Served)] in
                var found: [(Int, Served)] = []
                for i in indices.sorted(by: { (transactions[$0].transaction.parameters?.nonce ?? 0) < (transactions[$1].transaction.parameters?.nonce ?? 0) }) {
                    found.append((i, await serve(transactions[i].id, transactions[i].transaction, send: transactions[i].send)))
                }
                return found
            }
            var served = [Served](repeating: .unknown, count: transactions.count)
            for (i, s) in found.joined() { served[i] = s }
            return served
        }

        /// What `serve` found of a signed transaction.
        enum Served: Sendable {
            /// Its receipt was posted.
            case recorded
            /// Its receipt was posted and the gateway's preview says every node will refuse it.
            case refused
            /// The chain holds a receipt of it (or of a hash it replaced), not recorded yet: short
            /// of the confirmations asked, or unreadable. Never a reason to bump its fees.
            case mined
            /// No signed hash of the plan has a receipt: it may be stuck.
            case notMined
            /// The endpoint could not be read, or the plan has no signed transaction.
            case unknown
        }
    }
}
