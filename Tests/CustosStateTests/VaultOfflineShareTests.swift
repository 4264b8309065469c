import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosMPC
import CustosPolicy
import CustosSigning
@testable import CustosState
import Testing

/// A vault with an offline share (#15 item 3): the governed create-vault carries the offline
/// signer's enrolment, which every node checks; the vault key is the nodes' key plus the
/// offline key, so the nodes alone sign nothing under it; refresh, reshare and derived paths
/// are refused; ECDSA takes no offline share.
@Suite struct VaultOfflineShareTests {
    let ceremony = VaultCeremonyTests()

    /// Proposes create-vault with `offline`; when the proposal is taken, the quorum approves it.
    @discardableResult
    func create(_ c: inout Cluster, _ id: String, _ scheme: Vault.Scheme, offline: OfflineEnrolment) throws -> GovernanceOutcome {
        let (p, outcome) = try c.propose(.createVault(id: id, label: "Cold \(id)", scheme: scheme, environment: .development, offline: offline),
                                         by: "erin")
        guard Cluster.code(outcome) == nil else { return outcome }
        try c.approve(p, by: "frank")
        try c.approve(p, by: "grace")
        #expect(c.status(p) == .executed)
        return outcome
    }

    func enrolment(_ c: Cluster, _ scheme: Vault.Scheme, vault: String = "cold") throws -> OfflineEnrolment {
        try OfflineFormatTests.enrolment(scheme, vault: vault, genesis: c.state.genesisDigest)
    }

    @Test(arguments: [Vault.Scheme.frostEd25519, .frostTaproot])
    func theVaultKeyIsTheNodesKeyPlusTheOfflineKey(scheme: Vault.Scheme) throws {
        var c = try ceremony.cluster()
        let offline = try enrolment(c, scheme)
        try create(&c, "cold", scheme, offline: offline)
        #expect(c.state.vaults["cold"]?.offline == offline)
        let shares = try ceremony.keyGeneration(&c, "cold")
        let vault = try #require(c.state.vaults["cold"])
        #expect(vault.status == .active)
        let key = try #require(vault.key)
        // Y = Y_on + Y_off, computed here with the curve's own arithmetic.
        let message = Array("four nodes, no offline signer".utf8)
        let nodesSign: [UInt8]
        switch scheme {
        case .frostEd25519:
            let pub = try PublicKeyPackage<Ed25519SHA512>(serializedBytes: key.publicKeyPackage)
            let online = try Ed25519.Point(rawRepresentation: try pub.verifyingKey.serialized())
            let sum = online + (try Ed25519.Point(rawRepresentation: offline.offlineKey))
            #expect(key.groupKey == (try sum.rawRepresentationExcludingIdentity()))
            #expect(key.groupKey != (try pub.verifyingKey.serialized()))
            let signers = try ceremony.nodes.map { try KeyPackage<Ed25519SHA512>(sealedRepresentation: shares[$0.id]!) }
            nodesSign = try LocalCeremony<Ed25519SHA512>.sign(message: message, signers: signers, publicKeyPackage: pub).serializedBytes
        default:
            let pub = try PublicKeyPackage<Secp256k1TaprootSHA256>(serializedBytes: key.publicKeyPackage)
            let online = try Secp256k1.Point(compressedRepresentation: try pub.verifyingKey.serialized())
            let sum = online + (try Secp256k1.Point(compressedRepresentation: offline.offlineKey))
            #expect(key.groupKey == (try sum.compressedRepresentation()))
            let signers = try ceremony.nodes.map { try KeyPackage<Secp256k1TaprootSHA256>(sealedRepresentation: shares[$0.id]!) }
            nodesSign = try LocalCeremony<Secp256k1TaprootSHA256>.sign(message: message, signers: signers, publicKeyPackage: pub).serializedBytes
        }
        // Every node's share together signs under Y_on, which is not the vault key.
        #expect(!SignatureCheck.verifies(scheme, key: key, message: message, signature: nodesSign))
    }

    @Test func anEnrolmentForAnotherVaultClusterOrSchemeIsRefused() throws {
        var c = try ceremony.cluster()
        let forOther = try enrolment(c, .frostEd25519, vault: "other")
        #expect(Cluster.code(try create(&c, "cold", .frostEd25519, offline: forOther)) == .offlineRefused)
        let elsewhere = try OfflineFormatTests.enrolment(.frostEd25519, vault: "cold", genesis: OfflineFormatTests.otherGenesis)
        #expect(Cluster.code(try create(&c, "cold", .frostEd25519, offline: elsewhere)) == .offlineRefused)
        #expect(Cluster.code(try create(&c, "cold", .frostTaproot, offline: try enrolment(c, .frostEd25519))) == .offlineRefused)
        // ECDSA vaults take no offline share, whatever the enrolment.
        let (_, ecdsa) = try c.propose(.createVault(id: "cold", label: "Cold", scheme: .ecdsaSecp256k1, environment: .development,
                                                    offline: try enrolment(c, .frostEd25519)), by: "erin")
        guard case .refused(let error) = ecdsa else { Issue.record("an ECDSA vault took an offline share"); return }
        #expect(error.code == .offlineRefused && error.reason.contains("needs a FROST vault"))
        #expect(c.state.vaults["cold"] == nil)
    }

    @Test func refreshReshareDerivedPathsAndNodeOnlySigningAreRefused() throws {
        var c = try ceremony.cluster(policyYAML: OfflineBundleTests.policy.replacing("vaults: [hot]", with: "vaults: [hot, cold]"))
        try create(&c, "cold", .frostEd25519, offline: try enrolment(c, .frostEd25519))
        _ = try ceremony.keyGeneration(&c, "cold")
        let (_, refresh) = try c.propose(.refreshVault(id: "cold"), by: "erin")
        guard case .refused(let refused) = refresh else { Issue.record("a refresh was taken"); return }
        #expect(refused.reason == "vault cold has an offline share: refresh/reshare needs the offline signer and is not built")
        // A membership change still goes through (a compromised node can be removed): the vault
        // keeps its epoch and holders, and signs with those still members.
        let (join, _) = try c.propose(try MembershipChangeTests.join(NodeIdentity.generate(id: NodeID("node-5")), in: c.state), by: "erin")
        try c.approve(join, by: "frank")
        try c.approve(join, by: "grace")
        #expect(c.status(join) == .executed && c.state.members.count == 5)
        #expect(c.state.vaults["cold"]?.runningRefresh == nil && c.state.vaults["cold"]?.holders == ceremony.nodes.map(\.id))
        #expect(c.state.vaultsAwaitingReshare == ["cold"])
        let (_, derived) = try c.propose(.addVaultAddress(vault: "cold", label: "d", chain: .solana, path: [1]), by: "erin")
        #expect(Cluster.code(derived) == .invalidChange)
        // A request the policy allows is not handed to the nodes alone: its attempt waits for the
        // offline signer's answer (`OfflineSigningTests`), and no node's share is due before it.
        let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("risk-bot", key: bot.publicKey)
        let decided = try #require(Cluster.decided(try c.submit(c.signed(
            MessageRequestTests.body(MessageRequestTests.hex("raw", "0x0102"), vault: "cold"), keyId: "risk-bot", key: bot))))
        #expect(decided.outcome == .allow)
        let session = try #require(c.state.signing[decided.id])
        #expect(session.status == .waiting || (session.status == .signing && session.offline?.answer == nil))
        #expect(session.signature == nil)
    }
}
