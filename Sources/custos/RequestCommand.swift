import ArgumentParser
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import Foundation

/// `custos request submit`: a bot signs a transaction request (RFC 8785 canonical JSON with its
/// id, a timestamp and a fresh nonce) and submits it; every node verifies it and decides it with
/// the policy in force (see `GET /v1/requests`).
struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request", abstract: "Submit signed transaction requests (development bot keys).", subcommands: [Submit.self])

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign a request body with a bot's key and submit it.")

        @OptionGroup var connection: OperationCommand.Connection
        @Option(help: "The bot's key file (credentials/<bot>.bot.json).") var bot: String
        @Argument(help: "The request body (JSON), e.g. examples/policies/requests/risk-bot-kraken.json.") var body: String

        func run() async throws {
            guard let keyData = FileManager.default.contents(atPath: bot) else { fail("cannot read the bot key file \(bot)") }
            let file: BotKeyFile
            do { file = try JSONDecoder().decode(BotKeyFile.self, from: keyData) } catch { fail("\(bot) is not a bot key file: \(error)") }
            let key: BotSigningKey
            do { key = try file.signingKey() } catch { fail("\(bot): \(error.reason)") }
            guard let bodyData = FileManager.default.contents(atPath: body) else { fail("cannot read \(body)") }
            let value: JSONValue
            do { value = try JSONParser().parse(Array(bodyData)) } catch { fail("\(body) is not JSON: \(error.reason)") }
            let signed = SignedRequest(body: value, keyId: file.bot, timestamp: Int64(Date().timeIntervalSince1970 * 1000),
                                       nonce: Base64URL.encode(SecureRandom.bytes(count: 18)), key: key)
            let receipt: EntryReceipt = try await GatewayCall(connection.gateway).post(raw: "/v1/requests", Data(signed.jsonBytes))
            print("submitted as \(file.bot)" + (receipt.preview.map { "; the committed state says: \($0)" } ?? ""))
        }
    }
}
