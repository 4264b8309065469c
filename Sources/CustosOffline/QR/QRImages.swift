import CustosCore
import Foundation

/// QR parts as PNG images, through the Debian tools `/usr/bin/qrencode` (writing) and
/// `/usr/bin/zbarimg` (reading). The framing is `QRFrames`'; this only runs the tools. An image is
/// handed to `zbarimg` (and so to ImageMagick) only when it is a PNG of bounded size
/// (`loadPNG`, `checkPNG`), and then with the PNG decoder forced and ImageMagick's resource
/// limits set (`imageMagickLimits`): images cross the air gap from machines the offline signer
/// does not trust.
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

    /// The payload the images carry, every code in every image being a part. Each image is
    /// read once into memory (`loadPNG`: a regular file, a PNG of bounded size and dimensions),
    /// and the checked bytes, copied into a private directory, are what `zbarimg` decodes: a
    /// file swapped after the check never reaches it.
    public static func read(images: [URL]) throws(OfflineError) -> [UInt8] {
        let scratch = try privateDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var texts: [String] = []
        var names: [String] = []
        for (i, image) in images.enumerated() {
            let copy = scratch.appendingPathComponent("image-\(i).png")
            try DurableFile.write(try loadPNG(image), to: copy)
            let codes = try decode(copy)
            guard !codes.isEmpty else { throw OfflineError(.qrTool, "no QR code found in \(image.lastPathComponent)") }
            for (k, code) in codes.enumerated() {
                texts.append(code)
                names.append(codes.count == 1 ? image.lastPathComponent : "\(image.lastPathComponent) (code \(k + 1))")
            }
        }
        return try QRFrames.join(texts, names: names)
    }

    /// The QR codes `zbarimg` reads in the PNG at `url`, decoded with the PNG decoder forced and
    /// under `imageMagickLimits(maximumSide:)`: an image wider or taller than `maximumSide`
    /// yields no code, and one that takes too long fails.
    static func decode(_ url: URL, maximumSide: Int = maximumImageSide, seconds: Int = 30) throws(OfflineError) -> [String] {
        let output = try run("zbarimg", ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", "png:" + url.path], input: [],
                             environment: imageMagickLimits(maximumSide: maximumSide, seconds: seconds))
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    /// Largest image file and side accepted: far above a QR part at `QRFrames.partSize`.
    static let maximumImageBytes = 2 << 20
    static let maximumImageSide = 4096

    /// The environment `zbarimg` runs with: nothing inherited (no `MAGICK_*` setting of the
    /// caller's), and ImageMagick's resource limits, which ImageMagick 6.9 (Debian 12) honours:
    /// width and height (an image over them is not decoded), area, memory, map and disk (where
    /// the pixel cache may live) and time (a decode over it is cancelled), one thread.
    static func imageMagickLimits(maximumSide: Int, seconds: Int) -> [String: String] {
        [
            "PATH": "/usr/bin:/bin", "LC_ALL": "C",
            "MAGICK_WIDTH_LIMIT": String(maximumSide), "MAGICK_HEIGHT_LIMIT": String(maximumSide),
            "MAGICK_AREA_LIMIT": String(maximumSide * maximumSide),
            "MAGICK_MEMORY_LIMIT": "256MiB", "MAGICK_MAP_LIMIT": "512MiB", "MAGICK_DISK_LIMIT": "512MiB",
            "MAGICK_TIME_LIMIT": String(seconds), "MAGICK_THREAD_LIMIT": "1",
        ]
    }

    /// The bytes of the image at `url` once they are checked (`checkPNG`): refuses anything but
    /// a regular file (a device, a pipe or a directory named `.png` is never read), and a file
    /// over `maximumImageBytes`, before reading more than that.
    static func loadPNG(_ url: URL) throws(OfflineError) -> [UInt8] {
        let name = url.lastPathComponent
        let fd = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw OfflineError(.io, "cannot read \(name)") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw OfflineError(.io, "cannot read \(name)") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw OfflineError(.foreignPart, "\(name) is not a regular file") }
        guard info.st_size <= maximumImageBytes else {
            throw OfflineError(.foreignPart, "\(name) has \(info.st_size) bytes, more than a QR image (\(maximumImageBytes))")
        }
        var bytes = [UInt8](repeating: 0, count: maximumImageBytes + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw OfflineError(.io, "cannot read \(name)") }
            if n == 0 { break }
            count += n
        }
        guard count <= maximumImageBytes else {
            throw OfflineError(.foreignPart, "\(name) has more than \(maximumImageBytes) bytes, more than a QR image")
        }
        bytes.removeSubrange(count...)
        try checkPNG(bytes, name: name)
        return bytes
    }

    /// Refuses bytes that are not a PNG (the signature, then an IHDR chunk of 13 bytes first), or
    /// whose width or height is zero or over `maximumImageSide`, before any decoder reads them.
    static func checkPNG(_ bytes: [UInt8], name: String) throws(OfflineError) {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 33, Array(bytes[0..<8]) == signature, Array(bytes[8..<12]) == [0, 0, 0, 13],
              Array(bytes[12..<16]) == Array("IHDR".utf8)
        else {
            throw OfflineError(.foreignPart, "\(name) is not a PNG image")
        }
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        guard (1...maximumImageSide).contains(width), (1...maximumImageSide).contains(height) else {
            throw OfflineError(.foreignPart, "\(name) is \(width)×\(height) pixels, not a QR image (at most \(maximumImageSide) a side)")
        }
    }

    /// A fresh directory only this user can enter, for the checked copies of the images.
    static func privateDirectory() throws(OfflineError) -> URL {
        var template = Array((FileManager.default.temporaryDirectory.path + "/custos-qr-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw OfflineError(.io, "cannot make a private temporary directory")
        }
        return URL(fileURLWithPath: String(cString: made))
    }

    static func pngFiles(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension.lowercased() == "png" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Runs `/usr/bin/<tool>` with `input` on its standard input; its standard output, or
    /// `qrTool` naming the tool and its exit status (and how to install it when missing).
    static func run(_ tool: String, _ arguments: [String], input: [UInt8], environment: [String: String]? = nil) throws(OfflineError) -> [UInt8] {
        let path = "/usr/bin/" + tool
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw OfflineError(.qrTool, "\(path) is not installed (Debian: apt-get install qrencode zbar-tools)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
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
