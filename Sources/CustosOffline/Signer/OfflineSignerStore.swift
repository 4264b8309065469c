import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosNode
import CustosState
import Foundation

/// The offline signer's directory: the cluster it trusts (a copy of `cluster.json`, its genesis
/// digest recorded, and the member set a person confirmed since, `updateCluster`), its Ed25519
/// identity key and one additive key per enrolled vault, both sealed with a passphrase
/// (`PassphraseSeal`), and the record of every request it answered. Nothing secret is ever
/// printed: listings show public keys only.
///
/// Layout: `signer.json` (genesis digest, identity public key, the current member set's file),
/// `cluster.json` (the cluster file at set-up, never changed: its genesis members make the
/// ledger genesis digest every vote signs), `clusters/<sha256 of the file>.json` (every cluster
/// file whose members the signer trusted after set-up: the one `signer.json` names is current,
/// the others are the history), `identity.sealed`, `vaults/<sha256(vault)>/{enrolment.bin,key.sealed}`,
/// `answered/<sha256(vault, request)>.json`.
public struct OfflineSignerStore: Sendable {
    public let directory: URL
    /// The cluster as the signer trusts it now: the set-up file's genesis with the voting
    /// members of the last confirmed update (the set-up file's members before any).
    public let trust: ClusterConfiguration
    /// The governance genesis digest (`GenesisDocument.digest`): the cluster's identity, which
    /// no member update changes.
    public let genesisDigest: [UInt8]
    public let identityKey: [UInt8]
    let sealStrength: PassphraseSeal.Strength
    /// The cluster file of the current members in `clusters/`, by its SHA-256; nil before any update.
    let membersFile: String?

    struct SignerFile: Codable {
        var version: Int
        var genesisDigest: String
        /// SHA-256 of the trusted cluster.json as copied: its members' keys are trusted as they were.
        var clusterFileDigest: String
        var identityKey: String
        /// `PassphraseSeal.Strength` of every sealed key here.
        var sealStrength: UInt8
        /// Version 2: SHA-256 (hex) of the file in `clusters/` whose members are trusted now.
        var membersFile: String?
    }

    /// A vault this signer enrolled in: public parts only.
    public struct EnrolledVault: Sendable, Codable, Equatable {
        public let vault: String
        public let scheme: String
        public let offlineKey: String
    }

    /// A request this signer answered, and the attempt it answered last.
    public struct AnsweredRequest: Sendable, Codable, Equatable {
        public let vault: String
        public let request: String
        public let attempt: UInt32
    }

    /// Sets a signer up in `directory` (which must not hold one) for the cluster in `clusterFile`:
    /// copies the file, records its genesis digest, makes the identity key and seals it.
    public static func create(
        at directory: URL, clusterFile: URL, passphrase: SecretBytes, strength: PassphraseSeal.Strength = .moderate
    ) throws(OfflineError) -> OfflineSignerStore {
        guard !FileManager.default.fileExists(atPath: directory.appendingPathComponent("signer.json").path) else {
            throw OfflineError(.store, "\(directory.path) already holds an offline signer")
        }
        let clusterBytes = try DurableFile.read(clusterFile)
        let (_, genesis) = try loadTrust(clusterBytes, from: clusterFile)
        try DurableFile.makeDirectory(directory)
        let identity = Curve25519.Signing.PrivateKey()
        let sealed: [UInt8]
        do { sealed = try PassphraseSeal.seal(SecretBytes(identity.rawRepresentation), passphrase: passphrase, strength: strength) } catch {
            throw OfflineError(.passphrase, "cannot seal the identity key: \(error.reason)")
        }
        try DurableFile.write(clusterBytes, to: directory.appendingPathComponent("cluster.json"), mode: 0o644)
        try DurableFile.write(sealed, to: directory.appendingPathComponent("identity.sealed"))
        let file = SignerFile(version: 1, genesisDigest: genesis.hexString, clusterFileDigest: Hashes.sha256(clusterBytes).hexString,
                              identityKey: Array(identity.publicKey.rawRepresentation).hexString,
                              sealStrength: strength.rawValue, membersFile: nil)
        // Written last: a directory without it holds no signer, and can be set up again.
        try writeSignerFile(file, in: directory)
        return try OfflineSignerStore(directory: directory)
    }

    /// Opens the signer in `directory`.
    public init(directory: URL) throws(OfflineError) {
        self.directory = directory
        let signerURL = directory.appendingPathComponent("signer.json")
        guard FileManager.default.fileExists(atPath: signerURL.path) else {
            throw OfflineError(.store, "\(directory.path) holds no offline signer (custos offline init)")
        }
        let file: SignerFile
        do { file = try JSONDecoder().decode(SignerFile.self, from: Data(try DurableFile.read(signerURL))) } catch {
            throw OfflineError(.store, "\(signerURL.path) is not a signer file")
        }
        guard file.version == 1 || file.version == 2 else {
            throw OfflineError(.store, "\(signerURL.path) is of version \(file.version); this custos reads versions 1 and 2")
        }
        let clusterURL = directory.appendingPathComponent("cluster.json")
        let clusterBytes = try DurableFile.read(clusterURL)
        let (setUpTrust, genesis) = try Self.loadTrust(clusterBytes, from: clusterURL)
        guard genesis.hexString == file.genesisDigest, Hashes.sha256(clusterBytes).hexString == file.clusterFileDigest else {
            throw OfflineError(.store, "the cluster.json in \(directory.path) is not the one this signer was set up with")
        }
        guard let key = try? [UInt8](hex: file.identityKey), key.count == 32 else {
            throw OfflineError(.store, "\(signerURL.path) has no valid identity key")
        }
        guard let strength = PassphraseSeal.Strength(rawValue: file.sealStrength) else {
            throw OfflineError(.store, "\(signerURL.path) names an unknown sealing strength")
        }
        var trust = setUpTrust
        if let name = file.membersFile {
            guard name.utf8.count == 64, (try? [UInt8](hex: name))?.hexString == name else {
                throw OfflineError(.store, "\(signerURL.path) names no valid members file")
            }
            let url = Self.clustersDirectory(directory).appendingPathComponent(name + ".json")
            let bytes = try DurableFile.read(url)
            guard Hashes.sha256(bytes).hexString == name else {
                throw OfflineError(.store, "\(url.path) is not the cluster file this signer's members were confirmed from")
            }
            trust = try Self.reconfigure(setUpTrust, genesis: genesis, with: bytes, from: url)
        }
        self.trust = trust
        self.genesisDigest = genesis
        self.identityKey = key
        self.sealStrength = strength
        self.membersFile = file.membersFile
    }

    /// The cluster a cluster file describes and its governance genesis digest; `invalidInput`
    /// naming the file for one that does not decode or carries no governance genesis.
    static func loadTrust(_ bytes: [UInt8], from url: URL) throws(OfflineError) -> (ClusterConfiguration, [UInt8]) {
        do {
            let trust = try JSONDecoder().decode(ClusterFile.self, from: Data(bytes)).configuration()
            return (trust, try GenesisDocument(encoded: trust.genesisDocument).digest)
        } catch {
            throw OfflineError(.invalidInput, "\(url.path) is not a cluster file with a governance genesis: \(error)")
        }
    }

    /// `setUp` (the set-up file's cluster, governance genesis `genesis`) with the voting members
    /// of the cluster file `bytes`, which must be of the same cluster: same governance genesis,
    /// name and genesis time. The genesis members stay those of `setUp`: votes sign the ledger
    /// genesis digest they make, which a membership change keeps (`ClusterConfiguration.reconfigured`).
    static func reconfigure(
        _ setUp: ClusterConfiguration, genesis: [UInt8], with bytes: [UInt8], from url: URL
    ) throws(OfflineError) -> ClusterConfiguration {
        let (next, nextGenesis) = try loadTrust(bytes, from: url)
        guard nextGenesis == genesis else {
            throw OfflineError(.invalidInput, "\(url.lastPathComponent) is a file of another cluster (governance genesis "
                               + "\(nextGenesis.hexString.prefix(16))); this signer trusts the cluster with genesis \(genesis.hexString.prefix(16))")
        }
        guard next.name == setUp.name, next.genesisTimestamp == setUp.genesisTimestamp else {
            throw OfflineError(.invalidInput, "\(url.lastPathComponent) names the cluster \(next.name.printable(limit: 64)) with genesis time "
                               + "\(next.genesisTimestamp); this signer trusts \(setUp.name) with genesis time \(setUp.genesisTimestamp)")
        }
        do { return try setUp.reconfigured(members: next.members) } catch {
            throw OfflineError(.invalidInput, "the members of \(url.lastPathComponent) are refused: \(error.reason)")
        }
    }

    static func clustersDirectory(_ directory: URL) -> URL { directory.appendingPathComponent("clusters") }

    static func writeSignerFile(_ file: SignerFile, in directory: URL) throws(OfflineError) {
        let json: Data
        do { json = try JSONEncoder().encode(file) } catch { throw OfflineError(.io, "cannot encode signer.json") }
        try DurableFile.write(Array(json), to: directory.appendingPathComponent("signer.json"), mode: 0o644)
    }

    // MARK: Members

    /// A change of the trusted voting members, as `updateCluster` shows it before it is confirmed.
    public struct ClusterUpdate: Sendable {
        /// The cluster as trusted after the update.
        public let trust: ClusterConfiguration
        public let added: [Member]
        public let removed: [Member]
        /// `OfflineMembers.fingerprint` of the members trusted now and after the update.
        public let previousFingerprint: String
        public let fingerprint: String
        /// How many of the members trusted now stay, and the quorum of those trusted now.
        public var kept: Int { trust.n - added.count }
        public let previousQuorum: Int
        let bytes: [UInt8]
    }

    /// What trusting the members of the cluster file `clusterFile` would change; refuses a file of
    /// another cluster (another governance genesis, name or genesis time), one that does not
    /// decode, and one whose members are the ones trusted already.
    public func clusterUpdate(from clusterFile: URL) throws(OfflineError) -> ClusterUpdate {
        try clusterUpdate(DurableFile.read(clusterFile), from: clusterFile)
    }

    func clusterUpdate(_ bytes: [UInt8], from url: URL) throws(OfflineError) -> ClusterUpdate {
        let setUpURL = directory.appendingPathComponent("cluster.json")
        let (setUp, _) = try Self.loadTrust(try DurableFile.read(setUpURL), from: setUpURL)
        let next = try Self.reconfigure(setUp, genesis: genesisDigest, with: bytes, from: url)
        let (added, removed) = OfflineMembers.changes(from: trust.members, to: next.members)
        guard !added.isEmpty || !removed.isEmpty else {
            throw OfflineError(.invalidInput, "\(url.lastPathComponent) names the members this signer trusts already; nothing to update")
        }
        return ClusterUpdate(trust: next, added: added, removed: removed, previousFingerprint: OfflineMembers.fingerprint(of: trust.members),
                             fingerprint: OfflineMembers.fingerprint(of: next.members), previousQuorum: trust.quorum, bytes: bytes)
    }

    /// Trusts the voting members of the cluster file `clusterFile` from now on, once `confirm`
    /// (the person at the machine, shown the update) says yes, and returns the signer opened
    /// again. Keeps the identity key, every vault key and every answer record: only the members
    /// whose votes and attestations count change. The file is copied into `clusters/` first, then
    /// `signer.json` is switched to it, each write durable: a crash in between leaves the old
    /// trust whole (the copy unused), never a mix. Files trusted before stay in `clusters/`.
    public func updateCluster(from clusterFile: URL, confirm: (ClusterUpdate) -> Bool) throws(OfflineError) -> OfflineSignerStore {
        // One change at a time, and never while a bundle is answered.
        let lock = try Lock(directory.appendingPathComponent("lock"))
        defer { lock.release() }
        let current = try OfflineSignerStore(directory: directory)
        let update = try current.clusterUpdate(DurableFile.read(clusterFile), from: clusterFile)
        guard confirm(update) else { throw OfflineError(.invalidInput, "not confirmed; the signer trusts the members it trusted before") }
        let name = try stage(update.bytes)
        try switchMembers(to: name)
        return try OfflineSignerStore(directory: directory)
    }

    /// Writes the cluster file `bytes` durably into `clusters/`, named by its SHA-256, and
    /// returns the name; trusted only once `switchMembers(to:)` names it.
    func stage(_ bytes: [UInt8]) throws(OfflineError) -> String {
        let name = Hashes.sha256(bytes).hexString
        try DurableFile.makeDirectory(Self.clustersDirectory(directory))
        try DurableFile.write(bytes, to: Self.clustersDirectory(directory).appendingPathComponent(name + ".json"), mode: 0o644)
        return name
    }

    /// Switches `signer.json` to the staged cluster file `name`: one durable rename.
    func switchMembers(to name: String) throws(OfflineError) {
        let signerURL = directory.appendingPathComponent("signer.json")
        var file: SignerFile
        do { file = try JSONDecoder().decode(SignerFile.self, from: Data(try DurableFile.read(signerURL))) } catch {
            throw OfflineError(.store, "\(signerURL.path) is not a signer file")
        }
        file.version = 2
        file.membersFile = name
        try Self.writeSignerFile(file, in: directory)
    }

    // MARK: Vaults

    func vaultDirectory(_ vault: String) -> URL {
        directory.appendingPathComponent("vaults").appendingPathComponent(Hashes.sha256(Array(vault.utf8)).hexString)
    }

    /// Makes s_off for `vault` and returns the enrolment to carry into its create-vault
    /// operation. Refuses a vault enrolled already (its key would be lost).
    public func enrol(vault: String, scheme: Vault.Scheme, passphrase: SecretBytes) throws(OfflineError) -> OfflineEnrolment {
        let dir = vaultDirectory(vault)
        guard !FileManager.default.fileExists(atPath: dir.appendingPathComponent("enrolment.bin").path) else {
            throw OfflineError(.store, "vault \(vault) is enrolled already")
        }
        let identity = try openIdentity(passphrase: passphrase)
        let enrolment: OfflineEnrolment
        let secret: SecretBytes
        do {
            switch scheme {
            case .frostEd25519:
                let key = FROST<Ed25519SHA512>.AdditiveKey.generate()
                (enrolment, secret) = (try OfflineEnrolment.make(key: key, identity: identity, genesisDigest: genesisDigest, vault: vault, scheme: scheme),
                                       key.sealedRepresentation())
            case .frostTaproot:
                let key = FROST<Secp256k1TaprootSHA256>.AdditiveKey.generate()
                (enrolment, secret) = (try OfflineEnrolment.make(key: key, identity: identity, genesisDigest: genesisDigest, vault: vault, scheme: scheme),
                                       key.sealedRepresentation())
            case .ecdsaSecp256k1:
                throw OfflineError(.invalidInput, "an offline share needs a FROST vault (frost-ed25519 or frost-taproot), not ecdsa-secp256k1")
            }
        } catch let error as OfflineError {
            throw error
        } catch {
            throw OfflineError(.invalidInput, "cannot enrol: \(error)")
        }
        try DurableFile.makeDirectory(dir)
        try DurableFile.write(try seal(secret, passphrase: passphrase), to: dir.appendingPathComponent("key.sealed"))
        // Written last: the enrolment exists only once its key is safely sealed.
        try DurableFile.write(enrolment.serializedBytes, to: dir.appendingPathComponent("enrolment.bin"), mode: 0o644)
        return enrolment
    }

    /// The vaults this signer enrolled in, by vault id.
    public func vaults() throws(OfflineError) -> [EnrolledVault] {
        try enrolments().map { EnrolledVault(vault: $0.vault, scheme: $0.scheme.rawValue, offlineKey: $0.offlineKey.hexString) }
    }

    func enrolments() throws(OfflineError) -> [OfflineEnrolment] {
        let root = directory.appendingPathComponent("vaults")
        let dirs = (try? FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)) ?? []
        var out: [OfflineEnrolment] = []
        for dir in dirs {
            let file = dir.appendingPathComponent("enrolment.bin")
            guard FileManager.default.fileExists(atPath: file.path) else { continue }
            do { out.append(try OfflineEnrolment(serializedBytes: try DurableFile.read(file))) } catch {
                throw OfflineError(.store, "\(file.path) is not an enrolment")
            }
        }
        return out.sorted { $0.vault < $1.vault }
    }

    // MARK: Answers

    func answerURL(vault: String, request: String) -> URL {
        var w = CanonicalWriter()
        w.append(string: vault)
        w.append(string: request)
        return directory.appendingPathComponent("answered").appendingPathComponent(Hashes.sha256(w.bytes).hexString + ".json")
    }

    /// The attempt of `request` this signer answered last, if any.
    public func answered(vault: String, request: String) throws(OfflineError) -> AnsweredRequest? {
        let url = answerURL(vault: vault, request: request)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try JSONDecoder().decode(AnsweredRequest.self, from: Data(try DurableFile.read(url))) } catch {
            throw OfflineError(.store, "\(url.path) is not an answer record")
        }
    }

    /// Every request answered, by vault and request.
    public func answers() throws(OfflineError) -> [AnsweredRequest] {
        let root = directory.appendingPathComponent("answered")
        let files = ((try? FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "json" }
        var out: [AnsweredRequest] = []
        for file in files {
            do { out.append(try JSONDecoder().decode(AnsweredRequest.self, from: Data(try DurableFile.read(file)))) } catch {
                throw OfflineError(.store, "\(file.path) is not an answer record")
            }
        }
        return out.sorted { ($0.vault, $0.request) < ($1.vault, $1.request) }
    }

    /// Records, durably, that `attempt` of `request` is answered; refuses an attempt not above
    /// the last one answered. Called before the share is computed, so a crash after it leaves a
    /// request that is refused, never one answered twice.
    func recordAnswer(vault: String, request: String, attempt: UInt32) throws(OfflineError) {
        try requireUnanswered(vault: vault, request: request, attempt: attempt)
        try DurableFile.makeDirectory(directory.appendingPathComponent("answered"))
        let json: Data
        do { json = try JSONEncoder().encode(AnsweredRequest(vault: vault, request: request, attempt: attempt)) } catch {
            throw OfflineError(.io, "cannot encode an answer record")
        }
        try DurableFile.write(Array(json), to: answerURL(vault: vault, request: request))
    }

    /// Answers a bundle: verifies it against the trusted cluster (`OfflineBundle.verify(trust:)`),
    /// checks the vault is this signer's with its keys, asks `confirm` (the person at the
    /// machine, shown the decoded intent), opens the keys, records the use durably, and only
    /// then computes the share. Nothing is recorded when the bundle is refused, the person
    /// declines, or the passphrase is wrong.
    public func answer(
        _ bundle: OfflineBundle, passphrase: SecretBytes, confirm: (VerifiedOfflineBundle) -> Bool
    ) throws(OfflineError) -> OfflineResponse {
        let verified: VerifiedOfflineBundle
        do { verified = try bundle.verify(trust: trust) } catch {
            throw OfflineError(.invalidInput, "the bundle is refused: \(error.reason)")
        }
        try check(verified.statement)
        guard confirm(verified) else { throw OfflineError(.invalidInput, "not confirmed; nothing was signed") }
        return try answer(statement: verified.statement, passphrase: passphrase)
    }

    /// Answers an attested statement: the vault must be this signer's, with its keys, and the
    /// attempt above any answered; the keys are opened (a wrong passphrase records nothing), the
    /// use is recorded durably, and only then is the share computed.
    func answer(statement: OfflineAttestation, passphrase: SecretBytes) throws(OfflineError) -> OfflineResponse {
        // One answer at a time: two runs over one bundle cannot both pass the check.
        let lock = try Lock(directory.appendingPathComponent("lock"))
        defer { lock.release() }
        try check(statement)
        let identity = try openIdentity(passphrase: passphrase)
        let key = try open(vaultDirectory(statement.vault).appendingPathComponent("key.sealed"), passphrase: passphrase)
        return try OfflineAnswer.response(to: statement, sealedKey: key, identity: identity) { () throws(OfflineError) in
            try recordAnswer(vault: statement.vault, request: statement.request, attempt: statement.attempt)
        }
    }

    /// An exclusive `flock` on a file in the signer's directory, held until released.
    struct Lock {
        let fd: Int32

        init(_ url: URL) throws(OfflineError) {
            fd = Foundation.open(url.path, O_RDWR | O_CREAT | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw OfflineError(.io, "cannot open \(url.path)") }
            guard flock(fd, LOCK_EX) == 0 else {
                close(fd)
                throw OfflineError(.io, "cannot lock \(url.path)")
            }
        }

        func release() {
            flock(fd, LOCK_UN)
            close(fd)
        }
    }

    /// Refuses a statement for a vault this signer holds no key of, with another key or identity,
    /// or of an attempt not above the last one answered.
    func check(_ statement: OfflineAttestation) throws(OfflineError) {
        guard let enrolment = try enrolments().first(where: { $0.vault == statement.vault }) else {
            throw OfflineError(.invalidInput, "this offline signer holds no key of vault \(statement.vault)")
        }
        guard enrolment.offlineKey == statement.offlineKey, enrolment.identityKey == statement.offlineIdentity,
              enrolment.scheme == statement.scheme
        else {
            throw OfflineError(.invalidInput, "the bundle's vault \(statement.vault) has another offline key or identity than this signer's")
        }
        try requireUnanswered(vault: statement.vault, request: statement.request, attempt: statement.attempt)
    }

    /// `alreadyAnswered` unless `attempt` is above the last attempt of `request` answered.
    func requireUnanswered(vault: String, request: String, attempt: UInt32) throws(OfflineError) {
        if let last = try answered(vault: vault, request: request), attempt <= last.attempt {
            throw OfflineError(.alreadyAnswered, "request \(request.prefix(16)) of vault \(vault) was answered at attempt \(last.attempt); "
                               + "only a new bundle of a later attempt can be answered")
        }
    }

    // MARK: Sealing

    func openIdentity(passphrase: SecretBytes) throws(OfflineError) -> Curve25519.Signing.PrivateKey {
        let secret = try open(directory.appendingPathComponent("identity.sealed"), passphrase: passphrase)
        var raw = secret.unsafeCopyBytes()
        defer { Sodium.memzero(&raw) }
        do { return try Curve25519.Signing.PrivateKey(rawRepresentation: raw) } catch {
            throw OfflineError(.store, "the sealed identity key is not an Ed25519 key")
        }
    }

    func open(_ url: URL, passphrase: SecretBytes) throws(OfflineError) -> SecretBytes {
        let sealed = try DurableFile.read(url)
        do { return try PassphraseSeal.open(sealed, passphrase: passphrase) } catch {
            throw OfflineError(.passphrase, "cannot open \(url.lastPathComponent): \(error.reason)")
        }
    }

    func seal(_ secret: SecretBytes, passphrase: SecretBytes) throws(OfflineError) -> [UInt8] {
        do { return try PassphraseSeal.seal(secret, passphrase: passphrase, strength: sealStrength) } catch {
            throw OfflineError(.passphrase, "cannot seal: \(error.reason)")
        }
    }
}
