import CSodium

/// Secret key material as bytes: never printed, never compared in variable time, and
/// overwritten with zeros when the last reference goes away. Used for sealed shares and
/// serialized secrets; arithmetic happens on the scalar types.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    // @unchecked Sendable: the storage is written only in init and deinit and read otherwise,
    // so sharing it between tasks cannot race; the pointer itself is immutable.
    private let pointer: UnsafeMutableBufferPointer<UInt8>

    public init(_ bytes: some Collection<UInt8>) {
        precondition(Sodium.ready)
        pointer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Swift.max(bytes.count, 1))
        pointer.initialize(repeating: 0)
        _ = UnsafeMutableBufferPointer(rebasing: pointer[0..<bytes.count]).initialize(from: bytes)
        count = bytes.count
    }

    /// `count` fresh random bytes.
    public convenience init(randomCount count: Int) {
        var bytes = SecureRandom.bytes(count: count)
        self.init(bytes)
        Sodium.memzero(&bytes)
    }

    deinit {
        sodium_memzero(pointer.baseAddress!, pointer.count)
        pointer.deallocate()
    }

    public let count: Int

    /// Lends the bytes to `body`; they must not escape it.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: pointer[0..<count])))
    }

    /// Lends the bytes to a C function as a pointer; it must not escape `body`.
    public func withBytes<R>(_ body: (UnsafePointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafePointer(pointer.baseAddress!))
    }

    /// A copy as an array, for decoding into a scalar; the caller owns its erasure.
    public func unsafeCopyBytes() -> [UInt8] { Array(pointer[0..<count]) }

    /// Constant-time comparison (libsodium `sodium_memcmp`).
    public func constantTimeEquals(_ other: SecretBytes) -> Bool {
        guard count == other.count else { return false }
        if count == 0 { return true }
        return sodium_memcmp(pointer.baseAddress!, other.pointer.baseAddress!, count) == 0
    }

    public var description: String { "SecretBytes(\(count) bytes, redacted)" }
    public var debugDescription: String { description }
}
