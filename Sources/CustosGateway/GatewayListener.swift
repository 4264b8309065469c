import CustosCore
import NIOSSL

/// Where and how the gateway serves its API and console: on a loopback address over plain HTTP
/// (development, and production behind nothing but the host), or over HTTPS with a certificate
/// chain and key read from PEM files — the only way it listens on any other address, since
/// WebAuthn, the session cookies and the nodes' traffic need the transport protected.
public struct GatewayListener: Sendable {
    public let host: String
    public let port: Int
    /// The server's TLS configuration; nil for plain HTTP.
    public let tls: TLSConfiguration?

    /// Plain HTTP on 127.0.0.1.
    public static func loopback(port: Int) -> GatewayListener { GatewayListener(host: "127.0.0.1", port: port, tls: nil) }

    private init(host: String, port: Int, tls: TLSConfiguration?) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// A listener on `host`:`port`, over HTTPS when `certificateFile` (the PEM chain, leaf first)
    /// and `keyFile` (its PEM private key) are given. Refused: one file without the other, a
    /// file that holds no certificate or key, a key that does not match the certificate, and
    /// plain HTTP on an address other than loopback. Errors name the file, never its content.
    public init(host: String, port: Int, certificateFile: String?, keyFile: String?) throws(GatewayListenerError) {
        guard (0...65_535).contains(port) else { throw GatewayListenerError(.invalidAddress, "port \(port) is not in 0…65535") }
        switch (certificateFile, keyFile) {
        case (nil, nil):
            guard Self.isLoopback(host) else {
                throw GatewayListenerError(.plainHTTPBeyondLoopback,
                                           "the gateway serves plain HTTP only on 127.0.0.1, ::1 or localhost, not on \(host.printable(limit: 64)); give --tls-certificate and --tls-key to serve HTTPS")
            }
            self.init(host: host, port: port, tls: nil)
        case (let certificateFile?, let keyFile?):
            let chain: [NIOSSLCertificate]
            do { chain = try NIOSSLCertificate.fromPEMFile(certificateFile) } catch {
                throw GatewayListenerError(.unreadableCertificate, "the TLS certificate file \(certificateFile.printable(limit: 256)) holds no PEM certificate: \(error)")
            }
            guard !chain.isEmpty else {
                throw GatewayListenerError(.unreadableCertificate, "the TLS certificate file \(certificateFile.printable(limit: 256)) holds no certificate")
            }
            let key: NIOSSLPrivateKey
            // The key's own parsing error could quote it; only the file is named.
            do { key = try NIOSSLPrivateKey(file: keyFile, format: .pem) } catch {
                throw GatewayListenerError(.unreadableKey, "the TLS key file \(keyFile.printable(limit: 256)) holds no PEM private key this gateway can use")
            }
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            tls.minimumTLSVersion = .tlsv12
            // A key that is not the certificate's fails here, at start, not at the first client.
            do { _ = try NIOSSLContext(configuration: tls) } catch {
                throw GatewayListenerError(.unreadableKey, "the TLS key in \(keyFile.printable(limit: 256)) does not belong to the certificate in \(certificateFile.printable(limit: 256)), or TLS cannot be set up with them")
            }
            self.init(host: host, port: port, tls: tls)
        default:
            throw GatewayListenerError(.invalidAddress, "HTTPS needs both --tls-certificate and --tls-key")
        }
    }

    /// The scheme clients use.
    public var scheme: String { tls == nil ? "http" : "https" }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.") && host.split(separator: ".").count == 4
            && host.split(separator: ".").allSatisfy { UInt8($0) != nil }
    }
}
