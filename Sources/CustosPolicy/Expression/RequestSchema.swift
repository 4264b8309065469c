/// The fields a condition can read, by object, with their types. This is the schema
/// expressions are type-checked against when a policy is loaded:
///
/// - `request`: `id`, `kind`, `initiator`, `initiator_kind`, `vault`, `account`, `chain`,
///   `asset`, `memo` (string); `initiator_roles`, `approvals` (list(string)); `amount`,
///   `amount_usd`, `fee` (decimal); `destination`, `call`, `operation` (objects).
/// - `request.initiator_key_class` (string: `critical`, `operational`, `development`, empty for
///   a person), `initiator_key_age_days` (decimal: whole days since the initiating bot's key was
///   registered or rotated; an evaluation error for a person), `initiator_key_overdue` and
///   `initiator_key_past_grace` (bool: the bot's key is past its class's rotation period, or past
///   that and its grace period too; false for a person). All in block time.
/// - `request.destination_first_seen` (bool: no earlier request to this chain and address was
///   approved for signing) and `request.destination_largest_usd` (decimal: the largest USD
///   notional such a request was counted at; 0 when there was none).
/// - `request.destination_touched_by_offboarded` (bool: the destination is one an offboarded
///   person added to the address book or last sent a request to, and the heightened-monitoring
///   window of their offboarding is still open in block time).
/// - `request.recipients` (list(string)): every address the request sends value or grants
///   authority to, normalized: the destination, a call's other recipients (an NFT recipient, an
///   operator, a Safe's or multisend's inner calls, `PolicyRequest.recipients`) and an EIP-712
///   message's address leaves.
/// - `request.destination_lookalike` (bool: one of the recipients is not in the address book on
///   the request's chain but resembles an entry, `LookalikePolicy`), `destination_resembles`
///   (string: the first such entry's name; empty when none) and `destination_poisoned` (bool: a
///   watcher reported a zero-value or dust transfer with a recipient outside the address book
///   before any other request to it was approved, `PoisoningPolicy`). The functions
///   `address_lookalike(a)`, `address_resembles(a)` and `address_poisoned(a)` ask the same of
///   one address.
/// - `request.destination`: `address`, `name`, `counterparty` (string; empty when unknown),
///   `tags` (list(string)), `known` (bool).
/// - `request.call` (only for contract calls; test with `has(request.call)`): `target`,
///   `function`, `selector` (string), `args` (map(string, string)), `amounts`
///   (map(string, decimal)).
/// - `request.message` (only for messages; test with `has(request.message)`): `format`,
///   `text` (EIP-191 UTF-8 text), `primary_type` (EIP-712) (string); `length` (decimal, bytes);
///   `domain` (object); `fields` (map(string, string): EIP-712 leaves by dotted path) and
///   `amounts` (map(string, decimal): its integer leaves). Reading a member the message lacks
///   (the text of typed data, a domain without a name) is an evaluation error: it fails closed.
/// - `request.message.domain` (EIP-712): `name`, `version`, `verifyingContract`, `salt`
///   (string); `chainId` (decimal).
/// - `request.operation` (only for governance): `action`, `target` (string).
/// - `time` (from the log, UTC): `hour`, `minute`, `unix` (decimal), `weekday` (`mon`…`sun`).
enum RequestSchema {
    static func field(of object: ExpressionType.ObjectType, named name: String) -> (FieldPath, ExpressionType)? {
        switch (object, name) {
        case (.request, "id"): return (.string(.id), .string)
        case (.request, "kind"): return (.string(.kind), .string)
        case (.request, "initiator"): return (.string(.initiator), .string)
        case (.request, "initiator_kind"): return (.string(.initiatorKind), .string)
        case (.request, "initiator_roles"): return (.list(.initiatorRoles), .list(.string))
        case (.request, "approvals"): return (.list(.approvals), .list(.string))
        case (.request, "recipients"): return (.list(.recipients), .list(.string))
        case (.request, "vault"): return (.string(.vault), .string)
        case (.request, "account"): return (.string(.account), .string)
        case (.request, "chain"): return (.string(.chain), .string)
        case (.request, "asset"): return (.string(.asset), .string)
        case (.request, "memo"): return (.string(.memo), .string)
        case (.request, "initiator_key_class"): return (.string(.initiatorKeyClass), .string)
        case (.request, "initiator_key_age_days"): return (.decimal(.initiatorKeyAgeDays), .decimal)
        case (.request, "initiator_key_overdue"): return (.bool(.initiatorKeyOverdue), .bool)
        case (.request, "initiator_key_past_grace"): return (.bool(.initiatorKeyPastGrace), .bool)
        case (.request, "amount"): return (.decimal(.amount), .decimal)
        case (.request, "amount_usd"): return (.decimal(.amountUSD), .decimal)
        case (.request, "fee"): return (.decimal(.fee), .decimal)
        case (.request, "destination_first_seen"): return (.bool(.destinationFirstSeen), .bool)
        case (.request, "destination_largest_usd"): return (.decimal(.destinationLargestUSD), .decimal)
        case (.request, "destination_lookalike"): return (.bool(.destinationLookalike), .bool)
        case (.request, "destination_resembles"): return (.string(.destinationResembles), .string)
        case (.request, "destination_poisoned"): return (.bool(.destinationPoisoned), .bool)
        case (.request, "destination_touched_by_offboarded"): return (.bool(.destinationTouchedByOffboarded), .bool)
        case (.request, "destination"): return (.object(.destination), .object(.destination))
        case (.request, "call"): return (.object(.call), .object(.call))
        case (.request, "operation"): return (.object(.operation), .object(.operation))
        case (.request, "message"): return (.object(.message), .object(.message))
        case (.message, "format"): return (.string(.messageFormat), .string)
        case (.message, "text"): return (.string(.messageText), .string)
        case (.message, "primary_type"): return (.string(.messagePrimaryType), .string)
        case (.message, "length"): return (.decimal(.messageLength), .decimal)
        case (.message, "domain"): return (.object(.domain), .object(.domain))
        case (.message, "fields"): return (.stringMap(.messageFields), .map(.string))
        case (.message, "amounts"): return (.decimalMap(.messageAmounts), .map(.decimal))
        case (.domain, "name"): return (.string(.domainName), .string)
        case (.domain, "version"): return (.string(.domainVersion), .string)
        case (.domain, "verifyingContract"): return (.string(.domainVerifyingContract), .string)
        case (.domain, "salt"): return (.string(.domainSalt), .string)
        case (.domain, "chainId"): return (.decimal(.domainChainId), .decimal)
        case (.destination, "address"): return (.string(.destinationAddress), .string)
        case (.destination, "name"): return (.string(.destinationName), .string)
        case (.destination, "counterparty"): return (.string(.destinationCounterparty), .string)
        case (.destination, "tags"): return (.list(.destinationTags), .list(.string))
        case (.destination, "known"): return (.bool(.destinationKnown), .bool)
        case (.call, "target"): return (.string(.callTarget), .string)
        case (.call, "function"): return (.string(.callFunction), .string)
        case (.call, "selector"): return (.string(.callSelector), .string)
        case (.call, "args"): return (.stringMap(.callArgs), .map(.string))
        case (.call, "amounts"): return (.decimalMap(.callAmounts), .map(.decimal))
        case (.operation, "action"): return (.string(.operationAction), .string)
        case (.operation, "target"): return (.string(.operationTarget), .string)
        case (.time, "hour"): return (.decimal(.hour), .decimal)
        case (.time, "minute"): return (.decimal(.minute), .decimal)
        case (.time, "unix"): return (.decimal(.unixTime), .decimal)
        case (.time, "weekday"): return (.string(.weekday), .string)
        default: return nil
        }
    }

    static func fieldNames(of object: ExpressionType.ObjectType) -> [String] {
        switch object {
        case .request:
            return ["id", "kind", "initiator", "initiator_kind", "initiator_roles", "approvals", "vault", "account",
                    "chain", "asset", "memo", "amount", "amount_usd", "fee", "destination", "call", "message", "operation",
                    "initiator_key_class", "initiator_key_age_days", "initiator_key_overdue", "initiator_key_past_grace",
                    "destination_first_seen", "destination_largest_usd", "destination_lookalike", "destination_resembles",
                    "destination_poisoned", "destination_touched_by_offboarded", "recipients"]
        case .destination: return ["address", "name", "counterparty", "tags", "known"]
        case .call: return ["target", "function", "selector", "args", "amounts"]
        case .message: return ["format", "text", "primary_type", "length", "domain", "fields", "amounts"]
        case .domain: return ["name", "version", "chainId", "verifyingContract", "salt"]
        case .operation: return ["action", "target"]
        case .time: return ["hour", "minute", "unix", "weekday"]
        }
    }

    /// A resolved field: what the evaluator reads, with no name lookup at run time.
    enum FieldPath: Sendable, Hashable {
        case string(StringField)
        case decimal(DecimalField)
        case bool(BoolField)
        case list(ListField)
        case stringMap(StringMapField)
        case decimalMap(DecimalMapField)
        case object(ExpressionType.ObjectType)
    }

    enum StringField: Sendable, Hashable {
        case id, kind, initiator, initiatorKind, vault, account, chain, asset, memo, initiatorKeyClass
        case destinationAddress, destinationName, destinationCounterparty, destinationResembles
        case callTarget, callFunction, callSelector
        case operationAction, operationTarget
        case messageFormat, messageText, messagePrimaryType
        case domainName, domainVersion, domainVerifyingContract, domainSalt
        case weekday
    }

    enum DecimalField: Sendable, Hashable {
        case amount, amountUSD, fee, hour, minute, unixTime, messageLength, domainChainId, initiatorKeyAgeDays
        case destinationLargestUSD
    }

    enum BoolField: Sendable, Hashable {
        case destinationKnown, initiatorKeyOverdue, initiatorKeyPastGrace, destinationFirstSeen, destinationLookalike, destinationPoisoned
        case destinationTouchedByOffboarded
    }
    enum ListField: Sendable, Hashable { case initiatorRoles, approvals, destinationTags, recipients }
    enum StringMapField: Sendable, Hashable { case callArgs, messageFields }
    enum DecimalMapField: Sendable, Hashable { case callAmounts, messageAmounts }
}
