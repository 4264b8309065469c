/// The result of storing a batch of relay messages: all of them, or none.
public enum RelayWrite: Sendable, Hashable {
    /// Stored, surviving the gateway process (a message already held, byte for byte, is not
    /// stored twice); see `GatewayStore.storeRelayMessages` for the machine losing power.
    case stored
    /// Nothing stored: this recipient's inbox would exceed its bounds.
    case recipientFull(String)
    /// Nothing stored: the relay as a whole would exceed its bounds.
    case relayFull
}
