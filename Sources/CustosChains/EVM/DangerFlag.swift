extension EVM {
    /// What needs a second look. The policy engine matches on these; the UI shows them.
    public enum DangerFlag: String, Hashable, Sendable, CaseIterable, Comparable {
        /// An ERC-20 allowance of 2¹²⁸ or more (practically unlimited), or an ERC-721
        /// operator approval over a whole collection.
        case unlimitedApproval
        /// Ownable ownership transfer or renunciation, or a Safe owner added, removed, swapped.
        case ownershipChange
        /// A proxy admin change, or DEFAULT_ADMIN_ROLE granted or revoked.
        case adminChange
        /// A proxy implementation upgrade.
        case upgrade
        /// An AccessControl role granted or revoked.
        case roleChange
        /// A Safe threshold change.
        case thresholdChange
        /// A Safe transaction or MultiSend item executed by DELEGATECALL: the callee's code
        /// runs with the Safe's storage and funds.
        case delegatecall
        /// A call the decoders do not know.
        case unknownCall
        /// Calldata for a known function that does not decode canonically.
        case malformedCall
        /// A token contract missing from the registry.
        case unknownToken
        /// A contract deployment.
        case contractCreation

        public static func < (lhs: DangerFlag, rhs: DangerFlag) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }
}
