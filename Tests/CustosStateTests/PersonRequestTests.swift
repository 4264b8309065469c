import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Foundation
import Testing

/// People's requests: the same envelope and replay protection as bots', authorized by a WebAuthn
/// assertion over the request's signing input instead of a bot key's signature.
@Suite struct PersonRequestTests {
    /// The test cluster with a policy that lets people pay exchanges, with an admin's approval above 5 ETH.
    static func cluster() throws -> Cluster {
        var c = try Cluster()
        let next = Cluster.policy(version: 2).replacing("rules:\n", with: """
            rules:
              - name: people-to-exchanges
                match: {initiator: {kind: person}, destination: {tags: [exchange]}, amount: {up_to: 10}}
                outcome: allow
              - name: people-over-five
                match: {initiator: {kind: person}, amount: {over: 5}}
                outcome: {require: {group: admins, count: 1}}

            """)
        let (change, _) = try c.propose(.changePolicy(yaml: next), by: "frank")
        try c.approve(change, by: "grace")
        try c.approve(change, by: "erin")
        #expect(c.state.policyVersion == 2)
        return c
    }

    static func entry(_ c: inout Cluster, by user: String, amount: String = "3", signer: String? = nil, skew: Int64 = 0) throws -> (SignedRequest, Entry) {
        let request = RequestEntry.personEnvelope(
            body: Cluster.transfer(by: user, amount: amount), cluster: c.state.genesisDigest, user: user, timestamp: Int64(c.now) + skew, nonce: c.nonce())
        let assertion = c.assert(signer ?? user, RequestEntry.personChallenge(request))
        return (request, try RequestEntry.submit(request, assertion: assertion))
    }

    @Test func aPersonsRequestIsDecidedByThePolicy() throws {
        var c = try Self.cluster()
        let (_, small) = try Self.entry(&c, by: "frank")
        let allowed = try #require(Cluster.decided(c.apply(small)))
        #expect(allowed.outcome == .allow)
        #expect(c.state.requestBook.requests[allowed.id]?.initiatorKind == .person)
        #expect(c.state.requestBook.requests[allowed.id]?.decision.reason == .allowedByRule("people-to-exchanges"))
        let (_, large) = try Self.entry(&c, by: "grace", amount: "7")
        let pending = try #require(Cluster.decided(c.apply(large)))
        #expect(pending.outcome == .needsApprovals)
        #expect(c.state.requestBook.requests[pending.id]?.decision.pending.map(\.group) == ["admins"])
    }

    @Test func forgedReplayedOrMisdirectedAssertionsAreRefusedOnEveryCopy() throws {
        var c = try Self.cluster()
        let (accepted, acceptedEntry) = try Self.entry(&c, by: "frank")
        #expect(Cluster.decided(c.apply(acceptedEntry)) != nil)

        var cases: [(String, Entry, GovernanceError.Code, RequestSigningError.Code?)] = []
        cases.append(("replayed", acceptedEntry, .requestRefused, .replayedNonce))
        // frank's assertion over one request, attached to another.
        let (other, _) = try Self.entry(&c, by: "frank", amount: "4")
        let borrowed = try RequestEntry.submit(other, assertion: c.assert("frank", RequestEntry.personChallenge(accepted)))
        cases.append(("assertion over another request", borrowed, .assertionRefused, nil))
        // An approval of a governance operation presented as a request's authorization.
        let (op, _) = try c.propose(.addUser(id: "ivan", roles: []), by: "grace")
        let (third, _) = try Self.entry(&c, by: "frank", amount: "2")
        cases.append(("governance assertion", try RequestEntry.submit(third, assertion: c.assert("frank", op.challenge(.approve, genesisDigest: c.state.genesisDigest))),
                      .assertionRefused, nil))
        // erin's credential for frank's request.
        cases.append(("someone else's credential", try Self.entry(&c, by: "frank", signer: "erin").1, .unknownCredential, nil))
        cases.append(("stale", try Self.entry(&c, by: "frank", skew: -400_000).1, .requestRefused, .staleTimestamp))
        cases.append(("unknown person", try Self.entry(&c, by: "frank").1.replacingUser(), .unknownUser, nil))
        // A person's envelope without the assertion is signed by no one.
        cases.append(("no assertion", try RequestEntry.submit(envelope: try Self.entry(&c, by: "frank").0.jsonBytes), .unsigned, nil))
        cases.append(("garbage assertion", try Entry(kind: RequestEntry.submitKind, payload: other.jsonBytes, authorization: [0, 1, 2]),
                      .malformed, nil))

        var a = c.state
        var b = c.state
        for (i, (name, entry, code, signing)) in cases.enumerated() {
            let time = c.now + 1_000 + UInt64(i)
            let outcome = a.apply(entry, blockTime: time)
            #expect(b.apply(entry, blockTime: time) == outcome, "\(name)")
            #expect(Cluster.code(outcome) == code, "\(name): \(outcome)")
            #expect(Cluster.requestSigningCode(outcome) == signing, "\(name): \(outcome)")
        }
        #expect(a.requestBook.requests == c.state.requestBook.requests)
        #expect(a.requestBook.replayCache == c.state.requestBook.replayCache)
        #expect(a.users == c.state.users)  // no credential counter moved for a refused request
        #expect(a.digest == b.digest)
    }
}

extension Entry {
    /// The same entry with the envelope's person replaced by someone not in the cluster (the
    /// assertion no longer matters: the person is refused first).
    func replacingUser() throws -> Entry {
        let text = String(decoding: payload, as: UTF8.self)
            .replacingOccurrences(of: "\"frank\"", with: "\"mallory\"")
        return try Entry(kind: kind, payload: Array(text.utf8), authorization: authorization)
    }
}
