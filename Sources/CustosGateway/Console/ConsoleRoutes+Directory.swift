import CustosCore
import CustosState
import Hummingbird

/// The governance directory (issue #12 item 4): people, roles, credentials, bots, signer nodes
/// and the address book as the committed state holds them, read-only, for signed-in people;
/// each page lists the open operations that would change what it shows.
extension ConsoleRoutes {
    static func addDirectory<Context: GatewayContext>(to router: some RouterMethods<Context>, console: Console) {
        router.get("/console/directory") { request, _ in
            guard await session(request, console) != nil else { return ConsolePage.redirect(to: "/console/sign-in") }
            return ConsolePage.redirect(to: "/console/directory/\(ConsoleDirectorySection.users.rawValue)")
        }
        router.get("/console/directory/{section}") { request, context in
            try await directory(request, console, section: try GatewayRoutes.pathParameter("section", context))
        }
    }

    static func directory(_ request: Request, _ console: Console, section name: String) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let state = await console.gateway.governanceState
        guard let section = ConsoleDirectorySection(rawValue: name) else {
            return try message(console, state, session, .notFound, "Not found",
                               "The directory has no page \"\(name.printable(limit: 64))\".", back: "/console/directory")
        }
        let (note, columns, rows) = ConsoleDirectoryPage.table(section, in: state)
        let pending = state.operations.values.filter { $0.isOpen && section.isTouched(by: $0.proposal.change) }
            .sorted { ($0.proposedAt, $0.id) < ($1.proposedAt, $1.id) }
            .map { ConsoleInboxItem($0, in: state, viewer: session.user) }
        return try page(console, status: .ok, ConsoleDirectoryPage(
            frame: frame(state, title: section.title, session: session), section: section, note: note, columns: columns, rows: rows,
            pending: pending), template: "directory")
    }
}
