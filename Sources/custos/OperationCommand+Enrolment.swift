import ArgumentParser
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosState
import Foundation

extension OperationCommand {
    /// `custos op enrolment-code`: the person to be enrolled makes their one-time code. They
    /// keep the code and give only its public key to whoever proposes the enrolment; the code
    /// never leaves them (`op enrol` sends a signature made with it), so nobody else, the
    /// gateway included, can register a credential in their name.
    struct EnrolmentCode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enrolment-code",
            abstract: "Make your one-time enrolment code; give its key (never the code) to the proposer.")

        @Option(help: "Where to write the code (mode 0600; must not exist).") var out: String

        func run() async throws {
            guard !FileManager.default.fileExists(atPath: out) else { fail("\(out) exists; refusing to replace a code") }
            let code = SecureRandom.bytes(count: 32)
            try writeSecretFile(out, Data(code.hexString.utf8))
            print("wrote your enrolment code to \(out); keep it to yourself")
            print("code key (give this to the proposer, and check it in the operation they propose): "
                  + CredentialEnrolment.codeKey(ofCode: code).hexString)
        }
    }

    /// `custos op enrol`: the person registers their credential themselves under the enrolment
    /// the quorum approved, with their code. A development cluster gets a new software credential
    /// written to `--out`; a production one takes a registration their security key made over
    /// the challenge `--print-challenge` shows.
    struct Enrol: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register your credential under an enrolment the quorum approved.",
            discussion: """
                Development: --out FILE writes your new DEVELOPMENT software credential. Production: run once with \\
                --print-challenge, have your security key register over that challenge (base64url) for the cluster's \\
                relying party, and pass the PublicKeyCredential JSON it made with --registration FILE.
                """)

        @OptionGroup var connection: Connection
        @Option(help: "The cluster file (public data): its genesis names the relying party.") var cluster: String
        @Option(help: "Your user id.") var user: String
        @Option(help: "The enrolment's operation id.") var enrolment: String
        @Option(help: "Your code file from `custos op enrolment-code`.") var codeFile: String
        @Option(help: "Development: where to write your new software credential (must not exist).") var out: String?
        @Option(help: "Production: your security key's registration (PublicKeyCredential JSON).") var registration: String?
        @Flag(help: "Print the challenge your security key registers over, and stop.") var printChallenge = false

        func run() async throws {
            let genesis: GenesisDocument
            do {
                let configuration = try ClusterFile.load(path: cluster)
                genesis = try GenesisDocument(encoded: configuration.genesisDocument)
            } catch { fail("the cluster file \(cluster): \(error)") }
            guard let text = FileManager.default.contents(atPath: codeFile).map({ String(decoding: $0, as: UTF8.self) }),
                  let code = try? [UInt8](hex: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                fail("cannot read the enrolment code in \(codeFile)")
            }
            let challenge = CredentialEnrolment.registrationChallenge(
                genesisDigest: genesis.digest, enrolmentId: enrolment, user: user, codeKey: CredentialEnrolment.codeKey(ofCode: code))
            if printChallenge {
                print(Base64URL.encode(challenge))
                return
            }
            let response: WebAuthnRegistration.Response
            switch (out, registration) {
            case (let path?, nil):
                guard genesis.mode == .development else { fail("a production cluster registers security keys: use --registration") }
                guard !FileManager.default.fileExists(atPath: path) else { fail("\(path) exists; refusing to replace a credential") }
                guard let origin = genesis.allowedOrigins.first else { fail("the genesis names no origin") }
                let authenticator = SoftwareAuthenticator.generate()
                response = authenticator.register(relyingPartyId: genesis.relyingPartyId, origin: origin, challenge: challenge)
                try CredentialStore.save(
                    SoftwareCredentialFile(user: user, relyingPartyId: genesis.relyingPartyId, origin: origin, authenticator: authenticator,
                                           cluster: genesis.digest),
                    to: path)
                print("wrote your new DEVELOPMENT credential to \(path)")
            case (nil, let path?):
                response = RegistrationFile.load(path)
            default:
                fail("give --out (development) or --registration (production)")
            }
            let entry = try GovernanceEntry.enrol(enrolmentId: enrolment, user: user, proof: CredentialEnrolment.proof(code: code, registration: response),
                                                  registration: response).entry()
            let receipt: EntryReceipt = try await GatewayCall(connection.gateway).post(
                "/v1/entries", EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization))
            print("enrolment \(enrolment) for \(user): registered \(response.authenticatorDescription); queued as \(receipt.queued)"
                  + (receipt.preview.map { "; the committed state says: \($0)" } ?? ""))
        }
    }
}
