import CustosClusterAPI
import CustosCore
import CustosState
import Foundation

extension DrillContext {
    /// `rogue-insider`: a newcomer made admin registers a bot whose key they hold; one
    /// `offboard-user` operation takes every credential and role; they can propose nothing
    /// more; their exit report names the bot keys due; those are rotated.
    func rogueInsider(_ step: String) async throws(DrillBlocked) {
        let user = notes["insider"] ?? "insider-\(tag)"
        notes["insider"] = user
        let bot = "\(user)-bot"
        switch step {
        case "onboard":
            try await govern("drill-\(tag)-add-\(user)", proposer: "erin", ["add-user", user, "admin"], approvers: ["frank", "grace"])
            let codeFile = (work as NSString).appendingPathComponent("\(user).enrolment-code")
            let code = try must(["op", "enrolment-code", "--out", codeFile])
            guard let key = code.out.split(separator: "\n").first(where: { $0.contains("code key") })?.split(separator: " ").last.map(String.init) else {
                throw DrillBlocked("op enrolment-code printed no code key: \(code.out)")
            }
            let enrolment = "drill-\(tag)-enrol-\(user)"
            try await govern(enrolment, proposer: "erin", ["enrol-credential", user, key], approvers: ["frank", "grace"])
            let file = (work as NSString).appendingPathComponent("\(user).json")
            try must(["op", "enrol", "--gateway", gateway, "--cluster", layout.clusterFile, "--user", user, "--enrolment", enrolment,
                      "--code-file", codeFile, "--out", file])
            notes["credential:\(user)"] = file
            try await onEveryNode("\(user) holds the admin role and one credential") { s in
                s.users.first { $0.id == user }.map { $0.roles == ["admin"] && $0.credentials.count == 1 } ?? false
            }
            note("every node holds \(user), admin, with the credential they enrolled themselves (\(file))")
        case "insider-acts":
            try await govern("drill-\(tag)-add-\(bot)", proposer: user, ["add-bot", bot, "risk-bot", "--environment", "development"],
                             approvers: ["frank", "grace"])
            try await onEveryNode("the bot \(bot) is active") { s in s.bots.contains { $0.id == bot && $0.active } }
            note("\(user) holds the key of \(bot) (written next to their credential)")
        case "offboard":
            try await govern("drill-\(tag)-offboard-\(user)", proposer: "erin", ["offboard-user", user], approvers: ["frank", "grace"])
            try await onEveryNode("\(user) holds no role and no credential") { s in
                s.users.first { $0.id == user }.map { $0.roles.isEmpty && $0.credentials.isEmpty } ?? true
            }
            note("every node holds \(user) with no role and no credential")
        case "locked-out":
            let id = "drill-\(tag)-by-\(user)"
            let command = custos(["op", "propose", "--gateway", gateway, "--as", credential(user), "--id", id, "add-user", "\(user)-friend", "admin"])
            if command.status != 0 {
                // Refused as the insider's, not for any reason (review of the drills M1): a gateway
                // that is down, or one refusing everything, is not the lock-out this step shows.
                guard command.err.contains(".unauthenticated): ") || command.err.contains(".forbidden): ") else {
                    throw DrillBlocked("the proposal failed, but not as unauthenticated or forbidden: \(command.problem)")
                }
                note("refused at once: \(command.err.trimmingCharacters(in: .whitespacesAndNewlines).printable(limit: 600))")
                let states = try await onEveryNode("no node holds operation \(id)", seconds: 5) { s in !s.operations.contains { $0.id == id } }
                note("no node holds \(id) (\(states.keys.sorted().joined(separator: ", ")))")
            } else {
                let states = try await onEveryNode("the proposal by \(user) is refused") { s throws(DrillBlocked) in
                    if s.operations.contains(where: { $0.id == id }) { throw DrillBlocked("a node holds operation \(id) proposed by the offboarded \(user)") }
                    return s.refusals.contains { $0.operationId == id }
                }
                let refusal = states.values.first?.refusals.last { $0.operationId == id }
                note("the gateway queued it; every node refused it: \(refusal?.code ?? "?"): \(refusal?.reason ?? "?")")
            }
        case "exit-report":
            let command = try must(["user", "exit-report", "--gateway", gateway, "--json", user])
            let report: ExitReport
            do { report = try JSONDecoder().decode(ExitReport.self, from: Data(command.out.utf8)) } catch {
                throw DrillBlocked("the exit report of \(user) does not decode: \(error)")
            }
            let o = report.offboarding
            note("offboarded by \(o.operationId) at height \(o.height); had roles \(o.roles.joined(separator: ", ")); administered \(o.administeredBots.joined(separator: ", "))")
            guard o.botsDue.contains(bot) else { throw DrillBlocked("the exit report does not list \(bot) as due for rotation (due: \(o.botsDue))") }
            // The report is the gateway's view (review of the drills M2): the drill made the
            // insider, so it knows the one bot they administered, and rotates nothing else. A
            // report naming more is a gateway (or a cluster) that disagrees: blocked, not obeyed.
            let others = o.botsDue.filter { $0 != bot }
            guard others.isEmpty else {
                throw DrillBlocked("the gateway's exit report of \(user) names bots the insider never administered as due: "
                                   + others.joined(separator: ", ").printable(limit: 300) + "; the drill rotates none of them")
            }
            try await onEveryNode("\(user) proposed the bot \(bot) and holds no role") { s in
                s.operations.contains { $0.proposer == user && $0.status == "executed" && $0.id == "drill-\(tag)-add-\(bot)" }
                    && (s.users.first { $0.id == user }.map { $0.roles.isEmpty } ?? true)
            }
            notes["due"] = bot
            note("keys due for rotation now: \(o.botsDue.joined(separator: ", "))")
        case "rotate-due":
            let due = (notes["due"] ?? "").split(separator: " ").map(String.init)
            guard !due.isEmpty else { throw DrillBlocked("no bot keys due from the exit report step") }
            for bot in due {
                guard let before = watched.lazy.compactMap({ self.snapshot($0)?.bots.first { $0.id == bot }?.publicKey }).first else {
                    throw DrillBlocked("no node holds the bot \(bot)")
                }
                try await govern("drill-\(tag)-rotate-\(bot)", proposer: "erin", ["rotate-bot-key", bot], approvers: ["frank", "grace"])
                try await onEveryNode("\(bot)'s key changed") { s in s.bots.first { $0.id == bot }.map { $0.publicKey != before } ?? false }
                note("every node holds a new key for \(bot)")
            }
            // The key the insider kept for the bot they registered no longer signs anything.
            let kept = (work as NSString).appendingPathComponent("\(bot).bot.json")
            try await revokedKeyIsRefused(kept, bot: bot)
        default:
            throw DrillBlocked("rogue-insider has no step \(step)")
        }
    }
}
