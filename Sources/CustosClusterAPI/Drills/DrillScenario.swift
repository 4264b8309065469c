/// The scripted incident drills `custos drill run` performs against a development cluster made
/// by `custos dev up` (its demo organisation: erin, frank and grace admins, heidi a security
/// officer, the risk bot, four signer nodes). Each is a list of steps; what each step does to
/// the cluster lives in the CLI, which reads every check from the nodes' committed state.
public enum DrillScenario: String, CaseIterable, Codable, Sendable {
    case botKeyStolen = "bot-key-stolen"
    case rogueInsider = "rogue-insider"
    case lostSite = "lost-site"
    case nodeCompromised = "node-compromised"

    public var title: String {
        switch self {
        case .botKeyStolen: "a bot's key is stolen"
        case .rogueInsider: "a rogue insider"
        case .lostSite: "a site with two of the four signer nodes is lost"
        case .nodeCompromised: "a signer node is compromised"
        }
    }

    public var summary: String {
        switch self {
        case .botKeyStolen: "the thief uses the risk bot's key file beyond its limits (denied by policy), the key is rotated, the old key is refused"
        case .rogueInsider: "a new admin acts, is offboarded in one operation, can do nothing more; the exit report's due bot keys are rotated"
        case .lostSite: "two nodes stop; the log has no quorum; the replacement that would let them be dropped cannot be committed (the drill says so)"
        case .nodeCompromised: "freeze, add a replacement node, remove node-4 (every vault reshared without it), unfreeze, a routine request is signed again"
        }
    }

    public var steps: [DrillStep] {
        switch self {
        case .botKeyStolen: [
            DrillStep(id: "over-limit", actor: "the attacker, with risk-bot's key file",
                      action: "submit transfers beyond the risk bot's limits: 5,000,000 USDC to kraken-devnet, and 1 ETH to an address outside the address book",
                      check: "every node decided both requests deny"),
            DrillStep(id: "rotate-key", actor: "erin proposes; frank and grace approve",
                      action: "rotate-bot-key risk-bot (the old key is revoked when it executes)",
                      check: "every node holds the new public key for risk-bot"),
            DrillStep(id: "stolen-key-refused", actor: "the attacker, with the old key file",
                      action: "submit a request the policy allows the risk bot",
                      check: "refused as unauthenticated, and no node holds a request from it"),
            DrillStep(id: "new-key-signs", actor: "the risk bot, with its new key file",
                      action: "submit its routine venue login challenge (sol-treasury)",
                      check: "every node decided it allow and holds its signature"),
        ]
        case .rogueInsider: [
            DrillStep(id: "onboard", actor: "erin proposes; frank and grace approve; the newcomer enrols",
                      action: "add a new person with the admin role and enrol their credential",
                      check: "every node holds the person with the admin role and one credential"),
            DrillStep(id: "insider-acts", actor: "the newcomer proposes; frank and grace approve",
                      action: "add-bot: a bot whose key file the newcomer holds",
                      check: "every node holds the bot, active"),
            DrillStep(id: "offboard", actor: "erin proposes; frank and grace approve",
                      action: "offboard-user: every credential and role revoked in one operation",
                      check: "every node holds the person with no role and no credential"),
            DrillStep(id: "locked-out", actor: "the offboarded person",
                      action: "propose an operation with their old credential",
                      check: "refused, and no node holds the operation"),
            DrillStep(id: "exit-report", actor: "erin",
                      action: "custos user exit-report",
                      check: "the report lists the bot they administered as due for rotation"),
            DrillStep(id: "rotate-due", actor: "erin proposes; frank and grace approve",
                      action: "rotate-bot-key for every bot the exit report lists as due",
                      check: "every node holds a new public key for each; the key the newcomer kept is refused"),
        ]
        case .lostSite: [
            DrillStep(id: "site-down", actor: "the drill (simulating the outage)",
                      action: "stop node-3 and node-4 answering (SIGSTOP: the site is unreachable)",
                      check: "both processes are stopped"),
            DrillStep(id: "outage-confirmed", actor: "the risk bot",
                      action: "submit its routine venue login challenge",
                      check: "not committed by node-1 or node-2 within 10 s (their log needs 3 of 4 votes)"),
            DrillStep(id: "add-replacement", actor: "erin proposes (frank and grace would approve)",
                      action: "add-member of a replacement node made on a healthy site (the first step of replacing a lost node: removing one of four members is refused)",
                      check: "the proposal is committed by node-1 and node-2 within 15 s"),
            DrillStep(id: "reshare", actor: "frank and grace approve; the members reshare",
                      action: "approve the replacement; every vault is reshared to it",
                      check: "no vault awaits a reshare on any live node"),
        ]
        case .nodeCompromised: [
            DrillStep(id: "freeze", actor: "heidi (security officer), alone",
                      action: "freeze all signing",
                      check: "every node is frozen"),
            DrillStep(id: "replacement", actor: "an operator starts it; erin proposes; frank and grace approve",
                      action: "add a replacement signer node: created, started, added by add-member (a cluster keeps at least four members)",
                      check: "every node counts it among the voting members, and every vault is reshared to it"),
            DrillStep(id: "remove-member", actor: "erin proposes; frank and grace approve",
                      action: "remove-member node-4",
                      check: "no node counts node-4 among the voting members"),
            DrillStep(id: "reshare", actor: "the remaining nodes",
                      action: "reshare every active vault without node-4",
                      check: "on every node no vault awaits a reshare, and node-4 holds no share of any vault's current key epoch"),
            DrillStep(id: "unfreeze", actor: "erin proposes; frank, grace and heidi approve",
                      action: "unfreeze",
                      check: "no node is frozen"),
            DrillStep(id: "routine-signed", actor: "the risk bot",
                      action: "submit its routine venue login challenge (sol-treasury)",
                      check: "every node holds its signature, made without node-4"),
        ]
        }
    }

    /// What the system cannot do in this scenario, said in every report of it.
    public var limit: String? {
        switch self {
        case .lostSite:
            "With two of four signer nodes lost, the log cannot commit anything: a block needs 3 of 4 votes. Replacing a lost node "
                + "(add-member of a new node, then remove-member of the lost one; removing one of four members alone is refused, as three "
                + "tolerate no faulty node) takes log entries, so it cannot start, and neither can the reshares that would move every vault "
                + "to the new membership. The cluster does not recover until one of the lost nodes returns with its own data (the machine, or "
                + "its disk); a node restored from a backup does not vote until its own restore entry commits, which needs the same quorum, "
                + "so restoring from backups does not bring this cluster back either. Once one lost node is back, the log commits again and the "
                + "replacement can go through."
        default: nil
        }
    }
}
