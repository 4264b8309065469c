import CustosCore
import Foundation

/// QR parts as PNG images, through the Debian tools `/usr/bin/qrencode` (writing) and
/// `/usr/bin/zbarimg` (reading). The framing is `QRFrames`'; this only runs the tools. An image is
/// handed to `zbarimg` (and so to ImageMagick) only when it is a PNG of bounded size
/// (`checkPNG`), and then with the PNG decoder forced: images cross the air gap from machines
/// the offline signer does not trust.
public enum QRImages {
    /// Writes `payload` as `part-NN-of-MM.png` files in `directory` (made if missing; existing
    /// parts there are refused, so that parts of two payloads never mix) and returns their URLs.
    public static func write(_ payload: [UInt8], to directory: URL) throws(OfflineError) -> [URL] {
        let fm = FileManager.default
        do { try fm.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw OfflineError(.io, "cannot make \(directory.path)")
        }
        guard (try? pngFiles(in: directory))?.isEmpty ?? true else {
            throw OfflineError(.io, "\(directory.path) already holds PNG files: write the parts to an empty directory")
        }
        let parts = QRFrames.split(payload)
        let width = String(parts.count).count
        func padded(_ n: Int) -> String { String(repeating: "0", count: width - String(n).count) + String(n) }
        var urls: [URL] = []
        for (i, part) in parts.enumerated() {
            let url = directory.appendingPathComponent("part-\(padded(i + 1))-of-\(padded(parts.count)).png")
            _ = try run("qrencode", ["-l", "M", "-s", "4", "-m", "4", "-t", "PNG", "-o", url.path], input: Array(part.utf8))
            urls.append(url)
        }
        return urls
    }

    /// The payload the PNG images in `directory` carry, every code in every image being a part.
    public static func read(directory: URL) throws(OfflineError) -> [UInt8] {
        let files: [URL]
        do { files = try pngFiles(in: directory) } catch { throw OfflineError(.io, "cannot read \(directory.path)") }
        guard !files.isEmpty else { throw OfflineError(.incompleteParts, "\(directory.path) holds no PNG images") }
        return try read(images: files)
    }

    /// The payload the images carry, every code in every image being a part.
    public static func read(images: [URL]) throws(OfflineError) -> [UInt8] {
        var texts: [String] = []
        var names: [String] = []
        for image in images {
            try checkPNG(image)
            let output = try run("zbarimg", ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", "png:" + image.path], input: [])
            let codes = String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            guard !codes.isEmpty else { throw OfflineError(.qrTool, "no QR code found in \(image.lastPathComponent)") }
            for (k, code) in codes.enumerated() {
                texts.append(code)
                names.append(codes.count == 1 ? image.lastPathComponent : "\(image.lastPathComponent) (code \(k + 1))")
            }
        }
        return try QRFrames.join(texts, names: names)
    }

    /// Largest image file and side accepted: far above a QR part at `QRFrames.partSize`.
    static let maximumImageBytes = 2 << 20
    static let maximumImageSide = 4096

    /// Refuses a file that is not a PNG (signature and IHDR first), is over `maximumImageBytes`,
    /// or whose width or height is over `maximumImageSide`, before any decoder reads it.
    static func checkPNG(_ url: URL) throws(OfflineError) {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        guard let size else { throw OfflineError(.io, "cannot read \(url.lastPathComponent)") }
        guard size <= maximumImageBytes else {
            throw OfflineError(.foreignPart, "\(url.lastPathComponent) has \(size) bytes, more than a QR image (\(maximumImageBytes))")
        }
        guard let handle = try? FileHandle(forReadingFrom: url) else { throw OfflineError(.io, "cannot read \(url.lastPathComponent)") }
        defer { try? handle.close() }
        let head = Array((try? handle.read(upToCount: 24)) ?? Data())
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard head.count == 24, Array(head[0..<8]) == signature, Array(head[12..<16]) == Array("IHDR".utf8) else {
            throw OfflineError(.foreignPart, "\(url.lastPathComponent) is not a PNG image")
        }
        let width = head[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = head[20..<24].reduce(0) { $0 << 8 | Int($1) }
        guard width <= maximumImageSide, height <= maximumImageSide else {
            throw OfflineError(.foreignPart, "\(url.lastPathComponent) is \(width)×\(height) pixels, larger than a QR image")
        }
    }

    static func pngFiles(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension.lowercased() == "png" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Runs `/usr/bin/<tool>` with `input` on its standard input; its standard output, or
    /// `qrTool` naming the tool and its exit status (and how to install it when missing).
    static func run(_ tool: String, _ arguments: [String], input: [UInt8]) throws(OfflineError) -> [UInt8] {
        let path = "/usr/bin/" + tool
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw OfflineError(.qrTool, "\(path) is not installed (Debian: apt-get install qrencode zbar-tools)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw OfflineError(.qrTool, "cannot run \(tool)") }
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // zbarimg exits 4 when an image holds no code: that image is reported by the caller.
        guard process.terminationStatus == 0 || (tool == "zbarimg" && process.terminationStatus == 4) else {
            throw OfflineError(.qrTool, "\(tool) failed (exit status \(process.terminationStatus))")
        }
        return Array(output)
    }
}
