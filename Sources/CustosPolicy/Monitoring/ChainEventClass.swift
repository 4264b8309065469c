/// An event class a `monitoring.contracts` entry may watch, named as the alert it raises. Each
/// is an EVM log every node decodes itself from the raw log a watcher reported.
public enum ChainEventClass: String, Sendable, Hashable, CaseIterable {
    /// `OwnershipTransferred(address indexed previousOwner, address indexed newOwner)` (Ownable).
    case ownershipTransferred = "ownership-transferred"
    /// ERC-1967 `Upgraded(address indexed implementation)`.
    case proxyUpgraded = "proxy-upgraded"
    /// ERC-1967 `AdminChanged(address previousAdmin, address newAdmin)`.
    case adminChanged = "admin-changed"
    /// ERC-1967 `BeaconUpgraded(address indexed beacon)`.
    case beaconUpgraded = "beacon-upgraded"
    /// Safe `AddedOwner(address)`, `RemovedOwner(address)` and `ChangedThreshold(uint256)`.
    case safeOwnersChanged = "safe-owners-changed"
    /// AccessControl `RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)`.
    case roleGranted = "role-granted"
}
