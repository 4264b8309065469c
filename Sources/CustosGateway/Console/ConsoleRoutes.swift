import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosState
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The approver's console under `/console/`: sign-in with a WebAuthn credential registered in the
/// governed state, the inbox (the requests waiting for the person, `ConsoleRoutes+Requests`, and
/// the governance operations), an operation's detail page with the approve and reject
/// forms, enrolment of new credentials (`ConsoleRoutes+Enrolment`), sign-out, and the static
/// script and style sheet. Pages are HTML rendered on the
/// gateway; every form carries the session's CSRF token; a POST from another origin is refused.
/// An approval's challenge is never made here: the page's script derives it from the content
/// the page displays, and every node checks the assertion against the operation it holds.
enum ConsoleRoutes {
    static let sessionCookie = "custos_session"
    static let signInCookie = "custos_sign_in"

    static func add<Context: GatewayContext>(to router: some RouterMethods<Context>, console: Console) {
        router.get("/console") { request, _ in try await inbox(request, console) }
        router.get("/console/sign-in") { _, _ in try await signInPage(console, status: .ok, notice: "") }
        router.post("/console/sign-in") { request, _ in try await signIn(request, console) }
        router.post("/console/sign-out") { request, _ in try await signOut(request, console) }
        router.get("/console/operations/{id}") { request, context in
            try await operation(request, console, id: try GatewayRoutes.pathParameter("id", context))
        }
        router.post("/console/operations/{id}/decision") { request, context in
            try await decide(request, console, id: try GatewayRoutes.pathParameter("id", context))
        }
        addEnrolment(to: router, console: console)
        addRequests(to: router, console: console)
        addActivity(to: router, console: console)
        addDirectory(to: router, console: console)
        addFreeze(to: router, console: console)
        router.get("/console/static/{file}") { _, context in
            guard let name = context.parameters.get("file"), let type = Console.assetTypes[name], let bytes = console.assets[name] else {
                return try page(console, status: .notFound, ConsoleMessagePage(
                    frame: await frame(console, title: "Not found", session: nil), heading: "Not found",
                    message: "The console has no such file.", back: "/console/"), template: "message")
            }
            return ConsolePage.asset(console.gateway.armedFaults.serving(asset: name, bytes), contentType: type)
        }
    }

    // MARK: Pages

    static func inbox(_ request: Request, _ console: Console) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        let operations = state.operations.values.sorted { ($0.proposedAt, $0.id) < ($1.proposedAt, $1.id) }
        let open = operations.filter(\.isOpen).map { ConsoleInboxItem($0, in: state, viewer: session.user) }
        let recent = operations.filter { !$0.isOpen }.sorted { ($0.decidedAt ?? 0) > ($1.decidedAt ?? 0) }.prefix(10)
            .map { ConsoleInboxItem($0, in: state, viewer: session.user) }
        let requests = waitingRequests(for: session.user, in: state).map { ConsoleRequestItem($0, in: state, now: console.gateway.clock()) }
        let proposed = request.uri.queryParameters.get("proposed").map {
            "Your proposal of \($0.printable(limit: 128)) is queued; it shows here once a block commits it."
        }
        let approved = request.uri.queryParameters.get("approved").flatMap { Int($0) }.map {
            "Your approval of \($0) requests is queued. They count once every node has checked it in a committed block."
        }
        return try page(console, status: .ok, ConsoleInboxPage(
            frame: frame(state, title: "Inbox", session: session), requests: requests, operations: open, recent: Array(recent),
            enrolments: await console.enrolments.waiting(now: console.gateway.clock()), notice: proposed ?? approved), template: "inbox")
    }

    static func operation(_ request: Request, _ console: Console, id: String) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        guard let operation = state.operations[id] else {
            return try page(console, status: .notFound, ConsoleMessagePage(
                frame: frame(state, title: "No such operation", session: session), heading: "No such operation",
                message: "No operation \"\(id.printable(limit: 128))\" is committed.", back: "/console/"), template: "message")
        }
        let item = ConsoleInboxItem(operation, in: state, viewer: session.user)
        let mayApprove = operation.isOpen && operation.proposal.proposer != session.user && !operation.approvals.contains(session.user)
        let notice: String? = switch request.uri.queryParameters.get("done") {
        case "approve"?: "Your approval is queued. It counts once every node has checked it in a committed block; reload to see it."
        case "reject"?: "Your rejection is queued. It takes effect once every node has checked it in a committed block."
        default: nil
        }
        let refusals = state.refusals.filter { $0.operationId == id }.suffix(20).map(RefusalView.init).map {
            "\($0.user ?? "someone"): \($0.code)\($0.webAuthn.map { " (\($0))" } ?? ""): \($0.reason)"
        }
        return try page(console, status: .ok, ConsoleOperationPage(
            frame: frame(state, title: "Operation \(id)", session: session), item: item, failure: operation.failure, refusals: refusals,
            fields: console.gateway.armedFaults.displaying(operation.proposal.consoleFields),
            canDecide: operation.isOpen, canApprove: mayApprove, credentialId: Base64URL.encode(session.credentialId), notice: notice,
            policy: await policyReview(of: operation, in: state, desk: console.gateway.consoleReplays)),
            template: "operation")
    }

    /// The review of an open `change-policy` operation's document (`ConsolePolicyReview`), its
    /// replay through the gateway's `desk` (kept per document and height); nil for any other
    /// operation.
    static func policyReview(of operation: PendingOperation, in state: ReplicatedState, desk: PolicyReplayDesk) async -> ConsolePolicyReview? {
        guard operation.isOpen, case .changePolicy(let yaml, _) = operation.proposal.change else { return nil }
        let since = state.time - min(state.time, ConsolePolicyReview.periodMilliseconds)
        return ConsolePolicyReview(yaml: yaml, in: state, replay: await desk.replay(yaml: yaml, since: since, in: state, height: state.height))
    }

    static func signInPage(_ console: Console, status: HTTPResponse.Status, notice: String) async throws -> Response {
        let state = await console.gateway.governanceState
        let binding = Base64URL.encode(SecureRandom.bytes(count: 32))
        let challenge = await console.sessions.newChallenge(binding: binding, now: console.gateway.clock())
        var response = try page(console, status: status, ConsoleSignInPage(
            frame: frame(state, title: "Sign in", session: nil), challenge: Base64URL.encode(challenge),
            sessionMinutes: ConsoleSessions.sessionLifetime / 60_000, notice: notice), template: "sign-in")
        response.setCookie(cookie(signInCookie, binding, maxAge: Int(ConsoleSessions.challengeLifetime / 1000), state))
        return response
    }

    // MARK: Forms

    /// Verifies a passkey sign-in against the governed state's credentials (rpId, origin, UP and
    /// UV, signature, counter) over the one-time challenge this browser was given, and opens a
    /// session bound to that credential.
    static func signIn(_ request: Request, _ console: Console) async throws -> Response {
        let state = await console.gateway.governanceState
        if let refused = refusedOrigin(request, state) { return try await signInPage(console, status: .forbidden, notice: refused) }
        guard let form = await form(request) else { return try await signInPage(console, status: .badRequest, notice: "The form could not be read.") }
        let now = console.gateway.clock()
        guard let encoded = form["challenge"],
              let challenge = await console.sessions.takeChallenge(encoded, binding: request.cookies[signInCookie]?.value ?? "", now: now) else {
            return try await signInPage(console, status: .badRequest, notice: "That sign-in expired or was already used; try again.")
        }
        guard let assertion = assertion(form) else {
            return try await signInPage(console, status: .badRequest, notice: "The browser sent no usable assertion.")
        }
        let holders = state.users.values.filter(\.active).compactMap { user in
            user.credentials.first { $0.credentialId == assertion.credentialId }.map { (user: user.id, credential: $0) }
        }
        guard let holder = holders.first else {
            return try await signInPage(console, status: .unauthorized,
                                        notice: "This credential is not registered to an active person of the cluster.")
        }
        var stored = holder.credential
        stored.signCount = await console.sessions.signCount(of: stored.credentialId, stored: stored.signCount)
        let verified: WebAuthnAssertion.Verified
        do {
            verified = try WebAuthnAssertion.verify(assertion, credential: stored,
                                                    expectedChallenge: ConsoleSessions.signInChallenge(nonce: challenge, genesisDigest: state.genesisDigest),
                                                    relyingParty: state.relyingParty, requireUserVerification: true)
        } catch {
            return try await signInPage(console, status: .unauthorized, notice: "Sign-in refused: \(error.reason)")
        }
        let (id, _) = await console.sessions.open(user: holder.user, credentialId: stored.credentialId,
                                                  signCount: verified.credential.signCount, now: now)
        var response = ConsolePage.redirect(to: "/console/")
        response.setCookie(cookie(sessionCookie, id, maxAge: Int(ConsoleSessions.sessionLifetime / 1000), state))
        response.setCookie(cookie(signInCookie, "", maxAge: 0, state))
        return response
    }

    static func signOut(_ request: Request, _ console: Console) async throws -> Response {
        guard let (id, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        if let refused = try refusal(request, await form(request), console, state, session: session, back: "/console/") { return refused }
        await console.sessions.close(id)
        var response = ConsolePage.redirect(to: "/console/sign-in")
        response.setCookie(cookie(sessionCookie, "", maxAge: 0, state))
        return response
    }

    /// Submits the person's approval or rejection, made in the browser over the challenge the
    /// page derived from the content it displayed, with the session's credential. The gateway
    /// checks it against its copy of the state like any entry; every node checks it again.
    static func decide(_ request: Request, _ console: Console, id: String) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        let back = "/console/operations/\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        guard GovernanceProposal.isValidId(id) else {
            return try message(console, state, session, .badRequest, "Not accepted", "That is not an operation id.", back: "/console/")
        }
        let form = await form(request)
        if let refused = try refusal(request, form, console, state, session: session, back: back) { return refused }
        guard let form, let act = form["act"], act == "approve" || act == "reject", let assertion = assertion(form) else {
            return try message(console, state, session, .badRequest, "Not accepted", "The form carried no approval or rejection.", back: back)
        }
        // The time the page signed and the review it measured, both bound into the challenge.
        guard let timing = timing(form) else {
            return try message(console, state, session, .badRequest, "Not accepted",
                               "The form does not say when it was signed (or its review is no number); reload the page and try again.", back: back)
        }
        let entry: Entry
        do {
            entry = try DecisionMessage(user: session.user, assertion: assertion, timing: timing)
                .entry(operationId: id, approve: act == "approve")
        } catch {
            return try message(console, state, session, .badRequest, "Not accepted", "The assertion does not make an entry: \(error)", back: back)
        }
        return try await submit(entry, console, state, session, assertion: assertion, what: act == "approve" ? "approval" : "rejection",
                                back: back, done: back + "?done=\(act)")
    }

    // MARK: Pieces

    /// The signed-in session the request's cookie names, if it has not expired.
    static func session(_ request: Request, _ console: Console) async -> (id: String, session: ConsoleSession)? {
        guard let id = request.cookies[sessionCookie]?.value, !id.isEmpty,
              let session = await console.sessions.session(id, now: console.gateway.clock()) else { return nil }
        // A session lasts only while its person is active and its credential still theirs: a
        // removal or a revoked credential ends it at the next page (review helper-98 M2).
        guard let user = await console.gateway.governanceState.users[session.user], user.active,
              user.credentials.contains(where: { $0.credentialId == session.credentialId }) else { return nil }
        return (id, session)
    }

    /// Why a session's form POST is refused (another origin, an unreadable body, a wrong or
    /// missing CSRF token), as the page to answer; nil when it may proceed.
    static func refusal(_ request: Request, _ form: ConsoleForm?, _ console: Console, _ state: ReplicatedState,
                        session: ConsoleSession, back: String) throws -> Response? {
        if let refused = refusedOrigin(request, state) {
            return try message(console, state, session, .forbidden, "Not accepted", refused, back: back)
        }
        guard let form, let token = form["csrf"], ConsoleSessions.constantTimeEqual(token, session.csrfToken) else {
            return try message(console, state, session, .forbidden, "Not accepted",
                               "The form does not carry this session's token; reload the page and try again.", back: back)
        }
        return nil
    }

    /// A POST that a browser says comes from another site (`Sec-Fetch-Site`), or whose `Origin`
    /// is none of the relying party's origins, is refused. (With no referrer, browsers send
    /// `Origin: null` for the console's own forms; the session's CSRF token still binds them.)
    static func refusedOrigin(_ request: Request, _ state: ReplicatedState) -> String? {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" {
            return "A form from another site (\(site.printable(limit: 40))) is refused."
        }
        guard let origin = request.headers[.origin], origin != "null", !state.relyingParty.allowedOrigins.contains(origin) else { return nil }
        return "A form from another origin (\(origin.printable(limit: 100))) is refused."
    }

    /// The request's form, or nil when it is too large or malformed. The body can be read once.
    static func form(_ request: Request) async -> ConsoleForm? {
        var request = request
        guard let body = try? await request.collectBody(upTo: ConsoleForm.maximumBody) else { return nil }
        return ConsoleForm(body: Array(body.readableBytesView))
    }

    /// The WebAuthn assertion the page's script put in the form (base64url fields).
    static func assertion(_ form: ConsoleForm) -> WebAuthnAssertion.Response? {
        guard let credentialId = form["credentialId"].flatMap(Base64URL.decode), !credentialId.isEmpty,
              let authenticatorData = form["authenticatorData"].flatMap(Base64URL.decode), !authenticatorData.isEmpty,
              let clientDataJSON = form["clientDataJSON"].flatMap(Base64URL.decode), !clientDataJSON.isEmpty,
              let signature = form["signature"].flatMap(Base64URL.decode), !signature.isEmpty else { return nil }
        let userHandle = form["userHandle"].flatMap { $0.isEmpty ? nil : Base64URL.decode($0) }
        return WebAuthnAssertion.Response(credentialId: credentialId, authenticatorData: authenticatorData,
                                          clientDataJSON: clientDataJSON, signature: signature, userHandle: userHandle)
    }

    static func frame(_ state: ReplicatedState, title: String, session: ConsoleSession?) -> ConsoleFrame {
        ConsoleFrame(title: title, cluster: state.clusterName, genesis: state.genesisDigest.hexString, frozen: state.frozen, height: state.height,
                     signedInUser: session?.user, sessionToken: session?.csrfToken,
                     mayFreeze: !state.frozen && session.map { state.isSecurityOfficer($0.user) } == true)
    }

    static func frame(_ console: Console, title: String, session: ConsoleSession?) async -> ConsoleFrame {
        frame(await console.gateway.governanceState, title: title, session: session)
    }

    static func message(_ console: Console, _ state: ReplicatedState, _ session: ConsoleSession?, _ status: HTTPResponse.Status,
                        _ heading: String, _ text: String, back: String) throws -> Response {
        try page(console, status: status, ConsoleMessagePage(
            frame: frame(state, title: heading, session: session), heading: heading, message: text, back: back), template: "message")
    }

    /// `object` rendered with `template`; 503 when the console's resources are missing.
    static func page(_ console: Console, status: HTTPResponse.Status, _ object: Any, template: String) throws -> Response {
        guard let html = console.render(object, template: template) else {
            throw GatewayProblem(.serviceUnavailable, code: "console.unavailable", title: "Console unavailable",
                                 detail: "the console's templates are missing from this installation")
        }
        return ConsolePage.html(status, html)
    }

    /// A console cookie: HTTP only, SameSite=Strict, path /console, Secure when every origin is HTTPS.
    static func cookie(_ name: String, _ value: String, maxAge: Int, _ state: ReplicatedState) -> Cookie {
        let secure = state.relyingParty.allowedOrigins.allSatisfy { $0.hasPrefix("https://") }
        return Cookie(name: name, value: value, maxAge: maxAge, path: "/console", secure: secure, httpOnly: true, sameSite: .strict)
    }
}
