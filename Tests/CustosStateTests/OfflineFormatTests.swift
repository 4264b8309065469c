import Crypto
import CustosCore
import CustosCrypto
import CustosMPC
@testable import CustosState
import Testing

/// The offline signer's enrolment and response (#15 item 3): canonical round trips, and what an
/// attacker who can rewrite the bytes, or who holds another identity key, gets refused.
struct OfflineFormatTests {
    static let genesis = [UInt8](repeating: 7, count: 32)
    static let otherGenesis = [UInt8](repeating: 8, count: 32)

    static func enrolment(
        _ scheme: Vault.Scheme, vault: String = "cold", identity: Curve25519.Signing.PrivateKey = .init(), genesis: [UInt8] = genesis
    ) throws -> OfflineEnrolment {
        switch scheme {
        case .frostEd25519:
            return try OfflineEnrolment.make(key: FROST<Ed25519SHA512>.AdditiveKey.generate(), identity: identity,
                                             genesisDigest: genesis, vault: vault, scheme: scheme)
        default:
            return try OfflineEnrolment.make(key: FROST<Secp256k1TaprootSHA256>.AdditiveKey.generate(), identity: identity,
                                             genesisDigest: genesis, vault: vault, scheme: scheme)
        }
    }

    static func reason(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let error as GovernanceError { return error.reason } catch { return "\(error)" }
    }

    @Test(arguments: [Vault.Scheme.frostEd25519, .frostTaproot])
    func anEnrolmentRoundTripsAndVerifies(scheme: Vault.Scheme) throws {
        let e = try Self.enrolment(scheme)
        let decoded = try OfflineEnrolment(serializedBytes: e.serializedBytes)
        #expect(decoded == e)
        #expect(decoded.serializedBytes == e.serializedBytes)
        try decoded.verify(genesisDigest: Self.genesis, vault: "cold", scheme: scheme)
        #expect(e.serializedBytes.count <= OfflineEnrolment.maximumBytes)
    }

    @Test(arguments: [Vault.Scheme.frostEd25519, .frostTaproot])
    func anEnrolmentForAnotherClusterVaultOrSchemeIsRefusedNamingIt(scheme: Vault.Scheme) throws {
        let e = try Self.enrolment(scheme)
        let other: Vault.Scheme = scheme == .frostEd25519 ? .frostTaproot : .frostEd25519
        #expect(Self.reason { try e.verify(genesisDigest: Self.otherGenesis, vault: "cold", scheme: scheme) }?.contains("another cluster") == true)
        #expect(Self.reason { try e.verify(genesisDigest: Self.genesis, vault: "hot", scheme: scheme) }?.contains("for vault cold, not hot") == true)
        #expect(Self.reason { try e.verify(genesisDigest: Self.genesis, vault: "cold", scheme: other) }?.contains("for a \(scheme.rawValue) vault") == true)
    }

    /// Every field rewritten and re-encoded without the identity key: the signature names it.
    @Test(arguments: [Vault.Scheme.frostEd25519, .frostTaproot])
    func anEnrolmentWithAnyFieldRewrittenIsRefused(scheme: Vault.Scheme) throws {
        let e = try Self.enrolment(scheme)
        let donor = try Self.enrolment(scheme)
        func check(_ t: OfflineEnrolment, _ expected: String, _ field: String) {
            let reason = Self.reason {
                let decoded = try OfflineEnrolment(serializedBytes: t.serializedBytes)
                try decoded.verify(genesisDigest: Self.genesis, vault: "cold", scheme: scheme)
            }
            #expect(reason?.contains(expected) == true, "\(field): \(reason ?? "accepted")")
        }
        func with(genesis: [UInt8]? = nil, vault: String? = nil, identityKey: [UInt8]? = nil, offlineKey: [UInt8]? = nil,
                  proof: [UInt8]? = nil, signature: [UInt8]? = nil) -> OfflineEnrolment {
            OfflineEnrolment(genesisDigest: genesis ?? e.genesisDigest, vault: vault ?? e.vault, scheme: e.scheme,
                             identityKey: identityKey ?? e.identityKey, offlineKey: offlineKey ?? e.offlineKey,
                             proof: proof ?? e.proof, signature: signature ?? e.signature)
        }
        check(with(genesis: Self.otherGenesis), "another cluster", "genesis")
        check(with(vault: "hot"), "for vault hot", "vault")
        check(with(identityKey: donor.identityKey), "identity signature does not verify", "identity key")
        check(with(offlineKey: donor.offlineKey), "identity signature does not verify", "offline key")
        check(with(proof: donor.proof), "identity signature does not verify", "proof")
        var flipped = e.signature
        flipped[5] ^= 1
        check(with(signature: flipped), "identity signature does not verify", "signature")
    }

    /// One bit flipped anywhere in the encoding: refused by the decoder or by `verify`, never
    /// accepted.
    @Test(arguments: [Vault.Scheme.frostEd25519, .frostTaproot])
    func anEnrolmentWithAnyBitFlippedIsRefused(scheme: Vault.Scheme) throws {
        let bytes = try Self.enrolment(scheme).serializedBytes
        for i in bytes.indices {
            var altered = bytes
            altered[i] ^= 0x01
            let reason = Self.reason {
                try OfflineEnrolment(serializedBytes: altered).verify(genesisDigest: Self.genesis, vault: "cold", scheme: scheme)
            }
            #expect(reason != nil, "byte \(i) flipped was accepted")
        }
    }

    @Test(arguments: [Vault.Scheme.frostEd25519, .frostTaproot])
    func aTruncatedOrExtendedEnrolmentIsRefusedNamingTheField(scheme: Vault.Scheme) throws {
        let bytes = try Self.enrolment(scheme).serializedBytes
        for n in 0..<bytes.count {
            #expect(throws: GovernanceError.self, "\(n) bytes") { try OfflineEnrolment(serializedBytes: Array(bytes[..<n])) }
        }
        #expect(Self.reason { _ = try OfflineEnrolment(serializedBytes: Array(bytes.dropLast(10))) }?.contains("truncated at signature") == true)
        #expect(Self.reason { _ = try OfflineEnrolment(serializedBytes: bytes + [0]) }?.contains("trailing") == true)
        #expect(throws: GovernanceError(.oversize, "")) {
            try OfflineEnrolment(serializedBytes: bytes + [UInt8](repeating: 0, count: OfflineEnrolment.maximumBytes))
        }
    }

    /// The attacker who saw an enrolment reuses its key and proof under its own identity, or for
    /// another vault: the proof of possession does not verify there, so it cannot enrol a key it
    /// does not know (one chosen to cancel another).
    @Test(arguments: [Vault.Scheme.frostEd25519, .frostTaproot])
    func aProofOfPossessionReplayedForAnotherVaultOrIdentityIsRefused(scheme: Vault.Scheme) throws {
        let victim = try Self.enrolment(scheme, vault: "cold")
        let attacker = Curve25519.Signing.PrivateKey()
        func forged(vault: String, genesis: [UInt8], identityKey: [UInt8]) throws -> OfflineEnrolment {
            let unsigned = OfflineEnrolment(genesisDigest: genesis, vault: vault, scheme: scheme, identityKey: identityKey,
                                            offlineKey: victim.offlineKey, proof: victim.proof, signature: [])
            let signed = OfflineEnrolment(genesisDigest: genesis, vault: vault, scheme: scheme, identityKey: identityKey,
                                          offlineKey: victim.offlineKey, proof: victim.proof,
                                          signature: Array(try attacker.signature(for: unsigned.signedBytes)))
            return try OfflineEnrolment(serializedBytes: signed.serializedBytes)
        }
        let attackerKey = Array(attacker.publicKey.rawRepresentation)
        let anotherVault = try forged(vault: "hot", genesis: Self.genesis, identityKey: attackerKey)
        #expect(Self.reason { try anotherVault.verify(genesisDigest: Self.genesis, vault: "hot", scheme: scheme) }?
            .contains("proof of possession does not verify") == true)
        let anotherIdentity = try forged(vault: "cold", genesis: Self.genesis, identityKey: attackerKey)
        #expect(Self.reason { try anotherIdentity.verify(genesisDigest: Self.genesis, vault: "cold", scheme: scheme) }?
            .contains("proof of possession does not verify") == true)
        let anotherCluster = try forged(vault: "cold", genesis: Self.otherGenesis, identityKey: attackerKey)
        #expect(Self.reason { try anotherCluster.verify(genesisDigest: Self.otherGenesis, vault: "cold", scheme: scheme) }?
            .contains("proof of possession does not verify") == true)
    }

    @Test func anEnrolmentForAnECDSAVaultOrWithTheWrongSuiteIsRefused() throws {
        #expect(Self.reason { _ = try OfflineEnrolment.make(key: FROST<Secp256k1TaprootSHA256>.AdditiveKey.generate(), identity: .init(),
                                                             genesisDigest: Self.genesis, vault: "v", scheme: .ecdsaSecp256k1) }?
            .contains("needs a FROST vault") == true)
        #expect(Self.reason { _ = try OfflineEnrolment.make(key: FROST<Ed25519SHA512>.AdditiveKey.generate(), identity: .init(),
                                                             genesisDigest: Self.genesis, vault: "v", scheme: .frostTaproot) }?
            .contains("not the suite of a frost-taproot vault") == true)
    }

    // MARK: Response

    static func response(
        _ identity: Curve25519.Signing.PrivateKey, request: String = "r-1", attempt: UInt32 = 2
    ) throws -> OfflineResponse {
        let nonces = FROST<Ed25519SHA512>.commit(
            keyPackage: try KeyPackage<Ed25519SHA512>(identifier: .init(1), unsafeSigningShare: .random(),
                                                      verifyingKey: .generatorMultiple(.random()), minSigners: 2))
        let share = FROST<Ed25519SHA512>.SignatureShare(share: .random(), packageDigest: [UInt8](repeating: 3, count: 32))
        return try OfflineResponse.make(commitments: nonces.commitments, share: share, identity: identity, genesisDigest: Self.genesis,
                                        vault: "cold", scheme: .frostEd25519, request: request, attempt: attempt)
    }

    @Test func aResponseRoundTripsAndVerifiesForItsAttemptOnly() throws {
        let identity = Curve25519.Signing.PrivateKey()
        let key = Array(identity.publicKey.rawRepresentation)
        let r = try Self.response(identity)
        let decoded = try OfflineResponse(serializedBytes: r.serializedBytes)
        #expect(decoded == r)
        try decoded.verify(genesisDigest: Self.genesis, vault: "cold", scheme: .frostEd25519, request: "r-1", attempt: 2, identityKey: key)
        #expect(try decoded.signatureShare(Ed25519SHA512.self).packageDigest == [UInt8](repeating: 3, count: 32))
        #expect(Self.reason { try decoded.verify(genesisDigest: Self.otherGenesis, vault: "cold", scheme: .frostEd25519, request: "r-1", attempt: 2, identityKey: key) }?
            .contains("another cluster") == true)
        #expect(Self.reason { try decoded.verify(genesisDigest: Self.genesis, vault: "hot", scheme: .frostEd25519, request: "r-1", attempt: 2, identityKey: key) }?
            .contains("vault cold, not hot") == true)
        #expect(Self.reason { try decoded.verify(genesisDigest: Self.genesis, vault: "cold", scheme: .frostTaproot, request: "r-1", attempt: 2, identityKey: key) }?
            .contains("frost-ed25519 vault, not frost-taproot") == true)
        #expect(Self.reason { try decoded.verify(genesisDigest: Self.genesis, vault: "cold", scheme: .frostEd25519, request: "r-2", attempt: 2, identityKey: key) }?
            .contains("answers request r-1, not r-2") == true)
        #expect(Self.reason { try decoded.verify(genesisDigest: Self.genesis, vault: "cold", scheme: .frostEd25519, request: "r-1", attempt: 3, identityKey: key) }?
            .contains("answers attempt 2, not 3") == true)
        let stranger = Array(Curve25519.Signing.PrivateKey().publicKey.rawRepresentation)
        #expect(Self.reason { try decoded.verify(genesisDigest: Self.genesis, vault: "cold", scheme: .frostEd25519, request: "r-1", attempt: 2, identityKey: stranger) }?
            .contains("identity signature does not verify") == true)
        #expect(Self.reason { _ = try decoded.signatureShare(Secp256k1TaprootSHA256.self) }?.contains("not the suite") == true)
    }

    @Test func aResponseWithAnyBitFlippedTruncatedOrExtendedIsRefused() throws {
        let identity = Curve25519.Signing.PrivateKey()
        let key = Array(identity.publicKey.rawRepresentation)
        let bytes = try Self.response(identity).serializedBytes
        for i in bytes.indices {
            var altered = bytes
            altered[i] ^= 0x01
            let reason = Self.reason {
                try OfflineResponse(serializedBytes: altered).verify(
                    genesisDigest: Self.genesis, vault: "cold", scheme: .frostEd25519, request: "r-1", attempt: 2, identityKey: key)
            }
            #expect(reason != nil, "byte \(i) flipped was accepted")
        }
        for n in 0..<bytes.count {
            #expect(throws: GovernanceError.self, "\(n) bytes") { try OfflineResponse(serializedBytes: Array(bytes[..<n])) }
        }
        #expect(Self.reason { _ = try OfflineResponse(serializedBytes: bytes + [1]) }?.contains("trailing") == true)
        #expect(Self.reason { _ = try OfflineResponse(serializedBytes: Array(bytes.dropLast(70))) }?.contains("truncated at share") == true)
    }
}
