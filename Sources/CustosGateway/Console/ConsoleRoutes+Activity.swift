import CustosCore
import CustosLedger
import CustosPolicy
import CustosState
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension ConsoleRoutes {
    static let activityPageSize = 50
    /// The activity view reads at most this many of the newest blocks (and says so).
    static let maximumActivityBlocks = 5_000
    static let blocksPerRead = 100

    /// `/console/activity` (the page), `/console/activity.csv` (the filtered view as CSV) and
    /// `/console/activity.chain` (the committed log as `custos audit verify` checks it), each
    /// for a signed-in person.
    static func addActivity<Context: GatewayContext>(to router: some RouterMethods<Context>, console: Console) {
        router.get("/console/activity") { request, _ in try await activity(request, console) }
        router.get("/console/activity.csv") { request, _ in try await activityCSV(request, console) }
        router.get("/console/activity.chain") { request, _ in try await chainExport(request, console) }
    }

    /// The answer to a second scan or export while one runs.
    static func busy(_ what: String) -> GatewayProblem {
        GatewayProblem(.tooManyRequests, code: "console.busy", title: "Another \(what) is running",
                       detail: "the gateway runs one \(what) at a time; try again shortly", retryAfter: ConsoleWorkGate.retryAfterSeconds)
    }

    static func activity(_ request: Request, _ console: Console) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let (state, _) = await console.gateway.committed
        let filter = ConsoleActivityFilter(request.uri.queryParameters)
        // Pages reach as far as the CSV does (review helper-98 M1: `?page=5000` kept 250,001 rows).
        let page = max(1, min(request.uri.queryParameters.get("page", as: Int.self) ?? 1, maximumCSVRows / activityPageSize))
        let skip = (page - 1) * activityPageSize
        guard let found = try await console.gateway.activityScans.run({
            try await activityRows(console.gateway, state: state, filter: filter, limit: skip + activityPageSize + 1)
        }) else { throw busy("scan of the log") }
        let shown = Array(found.rows.dropFirst(skip).prefix(activityPageSize))
        return try ConsoleRoutes.page(console, status: .ok, ConsoleActivityPage(
            frame: frame(state, title: "Activity", session: session), filter: filter, rows: shown, page: page,
            hasMore: found.rows.count > skip + activityPageSize, scannedBlocks: found.scanned, complete: found.complete), template: "activity")
    }

    /// The CSV holds at most this many rows (its first line says when it was cut).
    static let maximumCSVRows = 10_000

    /// The filtered view as CSV: a first line saying what it is (cluster, heights read, filters,
    /// when exported, whether it was cut), the header, then at most `maximumCSVRows` rows from the
    /// newest `maximumActivityBlocks` blocks. A filter that does not read is refused (400).
    static func activityCSV(_ request: Request, _ console: Console) async throws -> Response {
        guard await session(request, console) != nil else { return ConsolePage.redirect(to: "/console/sign-in") }
        let (state, _) = await console.gateway.committed
        let filter = ConsoleActivityFilter(request.uri.queryParameters)
        guard filter.problems.isEmpty else {
            throw GatewayProblem(.badRequest, code: "activity.invalid-filter", title: "Invalid filter",
                                 detail: filter.problems.joined(separator: "; "))
        }
        guard let found = try await console.gateway.activityScans.run({
            try await activityRows(console.gateway, state: state, filter: filter, limit: maximumCSVRows + 1)
        }) else { throw busy("scan of the log") }
        let rows = Array(found.rows.prefix(maximumCSVRows))
        let lowest = state.height - min(state.height, UInt64(found.scanned)) + 1
        let range: String = found.complete ? "(the whole log)" : "(the newest \(found.scanned) of \(state.height): older blocks are not read)"
        let filters: String = filter.query.isEmpty ? "none" : filter.query
        let exported: String = UTCTime.text(Int64(console.gateway.clock() / 1000))
        var about = "Custos activity of cluster \(state.clusterName), blocks \(lowest) to \(state.height) \(range); filters: \(filters); exported \(exported)"
        if found.rows.count > maximumCSVRows {
            about += "; CUT at \(maximumCSVRows) rows, the newest: narrow the filters for the rest"
        }
        var headers = ConsolePage.securityHeaders
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"custos-activity.csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: ConsoleActivityRow.csv(rows, about: about))))
    }

    /// The gateway's committed log from genesis (`ChainExport`, what `custos node export` writes
    /// from a node): the configuration, every block and its certificate, streamed block by block
    /// (`blocksPerRead` at a time), one export at a time. Checked offline by `custos audit
    /// verify`, which trusts nothing the gateway says. A store that fails mid-way ends the stream
    /// short, which `custos audit verify` reports.
    static func chainExport(_ request: Request, _ console: Console) async throws -> Response {
        guard await session(request, console) != nil else { return ConsolePage.redirect(to: "/console/sign-in") }
        let gateway = console.gateway
        guard let ticket = await gateway.activityExports.enter() else { throw busy("export") }
        let (_, height) = await gateway.committed
        let header = ChainExport.header(configuration: await gateway.configuration, blockCount: Int(height))
        var headers = ConsolePage.securityHeaders
        headers[.contentType] = "application/octet-stream"
        headers[.contentDisposition] = "attachment; filename=\"custos-chain-\(height).export\""
        let body = ResponseBody { writer in
            do {
                try await writer.write(ByteBuffer(bytes: header))
                var next: UInt64 = 1
                while next <= height {
                    let read = try await gateway.committedBlocks(from: next, limit: Int(min(UInt64(blocksPerRead), height - next + 1)))
                    var buffer = ByteBuffer()
                    for certified in read where certified.block.height == next && next <= height {
                        buffer.writeBytes(ChainExport.serialized(certified))
                        next += 1
                    }
                    guard buffer.readableBytes > 0 else { throw ConsoleExportShort(height: next) }
                    try await writer.write(buffer)
                }
                try await writer.finish(nil)
            } catch {
                await gateway.activityExports.leave(ticket)
                throw error
            }
            await gateway.activityExports.leave(ticket)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The entries of the newest committed blocks (at most `maximumActivityBlocks`), newest first,
    /// that `filter` lets through, at most `limit`; how many blocks were read, and whether that
    /// was the whole log.
    static func activityRows(_ gateway: Gateway, state: ReplicatedState, filter: ConsoleActivityFilter, limit: Int) async throws
        -> (rows: [ConsoleActivityRow], scanned: Int, complete: Bool) {
        var rows: [ConsoleActivityRow] = []
        let refused = await gateway.refusedEntries
        var top = state.height
        var scanned = 0
        while top > 0, scanned < maximumActivityBlocks, rows.count < limit {
            let from = top > UInt64(blocksPerRead) ? top - UInt64(blocksPerRead) + 1 : 1
            let blocks = try await gateway.committedBlocks(from: from, limit: Int(top - from + 1))
            for certified in blocks.reversed() where certified.block.height <= top {
                scanned += 1
                for (index, entry) in certified.block.entries.enumerated().reversed() {
                    let row = ConsoleActivityRow(entry, index: index, of: certified, in: state,
                                                 refused: refused[certified.block.height]?[index])
                    if filter.matches(row) { rows.append(row) }
                }
                if scanned >= maximumActivityBlocks { break }
            }
            guard from > 1 else { top = 0; break }
            top = from - 1
        }
        return (Array(rows.prefix(limit)), scanned, top == 0)
    }
}
