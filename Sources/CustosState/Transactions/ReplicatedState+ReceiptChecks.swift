import CustosCore
import CustosLedger

extension ReplicatedState {
    /// Routes a `request.receipt-check` entry: a current member's signature is verified, then
    /// the check is applied (`acceptReceiptCheck`); refused, only the refusal is recorded, with
    /// the member named where the entry names one.
    mutating func applyReceiptCheck(_ entry: Entry) -> GovernanceOutcome {
        let check: ReceiptCheckEntry
        let member: Member
        do {
            check = try ReceiptCheckEntry(entry)
            member = try MemberSignature.verifiedSigner(of: entry, members: members, genesisDigest: genesisDigest)
        } catch {
            let node = try? MemberSignature.signer(of: entry).node
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: node?.rawValue, error: error))
            return .refused(error)
        }
        do { return try acceptReceiptCheck(check, from: member.id.rawValue) } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: check.requestId, user: member.id.rawValue, error: error))
            return .refused(error)
        }
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
    /// `disputed`; whichever comes first settles it. Nothing changes when a check fails.
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
            if plan.receiptChecks.filter(\.agrees).count >= receiptCheckQuorum {
                plan.receiptVerdict = .confirmed
            } else if plan.receiptChecks.filter({ !$0.agrees }).count >= receiptCheckQuorum {
                plan.receiptVerdict = .disputed
            }
        }
        transactions[c.requestId] = plan
        if !agrees {
            alerts.raise(.receiptDisputed, plan: plan, codes: [], basis: .checked, members: [member], height: height, time: time)
            alerts.add(member: member, to: .receiptDisputed, request: plan.requestId)
        }
        if wasOpen, plan.receiptVerdict == .confirmed {
            for kind in [Alert.Kind.receiptMismatch, .minedReverted] { alerts.rebase(kind, request: plan.requestId, to: .confirmed) }
        }
        return .receiptChecked(requestId: c.requestId, agrees: agrees, verdict: wasOpen ? plan.receiptVerdict : nil)
    }
}

