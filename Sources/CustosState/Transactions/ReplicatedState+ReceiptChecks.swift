import CustosCore
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    /// Routes a `request.receipt-check` entry (`applyMemberCheck`, `acceptReceiptCheck`).
    mutating func applyReceiptCheck(_ entry: Entry) -> GovernanceOutcome {
        applyMemberCheck(entry, { (e: Entry) throws(GovernanceError) in try ReceiptCheckEntry(e) }, request: \.requestId) {
            (state: inout ReplicatedState, check, member) throws(GovernanceError) in try state.acceptReceiptCheck(check, from: member)
        }
    }

    /// Routes a member's signed reading of the chain about a request: decoded with `decode` and
    /// signed by a current member, then applied with `accept`; refused, only the refusal is
    /// recorded, with the member named where the entry names one and the request `request` reads.
    mutating func applyMemberCheck<Decoded>(
        _ entry: Entry, _ decode: (Entry) throws(GovernanceError) -> Decoded, request: (Decoded) -> String,
        _ accept: (inout ReplicatedState, Decoded, String) throws(GovernanceError) -> GovernanceOutcome
    ) -> GovernanceOutcome {
        let check: Decoded
        let member: Member
        do {
            check = try decode(entry)
            member = try MemberSignature.verifiedSigner(of: entry, members: members, genesisDigest: genesisDigest)
        } catch {
            let node = try? MemberSignature.signer(of: entry).node
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: node?.rawValue, error: error))
            return .refused(error)
        }
        do { return try accept(&self, check, member.id.rawValue) } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: request(check), user: member.id.rawValue, error: error))
            return .refused(error)
        }
    }

    /// What the checks of current members among `checks` settle: true once f+1 of them agree,
    /// false once f+1 disagree, nil before either. A removed member's check never counts
    /// (review helper-105 M1): it would otherwise count against a smaller f+1.
    func quorum(of checks: [(member: String, agrees: Bool)]) -> Bool? {
        let current = Set(members.map(\.id.rawValue))
        let counted = checks.filter { current.contains($0.member) }
        if counted.filter(\.agrees).count >= receiptCheckQuorum { return true }
        if counted.filter({ !$0.agrees }).count >= receiptCheckQuorum { return false }
        return nil
    }

    /// How many members' checks settle a receipt: f+1 of the current members, f = ⌊(n−1)/3⌋, so
    /// that at least one of them is honest.
    var receiptCheckQuorum: Int { (max(members.count, 1) - 1) / 3 + 1 }

    /// Checks a member's reading of a recorded receipt, in order: a transaction is planned under
    /// the id and has an executor's receipt; the check names that receipt's transaction hash;
    /// this member has not checked it yet. The check is kept on the plan; it agrees when its
    /// digest is the recorded receipt's `TransactionReceipt.digest` (no receipt read never
    /// agrees). A disagreeing check raises `receipt-disputed` (once per request, each disagreeing
    /// member added to it). The first f+1 agreeing checks make the receipt `confirmed` (its
    /// mismatch or revert alert then rests on `confirmed`), the first f+1 disagreeing ones
    /// `disputed`; whichever comes first settles it, and may freeze signing
    /// (`freezeIfThePolicySays`). Nothing changes when a check fails.
    mutating func acceptReceiptCheck(_ c: ReceiptCheckEntry, from member: String) throws(GovernanceError) -> GovernanceOutcome {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the receipt check is refused: \(reason)") }
        guard var plan = transactions[c.requestId] else { throw GovernanceError(.unknownRequest, "no transaction is planned for request \(c.requestId)") }
        guard let recorded = plan.receipt else { throw refused("request \(c.requestId) has no recorded receipt to check (it is \(plan.status.rawValue))") }
        guard c.transactionHash == recorded.transactionHash else {
            throw refused("it reads transaction 0x\(c.transactionHash.hexString); the recorded receipt is of 0x\(recorded.transactionHash.hexString)")
        }
        guard !plan.receiptChecks.contains(where: { $0.member == member }) else {
            throw refused("\(member) already checked the receipt of request \(c.requestId)")
        }
        let agrees = c.digest == recorded.digest
        plan.receiptChecks.append(ReceiptCheck(member: member, digest: c.digest, agrees: agrees, height: height))
        let wasOpen = plan.receiptVerdict == nil
        if wasOpen {
            plan.receiptVerdict = quorum(of: plan.receiptChecks.map { ($0.member, $0.agrees) }).map { $0 ? .confirmed : .disputed }
        }
        transactions[c.requestId] = plan
        if !agrees {
            alerts.raise(.receiptDisputed, plan: plan, codes: [], basis: .checked, members: [member], height: height, time: time)
            alerts.add(member: member, to: .receiptDisputed, request: plan.requestId)
        }
        if wasOpen, plan.receiptVerdict == .confirmed {
            for kind in [Alert.Kind.receiptMismatch, .minedReverted] { alerts.rebase(kind, request: plan.requestId, to: .confirmed) }
        }
        if wasOpen { freezeIfThePolicySays(plan) }
        return .receiptChecked(requestId: c.requestId, agrees: agrees, verdict: wasOpen ? plan.receiptVerdict : nil)
    }
}

extension ReplicatedState {
    /// Freezes signing, in the transition that settled `plan`'s receipt, when the policy's
    /// `alerts.freeze_on` names the alert the verdict stands behind: for a `confirmed` receipt,
    /// its `mined-reverted` or `receipt-mismatch` alert, if one of its mismatches `freezes` (a
    /// foreign contract's authority event alone never does); for a `disputed` one, its
    /// `receipt-disputed` alert, which any class named implies: f+1 nodes reading another
    /// receipt than the executor's may hide any mismatch, so a lying executor cannot choose a
    /// dispute over a confirmed mismatch to escape the freeze (review helper-105 H2). The freeze is the governed one's (`frozen`; only the governed
    /// `unfreeze` lifts it), with the alert that caused it in `frozenBy` — also when a person
    /// already froze signing, so that their freeze does not hide this cause (review L3); the
    /// first automatic cause is kept. Nothing while the receipt is unsettled: what the executor
    /// alone reported never freezes.
    mutating func freezeIfThePolicySays(_ plan: PlannedTransaction) {
        let kind: Alert.Kind
        switch plan.receiptVerdict {
        case .confirmed?:
            guard plan.mismatches.contains(where: \.code.freezes) else { return }
            kind = plan.status == .minedReverted ? .minedReverted : .receiptMismatch
        case .disputed?:
            kind = .receiptDisputed
        case nil:
            return
        }
        // A dispute freezes under any receipt class (a monitoring class alone does not name it).
        let named = kind == .receiptDisputed ? !document.alerts.freezeOn.isDisjoint(with: Alert.receiptKinds.map(\.rawValue))
            : document.alerts.freezeOn.contains(kind.rawValue)
        guard frozenBy == nil, named, let alert = alerts.alert(kind, request: plan.requestId) else { return }
        frozen = true
        frozenBy = AutomaticFreeze(alert: alert.id, kind: kind, requestId: plan.requestId, height: height, blockTime: time)
    }
}

extension ReplicatedState {
    /// The recorded receipts `member` has not checked, among those the checks have not settled
    /// (`TransactionBook.awaitingReceiptChecks`, an index: no scan of every plan), by request id;
    /// none for a node that is not a current member, whose check would be refused. A settled
    /// receipt is left out: f+1 checks decided it, and a further one would change no verdict.
    public func receiptsToCheck(by member: String) -> [ReceiptToCheck] {
        guard members.contains(where: { $0.id.rawValue == member }) else { return [] }
        return transactions.awaitingReceiptChecks.compactMap { plan in
            guard let recorded = plan.receipt, !plan.receiptChecks.contains(where: { $0.member == member }),
                  let environment = vaults[plan.vault]?.environment
            else { return nil }
            return ReceiptToCheck(requestId: plan.requestId, chain: plan.chain, chainId: plan.chainId, environment: environment, recorded: recorded)
        }
    }
}
