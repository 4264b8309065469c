import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

@testable import CustosMPC

/// Threshold ECDSA: random keys, messages and signer sets, verified by libsecp256k1 and
/// recovered to the Ethereum address by eth-keys; BIP-32 public derivation against the BIP's
/// vectors; adversarial parties at every round; presignature binding.
@Suite struct ThresholdECDSATests {
    typealias T = ThresholdECDSA
    typealias ID = T.ID

    static func ids(_ n: Int) throws -> [ID] { try (1...n).map { try ID(UInt64($0)) } }

    static func request(_ hash: [UInt8] = SecureRandom.bytes(count: 32), tweak: Secp256k1.Scalar = .zero) throws -> T.SignRequest {
        try T.SignRequest(messageHash: hash, tweak: tweak, entropy: SecureRandom.bytes(count: 32))
    }

    static func ethereumAddress(_ key: Secp256k1.Point) throws -> String {
        let publicKey = try Secp256k1.ECDSA.PublicKey(encoding: key.compressedRepresentation())
        return "0x" + publicKey.ethereumAddressBytes.hexString
    }

    struct RecoverRequest: Encodable {
        struct Item: Encodable { let hash: String; let r: String; let s: String; let v: Int }
        let signatures: [Item]
    }
    struct RecoverResponse: Decodable { let addresses: [String?] }

    @Test(arguments: [(3, 1), (4, 1), (7, 2)])
    func signaturesVerifyAndRecoverToTheGroupAddress(_ n: Int, _ f: Int) async throws {
        let keys = try T.Local.keyGeneration(identifiers: Self.ids(n), maxFaulty: f)
        let groupKey = keys.values.first!.publicKey
        var items: [RecoverRequest.Item] = []
        var expected: [String] = []
        for round in 0..<4 {
            let signers = Array(keys.keys.shuffled().prefix(2 * f + 1))
            let presignatures = try T.Local.presign(keyShares: keys, signers: signers)
            let req = try Self.request()
            let signature = try T.Local.sign(presignatures: presignatures, keyShares: keys, request: req)
            #expect(T.isValid(signature, hash: req.messageHash, key: groupKey), "n=\(n), round \(round)")
            #expect(T.isLowS(signature.s))
            items.append(.init(hash: req.messageHash.hexString, r: signature.r.rawRepresentation.hexString,
                               s: signature.s.rawRepresentation.hexString, v: Int(signature.recoveryID)))
            expected.append(try Self.ethereumAddress(groupKey))
        }
        let response = try await PythonPeer.call("ecdsa_recover_peer.py", RecoverRequest(signatures: items), as: RecoverResponse.self)
        #expect(response.addresses.map { $0?.lowercased() } == expected)
    }

    @Test func derivedKeysSign() async throws {
        let keys = try T.Local.keyGeneration(identifiers: Self.ids(4), maxFaulty: 1)
        let share = keys.values.first!
        let root = try BIP32.ExtendedPublicKey(key: share.publicKey, chainCode: share.chainCode)
        var items: [RecoverRequest.Item] = []
        var expected: [String] = []
        for path: [UInt32] in [[0], [0, 1], [44, 60, 0, 0, 7]] {
            let (child, tweak) = try BIP32.derive(from: root, path: path)
            #expect(child.key == share.publicKey + Secp256k1.Point.generatorMultiple(tweak))
            let req = try Self.request(tweak: tweak)
            let signers = Array(keys.keys.shuffled().prefix(3))
            let signature = try T.Local.sign(presignatures: try T.Local.presign(keyShares: keys, signers: signers),
                                             keyShares: keys, request: req)
            #expect(T.isValid(signature, hash: req.messageHash, key: child.key), "path \(path)")
            #expect(!T.isValid(signature, hash: req.messageHash, key: share.publicKey))
            items.append(.init(hash: req.messageHash.hexString, r: signature.r.rawRepresentation.hexString,
                               s: signature.s.rawRepresentation.hexString, v: Int(signature.recoveryID)))
            expected.append(try Self.ethereumAddress(child.key))
        }
        let response = try await PythonPeer.call("ecdsa_recover_peer.py", RecoverRequest(signatures: items), as: RecoverResponse.self)
        #expect(response.addresses.map { $0?.lowercased() } == expected)
        #expect(throws: MPCError(.invalidParameters, "")) { _ = try BIP32.child(of: root, index: BIP32.hardenedOffset) }
    }

    /// BIP-32 vectors 1 and 2: every non-hardened step from a parent xpub reproduces the child xpub.
    @Test func bip32PublicDerivationVectors() throws {
        let text = String(decoding: try TestEnvironment.vectorData("bip32/bip-0032.mediawiki"), as: UTF8.self)
        var chains: [[(path: String, xpub: String)]] = []
        var path = ""
        for line in text.split(whereSeparator: \.isNewline).map(String.init) {
            if line.hasPrefix("===Test vector") { chains.append([]) }
            if line.hasPrefix("* Chain ") { path = String(line.dropFirst("* Chain ".count)) }
            if line.hasPrefix("** ext pub: "), !chains.isEmpty {
                chains[chains.count - 1].append((path, String(line.dropFirst("** ext pub: ".count))))
            }
        }
        var checked = 0
        for chain in chains.prefix(2) {
            for (parent, child) in zip(chain, chain.dropFirst()) {
                let last = child.path.split(separator: "/").last!
                guard !last.contains("<sub>H</sub>"), let index = UInt32(last) else { continue }
                let (derived, _) = try BIP32.child(of: try Self.decodeXpub(parent.xpub), index: index)
                #expect(derived == (try Self.decodeXpub(child.xpub)), "\(child.path)")
                checked += 1
            }
        }
        #expect(checked == 6)  // vector 1: m/0H/1, m/0H/1/2H/2, …/1000000000; vector 2: m/0, …/1, …/2
    }

    static func decodeXpub(_ text: String) throws -> BIP32.ExtendedPublicKey {
        let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
        var bytes: [UInt8] = []
        for character in text {
            guard var carry = alphabet.firstIndex(of: character) else { throw TestEnvironmentError("bad base58") }
            for i in bytes.indices.reversed() {
                carry += Int(bytes[i]) * 58
                bytes[i] = UInt8(carry & 0xff)
                carry >>= 8
            }
            while carry > 0 {
                bytes.insert(UInt8(carry & 0xff), at: 0)
                carry >>= 8
            }
        }
        guard bytes.count == 82, Array(Hashes.sha256(Hashes.sha256(Array(bytes[0..<78]))).prefix(4)) == Array(bytes[78...])
        else { throw TestEnvironmentError("bad xpub checksum") }
        return try BIP32.ExtendedPublicKey(key: Secp256k1.Point(compressedRepresentation: bytes[45..<78]),
                                           chainCode: Array(bytes[13..<45]))
    }
}
