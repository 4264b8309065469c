import CustosClusterAPI
import Foundation

extension DrillContext {
    /// The votes a block needs among `n` members: q = ⌈(n+f+1)/2⌉ with f = ⌊(n−1)/3⌋.
    static func quorum(_ n: Int) -> Int { (n + (n - 1) / 3 + 2) / 2 }

    /// The members of the lost site: the last two.
    var lostSite: [String] { Array(members.suffix(2)) }

    /// `lost-site`: the site holding the last two of four members goes dark (their processes
    /// stopped, as an unreachable machine is). The drill shows the log stalls, then takes the
    /// step a firm would — remove a lost node, whose reshare would move every vault to the
    /// survivors — and reports whether the cluster can commit it. It does not pretend: with
    /// two of four lost there is no quorum, and the report says so.
    func lostSite(_ step: String) async throws(DrillBlocked) {
        let quorum = Self.quorum(members.count)
        switch step {
        case "site-down":
            guard members.count == 4 else { throw DrillBlocked("the drill is written for four members; the cluster has \(members.count)") }
            for node in lostSite { try pause(node) }
            for (node, pid) in paused.sorted(by: { $0.key < $1.key }) {
                // SIGSTOP reaches a process with many threads asynchronously: the state turns
                // to T within milliseconds, not at once (a CI run saw R right after the kill).
                let deadline = Date().addingTimeInterval(5)
                while Self.state(pid) != "T", Self.state(pid) != nil, Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
                guard Self.state(pid) == "T" else { throw DrillBlocked("\(node) (process \(pid)) is not stopped: state \(Self.state(pid).map(String.init) ?? "gone")") }
                note("\(node) (process \(pid)) stopped")
            }
        case "outage-confirmed":
            let before = Dictionary(uniqueKeysWithValues: watched.map { ($0, snapshot($0)?.height ?? 0) })
            let command = submitRoutineMessage(try currentBotKey("risk-bot"))
            guard command.status == 0, let id = Self.requestId(command) else { throw DrillBlocked(command.problem) }
            notes["outage-request"] = id
            note("the gateway queued request \(id.prefix(16))…")
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                for node in watched {
                    if let state = snapshot(node), state.requests.contains(where: { $0.id == id }) {
                        throw DrillBlocked("\(node) committed request \(id.prefix(16))… at height \(state.height) with \(lostSite.joined(separator: " and ")) stopped: the outage did not stop the log")
                    }
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
            // The log stalled, not the gateway that dropped the request (review of the drills M4):
            // no live member committed a block in the window.
            if let moved = watched.first(where: { (snapshot($0)?.height ?? 0) > (before[$0] ?? 0) }) {
                throw DrillBlocked("\(moved) committed blocks up to height \(snapshot(moved)?.height ?? 0) during the outage without request \(id.prefix(16))…: "
                                   + "the log did not stall, so the request was kept out by something else (a gateway dropping it?)")
            }
            let heights = watched.map { "\($0) at height \(snapshot($0)?.height ?? 0) (was \(before[$0] ?? 0))" }
            note("not committed after 10 s: \(heights.joined(separator: ", ")); \(watched.count) of \(members.count) members vote, a block needs \(quorum)")
        case "add-replacement":
            let node = replacementId()
            notes["replacement"] = node
            let request = try prepareReplacement(node)
            let id = "drill-\(tag)-add-\(node)"
            notes["proposal"] = id
            let before = Dictionary(uniqueKeysWithValues: watched.map { ($0, snapshot($0)?.height ?? 0) })
            try must(["op", "propose", "--gateway", gateway, "--as", credential("erin"), "--id", id, "add-member", request])
            note("the gateway queued operation \(id) (add-member \(node))")
            do {
                try await onEveryNode("operation \(id) is committed", seconds: 15) { s in
                    s.operations.contains { $0.id == id } || s.refusals.contains { $0.operationId == id }
                }
            } catch {
                // Only a log that committed nothing in the window is blocked for want of a quorum.
                if let moved = watched.first(where: { (snapshot($0)?.height ?? 0) > (before[$0] ?? 0) }) {
                    throw DrillBlocked("operation \(id) was not committed within 15 s although \(moved) committed up to height \(snapshot(moved)?.height ?? 0): "
                                       + "the log did not stall, so something else kept the operation out (\(error.reason))")
                }
                let heights = watched.map { "\($0) still at height \(before[$0] ?? 0)" }.joined(separator: ", ")
                throw DrillBlocked("the log has no quorum (\(heights)): \(watched.joined(separator: " and ")) are the only voting members that answer, and a block "
                                   + "needs \(quorum) of \(members.count) votes; add-member is itself a log entry, so it cannot be committed "
                                   + "and no reshare can start (\(error.reason))")
            }
            if let refusal = watched.lazy.compactMap({ self.snapshot($0)?.refusals.last { $0.operationId == id } }).first {
                throw DrillBlocked("every node refused \(id): \(refusal.reason)")
            }
            note("operation \(id) is committed on \(watched.joined(separator: ", "))")
        case "reshare":
            guard let id = notes["proposal"], let node = notes["replacement"] else { throw DrillBlocked("no replacement from the previous step") }
            _ = try startReplacement(node)
            for approver in ["frank", "grace"] { try must(["op", "approve", "--gateway", gateway, "--as", credential(approver), "--yes", id]) }
            try await onEveryNode("operation \(id) is executed", seconds: 60) { s in s.operations.contains { $0.id == id && $0.status == "executed" } }
            added.append(node)
            try await onEveryNode("every vault is reshared to \(node)", seconds: 240) { s in s.vaultsAwaitingReshare.isEmpty }
            note("every vault reshared among \(watched.joined(separator: ", ")) and \(node)")
        default:
            throw DrillBlocked("lost-site has no step \(step)")
        }
    }

    /// After `lost-site` (its nodes already running again): once every member has caught up,
    /// erin withdraws the replacement the drill proposed if it committed and is still open, so the
    /// cluster is as before; a line each.
    func settleLostSite() async -> [String] {
        var lines: [String] = []
        let height = members.compactMap { snapshot($0)?.height }.max() ?? 0
        do {
            try await onEveryNode("every member commits past height \(height)", seconds: 120) { s in s.height > height }
            lines.append("every member commits again, past height \(height)")
        } catch { return lines + ["the cluster did not commit again within 120 s of the nodes' return: \(error.reason)"] }
        if let id = notes["outage-request"] {
            let signed = try? await signedOnEveryNode(id, seconds: 120)
            lines.append("the request queued during the outage (\(id.prefix(16))…) " + (signed.map { "was signed by \($0.joined(separator: ", "))" } ?? "was not signed within 120 s"))
        }
        guard let id = notes["proposal"] else { return lines }
        do {
            let states = try await onEveryNode("operation \(id) is committed or refused", seconds: 60) { s in
                s.operations.contains { $0.id == id } || s.refusals.contains { $0.operationId == id }
            }
            if states.values.contains(where: { $0.operations.first { $0.id == id }?.status == "proposed" }) {
                try must(["op", "reject", "--gateway", gateway, "--as", credential("erin"), "--yes", id])
                try await onEveryNode("operation \(id) is withdrawn") { s in s.operations.contains { $0.id == id && $0.status != "proposed" } }
                lines.append("the replacement the drill proposed (\(id)) committed once the nodes returned; erin withdrew it")
            } else {
                lines.append("the replacement the drill proposed (\(id)) is " + (states.values.first?.operations.first { $0.id == id }?.status ?? "refused"))
            }
            if let node = notes["replacement"], paused[node] == nil, !added.contains(node) {
                lines.append("\(node)'s folder (never started, never a member) stays in \(layout.node(node))")
            }
        } catch { lines.append("the replacement \(id) was not settled: \(error.reason)") }
        return lines
    }
}
