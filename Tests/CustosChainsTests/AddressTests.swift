import CustosChains
import CustosCore
import CustosCrypto
import CustosTestSupport
import Testing

@Suite struct AddressTests {
    // EIP-55's own examples.
    static let checksummed = [
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ]

    @Test(arguments: checksummed)
    func eip55RoundTrip(_ text: String) throws {
        let address = try EVM.Address(hex: text)
        #expect(address.checksummed == text)
        #expect(try EVM.Address(hex: text.lowercased()) == address)
        #expect(try EVM.Address(hex: "0x" + text.dropFirst(2).uppercased()) == address)
    }

    @Test func wrongChecksumIsAnError() {
        // One letter's case flipped in a valid checksummed address.
        #expect(throws: EVMError(.invalidChecksum, "")) {
            try EVM.Address(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
        }
        #expect(throws: EVMError(.invalidChecksum, "")) {
            try EVM.Address(hex: "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        }
    }

    @Test(arguments: ["", "0x", "0x1234", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedaa",
                      "0xgaAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe"])
    func malformedIsAnError(_ text: String) {
        #expect(throws: EVMError(.invalidAddress, "")) { try EVM.Address(hex: text) }
    }

    @Test func abbreviationAndKeyDerivation() throws {
        let address = try EVM.Address(hex: "0x28C6c06298d514Db089934071355E5743bf21d60")
        #expect(address.abbreviated == "0x28C6…1d60")
        let key = try Secp256k1.ECDSA.PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 31) + [1])
        #expect(EVM.Address(publicKey: key.publicKey).checksummed == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")
    }

    @Test func everyMutatedCaseIsCaught() throws {
        var rng = SeededGenerator(seed: 55)
        var caught = 0
        for _ in 0..<200 {
            let text = rng.address().checksummed
            var chars = Array(text)
            let letters = chars.indices.dropFirst(2).filter { chars[$0].isLetter }
            guard let i = letters.randomElement(using: &rng) else { continue }
            chars[i] = chars[i].isUppercase ? Character(chars[i].lowercased()) : Character(chars[i].uppercased())
            let mutated = String(chars)
            let isAllOneCase = mutated.dropFirst(2).allSatisfy { !$0.isLetter || $0.isLowercase }
                || mutated.dropFirst(2).allSatisfy { !$0.isLetter || $0.isUppercase }
            if isAllOneCase { continue }
            #expect(throws: EVMError(.invalidChecksum, "")) { try EVM.Address(hex: mutated) }
            caught += 1
        }
        #expect(caught > 150)
    }

    /// CREATE addresses of one sender at nonces 0 to 3, as published with the derivation
    /// (keccak256(rlp([sender, nonce]))[12:]); nonce 0 encodes as the empty string, not 0x00.
    @Test(arguments: [
        (UInt64(0), "0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d"), (1, "0x343c43a37d37dff08ae8c4a11544c718abb4fcf8"),
        (2, "0xf778b86fa74e846c4f0a1fbd1335fe81c00a0c91"), (3, "0xfffd933a0bc612844eaf0c6fe3e5b8e9b6c1d19c"),
    ])
    func createdContractAddress(_ nonce: UInt64, _ expected: String) throws {
        let sender = try EVM.Address(hex: "0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0")
        #expect(EVM.Address.created(by: sender, nonce: nonce) == (try EVM.Address(hex: expected)))
    }
}
