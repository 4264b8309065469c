import Crypto
import Foundation

/// The shared secret a node signs its webhooks with (HMAC-SHA256), read from a file. It never
/// prints: `description` names only its length, and no error carries its bytes.
public struct WebhookSecret: Sendable, CustomStringConvertible {
    let key: SymmetricKey

    /// The most bytes a secret file may hold.
    public static let maximumBytes = 4096

    public init(bytes: some Collection<UInt8>) throws(WebhookError) {
        guard bytes.count >= 16 else { throw WebhookError("the webhook secret is \(bytes.count) bytes; it needs at least 16") }
        key = SymmetricKey(data: Array(bytes))
    }

    /// The file's bytes, without one trailing newline (`\n` or `\r\n`).
    public init(contentsOfFile path: String) throws(WebhookError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw WebhookError("\(path): cannot read the webhook secret file") }
        guard data.count <= Self.maximumBytes else { throw WebhookError("\(path): the webhook secret file holds more than \(Self.maximumBytes) bytes") }
        var bytes = Array(data)
        if bytes.last == 0x0a { bytes.removeLast() }
        if bytes.last == 0x0d { bytes.removeLast() }
        try self.init(bytes: bytes)
    }

    public var description: String { "WebhookSecret(\(key.bitCount / 8) bytes)" }
}
