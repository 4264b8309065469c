import CustosChains

extension EVM.Intent {
    /// The call's target (the Safe or multisend calls it with this intent) and its action's
    /// recipients (`EVM.Action.recipients`).
    var recipients: [EVM.Address] {
        (target.map { [$0] } ?? []) + action.recipients
    }
}
