import CustosCore
import CustosCrypto
import CustosLedger
import Testing

/// Fixed bytes, recorded from the encoders before they moved onto the shared canonical codec:
/// blocks, votes and certificates are stored and hashed, so their encodings may never drift.
/// Regenerated once, deliberately, when members gained transport keys: the cluster
/// configuration's encoding (and so the genesis digest every block, vote and certificate
/// carries) changed; the block, vote and certificate encodings themselves did not.
@Suite("Ledger encodings are byte-for-byte stable")
struct WireCompatibilityTests {
    let cluster = TestCluster(n: 4)

    static let block =
        "01100000000000000001ac20e03f8f22f990384bf239b663310c48027c740b712ff46fe5a81ff46b2a06000001a0c4506fe80000000209746573742e6e6f746500000005612d312d3000000040a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a509746573742e6e6f746500000005612d312d3100000040a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5"
    static let vote =
        "0120066e6f64652d310000000000000001a9e66e9fcd4d7de8ea5011486ccf5fbc9e8f9c05053f606498ac3869849430e2ac20e03f8f22f990384bf239b663310c48027c740b712ff46fe5a81ff46b2a0611ff7a6d2dc401df86c0b1605918101d6740a6f779d3b5529d8f84bd42971bf6f065641ff568244a18492e3ccc6c638c2717df0908e8ede3c285b89ea2c00a05"
    static let certificate =
        "01300000000000000001a9e66e9fcd4d7de8ea5011486ccf5fbc9e8f9c05053f606498ac3869849430e2ac20e03f8f22f990384bf239b663310c48027c740b712ff46fe5a81ff46b2a0600000003066e6f64652d303af6bbbc33317dc7edbeb635fcd58640dc46b50eec05f81e4aa39f660e95aae90b9c1c4f58762496a256f20cadaec3268469e6b255d8e7e89ebeb0d891dae804066e6f64652d3111ff7a6d2dc401df86c0b1605918101d6740a6f779d3b5529d8f84bd42971bf6f065641ff568244a18492e3ccc6c638c2717df0908e8ede3c285b89ea2c00a05066e6f64652d322f0379c8dacbed617226c551a6fb50074fe10f23c869ce4264d7253255fd12701dd6b5258698cccca90016dd25d9f29030ffd4e0779dca4d467c02b71ecc940a"

    @Test func block() throws {
        let block = cluster.chain(1, entries: 2)[0].block
        #expect(block.serialized.hexString == Self.block)
        #expect(try Block(serialized: try [UInt8](hex: Self.block)).serialized.hexString == Self.block)
    }

    @Test func vote() throws {
        let vote = cluster.vote(1, for: cluster.chain(1, entries: 1)[0].block)
        #expect(vote.serialized.hexString == Self.vote)
        #expect(try Vote(serialized: try [UInt8](hex: Self.vote)).serialized.hexString == Self.vote)
    }

    @Test func certificate() throws {
        let certificate = cluster.chain(1, entries: 1)[0].certificate
        #expect(certificate.serialized.hexString == Self.certificate)
        #expect(try QuorumCertificate(serialized: try [UInt8](hex: Self.certificate)).serialized.hexString == Self.certificate)
    }
}
