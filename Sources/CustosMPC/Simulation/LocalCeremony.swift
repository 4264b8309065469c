import CustosCore
import CustosCrypto

/// Runs whole protocols among participants that all live in this process, passing every
/// public message through its wire encoding as a network would. For the demo, benchmarks and
/// tests; a cluster runs the same steps on separate nodes.
public enum LocalCeremony<Suite: Ciphersuite> {
    /// A full DKG among `identifiers` with threshold `minSigners`.
    public static func keyGeneration(
        identifiers: [Identifier<Suite>], minSigners: Int
    ) throws(MPCError) -> (keys: [Identifier<Suite>: KeyPackage<Suite>], publicKeyPackage: PublicKeyPackage<Suite>) {
        var secrets1: [Identifier<Suite>: DKG<Suite>.Round1.SecretPackage] = [:]
        var broadcast: [Identifier<Suite>: [UInt8]] = [:]
        for id in identifiers {
            let (secret, package) = try DKG<Suite>.part1(identifier: id, maxSigners: identifiers.count, minSigners: minSigners)
            secrets1[id] = secret
            broadcast[id] = try package.serializedBytes
        }
        var round1: [Identifier<Suite>: DKG<Suite>.Round1.Package] = [:]
        for (id, bytes) in broadcast { round1[id] = try .init(serializedBytes: bytes) }

        var secrets2: [Identifier<Suite>: DKG<Suite>.Round2.SecretPackage] = [:]
        var inbox: [Identifier<Suite>: [Identifier<Suite>: DKG<Suite>.Round2.Package]] = [:]
        for id in identifiers {
            let (secret, outgoing) = try DKG<Suite>.part2(secretPackage: secrets1[id]!, round1Packages: round1.filter { $0.key != id })
            secrets2[id] = secret
            for (to, package) in outgoing {
                let wire = package.unsafeSerializedBytes()
                inbox[to, default: [:]][id] = try .init(serializedBytes: wire.unsafeCopyBytes())
            }
        }
        var keys: [Identifier<Suite>: KeyPackage<Suite>] = [:]
        var publicPackages: [PublicKeyPackage<Suite>] = []
        for id in identifiers {
            let (key, pub) = try DKG<Suite>.part3(secretPackage: secrets2[id]!, round1Packages: round1.filter { $0.key != id },
                                                   round2Packages: inbox[id] ?? [:])
            keys[id] = key
            publicPackages.append(pub)
        }
        guard publicPackages.allSatisfy({ $0 == publicPackages[0] }) else {
            throw MPCError(.groupKeyMismatch, "participants disagree on the public key package")
        }
        return (keys, publicPackages[0])
    }

    /// Both FROST rounds for `signers` and the aggregation. With `encodeMessages` false the
    /// public messages are handed over in memory instead of through their wire encodings. With
    /// `additive`, that key signs too as the additive participant (the signature is then under
    /// the threshold key plus its key).
    public static func sign(
        message: [UInt8], signers: [KeyPackage<Suite>], publicKeyPackage: PublicKeyPackage<Suite>,
        tweak: TaprootTweak? = nil, additive: FROST<Suite>.AdditiveKey? = nil, encodeMessages: Bool = true
    ) throws(MPCError) -> FROST<Suite>.Signature {
        let (package, shares) = try signingShares(message: message, signers: signers, publicKeyPackage: publicKeyPackage,
                                                  tweak: tweak, additive: additive, encodeMessages: encodeMessages)
        return try FROST<Suite>.aggregate(package: package, shares: shares, publicKeyPackage: publicKeyPackage)
    }

    /// Both FROST rounds, without the aggregation: the package every signer signed and each
    /// one's share (the additive participant's under `FROST.additiveIdentifier`).
    public static func signingShares(
        message: [UInt8], signers: [KeyPackage<Suite>], publicKeyPackage: PublicKeyPackage<Suite>,
        tweak: TaprootTweak? = nil, additive: FROST<Suite>.AdditiveKey? = nil, encodeMessages: Bool = true
    ) throws(MPCError) -> (package: FROST<Suite>.SigningPackage, shares: [Identifier<Suite>: FROST<Suite>.SignatureShare]) {
        guard Set(signers.map(\.identifier)).count == signers.count else {
            throw MPCError(.duplicateParticipant, "a signer appears twice")
        }
        var nonces: [Identifier<Suite>: NonceSlot] = [:]
        var commitments: [Identifier<Suite>: FROST<Suite>.SigningCommitments] = [:]
        for key in signers {
            let n = FROST<Suite>.commit(keyPackage: key)
            commitments[key.identifier] = encodeMessages
                ? try .init(serializedBytes: n.commitments.serializedBytes) : n.commitments
            nonces[key.identifier] = NonceSlot(n)
        }
        var additivePart: FROST<Suite>.AdditiveCommitment?
        if let additive {
            let unsigned = FROST<Suite>.SigningPackage(commitments: commitments, message: message, tweak: tweak)
            let n = FROST<Suite>.commit(additiveKey: additive, context: try unsigned.serializedBytes)
            additivePart = try .init(commitments: n.commitments, publicKey: additive.publicKey)
            nonces[FROST<Suite>.additiveIdentifier] = NonceSlot(n)
        }
        let original = FROST<Suite>.SigningPackage(commitments: commitments, message: message, tweak: tweak, additive: additivePart)
        let packageBytes = encodeMessages ? try original.serializedBytes : []
        func received() throws(MPCError) -> FROST<Suite>.SigningPackage {
            encodeMessages ? try FROST<Suite>.SigningPackage(serializedBytes: packageBytes) : original
        }
        var shares: [Identifier<Suite>: FROST<Suite>.SignatureShare] = [:]
        for key in signers.reversed() {
            guard let n = nonces[key.identifier]!.nonces.take() else { preconditionFailure("nonces used twice") }
            let share = try FROST<Suite>.sign(package: try received(), nonces: n, keyPackage: key, publicKeyPackage: publicKeyPackage,
                                              expectedMessage: message, expectedTweak: tweak, expectedAdditiveKey: additive?.publicKey)
            shares[key.identifier] = encodeMessages ? try .init(serializedBytes: share.serializedBytes) : share
        }
        if let additive {
            guard let n = nonces[FROST<Suite>.additiveIdentifier]!.nonces.take() else { preconditionFailure("nonces used twice") }
            let share = try FROST<Suite>.signAdditive(package: try received(), nonces: n, key: additive,
                                                      onlineVerifyingKey: publicKeyPackage.verifyingKey,
                                                      expectedMessage: message, expectedTweak: tweak)
            shares[FROST<Suite>.additiveIdentifier] = encodeMessages ? try .init(serializedBytes: share.serializedBytes) : share
        }
        return (try received(), shares)
    }

    /// A reshare (or refresh) with every dealer and receiver in this process.
    public static func reshare(
        parameters: Reshare<Suite>.Parameters, dealerKeys: [Identifier<Suite>: KeyPackage<Suite>]
    ) throws(MPCError) -> (keys: [Identifier<Suite>: KeyPackage<Suite>], publicKeyPackage: PublicKeyPackage<Suite>) {
        var dealings: [Identifier<Suite>: Reshare<Suite>.Dealing] = [:]
        var inbox: [Identifier<Suite>: [Identifier<Suite>: Reshare<Suite>.Share]] = [:]
        for dealer in parameters.dealers {
            guard let key = dealerKeys[dealer] else {
                throw MPCError(.missingParticipant, "no key package for dealer \(dealer)", culprits: [dealer.description])
            }
            let (dealing, shares) = try Reshare<Suite>.deal(keyPackage: key, parameters: parameters)
            dealings[dealer] = try .init(serializedBytes: dealing.serializedBytes)
            for (to, share) in shares { inbox[to, default: [:]][dealer] = try .init(serializedBytes: share.unsafeSerializedBytes().unsafeCopyBytes()) }
        }
        var keys: [Identifier<Suite>: KeyPackage<Suite>] = [:]
        var publicPackage: PublicKeyPackage<Suite>? = nil
        // Every receiver saw the same dealings here; a cluster compares this digest through the log.
        _ = try Reshare<Suite>.transcript(parameters: parameters, dealings: dealings)
        for id in parameters.newParticipants {
            let (key, pub) = try Reshare<Suite>.receive(identifier: id, parameters: parameters, dealings: dealings,
                                                        shares: inbox[id] ?? [:])
            keys[id] = key
            if let previous = publicPackage, previous != pub {
                throw MPCError(.groupKeyMismatch, "participants disagree on the reshared public key package")
            }
            publicPackage = pub
        }
        return (keys, publicPackage!)
    }

    /// Holds one signer's nonces between the rounds; `take()` empties it.
    final class NonceSlot {
        var nonces: FROST<Suite>.SigningNonces?
        init(_ nonces: consuming FROST<Suite>.SigningNonces) { self.nonces = consume nonces }
    }
}
