import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosState
import CustosTestSupport
import Testing

/// Credentials belong to their owner (issue #13 item 3), tried as an attacker would: an admin
/// registering their own authenticator for someone else, directly or through an enrolment; an
/// enrolment replayed, expired, for another person, with a guessed code, or bound to another
/// cluster. Every node runs the same transition, so what one copy refuses every node refuses.
@Suite struct CredentialOwnershipTests {
    /// Two independent nodes' copies of the state, each applying `entry` at the same block time.
    static func everyNode(_ c: Cluster, _ entry: Entry) -> [GovernanceOutcome] {
        (0..<2).map { _ in c.state.applying(entry, blockTime: c.now + 1000).1 }
    }

    @Test func anAdminCannotRegisterACredentialForSomeoneElse() throws {
        var c = try Cluster()
        // frank's own new authenticator, registered over the challenge of an operation for heidi.
        let frankDevice = SoftwareAuthenticator.generate()
        let id = c.nextId()
        let registration = frankDevice.register(relyingPartyId: Cluster.rpId, origin: Cluster.origin,
                                                challenge: GovernanceProposal.registrationChallenge(operationId: id, user: "heidi", genesisDigest: c.state.genesisDigest))
        let p = GovernanceProposal(id: id, proposer: "frank", change: .addCredential(user: "heidi", registration: registration))
        let entry = try c.proposeEntry(p)
        for outcome in Self.everyNode(c, entry) { #expect(Cluster.code(outcome) == .notPermitted) }
        c.apply(entry)
        #expect(c.state.operations[id] == nil)
        #expect(c.state.users["heidi"]?.credentials.count == 1)
        #expect(c.state.refusals.last?.error.reason.contains("only heidi registers their own") == true)

        // Through an enrolment the quorum approved for heidi, frank cannot register his device
        // without heidi's code: he holds only its key.
        let code = SecureRandom.bytes(count: 32)
        let enrolment = try c.enrol("heidi", codeKey: CredentialEnrolment.codeKey(ofCode: code))
        #expect(c.status(enrolment) == .executed)
        let guessed = SecureRandom.bytes(count: 32)
        let forged = try c.enrolEntry(enrolment.id, user: "heidi", code: guessed, authenticator: frankDevice)
        for outcome in Self.everyNode(c, forged) { #expect(Cluster.code(outcome) == .enrolmentRefused) }
        // Nor claim heidi's enrolment for himself.
        let claimed = try c.enrolEntry(enrolment.id, user: "frank", code: code, authenticator: frankDevice)
        for outcome in Self.everyNode(c, claimed) { #expect(Cluster.code(outcome) == .enrolmentRefused) }
        // heidi, with her code, registers her own.
        let heidiDevice = SoftwareAuthenticator.generate()
        #expect(c.apply(try c.enrolEntry(enrolment.id, user: "heidi", code: code, authenticator: heidiDevice))
            == .applied(operationId: enrolment.id, status: .executed))
        #expect(c.state.users["heidi"]?.credentials.map(\.credentialId).contains(heidiDevice.credentialId) == true)
        #expect(c.state.enrolments[enrolment.id]?.credentialId == heidiDevice.credentialId)
        // Her new credential acts for her.
        c.authenticators["heidi"] = heidiDevice
        let (freeze, _) = try c.propose(.freeze, by: "heidi")
        #expect(c.status(freeze) == .executed)
    }

    @Test func anEnrolmentCountsOnceForItsPersonBeforeItExpires() throws {
        var c = try Cluster()
        let (add, _) = try c.propose(.addUser(id: "ivan", roles: ["trader"]), by: "frank")
        try c.approve(add, by: "grace")
        try c.approve(add, by: "erin")
        let code = SecureRandom.bytes(count: 32)
        let enrolment = try c.enrol("ivan", codeKey: CredentialEnrolment.codeKey(ofCode: code))
        let first = try c.enrolEntry(enrolment.id, user: "ivan", code: code, authenticator: .generate())
        #expect(c.apply(first) == .applied(operationId: enrolment.id, status: .executed))
        // Replayed, or used again with another authenticator: used once.
        #expect(Cluster.code(c.apply(first)) == .enrolmentRefused)
        #expect(Cluster.code(c.apply(try c.enrolEntry(enrolment.id, user: "ivan", code: code, authenticator: .generate()))) == .enrolmentRefused)
        #expect(c.state.users["ivan"]?.credentials.count == 1)

        // Expired by block time.
        let late = SecureRandom.bytes(count: 32)
        let short = try c.enrol("ivan", codeKey: CredentialEnrolment.codeKey(ofCode: late), validSeconds: 60)
        c.now += 60_000
        #expect(Cluster.code(c.apply(try c.enrolEntry(short.id, user: "ivan", code: late, authenticator: .generate()))) == .enrolmentRefused)

        // A registration made for another enrolment, or for another cluster (staging), does not count.
        let code3 = SecureRandom.bytes(count: 32)
        let third = try c.enrol("ivan", codeKey: CredentialEnrolment.codeKey(ofCode: code3))
        let device = SoftwareAuthenticator.generate()
        for challenge in [
            CredentialEnrolment.registrationChallenge(genesisDigest: c.state.genesisDigest, enrolmentId: short.id, user: "ivan",
                                                      codeKey: CredentialEnrolment.codeKey(ofCode: code3)),
            CredentialEnrolment.registrationChallenge(genesisDigest: Hashes.sha256([7]), enrolmentId: third.id, user: "ivan",
                                                      codeKey: CredentialEnrolment.codeKey(ofCode: code3)),
        ] {
            let registration = device.register(relyingPartyId: Cluster.rpId, origin: Cluster.origin, challenge: challenge)
            let outcome = c.apply(try GovernanceEntry.enrol(enrolmentId: third.id, user: "ivan", proof: CredentialEnrolment.proof(code: code3, registration: registration),
                                                            registration: registration).entry())
            #expect(Cluster.code(outcome) == .registrationRefused && Cluster.webAuthnCode(outcome) == .wrongChallenge)
        }
        // An unknown enrolment, and a code too short to keep secret.
        #expect(Cluster.code(c.apply(try c.enrolEntry("no-such-op", user: "ivan", code: code3, authenticator: device))) == .enrolmentRefused)
        #expect(Cluster.code(c.apply(try c.enrolEntry(third.id, user: "ivan", code: [1, 2, 3], authenticator: device))) == .enrolmentRefused)
        // The failed attempts spent nothing: ivan still enrols with the right one.
        #expect(c.apply(try c.enrolEntry(third.id, user: "ivan", code: code3, authenticator: device)) == .applied(operationId: third.id, status: .executed))
        #expect(c.state.users["ivan"]?.credentials.count == 2)
    }

    /// Review finding H3: the gateway relays a person's enrolment entry, so it reads all of it.
    /// The entry carries no code, only the code key's signature over that very registration: a
    /// gateway that holds it back and sends its own key's registration instead (over the right
    /// challenge, which is public), with the person's proof or one of its own, or that swaps
    /// parts of the person's registration, gets nothing registered; the person's entry still counts.
    @Test func aGatewayRelayingAnEnrolmentCannotRegisterItsOwnKeyInstead() throws {
        var c = try Cluster()
        try c.addPerson("heidi", roles: ["trader"])
        let code = SecureRandom.bytes(count: 32)
        let codeKey = CredentialEnrolment.codeKey(ofCode: code)
        let enrolment = try c.enrol("heidi", codeKey: codeKey)
        let before = try #require(c.state.users["heidi"]?.credentials.count)
        let heidiDevice = SoftwareAuthenticator.generate()
        let honest = try c.enrolEntry(enrolment.id, user: "heidi", code: code, authenticator: heidiDevice)
        let seen = honest.payload + honest.authorization
        #expect(!seen.indices.dropLast(code.count - 1).contains { Array(seen[$0..<$0 + code.count]) == code }, "the entry carries the code")
        guard case .enrol(_, _, let proof, let registration) = try GovernanceEntry(honest) else { Issue.record("not an enrolment"); return }

        let gatewayDevice = SoftwareAuthenticator.generate()
        let own = c.enrolRegistration(enrolment.id, user: "heidi", codeKey: codeKey, authenticator: gatewayDevice)
        let ownKey = Curve25519.Signing.PrivateKey()
        let swapped = WebAuthnRegistration.Response(credentialId: registration.credentialId, attestationObject: own.attestationObject,
                                                    clientDataJSON: registration.clientDataJSON)
        for (forgedProof, forgedRegistration) in [
            (proof, own),
            (Array(try ownKey.signature(for: CredentialEnrolment.proofInput(own))), own),
            (proof, swapped),
            (Array(proof.dropLast()), registration),
        ] {
            let forged = try GovernanceEntry.enrol(enrolmentId: enrolment.id, user: "heidi", proof: forgedProof, registration: forgedRegistration).entry()
            for outcome in Self.everyNode(c, forged) { #expect(Cluster.code(outcome) == .enrolmentRefused) }
            #expect(Cluster.code(c.apply(forged)) == .enrolmentRefused)
        }
        #expect(c.state.users["heidi"]?.credentials.count == before)
        #expect(c.apply(honest) == .applied(operationId: enrolment.id, status: .executed))
        #expect(c.state.users["heidi"]?.credentials.map(\.credentialId).contains(heidiDevice.credentialId) == true)
        #expect(c.state.users["heidi"]?.credentials.map(\.credentialId).contains(gatewayDevice.credentialId) == false)
    }

    /// Review finding L5: nobody approves a change that gives them a role or a credential.
    @Test func aGranteeCannotApproveTheirOwnGrant() throws {
        var c = try Cluster()
        try c.addPerson("ivan", roles: ["admin"])
        for change in [GovernanceChange.grantRole(user: "ivan", role: "security", days: 30), .assignRole(user: "ivan", role: "auditor"),
                       .enrolCredential(user: "ivan", codeKey: CredentialEnrolment.codeKey(ofCode: Array(repeating: 1, count: 32)), validSeconds: 3600)] {
            let (p, _) = try c.propose(change, by: "frank")
            #expect(Cluster.code(try c.approve(p, by: "ivan")) == .beneficiaryCannotApprove)
            #expect(c.state.operations[p.id]?.approvals == [])
            try c.approve(p, by: "grace")
            #expect(c.status(p) == .proposed)
            try c.approve(p, by: "erin")
            #expect(c.status(p) == .executed)
        }
    }

    /// Production means hardware (issue #13 item 4): the first people's registrations and every
    /// later one must carry an attestation chaining to a root the genesis names.
    @Test func aProductionClusterRegistersOnlyAttestedKeys() async throws {
        let people = Cluster.people.map(\.0)
        let vendor = "cluster-vendor"
        let made = try await AttestationPeer.make(rpId: Cluster.rpId, origin: Cluster.origin, seed: vendor, people.enumerated().map { i, user in
            (GenesisDocument.registrationChallenge(clusterName: "test", user: user), i % 2 == 0 ? "packed" : "fido-u2f")
        })
        func genesis(_ registrations: [AttestationPeer.Registration], roots: [[UInt8]]) -> GenesisDocument {
            GenesisDocument(
                clusterName: "test", relyingPartyId: Cluster.rpId, allowedOrigins: [Cluster.origin], mode: .production,
                admins: zip(Cluster.people, registrations).map { person, r in
                    .init(id: person.0, roles: person.1, registration: .init(
                        credentialId: r.credentialId, attestationObject: r.attestationObject, clientDataJSON: r.clientDataJSON))
                }, policyYAML: Cluster.policy(), attestationRoots: roots, nonce: Array(repeating: 7, count: GenesisDocument.nonceLength))
        }
        var authenticators: [String: SoftwareAuthenticator] = [:]
        for (user, r) in zip(people, made.registrations) {
            authenticators[user] = try SoftwareAuthenticator(privateKeyRepresentation: SecretBytes(r.privateKey), credentialId: r.credentialId, signCount: 0)
        }
        var c = try Cluster(genesis: genesis(made.registrations, roots: [made.trustedRoot]), authenticators: authenticators)
        #expect(c.state.users.values.allSatisfy { $0.credentials.count == 1 && !$0.credentials[0].isSoftware })

        // The same keys against another vendor's root are refused.
        #expect {
            try ReplicatedState(genesis: genesis(made.registrations, roots: [made.otherRoot]))
        } throws: { error in
            (error as? GovernanceError)?.code == .registrationRefused && (error as? GovernanceError)?.webAuthn == .untrustedAttestation
        }
        // Attestation none, whatever it claims to be, is refused.
        let unattested = try await AttestationPeer.make(rpId: Cluster.rpId, origin: Cluster.origin, [
            (GenesisDocument.registrationChallenge(clusterName: "test", user: people[0]), "none"),
        ])
        #expect {
            try ReplicatedState(genesis: genesis(unattested.registrations + made.registrations.dropFirst(), roots: [made.trustedRoot]))
        } throws: { error in
            (error as? GovernanceError)?.code == .registrationRefused && (error as? GovernanceError)?.webAuthn == .softwareCredentialRefused
        }

        // Later: the people act with their keys, and an enrolment takes an attested key, not a software one.
        let (add, _) = try c.propose(.addUser(id: "ivan", roles: ["trader"]), by: "frank")
        try c.approve(add, by: "grace")
        try c.approve(add, by: "erin")
        #expect(c.status(add) == .executed)
        let code = SecureRandom.bytes(count: 32)
        let enrolment = try c.enrol("ivan", codeKey: CredentialEnrolment.codeKey(ofCode: code))
        let software = c.apply(try c.enrolEntry(enrolment.id, user: "ivan", code: code, authenticator: .generate()))
        #expect(Cluster.code(software) == .registrationRefused && Cluster.webAuthnCode(software) == .softwareCredentialRefused)
        let challenge = CredentialEnrolment.registrationChallenge(genesisDigest: c.state.genesisDigest, enrolmentId: enrolment.id, user: "ivan",
                                                                  codeKey: CredentialEnrolment.codeKey(ofCode: code))
        func entry(_ made: AttestationPeer.Made) throws -> Entry {
            let r = made.registrations[0]
            let registration = WebAuthnRegistration.Response(credentialId: r.credentialId, attestationObject: r.attestationObject,
                                                             clientDataJSON: r.clientDataJSON)
            return try GovernanceEntry.enrol(enrolmentId: enrolment.id, user: "ivan", proof: CredentialEnrolment.proof(code: code, registration: registration),
                                             registration: registration).entry()
        }
        // Attested by another vendor's CA: refused. By the cluster's vendor: registered.
        let foreign = try await AttestationPeer.make(rpId: Cluster.rpId, origin: Cluster.origin, [(challenge, "packed")])
        #expect(Cluster.webAuthnCode(c.apply(try entry(foreign))) == .untrustedAttestation)
        #expect(c.state.users["ivan"]?.credentials.isEmpty == true)
        let own = try await AttestationPeer.make(rpId: Cluster.rpId, origin: Cluster.origin, seed: vendor, [(challenge, "fido-u2f")])
        #expect(c.apply(try entry(own)) == .applied(operationId: enrolment.id, status: .executed))
        #expect(c.state.users["ivan"]?.credentials.count == 1)
    }
}
