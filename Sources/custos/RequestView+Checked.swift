import CustosChains
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosState
import Foundation

extension RequestView {
    /// The request's body, parsed here, after checking that it is the content the id names: its
    /// RFC 8785 form is the committed text, and SHA-256 of the signing input built from it, the
    /// cluster, initiator, timestamp and nonce is the id (and the id asked for, if any). The gateway is
    /// not trusted; what a person reads or signs is what the nodes will check. With `expected`
    /// (a genesis digest, hex), the request must also have been signed for that cluster. Ends the
    /// command with one line naming what differs.
    func checkedBody(asked: String? = nil, cluster expected: String? = nil) -> JSONValue {
        let shown = printable(id)
        if let asked, id != asked { fail("the gateway sent request \(shown) for \(printable(asked))") }
        if let expected, cluster != expected.lowercased() {
            fail("request \(shown) was signed for the cluster with genesis digest \(printable(cluster)), not \(printable(expected))")
        }
        let value: JSONValue
        do { value = try JSONParser().parse(Array(body.utf8)) } catch { fail("the gateway sent a body for request \(shown) that is not JSON") }
        guard JCS.canonicalBytes(value) == Array(body.utf8) else { fail("the gateway sent a body for request \(shown) that is not in its canonical form") }
        let clusterDigest: [UInt8]
        do { clusterDigest = try [UInt8](hex: cluster) } catch { fail("the gateway sent request \(shown) with a cluster digest that is not hex") }
        let input = SignedRequest.signingInput(body: value, cluster: clusterDigest, keyId: initiator, timestamp: timestamp, nonce: nonce)
        guard Hashes.sha256(input).hexString == id else { fail("the gateway's content for request \(shown) is not the content its id names") }
        return value
    }

    /// The decoded intent in plain words, from the checked body: for a message request, the
    /// vault, the format and the message itself (text, bytes, or the typed data's domain,
    /// primary type and fields); for any other request, its canonical body.
    static func intent(of body: JSONValue) -> [String] {
        if TransactionRequest.isTransaction(body) {
            do {
                let t = try TransactionRequest(json: body)
                var lines = ["vault       \(printable(t.vault)), from \(printable(t.from)) on \(printable(t.chain))"]
                switch t.kind {
                case .transfer: lines.append("transfers   \(printable(t.amount)) \(printable(t.asset)) to \(printable(t.to))")
                case .contractCall: lines.append("calls       \(printable(t.to)) with value \(printable(t.amount)) and data 0x\(t.data.hexString)")
                }
                if !t.memo.isEmpty { lines.append("memo        \(printable(t.memo))") }
                return lines
            } catch {
                return ["body        does not read as a transaction request: \(printable(error.reason))"]
            }
        }
        guard MessageRequest.isMessage(body) else { return ["body        \(printable(String(decoding: JCS.canonicalBytes(body), as: UTF8.self)))"] }
        let message: MessageRequest
        do { message = try MessageRequest(json: body) } catch { return ["message     does not read as a message request: \(printable(error.reason))"] }
        var lines = ["vault       \(printable(message.vault))"]
        if !message.memo.isEmpty { lines.append("memo        \(printable(message.memo))") }
        switch message.message {
        case .eip191(let bytes):
            if let text = String(validating: bytes, as: UTF8.self) {
                lines.append("signs       EIP-191 personal message, text: \(printable(text))")
            } else {
                lines.append("signs       EIP-191 personal message, bytes: 0x\(bytes.hexString)")
            }
        case .bip340(let bytes): lines.append("signs       BIP-340 message 0x\(bytes.hexString)")
        case .raw(let bytes): lines.append("signs       raw message 0x\(bytes.hexString)")
        case .eip712(let data):
            lines.append("signs       EIP-712 typed data, primary type \(printable(data.primaryType))")
            lines.append("domain      \(printable(String(decoding: JCS.canonicalBytes(data.domain), as: UTF8.self)))")
            lines.append("message     \(printable(String(decoding: JCS.canonicalBytes(data.message), as: UTF8.self)))")
        }
        return lines
    }
}
