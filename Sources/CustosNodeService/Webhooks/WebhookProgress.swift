import Foundation

/// How far a node's webhook got: the id of the last alert the receiver acknowledged, in a file
/// written atomically after each acknowledgement, so that a restart sends neither an alert twice
/// (save one acknowledged but not yet written, which the receiver de-duplicates) nor skips one.
public struct WebhookProgress: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The last acknowledged alert id; 0 before the first (every committed alert is then sent).
    public func load() throws -> UInt64 {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        guard let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), let id = UInt64(text) else {
            throw WebhookError("\(path) is not a webhook progress file (the last delivered alert id)")
        }
        return id
    }

    public func save(_ id: UInt64) throws {
        try Data("\(id)\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
