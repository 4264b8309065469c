import ArgumentParser
import CustosChains
import CustosChainsRPC
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Foundation

/// `custos watcher`: a watcher bot. It reads a chain through its JSON-RPC endpoint — ERC-20
/// `Transfer` logs to and from the vaults' EVM addresses (`eth_getLogs`, asked again in smaller
/// ranges when the provider refuses a range as too large) and native transfers into them (block
/// bodies) — and reports every range it read to the cluster as signed `watch.report` entries,
/// at most 24 transfers each, an empty range too: every node decides which transfers are
/// zero-value or dust under its policy, flags their counterparties
/// (`request.destination_poisoned`) and records how far the chain is covered, so that silence
/// is told apart from "nothing happened" (`poisoning.max_staleness`). Each report names the
/// vault addresses it covers, which every node checks against its committed vaults, and its
/// place among the reports of its range (`part` of `parts`). Every node keeps each watcher's
/// own coverage of the chain (the blocks it reported without a gap, each range starting on the
/// hash of the block its coverage ended on) and answers the poisoned test from how far
/// `poisoning.min_watchers` watchers each reached (review helper-58 M2). It remembers the next
/// block to read in a cursor file, advanced only once its own committed coverage
/// (`GET /v1/watch/{chain}/coverage`) reaches the range — not on the gateway's word that each
/// part was committed: a range whose part was dropped extends no node's record of it, and the
/// watcher posts it again from its first part (security review H2). A restart or a dropped
/// entry neither skips nor loses a range; a cursor past its own coverage (a gap) starts just
/// after it, and one behind it reads on: a range its coverage ends inside is posted as two, the
/// blocks it covers already (taken for their flags) and the rest from the block after its
/// coverage (only such a range, its parent hash checked, extends it). Each report names the hash
/// and timestamp of its last block: nodes judge staleness by that chain time (security review
/// M1). With nothing new to read it posts an empty heartbeat of its last block every
/// `--heartbeat` seconds, which shows it alive but refreshes nothing. It holds no vault key.
/// For the policy's `monitoring` section (read from `GET /v1/policies/current` for each range)
/// it also reports the raw logs of the contracts and tokens the section names and every
/// transaction sent from a vault address (block bodies); every node decodes them itself and
/// raises an alert once `min_watchers` watchers reported the same event (README "Monitoring").
/// One lying watcher can leave a dust transfer out of its reports, or end a range on a made-up
/// block hash, and so hold back or stall its own coverage, but not the chain's, which needs
/// `min_watchers` of them (the README's "Look-alike and poisoned addresses").
struct WatcherCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watcher",
        abstract: "Report transfers between vault addresses and counterparties, read from a chain endpoint (a watcher bot).")

    @OptionGroup var connection: OperationCommand.Connection
    @Option(help: "The watcher bot's key file (a bot with the watcher role).") var watcher: String
    @Option(help: "The chain's name, as the registered assets name it.") var chain: String
    @Option(help: "The chain's JSON-RPC endpoint.") var rpc: String
    @Option(help: "The file remembering the next block to read (default: the key file's path + .CHAIN.cursor).") var cursor: String?
    @Option(help: "The first block to read when there is no cursor file yet (default: the block the watchers' coverage of the chain reached, else the chain's latest block).") var fromBlock: UInt64?
    @Option(help: "Blocks to stay below the chain's head, so that a reorg of up to that many blocks cannot drop a transfer already reported (third review M2).")
    var confirmations: UInt64 = 12
    @Option(help: "The most blocks read in one look.") var batch: UInt64 = 100
    @Option(help: "Milliseconds between looks.") var interval: UInt64 = 500
    @Option(help: "Seconds between empty heartbeats of the last block read when nothing new comes (they refresh nothing).")
    var heartbeat: UInt64 = 60
    @Option(help: "Seconds to wait for a report to be committed before giving up (the cursor stays).") var commitTimeout: UInt64 = 120
    @Flag(help: "Read up to the chain's head once, report, and exit.") var once = false
    /// A test cluster's shared clock offset (`UnsafeClockOffset`): reports are stamped with the
    /// block time its gateway and nodes use.
    @Option(help: .hidden) var unsafeTestClockOffsetFile: String?

    func run() async throws {
        guard let endpoint = URL(string: rpc) else { throw ValidationError("--rpc is not a URL") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        let client = try EVMRPCClient(endpoint: endpoint)
        let key = BotKeyFile.load(watcher)
        let call = GatewayCall(connection.gateway)
        let (_, genesis) = try await connection.cluster(call, pinned: key.file.cluster, in: watcher)
        try await checkChainId(client, call)
        let cursorPath = cursor ?? "\(watcher).\(chain).cursor"
        let room = try await coverage(call, bot: key.file.bot)
        var next: UInt64
        // Without a cursor, from the chain's mark (the highest block watchers covered together),
        // else its head (review of watch6 M1: a late watcher reads the blocks since the mark).
        if let saved = try Self.readCursor(cursorPath) ?? fromBlock ?? room.mark { next = saved } else { next = try await client.blockNumber() }
        let own = room.coverage(by: key.file.bot)?.block
        if own == nil, let mark = room.mark, next > mark &+ 1 {
            // A first range past the block after the mark would start no coverage.
            print("the watchers' coverage of \(chain) reached block \(mark): watcher \(key.file.bot) reads from block \(mark) (not \(next)) so that its coverage counts")
            next = mark
        }
        if let own, next > 0, own < next - 1 {
            // Past its own coverage, the reports would leave a gap: read from just after it. A
            // cursor behind it reads on (the blocks it covers are reported for their flags).
            print("watcher \(key.file.bot)'s committed coverage of \(chain) ends at block \(own): reading from block \(own + 1), not \(next)")
            next = own + 1
        }
        print("watcher \(key.file.bot) reading \(chain) from block \(next) through \(client.redactedEndpoint); "
              + "its coverage: \(own.map { "up to block \($0)" } ?? "none"), the chain's (\(room.minWatchers) watcher\(room.minWatchers == 1 ? "" : "s")): "
              + (room.coveredBlock.map { "up to block \($0)" } ?? "none"))
        let clock = ContinuousClock()
        var lastReport = clock.now
        while !Task.isCancelled {
            let head = try await client.blockNumber()
            let readable = head >= confirmations ? head - confirmations : nil
            if let readable, next <= readable {
                let last = min(readable, next + batch - 1)
                try await report(from: next, to: last, client: client, key: key, genesis: genesis, call: call)
                lastReport = clock.now
                next = last + 1
                try Self.writeCursor(cursorPath, next: next)
                if next <= readable { continue }
            } else if next > 0, once || clock.now - lastReport >= .seconds(heartbeat) {
                // Nothing new: an empty report of the last block read says the watcher still
                // watches (it does not make the coverage fresher: the chain's block time does).
                try await postHeartbeat(at: next - 1, client: client, key: key, genesis: genesis, call: call)
                lastReport = clock.now
            }
            if once { return }
            try await Task.sleep(for: .milliseconds(interval))
        }
    }

    /// Ends the command unless the endpoint serves the chain id the cluster registered for
    /// `--chain` (review helper-63 L3: a watcher pointed at another chain would attest it).
    private func checkChainId(_ client: EVMRPCClient, _ call: GatewayCall) async throws {
        let assets: [AssetView] = try await call.get("/v1/assets")
        guard let registered = assets.first(where: { $0.chain == chain })?.chainId else {
            fail("the cluster registers no asset on chain \"\(chain.printable(limit: 64))\": there is nothing to watch on it")
        }
        let served = try await client.chainID()
        guard served == registered else {
            fail("the endpoint \(client.redactedEndpoint) serves chain id \(served), but the cluster registers \(chain) with chain id \(registered): "
                 + "point --rpc at an endpoint of \(chain)")
        }
    }

    /// Reads blocks `from` through `to` for the vaults' EVM addresses the gateway lists now and
    /// reports them, in parts of at most `WatchEntry.maximumTransfers` transfers (one empty
    /// report for a range without any), each naming its place and the count of parts; returns
    /// once the watcher's own committed coverage reaches `to`. A range it does not cover after every part
    /// was reported committed (a part dropped or reordered) is posted again from its first part,
    /// up to three times; then the command ends and the cursor stays. Every node checks the
    /// addresses against its committed vaults.
    private func report(
        from: UInt64, to: UInt64, client: EVMRPCClient, key: (file: BotKeyFile, key: BotSigningKey), genesis: [UInt8], call: GatewayCall
    ) async throws {
        let head = try await header(to, client)
        let parent = from > 0 ? try await header(from - 1, client).hash : nil
        for attempt in 1...3 {
            // Nodes extend the watcher's coverage only by a range starting right after it (its
            // parent checked); one it ends inside is reported as two: the covered blocks for
            // their flags, then the rest from the block after the coverage.
            if let covered = try await coveredBlock(call, bot: key.file.bot), covered >= from, covered < to {
                try await report(from: from, to: covered, client: client, key: key, genesis: genesis, call: call)
                try await report(from: covered + 1, to: to, client: client, key: key, genesis: genesis, call: call)
                return
            }
            // Read for each attempt: the vaults and the monitoring section in force may have
            // changed since the last one (a part read for the old section is refused).
            let vaults: [VaultView] = try await call.get("/v1/vaults")
            let own = Set(vaults.flatMap(\.addresses).filter { $0.chain == VaultAddress.Chain.evm.rawValue }.map { $0.address.lowercased() })
            let transfers = try await Self.transfers(client, from: from, to: to, vaults: own)
            let monitoring = try await monitoringSection(call)
            let (logs, sent) = try await Self.monitored(client, from: from, to: to, chain: chain, policy: monitoring, vaults: own)
            func slices<T>(_ items: [T], _ size: Int) -> [[T]] {
                stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
            }
            let (t, l, v) = (slices(transfers, WatchEntry.maximumTransfers), slices(logs, WatchEntry.maximumLogs), slices(sent, WatchEntry.maximumVaultTransactions))
            let parts = (0..<max(1, t.count, l.count, v.count)).map { i in
                (i < t.count ? t[i] : [], i < l.count ? l[i] : [], i < v.count ? v[i] : [])
            }
            var stale = false
            for (i, part) in parts.enumerated() where !stale {
                let report = WatchReport(chain: chain, fromBlock: from, block: to, blockHash: head.hash, parentHash: parent, blockTime: head.time, vaults: own,
                                         part: i + 1, parts: parts.count, transfers: part.0, logs: part.1, vaultTransactions: part.2, monitoring: monitoring)
                stale = try await !post(report, key: key, genesis: genesis, call: call)
            }
            if stale {
                print("the policy's monitoring section changed while blocks \(from)–\(to) of \(chain) were reported (attempt \(attempt) of 3): reading the range again")
                continue
            }
            let covered = try await coveredBlock(call, bot: key.file.bot)
            if let covered, covered >= to { return }
            print("the committed coverage of watcher \(key.file.bot) on \(chain) ends at block \(covered.map(String.init) ?? "none"), not \(to), after the \(parts.count) "
                  + "report\(parts.count == 1 ? "" : "s") of blocks \(from)–\(to) (attempt \(attempt) of 3): a part was lost; posting the range again")
        }
        fail("the reports of \(chain) blocks \(from)–\(to) were not taken as a complete range; the cursor stays at block \(from)")
    }

    /// Posts an explicit heartbeat: an empty report of block `block` alone, when it is the
    /// watcher's covered block (otherwise the empty report would claim a block it did not read).
    /// Nodes take it, and it refreshes nothing.
    private func postHeartbeat(
        at block: UInt64, client: EVMRPCClient, key: (file: BotKeyFile, key: BotSigningKey), genesis: [UInt8], call: GatewayCall
    ) async throws {
        guard try await coveredBlock(call, bot: key.file.bot) == block else { return }
        let vaults: [VaultView] = try await call.get("/v1/vaults")
        let own = vaults.flatMap(\.addresses).filter { $0.chain == VaultAddress.Chain.evm.rawValue }.map(\.address)
        let head = try await header(block, client)
        let parent = block > 0 ? try await header(block - 1, client).hash : nil
        try await post(WatchReport(chain: chain, fromBlock: block, block: block, blockHash: head.hash, parentHash: parent, blockTime: head.time, vaults: own,
                                   transfers: [], monitoring: try await monitoringSection(call)),
                       key: key, genesis: genesis, call: call)
    }

    /// The policy's `monitoring` section as the gateway serves the policy in force. Every node
    /// checks the report's digest of it against its own policy, so a gateway serving another
    /// section gets the report refused; a policy that does not decode ends the command.
    private func monitoringSection(_ call: GatewayCall) async throws -> MonitoringPolicy {
        let policy: PolicyView = try await call.get("/v1/policies/current")
        do {
            return try PolicyDocument.decode(yaml: policy.yaml).monitoring
        } catch {
            fail("the policy in force (version \(policy.version)) that the gateway serves does not decode: \(String(describing: error).printable(limit: 300))")
        }
    }

    /// The hash and timestamp of block `number`, which a report of blocks up to it names.
    private func header(_ number: UInt64, _ client: EVMRPCClient) async throws -> (hash: String, time: Int64) {
        guard let found = try await client.blockHeader(number) else { fail("the chain endpoint has no block \(number) of \(chain)") }
        return ("0x" + found.hash.hexString, Int64(clamping: found.timestamp))
    }

    /// The committed coverage of the chain by the watchers of `bot`'s environment (theirs and the
    /// effective one): its reports cover the chain for that environment's vaults only.
    private func coverage(_ call: GatewayCall, bot: String) async throws -> WatchCoverageView {
        let bots: [BotView] = try await call.get("/v1/bots")
        guard let environment = bots.first(where: { $0.id == bot })?.environment else { fail("bot \(bot) is not registered in the cluster") }
        return try await call.get("/v1/watch/\(chain)/coverage?environment=\(environment)")
    }

    /// The last block of the chain this watcher's committed reports cover without a gap, if any.
    private func coveredBlock(_ call: GatewayCall, bot: String) async throws -> UInt64? {
        try await coverage(call, bot: bot).coverage(by: bot)?.block
    }

    /// The transfers between `vaults` and counterparties in blocks `from` through `to`, in
    /// block and transaction order.
    static func transfers(_ client: EVMRPCClient, from: UInt64, to: UInt64, vaults: Set<String>) async throws -> [WatchedTransfer] {
        guard !vaults.isEmpty else { return [] }
        var found: [WatchedTransfer] = []
        for address in try vaults.sorted().map({ try EVM.Address(hex: $0) }) {
            for asSender in [false, true] {
                let logs = try await EVMRPCClient.splittingRange(from: from, to: to) { (a, b) throws(EVMRPCError) in
                    try await client.transferLogs(from: a, to: b, touching: address, asSender: asSender)
                }
                for log in logs {
                    if let t = WatchedTransfer(log, vaults: vaults) { found.append(t) }
                }
            }
        }
        for number in from...to {
            for transaction in try await client.blockTransactions(number) {
                if let t = WatchedTransfer(transaction, block: number, vaults: vaults) { found.append(t) }
            }
        }
        return found.sorted { ($0.block, $0.transaction, $0.counterparty) < ($1.block, $1.transaction, $1.counterparty) }
    }

    /// What the policy's `monitoring` section watches in blocks `from` through `to`: the logs of
    /// the contracts it names on `chain` with the first topics of their classes and the `Transfer`
    /// logs of its tokens from a treasury address (raw; nodes decode them), and, when it
    /// watches vault transactions, every transaction sent from one of `vaults`, in block order.
    static func monitored(
        _ client: EVMRPCClient, from: UInt64, to: UInt64, chain: String, policy: MonitoringPolicy, vaults: Set<String>
    ) async throws -> (logs: [WatchedLog], transactions: [WatchedVaultTransaction]) {
        // Each contract by the topics of its classes; each token's transfers from a treasury address only.
        var queries: [(EVM.Address, [[[UInt8]]?])] = []
        for contract in policy.contracts where contract.chain.value == chain {
            queries.append((try EVM.Address(hex: contract.address), [MonitoredEvent.topics(of: contract.events)]))
        }
        for entry in policy.largeTransfers where entry.chain.value == chain {
            let senders = try vaults.union(entry.from).sorted().map { [UInt8](repeating: 0, count: 12) + (try EVM.Address(hex: $0)).rawValue }
            guard !senders.isEmpty else { continue }
            queries.append((try EVM.Address(hex: entry.token), [[MonitoredEvent.transferTopic], senders]))
        }
        var found: [EVMLog] = []
        for (address, topics) in queries {
            found += try await EVMRPCClient.splittingRange(from: from, to: to) { (a, b) throws(EVMRPCError) in
                try await client.logs(from: a, to: b, emittedBy: [address], topics: topics)
            }
        }
        let logs = Set(found).map {
            WatchedLog(block: $0.blockNumber, blockHash: "0x" + $0.blockHash.hexString, transaction: "0x" + $0.transactionHash.hexString,
                       logIndex: $0.logIndex, address: "0x" + $0.log.address.rawValue.hexString, topics: $0.log.topics, data: $0.log.data)
        }.filter { (1...4).contains($0.topics.count) && $0.data.count <= WatchedLog.maximumDataBytes }
        var transactions: [WatchedVaultTransaction] = []
        if policy.vaultTransactions && !vaults.isEmpty {
            for number in from...to {
                let sent = try await client.blockTransactions(number).filter { vaults.contains("0x" + $0.from.rawValue.hexString) }
                guard !sent.isEmpty, let header = try await client.blockHeader(number) else { continue }
                transactions += sent.map {
                    WatchedVaultTransaction(block: number, blockHash: "0x" + header.hash.hexString, transaction: "0x" + $0.hash.hexString,
                                            from: "0x" + $0.from.rawValue.hexString, to: $0.to.map { "0x" + $0.rawValue.hexString })
                }
            }
        }
        return (logs.sorted { ($0.block, $0.logIndex) < ($1.block, $1.logIndex) }, transactions)
    }

    /// Signs and posts `report`, then waits until the gateway reports it committed; false when
    /// the gateway previews it as refused for a monitoring section that is no longer the one in
    /// force (the range is read again); ends the command if it previews another refusal, or the
    /// report is not committed in time.
    @discardableResult
    private func post(_ report: WatchReport, key: (file: BotKeyFile, key: BotSigningKey), genesis: [UInt8], call: GatewayCall) async throws -> Bool {
        let wall = UInt64(Date().timeIntervalSince1970 * 1000)
        let now = unsafeTestClockOffsetFile.map { UnsafeClockOffset(path: $0).adjusting(wall) } ?? wall
        let signed = SignedRequest(body: report.json, cluster: genesis, keyId: key.file.bot, timestamp: Int64(now),
                                   nonce: Base64URL.encode(SecureRandom.bytes(count: 18)), key: key.key)
        let entry = try WatchEntry.report(signed)
        let receipt: EntryReceipt = try await call.post(
            "/v1/entries", EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization))
        receipt.check(signed: entry, what: "watch report")
        if let preview = receipt.preview, preview.hasPrefix("refused") {
            if preview.hasPrefix("refused: \(GovernanceErrorCode.watchSectionChanged):") { return false }
            fail("the report of \(report.chain) blocks \(report.fromBlock)–\(report.block) would be refused: \(preview.printable(limit: 600))")
        }
        guard let committed = try await call.committed(receipt.entry, timeout: .seconds(commitTimeout)) else {
            fail("the report of \(report.chain) blocks \(report.fromBlock)–\(report.block) was not committed within \(commitTimeout) s; "
                 + "the cursor stays at block \(report.fromBlock)")
        }
        print("reported \(report.transfers.count) transfer\(report.transfers.count == 1 ? "" : "s") on \(report.chain), blocks \(report.fromBlock)–\(report.block)"
              + (report.parts == 1 ? "" : " (part \(report.part) of \(report.parts))") + ", committed at height \(committed.height)" + (receipt.preview.map { "; \($0)" } ?? ""))
        return true
    }

    /// The next block to read, from the cursor file; nil when there is none yet.
    static func readCursor(_ path: String) throws -> UInt64? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), let next = UInt64(text) else {
            fail("\(path) is not a watcher cursor (the next block number)")
        }
        return next
    }

    static func writeCursor(_ path: String, next: UInt64) throws {
        try Data("\(next)\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
