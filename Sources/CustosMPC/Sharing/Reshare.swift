import CustosCore
import CustosCrypto

/// Moves a shared key to a new committee, or re-randomizes it in place, without ever
/// reconstructing it and without changing the group public key.
///
/// At least t old participants act as dealers. Dealer i shares w_i = λ_i·s_i (its Lagrange-
/// weighted share, λ over the dealer set) with a fresh random polynomial of the new degree,
/// broadcasts Feldman commitments to it, and sends each new participant its evaluation. Since
/// Σ w_i = s, the new shares Σ_i h_i(j) are a fresh sharing of the same secret.
///
/// Every new participant checks, for every dealer: the commitment has the new threshold's
/// length; the share matches the commitment (Feldman); the commitment's constant term equals
/// λ_i·Y_i computed from the dealer's public verifying share (per-dealer consistency, so no
/// dealer can shift the key); and the constant terms sum to the old group key. Any failure
/// names the dealer. Refresh is a reshare onto the same committee and threshold: every share
/// changes, old and new shares do not combine, and the key stays.
///
/// Every receiver must see the same dealings: a dealer that sends different (each valid)
/// dealings to different receivers leaves them with shares of different polynomials. So each
/// run has a session id that every dealing carries (no replay from another run), and receivers
/// must agree on `transcript(parameters:dealings:)` — through the log — before they store the
/// new share or erase the old one; `equivocators(views:)` names a dealer whose dealings differ.
public enum Reshare<Suite: Ciphersuite> {
    /// Who deals and who receives. Every participant must use identical parameters (they come
    /// from the committed log).
    public struct Parameters: Sendable, Equatable {
        /// Unique per run (from the log), carried by every dealing.
        public let sessionID: [UInt8]
        public let oldPublicKeyPackage: PublicKeyPackage<Suite>
        public let dealers: [Identifier<Suite>]
        public let newParticipants: [Identifier<Suite>]
        public let newMinSigners: Int

        public init(
            sessionID: [UInt8], oldPublicKeyPackage: PublicKeyPackage<Suite>, dealers: [Identifier<Suite>],
            newParticipants: [Identifier<Suite>], newMinSigners: Int
        ) throws(MPCError) {
            guard sessionID.count == 32 else { throw MPCError(.invalidParameters, "a reshare session id has 32 bytes") }
            guard Set(dealers).count == dealers.count, Set(newParticipants).count == newParticipants.count else {
                throw MPCError(.duplicateParticipant, "dealers and new participants must be distinct")
            }
            let unknown = dealers.filter { oldPublicKeyPackage.verifyingShares[$0] == nil }
            guard unknown.isEmpty else {
                throw MPCError(.unexpectedParticipant, "dealers that hold no share of this key",
                               culprits: unknown.map(\.description))
            }
            guard dealers.count >= oldPublicKeyPackage.minSigners else {
                throw MPCError(.invalidParameters,
                               "\(dealers.count) dealers are fewer than the old threshold \(oldPublicKeyPackage.minSigners)")
            }
            try DKG<Suite>.checkParameters(maxSigners: newParticipants.count, minSigners: newMinSigners)
            self.sessionID = sessionID
            self.oldPublicKeyPackage = oldPublicKeyPackage
            self.dealers = dealers.sorted()
            self.newParticipants = newParticipants.sorted()
            self.newMinSigners = newMinSigners
        }

        /// Refresh: the same committee and threshold, with `dealers` (default: everyone).
        public static func refresh(
            _ publicKeyPackage: PublicKeyPackage<Suite>, sessionID: [UInt8], dealers: [Identifier<Suite>]? = nil
        ) throws(MPCError) -> Parameters {
            try Parameters(sessionID: sessionID, oldPublicKeyPackage: publicKeyPackage,
                           dealers: dealers ?? publicKeyPackage.participants,
                           newParticipants: publicKeyPackage.participants, newMinSigners: publicKeyPackage.minSigners)
        }
    }

    /// A dealer's broadcast: Feldman commitments to its resharing polynomial.
    public struct Dealing: Sendable, Equatable {
        public let sessionID: [UInt8]
        public let commitment: VerifiableSecretSharingCommitment<Suite>
        public init(sessionID: [UInt8], commitment: VerifiableSecretSharingCommitment<Suite>) {
            self.sessionID = sessionID
            self.commitment = commitment
        }
    }

    /// A dealer's secret share for one new participant; travels encrypted. Never printed.
    public struct Share: Sendable, CustomStringConvertible {
        let value: Suite.Scalar
        public init(unsafeValue: Suite.Scalar) { value = unsafeValue }
        public var description: String { "Reshare.Share(redacted)" }
    }

    /// A dealer's step: its commitment and one share per new participant.
    public static func deal(
        keyPackage: KeyPackage<Suite>, parameters: Parameters
    ) throws(MPCError) -> (Dealing, [Identifier<Suite>: Share]) {
        let me = keyPackage.identifier
        guard parameters.dealers.contains(me) else {
            throw MPCError(.unexpectedParticipant, "\(me) is not a dealer of this reshare")
        }
        guard keyPackage.verifyingKey == parameters.oldPublicKeyPackage.verifyingKey,
              keyPackage.verifyingShare == parameters.oldPublicKeyPackage.verifyingShares[me]
        else {
            throw MPCError(.groupKeyMismatch, "this key package does not belong to the key being reshared")
        }
        let lambda = try Lagrange.coefficient(for: me, in: parameters.dealers)
        let polynomial = Polynomial<Suite.Scalar>.random(constant: lambda * keyPackage.signingShare,
                                                         degree: parameters.newMinSigners - 1)
        var shares: [Identifier<Suite>: Share] = [:]
        for id in parameters.newParticipants { shares[id] = Share(unsafeValue: polynomial.evaluate(at: id.scalar)) }
        return (Dealing(sessionID: parameters.sessionID, commitment: .init(polynomial: polynomial)), shares)
    }

    /// A new participant's step: checks every dealer's commitment and share, and combines them.
    public static func receive(
        identifier me: Identifier<Suite>, parameters: Parameters,
        dealings: [Identifier<Suite>: Dealing], shares: [Identifier<Suite>: Share]
    ) throws(MPCError) -> (KeyPackage<Suite>, PublicKeyPackage<Suite>) {
        guard parameters.newParticipants.contains(me) else {
            throw MPCError(.unexpectedParticipant, "\(me) is not in the new committee")
        }
        try Participants.requireExactly(parameters.dealers, present: dealings.keys, what: "dealing")
        try Participants.requireExactly(parameters.dealers, present: shares.keys, what: "reshare share")
        var share = Suite.Scalar.zero
        for dealer in parameters.dealers {
            try check(dealings[dealer]!, from: dealer, parameters: parameters)
            let value = shares[dealer]!.value
            guard dealings[dealer]!.commitment.verifies(share: value, at: me.scalar) else {
                throw MPCError(.invalidShare, "share from \(dealer) does not match its commitment",
                               culprits: [dealer.description])
            }
            share = share + value
        }
        let newPublicKeyPackage = try publicKeyPackage(parameters: parameters, dealings: dealings)
        let key = try KeyPackage<Suite>(identifier: me, unsafeSigningShare: share,
                                        verifyingKey: newPublicKeyPackage.verifyingKey, minSigners: parameters.newMinSigners)
        guard key.verifyingShare == newPublicKeyPackage.verifyingShares[me] else {
            throw MPCError(.invalidShare, "combined share does not match the combined commitments")
        }
        return (key, newPublicKeyPackage)
    }

    /// Checks one dealer's broadcast from public data alone, as every receiver and every node
    /// reading the log can: it belongs to this run, commits to `newMinSigners` coefficients, and
    /// its constant term is λ_i·Y_i, the dealer's Lagrange-weighted verifying share, so no dealer
    /// can shift the key. Throws naming the dealer.
    public static func check(_ dealing: Dealing, from dealer: Identifier<Suite>, parameters: Parameters) throws(MPCError) {
        guard let verifyingShare = parameters.oldPublicKeyPackage.verifyingShares[dealer], parameters.dealers.contains(dealer) else {
            throw MPCError(.unexpectedParticipant, "\(dealer) is not a dealer of this reshare", culprits: [dealer.description])
        }
        guard dealing.sessionID == parameters.sessionID else {
            throw MPCError(.invalidShare, "the dealing of \(dealer) belongs to another reshare run", culprits: [dealer.description])
        }
        let commitment = dealing.commitment
        guard commitment.coefficients.count == parameters.newMinSigners else {
            throw MPCError(.invalidCommitmentCount,
                           "\(dealer) committed to \(commitment.coefficients.count) coefficients, expected \(parameters.newMinSigners)",
                           culprits: [dealer.description])
        }
        let lambda = try Lagrange.coefficient(for: dealer, in: parameters.dealers)
        guard commitment.constantTerm == .variableTimeMultiply(lambda, verifyingShare) else {
            throw MPCError(.invalidShare, "\(dealer) reshared a value other than its Lagrange-weighted share",
                           culprits: [dealer.description])
        }
    }

    /// The public key package every dealer's dealing makes: each new participant's verifying
    /// share, under the unchanged group key. Public data only, so every node computes the same
    /// package from the log. Throws when a dealing is missing or the dealings do not keep the
    /// group key.
    public static func publicKeyPackage(
        parameters: Parameters, dealings: [Identifier<Suite>: Dealing]
    ) throws(MPCError) -> PublicKeyPackage<Suite> {
        try Participants.requireExactly(parameters.dealers, present: dealings.keys, what: "dealing")
        let combined = VerifiableSecretSharingCommitment<Suite>.sum(parameters.dealers.map { dealings[$0]!.commitment })
        guard combined.constantTerm == parameters.oldPublicKeyPackage.verifyingKey else {
            throw MPCError(.groupKeyMismatch, "the reshared key differs from the group key")
        }
        var verifyingShares: [Identifier<Suite>: Suite.Element] = [:]
        for id in parameters.newParticipants { verifyingShares[id] = combined.evaluate(at: id.scalar) }
        return PublicKeyPackage(verifyingShares: verifyingShares, verifyingKey: combined.constantTerm, minSigners: parameters.newMinSigners)
    }

    /// Whether `share` is `dealing`'s polynomial evaluated at `recipient` (Feldman's check).
    public static func shareMatches(_ share: Share, dealing: Dealing, at recipient: Identifier<Suite>) -> Bool {
        dealing.commitment.verifies(share: share.value, at: recipient.scalar)
    }
}

extension Reshare {
    /// The digest every receiver must agree on before storing its new share: the parameters
    /// and every dealing, in dealer order. Every list is counted, the new threshold is 32 bits
    /// wide and a dealer without a dealing is marked absent, so two different ceremonies never
    /// share a transcript.
    public static func transcript(parameters: Parameters, dealings: [Identifier<Suite>: Dealing]) throws(MPCError) -> [UInt8] {
        var w = CanonicalWriter()
        w.append(raw: Array("custos/reshare-transcript/v2".utf8))
        w.append(raw: parameters.sessionID)
        w.append(lengthPrefixed: try parameters.oldPublicKeyPackage.serializedBytes)
        w.append(count: parameters.newParticipants.count)
        for participant in parameters.newParticipants { w.append(scalar: participant.scalar) }
        w.append(UInt32(parameters.newMinSigners))
        w.append(count: parameters.dealers.count)
        for dealer in parameters.dealers {
            w.append(scalar: dealer.scalar)
            w.append(optional: try dealings[dealer]?.serializedBytes)
        }
        return Hashes.sha256(w.bytes)
    }

    /// Dealers that showed different dealings to different receivers, given each receiver's
    /// view (receiver → dealer → dealing). The node layer's signed envelopes make each view
    /// evidence of what the dealer sent.
    public static func equivocators(views: [Identifier<Suite>: [Identifier<Suite>: Dealing]]) -> [Identifier<Suite>] {
        var seen: [Identifier<Suite>: Dealing] = [:]
        var culprits: Set<Identifier<Suite>> = []
        for view in views.values {
            for (dealer, dealing) in view {
                if let previous = seen[dealer], previous != dealing { culprits.insert(dealer) }
                seen[dealer] = seen[dealer] ?? dealing
            }
        }
        return culprits.sorted()
    }
}

extension Reshare.Dealing {
    public var serializedBytes: [UInt8] {
        get throws(MPCError) {
            var w = CanonicalWriter(kind: WireKind.reshareDealing)
            w.append(raw: sessionID)
            w.append(count: commitment.coefficients.count, prefix: .uint16)
            for c in commitment.coefficients { try w.append(element: c) }
            return w.bytes
        }
    }

    public init(serializedBytes bytes: [UInt8]) throws(MPCError) {
        var r = try WireReader(bytes, kind: WireKind.reshareDealing, message: "reshare dealing")
        let sessionID = Array(try r.read(32, "session id"))
        let count = try r.count("commitment count", max: maximumParticipants, prefix: .uint16)
        var coefficients: [Suite.Element] = []
        for k in 0..<count { coefficients.append(try r.element(Suite.Element.self, "commitment \(k)")) }
        try r.finish()
        self.init(sessionID: sessionID, commitment: .init(coefficients: coefficients))
    }
}

extension Reshare.Share {
    public func unsafeSerializedBytes() -> SecretBytes {
        var w = CanonicalWriter(kind: WireKind.reshareShare)
        w.append(scalar: value)
        return SecretBytes(w.bytes)
    }

    public init(serializedBytes bytes: [UInt8]) throws(MPCError) {
        var r = try WireReader(bytes, kind: WireKind.reshareShare, message: "reshare share")
        let value = try r.scalar(Suite.Scalar.self, "share")
        try r.finish()
        self.init(unsafeValue: value)
    }
}
