import AsyncHTTPClient
import CustosCore
import Foundation
import NIOSSL

/// Which certificates a node, a bot or the CLI accepts from a gateway served over HTTPS: the
/// system's trust roots, or — when the environment variable `CUSTOS_GATEWAY_CA` names a PEM file
/// — only the CA certificates in that file (a firm's private CA). Plain `http://` gateway URLs are
/// unaffected. A file that cannot be read or holds no certificate is an error naming the file:
/// a misconfigured trust never falls back to trusting more.
public enum GatewayTrust {
    public static let variable = "CUSTOS_GATEWAY_CA"

    /// The HTTP client configuration for talking to gateways, as the environment says.
    public static func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws(GatewayTrustError) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        guard let file = environment[variable], !file.isEmpty else { return configuration }
        let roots: [NIOSSLCertificate]
        do { roots = try NIOSSLCertificate.fromPEMFile(file) } catch {
            throw GatewayTrustError(.unreadableAuthority, "\(variable)=\(file.printable(limit: 256)) holds no PEM certificate: \(error)")
        }
        guard !roots.isEmpty else { throw GatewayTrustError(.unreadableAuthority, "\(variable)=\(file.printable(limit: 256)) holds no certificate") }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.trustRoots = .certificates(roots)
        tls.certificateVerification = .fullVerification
        configuration.tlsConfiguration = tls
        return configuration
    }
}
