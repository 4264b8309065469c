/// The one bound tests derive their waits for other processes from (a cluster committing, a node
/// exiting, a server coming up). Generous on purpose: on two cores shared by several builders a
/// process can be starved for tens of seconds, and a wait that runs out must mean "it never
/// happened", never "it was slow". No test asserts that something happened *within* a time; a
/// wait that runs out fails with what it last saw.
public enum TestPatience {
    /// How long a test waits for one thing another process does when it works.
    public static let standard: Duration = .seconds(60)

    /// `standard` in whole seconds, for helpers that take seconds.
    public static var seconds: Int { Int(standard.components.seconds) }

    /// `factor` times `standard`, for waits that span several such steps (a key ceremony, a
    /// cluster's restart).
    public static func times(_ factor: Int) -> Duration { standard * factor }
}
