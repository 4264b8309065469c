import CustosTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A command run with its standard input on a pseudo-terminal, as a person at a terminal runs
/// it: its output (standard output and error together) is read until `prompt` appears, then
/// `answer` is typed with a newline, and the command runs to its end. Waits off the cooperative
/// pool; a command still running 120 s after it started is killed.
enum Terminal {
    struct Outcome: Sendable {
        let status: Int32
        /// Everything the command wrote, and how much of it came before the answer was typed.
        let output: String
        let beforeAnswer: String
    }

    static func run(_ binary: URL, _ arguments: [String], answering answer: String, after prompt: String) async throws -> Outcome {
        try await Blocking.run { try runBlocking(binary, arguments, answer: answer, prompt: prompt) }
    }

    private static func runBlocking(_ binary: URL, _ arguments: [String], answer: String, prompt: String) throws -> Outcome {
        var controller: Int32 = -1
        var terminal: Int32 = -1
        guard openpty(&controller, &terminal, nil, nil, nil) == 0 else { throw TestEnvironmentError("openpty failed: errno \(errno)") }
        defer {
            close(controller)
            close(terminal)
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardInput = FileHandle(fileDescriptor: terminal, closeOnDealloc: false)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        DispatchQueue.global().asyncAfter(deadline: .now() + 120) { if process.isRunning { process.terminate() } }

        // Read until the prompt shows (or the command ends without it), then type the answer.
        var seen = Data()
        let reader = output.fileHandleForReading
        while !String(decoding: seen, as: UTF8.self).contains(prompt) {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        let beforeAnswer = String(decoding: seen, as: UTF8.self)
        if beforeAnswer.contains(prompt) {
            let line = Array((answer + "\n").utf8)
            guard write(controller, line, line.count) == line.count else { throw TestEnvironmentError("typing the answer failed: errno \(errno)") }
        }
        seen.append(reader.readDataToEndOfFile())
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: seen, as: UTF8.self), beforeAnswer: beforeAnswer)
    }

    /// The same command with its standard input on /dev/null (a script, a pipe): no terminal.
    static func runWithoutTerminal(_ binary: URL, _ arguments: [String]) async throws -> Outcome {
        try await Blocking.run {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return Outcome(status: process.terminationStatus, output: text, beforeAnswer: text)
        }
    }
}
