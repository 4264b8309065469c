import CSecp256k1
import CustosPolicy
import CustosState
import Foundation

/// Policy evaluation of the example trading-firm policy (~50 rules, rolling windows, CEL
/// conditions) against one plain libsecp256k1 ECDSA signature measured in the same run.
/// Goal: p50 of a routine decision at most 0.2× the signature.
enum PolicyBenchmarks {
    static func run() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        let policy = try CompiledPolicy(yaml: text)

        var state = StateSnapshot(
            time: 1_794_909_600 + 4 * 3600,
            prices: ["ETH": FixedDecimal(3200)!, "USDC": FixedDecimal(1)!, "USDT": FixedDecimal(1)!,
                     "BTC": FixedDecimal(91_000)!, "SOL": FixedDecimal(140)!])
        // Busy windows: many counterparties and initiators already have totals.
        for (i, name) in ["kraken", "coinbase", "binance", "okx", "wintermute", "cumberland", "galaxy"].enumerated() {
            state.windows["exchange-daily-usd", name] = .init(usd: FixedDecimal(1_000_000 + i * 250_000)!, count: 5 + i)
            state.windows["exchange-hourly-count", name] = .init(usd: .zero, count: i)
            state.windows["otc-daily-usd", name] = .init(usd: FixedDecimal(3_000_000)!, count: 2)
        }
        for k in 0..<500 { state.windows["exchange-daily-usd", "0x\(k)"] = .init(usd: FixedDecimal(k)!, count: 1) }
        state.windows["risk-bot-hourly", "risk-bot"] = .init(usd: FixedDecimal(300_000)!, count: 4)
        state.windows["firm-daily-outflow", "*"] = .init(usd: FixedDecimal(12_000_000)!, count: 140)

        func transfer(_ initiator: String, _ amount: Int, _ asset: String, to destination: String, vault: String = "hot-trading",
                      approvals: [String] = [], memo: String = "") -> PolicyRequest {
            PolicyRequest(id: "bench", initiator: initiator, vault: vault, chain: "ethereum", asset: asset,
                          amount: FixedDecimal(amount)!, fee: FixedDecimal(parsing: "0.004")!, destination: destination,
                          memo: memo, approvals: approvals)
        }
        let kraken = "0x2e6d88f471c41bd6dc54146e5eea659498ccba8f"
        let routine = transfer("risk-bot", 250_000, "USDC", to: kraken)
        let checksummed = transfer("risk-bot", 250_000, "USDC", to: "0x2E6D88F471C41BD6DC54146E5EEA659498CCBA8F")
        let approvals = transfer("bob", 750_000, "USDC", to: "0xe2cce8518dcd3da81faa46d34bc53e569c7b21ac", approvals: ["dan"])
        let otc = transfer("bob", 1_000_000, "USDC", to: "0x02f97e64f4827ab6ed553714ce2255b9b30fb479",
                           vault: "otc-settlement", approvals: ["alice"], memo: "OTC-2291")
        let denied = transfer("risk-bot", 10, "USDC", to: "0x5555555555555555555555555555555555555555")
        precondition(policy.evaluate(routine, in: state).outcome == .allow)
        precondition(policy.evaluate(approvals, in: state).outcome == .needsApprovals)
        precondition(policy.evaluate(otc, in: state).outcome == .allow)
        precondition(policy.evaluate(denied, in: state).outcome == .deny)

        // Baseline: one plain ECDSA signature with libsecp256k1.
        let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
        defer { secp256k1_context_destroy(ctx) }
        var seckey = [UInt8](repeating: 0, count: 32)
        seckey[31] = 7
        seckey[0] = 0x3c
        var message = [UInt8](repeating: 0xab, count: 32)
        var signature = secp256k1_ecdsa_signature()
        let iterations = 20_000
        let baseline = measure("ECDSA sign (libsecp256k1)", iterations: iterations, warmup: 500) {
            message[0] &+= 1
            _ = secp256k1_ecdsa_sign(ctx, &signature, message, seckey, nil, nil)
            blackHole(signature)
        }

        var section = Section("Policy evaluation (\(policy.document.rules.count)-rule trading-firm policy with rolling windows), vs one plain ECDSA signature", baseline: baseline)
        let goal = "goal p50 ≤ 0.20×"
        section.add(measure("evaluate: risk bot top-up, allowed (routine)", iterations: iterations, warmup: 500) {
            blackHole(policy.evaluate(routine, in: state))
        }, note: goal)
        section.add(measure("evaluate: EIP-55 checksummed destination", iterations: iterations, warmup: 500) {
            blackHole(policy.evaluate(checksummed, in: state))
        }, note: goal)
        section.add(measure("evaluate: 4-eyes exchange transfer, pending", iterations: iterations, warmup: 500) {
            blackHole(policy.evaluate(approvals, in: state))
        }, note: goal)
        section.add(measure("evaluate: OTC settlement, approved", iterations: iterations, warmup: 500) {
            blackHole(policy.evaluate(otc, in: state))
        }, note: goal)
        section.add(measure("evaluate: bot to unknown address, denied", iterations: iterations, warmup: 500) {
            blackHole(policy.evaluate(denied, in: state))
        }, note: goal)
        section.add(measure("explain: risk bot top-up (with text)", iterations: 2_000, warmup: 50) {
            blackHole(policy.explain(routine, in: state))
        })
        // Re-deciding a request that counts already (its transaction parameters) reads the
        // windows without its own charge. A room holding 20,000 counted requests: the view that
        // replaces the request's keys, against copying the room to release it (the old way).
        var book = WindowBook(policy: policy)
        let t0: UInt64 = 1_794_909_600_000
        for k in 0..<20_000 {
            let request = transfer("risk-bot", 1_000 + k % 50, "USDC", to: k % 2 == 0 ? kraken : "0x\(String(k, radix: 16))")
            if let charge = policy.windowCharge(for: request, in: state) { book.count("r\(k)", request: request, charge: charge, at: t0 + UInt64(k) * 1_000) }
        }
        var rechecked = state
        section.add(measure("re-decide a counted request, 20,000 held: windows view without its charge", iterations: 2_000, warmup: 50) {
            rechecked.windows = book.totals(releasing: "r19998")
            blackHole(policy.evaluate(routine, in: rechecked))
        }, note: "what a node does at transaction parameters")
        section.add(measure("the same, copying the room to release it (before)", iterations: 200, warmup: 5) {
            var copy = book
            copy.release("r19998")
            rechecked.windows = copy.totals
            blackHole(policy.evaluate(routine, in: rechecked))
        })
        section.add(measure("load + check + compile the policy", iterations: 50, warmup: 3) {
            blackHole(try? CompiledPolicy(yaml: text))
        })
        return section.render()
    }
}
