import CustosCore
import Foundation

/// A throwaway PostgreSQL server from Debian's packages (`/usr/lib/postgresql/*/bin`) for tests:
/// `initdb` into a new temporary folder, `postgres` listening on 127.0.0.1 only, on a free port,
/// its unix socket inside that folder, trust authentication for 127.0.0.1 only. PostgreSQL
/// refuses to run as root, so as root it runs as the unprivileged system user `custos-pg`
/// (created with `useradd --system` if missing) through `runuser`; otherwise as the current
/// user. Use `PostgresServer.with { … }`, which stops the server (`pg_ctl stop -m fast`) and
/// removes the folder however the body ends. The Debian package's own cluster is not used.
///
/// What it leaves: the system user `custos-pg` stays once created (no home, no login shell, no
/// password, owning nothing after the folders are removed), so the next run finds it; remove
/// it with `userdel custos-pg` when no test runs. A test process killed by a signal leaves its
/// `$TMPDIR/custos-pg-*` folders (and may leave a `postgres` child running as `custos-pg`).
public final class PostgresServer: @unchecked Sendable {
    // @unchecked: every stored property is a constant; `postmaster` is only waited on and signalled.
    /// The superuser role `initdb` creates; it logs in without a password from 127.0.0.1.
    public static let superuser = "custos"
    public static let systemUser = "custos-pg"

    public let port: Int
    public let folder: URL
    private let binaries: URL
    private let runAs: String?
    /// The server process, a child of the test process (through `runuser` as root): started in
    /// the foreground rather than by `pg_ctl start`, whose daemon would keep the descriptor
    /// Foundation watches to see a child exit, so `pg_ctl` would never be seen to finish.
    private let postmaster: Process

    /// Starts a server, runs `body`, and stops the server and removes its folder afterwards,
    /// also when `body` throws. Starting and stopping wait off the cooperative pool (see
    /// `Blocking`).
    public static func with<T>(_ body: (PostgresServer) async throws -> T) async throws -> T {
        let server = try await Blocking.run { try PostgresServer() }
        do {
            let result = try await body(server)
            await server.stopped()
            return result
        } catch {
            await server.stopped()
            throw error
        }
    }

    private func stopped() async {
        _ = try? await Blocking.run { self.stop() }
    }

    private init() throws {
        let binaries = try Self.findBinaries()
        let runAs = getuid() == 0 ? try Self.ensureSystemUser() : nil
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-pg-\(UUID().uuidString)")
        let dataPath = folder.appendingPathComponent("data").path
        self.binaries = binaries
        self.runAs = runAs
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        func run(_ program: String, _ arguments: [String]) throws {
            try Self.run(program, arguments, binaries: binaries, runAs: runAs, folder: folder)
        }
        var started: (port: Int, process: Process)?
        do {
            if let runAs { try Self.run("/usr/bin/chown", [runAs, folder.path]) }
            try run("initdb", ["-D", dataPath, "-U", Self.superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
            try Self.writeAuthentication(dataPath: dataPath, runAs: runAs, passwordRoles: [])
            // A port picked free can be taken before postgres binds it: try a few.
            var lastError: (any Error)?
            for _ in 0..<5 where started == nil {
                let candidate = try Self.freePort()
                do {
                    started = (candidate, try Self.startPostmaster(port: candidate, binaries: binaries, runAs: runAs, folder: folder))
                } catch { lastError = error }
            }
            guard let started else {
                throw TestEnvironmentError("PostgreSQL did not start: \(lastError.map { "\($0)" } ?? "")")
            }
            port = started.port
            postmaster = started.process
        } catch {
            if let started { Self.stop(started.process, binaries: binaries, runAs: runAs, folder: folder) }
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    private var dataPath: String { folder.appendingPathComponent("data").path }

    /// `postgres://custos@127.0.0.1:PORT/DATABASE`.
    public func url(database: String) -> String { "postgres://\(Self.superuser)@127.0.0.1:\(port)/\(database)" }

    /// Creates a database and returns its URL.
    @discardableResult
    public func createDatabase(_ name: String) async throws -> String {
        try await Blocking.run { _ = try self.run("createdb", ["-h", "127.0.0.1", "-p", "\(self.port)", "-U", Self.superuser, name]) }
        return url(database: name)
    }

    /// Runs SQL through `psql` against `database`, stopping at the first error; returns its
    /// unaligned, tuples-only output.
    @discardableResult
    public func psql(_ sql: String, database: String) async throws -> String {
        try await Blocking.run { try self.psqlBlocking(sql, database: database) }
    }

    @discardableResult
    private func psqlBlocking(_ sql: String, database: String) throws -> String {
        try run("psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", Self.superuser, "-d", database, "-v", "ON_ERROR_STOP=1",
                         "-X", "-q", "-A", "-t", "-c", sql])
    }

    /// Creates a login role that must give `password` (SCRAM-SHA-256) and may create tables in
    /// `database`; everyone else keeps trust from 127.0.0.1.
    public func requirePassword(role: String, password: String, database: String) async throws {
        try await Blocking.run { try self.requirePasswordBlocking(role: role, password: password, database: database) }
    }

    private func requirePasswordBlocking(role: String, password: String, database: String) throws {
        try psqlBlocking("CREATE ROLE \(role) LOGIN PASSWORD '\(password)'; GRANT ALL ON SCHEMA public TO \(role);", database: database)
        try Self.writeAuthentication(dataPath: dataPath, runAs: runAs, passwordRoles: [role])
        try run("pg_ctl", ["-D", dataPath, "reload"])
        // reload signals the server; give it a moment to read the file again.
        for _ in 0..<50 {
            if (try? run("psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", role, "-d", database, "-w", "-X", "-c", "SELECT 1"])) == nil { return }
            usleep(100_000)
        }
        throw TestEnvironmentError("the server still lets \(role) in without a password")
    }

    /// Makes the server speak TLS with `certificate` and `key` (PEM files, copied into its
    /// folder) and refuse every connection that is not TLS, then waits (bounded) until a plain
    /// connection is refused.
    public func requireTLS(certificate: URL, key: URL) async throws {
        try await Blocking.run { try self.requireTLSBlocking(certificate: certificate, key: key) }
    }

    private func requireTLSBlocking(certificate: URL, key: URL) throws {
        let data = dataPath
        for (source, name) in [(certificate, "server.crt"), (key, "server.key")] {
            let target = data + "/" + name
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: source.path, toPath: target)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
            if let runAs { try Self.run("/usr/bin/chown", ["\(runAs):", target]) }
        }
        try psqlBlocking("ALTER SYSTEM SET ssl = on", database: "postgres")
        let hba = data + "/pg_hba.conf"
        try Data("hostssl all all 127.0.0.1/32 trust\n".utf8).write(to: URL(fileURLWithPath: hba))
        if let runAs { try Self.run("/usr/bin/chown", ["\(runAs):", hba]) }
        try run("pg_ctl", ["-D", data, "reload"])
        // reload signals the server; give it a moment to read its configuration again.
        for _ in 0..<50 {
            let plain = "host=127.0.0.1 port=\(port) user=\(Self.superuser) dbname=postgres sslmode=disable"
            if (try? run("psql", [plain, "-w", "-X", "-c", "SELECT 1"])) == nil { return }
            usleep(100_000)
        }
        throw TestEnvironmentError("the server still lets plain connections in; log: \(log.suffix(2000))")
    }

    /// pg_hba.conf: 127.0.0.1 only — with a password for `passwordRoles`, trust for the rest —
    /// and no unix-socket or other-address logins at all.
    private static func writeAuthentication(dataPath: String, runAs: String?, passwordRoles: [String]) throws {
        let lines = passwordRoles.map { "host all \($0) 127.0.0.1/32 scram-sha-256\n" } + ["host all all 127.0.0.1/32 trust\n"]
        let path = dataPath + "/pg_hba.conf"
        try Data(lines.joined().utf8).write(to: URL(fileURLWithPath: path))
        if let runAs { try Self.run("/usr/bin/chown", ["\(runAs):", path]) }
    }

    /// The server's log, for failure messages.
    public var log: String {
        (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
    }

    /// Stops the server (fast shutdown) and removes its folder.
    public func stop() {
        Self.stop(postmaster, binaries: binaries, runAs: runAs, folder: folder)
        try? FileManager.default.removeItem(at: folder)
    }

    /// Starts `postgres` on 127.0.0.1:`port` with its socket in `folder`, logging to
    /// `server.log`, and waits (bounded) until it accepts connections.
    private static func startPostmaster(port: Int, binaries: URL, runAs: String?, folder: URL) throws -> Process {
        let log = folder.appendingPathComponent("server.log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        let postgres = binaries.appendingPathComponent("postgres").path
        let arguments = ["-D", folder.appendingPathComponent("data").path, "-c", "listen_addresses=127.0.0.1", "-p", "\(port)",
                         "-k", folder.path]
        let process = Process()
        if let runAs {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", runAs, "--", postgres] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: postgres)
            process.arguments = arguments
        }
        process.currentDirectoryURL = folder
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        for _ in 0..<600 {
            guard process.isRunning else {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw TestEnvironmentError("postgres exited with \(process.terminationStatus): \(text.suffix(2000))")
            }
            if (try? run("pg_isready", ["-h", "127.0.0.1", "-p", "\(port)", "-U", superuser, "-t", "1"],
                         binaries: binaries, runAs: runAs, folder: folder)) != nil { return process }
            usleep(100_000)
        }
        stop(process, binaries: binaries, runAs: runAs, folder: folder)
        throw TestEnvironmentError("postgres did not accept connections on 127.0.0.1:\(port) within a minute")
    }

    /// `pg_ctl stop -m fast`, waits (bounded) for the server process to end, and kills it if it
    /// does not.
    private static func stop(_ process: Process, binaries: URL, runAs: String?, folder: URL) {
        let data = folder.appendingPathComponent("data").path
        _ = try? run("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "30", "stop"], binaries: binaries, runAs: runAs, folder: folder)
        for _ in 0..<300 where process.isRunning { usleep(100_000) }
        if process.isRunning {
            _ = try? run("pg_ctl", ["-D", data, "-m", "immediate", "stop"], binaries: binaries, runAs: runAs, folder: folder)
            for _ in 0..<100 where process.isRunning { usleep(100_000) }
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    // MARK: Helpers

    /// Runs one of the server's programs, as the server's user.
    @discardableResult
    private func run(_ program: String, _ arguments: [String]) throws -> String {
        try Self.run(program, arguments, binaries: binaries, runAs: runAs, folder: folder)
    }

    @discardableResult
    private static func run(_ program: String, _ arguments: [String], binaries: URL, runAs: String?, folder: URL) throws -> String {
        let path = binaries.appendingPathComponent(program).path
        if let runAs { return try run("/usr/sbin/runuser", ["-u", runAs, "--", path] + arguments, in: folder) }
        return try run(path, arguments, in: folder)
    }

    /// The newest `/usr/lib/postgresql/<version>/bin` that holds initdb and pg_ctl.
    private static func findBinaries() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).compactMap(Int.init).sorted()
        for version in versions.reversed() {
            let bin = root.appendingPathComponent("\(version)/bin")
            if ["initdb", "pg_ctl", "postgres", "pg_isready", "createdb", "psql"].allSatisfy({
                FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent($0).path)
            }) { return bin }
        }
        throw TestEnvironmentError("no PostgreSQL server under /usr/lib/postgresql/*/bin; run scripts/install-deps.sh (Debian package postgresql)")
    }

    /// The unprivileged system user the server runs as when the tests run as root. Made under an
    /// exclusive lock on a file that every test process (and every test in one) opens: two
    /// `useradd` running at once on a fresh machine rewrite /etc/passwd under each other, and an
    /// `initdb` started meanwhile found no user for its uid.
    private static func ensureSystemUser() throws -> String {
        let lock = open("/tmp/custos-pg-user.lock", O_CREAT | O_RDWR, 0o600)
        guard lock >= 0 else { throw TestEnvironmentError("cannot open /tmp/custos-pg-user.lock: errno \(errno)") }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw TestEnvironmentError("cannot lock /tmp/custos-pg-user.lock: errno \(errno)") }
        }
        defer { flock(lock, LOCK_UN) }
        if (try? run("/usr/bin/id", ["-u", systemUser])) != nil { return systemUser }
        do {
            try run("/usr/sbin/useradd", ["--system", "--no-create-home", "--home-dir", "/nonexistent",
                                          "--shell", "/usr/sbin/nologin", systemUser])
        } catch {
            // Another test process may have created it meanwhile.
            guard (try? run("/usr/bin/id", ["-u", systemUser])) != nil else { throw error }
        }
        return systemUser
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestEnvironmentError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestEnvironmentError("bind(127.0.0.1:0) failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw TestEnvironmentError("getsockname failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a program and waits; a non-zero exit is an error carrying its output. Output goes
    /// to a temporary file rather than a pipe: reads of a pipe can be interrupted by the many
    /// SIGCHLDs of these tests, which Foundation's FileHandle does not survive.
    @discardableResult
    private static func run(_ path: String, _ arguments: [String], in directory: URL? = nil) throws -> String {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("custos-pg-run-\(UUID().uuidString).out")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw TestEnvironmentError("cannot create \(outputURL.path)")
        }
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw TestEnvironmentError("\((path as NSString).lastPathComponent) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(text)")
        }
        return text
    }
}
