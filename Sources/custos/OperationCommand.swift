import ArgumentParser
import AsyncHTTPClient
import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosNodeService
import CustosPolicy
import CustosState
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// `custos op …`: propose, approve, reject and inspect governance operations through the
/// gateway, signing with a development software credential. Before approving, the command decodes
/// the operation's canonical content itself and derives the challenge from it, so a gateway cannot
/// make someone approve something other than what is shown.
struct OperationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "op", abstract: "Propose, approve, reject and list governance operations (development credentials).",
        subcommands: [Propose.self, Approve.self, Reject.self, List.self, Show.self, EnrolmentCode.self, Enrol.self])

    struct Connection: ParsableArguments {
        @Option(help: "The gateway's base URL.") var gateway: String = "http://127.0.0.1:8080"
        @Option(help: "The cluster's genesis document digest (hex) as you received it out of band; nothing is signed if the gateway names another.")
        var genesis: String?
    }

    struct Credential: ParsableArguments {
        @Option(name: .customLong("as"), help: "The person's software credential file (credentials/<user>.json).")
        var credentialFile: String
    }

    struct Confirmation: ParsableArguments {
        @Flag(help: "Sign without asking (scripts). Otherwise you confirm at a terminal after reading the operation.")
        var yes = false
        @Option(help: "The operation's digest (hex) as you received it out of band; refused if the operation differs.")
        var digest: String?
        /// A test cluster's shared clock offset (`UnsafeClockOffset`): the decision says it was
        /// signed at the block time its gateway and nodes use.
        @Option(help: .hidden) var unsafeTestClockOffsetFile: String?
    }

    struct Propose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose an operation.",
            discussion: """
                CHANGE is one of: add-user USER ROLE…, remove-user USER, offboard-user USER [--monitor-days N] (in one step:
                every credential and role revoked, their open requests and operations withdrawn, the keys of bots they
                administered due for rotation now; with N, 30 to 90, the policy's `request.destination_touched_by_offboarded`
                holds for N days for destinations they added or last used; `custos user exit-report USER` lists what they had),
                assign-role USER ROLE, revoke-role USER ROLE,
                grant-role USER ROLE DAYS (the role lapses on every node DAYS days after execution), review-access DAYS
                keep:USER:ROLE… revoke:USER:ROLE… (names every current grant once; kept ones run DAYS more days, 0: no expiry),
                open-access-review DEADLINE-DAYS DAYS USER:ROLE… (lists every grant; those named are re-confirmed for DAYS
                more days at once, 0: no expiry; every other one not re-confirmed by DEADLINE-DAYS lapses on every node),
                confirm-access REVIEW DAYS USER:ROLE… (re-confirms grants of the open review REVIEW),
                attest-onboarding USER STEP (records an attestation step of the policy's onboarding section; you hold the role
                that attests it; USER's roles count once every enforced step is recorded),
                add-credential USER (your own new credential: USER is you; writes it to USER.ID.json next to yours),
                enrol-credential USER CODE-KEY [HOURS] (USER then registers one credential themselves with `custos op enrol`
                within HOURS, default 72; CODE-KEY is what `custos op enrolment-code` printed for them), revoke-credential USER ID,
                change-policy FILE, freeze, unfreeze, add-bot BOT ROLE… [--environment E] (writes the bot's DEVELOPMENT key to
                BOT.bot.json next to the proposer's credential; its requests reach only vaults of environment E, default development), remove-bot BOT, rotate-bot-key BOT (writes the bot's new
                DEVELOPMENT key to BOT.OPERATION-ID.bot.json; the old key is refused once it executes), add-member JOIN-REQUEST-FILE (from `custos node join-request`),
                remove-member NODE-ID, create-vault VAULT SCHEME ENVIRONMENT LABEL… (SCHEME: ecdsa-secp256k1, frost-ed25519 or
                frost-taproot; ENVIRONMENT: production, staging or development), add-vault-address VAULT CHAIN PATH LABEL… (CHAIN:
                evm, bitcoin, bitcoin-testnet, bitcoin-regtest or solana; PATH: non-hardened, e.g. 0/5, or m for the vault key),
                refresh-vault VAULT (every key share changes, the key does not), readmit-signer VAULT NODE-ID (a node a blame
                excluded from the vault's signer sets takes part again), cancel-nonce VAULT CHAIN ADDRESS NONCE (a nonce reserved
                to a transaction whose outcome is unknown, or signed and stuck, or a free nonce below the address's next one,
                passes to a zero-value transfer to the same address),
                cancel-address-book-entry ENTRY (a security officer alone: the entry, still cooling off, never becomes usable, nor any
                entry at its address, until the quorum waives it), waive-cooling-off ENTRY ADDRESS (the quorum: the entry is usable at once,
                a cancellation lifted; the chain, the policy change that put the entry there and the cancellation lifted are read
                from the gateway, printed and signed: refused by every node once the entry changes; refused here unless the
                gateway's book gives the entry the ADDRESS you typed),
                clear-watch-flag CHAIN ADDRESS|TRANSACTION|below:BLOCK|reporter:BOT|overflow|coverage|coverage:BOT (the quorum, as a
                policy change: a false poisoned flag is cleared and later reports never flag the address again; or every flag a
                transaction planted; or every flag from a block before BLOCK; or every flag watcher BOT planted, after its key
                was compromised; or the chain's overflow mark, after a flood of dust; or the chain's coverage, after a watcher
                claimed a block the chain never reached; or one watcher BOT's coverage, which starts again at or below the
                block after the chain's mark; prefixed with production:, staging: or development:, in that environment's watch room
                only, else in the one room that holds it, refused if more than one does).
                One signer node joins or leaves per operation.
                """)

        @OptionGroup var connection: Connection
        @OptionGroup var credential: Credential
        @Option(help: "The operation id (printable ASCII, unique); default: a random one.") var id: String?
        @Option(help: "Seconds the operation may wait for approvals.") var lifetime: UInt32 = 24 * 3600
        @Option(help: "For offboard-user: days (30 to 90) of heightened monitoring of the destinations they added or last used.")
        var monitorDays: UInt32?
        @Argument(help: "The change and its arguments.") var change: [String]
        @Option(help: "add-bot: the bot's environment (production, staging or development); only vaults of it take its requests.")
        var environment: String = DeploymentEnvironment.unnamedBot.rawValue

        func validate() throws {
            if monitorDays != nil && change.first != "offboard-user" { throw ValidationError("--monitor-days is for offboard-user only") }
            if let monitorDays, !ReplicatedState.monitorDays.contains(monitorDays) {
                throw ValidationError("--monitor-days is \(ReplicatedState.monitorDays.lowerBound) to \(ReplicatedState.monitorDays.upperBound), not \(monitorDays)")
            }
        }

        func run() async throws {
            // A misspelt role in a new policy's roles section: every node refuses it at proposal,
            // so nothing is signed or sent.
            if change.first == "change-policy", change.count == 2, let data = FileManager.default.contents(atPath: change[1]),
               let document = try? PolicyDocument.decode(yaml: String(decoding: data, as: UTF8.self)), let typo = document.misspeltRoleRefusal {
                fail("\(change[1]): \(typo); every node refuses this change, so it was not proposed")
            }
            let operationId = id ?? "op-" + Base64URL.encode(SecureRandom.bytes(count: 9))
            var file = CredentialStore.load(credential.credentialFile)
            let call = GatewayCall(connection.gateway)
            let (_, genesis) = try await connection.cluster(call, pinned: file.cluster, in: credential.credentialFile)
            let proposal = GovernanceProposal(
                id: operationId, proposer: file.user,
                change: try await makeChange(operationId: operationId, proposer: file, genesis: genesis, call: call), lifetimeSeconds: lifetime)
            let assertion = try makeAssertion(&file, challenge: proposal.challenge(.propose, genesisDigest: genesis), path: credential.credentialFile)
            let receipt: EntryReceipt = try await call.post(
                "/v1/operations", ProposeMessage(proposal: proposal, assertion: assertion))
            print("proposed \(operationId): \(proposal.change.summary)")
            print("queued as \(receipt.queued)" + (receipt.preview.map { "; the committed state says: \($0)" } ?? ""))
        }

        func makeChange(operationId: String, proposer: SoftwareCredentialFile, genesis: [UInt8], call: GatewayCall) async throws -> GovernanceChange {
            guard let verb = change.first else { throw ValidationError("name a change, e.g. add-user dave trader") }
            let args = Array(change.dropFirst())
            /// `USER:ROLE` arguments as the state names grants, `"USER ROLE"`.
            func grants(_ items: ArraySlice<String>) throws -> [String] {
                try items.map { item in
                    let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { throw ValidationError("\(item): each grant is USER:ROLE") }
                    return "\(parts[0]) \(parts[1])"
                }
            }
            func need(_ count: Int, _ usage: String) throws {
                guard args.count == count else { throw ValidationError("usage: \(verb) \(usage)") }
            }
            switch verb {
            case "add-user":
                guard args.count >= 2 else { throw ValidationError("usage: add-user USER ROLE…") }
                return .addUser(id: args[0], roles: Array(args.dropFirst()))
            case "remove-user": try need(1, "USER"); return .removeUser(id: args[0])
            case "offboard-user": try need(1, "USER [--monitor-days N]"); return .offboardUser(id: args[0], monitorDays: monitorDays ?? 0)
            case "assign-role": try need(2, "USER ROLE"); return .assignRole(user: args[0], role: args[1])
            case "revoke-role": try need(2, "USER ROLE"); return .revokeRole(user: args[0], role: args[1])
            case "grant-role":
                try need(3, "USER ROLE DAYS")
                guard let days = UInt32(args[2]) else { throw ValidationError("DAYS is a whole number of days") }
                return .grantRole(user: args[0], role: args[1], days: days)
            case "open-access-review":
                guard args.count >= 2, let deadline = UInt32(args[0]), let days = UInt32(args[1]) else {
                    throw ValidationError("usage: open-access-review DEADLINE-DAYS DAYS USER:ROLE…")
                }
                return .openAccessReview(deadlineDays: deadline, confirmed: try grants(args.dropFirst(2)), days: days)
            case "confirm-access":
                guard args.count >= 3, let days = UInt32(args[1]) else { throw ValidationError("usage: confirm-access REVIEW DAYS USER:ROLE…") }
                return .confirmAccess(review: args[0], grants: try grants(args.dropFirst(2)), days: days)
            case "attest-onboarding": try need(2, "USER STEP"); return .attestOnboarding(user: args[0], step: args[1])
            case "review-access":
                guard let days = args.first.flatMap({ UInt32($0) }) else { throw ValidationError("usage: review-access DAYS keep:USER:ROLE… revoke:USER:ROLE…") }
                var confirmed: [String] = [], revoked: [String] = []
                for grant in args.dropFirst() {
                    let parts = grant.split(separator: ":", maxSplits: 2).map(String.init)
                    guard parts.count == 3, parts[0] == "keep" || parts[0] == "revoke" else {
                        throw ValidationError("\(grant): each grant is keep:USER:ROLE or revoke:USER:ROLE")
                    }
                    if parts[0] == "keep" { confirmed.append("\(parts[1]) \(parts[2])") } else { revoked.append("\(parts[1]) \(parts[2])") }
                }
                return .reviewAccess(confirmed: confirmed, revoked: revoked, days: days)
            case "add-credential":
                try need(1, "USER")
                guard args[0] == proposer.user else {
                    fail("add-credential registers your own credential; enrol \(args[0]) with enrol-credential, and they register theirs themselves")
                }
                let authenticator = SoftwareAuthenticator.generate()
                let registration = authenticator.register(
                    relyingPartyId: proposer.relyingPartyId, origin: proposer.origin,
                    challenge: GovernanceProposal.registrationChallenge(operationId: operationId, user: args[0], genesisDigest: genesis))
                let path = ((credential.credentialFile as NSString).deletingLastPathComponent as NSString)
                    .appendingPathComponent("\(args[0]).\(operationId).json")
                guard !FileManager.default.fileExists(atPath: path) else { fail("\(path) exists; refusing to replace a credential") }
                try CredentialStore.save(
                    SoftwareCredentialFile(user: args[0], relyingPartyId: proposer.relyingPartyId, origin: proposer.origin,
                                           authenticator: authenticator, cluster: genesis), to: path)
                print("wrote the new DEVELOPMENT credential of \(args[0]) to \(path)")
                return .addCredential(user: args[0], registration: registration)
            case "enrol-credential":
                guard (2...3).contains(args.count) else { throw ValidationError("usage: enrol-credential USER CODE-KEY [HOURS]") }
                guard let key = try? [UInt8](hex: args[1]), key.count == 32 else {
                    throw ValidationError("CODE-KEY is the 64 hex digits `custos op enrolment-code` printed")
                }
                guard let hours = args.count == 3 ? UInt32(args[2]) : 72, (1...720).contains(hours) else {
                    throw ValidationError("HOURS is a whole number from 1 to 720")
                }
                return .enrolCredential(user: args[0], codeKey: key, validSeconds: hours * 3600)
            case "revoke-credential":
                try need(2, "USER CREDENTIAL-ID")
                guard let id = Base64URL.decode(args[1]) else { throw ValidationError("the credential id is not base64url") }
                return .revokeCredential(user: args[0], credentialId: id)
            case "change-policy":
                try need(1, "FILE")
                guard let data = FileManager.default.contents(atPath: args[0]) else { fail("cannot read \(args[0])") }
                // The change names the document it replaces: every node refuses it unless that is
                // the policy in force, so approvers review differences from a known document. A
                // gateway that lies about it here only gets the proposal refused.
                let current: PolicyView = try await call.get("/v1/policies/current")
                let replaces = ReplicatedState.policyDigest(of: current.yaml)
                print("replaces the policy in force with digest \(replaces.hexString) (version \(current.version))")
                return .changePolicy(yaml: String(decoding: data, as: UTF8.self), replaces: replaces)
            case "add-member":
                try need(1, "JOIN-REQUEST-FILE")
                guard let data = FileManager.default.contents(atPath: args[0]) else { fail("cannot read \(args[0])") }
                let request: JoinRequest
                do { request = try JSONDecoder().decode(JoinRequest.self, from: data) } catch { fail("\(args[0]) is not a join request: \(error)") }
                let (member, proof) = try request.decoded()
                return .addMember(member, proof: proof)
            case "add-bot":
                guard args.count >= 2 else { throw ValidationError("usage: add-bot BOT ROLE…") }
                let environment = try vaultEnvironment(environment)
                return .addBot(id: args[0], key: try newBotKey(args[0], file: "\(args[0]).bot.json", genesis: genesis), roles: Array(args.dropFirst()),
                               environment: environment)
            case "rotate-bot-key":
                try need(1, "BOT")
                return .rotateBotKey(id: args[0], key: try newBotKey(args[0], file: "\(args[0]).\(operationId).bot.json", genesis: genesis))
            case "remove-bot":
                try need(1, "BOT")
                return .removeBot(id: args[0])
            case "remove-member":
                try need(1, "NODE-ID")
                return .removeMember(id: try NodeID(args[0]))
            case "create-vault":
                guard args.count >= 4 else { throw ValidationError("usage: create-vault VAULT SCHEME ENVIRONMENT LABEL…") }
                return .createVault(id: args[0], label: args[3...].joined(separator: " "), scheme: try vaultScheme(args[1]),
                                    environment: try vaultEnvironment(args[2]))
            case "add-vault-address":
                guard args.count >= 4 else { throw ValidationError("usage: add-vault-address VAULT CHAIN PATH LABEL…") }
                return .addVaultAddress(vault: args[0], label: args[3...].joined(separator: " "), chain: try vaultChain(args[1]),
                                        path: try derivationPath(args[2]))
            case "refresh-vault":
                try need(1, "VAULT")
                return .refreshVault(id: args[0])
            case "readmit-signer":
                try need(2, "VAULT NODE-ID")
                return .readmitSigner(vault: args[0], node: try NodeID(args[1]))
            case "register-asset":
                try need(5, "CHAIN CHAIN-ID SYMBOL CONTRACT|native DECIMALS")
                guard let chainId = UInt64(args[1]), let decimals = UInt8(args[4]) else {
                    throw ValidationError("CHAIN-ID and DECIMALS are whole numbers")
                }
                return .registerAsset(RegisteredAsset(chain: args[0], chainId: chainId, symbol: args[2],
                                                      contract: args[3] == "native" ? nil : args[3], decimals: decimals))
            case "remove-asset":
                try need(2, "CHAIN SYMBOL")
                return .removeAsset(chain: args[0], symbol: args[1])
            case "cancel-nonce":
                try need(4, "VAULT CHAIN ADDRESS NONCE")
                guard let nonce = UInt64(args[3]) else { throw ValidationError("NONCE is a whole number") }
                return .cancelNonce(vault: args[0], chain: args[1], address: args[2], nonce: nonce)
            case "cancel-address-book-entry":
                try need(1, "ENTRY")
                return .cancelAddressBookEntry(entry: args[0])
            case "waive-cooling-off":
                try need(2, "ENTRY ADDRESS")
                return try await waiver(of: args[0], expecting: args[1], call: call)
            case "clear-watch-flag":
                try need(2, "CHAIN [ENVIRONMENT:]ADDRESS|TRANSACTION|below:BLOCK|reporter:BOT|overflow|coverage|coverage:BOT")
                do { _ = try WatchClearance.scoped(args[1]) } catch { throw ValidationError(error.reason) }
                return .clearWatchFlag(chain: args[0], target: args[1])
            case "freeze": try need(0, ""); return .freeze
            case "unfreeze": try need(0, ""); return .unfreeze
            default: throw ValidationError("unknown change \"\(verb)\"; see --help")
            }
        }

        /// A waiver of `entry` as the address book stands now: its chain, address and the policy
        /// change that put it there, printed for the proposer to check, and refused unless the
        /// address is `expected`, the one the proposer typed (the gateway is not trusted to choose
        /// it). The approvers sign them, and every node refuses the waiver once the entry names
        /// anything else.
        func waiver(of entry: String, expecting expected: String, call: GatewayCall) async throws -> GovernanceChange {
            let book: [AddressBookEntryView] = try await call.get("/v1/address-books")
            guard let view = book.first(where: { $0.name == entry }) else { fail("the address book has no entry \"\(entry.printable(limit: 64))\"") }
            guard let standing = view.coolingOff else { fail("\(entry) is in the genesis policy and has no cooling-off to waive") }
            if expected != view.address, !(expected.hasPrefix("0x") && expected.lowercased() == view.address.lowercased()) {
                fail("\(entry) goes to \(view.address) on \(view.chain), not \(expected): nothing proposed")
            }
            say("waiving \(entry): \(view.chain) \(view.address), as operation \(standing.operation) put it"
                + (standing.cancelled.map { "; lifts the cancellation by \($0.user) (operation \($0.operation))" } ?? "; not cancelled"))
            return .waiveCoolingOff(entry: entry, chain: view.chain, address: view.address, standing: standing.operation,
                                   lifts: standing.cancelled?.operation ?? "")
        }

        /// A new DEVELOPMENT Ed25519 key for `bot`, written to `file` next to the proposer's
        /// credential (never over an existing file) and pinned to the cluster `genesis`; its public key.
        func newBotKey(_ bot: String, file: String, genesis: [UInt8]) throws -> BotPublicKey {
            let key = Curve25519.Signing.PrivateKey()
            let path = ((credential.credentialFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent(file)
            guard !FileManager.default.fileExists(atPath: path) else { fail("\(path) exists; refusing to replace a bot key") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try writeSecretFile(path, try encoder.encode(BotKeyFile(bot: bot, key: key, cluster: genesis)))
            say("wrote the DEVELOPMENT key of the bot \(bot) to \(path)")
            return BotSigningKey(ed25519: key).publicKey
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve an operation after checking its content.")
        @OptionGroup var connection: Connection
        @OptionGroup var credential: Credential
        @OptionGroup var confirmation: Confirmation
        @Argument(help: "The operation id.") var id: String

        func run() async throws {
            try await decide(id, approve: true, connection: connection, credentialFile: credential.credentialFile, confirmation: confirmation)
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject (or, as its proposer, withdraw) an operation.")
        @OptionGroup var connection: Connection
        @OptionGroup var credential: Credential
        @OptionGroup var confirmation: Confirmation
        @Argument(help: "The operation id.") var id: String

        func run() async throws {
            try await decide(id, approve: false, connection: connection, credentialFile: credential.credentialFile, confirmation: confirmation)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List operations, one a line.")
        @OptionGroup var connection: Connection
        @Option(help: "Only this status (proposed, executed, rejected, expired, failed).") var status: String?
        @Flag(help: "Print the gateway's JSON (after the same checks).") var json = false

        /// Prints the operations only after checking every one against its canonical content
        /// (and the status asked for): aligned for people, or the gateway's JSON with `--json`.
        func run() async throws {
            let path = "/v1/operations" + (status.map { "?status=\(percentEncoded($0))" } ?? "")
            let raw = try await GatewayCall(connection.gateway).getRaw(path)
            let operations: [OperationView]
            do { operations = try JSONDecoder().decode([OperationView].self, from: raw) } catch { fail("the gateway sent no list of operations") }
            for operation in operations {
                _ = operation.checkedProposal()
                if let status, operation.status != status {
                    fail("the gateway lists operation \(printable(operation.id)) as \(printable(operation.status)) among the \(printable(status)) ones")
                }
            }
            if json { return print(String(decoding: raw, as: UTF8.self)) }
            guard !operations.isEmpty else { return print(status.map { "No \(printable($0)) operations." } ?? "No operations.") }
            printTable(header: ["OPERATION", "STATUS", "PROPOSER", "APPROVALS", "EXPIRES", "WHAT"], rows: operations.map { o in
                [printable(o.id), printable(o.status), printable(o.proposer), o.approvals.isEmpty ? "-" : printable(o.approvals.joined(separator: ",")),
                 UTCTime.text(Int64(o.expiresAt / 1000)), printable(o.summary)]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one operation and the refusals recorded against it, as JSON.")
        @OptionGroup var connection: Connection
        @Argument(help: "The operation id.") var id: String

        /// Prints the gateway's JSON only after checking it is the operation asked for and that
        /// what it says of it is its canonical content.
        func run() async throws {
            let raw = try await GatewayCall(connection.gateway).getRaw("/v1/operations/\(percentEncoded(id))")
            let detail: OperationDetail
            do { detail = try JSONDecoder().decode(OperationDetail.self, from: raw) } catch { fail("the gateway sent no operation for \(printable(id))") }
            _ = detail.operation.checkedProposal(asked: id)
            print(String(decoding: raw, as: UTF8.self))
        }
    }

    /// Fetches the operation, checks that its canonical content is the operation named, matches
    /// its digest (and the one given out of band) and is still open, shows all of it — for a
    /// policy change, the differences from the policy in force — asks for confirmation (measuring
    /// the review from the operation shown to the confirmation typed), then signs the challenge
    /// derived locally from that content, the cluster's genesis digest and the timing (the time
    /// of signing and the review; no review with `--yes`; no timing for a cancel) and submits.
    static func decide(
        _ id: String, approve: Bool, connection: Connection, credentialFile: String, confirmation: Confirmation
    ) async throws {
        let call = GatewayCall(connection.gateway)
        let detail: OperationDetail = try await call.get("/v1/operations/\(percentEncoded(id))")
        let proposal = detail.operation.checkedProposal(asked: id)
        let digest = proposal.digest.hexString
        if let expected = confirmation.digest, expected.lowercased() != digest {
            fail("operation \(id) has the digest \(digest), not the \(expected) you expect: refusing to sign")
        }
        // A rejection of an approved operation that waits its time-lock cancels it (security officers only).
        let cancels = !approve && detail.operation.status == "approved" && detail.operation.executesAt != nil
        guard detail.operation.status == "proposed" || cancels else { fail("operation \(id) is \(detail.operation.status); nothing to decide") }
        let (cluster, genesis) = try await connection.cluster(call, pinned: CredentialStore.load(credentialFile).cluster, in: credentialFile)
        say("""
            \(approve ? "APPROVE" : cancels ? "CANCEL (time-locked until \(Date(timeIntervalSince1970: Double(detail.operation.executesAt ?? 0) / 1000)))" : "REJECT") operation \(printable(id))
              proposed by  \(printable(proposal.proposer))
              change       \(printable(proposal.change.summary))
              expires      \(Date(timeIntervalSince1970: Double(detail.operation.expiresAt) / 1000))
              approvals    \(detail.operation.approvals.map(printable).joined(separator: ", "))
              rejections   \(detail.operation.rejections.map(printable).joined(separator: ", "))
              digest       \(digest)
              cluster      \(printable(cluster.name)), genesis \(genesis.hexString)
            """)
        if case .changePolicy(let yaml, let replaces) = proposal.change {
            let current: PolicyView = try await call.get("/v1/policies/current")
            // The differences shown are from the document the change names, which every node
            // requires to be the policy in force; what the gateway calls current must be it.
            // Only an approval needs them: a rejection or cancel may always be signed.
            let served = ReplicatedState.policyDigest(of: current.yaml)
            switch (replaces, approve) {
            case (nil, true):
                fail("operation \(id) does not name the policy it replaces, so its differences cannot be checked: refusing to approve it "
                     + "(reject it, and propose it again with custos op propose change-policy)")
            case (nil, false):
                say("replaces     not named by the change (it cannot be approved here)")
            case (let replaces?, true) where replaces != served:
                fail("operation \(id) replaces the policy with digest \(replaces.hexString), but the gateway serves one with digest "
                     + "\(served.hexString) as the policy in force: refusing to sign differences that cannot be checked")
            case (let replaces?, false) where replaces != served:
                say("replaces     the policy with digest \(replaces.hexString), not the \(served.hexString) the gateway serves as in force: "
                    + "if that is so, every node refuses to execute it")
            case (let replaces?, _):
                say("replaces     the policy with digest \(replaces.hexString) (checked: the differences below are from it)")
                say(policyDifferences(from: current.yaml, to: yaml))
            }
        }
        let timing = DecisionTiming.confirmed(
            approve ? "approve" : "reject", with: credentialFile, yes: confirmation.yes,
            notAtTerminal: "not at a terminal: read the operation above and pass --yes (and --digest) to sign",
            clockOffset: confirmation.unsafeTestClockOffsetFile.map(UnsafeClockOffset.init(path:)))
        // A cancel signs the cancel challenge, which binds when the operation would execute and
        // no signing time; an approval or rejection signs its time and the review measured.
        if !cancels {
            say(timing.reviewMillis.map { "review       \(DecisionTiming.text($0)), measured here and signed into the \(approve ? "approval" : "rejection")" }
                ?? "review       not measured (--yes)")
        }
        var file = CredentialStore.load(credentialFile)
        let challenge = cancels
            ? proposal.cancelChallenge(executesAt: detail.operation.executesAt!, genesisDigest: genesis)
            : proposal.challenge(approve ? .approve : .reject, genesisDigest: genesis, timing: timing)
        let assertion = try makeAssertion(&file, challenge: challenge, path: credentialFile)
        let decision = DecisionMessage(user: file.user, assertion: assertion, timing: cancels ? nil : timing)
        let receipt: EntryReceipt = try await call.post(
            "/v1/operations/\(percentEncoded(id))/\(approve ? "approvals" : "rejections")", decision)
        receipt.check(signed: try decision.entry(operationId: id, approve: approve), what: approve ? "approval" : "rejection")
        print("queued as \(receipt.queued)" + (receipt.preview.map { "; the committed state says: \($0)" } ?? ""))
    }
}

/// Makes an assertion with the credential file's authenticator and stores the new counter
/// before the assertion leaves this process.
func makeAssertion(_ file: inout SoftwareCredentialFile, challenge: [UInt8], path: String) throws -> WebAuthnAssertion.Response {
    var authenticator: SoftwareAuthenticator
    do { authenticator = try file.authenticator() } catch { fail("\(path): \(error.reason)") }
    let assertion = authenticator.getAssertion(relyingPartyId: file.relyingPartyId, origin: file.origin, challenge: challenge)
    file.update(from: authenticator)
    try CredentialStore.save(file, to: path)
    return assertion
}

/// One JSON request to the gateway; a problem response becomes a one-line failure with its code.
/// An `https://` gateway is checked against the system's trust roots, or only against the CA
/// file `CUSTOS_GATEWAY_CA` names (`GatewayTrust`).
struct GatewayCall {
    /// One client for the process, never shut down (as `HTTPClient.shared`), trusting what
    /// `GatewayTrust` says.
    static let client: HTTPClient = {
        do { return HTTPClient(eventLoopGroupProvider: .singleton, configuration: try GatewayTrust.configuration()) } catch {
            fail("\(error)")
        }
    }()

    let base: String
    init(_ base: String) { self.base = base.hasSuffix("/") ? String(base.dropLast()) : base }

    func get<T: Decodable>(_ path: String) async throws -> T {
        try JSONDecoder().decode(T.self, from: try await getRaw(path))
    }

    func getRaw(_ path: String) async throws -> Data {
        try await send(HTTPClientRequest(url: base + path))
    }

    func post<T: Decodable>(_ path: String, _ body: some Encodable) async throws -> T {
        try await post(raw: path, try JSONEncoder().encode(body))
    }

    func post<T: Decodable>(raw path: String, _ body: Data) async throws -> T {
        try JSONDecoder().decode(T.self, from: try await postRaw(path, body))
    }

    /// Posts `body` as JSON and returns the answer's bytes as they came.
    func postRaw(_ path: String, _ body: Data) async throws -> Data {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: body))
        return try await send(request)
    }

    private func send(_ request: HTTPClientRequest) async throws -> Data {
        let response: HTTPClientResponse
        do { response = try await Self.client.execute(request, timeout: .seconds(10)) } catch {
            fail("cannot reach the gateway at \(base): \(error)")
        }
        let body = Data(buffer: try await response.body.collect(upTo: 32 << 20))
        guard (200..<300).contains(response.status.code) else {
            if let problem = try? JSONDecoder().decode(Problem.self, from: body) {
                fail("the gateway refused (\(response.status.code) \(problem.code)): \(problem.detail)")
            }
            fail("the gateway answered \(response.status)")
        }
        return body
    }
}

/// Every character outside printable ASCII shown as an escape, so that names and roles chosen by
/// someone else cannot rewrite what an approver reads.
func printable(_ text: String) -> String { text.printable() }

func percentEncoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
}

/// The policy engine's plain-language differences between two policy documents, the new
/// document's size and SHA-256 for comparing with a copy received out of band, and every changed
/// line of the text (the plain-language list may leave parts of a document out).
func policyDifferences(from old: String, to new: String) -> String {
    var lines = ["  new policy   \(new.utf8.count) bytes, SHA-256 \(ReplicatedState.policyDigest(of: new).hexString)"]
    do {
        let diff = PolicyDiff(old: try PolicyDocument.decode(yaml: old), new: try PolicyDocument.decode(yaml: new))
        lines.append(diff.changes.isEmpty ? "  no changes in meaning" : "  changes:")
        lines += diff.lines.map { "    " + printable($0) }
    } catch {
        lines.append("  the new policy does not parse: \(printable("\(error)"))")
    }
    let text = TextDiff.lines(from: old, to: new)
    lines.append(text.isEmpty ? "  the texts are the same" : "  every changed line of the text:")
    lines += text.map { "    " + printable($0) }
    return lines.joined(separator: "\n")
}
