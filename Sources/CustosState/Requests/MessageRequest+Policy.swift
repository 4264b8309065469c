import CustosChains
import CustosCore
import CustosPolicy

extension MessageRequest {
    /// The policy's view of this request, as every node derives it from the body: kind
    /// `message`, initiator, vault, memo, and the message's format, length and, for EIP-191, its
    /// text if it is UTF-8; for EIP-712, the domain, primary type and every leaf of the message
    /// (`PolicyRequest.Message.fields`, with integers that fit a decimal also in `amounts`).
    public func policyRequest() throws(GovernanceError) -> PolicyRequest {
        PolicyRequest(
            id: id, kind: .message, initiator: initiator, vault: vault, message: try policyMessage(), memo: memo)
    }

    private func policyMessage() throws(GovernanceError) -> PolicyRequest.Message {
        switch message {
        case .eip191(let bytes):
            return .init(format: .eip191, length: bytes.count, text: String(validating: bytes, as: UTF8.self))
        case .bip340(let bytes):
            return .init(format: .bip340, length: bytes.count)
        case .raw(let bytes):
            return .init(format: .raw, length: bytes.count)
        case .eip712(let data):
            var view = PolicyRequest.Message(format: .eip712, domain: .init(), primaryType: data.primaryType)
            do {
                for (path, leaf) in try data.leaves(of: "EIP712Domain", data.domain, limit: Self.domainTypes.count) {
                    let text = Self.text(leaf)
                    switch path {
                    case "name": view.domain?.name = text
                    case "version": view.domain?.version = text
                    case "chainId": view.domain?.chainId = text
                    case "verifyingContract": view.domain?.verifyingContract = text
                    default: view.domain?.salt = text
                    }
                }
                for (path, leaf) in try data.leaves(of: data.primaryType, data.message, limit: Self.maximumFields) {
                    view.fields[path] = Self.text(leaf)
                    guard case .integer(let value) = leaf else { continue }
                    if let amount = FixedDecimal(parsing: String(value)) {
                        view.amounts[path] = amount
                    } else {
                        view.oversizedAmounts.insert(path)
                    }
                }
            } catch {
                throw GovernanceError(.invalidRequest, "the message request is refused: message.typedData: \(error.reason)")
            }
            return view
        }
    }

    private static func text(_ leaf: EVM.TypedData.Leaf) -> String {
        switch leaf {
        case .text(let text): return text
        case .integer(let value): return String(value)
        }
    }
}
