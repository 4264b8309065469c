import CustosCore
import CustosCrypto

extension ThresholdECDSA {
    /// The public broadcasts of one presigning run — every signer's round-2 and round-3
    /// messages — from which anyone who holds the run's agreed round-4 digest rebuilds the
    /// presignature's public data (R, w and each signer's share images) without any secret. A
    /// node shows it to prove that a signature share made with this presignature is wrong.
    public struct PresignTranscript: Sendable, Equatable {
        public let round2: [ID: PresignRound2]
        public let round3: [ID: PresignRound3]

        public init(round2: [ID: PresignRound2], round3: [ID: PresignRound3]) {
            self.round2 = round2
            self.round3 = round3
        }

        /// The presignature's public data, after checking that the transcript is the one every
        /// signer confirmed: its round-3 digest must be `confirmation`, each round-3 message
        /// must echo these round-2 messages, and the R_j must lie on one degree-t polynomial.
        public func publicData(context: PresignContext, confirmation: [UInt8]) throws(MPCError) -> PresignaturePublicData {
            try Participants.requireExactly(context.signers, present: round2.keys, what: "round-2 broadcast")
            try Participants.requireExactly(context.signers, present: round3.keys, what: "round-3 broadcast")
            guard PresignParty.echo(context, round3) == confirmation else {
                throw MPCError(.checkFailed, "the transcript's round-3 broadcasts are not the ones the signers confirmed")
            }
            let echo2 = PresignParty.echo(context, round2)
            guard round3.values.allSatisfy({ $0.echo == echo2 }) else {
                throw MPCError(.checkFailed, "the transcript's round-2 broadcasts are not the ones round 3 echoed")
            }
            let bigR = try PresignParty.interpolateInExponent(context.signers, degree: context.maxFaulty) { round2[$0]!.bigR }
            var w = Secp256k1.Scalar.zero
            for j in context.signers { w += try Lagrange.coefficient(for: j, in: context.signers) * round2[j]!.w }
            var images: [ID: PresignaturePublicData.Images] = [:]
            for j in context.signers {
                let m = round3[j]!
                images[j] = .init(alpha: m.alphaImage, beta: m.betaImage, bigW: m.bigW, e: m.eImage)
            }
            return PresignaturePublicData(context: context, bigR: bigR, w: w, images: images)
        }

        public var serializedBytes: [UInt8] {
            get throws(MPCError) {
                var w = CanonicalWriter(kind: .presignTranscript)
                let signers = round2.keys.sorted()
                w.append(count: signers.count, prefix: .uint16)
                for j in signers {
                    guard let m3 = round3[j] else { throw MPCError(.invalidParameters, "no round-3 broadcast of \(j)") }
                    w.append(scalar: j.scalar)
                    try round2[j]!.append(to: &w)
                    try m3.append(to: &w)
                }
                return w.bytes
            }
        }

        public init(serializedBytes bytes: [UInt8]) throws(MPCError) {
            var r = try WireReader(bytes, kind: .presignTranscript, message: "presign transcript")
            let n = try r.count("signer count", max: maximumParticipants, prefix: .uint16)
            var round2: [ID: PresignRound2] = [:]
            var round3: [ID: PresignRound3] = [:]
            for i in 0..<n {
                let j = try ID(r.scalar(Secp256k1.Scalar.self, "signer \(i)"))
                guard round2[j] == nil else { throw MPCError(.malformedMessage, "presign transcript: \(j) appears twice") }
                round2[j] = try PresignRound2(reading: &r)
                round3[j] = try PresignRound3(reading: &r)
            }
            try r.finish()
            self.init(round2: round2, round3: round3)
        }
    }

    /// Whether `share` is signer `j`'s correct signature share for `request` with the
    /// presignature whose public data is `publicData`, under the vault key `publicKey`.
    public static func shareVerifies(
        _ share: SignatureShare, of j: ID, publicData: PresignaturePublicData, publicKey: Secp256k1.Point, request: SignRequest
    ) throws(MPCError) -> Bool {
        let session = try SigningSession(publicData: publicData, publicKey: publicKey, request: request)
        return try verify(share: share, of: j, publicData: publicData, session: session)
    }

    /// Whether a 65-byte r ‖ s ‖ recovery-id signature is a valid low-s ECDSA signature of the
    /// 32-byte `hash` under `publicKey` whose recovery id recovers that key.
    public static func verifies(recoverable bytes: [UInt8], hash: [UInt8], publicKey: Secp256k1.Point) -> Bool {
        guard bytes.count == 65, hash.count == 32, bytes[64] <= 3,
              let r = try? Secp256k1.Scalar(rawRepresentation: bytes[0..<32]),
              let s = try? Secp256k1.Scalar(rawRepresentation: bytes[32..<64]),
              !r.isZero, !s.isZero, isLowS(s)
        else { return false }
        return isValid(Signature(r: r, s: s, recoveryID: bytes[64]), hash: hash, key: publicKey)
    }
}

extension ThresholdECDSA.Signature {
    /// r ‖ s ‖ recovery id, 65 bytes (the recovery id as 0–3, not Ethereum's 27/28).
    public var recoverableRepresentation: [UInt8] { compactRepresentation + [recoveryID] }
}

extension ThresholdECDSA.PresignContext {
    /// The context of a presigning run as anyone rebuilds it from public data: the run's
    /// session id, the key's public package and chain code (which name its epoch), and the
    /// exactly 2t+1 signers.
    public init(
        sessionID: [UInt8], publicKeyPackage: PublicKeyPackage<ThresholdECDSA.Suite>, chainCode: [UInt8], signers: [ThresholdECDSA.ID]
    ) throws(MPCError) {
        guard sessionID.count == 32 else { throw MPCError(.invalidParameters, "a presign session id has 32 bytes") }
        let sorted = signers.sorted()
        let t = publicKeyPackage.minSigners - 1
        guard Set(sorted).count == sorted.count, sorted.count == 2 * t + 1 else {
            throw MPCError(.invalidParameters, "presigning takes exactly 2t+1 = \(2 * t + 1) distinct signers, not \(sorted.count)")
        }
        let unknown = sorted.filter { publicKeyPackage.verifyingShares[$0] == nil }
        guard unknown.isEmpty else {
            throw MPCError(.unexpectedParticipant, "signers that hold no share of this key", culprits: unknown.map(\.description))
        }
        self.init(unchecked: sessionID, epoch: try ThresholdECDSA.KeyShare.epoch(publicKeyPackage: publicKeyPackage, chainCode: chainCode),
                  signers: sorted, maxFaulty: t)
    }
}
