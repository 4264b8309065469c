import CustosClusterAPI
import Foundation

extension DrillContext {
    /// `bot-key-stolen`: the thief holds risk-bot's key file. Its requests beyond the bot's
    /// limits are denied by every node's policy; the quorum rotates the key; the old key is then
    /// refused as unauthenticated while the new one signs the bot's routine work.
    func botKeyStolen(_ step: String) async throws(DrillBlocked) {
        switch step {
        case "over-limit":
            let stolen = try currentBotKey("risk-bot")
            notes["stolen-key"] = stolen
            note("the attacker uses \(stolen)")
            let attempts = [
                ("5,000,000 USDC to kraken-devnet", submitTransfer(stolen, asset: "USDC", to: DevCommand.Up.devnetDestination.address, amount: "5000000")),
                ("1 ETH to 0x…dEaD, outside the address book", submitTransfer(stolen, asset: "ETH", to: "0x000000000000000000000000000000000000dEaD", amount: "1")),
            ]
            for (what, command) in attempts {
                guard command.status == 0, let id = Self.requestId(command) else { throw DrillBlocked(command.problem) }
                let states = try await onEveryNode("request \(id.prefix(16))… (\(what)) is decided") { s in s.requests.contains { $0.id == id } }
                for (node, state) in states.sorted(by: { $0.key < $1.key }) {
                    let request = state.requests.first { $0.id == id }!
                    guard request.outcome == "deny" else {
                        throw DrillBlocked("\(node) decided \(what) \(request.outcome): the bot's limits did not hold (\(request.explanation.joined(separator: "; ")))")
                    }
                }
                let request = states.values.first!.requests.first { $0.id == id }!
                note("\(what): request \(id.prefix(16))… denied on every node by \(request.rules.joined(separator: ", "))")
            }
        case "rotate-key":
            let before = try currentBotKey("risk-bot")
            let id = "drill-\(tag)-rotate-risk-bot"
            try await govern(id, proposer: "erin", ["rotate-bot-key", "risk-bot"], approvers: ["frank", "grace"])
            let fresh = (layout.credentials as NSString).appendingPathComponent("risk-bot.\(id).bot.json")
            guard let key = publicKey(ofKeyFile: fresh) else { throw DrillBlocked("the rotation wrote no key file at \(fresh)") }
            try await onEveryNode("risk-bot's key is the new one in \(fresh)") { s in s.bots.first { $0.id == "risk-bot" }?.publicKey == key }
            notes["new-key"] = fresh
            note("every node holds risk-bot's new key \(key.prefix(16))… (\(fresh)); the old one (\(before)) is revoked")
        case "stolen-key-refused":
            guard let stolen = notes["stolen-key"] else { throw DrillBlocked("no stolen key from the first step") }
            try await revokedKeyIsRefused(stolen, bot: "risk-bot")
        case "new-key-signs":
            guard let fresh = notes["new-key"] else { throw DrillBlocked("no new key from the rotation step") }
            let command = submitRoutineMessage(fresh)
            guard command.status == 0, let id = Self.requestId(command) else { throw DrillBlocked(command.problem) }
            let signers = try await signedOnEveryNode(id)
            note("request \(id.prefix(16))… allowed and signed on every node by \(signers.joined(separator: ", ")), with the new key")
        default:
            throw DrillBlocked("bot-key-stolen has no step \(step)")
        }
    }

    /// A request signed with `keyFile`, a key of `bot` revoked by a rotation, is refused: by the
    /// gateway as unauthenticated (every node's committed key for the bot is then checked to be
    /// another), or, if the gateway queues it, by every node, none of which holds the request.
    func revokedKeyIsRefused(_ keyFile: String, bot: String) async throws(DrillBlocked) {
        let refusalsBefore = watched.compactMap { snapshot($0)?.refusals.count }.max() ?? 0
        let command = submitRoutineMessage(keyFile, initiator: bot)
        if command.status != 0 {
            guard command.err.contains("unauthenticated") else { throw DrillBlocked("refused, but not as unauthenticated: \(command.problem)") }
            note("a request signed with \(keyFile): the gateway refused it before the log: \(command.err.trimmingCharacters(in: .whitespacesAndNewlines))")
            let revoked = publicKey(ofKeyFile: keyFile)
            let states = try await onEveryNode("\(bot)'s key is no longer the one in \(keyFile)") { s in
                s.bots.first { $0.id == bot }.map { $0.publicKey != revoked } ?? true
            }
            note("every node's committed key for \(bot) is another (\(states.keys.sorted().joined(separator: ", ")))")
        } else {
            guard let id = Self.requestId(command) else { throw DrillBlocked("the gateway took the request but printed no id: \(command.out)") }
            try await onEveryNode("the request signed with the revoked key is refused") { s throws(DrillBlocked) in
                if s.requests.contains(where: { $0.id == id }) { throw DrillBlocked("a node holds request \(id.prefix(16))… made with the revoked key") }
                return s.refusals.count > refusalsBefore && s.refusals.last?.requestSigning != nil
            }
            note("the gateway queued it; every node refused it: \(snapshot(watched[0])?.refusals.last?.reason ?? "?")")
        }
    }
}
