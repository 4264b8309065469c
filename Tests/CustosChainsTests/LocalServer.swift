import CustosCore
import CustosTestSupport
import Foundation

/// A Python server started for one test (the local chain or the misbehaving endpoint). It
/// announces its port as a JSON line on stdout; it stops when we close its stdin (our
/// lease) or terminate it, and `stop()` waits for it to exit.
final class LocalServer: @unchecked Sendable {
    // @unchecked: `process` and the pipes are set in init and only used by the owning test.
    let port: Int
    let announcement: [String: JSONAny]
    private let process: Process
    private let stdin: Pipe

    struct JSONAny: Decodable {
        let int: Int?
        init(from decoder: any Decoder) throws {
            int = try? decoder.singleValueContainer().decode(Int.self)
        }
    }

    init(script: URL, arguments: [String] = [], startupTimeout: TimeInterval = 120) throws {
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

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { stop() }

    static func devnet() throws -> LocalServer {
        try LocalServer(script: TestEnvironment.packageRoot.appendingPathComponent("scripts/evm-devnet.py"))
    }

    static func misbehaving() throws -> LocalServer {
        try LocalServer(script: TestEnvironment.packageRoot.appendingPathComponent("Tests/python/rpc_misbehaving.py"))
    }
}
