import CustosCore
import Foundation

/// Where the gateway's PostgreSQL database is, from `postgres://USER@HOST[:PORT]/DATABASE`
/// (`postgresql://` too). A URL carrying a password is refused — the password comes from a file
/// (`--database-password-file`) — and no error repeats the URL, so none can leak one.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let username: String
    public let database: String

    public init(host: String, port: Int = 5432, username: String, database: String) {
        self.host = host
        self.port = port
        self.username = username
        self.database = database
    }

    public init(url text: String) throws(GatewayStoreError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw GatewayStoreError(.invalidLocation, "the database URL is not a URL; expected postgres://USER@HOST:PORT/DATABASE")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw GatewayStoreError(.invalidLocation, "the database URL's scheme is \"\(scheme.prefix(20))\"; expected postgres://USER@HOST:PORT/DATABASE")
        }
        guard components.password == nil else {
            throw GatewayStoreError(.invalidLocation, "the database URL carries a password; put it in a file and pass --database-password-file")
        }
        guard let username = components.user, !username.isEmpty else {
            throw GatewayStoreError(.invalidLocation, "the database URL names no user; expected postgres://USER@HOST:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else {
            throw GatewayStoreError(.invalidLocation, "the database URL names no host; expected postgres://USER@HOST:PORT/DATABASE")
        }
        if let port = components.port, !(1...65_535).contains(port) {
            throw GatewayStoreError(.invalidLocation, "the database URL's port \(port) is not between 1 and 65535")
        }
        let database = String(components.path.dropFirst())
        guard components.path.hasPrefix("/"), !database.isEmpty, !database.contains("/") else {
            throw GatewayStoreError(.invalidLocation, "the database URL names no database; expected postgres://USER@HOST:PORT/DATABASE")
        }
        guard components.query == nil, components.fragment == nil else {
            throw GatewayStoreError(.invalidLocation, "the database URL has parameters (?… or #…), which the gateway does not take")
        }
        self.init(host: host, port: components.port ?? 5432, username: username, database: database)
    }

    /// The URL without a password (there never is one).
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(username)@\(shownHost):\(port)/\(database)"
    }
}
