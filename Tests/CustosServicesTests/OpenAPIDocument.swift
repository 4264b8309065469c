import CustosCore
import CustosTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Yams

/// docs/openapi.yaml, parsed with Yams, for tests that hold it against the gateway.
struct OpenAPIDocument {
    static let url = TestEnvironment.packageRoot.appendingPathComponent("docs/openapi.yaml")
    static let methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    /// One operation: `METHOD /path` and its object.
    struct Operation {
        var method: String
        var path: String
        var object: [String: Any]
        var route: String { "\(method.uppercased()) \(path)" }
        var tags: [String] { object["tags"] as? [String] ?? [] }
        /// The description with its line breaks folded into spaces.
        var description: String {
            (object["description"] as? String ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        var responses: [String: Any] { object["responses"] as? [String: Any] ?? [:] }
        var hasRequestBody: Bool { object["requestBody"] != nil }
    }

    let text: String
    let root: [String: Any]

    init() throws {
        text = try String(contentsOf: Self.url, encoding: .utf8)
        guard let root = try Yams.load(yaml: text) as? [String: Any] else {
            throw TestEnvironmentError("\(Self.url.path) is not a YAML mapping")
        }
        self.root = root
    }

    var operations: [Operation] {
        let paths = root["paths"] as? [String: Any] ?? [:]
        return paths.flatMap { path, item in
            let item = item as? [String: Any] ?? [:]
            return Self.methods.compactMap { method in
                (item[method] as? [String: Any]).map { Operation(method: method, path: path, object: $0) }
            }
        }.sorted { $0.route < $1.route }
    }
}

/// Runs schemathesis (pinned in scripts/requirements-test.txt, installed in `.venv` by
/// scripts/install-deps.sh) from the Python test environment, bounded in time.
enum Schemathesis {
    struct Outcome: Sendable {
        var status: Int32
        var output: String
    }

    /// `schemathesis run <document> --url <baseURL> <arguments>` in `directory`; kills it after
    /// `seconds`. A missing environment is an error, never a pass. Waits off the cooperative pool.
    static func run(document: URL, baseURL: String, arguments: [String], directory: URL, seconds: Int) async throws -> Outcome {
        try await Blocking.run { try runBlocking(document: document, baseURL: baseURL, arguments: arguments, directory: directory, seconds: seconds) }
    }

    private static func runBlocking(document: URL, baseURL: String, arguments: [String], directory: URL, seconds: Int) throws -> Outcome {
        let python = PythonPeer.interpreter
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw TestEnvironmentError("no Python test environment at \(python.path); run scripts/install-deps.sh")
        }
        let process = Process()
        process.executableURL = python
        process.arguments = ["-m", "schemathesis.cli", "run", document.path, "--url", baseURL] + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let reader = Thread {
            let deadline = Date().addingTimeInterval(TimeInterval(seconds))
            while process.isRunning, Date() < deadline { usleep(100_000) }
            if process.isRunning { process.terminate() }
        }
        reader.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if process.terminationReason == .uncaughtSignal {
            throw TestEnvironmentError("schemathesis did not finish in \(seconds) s; output: \(text.suffix(4000))")
        }
        if text.contains("No module named schemathesis") {
            throw TestEnvironmentError("schemathesis is not installed in \(python.path); run scripts/install-deps.sh")
        }
        return Outcome(status: process.terminationStatus, output: text)
    }
}
