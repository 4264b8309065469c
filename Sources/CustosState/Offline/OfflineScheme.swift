import CustosCore
import CustosCrypto
import CustosMPC

/// The FROST suite behind each vault scheme an offline signer can take part in, and the checks of
/// its public values that the offline formats need. Pure.
enum OfflineScheme {
    /// The scheme's suite, or `offlineRefused` for a scheme that takes no offline share (ECDSA).
    static func require(_ scheme: Vault.Scheme) throws(GovernanceError) {
        guard scheme != .ecdsaSecp256k1 else {
            throw GovernanceError(.offlineRefused, "an offline share needs a FROST vault (frost-ed25519 or frost-taproot), not \(scheme.rawValue)")
        }
    }

    /// Whether `Suite` is the suite of `scheme`.
    static func matches<Suite: Ciphersuite>(_: Suite.Type, _ scheme: Vault.Scheme) -> Bool {
        switch scheme {
        case .frostEd25519: Suite.self == Ed25519SHA512.self
        case .frostTaproot: Suite.self == Secp256k1TaprootSHA256.self
        case .ecdsaSecp256k1: false
        }
    }

    static func requireSuite<Suite: Ciphersuite>(_: Suite.Type, _ scheme: Vault.Scheme) throws(GovernanceError) {
        guard matches(Suite.self, scheme) else {
            throw GovernanceError(.offlineRefused, "\(Suite.name) is not the suite of a \(scheme.rawValue) vault")
        }
    }
}
