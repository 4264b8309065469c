import CustosCore
import NIOSSL
import PostgresNIO

/// How the gateway's connection to PostgreSQL is protected (`--database-tls`), after libpq's
/// `sslmode` values of the same names.
public enum PostgresTLS: Sendable, Hashable {
    /// Plain TCP: for a database on the same host or a private network only.
    case disable
    /// TLS required, the server's certificate not checked: stops a passive listener, not an
    /// active one.
    case require
    /// TLS required, the server's certificate chain verified against the CA certificates in
    /// `caFile` (PEM) and its name checked against the host of the database URL (an IP address
    /// against the certificate's IP SANs).
    case verifyFull(caFile: String)

    /// The connection's TLS mode: TLS is required in both TLS modes (a server that offers none
    /// is refused).
    func configuration() throws(GatewayStoreError) -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        switch self {
        case .disable:
            return .disable
        case .require:
            tls.certificateVerification = .none
        case .verifyFull(let caFile):
            let roots: [NIOSSLCertificate]
            do { roots = try NIOSSLCertificate.fromPEMFile(caFile) } catch {
                throw GatewayStoreError(.invalidLocation, "the PostgreSQL CA file \(caFile) holds no PEM certificate: \(error)")
            }
            guard !roots.isEmpty else { throw GatewayStoreError(.invalidLocation, "the PostgreSQL CA file \(caFile) holds no certificate") }
            tls.trustRoots = .certificates(roots)
            tls.certificateVerification = .fullVerification
        }
        do { return .require(try NIOSSLContext(configuration: tls)) } catch {
            throw GatewayStoreError(.invalidLocation, "cannot set up TLS for PostgreSQL: \(error)")
        }
    }
}
