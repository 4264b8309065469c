import CustosCore
import CustosCrypto

/// Dealerless distributed key generation: Pedersen's DKG with Feldman commitments and a
/// Schnorr proof of knowledge of each constant term (the FROST paper's KeyGen, RFC 9591
/// Appendix C companion). No participant ever holds the group secret.
///
/// Three local steps per participant, with two broadcast/unicast rounds between them:
/// `part1` makes a round-1 package to broadcast; `part2` checks everyone's round-1 packages
/// and makes one round-2 package per peer (sent encrypted to that peer only); `part3` checks
/// the round-2 packages received and yields the key package. Every failure names the culprit.
/// The broadcast must be consistent (every participant sees the same round-1 packages); the
/// cluster's log or an echo round provides that.
public enum DKG<Suite: Ciphersuite> {
    public enum Round1 {
        /// The secret state kept between part1 and part2. Never printed.
        public struct SecretPackage: Sendable, CustomStringConvertible {
            public let identifier: Identifier<Suite>
            let polynomial: Polynomial<Suite.Scalar>
            public let commitment: VerifiableSecretSharingCommitment<Suite>
            public let minSigners: Int
            public let maxSigners: Int
            /// The session context the proofs of knowledge bind (`part1`'s `context`).
            public let context: [UInt8]
            /// Claimed by the one successful `part2`.
            let use = UseOnce()
            public var description: String { "DKG.Round1.SecretPackage(\(identifier), redacted)" }
        }

        /// Broadcast to every participant: the Feldman commitment and the proof of knowledge.
        public struct Package: Sendable, Equatable {
            public let commitment: VerifiableSecretSharingCommitment<Suite>
            public let proofOfKnowledge: ProofOfKnowledge

            public init(commitment: VerifiableSecretSharingCommitment<Suite>, proofOfKnowledge: ProofOfKnowledge) {
                self.commitment = commitment
                self.proofOfKnowledge = proofOfKnowledge
            }
        }

        /// A Schnorr signature (R, μ) proving knowledge of the constant term a₀.
        public struct ProofOfKnowledge: Sendable, Equatable {
            public let commitment: Suite.Element
            public let response: Suite.Scalar

            public init(commitment: Suite.Element, response: Suite.Scalar) {
                self.commitment = commitment
                self.response = response
            }

            /// The suite's signature encoding (x-only R for Taproot).
            public var serializedBytes: [UInt8] {
                get throws(CryptoError) { try Suite.serializeSignature(commitment: commitment, z: response) }
            }

            public init(serializedBytes bytes: [UInt8]) throws(CryptoError) {
                (commitment, response) = try Suite.deserializeSignature(bytes)
            }
        }
    }

    public enum Round2 {
        /// The secret state kept between part2 and part3. Never printed.
        public struct SecretPackage: Sendable, CustomStringConvertible {
            public let identifier: Identifier<Suite>
            public let commitment: VerifiableSecretSharingCommitment<Suite>
            /// f_i(i): this participant's share of its own polynomial.
            let ownShare: Suite.Scalar
            /// Digest of the round-1 packages part2 checked; part3 must get the same ones.
            let round1Digest: [UInt8]
            public let minSigners: Int
            public let maxSigners: Int
            /// Claimed by the one successful `part3`.
            let use = UseOnce()
            public var description: String { "DKG.Round2.SecretPackage(\(identifier), redacted)" }
        }

        /// Sent to one peer only, encrypted: f_i(j). Never printed.
        public struct Package: Sendable, CustomStringConvertible {
            let signingShare: Suite.Scalar

            public init(unsafeSigningShare: Suite.Scalar) { signingShare = unsafeSigningShare }
            public var description: String { "DKG.Round2.Package(redacted)" }

            /// Whether this share is the polynomial behind `commitment` evaluated at `recipient`:
            /// what a third party checks when a recipient shows a share as evidence.
            public func verifies(against commitment: VerifiableSecretSharingCommitment<Suite>, at recipient: Identifier<Suite>) -> Bool {
                commitment.verifies(share: signingShare, at: recipient.scalar)
            }
        }
    }

    /// Part 1: choose a random polynomial of degree t−1, commit to it, and prove knowledge of
    /// its constant term. A non-empty `context` names the ceremony (a cluster binds its genesis
    /// digest, the vault and the key epoch): the proof then verifies only with the same context,
    /// so a proof from one ceremony does not verify in another. The empty context is the
    /// reference protocol's challenge, for its test vectors.
    public static func part1(
        identifier: Identifier<Suite>, maxSigners: Int, minSigners: Int, context: [UInt8] = []
    ) throws(MPCError) -> (Round1.SecretPackage, Round1.Package) {
        try checkParameters(maxSigners: maxSigners, minSigners: minSigners)
        let polynomial = Polynomial<Suite.Scalar>.random(constant: .random(), degree: minSigners - 1)
        return try part1(identifier: identifier, polynomial: polynomial, nonce: .random(),
                         maxSigners: maxSigners, minSigners: minSigners, context: context)
    }

    /// Part 1 with given randomness, for the standards' test vectors only.
    static func part1(
        identifier: Identifier<Suite>, polynomial: Polynomial<Suite.Scalar>, nonce: Suite.Scalar,
        maxSigners: Int, minSigners: Int, context: [UInt8] = []
    ) throws(MPCError) -> (Round1.SecretPackage, Round1.Package) {
        let commitment = VerifiableSecretSharingCommitment<Suite>(polynomial: polynomial)
        // The proof's nonce point must be encodable by the suite (even y for Taproot).
        var k = nonce
        var r = Suite.Element.generatorMultiple(k)
        if Suite.negatesNonces(groupCommitment: r) {
            k = -k
            r = -r
        }
        let c = try proofChallenge(identifier: identifier, constantTerm: commitment.constantTerm, nonceCommitment: r, context: context)
        let proof = Round1.ProofOfKnowledge(commitment: r, response: k + polynomial.coefficients[0] * c)
        let secret = Round1.SecretPackage(
            identifier: identifier, polynomial: polynomial, commitment: commitment,
            minSigners: minSigners, maxSigners: maxSigners, context: context)
        return (secret, Round1.Package(commitment: commitment, proofOfKnowledge: proof))
    }

    /// Part 2: check every peer's round-1 package (commitment length and proof of knowledge)
    /// and compute the share f_i(j) for each peer j. Succeeds once per secret package (a
    /// refusal does not count), so no second set of evaluations can ever leave.
    public static func part2(
        secretPackage: Round1.SecretPackage, round1Packages: [Identifier<Suite>: Round1.Package]
    ) throws(MPCError) -> (Round2.SecretPackage, [Identifier<Suite>: Round2.Package]) {
        try checkPeers(self: secretPackage.identifier, peers: Set(round1Packages.keys),
                       expectedCount: secretPackage.maxSigners - 1, what: "round-1 packages")
        for (peer, package) in round1Packages.sorted(by: { $0.key < $1.key }) {
            try verify(package, from: peer, minSigners: secretPackage.minSigners, context: secretPackage.context)
        }
        var outgoing: [Identifier<Suite>: Round2.Package] = [:]
        for peer in round1Packages.keys {
            outgoing[peer] = Round2.Package(unsafeSigningShare: secretPackage.polynomial.evaluate(at: peer.scalar))
        }
        let secret = Round2.SecretPackage(
            identifier: secretPackage.identifier, commitment: secretPackage.commitment,
            ownShare: secretPackage.polynomial.evaluate(at: secretPackage.identifier.scalar),
            round1Digest: try transcript(round1Packages: round1Packages),
            minSigners: secretPackage.minSigners, maxSigners: secretPackage.maxSigners)
        guard secretPackage.use.claim() else {
            throw MPCError(.invalidParameters, "this round-1 secret package was already used by part 2")
        }
        return (secret, outgoing)
    }

    /// Part 3: check every received share against its sender's commitment and combine them
    /// into this participant's signing share, every participant's verifying share, and the
    /// group key.
    public static func part3(
        secretPackage: Round2.SecretPackage,
        round1Packages: [Identifier<Suite>: Round1.Package],
        round2Packages: [Identifier<Suite>: Round2.Package]
    ) throws(MPCError) -> (KeyPackage<Suite>, PublicKeyPackage<Suite>) {
        let me = secretPackage.identifier
        try checkPeers(self: me, peers: Set(round1Packages.keys),
                       expectedCount: secretPackage.maxSigners - 1, what: "round-1 packages")
        try checkPeers(self: me, peers: Set(round2Packages.keys),
                       expectedCount: secretPackage.maxSigners - 1, what: "round-2 packages")
        guard try transcript(round1Packages: round1Packages) == secretPackage.round1Digest else {
            throw MPCError(.commitmentMismatch, "the round-1 packages differ from those checked in part 2")
        }
        if let missing = Set(round1Packages.keys).subtracting(round2Packages.keys).sorted().first {
            throw MPCError(.missingParticipant, "no round-2 package from \(missing)", culprits: [missing.description])
        }
        var share = secretPackage.ownShare
        for (peer, package) in round2Packages.sorted(by: { $0.key < $1.key }) {
            let commitment = round1Packages[peer]!.commitment
            guard commitment.coefficients.count == secretPackage.minSigners else {
                throw MPCError(.invalidCommitmentCount, "commitment from \(peer) has the wrong length",
                               culprits: [peer.description])
            }
            guard commitment.verifies(share: package.signingShare, at: me.scalar) else {
                throw MPCError(.invalidShare, "share from \(peer) does not match its commitment",
                               culprits: [peer.description])
            }
            share = share + package.signingShare
        }
        var commitments = round1Packages.mapValues(\.commitment)
        commitments[me] = secretPackage.commitment
        let publicKeyPackage = Self.publicKeyPackage(commitments: commitments, minSigners: secretPackage.minSigners)
        let key = try KeyPackage<Suite>(
            identifier: me, unsafeSigningShare: share,
            verifyingKey: publicKeyPackage.verifyingKey, minSigners: secretPackage.minSigners)
        guard key.verifyingShare == publicKeyPackage.verifyingShares[me] else {
            throw MPCError(.invalidShare, "combined share does not match the combined commitments")
        }
        guard secretPackage.use.claim() else {
            throw MPCError(.invalidParameters, "this round-2 secret package was already used by part 3")
        }
        return (key, publicKeyPackage)
    }

    /// The public outcome of a key generation from every participant's commitment alone (their
    /// own included): the group key and every verifying share. Anyone who saw the round-1
    /// packages — every node, through the log — computes the same package the participants'
    /// `part3` yields, without any secret.
    public static func publicKeyPackage(
        commitments: [Identifier<Suite>: VerifiableSecretSharingCommitment<Suite>], minSigners: Int
    ) -> PublicKeyPackage<Suite> {
        let groupCommitment = VerifiableSecretSharingCommitment<Suite>.sum(commitments.keys.sorted().map { commitments[$0]! })
        var verifyingShares: [Identifier<Suite>: Suite.Element] = [:]
        for id in commitments.keys { verifyingShares[id] = groupCommitment.evaluate(at: id.scalar) }
        return PublicKeyPackage(verifyingShares: verifyingShares, verifyingKey: groupCommitment.constantTerm, minSigners: minSigners)
    }

    /// Checks one peer's round-1 package: t commitments, none the identity, and a valid proof
    /// of knowledge of the constant term under the ceremony's `context` (as in `part1`).
    public static func verify(
        _ package: Round1.Package, from peer: Identifier<Suite>, minSigners: Int, context: [UInt8] = []
    ) throws(MPCError) {
        guard package.commitment.coefficients.count == minSigners else {
            throw MPCError(
                .invalidCommitmentCount,
                "\(peer) sent \(package.commitment.coefficients.count) commitments, expected \(minSigners)",
                culprits: [peer.description])
        }
        guard !package.commitment.coefficients.contains(where: \.isIdentity) else {
            throw MPCError(.invalidShare, "\(peer) committed to the identity", culprits: [peer.description])
        }
        let proof = package.proofOfKnowledge
        let c = try proofChallenge(identifier: peer, constantTerm: package.commitment.constantTerm,
                                   nonceCommitment: proof.commitment, context: context)
        guard proof.commitment == Suite.Element.generatorMultiple(proof.response) - .variableTimeMultiply(c, package.commitment.constantTerm)
        else {
            throw MPCError(.invalidProofOfKnowledge, "proof of knowledge from \(peer) does not verify",
                           culprits: [peer.description])
        }
    }

    /// A digest of round-1 packages in identifier order. Participants must agree on the digest
    /// of all packages (their own included) — through the log or an echo round — before they
    /// use the resulting key: a participant that broadcast different packages to different
    /// peers is caught that way.
    public static func transcript(round1Packages: [Identifier<Suite>: Round1.Package]) throws(MPCError) -> [UInt8] {
        var t = Array("custos/dkg-round1".utf8)
        for id in round1Packages.keys.sorted() {
            t += id.scalar.rawRepresentation
            t += try round1Packages[id]!.serializedBytes
        }
        return Hashes.sha256(t)
    }

    /// c = HDKG(enc(id) ‖ enc(C₀) ‖ enc(R)) for the empty context; otherwise
    /// c = HDKG(SHA-256("custos/dkg/context" ‖ context) ‖ enc(id) ‖ enc(C₀) ‖ enc(R)).
    static func proofChallenge(
        identifier: Identifier<Suite>, constantTerm: Suite.Element, nonceCommitment: Suite.Element, context: [UInt8]
    ) throws(MPCError) -> Suite.Scalar {
        let bound = context.isEmpty ? [] : Hashes.sha256(Array("custos/dkg/context".utf8), context)
        do {
            return Suite.HDKG(bound + identifier.scalar.rawRepresentation + (try constantTerm.serialized())
                              + (try nonceCommitment.serialized()))
        } catch {
            throw MPCError(.invalidProofOfKnowledge, "proof of knowledge uses the identity element")
        }
    }

    static func checkParameters(maxSigners: Int, minSigners: Int) throws(MPCError) {
        guard minSigners >= 2, maxSigners >= minSigners, maxSigners <= maximumParticipants else {
            throw MPCError(.invalidParameters,
                           "need 2 ≤ minSigners ≤ maxSigners ≤ \(maximumParticipants); got \(minSigners) of \(maxSigners)")
        }
    }

    /// The peers must be exactly `expectedCount` participants other than `self`.
    static func checkPeers(
        self me: Identifier<Suite>, peers: Set<Identifier<Suite>>, expectedCount: Int, what: String
    ) throws(MPCError) {
        guard !peers.contains(me) else {
            throw MPCError(.unexpectedParticipant, "\(what) include this participant's own identifier \(me)")
        }
        guard peers.count == expectedCount else {
            throw MPCError(.missingParticipant, "expected \(expectedCount) \(what), got \(peers.count)")
        }
    }
}

extension DKG.Round1.Package {
    /// Wire encoding: commitments then the proof in the suite's signature encoding.
    public var serializedBytes: [UInt8] {
        get throws(MPCError) {
            var w = CanonicalWriter(kind: WireKind.dkgRound1)
            w.append(count: commitment.coefficients.count, prefix: .uint16)
            for c in commitment.coefficients { try w.append(element: c) }
            do {
                w.append(raw: try proofOfKnowledge.serializedBytes)
            } catch {
                throw MPCError(.malformedMessage, "proof of knowledge: \(error.reason)")
            }
            return w.bytes
        }
    }

    public init(serializedBytes bytes: [UInt8]) throws(MPCError) {
        var r = try WireReader(bytes, kind: WireKind.dkgRound1, message: "DKG round-1 package")
        let count = try r.count("commitment count", max: maximumParticipants, prefix: .uint16)
        var coefficients: [Suite.Element] = []
        for k in 0..<count { coefficients.append(try r.element(Suite.Element.self, "commitment \(k)")) }
        let proofBytes = Array(try r.read(Suite.signatureByteCount, "proof of knowledge"))
        try r.finish()
        do {
            self.init(commitment: .init(coefficients: coefficients),
                      proofOfKnowledge: try .init(serializedBytes: proofBytes))
        } catch {
            throw MPCError(.malformedMessage, "DKG round-1 package: proof of knowledge: \(error.reason)")
        }
    }
}

extension DKG.Round2.Package {
    /// Wire encoding of the secret share; it must travel encrypted to its one recipient.
    public func unsafeSerializedBytes() -> SecretBytes {
        var w = CanonicalWriter(kind: WireKind.dkgRound2)
        w.append(scalar: signingShare)
        return SecretBytes(w.bytes)
    }

    public init(serializedBytes bytes: [UInt8]) throws(MPCError) {
        var r = try WireReader(bytes, kind: WireKind.dkgRound2, message: "DKG round-2 package")
        let share = try r.scalar(Suite.Scalar.self, "signing share")
        try r.finish()
        self.init(unsafeSigningShare: share)
    }
}
