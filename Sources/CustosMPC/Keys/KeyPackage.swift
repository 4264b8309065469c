import CustosCore
import CustosCrypto

/// What one participant holds after key generation or resharing: its secret signing share
/// and the public values it signs against (RFC 9591 §5 "participant key material"). The share
/// never prints.
public struct KeyPackage<Suite: Ciphersuite>: Sendable, CustomStringConvertible {
    public let identifier: Identifier<Suite>
    /// The secret share s_i. Only signing and resharing code reads it.
    let signingShare: Suite.Scalar
    /// s_i·G.
    public let verifyingShare: Suite.Element
    /// The group public key.
    public let verifyingKey: Suite.Element
    /// The threshold t: how many participants must sign.
    public let minSigners: Int

    /// Assembles a key package, checking that the share matches its verifying share.
    public init(
        identifier: Identifier<Suite>, unsafeSigningShare signingShare: Suite.Scalar,
        verifyingKey: Suite.Element, minSigners: Int
    ) throws(MPCError) {
        guard !signingShare.isZero else { throw MPCError(.invalidShare, "signing share is zero") }
        guard minSigners >= 2, minSigners <= maximumParticipants else {
            throw MPCError(.invalidParameters, "minSigners must be between 2 and \(maximumParticipants), not \(minSigners)")
        }
        self.identifier = identifier
        self.signingShare = signingShare
        self.verifyingShare = Suite.Element.generatorMultiple(signingShare)
        self.verifyingKey = verifyingKey
        self.minSigners = minSigners
    }

    public var description: String {
        "KeyPackage<\(Suite.name)>(identifier: \(identifier), verifyingShare: \(verifyingShare), "
            + "verifyingKey: \(verifyingKey), minSigners: \(minSigners), signingShare: redacted)"
    }

    /// The secret encoding for sealing at rest (HSM or passphrase file): identifier, share,
    /// group key and threshold. Zeroed when released.
    public func sealedRepresentation() throws(MPCError) -> SecretBytes {
        var w = CanonicalWriter(kind: WireKind.keyPackage)
        w.append(scalar: identifier.scalar)
        w.append(scalar: signingShare)
        try w.append(element: verifyingKey)
        w.append(count: minSigners, prefix: .uint16)
        return w.finishSecret()
    }

    /// Restores a sealed key package, recomputing and so checking its verifying share.
    public init(sealedRepresentation sealed: SecretBytes) throws(MPCError) {
        var bytes = sealed.unsafeCopyBytes()
        // The reader lives only inside `decode`, so `bytes` is the last reference when erased.
        defer { Sodium.memzero(&bytes) }
        self = try Self.decode(bytes)
    }

    private static func decode(_ bytes: [UInt8]) throws(MPCError) -> KeyPackage {
        var r = try WireReader(bytes, kind: WireKind.keyPackage, message: "sealed key package")
        let id = try Identifier<Suite>(r.scalar(Suite.Scalar.self, "identifier"))
        let share = try r.scalar(Suite.Scalar.self, "signing share")
        let key = try r.element(Suite.Element.self, "verifying key")
        let t = try r.count("minSigners", max: maximumParticipants, prefix: .uint16)
        try r.finish()
        return try KeyPackage(identifier: id, unsafeSigningShare: share, verifyingKey: key, minSigners: t)
    }
}

/// The public outcome of key generation: every participant's verifying share and the group
/// key. Coordinators use it to check signature shares.
public struct PublicKeyPackage<Suite: Ciphersuite>: Sendable, Equatable {
    public let verifyingShares: [Identifier<Suite>: Suite.Element]
    public let verifyingKey: Suite.Element
    public let minSigners: Int

    public init(verifyingShares: [Identifier<Suite>: Suite.Element], verifyingKey: Suite.Element, minSigners: Int) {
        self.verifyingShares = verifyingShares
        self.verifyingKey = verifyingKey
        self.minSigners = minSigners
    }

    /// The participants, in identifier order.
    public var participants: [Identifier<Suite>] { verifyingShares.keys.sorted() }

    public var serializedBytes: [UInt8] {
        get throws(MPCError) {
            var w = CanonicalWriter(kind: WireKind.publicKeyPackage)
            try w.append(element: verifyingKey)
            w.append(count: minSigners, prefix: .uint16)
            w.append(count: verifyingShares.count, prefix: .uint16)
            for id in participants {
                w.append(scalar: id.scalar)
                try w.append(element: verifyingShares[id]!)
            }
            return w.bytes
        }
    }

    public init(serializedBytes bytes: [UInt8]) throws(MPCError) {
        var r = try WireReader(bytes, kind: WireKind.publicKeyPackage, message: "public key package")
        let key = try r.element(Suite.Element.self, "verifying key")
        let t = try r.count("minSigners", max: maximumParticipants, prefix: .uint16)
        let n = try r.count("participant count", max: maximumParticipants, prefix: .uint16)
        var shares: [Identifier<Suite>: Suite.Element] = [:]
        for i in 0..<n {
            let id = try Identifier<Suite>(r.scalar(Suite.Scalar.self, "identifier \(i)"))
            guard shares[id] == nil else {
                throw MPCError(.duplicateParticipant, "public key package lists \(id) twice", culprits: [id.description])
            }
            shares[id] = try r.element(Suite.Element.self, "verifying share of \(id)")
        }
        try r.finish()
        guard t >= 2, t <= n else { throw MPCError(.invalidParameters, "minSigners \(t) does not fit \(n) participants") }
        self.init(verifyingShares: shares, verifyingKey: key, minSigners: t)
    }
}
