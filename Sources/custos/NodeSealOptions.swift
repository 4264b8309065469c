import ArgumentParser
import CustosCore
import CustosCrypto
import CustosLedger
import CustosNode

/// How the operator opens a node's sealed keys: the PIN of its PKCS#11 token, or on a
/// development node the passphrase. Which one a node takes is in its `node.json`; giving the
/// other is refused.
struct NodeSealOptions: ParsableArguments {
    @Option(help: "A file holding the PIN of the node's PKCS#11 token.") var pinFile: String?
    @Option(help: "DEVELOPMENT ONLY: a file holding the passphrase that seals the node's keys.")
    var passphraseFile: String?

    /// The credential from exactly one of `--pin-file` and `--passphrase-file`.
    func credential() throws -> NodeSeal.Credential {
        switch (pinFile, passphraseFile) {
        case (let pin?, nil): return .pin(try readPassphrase(pin, what: "PIN"))
        case (nil, let passphrase?): return .passphrase(try readPassphrase(passphrase))
        case (nil, nil): fail("give --pin-file (a node sealed by a PKCS#11 token) or --passphrase-file (a development node)")
        case (_?, _?): fail("give either --pin-file or --passphrase-file, not both")
        }
    }

    /// Opens the node in `data`, checking that `id`, when given, is the node's configured id.
    func open(data: String, id: String?) throws -> (NodeKeys, NodeIdentity) {
        let credential = try credential()
        let keys: NodeKeys
        do { keys = try NodeKeys.open(dataFolder: data, credential: credential) } catch { fail(error.reason) }
        if let id, id != keys.configuration.id {
            fail("--id \(id) does not match this data folder's node \(keys.configuration.id)")
        }
        let nodeID: NodeID
        do { nodeID = try NodeID(keys.configuration.id) } catch { fail("node.json: \(error.reason)") }
        return (keys, NodeIdentity(id: nodeID, signingKey: keys.signingKey, transportKey: keys.transportKey))
    }
}
