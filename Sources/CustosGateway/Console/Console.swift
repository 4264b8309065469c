import Foundation
import Logging
import Mustache

/// The approver's web console as the gateway serves it under `/console/`: its templates and
/// static files (SwiftPM resources of this target, read once at start), and its sessions.
/// Every value a template shows is HTML-escaped (Mustache's `{{…}}`; no template uses the
/// unescaped forms). Missing resources make the console answer 503, never the API fail.
final class Console: Sendable {
    /// The resource bundle's name next to the executable (SwiftPM: package_target.resources).
    static let bundleName = "Custos_CustosGateway.resources"
    static let assetTypes = ["console.js": "text/javascript; charset=utf-8", "console.css": "text/css; charset=utf-8"]

    let gateway: Gateway
    let sessions = ConsoleSessions()
    let enrolments = ConsoleEnrolments()
    /// nil when the resources could not be read (`unavailable` says why).
    let templates: MustacheLibrary?
    let assets: [String: [UInt8]]
    let unavailable: String?

    init(gateway: Gateway, logger: Logger = Logger(label: "custos.gateway.console")) {
        self.gateway = gateway
        do {
            let root = try Self.resourceRoot()
            var library = MustacheLibrary()
            let templateFolder = root.appendingPathComponent("templates")
            for file in try FileManager.default.contentsOfDirectory(atPath: templateFolder.path) where file.hasSuffix(".mustache") {
                let text = try String(contentsOf: templateFolder.appendingPathComponent(file), encoding: .utf8)
                try library.register(text, named: String(file.dropLast(".mustache".count)))
            }
            var assets: [String: [UInt8]] = [:]
            for name in Self.assetTypes.keys {
                assets[name] = Array(try Data(contentsOf: root.appendingPathComponent("static").appendingPathComponent(name)))
            }
            templates = library
            self.assets = assets
            unavailable = nil
        } catch {
            logger.error("the console's resources cannot be read; /console answers 503", metadata: ["error": "\(error)"])
            templates = nil
            assets = [:]
            unavailable = "\(error)"
        }
    }

    /// The folder holding templates/ and static/: `$CUSTOS_CONSOLE_RESOURCES`, or the resource
    /// bundle next to the running executable (or next to the test bundle).
    static func resourceRoot() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["CUSTOS_CONSOLE_RESOURCES"] {
            return URL(fileURLWithPath: override)
        }
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            candidates.append(executable.deletingLastPathComponent())
        }
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for folder in candidates {
            let root = folder.appendingPathComponent(bundleName).appendingPathComponent("Resources")
            if FileManager.default.fileExists(atPath: root.appendingPathComponent("templates").path) { return root }
        }
        throw ConsoleResourcesMissing(searched: candidates.map(\.path))
    }

    /// The page `template` shows for `object`; nil when the template is missing.
    func render(_ object: Any, template: String) -> String? {
        templates?.render(object, withTemplate: template)
    }
}
