import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosGateway
import CustosIdentity
import CustosLedger
import CustosMPC
import CustosPolicy
import CustosState
import Testing

/// The console shows every field of what an approval signs, and the bytes its script encodes
/// from those fields (`ConsoleField.canonicalBytes`, the script's Swift twin) are the proposal's
/// canonical encoding for every kind of change: the digest a browser computes is the one every
/// node checks.
struct ConsoleFieldTests {
    static func changes() throws -> [GovernanceChange] {
        let authenticator = SoftwareAuthenticator.generate()
        let registration = authenticator.register(relyingPartyId: "localhost", origin: "http://localhost:8080",
                                                  challenge: GovernanceProposal.registrationChallenge(operationId: "op", user: "dave", genesisDigest: Array(repeating: 1, count: 32)))
        let member = try NodeIdentity(id: "node-9", signingKey: .init(), transportKey: .init()).member()
        let botKey = try BotPublicKey(algorithm: .ed25519, rawRepresentation: Array(Curve25519.Signing.PrivateKey().publicKey.rawRepresentation))
        return [
            .addUser(id: "dave", roles: ["trader", "viewer"]), .addUser(id: "eve", roles: []), .removeUser(id: "dave"),
            .offboardUser(id: "dave", monitorDays: 0), .offboardUser(id: "dave", monitorDays: 90),
            .assignRole(user: "dave", role: "admin"), .revokeRole(user: "dave", role: "admin"),
            .addCredential(user: "dave", registration: registration),
            .enrolCredential(user: "dave", codeKey: CredentialEnrolment.codeKey(ofCode: Array("a code of sixteen".utf8)), validSeconds: 3600),
            .revokeCredential(user: "dave", credentialId: [1, 2, 3]),
            .changePolicy(yaml: "name: ünïcode <b>&amp;</b>\nversion: 15\n\n  indented: \"quoted\"\n"),
            .changePolicy(yaml: "name: bound\nversion: 16\n", replaces: [UInt8](repeating: 0xab, count: 32)), .freeze, .unfreeze,
            .addMember(member, proof: Array(repeating: 7, count: 64)), .removeMember(id: "node-2"),
            .addBot(id: "risk-bot", key: botKey, roles: ["trader"]), .removeBot(id: "risk-bot"), .rotateBotKey(id: "risk-bot", key: botKey),
            .createVault(id: "v1", label: "<script>alert(1)</script>", scheme: .frostEd25519, environment: .development),
            .createVault(id: "cold", label: "Cold", scheme: .frostEd25519, environment: .production, offline: try offlineEnrolment()),
            .addVaultAddress(vault: "v1", label: "Hot wallet", chain: .evm, path: [0, 5]),
            .addVaultAddress(vault: "v1", label: "Vault key", chain: .solana, path: []),
            .refreshVault(id: "v1"), .readmitSigner(vault: "v1", node: "node-3"),
            .grantRole(user: "dave", role: "trader", days: 90), .attestOnboarding(user: "dave", step: "security_training"),
            .openAccessReview(deadlineDays: 14, confirmed: ["erin admin", "frank admin"], days: 0), .confirmAccess(review: "op-3", grants: ["dave trader"], days: 90),
            .reviewAccess(confirmed: ["dave trader", "erin admin"], revoked: ["frank admin"], days: 90),
            .reviewAccess(confirmed: [], revoked: [], days: 0),
            .cancelNonce(vault: "v1", chain: "ethereum", address: "0x1111111111111111111111111111111111111111", nonce: 18_446_744_073_709_551_615),
            .registerAsset(RegisteredAsset(chain: "ethereum", chainId: 1, symbol: "USDC", contract: "0x7777777777777777777777777777777777777777", decimals: 6)),
            .registerAsset(RegisteredAsset(chain: "ethereum", chainId: 18_446_744_073_709_551_615, symbol: "ETH", contract: nil, decimals: 18)),
            .removeAsset(chain: "ethereum", symbol: "USDC"),
            .cancelAddressBookEntry(entry: "kraken-eth-2"),
            .waiveCoolingOff(entry: "kraken-eth-2", chain: "ethereum", address: "0x7777777777777777777777777777777777777777", standing: "op-7", lifts: ""),
            .waiveCoolingOff(entry: "kraken-eth-2", chain: "ethereum", address: "0x7777777777777777777777777777777777777777", standing: "op-7", lifts: "op-9"),
            .clearWatchFlag(chain: "ethereum", target: "0x7777777777777777777777777777777777777777"),
            .clearWatchFlag(chain: "ethereum", target: "0x" + String(repeating: "ab", count: 32)),
            .clearWatchFlag(chain: "ethereum", target: "below:18446744073709551615"), .clearWatchFlag(chain: "ethereum", target: "overflow"),
        ]
    }

    @Test func everyChangeIsDisplayedFieldByFieldAndEncodesToTheSignedBytes() throws {
        for change in try Self.changes() {
            let proposal = GovernanceProposal(id: "op-1", proposer: "erin", change: change, lifetimeSeconds: 3600)
            let fields = proposal.consoleFields
            #expect(ConsoleField.canonicalBytes(fields) == proposal.encoded, "\(change.summary)")
        }
    }

    /// Every change kind's fields as `consoleFields` labels and types them, by change name (the
    /// five every operation starts with under ""): what the console's script keeps as its own
    /// table (`OPERATION_FIELDS`, `CHANGE_FIELDS`), compared in Chromium by ConsoleBrowserTests.
    static func fieldTable() throws -> [String: [[String]]] {
        var table: [String: [[String]]] = [:]
        for change in try changes() {
            let fields = GovernanceProposal(id: "op-1", proposer: "erin", change: change, lifetimeSeconds: 3600).consoleFields
            let named = fields.map { [$0.label, $0.kind.rawValue] }
            table[""] = Array(named.prefix(5))
            table[change.consoleName] = Array(named.dropFirst(5))
        }
        return table
    }

    @Test func everyKindOfChangeIsAmongTheSamplesAndNamedForTheScript() throws {
        let table = try Self.fieldTable()
        #expect(Set(table.keys.filter { !$0.isEmpty }) == Set(ConsoleField.changeKinds.keys), "every change the script encodes has a sample here")
        #expect(table[""] == [["Format", "string"], ["Operation id", "string"], ["Proposed by", "string"], ["Lifetime (seconds)", "u32"], ["Change", "change"]])
    }

    @Test func theRegistrationContentHashesToTheRegistrationChallenge() throws {
        let genesis = Hashes.sha256(Array("genesis".utf8))
        let codeKey = CredentialEnrolment.codeKey(ofCode: Array("a code of sixteen".utf8))
        let fields = GovernanceProposal.consoleRegistrationFields(genesisDigest: genesis, enrolmentId: "enrol-alice-x1", user: "alice", codeKey: codeKey)
        let bytes = try #require(ConsoleField.canonicalBytes(fields))
        #expect(Hashes.sha256(bytes)
            == CredentialEnrolment.registrationChallenge(genesisDigest: genesis, enrolmentId: "enrol-alice-x1", user: "alice", codeKey: codeKey))
    }

    @Test func changingAnyDisplayedValueChangesTheBytes() throws {
        let proposal = GovernanceProposal(id: "op-1", proposer: "erin", change: .addUser(id: "dave", roles: ["trader"]))
        var fields = proposal.consoleFields
        fields[fields.count - 1].items = [ConsoleField.Item(value: "admin")]
        #expect(ConsoleField.canonicalBytes(fields) != proposal.encoded)
        var renamed = proposal.consoleFields
        renamed[5].value = "mallory"
        #expect(ConsoleField.canonicalBytes(renamed) != proposal.encoded)
    }

    @Test func valuesTheScriptCannotParseAreRefusedNotGuessed() {
        #expect(ConsoleField.canonicalBytes([ConsoleField("Lifetime", .u32, "0012")]) == nil)
        #expect(ConsoleField.canonicalBytes([ConsoleField("Lifetime", .u32, "4294967296")]) == nil)
        #expect(ConsoleField.canonicalBytes([ConsoleField("Change", .change, "add-everything")]) == nil)
        #expect(ConsoleField.canonicalBytes([ConsoleField("Key", .hex, "ABCD")]) == nil)
        #expect(ConsoleField.canonicalBytes([ConsoleField("Path", .path, "0/5")]) == nil)
    }

    /// An offline signer's enrolment in the vault `cold` (frost-ed25519) of a cluster.
    static func offlineEnrolment() throws -> OfflineEnrolment {
        try OfflineEnrolment.make(key: FROST<Ed25519SHA512>.AdditiveKey.generate(), identity: Curve25519.Signing.PrivateKey(),
                                  genesisDigest: [UInt8](repeating: 1, count: 32), vault: "cold", scheme: .frostEd25519)
    }

    /// A create-vault with an offline share (review B-M3): the enrolment is a signed field whole,
    /// under a change kind of its own, and its fingerprint — what `custos offline enrol` printed on
    /// the offline machine — is in the proposal's text (`custos op approve`, `custos op show`) and
    /// under the field on the console.
    @Test func anOfflineEnrolmentShowsItsFingerprintWhereApproversLook() throws {
        let enrolment = try Self.offlineEnrolment()
        let change = GovernanceChange.createVault(id: "cold", label: "Cold", scheme: .frostEd25519, environment: .production, offline: enrolment)
        #expect(change.summary.contains("enrolment fingerprint is \(enrolment.fingerprint)"), "\(change.summary)")
        #expect(enrolment.fingerprint.split(separator: " ").count == 8)
        let proposal = GovernanceProposal(id: "op-1", proposer: "erin", change: change, lifetimeSeconds: 3600)
        let fields = proposal.consoleFields
        #expect(ConsoleField.canonicalBytes(fields) == proposal.encoded)
        #expect(fields[4].value == "create-vault-offline" && ConsoleField.changeKinds["create-vault-offline"] == 34)
        let last = try #require(fields.last)
        #expect(last.label == "Offline enrolment (hex)" && last.value == enrolment.serializedBytes.hexString)
        #expect(last.note?.contains(enrolment.fingerprint) == true && last.note?.contains(enrolment.identityKey.hexString) == true)
        // Without an offline share nothing changes: the four fields of kind 30, no note.
        let plain = GovernanceProposal(id: "op-1", proposer: "erin",
                                       change: .createVault(id: "cold", label: "Cold", scheme: .frostEd25519, environment: .production))
        #expect(plain.consoleFields[4].value == "create-vault" && plain.consoleFields.count == 9 && plain.consoleFields.allSatisfy { $0.note == nil })
    }
}
