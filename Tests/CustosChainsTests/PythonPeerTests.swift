import CustosTestSupport
import Foundation
import Testing

/// `PythonPeer` runs the scripts in interpreters it keeps: each call still sees only its own
/// input, gets only what its script wrote, and a script that fails is an error naming it — after
/// which the next call is answered as before.
@Suite struct PythonPeerTests {
    struct Probe: Encodable {
        var echo: String
        var child: String? = nil
        var fail: String? = nil
        var exit: Int? = nil
    }

    struct Echo: Decodable, Equatable {
        var echo: String
        var argv0: String
    }

    @Test func eachCallGetsOnlyWhatItsScriptWrote() async throws {
        // More calls at once than interpreters kept: each answer is its own call's.
        try await withThrowingTaskGroup(of: (Int, Echo).self) { group in
            for n in 0..<6 {
                group.addTask { (n, try await PythonPeer.call("peer_host_probe.py", Probe(echo: "call \(n)"), as: Echo.self)) }
            }
            for try await (n, answer) in group {
                #expect(answer == Echo(echo: "call \(n)", argv0: "peer_host_probe.py"))
            }
        }
        // A child process writing to the standard output it inherits does not reach the answer.
        let answer = try await PythonPeer.call("peer_host_probe.py", Probe(echo: "after", child: "{\"echo\": \"forged\"}"), as: Echo.self)
        #expect(answer.echo == "after")
    }

    @Test func aFailingScriptIsAnErrorNamingItAndTheNextCallIsAnswered() async throws {
        for probe in [Probe(echo: "", fail: "the probe was told to fail"), Probe(echo: "", exit: 3)] {
            do {
                _ = try await PythonPeer.call("peer_host_probe.py", probe, as: Echo.self)
                Issue.record("a failing script answered")
            } catch {
                let text = "\(error)"
                #expect(text.contains("peer_host_probe.py exited with \(probe.exit ?? 1)"), "\(text)")
                if let fail = probe.fail { #expect(text.contains("RuntimeError: \(fail)"), "\(text)") }
            }
            #expect(try await PythonPeer.call("peer_host_probe.py", Probe(echo: "still answered"), as: Echo.self).echo == "still answered")
        }
        await #expect(throws: (any Error).self) { try await PythonPeer.run("../peer_host_probe.py", input: Data("{}".utf8)) }
    }
}
