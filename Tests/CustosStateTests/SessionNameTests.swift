import CustosCore
import CustosState
import Testing

/// The MPC session id: fixed-bytes vectors (recomputed independently in Python from the
/// documented encoding), independence from the order signers are given in, and a different id
/// for every field changed, the cluster's genesis digest included.
struct SessionNameTests {
    static let genesis = Array(UInt8(0)..<32)

    static let signing = SessionName(mpcProtocol: .sign, vaultID: "treasury-eth", keyEpoch: 2, signers: ["node-3", "node-1", "node-2"],
                                      requestID: "req-42", startHeight: 1234)

    @Test func sessionIDsMatchTheirVectors() {
        #expect(Self.signing.sessionID(genesisDigest: Self.genesis).hexString
            == "26f189970d73af4379d63499f411bdd287d3bb74408aa693debf54df97f98da5")
        let dkg = SessionName(mpcProtocol: .dkg, vaultID: "treasury-eth", keyEpoch: 0,
                              signers: ["node-1", "node-2", "node-3", "node-4"], startHeight: 7)
        #expect(dkg.sessionID(genesisDigest: Self.genesis).hexString
            == "e9f2512e8411c840c911fca5ce81d4bc0ed713d127d865e35ac8ad5fc457a3af")
    }

    @Test func signersAreASetAndEveryFieldIsBound() {
        let reordered = SessionName(mpcProtocol: .sign, vaultID: "treasury-eth", keyEpoch: 2,
                                    signers: ["node-2", "node-1", "node-3", "node-1"], requestID: "req-42", startHeight: 1234)
        #expect(reordered == Self.signing)
        #expect(reordered.signers == ["node-1", "node-2", "node-3"])

        let base = Self.signing.sessionID(genesisDigest: Self.genesis)
        let variants = [
            SessionName(mpcProtocol: .presign, vaultID: "treasury-eth", keyEpoch: 2, signers: ["node-1", "node-2", "node-3"],
                        requestID: "req-42", startHeight: 1234),
            SessionName(mpcProtocol: .sign, vaultID: "treasury-btc", keyEpoch: 2, signers: ["node-1", "node-2", "node-3"],
                        requestID: "req-42", startHeight: 1234),
            SessionName(mpcProtocol: .sign, vaultID: "treasury-eth", keyEpoch: 3, signers: ["node-1", "node-2", "node-3"],
                        requestID: "req-42", startHeight: 1234),
            SessionName(mpcProtocol: .sign, vaultID: "treasury-eth", keyEpoch: 2, signers: ["node-1", "node-2", "node-4"],
                        requestID: "req-42", startHeight: 1234),
            SessionName(mpcProtocol: .sign, vaultID: "treasury-eth", keyEpoch: 2, signers: ["node-1", "node-2", "node-3"],
                        requestID: nil, startHeight: 1234),
            SessionName(mpcProtocol: .sign, vaultID: "treasury-eth", keyEpoch: 2, signers: ["node-1", "node-2", "node-3"],
                        requestID: "", startHeight: 1234),
            SessionName(mpcProtocol: .sign, vaultID: "treasury-eth", keyEpoch: 2, signers: ["node-1", "node-2", "node-3"],
                        requestID: "req-42", startHeight: 1235),
        ]
        let ids = variants.map { $0.sessionID(genesisDigest: Self.genesis) }
        #expect(Set(ids + [base]).count == variants.count + 1)
        #expect(Self.signing.sessionID(genesisDigest: Array(repeating: 7, count: 32)) != base)
        #expect(base.count == 32)
    }
}
