import BigInt
import Crypto
import CustosChains
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import Foundation
@testable import CustosState
import Testing

/// Deployment requests: the exact init code, constructor arguments, expected runtime code hash
/// and initial state, read strictly as JSON; every node builds the creation transaction and the
/// policy's `deploy` view itself and fixes the contract's address from the sender and nonce.
@Suite struct DeploymentRequestTests {
    let ceremony = VaultCeremonyTests()
    let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
    let executor = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())

    static let initCode = "0x6080604052348015600f57600080fd5b50"
    static let runtimeHash = "0x" + String(repeating: "ab", count: 32)
    static let ownerWord = "0x" + String(repeating: "00", count: 12) + String(repeating: "11", count: 20)

    /// A deployment body from the vault key's own address of `hot`, with `members` replacing or adding to the defaults.
    static func deploy(_ members: [(String, JSONValue)] = [], dropping: Set<String> = []) -> JSONValue {
        var body: [(String, JSONValue)] = [
            ("kind", .string("deploy")), ("id", .string("d-1")), ("initiator", .string("risk-bot")), ("vault", .string("hot")),
            ("from", .string("m")), ("chain", .string("ethereum")), ("init_code", .string(initCode)),
            ("arguments", .string("0x" + String(repeating: "00", count: 12) + String(repeating: "11", count: 20))),
            ("runtime_code_hash", .string(runtimeHash)),
            ("expected_state", .array([.object([(key: "function", value: .string("owner()")), (key: "returns", value: .string(ownerWord))])])),
        ]
        for (key, value) in members {
            if let i = body.firstIndex(where: { $0.0 == key }) { body[i].1 = value } else { body.append((key, value)) }
        }
        return .object(body.filter { !dropping.contains($0.0) }.map { (key: $0.0, value: $0.1) })
    }

    /// The transaction policy with a rule letting bots deploy from vault `hot` only.
    static let deployPolicy = Cluster.transactionPolicy(version: 3).replacingOccurrences(of: "rules:\n", with: """
        rules:
          - name: bot-deploys-reviewed-code-from-hot
            match: {kind: [deploy], vault: [hot], initiator: {kind: bot}, call: {functions: [contract.create]}}
            outcome: allow

        """)

    /// The transaction policy, and with `deployRule` `deployPolicy`.
    func cluster(deployRule: Bool) throws -> Cluster {
        var c = try ceremony.cluster()
        _ = try ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        try c.prepareTransactions(bot: bot, executor: executor)
        if deployRule { try c.govern(.changePolicy(yaml: Self.deployPolicy)) }
        return c
    }

    @Test func aDeploymentReadsFromJSON() throws {
        let t = try TransactionRequest(json: Self.deploy())
        let d = try #require(t.deployment)
        #expect(t.kind == .deploy && t.to.isEmpty && t.amount == "0" && t.data.isEmpty)
        #expect(d.initCode == (try [UInt8](hex: Self.initCode)) && d.arguments.count == 32 && d.runtimeCodeHash == Array(repeating: 0xab, count: 32))
        #expect(d.creationData == d.initCode + d.arguments)
        #expect(d.expectedState == [ExpectedViewCall(function: "owner()", result: try [UInt8](hex: Self.ownerWord))])
        #expect(d.expectedState[0].calldata == [0x8d, 0xa5, 0xcb, 0x5b], "owner()'s selector")
        #expect(TransactionRequest.isTransaction(Self.deploy()))
        let noArguments = try TransactionRequest(json: Self.deploy(dropping: ["arguments"]))
        #expect(noArguments.deployment?.arguments == [])
    }

    static func call(_ members: [(String, JSONValue)]) -> JSONValue { .object(members.map { (key: $0.0, value: $0.1) }) }

    static let hostile: [(name: String, body: JSONValue, reason: String)] = [
        ("init code with an odd digit", deploy([("init_code", .string(initCode + "6"))]), "init_code is not hex"),
        ("init code that is not hex", deploy([("init_code", .string("0x60zz"))]), "init_code is not hex"),
        ("empty init code", deploy([("init_code", .string("0x"))]), "init_code is empty"),
        ("no init code", deploy(dropping: ["init_code"]), "missing init_code"),
        ("init code as a number", deploy([("init_code", .number(1))]), "init_code is a"),
        ("init code beyond EIP-3860", deploy([("init_code", .string("0x" + String(repeating: "5b", count: ContractDeployment.maximumInitCodeBytes + 1)))]),
         "init_code is longer than 49152 bytes"),
        ("init code and arguments beyond EIP-3860 together",
         deploy([("init_code", .string("0x" + String(repeating: "5b", count: ContractDeployment.maximumInitCodeBytes - 16)))]),
         "EIP-3860 allows at most 49152"),
        ("arguments with an odd digit", deploy([("arguments", .string("0x123"))]), "arguments is not hex"),
        ("a truncated runtime hash", deploy([("runtime_code_hash", .string("0x" + String(repeating: "ab", count: 31)))]), "runtime_code_hash is 31 bytes"),
        ("a long runtime hash", deploy([("runtime_code_hash", .string("0x" + String(repeating: "ab", count: 33)))]), "runtime_code_hash is longer"),
        ("no runtime hash", deploy(dropping: ["runtime_code_hash"]), "missing runtime_code_hash"),
        ("expected state as an object", deploy([("expected_state", .object([]))]), "expected_state must be a list of view calls, not object"),
        ("no expected state", deploy(dropping: ["expected_state"]), "missing expected_state"),
        ("a call without returns", deploy([("expected_state", .array([call([("function", .string("owner()"))])]))]), "expected_state[0] is missing returns"),
        ("a call with an unknown member", deploy([("expected_state", .array([call([("function", .string("owner()")), ("returns", .string("0x")), ("to", .string("0x1"))])]))]),
         "unknown member \"to\""),
        ("a call that is not a signature", deploy([("expected_state", .array([call([("function", .string("owner")), ("returns", .string("0x"))])]))]),
         "is not a function signature"),
        ("a call with spaces", deploy([("expected_state", .array([call([("function", .string("owner( )")), ("returns", .string("0x"))])]))]),
         "is not a function signature"),
        ("a call as a number", deploy([("expected_state", .array([.number(1)]))]), "expected_state[0] is a number"),
        ("an answer that is not hex", deploy([("expected_state", .array([call([("function", .string("owner()")), ("returns", .string("0x1"))])]))]),
         "expected_state[0].returns is not hex"),
        ("an answer beyond its bound", deploy([("expected_state", .array([call([("function", .string("owner()")),
                                                                               ("returns", .string("0x" + String(repeating: "00", count: 1025)))])]))]),
         "expected_state[0].returns is longer than 1024 bytes"),
        ("the same call twice", deploy([("expected_state", .array(Array(repeating: call([("function", .string("owner()")), ("returns", .string("0x"))]), count: 2)))]),
         "repeats the call owner()"),
        ("too many calls", deploy([("expected_state", .array((0..<9).map { call([("function", .string("f\($0)()")), ("returns", .string("0x"))]) }))]),
         "lists 9 calls; at most 8"),
        ("a to on a deployment", deploy([("to", .string("0x1111111111111111111111111111111111111111"))]), "unknown member \"to\""),
        ("calldata on a deployment", deploy([("data", .string("0x"))]), "unknown member \"data\""),
    ]

    @Test(arguments: Self.hostile) func hostileDeploymentsAreRefusedNamingTheMember(_ vector: (name: String, body: JSONValue, reason: String)) throws {
        let error = #expect(throws: GovernanceError.self, "\(vector.name)") { try TransactionRequest(json: vector.body) }
        #expect(error?.code == .invalidRequest, "\(vector.name)")
        #expect(error?.reason.contains(vector.reason) == true, "\(vector.name): \(error?.reason ?? "")")
    }

    /// A rule can pin the whole reviewed build (review helper-126 M1): the init code's hash and
    /// the constructor's arguments, not only the runtime code hash, which another init code (one
    /// that also runs a takeover in its constructor) can claim as well.
    @Test func aRulePinningTheInitCodeAndArgumentsAllowsOnlyThatBuild() throws {
        var c = try cluster(deployRule: false)
        let initHash = "0x" + Keccak256.hash(try [UInt8](hex: Self.initCode)).hexString
        let owner = "0x" + String(repeating: "00", count: 12) + String(repeating: "11", count: 20)
        try c.govern(.changePolicy(yaml: Cluster.transactionPolicy(version: 3).replacingOccurrences(of: "rules:\n", with: """
            rules:
              - name: bot-deploys-the-reviewed-build
                match: {kind: [deploy], vault: [hot], initiator: {kind: bot}, call: {functions: [contract.create]}}
                when: "request.call.args.init_code_hash == '\(initHash)' && request.call.args.arguments == '\(owner)' && request.call.args.expected_state == 'owner()=\(Self.ownerWord)'"
                outcome: allow

            """)))
        guard case .requestDecided(_, .allow) = try c.submit(c.signed(Self.deploy(), keyId: "risk-bot", key: bot)) else {
            Issue.record("the reviewed build was not allowed"); return
        }
        // The same runtime code hash with another constructor, other arguments or another owner expected: denied.
        for (n, change) in [("init_code", JSONValue.string(Self.initCode + "00")), ("arguments", .string("0x" + String(repeating: "22", count: 32))),
                            ("expected_state", .array([]))].enumerated() {
            let outcome = try c.submit(c.signed(Self.deploy([change, ("id", .string("d-other-\(n)"))]), keyId: "risk-bot", key: bot))
            guard case .requestDecided(_, .deny) = outcome else { Issue.record("\(change.0) changed: \(outcome)"); continue }
        }
    }

    @Test func aPolicyWithoutADeployRuleDeniesADeployment() throws {
        // The policy lets bots call USDC's approve (kind contract_call) and send to exchanges:
        // neither covers a contract creation.
        var c = try cluster(deployRule: false)
        let outcome = try c.submit(c.signed(Self.deploy(), keyId: "risk-bot", key: bot))
        guard case .requestDecided(let id, .deny) = outcome else { Issue.record("\(outcome)"); return }
        #expect(c.state.requestBook.requests[id]?.request.kind == .deploy)
        let parameters = try TransactionParametersEntry(
            TransactionParameters(requestId: id, chainId: 1, nonce: 0, gasLimit: 120_000, maxFeePerGas: 50_000_000_000, maxPriorityFeePerGas: 1_000_000_000),
            executor: "executor-bot", key: executor, genesisDigest: c.state.genesisDigest).entry()
        #expect(Cluster.code(c.apply(parameters)) != nil, "a denied deployment is never signed")
        #expect(c.state.signing[id] == nil)
    }

    @Test func everyNodeBuildsTheCreationAndFixesTheAddressFromTheNonce() throws {
        var c = try cluster(deployRule: true)
        var other = c.state
        let signed = c.signed(Self.deploy([("value", .string("0.5"))]), keyId: "risk-bot", key: bot)
        let entry = try RequestEntry.submit(signed)
        guard case .requestDecided(let id, .allow) = c.apply(entry) else { Issue.record("not allowed"); return }
        #expect(other.apply(entry, blockTime: c.now) == .requestDecided(requestId: id, outcome: .allow))
        #expect(other.digest == c.state.digest)
        let request = try #require(c.state.requestBook.requests[id]?.request)
        #expect(request.kind == .deploy && request.destination.isEmpty && request.amount == FixedDecimal(parsing: "0.5") && request.asset == "ETH")
        #expect(request.call?.function == "contract.create" && request.call?.arguments["runtime_code_hash"] == Self.runtimeHash)
        // The whole reviewed build is visible to rules, not only its runtime code (review helper-126 M1).
        #expect(request.call?.arguments["init_code_hash"] == "0x" + Keccak256.hash(try [UInt8](hex: String(Self.initCode.dropFirst(2)))).hexString)
        #expect(request.call?.arguments["arguments"] == "0x" + String(repeating: "00", count: 12) + String(repeating: "11", count: 20))
        #expect(request.call?.arguments["expected_state"] == "owner()=" + Self.ownerWord, "\(request.call?.arguments ?? [:])")
        #expect(c.state.requestBook.requests[id]?.decision.applied.map(\.name) == ["bot-deploys-reviewed-code-from-hot"])
        let plan = try #require(c.state.transactions[id])
        let d = try #require(plan.deployment)
        #expect(plan.to == nil && plan.data == d.initCode + d.arguments && plan.value == 500_000_000_000_000_000 && plan.contractAddress == nil)
        // A creation cannot take a plain transfer's gas, whatever its simulation said.
        #expect(Cluster.reason(c.apply(try c.parameters(id, nonce: 0, gasLimit: 52_999, key: executor))).contains("the least a contract creation pays"))
        let accepted = c.apply(try c.parameters(id, nonce: 0, gasLimit: 180_000, key: executor))
        #expect(accepted == .transactionParameters(requestId: id, nonce: 0), "\(accepted)")
        let signing = try #require(c.state.transactions[id])
        #expect(signing.contractAddress == EVM.Address.created(by: plan.from, nonce: 0))
        let transaction = try signing.transaction(try #require(signing.parameters))
        #expect(transaction.to == nil && transaction.data == plan.data)
        #expect(signing.signingHash == transaction.signingHash)
    }

    @Test func anotherVaultsDeploymentIsDeniedByTheRule() throws {
        var c = try cluster(deployRule: true)
        _ = try ceremony.generate(&c, "cold", .ecdsaSecp256k1)
        let outcome = try c.submit(c.signed(Self.deploy([("vault", .string("cold"))]), keyId: "risk-bot", key: bot))
        guard case .requestDecided(_, let decided) = outcome else { Issue.record("\(outcome)"); return }
        #expect(decided == .deny)
    }
}
