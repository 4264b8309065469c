import CustosChains
import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosPolicy
import CustosState
import CustosTestSupport
import Foundation
import Testing

/// Vault addresses: the governed `add-vault-address` that every node executes by deriving the
/// address itself from the vault key and chain code; what the state refuses; the derivation
/// against BIP-32's vectors and, for every scheme, against an independent Python derivation;
/// and signatures by the vault's shares that verify under the addresses (eth-keys recovers the
/// EVM address, coincurve verifies BIP-340 under the output key of the `bc1p` address).
@Suite struct VaultAddressTests {
    let ceremony = VaultCeremonyTests()

    /// A cluster with one active vault of `scheme` named "hot"; returns its sealed shares too.
    func activeVault(_ scheme: Vault.Scheme) throws -> (Cluster, [NodeID: SecretBytes]) {
        var c = try ceremony.cluster()
        let keys = try ceremony.generate(&c, "hot", scheme)
        #expect(c.state.vaults["hot"]?.status == .active)
        return (c, keys)
    }

    /// Proposes `add-vault-address` and has the quorum approve it; returns the proposal.
    @discardableResult
    func add(_ c: inout Cluster, _ vault: String = "hot", label: String, chain: VaultAddress.Chain, path: [UInt32]) throws -> GovernanceProposal {
        let (p, outcome) = try c.propose(.addVaultAddress(vault: vault, label: label, chain: chain, path: path), by: "erin")
        #expect(Cluster.code(outcome) == nil, "\(outcome)")
        try c.approve(p, by: "frank")
        try c.approve(p, by: "grace")
        return p
    }

    static let chains: [(Vault.Scheme, VaultAddress.Chain)] = [
        (.ecdsaSecp256k1, .evm), (.frostTaproot, .bitcoin), (.frostTaproot, .bitcoinTestnet), (.frostTaproot, .bitcoinRegtest),
        (.frostEd25519, .solana),
    ]

    @Test(arguments: chains.indices)
    func everyNodeDerivesAndRecordsTheAddress(_ i: Int) throws {
        let (scheme, chain) = Self.chains[i]
        var (c, _) = try activeVault(scheme)
        let before = c.state.digest
        let p = try add(&c, label: "deposits", chain: chain, path: [0, 5])
        #expect(c.status(p) == .executed, "\(String(describing: c.state.operations[p.id]?.failure))")
        let vault = try #require(c.state.vaults["hot"])
        let recorded = try #require(vault.addresses.first)
        #expect(vault.addresses.count == 1)
        #expect(recorded.label == "deposits" && recorded.chain == chain && recorded.path == [0, 5] && recorded.operationId == p.id)
        #expect(recorded.address == (try vault.address(on: chain, path: [0, 5])))
        #expect(recorded.address != (try vault.address(on: chain, path: [])), "a child's address is not the vault key's")
        #expect(recorded.createdAt == c.state.time)
        #expect(c.state.digest != before)
        switch chain {
        case .evm: #expect(try EVM.Address(hex: recorded.address).checksummed == recorded.address)
        case .bitcoin: #expect(recorded.address.hasPrefix("bc1p"))
        case .bitcoinTestnet: #expect(recorded.address.hasPrefix("tb1p"))
        case .bitcoinRegtest: #expect(recorded.address.hasPrefix("bcrt1p"))
        case .solana: #expect(try Base58.decode(recorded.address).count == 32)
        }
        // The vault key's own address in every format of the scheme.
        #expect(vault.rootAddresses.map(\.chain) == VaultAddress.Chain.allCases.filter { $0.scheme == scheme })
        #expect(VaultAddress.pathDescription(recorded.path) == "m/0/5")
    }

    @Test func theStateRefusesWhatDoesNotFit() throws {
        var (c, _) = try activeVault(.ecdsaSecp256k1)
        try ceremony.create(&c, "pending", .frostEd25519)
        try add(&c, label: "first", chain: .evm, path: [1])
        let refused: [(vault: String, label: String, chain: VaultAddress.Chain, path: [UInt32], why: String)] = [
            ("hot", "hardened", .evm, [0, BIP32.hardenedOffset + 1], "hardened"),
            ("hot", "deep", .evm, Array(repeating: 1, count: VaultAddress.maximumDepth + 1), "levels"),
            ("pending", "too soon", .solana, [0], "not active"),
            ("hot", "bitcoin", .bitcoin, [0], "frost-taproot vaults"),
            ("hot", "solana", .solana, [], "frost-ed25519 vaults"),
            ("hot", "first", .evm, [2], "already has an address labelled"),
            ("hot", "again", .evm, [1], "already has this evm address"),
            ("hot", "", .evm, [3], "label"),
            ("hot", "tab\there", .evm, [3], "label"),
            ("hot", String(repeating: "x", count: VaultAddress.maximumLabelBytes + 1), .evm, [3], "label"),
        ]
        // Every node dry-runs a change when it is proposed: these never reach the approvers.
        for r in refused {
            let (p, outcome) = try c.propose(.addVaultAddress(vault: r.vault, label: r.label, chain: r.chain, path: r.path), by: "erin")
            guard case .refused(let error) = outcome else { Issue.record("\(r.why): \(outcome)"); continue }
            #expect(error.code == .invalidChange && error.reason.contains(r.why), "\(error)")
            #expect(c.status(p) == nil)
        }
        let (_, unknown) = try c.propose(.addVaultAddress(vault: "nowhere", label: "x", chain: .evm, path: []), by: "erin")
        #expect(Cluster.code(unknown) == .unknownVault)
        #expect(c.state.vaults["hot"]?.addresses.map(\.label) == ["first"])
        #expect(c.state.vaults["pending"]?.addresses.isEmpty == true)
        // The vault key itself may be recorded under a label.
        let treasury = try add(&c, label: "treasury", chain: .evm, path: [])
        #expect(c.status(treasury) == .executed, "\(String(describing: c.state.operations[treasury.id]))")
        // Two operations for one label both pass the dry run; the second fails when executed.
        let (a, _) = try c.propose(.addVaultAddress(vault: "hot", label: "dup", chain: .evm, path: [4]), by: "erin")
        let (b, _) = try c.propose(.addVaultAddress(vault: "hot", label: "dup", chain: .evm, path: [5]), by: "erin")
        for p in [a, b] {
            try c.approve(p, by: "frank")
            try c.approve(p, by: "grace")
        }
        #expect(c.status(a) == .executed && c.status(b) == .failed)
        #expect(c.state.operations[b.id]?.failure?.contains("already has an address labelled") == true)
        #expect(c.state.vaults["hot"]?.addresses.map(\.label) == ["first", "treasury", "dup"])
    }

    @Test func twoStatesApplyingTheSameOperationsAgreeOnTheDigest() throws {
        var (c, _) = try activeVault(.frostTaproot)
        var other = c.state
        var labelledOtherwise = c.state
        for (label, chain, path) in [("a", VaultAddress.Chain.bitcoin, [UInt32]([0])), ("b", .bitcoinRegtest, [7, 1, 2])] {
            let p = GovernanceProposal(id: c.nextId(), proposer: "erin",
                                       change: .addVaultAddress(vault: "hot", label: label, chain: chain, path: path), lifetimeSeconds: 3600)
            let q = GovernanceProposal(id: p.id, proposer: "erin",
                                       change: .addVaultAddress(vault: "hot", label: label + "'", chain: chain, path: path),
                                       lifetimeSeconds: 3600)
            let entries = [try c.proposeEntry(p), try c.approveEntry(p, by: "frank"), try c.approveEntry(p, by: "grace")]
            let alternatives = [try c.proposeEntry(q), try c.approveEntry(q, by: "frank"), try c.approveEntry(q, by: "grace")]
            for (entry, alternative) in zip(entries, alternatives) {
                c.apply(entry)
                other.apply(entry, blockTime: c.state.time)
                labelledOtherwise.apply(alternative, blockTime: c.state.time)
            }
        }
        #expect(c.state.vaults["hot"]?.addresses.count == 2)
        #expect(other.vaults["hot"]?.addresses == c.state.vaults["hot"]?.addresses)
        #expect(other.digest == c.state.digest)
        #expect(labelledOtherwise.vaults["hot"]?.addresses.count == 2)
        #expect(labelledOtherwise.digest != c.state.digest, "labels are in the digest")
    }

    @Test func theChangeRoundTripsThroughItsEncoding() throws {
        let change = GovernanceChange.addVaultAddress(vault: "hot", label: "cold storage", chain: .bitcoinTestnet,
                                                      path: [0, 1, BIP32.hardenedOffset])
        let p = GovernanceProposal(id: "op-1", proposer: "erin", change: change, lifetimeSeconds: 60)
        #expect(try GovernanceProposal(encoded: p.encoded).change == change)
        #expect(change.operation == GovernanceOperation(.changeVault, target: "hot"))
    }

    /// BIP-32 test vectors 1 and 2: the EVM address derived from a parent's key and chain code
    /// along a non-hardened path is the address of the key BIP-32 lists at the end of the path.
    @Test func derivationFollowsBIP32Vectors() throws {
        let text = String(decoding: try TestEnvironment.vectorData("bip32/bip-0032.mediawiki"), as: UTF8.self)
        let xpubs = text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("** ext pub: ") }.map { String($0.dropFirst(12)) }
        // Vector 1: m/0H → m/0H/1 and m/0H/1/2H → m/0H/1/2H/2/1000000000; vector 2: m → m/0.
        for (parent, child, path) in [(1, 2, [UInt32(1)]), (3, 5, [2, 1_000_000_000]), (6, 7, [0])] {
            let (key, chainCode) = try Self.decodeXpub(xpubs[parent])
            let expected = EVM.Address(publicKey: try Secp256k1.ECDSA.PublicKey(encoding: try Self.decodeXpub(xpubs[child]).key))
            #expect(try VaultAddress.derive(scheme: .ecdsaSecp256k1, groupKey: key, chainCode: chainCode, chain: .evm, path: path)
                == expected.checksummed, "\(xpubs[child])")
        }
    }

    struct PeerRequest: Encodable {
        struct Derive: Encodable { let scheme: String; let groupKey: String; let chainCode: String; let path: [UInt32]; let chain: String }
        struct Taproot: Encodable { let address: String; let message: String; let signature: String }
        let derive: [Derive]
        let taproot: [Taproot]
    }
    struct PeerResponse: Decodable { let derive: [String]; let taproot: [Bool] }

    /// Every scheme's vault key, at the root and at several paths, in every format of the
    /// scheme: the same address as the Python peer derives independently.
    @Test func addressesAgreeWithAnIndependentDerivation() async throws {
        var requests: [PeerRequest.Derive] = []
        var expected: [String] = []
        for scheme in Vault.Scheme.allCases {
            let (c, _) = try activeVault(scheme)
            let vault = try #require(c.state.vaults["hot"])
            let key = try #require(vault.key)
            for chain in VaultAddress.Chain.allCases where chain.scheme == scheme {
                for path: [UInt32] in [[], [0], [1, 2], [44, 60, 0, 0, 7], [BIP32.hardenedOffset - 1], [9, 8, 7, 6, 5, 4, 3, 2]] {
                    requests.append(.init(scheme: scheme.rawValue, groupKey: key.groupKey.hexString, chainCode: key.chainCode.hexString,
                                          path: path, chain: chain.rawValue))
                    expected.append(try vault.address(on: chain, path: path))
                }
            }
        }
        let response = try await PythonPeer.call("vault_address_peer.py", PeerRequest(derive: requests, taproot: []), as: PeerResponse.self)
        #expect(response.derive == expected)
    }

    /// The vault's shares sign under its `bc1p` address: a FROST signature with the BIP-341
    /// key-path tweak verifies, in coincurve, under the output key the Python peer decodes from
    /// the address itself.
    @Test func aTaprootVaultSignsUnderItsAddress() async throws {
        let (c, keys) = try activeVault(.frostTaproot)
        let vault = try #require(c.state.vaults["hot"])
        let pub = try PublicKeyPackage<Secp256k1TaprootSHA256>(serializedBytes: try #require(vault.key).publicKeyPackage)
        let signers = try ceremony.nodes.suffix(3).map { try KeyPackage<Secp256k1TaprootSHA256>(sealedRepresentation: keys[$0.id]!) }
        let message = Hashes.sha256(Array("withdraw 1 BTC".utf8))
        let signature = try LocalCeremony<Secp256k1TaprootSHA256>.sign(message: message, signers: signers, publicKeyPackage: pub,
                                                                       tweak: .keyPathOnly)
        let address = try vault.address(on: .bitcoin, path: [])
        var forged = try signature.serializedBytes
        forged[40] ^= 1
        let response = try await PythonPeer.call("vault_address_peer.py", PeerRequest(derive: [], taproot: [
            .init(address: address, message: message.hexString, signature: try signature.serializedBytes.hexString),
            .init(address: address, message: message.hexString, signature: forged.hexString),
        ]), as: PeerResponse.self)
        #expect(response.taproot == [true, false])
    }

    /// The vault's ECDSA shares, re-randomised by the BIP-32 tweak of a recorded path, sign so
    /// that eth-keys recovers exactly the EVM address the state recorded for that path.
    @Test func anECDSAVaultSignsForItsDerivedAddress() async throws {
        let (active, keys) = try activeVault(.ecdsaSecp256k1)
        var c = active
        try add(&c, label: "hedging", chain: .evm, path: [3, 14])
        let vault = try #require(c.state.vaults["hot"])
        let key = try #require(vault.key)
        let pub = try PublicKeyPackage<Secp256k1SHA256>(serializedBytes: key.publicKeyPackage)
        var shares: [ThresholdECDSA.ID: ThresholdECDSA.KeyShare] = [:]
        for n in ceremony.nodes {
            let kp = try KeyPackage<Secp256k1SHA256>(sealedRepresentation: keys[n.id]!)
            shares[kp.identifier] = try ThresholdECDSA.KeyShare(keyPackage: kp, publicKeyPackage: pub, chainCode: key.chainCode)
        }
        let root = try BIP32.ExtendedPublicKey(key: try Secp256k1.Point(compressedRepresentation: key.groupKey), chainCode: key.chainCode)
        let (_, tweak) = try BIP32.derive(from: root, path: [3, 14])
        let hash = Keccak256.hash(Array("custos vault address".utf8))
        let request = try ThresholdECDSA.SignRequest(messageHash: hash, tweak: tweak, entropy: SecureRandom.bytes(count: 32))
        let signers = Array(shares.keys.prefix(3))
        let signature = try ThresholdECDSA.Local.sign(presignatures: try ThresholdECDSA.Local.presign(keyShares: shares, signers: signers),
                                                      keyShares: shares, request: request)
        struct Recover: Encodable {
            struct Item: Encodable { let hash: String; let r: String; let s: String; let v: Int }
            let signatures: [Item]
        }
        struct Recovered: Decodable { let addresses: [String?] }
        let response = try await PythonPeer.call("ecdsa_recover_peer.py", Recover(signatures: [
            .init(hash: hash.hexString, r: signature.r.rawRepresentation.hexString, s: signature.s.rawRepresentation.hexString,
                  v: Int(signature.recoveryID)),
        ]), as: Recovered.self)
        #expect(response.addresses == [vault.addresses.first { $0.label == "hedging" }?.address])
    }

    /// A BIP-32 extended public key: Base58 with a double-SHA-256 checksum.
    static func decodeXpub(_ text: String) throws -> (key: [UInt8], chainCode: [UInt8]) {
        let bytes = try Base58.decode(text)
        guard bytes.count == 82, Array(Hashes.sha256(Hashes.sha256(Array(bytes[0..<78]))).prefix(4)) == Array(bytes[78...]) else {
            throw TestEnvironmentError("bad xpub")
        }
        return (Array(bytes[45..<78]), Array(bytes[13..<45]))
    }
}
