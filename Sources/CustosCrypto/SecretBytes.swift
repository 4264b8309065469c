import CSodium

/// Secret key material as bytes: never printed, never compared in variable time, and
/// overwritten with zeros when the last reference goes away. Used for sealed shares and
/// serialized secrets; arithmetic happens on the scalar types.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    // @unchecked Sendable: the storage is written only in init and deinit and read otherwise,
    // so sharing it between tasks cannot race; the pointer and the inspector are immutable.
    private let pointer: UnsafeMutableBufferPointer<UInt8>
    /// Shown the whole storage after it is zeroed and before it is freed; tests only.
    private let releaseInspector: (@Sendable (UnsafeRawBufferPointer) -> Void)?

    public convenience init(_ bytes: some Collection<UInt8>) {
        self.init(bytes, inspectingRelease: nil)
    }

    /// For tests of the zeroing promise: `inspector` is shown the whole storage (every byte
    /// ever allocated for it) when the last reference goes away, after the zeroing and before
    /// the memory is freed. It must not keep the pointer.
    package init(_ bytes: some Collection<UInt8>, inspectingRelease inspector: (@Sendable (UnsafeRawBufferPointer) -> Void)?) {
        precondition(Sodium.ready)
        pointer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Swift.max(bytes.count, 1))
        pointer.initialize(repeating: 0)
        _ = UnsafeMutableBufferPointer(rebasing: pointer[0..<bytes.count]).initialize(from: bytes)
        count = bytes.count
        releaseInspector = inspector
    }

    /// `count` fresh random bytes.
    public convenience init(randomCount count: Int) {
        var bytes = SecureRandom.bytes(count: count)
        self.init(bytes)
        Sodium.memzero(&bytes)
    }

    deinit {
        sodium_memzero(pointer.baseAddress!, pointer.count)
        releaseInspector?(UnsafeRawBufferPointer(pointer))
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
