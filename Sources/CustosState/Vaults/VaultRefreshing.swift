import CustosCore
import CustosCrypto
import CustosMPC

/// What every node checks of a refresh's or reshare's public messages, for each scheme: a
/// committed dealing (for this run, of the new threshold's length, resharing the dealer's own
/// share), the transcript and public key package the dealings make, and whether a share shown
/// as evidence matches its sender's dealing. Pure and deterministic: the same on every node.
/// Participants are named by their 1-based MPC identifiers (`Vault.identifier(of:)`).
public enum VaultRefreshing {
    /// Who deals and who receives in one run, by MPC identifier, and the new threshold.
    public struct Committee: Sendable, Hashable {
        public let dealers: [Int]
        public let receivers: [Int]
        public let minSigners: Int

        public init(dealers: [Int], receivers: [Int], minSigners: Int) {
            self.dealers = dealers
            self.receivers = receivers
            self.minSigners = minSigners
        }

        /// The committee of `run` of `vault`; nil when a node in it has no identifier in the vault.
        public init?(_ run: VaultRefresh, of vault: Vault) {
            let dealers = run.dealers.compactMap(vault.identifier(of:))
            let receivers = run.participants.compactMap(vault.identifier(of:))
            guard dealers.count == run.dealers.count, receivers.count == run.participants.count else { return nil }
            self.init(dealers: dealers, receivers: receivers, minSigners: run.minSigners)
        }
    }

    /// What the committed dealings make.
    public struct Outcome: Sendable, Hashable, Codable {
        /// The refreshed public key package (every participant's new verifying share, the same
        /// group key), wire encoding.
        public let publicKeyPackage: [UInt8]
        /// `Reshare.transcript` of the parameters and every dealing.
        public let transcriptDigest: [UInt8]
    }

    /// The parameters of the run that deals the key whose public key package is
    /// `publicKeyPackage` (wire encoding) to `committee`, in relay session `sessionID`.
    public static func parameters<Suite: Ciphersuite>(
        _: Suite.Type, publicKeyPackage: [UInt8], sessionID: [UInt8], committee: Committee
    ) throws(MPCError) -> Reshare<Suite>.Parameters {
        var dealers: [Identifier<Suite>] = []
        for d in committee.dealers { dealers.append(try Identifier<Suite>(UInt64(d))) }
        var receivers: [Identifier<Suite>] = []
        for r in committee.receivers { receivers.append(try Identifier<Suite>(UInt64(r))) }
        return try Reshare<Suite>.Parameters(sessionID: sessionID, oldPublicKeyPackage: try PublicKeyPackage<Suite>(serializedBytes: publicKeyPackage),
                                             dealers: dealers, newParticipants: receivers, newMinSigners: committee.minSigners)
    }

    /// Checks dealer `index`'s dealing; throws (naming nothing but the reason) if it is not one.
    public static func check(
        _ scheme: Vault.Scheme, publicKeyPackage: [UInt8], sessionID: [UInt8], committee: Committee, dealing: [UInt8], from index: Int
    ) throws(MPCError) {
        switch scheme {
        case .ecdsaSecp256k1: try check(Secp256k1SHA256.self, publicKeyPackage, sessionID, committee, dealing, index)
        case .frostEd25519: try check(Ed25519SHA512.self, publicKeyPackage, sessionID, committee, dealing, index)
        case .frostTaproot: try check(Secp256k1TaprootSHA256.self, publicKeyPackage, sessionID, committee, dealing, index)
        }
    }

    /// The transcript and new public key package of every dealer's dealing (by 1-based index).
    public static func outcome(
        _ scheme: Vault.Scheme, publicKeyPackage: [UInt8], sessionID: [UInt8], committee: Committee, dealings: [Int: [UInt8]]
    ) throws(MPCError) -> Outcome {
        switch scheme {
        case .ecdsaSecp256k1: return try outcome(Secp256k1SHA256.self, publicKeyPackage, sessionID, committee, dealings)
        case .frostEd25519: return try outcome(Ed25519SHA512.self, publicKeyPackage, sessionID, committee, dealings)
        case .frostTaproot: return try outcome(Secp256k1TaprootSHA256.self, publicKeyPackage, sessionID, committee, dealings)
        }
    }

    /// Whether `share` (`Reshare.Share`, wire encoding) is `dealing`'s polynomial at participant
    /// `index`. Throws if either does not decode.
    public static func shareMatches(_ scheme: Vault.Scheme, dealing: [UInt8], share: [UInt8], at index: Int) throws(MPCError) -> Bool {
        switch scheme {
        case .ecdsaSecp256k1: return try shareMatches(Secp256k1SHA256.self, dealing, share, index)
        case .frostEd25519: return try shareMatches(Ed25519SHA512.self, dealing, share, index)
        case .frostTaproot: return try shareMatches(Secp256k1TaprootSHA256.self, dealing, share, index)
        }
    }

    private static func check<Suite: Ciphersuite>(
        _: Suite.Type, _ publicKeyPackage: [UInt8], _ sessionID: [UInt8], _ committee: Committee, _ dealing: [UInt8], _ index: Int
    ) throws(MPCError) {
        let parameters = try parameters(Suite.self, publicKeyPackage: publicKeyPackage, sessionID: sessionID, committee: committee)
        try Reshare<Suite>.check(try .init(serializedBytes: dealing), from: try Identifier<Suite>(UInt64(index)), parameters: parameters)
    }

    private static func outcome<Suite: Ciphersuite>(
        _: Suite.Type, _ publicKeyPackage: [UInt8], _ sessionID: [UInt8], _ committee: Committee, _ dealings: [Int: [UInt8]]
    ) throws(MPCError) -> Outcome {
        let parameters = try parameters(Suite.self, publicKeyPackage: publicKeyPackage, sessionID: sessionID, committee: committee)
        var parsed: [Identifier<Suite>: Reshare<Suite>.Dealing] = [:]
        for (index, bytes) in dealings { parsed[try Identifier<Suite>(UInt64(index))] = try .init(serializedBytes: bytes) }
        let refreshed = try Reshare<Suite>.publicKeyPackage(parameters: parameters, dealings: parsed)
        return Outcome(publicKeyPackage: try refreshed.serializedBytes,
                       transcriptDigest: try Reshare<Suite>.transcript(parameters: parameters, dealings: parsed))
    }

    private static func shareMatches<Suite: Ciphersuite>(
        _: Suite.Type, _ dealing: [UInt8], _ share: [UInt8], _ index: Int
    ) throws(MPCError) -> Bool {
        Reshare<Suite>.shareMatches(try .init(serializedBytes: share), dealing: try .init(serializedBytes: dealing),
                                    at: try Identifier<Suite>(UInt64(index)))
    }
}
