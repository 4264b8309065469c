import BigInt
import CustosChains
import CustosChainsRPC
import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

/// The JSON-RPC client against an endpoint that fails on purpose: retries are bounded,
/// timeouts fire, and every error names the endpoint, the method and the cause.
@Suite(.exclusiveProcesses, .serialized) struct RPCClientTests {
    static let fast = EVMRPCClient.Configuration(timeout: .milliseconds(800), maxAttempts: 3, retryDelay: .milliseconds(20))

    func client(_ server: LocalServer, _ path: String, _ configuration: EVMRPCClient.Configuration = fast) throws -> EVMRPCClient {
        try EVMRPCClient(endpoint: URL(string: "http://127.0.0.1:\(server.port)\(path)?apikey=SECRET-KEY")!,
                         configuration: configuration)
    }

    func hits(_ server: LocalServer, _ path: String) async throws -> Int {
        let counts = try await client(server, "/hits").call("hits", [])
        guard case .integer(let count)? = counts[path] else { return 0 }
        return Int(count)
    }

    @Test func failuresAreBoundedNamedAndRedacted() async throws {
        let server = try LocalServer.misbehaving()
        defer { server.stop() }
        let endpoint = "http://127.0.0.1:\(server.port)"

        #expect(try await client(server, "/ok").chainID() == 42)
        let printed = try client(server, "/ok")
        for text in [String(describing: printed), String(reflecting: printed)] {
            #expect(!text.contains("SECRET") && !text.contains("/ok"), "\(text)")
        }
        var dumped = ""
        dump(printed, to: &dumped)
        #expect(!dumped.contains("SECRET"))

        // Two 503s, then success on the third and last attempt.
        #expect(try await client(server, "/fail-twice").chainID() == 42)
        #expect(try await hits(server, "/fail-twice") == 3)

        func failure(_ path: String, _ configuration: EVMRPCClient.Configuration = Self.fast) async throws -> EVMRPCError {
            let rpc = try client(server, path, configuration)
            do {
                _ = try await rpc.chainID()
            } catch {
                return error
            }
            throw TestFailure("\(path) did not fail")
        }

        let overloaded = try await failure("/always-503")
        #expect(overloaded.code == .httpStatus)
        #expect(overloaded.attempts == 3)
        #expect(try await hits(server, "/always-503") == 3)
        #expect(overloaded.description == "eth_chainId at \(endpoint) failed after 3 attempts: httpStatus: HTTP status 503")

        let clock = ContinuousClock()
        let start = clock.now
        let hung = try await failure("/hang", .init(timeout: .milliseconds(300), maxAttempts: 2, retryDelay: .milliseconds(10)))
        #expect(hung.code == .timeout)
        #expect(hung.attempts == 2)
        // Bounded, not fast: a hang would never return; under a loaded CI machine the two 300 ms
        // attempts may take seconds, so the bound is loose on purpose.
        #expect(clock.now - start < .seconds(60))

        let garbage = try await failure("/garbage")
        #expect(garbage.code == .invalidResponse)
        #expect(garbage.attempts == 1)

        #expect(try await failure("/wrong-id").code == .invalidResponse)

        let rpc = try await failure("/rpc-error")
        #expect(rpc.code == .rpcError)
        #expect(rpc.rpcCode == -32000)
        #expect(rpc.attempts == 1)
        #expect(rpc.description == "eth_chainId at \(endpoint) failed: rpcError: node error -32000: nonce too low")

        let missing = try await failure("/not-found")
        #expect(missing.code == .httpStatus)
        #expect(missing.attempts == 1)

        for error in [overloaded, hung, garbage, rpc, missing] {
            #expect(!error.description.contains("SECRET"))
            #expect(!error.description.contains("apikey"))
        }
    }

    @Test func resendAfterALostAnswerCountsAsSent() async throws {
        let server = try LocalServer.misbehaving()
        defer { server.stop() }
        let key = try Secp256k1.ECDSA.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
        let signed = try EVM.Transaction.eip1559(
            chainID: 1, nonce: 0, maxPriorityFeePerGas: 1, maxFeePerGas: 2, gasLimit: 21000,
            to: EVM.Address.zero, value: 1
        ).signed(with: key)
        #expect(try await client(server, "/resend").sendRawTransaction(signed) == signed.hash)
        #expect(try await hits(server, "/resend") == 2)
        // On a first attempt, "already known" is the node's answer and is reported as such.
        await #expect(throws: EVMRPCError(.rpcError, endpoint: "", method: "", reason: "")) {
            try await client(server, "/resend").sendRawTransaction(signed)
        }
    }

    @Test func feeDataFallsBackToFeeHistoryRewards() async throws {
        let server = try LocalServer.misbehaving()
        defer { server.stop() }
        let fees = try await client(server, "/old-node").feeData()
        #expect(fees.baseFeePerGas == 0xe)
        #expect(fees.maxPriorityFeePerGas == 2)  // median of 3, 1, 2
        #expect(fees.maxFeePerGas == 0xe * 2 + 2)
    }

    /// Issue 17 review: a provider that refuses a log query over a wide range ("query returned
    /// more than 10000 results") gets it again in halves, every block once and in order; one
    /// that refuses every range stops the caller with its error, after a bounded number of calls.
    @Test func aLogRangeTooLargeIsSplitAndARangeNeverSmallEnoughStops() async throws {
        let server = try LocalServer.misbehaving()
        defer { server.stop() }
        let vault = try EVM.Address(hex: "0x" + String(repeating: "22", count: 20))
        let narrow = try client(server, "/narrow-logs")
        let logs = try await EVMRPCClient.splittingRange(from: 1_000, to: 1_099) { (a, b) throws(EVMRPCError) in
            try await narrow.transferLogs(from: a, to: b, touching: vault, asSender: true)
        }
        #expect(logs.map(\.blockNumber) == Array(1_000...1_099))
        #expect(try await hits(server, "/narrow-logs") <= 31, "100 blocks in parts of at most 10: 16 answers and 15 refusals")
        let none = try client(server, "/no-logs")
        await #expect(throws: EVMRPCError(.rpcError, endpoint: "", method: "", reason: "")) {
            _ = try await EVMRPCClient.splittingRange(from: 0, to: 1_000_000) { (a, b) throws(EVMRPCError) in
                try await none.transferLogs(from: a, to: b, touching: vault, asSender: false)
            }
        }
        #expect(try await hits(server, "/no-logs") <= 21, "halving a million blocks reaches one block in 20 steps")
        // Other errors are not a reason to split.
        let refused = try client(server, "/rpc-error")
        await #expect(throws: EVMRPCError(.rpcError, endpoint: "", method: "", reason: "")) {
            _ = try await EVMRPCClient.splittingRange(from: 0, to: 100) { (a, b) throws(EVMRPCError) in
                try await refused.transferLogs(from: a, to: b, touching: vault, asSender: false)
            }
        }
        #expect(try await hits(server, "/rpc-error") == 1)
    }

    @Test func nothingListeningFailsWithinTheBound() async throws {
        // Bind and release a port so that nothing listens on it. async-http-client keeps
        // retrying a refused connection until the attempt's deadline, so this surfaces as a
        // timeout (or a transport error), after exactly the configured attempts.
        let server = try LocalServer.misbehaving()
        let port = server.port
        server.stop()
        let client = try EVMRPCClient(endpoint: URL(string: "http://127.0.0.1:\(port)")!, configuration: Self.fast)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await client.chainID()
            Issue.record("a call to a closed port succeeded")
        } catch {
            #expect(error.code == .timeout || error.code == .transport)
            #expect(error.attempts == 3)
            #expect(error.description.hasPrefix("eth_chainId at http://127.0.0.1:\(port) failed after 3 attempts"))
        }
        // Bounded (a hang would never return); loose on purpose, for loaded machines.
        #expect(clock.now - start < .seconds(60))
    }

    @Test func rejectsUnusableEndpoints() {
        #expect(throws: EVMRPCError(.invalidEndpoint, endpoint: "", method: "", reason: "")) {
            try EVMRPCClient(endpoint: URL(string: "ftp://example.com")!)
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
