import CustosCore
import CustosCrypto

extension ThresholdECDSA {
    /// What one party reveals of its own part in a presigning run that the log proved can never
    /// complete: its polynomials (from which its commitment and every share it dealt follow), its
    /// own round-2 and round-3 broadcasts, and the proof about its key share (`betaProof`). The
    /// node layer adds the peers' messages it received, each in its sender's signed envelope;
    /// `PresignEvidence(reveal:…)` assembles the whole, and `PresignBlame.culprits` judges it.
    public struct PresignReveal: Sendable {
        public let identifier: ID
        public let polynomials: PresignPolynomials?
        public let round2: PresignRound2?
        public let round3: PresignRound3?
        public let betaProof: DLEQProof?

        init(identifier: ID, polynomials: PresignPolynomials?, round2: PresignRound2?, round3: PresignRound3?, betaProof: DLEQProof?) {
            self.identifier = identifier
            self.polynomials = polynomials
            self.round2 = round2
            self.round3 = round3
            self.betaProof = betaProof
        }

        public var serializedBytes: [UInt8] {
            get throws(MPCError) {
                var w = CanonicalWriter(kind: .presignReveal)
                w.append(scalar: identifier.scalar)
                w.append(polynomials != nil)
                if let p = polynomials {
                    for poly in [p.k, p.a, p.b, p.d, p.e] {
                        w.append(count: poly.coefficients.count, prefix: .uint16)
                        for c in poly.coefficients { w.append(scalar: c) }
                    }
                }
                w.append(round2 != nil)
                if let round2 { try round2.append(to: &w) }
                w.append(round3 != nil)
                if let round3 { try round3.append(to: &w) }
                w.append(betaProof != nil)
                if let betaProof {
                    w.append(scalar: betaProof.challenge)
                    w.append(scalar: betaProof.response)
                }
                return w.bytes
            }
        }

        public init(serializedBytes bytes: [UInt8]) throws(MPCError) {
            var r = try WireReader(bytes, kind: .presignReveal, message: "presign reveal")
            identifier = try ID(r.scalar(Secp256k1.Scalar.self, "identifier"))
            if try r.bool("has polynomials") {
                var polys: [Polynomial<Secp256k1.Scalar>] = []
                for name in ["k", "a", "b", "d", "e"] {
                    let n = try r.count("\(name) coefficients", max: 2 * maximumParticipants + 1, prefix: .uint16)
                    var coefficients: [Secp256k1.Scalar] = []
                    for i in 0..<n { coefficients.append(try r.scalar(Secp256k1.Scalar.self, "\(name) coefficient \(i)")) }
                    polys.append(Polynomial(coefficients: coefficients))
                }
                polynomials = PresignPolynomials(k: polys[0], a: polys[1], b: polys[2], d: polys[3], e: polys[4])
            } else {
                polynomials = nil
            }
            round2 = try r.bool("has round 2") ? try PresignRound2(reading: &r) : nil
            round3 = try r.bool("has round 3") ? try PresignRound3(reading: &r) : nil
            betaProof = try r.bool("has proof")
                ? DLEQProof(challenge: try r.scalar(Secp256k1.Scalar.self, "challenge"), response: try r.scalar(Secp256k1.Scalar.self, "response"))
                : nil
            try r.finish()
        }
    }
}

extension ThresholdECDSA.PresignParty {
    /// This party's reveal for a run the log proved abandoned (its signers' round-4
    /// confirmations disagree or one is empty, so no presignature of it is ever pooled). Unlike
    /// `evidence()`, it may follow this party's own confirmation: the log, not this party's
    /// view, is what rules out completion. Ends the run for good.
    public mutating func revealAbandoned() -> ThresholdECDSA.PresignReveal {
        abandon()
        let evidence = collectEvidence()
        return ThresholdECDSA.PresignReveal(identifier: evidence.identifier, polynomials: evidence.polynomials,
                                            round2: evidence.round2[evidence.identifier], round3: evidence.round3[evidence.identifier],
                                            betaProof: evidence.betaProof)
    }
}

extension ThresholdECDSA.PresignEvidence {
    /// A party's evidence from its reveal and the peers' messages it showed (`received`,
    /// `round1`, `round2`, `round3`, by sender; the caller has checked each is carried in its
    /// sender's signed envelope): its own dealing and broadcasts come from the reveal.
    public init(
        reveal: ThresholdECDSA.PresignReveal, context: ThresholdECDSA.PresignContext, received: [ThresholdECDSA.ID: ThresholdECDSA.PresignShares],
        round1: [ThresholdECDSA.ID: ThresholdECDSA.PresignRound1], round2: [ThresholdECDSA.ID: ThresholdECDSA.PresignRound2],
        round3: [ThresholdECDSA.ID: ThresholdECDSA.PresignRound3]
    ) {
        let me = reveal.identifier
        var received = received, round1 = round1, round2 = round2, round3 = round3
        if let p = reveal.polynomials {
            received[me] = p.shares(at: me.scalar)
            round1[me] = ThresholdECDSA.PresignRound1(commitment: p.commitment(context: context, dealer: me))
        }
        round2[me] = reveal.round2
        round3[me] = reveal.round3
        self.init(identifier: me, polynomials: reveal.polynomials, received: received, round1: round1, round2: round2, round3: round3,
                  betaProof: reveal.betaProof)
    }
}

extension ThresholdECDSA.PresignConfirmation {
    /// The round-4 digest an honest signer confirms after seeing `round3` (every signer's
    /// round-3 broadcast): what a confirmation in the log must be once the broadcasts are known.
    public static func expected(context: ThresholdECDSA.PresignContext, round3: [ThresholdECDSA.ID: ThresholdECDSA.PresignRound3]) -> [UInt8] {
        ThresholdECDSA.PresignParty.echo(context, round3)
    }
}
