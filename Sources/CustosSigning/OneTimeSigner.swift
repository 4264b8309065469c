import CustosCrypto
import CustosMPC
import CustosNode

/// The only way a node turns a FROST nonce or an ECDSA presignature into a signature share:
/// the use is recorded durably in the node database first, so the share can leave the node
/// only after the record has committed, and no restart or restored copy ever produces a second
/// share from the same secret. A refused or failed signing still burns the secret (the safe side).
public struct OneTimeSigner: Sendable {
    public let database: NodeDatabase
    /// Runs after a use record has committed and before the share is computed; production signers
    /// run nothing there.
    let afterRecordingUse: @Sendable () throws -> Void

    public init(database: NodeDatabase) {
        self.database = database
        afterRecordingUse = {}
    }

    /// TEST HOOK, never for production: a signer that runs `fault` between recording a use and
    /// computing the share — a crash there (`fault` throwing) must leave the secret burnt.
    package init(unsafeDatabase database: NodeDatabase, faultAfterRecordingUse fault: @escaping @Sendable () throws -> Void) {
        self.database = database
        afterRecordingUse = fault
    }

    /// FROST round 2, after recording the nonce pair (named by its commitments) as used for
    /// this signing package.
    public func frostShare<Suite: Ciphersuite>(
        package: FROST<Suite>.SigningPackage, nonces: consuming FROST<Suite>.SigningNonces,
        keyPackage: KeyPackage<Suite>, publicKeyPackage: PublicKeyPackage<Suite>,
        expectedMessage: [UInt8], expectedTweak: TaprootTweak? = nil, expectedAdditiveKey: Suite.Element? = nil
    ) throws -> FROST<Suite>.SignatureShare {
        let id = Hashes.sha256(Array(Suite.contextString.utf8), try nonces.commitments.serializedBytes)
        try database.recordUse(of: .frostNonce, id: id, purpose: Hashes.sha256(try package.serializedBytes))
        try afterRecordingUse()
        return try FROST<Suite>.sign(package: package, nonces: nonces, keyPackage: keyPackage, publicKeyPackage: publicKeyPackage,
                                     expectedMessage: expectedMessage, expectedTweak: expectedTweak, expectedAdditiveKey: expectedAdditiveKey)
    }

    /// One-round threshold ECDSA, after recording the presignature (named by its session and
    /// owner) as used for this request.
    public func ecdsaShare(
        presignature: consuming ThresholdECDSA.Presignature, keyShare: ThresholdECDSA.KeyShare,
        signers: [ThresholdECDSA.ID], request: ThresholdECDSA.SignRequest
    ) throws -> ThresholdECDSA.SignatureShare {
        let id = presignature.context.sessionID + presignature.identifier.scalar.rawRepresentation
        let purpose = Hashes.sha256(request.messageHash, request.tweak.rawRepresentation, request.entropy)
        try database.recordUse(of: .presignature, id: id, purpose: purpose)
        try afterRecordingUse()
        return try ThresholdECDSA.sign(presignature: presignature, keyShare: keyShare, signers: signers, request: request)
    }
}
