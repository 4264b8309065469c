import CustosChains
import CustosCore
import CustosPolicy

/// What a vault's key signs for a message request: one pure function of the committed request
/// body and the vault's scheme, which every node computes itself before it lends its share, so
/// that no node ever signs a hash handed to it.
///
/// - EIP-191: `keccak256("\u{19}Ethereum Signed Message:\n" ‖ decimal length ‖ message)`, the
///   32-byte digest ECDSA signs (EIP-191 version 0x45).
/// - EIP-712: `keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message))` (EIP-712 §"Specification").
/// - BIP-340: the message bytes themselves; BIP-340 hashes them inside the challenge.
/// - Raw: the message bytes themselves; Ed25519 (RFC 8032 §5.1.6) hashes them inside the scheme.
public enum MessageSigningInput {
    /// The signing input of `message`.
    public static func input(for message: SignableMessage) throws(GovernanceError) -> [UInt8] {
        switch message {
        case .eip191(let bytes): return EVM.PersonalMessage.hash(bytes)
        case .eip712(let data):
            do { return try data.signingHash() } catch {
                throw GovernanceError(.invalidRequest, "the message request is refused: message.typedData: \(error.reason)")
            }
        case .bip340(let bytes), .raw(let bytes): return bytes
        }
    }

    /// The signing input of a committed message request (`RecordedRequest.body`, RFC 8785 bytes)
    /// for a vault of `scheme`. Refuses a body that is not a message request, and a message whose
    /// format that scheme does not sign.
    public static func input(committedBody body: [UInt8], scheme: Vault.Scheme) throws(GovernanceError) -> [UInt8] {
        let value: JSONValue
        do { value = try JSONParser().parse(body) } catch {
            throw GovernanceError(.invalidRequest, "the committed body is not JSON: \(error.reason)")
        }
        let request = try MessageRequest(json: value)
        guard request.message.scheme == scheme else {
            throw GovernanceError(
                .invalidRequest,
                "a \(request.message.format.rawValue) message is signed by a \(request.message.scheme.rawValue) vault, not \(scheme.rawValue)")
        }
        return try input(for: request.message)
    }
}
