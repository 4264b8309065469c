import CustosCrypto

extension ThresholdECDSA {
    /// Names who caused a failed presigning run, from every signer's revealed evidence. Run by
    /// each party on the same evidence, so all reach the same verdict.
    ///
    /// Checks, in order: a sender whose broadcast differs between two parties' views
    /// (equivocation); a dealer whose revealed polynomials do not match its commitment or
    /// degrees, or whose private shares do not match its polynomials; a party
    /// whose R_j, w_j, W_j or share images differ from what its received shares imply, or whose
    /// key-share proof fails; a party whose echo digest misstates what it saw; a party that
    /// gave no evidence, evidence under another name, or evidence missing a message it must
    /// have had to send what it sent.
    ///
    /// Soundness needs every message inside the evidence to be carried in its sender's signed
    /// envelope (signed over session, round, sender, recipient and plaintext — sign-then-encrypt
    /// for private shares) and verified by the node layer before this function runs: otherwise a
    /// party could claim another sent it something it did not.
    public enum PresignBlame {
        /// Senders whose round-3 broadcast differs between two parties' views (after round-4
        /// confirmations disagreed). Views hold public broadcasts only.
        public static func equivocators(views: [ID: [ID: PresignRound3]]) -> [ID] {
            var seen: [ID: PresignRound3] = [:]
            var culprits: Set<ID> = []
            for view in views.values {
                for (sender, message) in view {
                    if let first = seen[sender], first != message { culprits.insert(sender) }
                    if seen[sender] == nil { seen[sender] = message }
                }
            }
            return culprits.sorted()
        }

        public static func culprits(
            context: PresignContext, publicKeyPackage: PublicKeyPackage<Suite>, evidence: [ID: PresignEvidence]
        ) -> [ID] {
            var culprits = Set(context.signers.filter { evidence[$0] == nil || evidence[$0]!.identifier != $0 })
            let views = context.signers.compactMap { id in evidence[id].flatMap { $0.identifier == id ? $0 : nil } }

            // Equivocation and the canonical broadcasts.
            func canonical<M: Equatable>(_ pick: (PresignEvidence) -> [ID: M]) -> [ID: M] {
                var result: [ID: M] = [:]
                for sender in context.signers {
                    var seen: [M] = []
                    for v in views { if let m = pick(v)[sender], !seen.contains(m) { seen.append(m) } }
                    if seen.count > 1 { culprits.insert(sender) } else if let m = seen.first { result[sender] = m }
                }
                return result
            }
            let round1 = canonical { $0.round1 }
            let round2 = canonical { $0.round2 }
            let round3 = canonical { $0.round3 }

            // A party that sent round-r messages had every message of the rounds before; evidence
            // without them is withheld evidence.
            for v in views {
                let all = Set(context.signers)
                let sentRound2 = round2[v.identifier] != nil
                let sentRound3 = round3[v.identifier] != nil
                if (sentRound2 && (Set(v.received.keys) != all || Set(v.round1.keys) != all || v.polynomials == nil))
                    || (sentRound3 && Set(v.round2.keys) != all) {
                    culprits.insert(v.identifier)
                }
            }

            // Each dealer's revealed polynomials against its commitment and the required degrees.
            var dealt: [ID: PresignPolynomials] = [:]
            for dealer in context.signers {
                guard let commitment = round1[dealer] else { continue }
                guard let p = evidence[dealer]?.polynomials, p.hasDegrees(maxFaulty: context.maxFaulty),
                      p.commitment(context: context, dealer: dealer) == commitment.commitment
                else {
                    culprits.insert(dealer)
                    continue
                }
                dealt[dealer] = p
            }

            // Dealt shares against the dealers' polynomials.
            var verifiedSums: [ID: PresignShares] = [:]
            for v in views {
                var complete = true
                var k = Secp256k1.Scalar.zero, a = Secp256k1.Scalar.zero, b = Secp256k1.Scalar.zero
                var d = Secp256k1.Scalar.zero, e = Secp256k1.Scalar.zero
                for dealer in context.signers {
                    guard let polynomials = dealt[dealer], let shares = v.received[dealer] else {
                        complete = false
                        continue
                    }
                    if polynomials.shares(at: v.identifier.scalar) != shares {
                        culprits.insert(dealer)
                        complete = false
                        continue
                    }
                    k += shares.k
                    a += shares.a
                    b += shares.b
                    d += shares.d
                    e += shares.e
                }
                if complete { verifiedSums[v.identifier] = PresignShares(k: k, a: a, b: b, d: d, e: e) }
            }

            // Each party's own broadcasts against what its verified shares imply.
            let bigR = Secp256k1.Point.generatorMultiple(
                context.signers.compactMap { dealt[$0]?.k.coefficients[0] }.reduce(Secp256k1.Scalar.zero, +))
            var w = Secp256k1.Scalar.zero
            var wKnown = true
            for j in context.signers {
                guard let m = round2[j], let lambda = try? Lagrange.coefficient(for: j, in: context.signers) else {
                    wKnown = false
                    continue
                }
                w += lambda * m.w
            }
            let echo1 = PresignParty.echo(context, round1)
            let echo2 = PresignParty.echo(context, round2)
            for v in views {
                let j = v.identifier
                guard let sums = verifiedSums[j] else { continue }
                if let m = round2[j] {
                    if m.bigR != Secp256k1.Point.generatorMultiple(sums.k) || m.w != sums.a * sums.k + sums.b || m.echo != echo1 {
                        culprits.insert(j)
                    }
                }
                if let m = round3[j], wKnown, dealt.count == context.signers.count, let wInverse = try? w.inverse() {
                    let c = sums.a * wInverse
                    let betaOK = v.betaProof.map { proof in
                        guard let cInverse = try? c.inverse(), let xShare = publicKeyPackage.verifyingShares[j] else { return false }
                        return proof.verifies(base1: .generator, point1: xShare, base2: bigR, point2: cInverse * m.betaImage,
                                              context: context.digest + j.scalar.rawRepresentation)
                    } ?? false
                    if m.bigW != sums.a * bigR || m.alphaImage != (c + sums.d) * bigR || m.eImage != sums.e * bigR
                        || !betaOK || m.echo != echo2 {
                        culprits.insert(j)
                    }
                }
            }
            return culprits.sorted()
        }
    }
}
