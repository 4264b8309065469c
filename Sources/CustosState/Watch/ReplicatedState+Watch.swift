import BigInt
import CustosChains
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    /// The watch room's transition for `watch.report`: applies in full or records the refusal
    /// and changes nothing else (but a report refused only for its monitoring section, whose
    /// watcher's reach the monitoring room keeps for the lag alert). Checks, in order: the envelope's bot is registered, active,
    /// holds the `watcher` role and signed it for this cluster within the clock skew
    /// (`verifiedBot`); the body reads as a `WatchReport` (`invalidRequest`); the envelope's
    /// nonce was not used before and the watcher's own replay cache has room
    /// (`WatchBook.replayCaches`; `requestRefused`: a replay, or a watcher over its bound); the chain has a registered asset;
    /// the report's block is not before the watcher's last on that chain unless its own coverage
    /// holds it (review helper-58 L3); a range right after the
    /// watcher's own coverage names its covered block's hash as its parent (third review M2); its block time is not
    /// ahead of the block time by more than the clock skew (only a range right after the
    /// watcher's coverage moves it; one ending at or before it, or overlapping it, is taken for its flags alone: it
    /// moves and refreshes nothing); it covers exactly the EVM
    /// addresses of the cluster's vaults (`WatchReport.vaultsDigest`); every transfer's vault
    /// address is an EVM address of a vault (`watchRefused`). Then each
    /// transfer whose counterparty is not itself a vault address and that is zero or dust under
    /// the policy's `poisoning` section, at the median price of its asset now, becomes its
    /// counterparty's first appearance if it has none and the quorum never cleared it
    /// (`WatchBook.record`), within the room's bounds per transaction and per chain; a report is
    /// never refused for meeting them (security review H1): what they leave unflagged marks the
    /// chain overflowed instead, and the coverage advances all the same.
    ///
    /// Each watcher extends only its own coverage; the poisoned test reads how far
    /// `poisoning.min_watchers` of the current watchers reached (`watchCoverage`).
    ///
    /// Environments never mix (issue 14 item 5): a report goes into the watch room of its
    /// watcher's environment (`watches`), where only the watchers of that environment flag,
    /// corroborate and cover, and a decision for a vault reads the room of the vault's
    /// environment alone (`RequestAuthority`), so a development watcher's dust report or
    /// coverage never flags or clears a production payment, nor the reverse. A watcher
    /// registered without an environment is a development one.
    mutating func applyWatch(_ entry: Entry) -> GovernanceOutcome {
        var source: String? = nil
        var otherSection: (chain: String, block: UInt64, environment: DeploymentEnvironment)? = nil
        do {
            let (report, signed, environment, flagging, replayCache) = try checkWatch(entry, source: &source, otherSection: &otherSection)
            var room = watch(environment)
            let flagged = room.record(report, by: signed.keyId, nonce: signed.nonce, at: Int64(time / 1000), flagging: flagging, replayCache: replayCache)
            watches[environment] = room
            if let effective = watchCoverage(in: environment)[report.chain] { watches[environment]!.raiseMark(on: report.chain, to: effective.block) }
            recordMonitoring(report, by: signed.keyId, in: environment)
            return .watched(chain: report.chain, block: report.block, flagged: flagged)
        } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: source, error: error))
            // A report refused only for its section still shows how far its watcher read: enough
            // such refusals raise the lag alert (review helper-133 M1). Nothing else moves.
            if let otherSection, let watcher = source {
                monitoring.noteRefusedReach(of: watcher, on: otherSection.chain, block: otherSection.block)
                checkMonitoringLag(on: otherSection.chain, in: otherSection.environment)
            }
            return .refused(error)
        }
    }

    private func checkWatch(
        _ entry: Entry, source: inout String?, otherSection: inout (chain: String, block: UInt64, environment: DeploymentEnvironment)?
    ) throws(GovernanceError) -> (WatchReport, SignedRequest, DeploymentEnvironment, [(key: String, appearance: AddressAppearance)], ReplayCache) {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.watchRefused, reason) }
        let (signed, bot) = try verifiedBot(entry, role: WatchEntry.watcherRole, as: "watcher", refusal: .watchRefused, source: &source)
        let report = try WatchReport(json: signed.body)
        let watch = watch(bot.environment)
        var replayCache = watch.replayCache(of: bot.id)
        do {
            try RequestVerifier(maxClockSkew: RequestBook.requestClockSkew).checkFreshness(
                keyId: bot.id, timestamp: signed.timestamp, nonce: signed.nonce, now: Int64(clamping: time), replayCache: &replayCache) {}
        } catch {
            let reason = error.code == .replayCacheFull
                ? "bot \"\(bot.id)\" posted \(replayCache.capacity) watch reports within the clock skew of "
                    + "\(RequestBook.requestClockSkew / 1000) s, its own bound (other watchers' reports are taken): try again once they age out"
                : error.reason
            throw GovernanceError(.requestRefused, "the watch report of bot \"\(bot.id)\" (\(error.code)): \(reason)", requestSigning: error.code)
        }
        let onChain = assets.values.filter { $0.chain == report.chain }.sorted { $0.key < $1.key }
        guard !onChain.isEmpty else { throw refused("chain \"\(report.chain)\" has no registered asset") }
        // Blocks its own coverage holds may be read again for their flags (a cursor behind it, the
        // lower part of a split: review helper-58 L3); past it, a report may not go back.
        if let last = watch.reportedBlock(by: bot.id, on: report.chain), report.block < last,
           report.block > watch.coverage(by: bot.id, on: report.chain)?.block ?? 0 {
            throw refused("bot \"\(bot.id)\" already reported \(report.chain) up to block \(last); a report may not go back to block \(report.block)")
        }
        let seconds = Int64(time / 1000)
        let skew = RequestBook.requestClockSkew / 1000
        if report.blockTime > seconds + skew {
            throw refused("block \(report.block) of \(report.chain) has block time \(UTCTime.text(report.blockTime)), ahead of the cluster's block time "
                + "\(UTCTime.text(seconds)) by more than \(skew) s")
        }
        // A range right after the watcher's own coverage must start on its covered block (third
        // review M2): one whose parent is another block read a chain that reorganised under it.
        if let covered = watch.coverage(by: bot.id, on: report.chain), !covered.blockHash.isEmpty, report.fromBlock == covered.block &+ 1,
           report.parentHash != covered.blockHash {
            throw refused("blocks \(report.fromBlock)–\(report.block) of \(report.chain) follow block \(covered.block) of hash \(report.parentHash ?? "none"), "
                + "but bot \"\(bot.id)\"'s coverage ends at block \(covered.block) of hash \(covered.blockHash) (a reorg?): the watcher reads the chain again from its covered block")
        }
        // A report that does not start right after the watcher's own coverage (ending at or
        // before it, or overlapping it: its parent is never checked) is taken for its flags
        // alone (it moves nothing, refreshes nothing: `WatchBook.record`). Another watcher's
        // coverage never decides whether a report is taken (second review H-1, review helper-58
        // M2: a watcher ending on a made-up hash stalls only its own coverage; the quorum resets
        // every watcher's with `clear-watch-flag CHAIN coverage`).
        let own = vaultEVMAddresses
        if report.vaultCount != own.count || report.vaultsDigest != WatchReport.vaultsDigest(own) {
            throw refused("the report covers \(report.vaultCount) vault address\(report.vaultCount == 1 ? "" : "es") (SHA-256 \(report.vaultsDigest.prefix(16))…), "
                + "not the \(own.count) EVM vault address\(own.count == 1 ? "" : "es") of the cluster (SHA-256 \(WatchReport.vaultsDigest(own).prefix(16))…): "
                + own.sorted().prefix(8).joined(separator: ", ") + (own.count > 8 ? ", …" : ""))
        }
        // What it read for the monitoring section must be what the policy in force watches on
        // the chain (review helper-127 H1): a watcher served another section by the gateway, or
        // none, would otherwise leave the section unwatched with its coverage still moving.
        let scope = WatchReport.monitoringDigest(policy.document.monitoring, chain: report.chain)
        if report.monitoring != scope {
            func named(_ digest: String?) -> String { digest.map { "SHA-256 \($0.prefix(16))…" } ?? "nothing" }
            otherSection = (report.chain, report.block, bot.environment)
            throw GovernanceError(.watchSectionChanged, "the report was read for a monitoring section that watches \(named(report.monitoring)) on \(report.chain), but the policy in force "
                + "(version \(policy.document.version)) watches \(named(scope)) there: the watcher reads the policy in force again")
        }
        var flagging: [(key: String, appearance: AddressAppearance)] = []
        for (i, transfer) in report.transfers.enumerated() {
            guard own.contains(transfer.vaultAddress.lowercased()) else {
                throw refused("transfer \(i): \(transfer.vaultAddress) is not an address of any vault")
            }
            if own.contains(transfer.counterparty.lowercased()) { continue }
            let asset = transfer.token.map { token in onChain.first { $0.contract?.lowercased() == token.lowercased() } }
                ?? onChain.first { $0.contract == nil }
            let amount = asset.flatMap { Self.decimal(transfer.amount, decimals: $0.decimals) }
            guard Self.isDust(transfer, asset: asset, amount: amount, policy: policy.document, prices: prices, environment: bot.environment,
                               at: seconds) else { continue }
            let words = if let asset, let amount {
                "\(amount.grouped) \(asset.symbol)"
            } else if let token = transfer.token {
                "\(transfer.amount) base units of unregistered token \(token)"
            } else {
                "\(transfer.amount) base units of the native asset (not registered)"
            }
            let key = report.chain + "/" + transfer.counterparty.lowercased()
            flagging.append((key, AddressAppearance(
                reportedAt: seconds, vaultAddress: transfer.vaultAddress, incoming: transfer.incoming, transfer: words, block: transfer.block,
                transaction: transfer.transaction, reporter: bot.id)))
        }
        return (report, signed, bot.environment, flagging, replayCache)
    }

    /// Whether `transfer` is zero or dust: an unregistered asset, or an amount too large for
    /// the policy's decimals (never dust), else `PoisoningPolicy.isDust` at the asset's usable
    /// median price at `seconds` posted by the price bots of `environment`, the watcher's own.
    private static func isDust(
        _ transfer: WatchedTransfer, asset: RegisteredAsset?, amount: FixedDecimal?, policy: PolicyDocument, prices: PriceBook,
        environment: DeploymentEnvironment, at seconds: Int64
    ) -> Bool {
        guard transfer.amount > 0 else { return true }
        guard let asset else { return true }
        guard let amount else { return false }
        var usd: FixedDecimal? = nil
        if case .success(let median) = prices.median(of: asset.symbol, in: environment, policy: policy.prices, at: seconds), policy.prices.refusal(of: median) == nil {
            usd = median.usd
        }
        return policy.poisoning.isDust(asset: asset.symbol, amount: amount, usd: usd)
    }

    /// `units` base units of an asset with `decimals` (at most 18) as a policy decimal; nil
    /// when it is beyond the largest one.
    static func decimal(_ units: BigUInt, decimals: UInt8) -> FixedDecimal? {
        let scaled = units * BigUInt(10).power(FixedDecimal.scale - Int(decimals))
        return Int128(String(scaled)).map(FixedDecimal.init(raw:))
    }

    /// The quorum clears what `target` names (`WatchClearance`) on `chain`
    /// (`GovernanceChange.clearWatchFlag`): in the watch room of the environment it names
    /// (`WatchClearance.scoped`), else in the one room where it clears something; refuses one
    /// that clears nothing, naming why, and one naming no environment that would clear in more
    /// than one room, naming them (review of fin14 L3).
    mutating func clearWatchFlag(chain: String, target: String, operationId: String) throws(GovernanceError) {
        let (named, clearance) = try WatchClearance.scoped(target)
        var cleared: [(environment: DeploymentEnvironment, room: WatchBook)] = []
        var firstRefusal: GovernanceError? = nil
        for environment in named.map({ [$0] }) ?? DeploymentEnvironment.allCases {
            var room = watch(environment)
            do {
                try room.clear(chain: chain, clearance, operationId: operationId)
                cleared.append((environment, room))
            } catch {
                if firstRefusal == nil { firstRefusal = error }
            }
        }
        if cleared.isEmpty, let firstRefusal { throw firstRefusal }
        if named == nil, cleared.count > 1 {
            let rooms = cleared.map(\.environment.rawValue)
            throw GovernanceError(.invalidChange, "\(clearance.text) would clear on \(chain) in the \(rooms.joined(separator: " and ")) watch rooms: "
                + "name the one meant, e.g. \(rooms[0]):\(clearance.text)")
        }
        for (environment, room) in cleared {
            watches[environment] = room
            // What the room forgot of a coverage, the lag forgets of refused reports too.
            switch clearance {
            case .coverage:
                for bot in bots.values where bot.environment == environment { monitoring.forgetRefusedReach(of: bot.id, on: chain) }
            case .watcherCoverage(let bot), .reporter(let bot):
                monitoring.forgetRefusedReach(of: bot, on: chain)
            default:
                break
            }
        }
    }

    /// The watch room of `environment`: what its watchers reported (empty before the first).
    public func watch(_ environment: DeploymentEnvironment) -> WatchBook { watches[environment] ?? WatchBook() }

    /// Each current watcher of `environment`'s own coverage, by chain, then watcher: a bot that
    /// was removed or lost the `watcher` role counts no more (its coverage stays in the room,
    /// shown nowhere).
    public func watchCoverages(in environment: DeploymentEnvironment) -> [String: [String: WatchCoverage]] {
        watch(environment).coverages(of: bots)
    }

    /// How far `poisoning.min_watchers` current watchers of `environment` cover each chain, by
    /// chain (`EffectiveWatchCoverage`); a chain fewer watchers cover is missing. The transition
    /// raises each chain's mark in that environment's room by it and `GET
    /// /v1/watch/{chain}/coverage` shows it; the policy computes the same from
    /// `StateSnapshot.watchCoverage` under its own `min_watchers` (a dry-run's or a proposed
    /// policy's may differ).
    public func watchCoverage(in environment: DeploymentEnvironment) -> [String: EffectiveWatchCoverage] {
        watchCoverages(in: environment).compactMapValues { EffectiveWatchCoverage($0, minWatchers: policy.document.poisoning.minWatchers) }
    }

    /// Every EVM address of every vault (its key's own and those recorded), lowercased.
    var vaultEVMAddresses: Set<String> {
        var addresses: Set<String> = []
        for vault in vaults.values {
            for a in vault.addresses where a.chain == .evm { addresses.insert(a.address.lowercased()) }
            for root in vault.rootAddresses where root.chain == .evm { addresses.insert(root.address.lowercased()) }
        }
        return addresses
    }
}
