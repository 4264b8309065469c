import GRDB

extension DatabasePool {
    /// Opens a pool on `path` whose writer commits with synchronous = FULL (WAL): a commit is on
    /// the disk when it returns, and survives the machine losing power, not only the process
    /// dying. GRDB sets synchronous = NORMAL on the writer when it turns WAL on, after
    /// `Configuration.prepareDatabase` has run, so FULL is set here, on the open pool's writer.
    package static func durable(path: String, configuration: Configuration) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return pool
    }
}

extension DatabaseWriter {
    /// The writer connection's `synchronous` setting (2 is FULL): what its next commit waits for.
    package func writerSynchronous() throws -> Int {
        try writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }
}
