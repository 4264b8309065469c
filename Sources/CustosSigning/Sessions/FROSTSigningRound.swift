import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosPolicy
import CustosState

/// A FROST vault signer's online round, as a pure function of its own committed state: it
/// re-checks that the request may be signed by this node now, rebuilds the signing package from
/// the log (the message the state derived from the committed request and the commitments the
/// log assigned), records the nonce's use durably through `OneTimeSigner`, and only then
/// computes its share — one per peer, to be sealed and sent through the relay. Aggregation checks
/// every share against the log's package and names a signer whose share is wrong.
public enum FROSTSigningRound {
    /// Why this node does not sign a session now.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// What aggregation found.
    public enum Aggregate: Sendable {
        /// The signature, verified under the vault's key: commit it.
        case signature([UInt8])
        /// `culprit`'s share does not verify: blame it with its envelope.
        case wrongShare(culprit: NodeID)
    }

    /// A fresh nonce pair for a vault of `scheme` from this node's key share: the commitment to
    /// publish (`vault.frost.nonces`) and the pair sealed for the node's store. The pair signs
    /// at most once, through `share`.
    public static func nonces(_ scheme: Vault.Scheme, keyShare: SecretBytes) throws -> (commitment: [UInt8], sealed: SecretBytes) {
        switch scheme {
        case .frostEd25519: return try nonces(Ed25519SHA512.self, keyShare)
        case .frostTaproot: return try nonces(Secp256k1TaprootSHA256.self, keyShare)
        case .ecdsaSecp256k1: throw Refusal(reason: "an ECDSA vault signs with presignatures, not FROST nonces")
        }
    }

    /// The store id of the nonce pair behind `commitment` in `vault` at `epoch`.
    public static func nonceID(vault: String, epoch: UInt32, commitment: [UInt8]) -> [UInt8] {
        Hashes.sha256(Array("custos/frost-nonce/\(vault)/\(epoch)/".utf8), commitment)
    }

    private static func nonces<Suite: Ciphersuite>(_: Suite.Type, _ keyShare: SecretBytes) throws -> ([UInt8], SecretBytes) {
        let n = FROST<Suite>.commit(keyPackage: try KeyPackage<Suite>(sealedRepresentation: keyShare))
        return (try n.commitments.serializedBytes, try n.sealedRepresentation())
    }

    /// Checks, in `state`, that `me` may sign `request`'s current attempt: the session is
    /// signing and names `me`, the request was allowed by the policy (or every approval it
    /// required is in the log), nothing is frozen, its destination is not an address-book entry
    /// still cooling off or cancelled (`ReplicatedState.heldDestination(of:)`, the decision's own
    /// test), the vault is active at the session's epoch, every signer is a voting member, and no
    /// signature is recorded; for a vault with an offline share, that the offline signer's answer
    /// is in the log.
    public static func check(_ state: ReplicatedState, request: String, me: NodeID) throws(Refusal) -> (SigningSession, Vault) {
        guard let s = state.signing[request] else { throw Refusal(reason: "no signing session for request \(request)") }
        guard s.status == .signing, s.signature == nil else { throw Refusal(reason: "request \(request) is \(s.status.rawValue)") }
        guard s.signers.contains(me) else { throw Refusal(reason: "\(me) is not a signer of attempt \(s.attempt)") }
        guard !state.frozen else { throw Refusal(reason: "signing is frozen") }
        guard let recorded = state.requestBook.requests[request], recorded.isAllowed else {
            throw Refusal(reason: "request \(request) is not allowed by the policy in the committed state")
        }
        if let held = state.heldDestination(of: recorded.request) {
            throw Refusal(reason: "request \(request) is not signed: \(held.hold.text(entry: held.entry))")
        }
        guard let vault = state.vaults[s.vault], vault.status == .active, vault.epoch == s.epoch, vault.key != nil else {
            throw Refusal(reason: "vault \(s.vault) is not active at epoch \(s.epoch)")
        }
        let members = Set(state.members.map(\.id))
        guard s.signers.allSatisfy(members.contains) else { throw Refusal(reason: "a signer of attempt \(s.attempt) is no longer a member") }
        // A vault with an offline share: the online shares come after the offline signer's
        // answer is in the log, over the package that includes it.
        guard vault.offline == nil || s.offline?.answer != nil else {
            throw Refusal(reason: "attempt \(s.attempt) of request \(request) waits for the offline signer's answer")
        }
        return (s, vault)
    }

    /// This node's signature share for `request`, for every other signer. `nonces` is the sealed
    /// nonce pair behind this node's commitment in the session; its use is recorded before the
    /// share is computed, so it never signs twice, whatever happens next.
    public static func share(
        _ state: ReplicatedState, request: String, me: NodeID, keyShare: SecretBytes, nonces: SecretBytes, signer: OneTimeSigner
    ) throws -> [NodeID: VaultShareMessage] {
        let (s, vault) = try check(state, request: request, me: me)
        let share: [UInt8]
        switch vault.scheme {
        case .frostEd25519: share = try compute(Ed25519SHA512.self, s, vault, me, keyShare, nonces, signer)
        case .frostTaproot: share = try compute(Secp256k1TaprootSHA256.self, s, vault, me, keyShare, nonces, signer)
        case .ecdsaSecp256k1: throw Refusal(reason: "vault \(vault.id) is not a FROST vault")
        }
        var out: [NodeID: VaultShareMessage] = [:]
        for peer in s.signers where peer != me {
            out[peer] = VaultShareMessage(vault: vault.id, epoch: s.epoch, signing: .init(request: request, attempt: s.attempt),
                                          recipient: peer, unsafeShare: share)
        }
        out[me] = VaultShareMessage(vault: vault.id, epoch: s.epoch, signing: .init(request: request, attempt: s.attempt),
                                    recipient: me, unsafeShare: share)
        return out
    }

    /// Combines every signer's share (this node's own included) into the signature, verified under
    /// the vault's key; when it does not verify, FROST's aggregation checks each share and the
    /// first signer whose share is wrong (or does not decode, or was computed over another
    /// signing package) is named. The honest path builds the signing session once.
    public static func aggregate(_ state: ReplicatedState, request: String, shares: [NodeID: [UInt8]]) throws -> Aggregate {
        guard let s = state.signing[request], let vault = state.vaults[s.vault], let key = vault.key else {
            throw Refusal(reason: "no signing session for request \(request)")
        }
        for signer in s.signers where shares[signer] == nil { throw Refusal(reason: "no share from \(signer)") }
        var commitments: [Int: [UInt8]] = [:]
        for signer in s.signers { commitments[vault.index(of: signer)!] = s.commitments[signer]! }
        switch vault.scheme {
        case .frostEd25519: return try combine(Ed25519SHA512.self, s, vault, key, commitments, shares)
        case .frostTaproot: return try combine(Secp256k1TaprootSHA256.self, s, vault, key, commitments, shares)
        case .ecdsaSecp256k1: throw Refusal(reason: "vault \(vault.id) is not a FROST vault")
        }
    }

    private static func compute<Suite: Ciphersuite>(
        _: Suite.Type, _ s: SigningSession, _ vault: Vault, _ me: NodeID, _ keyShare: SecretBytes, _ sealedNonces: SecretBytes,
        _ signer: OneTimeSigner
    ) throws -> [UInt8] {
        let key = try KeyPackage<Suite>(sealedRepresentation: keyShare)
        let pub = try PublicKeyPackage<Suite>(serializedBytes: vault.key!.publicKeyPackage)
        var commitments: [Int: [UInt8]] = [:]
        for node in s.signers { commitments[vault.index(of: node)!] = s.commitments[node]! }
        let tweak = FROSTSigningCheck.tweak(vault.scheme)
        let package = try FROSTSigningCheck.package(Suite.self, commitments: commitments, message: s.message, tweak: tweak,
                                                    additive: ReplicatedState.offlineAdditive(s, vault))
        let nonces = try FROST<Suite>.SigningNonces(sealedRepresentation: sealedNonces)
        guard key.identifier == (try Identifier<Suite>(UInt64(vault.index(of: me)!))) else {
            throw Refusal(reason: "the key share stored for \(vault.id) is not this node's")
        }
        // The offline key is the vault's, as its enrolment registered it: never the package's.
        let expectedAdditiveKey = try vault.offline.map { try Suite.Element(serialized: $0.offlineKey) }
        return try signer.frostShare(package: package, nonces: nonces, keyPackage: key, publicKeyPackage: pub,
                                     expectedMessage: s.message, expectedTweak: tweak,
                                     expectedAdditiveKey: expectedAdditiveKey).serializedBytes
    }

    private static func combine<Suite: Ciphersuite>(
        _: Suite.Type, _ s: SigningSession, _ vault: Vault, _ key: VaultKey, _ commitments: [Int: [UInt8]], _ shares: [NodeID: [UInt8]]
    ) throws -> Aggregate {
        let pub = try PublicKeyPackage<Suite>(serializedBytes: key.publicKeyPackage)
        let additive = ReplicatedState.offlineAdditive(s, vault)
        guard vault.offline == nil || additive != nil else { throw Refusal(reason: "no offline answer for request \(s.requestId)") }
        let package = try FROSTSigningCheck.package(Suite.self, commitments: commitments, message: s.message,
                                                    tweak: FROSTSigningCheck.tweak(vault.scheme), additive: additive)
        let digest = try package.digest
        var parsed: [Identifier<Suite>: FROST<Suite>.SignatureShare] = [:]
        var signerOf: [String: NodeID] = [:]
        for node in s.signers {
            let id = try Identifier<Suite>(UInt64(vault.index(of: node)!))
            guard let share = try? FROST<Suite>.SignatureShare(serializedBytes: shares[node]!), share.packageDigest == digest else {
                return .wrongShare(culprit: node)
            }
            parsed[id] = share
            signerOf[id.description] = node
        }
        if let answer = s.offline?.answer {
            // Every node checked it against this package when the log took it.
            parsed[FROST<Suite>.additiveIdentifier] = try FROST<Suite>.SignatureShare(serializedBytes: answer.share)
        }
        do {
            return .signature(try FROST<Suite>.aggregate(package: package, shares: parsed, publicKeyPackage: pub).serializedBytes)
        } catch let error as MPCError where error.code == .invalidSignatureShare {
            guard let culprit = error.context.culprits.compactMap({ signerOf[$0] }).sorted().first else { throw error }
            return .wrongShare(culprit: culprit)
        }
    }
}
