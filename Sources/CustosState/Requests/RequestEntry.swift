import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger

/// The log entry by which a transaction request is submitted: kind `request.submit`, payload a
/// `SignedRequest` envelope (JSON bytes, kept exactly as received). Every node verifies and decides
/// it inside the state transition (`ReplicatedState.apply(_:blockTime:)` routes it to the requests
/// room, `RequestBook`) at the block's time, against the replay cache that room holds.
///
/// - A bot signs the envelope with its registered key (`keyId` is the bot's id); the entry's
///   authorization is empty.
/// - A person's envelope carries an empty signature and `keyId` is the person's id; the entry's
///   authorization is their WebAuthn assertion over `personChallenge(_:)` of the same RFC 8785
///   signing input, verified like a governance approval (rpId, origin, flags, counter).
public enum RequestEntry {
    public static let submitKind = "request.submit"

    /// The log entry for an envelope as received (bytes are kept, not re-serialized).
    public static func submit(envelope: [UInt8]) throws(LedgerError) -> Entry {
        try Entry(kind: submitKind, payload: envelope)
    }

    /// The log entry for a bot's signed request, in its canonical envelope form.
    public static func submit(_ request: SignedRequest) throws(LedgerError) -> Entry {
        try submit(envelope: request.jsonBytes)
    }

    /// The unsigned envelope of a person's request for the cluster whose genesis digest is
    /// `cluster`: the signature member is empty.
    public static func personEnvelope(body: JSONValue, cluster: [UInt8], user: String, timestamp: Int64, nonce: String) -> SignedRequest {
        SignedRequest(body: body, cluster: cluster, keyId: user, timestamp: timestamp, nonce: nonce, signature: [])
    }

    /// The WebAuthn challenge a person's assertion signs for `request`: bound to its body,
    /// cluster, person, timestamp and nonce, and distinct from every governance challenge.
    public static func personChallenge(_ request: SignedRequest) -> [UInt8] {
        Hashes.tagged("custos/request/submit", Hashes.sha256(request.signingInput))
    }

    /// The log entry for a person's request (`personEnvelope`) with their assertion over
    /// `personChallenge`.
    public static func submit(_ request: SignedRequest, assertion: WebAuthnAssertion.Response) throws(LedgerError) -> Entry {
        try Entry(kind: submitKind, payload: request.jsonBytes, authorization: GovernanceEntry.encode(assertion))
    }
}
