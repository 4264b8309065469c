import CustosCore
import Foundation
import Synchronization

/// Runs an independent implementation written in Python (a script in `Tests/python`, run by
/// the `.venv` interpreter) as a test peer: JSON in on standard input, JSON out on standard
/// output. A missing venv or a failing script is an error naming the script and its stderr,
/// so a cross-check can never pass by not running.
///
/// The scripts run in interpreters this process keeps (`Tests/python/peer_host.py`, one per
/// call running at once), each script as its own `__main__` with its own standard streams: an
/// interpreter's start with eth-account imported takes about 1.5 s, which the end-to-end
/// suites paid at every signature they checked. The scripts that drive a terminal or a browser
/// (`ownProcess`) still get a process of their own.
public enum PythonPeer {
    /// Scripts run as a process of their own: they start sessions, terminals or browsers.
    static let ownProcess: Set<String> = ["console_browser.py", "terminal_passphrase.py"]
    /// Interpreters running `peer_host.py` that no call is using.
    private static let idle = Mutex<[Host]>([])

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
        if ownProcess.contains(script) { return try runInOwnProcess(script, input: input, python: python) }
        // A host that ended while idle is not written to (SIGPIPE would end the test process).
        let kept = idle.withLock { hosts -> Host? in
            hosts.removeAll { !$0.isRunning }
            return hosts.popLast()
        }
        let host = try kept ?? Host(python: python)
        let answer: Host.Answer
        do {
            answer = try host.run(script, input: input)
        } catch {
            host.stop()
            throw error
        }
        // A script that failed may have left its interpreter in any state: it is not reused.
        guard answer.status == 0 else {
            host.stop()
            throw TestEnvironmentError("\(script) exited with \(answer.status): \(answer.errors)")
        }
        idle.withLock { $0.append(host) }
        return answer.output
    }

    private static func runInOwnProcess(_ script: String, input: Data, python: URL) throws -> Data {
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

/// An interpreter running `Tests/python/peer_host.py`, used by one call at a time.
private final class Host: @unchecked Sendable {
    // @unchecked: a host is used by the one call that took it from the idle list.
    struct Answer: Decodable {
        var status: Int32
        var output: Data
        var errors: String
    }

    private struct Request: Encodable {
        var script: String
        var input: Data
    }

    private let process = Process()
    private let requests: FileHandle
    private let answers: FileHandle
    private var pending = Data()

    init(python: URL) throws {
        // SIGPIPE is left as it is: ignoring it here would be inherited by every process the
        // tests start afterwards (review helper-150 M1). A host that ends between the check in
        // `runBlocking` and the write still ends the test process, loudly.
        process.executableURL = python
        process.arguments = [TestEnvironment.packageRoot.appendingPathComponent("Tests/python/peer_host.py").path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        // What the host cannot send back (its own failure) shows in the test log.
        process.standardError = FileHandle.standardError
        try process.run()
        requests = input.fileHandleForWriting
        answers = output.fileHandleForReading
    }

    /// Runs `script` with `input` as its standard input; the answer is read whole before the
    /// next request is written, so neither pipe can fill while the other waits.
    func run(_ script: String, input: Data) throws -> Answer {
        var line = try JSONEncoder().encode(Request(script: script, input: input))
        line.append(0x0A)
        try requests.write(contentsOf: line)
        while true {
            if let end = pending.firstIndex(of: 0x0A) {
                let answer = pending[pending.startIndex..<end]
                pending = Data(pending[(end + 1)...])
                return try JSONDecoder().decode(Answer.self, from: answer)
            }
            let chunk = answers.availableData
            guard !chunk.isEmpty else {
                process.waitUntilExit()
                throw TestEnvironmentError("the Python peer host running \(script) ended (status \(process.terminationStatus)); its error output is in the test log")
            }
            pending.append(chunk)
        }
    }

    var isRunning: Bool { process.isRunning }

    /// Ends the interpreter (it ends at the end of its input).
    func stop() {
        try? requests.close()
        if process.isRunning { process.terminate() }
    }
}
