import CustosCore
import CustosCrypto

extension ThresholdECDSA {
    /// What identifies one presigning run; every party must hold the same (it comes from the
    /// committed log): a unique session id, the key epoch, and the exactly 2t+1 signers that
    /// will later sign with the result.
    public struct PresignContext: Sendable, Equatable {
        public let sessionID: [UInt8]
        public let epoch: [UInt8]
        public let signers: [ID]
        public let maxFaulty: Int

        public init(sessionID: [UInt8], keyShare: KeyShare, signers: [ID]) throws(MPCError) {
            guard sessionID.count == 32 else { throw MPCError(.invalidParameters, "a presign session id has 32 bytes") }
            let sorted = signers.sorted()
            guard Set(sorted).count == sorted.count else {
                throw MPCError(.duplicateParticipant, "the signer set lists a participant twice")
            }
            guard sorted.count == 2 * keyShare.maxFaulty + 1 else {
                throw MPCError(.invalidParameters,
                               "presigning takes exactly 2t+1 = \(2 * keyShare.maxFaulty + 1) signers, not \(sorted.count)")
            }
            let unknown = sorted.filter { keyShare.publicKeyPackage.verifyingShares[$0] == nil }
            guard unknown.isEmpty else {
                throw MPCError(.unexpectedParticipant, "signers that hold no share of this key", culprits: unknown.map(\.description))
            }
            self.sessionID = sessionID
            self.epoch = keyShare.epoch
            self.signers = sorted
            self.maxFaulty = keyShare.maxFaulty
        }

        var digest: [UInt8] {
            Hashes.sha256([Array("custos/ecdsa/presign".utf8), sessionID, epoch] + signers.map(\.scalar.rawRepresentation))
        }
    }

    /// Round-1 broadcast: a hash commitment to the dealer's five polynomials (k and a of
    /// degree t; b, d, e of degree 2t with zero constant term). If the run fails, the dealer
    /// reveals them — they are fresh randomness of a discarded run — and the blame step checks
    /// every dealt share against them.
    public struct PresignRound1: Sendable, Equatable {
        public let commitment: [UInt8]
    }

    /// A dealer's five polynomials, revealed only to assign blame for a failed run.
    public struct PresignPolynomials: Sendable, CustomStringConvertible {
        let k, a, b, d, e: Polynomial<Secp256k1.Scalar>
        public var description: String { "PresignPolynomials(redacted)" }

        func commitment(context: PresignContext, dealer: ID) -> [UInt8] {
            var t = Array("custos/ecdsa/presign-dealing".utf8) + context.digest + dealer.scalar.rawRepresentation
            for p in [k, a, b, d, e] {
                t += [UInt8(p.coefficients.count >> 8), UInt8(p.coefficients.count & 0xff)]
                for c in p.coefficients { t += c.rawRepresentation }
            }
            return Hashes.sha256(t)
        }

        func shares(at x: Secp256k1.Scalar) -> PresignShares {
            PresignShares(k: k.evaluate(at: x), a: a.evaluate(at: x), b: b.evaluate(at: x), d: d.evaluate(at: x),
                          e: e.evaluate(at: x))
        }

        func hasDegrees(maxFaulty t: Int) -> Bool {
            k.coefficients.count == t + 1 && a.coefficients.count == t + 1
                && [b, d, e].allSatisfy { $0.coefficients.count == 2 * t + 1 && $0.coefficients[0].isZero }
        }
    }

    /// Round-1 private message from one dealer to one party: its five evaluations. Secret.
    public struct PresignShares: Sendable, Equatable, CustomStringConvertible {
        let k, a, b, d, e: Secp256k1.Scalar
        public var description: String { "PresignShares(redacted)" }
    }

    /// Round-2 broadcast: R_j = k_j·G and w_j = a_j·k_j + b_j, and a digest of the round-1
    /// broadcasts as this party saw them (equivocation shows as differing digests).
    public struct PresignRound2: Sendable, Equatable {
        public let bigR: Secp256k1.Point
        public let w: Secp256k1.Scalar
        public let echo: [UInt8]
    }

    /// Round-3 broadcast: W_j = a_j·R, the images in base R of this party's presignature
    /// shares (P_j = α_j·R, B_j = β_j·R, E_j = e_j·R, which let a combiner check each signature
    /// share), and the digest of the round-2 broadcasts. Publishing B_j goes beyond the DJNPØ
    /// proof: w·B_j = x_j·W_j is a Diffie–Hellman-type value a simulator without k cannot
    /// produce, so the images rest on a computational Diffie–Hellman-type assumption as well.
    public struct PresignRound3: Sendable, Equatable {
        public let bigW: Secp256k1.Point
        public let alphaImage: Secp256k1.Point
        public let betaImage: Secp256k1.Point
        public let eImage: Secp256k1.Point
        public let echo: [UInt8]
    }

    /// Round-4 broadcast: the digest of the round-3 broadcasts this party saw. The run completes
    /// only when all 2t+1 digests agree.
    public struct PresignConfirmation: Sendable, Equatable {
        public let digest: [UInt8]
        public init(digest: [UInt8]) { self.digest = digest }
    }

    /// What a party reveals when a presigning run failed: its own polynomials, the shares it
    /// received and the broadcasts it saw. Safe to reveal: every value is fresh randomness of a
    /// run that is discarded, and the key share is never part of it. The node layer carries
    /// each message in its sender's signed envelope, so a party cannot forge what another sent.
    public struct PresignEvidence: Sendable {
        public let identifier: ID
        public let polynomials: PresignPolynomials?
        public let received: [ID: PresignShares]
        public let round1: [ID: PresignRound1]
        public let round2: [ID: PresignRound2]
        public let round3: [ID: PresignRound3]
        /// Proof that B_j = c_j·x_j·R for this party's key share x_j (log_G X_j = log_R B_j/c_j),
        /// present once round 3 ran; it reveals nothing about x_j.
        public let betaProof: DLEQProof?
    }

    /// One party's presigning run (DJNPØ 2020 §4, with the signing-phase precomputation of
    /// near/threshold-signatures' robust ECDSA): three rounds, then `finish`. Every check
    /// failure throws `checkFailed`; `evidence()` and `PresignBlame.culprits` then name who
    /// deviated. Noncopyable, so one run yields one presignature.
    public struct PresignParty: ~Copyable {
        public let context: PresignContext
        let keyShare: KeyShare
        let me: ID
        private var polynomials: PresignPolynomials?
        private var received: [ID: PresignShares] = [:]
        private var round1: [ID: PresignRound1] = [:]
        private var round2: [ID: PresignRound2] = [:]
        private var round3: [ID: PresignRound3] = [:]
        private var sums: PresignShares?
        private var derived: Derived?
        private var phase = Phase.running
        /// The presignature between `finish` and a successful `confirm`.
        private var pending: Presignature?

        private enum Phase: Equatable {
            /// Rounds 1–3 in progress.
            case running
            /// `finish` succeeded and the confirmation was handed out: the run may complete, so
            /// nothing secret may ever be revealed.
            case confirming
            /// `confirm` returned the presignature.
            case complete
            /// A round failed before any confirmation: the run is dead and may be revealed.
            case failed
            /// Evidence was revealed: the run can never complete.
            case revealed
        }

        /// What round 3 opens and derives.
        private struct Derived {
            let bigR: Secp256k1.Point
            let w: Secp256k1.Scalar
            let c: Secp256k1.Scalar
            let alpha: Secp256k1.Scalar
            let beta: Secp256k1.Scalar
        }

        public init(context: PresignContext, keyShare: KeyShare) throws(MPCError) {
            guard context.epoch == keyShare.epoch else {
                throw MPCError(.presignatureMismatch, "the presign context is for another key or key epoch")
            }
            guard context.signers.contains(keyShare.identifier) else {
                throw MPCError(.unexpectedParticipant, "\(keyShare.identifier) is not a signer of this presign run")
            }
            self.context = context
            self.keyShare = keyShare
            self.me = keyShare.identifier
        }

        /// Round 1: the broadcast and one private message per signer (this party included).
        public mutating func round1Messages() throws(MPCError) -> (PresignRound1, [ID: PresignShares]) {
            guard polynomials == nil else { throw MPCError(.invalidParameters, "round 1 already ran") }
            let t = context.maxFaulty
            let p = PresignPolynomials(k: .random(constant: .random(), degree: t), a: .random(constant: .random(), degree: t),
                                       b: .random(constant: .zero, degree: 2 * t), d: .random(constant: .zero, degree: 2 * t),
                                       e: .random(constant: .zero, degree: 2 * t))
            polynomials = p
            var shares: [ID: PresignShares] = [:]
            for j in context.signers { shares[j] = p.shares(at: j.scalar) }
            return (PresignRound1(commitment: p.commitment(context: context, dealer: me)), shares)
        }

        /// Round 2: takes every dealer's broadcast and private shares; returns R_j and w_j.
        public mutating func round2Message(
            broadcasts: [ID: PresignRound1], shares: [ID: PresignShares]
        ) throws(MPCError) -> PresignRound2 {
            do {
                return try round2(broadcasts: broadcasts, shares: shares)
            } catch {
                fail()
                throw error
            }
        }

        private mutating func round2(
            broadcasts: [ID: PresignRound1], shares: [ID: PresignShares]
        ) throws(MPCError) -> PresignRound2 {
            guard phase == .running, polynomials != nil, sums == nil else {
                throw MPCError(.invalidParameters, "round 2 out of order or after a failure")
            }
            round1 = broadcasts
            received = shares
            try requireAll(broadcasts.keys, "round-1 broadcasts")
            try requireAll(shares.keys, "round-1 shares")
            var k = Secp256k1.Scalar.zero, a = Secp256k1.Scalar.zero, b = Secp256k1.Scalar.zero
            var d = Secp256k1.Scalar.zero, e = Secp256k1.Scalar.zero
            for s in shares.values {
                k += s.k
                a += s.a
                b += s.b
                d += s.d
                e += s.e
            }
            let total = PresignShares(k: k, a: a, b: b, d: d, e: e)
            sums = total
            return PresignRound2(bigR: .generatorMultiple(k), w: a * k + b, echo: Self.echo(context, broadcasts))
        }

        /// Round 3: checks that everyone saw the same round-1 broadcasts and that the R_j lie on
        /// one degree-t polynomial (interpolation in the exponent); opens R and w; returns W_j
        /// and the images of this party's presignature shares.
        public mutating func round3Message(broadcasts: [ID: PresignRound2]) throws(MPCError) -> PresignRound3 {
            do {
                return try round3(broadcasts: broadcasts)
            } catch {
                fail()
                throw error
            }
        }

        private mutating func round3(broadcasts: [ID: PresignRound2]) throws(MPCError) -> PresignRound3 {
            guard phase == .running, let sums, derived == nil else {
                throw MPCError(.invalidParameters, "round 3 out of order or after a failure")
            }
            round2 = broadcasts
            try requireAll(broadcasts.keys, "round-2 broadcasts")
            let echo1 = Self.echo(context, round1)
            guard broadcasts.values.allSatisfy({ $0.echo == echo1 }) else {
                throw MPCError(.checkFailed, "signers saw different round-1 broadcasts")
            }
            let r = try Self.interpolateInExponent(context.signers, degree: context.maxFaulty) { broadcasts[$0]!.bigR }
            guard !r.isIdentity else { throw MPCError(.checkFailed, "R is the identity") }
            var w = Secp256k1.Scalar.zero
            for j in context.signers { w += try Lagrange.coefficient(for: j, in: context.signers) * broadcasts[j]!.w }
            guard let wInverse = try? w.inverse() else { throw MPCError(.checkFailed, "w is zero") }
            let c = sums.a * wInverse
            let state = Derived(bigR: r, w: w, c: c, alpha: c + sums.d, beta: c * keyShare.keyPackage.signingShare)
            derived = state
            return PresignRound3(bigW: sums.a * r, alphaImage: state.alpha * r, betaImage: state.beta * r,
                                 eImage: sums.e * r, echo: Self.echo(context, broadcasts))
        }

        /// Finishes the checks: the round-2 view, that the W_j lie on one degree-t polynomial and
        /// W = w·G, and that the images add up (Σλ·P_j = G, Σλ·B_j = X, Σλ·E_j = identity). Keeps
        /// the presignature back and returns the round-4 confirmation to broadcast: a digest of
        /// this party's round-3 view. From here on the party never reveals evidence.
        public mutating func finish(broadcasts: [ID: PresignRound3]) throws(MPCError) -> PresignConfirmation {
            if phase == .running { round3 = broadcasts }
            do {
                pending = try checkedPresignature(broadcasts: broadcasts)
                phase = .confirming
                return PresignConfirmation(digest: Self.echo(context, broadcasts))
            } catch {
                fail()
                throw error
            }
        }

        /// Round 4: the presignature, once every signer confirmed the same round-3 view. On any
        /// mismatch or absence the run is abandoned: the presignature is dropped, never used.
        public mutating func confirm(confirmations: [ID: PresignConfirmation]) throws(MPCError) -> Presignature {
            guard phase == .confirming, let presignature = pending.take() else {
                throw MPCError(.invalidParameters, "confirm out of order or after a failure")
            }
            phase = .complete
            try requireAll(confirmations.keys, "round-4 confirmations")
            let mine = Self.echo(context, round3)
            let differing = context.signers.filter { confirmations[$0]!.digest != mine }
            guard differing.isEmpty else {
                throw MPCError(.checkFailed,
                               "signers \(differing.map(\.description).joined(separator: ", ")) saw different round-3 broadcasts; "
                                   + "compare round-3 views to name the equivocator")
            }
            return presignature
        }

        /// The presignature held back by `finish`, for a caller that keeps it durably before it
        /// confirms and lets it sign only once a log shows every signer confirmed the same digest
        /// (the check `confirm` makes in process). The run then completes here; should the log show
        /// it abandoned, `revealAbandoned` still reveals it, and the caller deletes what it kept.
        public mutating func presignatureBeforeConfirmation() throws(MPCError) -> Presignature {
            guard phase == .confirming, let presignature = pending.take() else {
                throw MPCError(.invalidParameters, "no presignature is held back: finish did not succeed, or it was handed out")
            }
            phase = .complete
            return presignature
        }

        /// This party's round-3 view, public broadcasts only: compared across parties (with
        /// `PresignBlame.equivocators`) when confirmations differ.
        public var round3View: [ID: PresignRound3] { round3 }

        /// The public broadcasts of rounds 2 and 3 as this party received them: kept beside the
        /// presignature to show what a signature share must be, should one be wrong.
        public var transcript: PresignTranscript { PresignTranscript(round2: round2, round3: round3) }

        private mutating func fail() {
            if phase == .running { phase = .failed }
        }

        /// Marks the run revealed and drops any presignature held back: it never completes.
        mutating func abandon() {
            phase = .revealed
            _ = pending.take()
        }

        private func checkedPresignature(broadcasts: [ID: PresignRound3]) throws(MPCError) -> Presignature {
            guard phase == .running, let sums, let derived else {
                throw MPCError(.invalidParameters, "finish out of order or after a failure")
            }
            try requireAll(broadcasts.keys, "round-3 broadcasts")
            let echo2 = Self.echo(context, round2)
            guard broadcasts.values.allSatisfy({ $0.echo == echo2 }) else {
                throw MPCError(.checkFailed, "signers saw different round-2 broadcasts")
            }
            let bigW = try Self.interpolateInExponent(context.signers, degree: context.maxFaulty) { broadcasts[$0]!.bigW }
            guard Secp256k1.Point.generatorMultiple(derived.w) == bigW else {
                throw MPCError(.checkFailed, "W ≠ w·G: some w_j or W_j is wrong")
            }
            var alphaSum: [Secp256k1.Point] = [], betaSum: [Secp256k1.Point] = [], eSum: [Secp256k1.Point] = []
            for j in context.signers {
                let lambda = try Lagrange.coefficient(for: j, in: context.signers)
                alphaSum.append(.variableTimeMultiply(lambda, broadcasts[j]!.alphaImage))
                betaSum.append(.variableTimeMultiply(lambda, broadcasts[j]!.betaImage))
                eSum.append(.variableTimeMultiply(lambda, broadcasts[j]!.eImage))
            }
            guard Secp256k1.Point.sum(alphaSum) == .generator, Secp256k1.Point.sum(betaSum) == keyShare.publicKey,
                  Secp256k1.Point.sum(eSum).isIdentity
            else {
                throw MPCError(.checkFailed, "the presignature share images do not add up")
            }
            var images: [ID: PresignaturePublicData.Images] = [:]
            for j in context.signers {
                let m = broadcasts[j]!
                images[j] = .init(alpha: m.alphaImage, beta: m.betaImage, bigW: m.bigW, e: m.eImage)
            }
            return Presignature(
                identifier: me, alpha: derived.alpha, beta: derived.beta, c: derived.c, e: sums.e,
                lambda: try Lagrange.coefficient(for: me, in: context.signers),
                publicData: PresignaturePublicData(context: context, bigR: derived.bigR, w: derived.w, images: images))
        }

        /// What this party reveals to name the culprit after a failed run. Only a party that has
        /// not confirmed may reveal (it may be asked because another party failed); revealing
        /// ends the run for good, and since completion needs every signer's confirmation, this
        /// party's included, no presignature of a revealed run can ever complete.
        public mutating func evidence() throws(MPCError) -> PresignEvidence {
            guard phase == .running || phase == .failed else {
                throw MPCError(.invalidParameters, "a confirmed or already revealed run does not reveal evidence")
            }
            phase = .revealed
            return collectEvidence()
        }

        func collectEvidence() -> PresignEvidence {
            var proof: DLEQProof? = nil
            if let derived {
                proof = try? DLEQProof.prove(secret: keyShare.keyPackage.signingShare, base1: .generator, base2: derived.bigR,
                                             context: context.digest + me.scalar.rawRepresentation)
            }
            return PresignEvidence(identifier: me, polynomials: polynomials, received: received, round1: round1, round2: round2, round3: round3,
                                   betaProof: proof)
        }

        private func requireAll(_ keys: Dictionary<ID, some Any>.Keys, _ what: String) throws(MPCError) {
            try Participants.requireExactly(context.signers, present: keys, what: what)
        }

        /// Interpolates the points at zero from the first t+1 signers after checking that every
        /// other signer's point lies on the same degree-t polynomial.
        static func interpolateInExponent(
            _ signers: [ID], degree t: Int, _ point: (ID) -> Secp256k1.Point
        ) throws(MPCError) -> Secp256k1.Point {
            let base = Array(signers.prefix(t + 1))
            for extra in signers.dropFirst(t + 1) {
                var terms: [Secp256k1.Point] = []
                for j in base { terms.append(.variableTimeMultiply(try lagrange(j, base, at: extra.scalar), point(j))) }
                guard Secp256k1.Point.sum(terms) == point(extra) else {
                    throw MPCError(.checkFailed, "the broadcast points do not lie on one degree-\(t) polynomial")
                }
            }
            var terms: [Secp256k1.Point] = []
            for j in base { terms.append(.variableTimeMultiply(try Lagrange.coefficient(for: j, in: base), point(j))) }
            return Secp256k1.Point.sum(terms)
        }

        /// The Lagrange basis polynomial of `j` over `set`, evaluated at `x`.
        static func lagrange(_ j: ID, _ set: [ID], at x: Secp256k1.Scalar) throws(MPCError) -> Secp256k1.Scalar {
            var numerator = Secp256k1.Scalar.one
            var denominator = Secp256k1.Scalar.one
            for m in set where m != j {
                numerator *= x - m.scalar
                denominator *= j.scalar - m.scalar
            }
            do {
                return numerator * (try denominator.inverse())
            } catch {
                throw MPCError(.invalidParameters, "degenerate interpolation set")
            }
        }

        static func echo<M: PresignEchoable>(_ context: PresignContext, _ messages: [ID: M]) -> [UInt8] {
            var transcript = context.digest
            for j in context.signers {
                transcript += j.scalar.rawRepresentation
                transcript += messages[j]?.echoBytes ?? []
            }
            return Hashes.sha256(transcript)
        }
    }
}

/// A point in 33 bytes, the identity as 33 zero bytes, so echo encodings have fixed fields.
private func pointBytes(_ p: Secp256k1.Point) -> [UInt8] {
    (try? p.compressedRepresentation()) ?? [UInt8](repeating: 0, count: 33)
}

/// A broadcast whose exact content enters the echo digest.
protocol PresignEchoable { var echoBytes: [UInt8] { get } }

extension ThresholdECDSA.PresignRound1: PresignEchoable {
    var echoBytes: [UInt8] { commitment }
}

extension ThresholdECDSA.PresignRound2: PresignEchoable {
    var echoBytes: [UInt8] { pointBytes(bigR) + w.rawRepresentation + echo }
}

extension ThresholdECDSA.PresignRound3: PresignEchoable {
    var echoBytes: [UInt8] {
        [bigW, alphaImage, betaImage, eImage].flatMap(pointBytes) + echo
    }
}
