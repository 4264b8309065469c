/// The policy's `keys` section: the class of each vault and bot key and the rotation period and
/// grace period of each class. A document without the section, and a class the section does not
/// list, take `KeyPolicy.standard`'s values; a vault or bot it does not name is `operational`.
/// All times are block times in seconds, so every node reaches the same status.
public struct KeyPolicy: Sendable, Hashable {
    /// How often a class's keys rotate and how long after that they may still be used.
    public struct Rotation: Sendable, Hashable {
        public var everySeconds: Int
        public var graceSeconds: Int

        public init(everySeconds: Int, graceSeconds: Int) {
            self.everySeconds = everySeconds
            self.graceSeconds = graceSeconds
        }
    }

    /// Rotation by class; a class missing here takes the standard rotation.
    public var rotation: [KeyClass: Rotation]
    /// Classes of vault keys by vault id.
    public var vaults: [String: Spanned<KeyClass>]
    /// Classes of bot keys by bot id.
    public var bots: [String: Spanned<KeyClass>]

    public init(rotation: [KeyClass: Rotation] = [:], vaults: [String: Spanned<KeyClass>] = [:], bots: [String: Spanned<KeyClass>] = [:]) {
        self.rotation = rotation
        self.vaults = vaults
        self.bots = bots
    }

    /// Critical keys every 180 days with 14 days of grace, operational every 90 days (quarterly)
    /// with 14, development every 365 days with 30.
    public static let standardRotation: [KeyClass: Rotation] = [
        .critical: Rotation(everySeconds: 180 * 86_400, graceSeconds: 14 * 86_400),
        .operational: Rotation(everySeconds: 90 * 86_400, graceSeconds: 14 * 86_400),
        .development: Rotation(everySeconds: 365 * 86_400, graceSeconds: 30 * 86_400),
    ]

    /// The class of vaults and bots the section does not name.
    public static let defaultClass = KeyClass.operational

    public func rotation(of keyClass: KeyClass) -> Rotation {
        rotation[keyClass] ?? Self.standardRotation[keyClass]!
    }

    public func vaultClass(_ id: String) -> KeyClass { vaults[id]?.value ?? Self.defaultClass }

    public func botClass(_ id: String) -> KeyClass { bots[id]?.value ?? Self.defaultClass }

    /// When a key of `keyClass` last rotated at `rotatedAt` is due (seconds), and where it stands at `now`.
    /// `dueBy` brings the due time forward (an offboarding made the key due then); its grace
    /// period runs from there.
    public func schedule(of keyClass: KeyClass, rotatedAt: Int64, dueBy: Int64? = nil, at now: Int64) -> (due: Int64, status: KeyRotationStatus) {
        let r = rotation(of: keyClass)
        let due = min(rotatedAt &+ Int64(r.everySeconds), dueBy ?? .max)
        if now < due { return (due, .current) }
        return (due, now < due &+ Int64(r.graceSeconds) ? .overdue : .pastGrace)
    }
}
