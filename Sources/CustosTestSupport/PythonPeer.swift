import CustosCore
import Foundation

/// Runs an independent implementation written in Python (a script in `Tests/python`, run by
/// the `.venv` interpreter) as a test peer: JSON in on standard input, JSON out on standard
/// output. A missing venv or a failing script is an error naming the script and its stderr,
/// so a cross-check can never pass by not running.
public enum PythonPeer {
    public static var interpreter: URL {
        if let override = ProcessInfo.processInfo.environment["CUSTOS_TEST_PYTHON"] {
            return URL(fileURLWithPath: override)
        }
        return TestEnvironment.packageRoot.appendingPathComponent(".venv/bin/python")
    }

    /// Runs `Tests/python/<script>` with `input` as its standard input and returns its
    /// standard output. The wait happens off the cooperative pool (see `Blocking`).
    public static func run(_ script: String, input: Data) async throws -> Data {
        try await Blocking.run { try runBlocking(script, input: input) }
    }

    private static func runBlocking(_ script: String, input: Data) throws -> Data {
        let python = interpreter
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw TestEnvironmentError(
                "no Python test environment at \(python.path); run scripts/install-deps.sh")
        }
        let scriptURL = TestEnvironment.packageRoot.appendingPathComponent("Tests/python/\(script)")
        let process = Process()
        process.executableURL = python
        process.arguments = [scriptURL.path]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Write and read concurrently so that large payloads cannot deadlock on full pipes.
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errors = PipeReader(stderr.fileHandleForReading)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestEnvironmentError(
                "\(script) exited with \(process.terminationStatus): \(errors.text())")
        }
        return output
    }

    /// Encodes `request` as JSON, runs the script, and decodes its JSON answer.
    public static func call<Request: Encodable, Response: Decodable>(
        _ script: String, _ request: Request, as: Response.Type = Response.self
    ) async throws -> Response {
        let data = try await run(script, input: JSONEncoder().encode(request))
        return try JSONDecoder().decode(Response.self, from: data)
    }
}
