import Crypto
import CustosClusterAPI
import CustosCore
import Foundation

/// One alert as a node's webhook delivers it: the body is JSON (sorted keys) of
/// `{"cluster": the cluster's genesis digest in hex, "node": the sending node, "alert": the
/// alert as `GET /v1/alerts` shows it}`, and the `X-Custos-Signature` header is `sha256=`
/// and the lowercase hex HMAC-SHA256 of the exact body bytes under the node's secret
/// (`WebhookSecret`); `X-Custos-Node` names the sending node, so that a receiver holding one
/// secret per node picks the one to check the body with (and then checks that the body's
/// `node` is the same). Every node sends every alert it committed, so a receiver gets each
/// alert once per node and de-duplicates by `alert.id` (with `cluster`): a receiver that
/// trusts one node's word alone for an alert trusts less than the cluster; with a secret per
/// node it can act once f+1 nodes sent the same alert (review helper-127 H2).
public struct WebhookMessage: Sendable {
    public static let signatureHeader = "X-Custos-Signature"
    public static let alertHeader = "X-Custos-Alert"
    public static let nodeHeader = "X-Custos-Node"

    public let alertId: UInt64
    public let body: [UInt8]

    public init(alert: AlertView, cluster genesisDigest: [UInt8], node: String) throws {
        struct Body: Encodable {
            let cluster: String
            let node: String
            let alert: AlertView
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        body = Array(try encoder.encode(Body(cluster: genesisDigest.hexString, node: node, alert: alert)))
        alertId = alert.id
    }

    /// The `X-Custos-Signature` value for `body`: `sha256=` and the hex HMAC-SHA256.
    public static func signature(of body: [UInt8], secret: WebhookSecret) -> String {
        "sha256=" + Array(HMAC<SHA256>.authenticationCode(for: body, using: secret.key)).hexString
    }

    /// Whether `header` is the signature of `body` under `secret` (compared in constant time).
    public static func isValidSignature(_ header: String, for body: [UInt8], secret: WebhookSecret) -> Bool {
        guard header.hasPrefix("sha256="), let code = try? [UInt8](hex: header.dropFirst(7)), code.count == SHA256.byteCount else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: body, using: secret.key)
    }
}
