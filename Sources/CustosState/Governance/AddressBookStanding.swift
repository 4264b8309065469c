import CustosPolicy

/// Where an address-book entry stands with its cooling-off: when the policy change that added
/// or changed it executed, from when it is usable, and whether a security officer cancelled it
/// or the quorum waived its wait. Entries of the genesis policy have none: they are usable at
/// once. Times are block times in milliseconds since the Unix epoch.
public struct AddressBookStanding: Sendable, Hashable, Codable {
    /// Who decided a cancellation or a waiver, by which operation, at which block time.
    public struct Decision: Sendable, Hashable, Codable {
        public let user: String
        public let operationId: String
        public let at: UInt64
    }

    public let entry: String
    /// The policy change that added or changed the entry to what it is now.
    public let operationId: String
    public let since: UInt64
    /// `since` plus the longer of the delays the policies before and after that change set for it.
    public let usableFrom: UInt64
    public internal(set) var cancelled: Decision? = nil
    public internal(set) var waived: Decision? = nil

    /// What the policy reads: cancelled, still (or no longer) cooling off, or nothing once waived.
    public var hold: DestinationHold? {
        if let cancelled { return .cancelled(by: cancelled.user, at: Int64(cancelled.at / 1000)) }
        if waived != nil { return nil }
        // Whole seconds, rounded up: never usable before the millisecond it becomes usable.
        return .coolingOff(usableFrom: Int64((usableFrom + 999) / 1000))
    }

    /// Whether it is still waiting at `time` (ms): neither cancelled, waived nor past its wait.
    public func isCoolingOff(at time: UInt64) -> Bool { cancelled == nil && waived == nil && time < usableFrom }
}
