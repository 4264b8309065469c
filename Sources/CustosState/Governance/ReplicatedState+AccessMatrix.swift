import CustosCore
import CustosPolicy

extension ReplicatedState {
    /// Who may propose, approve, freeze, initiate and approve what under the policy in force,
    /// with the people and bots of the registries (`CompiledPolicy.accessMatrix`), each vault
    /// titled with its environment.
    public var accessMatrix: AccessMatrix {
        policy.accessMatrix(environments: vaults.mapValues(\.environment), acting: acting)
    }

    /// The most cells a draft's matrix may have (`accessMatrix(yaml:)`).
    public static let maximumAccessMatrixCells = 50_000

    /// The principals that can act: active registered people and bots. A principal the policy
    /// names that the registries lack, or that was removed, gets an empty row.
    var acting: Set<String> {
        Set(users.values.filter(\.active).map(\.id)).union(bots.values.filter(\.active).map(\.id))
    }

    /// The access matrix `yaml` would give: the document compiled with the registries in force,
    /// as a `change-policy` operation compiles it (without its version and governability
    /// checks, so that the policy in force and a draft compare alike). Throws why it does not
    /// compile. With the document's version.
    public func accessMatrix(yaml: String) throws(GovernanceError) -> (version: Int, matrix: AccessMatrix) {
        let document = try Self.decode(yaml: yaml)
        let compiled = try Self.compiledWithRegistries(document, users: users, bots: bots)
        // Sized before it is computed: a draft is anyone's to post (review helper-99 H2).
        guard compiled.accessMatrixCells <= Self.maximumAccessMatrixCells else {
            throw GovernanceError(.invalidPolicy, "its access matrix would have \(compiled.accessMatrixCells) cells, more than \(Self.maximumAccessMatrixCells)")
        }
        return (document.version, compiled.accessMatrix(environments: vaults.mapValues(\.environment), acting: acting))
    }
}
