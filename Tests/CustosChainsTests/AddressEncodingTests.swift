import CustosChains
import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

/// The address encodings vault addresses are spelled in: Bech32m and segwit addresses against
/// BIP-350's vectors, Taproot addresses against BIP-341's, Base58 against Bitcoin Core's
/// examples, EIP-55 from public keys; each cross-checked with the Python reference
/// (Tests/python/vault_address_peer.py) on random input.
@Suite struct AddressEncodingTests {
    // BIP-350 "Test vectors for Bech32m".
    static let validBech32m = [
        "A1LQFN3A", "a1lqfn3a",
        "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
        "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
        "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
        "split1checkupstagehandshakeupstreamerranterredcaperredlc445v", "?1v759aa",
    ]
    static let invalidBech32m = [
        "\u{20}1xj0phk", "\u{7F}1g6xzxy", "\u{80}1vctc34",
        "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
        "qyrz8wqd2c9m", "1qyrz8wqd2c9m", "y1b0jsk6g", "lt1igcx5c0", "in1muywd", "mm1crxm3i", "au1s5cgom", "M1VUXWEZ",
        "16plkw9", "1p2gdwpf",
    ]
    // BIP-350 "Test vectors for v0-v16 native segregated witness addresses".
    static let validSegwit: [(String, String)] = [
        ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
        ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
         "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"),
        ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
         "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"),
        ("BC1SW50QGDZ25J", "6002751e"),
        ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
        ("tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
         "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"),
        ("tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
         "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"),
        ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
         "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
    ]
    static let invalidSegwit = [
        "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
        "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
        "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
        "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
        "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
        "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
        "bc1pw5dgrnzv",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
        "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
        "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
        "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
        "bc1gmk9yu",
    ]
    // Bitcoin Core's base58_encode_decode.json, and Solana's all-zero key (the system program).
    static let base58: [(String, String)] = [
        ("", ""), ("61", "2g"), ("626262", "a3gV"), ("636363", "aPEr"),
        ("73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"),
        ("00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"),
        ("516b6fcd0f", "ABnLTmg"), ("bf4f89001e670274dd", "3SEo3LWLoPntC"), ("572e4794", "3EFU7m"),
        ("ecac89cad93923c02321", "EJDM8drfXA6uyA"), ("10c8511e", "Rt5zm"), ("00000000000000000000", "1111111111"),
        (String(repeating: "00", count: 32), String(repeating: "1", count: 32)),
    ]

    @Test(arguments: validBech32m)
    func validBech32mDecodesAsBech32mAndReencodes(_ text: String) throws {
        let (hrp, data, variant) = try Bech32.decode(text)
        #expect(variant == .bech32m, "\(text)")
        #expect(Bech32.encode(hrp: hrp, data: data, variant: .bech32m) == text.lowercased())
    }

    @Test(arguments: invalidBech32m)
    func invalidBech32mIsRefused(_ text: String) {
        #expect((try? Bech32.decode(text))?.variant != .bech32m, "\(text.debugDescription)")
    }

    @Test(arguments: validSegwit.indices)
    func validSegwitAddressesDecodeToTheirScript(_ i: Int) throws {
        let (text, script) = Self.validSegwit[i]
        let network: BitcoinNetwork = text.lowercased().hasPrefix("bc1") ? .mainnet : .testnet
        let address = try SegwitAddress(text, network: network)
        #expect(address.scriptPubKey.hexString == script, "\(text)")
        #expect(address.encoded == text.lowercased())
        #expect(throws: AddressError(.wrongNetwork, "")) { try SegwitAddress(text, network: .regtest) }
    }

    @Test(arguments: invalidSegwit)
    func invalidSegwitAddressesAreRefused(_ text: String) {
        for network in BitcoinNetwork.allCases {
            #expect(throws: AddressError.self, "\(text) on \(network)") { try SegwitAddress(text, network: network) }
        }
    }

    /// BIP-341's scriptPubKey vectors: the output key's address and script.
    @Test func bip341OutputKeysSpellTheirAddresses() throws {
        let data = try TestEnvironment.vectorData("bip341/wallet-test-vectors.json")
        let vectors = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["scriptPubKey"] as? [[String: Any]])
        #expect(vectors.count == 7)
        for v in vectors {
            let outputKey = try #require((v["intermediary"] as? [String: Any])?["tweakedPubkey"] as? String)
            let expected = try #require(v["expected"] as? [String: Any])
            let address = try SegwitAddress(taprootOutputKey: try [UInt8](hex: outputKey), network: .mainnet)
            #expect(address.encoded == expected["bip350Address"] as? String)
            #expect(address.scriptPubKey.hexString == expected["scriptPubKey"] as? String)
            #expect(try SegwitAddress(address.encoded, network: .mainnet) == address)
        }
        #expect(throws: AddressError(.invalidWitnessProgram, "")) { try SegwitAddress(taprootOutputKey: [1, 2, 3], network: .mainnet) }
    }

    @Test(arguments: base58.indices)
    func base58Vectors(_ i: Int) throws {
        let (hex, text) = Self.base58[i]
        #expect(Base58.encode(try [UInt8](hex: hex)) == text)
        #expect(try Base58.decode(text).hexString == hex)
    }

    @Test func base58RefusesCharactersOutsideTheAlphabetAndOverlongText() {
        for text in ["0", "O", "I", "l", "abc+", "ü"] {
            #expect(throws: AddressError(.invalidEncoding, ""), "\(text)") { try Base58.decode(text) }
        }
        #expect(throws: AddressError(.invalidEncoding, "")) { try Base58.decode(String(repeating: "2", count: Base58.maximumLength + 1)) }
    }

    /// EIP-55 addresses of the public keys of secret keys 1 and 2.
    @Test func evmAddressesOfPublicKeys() throws {
        var expected = ["0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf", "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"]
        for secret in [1, 2] as [UInt8] {
            let key = try Secp256k1.ECDSA.PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 31) + [secret]).publicKey
            #expect(EVM.Address(publicKey: key).checksummed == expected.removeFirst())
        }
    }

    struct PeerRequest: Encodable {
        struct Program: Encodable { let hrp: String; let program: String }
        let base58: [String]
        let bech32m: [Program]
    }
    struct PeerResponse: Decodable { let base58: [String]; let bech32m: [String] }

    /// Random byte strings (leading zeros included) in Base58 and random 32-byte programs in
    /// Bech32m on each network, against the Python reference.
    @Test func encodingsAgreeWithThePythonReference() async throws {
        var generator = SeededGenerator(seed: 0xadd2e55)
        var inputs: [[UInt8]] = []
        for length in [1, 5, 20, 32, 32, 33, 64] {
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if length % 2 == 1 { bytes[0] = 0 }
            inputs.append(bytes)
        }
        let programs = BitcoinNetwork.allCases.map { network in
            (network, (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        let response = try await PythonPeer.call(
            "vault_address_peer.py",
            PeerRequest(base58: inputs.map(\.hexString),
                        bech32m: programs.map { .init(hrp: $0.0.humanReadablePart, program: $0.1.hexString) }),
            as: PeerResponse.self)
        #expect(response.base58 == inputs.map(Base58.encode))
        #expect(response.bech32m == (try programs.map { try SegwitAddress(taprootOutputKey: $0.1, network: $0.0).encoded }))
        for (text, bytes) in zip(response.base58, inputs) { #expect(try Base58.decode(text) == bytes) }
    }
}
