import CustosCore
import CustosCrypto

extension FROST.SigningCommitments {
    public var serializedBytes: [UInt8] {
        get throws(MPCError) {
            var w = CanonicalWriter(kind: WireKind.signingCommitments)
            try w.append(element: hiding)
            try w.append(element: binding)
            return w.bytes
        }
    }

    public init(serializedBytes bytes: [UInt8]) throws(MPCError) {
        var r = try WireReader(bytes, kind: WireKind.signingCommitments, message: "signing commitments")
        let hiding = try r.element(Suite.Element.self, "hiding commitment")
        let binding = try r.element(Suite.Element.self, "binding commitment")
        try r.finish()
        try self.init(hiding: hiding, binding: binding)
    }
}

extension FROST.SigningPackage {
    /// SHA-256 of the wire encoding: what a signature share says it was computed over.
    public var digest: [UInt8] {
        get throws(MPCError) { Hashes.sha256(try serializedBytes) }
    }

    /// Largest message a signing package carries (a transaction's signing hash or a short
    /// structured message; whole transactions are rebuilt from the log, not shipped here).
    public static var maximumMessageLength: Int { 65_535 }

    public var serializedBytes: [UInt8] {
        get throws(MPCError) {
            guard message.count <= Self.maximumMessageLength else {
                throw MPCError(.malformedMessage, "message longer than \(Self.maximumMessageLength) bytes")
            }
            var w = CanonicalWriter(kind: WireKind.signingPackage)
            w.append(count: commitments.count, prefix: .uint16)
            for id in signers {
                w.append(scalar: id.scalar)
                try w.append(element: commitments[id]!.hiding)
                try w.append(element: commitments[id]!.binding)
            }
            w.append(count: message.count, prefix: .uint16)
            w.append(raw: message)
            switch tweak {
            case nil: w.append(raw: [0])
            case .keyPathOnly: w.append(raw: [1])
            case .scriptTree(let root): w.append(raw: [2] + root)
            }
            // Only a package with an additive participant carries more: the encoding of every
            // other package is what it always was.
            if let additive {
                w.append(raw: [1])
                try w.append(element: additive.commitments.hiding)
                try w.append(element: additive.commitments.binding)
                try w.append(element: additive.publicKey)
            }
            return w.bytes
        }
    }

    public init(serializedBytes bytes: [UInt8]) throws(MPCError) {
        var r = try WireReader(bytes, kind: WireKind.signingPackage, message: "signing package")
        let count = try r.count("signer count", max: maximumParticipants, prefix: .uint16)
        var commitments: [Identifier<Suite>: FROST.SigningCommitments] = [:]
        for i in 0..<count {
            let id = try Identifier<Suite>(r.scalar(Suite.Scalar.self, "identifier \(i)"))
            let hiding = try r.element(Suite.Element.self, "hiding commitment of \(id)")
            let binding = try r.element(Suite.Element.self, "binding commitment of \(id)")
            guard commitments[id] == nil else {
                throw MPCError(.duplicateParticipant, "signing package lists \(id) twice", culprits: [id.description])
            }
            commitments[id] = try .init(hiding: hiding, binding: binding)
        }
        let length = try r.count("message length", max: Self.maximumMessageLength, prefix: .uint16)
        let message = Array(try r.read(length, "message"))
        let tweak: TaprootTweak?
        switch try r.read(1, "tweak kind").first! {
        case 0: tweak = nil
        case 1: tweak = .keyPathOnly
        case 2: tweak = .scriptTree(merkleRoot: Array(try r.read(32, "merkle root")))
        case let other: throw MPCError(.malformedMessage, "signing package: unknown tweak kind \(other)")
        }
        var additive: FROST.AdditiveCommitment?
        if r.remaining > 0 {
            let marker = try r.uint8("additive participant")
            // Anything but the additive participant's marker is what follows every other package.
            guard marker == 1 else { throw r.fail("\(r.remaining + 1) trailing bytes") }
            let hiding = try r.element(Suite.Element.self, "additive hiding commitment")
            let binding = try r.element(Suite.Element.self, "additive binding commitment")
            let key = try r.element(Suite.Element.self, "additive key")
            guard commitments[FROST.additiveIdentifier] == nil else {
                throw MPCError(.duplicateParticipant, "signing package lists the additive identifier as a threshold signer too")
            }
            additive = try FROST.AdditiveCommitment(commitments: .init(hiding: hiding, binding: binding), publicKey: key)
        }
        try r.finish()
        self.init(commitments: commitments, message: message, tweak: tweak, additive: additive)
    }
}

extension FROST.SignatureShare {
    public var serializedBytes: [UInt8] {
        var w = CanonicalWriter(kind: WireKind.signatureShare)
        w.append(scalar: share)
        w.append(raw: packageDigest)
        return w.bytes
    }

    public init(serializedBytes bytes: [UInt8]) throws(MPCError) {
        var r = try WireReader(bytes, kind: WireKind.signatureShare, message: "signature share")
        let share = try r.scalar(Suite.Scalar.self, "share")
        let digest = Array(try r.read(32, "signing package digest"))
        try r.finish()
        self.init(share: share, packageDigest: digest)
    }
}

extension FROST.SigningNonces {
    /// The secret encoding for sealing at rest while the nonce pair waits in a node's pool:
    /// hiding and binding nonces. Whoever opens it may sign once with it; the node records the
    /// use (`OneTimeSigner`) before any share leaves it. Zeroed when released.
    public func sealedRepresentation() throws(MPCError) -> SecretBytes {
        var w = CanonicalWriter(kind: WireKind.signingNonces)
        w.append(scalar: hiding)
        w.append(scalar: binding)
        return w.finishSecret()
    }

    /// Restores a sealed nonce pair, recomputing its commitments.
    public init(sealedRepresentation sealed: SecretBytes) throws(MPCError) {
        var bytes = sealed.unsafeCopyBytes()
        defer { Sodium.memzero(&bytes) }
        var r = try WireReader(bytes, kind: WireKind.signingNonces, message: "sealed nonces")
        let hiding = try r.scalar(Suite.Scalar.self, "hiding nonce")
        let binding = try r.scalar(Suite.Scalar.self, "binding nonce")
        try r.finish()
        guard !hiding.isZero, !binding.isZero else { throw MPCError(.malformedMessage, "a nonce is zero") }
        self = FROST.nonces(hiding: hiding, binding: binding)
    }
}
