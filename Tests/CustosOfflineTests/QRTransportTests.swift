import CustosCore
import CustosCrypto
import Foundation
import Testing

@testable import CustosOffline

/// The air gap's QR transport: payloads split into parts and joined in any order, real PNG
/// images through `qrencode` and `zbarimg`, and the parts an attacker or a careless operator
/// hands over (missing, twice, of another payload, altered, foreign codes) refused by name.
struct QRTransportTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func reason(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let error as OfflineError { return error.reason } catch { return "\(error)" }
    }

    @Test(arguments: [0, 1, 299, 300, 301, 2_000])
    func partsJoinInAnyOrder(size: Int) throws {
        let payload = SecureRandom.bytes(count: size)
        let parts = QRFrames.split(payload)
        #expect(parts.count == max(1, (size + 299) / 300))
        #expect(try QRFrames.join(parts.shuffled()) == payload)
        #expect(parts.allSatisfy { $0.allSatisfy { ("A"..."Z").contains($0) || ("2"..."7").contains($0) } })
    }

    @Test func base32IsCanonical() {
        for n in 0..<12 {
            let bytes = SecureRandom.bytes(count: n)
            #expect(Base32.decode(Base32.encode(bytes)) == bytes)
        }
        #expect(Base32.decode("MZXW6") == Array("foo".utf8))
        #expect(Base32.decode("MZXW7") == nil, "nonzero trailing bits")
        #expect(Base32.decode("mzxw6") == nil)
        #expect(Base32.decode("MZXW6=") == nil)
    }

    @Test func hostilePartsAreRefusedByName() throws {
        let payload = SecureRandom.bytes(count: 1_000)
        let parts = QRFrames.split(payload)
        let other = QRFrames.split(SecureRandom.bytes(count: 1_000))
        #expect(Self.reason { _ = try QRFrames.join(Array(parts.dropLast())) } == "part 4 of 4 missing")
        #expect(Self.reason { _ = try QRFrames.join([parts[0], parts[2]]) } == "parts 2, 4 of 4 missing")
        #expect(Self.reason { _ = try QRFrames.join(parts + [parts[1]]) } == "part 5 and part 2 are both part 2 of 4")
        #expect(Self.reason { _ = try QRFrames.join([parts[0], other[1], parts[2], parts[3]]) } == "part 2 belongs to another payload than part 1")
        #expect(Self.reason { _ = try QRFrames.join(parts + ["https://example.com/"]) } == "part 5 is not a Custos QR part")
        #expect(Self.reason { _ = try QRFrames.join([]) } == "no QR parts were given")
        // One payload byte altered and the part re-encoded as a valid part: the digest catches it.
        var bytes = Base32.decode(parts[2])!
        bytes[QRFrames.headerSize + 7] ^= 0x40
        let altered = [parts[0], parts[1], Base32.encode(bytes), parts[3]]
        #expect(Self.reason { _ = try QRFrames.join(altered) }?.contains("a part was altered") == true)
        // A part that claims another count or an index beyond it.
        var header = Base32.decode(parts[0])!
        header[5] = 9
        #expect(Self.reason { _ = try QRFrames.join([Base32.encode(header)]) } == "part 1 says it is part 10 of 4")
        var version = Base32.decode(parts[0])!
        version[3] = 2
        #expect(Self.reason { _ = try QRFrames.join([Base32.encode(version)]) }?.contains("of version 2") == true)
    }

    /// Real images: the payload survives qrencode → PNG → zbarimg byte for byte, and images that
    /// are missing, copied twice, of another payload, re-encoded with an altered byte, or of a
    /// foreign code are refused naming the file.
    @Test func pngImagesRoundTripThroughQrencodeAndZbarimg() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let payload = SecureRandom.bytes(count: 700)
        let dir = root.appendingPathComponent("bundle")
        let files = try QRImages.write(payload, to: dir)
        #expect(files.map(\.lastPathComponent) == ["part-1-of-3.png", "part-2-of-3.png", "part-3-of-3.png"])
        #expect(try QRImages.read(directory: dir) == payload)
        #expect(Self.reason { _ = try QRImages.write(payload, to: dir) }?.contains("already holds PNG files") == true)

        let fm = FileManager.default
        let otherDir = root.appendingPathComponent("other")
        let otherFiles = try QRImages.write(SecureRandom.bytes(count: 700), to: otherDir)
        #expect(Self.reason { _ = try QRImages.read(images: [files[0], files[2]]) } == "part 2 of 3 missing")
        #expect(Self.reason { _ = try QRImages.read(images: files + [files[1]]) } == "part-2-of-3.png and part-2-of-3.png are both part 2 of 3")
        #expect(Self.reason { _ = try QRImages.read(images: [files[0], otherFiles[1], files[2]]) }
            == "part-2-of-3.png belongs to another payload than part-1-of-3.png")

        let foreign = root.appendingPathComponent("foreign.png")
        _ = try QRImages.run("qrencode", ["-t", "PNG", "-o", foreign.path], input: Array("https://example.com/pay".utf8))
        #expect(Self.reason { _ = try QRImages.read(images: files + [foreign]) } == "foreign.png is not a Custos QR part")

        var bytes = Base32.decode(QRFrames.split(payload)[1])!
        bytes[QRFrames.headerSize] ^= 0x01
        let altered = root.appendingPathComponent("altered.png")
        _ = try QRImages.run("qrencode", ["-t", "PNG", "-o", altered.path], input: Array(Base32.encode(bytes).utf8))
        #expect(Self.reason { _ = try QRImages.read(images: [files[0], altered, files[2]]) }?.contains("a part was altered") == true)

        let notAnImage = root.appendingPathComponent("empty.png")
        try Data("not a png".utf8).write(to: notAnImage)
        #expect(Self.reason { _ = try QRImages.read(images: [notAnImage]) } == "empty.png is not a PNG image")
        // An SVG (or any other format ImageMagick would pick by content) named .png never reaches zbarimg.
        let svg = root.appendingPathComponent("part-9-of-9.png")
        try Data("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100000\" height=\"100000\"/>".utf8).write(to: svg)
        #expect(Self.reason { _ = try QRImages.read(images: [svg]) } == "part-9-of-9.png is not a PNG image")
        // A PNG header claiming a huge image is refused before decoding.
        var huge = try Data(contentsOf: files[0])
        huge.replaceSubrange(16..<24, with: [0, 1, 0, 0, 0, 1, 0, 0])
        let hugeURL = root.appendingPathComponent("huge.png")
        try huge.write(to: hugeURL)
        #expect(Self.reason { _ = try QRImages.read(images: [hugeURL]) }?.contains("65536×65536 pixels") == true)
        // Oversized parts or counts are refused as foreign before anything is assembled.
        #expect(Self.reason { _ = try QRFrames.join([String(repeating: "A", count: 600)]) } == "part 1 is not a Custos QR part")
        try fm.removeItem(at: files[1])
        #expect(Self.reason { _ = try QRImages.read(directory: dir) } == "part 2 of 3 missing")
    }
}
