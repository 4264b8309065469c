import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    /// The governance room as the requests room reads it at this state's block.
    var requestAuthority: RequestAuthority { requestAuthority(policy: policy, version: policyVersion, windows: windows, frozen: frozen) }

    /// The governance room as it is, read with another policy, windows and freeze flag (a
    /// replay's: `replay(_:since:)`).
    func requestAuthority(policy: CompiledPolicy, version: Int, windows: WindowsRoom, frozen: Bool) -> RequestAuthority {
        RequestAuthority(
            policy: policy, policyVersion: version, frozen: frozen, bots: bots, users: users, relyingParty: relyingParty,
            requireUserVerification: requireUserVerification, vaults: vaults, cluster: genesisDigest,
            windows: windows, prices: prices, watches: watches, assets: assets, addressBook: addressBookStandings,
            offboardings: offboardings)
    }

    /// Decides a transfer or call request as the requests room does with the policy in force and
    /// the freeze flag, at `blockTime`: while frozen, everything but governance is denied.
    public func evaluate(_ request: PolicyRequest, blockTime: UInt64) -> PolicyDecision {
        requestAuthority.evaluate(request, blockTime: blockTime)
    }

    /// Routes a `request.submit` entry to the requests room (`RequestBook.submit`) at the state's
    /// block time, then stores the credential counter a person's assertion moved on, or records
    /// why the entry was refused. A refused entry changes nothing but `refusals`: not the replay
    /// cache, not the requests, not a credential's counter.
    mutating func submit(_ entry: Entry) -> GovernanceOutcome {
        var submitter: String? = nil
        do {
            // The authority (with the windows it read) is gone before the windows change, so
            // counting the request copies nothing.
            let (recorded, used, plan) = try requestBook.submit(entry, at: time, height: height, blockHash: blockHash, reading: requestAuthority, submitter: &submitter)
            if let used { users[used.user]!.store(used.credential, at: used.index, usedAt: time) }
            if recorded.outcome == .allow {
                countInWindows(recorded)
                if recorded.request.kind == .message { sign(recorded) }
            }
            if var plan, recorded.outcome != .deny {
                if recorded.outcome == .allow { plan.parametersDeadline = time + PlannedTransaction.parametersWaitLimit }
                transactions[recorded.id] = plan
            }
            return .requestDecided(requestId: recorded.id, outcome: recorded.outcome)
        } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: submitter, error: error))
            return .refused(error)
        }
    }

    /// What `applying(entry, blockTime:)` says the entry would do, without building the state
    /// after it: for a request, the requests room decides it and records nothing (no copy of the
    /// recorded requests); anything else is applied to a copy. For a gateway's preview.
    public func outcome(of entry: Entry, blockTime: UInt64) -> GovernanceOutcome {
        guard entry.kind == RequestEntry.submitKind else { return applying(entry, blockTime: blockTime).1 }
        if let error = Self.malformation(of: entry) { return .refused(error) }
        var moved = self
        moved.advance(to: blockTime)
        var submitter: String? = nil
        do {
            let decided = try moved.requestBook.decide(entry, at: moved.time, reading: moved.requestAuthority, submitter: &submitter)
            return .requestDecided(requestId: decided.request.id, outcome: decided.request.outcome)
        } catch {
            return .refused(error)
        }
    }

    /// What every node would decide for a request `body` that its initiator submitted in a
    /// block at `blockTime` after this state (`RequestBook.dryRun`): the same view, the same
    /// policy, windows, prices and address book, the same words. Nothing is recorded, not even a
    /// refusal; the state is not changed. For the gateway's dry run and `custos policy explain`.
    public func dryRun(_ body: JSONValue, blockTime: UInt64) throws(GovernanceError) -> RequestDryRun {
        var moved = self
        moved.advance(to: blockTime)
        let (request, decision, kind) = try RequestBook.dryRun(body, at: moved.time, reading: moved.requestAuthority)
        return RequestDryRun(request: request, initiatorKind: kind, blockTime: moved.time, policyVersion: moved.policyVersion, decision: decision)
    }
}
