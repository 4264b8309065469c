import ArgumentParser
import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosNode
import CustosOffline
import CustosState
import Foundation

extension VaultCommand {
    /// `custos vault offline-bundle REQUEST`: the bundle an offline signer answers, for the attempt
    /// of a vault with an offline share that waits for it, written as QR images (or bytes).
    struct OfflineBundleCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "offline-bundle",
            abstract: "Export the signing bundle of a request to a vault with an offline share, as QR images for the offline signer.",
            discussion: """
                Reads from the gateway the certified block that committed the request, the members' attestations of the \
                attempt waiting for the offline answer, and the policy text; the offline signer checks all of it against \
                the cluster it trusts (`custos offline sign`). With --cluster, it is checked here first.
                """)
        @OptionGroup var connection: OperationCommand.Connection
        @Argument(help: "The request id.") var request: String
        @Option(help: "Write the bundle as QR images (PNG) into this directory.") var out: String?
        @Option(help: "Write the bundle's bytes to this file.") var raw: String?
        @Option(help: "Check the bundle against this cluster.json (as the offline signer will) before writing it.") var cluster: String?
        @Option(help: "Wait up to this many seconds for a quorum of members to attest the attempt.") var wait: Int = 30

        func validate() throws {
            guard (out == nil) != (raw == nil) else { throw ValidationError("give --out DIR or --raw FILE") }
            guard (0...3600).contains(wait) else { throw ValidationError("--wait is 0 to 3600 seconds") }
        }

        func run() async throws {
            let call = GatewayCall(connection.gateway)
            let trust: ClusterConfiguration? = cluster.map { path in
                do { return try ClusterFile.load(path: path) } catch { fail("\(path) is not a cluster file: \(error)") }
            }
            let clusterView: ClusterView = try await call.get("/v1/cluster")
            let quorum = trust?.quorum ?? clusterView.quorum
            let deadline = ContinuousClock.now + .seconds(wait)
            var view: RequestView = try await call.get("/v1/requests/\(percentEncoded(request))")
            /// The statement most members attest, and who attests it.
            func leading(_ offline: SigningView.Offline) -> (statement: String, attesters: [SigningView.Offline.Attestation]) {
                let groups = Dictionary(grouping: offline.attestations, by: \.statement)
                let best = groups.max { a, b in a.value.count < b.value.count || (a.value.count == b.value.count && a.key > b.key) }
                return (best?.key ?? "", best?.value ?? [])
            }
            while true {
                guard let signing = view.signing else { fail("request \(request) is not signed by a vault") }
                guard let offline = signing.offline else { fail("vault \(signing.vault) has no offline share: its nodes sign it alone") }
                guard signing.status == "signing" else {
                    fail("request \(request) is \(signing.status)" + (signing.failure.map { ": \(printable($0))" } ?? ""))
                }
                guard offline.answeredHeight == nil else { fail("attempt \(signing.attempt) of request \(request) has its offline answer already") }
                if leading(offline).attesters.count >= quorum || ContinuousClock.now >= deadline { break }
                try await Task.sleep(for: .seconds(1))
                view = try await call.get("/v1/requests/\(percentEncoded(request))")
            }
            let signing = view.signing!
            let offline = signing.offline!
            let (statement, attesters) = leading(offline)
            guard attesters.count >= quorum, let statementDigest = try? [UInt8](hex: statement) else {
                fail("\(attesters.count) of the \(quorum) attestations of one statement the offline signer needs are in the log for attempt \(signing.attempt); try again later")
            }
            let requestBlock = try await certifiedBlock(call, view.height)
            var blocks: [UInt64: CertifiedBlock] = [:]
            for height in Set(attesters.map(\.height)).sorted() { blocks[height] = try await certifiedBlock(call, height) }
            var members: [(member: NodeID, height: UInt64)] = []
            for a in attesters {
                guard let id = try? NodeID(a.member) else { fail("the gateway names attester \(printable(a.member)), not a node id") }
                members.append((id, a.height))
            }
            let policy: PolicyView = try await call.get("/v1/policies/current")
            let bundle: OfflineBundle
            do {
                bundle = try OfflineBundle.assemble(request: request, attempt: signing.attempt, statement: statementDigest,
                                                    requestBlock: requestBlock, attesters: members, blocks: blocks, policyYAML: policy.yaml)
            } catch { fail("cannot assemble the bundle: \(error.reason)") }
            if let first = bundle.attestations.first, let attested = try? OfflineAttestation(encoded: first.payload),
               attested.policyDigest != ReplicatedState.policyDigest(of: policy.yaml) {
                fail("the policy in force (version \(policy.version)) is not the one the members attested (version \(attested.policyVersion)): "
                     + "wait for them to attest the attempt again, then export again")
            }
            if let trust {
                do { _ = try bundle.verify(trust: trust) } catch {
                    fail("the bundle would be refused by an offline signer trusting \(cluster!): \(error.reason)")
                }
            }
            if trust == nil { print("not checked against a cluster.json here (--cluster): the offline signer checks it") }
            do { try OfflineCommand.write(bundle.serialized, out: out, raw: raw) } catch { fail(error.reason) }
            print("bundle of request \(request), attempt \(signing.attempt): the request's block \(view.height), "
                  + "\(bundle.attestations.count) attestations, policy version \(policy.version)")
            let by = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(offline.answerDeadline) / 1000))
            print("the offline answer is due by \(by) (block time); then: custos vault offline-answer --in DIR")
        }

        private func certifiedBlock(_ call: GatewayCall, _ height: UInt64) async throws -> CertifiedBlock {
            let message: CertifiedBlockMessage = try await call.get("/v1/blocks/\(height)")
            do { return try message.decoded() } catch { fail("the gateway's block \(height) does not decode: \(error)") }
        }
    }

    /// `custos vault offline-answer`: submits the offline signer's answer, read from its QR images
    /// (or bytes); every node checks it against the vault's enrolment and the attempt's package.
    struct OfflineAnswerCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "offline-answer",
            abstract: "Submit the offline signer's answer (QR images or bytes) to the request it answers.")
        @OptionGroup var connection: OperationCommand.Connection
        @Option(help: "Read the answer from the QR images (PNG) in this directory.") var `in`: String?
        @Option(name: .customLong("raw-in"), help: "Read the answer's bytes from this file.") var rawIn: String?
        @Option(help: "Wait up to this many seconds for the signature.") var wait: Int = 60

        func validate() throws {
            guard (`in` == nil) != (rawIn == nil) else { throw ValidationError("give --in DIR or --raw-in FILE") }
            guard (0...3600).contains(wait) else { throw ValidationError("--wait is 0 to 3600 seconds") }
        }

        func run() async throws {
            let bytes: [UInt8]
            do {
                if let dir = `in` {
                    bytes = try QRImages.read(directory: URL(fileURLWithPath: dir))
                } else {
                    guard let data = FileManager.default.contents(atPath: rawIn!) else { fail("cannot read \(rawIn!)") }
                    bytes = Array(data)
                }
            } catch { fail(error.reason) }
            let response: OfflineResponse
            do { response = try OfflineResponse(serializedBytes: bytes) } catch { fail("not an offline signer's answer: \(error.reason)") }
            let entry: Entry
            do { entry = try OfflineShareEntry.entry(response) } catch { fail("\(error)") }
            let call = GatewayCall(connection.gateway)
            let receipt: EntryReceipt = try await call.post("/v1/entries", EntrySubmission(kind: entry.kind, payload: entry.payload))
            receipt.check(signed: entry, what: "answer")
            if let preview = receipt.preview, preview.hasPrefix("refused") { fail("the gateway's state refuses the answer: \(printable(preview))") }
            guard let committed = try await call.committed(receipt.entry, timeout: .seconds(max(wait, 10))) else {
                fail("the answer was not committed within \(max(wait, 10)) s (entry \(receipt.entry))")
            }
            print("answer to request \(response.request), attempt \(response.attempt), committed at height \(committed.height)")
            let deadline = ContinuousClock.now + .seconds(wait)
            while true {
                let view: RequestView = try await call.get("/v1/requests/\(percentEncoded(response.request))")
                guard let signing = view.signing else { fail("request \(response.request) has no signing session") }
                if let signature = signing.signature {
                    print("signed at height \(signing.signedHeight ?? 0): \(signature)")
                    return
                }
                if signing.attempt != response.attempt || signing.status == "failed" {
                    let blame = signing.blames.last { $0.attempt == response.attempt }
                    fail("attempt \(response.attempt) ended: " + printable(blame?.reason ?? signing.failure ?? "the nodes took no answer for it"))
                }
                if signing.offline?.answeredHeight == nil, ContinuousClock.now >= deadline {
                    fail("the nodes did not take the answer (see custos request show \(response.request))")
                }
                guard ContinuousClock.now < deadline else {
                    print("the nodes took the answer; the signature is not in the log yet (custos request show \(response.request))")
                    return
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}
