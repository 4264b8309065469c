import CustosCore
import CustosCrypto
import Testing

@Suite struct HashTests {
    /// RFC 9380 Appendix K.1, expand_message_xmd(SHA-256).
    @Test(arguments: [
        ("", 0x20, "68a985b87eb6b46952128911f2a4412bbc302a9d759667f87f7a21d803f07235"),
        ("abc", 0x20, "d8ccab23b5985ccea865c6c97b6e5b8350e794e603b4b97902f53a8a0d605615"),
    ])
    func expandMessageXMD(_ message: String, _ length: Int, _ expected: String) {
        let out = Hashes.expandMessageXMDSHA256(
            Array(message.utf8), dst: Array("QUUX-V01-CS02-with-expander-SHA256-128".utf8), length: length)
        #expect(out.hexString == expected)
    }

    @Test func taggedHashMatchesDefinition() {
        let tag = Hashes.sha256(Array("BIP0340/challenge".utf8))
        #expect(Hashes.tagged("BIP0340/challenge", [1, 2, 3]) == Hashes.sha256(tag, tag, [1, 2, 3]))
    }
}
