import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import Foundation
import HTTPTypes
import Hummingbird

/// The console's requests: the requests held for approvals that wait for the signed-in person
/// (the inbox's first section), a request's page with its content as signed and the approve
/// and reject form, and the page of identical requests approved together with one assertion.
/// No challenge is made here: the page's script derives it from the signing inputs it
/// displays; the forms carry the session's CSRF token; every node checks what is submitted.
extension ConsoleRoutes {
    static func addRequests<Context: GatewayContext>(to router: some RouterMethods<Context>, console: Console) {
        router.get("/console/requests/{id}") { request, context in
            try await requestPage(request, console, id: try GatewayRoutes.pathParameter("id", context))
        }
        router.post("/console/requests/{id}/decision") { request, context in
            try await decideRequest(request, console, id: try GatewayRoutes.pathParameter("id", context))
        }
        router.get("/console/batches/{id}") { request, context in
            try await batchPage(request, console, id: try GatewayRoutes.pathParameter("id", context))
        }
        router.post("/console/batches/decision") { request, _ in try await approveBatch(request, console) }
    }

    /// The requests waiting for `user`: held for approvals, still pending, `user` eligible to
    /// decide them now and not having approved them — each reviewed once
    /// (`ConsoleReviewedRequest`), grouped by `RequestPrompt` (identical prompts together, at most
    /// `RequestBatchApproval.maximumRequests` a group), in log order of each group's first
    /// request. A request to be read on its own (`RequestReview.alone`: anything unusual about
    /// it, no USD notional, or large under `approvals.hasty`) is a group of one, never on a batch
    /// line (review H2), as every node refuses it in a batch; each request is judged by its own
    /// review, not its group's first (review L2); and a group is never one every node would
    /// refuse as a batch (`ReplicatedState.batchRefusal(of:)`: their notionals together under the
    /// batch bound, review helper-55 L-a).
    static func waitingRequests(for user: String, in state: ReplicatedState) -> [[ConsoleReviewedRequest]] {
        grouped(state.requestBook.order.compactMap { id in
            state.requestBook.requests[id].flatMap { awaits($0, user, in: state) ? ConsoleReviewedRequest($0, in: state) : nil }
        }, in: state)
    }

    /// `requests` (in log order) grouped as `waitingRequests` says: a request its review keeps
    /// out of batches alone, every other one with the open group of its prompt while the group
    /// with it is a batch the nodes accept (`batchRefusal(of:)`), else in a new group.
    static func grouped(_ requests: [ConsoleReviewedRequest], in state: ReplicatedState) -> [[ConsoleReviewedRequest]] {
        var groups: [[ConsoleReviewedRequest]] = []
        var open: [RequestPrompt: Int] = [:]
        for reviewed in requests {
            guard reviewed.review.isBatchable else {
                groups.append([reviewed])
                continue
            }
            let prompt = RequestPrompt(reviewed.recorded)
            if let index = open[prompt], groups[index].count < RequestBatchApproval.maximumRequests,
               state.batchRefusal(of: (groups[index] + [reviewed]).map { ($0.recorded, $0.review.facts) }) == nil {
                groups[index].append(reviewed)
            } else {
                open[prompt] = groups.count
                groups.append([reviewed])
            }
        }
        return groups
    }

    /// Whether `recorded` waits for `user`'s decision.
    static func awaits(_ recorded: RecordedRequest, _ user: String, in state: ReplicatedState) -> Bool {
        guard let approvals = recorded.approvals, approvals.isPending, !approvals.approvals.contains(where: { $0.user == user }) else { return false }
        return state.eligibleApprovers(of: recorded).contains(user)
    }

    // MARK: Pages

    static func requestPage(_ request: Request, _ console: Console, id: String) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        guard RequestDecisionEntry.isValidId(id), let recorded = state.requestBook.requests[id],
              case let reviewed = ConsoleReviewedRequest(recorded, in: state),
              let content = ConsoleRequestContent(reviewed, in: state, displaying: console.gateway.armedFaults.displaying(signingInput:),
                                                  table: console.gateway.armedFaults.displaying(callTable:))
        else {
            return try message(console, state, session, .notFound, "No such request",
                               "No request \"\(id.printable(limit: 128))\" is recorded.", back: "/console/")
        }
        let notice: String? = switch request.uri.queryParameters.get("done") {
        case "approve"?: "Your approval is queued. It counts once every node has checked it in a committed block; reload to see it."
        case "reject"?: "Your rejection is queued. It takes effect once every node has checked it in a committed block."
        default: nil
        }
        let item = ConsoleRequestItem([reviewed], in: state, now: console.gateway.clock())
        return try page(console, status: .ok, ConsoleRequestPage(
            frame: frame(state, title: "Request \(id.prefix(16))", session: session), item: item,
            requests: console.gateway.armedFaults.displaying(requests: [content]),
            canDecide: awaits(recorded, session.user, in: state), credentialId: Base64URL.encode(session.credentialId), notice: notice),
            template: "request")
    }

    /// The identical requests waiting for the person together with request `id`, each in full.
    static func batchPage(_ request: Request, _ console: Console, id: String) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        guard let group = waitingRequests(for: session.user, in: state).first(where: { $0.contains { $0.id == id } }) else {
            return try message(console, state, session, .notFound, "Nothing to approve together",
                               "No request \"\(id.printable(limit: 128))\" waits for you with identical ones.", back: "/console/")
        }
        guard group.count > 1 else { return ConsolePage.redirect(to: "/console/requests/\(id)") }
        let contents = group.compactMap {
            ConsoleRequestContent($0, in: state, displaying: console.gateway.armedFaults.displaying(signingInput:),
                                  table: console.gateway.armedFaults.displaying(callTable:))
        }
        let item = ConsoleRequestItem(group, in: state, now: console.gateway.clock())
        return try page(console, status: .ok, ConsoleRequestPage(
            frame: frame(state, title: "\(group.count) identical requests", session: session), item: item,
            requests: console.gateway.armedFaults.displaying(requests: contents),
            canDecide: contents.count == group.count, credentialId: Base64URL.encode(session.credentialId), notice: nil),
            template: "request")
    }

    // MARK: Forms

    /// Submits the person's approval or rejection of one request, made in the browser over the
    /// challenge the page derived from the signing input it displayed, with the time the person
    /// signed and their review (from the page shown to the click), both bound into it.
    static func decideRequest(_ request: Request, _ console: Console, id: String) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        guard RequestDecisionEntry.isValidId(id) else {
            return try message(console, state, session, .badRequest, "Not accepted", "That is not a request id.", back: "/console/")
        }
        let back = "/console/requests/\(id)"
        let form = await form(request)
        if let refused = try refusal(request, form, console, state, session: session, back: back) { return refused }
        guard let form, let act = form["act"].flatMap(RequestDecisionEntry.Act.init(rawValue:)), let assertion = assertion(form) else {
            return try message(console, state, session, .badRequest, "Not accepted", "The form carried no approval or rejection.", back: back)
        }
        guard let timing = timing(form) else {
            return try message(console, state, session, .badRequest, "Not accepted", "The form does not say when you signed.", back: back)
        }
        let entry: Entry
        do { entry = try RequestDecisionEntry(act, requestId: id, user: session.user, assertion: assertion, timing: timing).entry() } catch {
            return try message(console, state, session, .badRequest, "Not accepted", "The assertion does not make an entry: \(error)", back: back)
        }
        return try await submit(entry, console, state, session, assertion: assertion, what: act == .approve ? "approval" : "rejection",
                                back: back, done: back + "?done=\(act.rawValue)")
    }

    /// Submits the person's one approval of the listed requests (`RequestBatchApproval`), made
    /// over the challenge the page derived from every displayed signing input, in order.
    static func approveBatch(_ request: Request, _ console: Console) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        let form = await form(request)
        if let refused = try refusal(request, form, console, state, session: session, back: "/console/") { return refused }
        let ids = (form?["ids"] ?? "").split(separator: ",").map(String.init)
        let back = ids.first.map { "/console/batches/\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" } ?? "/console/"
        if let problem = RequestBatchApproval.problem(with: ids) {
            return try message(console, state, session, .badRequest, "Not accepted", "The form's list of requests: \(problem).", back: "/console/")
        }
        guard let form, form["act"] == "approve", let assertion = assertion(form), let timing = timing(form) else {
            return try message(console, state, session, .badRequest, "Not accepted", "The form carried no approval with its time.", back: back)
        }
        let entry: Entry
        do { entry = try RequestBatchApproval(requestIds: ids, user: session.user, assertion: assertion, timing: timing).entry() } catch {
            return try message(console, state, session, .badRequest, "Not accepted", "The assertion does not make an entry: \(error)", back: back)
        }
        return try await submit(entry, console, state, session, assertion: assertion,
                                what: "approval of \(ids.count) requests", back: back, done: "/console/?approved=\(ids.count)")
    }

    /// Submits `entry`, made with the session's credential, as `GatewayRoutes.submit` does for
    /// the API, then sends the browser to `done`; the gateway checks it against its copy of the
    /// state like any entry.
    static func submit(_ entry: Entry, _ console: Console, _ state: ReplicatedState, _ session: ConsoleSession,
                               assertion: WebAuthnAssertion.Response, what: String, back: String, done: String) async throws -> Response {
        guard assertion.credentialId == session.credentialId else {
            return try message(console, state, session, .forbidden, "Not accepted",
                               "The assertion was made with another credential than the one you signed in with.", back: back)
        }
        do { _ = try await GatewayRoutes.submit(entry, to: console.gateway) } catch let problem as GatewayProblem {
            return try message(console, state, session, problem.status, "Not accepted", "The gateway refused your \(what): \(problem.problem.detail)", back: back)
        }
        return ConsolePage.redirect(to: done)
    }

    /// The decision's `Timing` from the form: `signedAt` (milliseconds since the epoch, the
    /// browser's clock when the person clicked) and `reviewMillis` (empty: not measured).
    static func timing(_ form: ConsoleForm) -> DecisionTiming? {
        guard let signedAt = form["signedAt"].flatMap(UInt64.init) else { return nil }
        let review = form["reviewMillis"] ?? ""
        if review.isEmpty { return DecisionTiming(signedAt: signedAt, reviewMillis: nil) }
        guard let millis = UInt64(review) else { return nil }
        return DecisionTiming(signedAt: signedAt, reviewMillis: millis)
    }
}
