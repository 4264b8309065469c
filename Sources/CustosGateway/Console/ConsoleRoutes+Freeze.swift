import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosState
import Hummingbird

/// The Freeze button (issue #12 item 4): a person holding one of the policy's freeze roles
/// confirms on one page exactly the `freeze` operation they propose (its every field, the digest
/// their browser computes from them) and signs it with one assertion. The nodes apply the policy
/// as for any proposal: a security officer's freeze executes at once where the policy says so.
/// Nobody else gets the page or may post it.
extension ConsoleRoutes {
    /// How long a freeze proposal waits for approvals where the policy asks for any.
    static let freezeLifetimeSeconds: UInt32 = 3600
    static let freezeIdPrefix = "freeze-"

    static func addFreeze<Context: GatewayContext>(to router: some RouterMethods<Context>, console: Console) {
        router.get("/console/freeze") { request, _ in try await freezePage(request, console) }
        router.post("/console/freeze") { request, _ in try await freeze(request, console) }
    }

    /// The freeze operation `proposer` proposes under `id`.
    static func freezeProposal(id: String, proposer: String) -> GovernanceProposal {
        GovernanceProposal(id: id, proposer: proposer, change: .freeze, lifetimeSeconds: freezeLifetimeSeconds)
    }

    static func notAnOfficer(_ console: Console, _ state: ReplicatedState, _ session: ConsoleSession) throws -> Response {
        let officers = state.freezeRoles
        return try message(console, state, session, .forbidden, "Not permitted",
                           "Only holders of \(officers.isEmpty ? "a freeze role (the policy names none)" : officers.joined(separator: ", ")) may freeze signing from the console.",
                           back: "/console/")
    }

    static func freezePage(_ request: Request, _ console: Console) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        guard state.isSecurityOfficer(session.user) else { return try notAnOfficer(console, state, session) }
        guard !state.frozen else {
            return try message(console, state, session, .conflict, "Already frozen", "Signing is already frozen; unfreezing needs the quorum.", back: "/console/")
        }
        let id = freezeIdPrefix + SecureRandom.bytes(count: 8).hexString
        let proposal = freezeProposal(id: id, proposer: session.user)
        return try page(console, status: .ok, freezeConfirmation(state, session, proposal, console), template: "propose")
    }

    /// The confirmation page of `proposal`: every field the browser signs, what freezing means.
    static func freezeConfirmation(_ state: ReplicatedState, _ session: ConsoleSession, _ proposal: GovernanceProposal,
                                   _ console: Console) -> ConsoleProposePage {
        ConsoleProposePage(
            frame: frame(state, title: "Freeze signing", session: session), operationId: proposal.id, heading: "Freeze all signing",
            summary: proposal.change.summary,
            consequence: "Once every node applies it, no node signs anything for any vault until the quorum approves an unfreeze. "
                + "Proposals and approvals go on; signing does not.",
            fields: console.gateway.armedFaults.displaying(proposal.consoleFields), action: "/console/freeze",
            credentialId: Base64URL.encode(session.credentialId), csrf: session.csrfToken)
    }

    static func freeze(_ request: Request, _ console: Console) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        let form = await form(request)
        if let refused = try refusal(request, form, console, state, session: session, back: "/console/freeze") { return refused }
        guard state.isSecurityOfficer(session.user) else { return try notAnOfficer(console, state, session) }
        guard let form, let id = form["operation"], id.hasPrefix(freezeIdPrefix), GovernanceProposal.isValidId(id) else {
            return try message(console, state, session, .badRequest, "Not accepted", "The form names no freeze operation; open the Freeze page again.",
                               back: "/console/freeze")
        }
        guard form["act"] == "propose", let assertion = assertion(form) else {
            return try message(console, state, session, .badRequest, "Not accepted", "The form carried no signed proposal.", back: "/console/freeze")
        }
        let entry: Entry
        do { entry = try ProposeMessage(proposal: freezeProposal(id: id, proposer: session.user), assertion: assertion).entry() } catch {
            return try message(console, state, session, .badRequest, "Not accepted", "The assertion does not make an entry: \(error)", back: "/console/freeze")
        }
        return try await submit(entry, console, state, session, assertion: assertion, what: "freeze", back: "/console/freeze",
                                done: "/console/?proposed=\(id)")
    }
}
