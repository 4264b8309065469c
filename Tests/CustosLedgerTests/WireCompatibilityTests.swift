import CustosCore
import CustosCrypto
import CustosLedger
import Testing

/// Fixed bytes, recorded from the encoders before they moved onto the shared canonical codec:
/// blocks, votes and certificates are stored and hashed, so their encodings may never drift.
@Suite("Ledger encodings are byte-for-byte stable")
struct WireCompatibilityTests {
    let cluster = TestCluster(n: 4)

    static let block =
        "01100000000000000001d97f5890f159bf6f6e03a18fab528efc9a66c22e0302d0afac65b48b354c18a5000001a0c4506fe80000000209746573742e6e6f746500000005612d312d3000000040a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a509746573742e6e6f746500000005612d312d3100000040a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5"
    static let vote =
        "0120066e6f64652d3100000000000000013f4d2e4cfc7d189783ca34c44f048d2ab23c3a771f845b72e69cdfadd3689eecd97f5890f159bf6f6e03a18fab528efc9a66c22e0302d0afac65b48b354c18a5d7cde7f50696b16c5f7af51d066ab7f9bf848b784bbe030329740f286d9bb5bcfb34a826e4e2eb09142ca6e5169ec577da3085c4a7392d0db15f515b702dee0d"
    static let certificate =
        "013000000000000000013f4d2e4cfc7d189783ca34c44f048d2ab23c3a771f845b72e69cdfadd3689eecd97f5890f159bf6f6e03a18fab528efc9a66c22e0302d0afac65b48b354c18a500000003066e6f64652d30c7849d99110177c521fd9eeba6158eb0dac440b39f7e4b574ec60bcb523374d9e8b500d3e60c3796d285a7f83d956c9adaf13bfa824cce7109c56ba3923af505066e6f64652d31d7cde7f50696b16c5f7af51d066ab7f9bf848b784bbe030329740f286d9bb5bcfb34a826e4e2eb09142ca6e5169ec577da3085c4a7392d0db15f515b702dee0d066e6f64652d3223dc98f17ada92e56f69492af8bf24ced959e8548e37fb76f134fae86cf7f9bb2d232394c73003fe5e5a5b843af3f8bdf0d28f320599dd6e25a78d1494e6180a"

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
