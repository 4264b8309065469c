import ArgumentParser
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosPolicy
import CustosState
import Foundation

/// `custos price post`: a price bot (a bot registered with the `price` role) signs one asset's
/// USD price with its key and posts it; every node checks it and keeps it as that source's
/// latest. `custos price list` shows every asset's median as the committed state holds it, its
/// flagged move, and each source's latest quote.
struct PriceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "price",
        abstract: "Post a price bot's signed USD price, and list the prices and medians the cluster holds.",
        subcommands: [Post.self, List.self])

    struct Post: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign an asset's USD price with a price bot's key and post it.")

        @OptionGroup var connection: OperationCommand.Connection
        @Option(help: "The price bot's key file (credentials/<bot>.bot.json).") var bot: String
        @Option(help: "The asset's symbol, as the policy names it (e.g. ETH).") var asset: String
        @Option(help: "The USD price of one unit (a decimal, e.g. 3200.50).") var usd: String
        @Option(help: "When the source observed it, Unix seconds (default: now).") var time: Int64?

        func run() async throws {
            let (file, key) = BotKeyFile.load(bot)
            guard let price = FixedDecimal(parsing: usd) else { fail("--usd \(printable(usd)) is not a decimal") }
            let now = Date().timeIntervalSince1970
            let post = PricePost(asset: asset, usd: price, time: time ?? Int64(now))
            let call = GatewayCall(connection.gateway)
            let (_, genesis) = try await connection.cluster(call, pinned: file.cluster, in: bot)
            let signed = SignedRequest(body: post.json, cluster: genesis, keyId: file.bot, timestamp: Int64(now * 1000),
                                       nonce: Base64URL.encode(SecureRandom.bytes(count: 18)), key: key)
            let receipt: EntryReceipt = try await call.post(raw: "/v1/prices", Data(signed.jsonBytes))
            receipt.check(signed: try PriceEntry.post(signed), what: "price")
            print("posted \(post.asset) at \(post.usd.grouped) USD as \(file.bot)" + (receipt.preview.map { "; the committed state says: \($0)" } ?? ""))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every asset's median USD price and each source's latest quote.")
        @OptionGroup var connection: OperationCommand.Connection
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let call = GatewayCall(connection.gateway)
            if json { print(String(decoding: try await call.getRaw("/v1/prices"), as: UTF8.self)); return }
            let prices: [PriceView] = try await call.get("/v1/prices")
            var rows: [[String]] = []
            for p in prices {
                let median = p.usd ?? "none: \(p.problem ?? "no price")"
                let move = p.move.map { "moved \($0.percent)% (from \($0.from) to \($0.to)), beyond \($0.bound)%" } ?? ""
                rows.append([printable(p.asset), median, "\(p.sources)", p.quotes.map { "\(printable($0.source)) \($0.usd) @\($0.time)" }.joined(separator: ", "), move])
            }
            printTable(header: ["ASSET", "MEDIAN USD", "SOURCES", "QUOTES", "FLAG"], rows: rows)
        }
    }
}
