import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import Foundation
import HTTPTypes
import Hummingbird

/// Enrolment of a new credential (issue #12 item 1, issue #13 item 3): a signed-in person makes a
/// one-time code for someone of the governed state and proposes the enrolment operation
/// (`enrolCredential`, naming the code's digest), signing what the page shows; once the quorum
/// approved it, the person registers a passkey or security key in their browser with the code,
/// over a challenge the page derives from this cluster, the enrolment, the person and the code,
/// and the console queues their `governance.enrol` entry: the credential is theirs once every
/// node checked it. Nobody registers a credential for someone else.
extension ConsoleRoutes {
    static let enrolmentLifetimeSeconds: UInt32 = 24 * 3600

    static func addEnrolment<Context: GatewayContext>(to router: some RouterMethods<Context>, console: Console) {
        router.post("/console/enrolments") { request, _ in try await invite(request, console) }
        router.get("/console/enrol") { _, _ in try await enrolPage(console, status: .ok, invitation: nil, notice: nil) }
        router.post("/console/enrol") { request, _ in try await enrolWithCode(request, console) }
        router.post("/console/enrol/registration") { request, _ in try await register(request, console) }
        router.get("/console/enrolments/{id}") { request, context in
            try await proposalPage(request, console, id: try GatewayRoutes.pathParameter("id", context))
        }
        router.post("/console/enrolments/{id}/proposal") { request, context in
            try await propose(request, console, id: try GatewayRoutes.pathParameter("id", context))
        }
    }

    static func invite(_ request: Request, _ console: Console) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        let form = await form(request)
        if let refused = try refusal(request, form, console, state, session: session, back: "/console/") { return refused }
        guard let user = form?["user"], let person = state.users[user], person.active else {
            return try message(console, state, session, .unprocessableContent, "Not accepted",
                               "\"\((form?["user"] ?? "").printable(limit: 64))\" is not an active person of the cluster.", back: "/console/")
        }
        let (code, enrolment) = await console.enrolments.invite(user: person.id, invitedBy: session.user, now: console.gateway.clock())
        return try page(console, status: .ok, ConsoleInvitedPage(
            frame: frame(state, title: "Enrolment code", session: session), user: person.id, code: code,
            operationId: enrolment.operationId), template: "invited")
    }

    static func enrolPage(_ console: Console, status: HTTPResponse.Status, invitation: (code: String, ConsoleEnrolment)?,
                          notice: String?) async throws -> Response {
        let state = await console.gateway.governanceState
        let fields = invitation.map {
            GovernanceProposal.consoleRegistrationFields(genesisDigest: state.genesisDigest, enrolmentId: $0.1.operationId,
                                                         user: $0.1.user, code: Array($0.code.utf8))
        } ?? []
        return try page(console, status: status, ConsoleEnrolPage(
            frame: frame(state, title: "Enrol a security key", session: nil), hasInvitation: invitation != nil,
            code: invitation?.code ?? "", user: invitation?.1.user ?? "", fields: fields,
            attestation: state.relyingParty.mode == .production ? "direct" : "none", notice: notice), template: "enrol")
    }

    /// Why the committed state does not (yet) take a registration under `enrolment`; nil when it does.
    static func unapproved(_ enrolment: ConsoleEnrolment, _ state: ReplicatedState) -> String? {
        guard let approved = state.enrolments[enrolment.operationId], approved.user == enrolment.user,
              approved.codeDigest == enrolment.codeDigest else {
            return "The quorum has not approved this enrolment yet; try again once it has."
        }
        guard approved.usedAt == nil, state.time < approved.expiresAt else { return "That enrolment was used or expired; ask for a new one." }
        return nil
    }

    static func enrolWithCode(_ request: Request, _ console: Console) async throws -> Response {
        let state = await console.gateway.governanceState
        if let refused = refusedOrigin(request, state) { return try await enrolPage(console, status: .forbidden, invitation: nil, notice: refused) }
        guard let code = await form(request)?["code"]?.trimmingCharacters(in: .whitespaces),
              let enrolment = await console.enrolments.invitation(code, now: console.gateway.clock()) else {
            return try await enrolPage(console, status: .unauthorized, invitation: nil,
                                       notice: "That code is unknown, already used or expired; ask for a new one.")
        }
        if let notYet = unapproved(enrolment, state) { return try await enrolPage(console, status: .conflict, invitation: nil, notice: notYet) }
        return try await enrolPage(console, status: .ok, invitation: (code, enrolment), notice: nil)
    }

    /// Checks the registration as every node will (rpId, origin, flags, attestation, challenge
    /// bound to the enrolment and the code), spends the code on it, and queues the person's
    /// `governance.enrol` entry.
    static func register(_ request: Request, _ console: Console) async throws -> Response {
        let state = await console.gateway.governanceState
        if let refused = refusedOrigin(request, state) { return try await enrolPage(console, status: .forbidden, invitation: nil, notice: refused) }
        let now = console.gateway.clock()
        guard let form = await form(request), let code = form["code"], let enrolment = await console.enrolments.invitation(code, now: now) else {
            return try await enrolPage(console, status: .unauthorized, invitation: nil,
                                       notice: "That code is unknown, already used or expired; ask for a new one.")
        }
        if let notYet = unapproved(enrolment, state) { return try await enrolPage(console, status: .conflict, invitation: nil, notice: notYet) }
        guard let credentialId = form["credentialId"].flatMap(Base64URL.decode), !credentialId.isEmpty,
              let attestationObject = form["attestationObject"].flatMap(Base64URL.decode),
              let clientDataJSON = form["clientDataJSON"].flatMap(Base64URL.decode) else {
            return try await enrolPage(console, status: .badRequest, invitation: (code, enrolment), notice: "The browser sent no registration.")
        }
        let registration = WebAuthnRegistration.Response(credentialId: credentialId, attestationObject: attestationObject,
                                                         clientDataJSON: clientDataJSON)
        do {
            _ = try WebAuthnRegistration.verify(
                registration, expectedChallenge: CredentialEnrolment.registrationChallenge(
                    genesisDigest: state.genesisDigest, enrolmentId: enrolment.operationId, user: enrolment.user, code: Array(code.utf8)),
                relyingParty: state.relyingParty, requireUserVerification: state.requireUserVerification,
                attestationRoots: state.attestationRoots, at: state.time)
        } catch {
            return try await enrolPage(console, status: .unprocessableContent, invitation: (code, enrolment),
                                       notice: "Registration refused: \(error.reason)")
        }
        guard await console.enrolments.spend(code, now: now) != nil else {
            return try await enrolPage(console, status: .unauthorized, invitation: nil, notice: "That code was used meanwhile.")
        }
        let entry: Entry
        do {
            entry = try GovernanceEntry.enrol(enrolmentId: enrolment.operationId, user: enrolment.user, code: Array(code.utf8),
                                              registration: registration).entry()
            _ = try await GatewayRoutes.submit(entry, to: console.gateway)
        } catch let problem as GatewayProblem {
            return try await enrolPage(console, status: problem.status, invitation: nil, notice: "The gateway refused your registration: \(problem.problem.detail)")
        }
        return try page(console, status: .ok, ConsoleMessagePage(
            frame: frame(state, title: "Registered", session: nil), heading: "Registered",
            message: "Your security key is registered for \(enrolment.user) under enrolment \(enrolment.operationId). "
                + "It works once every node has checked it in a committed block.", back: "/console/sign-in"), template: "message")
    }

    /// The enrolment operation the signed-in person proposes for an invitation.
    static func proposal(_ enrolment: ConsoleEnrolment, proposer: String) -> GovernanceProposal {
        GovernanceProposal(id: enrolment.operationId, proposer: proposer,
                           change: .enrolCredential(user: enrolment.user, codeDigest: enrolment.codeDigest, validSeconds: enrolmentLifetimeSeconds),
                           lifetimeSeconds: enrolmentLifetimeSeconds)
    }

    static func proposalPage(_ request: Request, _ console: Console, id: String) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        guard let enrolment = await console.enrolments.waiting(id, now: console.gateway.clock()) else {
            return try message(console, state, session, .notFound, "No such enrolment", "No enrolment waits to be proposed under that id.", back: "/console/")
        }
        let proposal = proposal(enrolment, proposer: session.user)
        return try page(console, status: .ok, ConsoleProposePage(
            frame: frame(state, title: "Propose a credential", session: session), operationId: enrolment.operationId, user: enrolment.user,
            summary: proposal.change.summary, fields: console.gateway.armedFaults.displaying(proposal.consoleFields),
            credentialId: Base64URL.encode(session.credentialId), csrf: session.csrfToken), template: "propose")
    }

    static func propose(_ request: Request, _ console: Console, id: String) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        let back = "/console/"
        let form = await form(request)
        if let refused = try refusal(request, form, console, state, session: session, back: back) { return refused }
        guard let enrolment = await console.enrolments.waiting(id, now: console.gateway.clock()) else {
            return try message(console, state, session, .notFound, "No such enrolment", "No enrolment waits to be proposed under that id.", back: back)
        }
        let proposal = proposal(enrolment, proposer: session.user)
        guard let form, form["act"] == "propose", let assertion = assertion(form), assertion.credentialId == session.credentialId else {
            return try message(console, state, session, .badRequest, "Not accepted",
                               "The form carried no proposal signed with the credential you signed in with.", back: back)
        }
        let entry: Entry
        do { entry = try ProposeMessage(proposal: proposal, assertion: assertion).entry() } catch {
            return try message(console, state, session, .badRequest, "Not accepted", "The assertion does not make an entry: \(error)", back: back)
        }
        do { _ = try await GatewayRoutes.submit(entry, to: console.gateway) } catch let problem as GatewayProblem {
            return try message(console, state, session, problem.status, "Not accepted",
                               "The gateway refused your proposal: \(problem.problem.detail)", back: back)
        }
        await console.enrolments.proposed(id)
        return ConsolePage.redirect(to: "/console/?proposed=\(id)")
    }
}
