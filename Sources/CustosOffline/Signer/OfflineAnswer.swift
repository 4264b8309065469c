import Crypto
import CustosCore
import CustosCrypto
import CustosMPC
import CustosState

/// The offline signer's share for one attested signing attempt, computed from the statement a
/// quorum of members attested (`OfflineBundle.verify(trust:)` checked it): the online signers'
/// commitments and the message from the statement, fresh nonces of its own (drawn here, used
/// once, never stored), and its additive key. Pure but for the randomness of the nonces.
public enum OfflineAnswer {
    /// The response answering `statement` with `sealedKey` (the vault's sealed `AdditiveKey`),
    /// signed by `identity`. Refuses a statement for another key or identity, or whose
    /// commitments or key do not decode.
    /// `record` runs after everything is decoded and checked and before the nonces are drawn: a
    /// statement that cannot be answered records nothing, and no share exists before the record.
    public static func response(
        to statement: OfflineAttestation, sealedKey: SecretBytes, identity: Curve25519.Signing.PrivateKey,
        record: () throws(OfflineError) -> Void
    ) throws(OfflineError) -> OfflineResponse {
        guard statement.offlineIdentity == Array(identity.publicKey.rawRepresentation) else {
            throw OfflineError(.invalidInput, "the attested offline identity of vault \(statement.vault) is not this signer's")
        }
        switch statement.scheme {
        case .frostEd25519: return try response(Ed25519SHA512.self, statement, sealedKey, identity, record)
        case .frostTaproot: return try response(Secp256k1TaprootSHA256.self, statement, sealedKey, identity, record)
        case .ecdsaSecp256k1: throw OfflineError(.invalidInput, "an ECDSA vault has no offline share")
        }
    }

    private static func response<Suite: Ciphersuite>(
        _: Suite.Type, _ statement: OfflineAttestation, _ sealedKey: SecretBytes, _ identity: Curve25519.Signing.PrivateKey,
        _ record: () throws(OfflineError) -> Void
    ) throws(OfflineError) -> OfflineResponse {
        do {
            let key = try FROST<Suite>.AdditiveKey(sealedRepresentation: sealedKey)
            guard try key.publicKey.serialized() == statement.offlineKey else {
                throw OfflineError(.invalidInput, "the attested offline key of vault \(statement.vault) is not this signer's key")
            }
            let groupKey = try Suite.Element(serialized: statement.groupKey)
            var commitments: [Identifier<Suite>: FROST<Suite>.SigningCommitments] = [:]
            for signer in statement.signers {
                commitments[try Identifier<Suite>(UInt64(signer.identifier))] = try .init(serializedBytes: signer.commitment)
            }
            let tweak = FROSTSigningCheck.tweak(statement.scheme)
            let onlineKey = groupKey - key.publicKey
            var context = CanonicalWriter()
            context.append(lengthPrefixed: try FROST<Suite>.SigningPackage(commitments: commitments, message: statement.message, tweak: tweak)
                .serializedBytes)
            context.append(lengthPrefixed: try onlineKey.serialized())
            context.append(lengthPrefixed: statement.genesisDigest)
            context.append(string: statement.vault)
            context.append(string: statement.request)
            context.append(statement.attempt)
            try record()
            let nonces = FROST<Suite>.commit(additiveKey: key, context: context.bytes)
            let mine = nonces.commitments
            let package = FROST<Suite>.SigningPackage(
                commitments: commitments, message: statement.message, tweak: tweak,
                additive: try .init(commitments: mine, publicKey: key.publicKey))
            let share = try FROST<Suite>.signAdditive(
                package: package, nonces: nonces, key: key, onlineVerifyingKey: onlineKey,
                expectedMessage: statement.message, expectedTweak: tweak)
            return try OfflineResponse.make(
                commitments: mine, share: share, identity: identity, genesisDigest: statement.genesisDigest, vault: statement.vault,
                scheme: statement.scheme, request: statement.request, attempt: statement.attempt)
        } catch let error as OfflineError {
            throw error
        } catch {
            // MPC, crypto and governance errors say what did not decode; none carries a secret.
            throw OfflineError(.invalidInput, "cannot answer: \(error)")
        }
    }
}
