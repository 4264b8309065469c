import CustosCore
import CustosPolicy

extension ReplicatedState {
    /// The monitoring part of an accepted `watch.report` of `watcher` (`applyWatch`): decodes
    /// each reported log and vault transaction itself under the policy's `monitoring` section
    /// (`MonitoredEvent.events`; what the section does not watch counts for nothing), records
    /// `watcher`'s report of each (`MonitoringBook.report`), then settles what the chain's
    /// events and the coverage of `environment` (the watcher's) now allow and checks how far
    /// that coverage lags. Only watchers of that environment count for it.
    mutating func recordMonitoring(_ report: WatchReport, by watcher: String, in environment: DeploymentEnvironment) {
        let policy = document.monitoring
        if !report.logs.isEmpty || !report.vaultTransactions.isEmpty {
            let vaults = vaultEVMAddresses
            var events: [MonitoredEvent] = []
            for log in report.logs { events += MonitoredEvent.events(of: log, chain: report.chain, policy: policy, vaults: vaults) }
            for transaction in report.vaultTransactions {
                events += MonitoredEvent.events(of: transaction, chain: report.chain, policy: policy, vaults: vaults)
            }
            for event in events { monitoring.report(event, by: watcher) }
        }
        settleMonitoredEvents(on: report.chain, in: environment)
        checkMonitoringLag(on: report.chain, in: environment)
    }

    /// Settles every pending event on `chain` that `poisoning.min_watchers` current watchers
    /// reported and whose block the chain's coverage (`watchCoverage`) includes, lowest block
    /// first: an `unsigned-vault-transaction` whose hash the log signed settles without an
    /// alert; every other raises its alert, basis `watched`, naming the watchers, and freezes
    /// signing when `alerts.freeze_on` names its kind. An event reported by fewer watchers, by
    /// watchers no longer current, or in a block past the coverage stays pending.
    mutating func settleMonitoredEvents(on chain: String, in environment: DeploymentEnvironment) {
        guard let covered = watchCoverage(in: environment)[chain]?.block else { return }
        let current = Set(currentWatchers.filter { bots[$0]?.environment == environment })
        let needed = document.poisoning.minWatchers
        for (key, held) in monitoring.pending(on: chain) {
            let watchers = held.reporters.filter(current.contains)
            guard held.event.block <= covered, watchers.count >= needed else { continue }
            if held.event.kind == .unsignedVaultTransaction,
               let hash = try? [UInt8](hex: held.event.transaction.dropFirst(2)), transactions.signedHashes.contains(hash) {
                monitoring.settle(key, alert: nil)
                continue
            }
            let id = alerts.raise(held.event, watchers: watchers, height: height, time: time)
            monitoring.settle(key, alert: id)
            freezeOnMonitoringAlert(id, kind: held.event.kind)
        }
    }

    /// Raises `monitoring-lagging` on `chain` when the watchers' coverage (`watchCoverage`)
    /// falls more than `monitoring.alert_within_blocks` behind the block `poisoning.min_watchers`
    /// current watchers each reported (no fewer watchers can move it: one lying watcher claiming
    /// a far block raises nothing), in a report taken or one refused only as read for another
    /// monitoring section, once per episode; the episode ends when the coverage is
    /// within the bound again. Nothing without the `monitoring` section, or before
    /// `min_watchers` watchers reported the chain.
    mutating func checkMonitoringLag(on chain: String, in environment: DeploymentEnvironment) {
        guard let bound = document.monitoring.alertWithinBlocks else {
            monitoring.setLagging(chain, alert: nil)
            return
        }
        let needed = document.poisoning.minWatchers
        // A watcher in the middle of a range posted in parts reached only its coverage so far.
        let room = watch(environment)
        // A report refused as read for another section counts as far as it read (review
        // helper-133 M1): a gateway serving the watchers another section stalls the coverage, and
        // that stall is a lag like any other.
        let reached = currentWatchers.filter { bots[$0]?.environment == environment }.compactMap { bot -> UInt64? in
            let taken = room.progress[bot + "/" + chain] != nil ? room.coverage(by: bot, on: chain)?.block : room.reportedBlock(by: bot, on: chain)
            guard let refused = monitoring.refusedReach[bot + "/" + chain] else { return taken }
            return max(taken ?? 0, refused)
        }.sorted(by: >)
        guard reached.count >= needed else { return }
        let head = reached[needed - 1]
        let covered = watchCoverage(in: environment)[chain]?.block
        let behind = covered.map { head > $0 && head - $0 > UInt64(bound) } ?? true
        guard behind else {
            monitoring.setLagging(chain, alert: nil)
            return
        }
        guard monitoring.lagging[chain] == nil else { return }
        let event = MonitoredEvent(kind: .monitoringLagging, chain: chain, contract: "", block: covered ?? 0, blockHash: "", transaction: "", logIndex: nil,
                                   fields: ["reached": String(head), "covered": covered.map(String.init) ?? "none", "alert_within_blocks": String(bound)])
        let id = alerts.raise(event, watchers: [], episode: monitoring.nextLagEpisode(of: chain), height: height, time: time)
        monitoring.setLagging(chain, alert: id)
        freezeOnMonitoringAlert(id, kind: .monitoringLagging)
    }

    /// The active bots holding the `watcher` role, by id.
    var currentWatchers: [String] {
        bots.values.filter { $0.active && $0.roles.contains(WatchEntry.watcherRole) }.map(\.id).sorted()
    }

    /// Freezes signing for monitoring alert `id` of `kind` when `alerts.freeze_on` names the kind
    /// and no alert froze it already: the alert rests on `min_watchers` watchers' reports, settled
    /// in this transition.
    private mutating func freezeOnMonitoringAlert(_ id: UInt64, kind: Alert.Kind) {
        guard frozenBy == nil, document.alerts.freezeOn.contains(kind.rawValue) else { return }
        frozen = true
        frozenBy = AutomaticFreeze(alert: id, kind: kind, requestId: "", height: height, blockTime: time)
    }
}
