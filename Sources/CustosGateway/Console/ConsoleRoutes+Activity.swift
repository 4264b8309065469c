import CustosCore
import CustosLedger
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

    static func activity(_ request: Request, _ console: Console) async throws -> Response {
        guard let (_, session) = await session(request, console) else { return ConsolePage.redirect(to: "/console/sign-in") }
        let (state, _) = await console.gateway.committed
        let filter = ConsoleActivityFilter(request.uri.queryParameters)
        let page = max(1, min(request.uri.queryParameters.get("page", as: Int.self) ?? 1, maximumActivityBlocks))
        let skip = (page - 1) * activityPageSize
        let found = try await activityRows(console.gateway, state: state, filter: filter, limit: skip + activityPageSize + 1)
        let shown = Array(found.rows.dropFirst(skip).prefix(activityPageSize))
        return try ConsoleRoutes.page(console, status: .ok, ConsoleActivityPage(
            frame: frame(state, title: "Activity", session: session), filter: filter, rows: shown, page: page,
            hasMore: found.rows.count > skip + activityPageSize, scannedBlocks: found.scanned, complete: found.complete), template: "activity")
    }

    static func activityCSV(_ request: Request, _ console: Console) async throws -> Response {
        guard await session(request, console) != nil else { return ConsolePage.redirect(to: "/console/sign-in") }
        let (state, _) = await console.gateway.committed
        let rows = try await activityRows(console.gateway, state: state, filter: ConsoleActivityFilter(request.uri.queryParameters), limit: .max).rows
        var headers = ConsolePage.securityHeaders
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"custos-activity.csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: ConsoleActivityRow.csv(rows))))
    }

    /// The gateway's committed log from genesis (`ChainExport`, what `custos node export` writes
    /// from a node): the configuration, every block and its certificate. Checked offline by
    /// `custos audit verify`, which trusts nothing the gateway says.
    static func chainExport(_ request: Request, _ console: Console) async throws -> Response {
        guard await session(request, console) != nil else { return ConsolePage.redirect(to: "/console/sign-in") }
        let (_, height) = await console.gateway.committed
        var blocks: [CertifiedBlock] = []
        while UInt64(blocks.count) < height {
            let read = try await console.gateway.committedBlocks(from: UInt64(blocks.count) + 1, limit: blocksPerRead)
            guard !read.isEmpty else { break }
            blocks += read.prefix(Int(height) - blocks.count)
        }
        let export = ChainExport(configuration: await console.gateway.configuration, blocks: blocks)
        var headers = ConsolePage.securityHeaders
        headers[.contentType] = "application/octet-stream"
        headers[.contentDisposition] = "attachment; filename=\"custos-chain-\(height).export\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: export.serialized)))
    }

    /// The entries of the newest committed blocks (at most `maximumActivityBlocks`), newest first,
    /// that `filter` lets through, at most `limit`; how many blocks were read, and whether that
    /// was the whole log.
    static func activityRows(_ gateway: Gateway, state: ReplicatedState, filter: ConsoleActivityFilter, limit: Int) async throws
        -> (rows: [ConsoleActivityRow], scanned: Int, complete: Bool) {
        var rows: [ConsoleActivityRow] = []
        var top = state.height
        var scanned = 0
        while top > 0, scanned < maximumActivityBlocks, rows.count < limit {
            let from = top > UInt64(blocksPerRead) ? top - UInt64(blocksPerRead) + 1 : 1
            let blocks = try await gateway.committedBlocks(from: from, limit: Int(top - from + 1))
            for certified in blocks.reversed() where certified.block.height <= top {
                scanned += 1
                for (index, entry) in certified.block.entries.enumerated().reversed() {
                    let row = ConsoleActivityRow(entry, index: index, of: certified, in: state)
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
