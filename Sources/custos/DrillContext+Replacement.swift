import Foundation

extension DrillContext {
    /// The id of a replacement node: `node-N`, the first N past the members with no folder yet.
    func replacementId() -> String {
        var number = members.count + 1
        while FileManager.default.fileExists(atPath: layout.node("node-\(number)")) { number += 1 }
        return "node-\(number)"
    }

    /// Creates a new node's folder and keys, sealed with the cluster's development passphrase
    /// (`custos node init`), and writes its `custos node join-request` for an `add-member`
    /// proposal; the request's path.
    func prepareReplacement(_ id: String) throws(DrillBlocked) -> String {
        try must(["node", "init", "--data", layout.node(id), "--id", id, "--passphrase-file", layout.passphrase])
        let request = try must(["node", "join-request", "--data", layout.node(id), "--id", id, "--cluster", layout.clusterFile,
                                "--passphrase-file", layout.passphrase])
        let path = (work as NSString).appendingPathComponent("\(id).join.json")
        guard FileManager.default.createFile(atPath: path, contents: Data(request.out.utf8)) else { throw DrillBlocked("cannot write \(path)") }
        note("\(id) created in \(layout.node(id)); its join request is \(path)")
        return path
    }

    /// Starts `custos node run` for `id`, following the log through the gateway, its output in
    /// `<dir>/logs/<id>.log`. `dev up` did not start it and does not stop it: it runs on after the
    /// drill, its process id in `<node folder>/drill-node.pid`.
    func startReplacement(_ id: String) throws(DrillBlocked) -> Int32 {
        let log = layout.path("logs", "\(id).log")
        guard FileManager.default.createFile(atPath: log, contents: nil), let handle = FileHandle(forWritingAtPath: log) else {
            throw DrillBlocked("cannot write \(log)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["node", "run", "--data", layout.node(id), "--id", id, "--cluster", layout.clusterFile, "--gateway", gateway,
                             "--passphrase-file", layout.passphrase]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        do { try process.run() } catch { throw DrillBlocked("cannot start \(id): \(error)") }
        let pid = process.processIdentifier
        let pidFile = (layout.node(id) as NSString).appendingPathComponent("drill-node.pid")
        _ = FileManager.default.createFile(atPath: pidFile, contents: Data("\(pid)\n".utf8))
        note("\(id) runs as process \(pid) (log \(log)); custos dev up neither started it nor stops it: kill \(pid) (its id is in \(pidFile))")
        return pid
    }
}
