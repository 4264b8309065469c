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

    /// Files an attacker hands the offline machine as images (review A-M3): a PNG header that
    /// claims a huge or empty image, a file that is no PNG, one over the size bound (read no
    /// further than the bound, even when sparse and huge), and a pipe or a directory named
    /// `.png`, are all refused before `zbarimg` (and ImageMagick) sees them.
    @Test func hostileImageFilesNeverReachTheDecoder() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let good = try QRImages.write(Array("one part".utf8), to: root.appendingPathComponent("good"))[0]
        let png = try Data(contentsOf: good)
        func file(_ name: String, _ data: Data) throws -> URL {
            let url = root.appendingPathComponent(name)
            try data.write(to: url)
            return url
        }
        func header(width: UInt32, height: UInt32) -> Data {
            var d = png
            d.replaceSubrange(16..<24, with: withUnsafeBytes(of: width.bigEndian, Array.init) + withUnsafeBytes(of: height.bigEndian, Array.init))
            return d
        }
        #expect(Self.reason { _ = try QRImages.read(images: [try file("wide.png", header(width: 4097, height: 100))]) }
            == "wide.png is 4097×100 pixels, not a QR image (at most 4096 a side)")
        #expect(Self.reason { _ = try QRImages.read(images: [try file("tall.png", header(width: 1, height: 0xFFFF_FFFF))]) }?
            .contains("1×4294967295 pixels") == true)
        #expect(Self.reason { _ = try QRImages.read(images: [try file("empty-image.png", header(width: 0, height: 0))]) }?
            .contains("0×0 pixels") == true)
        // A chunk other than a 13-byte IHDR first.
        var chunk = png
        chunk[11] = 14
        #expect(Self.reason { _ = try QRImages.read(images: [try file("chunk.png", chunk)]) } == "chunk.png is not a PNG image")
        #expect(Self.reason { _ = try QRImages.read(images: [try file("gif.png", Data("GIF89a".utf8) + png.dropFirst(6))]) }
            == "gif.png is not a PNG image")
        #expect(Self.reason { _ = try QRImages.read(images: [try file("zero.png", Data())]) } == "zero.png is not a PNG image")

        // Over the size bound: a real PNG header followed by padding, and a sparse 1 GiB file.
        let big = try file("big.png", png + Data(count: QRImages.maximumImageBytes + 1 - png.count))
        #expect(Self.reason { _ = try QRImages.read(images: [big]) } == "big.png has \(QRImages.maximumImageBytes + 1) bytes, more than a QR image (\(QRImages.maximumImageBytes))")
        let sparse = try file("sparse.png", png)
        let handle = try FileHandle(forWritingTo: sparse)
        try handle.truncate(atOffset: 1 << 30)
        try handle.close()
        #expect(Self.reason { _ = try QRImages.read(images: [sparse]) }?.contains("has 1073741824 bytes") == true)

        // Not regular files: a named pipe (opening it must not block) and a directory.
        let fifo = root.appendingPathComponent("pipe.png")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        #expect(Self.reason { _ = try QRImages.read(images: [fifo]) } == "pipe.png is not a regular file")
        let dir = root.appendingPathComponent("folder.png")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        #expect(Self.reason { _ = try QRImages.read(images: [dir]) } == "folder.png is not a regular file")
        // The good image still reads.
        #expect(try QRImages.read(images: [good]) == Array("one part".utf8))
    }

    /// The ImageMagick resource limits `zbarimg` runs under are honoured by the installed
    /// version: an image wider than the width limit yields no code, a decode over the time limit
    /// fails, and the same image decodes under the limits the signer uses.
    @Test func imageMagickLimitsAreHonoured() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let image = root.appendingPathComponent("large.png")
        _ = try QRImages.run("qrencode", ["-s", "20", "-t", "PNG", "-o", image.path], input: Array("limits".utf8))
        let bytes = try QRImages.loadPNG(image)
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        #expect(width > 256 && width <= QRImages.maximumImageSide)
        #expect(try QRImages.decode(image) == ["limits"])
        #expect(try QRImages.decode(image, maximumSide: 256).isEmpty)
        #expect(Self.reason { _ = try QRImages.decode(image, seconds: 0) } == "zbarimg failed (exit status 1)")
    }
}
