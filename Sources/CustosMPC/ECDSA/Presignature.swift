import CustosCore
import CustosCrypto

extension ThresholdECDSA {
    /// The public outcome of a presigning run, the same for every signer: R = k·G, w = a·k,
    /// and per signer the images in base R of its shares, with which a combiner checks each
    /// signature share: P_j = α_j·R, B_j = β_j·R, W_j = a_j·R (so c_j·R = W_j/w), E_j = e_j·R.
    public struct PresignaturePublicData: Sendable, Equatable {
        public struct Images: Sendable, Equatable {
            public let alpha: Secp256k1.Point
            public let beta: Secp256k1.Point
            public let bigW: Secp256k1.Point
            public let e: Secp256k1.Point
        }
        public let context: PresignContext
        public let bigR: Secp256k1.Point
        public let w: Secp256k1.Scalar
        public let images: [ID: Images]
    }

    /// One signer's share of a presignature: α_j = c_j + d_j, β_j = c_j·x_j, c_j (a degree-t
    /// share of k⁻¹) and e_j (a share of zero), bound to its run's context, key epoch and
    /// signer set. Noncopyable and consumed by signing, so it is used once; the node records
    /// that use durably before the share leaves it.
    public struct Presignature: ~Copyable, Sendable {
        public let identifier: ID
        let alpha: Secp256k1.Scalar
        let beta: Secp256k1.Scalar
        let c: Secp256k1.Scalar
        let e: Secp256k1.Scalar
        /// This signer's Lagrange coefficient in the signer set (degree 2t).
        let lambda: Secp256k1.Scalar
        public let publicData: PresignaturePublicData

        public var context: PresignContext { publicData.context }

        init(identifier: ID, alpha: Secp256k1.Scalar, beta: Secp256k1.Scalar, c: Secp256k1.Scalar, e: Secp256k1.Scalar,
             lambda: Secp256k1.Scalar, publicData: PresignaturePublicData) {
            self.identifier = identifier
            self.alpha = alpha
            self.beta = beta
            self.c = c
            self.e = e
            self.lambda = lambda
            self.publicData = publicData
        }

        /// The stable encoding for durable storage (sealed at rest like key shares). Consumes
        /// the presignature, so the in-memory value and the stored one never coexist.
        public consuming func sealedRepresentation() throws(MPCError) -> SecretBytes {
            var w = CanonicalWriter(kind: WireKind.presignature)
            let ctx = publicData.context
            w.append(raw: ctx.sessionID)
            w.append(raw: ctx.epoch)
            w.append(count: ctx.maxFaulty, prefix: .uint16)
            w.append(count: ctx.signers.count, prefix: .uint16)
            for id in ctx.signers { w.append(scalar: id.scalar) }
            w.append(scalar: identifier.scalar)
            for s in [alpha, beta, c, e, lambda, publicData.w] { w.append(scalar: s) }
            try w.append(element: publicData.bigR)
            for id in ctx.signers {
                let i = publicData.images[id]!
                for p in [i.alpha, i.beta, i.bigW, i.e] { try w.append(element: p) }
            }
            return w.finishSecret()
        }

        /// Restores a sealed presignature. Whether it was already used is the node's durable
        /// record to answer, not this decoder's.
        public init(sealedRepresentation sealed: SecretBytes) throws(MPCError) {
            var bytes = sealed.unsafeCopyBytes()
            // The reader lives only inside `decode`, so `bytes` is the last reference when erased.
            defer { Sodium.memzero(&bytes) }
            self = try Self.decode(bytes)
        }

        private static func decode(_ bytes: [UInt8]) throws(MPCError) -> Presignature {
            var r = try WireReader(bytes, kind: WireKind.presignature, message: "sealed presignature")
            let sessionID = Array(try r.read(32, "session id"))
            let epoch = Array(try r.read(32, "epoch"))
            let t = try r.count("maxFaulty", max: maximumParticipants, prefix: .uint16)
            let n = try r.count("signer count", max: maximumParticipants, prefix: .uint16)
            var signers: [ID] = []
            for i in 0..<n { signers.append(try ID(r.scalar(Secp256k1.Scalar.self, "signer \(i)"))) }
            guard n == 2 * t + 1, signers == signers.sorted(), Set(signers).count == n else {
                throw MPCError(.malformedMessage, "sealed presignature: signer set is not 2t+1 distinct sorted identifiers")
            }
            let me = try ID(r.scalar(Secp256k1.Scalar.self, "identifier"))
            var s: [Secp256k1.Scalar] = []
            for name in ["alpha", "beta", "c", "e", "lambda", "w"] { s.append(try r.scalar(Secp256k1.Scalar.self, name)) }
            let bigR = try r.element(Secp256k1.Point.self, "R")
            var images: [ID: PresignaturePublicData.Images] = [:]
            for id in signers {
                images[id] = .init(alpha: try r.element(Secp256k1.Point.self, "P of \(id)"),
                                   beta: try r.element(Secp256k1.Point.self, "B of \(id)"),
                                   bigW: try r.element(Secp256k1.Point.self, "W of \(id)"),
                                   e: try r.element(Secp256k1.Point.self, "E of \(id)"))
            }
            try r.finish()
            guard signers.contains(me) else { throw MPCError(.malformedMessage, "sealed presignature: owner is not a signer") }
            let context = PresignContext(unchecked: sessionID, epoch: epoch, signers: signers, maxFaulty: t)
            return Presignature(identifier: me, alpha: s[0], beta: s[1], c: s[2], e: s[3], lambda: s[4],
                      publicData: .init(context: context, bigR: bigR, w: s[5], images: images))
        }
    }
}

extension ThresholdECDSA.PresignContext {
    init(unchecked sessionID: [UInt8], epoch: [UInt8], signers: [ThresholdECDSA.ID], maxFaulty: Int) {
        self.sessionID = sessionID
        self.epoch = epoch
        self.signers = signers
        self.maxFaulty = maxFaulty
    }
}
