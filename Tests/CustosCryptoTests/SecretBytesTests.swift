import CustosCrypto
import Synchronization
import Testing

/// `SecretBytes` overwrites its storage with zeros when the last reference goes away: seen
/// through the package-level release inspector, which is shown the storage after the zeroing
/// and before it is freed.
@Suite struct SecretBytesTests {
    /// What the inspector saw, if it was called.
    final class Released: Sendable {
        let storage = Mutex<[UInt8]?>(nil)
        var bytes: [UInt8]? { storage.withLock { $0 } }
        func inspector() -> @Sendable (UnsafeRawBufferPointer) -> Void {
            { pointer in self.storage.withLock { $0 = Array(pointer) } }
        }
    }

    @Test func theStorageIsZeroAfterTheLastReferenceGoesAway() {
        let released = Released()
        let secret: [UInt8] = [0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03]
        do {
            let first = SecretBytes(secret, inspectingRelease: released.inspector())
            let second = first
            #expect(first.unsafeCopyBytes() == secret)
            _ = consume first
            // Another reference still holds it: not released, not zeroed.
            #expect(released.bytes == nil)
            #expect(second.unsafeCopyBytes() == secret)
        }
        #expect(released.bytes == [UInt8](repeating: 0, count: secret.count))
    }

    @Test func anEmptySecretIsReleasedToo() {
        let released = Released()
        do { _ = SecretBytes([], inspectingRelease: released.inspector()) }
        // Its one allocated byte (never empty storage) is zero.
        #expect(released.bytes == [0])
    }

    @Test func aLargeRandomSecretIsAllZeroAfterRelease() {
        let released = Released()
        do {
            let secret = SecretBytes(SecureRandom.bytes(count: 4096), inspectingRelease: released.inspector())
            #expect(secret.unsafeCopyBytes().contains { $0 != 0 })
        }
        let storage = released.bytes
        #expect(storage?.count == 4096 && storage?.allSatisfy { $0 == 0 } == true)
    }
}
