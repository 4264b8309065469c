import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy

extension RequestBook {
    /// A person's credential after the assertion that authorized their request: the governance
    /// room stores it at `index` of `user`'s credentials (its counter moved on).
    typealias CredentialUse = (user: String, index: Int, credential: StoredCredential)

    /// Verifies and decides a `request.submit` entry at block time `time`, reading the governance
    /// room through `authority`. In order: the envelope parses strictly; for a bot (no
    /// authorization), its key id names an active bot and `RequestVerifier` checks the signature
    /// with that bot's key over the RFC 8785 signing input, the timestamp (within
    /// `requestClockSkew` of the block time) and the nonce (new, against the replay cache); for a
    /// person (an assertion as authorization, an empty signature), the same window and nonce, then
    /// their WebAuthn assertion over `RequestEntry.personChallenge`. Then the body must read as a
    /// transfer or contract call (`PolicyRequest(json:)`, from the verified JSON value), or as a
    /// message request (`MessageRequest(json:)`, whose policy view the node derives itself and
    /// whose vault must be an active vault of the scheme that signs its format: `checkVault`),
    /// or, for a transfer or contract call naming its source address, as a `TransactionRequest`
    /// that every node resolves itself (`resolve`, refused with the reason when it cannot be),
    /// whose initiator is the submitter and which claims no approvals; the policy in force decides it
    /// (with the freeze flag) and the request is recorded with its decision — one held for
    /// approvals with its `RecordedRequest.approvals`, pending until the policy's expiry.
    ///
    /// Returns the recorded request and, for a person, the credential their assertion used in its
    /// new state (counter), which the governance room stores. A refused entry changes nothing
    /// here and throws why; `submitter` names the envelope's key id once it parsed.
    mutating func submit(
        _ entry: Entry, at time: UInt64, height: UInt64, blockHash: [UInt8], reading authority: RequestAuthority, submitter: inout String?
    ) throws(GovernanceError) -> (request: RecordedRequest, credential: CredentialUse?, plan: PlannedTransaction?) {
        let decided = try decide(entry, at: time, reading: authority, submitter: &submitter)
        replayCache = decided.replayCache
        var request = decided.request
        request.height = height
        request.blockHash = blockHash
        record(request)
        return (request, decided.credential, decided.plan)
    }

    /// What `submit` would do with `entry`, recording nothing: the request with its decision, the
    /// credential a person's assertion used, the replay cache with the request's nonce and, for
    /// a transfer or contract call of the `TransactionRequest` shape, the transaction every node
    /// resolved from it — or why it is refused. A preview costs no copy of the recorded requests.
    func decide(
        _ entry: Entry, at time: UInt64, reading authority: RequestAuthority, submitter: inout String?
    ) throws(GovernanceError) -> (request: RecordedRequest, credential: CredentialUse?, replayCache: ReplayCache, plan: PlannedTransaction?) {
        let signed = try Self.signedRequest(in: entry)
        submitter = signed.keyId
        let verifier = RequestVerifier(maxClockSkew: Self.requestClockSkew)
        let now = Int64(clamping: time)
        var cache = replayCache
        let kind: PolicyDocument.Principal.Kind
        var used: CredentialUse? = nil
        if entry.authorization.isEmpty {
            kind = .bot
            guard let bot = authority.bots[signed.keyId] else {
                throw GovernanceError(.unknownBot, "no bot \"\(signed.keyId.prefix(64))\" is registered")
            }
            guard bot.active else { throw GovernanceError(.inactiveBot, "bot \"\(bot.id)\" has been removed") }
            do { try verifier.verify(signed, keyId: bot.id, key: bot.key, cluster: authority.cluster, now: now, replayCache: &cache) } catch {
                throw GovernanceError(.requestRefused, "bot \"\(bot.id)\" (\(error.code)): \(error.reason)", requestSigning: error.code)
            }
        } else {
            kind = .person
            let assertion = try Self.personAssertion(signed, in: entry)
            guard let user = authority.users[signed.keyId] else {
                throw GovernanceError(.unknownUser, "\(signed.keyId.prefix(64)) is not a member of the cluster")
            }
            guard user.active else { throw GovernanceError(.inactiveUser, "\(user.id) has been removed") }
            do {
                try RequestVerifier.checkCluster(signed, authority.cluster)
                try verifier.checkFreshness(
                    keyId: user.id, timestamp: signed.timestamp, nonce: signed.nonce, now: now, replayCache: &cache
                ) {}
            } catch {
                throw GovernanceError(.requestRefused, "\(user.id) (\(error.code)): \(error.reason)", requestSigning: error.code)
            }
            let verified = try user.verify(
                assertion, challenge: RequestEntry.personChallenge(signed), relyingParty: authority.relyingParty,
                requireUserVerification: authority.requireUserVerification)
            used = (user.id, verified.index, verified.credential)
        }
        let requestId = Hashes.sha256(signed.signingInput).hexString
        let (request, plan) = try Self.policyView(of: signed.body, submittedBy: signed.keyId, requestId: requestId, reading: authority)
        let decision = authority.evaluate(request, blockTime: time)
        var recorded = RecordedRequest(
            id: requestId, initiator: signed.keyId, initiatorKind: kind, blockTime: time,
            timestamp: signed.timestamp, nonce: signed.nonce, body: JCS.canonicalBytes(signed.body), request: request,
            policyVersion: authority.policyVersion, decision: decision)
        if decision.outcome == .needsApprovals {
            let seconds = UInt64(decision.approvalExpirySeconds ?? PolicyDecision.defaultApprovalExpirySeconds)
            recorded.approvals = RequestApprovals(
                status: .pending, expiresAt: time + seconds * 1000, approvals: [], rejection: nil, decidedAt: nil)
        }
        return (recorded, used, cache, plan)
    }

    /// The policy's view of a request body that `initiator` submits, as every node derives it,
    /// and for a transfer or contract call of the `TransactionRequest` shape the transaction
    /// resolved from it (`requestId` names it). Refuses, with the reason, a body that is not an
    /// object or reads as no request, one naming another initiator, a governance request, or one
    /// bringing its own approvals; a message request's vault must be able to sign it.
    static func policyView(
        of body: JSONValue, submittedBy initiator: String, requestId: String, reading authority: RequestAuthority
    ) throws(GovernanceError) -> (request: PolicyRequest, plan: PlannedTransaction?) {
        guard body.objectValue != nil else {
            throw GovernanceError(.invalidRequest, "the request body is a \(body.typeName), not an object")
        }
        let request: PolicyRequest
        var plan: PlannedTransaction? = nil
        if TransactionRequest.isTransaction(body) {
            let resolved = try TransactionRequest(json: body).resolve(requestId: requestId, vaults: authority.vaults, assets: authority.assets)
            plan = resolved.plan
            request = resolved.policy
        } else if MessageRequest.isMessage(body) {
            let message = try MessageRequest(json: body)
            try checkVault(of: message, in: authority.vaults)
            request = try message.policyRequest()
        } else {
            do { request = try PolicyRequest(json: body) } catch {
                let first = error.errors.first.map { "\($0.message) [\($0.code)]" } ?? "\(error)"
                throw GovernanceError(.invalidRequest, "the request body does not read as a request: \(first)")
            }
        }
        guard request.initiator == initiator else {
            throw GovernanceError(
                .invalidRequest, "the body names initiator \"\(request.initiator.prefix(64))\", but \"\(initiator)\" submitted it")
        }
        guard request.kind != .governance else {
            throw GovernanceError(
                .invalidRequest, "a request is a transfer, a contract call or a message; governance goes through governance.propose")
        }
        guard request.approvals.isEmpty else {
            throw GovernanceError(.invalidRequest, "a request cannot bring its own approvals; people approve it in the log")
        }
        return (request, plan)
    }

    /// What every node would decide for `body` if its initiator submitted it in a block at
    /// `time`, reading the governance room through `authority` — checked and derived exactly as
    /// `decide` does after the signature, which a dry run has none of. The initiator the body
    /// names must be an active person or bot of the state. Records nothing.
    static func dryRun(
        _ body: JSONValue, at time: UInt64, reading authority: RequestAuthority
    ) throws(GovernanceError) -> (request: PolicyRequest, decision: PolicyDecision, initiatorKind: PolicyDocument.Principal.Kind) {
        guard case .string(let initiator)? = body["initiator"] else {
            throw GovernanceError(.invalidRequest, "the request body names no initiator (a string)")
        }
        let kind: PolicyDocument.Principal.Kind
        if let user = authority.users[initiator] {
            guard user.active else { throw GovernanceError(.inactiveUser, "\(user.id) has been removed") }
            kind = .person
        } else if let bot = authority.bots[initiator] {
            guard bot.active else { throw GovernanceError(.inactiveBot, "bot \"\(bot.id)\" has been removed") }
            kind = .bot
        } else {
            throw GovernanceError(.unknownUser, "initiator \"\(initiator.printable(limit: 64))\" is neither a person nor a bot of the cluster")
        }
        let (request, _) = try policyView(of: body, submittedBy: initiator, requestId: "", reading: authority)
        return (request, authority.evaluate(request, blockTime: time), kind)
    }
}

extension RequestBook {
    /// Refuses a message request whose vault is not a vault of the state (`unknownVault`), is not
    /// active, or has a scheme that does not sign the message's format (`invalidRequest`).
    /// Refused rather than denied: the signing input depends on the vault's scheme, so such a
    /// request defines nothing the policy could allow, like a malformed body; every node refuses
    /// it alike and records why, and nothing unsignable enters the requests room.
    static func checkVault(of request: MessageRequest, in vaults: [String: Vault]) throws(GovernanceError) {
        guard let vault = vaults[request.vault] else {
            throw GovernanceError(.unknownVault, "no vault \"\(request.vault.printable(limit: 64))\" to sign the message")
        }
        guard vault.status == .active else {
            throw GovernanceError(.invalidRequest, "vault \(vault.id) is \(vault.status.rawValue), not active; it cannot sign yet")
        }
        guard vault.scheme == request.message.scheme else {
            throw GovernanceError(
                .invalidRequest,
                "a \(request.message.format.rawValue) message is signed by a \(request.message.scheme.rawValue) vault; vault \(vault.id) is \(vault.scheme.rawValue)")
        }
    }
}
