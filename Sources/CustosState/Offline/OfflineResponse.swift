import Crypto
import CustosCore
import CustosCrypto
import CustosMPC

/// An offline signer's answer to one signing attempt (#15 item 3): the nonce commitments it drew
/// for this answer (D_off, E_off) and its signature share z_off over the signing package that
/// includes them, for one cluster, vault, request and attempt, signed by its identity key (the
/// key its `OfflineEnrolment` registered in the vault). Submitted by any operator; every node
/// checks the signature (`verify`) and then the share against Y_off.
///
/// Canonical encoding: the tag `custos.offline.response`, a version byte, then the fields in
/// order, the identity signature last over every byte before it. At most `maximumBytes`.
public struct OfflineResponse: Sendable, Hashable {
    static let tag = "custos.offline.response"
    /// About 400 bytes with the longest ids.
    public static let maximumBytes = 1024

    public let genesisDigest: [UInt8]
    public let vault: String
    public let scheme: Vault.Scheme
    public let request: String
    public let attempt: UInt32
    /// The offline signer's commitments, `FROST.SigningCommitments` wire encoding.
    public let commitments: [UInt8]
    /// Its share, `FROST.SignatureShare` wire encoding (with the digest of the package it signed).
    public let share: [UInt8]
    /// The identity key's Ed25519 signature over `signedBytes`.
    public let signature: [UInt8]

    /// Makes and signs a response carrying `commitments` and `share` of `Suite` (the scheme's).
    public static func make<Suite: Ciphersuite>(
        commitments: FROST<Suite>.SigningCommitments, share: FROST<Suite>.SignatureShare,
        identity: Curve25519.Signing.PrivateKey, genesisDigest: [UInt8], vault: String, scheme: Vault.Scheme,
        request: String, attempt: UInt32
    ) throws(GovernanceError) -> OfflineResponse {
        try OfflineScheme.require(scheme)
        try OfflineScheme.requireSuite(Suite.self, scheme)
        let encodedCommitments: [UInt8]
        do { encodedCommitments = try commitments.serializedBytes } catch {
            throw GovernanceError(.offlineRefused, "offline commitments: \(error.reason)")
        }
        let unsigned = OfflineResponse(genesisDigest: genesisDigest, vault: vault, scheme: scheme, request: request, attempt: attempt,
                                       commitments: encodedCommitments, share: share.serializedBytes, signature: [])
        let signature = try OfflineWire.sign(unsigned.signedBytes, with: identity)
        let response = OfflineResponse(genesisDigest: genesisDigest, vault: vault, scheme: scheme, request: request, attempt: attempt,
                                       commitments: encodedCommitments, share: share.serializedBytes, signature: signature)
        _ = try OfflineResponse(serializedBytes: response.serializedBytes)
        return response
    }

    init(genesisDigest: [UInt8], vault: String, scheme: Vault.Scheme, request: String, attempt: UInt32,
         commitments: [UInt8], share: [UInt8], signature: [UInt8]) {
        self.genesisDigest = genesisDigest
        self.vault = vault
        self.scheme = scheme
        self.request = request
        self.attempt = attempt
        self.commitments = commitments
        self.share = share
        self.signature = signature
    }

    /// Every byte of the encoding before the signature: what the identity key signs.
    var signedBytes: [UInt8] {
        var w = OfflineWire.writer(tag: Self.tag, genesisDigest: genesisDigest, vault: vault, scheme: scheme)
        w.append(string: request)
        w.append(attempt)
        w.append(lengthPrefixed: commitments)
        w.append(lengthPrefixed: share)
        return w.bytes
    }

    public var serializedBytes: [UInt8] {
        var w = CanonicalWriter()
        w.append(raw: signedBytes)
        w.append(lengthPrefixed: signature)
        return w.bytes
    }

    /// Decodes strictly: `malformed`, naming the field, for anything that is not one canonical
    /// response of a FROST scheme whose commitments and share decode in its suite; `oversize`
    /// above `maximumBytes`. Does not check the signature (`verify` does) nor the share.
    public init(serializedBytes bytes: [UInt8]) throws(GovernanceError) {
        let header = try OfflineWire.reader(bytes, tag: Self.tag, what: "offline response", maximumBytes: Self.maximumBytes)
        var r = header.reader
        let (genesisDigest, vault, scheme) = (header.genesisDigest, header.vault, header.scheme)
        let request = try r.string("request", max: OfflineWire.maximumIDLength)
        guard !request.isEmpty else { throw r.fail("request is empty") }
        let attempt = try r.uint32("attempt")
        let commitments = try r.bytes("commitments", max: 128)
        let share = try r.bytes("share", max: 128)
        let signature = try OfflineWire.signature(&r)
        self.init(genesisDigest: genesisDigest, vault: vault, scheme: scheme, request: request, attempt: attempt,
                  commitments: commitments, share: share, signature: signature)
        do {
            switch scheme {
            case .frostEd25519: try checkParts(Ed25519SHA512.self)
            case .frostTaproot: try checkParts(Secp256k1TaprootSHA256.self)
            case .ecdsaSecp256k1: break
            }
        } catch {
            throw GovernanceError(.malformed, "offline response: \(error.reason)")
        }
    }

    private func checkParts<Suite: Ciphersuite>(_: Suite.Type) throws(GovernanceError) {
        _ = try signingCommitments(Suite.self)
        _ = try signatureShare(Suite.self)
    }

    /// The offline signer's commitments in `Suite` (which must be the scheme's).
    public func signingCommitments<Suite: Ciphersuite>(_: Suite.Type) throws(GovernanceError) -> FROST<Suite>.SigningCommitments {
        try OfflineScheme.requireSuite(Suite.self, scheme)
        do { return try FROST<Suite>.SigningCommitments(serializedBytes: commitments) } catch {
            throw GovernanceError(.offlineRefused, "commitments: \(error.reason)")
        }
    }

    /// The offline signer's share in `Suite` (which must be the scheme's).
    public func signatureShare<Suite: Ciphersuite>(_: Suite.Type) throws(GovernanceError) -> FROST<Suite>.SignatureShare {
        try OfflineScheme.requireSuite(Suite.self, scheme)
        do { return try FROST<Suite>.SignatureShare(serializedBytes: share) } catch {
            throw GovernanceError(.offlineRefused, "share: \(error.reason)")
        }
    }

    /// Checks that the response answers `attempt` of `request` for `vault` in the cluster with
    /// `genesisDigest`, signed by `identityKey` (the vault's enrolled offline signer):
    /// `offlineRefused`, naming what differs or that the signature does not verify. The share
    /// itself is checked against Y_off over the session's package by the caller.
    public func verify(
        genesisDigest: [UInt8], vault: String, scheme: Vault.Scheme, request: String, attempt: UInt32, identityKey: [UInt8]
    ) throws(GovernanceError) {
        try OfflineWire.check("offline response", genesisDigest: self.genesisDigest, vault: self.vault, scheme: self.scheme,
                              signedBytes: signedBytes, signature: signature, expectedGenesisDigest: genesisDigest,
                              expectedVault: vault, expectedScheme: scheme, identityKey: identityKey)
        guard self.request == request else {
            throw GovernanceError(.offlineRefused, "the offline response answers request \(self.request.printable(limit: 64)), not \(request.printable(limit: 64))")
        }
        guard self.attempt == attempt else {
            throw GovernanceError(.offlineRefused, "the offline response answers attempt \(self.attempt), not \(attempt)")
        }
    }
}
