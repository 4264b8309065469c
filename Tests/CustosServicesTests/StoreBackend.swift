import CustosGateway
import CustosTestSupport
import Foundation
import Logging
import Testing

/// The gateway's two store backends; suites that take one as an argument run once on each.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// One database of a backend, opened as several independent store handles (as several gateways
/// or restarts would): a temporary SQLite file, or a database on a throwaway PostgreSQL server.
final class SharedDatabase: @unchecked Sendable {
    // @unchecked: used from the single test task that owns it.
    let backend: StoreBackend
    /// `--database` for `custos gateway`: nil for SQLite (the data folder's default).
    let url: String?
    let server: PostgresServer?
    let sqlitePath: String
    private var opened: [PostgresGatewayStore] = []

    private init(backend: StoreBackend, url: String?, server: PostgresServer?, sqlitePath: String) {
        self.backend = backend
        self.url = url
        self.server = server
        self.sqlitePath = sqlitePath
    }

    /// Runs `body` with a fresh database of `backend`; closes every handle, stops the server and
    /// removes the files afterwards, also when `body` throws.
    static func with<T>(_ backend: StoreBackend, _ body: (SharedDatabase) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("custos-gateway-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        switch backend {
        case .sqlite:
            return try await run(SharedDatabase(backend: backend, url: nil, server: nil, sqlitePath: path), body)
        case .postgres:
            return try await PostgresServer.with { server in
                let url = try await server.createDatabase("gateway")
                return try await run(SharedDatabase(backend: backend, url: url, server: server, sqlitePath: path), body)
            }
        }
    }

    private static func run<T>(_ database: SharedDatabase, _ body: (SharedDatabase) async throws -> T) async throws -> T {
        do {
            let result = try await body(database)
            await database.closeAll()
            return result
        } catch {
            await database.closeAll()
            throw error
        }
    }

    /// A new, independent handle on the database.
    func open() async throws -> any GatewayStore {
        switch backend {
        case .sqlite:
            return try SQLiteGatewayStore(path: sqlitePath)
        case .postgres:
            let store = try await PostgresGatewayStore(location: try PostgresLocation(url: url ?? ""), password: nil,
                                                       logger: Logger(label: "test"))
            opened.append(store)
            return store
        }
    }

    func closeAll() async {
        for store in opened { await store.close() }
        opened = []
    }
}
