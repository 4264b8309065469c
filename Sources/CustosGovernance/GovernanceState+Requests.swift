import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy

extension GovernanceState {
    /// Verifies and decides a `request.submit` entry at the state's block time, or records why
    /// it was refused. In order: the envelope parses strictly; for a bot (no authorization), its
    /// key id names an active bot and `RequestVerifier` checks the signature with that bot's key
    /// over the RFC 8785 signing input, the timestamp (within `requestClockSkew` of the block
    /// time) and the nonce (new, against the governed replay cache); for a person (an assertion
    /// as authorization, an empty signature), the same window and nonce, then their WebAuthn
    /// assertion over `RequestEntry.personChallenge`. Then the body must read as a transfer or
    /// contract call whose initiator is the submitter and which claims no approvals; the policy
    /// in force decides it (with the freeze flag) and the request is recorded with its decision.
    /// A refused entry changes nothing but `refusals`: not the replay cache, not the requests,
    /// not a credential's counter.
    mutating func submit(_ entry: Entry) -> GovernanceOutcome {
        var submitter: String? = nil
        var next = self
        do {
            let recorded = try next.verifyAndDecide(entry, submitter: &submitter)
            // Consumed, so that the collections below are uniquely referenced and grow in place.
            self = consume next
            requests[recorded.id] = recorded
            requestOrder.append(recorded.id)
            if requestOrder.count > Self.maximumRecordedRequests {
                let dropped = requestOrder.count - Self.maximumRecordedRequests
                for id in requestOrder.prefix(dropped) { requests[id] = nil }
                requestOrder.removeFirst(dropped)
            }
            return .requestDecided(requestId: recorded.id, outcome: recorded.outcome)
        } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: submitter, error: error))
            return .refused(error)
        }
    }

    private mutating func verifyAndDecide(_ entry: Entry, submitter: inout String?) throws(GovernanceError) -> RecordedRequest {
        let signed: SignedRequest
        do { signed = try SignedRequest(json: entry.payload) } catch {
            throw GovernanceError(.malformed, error.reason, requestSigning: error.code)
        }
        submitter = signed.keyId
        let verifier = RequestVerifier(maxClockSkew: Self.requestClockSkew)
        let now = Int64(clamping: time)
        var cache = replayCache
        let kind: PolicyDocument.Principal.Kind
        if entry.authorization.isEmpty {
            kind = .bot
            guard let bot = bots[signed.keyId] else {
                throw GovernanceError(.unknownBot, "no bot \"\(signed.keyId.prefix(64))\" is registered")
            }
            guard bot.active else { throw GovernanceError(.inactiveBot, "bot \"\(bot.id)\" has been removed") }
            do { try verifier.verify(signed, keyId: bot.id, key: bot.key, now: now, replayCache: &cache) } catch {
                throw GovernanceError(.requestRefused, "bot \"\(bot.id)\" (\(error.code)): \(error.reason)", requestSigning: error.code)
            }
        } else {
            kind = .person
            guard signed.signature.isEmpty else {
                throw GovernanceError(.malformed, "a person's request is authorized by an assertion; its signature member is empty")
            }
            let assertion = try GovernanceEntry.decodeAssertion(entry.authorization)
            guard let user = users[signed.keyId] else {
                throw GovernanceError(.unknownUser, "\(signed.keyId.prefix(64)) is not a member of the cluster")
            }
            guard user.active else { throw GovernanceError(.inactiveUser, "\(user.id) has been removed") }
            do {
                try verifier.checkFreshness(
                    keyId: user.id, timestamp: signed.timestamp, nonce: signed.nonce, now: now, replayCache: &cache
                ) {}
            } catch {
                throw GovernanceError(.requestRefused, "\(user.id) (\(error.code)): \(error.reason)", requestSigning: error.code)
            }
            try authenticate(user.id, assertion: assertion, challenge: RequestEntry.personChallenge(signed))
        }
        guard signed.body.objectValue != nil else {
            throw GovernanceError(.invalidRequest, "the request body is a \(signed.body.typeName), not an object")
        }
        let body = JCS.canonicalBytes(signed.body)
        let request: PolicyRequest
        do { request = try PolicyRequest.decode(json: String(decoding: body, as: UTF8.self)) } catch {
            let first = error.errors.first.map { "\($0.message) [\($0.code)]" } ?? "\(error)"
            throw GovernanceError(.invalidRequest, "the request body does not read as a request: \(first)")
        }
        guard request.initiator == signed.keyId else {
            throw GovernanceError(
                .invalidRequest, "the body names initiator \"\(request.initiator.prefix(64))\", but \"\(signed.keyId)\" submitted it")
        }
        guard request.kind != .governance else {
            throw GovernanceError(.invalidRequest, "a request is a transfer or a contract call; governance goes through governance.propose")
        }
        guard request.approvals.isEmpty else {
            throw GovernanceError(.invalidRequest, "a request cannot bring its own approvals; people approve it in the log")
        }
        replayCache = cache
        return RecordedRequest(
            id: Hashes.sha256(signed.signingInput).hexString, initiator: signed.keyId, initiatorKind: kind, blockTime: time,
            timestamp: signed.timestamp, nonce: signed.nonce, body: body, request: request, policyVersion: policyVersion,
            decision: evaluate(request, blockTime: time))
    }
}
