import CustosState

/// An address of a vault as `GET /v1/vaults/{id}/addresses` and `custos vault address list`
/// show it: the vault key's own address in each format of its scheme (no label, path `m`, no
/// operation), then every address recorded by `add-vault-address`, in the order added.
public struct VaultAddressView: Codable, Sendable, Equatable {
    /// Nil for the vault key's own address.
    public var label: String?
    public var chain: String
    /// BIP-32 notation: `m` for the vault key, `m/0/5` below it.
    public var path: String
    public var address: String
    /// The operation that recorded it, with the block time and height at which it executed.
    public var operationId: String?
    public var createdAt: UInt64?
    public var createdHeight: UInt64?

    public init(_ a: VaultAddress) {
        label = a.label
        chain = a.chain.rawValue
        path = VaultAddress.pathDescription(a.path)
        address = a.address
        operationId = a.operationId
        createdAt = a.createdAt
        createdHeight = a.createdHeight
    }

    /// The vault key's own address on `chain`.
    public init(root address: String, chain: VaultAddress.Chain) {
        label = nil
        self.chain = chain.rawValue
        path = VaultAddress.pathDescription([])
        self.address = address
    }

    /// Every address of `vault`: its root addresses, then the recorded ones.
    public static func all(_ vault: Vault) -> [VaultAddressView] {
        vault.rootAddresses.map { VaultAddressView(root: $0.address, chain: $0.chain) } + vault.addresses.map(VaultAddressView.init)
    }
}
