import CustosClusterAPI
import CustosCore
import CustosPolicy
import CustosState

/// What the operation page of a `change-policy` operation shows beside what is signed: the
/// policy engine's plain-language differences from the policy in force (`PolicyDiff`, as
/// `custos op show` prints them), the checker's warnings about the proposed document compiled
/// with the cluster's people, and the replay of the kept requests of the last `period` under it
/// (`ReplicatedState.replay`). All of it is the gateway's computation over its copy of the
/// committed state, verified by no node; the page says so. (Templates read stored properties.)
struct ConsolePolicyReview: Sendable {
    let note: String
    let diff: [ConsoleText]
    let hasDiff: Bool
    let warnings: [ConsoleText]
    let hasWarnings: Bool
    /// Why every node would refuse the proposed document; nil when it compiles.
    let refusal: String?
    let headline: String
    let period: String
    let changes: [ConsoleText]
    let hasChanges: Bool
    let more: String?
    let limitations: [ConsoleText]

    /// The period the console replays: the last 24 hours of block time.
    static let periodMilliseconds: UInt64 = 86_400_000

    /// The review of `yaml` in `state`, with its replay over the last `periodMilliseconds`
    /// (`PolicyReplayDesk.compute` when not given).
    init(yaml: String, in state: ReplicatedState, replay answer: PolicyReplayDesk.Answer? = nil) {
        note = PolicyReplayView.note(height: state.height)
        var diff: [String]
        do {
            let changes = PolicyDiff(old: try PolicyDocument.decode(yaml: state.policyYAML), new: try PolicyDocument.decode(yaml: yaml),
                                     registeredBots: state.bots.mapValues(\.environment))
            diff = changes.changes.isEmpty ? ["No changes in meaning."] : changes.lines
        } catch {
            diff = ["The proposed policy does not parse: \(error)"]
        }
        self.diff = diff.map(ConsoleText.init)
        hasDiff = !diff.isEmpty
        period = "requests of the last 24 h before block " + String(state.height)
        var warnings: [ConsoleText] = []
        var refusal: String? = nil
        var changes: [ConsoleText] = []
        var more: String? = nil
        var limitations: [ConsoleText] = []
        switch answer ?? PolicyReplayDesk.compute(yaml: yaml, since: state.time - min(state.time, Self.periodMilliseconds), in: state) {
        case .replayed(let replay, let checked):
            warnings = checked.map(ConsoleText.init)
            headline = replay.headline
            changes = replay.changes.map { ConsoleText($0.line) }
            more = replay.changes.count < replay.changedCount ? "… and \(replay.changedCount - replay.changes.count) more." : nil
            limitations = replay.limitations.map(ConsoleText.init)
        case .refused(let error):
            refusal = ConsoleText("Every node would refuse this policy (\(error.code)): \(error.reason)").text
            headline = "Not replayed: the policy would be refused."
        case .tooMuchWork(let requests, let rulesAndLimits):
            headline = "Not replayed: \(requests) requests under \(rulesAndLimits) rules and limits, with the windows' history, is over the gateway's cap."
        case .busy:
            headline = "Not replayed: another replay is running; reload the page in a few seconds."
        }
        self.warnings = warnings
        self.refusal = refusal
        self.changes = changes
        self.more = more
        self.limitations = limitations
        hasWarnings = !warnings.isEmpty
        hasChanges = !changes.isEmpty
    }
}
