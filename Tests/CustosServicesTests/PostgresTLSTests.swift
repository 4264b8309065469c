import CustosCore
import CustosGateway
import CustosTestSupport
import Foundation
import Logging
import Testing

/// The gateway's PostgreSQL connection over TLS, as an operator whose database is on another
/// host would set it up: a server that accepts TLS only, with a certificate from the firm's CA
/// (made here with the openssl command line). `verify-full` with that CA connects and works;
/// `verify-full` with another CA (a server in the middle presenting its own certificate) is
/// refused; a plain connection is refused by the server; `require` encrypts without checking.
@Suite(.exclusiveProcesses, .timeLimit(.minutes(3)))
struct PostgresTLSTests {
    @Test func verifyFullConnectsWithTheServersCAAndRefusesAnotherCA() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await Self.makeCertificates(in: folder)
        try await PostgresServer.with { server in
            try await server.createDatabase("gateway")
            try await server.requireTLS(certificate: folder.appendingPathComponent("server.crt"), key: folder.appendingPathComponent("server.key"))
            let location = PostgresLocation(host: "127.0.0.1", port: server.port, username: PostgresServer.superuser, database: "gateway")
            let logger = Logger(label: "test")

            let trusted = try await PostgresGatewayStore(
                location: location, password: nil, tls: .verifyFull(caFile: folder.appendingPathComponent("ca.crt").path), logger: logger)
            #expect(try await trusted.queuedCount() == 0)
            await trusted.close()

            let impostor = await #expect(throws: GatewayStoreError.self) {
                _ = try await PostgresGatewayStore(location: location, password: nil,
                                                   tls: .verifyFull(caFile: folder.appendingPathComponent("other-ca.crt").path), logger: logger)
            }
            #expect(impostor?.code == .unavailable, "\(String(describing: impostor))")
            #expect(impostor?.reason.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(impostor?.reason ?? "")")

            await #expect(throws: GatewayStoreError.self) {
                _ = try await PostgresGatewayStore(location: location, password: nil, tls: .disable, logger: logger)
            }

            let encrypted = try await PostgresGatewayStore(location: location, password: nil, tls: .require, logger: logger)
            #expect(try await encrypted.queuedCount() == 0)
            await encrypted.close()
        }
    }

    @Test func aMissingOrEmptyCAFileIsRefusedBeforeConnecting() async throws {
        let location = PostgresLocation(host: "127.0.0.1", port: 1, username: "custos", database: "gateway")
        let missing = await #expect(throws: GatewayStoreError.self) {
            _ = try await PostgresGatewayStore(location: location, password: nil, tls: .verifyFull(caFile: "/nonexistent/ca.crt"),
                                               logger: Logger(label: "test"))
        }
        #expect(missing?.code == .invalidLocation)
    }

    /// A CA, a server certificate it signs for IP 127.0.0.1, and an unrelated CA.
    static func makeCertificates(in folder: URL) async throws {
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        let caExtensions = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
        try Data("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n".utf8)
            .write(to: folder.appendingPathComponent("server.ext"))
        for ca in ["ca", "other-ca"] {
            try await openssl(["req", "-x509"] + ec + ["-keyout", path("\(ca).key"), "-out", path("\(ca).crt"), "-days", "2",
                                                       "-subj", "/CN=custos test \(ca)"] + caExtensions)
        }
        try await openssl(["req"] + ec + ["-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=127.0.0.1"])
        try await openssl(["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"), "-CAcreateserial",
                           "-out", path("server.crt"), "-days", "2", "-extfile", path("server.ext")])
    }

    static func openssl(_ arguments: [String]) async throws {
        try await Blocking.run {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            let errors = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            try process.run()
            let message = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw TestEnvironmentError("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
            }
        }
    }
}
