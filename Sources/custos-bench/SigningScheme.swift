import CSecp256k1
import CSodium
import CustosChains
import CustosClusterAPI
import CustosCore
import CustosCrypto

/// One vault scheme as the signing workload drives it: the vault it creates, the message format
/// that scheme signs (raw for Ed25519, BIP-340 for Taproot, EIP-191 for ECDSA), the signing
/// input a message has, how a signature is checked independently of the cluster (the C
/// libraries, under the key or address the vault shows), and the plain single-key signature of
/// the same scheme that is the workload's baseline. Adding a scheme to a run is naming it in
/// `--schemes`.
struct SigningScheme: Sendable {
    /// The vault scheme, as `custos vault create --scheme` takes it.
    let name: String
    /// The vault the workload creates; the example policy lists it.
    let vault: String
    /// The message format its requests carry.
    let format: String
    /// An allow rule for the risk bot's messages, added to the bench's copy of the example
    /// policy when that policy has none for this vault (YAML, one list item of `rules:`).
    let extraRule: String?
    /// The `message` member of a request body for the text `text`, and the signing input every
    /// node derives from it.
    let message: @Sendable (_ text: String) -> (json: String, input: [UInt8])
    /// Whether `signature` (the scheme's encoding) verifies for `input` under the vault `view` shows.
    let verifies: @Sendable (_ signature: [UInt8], _ input: [UInt8], _ view: VaultView) -> Bool
    /// A plain single-key signature of the same scheme by the C library, timed.
    let plainSignature: @Sendable () -> Measurement

    static let all: [SigningScheme] = [frostEd25519, frostTaproot, ecdsaSecp256k1]

    static func named(_ name: String) -> SigningScheme? { all.first { $0.name == name } }

    /// Raw messages, as the example policy lets the risk bot have the Solana treasury sign them;
    /// checked with libsodium under the vault's 32-byte key.
    static let frostEd25519 = SigningScheme(
        name: "frost-ed25519", vault: "sol-treasury", format: "raw", extraRule: nil,
        message: { text in
            let bytes = Array(text.utf8)
            return (#"{"format": "raw", "hex": "\#(bytes.hexString)"}"#, bytes)
        },
        verifies: { signature, input, view in
            guard let key = view.publicKey.flatMap({ try? [UInt8](hex: $0) }) else { return false }
            return Ed25519.isValidSignature(signature, for: input, publicKey: key)
        },
        plainSignature: {
            var publicKey = [UInt8](repeating: 0, count: 32)
            var secretKey = [UInt8](repeating: 0, count: 64)
            precondition(Sodium.ready && crypto_sign_keypair(&publicKey, &secretKey) == 0)
            let message = SecureRandom.bytes(count: 32)
            var signature = [UInt8](repeating: 0, count: 64)
            return measure("Ed25519 sign, libsodium", iterations: 2000) {
                _ = crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey)
            }
        })

    /// BIP-340 messages to the BTC treasury (the example policy has no such rule: the bench's copy
    /// adds one); checked with libsecp256k1 under the BIP-341 output key of the vault's `bc1p`
    /// address, the key a Taproot key-path spend is checked against.
    static let frostTaproot = SigningScheme(
        name: "frost-taproot", vault: "btc-treasury", format: "bip340",
        extraRule: """
              - name: allow-risk-bot-bip340-bench
                description: The signing benchmark's risk bot has the BTC treasury sign BIP-340 messages.
                match:
                  initiator: {roles: [risk-bot]}
                  vault: [btc-treasury]
                  message: {format: [bip340]}
                outcome: allow
            """,
        message: { text in
            let bytes = Array(text.utf8)
            return (#"{"format": "bip340", "hex": "\#(bytes.hexString)"}"#, bytes)
        },
        verifies: { signature, input, view in
            guard let outputKey = taprootOutputKey(view) else { return false }
            return Secp256k1.Schnorr.isValidSignature(signature, for: input, xOnlyPublicKey: outputKey)
        },
        plainSignature: {
            let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
            var keypair = secp256k1_keypair()
            precondition(secp256k1_keypair_create(context, &keypair, Secp256k1.Scalar.random().rawRepresentation) == 1)
            let message = SecureRandom.bytes(count: 32)
            let aux = SecureRandom.bytes(count: 32)
            var signature = [UInt8](repeating: 0, count: 64)
            defer { secp256k1_context_destroy(context) }
            return measure("BIP-340 sign, libsecp256k1", iterations: 2000) {
                precondition(secp256k1_schnorrsig_sign32(context, &signature, message, &keypair, aux) == 1)
            }
        })

    /// EIP-191 withdrawal authorisations to the hot vault, as the example policy allows the risk
    /// bot; the signature (r ‖ s ‖ v, 65 bytes) is checked by recovering the vault's key with
    /// libsecp256k1 from the EIP-191 digest.
    static let ecdsaSecp256k1 = SigningScheme(
        name: "ecdsa-secp256k1", vault: "hot-trading", format: "eip191", extraRule: nil,
        message: { text in
            let full = "Meridian Capital withdrawal authorisation: " + text
            return (#"{"format": "eip191", "text": "\#(full)"}"#, EVM.PersonalMessage.hash(Array(full.utf8)))
        },
        verifies: { signature, input, view in
            guard signature.count == 65, let key = view.publicKey.flatMap({ try? [UInt8](hex: $0) }),
                  let expected = try? Secp256k1.ECDSA.PublicKey(encoding: key),
                  let parsed = try? Secp256k1.ECDSA.RecoverableSignature(
                      r: signature[0..<32], s: signature[32..<64], recoveryID: signature[64] >= 27 ? signature[64] - 27 : signature[64])
            else { return false }
            return (try? parsed.recoverPublicKey(forDigest: input)) == expected
        },
        plainSignature: {
            let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
            let secret = Secp256k1.Scalar.random().rawRepresentation
            let digest = SecureRandom.bytes(count: 32)
            var signature = secp256k1_ecdsa_signature()
            defer { secp256k1_context_destroy(context) }
            return measure("ECDSA sign, libsecp256k1", iterations: 2000) {
                precondition(secp256k1_ecdsa_sign(context, &signature, digest, secret, nil, nil) == 1)
            }
        })

    /// The x-only output key of the vault's own Taproot address (segwit version 1, any network).
    static func taprootOutputKey(_ view: VaultView) -> [UInt8]? {
        for address in view.addresses where address.path == "m" {
            for network in BitcoinNetwork.allCases {
                if let decoded = try? SegwitAddress(address.address, network: network), decoded.version == 1 { return decoded.program }
            }
        }
        return nil
    }
}
