import CustosCore
import Foundation

/// QR parts as PNG images, through the Debian tools `qrencode` (writing) and `zbarimg` (reading),
/// found on `PATH`. The framing is `QRFrames`'; this only runs the tools.
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
            let output = try run("zbarimg", ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", image.path], input: [])
            let codes = String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            guard !codes.isEmpty else { throw OfflineError(.qrTool, "no QR code found in \(image.lastPathComponent)") }
            for (k, code) in codes.enumerated() {
                texts.append(code)
                names.append(codes.count == 1 ? image.lastPathComponent : "\(image.lastPathComponent) (code \(k + 1))")
            }
        }
        return try QRFrames.join(texts, names: names)
    }

    static func pngFiles(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension.lowercased() == "png" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Runs `tool` from PATH with `input` on its standard input; its standard output, or
    /// `qrTool` naming the tool and its exit status (and how to install it when missing).
    static func run(_ tool: String, _ arguments: [String], input: [UInt8]) throws(OfflineError) -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw OfflineError(.qrTool, "cannot run \(tool)") }
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 {
            throw OfflineError(.qrTool, "\(tool) is not installed (Debian: apt-get install qrencode zbar-tools)")
        }
        // zbarimg exits 4 when an image holds no code: that image is reported by the caller.
        guard process.terminationStatus == 0 || (tool == "zbarimg" && process.terminationStatus == 4) else {
            throw OfflineError(.qrTool, "\(tool) failed (exit status \(process.terminationStatus))")
        }
        return Array(output)
    }
}
