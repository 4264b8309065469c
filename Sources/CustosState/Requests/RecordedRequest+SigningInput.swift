import CustosCore
import CustosIdentity

extension RecordedRequest {
    /// The exact bytes its initiator signed — the RFC 8785 signing input of its body, the cluster
    /// `cluster` (the genesis digest it was recorded in), its initiator as key id, its nonce and
    /// its timestamp (`SignedRequest.signingInput`) — whose SHA-256 is `id`. What a person reads
    /// and the console's script hashes before an approval. Nil if the recorded body is not JSON,
    /// which a recorded request's never is.
    public func signingInput(cluster: [UInt8]) -> [UInt8]? {
        guard let value = try? JSONParser().parse(body) else { return nil }
        return SignedRequest.signingInput(body: value, cluster: cluster, keyId: initiator, timestamp: timestamp, nonce: nonce)
    }
}
