/// How far one watcher's reports of one range of a chain have come (security review H2): the
/// range `fromBlock` through `block` goes out in `parts` reports, and parts 1 through
/// `committed` were committed in order. The chain's coverage extends over the range only when
/// its last part completes the run; a part out of order (one the gateway dropped, held back or
/// replayed) ends the run, and the range counts as covered only once the watcher posts it again
/// from part 1.
struct WatchRangeProgress: Sendable, Hashable, Codable {
    let fromBlock: UInt64
    let block: UInt64
    /// The hash of `block` the run's first part named: a part of another posting of the range
    /// (after a reorg) never continues it (second review M-2).
    let blockHash: String
    /// The vault addresses and the monitoring section the run's first part was read for: a part
    /// read for others (a policy or vault change between two postings of the range, parts of
    /// both committed by a gateway that picks them) never continues it (review of 37b8590 M2).
    let vaultsDigest: String
    let monitoring: String?
    let parts: Int
    var committed: Int

    init(first report: WatchReport) {
        fromBlock = report.fromBlock
        block = report.block
        blockHash = report.blockHash
        vaultsDigest = report.vaultsDigest
        monitoring = report.monitoring
        parts = report.parts
        committed = 0
    }

    /// Whether `report` is the next part of this run.
    func continues(with report: WatchReport) -> Bool {
        report.fromBlock == fromBlock && report.block == block && report.blockHash == blockHash && report.parts == parts && report.part == committed + 1
            && report.vaultsDigest == vaultsDigest && report.monitoring == monitoring
    }
}
