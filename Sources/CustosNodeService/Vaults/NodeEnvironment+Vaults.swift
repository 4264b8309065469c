import CustosNode
import CustosPolicy
import CustosState

extension NodeEnvironment {
    /// Whether a node of this environment may hold a share of a vault of `vault`'s: a production
    /// node only production vaults, a development node only staging and development ones.
    package func mayHold(_ vault: Vault.Environment) -> Bool {
        switch self {
        case .production: return vault == .production
        case .development: return vault != .production
        }
    }
}
