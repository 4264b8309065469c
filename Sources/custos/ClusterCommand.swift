import ArgumentParser
import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosNode
import CustosState
import Foundation

/// `custos cluster init`: lays out a cluster in one folder — each node's data folder with its
/// configuration and sealed identity and transport keys, the first people's credentials, the
/// genesis document (checked here exactly as every node will check it) and the cluster file.
/// A development cluster gets software credentials and passphrase-sealed nodes; with
/// `--production` every node's keys are sealed by the PKCS#11 token, the first people bring
/// registrations their own security keys made (`registration-challenge` gives the challenge),
/// and the genesis names the attestation roots every registration must chain to.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "Create a cluster.", subcommands: [Init.self, RegistrationChallenge.self])

    /// `custos cluster registration-challenge`: what a first person's security key registers over.
    struct RegistrationChallenge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registration-challenge",
            abstract: "Print the challenge (base64url) a first person's security key registers over for `init --production`.")
        @Option(help: "Cluster name, as `init` will be given it.") var name: String
        @Option(help: "The person's user id.") var user: String

        func run() async throws {
            print(Base64URL.encode(GenesisDocument.registrationChallenge(clusterName: name, user: user)))
        }
    }

    /// The demo organisation's first people and their roles in the example policy.
    static let demoPeople = "erin:admin+security-officer,frank:admin+executive,grace:admin+compliance,heidi:security-officer,laura:security-officer,alice:trader+treasury-ops"

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create node folders, identity keys, credentials, the genesis document and cluster.json.",
            discussion: """
                Development (the default): software credentials and passphrase-sealed node keys. --production: node keys \
                sealed by the PKCS#11 token (--pkcs11-module, --token, --pin-file), first people from their security keys' \
                registrations (--admin user:role+role=REGISTRATION.json, made over `custos cluster registration-challenge`), \
                and the attestation roots (--attestation-root, PEM or DER) those registrations must chain to; attestation \
                none, self attestation and software credentials are refused.
                """)

        @Option(help: "The folder to create the cluster in (must not hold one).") var dir: String
        @Option(help: "Cluster name.") var name: String = "custos-dev"
        @Option(help: "Number of signer nodes (4 tolerates one faulty node).") var nodes: Int = 4
        @Option(help: "The policy document (YAML) the cluster starts with.") var policy: String = "examples/policies/trading-firm.yaml"
        @Option(help: "First people as user:role+role,… (each gets a software credential).") var people: String = ClusterCommand.demoPeople
        @Option(help: "WebAuthn relying party id.") var rpId: String = "localhost"
        @Option(help: "The origin assertions are made from.") var origin: String = "http://localhost:8080"
        @Flag(help: "A production cluster: hardware-sealed nodes, security keys, an attestation policy.") var production = false
        @Option(name: .customLong("admin"), help: "Production: a first person, user:role+role=REGISTRATION.json (repeat).")
        var admins: [String] = []
        @Option(help: "Production: a root certificate (PEM or DER) attestations must chain to (repeat).") var attestationRoot: [String] = []
        @Option(help: "Production: the PKCS#11 module sealing every node's keys.") var pkcs11Module: String?
        @Option(help: "Production: the label of the PKCS#11 token.") var token: String?
        @Option(help: "Production: a file holding the token's PIN.") var pinFile: String?

        func run() async throws {
            if production { return try runProduction() }
            guard admins.isEmpty, attestationRoot.isEmpty, pkcs11Module == nil, token == nil, pinFile == nil else {
                fail("--admin, --attestation-root, --pkcs11-module, --token and --pin-file are for --production")
            }
            let layout = DevLayout(dir)
            guard !FileManager.default.fileExists(atPath: layout.clusterFile) else { fail("\(layout.clusterFile) already exists") }
            guard (4...64).contains(nodes) else { fail("--nodes must be between 4 and 64") }
            guard let yaml = FileManager.default.contents(atPath: policy).map({ String(decoding: $0, as: UTF8.self) }) else {
                fail("cannot read the policy \(policy)")
            }
            let firstPeople = try Self.parsePeople(people)
            try FileManager.default.createDirectory(atPath: layout.credentials, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try writeSecretFile(layout.passphrase, Data(SecureRandom.bytes(count: 24).map { String(format: "%02x", $0) }.joined().utf8))

            var admins: [GenesisDocument.Admin] = []
            var authenticators: [(user: String, SoftwareAuthenticator)] = []
            for (user, roles) in firstPeople {
                let authenticator = SoftwareAuthenticator.generate()
                let registration = authenticator.register(
                    relyingPartyId: rpId, origin: origin,
                    challenge: GenesisDocument.registrationChallenge(clusterName: name, user: user))
                admins.append(.init(id: user, roles: roles, registration: registration))
                authenticators.append((user, authenticator))
            }
            let genesis = GenesisDocument(
                clusterName: name, relyingPartyId: rpId, allowedOrigins: [origin], mode: .development, admins: admins, policyYAML: yaml,
                nonce: SecureRandom.bytes(count: GenesisDocument.nonceLength))
            do { _ = try ReplicatedState(genesis: genesis) } catch { fail("the genesis document is refused: \(error.reason)") }
            for (user, authenticator) in authenticators {
                try CredentialStore.save(
                    SoftwareCredentialFile(user: user, relyingPartyId: rpId, origin: origin, authenticator: authenticator, cluster: genesis.digest),
                    to: layout.credential(user))
            }

            var members: [ClusterFile.MemberKey] = []
            let passphrase = try readPassphrase(layout.passphrase)
            for i in 1...nodes {
                let id = "node-\(i)"
                members.append(try NodeCommand.createNode(data: layout.node(id), id: id, environment: .development, token: nil,
                                                          credential: .passphrase(passphrase)))
            }
            let configuration = try Self.writeClusterFile(layout, name: name, genesis: genesis, members: members)
            say("""
                Created the development cluster "\(name)" in \(dir):
                  \(nodes) signer nodes (f = \(configuration.f), quorum \(configuration.quorum)), genesis \(configuration.genesisDigest.short)…
                  people with DEVELOPMENT software credentials in \(layout.credentials): \(firstPeople.map(\.0).joined(separator: ", "))
                  policy: \(policy)
                """)
        }

        /// `--production`: every part from hardware, nothing made in software.
        func runProduction() throws {
            let layout = DevLayout(dir)
            guard !FileManager.default.fileExists(atPath: layout.clusterFile) else { fail("\(layout.clusterFile) already exists") }
            guard (4...64).contains(nodes) else { fail("--nodes must be between 4 and 64") }
            guard let module = pkcs11Module, let token, let pinFile else {
                fail("--production seals every node's keys with the PKCS#11 token: give --pkcs11-module, --token and --pin-file")
            }
            guard !admins.isEmpty else { fail("--production needs the first people: --admin user:role+role=REGISTRATION.json") }
            guard !attestationRoot.isEmpty else { fail("--production needs the attestation roots: --attestation-root FILE") }
            guard let yaml = FileManager.default.contents(atPath: policy).map({ String(decoding: $0, as: UTF8.self) }) else {
                fail("cannot read the policy \(policy)")
            }
            var people: [GenesisDocument.Admin] = []
            for item in admins {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let person = try Self.parsePeople(parts[0]).first else {
                    fail("--admin \(item) is not user:role+role=REGISTRATION.json")
                }
                people.append(.init(id: person.0, roles: person.1, registration: RegistrationFile.load(parts[1])))
            }
            let roots = attestationRoot.map(Self.certificate)
            let genesis = GenesisDocument(
                clusterName: name, relyingPartyId: rpId, allowedOrigins: [origin], mode: .production, admins: people, policyYAML: yaml,
                attestationRoots: roots, nonce: SecureRandom.bytes(count: GenesisDocument.nonceLength))
            do { _ = try ReplicatedState(genesis: genesis) } catch { fail("the genesis document is refused: \(error.reason)") }

            let pin = try readPassphrase(pinFile, what: "PIN")
            var members: [ClusterFile.MemberKey] = []
            for i in 1...nodes {
                let id = "node-\(i)"
                members.append(try NodeCommand.createNode(data: layout.node(id), id: id, environment: .production,
                                                          token: (module: module, token: token, keyLabel: nil), credential: .pin(pin)))
            }
            let configuration = try Self.writeClusterFile(layout, name: name, genesis: genesis, members: members)
            say("""
                Created the production cluster "\(name)" in \(dir):
                  \(nodes) signer nodes sealed by the PKCS#11 token \(token) (f = \(configuration.f), quorum \(configuration.quorum)), genesis \(configuration.genesisDigest.short)…
                  first people, from their security keys: \(people.map { "\($0.id) (\($0.registration.authenticatorDescription))" }.joined(separator: ", "))
                  attestation roots: \(roots.count); policy: \(policy)
                """)
        }

        /// Writes the cluster file (public data) and answers its configuration.
        static func writeClusterFile(
            _ layout: DevLayout, name: String, genesis: GenesisDocument, members: [ClusterFile.MemberKey]
        ) throws -> ClusterConfiguration {
            let file = ClusterFile(name: name, genesisTimestamp: UInt64(Date().timeIntervalSince1970 * 1000),
                                   genesisDocument: Data(genesis.encoded).base64EncodedString(), members: members)
            let configuration = try file.configuration()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(file).write(to: URL(fileURLWithPath: layout.clusterFile))
            return configuration
        }

        /// A certificate file's DER bytes: PEM (the first CERTIFICATE block) or DER as it is.
        static func certificate(_ path: String) -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read the certificate \(path)") }
            let text = String(decoding: data, as: UTF8.self)
            guard let begin = text.range(of: "-----BEGIN CERTIFICATE-----") else { return Array(data) }
            guard let end = text.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<text.endIndex),
                  let der = Data(base64Encoded: text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }) else {
                fail("\(path) holds no readable PEM certificate")
            }
            return Array(der)
        }

        static func parsePeople(_ text: String) throws -> [(String, [String])] {
            try text.split(separator: ",").map { item in
                let parts = item.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw ValidationError("--people: \"\(item)\" is not user:role+role")
                }
                let roles = parts[1].split(separator: "+").map(String.init)
                guard !roles.isEmpty else { throw ValidationError("--people: \(parts[0]) has no role") }
                return (String(parts[0]), roles)
            }
        }
    }
}

/// Where a development cluster keeps its parts under one folder.
struct DevLayout {
    let root: String
    init(_ root: String) { self.root = root }

    func path(_ parts: String...) -> String { parts.reduce(root) { ($0 as NSString).appendingPathComponent($1) } }
    var clusterFile: String { path("cluster.json") }
    /// The development passphrase sealing the nodes' keys (mode 0600).
    var passphrase: String { path("dev-passphrase") }
    var credentials: String { path("credentials") }
    func credential(_ user: String) -> String { path("credentials", "\(user).json") }
    func node(_ id: String) -> String { path("nodes", id) }
    var gateway: String { path("gateway") }
    var logs: String { path("logs") }
}

/// Reads and writes software credential files; every write replaces the file atomically with
/// mode 0600, so a crash leaves the old counter or the new one, never a torn file.
enum CredentialStore {
    static func load(_ path: String) -> SoftwareCredentialFile {
        guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read the credential file \(path)") }
        do { return try JSONDecoder().decode(SoftwareCredentialFile.self, from: data) } catch {
            fail("the credential file \(path) is not valid: \(error)")
        }
    }

    static func save(_ file: SoftwareCredentialFile, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeSecretFile(path, try encoder.encode(file))
    }
}

/// Writes `data` to `path` durably with mode 0600 from its creation (`SecretFile.write`);
/// a failure ends the command with its reason.
func writeSecretFile(_ path: String, _ data: Data) throws {
    do { try SecretFile.write(path, Array(data)) } catch { fail(error.reason) }
}
