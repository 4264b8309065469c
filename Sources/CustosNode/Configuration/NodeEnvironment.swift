/// What a node is for. A production node seals its secrets in a PKCS#11 token only and takes
/// part only in production vaults; a development node may seal under a passphrase and takes part
/// only in development vaults.
public enum NodeEnvironment: String, Codable, Sendable, CaseIterable {
    case production
    case development
}
