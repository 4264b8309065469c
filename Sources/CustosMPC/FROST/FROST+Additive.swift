import CustosCore
import CustosCrypto

extension FROST {
    /// The value of the identifier reserved for an additive participant (an offline signer whose
    /// key is added to a threshold key, Y = Y_on + Y_off). No vault has this many participants
    /// (`maximumParticipants` is far below it), so it never names a Shamir share.
    public static var additiveIdentifierValue: UInt64 { 65_535 }

    /// The identifier an additive participant signs under.
    public static var additiveIdentifier: Identifier<Suite> {
        // A nonzero small integer is a valid identifier in every suite.
        try! Identifier<Suite>(additiveIdentifierValue)
    }

    /// An additive participant's secret key s_off and its public key Y_off = s_off·G, made by one
    /// party alone. It signs with coefficient 1 next to the threshold shares
    /// (`signAdditive`). Never printed; sealed at rest by its owner.
    public struct AdditiveKey: Sendable, CustomStringConvertible {
        let secret: Suite.Scalar
        public let publicKey: Suite.Element

        init(secret: Suite.Scalar) {
            self.secret = secret
            publicKey = .generatorMultiple(secret)
        }

        /// A fresh random key.
        public static func generate() -> AdditiveKey {
            var secret = Suite.Scalar.random()
            while secret.isZero { secret = .random() }
            return AdditiveKey(secret: secret)
        }

        public var description: String { "FROST.AdditiveKey(\(publicKey), secret redacted)" }

        /// The secret encoding for sealing at rest. Zeroed when released.
        public func sealedRepresentation() -> SecretBytes {
            var w = CanonicalWriter(kind: WireKind.additiveKey)
            w.append(scalar: secret)
            return w.finishSecret()
        }

        /// Restores a sealed key, recomputing its public key.
        public init(sealedRepresentation sealed: SecretBytes) throws(MPCError) {
            var bytes = sealed.unsafeCopyBytes()
            defer { Sodium.memzero(&bytes) }
            var r = try WireReader(bytes, kind: WireKind.additiveKey, message: "sealed additive key")
            let secret = try r.scalar(Suite.Scalar.self, "secret")
            try r.finish()
            guard !secret.isZero else { throw MPCError(.malformedMessage, "sealed additive key: the secret is zero") }
            self.init(secret: secret)
        }

        /// A Schnorr proof of knowledge of s_off bound to `context` (what the key is for: the
        /// cluster, the vault, the owner's identity key). It is the DKG's proof of knowledge of a
        /// constant term, made under the additive identifier, so that a key chosen to cancel
        /// another (Y_off = X − Y_on) cannot come with a proof.
        public func proofOfPossession(context: [UInt8]) throws(MPCError) -> DKG<Suite>.Round1.ProofOfKnowledge {
            let (_, package) = try DKG<Suite>.part1(
                identifier: FROST.additiveIdentifier, polynomial: Polynomial(coefficients: [secret]), nonce: .random(),
                maxSigners: 1, minSigners: 1, context: context)
            return package.proofOfKnowledge
        }
    }

    /// Checks a proof of possession of `key` under `context` (`AdditiveKey.proofOfPossession`);
    /// `invalidProofOfKnowledge` when it does not verify, `invalidShare` for the identity key.
    public static func verifyPossession(
        of key: Suite.Element, proof: DKG<Suite>.Round1.ProofOfKnowledge, context: [UInt8]
    ) throws(MPCError) {
        let package = DKG<Suite>.Round1.Package(
            commitment: VerifiableSecretSharingCommitment(coefficients: [key]), proofOfKnowledge: proof)
        try DKG<Suite>.verify(package, from: additiveIdentifier, minSigners: 1, context: context)
    }
}

extension FROST {
    /// The additive participant in a signing package: its commitments for this signature and its
    /// key Y_off. Y_off is not the identity (a key that is could not be proven, and adds nothing).
    public struct AdditiveCommitment: Sendable, Equatable {
        public let commitments: SigningCommitments
        public let publicKey: Suite.Element

        public init(commitments: SigningCommitments, publicKey: Suite.Element) throws(MPCError) {
            guard !publicKey.isIdentity else { throw MPCError(.malformedMessage, "the additive key must not be the identity") }
            self.commitments = commitments
            self.publicKey = publicKey
        }
    }

    /// Round 1 for the additive participant, drawn when it answers and used once by
    /// `signAdditive`: each nonce from 32 random bytes, its secret and `context` (what it is about
    /// to sign: the package without its own commitment, the request, the attempt). Hedged, so a
    /// random number generator that repeats (a restored snapshot, a fresh live image) over
    /// another package still gives other nonces.
    public static func commit(additiveKey key: AdditiveKey, context: [UInt8]) -> SigningNonces {
        var secret = key.secret.rawRepresentation
        defer { Sodium.memzero(&secret) }
        let bound = Hashes.sha256(Array("custos/additive-nonce".utf8), context)
        return nonces(hiding: Suite.H3(SecureRandom.bytes(count: 32) + secret + bound + [1]),
                      binding: Suite.H3(SecureRandom.bytes(count: 32) + secret + bound + [2]))
    }

    /// Round 2 for the additive participant: z = ±(d + ρ·e) + c·(±s_off), over a package whose
    /// additive part is its own key and the commitments of `nonces` (consumed). The challenge is
    /// under Y_on + Y_off (`onlineVerifyingKey` is Y_on); the Taproot tweak is left to the threshold
    /// shares. Refuses a package that signs another message or tweak, has no threshold signer, or
    /// whose additive part is not this key with these nonces.
    public static func signAdditive(
        package: SigningPackage, nonces: consuming SigningNonces, key: AdditiveKey, onlineVerifyingKey: Suite.Element,
        expectedMessage: [UInt8], expectedTweak: TaprootTweak? = nil
    ) throws(MPCError) -> SignatureShare {
        guard package.message == expectedMessage else {
            throw MPCError(.commitmentMismatch, "the signing package's message differs from the request this signer rebuilt")
        }
        guard package.tweak == expectedTweak else {
            throw MPCError(.commitmentMismatch, "the signing package's Taproot tweak differs from the request")
        }
        guard let additive = package.additive, additive.publicKey == key.publicKey else {
            throw MPCError(.commitmentMismatch, "the signing package's additive participant is not this key")
        }
        guard additive.commitments == nonces.commitments else {
            throw MPCError(.commitmentMismatch, "the signing package alters the additive participant's commitment")
        }
        guard !package.commitments.isEmpty, package.commitments[additiveIdentifier] == nil else {
            throw MPCError(.invalidParameters, "the signing package has no threshold signers beside the additive participant")
        }
        let session = try Session(package: package, verifyingKey: onlineVerifyingKey)
        let rho = session.bindingFactors[additiveIdentifier]!
        let nonce = nonces.hiding + nonces.binding * rho
        let secret = session.keyAdjustment.negate ? -key.secret : key.secret
        let z = (session.negatesNonces ? -nonce : nonce) + session.challenge * secret
        return SignatureShare(share: z, packageDigest: try package.digest)
    }
}
