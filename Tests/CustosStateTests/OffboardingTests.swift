import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// One-step offboarding (`offboard-user`), tried as the departing person would try to go on:
/// afterwards they can neither propose, approve, reject, initiate nor enrol a credential; their
/// open requests and operations are withdrawn, the keys of bots they administered are due, the
/// exit report lists exactly what they had, and the heightened-monitoring window asks one more
/// approval for transfers to destinations they touched, only while it runs.
@Suite struct OffboardingTests {
    static let day: UInt64 = 86_400_000
    static let otc = "0x2222222222222222222222222222222222222222"
    static let desk = "0x3333333333333333333333333333333333333333"

    /// The OTC desk is an exchange too. Exchanges up to 1000 ETH, two admins above 10 ETH, three while the destination is under
    /// heightened monitoring; bots past their key's grace are refused.
    static let policy = Cluster.policy(version: 2).replacing("address_book:\n", with: """
        address_book:
          otc:
            chain: ethereum
            address: "\(otc)"
            tags: [exchange]

        """).replacing("rules:\n", with: """
        rules:
          - name: bot-key-past-grace
            match: {initiator: {kind: bot}}
            when: "request.initiator_key_past_grace"
            outcome: deny
          - name: to-exchanges
            match: {destination: {tags: [exchange]}, amount: {up_to: 1000}}
            outcome: allow
          - name: large-needs-two-admins
            match: {amount: {over: 10}}
            outcome: {require: {group: admins, count: 2}}
            expires: 1h
          - name: offboarded-destinations-need-three
            match: {amount: {over: 10}}
            when: "request.destination_touched_by_offboarded"
            outcome: {require: {group: admins, count: 3}}
            expires: 1h

        """)

    /// What ivan leaves behind when he goes.
    struct Scene {
        var c: Cluster
        var riskKey: BotSigningKey
        var ivanBotKey: BotSigningKey
        var ivanRequest: String
        var botRequest: String
        var addBot: GovernanceProposal
        var ivanOperation: GovernanceProposal
        var openEnrolment: GovernanceProposal
        var offboard: GovernanceProposal? = nil
    }

    /// The test cluster under `policy` with ivan, an admin: he proposed `ivan-bot`'s registration,
    /// has a transfer of his waiting for approvals, approved risk-bot's pending transfer, has an
    /// operation of his open, and an enrolment for him is approved and unused.
    static func scene() throws -> Scene {
        var c = try Cluster()
        let (change, _) = try c.propose(.changePolicy(yaml: Self.policy), by: "frank")
        try c.approve(change, by: "grace")
        try c.approve(change, by: "erin")
        #expect(c.state.policyVersion == 2, "\(String(describing: c.state.operations[change.id]?.failure))")
        let riskKey = BotSigningKey(ed25519: .init())
        try c.registerBot("risk-bot", key: riskKey.publicKey)
        try c.addPerson("ivan", roles: ["admin"])
        let ivanBotKey = BotSigningKey(ed25519: .init())
        let (addBot, _) = try c.propose(.addBot(id: "ivan-bot", key: ivanBotKey.publicKey, roles: ["trading-bot"]), by: "ivan")
        try c.approve(addBot, by: "frank")
        try c.approve(addBot, by: "grace")
        #expect(c.status(addBot) == .executed)
        // ivan's own transfer to the OTC desk, held for two admins.
        let ivanRequest = try #require(Cluster.decided(c.apply(try Self.personEntry(&c, by: "ivan", amount: "50", destination: Self.otc))))
        #expect(ivanRequest.outcome == .needsApprovals)
        // risk-bot's transfer to kraken, approved by ivan only so far.
        let botRequest = try #require(Cluster.decided(try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "50"), keyId: "risk-bot", key: riskKey))))
        #expect(botRequest.outcome == .needsApprovals)
        #expect(Cluster.code(try Self.decide(&c, .approve, botRequest.id, by: "ivan")) == nil)
        let (ivanOperation, _) = try c.propose(.addUser(id: "judy", roles: ["viewer"]), by: "ivan")
        #expect(c.status(ivanOperation) == .proposed)
        let openEnrolment = try c.enrol("ivan", codeKey: CredentialEnrolment.codeKey(ofCode: Self.code))
        #expect(c.status(openEnrolment) == .executed)
        return Scene(c: c, riskKey: riskKey, ivanBotKey: ivanBotKey, ivanRequest: ivanRequest.id, botRequest: botRequest.id, addBot: addBot,
                     ivanOperation: ivanOperation, openEnrolment: openEnrolment)
    }

    static let code = [UInt8](repeating: 7, count: 32)

    /// The scene with ivan offboarded (frank proposes, grace and erin approve), with a
    /// monitoring window of `monitorDays`.
    static func offboarded(monitorDays: UInt32 = 0) throws -> Scene {
        var s = try scene()
        try offboard(&s, monitorDays: monitorDays)
        return s
    }

    /// Offboards ivan in `s` (frank proposes, grace and erin approve).
    static func offboard(_ s: inout Scene, monitorDays: UInt32) throws {
        let (p, outcome) = try s.c.propose(.offboardUser(id: "ivan", monitorDays: monitorDays), by: "frank")
        #expect(Cluster.code(outcome) == nil, "\(outcome)")
        try s.c.approve(p, by: "grace")
        try s.c.approve(p, by: "erin")
        #expect(s.c.status(p) == .executed, "\(String(describing: s.c.state.operations[p.id]?.failure))")
        s.offboard = p
    }

    static func personEntry(_ c: inout Cluster, by user: String, amount: String, destination: String = Cluster.kraken) throws -> Entry {
        let request = RequestEntry.personEnvelope(
            body: Cluster.transfer(by: user, amount: amount, destination: destination), cluster: c.state.genesisDigest, user: user,
            timestamp: Int64(c.now), nonce: c.nonce())
        return try RequestEntry.submit(request, assertion: c.assert(user, RequestEntry.personChallenge(request)))
    }

    @discardableResult
    static func decide(_ c: inout Cluster, _ act: RequestDecisionEntry.Act, _ request: String, by user: String) throws -> GovernanceOutcome {
        try RequestApprovalTests.decide(&c, act, request, by: user)
    }

    @Test func afterwardsThePersonCanDoNothing() throws {
        var s = try Self.offboarded()
        let ivan = try #require(s.c.state.users["ivan"])
        #expect(!ivan.active && ivan.roles.isEmpty && ivan.credentials.isEmpty && ivan.roleExpiry.isEmpty)
        #expect(!s.c.state.policy.members(ofGroup: "admins").contains("ivan"))
        // Propose: signed with the credential he still has on his authenticator.
        let (_, proposed) = try s.c.propose(.addUser(id: "mallory", roles: ["admin"]), by: "ivan")
        #expect(Cluster.code(proposed) == .inactiveUser)
        // Approve and reject an operation still open.
        let (open, _) = try s.c.propose(.addUser(id: "judy", roles: ["viewer"]), by: "frank")
        #expect(Cluster.code(try s.c.approve(open, by: "ivan")) == .inactiveUser)
        #expect(Cluster.code(try s.c.reject(open, by: "ivan")) == .inactiveUser)
        // Approve and reject a request still pending.
        let fresh = try #require(Cluster.decided(try s.c.submit(s.c.signed(Cluster.transfer(by: "risk-bot", amount: "60"), keyId: "risk-bot", key: s.riskKey))))
        #expect(Cluster.code(try Self.decide(&s.c, .approve, fresh.id, by: "ivan")) == .inactiveUser)
        #expect(Cluster.code(try Self.decide(&s.c, .reject, fresh.id, by: "ivan")) == .inactiveUser)
        // Initiate a request of his own.
        let initiated = s.c.apply(try Self.personEntry(&s.c, by: "ivan", amount: "5"))
        #expect(Cluster.decided(initiated) == nil, "\(initiated)")
        #expect(Cluster.code(initiated) != nil)
        // Enrol a credential: under the enrolment approved before, and under a new one.
        let registration = s.c.enrolRegistration(
            s.openEnrolment.id, user: "ivan", codeKey: CredentialEnrolment.codeKey(ofCode: Self.code), authenticator: .generate())
        let enrol = try GovernanceEntry.enrol(
            enrolmentId: s.openEnrolment.id, user: "ivan", proof: CredentialEnrolment.proof(code: Self.code, registration: registration),
            registration: registration).entry()
        #expect(Cluster.code(s.c.apply(enrol)) == .inactiveUser)
        #expect(s.c.state.users["ivan"]?.credentials.isEmpty == true)
        let (_, enrolment) = try s.c.propose(.enrolCredential(user: "ivan", codeKey: CredentialEnrolment.codeKey(ofCode: Self.code), validSeconds: 600), by: "frank")
        #expect(Cluster.code(enrolment) == .inactiveUser)
        // Nor does anyone give him a role back.
        let (_, role) = try s.c.propose(.assignRole(user: "ivan", role: "admin"), by: "frank")
        #expect(Cluster.code(role) == .inactiveUser)
    }

    @Test func hisPendingRequestsAndOperationsAreWithdrawnAndHisApprovalsNoLongerCount() throws {
        var s = try Self.offboarded()
        let withdrawn = try #require(s.c.state.requestBook.requests[s.ivanRequest])
        #expect(withdrawn.approvals?.status == .rejected)
        #expect(withdrawn.approvals?.rejection?.user == "ivan")
        #expect(!withdrawn.isAllowed)
        // Nobody can approve it into signing any more.
        #expect(Cluster.code(try Self.decide(&s.c, .approve, s.ivanRequest, by: "frank")) == .notPending)
        #expect(Cluster.code(try Self.decide(&s.c, .approve, s.ivanRequest, by: "grace")) == .notPending)
        #expect(s.c.state.requestBook.requests[s.ivanRequest]?.isAllowed == false)
        // His open operation is withdrawn; nobody can approve it.
        #expect(s.c.status(s.ivanOperation) == .rejected)
        #expect(s.c.state.operations[s.ivanOperation.id]?.rejectedBy == "ivan")
        #expect(Cluster.code(try s.c.approve(s.ivanOperation, by: "frank")) == .notPending)
        // risk-bot's request: his approval no longer counts, two others are needed.
        let bot = try #require(s.c.state.requestBook.requests[s.botRequest])
        #expect(s.c.state.countedApprovers(of: bot).isEmpty)
        try Self.decide(&s.c, .approve, s.botRequest, by: "frank")
        #expect(s.c.state.requestBook.requests[s.botRequest]?.approvals?.status == .pending)
        try Self.decide(&s.c, .approve, s.botRequest, by: "grace")
        #expect(s.c.state.requestBook.requests[s.botRequest]?.approvals?.status == .approved)
        let o = try #require(s.c.state.offboardings["ivan"])
        #expect(o.withdrawnRequests == [s.ivanRequest])
        #expect(o.withdrawnOperations == [s.ivanOperation.id])
    }

    /// Under time-locks, an operation ivan proposed (a new key for his bot) and one he approved
    /// are approved and waiting when his offboarding executes: both are withdrawn and never
    /// execute, so what he set going cannot outlive him (review helper-106 H1).
    @Test func timeLockedOperationsHeProposedOrApprovedNeverExecute() throws {
        var s = try Self.scene()
        let hour = GovernanceTimelockTests.hour
        let locked = Self.policy.replacing("version: 2", with: "version: 3").replacing(
            "  freeze: {roles: [security]}\n",
            with: "  freeze: {roles: [security]}\n  timelocks: {\(GovernanceTimelockTests.timelocks), rotate_bot_key: 1h}\n")
        let (change, _) = try s.c.propose(.changePolicy(yaml: locked), by: "frank")
        try s.c.approve(change, by: "grace")
        try s.c.approve(change, by: "erin")
        #expect(s.c.state.policyVersion == 3, "\(String(describing: s.c.state.operations[change.id]?.failure))")

        let (offboard, _) = try s.c.propose(.offboardUser(id: "ivan", monitorDays: 0), by: "frank")
        try s.c.approve(offboard, by: "grace")
        try s.c.approve(offboard, by: "erin")
        let offboardAt = try #require(s.c.state.operations[offboard.id]?.executesAt)
        // Within the hour, still an admin: a new key for his bot, and a person he approves.
        let (rotate, _) = try s.c.propose(.rotateBotKey(id: "ivan-bot", key: BotSigningKey(ed25519: .init()).publicKey), by: "ivan")
        try s.c.approve(rotate, by: "frank")
        try s.c.approve(rotate, by: "grace")
        let (judy, _) = try s.c.propose(.addUser(id: "judy2", roles: ["viewer"]), by: "frank")
        try s.c.approve(judy, by: "ivan")
        try s.c.approve(judy, by: "grace")
        #expect(s.c.status(rotate) == .approved && s.c.status(judy) == .approved)
        let last = max(s.c.state.operations[rotate.id]!.executesAt!, s.c.state.operations[judy.id]!.executesAt!)
        #expect(last > offboardAt)

        // No block in between (an idle hour, or a gateway that waits): all three fall due in one
        // block, the offboarding first; what it withdrew stays withdrawn (review helper-108 H1).
        var sameBlock = s.c
        sameBlock.now = last
        sameBlock.state.advance(to: sameBlock.now)
        #expect(sameBlock.status(offboard) == .executed)
        #expect(sameBlock.status(rotate) == .rejected && sameBlock.status(judy) == .rejected)
        #expect(sameBlock.state.bots["ivan-bot"]?.key == s.ivanBotKey.publicKey && sameBlock.state.users["judy2"] == nil)

        s.c.now = offboardAt
        s.c.state.advance(to: s.c.now)
        #expect(s.c.status(offboard) == .executed)
        #expect(s.c.status(rotate) == .rejected && s.c.status(judy) == .rejected)
        #expect(s.c.state.offboardings["ivan"]?.withdrawnOperations.contains(rotate.id) == true)
        s.c.now = last + hour
        s.c.state.advance(to: s.c.now)
        #expect(s.c.status(rotate) == .rejected && s.c.status(judy) == .rejected)
        #expect(s.c.state.bots["ivan-bot"]?.key == s.ivanBotKey.publicKey, "his bot keeps the key it had")
        #expect(s.c.state.users["judy2"] == nil)
    }

    /// ivan approved an operation still open when he is offboarded: his approval is taken off it,
    /// so no group that names him keeps counting it (review helper-108 M1).
    @Test func hisApprovalsOfOpenOperationsAreTakenOff() throws {
        var s = try Self.scene()
        let (kim, _) = try s.c.propose(.addUser(id: "kim", roles: ["viewer"]), by: "frank")
        try s.c.approve(kim, by: "ivan")
        #expect(s.c.status(kim) == .proposed && s.c.state.operations[kim.id]?.approvals == ["ivan"])
        let (p, _) = try s.c.propose(.offboardUser(id: "ivan", monitorDays: 0), by: "frank")
        try s.c.approve(p, by: "grace")
        try s.c.approve(p, by: "erin")
        #expect(s.c.status(p) == .executed)
        #expect(s.c.status(kim) == .proposed && s.c.state.operations[kim.id]?.approvals == [])
    }

    /// ivan's message request, approved, has its signing session open when he is offboarded:
    /// the session fails, so no node lends a share for it afterwards (review helper-106 M3).
    @Test func hisSigningSessionsNotDoneFail() throws {
        let ceremony = VaultCeremonyTests()
        var (c, _) = try RequestApprovalTests.cluster(try ceremony.cluster())
        _ = try ceremony.generate(&c, "hot", .frostEd25519)
        try c.addPerson("ivan", roles: ["admin"])
        let request = RequestEntry.personEnvelope(
            body: MessageRequestTests.body(MessageRequestTests.hex("raw", "0x0102"), initiator: "ivan", vault: "hot"),
            cluster: c.state.genesisDigest, user: "ivan", timestamp: Int64(c.now), nonce: c.nonce())
        let decided = try #require(Cluster.decided(c.apply(try RequestEntry.submit(request, assertion: c.assert("ivan", RequestEntry.personChallenge(request))))))
        #expect(decided.outcome == .needsApprovals)
        try Self.decide(&c, .approve, decided.id, by: "frank")
        try Self.decide(&c, .approve, decided.id, by: "grace")
        let open = try #require(c.state.signing[decided.id])
        #expect(open.status == .waiting || open.status == .signing)
        let (p, _) = try c.propose(.offboardUser(id: "ivan", monitorDays: 0), by: "frank")
        try c.approve(p, by: "grace")
        try c.approve(p, by: "erin")
        #expect(c.status(p) == .executed, "\(String(describing: c.state.operations[p.id]?.failure))")
        #expect(c.state.signing[decided.id]?.status == .failed)
        #expect(c.state.signing[decided.id]?.failure?.contains("offboarded") == true)
        #expect(c.state.offboardings["ivan"]?.withdrawnRequests == [decided.id])
    }

    @Test func theKeysOfHisBotsAreDueNowAndThePolicyRefusesThemPastGrace() throws {
        var s = try Self.offboarded()
        let at = try #require(s.c.state.offboardings["ivan"]).at
        #expect(s.c.state.offboardingRotationDue(of: "ivan-bot") == at)
        // risk-bot was registered by frank, grace and erin: not his.
        #expect(s.c.state.offboardingRotationDue(of: "risk-bot") == nil)
        let inventory = s.c.state.inventory
        let key = try #require(inventory.keys.first { $0.kind == .bot && $0.owner == "ivan-bot" })
        #expect(key.rotationDueAt == at)
        #expect(key.rotation == .overdue)
        #expect(key.details["due-by-offboarding"]?.contains("ivan") == true)
        #expect(inventory.overdue.map(\.owner) == ["ivan-bot"])
        #expect(inventory.keys.first { $0.kind == .bot && $0.owner == "risk-bot" }?.rotation == .current)
        // Past the grace period (14 days for operational keys) the policy refuses the bot.
        s.c.now = at + 15 * Self.day
        let refused = try s.c.submit(s.c.signed(Cluster.transfer(by: "ivan-bot", amount: "1"), keyId: "ivan-bot", key: s.ivanBotKey))
        #expect(Cluster.decided(refused)?.outcome == .deny, "\(refused)")
        let allowed = try s.c.submit(s.c.signed(Cluster.transfer(by: "risk-bot", amount: "1"), keyId: "risk-bot", key: s.riskKey))
        #expect(Cluster.decided(allowed)?.outcome == .allow, "\(allowed)")
        // A rotation by the quorum ends it.
        let fresh = BotSigningKey(ed25519: .init())
        let (rotate, _) = try s.c.propose(.rotateBotKey(id: "ivan-bot", key: fresh.publicKey), by: "frank")
        try s.c.approve(rotate, by: "grace")
        try s.c.approve(rotate, by: "erin")
        #expect(s.c.state.offboardingRotationDue(of: "ivan-bot") == nil)
        #expect(s.c.state.inventory.keys.first { $0.kind == .bot && $0.owner == "ivan-bot" }?.rotation == .current)
        let after = try s.c.submit(s.c.signed(Cluster.transfer(by: "ivan-bot", amount: "1"), keyId: "ivan-bot", key: fresh))
        #expect(Cluster.decided(after)?.outcome == .allow, "\(after)")
    }

    @Test func theExitReportListsExactlyWhatHeHad() throws {
        let s = try Self.offboarded()
        let report = try #require(s.c.state.exitReport(of: "ivan"))
        let o = report.offboarding
        #expect(o.user == "ivan" && o.operationId == s.offboard?.id)
        #expect(o.roles == ["admin"])
        #expect(o.credentials.count == 1)
        // What he could do: the admin's row of the access matrix before, exactly.
        let before = try Self.scene().c
        let row = try #require(before.state.accessMatrix.rows.first { $0.kind == "person" && $0.subject == "ivan" })
        let cells = zip(before.state.accessMatrix.columns, row.cells).filter { !$0.1.isEmpty }.map { "\($0.0.key)=\($0.1)" }
        #expect(o.access.map { "\($0.key)=\($0.cell)" } == cells)
        #expect(o.access.contains { $0.key == "governance:change_policy" })
        #expect(!o.access.contains { $0.key == "governance:freeze" && $0.cell.contains("alone") })
        #expect(o.administeredBots == ["ivan-bot"])
        #expect(o.botsDue == ["ivan-bot"])
        #expect(report.requests.map(\.id) == [s.ivanRequest])
        #expect(report.requests.first?.destination == Self.otc && report.requests.first?.amount == "50")
        #expect(report.requestDecisions.map { "\($0.act) \($0.id)" } == ["approve \(s.botRequest)"])
        #expect(report.operations.map(\.id) == [s.addBot.id, s.ivanOperation.id])
        #expect(report.operations.map(\.status) == ["executed", "rejected"])
        #expect(report.operationDecisions.isEmpty)
        #expect(report.complete)
        // Nobody else has one.
        #expect(s.c.state.exitReport(of: "frank") == nil)
    }

    @Test func offboardingsThatCannotBeAreRefused() throws {
        var s = try Self.offboarded()
        let (_, again) = try s.c.propose(.offboardUser(id: "ivan", monitorDays: 0), by: "frank")
        #expect(Cluster.code(again) == .invalidChange)
        let (_, unknown) = try s.c.propose(.offboardUser(id: "nobody", monitorDays: 0), by: "frank")
        #expect(Cluster.code(unknown) == .unknownUser)
        for days: UInt32 in [1, 29, 91, .max] {
            let (_, window) = try s.c.propose(.offboardUser(id: "heidi", monitorDays: days), by: "frank")
            guard case .refused(let error) = window else {
                Issue.record("a window of \(days) days was not refused")
                continue
            }
            #expect(error.code == .invalidChange && error.reason.contains("30 to 90 days"), "\(error.reason)")
        }
        // Two admins would leave one: governance could no longer act.
        let (_, lockout) = try s.c.propose(.offboardUser(id: "grace", monitorDays: 0), by: "frank")
        guard case .refused(let error) = lockout else {
            Issue.record("an offboarding that locks governance out was not refused")
            return
        }
        #expect(error.code == .lockout || error.code == .invalidPolicy, "\(error.code)")
        #expect(error.reason.contains("offboarding grace would leave governance unable to act"), "\(error.reason)")
        #expect(s.c.state.users["grace"]?.active == true)
    }

    @Test func aPersonMayProposeTheirOwnOffboardingButNotDecideIt() throws {
        var s = try Self.scene()
        let (p, outcome) = try s.c.propose(.offboardUser(id: "ivan", monitorDays: 0), by: "ivan")
        #expect(Cluster.code(outcome) == nil)
        #expect(Cluster.code(try s.c.approve(p, by: "ivan")) == .initiatorCannotApprove)
        try s.c.approve(p, by: "frank")
        try s.c.approve(p, by: "grace")
        #expect(s.c.status(p) == .executed)
        #expect(s.c.state.users["ivan"]?.active == false)
        // His other open operation is withdrawn; the offboarding itself is not among them.
        #expect(s.c.state.offboardings["ivan"]?.withdrawnOperations == [s.ivanOperation.id])
    }

    @Test func theOffboardingIsInTheDigestAndEveryCopyAgrees() throws {
        let s = try Self.offboarded(monitorDays: 30)
        var replayed = try ReplicatedState(genesis: s.c.genesis)
        for (entry, time) in s.c.log { replayed.apply(entry, blockTime: time) }
        #expect(replayed.digest == s.c.state.digest)
        #expect(replayed.offboardings == s.c.state.offboardings)
        var without = try ReplicatedState(genesis: s.c.genesis)
        for (entry, time) in s.c.log.dropLast(1) { without.apply(entry, blockTime: time) }
        #expect(without.offboardings.isEmpty)
        #expect(without.digest != s.c.state.digest)
        #expect(try GovernanceProposal(encoded: try #require(s.offboard).encoded) == s.offboard)
    }

    @Test func theMonitoringWindowAsksOneMoreApprovalOnlyWhileItRuns() throws {
        var s = try Self.offboarded(monitorDays: 30)
        let o = try #require(s.c.state.offboardings["ivan"])
        // He last sent a request to the OTC desk; kraken's latest request was risk-bot's.
        #expect(o.monitoredDestinations == ["ethereum/" + Self.otc])
        #expect(o.monitorUntil == o.at + 30 * Self.day)
        let riskKey = s.riskKey
        func required(_ c: inout Cluster, to destination: String) throws -> [Int] {
            let outcome = try c.submit(c.signed(Cluster.transfer(by: "risk-bot", amount: "50", destination: destination), keyId: "risk-bot", key: riskKey))
            let decided = try #require(Cluster.decided(outcome))
            return try #require(c.state.requestBook.requests[decided.id]).decision.pending.map(\.count).sorted()
        }
        #expect(try required(&s.c, to: Self.otc) == [2, 3])
        #expect(try required(&s.c, to: Cluster.kraken) == [2])
        // Within the window, three admins approve it; two do not.
        let held = try #require(Cluster.decided(try s.c.submit(s.c.signed(
            Cluster.transfer(by: "risk-bot", amount: "50", destination: Self.otc), keyId: "risk-bot", key: s.riskKey))))
        try Self.decide(&s.c, .approve, held.id, by: "frank")
        try Self.decide(&s.c, .approve, held.id, by: "grace")
        #expect(s.c.state.requestBook.requests[held.id]?.approvals?.status == .pending)
        try Self.decide(&s.c, .approve, held.id, by: "erin")
        #expect(s.c.state.requestBook.requests[held.id]?.approvals?.status == .approved)
        // The last millisecond of the window still counts; from its end on, two admins suffice.
        s.c.now = o.monitorUntil! - 1001
        #expect(try required(&s.c, to: Self.otc) == [2, 3])
        s.c.now = o.monitorUntil! - 1000
        #expect(try required(&s.c, to: Self.otc) == [2])
    }

    @Test func addressBookEntriesHeProposedAreMonitored() throws {
        var s = try Self.scene()
        let next = Self.policy.replacing("version: 2", with: "version: 3").replacing("address_book:\n", with: """
            address_book:
              otc-desk:
                chain: ethereum
                address: "\(Self.desk)"
                tags: [otc]

            """)
        let (change, _) = try s.c.propose(.changePolicy(yaml: next), by: "ivan")
        try s.c.approve(change, by: "frank")
        try s.c.approve(change, by: "grace")
        #expect(s.c.state.policyVersion == 3, "\(String(describing: s.c.state.operations[change.id]?.failure))")
        let (p, _) = try s.c.propose(.offboardUser(id: "ivan", monitorDays: 90), by: "frank")
        try s.c.approve(p, by: "grace")
        try s.c.approve(p, by: "erin")
        #expect(s.c.status(p) == .executed, "\(String(describing: s.c.state.operations[p.id]?.failure))")
        let o = try #require(s.c.state.offboardings["ivan"])
        #expect(o.monitoredDestinations == ["ethereum/" + Self.otc, "ethereum/" + Self.desk])
        #expect(o.monitorUntil == o.at + 90 * Self.day)
        // Without a window nothing is monitored.
        #expect(try Self.offboarded(monitorDays: 0).c.state.offboardings["ivan"]?.monitoredDestinations == [])
    }

    @Test func hisApprovedTransactionsNotSignedYetEndUnsigned() throws {
        let fixture = TransactionRequestTests()
        var c = try fixture.cluster()
        try c.govern(.changePolicy(yaml: Cluster.transactionPolicy(version: 3).replacing("rules:\n", with: """
            rules:
              - name: people-to-exchanges
                match: {initiator: {kind: person}, destination: {tags: [exchange]}, amount: {up_to: 10}}
                outcome: allow

            """)))
        try c.addPerson("ivan", roles: ["trader"])
        let body = Cluster.evmTransfer(amount: "1.5", initiator: "ivan")
        let envelope = RequestEntry.personEnvelope(body: body, cluster: c.state.genesisDigest, user: "ivan", timestamp: Int64(c.now), nonce: c.nonce())
        let decided = try #require(Cluster.decided(c.apply(try RequestEntry.submit(envelope, assertion: c.assert("ivan", RequestEntry.personChallenge(envelope))))))
        #expect(decided.outcome == .allow)
        #expect(c.state.transactions[decided.id]?.status == .awaitingParameters)
        // risk-bot's transfer, allowed too, is not his: it stays.
        let other = try #require(Cluster.decided(try c.submit(c.signed(Cluster.evmTransfer(amount: "1"), keyId: "risk-bot", key: fixture.bot))))
        try c.govern(.offboardUser(id: "ivan", monitorDays: 0))
        let plan = try #require(c.state.transactions[decided.id])
        #expect(plan.status == .expired && plan.parametersDeadline == nil)
        #expect(plan.failure?.contains("ivan was offboarded") == true, "\(String(describing: plan.failure))")
        #expect(c.state.offboardings["ivan"]?.withdrawnRequests == [decided.id])
        #expect(c.state.transactions[other.id]?.status == .awaitingParameters)
        // Parameters for it are refused now.
        let refused = c.apply(try c.parameters(decided.id, nonce: 0, key: fixture.executor))
        #expect(Cluster.code(refused) != nil, "\(refused)")
        #expect(c.state.transactions[decided.id]?.status == .expired)
    }
}
