import CustosCore
import CustosLedger

extension ReplicatedState {
    /// The first state of a cluster whose configuration carries this module's genesis document
    /// (`ClusterConfiguration.genesisDocument` holds `GenesisDocument.encoded`), checked in full.
    public init(cluster configuration: ClusterConfiguration) throws(GovernanceError) {
        let genesis = try GenesisDocument(encoded: configuration.genesisDocument)
        guard genesis.clusterName == configuration.name else {
            throw GovernanceError(
                .invalidGenesis, "the genesis document names cluster \"\(genesis.clusterName)\", the configuration \"\(configuration.name)\"")
        }
        try self.init(genesis: genesis)
    }
}
