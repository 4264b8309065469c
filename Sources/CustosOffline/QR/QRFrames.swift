import CustosCore
import CustosCrypto

/// A payload as a sequence of QR code texts, and back (#15 item 3, the air gap's transport).
/// Each part is the base32 text of: the magic `CQR`, a version byte, its index and the count
/// (16 bits each), the SHA-256 of the whole payload, then at most `partSize` payload bytes.
/// Pure: images are made and read elsewhere (`QRImages`).
///
/// `join` takes the parts in any order and refuses, naming it, a text that is no Custos part,
/// a part missing or given twice, parts of two payloads, and a reassembly whose SHA-256 is not
/// the announced one (an altered part).
public enum QRFrames {
    static let magic = Array("CQR".utf8)
    static let version: UInt8 = 1
    static let headerSize = 3 + 1 + 2 + 2 + 32
    /// Payload bytes per code: with the header, a version-15 code at error correction M, which
    /// phone cameras and `zbarimg` read from a printed or displayed image without trouble.
    public static let partSize = 300
    /// The largest payload: 1 MiB, far above any bundle.
    public static let maximumPayload = 1 << 20
    static var maximumParts: Int { (maximumPayload + partSize - 1) / partSize }

    /// The parts of `payload`, in order. Precondition: at most `maximumPayload` bytes.
    public static func split(_ payload: [UInt8]) -> [String] {
        precondition(payload.count <= maximumPayload, "payload too large for QR transport")
        let digest = Hashes.sha256(payload)
        let count = max(1, (payload.count + partSize - 1) / partSize)
        return (0..<count).map { index in
            var w = CanonicalWriter()
            w.append(raw: magic)
            w.append(version)
            w.append(UInt16(index))
            w.append(UInt16(count))
            w.append(raw: digest)
            w.append(raw: payload[min(payload.count, index * partSize)..<min(payload.count, (index + 1) * partSize)])
            return Base32.encode(w.bytes)
        }
    }

    /// The payload the parts make, given in any order; `names` (file names) label them in errors.
    public static func join(_ texts: [String], names: [String]? = nil) throws(OfflineError) -> [UInt8] {
        func label(_ i: Int) -> String { names.map { $0[i] } ?? "part \(i + 1)" }
        guard !texts.isEmpty else { throw OfflineError(.incompleteParts, "no QR parts were given") }
        guard texts.count <= maximumParts else {
            throw OfflineError(.incompleteParts, "\(texts.count) QR parts are more than any payload has (\(maximumParts))")
        }
        var chunks: [Int: (source: Int, bytes: ArraySlice<UInt8>)] = [:]
        var expected: (count: Int, digest: [UInt8], source: Int)?
        for (i, text) in texts.enumerated() {
            let trimmed = text.trimmingSuffix { $0 == "\n" || $0 == "\r" }
            guard trimmed.utf8.count <= (headerSize + partSize) * 8 / 5 + 1, let bytes = Base32.decode(trimmed),
                  bytes.count >= headerSize, Array(bytes.prefix(3)) == magic
            else {
                throw OfflineError(.foreignPart, "\(label(i)) is not a Custos QR part")
            }
            guard bytes[3] == version else {
                throw OfflineError(.foreignPart, "\(label(i)) is a Custos QR part of version \(bytes[3]), not \(version)")
            }
            let index = Int(bytes[4]) << 8 | Int(bytes[5])
            let count = Int(bytes[6]) << 8 | Int(bytes[7])
            let digest = Array(bytes[8..<40])
            guard count >= 1, index < count, count <= maximumParts else {
                throw OfflineError(.foreignPart, "\(label(i)) says it is part \(index + 1) of \(count)")
            }
            if let expected {
                guard digest == expected.digest, count == expected.count else {
                    throw OfflineError(.incompleteParts, "\(label(i)) belongs to another payload than \(label(expected.source))")
                }
            } else {
                expected = (count, digest, i)
            }
            if let earlier = chunks[index] {
                throw OfflineError(.incompleteParts, "\(label(i)) and \(label(earlier.source)) are both part \(index + 1) of \(count)")
            }
            chunks[index] = (i, bytes[headerSize...])
        }
        let (count, digest, _) = expected!
        let missing = (0..<count).filter { chunks[$0] == nil }
        guard missing.isEmpty else {
            throw OfflineError(.incompleteParts, "part\(missing.count == 1 ? "" : "s") \(missing.map { String($0 + 1) }.joined(separator: ", ")) of \(count) missing")
        }
        let payload = (0..<count).flatMap { chunks[$0]!.bytes }
        guard payload.count <= maximumPayload, Hashes.sha256(payload) == digest else {
            throw OfflineError(.incompleteParts, "the \(count) parts do not make the payload they announce (SHA-256 differs): a part was altered")
        }
        return payload
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var s = Substring(self)
        while let last = s.last, predicate(last) { s = s.dropLast() }
        return String(s)
    }
}
