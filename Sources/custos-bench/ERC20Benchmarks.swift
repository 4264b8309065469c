import AsyncHTTPClient
import BigInt
import CustosChains
import CustosClusterAPI
import CustosCore
import CustosCrypto
import Foundation

/// Auto-approved ERC-20 transfers end to end, as issue #11 asks of `make bench`: the session's
/// gateway and four nodes, the local EVM chain (`scripts/evm-devnet.py`), the ECDSA vault
/// `hot-trading` funded with the demo USDC (`scripts/evm-demo-token.py`), ETH and USDC registered
/// and the executor and three price bots registered through governance, `custos executor` and
/// `custos price run` running — what `custos dev up` sets up, done with the same commands. Then
/// `--submitters` closed-loop clients submit the risk bot's USDC transfer to the devnet exchange
/// account (allowed by the policy with no person involved) for `--duration` seconds. Measured per
/// transfer: (a) submission → the vault's signature of its transaction in the committed log,
/// (b) submission → its receipt in the log (broadcast, mined, recorded by the executor and
/// accepted by every node). After the window each signed transaction, as the state recorded it,
/// is decoded and must recover the vault's address, carry the log's signature and be the
/// intended transfer; each receipt must show it mined with no mismatch, confirmed by f+1 nodes from their own endpoints. Goals up to the signed
/// transaction (p50 ≤ 30 ms, p99 ≤ 100 ms, ≥ 200 transfers/s) are reported met or missed, never asserted.
enum ERC20Benchmarks {
    static let goalP50: Double = 30_000_000
    static let goalP99: Double = 100_000_000
    static let goalRate: Double = 200
    static let vault = "hot-trading"
    /// Each transfer's amount: 1 USDC.
    static let amount = "1"
    static let units = BigUInt(1_000_000)

    /// The example policy's limits that would stop a benchmark: the risk bot may make 20
    /// requests an hour (`risk-bot-hourly`) and one exchange take 30 withdrawals an hour
    /// (`exchange-hourly-count`); both counts are raised to a million, their USD bounds kept.
    static func policy(_ text: String) throws -> String {
        var text = text
        for (anchor, replacement) in [
            ("risk-bot-hourly: {per: initiator, window: 1h, max_usd: 2_000_000, max_count: 20}",
             "risk-bot-hourly: {per: initiator, window: 1h, max_usd: 2_000_000, max_count: 1000000}"),
            ("exchange-hourly-count: {per: counterparty, window: 1h, max_count: 30}",
             "exchange-hourly-count: {per: counterparty, window: 1h, max_count: 1000000}"),
        ] {
            guard let range = text.range(of: anchor) else { throw BenchError("examples/policies/trading-firm.yaml has no \"\(anchor)\" to raise") }
            text.replaceSubrange(range, with: replacement)
        }
        return text
    }

    static func run(_ session: BenchSession) async throws -> String {
        let options = session.options
        let cluster = try await session.cluster()
        let client = session.client
        guard let chain = session.chain else { throw BenchError("the session's cluster runs no local chain") }
        let bot = try await session.bot("risk-bot", role: "risk-bot")
        let view = try await session.vault(vault, scheme: SigningScheme.ecdsaSecp256k1.name)
        guard let address = view.addresses.first(where: { $0.chain == "evm" && $0.path == "m" })?.address else {
            throw BenchError("vault \(vault) shows no EVM address of its own key")
        }
        let usdc = try cluster.fundDemoVault(chain, python: options.python, address: address)
        // Registered as `custos dev up` registers them: approved like a policy change.
        for (id, symbol, contract, decimals) in [("register-devnet-eth", "ETH", "native", "18"), ("register-devnet-usdc", "USDC", usdc, "6")] {
            try await cluster.governed(client, operation: id, proposal: [
                "op", "propose", "--id", id, "register-asset", DevelopmentChain.name, "\(chain.chainId)", symbol, contract, decimals,
            ], approvers: ["frank", "grace", "heidi"])
        }
        _ = try await session.bot("executor-bot", role: "executor")
        for price in DevelopmentChain.priceBots { _ = try await session.bot(price, role: "price") }
        try cluster.spawn("executor", ["executor", "--gateway", cluster.baseURL, "--executor", cluster.botKeyFile("executor-bot").path,
                                       "--chain", DevelopmentChain.name, "--rpc", chain.url])
        try cluster.spawn("price-bots", ["price", "run", "--gateway", cluster.baseURL, "--every", "60"]
                          + DevelopmentChain.priceBots.flatMap { ["--bot", cluster.botKeyFile($0).path] }
                          + DevelopmentChain.quotes.flatMap { ["--quote", $0] })
        try await waitForPrice(cluster, client, asset: "USDC")

        let destination = try EVM.Address(hex: DevelopmentChain.destination.address)
        let intended = Intent(sender: try EVM.Address(hex: address), token: try EVM.Address(hex: usdc),
                              data: try EVM.ABI.encodeCall("transfer(address,uint256)", [.address(destination), .uint(units)]))
        let vaults: SignatureWatch.Vaults = [vault: (SigningScheme.ecdsaSecp256k1, view)]
        let ask: SigningLoad.Ask = { tag in
            (#"{"kind": "transfer", "id": "bench-\#(tag)", "initiator": "risk-bot", "vault": "\#(Self.vault)", "from": "m", "#
                + #""chain": "\#(DevelopmentChain.name)", "asset": "USDC", "to": "\#(DevelopmentChain.destination.address)", "#
                + #""amount": "\#(Self.amount)", "memo": "custos-bench erc20"}"#, Self.vault, nil)
        }
        func load(seconds: Double, label: String) async throws -> SigningLoad {
            try await SigningLoad.run(cluster, client, bot: bot, vaults: vaults, submitters: options.submitters, rate: options.rate,
                                      seconds: seconds, label: label, receiptWait: 60, ask: ask)
        }
        let roundTrip = try await cluster.roundTrips(client)
        let plain = SigningScheme.ecdsaSecp256k1.plainSignature()
        // Warm-up: connections, caches, the executor's first look, the presignature pools.
        _ = try await load(seconds: min(5, options.duration / 4), label: "warm-erc20")

        let heightBefore = try await cluster.committedHeight(client)
        let cpuBefore = cluster.cpuSeconds()
        let selfBefore = ClusterBenchmarks.processCPUSeconds()
        let window = try await load(seconds: options.duration, label: "erc20")
        var cpu = cluster.cpuSeconds()
        for (name, seconds) in cpu { cpu[name] = seconds - (cpuBefore[name] ?? 0) }
        cpu["load generator (this process)"] = ClusterBenchmarks.processCPUSeconds() - selfBefore
        let blocks = try await cluster.committedHeight(client) - heightBefore
        let checked = await verify(window, cluster, client, intended)
        return render(window, options: options, cluster: cluster, roundTrip: roundTrip, plain: plain, cpu: cpu, blocks: blocks, checked: checked)
    }

    /// Waits (bounded: 90 s, the price bots' first round) until `asset` has a median price in the committed state.
    private static func waitForPrice(_ cluster: BenchCluster, _ client: HTTPClient, asset: String) async throws {
        for _ in 0..<900 {
            if let data = try? await cluster.get(client, "/v1/prices"), let prices = try? JSONDecoder().decode([PriceView].self, from: data),
               prices.contains(where: { $0.asset == asset && $0.usd != nil }) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("\(asset) has no price in the committed state; see \(cluster.root.path)/price-bots.log")
    }

    /// What every transfer's transaction must be: from the vault's address, a call of the token
    /// contract with `data` (transfer(destination, 1 USDC)) and no ether.
    struct Intent {
        let sender: EVM.Address
        let token: EVM.Address
        let data: [UInt8]
    }

    /// How many signed transactions and receipts passed the checks after the window, and why the others did not.
    struct Checked {
        var signatures = 0
        var receipts = 0
        /// Signed transfers the gateway no longer shows (no longer among the state's recent requests, or no answer).
        var unread = 0
        var problems: [String] = []
    }

    /// Reads every signed transfer back from the gateway's committed state: its raw transaction
    /// must decode, recover the vault's address, carry the very signature the log held (r ‖ s)
    /// and be `intended`; with a receipt in the log, the state must show it mined with no mismatch and confirmed by the nodes.
    static func verify(_ load: SigningLoad, _ cluster: BenchCluster, _ client: HTTPClient, _ intended: Intent) async -> Checked {
        var checked = Checked()
        // The nodes confirm receipts from their own chain endpoints shortly after the executor
        // records them: one shared bound for the whole read-back.
        let confirmBy = ContinuousClock.now + .seconds(60)
        func transaction(_ request: String) async -> TransactionView? {
            guard let data = try? await cluster.get(client, "/v1/requests/\(request)") else { return nil }
            return (try? JSONDecoder().decode(RequestView.self, from: data))?.transaction
        }
        for sample in load.signed {
            guard var t = await transaction(sample.request) else {
                // The state keeps a bounded number of recent requests.
                checked.unread += 1
                continue
            }
            guard let raw = t.rawTransaction, let bytes = try? [UInt8](hex: raw.hasPrefix("0x") ? String(raw.dropFirst(2)) : raw),
                  let signed = try? EVM.SignedTransaction.decode(bytes) else {
                checked.problems.append("no raw transaction that decodes")
                continue
            }
            guard (try? signed.recoverSender()) == intended.sender else {
                checked.problems.append("the signature does not recover the vault's address")
                continue
            }
            guard Array(signed.signature.r) + Array(signed.signature.s) == Array(sample.outcome.signature.prefix(64)) else {
                checked.problems.append("the raw transaction carries another signature than the log")
                continue
            }
            guard signed.transaction.to == intended.token, signed.transaction.value == 0, signed.transaction.data == intended.data else {
                checked.problems.append("the signed transaction is not the intended transfer")
                continue
            }
            checked.signatures += 1
            guard load.receipts[sample.request] != nil else { continue }
            while t.receipt?.verification == "unconfirmed", ContinuousClock.now < confirmBy {
                try? await Task.sleep(for: .milliseconds(250))
                if let again = await transaction(sample.request) { t = again }
            }
            if t.status == "mined", t.receipt?.mismatches.isEmpty == true, t.receipt?.verification == "confirmed" {
                checked.receipts += 1
            } else {
                checked.problems.append("a receipt in the log but the state shows \(t.status)"
                                        + (t.receipt.map { ", \($0.mismatches.count) mismatches, \($0.verification)" } ?? ""))
            }
        }
        return checked
    }

    private static func render(
        _ load: SigningLoad, options: BenchOptions, cluster: BenchCluster, roundTrip: Measurement, plain: Measurement,
        cpu: [String: Double], blocks: UInt64, checked: Checked
    ) -> String {
        let signed = load.latencies
        let count = signed.samples.count
        let elapsed = Double(load.end - load.start) / 1e9
        let window = Double(load.deadline - load.start) / 1e9
        let receipted = load.signed.compactMap { s in load.receipts[s.request].map { (s, $0) } }
        let receipts = Measurement(name: "submission → receipt recorded in the committed log",
                                   samples: receipted.map { $0.1 - $0.0.submitted }.sorted())
        let receiptRate = Double(receipted.filter { $0.1 <= load.deadline }.count) / window
        let parameters = Measurement(name: "… request committed → parameters committed", samples: load.signed.compactMap { s in
            s.outcome.requestCommitted.flatMap { r in s.outcome.parametersCommitted.map { $0 - r } }
        }.sorted())
        let signing = Measurement(name: "… parameters committed → signature committed", samples: load.signed.compactMap { s in
            s.outcome.parametersCommitted.map { s.outcome.signed! - $0 }
        }.sorted())
        let rate = load.signaturesPerSecond
        func met(_ ok: Bool) -> String { ok ? "met" : "missed" }
        var lines = [
            "## ERC-20 transfers end to end (USDC on the local chain, vault \(vault), ecdsa-secp256k1): n = \(cluster.nodeIDs.count), "
                + "the gateway, the nodes, the executor and the price bots as processes and the local chain, on loopback, "
                + "vs one HTTP round trip and one plain signature",
            "",
            "\(options.submitters) closed-loop submitters for \(formatFixed(options.duration, digits: 0)) s (each submits the risk bot's transfer "
                + "of \(amount) USDC to \(DevelopmentChain.destination.entry), allowed by the policy with no person involved, and waits until the "
                + "committed log holds the vault's signature of its transaction; the executor proposes parameters, broadcasts and records "
                + "receipts meanwhile). Command: `custos-bench erc20 --duration \(formatFixed(options.duration, digits: 0)) --submitters \(options.submitters)`.",
            "",
        ]
        var table = LatencyTable(roundTrip: roundTrip, plain: plain)
        table.row(Measurement(name: "submission → signed transaction in the committed log", samples: signed.samples),
            "\(count) transfers, \(formatFixed(rate, digits: 1)) transfers/s; goals: p50 ≤ 30 ms \(met(count > 0 && signed.p50 <= goalP50)), "
            + "p99 ≤ 100 ms \(met(count > 0 && signed.p99 <= goalP99)), ≥ 200 transfers/s \(met(rate >= goalRate))")
        table.row(load.requestCommits, "the request's block, as the log follower saw it")
        table.row(parameters, "the executor's simulation entry committed, then its parameters (one sender: consecutive nonces)")
        table.row(signing, "signers assigned at the parameters' block; the signature entry's block")
        table.row(receipts, "\(receipted.count) receipts, \(formatFixed(receiptRate, digits: 1)) receipts/s in the window; broadcast, mined, recorded by the executor")
        lines += table.lines
        lines.append("")
        var notes: [String] = []
        if !load.failures.isEmpty {
            notes.append("Transfers without a signature in the log: \(load.failures.count) (\(load.failureReasons)).")
        }
        if receipted.count < count { notes.append("Signed transfers without a receipt within 60 s of the window's end: \(count - receipted.count).") }
        notes.append("Read back from the committed state: \(checked.signatures) of \(count) signed transactions recover the vault's address, carry "
                     + "the log's signature and are the intended transfer; \(checked.receipts) of \(receipted.count) receipts show them mined with no mismatch and confirmed by the nodes' own readings of the chain"
                     + (checked.unread > 0 ? " (\(checked.unread) signed transfers not read back: no longer among the gateway's recent requests)." : "."))
        if !checked.problems.isEmpty {
            let reasons = Dictionary(grouping: checked.problems, by: { $0 }).map { "\($0.value.count) × \($0.key)" }.sorted()
            notes.append("Transfers that failed those checks: \(checked.problems.count) (\(reasons.joined(separator: "; "))).")
        }
        if load.unverified > 0 { notes.append("Signature entries in the log for another vault than asked: \(load.unverified).") }
        notes.append("Committed blocks in the window: \(blocks) (\(count == 0 ? "–" : formatFixed(Double(blocks) / Double(count), digits: 2)) per transfer: "
                     + "the request's, the simulation's, the parameters', the signature's and the receipt's entries, batched as they come).")
        lines += notes + [""]
        lines += CPUShares(cpu: cpu, operations: count, elapsed: elapsed, plain: plain)
            .lines("transfer", of: "ERC-20", order: ["gateway"] + cluster.nodeIDs + ["executor", "price-bots", "evm-devnet", "load generator (this process)"])
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
