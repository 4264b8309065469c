import CustosCore
import Foundation

/// The built `custos` executable, as operators run it, for tests of the command line and of
/// real processes: `$CUSTOS_BINARY`; else `custos` next to the running test bundle (whatever the
/// scratch path); else `.build/debug/custos` under the package root.
public enum CustosExecutable {
    public static var url: URL {
        if let path = ProcessInfo.processInfo.environment["CUSTOS_BINARY"] { return URL(fileURLWithPath: path) }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("custos")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return TestEnvironment.packageRoot.appendingPathComponent(".build/debug/custos")
    }

    public struct Outcome: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs `custos arguments…` in the package root and waits for it (off the cooperative pool).
    public static func run(_ arguments: [String]) async throws -> Outcome {
        let binary = url
        return try await Blocking.run { try runBlocking(binary, arguments) }
    }

    private static func runBlocking(_ binary: URL, _ arguments: [String]) throws -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestEnvironmentError("no custos executable at \(binary.path); run swift build first or set CUSTOS_BINARY")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = TestEnvironment.packageRoot
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errors = PipeReader(err.fileHandleForReading)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: errors.text())
    }
}
