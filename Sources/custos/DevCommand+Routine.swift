import AsyncHTTPClient
import CustosClusterAPI
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

extension DevCommand.Up {
    /// The development price bots (`DevelopmentChain.priceBots`).
    static let priceBots = DevelopmentChain.priceBots

    /// Registers the development price bots through governance (erin proposes, frank and grace approve each).
    static func addPriceBots(supervisor: Supervisor, gateway: String, layout: DevLayout) async -> Bool {
        say("registering three development price bots through governance (erin proposes, frank and grace approve)…")
        for bot in priceBots {
            guard await govern("add-\(bot)", ["add-bot", bot, "price", "--environment", "development"], approvers: ["frank", "grace"], supervisor: supervisor, gateway: gateway, layout: layout)
            else { return false }
        }
        return true
    }

    /// Starts `custos price run` posting `demoQuotes` every minute with the price bots' keys, if
    /// the cluster has them; whether it runs.
    static func startPriceBots(supervisor: Supervisor, gateway: String, layout: DevLayout) -> Bool {
        let keys = priceBots.map { layout.credential("\($0).bot") }
        guard keys.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else { return false }
        do {
            try supervisor.start("price-bots", ["price", "run", "--gateway", gateway, "--every", "60"]
                                 + keys.flatMap { ["--bot", $0] } + demoQuotes.flatMap { ["--quote", $0] })
            return true
        } catch {
            say("cannot start the price bots: \(error)")
            return false
        }
    }

    /// The risk bot's routine transfer of this start, as the banner shows it.
    struct RoutineTransfer {
        var request: String?
        var transactionHash: String?
        /// Why there is no mined transaction, if there is none.
        var problem: String?
    }

    /// Has the risk bot send `routineAmount` ETH from hot-trading to the devnet exchange account,
    /// once ETH has a median price in the committed state (the policy's USD limits read it), and waits
    /// (bounded, 90 s) until the executor has it signed, broadcast and mined.
    static func routineTransfer(supervisor: Supervisor, gateway: String, layout: DevLayout) async -> RoutineTransfer {
        var priced = false
        for _ in 0..<300 where !priced {
            if let prices: [PriceView] = await get(gateway, "/v1/prices"), prices.contains(where: { $0.asset == "ETH" && $0.usd != nil }) {
                priced = true
            } else {
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        guard priced else { return RoutineTransfer(problem: "ETH has no price in the committed state (see \(layout.path("logs", "price-bots.log")))") }
        say("the risk bot sends \(routineAmount) ETH from hot-trading to \(devnetDestination.entry) on devnet (allowed by policy, no person involved)…")
        guard let out = supervisor.runToEndCapturing([
            "request", "transfer", "--gateway", gateway, "--bot", layout.credential("risk-bot.bot"), "--vault", "hot-trading", "--from", "m",
            "--chain", DevChain.name, "--asset", "ETH", "--to", devnetDestination.address, "--amount", routineAmount,
            "--memo", "routine exchange top-up on start",
        ]), let id = out.split(separator: "\n").first(where: { $0.hasPrefix("request ") }).map({ String($0.dropFirst(8)) })
        else { return RoutineTransfer(problem: "the risk bot's request was not accepted; see the output above") }
        var last: RequestView? = nil
        for _ in 0..<900 {
            if let request: RequestView = await get(gateway, "/v1/requests/\(id)") {
                last = request
                if request.transaction?.status == "mined", let hash = request.transaction?.transactionHash {
                    return RoutineTransfer(request: id, transactionHash: hash)
                }
                if request.outcome != "allow" { return RoutineTransfer(request: id, problem: "the policy decided \(request.outcome)") }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return RoutineTransfer(request: id, problem: "not mined within 90 s (it is \(last?.transaction?.status ?? "not planned"); see \(layout.path("logs", "executor.log")))")
    }

    /// GET `path` on the gateway, decoded; nil on any failure.
    static func get<T: Decodable>(_ gateway: String, _ path: String) async -> T? {
        guard let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: gateway + path), timeout: .seconds(2)), response.status == .ok,
              let body = try? await response.body.collect(upTo: 4 << 20)
        else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(buffer: body))
    }
}
