import ArgumentParser
import CustosClusterAPI
import CustosCore
import CustosGateway
import CustosLedger
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `custos gateway`: the sequencer and HTTP API on 127.0.0.1, storing in SQLite under the data
/// folder, or in PostgreSQL (`--database postgres://…`) for several gateways sharing one
/// database. Holds no secret; a database password comes from a file, never the URL or the
/// environment, and is never printed.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gateway", abstract: "Run the gateway (loopback only).")

    @Option(help: "The gateway's data folder (created if missing).") var data: String
    @Option(help: "The cluster file (JSON, public data).") var cluster: String
    @Option(help: "The address to listen on: 127.0.0.1 (the default) or localhost for plain HTTP; any other needs --tls-certificate and --tls-key.")
    var host: String = "127.0.0.1"
    @Option(help: "TCP port; 0 picks a free one.") var port: Int = 8080
    @Option(help: "Serve HTTPS with this certificate chain (PEM, the gateway's certificate first).") var tlsCertificate: String?
    @Option(help: "The private key (PEM) of --tls-certificate.") var tlsKey: String?
    @Option(help: "Write the bound port to this file once listening.") var portFile: String?
    @Option(help: "Store in PostgreSQL instead of SQLite in the data folder: postgres://USER@HOST:PORT/DATABASE (no password in it).")
    var database: String?
    @Option(help: "A file holding the PostgreSQL password (first line), if the server asks for one.") var databasePasswordFile: String?
    @Option(help: "TLS to PostgreSQL: disable, require (encrypted, certificate not checked) or verify-full (chain checked against --database-ca, name against the URL's host).")
    var databaseTls: String = "disable"
    @Option(help: "The CA certificates (PEM) that sign the PostgreSQL server's certificate, for --database-tls verify-full.")
    var databaseCa: String?
    @Option(help: "Entries one signer (bot, person, member) may have queued; more get 429 with Retry-After.")
    var queuePerSigner: Int = GatewayQueueBounds.standard.perSigner
    @Option(help: "Entries the queue may hold in all; more get 503 with Retry-After.")
    var queueTotal: Int = GatewayQueueBounds.standard.total
    @Option(help: "Seconds the MPC relay keeps a message its recipient has not taken (the longest a session runs).")
    var relayTtl: UInt64 = RelayLimits().timeToLive / 1000
    @Option(help: "A chain's JSON-RPC endpoint, [ENVIRONMENT:]CHAIN=URL, through which GET /v1/vaults/{id}/balances reads balances of the vaults of ENVIRONMENT (of every environment without one; labelled as read by the gateway, not verified by any node); repeatable.")
    var rpc: [String] = []
    @Option(help: .hidden) var unsafeTestEquivocateTo: String?
    @Flag(help: .hidden) var unsafeTestQueueUnchecked = false
    @Flag(help: .hidden) var unsafeTestConsoleAltersDisplay = false
    @Option(help: .hidden) var unsafeTestConsoleAltersCallTable: String?
    @Option(help: .hidden) var unsafeTestClockOffsetFile: String?
    /// Set by `custos dev up`: stop when that process is gone.
    @Option(help: .hidden) var parentPid: Int32?

    func run() async throws {
        ParentWatch.start(parent: parentPid)
        let logger = Logger(label: "custos.gateway")
        let configuration: ClusterConfiguration
        do { configuration = try ClusterFile.load(path: cluster) } catch { fail("\(error)") }
        guard queuePerSigner >= 1, queueTotal >= 1 else { fail("--queue-per-signer and --queue-total are at least 1") }
        if unsafeTestEquivocateTo != nil || unsafeTestQueueUnchecked || unsafeTestConsoleAltersDisplay || unsafeTestConsoleAltersCallTable != nil
            || unsafeTestClockOffsetFile != nil,
           configuration.isProduction {
            fail("fault injection is for tests; \(configuration.name) is a production cluster")
        }
        guard (1...604_800).contains(relayTtl) else { fail("--relay-ttl: 1 to 604800 seconds") }
        let listener: GatewayListener
        do { listener = try GatewayListener(host: host, port: port, certificateFile: tlsCertificate, keyFile: tlsKey) } catch { fail("\(error)") }
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let store: any GatewayStore
        var postgres: PostgresGatewayStore?
        if let database {
            let location: PostgresLocation
            do { location = try PostgresLocation(url: database) } catch { fail("--database: \(error)") }
            let password = databasePasswordFile.map(readDatabasePassword)
            let tls: PostgresTLS
            switch (databaseTls, databaseCa) {
            case ("disable", nil): tls = .disable
            case ("require", nil): tls = .require
            case ("verify-full", let ca?): tls = .verifyFull(caFile: ca)
            case ("verify-full", nil): fail("--database-tls verify-full needs --database-ca FILE")
            case ("disable", _?), ("require", _?): fail("--database-ca is for --database-tls verify-full")
            default: fail("--database-tls is disable, require or verify-full, not \(databaseTls.printable(limit: 32))")
            }
            do { postgres = try await PostgresGatewayStore(location: location, password: password, tls: tls, logger: logger) } catch {
                fail("\(error)")
            }
            store = postgres!
        } else {
            if databasePasswordFile != nil { fail("--database-password-file is for --database postgres://…; SQLite takes no password") }
            if databaseTls != "disable" || databaseCa != nil { fail("--database-tls and --database-ca are for --database postgres://…") }
            store = try SQLiteGatewayStore(path: (data as NSString).appendingPathComponent("gateway.sqlite"))
        }
        // Fault injection (hidden flags, tests only): show the named nodes a conflicting block once,
        // to test the nodes' alerts; queue entries unchecked, to test that nodes refuse them; show
        // approvers altered operations on the console, to test that nodes refuse their approvals;
        // show approvers a call table that the signed calldata contradicts, or a stylesheet that
        // draws a lie over it (named as GatewayFaultInjection.ConsoleTableLie names it), to test
        // the page's script and its confirmation.
        var tableLie: GatewayFaultInjection.ConsoleTableLie?
        if let lie = unsafeTestConsoleAltersCallTable {
            guard let known = GatewayFaultInjection.ConsoleTableLie(rawValue: lie) else {
                fail("--unsafe-test-console-alters-call-table is one of \(GatewayFaultInjection.ConsoleTableLie.allCases.map(\.rawValue).joined(separator: ", ")), not \(lie)")
            }
            tableLie = known
        }
        let faults = GatewayFaultInjection(equivocateTo: Set((unsafeTestEquivocateTo ?? "").split(separator: ",").map(String.init)),
                                           queuesUnchecked: unsafeTestQueueUnchecked,
                                           altersConsoleDisplay: unsafeTestConsoleAltersDisplay,
                                           consoleTableLie: tableLie,
                                           clockOffset: unsafeTestClockOffsetFile.map(UnsafeClockOffset.init(path:)))
        let gateway: Gateway
        do {
            gateway = try await Gateway(configuration: configuration, store: store, logger: logger,
                                        queueBounds: GatewayQueueBounds(perSigner: queuePerSigner, total: queueTotal),
                                        relayLimits: RelayLimits(timeToLive: relayTtl * 1000), faults: faults,
                                        chainEndpoints: chainEndpoints(rpc))
        } catch {
            await postgres?.close()
            fail("cannot start the gateway: \(error)")
        }
        let portFile = self.portFile
        let app = try GatewayApplication.make(gateway: gateway, listener: listener, logger: logger) { bound in
            logger.info("listening", metadata: ["url": "\(listener.scheme)://\(listener.host):\(bound)", "genesis": "\(configuration.genesisDigest.short)"])
            if let portFile { writePortFile(portFile, bound) }
        }
        // Shut down in reverse order: the gateway first releases its parked long polls, then the
        // HTTP server drains.
        let group = ServiceGroup(configuration: .init(services: [app, gateway], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do { try await group.run() } catch {
            await postgres?.close()
            throw error
        }
        await postgres?.close()
    }

    /// The first line of the password file; errors name the file, never its content.
    private func readDatabasePassword(_ path: String) -> String {
        guard let bytes = FileManager.default.contents(atPath: path) else { fail("cannot read the database password file \(path)") }
        guard let text = String(bytes: bytes, encoding: .utf8) else { fail("the database password file \(path) is not UTF-8 text") }
        let password = String(text.prefix { $0 != "\n" && $0 != "\r" })
        guard !password.isEmpty else { fail("the database password file \(path) is empty") }
        return password
    }
}
