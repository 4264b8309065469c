import CustosChains
import CustosCore
import CustosCrypto
import CustosState

/// A request body's intent in plain words, one labelled line per fact, for people about to
/// decide it (`custos request show` and `approve`, the console's request page): for a transfer
/// or contract call of the transaction shape, the vault, source, chain, amount, asset and
/// destination (a call's data too, whose decoded function and arguments the policy view gives);
/// for a message request, the vault, the format and the message itself (text, bytes, or the
/// typed data's domain, primary type and fields); for any other request, its canonical body.
/// The text is as the body holds it: a terminal escapes it (`printable`), a page escapes HTML.
public struct RequestIntent: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public let label: String
        public let text: String

        public init(label: String, text: String) {
            self.label = label
            self.text = text
        }
    }

    public let lines: [Line]

    public init(of body: JSONValue) {
        lines = Self.lines(of: body).map { Line(label: $0.0, text: $0.1) }
    }

    private static func lines(of body: JSONValue) -> [(String, String)] {
        if TransactionRequest.isTransaction(body) {
            do {
                let t = try TransactionRequest(json: body)
                var lines = [("vault", "\(t.vault), from \(t.from) on \(t.chain)")]
                switch t.kind {
                case .transfer: lines.append(("transfers", "\(t.amount) \(t.asset) to \(t.to)"))
                case .contractCall: lines.append(("calls", "\(t.to) with value \(t.amount) and data 0x\(t.data.hexString)"))
                case .deploy:
                    let d = t.deployment!
                    lines.append(("deploys", "a contract of runtime code hash 0x\(d.runtimeCodeHash.hexString) with value \(t.amount), from vault \(t.vault); "
                                  + "its address follows from the nonce the parameters take"))
                    lines.append(("init code", "\(d.initCode.count) bytes, Keccak-256 0x\(Keccak256.hash(d.initCode).hexString)"))
                    lines.append(("arguments", "0x\(d.arguments.hexString)"))
                    for call in d.expectedState { lines.append(("expects", "\(call.function)\(call.arguments.isEmpty ? "" : " with 0x" + call.arguments.hexString) returns 0x\(call.result.hexString)")) }
                }
                if !t.memo.isEmpty { lines.append(("memo", t.memo)) }
                return lines
            } catch {
                return [("body", "does not read as a transaction request: \(error.reason)")]
            }
        }
        guard MessageRequest.isMessage(body) else { return [("body", String(decoding: JCS.canonicalBytes(body), as: UTF8.self))] }
        let message: MessageRequest
        do { message = try MessageRequest(json: body) } catch { return [("message", "does not read as a message request: \(error.reason)")] }
        var lines = [("vault", message.vault)]
        if !message.memo.isEmpty { lines.append(("memo", message.memo)) }
        switch message.message {
        case .eip191(let bytes):
            if let text = String(validating: bytes, as: UTF8.self) {
                lines.append(("signs", "EIP-191 personal message, text: \(text)"))
            } else {
                lines.append(("signs", "EIP-191 personal message, bytes: 0x\(bytes.hexString)"))
            }
        case .bip340(let bytes): lines.append(("signs", "BIP-340 message 0x\(bytes.hexString)"))
        case .raw(let bytes): lines.append(("signs", "raw message 0x\(bytes.hexString)"))
        case .eip712(let data):
            lines.append(("signs", "EIP-712 typed data, primary type \(data.primaryType)"))
            lines.append(("domain", String(decoding: JCS.canonicalBytes(data.domain), as: UTF8.self)))
            lines.append(("message", String(decoding: JCS.canonicalBytes(data.message), as: UTF8.self)))
        }
        return lines
    }
}
