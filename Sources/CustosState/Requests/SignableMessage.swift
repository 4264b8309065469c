import CustosChains
import CustosPolicy

/// A message a vault is asked to sign, as a message request's body states it: the exact bytes or
/// typed data, never a hash. Which vault schemes may sign it follows from its format.
public enum SignableMessage: Sendable, Hashable {
    /// EIP-191 version 0x45 (`personal_sign`) over these bytes.
    case eip191([UInt8])
    /// EIP-712 typed data; validated when read (its digest is defined).
    case eip712(EVM.TypedData)
    /// A BIP-340 message (the message itself is signed, no prehash).
    case bip340([UInt8])
    /// Raw bytes, signed as they are (Ed25519 hashes the message inside the scheme).
    case raw([UInt8])

    public var format: PolicyRequest.Message.Format {
        switch self {
        case .eip191: return .eip191
        case .eip712: return .eip712
        case .bip340: return .bip340
        case .raw: return .raw
        }
    }

    /// The one vault scheme that signs this format: EIP-191 and EIP-712 with ECDSA on secp256k1,
    /// BIP-340 with FROST-Taproot, raw with FROST-Ed25519.
    public var scheme: Vault.Scheme {
        Self.scheme(of: format)
    }

    public static func scheme(of format: PolicyRequest.Message.Format) -> Vault.Scheme {
        switch format {
        case .eip191, .eip712: return .ecdsaSecp256k1
        case .bip340: return .frostTaproot
        case .raw: return .frostEd25519
        }
    }
}
