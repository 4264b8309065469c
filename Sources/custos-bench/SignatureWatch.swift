import CustosClusterAPI
import CustosLedger
import CustosState

/// The signing workload's view of the committed log: the requests it submitted, and for each
/// when the block carrying it committed and when a block carrying its signature committed —
/// the signature checked here, independently, under the vault's key (`SigningScheme.verifies`),
/// when the signing input is known in advance (a message); for a transfer also when its
/// transaction's parameters and its receipt committed (its signature is checked afterwards
/// against the raw transaction the state recorded: `ERC20Benchmarks.verify`).
/// Fed one committed block at a time, in height order, by the one task that follows the log;
/// submitters wait here for their request's outcome.
actor SignatureWatch {
    /// The vaults requests are signed with, by id: the scheme, and the vault as created.
    typealias Vaults = [String: (scheme: SigningScheme, view: VaultView)]

    /// What became of one submitted request; times are `nowNanoseconds()` when the block that
    /// showed it reached the workload.
    struct Outcome: Sendable {
        var requestCommitted: UInt64?
        /// When the executor's first parameters for the request's transaction committed (transfers).
        var parametersCommitted: UInt64?
        var signed: UInt64?
        /// Why no verified signature was seen, if none was.
        var failure: String?
        var signature: [UInt8] = []
    }

    private struct Expected {
        /// Nil for a transaction: its signing hash depends on the parameters committed later.
        let input: [UInt8]?
        let vault: String
        let since: UInt64
        var outcome = Outcome()
        var waiter: CheckedContinuation<Outcome, Never>?
        var done = false
    }

    private let vaults: SignatureWatch.Vaults
    private var expected: [String: Expected] = [:]
    /// Request entries' digests (hex) to the request ids they submit.
    private var entries: [String: String] = [:]
    /// Requests whose outcome was handed over.
    private var finished: Set<String> = []
    /// Signature entries in the log that did not verify here, and repeats of a signature the
    /// log already had (a signer's resubmission).
    private(set) var unverified = 0
    private(set) var repeats = 0
    /// When the log showed the receipt of each submitted request's transaction, by request id.
    private(set) var receipts: [String: UInt64] = [:]

    init(vaults: Vaults) { self.vaults = vaults }

    /// Notes a request before it is submitted: its id, the digest of its log entry, the vault
    /// asked to sign and the signing input the nodes derive.
    func expect(request id: String, entry: String, vault: String, input: [UInt8]?) {
        expected[id] = Expected(input: input, vault: vault, since: nowNanoseconds())
        entries[entry] = id
    }

    /// The outcome of request `id` (noted with `expect`), once its signature is verified or it failed.
    func outcome(of id: String) async -> Outcome {
        guard let e = expected[id] else { return Outcome(failure: "never submitted") }
        if e.done { return finish(id) }
        return await withCheckedContinuation { expected[id]!.waiter = $0 }
    }

    /// A request the gateway refused: nothing will commit for it.
    func refused(_ id: String, reason: String) {
        settle(id) { $0.failure = "refused by the gateway: \(reason)" }
    }

    /// Takes the next committed block, seen at `time`.
    func committed(_ block: Block, at time: UInt64) {
        for entry in block.entries {
            if entry.kind == RequestEntry.submitKind, let id = entries.removeValue(forKey: entry.digest.hex) {
                expected[id]?.outcome.requestCommitted = time
            } else if entry.kind == VaultEntry.signatureKind,
                      case .signature(let vault, _, let request, let signature)? = try? VaultEntry(payload: entry.payload, kind: entry.kind) {
                guard let e = expected[request], !e.done else {
                    if finished.contains(request) || expected[request] != nil { repeats += 1 }
                    continue
                }
                guard e.vault == vault, let known = vaults[vault], e.input.map({ known.scheme.verifies(signature, $0, known.view) }) ?? true else {
                    unverified += 1
                    continue
                }
                settle(request) {
                    $0.signed = time
                    $0.signature = signature
                }
            } else if entry.kind == TransactionParametersEntry.kind, let parameters = try? TransactionParametersEntry(entry).parameters,
                      expected[parameters.requestId]?.outcome.parametersCommitted == nil {
                expected[parameters.requestId]?.outcome.parametersCommitted = time
            } else if entry.kind == TransactionReceiptEntry.kind, let receipt = try? TransactionReceiptEntry(entry).receipt,
                      receipts[receipt.requestId] == nil, finished.contains(receipt.requestId) || expected[receipt.requestId] != nil {
                receipts[receipt.requestId] = time
            }
        }
    }

    /// Fails every request still without a signature that was noted before `cutoff`.
    func expire(notedBefore cutoff: UInt64, reason: String) {
        for (id, e) in expected where !e.done && e.since < cutoff { settle(id) { $0.failure = reason } }
    }

    private func settle(_ id: String, _ change: (inout Outcome) -> Void) {
        guard var e = expected[id], !e.done else { return }
        change(&e.outcome)
        e.done = true
        expected[id] = e
        if e.waiter != nil { _ = finish(id) }
    }

    /// Hands the outcome to its waiter, if any, and forgets the request.
    private func finish(_ id: String) -> Outcome {
        let e = expected.removeValue(forKey: id)!
        finished.insert(id)
        e.waiter?.resume(returning: e.outcome)
        return e.outcome
    }
}
