import ArgumentParser
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosState
import Foundation

extension RequestCommand {
    /// Options shared by `request transfer` and `request call`: who signs, from which vault address.
    struct TransactionOptions: ParsableArguments {
        @OptionGroup var connection: OperationCommand.Connection
        @Option(help: "The bot's key file (credentials/<bot>.bot.json); or --as.") var bot: String?
        @Option(name: .customLong("as"), help: "The person's software credential file (credentials/<user>.json), who asks; or --bot.")
        var credentialFile: String?
        @Option(help: "The vault whose address sends.") var vault: String
        @Option(help: "The sending address: a label of the vault's EVM addresses (`m` for the vault key's own) or the address.") var from: String
        @Option(help: "The chain, by the name the policy and the asset registry use (e.g. ethereum, devnet).") var chain: String
        @Option(help: "Your own reference for the request.") var id: String = ""
        @Option(help: "A note for approvers and the audit trail.") var memo: String = ""
        /// A test cluster's shared clock offset (`UnsafeClockOffset`): the request is stamped
        /// with the block time its gateway and nodes use.
        @Option(help: .hidden) var unsafeTestClockOffsetFile: String?

        func validate() throws {
            guard (bot == nil) != (credentialFile == nil) else {
                throw ValidationError("say who asks: --bot KEYFILE (a bot's signed request) or --as CREDENTIAL (a person's, with their authenticator), not both")
            }
        }

        /// Signs the request of `members` — with the bot's key, or with the person's credential
        /// over `RequestEntry.personChallenge` — and submits it; prints the request id.
        func submit(_ members: [(String, JSONValue)]) async throws {
            let call = GatewayCall(connection.gateway)
            let wall = UInt64(Date().timeIntervalSince1970 * 1000)
            let now = Int64(unsafeTestClockOffsetFile.map { UnsafeClockOffset(path: $0).adjusting(wall) } ?? wall)
            let nonce = Base64URL.encode(SecureRandom.bytes(count: 18))
            func body(initiator: String) -> JSONValue {
                let common: [(String, JSONValue)] = [
                    ("id", .string(id)), ("initiator", .string(initiator)), ("vault", .string(vault)), ("from", .string(from)),
                    ("chain", .string(chain)), ("memo", .string(memo)),
                ]
                let value = JSONValue.object((members + common).map { (key: $0.0, value: $0.1) })
                do { _ = try TransactionRequest(json: value) } catch { fail(error.reason) }
                return value
            }
            let signed: SignedRequest, entry: Entry, receipt: EntryReceipt, who: String
            if let bot {
                let key = BotKeyFile.load(bot)
                let (_, genesis) = try await connection.cluster(call, pinned: key.file.cluster, in: bot)
                signed = SignedRequest(body: body(initiator: key.file.bot), cluster: genesis, keyId: key.file.bot, timestamp: now, nonce: nonce, key: key.key)
                entry = try RequestEntry.submit(signed)
                receipt = try await call.post(raw: "/v1/requests", Data(signed.jsonBytes))
                who = key.file.bot
            } else {
                let path = credentialFile!
                var file = CredentialStore.load(path)
                let (_, genesis) = try await connection.cluster(call, pinned: file.cluster, in: path)
                signed = RequestEntry.personEnvelope(body: body(initiator: file.user), cluster: genesis, user: file.user, timestamp: now, nonce: nonce)
                entry = try RequestEntry.submit(signed, assertion: try makeAssertion(&file, challenge: RequestEntry.personChallenge(signed), path: path))
                receipt = try await call.post("/v1/entries", EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization))
                who = file.user
            }
            receipt.check(signed: entry, what: "request")
            print("submitted as \(who)" + (receipt.preview.map { "; the committed state says: \($0)" } ?? ""))
            print("request \(Hashes.sha256(signed.signingInput).hexString)")
        }
    }

    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Request a transfer of a registered asset from a vault address (signed with a bot's key or a person's credential).",
            discussion: "Every node resolves the token contract, decimals and the policy's view itself; see `op propose register-asset`.")
        @OptionGroup var options: TransactionOptions
        @Option(help: "The asset's symbol, registered on the chain.") var asset: String
        @Option(help: "The recipient (0x address).") var to: String
        @Option(help: "The amount in the asset's units, e.g. 1.5.") var amount: String

        func run() async throws {
            try await options.submit([("kind", .string("transfer")), ("asset", .string(asset)), ("to", .string(to)), ("amount", .string(amount))])
        }
    }

    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Request a contract call from a vault address (signed with a bot's key or a person's credential).",
            discussion: "Every node decodes the calldata itself (function and named arguments) for the policy.")
        @OptionGroup var options: TransactionOptions
        @Option(help: "The contract called (0x address).") var to: String
        @Option(help: "Native value sent with the call, in the native asset's units.") var value: String = "0"
        @Option(help: "The calldata, 0x hex.") var data: String

        func run() async throws {
            try await options.submit([("kind", .string("contract_call")), ("to", .string(to)), ("value", .string(value)), ("data", .string(data))])
        }
    }
}

extension RequestCommand {
    struct Deploy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Request a contract deployment from a vault address (signed with a bot's key).",
            discussion: """
                Every node builds the creation transaction (init code then constructor arguments), fixes the \
                contract's address from the sender and the nonce before signing, and after mining reads the \
                deployed code and the expected view calls back from its own chain endpoint.
                """)
        @OptionGroup var options: TransactionOptions
        @Option(help: "The init code of the reviewed build: 0x hex, or @FILE holding it.") var initCode: String
        @Option(help: "The ABI-encoded constructor arguments, 0x hex.") var arguments: String = "0x"
        @Option(help: "Keccak-256 of the runtime code the build deploys, 0x and 64 hex digits.") var runtimeCodeHash: String
        @Option(help: "An expected view call and its exact answer: FUNCTION=RETURNS or FUNCTION@ARGUMENTS=RETURNS, e.g. 'owner()=0x000…'; repeat for more.")
        var expect: [String] = []
        @Option(help: "Native value sent to the constructor, in the native asset's units.") var value: String = "0"

        func run() async throws {
            var code = initCode
            if code.hasPrefix("@") {
                guard let text = try? String(contentsOfFile: String(code.dropFirst()), encoding: .utf8) else { fail("cannot read \(printable(code))") }
                code = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let calls = try expect.map { item throws -> JSONValue in
                guard let eq = item.lastIndex(of: "=") else { throw ValidationError("--expect \(printable(item)) is not FUNCTION=RETURNS") }
                let call = item[..<eq], returns = String(item[item.index(after: eq)...])
                let parts = call.split(separator: "@", maxSplits: 1)
                var members: [(key: String, value: JSONValue)] = [("function", .string(String(parts.first ?? ""))), ("returns", .string(returns))]
                if parts.count == 2 { members.append(("arguments", .string(String(parts[1])))) }
                return .object(members)
            }
            try await options.submit([("kind", .string("deploy")), ("init_code", .string(code)), ("arguments", .string(arguments)),
                                      ("runtime_code_hash", .string(runtimeCodeHash)), ("expected_state", .array(calls)), ("value", .string(value))])
        }
    }
}

extension RequestCommand {
    /// A transfer's or call's transaction as every node built it, and its raw form once signed.
    static func showTransaction(_ t: TransactionView) -> [String] {
        var lines = ["transaction \(t.status) on \(printable(t.chain)) (chain id \(t.chainId)), from \(t.from) (\(t.path) of \(printable(t.vault)))",
                     t.deployment == nil ? "to          \(t.to), value \(t.value) wei" + (t.data == "0x" ? "" : ", data \(t.data)")
                        : "creates     a contract, value \(t.value) wei, init code and arguments \((t.data.count - 2) / 2) bytes"]
        if let d = t.deployment {
            lines.append("deploys     runtime code hash \(d.runtimeCodeHash), init code hash \(d.initCodeHash), arguments \(d.arguments)")
            lines.append("address     " + (d.contractAddress ?? "fixed by the nonce of the parameters (the sender's next nonce is \(t.nextNonce))"))
            for call in d.expectedState {
                lines.append("expects     \(printable(call.function))" + (call.arguments == "0x" ? "" : " with \(call.arguments)") + " returns \(call.returns)")
            }
            let matched = d.checks.filter(\.matches).map(\.node), differed = d.checks.filter { !$0.matches }
            lines.append("deployed    " + (d.verification == "mismatch" ? "MISMATCH" : d.verification)
                         + (matched.isEmpty ? "" : "; read as reviewed: " + matched.map(printable).joined(separator: ", "))
                         + (differed.isEmpty ? "" : "; DIFFERS: " + differed.map { printable("\($0.node): \($0.differences.joined(separator: "; "))") }.joined(separator: "; ")))
        }
        if let s = t.simulation {
            lines.append("simulated   " + (s.outcome == "success" ? "success, gas \(s.gasUsed)" : "REVERTED: \(printable(s.revertReason ?? "no reason"))")
                         + " (block \(s.blockNumber), \(s.blockHash))")
        } else {
            lines.append("simulated   not yet")
        }
        if let p = t.parameters {
            lines.append("parameters  nonce \(p.nonce), gas limit \(p.gasLimit), max fee \(p.maxFeePerGas) wei/gas, priority fee \(p.maxPriorityFeePerGas) wei/gas")
        } else {
            lines.append("parameters  none yet (the sender's next nonce is \(t.nextNonce))")
        }
        if let hash = t.signingHash { lines.append("signs       \(hash) (EIP-1559 signing hash, built by every node)") }
        if let raw = t.rawTransaction { lines.append("raw         \(raw)") }
        if let hash = t.transactionHash { lines.append("tx hash     \(hash)") }
        for hash in t.replacedTransactions ?? [] {
            lines.append("replaced    \(hash) (a fee bump at the same nonce took its place" + (t.receipt?.transactionHash == hash ? "; the chain mined this one)" : ")"))
        }
        if let r = t.receipt {
            lines.append("mined       block \(r.blockNumber) (\(r.blockHash)), status \(r.status), gas used \(r.gasUsed) at \(r.effectiveGasPrice) wei/gas, \(r.logCount) log\(r.logCount == 1 ? "" : "s")")
            let source = r.verification == "confirmed" ? "the receipt, confirmed by the nodes' own reading of the chain,"
                : "the receipt the executor reported" + (r.checks.isEmpty ? " (no node read the chain itself)" : "")
            lines.append(r.mismatches.isEmpty ? "verified    \(source) matches the intent"
                         : "MISMATCH    " + r.mismatches.map { printable("\($0.code): \($0.text)") }.joined(separator: "; "))
            let agreed = r.checks.filter(\.agrees).map(\.node), disagreed = r.checks.filter { !$0.agrees }.map { $0.node + ($0.found ? "" : " (none found)") }
            if !r.checks.isEmpty || r.verification != "unconfirmed" {
                lines.append("checked     \(r.verification == "disputed" ? "DISPUTED" : r.verification)"
                             + (agreed.isEmpty ? "" : "; read the same: " + agreed.map(printable).joined(separator: ", "))
                             + (disagreed.isEmpty ? "" : "; DISAGREED: " + disagreed.map(printable).joined(separator: ", ")))
            }
        }
        if let failure = t.failure { lines.append("failed      \(printable(failure))") }
        return lines
    }
}
