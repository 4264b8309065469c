import Crypto
import CustosPolicy
import CustosState

/// Where the gateway replays proposed policies (`ReplicatedState.replay`) for
/// `POST /v1/policies/replay` and the console's change-policy page: anyone may ask and the work is
/// the asker's to size, so one replay runs at a time (another is `busy`), a replay whose work is
/// over `maximumWork` is not run, and the last `keptAnswers` answers are kept per document digest,
/// period and committed height, so a page that is reloaded does not compute again.
actor PolicyReplayDesk {
    /// What a replay of a document over a period at a height came to.
    enum Answer: Sendable {
        /// The replay, and the checker's warnings about the compiled document (so a page that
        /// shows both compiles it once).
        case replayed(PolicyReplay, warnings: [String])
        /// Every node would refuse the document.
        case refused(GovernanceError)
        /// The replay would cost more than the cap (`ReplicatedState.replayWork`): `requests` of the
        /// period under a policy of `rulesAndLimits`.
        case tooMuchWork(requests: Int, rulesAndLimits: Int)
        /// Another replay is running.
        case busy
    }

    private struct Key: Hashable {
        let digest: [UInt8]
        let since: UInt64
        let height: UInt64
    }

    /// The most work one replay may cost by default (`ReplicatedState.replayWork`): about
    /// 10,000 kept requests decided twice under policies of 100 rules and limits.
    static let standardMaximumWork = 4_000_000
    /// How many answers are kept.
    static let keptAnswers = 8
    /// How long a refused asker waits before asking again, in seconds.
    static let retryAfterSeconds = 2

    /// The most work one replay of this desk may cost.
    nonisolated let maximumWork: Int
    private var running = false
    private var answers: [(key: Key, answer: Answer)] = []

    /// How a replay is computed (`compute`; a test's own to see a second asker turned away).
    private nonisolated let computation: @Sendable (_ yaml: String, _ since: UInt64, _ state: ReplicatedState, _ maximumWork: Int) async -> Answer

    init(
        maximumWork: Int = standardMaximumWork,
        computation: @escaping @Sendable (_ yaml: String, _ since: UInt64, _ state: ReplicatedState, _ maximumWork: Int) async -> Answer = {
            compute(yaml: $0, since: $1, in: $2, maximumWork: $3)
        }
    ) {
        self.maximumWork = maximumWork
        self.computation = computation
    }

    /// The replay of `yaml` over the requests of `state` (committed at `height`) decided at or
    /// after block time `since`: a kept answer, `busy` while another replay runs, or computed now
    /// (off this actor, so a second asker is told `busy` rather than queued).
    nonisolated func replay(yaml: String, since: UInt64, in state: ReplicatedState, height: UInt64) async -> Answer {
        let key = Key(digest: Array(SHA256.hash(data: Array(yaml.utf8))), since: since, height: height)
        if let kept = await take(key) { return kept }
        let answer = await computation(yaml, since, state, maximumWork)
        await finish(key, answer)
        return answer
    }

    /// `work` (another computation over a proposed policy: an access matrix) run in this desk's
    /// one slot, or nil while a replay or another such computation runs.
    nonisolated func exclusive<T: Sendable>(_ work: @Sendable () -> T) async -> T? {
        guard await claim() else { return nil }
        let result = work()
        await release()
        return result
    }

    private func claim() -> Bool {
        guard !running else { return false }
        running = true
        return true
    }

    private func release() { running = false }

    /// A kept answer for `key`, `busy`, or nil after marking a replay as running.
    private func take(_ key: Key) -> Answer? {
        if let kept = answers.first(where: { $0.key == key }) { return kept.answer }
        guard !running else { return .busy }
        running = true
        return nil
    }

    private func finish(_ key: Key, _ answer: Answer) {
        running = false
        answers.removeAll { $0.key == key }
        answers.append((key, answer))
        if answers.count > Self.keptAnswers { answers.removeFirst(answers.count - Self.keptAnswers) }
    }

    /// The replay itself, its work measured before it runs.
    static func compute(yaml: String, since: UInt64, in state: ReplicatedState, maximumWork: Int = standardMaximumWork) -> Answer {
        let policy: CompiledPolicy
        do throws(GovernanceError) { policy = try state.proposedPolicy(yaml: yaml) } catch { return .refused(error) }
        let (requests, work) = state.replayWork(of: policy, since: since)
        let rulesAndLimits = policy.document.rules.count + policy.document.limits.count
        guard work <= maximumWork else { return .tooMuchWork(requests: requests, rulesAndLimits: rulesAndLimits) }
        // The roles section's findings, judged from the document alone, are no part of a compile.
        let roleFindings = (try? PolicyDocument.decode(yaml: yaml))?.roleSectionFindings() ?? []
        return .replayed(state.replay(policy, since: since), warnings: (policy.warnings + roleFindings).map(\.description))
    }
}
