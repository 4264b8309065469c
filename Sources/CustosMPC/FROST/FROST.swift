import CustosCore
import CustosCrypto

/// FROST threshold Schnorr signing (RFC 9591 §5), generic over the ciphersuite: two rounds
/// per signer (commit, then sign) and an aggregation by the coordinator.
///
/// Promises: a signer's nonces are a `~Copyable` value consumed by `sign`, so one nonce pair
/// cannot sign twice; a signer refuses a signing package in which its own commitment is
/// missing or altered; aggregation verifies the signature and, when it does not verify, names
/// every signer whose share is wrong.
public enum FROST<Suite: Ciphersuite> {
    /// A signer's public round-1 output: commitments D = d·G and E = e·G to its nonces.
    public struct SigningCommitments: Sendable, Equatable {
        public let hiding: Suite.Element
        public let binding: Suite.Element

        public init(hiding: Suite.Element, binding: Suite.Element) throws(MPCError) {
            guard !hiding.isIdentity, !binding.isIdentity else {
                throw MPCError(.malformedMessage, "nonce commitments must not be the identity")
            }
            self.hiding = hiding
            self.binding = binding
        }
    }

    /// A signer's secret round-1 output, usable exactly once: `sign` consumes it.
    public struct SigningNonces: ~Copyable, Sendable {
        let hiding: Suite.Scalar
        let binding: Suite.Scalar
        public let commitments: SigningCommitments
    }

    /// What the coordinator sends every signer: the message, the signers' commitments, the
    /// Taproot tweak if any, and the additive participant if the key has one. Signers must agree
    /// on all of it; it is bound into every share.
    public struct SigningPackage: Sendable, Equatable {
        /// The threshold signers' commitments (the additive participant's is in `additive`).
        public let commitments: [Identifier<Suite>: SigningCommitments]
        public let message: [UInt8]
        public let tweak: TaprootTweak?
        /// The additive participant (an offline signer, key Y_off), when the key is Y_on + Y_off.
        public let additive: AdditiveCommitment?

        public init(
            commitments: [Identifier<Suite>: SigningCommitments], message: [UInt8], tweak: TaprootTweak? = nil,
            additive: AdditiveCommitment? = nil
        ) {
            self.commitments = commitments
            self.message = message
            self.tweak = tweak
            self.additive = additive
        }

        /// The threshold signers: the set the Lagrange coefficients are computed over.
        public var signers: [Identifier<Suite>] { commitments.keys.sorted() }

        /// Everyone who signs: the threshold signers and the additive participant, by identifier.
        public var participants: [Identifier<Suite>] {
            additive == nil ? signers : (Array(commitments.keys) + [FROST.additiveIdentifier]).sorted()
        }

        /// The commitments of `participant`, threshold signer or additive participant.
        public func commitments(of participant: Identifier<Suite>) -> SigningCommitments? {
            if let additive, participant == FROST.additiveIdentifier { return additive.commitments }
            return commitments[participant]
        }
    }

    /// A signer's round-2 output z_i, with the digest of the signing package it was computed
    /// over, so that a coordinator that showed different packages to different signers cannot
    /// get an honest signer blamed for a "wrong" share.
    public struct SignatureShare: Sendable, Equatable {
        public let share: Suite.Scalar
        public let packageDigest: [UInt8]
        public init(share: Suite.Scalar, packageDigest: [UInt8]) {
            self.share = share
            self.packageDigest = packageDigest
        }
    }

    /// An aggregated signature (R, z), R being the commitment the verifier sees (even-y for
    /// Taproot).
    public struct Signature: Sendable, Equatable {
        public let commitment: Suite.Element
        public let z: Suite.Scalar

        public init(commitment: Suite.Element, z: Suite.Scalar) {
            self.commitment = commitment
            self.z = z
        }

        /// The suite's signature encoding: RFC 8032 for Ed25519, 64-byte BIP-340 for Taproot.
        public var serializedBytes: [UInt8] {
            get throws(CryptoError) { try Suite.serializeSignature(commitment: commitment, z: z) }
        }

        public init(serializedBytes bytes: [UInt8]) throws(CryptoError) {
            (commitment, z) = try Suite.deserializeSignature(bytes)
        }
    }

    // MARK: Round 1

    /// Round 1 (RFC 9591 §5.1): fresh hiding and binding nonces, each derived from 32 random
    /// bytes and the signing share (nonce_generate). The commitments to publish are
    /// `nonces.commitments`.
    public static func commit(keyPackage: KeyPackage<Suite>) -> SigningNonces {
        commit(keyPackage: keyPackage,
               hidingRandomness: SecureRandom.bytes(count: 32), bindingRandomness: SecureRandom.bytes(count: 32))
    }

    /// Round 1 with given randomness, for the standards' test vectors only.
    static func commit(
        keyPackage: KeyPackage<Suite>, hidingRandomness: [UInt8], bindingRandomness: [UInt8]
    ) -> SigningNonces {
        let secret = keyPackage.signingShare.rawRepresentation
        return nonces(hiding: Suite.H3(hidingRandomness + secret), binding: Suite.H3(bindingRandomness + secret))
    }

    /// Nonces from given scalars: the standards' test vectors, and a sealed pair restored.
    static func nonces(hiding: Suite.Scalar, binding: Suite.Scalar) -> SigningNonces {
        // Nonces from H3 are zero with negligible probability; commitments are then nonzero.
        let commitments = try! SigningCommitments(
            hiding: .generatorMultiple(hiding), binding: .generatorMultiple(binding))
        return SigningNonces(hiding: hiding, binding: binding, commitments: commitments)
    }

    // MARK: Round 2

    /// Round 2 (RFC 9591 §5.2): the signature share z_i. Consumes the nonces. The signer
    /// passes what it rebuilt itself from the committed request — the message and the Taproot
    /// tweak — and the key's participants; it refuses a package that signs anything else, lacks
    /// or alters its own commitment, names signers outside the key, or has fewer than t signers.
    public static func sign(
        package: SigningPackage, nonces: consuming SigningNonces, keyPackage: KeyPackage<Suite>,
        publicKeyPackage: PublicKeyPackage<Suite>, expectedMessage: [UInt8], expectedTweak: TaprootTweak? = nil,
        expectedAdditiveKey: Suite.Element? = nil
    ) throws(MPCError) -> SignatureShare {
        let me = keyPackage.identifier
        guard publicKeyPackage.verifyingKey == keyPackage.verifyingKey,
              publicKeyPackage.verifyingShares[me] == keyPackage.verifyingShare
        else {
            throw MPCError(.groupKeyMismatch, "the public key package does not belong to this key package")
        }
        guard package.message == expectedMessage else {
            throw MPCError(.commitmentMismatch, "the signing package's message differs from the request this signer rebuilt")
        }
        guard package.tweak == expectedTweak else {
            throw MPCError(.commitmentMismatch, "the signing package's Taproot tweak differs from the request")
        }
        guard package.additive?.publicKey == expectedAdditiveKey else {
            throw MPCError(.commitmentMismatch, expectedAdditiveKey == nil
                           ? "the signing package adds an additive participant to a key that has none"
                           : "the signing package lacks the key's additive participant or names another key for it")
        }
        guard let mine = package.commitments[me] else {
            throw MPCError(.commitmentMismatch, "the signing package has no commitment from this signer (\(me))")
        }
        guard mine == nonces.commitments else {
            throw MPCError(.commitmentMismatch, "the signing package alters this signer's (\(me)) commitment")
        }
        let outsiders = package.signers.filter { publicKeyPackage.verifyingShares[$0] == nil }
        guard outsiders.isEmpty else {
            throw MPCError(.unexpectedParticipant, "the signing package names signers outside the key",
                           culprits: outsiders.map(\.description))
        }
        guard package.commitments.count >= keyPackage.minSigners else {
            throw MPCError(.invalidParameters,
                           "\(package.commitments.count) signers are fewer than the threshold \(keyPackage.minSigners)")
        }
        let session = try Session(package: package, verifyingKey: keyPackage.verifyingKey)
        let lambda = try Lagrange.coefficient(for: me, in: session.signers)
        let rho = session.bindingFactors[me]!
        let adjustedShare = session.keyAdjustment.apply(to: keyPackage.signingShare)
        let nonce = nonces.hiding + nonces.binding * rho
        let z = (session.negatesNonces ? -nonce : nonce) + lambda * adjustedShare * session.challenge
        return SignatureShare(share: z, packageDigest: try package.digest)
    }

    // MARK: Aggregation

    /// Aggregation (RFC 9591 §5.3): sums the shares, verifies the result, and on failure checks
    /// every share to name the signers that cheated. With an additive participant its share
    /// (under `additiveIdentifier`) is summed too and the signature is under Y_on + Y_off.
    public static func aggregate(
        package: SigningPackage, shares: [Identifier<Suite>: SignatureShare], publicKeyPackage: PublicKeyPackage<Suite>
    ) throws(MPCError) -> Signature {
        let signers = package.participants
        try Participants.requireExactly(signers, present: shares.keys, what: "signature share")
        let unknown = package.signers.filter { publicKeyPackage.verifyingShares[$0] == nil }
        guard unknown.isEmpty else {
            throw MPCError(.unexpectedParticipant, "signers outside the key's participants",
                           culprits: unknown.map(\.description))
        }
        guard package.signers.count >= publicKeyPackage.minSigners else {
            throw MPCError(.invalidParameters,
                           "\(package.signers.count) signers are fewer than the threshold \(publicKeyPackage.minSigners)")
        }
        let digest = try package.digest
        let otherPackage = signers.filter { shares[$0]!.packageDigest != digest }
        guard otherPackage.isEmpty else {
            // Either the coordinator showed these signers another package or they lie about it;
            // the signed envelopes of the package and the shares settle which, so nobody is
            // blamed here.
            throw MPCError(.commitmentMismatch,
                           "shares of \(otherPackage.map(\.description).joined(separator: ", ")) were computed over another signing package")
        }
        let session = try Session(package: package, verifyingKey: publicKeyPackage.verifyingKey)
        var z = Suite.Scalar.zero
        for id in signers { z = z + shares[id]!.share }
        let signature = Signature(commitment: session.negatesNonces ? -session.groupCommitment : session.groupCommitment, z: z)
        if Suite.isValidSignature(commitment: signature.commitment, z: z, message: package.message, key: session.adjustedKey) {
            return signature
        }
        var culprits: [String] = []
        for id in signers {
            if try !verify(share: shares[id]!, of: id, session: session, publicKeyPackage: publicKeyPackage) {
                culprits.append(id.description)
            }
        }
        if culprits.isEmpty {
            throw MPCError(.invalidSignature, "the aggregated signature does not verify")
        }
        throw MPCError(.invalidSignatureShare, "signature shares do not verify", culprits: culprits)
    }

    /// Checks one signer's share: z_i·G = ±(D_i + ρ_i·E_i) + c·λ_i·(±Y_i + offset·G); for the
    /// additive participant z·G = ±(D + ρ·E) + c·(±Y_off).
    public static func verifySignatureShare(
        _ share: SignatureShare, of signer: Identifier<Suite>, package: SigningPackage,
        publicKeyPackage: PublicKeyPackage<Suite>
    ) throws(MPCError) -> Bool {
        let isAdditive = package.additive != nil && signer == additiveIdentifier
        guard isAdditive || (package.commitments[signer] != nil && publicKeyPackage.verifyingShares[signer] != nil) else {
            throw MPCError(.unexpectedParticipant, "\(signer) is not a signer of this package", culprits: [signer.description])
        }
        let session = try Session(package: package, verifyingKey: publicKeyPackage.verifyingKey)
        return try verify(share: share, of: signer, session: session, publicKeyPackage: publicKeyPackage)
    }

    static func verify(
        share: SignatureShare, of signer: Identifier<Suite>, session: Session, publicKeyPackage: PublicKeyPackage<Suite>
    ) throws(MPCError) -> Bool {
        let commitments = session.package.commitments(of: signer)!
        let commitmentShare = commitments.hiding + .variableTimeMultiply(session.bindingFactors[signer]!, commitments.binding)
        let nonceTerm = session.negatesNonces ? -commitmentShare : commitmentShare
        if let additive = session.package.additive, signer == additiveIdentifier {
            // Coefficient 1, the negation only: the offset is the threshold shares' to add.
            let key = session.keyAdjustment.negate ? -additive.publicKey : additive.publicKey
            return Suite.Element.generatorMultiple(share.share) == nonceTerm + .variableTimeMultiply(session.challenge, key)
        }
        let lambda = try Lagrange.coefficient(for: signer, in: session.signers)
        let adjustedVerifyingShare = session.keyAdjustment.apply(to: publicKeyPackage.verifyingShares[signer]!)
        return Suite.Element.generatorMultiple(share.share)
            == nonceTerm + .variableTimeMultiply(session.challenge * lambda, adjustedVerifyingShare)
    }

    /// Verifies a signature under the group key (RFC 9591 §6 verify_signature; BIP-340 for
    /// Taproot with the tweak applied).
    public static func verify(
        signature: Signature, message: [UInt8], verifyingKey: Suite.Element, tweak: TaprootTweak? = nil
    ) -> Bool {
        guard let adjustment = try? Suite.keyAdjustment(groupKey: verifyingKey, tweak: tweak) else { return false }
        guard !Suite.negatesNonces(groupCommitment: signature.commitment) else { return false }
        return Suite.isValidSignature(commitment: signature.commitment, z: signature.z, message: message,
                                      key: adjustment.apply(toGroupKey: verifyingKey))
    }

    /// What every signer and the coordinator derive from a signing package: binding factors,
    /// group commitment, challenge, and the suite's key and nonce adjustments. With an additive
    /// participant the binding factors and the group commitment cover it too, and the key is the
    /// combined Y_on + Y_off (`verifyingKey` is Y_on); the Lagrange set stays `signers`.
    struct Session {
        let package: SigningPackage
        /// The threshold signers (the Lagrange set).
        let signers: [Identifier<Suite>]
        let keyAdjustment: KeyAdjustment<Suite>
        let adjustedKey: Suite.Element
        let bindingFactors: [Identifier<Suite>: Suite.Scalar]
        let groupCommitment: Suite.Element
        let negatesNonces: Bool
        let challenge: Suite.Scalar

        init(package: SigningPackage, verifyingKey: Suite.Element) throws(MPCError) {
            self.package = package
            signers = package.signers
            let participants = package.participants
            let groupKey = package.additive.map { verifyingKey + $0.publicKey } ?? verifyingKey
            keyAdjustment = try Suite.keyAdjustment(groupKey: groupKey, tweak: package.tweak)
            adjustedKey = keyAdjustment.apply(toGroupKey: groupKey)
            bindingFactors = try Session.bindingFactors(package: package, signers: participants, verifyingKey: adjustedKey)
            var terms: [Suite.Element] = []
            for id in participants {
                let c = package.commitments(of: id)!
                terms.append(c.hiding)
                terms.append(.variableTimeMultiply(bindingFactors[id]!, c.binding))
            }
            groupCommitment = Suite.Element.sum(terms)
            guard !groupCommitment.isIdentity else {
                throw MPCError(.invalidParameters, "the group commitment is the identity")
            }
            negatesNonces = Suite.negatesNonces(groupCommitment: groupCommitment)
            do {
                challenge = try Suite.challenge(groupCommitment: groupCommitment, verifyingKey: adjustedKey,
                                                message: package.message)
            } catch {
                throw MPCError(.invalidParameters, "challenge: \(error.reason)")
            }
        }

        /// RFC 9591 §4.4 compute_binding_factors.
        static func bindingFactors(
            package: SigningPackage, signers: [Identifier<Suite>], verifyingKey: Suite.Element
        ) throws(MPCError) -> [Identifier<Suite>: Suite.Scalar] {
            let prefix = try bindingFactorPrefix(package: package, signers: signers, verifyingKey: verifyingKey)
            var factors: [Identifier<Suite>: Suite.Scalar] = [:]
            for id in signers { factors[id] = Suite.H1(prefix + id.scalar.rawRepresentation) }
            return factors
        }

        /// enc(PK) ‖ H4(msg) ‖ H5(encode_group_commitment_list).
        static func bindingFactorPrefix(
            package: SigningPackage, signers: [Identifier<Suite>], verifyingKey: Suite.Element
        ) throws(MPCError) -> [UInt8] {
            do {
                var list: [UInt8] = []
                for id in signers {
                    let c = package.commitments(of: id)!
                    list += id.scalar.rawRepresentation
                    list += try c.hiding.serialized()
                    list += try c.binding.serialized()
                }
                return try verifyingKey.serialized() + Suite.H4(package.message) + Suite.H5(list)
            } catch {
                throw MPCError(.invalidParameters, "binding factor input: \(error.reason)")
            }
        }
    }
}
