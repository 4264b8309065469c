import CustosCore
import CustosCrypto

extension ThresholdECDSA {
    /// What is signed, as every signer rebuilds it from the committed request: the 32-byte
    /// message hash, the BIP-32 derivation tweak (zero for the vault's root key), and public
    /// randomness that re-randomizes the presignature. The entropy must be fixed by the
    /// committed log (for example the committing block's hash), never chosen by a coordinator,
    /// who could otherwise grind R' by trying many values.
    public struct SignRequest: Sendable, Equatable {
        public let messageHash: [UInt8]
        public let tweak: Secp256k1.Scalar
        public let entropy: [UInt8]

        public init(messageHash: [UInt8], tweak: Secp256k1.Scalar = .zero, entropy: [UInt8]) throws(MPCError) {
            guard messageHash.count == 32 else {
                throw MPCError(.invalidParameters, "an ECDSA message hash has 32 bytes, not \(messageHash.count)")
            }
            guard messageHash.contains(where: { $0 != 0 }) else {
                throw MPCError(.invalidParameters, "refusing to sign the zero hash")
            }
            guard entropy.count == 32 else { throw MPCError(.invalidParameters, "signing entropy has 32 bytes") }
            self.messageHash = messageHash
            self.tweak = tweak
            self.entropy = entropy
        }
    }

    /// A signer's one-round output: its Lagrange-weighted share of s.
    public struct SignatureShare: Sendable, Equatable {
        public let share: Secp256k1.Scalar
        public init(share: Secp256k1.Scalar) { self.share = share }
    }

    /// What signer and combiner both derive: the derived key Y = X + ε·G, the re-randomizer δ
    /// (bound to context, key, tweak, hash, R and entropy), R' = δ·R and r = x(R') mod n.
    struct SigningSession {
        let derivedKey: Secp256k1.Point
        let tweak: Secp256k1.Scalar
        let delta: Secp256k1.Scalar
        let deltaInverse: Secp256k1.Scalar
        let h: Secp256k1.Scalar
        let bigR: Secp256k1.Point
        let r: Secp256k1.Scalar
        let xOverflow: Bool

        init(publicData: PresignaturePublicData, publicKey: Secp256k1.Point, request: SignRequest) throws(MPCError) {
            tweak = request.tweak
            derivedKey = publicKey + Secp256k1.Point.generatorMultiple(request.tweak)
            guard !derivedKey.isIdentity else { throw MPCError(.invalidParameters, "the derived key is the identity") }
            do {
                var transcript = Array("custos/ecdsa/rerandomize".utf8) + publicData.context.digest
                transcript += try derivedKey.compressedRepresentation() + request.tweak.rawRepresentation
                transcript += request.messageHash + (try publicData.bigR.compressedRepresentation()) + request.entropy
                delta = Secp256k1.Scalar(reducingBigEndian: Hashes.sha512(transcript))
                deltaInverse = try delta.inverse()
                bigR = .variableTimeMultiply(delta, publicData.bigR)
                let x = try bigR.xOnlyRepresentation()
                r = Secp256k1.Scalar(reducingBigEndian: x)
                xOverflow = r.rawRepresentation != x
            } catch {
                throw MPCError(.invalidParameters, "re-randomization failed: \(error)")
            }
            guard !r.isZero else { throw MPCError(.invalidParameters, "r is zero") }
            h = Secp256k1.Scalar(reducingBigEndian: request.messageHash)
        }
    }

    /// One-round signing: this signer's share for `request`. Consumes the presignature, which
    /// must belong to this key share (identifier and epoch) and to exactly `signers`, the set
    /// that presigned.
    public static func sign(
        presignature: consuming Presignature, keyShare: KeyShare, signers: [ID], request: SignRequest
    ) throws(MPCError) -> SignatureShare {
        let context = presignature.publicData.context
        guard presignature.identifier == keyShare.identifier else {
            throw MPCError(.presignatureMismatch, "the presignature belongs to \(presignature.identifier), not \(keyShare.identifier)")
        }
        guard context.epoch == keyShare.epoch else {
            throw MPCError(.presignatureMismatch, "the presignature was made for another key or before a refresh or reshare")
        }
        guard signers.sorted() == context.signers else {
            throw MPCError(.presignatureMismatch, "the signer set differs from the set that presigned")
        }
        let session = try SigningSession(publicData: presignature.publicData, publicKey: keyShare.publicKey, request: request)
        // s_j = λ_j·((α_j·h + (β_j + c_j·ε)·r)/δ + e_j)
        let core = presignature.alpha * session.h + (presignature.beta + presignature.c * request.tweak) * session.r
        return SignatureShare(share: presignature.lambda * (core * session.deltaInverse + presignature.e))
    }

    /// Combines the shares of every signer into a low-s signature with its recovery id, and
    /// verifies it under the derived key before returning it. When it does not verify, checks
    /// each share against the presignature's images and names every signer whose share is wrong.
    public static func combine(
        publicData: PresignaturePublicData, publicKey: Secp256k1.Point, request: SignRequest,
        shares: [ID: SignatureShare]
    ) throws(MPCError) -> Signature {
        let signers = publicData.context.signers
        try Participants.requireExactly(signers, present: shares.keys, what: "signature share")
        let session = try SigningSession(publicData: publicData, publicKey: publicKey, request: request)
        var s = Secp256k1.Scalar.zero
        for j in signers { s += shares[j]!.share }
        var recoveryID: UInt8 = (session.bigR.hasEvenY ? 0 : 1) | (session.xOverflow ? 2 : 0)
        if !s.isZero && !isLowS(s) {
            s = -s
            recoveryID ^= 1
        }
        let signature = Signature(r: session.r, s: s, recoveryID: recoveryID)
        if !s.isZero && isValid(signature, hash: request.messageHash, key: session.derivedKey) {
            return signature
        }
        var culprits: [ID] = []
        for j in signers where !(try verify(share: shares[j]!, of: j, publicData: publicData, session: session)) {
            culprits.append(j)
        }
        guard !culprits.isEmpty else { throw MPCError(.invalidSignature, "the combined signature does not verify") }
        throw MPCError(.invalidSignatureShare, "signature shares do not verify", culprits: culprits.map(\.description))
    }

    /// s_j·R = λ_j·((h·P_j + r·(B_j + ε·c_j·R))/δ + E_j), with c_j·R = W_j/w.
    static func verify(
        share: SignatureShare, of j: ID, publicData: PresignaturePublicData, session: SigningSession
    ) throws(MPCError) -> Bool {
        guard let images = publicData.images[j], let wInverse = try? publicData.w.inverse() else { return false }
        let lambda = try Lagrange.coefficient(for: j, in: publicData.context.signers)
        let cImage = Secp256k1.Point.variableTimeMultiply(wInverse, images.bigW)
        let core = Secp256k1.Point.variableTimeMultiply(session.h, images.alpha)
            + .variableTimeMultiply(session.r, images.beta + .variableTimeMultiply(session.tweak, cImage))
        let expected = Secp256k1.Point.variableTimeMultiply(lambda, .variableTimeMultiply(session.deltaInverse, core) + images.e)
        return .variableTimeMultiply(share.share, publicData.bigR) == expected
    }

    /// Whether s ≤ (n−1)/2.
    static func isLowS(_ s: Secp256k1.Scalar) -> Bool {
        let half: [UInt8] = [
            0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
        ]
        let bytes = s.rawRepresentation
        return !half.lexicographicallyPrecedes(bytes)
    }

    /// Verification through libsecp256k1, and recovery of the key from (r, s, recovery id).
    static func isValid(_ signature: Signature, hash: [UInt8], key: Secp256k1.Point) -> Bool {
        guard let compressed = try? key.compressedRepresentation(),
              let publicKey = try? Secp256k1.ECDSA.PublicKey(encoding: compressed),
              let recoverable = try? Secp256k1.ECDSA.RecoverableSignature(
                  r: signature.r.rawRepresentation, s: signature.s.rawRepresentation, recoveryID: signature.recoveryID)
        else { return false }
        guard publicKey.isValidSignature(recoverable, forDigest: hash) else { return false }
        return (try? recoverable.recoverPublicKey(forDigest: hash)) == publicKey
    }
}
