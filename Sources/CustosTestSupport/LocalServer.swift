import CustosCore
import Foundation

/// A Python server started for one test (the local chain or the misbehaving endpoint). It
/// announces its port as a JSON line on stdout; it stops when we close its stdin (our
/// lease) or terminate it, and `stop()` waits for it to exit.
public final class LocalServer: @unchecked Sendable {
    // @unchecked: `process` and the pipes are set in init and only used by the owning test.
    public let port: Int
    public let announcement: [String: JSONAny]
    private let process: Process
    private let stdin: Pipe

    public struct JSONAny: Decodable, Sendable {
        public let int: Int?
        public init(from decoder: any Decoder) throws {
            int = try? decoder.singleValueContainer().decode(Int.self)
        }
    }

    public init(script: URL, arguments: [String] = [], startupTimeout: TimeInterval = 120) throws {
        let process = Process()
        process.executableURL = PythonPeer.interpreter
        guard FileManager.default.isExecutableFile(atPath: PythonPeer.interpreter.path) else {
            throw TestEnvironmentError("no Python test environment; run scripts/install-deps.sh")
        }
        process.arguments = [script.path] + arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Watchdog: a server that never announces itself is killed, which ends our read.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + startupTimeout, execute: watchdog)
        var line = Data()
        let reader = stdout.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        watchdog.cancel()
        guard let end = line.firstIndex(of: UInt8(ascii: "\n")),
              let announcement = try? JSONDecoder().decode([String: JSONAny].self, from: line[..<end]),
              let port = announcement["port"]?.int
        else {
            process.terminate()
            process.waitUntilExit()
            throw TestEnvironmentError("\(script.lastPathComponent) did not start: \(String(decoding: line, as: UTF8.self))")
        }
        self.process = process
        self.stdin = stdin
        self.port = port
        self.announcement = announcement
    }

    public var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    public func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { stop() }

    public static func devnet() throws -> LocalServer {
        try LocalServer(script: TestEnvironment.packageRoot.appendingPathComponent("scripts/evm-devnet.py"))
    }

    /// The webhook receiver (`Tests/python/webhook_receiver.py`), checking signatures under
    /// the secret in `secretFile` (one file for every node, or a folder of NODE.secret files,
    /// one per node) and answering 503 to the first `failFirst` posts.
    public static func webhookReceiver(secretFile: String, failFirst: Int = 0) throws -> LocalServer {
        try LocalServer(script: TestEnvironment.packageRoot.appendingPathComponent("Tests/python/webhook_receiver.py"),
                        arguments: [secretFile, String(failFirst)])
    }

    public static func misbehaving() throws -> LocalServer {
        try LocalServer(script: TestEnvironment.packageRoot.appendingPathComponent("Tests/python/rpc_misbehaving.py"))
    }
}
