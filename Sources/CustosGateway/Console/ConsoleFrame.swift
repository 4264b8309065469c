/// What every console page shows around its content: the cluster, whether signing is frozen
/// (always visible), who is signed in, and the session's form token.
struct ConsoleFrame: Sendable {
    let title: String
    let cluster: String
    let frozen: Bool
    let height: UInt64
    let user: String?
    let csrf: String?
}
