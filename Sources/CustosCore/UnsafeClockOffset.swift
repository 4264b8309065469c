import Foundation

/// UNSAFE, for tests only: a file holding a whole number of milliseconds that the processes of a
/// test cluster add to their wall clock where they stamp or check block time (and a bot where it
/// stamps its requests), so that a test moves block time forward — past a cooling-off, say —
/// without waiting for it. Read at every use (a few bytes); a missing or unreadable file, or one
/// that does not hold a whole number, means no offset. Set only through hidden
/// `--unsafe-test-clock-offset-file` options, which a production cluster's processes refuse.
public struct UnsafeClockOffset: Sendable, Hashable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The offset the file holds now, in milliseconds (0 when there is none).
    public var milliseconds: UInt64 {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 32 else { return 0 }
        return UInt64(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// `wall` (milliseconds since the Unix epoch) moved forward by the offset.
    public func adjusting(_ wall: UInt64) -> UInt64 { wall &+ milliseconds }
}
