import ArgumentParser
import CustosClusterAPI
import CustosGateway
import CustosLedger
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `custos gateway`: the sequencer and HTTP API on 127.0.0.1, storing in SQLite under the data
/// folder. Holds no secret.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gateway", abstract: "Run the gateway (loopback only).")

    @Option(help: "The gateway's data folder (created if missing).") var data: String
    @Option(help: "The cluster file (JSON, public data).") var cluster: String
    @Option(help: "TCP port on 127.0.0.1; 0 picks a free one.") var port: Int = 8080
    @Option(help: "Write the bound port to this file once listening.") var portFile: String?
    @Option(help: .hidden) var unsafeTestEquivocateTo: String?

    func run() async throws {
        let logger = Logger(label: "custos.gateway")
        let configuration: ClusterConfiguration
        do { configuration = try ClusterFile.load(path: cluster) } catch { fail("\(error)") }
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let database = try GatewayDatabase(path: (data as NSString).appendingPathComponent("gateway.sqlite"))
        // TEST HOOK (hidden): show the named nodes a conflicting block once, to test the nodes' alerts.
        let equivocateTo = Set((unsafeTestEquivocateTo ?? "").split(separator: ",").map(String.init))
        let gateway = try Gateway(configuration: configuration, database: database, logger: logger, unsafeEquivocateTo: equivocateTo)
        let portFile = self.portFile
        let app = GatewayApplication.make(gateway: gateway, port: port, logger: logger) { bound in
            logger.info("listening", metadata: ["address": "127.0.0.1:\(bound)", "genesis": "\(configuration.genesisDigest.short)"])
            if let portFile {
                let temporary = portFile + ".tmp"
                _ = FileManager.default.createFile(atPath: temporary, contents: Data("\(bound)\n".utf8))
                // rename(2) is atomic: a reader sees no file or the whole port.
                _ = rename(temporary, portFile)
            }
        }
        // Shut down in reverse order: the gateway first releases its parked long polls, then the
        // HTTP server drains.
        let group = ServiceGroup(configuration: .init(services: [app, gateway], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
