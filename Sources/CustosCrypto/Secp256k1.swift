import CSecp256k1

/// Namespace for secp256k1: scalars mod n (constant-time, in Swift), points (through
/// libsecp256k1), and the shared library context.
public enum Secp256k1 {
    /// The libsecp256k1 context shared by every call. It is created and randomized once
    /// (side-channel blinding for base-point multiplication) and never mutated afterwards;
    /// libsecp256k1 documents a const context as safe to use from many threads at once.
    nonisolated(unsafe) package static let context: OpaquePointer = {
        guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("libsecp256k1: secp256k1_context_create failed")
        }
        var seed = SecureRandom.bytes(count: 32)
        guard secp256k1_context_randomize(ctx, &seed) == 1 else {
            fatalError("libsecp256k1: secp256k1_context_randomize failed")
        }
        Sodium.memzero(&seed)
        return ctx
    }()
}
