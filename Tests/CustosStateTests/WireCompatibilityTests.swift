import CustosCore
import CustosCrypto
import CustosIdentity
import CustosState
import Testing

/// Fixed bytes, recorded from the encoder before it moved onto the shared canonical codec:
/// governance payloads are log entries, hashed into challenges and blocks.
@Suite("Governance encodings are byte-for-byte stable")
struct GovernanceWireCompatibilityTests {
    static let proposal =
        "0000001d637573746f732e676f7665726e616e63652e70726f706f73616c2e7631000000046f702d37000000056672616e6b00000e1001000000046976616e0000000200000008617070726f76657200000006766965776572"
    static let revocation =
        "0000001d637573746f732e676f7665726e616e63652e70726f706f73616c2e7631000000046f702d380000000567726163650001518006000000046976616e00000003010203"
    static let genesis =
        "00000011637573746f732e67656e657369732e76310000000461636d650000000e637573746f732e6578616d706c65000000010000001668747470733a2f2f637573746f732e6578616d706c650000000a70726f64756374696f6e0100000001000000056672616e6b000000010000000561646d696e00000002090800000001a0000000027b7d0000000a72756c65733a205b5d0a"

    @Test func proposal() throws {
        let p = GovernanceProposal(id: "op-7", proposer: "frank", change: .addUser(id: "ivan", roles: ["approver", "viewer"]),
                                   lifetimeSeconds: 3600)
        #expect(p.encoded.hexString == Self.proposal)
        #expect(try GovernanceProposal(encoded: try [UInt8](hex: Self.proposal)) == p)
    }

    @Test func revocation() throws {
        let p = GovernanceProposal(id: "op-8", proposer: "grace", change: .revokeCredential(user: "ivan", credentialId: [1, 2, 3]))
        #expect(p.encoded.hexString == Self.revocation)
        #expect(try GovernanceProposal(encoded: try [UInt8](hex: Self.revocation)) == p)
    }

    @Test func genesisDocument() throws {
        let registration = WebAuthnRegistration.Response(credentialId: [9, 8], attestationObject: [0xa0], clientDataJSON: Array("{}".utf8))
        let g = GenesisDocument(clusterName: "acme", relyingPartyId: "custos.example", allowedOrigins: ["https://custos.example"],
                                mode: .production, admins: [.init(id: "frank", roles: ["admin"], registration: registration)],
                                policyYAML: "rules: []\n")
        #expect(g.encoded.hexString == Self.genesis)
        #expect(try GenesisDocument(encoded: try [UInt8](hex: Self.genesis)) == g)
    }
}
