import CustosCore
import CustosCrypto

/// Threshold ECDSA over secp256k1 for Ethereum and EVM chains, after Damgård, Jakobsen,
/// Nielsen, Pagter and Østergaard, "Fast Threshold ECDSA with Honest Majority" (ePrint
/// 2020/501): the key is a degree-t Shamir sharing from the same dealerless DKG as FROST;
/// presignatures are made in the background by exactly 2t+1 parties (three rounds, no
/// Paillier, no oblivious transfer); signing is one round. Presignatures are re-randomized per
/// signature with public randomness bound to the key, tweak, message and signers (Groth–Shoup,
/// ePrint 2021/1330), which also makes BIP-32 public derivation safe.
///
/// Everything here is a pure state machine: no I/O, no clock.
public enum ThresholdECDSA {
    public typealias Suite = Secp256k1SHA256
    public typealias ID = Identifier<Suite>

    /// One node's share of an ECDSA vault key: a degree-t Shamir share (t = minSigners − 1,
    /// the number of faulty nodes tolerated), the public key package, and the jointly generated
    /// BIP-32 chain code. The epoch digest names this exact sharing: a refresh or reshare
    /// changes it, so presignatures made before are refused.
    public struct KeyShare: Sendable {
        public let keyPackage: KeyPackage<Suite>
        public let publicKeyPackage: PublicKeyPackage<Suite>
        public let chainCode: [UInt8]
        public let epoch: [UInt8]

        public init(keyPackage: KeyPackage<Suite>, publicKeyPackage: PublicKeyPackage<Suite>, chainCode: [UInt8]) throws(MPCError) {
            guard chainCode.count == 32 else { throw MPCError(.invalidParameters, "a chain code has 32 bytes") }
            guard publicKeyPackage.verifyingShares[keyPackage.identifier] == keyPackage.verifyingShare,
                  publicKeyPackage.verifyingKey == keyPackage.verifyingKey,
                  publicKeyPackage.minSigners == keyPackage.minSigners
            else {
                throw MPCError(.groupKeyMismatch, "the key package does not belong to the public key package")
            }
            self.keyPackage = keyPackage
            self.publicKeyPackage = publicKeyPackage
            self.chainCode = chainCode
            self.epoch = try Self.epoch(publicKeyPackage: publicKeyPackage, chainCode: chainCode)
        }

        /// The digest that names one sharing of a key: its public package and chain code.
        public static func epoch(publicKeyPackage: PublicKeyPackage<Suite>, chainCode: [UInt8]) throws(MPCError) -> [UInt8] {
            Hashes.sha256(Array("custos/ecdsa/epoch".utf8), try publicKeyPackage.serializedBytes, chainCode)
        }

        public var identifier: ID { keyPackage.identifier }
        /// t: faulty participants tolerated; presigning and signing take exactly 2t+1.
        public var maxFaulty: Int { keyPackage.minSigners - 1 }
        public var publicKey: Secp256k1.Point { keyPackage.verifyingKey }
    }

    /// A complete ECDSA signature: (r, s) with low s, and the recovery id.
    public struct Signature: Sendable, Equatable {
        public let r: Secp256k1.Scalar
        public let s: Secp256k1.Scalar
        /// Bit 0: parity of R's y coordinate; bit 1: R's x coordinate was ≥ n.
        public let recoveryID: UInt8

        /// r ‖ s, 64 bytes.
        public var compactRepresentation: [UInt8] { r.rawRepresentation + s.rawRepresentation }
    }
}
