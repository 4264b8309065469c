import CustosPolicy

/// The environment a `clear-watch-flag` change names (review of fin14 L3): its target may begin
/// with `production:`, `staging:` or `development:`, and then clears that environment's watch
/// room alone. One that names none clears the one room where it clears something, and is refused
/// when it would clear in more than one: a development false positive must never clear a
/// production flag unnoticed.
extension WatchClearance {
    /// The longest target a change carries: an environment, and `reporter:` with a 64-character bot id.
    public static let maximumTargetBytes = 85

    /// Reads a change's target: the environment it names, if any, and the clearance
    /// (`invalidChange` naming what is wrong).
    public static func scoped(_ target: String) throws(GovernanceError) -> (environment: DeploymentEnvironment?, clearance: WatchClearance) {
        for environment in DeploymentEnvironment.allCases where target.hasPrefix(environment.rawValue + ":") {
            return (environment, try WatchClearance(String(target.dropFirst(environment.rawValue.count + 1))))
        }
        return (nil, try WatchClearance(target))
    }

    /// A change's target in words, for the people approving it, with the room it clears; nil when
    /// it names no clearance.
    public static func words(of target: String) -> String? {
        guard let (environment, clearance) = try? scoped(target) else { return nil }
        return clearance.words + (environment.map { " in the \($0.rawValue) watch room only" } ?? " in the one watch room that holds it")
    }
}
