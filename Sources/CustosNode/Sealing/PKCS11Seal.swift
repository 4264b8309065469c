import CPKCS11
import CustosCore
import CustosCrypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Key shares at rest on a production node: encrypted with AES-256-GCM under a key that lives
/// in a PKCS#11 token (an HSM; SoftHSM2 in tests) and never leaves it — generated on the token
/// as sensitive and non-extractable, found again by its label. The node holds only the sealed
/// bytes; a stolen disk without the token (and its PIN) reveals nothing.
public final class PKCS11Seal: @unchecked Sendable {
    // @unchecked Sendable: the module's function list and the session handle are used only
    // while holding `lock`, which serializes every call into the token.
    private let lock = NSLock()
    private let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>
    private let session: CK_SESSION_HANDLE

    static let magic: [UInt8] = Array("CUSTOS-HSM-1".utf8)

    /// Serializes loading and initializing modules in this process: a module's C_Initialize is
    /// not safe against a concurrent C_Initialize (two seals opened at once crashed SoftHSM2).
    private static let loading = NSLock()

    /// Loads the PKCS#11 module at `modulePath`, opens a session on the token labelled
    /// `tokenLabel`, and logs in with `pin`.
    public init(modulePath: String, tokenLabel: String, pin: SecretBytes) throws(StorageError) {
        Self.loading.lock()
        defer { Self.loading.unlock() }
        guard let library = dlopen(modulePath, RTLD_NOW | RTLD_LOCAL) else {
            throw StorageError(.invalidInput, "cannot load the PKCS#11 module \(modulePath)")
        }
        guard let symbol = dlsym(library, "C_GetFunctionList") else {
            dlclose(library)
            throw StorageError(.invalidInput, "\(modulePath) is not a PKCS#11 module (no C_GetFunctionList)")
        }
        typealias GetFunctionList = @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<CK_FUNCTION_LIST>?>?) -> CK_RV
        var list: UnsafeMutablePointer<CK_FUNCTION_LIST>? = nil
        guard unsafeBitCast(symbol, to: GetFunctionList.self)(&list) == CKR_OK, let functions = list else {
            dlclose(library)
            throw StorageError(.databaseFailure, "C_GetFunctionList failed in \(modulePath)")
        }
        // Several seals (and threads) may use one module: ask it to lock with the OS's primitives
        // (a null argument would promise single-threaded use).
        var arguments = CK_C_INITIALIZE_ARGS()
        arguments.flags = CK_FLAGS(CKF_OS_LOCKING_OK)
        let initialized = withUnsafeMutablePointer(to: &arguments) { functions.pointee.C_Initialize(UnsafeMutableRawPointer($0)) }
        guard initialized == CKR_OK || initialized == CKR_CRYPTOKI_ALREADY_INITIALIZED else {
            dlclose(library)
            throw StorageError(.databaseFailure, "C_Initialize failed (\(Self.describe(initialized)))")
        }
        do throws(StorageError) {
            let slot = try Self.findSlot(functions, label: tokenLabel)
            var session: CK_SESSION_HANDLE = 0
            try Self.check(functions.pointee.C_OpenSession(slot, CK_FLAGS(CKF_SERIAL_SESSION | CKF_RW_SESSION), nil, nil, &session),
                           "C_OpenSession")
            let login = pin.withUnsafeBytes { p in
                functions.pointee.C_Login(session, CK_USER_TYPE(CKU_USER),
                                          UnsafeMutablePointer(mutating: p.baseAddress!.assumingMemoryBound(to: UInt8.self)),
                                          CK_ULONG(p.count))
            }
            guard login == CKR_OK || login == CKR_USER_ALREADY_LOGGED_IN else {
                _ = functions.pointee.C_CloseSession(session)
                throw StorageError(.invalidInput, "the token refused the PIN (\(Self.describe(login)))")
            }
            self.session = session
        } catch {
            throw error
        }
        self.functions = functions
    }

    /// Closes this session only: the module stays initialized and loaded for the process's
    /// other sessions (C_Finalize and a logout would end theirs too).
    deinit {
        _ = functions.pointee.C_CloseSession(session)
    }

    /// Encrypts `secret` under the token key `keyLabel`, generating that key on the token the
    /// first time (AES-256, sensitive, non-extractable). `associatedData` is authenticated, not
    /// stored: opening needs the same bytes, so a sealed blob moved to another purpose is refused.
    public func seal(_ secret: SecretBytes, keyLabel: String, associatedData: [UInt8] = []) throws(StorageError) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        let key: CK_OBJECT_HANDLE
        if let existing = try findKey(label: keyLabel) { key = existing } else { key = try generateKey(label: keyLabel) }
        var iv = SecureRandom.bytes(count: 12)
        let ciphertext = try crypt(encrypt: true, key: key, iv: &iv, aad: associatedData, input: secret.unsafeCopyBytes())
        return Self.magic + iv + ciphertext
    }

    /// Decrypts sealed bytes with the token key `keyLabel`; refuses altered or foreign input,
    /// and input sealed with other associated data.
    public func open(_ sealed: [UInt8], keyLabel: String, associatedData: [UInt8] = []) throws(StorageError) -> SecretBytes {
        lock.lock()
        defer { lock.unlock() }
        guard sealed.count >= Self.magic.count + 12 + 16, Array(sealed.prefix(Self.magic.count)) == Self.magic else {
            throw StorageError(.invalidInput, "not an HSM-sealed Custos file, or truncated")
        }
        guard let key = try findKey(label: keyLabel) else {
            throw StorageError(.invalidInput, "the token has no key labelled \(keyLabel)")
        }
        var iv = Array(sealed[Self.magic.count..<(Self.magic.count + 12)])
        var plain = try crypt(encrypt: false, key: key, iv: &iv, aad: associatedData,
                              input: Array(sealed[(Self.magic.count + 12)...]))
        defer { Sodium.memzero(&plain) }
        return SecretBytes(plain)
    }

    /// Whether the token lets the key's value out (it must not).
    public func keyIsExtractable(label: String) throws(StorageError) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let key = try findKey(label: label) else { throw StorageError(.invalidInput, "no key labelled \(label)") }
        var extractable: CK_BBOOL = 0
        var sensitive: CK_BBOOL = 0
        let rc = withUnsafeMutablePointer(to: &extractable) { e in
            withUnsafeMutablePointer(to: &sensitive) { s in
                var template = [
                    CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_EXTRACTABLE), pValue: e, ulValueLen: 1),
                    CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_SENSITIVE), pValue: s, ulValueLen: 1),
                ]
                return functions.pointee.C_GetAttributeValue(session, key, &template, CK_ULONG(template.count))
            }
        }
        try Self.check(rc, "C_GetAttributeValue")
        return extractable != 0 || sensitive == 0
    }

    // MARK: Token operations (called with the lock held)

    private func findKey(label: String) throws(StorageError) -> CK_OBJECT_HANDLE? {
        var labelBytes = Array(label.utf8)
        var keyClass = CK_OBJECT_CLASS(CKO_SECRET_KEY)
        var found: CK_OBJECT_HANDLE = 0
        var count: CK_ULONG = 0
        let rc: CK_RV = labelBytes.withUnsafeMutableBytes { l in
            withUnsafeMutablePointer(to: &keyClass) { c in
                var template = [
                    CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_CLASS), pValue: c, ulValueLen: CK_ULONG(MemoryLayout<CK_OBJECT_CLASS>.size)),
                    CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_LABEL), pValue: l.baseAddress, ulValueLen: CK_ULONG(l.count)),
                ]
                let start = functions.pointee.C_FindObjectsInit(session, &template, CK_ULONG(template.count))
                guard start == CKR_OK else { return start }
                let result = functions.pointee.C_FindObjects(session, &found, 1, &count)
                _ = functions.pointee.C_FindObjectsFinal(session)
                return result
            }
        }
        try Self.check(rc, "C_FindObjects")
        return count == 0 ? nil : found
    }

    private func generateKey(label: String) throws(StorageError) -> CK_OBJECT_HANDLE {
        var labelBytes = Array(label.utf8)
        var yes: CK_BBOOL = 1
        var no: CK_BBOOL = 0
        var length = CK_ULONG(32)
        var key: CK_OBJECT_HANDLE = 0
        var mechanism = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(CKM_AES_KEY_GEN), pParameter: nil, ulParameterLen: 0)
        let rc: CK_RV = labelBytes.withUnsafeMutableBytes { l in
            withUnsafeMutablePointer(to: &yes) { y in
                withUnsafeMutablePointer(to: &no) { n in
                    withUnsafeMutablePointer(to: &length) { len in
                        let bool = CK_ULONG(1)
                        var template = [
                            CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_LABEL), pValue: l.baseAddress, ulValueLen: CK_ULONG(l.count)),
                            CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_VALUE_LEN), pValue: len,
                                         ulValueLen: CK_ULONG(MemoryLayout<CK_ULONG>.size)),
                            CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_TOKEN), pValue: y, ulValueLen: bool),
                            CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_PRIVATE), pValue: y, ulValueLen: bool),
                            CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_SENSITIVE), pValue: y, ulValueLen: bool),
                            CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_EXTRACTABLE), pValue: n, ulValueLen: bool),
                            CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_ENCRYPT), pValue: y, ulValueLen: bool),
                            CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_DECRYPT), pValue: y, ulValueLen: bool),
                        ]
                        return functions.pointee.C_GenerateKey(session, &mechanism, &template, CK_ULONG(template.count), &key)
                    }
                }
            }
        }
        try Self.check(rc, "C_GenerateKey")
        return key
    }

    /// AES-256-GCM with a 128-bit tag, in one call.
    private func crypt(encrypt: Bool, key: CK_OBJECT_HANDLE, iv: inout [UInt8], aad: [UInt8], input: [UInt8]) throws(StorageError) -> [UInt8] {
        var input = input
        var aad = aad
        defer { Sodium.memzero(&input) }
        var output = [UInt8](repeating: 0, count: input.count + 16)
        var outputLength = CK_ULONG(output.count)
        let rc: CK_RV = iv.withUnsafeMutableBufferPointer { ivBuffer in aad.withUnsafeMutableBufferPointer { aadBuffer in
            var parameters = CK_GCM_PARAMS(pIv: ivBuffer.baseAddress, ulIvLen: 12, ulIvBits: 96,
                                           pAAD: aadBuffer.isEmpty ? nil : aadBuffer.baseAddress, ulAADLen: CK_ULONG(aadBuffer.count),
                                           ulTagBits: 128)
            return withUnsafeMutablePointer(to: &parameters) { p in
                var mechanism = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(CKM_AES_GCM), pParameter: p,
                                             ulParameterLen: CK_ULONG(MemoryLayout<CK_GCM_PARAMS>.size))
                let start = encrypt ? functions.pointee.C_EncryptInit(session, &mechanism, key)
                                    : functions.pointee.C_DecryptInit(session, &mechanism, key)
                guard start == CKR_OK else { return start }
                return encrypt
                    ? functions.pointee.C_Encrypt(session, &input, CK_ULONG(input.count), &output, &outputLength)
                    : functions.pointee.C_Decrypt(session, &input, CK_ULONG(input.count), &output, &outputLength)
            }
        } }
        guard rc == CKR_OK else {
            Sodium.memzero(&output)
            throw StorageError(encrypt ? .databaseFailure : .invalidInput,
                               encrypt ? "the token failed to encrypt (\(Self.describe(rc)))"
                                       : "the sealed bytes do not decrypt under this key: altered, or sealed elsewhere")
        }
        let result = Array(output.prefix(Int(outputLength)))
        Sodium.memzero(&output)
        return result
    }

    private static func findSlot(_ functions: UnsafeMutablePointer<CK_FUNCTION_LIST>, label: String) throws(StorageError) -> CK_SLOT_ID {
        var count: CK_ULONG = 0
        try check(functions.pointee.C_GetSlotList(1, nil, &count), "C_GetSlotList")
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(count))
        try check(functions.pointee.C_GetSlotList(1, &slots, &count), "C_GetSlotList")
        for slot in slots.prefix(Int(count)) {
            var info = CK_TOKEN_INFO()
            guard functions.pointee.C_GetTokenInfo(slot, &info) == CKR_OK else { continue }
            let padded = withUnsafeBytes(of: info.label) { Array($0) }
            let text = String(decoding: padded, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if text == label { return slot }
        }
        throw StorageError(.invalidInput, "no initialized token labelled \(label)")
    }

    private static func check(_ rc: CK_RV, _ call: String) throws(StorageError) {
        guard rc == CKR_OK else { throw StorageError(.databaseFailure, "\(call) failed (\(describe(rc)))") }
    }

    static func describe(_ rc: CK_RV) -> String { "CKR 0x" + String(rc, radix: 16) }
}
