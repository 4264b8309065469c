import CustosClusterAPI
import CustosCore

extension OperationCommand.Connection {
    /// The cluster the gateway serves and its genesis document digest, which everything a person
    /// or a bot signs binds. A gateway that names another cluster than `--genesis`, or than the
    /// one the signing credential or bot key file was made for (`pinned`, the file's `cluster`),
    /// ends the command before anything is signed: a staging gateway cannot have a key that is
    /// registered in both environments sign for production. With neither, a lying gateway can
    /// only make the signature worthless, since every node checks the digest against its own.
    func cluster(_ call: GatewayCall, pinned: String?, in file: String) async throws -> (view: ClusterView, genesis: [UInt8]) {
        let view: ClusterView = try await call.get("/v1/cluster")
        let genesis: [UInt8]
        do { genesis = try [UInt8](hex: view.genesisDocumentDigest) } catch { fail("the gateway's genesis document digest is not hex") }
        guard genesis.count == 32 else { fail("the gateway's genesis document digest is not 32 bytes") }
        if let expected = self.genesis, expected.lowercased() != genesis.hexString {
            fail("the gateway serves the cluster with genesis document digest \(genesis.hexString), not the \(printable(expected)) you expect: refusing to sign")
        }
        if let pinned, pinned.lowercased() != genesis.hexString {
            fail("the gateway serves the cluster with genesis document digest \(genesis.hexString), but \(file) was made for \(printable(pinned)): refusing to sign")
        }
        return (view, genesis)
    }
}
