/// What every console page shows around its content: the cluster, whether signing is frozen
/// (always visible), who is signed in, the session's form token, and whether they may freeze.
struct ConsoleFrame: Sendable {
    let title: String
    let cluster: String
    /// The cluster's genesis digest, hex: every approval's challenge binds it.
    let genesis: String
    let frozen: Bool
    let height: UInt64
    /// Named apart from every page's fields: a template that finds no value in the frame looks
    /// in the page, and a page's `user` must never read as the signed-in person.
    let signedInUser: String?
    let sessionToken: String?
    /// The signed-in person holds one of the policy's freeze roles and signing is not frozen:
    /// the header offers the Freeze button (`ConsoleRoutes+Freeze`).
    let mayFreeze: Bool
}
