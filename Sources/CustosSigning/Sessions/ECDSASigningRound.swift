import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosState

/// An ECDSA vault signer's online round, as a pure function of its own committed state: it
/// re-checks that the request may be signed by this node now (`FROSTSigningRound.check`, the
/// same rule for every scheme), rebuilds the signing request from the log (the message hash the
/// state derived from the committed request, entropy fixed by the attempt's session), records
/// the presignature's use durably through `OneTimeSigner`, and only then computes its share.
/// Combining checks the signature and, when it does not verify, names the signer whose share
/// is wrong.
public enum ECDSASigningRound {
    /// The store id of the presignature of run `index` of batch `batch`: readable, so a node can
    /// tell which stored presignatures the log no longer pools.
    public static func presignatureID(vault: String, epoch: UInt32, batch: UInt32, index: UInt16) -> [UInt8] {
        Array("presignature \(epoch) \(batch) \(index) \(vault)".utf8)
    }

    /// The vault, epoch, batch and run a store id names.
    public static func presignatureRun(id: [UInt8]) -> (vault: String, epoch: UInt32, batch: UInt32, index: UInt16)? {
        let parts = String(decoding: id, as: UTF8.self).split(separator: " ", maxSplits: 4)
        guard parts.count == 5, parts[0] == "presignature", let epoch = UInt32(parts[1]), let batch = UInt32(parts[2]),
              let index = UInt16(parts[3]) else { return nil }
        return (String(parts[4]), epoch, batch, index)
    }

    /// What a node stores for one presignature: the sealed presignature and its public transcript.
    public static func stored(sealed: SecretBytes, transcript: [UInt8]) -> SecretBytes {
        var bytes = sealed.unsafeCopyBytes()
        defer { Sodium.memzero(&bytes) }
        let n = UInt32(bytes.count)
        return SecretBytes([UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + bytes + transcript)
    }

    private static func split(_ stored: SecretBytes) throws -> (sealed: SecretBytes, transcript: [UInt8]) {
        var bytes = stored.unsafeCopyBytes()
        defer { Sodium.memzero(&bytes) }
        guard bytes.count >= 4 else { throw FROSTSigningRound.Refusal(reason: "a stored presignature is truncated") }
        let n = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        guard bytes.count >= 4 + n else { throw FROSTSigningRound.Refusal(reason: "a stored presignature is truncated") }
        return (SecretBytes(Array(bytes[4..<(4 + n)])), Array(bytes[(4 + n)...]))
    }

    /// This node's ECDSA key share for `vault`: its sealed key package with the vault's public
    /// key package and chain code from the committed state.
    public static func keyShare(_ vault: Vault, sealedKeyPackage: SecretBytes) throws -> ThresholdECDSA.KeyShare {
        guard let key = vault.key else { throw FROSTSigningRound.Refusal(reason: "vault \(vault.id) has no key") }
        return try ThresholdECDSA.KeyShare(keyPackage: try KeyPackage<ThresholdECDSA.Suite>(sealedRepresentation: sealedKeyPackage),
                                           publicKeyPackage: try PublicKeyPackage(serializedBytes: key.publicKeyPackage),
                                           chainCode: key.chainCode)
    }

    /// What signing produced: the share for every signer (this node's own included), and what
    /// combining and blaming need of the presignature, which signing consumed.
    public struct Share: Sendable {
        public let messages: [NodeID: VaultShareMessage]
        public let publicData: ThresholdECDSA.PresignaturePublicData
        public let transcript: [UInt8]
    }

    /// This node's signature share for `request`. `stored` is the presignature the log assigned
    /// (as `stored(sealed:transcript:)` kept it); its use is recorded before the share is computed.
    public static func share(
        _ state: ReplicatedState, request: String, me: NodeID, keyPackage: SecretBytes, stored: SecretBytes, signer: OneTimeSigner
    ) throws -> Share {
        let (s, vault) = try FROSTSigningRound.check(state, request: request, me: me)
        guard vault.scheme == .ecdsaSecp256k1, let assigned = s.presignature else {
            throw FROSTSigningRound.Refusal(reason: "attempt \(s.attempt) of request \(request) has no presignature")
        }
        let keyShare = try keyShare(vault, sealedKeyPackage: keyPackage)
        guard let key = vault.key else { throw FROSTSigningRound.Refusal(reason: "vault \(vault.id) has no key") }
        let (sealed, transcript) = try split(stored)
        let expected = try state.presignContext(assigned, of: vault)
        let signers = try vault.ecdsaIdentifiers(s.signers)
        let signRequest = try state.signRequest(s, key: key)
        let presignature = try ThresholdECDSA.Presignature(sealedRepresentation: sealed)
        let publicData = presignature.publicData
        // The presignature must be the very run the log assigned: its context is rebuilt from the log.
        guard publicData.context == expected else {
            throw FROSTSigningRound.Refusal(reason: "the stored presignature is not the one the log assigned")
        }
        let share = try signer.ecdsaShare(presignature: presignature, keyShare: keyShare, signers: signers, request: signRequest)
        var out: [NodeID: VaultShareMessage] = [:]
        for peer in s.signers {
            out[peer] = VaultShareMessage(vault: vault.id, epoch: s.epoch, signing: .init(request: request, attempt: s.attempt),
                                          recipient: peer, unsafeShare: share.share.rawRepresentation)
        }
        return Share(messages: out, publicData: publicData, transcript: transcript)
    }

    /// Combines every signer's share into the 65-byte signature (r ‖ s ‖ recovery id), verified
    /// under the vault's key; names the first signer whose share is wrong or is not a scalar.
    public static func aggregate(
        _ state: ReplicatedState, request: String, shares: [NodeID: [UInt8]], publicData: ThresholdECDSA.PresignaturePublicData
    ) throws -> FROSTSigningRound.Aggregate {
        guard let s = state.signing[request], let vault = state.vaults[s.vault], let key = vault.key else {
            throw FROSTSigningRound.Refusal(reason: "no signing session for request \(request)")
        }
        let ids = try vault.ecdsaIdentifiers(s.signers)
        var parsed: [ThresholdECDSA.ID: ThresholdECDSA.SignatureShare] = [:]
        var nodeOf: [String: NodeID] = [:]
        for (node, id) in zip(s.signers, ids) {
            guard let bytes = shares[node], bytes.count == 32, let scalar = try? Secp256k1.Scalar(rawRepresentation: bytes) else {
                return .wrongShare(culprit: node)
            }
            parsed[id] = .init(share: scalar)
            nodeOf[id.description] = node
        }
        let publicKey = try PublicKeyPackage<ThresholdECDSA.Suite>(serializedBytes: key.publicKeyPackage).verifyingKey
        let signRequest = try state.signRequest(s, key: key)
        let signature: ThresholdECDSA.Signature
        do { signature = try ThresholdECDSA.combine(publicData: publicData, publicKey: publicKey, request: signRequest, shares: parsed) } catch {
            guard error.code == .invalidSignatureShare, let culprit = error.context.culprits.compactMap({ nodeOf[$0] }).sorted().first
            else { throw error }
            return .wrongShare(culprit: culprit)
        }
        return .signature(signature.recoverableRepresentation)
    }
}
