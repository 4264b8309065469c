import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The client-facing API over the governed state, version 1 (documented in docs/openapi.yaml):
/// the cluster, users, roles, the policy in force, address books, operations with their
/// lifecycle, refusals, and committed blocks; proposing, approving and rejecting operations;
/// submitting requests, and approving and rejecting those the policy holds for approvals;
/// price bots' signed prices and the medians they make; the approvals flagged as hasty.
/// What it shows is the gateway's copy of the committed state; what counts is each node's own.
enum GovernanceRoutes {
    /// A proposal with a policy document at its limit, base64, plus an assertion.
    static let maximumOperationBody = 300 * 1024
    static let maximumDecisionBody = 32 * 1024
    static let maximumBlocksPerPage = 100

    /// The log entry of `kind` for a signed envelope posted as the body (a bot's request or
    /// price): its bytes travel into the log unchanged. A body that is no signed envelope with
    /// an object body is a 400, one over the envelope bound a 413.
    static func signedEntry(_ request: Request, kind: String) async throws -> Entry {
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: SignedRequest.maxEnvelopeLength) } catch is NIOTooManyBytesError {
            throw GatewayProblem.tooLarge(SignedRequest.maxEnvelopeLength)
        }
        let bytes = Array(body.readableBytesView)
        let signed: SignedRequest
        do throws(RequestSigningError) { signed = try SignedRequest(json: bytes) } catch {
            throw GatewayProblem(.badRequest, code: "request.malformed", title: "Malformed signed request", detail: error.reason)
        }
        guard case .object = signed.body else {
            throw GatewayProblem(.badRequest, code: "request.malformed", title: "Malformed signed request",
                                 detail: "the request body is not a JSON object")
        }
        do throws(LedgerError) { return try Entry(kind: kind, payload: bytes) } catch {
            throw GatewayProblem(.unprocessableContent, code: "request.invalid", title: "Invalid request", detail: error.reason)
        }
    }

    /// `POST /v1/policies/dry-run`: the request body posted (as a submitter would sign it) decided
    /// against the committed head at the gateway's clock, as every node would decide it in the
    /// next block (`ReplicatedState.dryRun`); nothing is signed, queued or recorded. A body that is
    /// no JSON object is a 400, one over the envelope bound a 413, one the nodes would refuse
    /// (unknown initiator, unreadable request, unknown vault…) a 422 naming why.
    static func dryRun(_ request: Request, gateway: Gateway) async throws -> RequestDryRunView {
        var request = request
        let collected: ByteBuffer
        do { collected = try await request.collectBody(upTo: SignedRequest.maxEnvelopeLength) } catch is NIOTooManyBytesError {
            throw GatewayProblem.tooLarge(SignedRequest.maxEnvelopeLength)
        }
        let body: JSONValue
        do {
            body = try JSONParser(maxDepth: 64, maxInputBytes: SignedRequest.maxEnvelopeLength).parse(Array(collected.readableBytesView))
        } catch {
            throw GatewayProblem(.badRequest, code: "dry-run.malformed-json", title: "Malformed JSON", detail: "the request body: \(error)")
        }
        guard case .object = body else {
            throw GatewayProblem(.badRequest, code: "dry-run.malformed-json", title: "Malformed JSON",
                                 detail: "the request body is a \(body.typeName), not an object")
        }
        let (state, height) = await gateway.committed
        do throws(GovernanceError) {
            return RequestDryRunView(try state.dryRun(body, blockTime: gateway.clock()), height: height)
        } catch {
            throw GatewayProblem(.unprocessableContent, code: "dry-run.refused", title: "Request refused",
                                 detail: "every node would refuse it (\(error.code)): \(error.reason)")
        }
    }

    /// A replay's body: a policy document at the policy's size limit, JSON-escaped.
    static let maximumReplayBody = 2 * DocumentLimits.policy.maxBytes + 1024

    /// `POST /v1/policies/replay`: a proposed policy (`PolicyReplayView.Query`) replayed over the
    /// committed requests of the last `sinceSeconds` (1 s to 31 days) of block time
    /// (`ReplicatedState.replay`, through `PolicyReplayDesk`: one at a time, answers kept per
    /// document, period and height). A body that is no such JSON is a 400, one over the bound a
    /// 413, a policy every node would refuse or a replay over the work cap a 422 naming why,
    /// a replay while another runs a 429 with `Retry-After`.
    static func replay(_ request: Request, gateway: Gateway) async throws -> PolicyReplayView {
        var request = request
        let collected: ByteBuffer
        do { collected = try await request.collectBody(upTo: maximumReplayBody) } catch is NIOTooManyBytesError {
            throw GatewayProblem.tooLarge(maximumReplayBody)
        }
        let malformed = GatewayProblem(.badRequest, code: "replay.malformed", title: "Malformed replay",
                                       detail: "the body must be {\"policy\": YAML text, \"sinceSeconds\": integer} and nothing else")
        guard let body = try? JSONParser(maxDepth: 4, maxInputBytes: maximumReplayBody).parse(Array(collected.readableBytesView)),
              let members = body.objectValue, members.count == 2,
              case .string(let policy)? = body["policy"], case .integer(let seconds)? = body["sinceSeconds"] else { throw malformed }
        let query = PolicyReplayView.Query(policy: policy, sinceSeconds: Int(seconds))
        let longest = Int(PolicyReplay.maximumPeriodMilliseconds / 1000)
        guard (1...longest).contains(query.sinceSeconds) else {
            throw GatewayProblem(.badRequest, code: "replay.malformed", title: "Malformed replay",
                                 detail: "sinceSeconds must be between 1 and \(longest) (31 days)")
        }
        let (state, height) = await gateway.committed
        let since = state.time - min(state.time, UInt64(query.sinceSeconds) * 1000)
        switch await gateway.replays.replay(yaml: query.policy, since: since, in: state, height: height) {
        case .replayed(let replay, _):
            return PolicyReplayView(replay, height: height)
        case .refused(let error):
            throw GatewayProblem(.unprocessableContent, code: "replay.refused", title: "Policy refused",
                                 detail: "every node would refuse this policy (\(error.code)): \(error.reason)")
        case .tooMuchWork(let requests, let rulesAndLimits):
            throw GatewayProblem(.unprocessableContent, code: "replay.too-much-work", title: "Replay too large",
                                 detail: "replaying \(requests) requests twice (under the policy in force and this one, \(rulesAndLimits) rules and limits), with the windows' history, is over the gateway's cap of \(FixedDecimal(gateway.replays.maximumWork)!.grouped) steps: replay a shorter period or a smaller policy")
        case .busy:
            throw GatewayProblem(.tooManyRequests, code: "replay.busy", title: "Another replay is running",
                                 detail: "the gateway runs one replay at a time", retryAfter: PolicyReplayDesk.retryAfterSeconds)
        }
    }

    /// `POST /v1/access-matrix`: the access matrix of a policy document (`AccessMatrixView.Query`)
    /// compiled with the registries in force (`ReplicatedState.accessMatrix(yaml:)`), in the
    /// replay desk's one slot. A body that is no such JSON is a 400, one over the bound a 413, a
    /// document that does not compile a 422 naming why, one asked while another policy
    /// computation runs a 429 with `Retry-After`.
    static func accessMatrix(_ request: Request, gateway: Gateway) async throws -> AccessMatrixView {
        var request = request
        let collected: ByteBuffer
        do { collected = try await request.collectBody(upTo: maximumReplayBody) } catch is NIOTooManyBytesError {
            throw GatewayProblem.tooLarge(maximumReplayBody)
        }
        guard let body = try? JSONParser(maxDepth: 4, maxInputBytes: maximumReplayBody).parse(Array(collected.readableBytesView)),
              let members = body.objectValue, members.count == 1, case .string(let policy)? = body["policy"] else {
            throw GatewayProblem(.badRequest, code: "access-matrix.malformed", title: "Malformed query",
                                 detail: "the body must be {\"policy\": YAML text} and nothing else")
        }
        let (state, height) = await gateway.committed
        guard let computed = await gateway.replays.exclusive({ () -> Result<(version: Int, matrix: AccessMatrix), GovernanceError> in
            do throws(GovernanceError) { return .success(try state.accessMatrix(yaml: policy)) } catch { return .failure(error) }
        }) else {
            throw GatewayProblem(.tooManyRequests, code: "access-matrix.busy", title: "Another policy computation is running",
                                 detail: "the gateway compiles one proposed policy at a time", retryAfter: PolicyReplayDesk.retryAfterSeconds)
        }
        switch computed {
        case .success(let answer): return AccessMatrixView(height: height, policyVersion: answer.version, matrix: answer.matrix)
        case .failure(let error):
            throw GatewayProblem(.unprocessableContent, code: "access-matrix.refused", title: "Policy does not compile",
                                 detail: "\(error.code): \(error.reason)")
        }
    }

    /// `GET /v1/request-batches/refusal?ids=ID,ID,…`: why every node would refuse the listed
    /// requests approved together in one batch at the committed `state`
    /// (`ReplicatedState.batchRefusal(of:)`), or that it would not; asked before anything is
    /// signed (`custos request approve ID ID…`). A list no batch approval can hold is a 400
    /// naming why, an id of no recorded request a 404.
    static func batchRefusal(_ ids: [String], in state: ReplicatedState) throws -> BatchRefusalView {
        if let problem = RequestBatchApproval.problem(with: ids) {
            throw GatewayProblem(.badRequest, code: "request.bad-batch", title: "Bad list of requests", detail: problem)
        }
        let listed = try ids.map { id in
            guard let recorded = state.requestBook.requests[id] else {
                throw GatewayProblem(.notFound, code: "request.not-found", title: "No such request", detail: "no recorded request \(id)")
            }
            return recorded
        }
        return BatchRefusalView(ids: ids, refusal: state.batchRefusal(of: listed))
    }

    static func add<Context: GatewayContext>(to router: some RouterMethods<Context>, gateway: Gateway) {
        router.get("/v1/cluster") { _, _ in
            let configuration = await gateway.configuration
            let state = await gateway.governance
            let genesisDocument = await gateway.governanceState.genesisDigest
            return try GatewayRoutes.json(.ok, ClusterView(
                name: configuration.name, n: configuration.n, f: configuration.f, quorum: configuration.quorum,
                members: configuration.members.map(ClusterView.Member.init),
                genesisDigest: configuration.genesisDigest.hex, genesisDocumentDigest: genesisDocument.hexString, committedHeight: state.height, stateDigest: state.stateDigest,
                frozen: state.frozen, frozenBy: state.frozenBy, policyVersion: state.policyVersion))
        }
        router.get("/v1/state") { _, _ in try GatewayRoutes.json(.ok, await gateway.governance) }
        router.get("/v1/users") { _, _ in try GatewayRoutes.json(.ok, await gateway.governance.users) }
        router.get("/v1/users/{id}") { _, context in
            let id = try GatewayRoutes.pathParameter("id", context)
            guard let user = await gateway.governance.users.first(where: { $0.id == id }) else {
                throw GatewayProblem(.notFound, code: "user.not-found", title: "No such user", detail: "no user \"\(id.prefix(64))\"")
            }
            return try GatewayRoutes.json(.ok, user)
        }
        router.get("/v1/users/{id}/exit-report") { _, context in
            let id = try GatewayRoutes.pathParameter("id", context)
            let state = await gateway.governanceState
            guard let report = state.exitReport(of: id) else {
                throw GatewayProblem(
                    .notFound, code: "user.not-offboarded", title: "No exit report",
                    detail: state.users[id] == nil ? "no user \"\(id.printable(limit: 64))\"" : "\(id) has not been offboarded")
            }
            return try GatewayRoutes.json(.ok, report)
        }
        router.get("/v1/roles") { _, _ in
            let users = await gateway.governance.users.filter(\.active)
            let roles = Set(users.flatMap(\.roles)).sorted().map { role in
                RoleView(role: role, users: users.filter { $0.roles.contains(role) }.map(\.id))
            }
            return try GatewayRoutes.json(.ok, roles)
        }
        router.get("/v1/policies/current") { _, _ in
            let state = await gateway.governanceState
            return try GatewayRoutes.json(.ok, PolicyView(name: state.policy.document.name, version: state.policyVersion,
                                                          frozen: state.frozen, yaml: state.policyYAML))
        }
        router.post("/v1/policies/dry-run") { request, _ in try GatewayRoutes.json(.ok, try await dryRun(request, gateway: gateway)) }
        router.post("/v1/policies/replay") { request, _ in try GatewayRoutes.json(.ok, try await replay(request, gateway: gateway)) }
        router.get("/v1/access-matrix") { _, _ in
            let (state, height) = await gateway.committed
            return try GatewayRoutes.json(.ok, AccessMatrixView(height: height, policyVersion: state.policyVersion, matrix: state.accessMatrix))
        }
        router.post("/v1/access-matrix") { request, _ in try GatewayRoutes.json(.ok, try await accessMatrix(request, gateway: gateway)) }
        router.get("/v1/address-books") { _, _ in
            let state = await gateway.governanceState
            return try GatewayRoutes.json(.ok, AddressBookEntryView.addressBook(of: state))
        }
        router.get("/v1/bots") { _, _ in try GatewayRoutes.json(.ok, await gateway.governance.bots) }
        router.get("/v1/assets") { _, _ in try GatewayRoutes.json(.ok, await gateway.governance.assets) }
        router.get("/v1/watch") { _, _ in try GatewayRoutes.json(.ok, WatchRoomView(await gateway.governanceState)) }
        router.get("/v1/watch/{chain}/coverage") { request, context in
            let chain = try GatewayRoutes.pathParameter("chain", context)
            guard RegisteredAsset.isName(chain) else {
                throw GatewayProblem(.badRequest, code: "watch.invalid-chain", title: "Not a chain name",
                                     detail: "\"\(chain.printable(limit: 64))\" is not a chain name (1 to \(RegisteredAsset.maximumNameBytes) of [A-Za-z0-9._-])")
            }
            let name = request.uri.queryParameters.get("environment") ?? DeploymentEnvironment.production.rawValue
            guard let environment = DeploymentEnvironment(rawValue: name) else {
                throw GatewayProblem(.badRequest, code: "watch.invalid-environment", title: "Not an environment",
                                     detail: "\"\(name.printable(limit: 32))\" is none of \(DeploymentEnvironment.choices)")
            }
            return try GatewayRoutes.json(.ok, WatchCoverageView(chain: chain, environment: environment, in: await gateway.governanceState))
        }
        router.get("/v1/inventory") { _, _ in try GatewayRoutes.json(.ok, await gateway.inventory) }
        router.get("/v1/alerts") { _, _ in try GatewayRoutes.json(.ok, AlertView.list(of: await gateway.governanceState)) }
        /// The vault the path's `id` names, or `vault.not-found`.
        @Sendable func vault(_ context: Context) async throws -> VaultView {
            let id = try GatewayRoutes.pathParameter("id", context)
            guard let found = await gateway.governance.vaults.first(where: { $0.id == id }) else {
                throw GatewayProblem(.notFound, code: "vault.not-found", title: "No such vault", detail: "no vault \"\(id.printable(limit: 64))\"")
            }
            return found
        }
        router.get("/v1/vaults") { _, _ in try GatewayRoutes.json(.ok, await gateway.governance.vaults) }
        router.get("/v1/vaults/{id}") { _, context in try GatewayRoutes.json(.ok, try await vault(context)) }
        router.get("/v1/vaults/{id}/addresses") { _, context in try GatewayRoutes.json(.ok, try await vault(context).addresses) }
        router.get("/v1/vaults/{id}/balances") { _, context in
            let found = try await vault(context)
            guard !gateway.chainEndpoints.isEmpty else {
                throw GatewayProblem(.notFound, code: "balances.no-endpoint", title: "No chain endpoint",
                                     detail: "this gateway was started without --rpc CHAIN=URL, so it reads no balances; "
                                         + "read them yourself with custos vault balances --rpc CHAIN=URL")
            }
            guard let environment = Vault.Environment(rawValue: found.environment), !gateway.chainEndpoints.clients(for: environment).isEmpty else {
                throw GatewayProblem(.notFound, code: "balances.no-endpoint", title: "No chain endpoint",
                                     detail: "vault \(found.id) is a \(found.environment) vault, and this gateway has no --rpc endpoint for "
                                         + "\(found.environment) (--rpc \(found.environment):CHAIN=URL, or CHAIN=URL for every environment)")
            }
            return try GatewayRoutes.json(.ok, await VaultBalancesView.read(vault: found, assets: await gateway.governance.assets,
                                                                           endpoints: gateway.chainEndpoints.clients(for: environment), reader: "the gateway"))
        }
        router.get("/v1/requests") { request, _ in
            var requests = await gateway.governance.requests
            if let pending = request.uri.queryParameters.get("pending") {
                guard let wanted = Bool(pending) else {
                    throw GatewayProblem(.badRequest, code: "request.bad-filter", title: "Bad filter", detail: "pending is true or false")
                }
                requests = requests.filter { ($0.approvals?.status == RequestApprovals.Status.pending.rawValue) == wanted }
            }
            return try GatewayRoutes.json(.ok, requests)
        }
        router.get("/v1/requests/{id}") { _, context in
            let id = try GatewayRoutes.pathParameter("id", context)
            guard let request = await gateway.governance.requests.last(where: { $0.id == id }) else {
                throw GatewayProblem(.notFound, code: "request.not-found", title: "No such request",
                                     detail: "no decided request \"\(id.printable(limit: 64))\" among the recent ones")
            }
            return try GatewayRoutes.json(.ok, request)
        }
        router.post("/v1/requests") { request, _ in
            let entry = try await signedEntry(request, kind: RequestEntry.submitKind)
            return try GatewayRoutes.json(.accepted, try await GatewayRoutes.submit(entry, to: gateway))
        }
        router.get("/v1/request-batches/refusal") { request, _ in
            let ids = (request.uri.queryParameters.get("ids") ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return try GatewayRoutes.json(.ok, try batchRefusal(ids, in: await gateway.governanceState))
        }
        router.get("/v1/prices") { _, _ in try GatewayRoutes.json(.ok, PriceView.all(in: await gateway.governanceState)) }
        router.get("/v1/approvals/flagged") { _, _ in try GatewayRoutes.json(.ok, FlaggedApprovalView.all(in: await gateway.governanceState)) }
        router.post("/v1/prices") { request, _ in
            let entry = try await signedEntry(request, kind: PriceEntry.postKind)
            return try GatewayRoutes.json(.accepted, try await GatewayRoutes.submit(entry, to: gateway))
        }
        for (path, act) in [("approvals", RequestDecisionEntry.Act.approve), ("rejections", .reject)] {
            addDecision(to: router, gateway: gateway, path: "/v1/requests/{id}/\(path)", validId: RequestDecisionEntry.isValidId(_:),
                        badId: GatewayProblem(.badRequest, code: "request.bad-id", title: "Bad request id",
                                              detail: "a request id is 64 lowercase hex digits")) { message, id in
                try message.entry(requestId: id, act: act)
            }
        }
        router.get("/v1/refusals") { _, _ in try GatewayRoutes.json(.ok, await gateway.governance.refusals) }
        router.get("/v1/operations") { request, _ in
            var operations = await gateway.governance.operations
            if let status = request.uri.queryParameters.get("status") {
                guard PendingOperation.Status(rawValue: status) != nil else {
                    throw GatewayProblem(.badRequest, code: "operation.bad-status", title: "Unknown status",
                                         detail: "status is one of proposed, approved, rejected, expired, executed, failed")
                }
                operations = operations.filter { $0.status == status }
            }
            return try GatewayRoutes.json(.ok, operations)
        }
        router.get("/v1/operations/{id}") { _, context in
            let id = try GatewayRoutes.pathParameter("id", context)
            let state = await gateway.governance
            guard let operation = state.operations.first(where: { $0.id == id }) else {
                throw GatewayProblem(.notFound, code: "operation.not-found", title: "No such operation",
                                     detail: "no operation \"\(id.prefix(128))\" is committed")
            }
            return try GatewayRoutes.json(.ok, OperationDetail(
                operation: operation, refusals: state.refusals.filter { $0.operationId == id }))
        }
        router.post("/v1/operations") { request, _ in
            let message: ProposeMessage = try await GatewayRoutes.decode(request, limit: maximumOperationBody, what: "operation")
            let entry: Entry
            do { entry = try message.entry() } catch {
                throw GatewayProblem(.unprocessableContent, code: "operation.invalid", title: "Invalid operation", detail: "\(error)")
            }
            return try GatewayRoutes.json(.accepted, try await GatewayRoutes.submit(entry, to: gateway))
        }
        for (path, approve) in [("approvals", true), ("rejections", false)] {
            addDecision(to: router, gateway: gateway, path: "/v1/operations/{id}/\(path)", validId: GovernanceProposal.isValidId(_:),
                        badId: GatewayProblem(.badRequest, code: "operation.bad-id", title: "Bad operation id",
                                              detail: "an operation id is 1 to \(GovernanceProposal.maximumIdLength) of A-Z a-z 0-9 . _ -")) { message, id in
                try message.entry(operationId: id, approve: approve)
            }
        }
        router.get("/v1/blocks") { request, _ in
            let query = request.uri.queryParameters
            guard query.get("from") == nil || query.get("from", as: UInt64.self) != nil else {
                throw GatewayProblem(.badRequest, code: "block.bad-from", title: "Bad height", detail: "from is a decimal height")
            }
            let from = query.get("from", as: UInt64.self) ?? 1
            guard query.get("limit") == nil || query.get("limit", as: Int.self).map({ $0 > 0 }) == true else {
                throw GatewayProblem(.badRequest, code: "block.bad-limit", title: "Bad limit",
                                     detail: "limit is a positive number (at most \(maximumBlocksPerPage) are returned)")
            }
            let limit = min(query.get("limit", as: Int.self) ?? 20, maximumBlocksPerPage)
            return try GatewayRoutes.json(.ok, try await gateway.committedBlocks(from: from, limit: limit).map(BlockSummary.init))
        }
    }

    /// Registers `POST path`, a person's approval or rejection (`DecisionMessage`) of the
    /// operation or request the path's `id` names: `badId` for an id `validId` refuses,
    /// `decision.invalid` for a message `entry` cannot turn into an entry; else queued.
    private static func addDecision<Context: GatewayContext>(
        to router: some RouterMethods<Context>, gateway: Gateway, path: String, validId: @escaping @Sendable (String) -> Bool,
        badId: GatewayProblem, entry: @escaping @Sendable (DecisionMessage, String) throws -> Entry
    ) {
        router.post(RouterPath(path)) { request, context in
            let id = try GatewayRoutes.pathParameter("id", context)
            guard validId(id) else { throw badId }
            let message: DecisionMessage = try await GatewayRoutes.decode(request, limit: maximumDecisionBody, what: "decision")
            let decided: Entry
            do { decided = try entry(message, id) } catch {
                throw GatewayProblem(.unprocessableContent, code: "decision.invalid", title: "Invalid decision", detail: "\(error)")
            }
            return try GatewayRoutes.json(.accepted, try await GatewayRoutes.submit(decided, to: gateway))
        }
    }
}
