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
        subcommands: [Post.self, Run.self, List.self])

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
            let call = GatewayCall(connection.gateway)
            let (_, genesis) = try await connection.cluster(call, pinned: file.cluster, in: bot)
            print(try await PriceCommand.post(asset: asset, usd: price, time: time, call: call, bot: file.bot, key: key, genesis: genesis))
        }
    }

    /// `custos price run`: price bots that post the same quotes again every `--every` seconds,
    /// so that they never grow older than the policy's `prices.max_age` — the development
    /// cluster's stand-in for a market data feed (this machine reads no exchange).
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Post fixed USD quotes with a price bot's key again and again (a development price feed).")

        @OptionGroup var connection: OperationCommand.Connection
        @Option(name: .customLong("bot"), help: "A price bot's key file (credentials/<bot>.bot.json; repeatable: each bot posts every quote).")
        var bots: [String]
        @Option(name: .customLong("quote"), help: "ASSET=USD, e.g. ETH=3000 (repeatable).") var quotes: [String]
        @Option(help: "Seconds between two rounds of posts.") var every: UInt64 = 60
        /// `custos dev up`'s process id: the price bot stops by itself when it is gone (`ParentWatch`).
        @Option(help: .hidden) var parentPid: Int32?

        func validate() throws {
            guard !quotes.isEmpty else { throw ValidationError("give at least one --quote ASSET=USD") }
            for q in quotes {
                let parts = q.split(separator: "=", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, FixedDecimal(parsing: String(parts[1])) != nil else {
                    throw ValidationError("--quote \(printable(q)) is not ASSET=USD (e.g. ETH=3000)")
                }
            }
            guard every >= 1 else { throw ValidationError("--every is at least 1 second") }
            guard !bots.isEmpty else { throw ValidationError("give at least one --bot key file") }
        }

        func run() async throws {
            ParentWatch.start(parent: parentPid)
            let call = GatewayCall(connection.gateway)
            var signers: [(bot: String, key: BotSigningKey, genesis: [UInt8])] = []
            for path in bots {
                let (file, key) = BotKeyFile.load(path)
                let (_, genesis) = try await connection.cluster(call, pinned: file.cluster, in: path)
                signers.append((file.bot, key, genesis))
            }
            let parsed = quotes.map { q in
                let parts = q.split(separator: "=")
                return (String(parts[0]), FixedDecimal(parsing: String(parts[1]))!)
            }
            while !Task.isCancelled {
                for signer in signers {
                    for (asset, usd) in parsed {
                        do {
                            print(try await PriceCommand.post(asset: asset, usd: usd, time: nil, call: call, bot: signer.bot, key: signer.key, genesis: signer.genesis))
                        } catch {
                            print("\(asset) as \(signer.bot): not posted: \(error)")
                        }
                    }
                }
                try await Task.sleep(for: .seconds(Int64(every)))
            }
        }
    }

    /// Signs `asset` at `usd` (observed at `time`, Unix seconds, or now) with the price bot's key
    /// and posts it; the line saying what the committed state made of it.
    static func post(asset: String, usd: FixedDecimal, time: Int64?, call: GatewayCall, bot: String, key: BotSigningKey, genesis: [UInt8]) async throws -> String {
        let now = Date().timeIntervalSince1970
        let post = PricePost(asset: asset, usd: usd, time: time ?? Int64(now))
        let signed = SignedRequest(body: post.json, cluster: genesis, keyId: bot, timestamp: Int64(now * 1000),
                                   nonce: Base64URL.encode(SecureRandom.bytes(count: 18)), key: key)
        let receipt: EntryReceipt = try await call.post(raw: "/v1/prices", Data(signed.jsonBytes))
        receipt.check(signed: try PriceEntry.post(signed), what: "price")
        return "posted \(post.asset) at \(post.usd.grouped) USD as \(bot)" + (receipt.preview.map { "; the committed state says: \($0)" } ?? "")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every asset's median USD price and each source's latest quote, by environment.")
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
                rows.append([p.environment, printable(p.asset), median, "\(p.sources)", p.quotes.map { "\(printable($0.source)) \($0.usd) @\($0.time)" }.joined(separator: ", "), move])
            }
            printTable(header: ["ENVIRONMENT", "ASSET", "MEDIAN USD", "SOURCES", "QUOTES", "FLAG"], rows: rows)
        }
    }
}
