import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import Foundation
import HTTPTypes
import Hummingbird

/// Enrolment of a new credential (issue #12 item 1, issue #13 item 3): the person makes a
/// one-time code in their own browser (the page's script; the console never sees it) and hands
/// its key to a signed-in person, who prepares and proposes the enrolment operation
/// (`enrolCredential`, naming the key), signing what the page shows. Once the quorum approved
/// it, the person registers a passkey or security key in their browser over a challenge the
/// page derives from this cluster, the enrolment, the person and the code key; the script signs
/// the registration with the code, and the console queues their `governance.enrol` entry: the
/// credential is theirs once every node checked it. Nobody registers a credential for someone
/// else, and a gateway that relays the registration cannot register one of its own instead.
extension ConsoleRoutes {
    static let enrolmentLifetimeSeconds: UInt32 = 24 * 3600

    static func addEnrolment<Context: GatewayContext>(to router: some RouterMethods<Context>, console: Console) {
        router.post("/console/enrolments") { request, _ in try await invite(request, console) }
        router.get("/console/enrol") { _, _ in try await enrolPage(console, status: .ok, enrolment: nil, notice: nil) }
        router.post("/console/enrol") { request, _ in try await enrolWithKey(request, console) }
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
        guard let key = form?["key"].flatMap({ try? [UInt8](hex: $0.trimmingCharacters(in: .whitespaces)) }), key.count == 32 else {
            return try message(console, state, session, .unprocessableContent, "Not accepted",
                               "The code key is the 64 hex digits the person's enrolment page (or `custos op enrolment-code`) showed them.",
                               back: "/console/")
        }
        let enrolment = await console.enrolments.invite(user: person.id, codeKey: key, invitedBy: session.user, now: console.gateway.clock())
        return try page(console, status: .ok, ConsoleInvitedPage(
            frame: frame(state, title: "Enrolment", session: session), user: person.id, codeKey: key.hexString,
            operationId: enrolment.operationId), template: "invited")
    }

    static func enrolPage(_ console: Console, status: HTTPResponse.Status, enrolment: CredentialEnrolment?,
                          notice: String?) async throws -> Response {
        let state = await console.gateway.governanceState
        let fields = enrolment.map {
            GovernanceProposal.consoleRegistrationFields(genesisDigest: state.genesisDigest, enrolmentId: $0.id, user: $0.user,
                                                         codeKey: $0.codeKey)
        } ?? []
        return try page(console, status: status, ConsoleEnrolPage(
            frame: frame(state, title: "Enrol a security key", session: nil), hasInvitation: enrolment != nil,
            enrolmentId: enrolment?.id ?? "", user: enrolment?.user ?? "", fields: fields,
            attestation: state.relyingParty.mode == .production ? "direct" : "none", notice: notice), template: "enrol")
    }

    /// The enrolment the committed state takes a registration under for `codeKey` now, or why none.
    static func approvedEnrolment(codeKey: [UInt8], _ state: ReplicatedState, _ console: Console) async -> Result<CredentialEnrolment, EnrolmentNotice> {
        let named = state.enrolments.values.filter { $0.codeKey == codeKey }
        if let open = named.first(where: { $0.usedAt == nil && state.time < $0.expiresAt }) { return .success(open) }
        if !named.isEmpty { return .failure(EnrolmentNotice("That code's enrolment was used or expired; make a new code and ask for a new enrolment.")) }
        let pending = state.operations.values.contains { operation in
            guard operation.isOpen, case .enrolCredential(_, let key, _) = operation.proposal.change else { return false }
            return key == codeKey
        }
        let waiting = await console.enrolments.isWaiting(codeKey: codeKey, now: console.gateway.clock())
        if pending || waiting {
            return .failure(EnrolmentNotice("The quorum has not approved this enrolment yet; try again once it has."))
        }
        return .failure(EnrolmentNotice("No enrolment names that code: it is unknown, already used or expired; check it, or make a new one."))
    }

    struct EnrolmentNotice: Error { let text: String; init(_ text: String) { self.text = text } }

    static func enrolWithKey(_ request: Request, _ console: Console) async throws -> Response {
        let state = await console.gateway.governanceState
        if let refused = refusedOrigin(request, state) { return try await enrolPage(console, status: .forbidden, enrolment: nil, notice: refused) }
        guard let key = await form(request)?["key"].flatMap({ try? [UInt8](hex: $0) }), key.count == 32 else {
            return try await enrolPage(console, status: .badRequest, enrolment: nil, notice: "The page sent no code key; enter your code again.")
        }
        switch await approvedEnrolment(codeKey: key, state, console) {
        case .success(let enrolment): return try await enrolPage(console, status: .ok, enrolment: enrolment, notice: nil)
        case .failure(let notice): return try await enrolPage(console, status: .conflict, enrolment: nil, notice: notice.text)
        }
    }

    /// Checks the registration as every node will (rpId, origin, flags, attestation, challenge
    /// bound to the enrolment and its code key, the code key's proof) and queues the person's
    /// `governance.enrol` entry.
    static func register(_ request: Request, _ console: Console) async throws -> Response {
        let state = await console.gateway.governanceState
        if let refused = refusedOrigin(request, state) { return try await enrolPage(console, status: .forbidden, enrolment: nil, notice: refused) }
        guard let form = await form(request), let id = form["enrolment"], let enrolment = state.enrolments[id],
              enrolment.usedAt == nil, state.time < enrolment.expiresAt else {
            return try await enrolPage(console, status: .conflict, enrolment: nil,
                                       notice: "That enrolment is unknown, already used or expired; ask for a new one.")
        }
        guard let credentialId = form["credentialId"].flatMap(Base64URL.decode), !credentialId.isEmpty,
              let attestationObject = form["attestationObject"].flatMap(Base64URL.decode),
              let clientDataJSON = form["clientDataJSON"].flatMap(Base64URL.decode),
              let proof = form["proof"].flatMap(Base64URL.decode) else {
            return try await enrolPage(console, status: .badRequest, enrolment: enrolment, notice: "The browser sent no signed registration.")
        }
        let registration = WebAuthnRegistration.Response(credentialId: credentialId, attestationObject: attestationObject,
                                                         clientDataJSON: clientDataJSON)
        guard enrolment.isProof(proof, of: registration) else {
            return try await enrolPage(console, status: .unprocessableContent, enrolment: enrolment,
                                       notice: "Registration refused: it is not signed with the code this enrolment names.")
        }
        do {
            _ = try WebAuthnRegistration.verify(
                registration, expectedChallenge: CredentialEnrolment.registrationChallenge(
                    genesisDigest: state.genesisDigest, enrolmentId: enrolment.id, user: enrolment.user, codeKey: enrolment.codeKey),
                relyingParty: state.relyingParty, requireUserVerification: state.requireUserVerification,
                attestationRoots: state.attestationRoots, at: state.time)
        } catch {
            return try await enrolPage(console, status: .unprocessableContent, enrolment: enrolment,
                                       notice: "Registration refused: \(error.reason)")
        }
        let entry: Entry
        do {
            entry = try GovernanceEntry.enrol(enrolmentId: enrolment.id, user: enrolment.user, proof: proof, registration: registration).entry()
            _ = try await GatewayRoutes.submit(entry, to: console.gateway)
        } catch let problem as GatewayProblem {
            return try await enrolPage(console, status: problem.status, enrolment: nil, notice: "The gateway refused your registration: \(problem.problem.detail)")
        }
        return try page(console, status: .ok, ConsoleMessagePage(
            frame: frame(state, title: "Registered", session: nil), heading: "Registered",
            message: "Your security key is registered for \(enrolment.user) under enrolment \(enrolment.id). "
                + "It works once every node has checked it in a committed block.", back: "/console/sign-in"), template: "message")
    }

    /// The enrolment operation the signed-in person proposes for an invitation.
    static func proposal(_ enrolment: ConsoleEnrolment, proposer: String) -> GovernanceProposal {
        GovernanceProposal(id: enrolment.operationId, proposer: proposer,
                           change: .enrolCredential(user: enrolment.user, codeKey: enrolment.codeKey, validSeconds: enrolmentLifetimeSeconds),
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
            frame: frame(state, title: "Propose a credential", session: session), operationId: enrolment.operationId,
            heading: "Propose the credential of \(enrolment.user)", summary: proposal.change.summary, consequence: nil,
            fields: console.gateway.armedFaults.displaying(proposal.consoleFields),
            action: "/console/enrolments/\(enrolment.operationId)/proposal",
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
