// The Custos console's only script. It makes the WebAuthn calls and, for an approval, computes
// the challenge itself from the operation content the page displays: the canonical encoding of
// the proposal (custos.governance.proposal.v1), its SHA-256 digest, and the timed challenge
// SHA-256(SHA-256(tag) || SHA-256(tag) || encoding) with tag "custos/governance/<act>", where the
// encoding is custos.governance.challenge.v2, the displayed genesis digest of the cluster, the
// digest, the signing time (this browser's clock) and the review (how long this page was visible
// before the click), exactly as every node derives it (GovernanceProposal.challenge with its
// DecisionTiming); a proposal's challenge is untimed: the tagged hash of genesis || digest.
// For a request held for approvals, it hashes the request's signing input as displayed (the
// RFC 8785 text its initiator signed; SHA-256 of it is the request's id), reads the
// destination, amount and chain from that text itself, and derives the timed challenge
// (RequestDecisionEntry.challenge, or RequestBatchApproval.challenge for identical requests
// approved together) with the time of the click and the review time. No challenge for an
// approval ever comes from the server. Nothing is fetched from anywhere.
'use strict';

(function () {
  // Change kinds of the canonical encoding, by the name the page displays (GovernanceChange).
  const CHANGE_KINDS = {
    'add-user': 1, 'remove-user': 2, 'assign-role': 3, 'revoke-role': 4, 'add-credential': 5,
    'revoke-credential': 6, 'change-policy-unbound': 7, 'change-policy': 51, 'freeze': 8, 'unfreeze': 9, 'add-bot': 16,
    'remove-bot': 11, 'rotate-bot-key': 12, 'grant-role': 13, 'review-access': 14, 'enrol-credential': 15, 'add-member': 20, 'remove-member': 21,
    'create-vault': 30, 'create-vault-offline': 34, 'add-vault-address': 31, 'refresh-vault': 32, 'readmit-signer': 33,
    'register-asset': 40, 'remove-asset': 41, 'cancel-nonce': 42,
    'cancel-address-book-entry': 43, 'waive-cooling-off': 46, 'clear-watch-flag': 45, 'offboard-user': 47,
    'attest-onboarding': 48, 'open-access-review': 49, 'confirm-access': 50,
  };

  // The signed fields of an operation as this script names them (review M3 of the dialog): the
  // five every operation starts with, then the change's own, in the signed order, each with its
  // label and its type in the canonical encoding (GovernanceProposal.consoleFields, whose labels
  // the page shows). The confirmation is built from these labels and the signed values only; a
  // page whose fields differ from them in number, order, type or label is refused.
  const OPERATION_FIELDS = [['Format', 'string'], ['Operation id', 'string'], ['Proposed by', 'string'],
    ['Lifetime (seconds)', 'u32'], ['Change', 'change']];
  const PERSON = ['Person', 'string'], ROLES = ['Roles', 'strings'], VAULT = ['Vault', 'string'], BOT = ['Bot', 'string'];
  const CHANGE_FIELDS = {
    'add-user': [PERSON, ROLES], 'remove-user': [PERSON], 'offboard-user': [PERSON, ['Monitoring days (0: none)', 'u32']],
    'assign-role': [PERSON, ['Role', 'string']], 'revoke-role': [PERSON, ['Role', 'string']],
    'add-credential': [PERSON, ['Credential id (hex)', 'hex'], ['Attestation object (hex)', 'hex'], ['Client data (hex)', 'hex']],
    'revoke-credential': [PERSON, ['Credential id (hex)', 'hex']],
    'change-policy': [['Policy document', 'string'], ['Replaces the policy with digest (hex)', 'hex']],
    'change-policy-unbound': [['Policy document', 'string']], 'freeze': [], 'unfreeze': [],
    'add-bot': [BOT, ['Key algorithm', 'string'], ['Key (hex)', 'hex'], ROLES, ['Environment', 'string']], 'remove-bot': [BOT],
    'rotate-bot-key': [BOT, ['Key algorithm', 'string'], ['Key (hex)', 'hex']],
    'grant-role': [PERSON, ['Role', 'string'], ['Days', 'u32']],
    'attest-onboarding': [PERSON, ['Onboarding step', 'string']],
    'open-access-review': [['Deadline (days)', 'u32'], ['Re-confirmed grants', 'strings'], ['Days re-confirmed (0: no expiry)', 'u32']],
    'confirm-access': [['Access review', 'string'], ['Re-confirmed grants', 'strings'], ['Days re-confirmed (0: no expiry)', 'u32']],
    'review-access': [['Re-confirmed grants', 'strings'], ['Revoked grants', 'strings'], ['Days re-confirmed (0: no expiry)', 'u32']],
    'enrol-credential': [PERSON, ['Enrolment code key (hex)', 'hex'], ['Valid for (seconds)', 'u32']],
    'add-member': [['Signer node', 'string'], ['Identity key (hex)', 'hex'], ['Transport key (hex)', 'hex'], ['Proof of possession (hex)', 'hex']],
    'remove-member': [['Signer node', 'string']],
    'create-vault': [VAULT, ['Label', 'string'], ['Scheme', 'string'], ['Environment', 'string']],
    'create-vault-offline': [VAULT, ['Label', 'string'], ['Scheme', 'string'], ['Environment', 'string'], ['Offline enrolment (hex)', 'hex']],
    'add-vault-address': [VAULT, ['Label', 'string'], ['Chain', 'string'], ['Derivation path', 'path']],
    'refresh-vault': [VAULT], 'readmit-signer': [VAULT, ['Signer node', 'string']],
    'register-asset': [['Chain', 'string'], ['Chain id', 'u64'], ['Symbol', 'string'], ['Contract (empty: the chain\'s native asset)', 'string'],
      ['Decimals', 'u8']],
    'remove-asset': [['Chain', 'string'], ['Symbol', 'string']],
    'cancel-nonce': [VAULT, ['Chain', 'string'], ['Address', 'string'], ['Nonce', 'u64']],
    'cancel-address-book-entry': [['Address book entry', 'string']],
    'waive-cooling-off': [['Address book entry', 'string'], ['Chain', 'string'], ['Address', 'string'], ['Put there by operation', 'string'],
      ['Lifts the cancellation by operation', 'string']],
    'clear-watch-flag': [['Chain', 'string'], ['Clears', 'string']],
  };

  function base64url(bytes) {
    let text = '';
    for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function fromBase64url(text) {
    const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function hex(bytes) {
    return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function uint32(value) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error('not a 32-bit count: ' + value);
    return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
  }

  function uint64(text) {
    if (!/^(0|[1-9][0-9]{0,19})$/.test(text)) throw new Error('not a decimal number: ' + text);
    let value = BigInt(text);
    if (value > 0xffffffffffffffffn) throw new Error('not a 64-bit number: ' + text);
    const out = [];
    for (let i = 0; i < 8; i++) { out.unshift(Number(value & 0xffn)); value >>= 8n; }
    return out;
  }

  function decimal(text) {
    if (!/^(0|[1-9][0-9]{0,9})$/.test(text)) throw new Error('not a decimal number: ' + text);
    return Number(text);
  }

  function lengthPrefixed(bytes) {
    return uint32(bytes.length).concat(Array.from(bytes));
  }

  function utf8(text) {
    return new TextEncoder().encode(text);
  }

  function hexBytes(text) {
    const clean = text.replace(/\s+/g, '');
    if (!/^([0-9a-f]{2})*$/.test(clean)) throw new Error('not hex: ' + clean.slice(0, 16));
    const out = [];
    for (let i = 0; i < clean.length; i += 2) out.push(parseInt(clean.slice(i, i + 2), 16));
    return out;
  }

  // The canonical encoding of what the page displays in the signed-content table, field by
  // field in document order (CanonicalWriter: big-endian integers, 32-bit length prefixes).
  function canonicalBytes(section) {
    let out = [];
    for (const element of section.querySelectorAll('[data-canon]')) {
      const text = element.textContent;
      switch (element.dataset.canon) {
        case 'string': out = out.concat(lengthPrefixed(utf8(text))); break;
        case 'u8': {
          const value = decimal(text);
          if (value > 0xff) throw new Error('not an 8-bit number: ' + text);
          out.push(value);
          break;
        }
        case 'u32': out = out.concat(uint32(decimal(text))); break;
        case 'u64': out = out.concat(uint64(text)); break;
        case 'change': {
          const kind = CHANGE_KINDS[text];
          if (kind === undefined) throw new Error('unknown change ' + text);
          out.push(kind);
          break;
        }
        case 'strings': {
          const items = element.querySelectorAll('[data-item]');
          out = out.concat(uint32(items.length));
          for (const item of items) out = out.concat(lengthPrefixed(utf8(item.textContent)));
          break;
        }
        case 'hex': out = out.concat(lengthPrefixed(hexBytes(text))); break;
        case 'path': {
          const parts = text.split('/');
          if (parts[0] !== 'm') throw new Error('a derivation path starts with m');
          const indices = parts.slice(1).map(decimal);
          out = out.concat(uint32(indices.length));
          for (const index of indices) out = out.concat(uint32(index));
          break;
        }
        default: throw new Error('unknown field type ' + element.dataset.canon);
      }
    }
    return new Uint8Array(out);
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  }

  // Hashes.tagged(tag, digest): SHA-256(SHA-256(tag) || SHA-256(tag) || digest).
  async function taggedHash(tag, digest) {
    const tagHash = await sha256(utf8(tag));
    const joined = new Uint8Array(tagHash.length * 2 + digest.length);
    joined.set(tagHash, 0);
    joined.set(tagHash, tagHash.length);
    joined.set(digest, tagHash.length * 2);
    return sha256(joined);
  }

  function fillAssertion(form, credential) {
    const response = credential.response;
    form.elements.credentialId.value = base64url(credential.rawId);
    form.elements.authenticatorData.value = base64url(response.authenticatorData);
    form.elements.clientDataJSON.value = base64url(response.clientDataJSON);
    form.elements.signature.value = base64url(response.signature);
    form.elements.userHandle.value = response.userHandle ? base64url(response.userHandle) : '';
  }

  function say(element, text) {
    if (element) element.textContent = text;
  }

  // Asks the authenticator, with user verification, for an assertion over `challenge` by the
  // session's credential (the form's data-credential), and puts it in the form.
  async function assertInto(form, challenge) {
    const credential = await navigator.credentials.get({
      publicKey: {
        challenge,
        allowCredentials: [{ type: 'public-key', id: fromBase64url(form.dataset.credential) }],
        userVerification: 'required',
        timeout: 120000,
      },
    });
    if (!credential) throw new Error('no assertion');
    fillAssertion(form, credential);
  }

  function notSigned(status, error) {
    say(status, 'Not signed: ' + (error && error.name === 'NotAllowedError'
      ? 'your authenticator did not verify you (user verification is required), or you cancelled.'
      : String(error && error.message || error)));
    document.body.dataset.decision = 'failed';
  }

  async function showDigest(section) {
    const digest = await sha256(canonicalBytes(section));
    const shown = hex(digest);
    // The signed fields are shown as signed; characters that hide or reorder text are named.
    const hidden = hiddenCharacters(Array.from(section.querySelectorAll('[data-canon]'), (e) => e.textContent).join(''));
    say(document.getElementById('digest'), shown.slice(0, 16).replace(/(.{4})/g, '$1 ').trim() + ' …'
      + (hidden.length > 0 ? ' (THE SIGNED CONTENT HOLDS INVISIBLE OR DIRECTION-CHANGING CHARACTERS: ' + hidden.join(' ') + ')' : ''));
    return digest;
  }

  // The review: milliseconds this page was visible (not a background tab) before the click.
  function reviewClock() {
    let visible = 0;
    let since = document.visibilityState === 'visible' ? performance.now() : null;
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') {
        if (since === null) since = performance.now();
      } else if (since !== null) {
        visible += performance.now() - since;
        since = null;
      }
    });
    return () => Math.floor(visible + (since === null ? 0 : performance.now() - since));
  }

  // GovernanceProposal.challenge(act, genesisDigest:, timing:): the tagged hash of the canonical
  // encoding (custos.governance.challenge.v2, genesis, digest, signedAt, review measured, review).
  async function timedChallenge(act, genesis, digest, signedAt, reviewMillis) {
    const encoding = lengthPrefixed(utf8('custos.governance.challenge.v2'))
      .concat(lengthPrefixed(genesis), lengthPrefixed(digest), uint64(String(signedAt)), [1], uint64(String(reviewMillis)));
    return taggedHash('custos/governance/' + act, new Uint8Array(encoding));
  }

  // What a browser's dialog shows without trimming (Chromium's tab-modal dialog: about 24 rows
  // of 80 columns).
  const DIALOG_ROWS = 24;
  const DIALOG_COLUMNS = 80;

  // The rows `text` takes in a dialog DIALOG_COLUMNS wide.
  function dialogRows(text) {
    return String(text).split('\n').reduce((rows, line) => rows + Math.max(1, Math.ceil(Array.from(line).length / DIALOG_COLUMNS)), 0);
  }

  // "a remove-user", "an add-user".
  function article(name) {
    return (/^[aeiou]/.test(name) ? 'an ' : 'a ') + name;
  }

  // The page's signed fields (each `data-canon` element, in document order: exactly what
  // canonicalBytes encodes) checked against this script's table for the change the page names
  // (OPERATION_FIELDS, CHANGE_FIELDS): the same number, in the same order, of the same types,
  // under the same labels, each in its own row of the section's table under a plain label a
  // person reads as it is. Answers [label, value] per field — the label the script's, the value
  // as it is encoded (a list's items in brackets); throws, naming the first difference, where the
  // page differs: a gateway that swaps two labels of one type or writes in a label is refused.
  function operationFields(section) {
    const fields = Array.from(section.querySelectorAll('[data-canon]'));
    const change = fields.length >= OPERATION_FIELDS.length ? fields[OPERATION_FIELDS.length - 1] : null;
    const name = change && change.dataset.canon === 'change' ? change.textContent : null;
    if (name === null || !Object.prototype.hasOwnProperty.call(CHANGE_FIELDS, name)) {
      throw new Error('the page\'s signed fields name no change this page knows (field ' + OPERATION_FIELDS.length + ': '
        + visible(cut(change ? change.textContent : '(none)', 40)) + '): nothing was signed.');
    }
    const table = OPERATION_FIELDS.concat(CHANGE_FIELDS[name]);
    if (fields.length !== table.length) {
      throw new Error('the page shows ' + fields.length + ' signed fields, where ' + article(name) + ' operation has ' + table.length
        + ': the page is not what is signed; nothing was signed.');
    }
    return fields.map((field, i) => {
      const [label, type] = table[i];
      if (field.dataset.canon !== type) {
        throw new Error('the page\'s signed field ' + (i + 1) + ' is of type ' + visible(cut(field.dataset.canon, 20)) + ', where field '
          + (i + 1) + ' of ' + article(name) + ' operation (' + label + ') is of type ' + type + ': the page is not what is signed; nothing was signed.');
      }
      // Its own row of the section's signed table (not a nested table's): the label cell, plain
      // text a person reads as it is (`readable`: no text drawn by a stylesheet, no zero size),
      // and the field directly in the value cell (review L1 of the dialog).
      const row = field.closest('tr');
      const own = row !== null && row.closest('table') === section.querySelector('table.canonical') && row.cells.length === 2
        && field.parentElement === row.cells[1] && row.cells[0].children.length === 0 && readable(row.cells[0]);
      if (!own) {
        throw new Error('the page does not show signed field ' + (i + 1) + ' (' + label + ') in a row of its own of the signed table under a label '
          + 'a person reads as it is: the page is not what is signed; nothing was signed.');
      }
      const shown = row.cells[0].textContent.trim();
      if (shown !== label) {
        throw new Error('the page labels signed field ' + (i + 1) + ' "' + visible(cut(shown, 40)) + '", which this page calls "' + label + '" in '
          + article(name) + ' operation: the page is not what is signed; nothing was signed.');
      }
      const value = type === 'strings'
        ? '[' + Array.from(field.querySelectorAll('[data-item]'), (item) => item.textContent).join(', ') + ']'
        : field.textContent;
      return [label, value];
    });
  }

  // The text of the browser's own confirmation before a governance act is signed (review
  // helper-57 H2): the signed fields under this script's own labels (operationFields: review
  // M3 of the dialog, the page's labels are never in it), in the signed order, each value whole
  // as it is encoded; and the digest's first characters. A signed value is never cut (review H2
  // of the dialog): an operation whose fields do not fit one dialog (a `change-policy` document,
  // a long list) is refused here, for the CLI, which shows it whole and computes the challenge
  // itself.
  function operationConfirmation(act, section, digest, notes = []) {
    const what = { approve: 'APPROVE', reject: 'REJECT', propose: 'PROPOSE' }[act] || act.toUpperCase();
    const lines = [what + ' this governance operation?', 'The signed fields as your browser encodes them (not the page\'s drawing of them):'];
    const fields = operationFields(section);
    // A policy change is decided in the CLI whatever its size: the differences this page shows
    // are the gateway's, while the CLI checks them against the policy the change names as the one
    // it replaces (its digest is a signed field) before it signs.
    const named = ' ' + visible(cut(fields[1][1], 40));
    const change = fields[OPERATION_FIELDS.length - 1][1];
    if (change === 'change-policy' || change === 'change-policy-unbound') {
      throw new Error('a policy change is read and decided in the CLI, which checks its differences against the policy it replaces (custos op show'
        + named + ', custos op ' + act + named + ').');
    }
    for (const [label, value] of fields) lines.push(label + ': ' + visible(value));
    for (const note of notes) lines.push(note);
    lines.push('Digest ' + hex(digest).slice(0, 16) + ' …');
    lines.push('OK asks your security key; Cancel signs nothing.');
    const text = lines.join('\n');
    if (dialogRows(text) > DIALOG_ROWS) {
      // The operation's id is its second signed field, after the format tag (`named` above).
      throw new Error('this operation\'s signed fields take ' + dialogRows(text) + ' rows, more than the browser\'s confirmation shows whole ('
        + DIALOG_ROWS + ' of ' + DIALOG_COLUMNS + ' columns), and this page never cuts a signed value: read and ' + act
        + ' it in the CLI (custos op show' + named + ', custos op ' + act + named + ').');
    }
    return text;
  }

  // For a vault with an offline share: the enrolment's fingerprint as this browser computes it
  // from the signed hex (OfflineEnrolment.fingerprint: the first 16 bytes of its SHA-256, in
  // groups of four hex digits; review B-M3), for the approver to compare with what the offline
  // machine showed. The page's own note of it is the gateway's.
  async function offlineNotes(section) {
    const fields = Array.from(section.querySelectorAll('[data-canon]'));
    const change = fields.length > OPERATION_FIELDS.length ? fields[OPERATION_FIELDS.length - 1].textContent : null;
    if (change !== 'create-vault-offline') return [];
    const digest = await sha256(Uint8Array.from(hexBytes(fields[fields.length - 1].textContent)));
    return ['Offline enrolment fingerprint (computed by your browser): ' + hex(digest).slice(0, 32).replace(/(.{4})(?!$)/g, '$1 ')
      + ': compare it with the offline machine\'s.'];
  }

  function setUpDecision(section) {
    const form = document.getElementById('decide');
    if (!form) return;
    const status = document.getElementById('decide-status');
    const review = reviewClock();
    for (const button of form.querySelectorAll('button.act')) {
      button.addEventListener('click', async () => {
        const act = button.dataset.act;
        try {
          // Recomputed at the click from what is displayed now.
          const digest = await showDigest(section);
          const genesis = Uint8Array.from(hexBytes(document.getElementById('genesis').textContent));
          if (genesis.length !== 32) throw new Error('the page shows no genesis digest of 32 bytes');
          // An approval or rejection is timed; a proposal (the enrolment page's) is not.
          const timed = act !== 'propose';
          const reviewMillis = review();
          const signedAt = Date.now();
          const untimed = new Uint8Array(genesis.length + digest.length);
          untimed.set(genesis, 0);
          untimed.set(digest, genesis.length);
          const challenge = timed
            ? await timedChallenge(act, genesis, digest, signedAt, reviewMillis)
            : await taggedHash('custos/governance/' + act, untimed);
          confirmOrStop(operationConfirmation(act, section, digest, await offlineNotes(section)));
          say(status, 'Touch your security key to ' + act + ' the content shown above.');
          await assertInto(form, challenge);
          if (timed) {
            form.elements.signedAt.value = String(signedAt);
            form.elements.reviewMillis.value = String(reviewMillis);
          }
          form.elements.act.value = act;
          say(status, 'Sending your ' + ({ approve: 'approval', reject: 'rejection', propose: 'proposal' }[act]) + '…');
          form.submit();
        } catch (error) {
          notSigned(status, error);
        }
      });
    }
  }

  // Requests held for approvals (ConsoleRoutes+Requests). Each article shows one request's
  // signing input verbatim; SHA-256 of exactly that text is the request id every node knows it
  // by. The challenge of one request's decision (RequestDecisionEntry.challenge, timed):
  //   tagged('custos/request/' + act, str('custos.request.challenge.v2') || lp(genesis) || lp(id) || timing)
  // and of one approval of several (RequestBatchApproval.challenge):
  //   tagged('custos/request/approve-batch',
  //          str('custos.request.batch-challenge.v1') || lp(genesis) || u32(n) || lp(id_1) ... lp(id_n) || timing)
  // with timing = u64(signedAt) || u8(review measured) || u64(reviewMillis): signedAt is this
  // browser's clock at the click, reviewMillis how long the page was visible before it
  // (reviewClock).

  // Text as a person should read it (review L4 and L3, as ConsoleText.visible on the server):
  // every control, format (bidirectional overrides and isolates, zero-width characters), line
  // or paragraph separator, space other than U+0020, combining mark (Mn, Me) and blank (the
  // Hangul fillers U+115F, U+1160, U+3164, U+FFA0 and the blank Braille pattern U+2800),
  // default-ignorable, unassigned (Cn) and private-use (Co) character shown as its code point,
  // <U+202E>.
  const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Zs}\p{Mn}\p{Me}\p{Cn}\p{Co}\p{Default_Ignorable_Code_Point}\u115F\u1160\u3164\uFFA0\u2800]/gu;

  // A run of spaces (drawn as one) keeps its first U+0020 and shows every further one as
  // <U+0020> (review L4 of the dialog), as ConsoleText.visible does.
  function visible(text) {
    return String(text)
      .replace(HIDDEN, (c) => c === ' ' ? c : '<U+' + c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0') + '>')
      .replace(/(?<= ) /g, '<U+0020>');
  }

  // The characters of `text` that visible() shows as code points, each once.
  function hiddenCharacters(text) {
    return Array.from(new Set((String(text).match(HIDDEN) || []).filter((c) => c !== ' '))).map(visible);
  }

  // The ERC-20 calls a person approves most, decoded here from the signed calldata itself
  // (review M2): selector -> name and ABI parameters (each one 32-byte word).
  const ERC20_CALLS = {
    'a9059cbb': { name: 'transfer', params: [['to', 'address'], ['amount', 'uint256']] },
    '095ea7b3': { name: 'approve', params: [['spender', 'address'], ['amount', 'uint256']] },
    '23b872dd': { name: 'transferFrom', params: [['from', 'address'], ['to', 'address'], ['amount', 'uint256']] },
    '39509351': { name: 'increaseAllowance', params: [['spender', 'address'], ['amount', 'uint256']] },
  };
  const UINT256_MAX = (1n << 256n) - 1n;

  // Calldata (0x-hex) as the script reads it: { selector, length, call } where call is the
  // decoded ERC-20 call ({ name, args: [[name, value]] }) or null for any other function. A
  // known selector with words that do not fit its parameters (wrong length, an address word
  // with high bytes set) throws: such calldata is not what it claims to be.
  function decodeCall(dataHex) {
    const text = String(dataHex);
    if (!/^0x([0-9a-fA-F]{2})*$/.test(text)) throw new Error('the signed calldata is not hex');
    const hexText = text.slice(2).toLowerCase();
    const length = hexText.length / 2;
    const selector = hexText.slice(0, 8);
    const known = length >= 4 ? ERC20_CALLS[selector] : undefined;
    if (!known) return { selector: length >= 4 ? '0x' + selector : '(none)', length, call: null };
    if (length !== 4 + 32 * known.params.length) {
      throw new Error('the signed calldata of ' + known.name + ' is ' + length + ' bytes, not ' + (4 + 32 * known.params.length));
    }
    const args = known.params.map(([name, type], i) => {
      const word = hexText.slice(8 + 64 * i, 8 + 64 * (i + 1));
      if (type === 'address') {
        if (!/^0{24}/.test(word)) throw new Error('the signed calldata\'s ' + name + ' is not an address');
        return [name, '0x' + word.slice(24)];
      }
      const value = BigInt('0x' + word);
      return [name, value === UINT256_MAX ? 'UNLIMITED (2^256 - 1)' : value.toString() + ' (in the token\'s smallest units)'];
    });
    return { selector: '0x' + selector, length, call: { name: known.name, args } };
  }

  // Said of a request whose table the script does not compare with the signed content.
  const UNVERIFIED = ' (THE TABLE BESIDE IT IS THE GATEWAY\'S, NOT VERIFIED BY THIS PAGE)';
  // The same, as a confirmation's warning, said before the reading.
  const NOT_VERIFIED = 'NOT VERIFIED: the table beside it is the gateway\'s, not verified by this page';

  // A table label as the script compares it: letters and digits only, in lower case, so that
  // "Amount:" or " amount" is no second name for the row "amount".
  function labelKey(label) {
    return String(label).toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  }

  // Whether `element` is displayed and not transparent, by the browser's own method (review L3 of
  // the dialog: the prototype's, not one the page could set on the element); a browser without
  // it shows nothing this page counts as readable.
  function displayed(element) {
    const check = Element.prototype.checkVisibility;
    return typeof check === 'function' && check.call(element, { checkOpacity: true, checkVisibilityCSS: true });
  }

  // Whether a person reads `element`'s text as it is (review M-b): displayed and not
  // transparent (checkVisibility), in a readable size and colour, on the page, and with no text
  // a stylesheet puts before or after it (`::before`/`::after` are not in textContent). The
  // console's own stylesheet does none of these to a table cell.
  function readable(element) {
    if (!displayed(element)) return false;
    const style = getComputedStyle(element);
    if (parseFloat(style.fontSize) < 8 || style.color === 'transparent' || /^rgba\(.*,\s*0(\.0+)?\)$/.test(style.color)) return false;
    for (const pseudo of ['::before', '::after']) {
      const content = getComputedStyle(element, pseudo).content;
      if (content && content !== 'none' && content !== 'normal') return false;
    }
    // On the page, in page coordinates: a row the person scrolled past is still on the page.
    const box = element.getBoundingClientRect();
    const left = box.left + window.scrollX, top = box.top + window.scrollY;
    return box.width > 0 && box.height > 0 && left + box.width > 0 && top + box.height > 0 && left < document.documentElement.scrollWidth;
  }

  // The gateway's table of an article by label (`labelKey`): label -> values (trimmed) in
  // order. A row whose label or value a person does not read as it is (`readable`) counts, as
  // '(a hidden row)': a table agrees only with what is on screen.
  function tableValues(article) {
    const values = {};
    for (const row of article.querySelectorAll('table.details tr')) {
      if (row.cells.length < 2) continue;
      const label = labelKey(row.cells[0].textContent);
      const shown = Array.from(row.cells).every(readable) && Array.from(row.cells[1].querySelectorAll('*')).every(readable);
      (values[label] = values[label] || []).push(shown ? row.cells[1].textContent.trim() : '(a hidden row)');
    }
    return values;
  }

  // The rows a transaction request's table has (ConsoleRequestContent: the initiator, the
  // RequestIntent lines, a decoded call's function and arguments, the submission): a row
  // labelled otherwise ("amount (USD)", a look-alike letter) is one the script cannot compare,
  // so the table does not agree (review M-b).
  function checkLabels(shown, allowed, mismatches) {
    const known = new Set(allowed.map(labelKey));
    for (const label of Object.keys(shown)) {
      if (!known.has(label)) mismatches.push('the table has a row "' + visible(label) + '" that a request of this kind does not have');
    }
  }

  // Whether the gateway's table (`shown`, from tableValues) shows `expected` — what the script
  // read from the signed content, as the console formats it — in exactly one visible row
  // labelled `label` (review M4); where not, says so in `mismatches`. `same` compares a shown
  // value with the expected one (exactly, by default).
  function checkRow(shown, label, expected, what, mismatches, same = (a, b) => a === b) {
    const listed = shown[labelKey(label)] || [];
    if (listed.length === 0) {
      mismatches.push('the table does not name ' + label + ', which the signed ' + what + ' sets to ' + expected);
    } else if (listed.length > 1) {
      mismatches.push('the table names ' + label + ' ' + listed.length + ' times (' + listed.join(', ') + '); the signed ' + what + ' sets it once, to ' + expected);
    } else if (!same(listed[0], expected)) {
      mismatches.push('the table names ' + label + ' ' + listed[0] + ' but the signed ' + what + ' says ' + expected);
    }
  }

  // A transaction request's table rows that the signed body fixes, as RequestIntent writes them
  // (the console shows each through visible()): the vault line, the transfer or call line and
  // the memo — each in exactly one visible row equal to what the body says; no memo row where
  // the body has none.
  function checkTransactionRows(body, shown, mismatches) {
    const text = (value) => visible(String(value)).trim();
    // The initiator row names the signed initiator and its kind, nothing else (review M1); the
    // submission row, which no signed field fixes, is there once.
    checkRow(shown, 'initiator', text(body.initiator), 'request', mismatches,
      (a, b) => a === b + ' (person)' || a === b + ' (bot)');
    const submitted = shown.submitted || [];
    if (submitted.length !== 1) mismatches.push('the table names submitted ' + submitted.length + ' times; a request has one submission');
    checkRow(shown, 'vault', text(body.vault + ', from ' + body.from + ' on ' + body.chain), 'request', mismatches);
    if (body.kind === 'contract_call') {
      const data = '0x' + String(body.data).replace(/^0x/i, '').toLowerCase();
      checkRow(shown, 'calls', text(body.to + ' with value ' + (body.value === undefined ? '0' : body.value) + ' and data ' + data), 'request', mismatches);
    } else {
      checkRow(shown, 'transfers', text(body.amount + ' ' + body.asset + ' to ' + body.to), 'request', mismatches);
    }
    if (body.memo !== undefined && String(body.memo) !== '') {
      checkRow(shown, 'memo', text(body.memo), 'request', mismatches);
    } else if ((shown.memo || []).length > 0) {
      mismatches.push('the table shows a memo (' + shown.memo.join(', ') + ') the signed request does not have');
    }
  }

  // An EIP-712 message's fields as [path, value] in the signed text's order: a struct's members
  // by their dotted paths, an array's items by their indices ("details[0].token", review M1 of
  // the dialog), any other value (a string as it is, else its JSON) whole.
  function messageFields(path, value, out) {
    if (Array.isArray(value) && value.length > 0) {
      value.forEach((item, i) => messageFields(path + '[' + i + ']', item, out));
    } else if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const key of Object.keys(value)) messageFields(path === '' ? key : path + '.' + key, value[key], out);
    } else {
      out.push([path, typeof value === 'string' ? value : JSON.stringify(value)]);
    }
    return out;
  }

  // The longest EIP-712 field name (its path) and value a confirmation shows: a value a 32-byte
  // hex word (66 characters with "0x"), so that an address or hash is whole. A signed field
  // longer than these is never cut (review M1 of the dialog): the message is for the CLI.
  const MESSAGE_NAME_LIMIT = 40;
  const MESSAGE_VALUE_LIMIT = 66;

  // What the browser itself reads from a request body, the fields it signs for, in words;
  // where the gateway's table beside it says otherwise (`mismatches`); and whether the script
  // compared that table with the signed body at all (`verified`): a message's table (EIP-191,
  // EIP-712: its domain and fields), a call the script does not decode, and a body in the
  // policy's own form are shown as the gateway's, NOT VERIFIED BY THIS PAGE, and are never
  // approved in a batch (setUpRequestDecision). `amounts` are what it moves or allows, as
  // signed ([what, amount]: an asset and a decimal amount, or a token's smallest units), which a
  // batch's confirmation totals.
  function readBody(body, article) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return { text: 'a body that is not an object', plain: 'a body that is not an object', warning: NOT_VERIFIED, mismatches: [], verified: false, amounts: [] };
    }
    const mismatches = [];
    if (body.message !== undefined) {
      const message = body.message && typeof body.message === 'object' ? body.message : {};
      // The signed EIP-712 fields too long for a confirmation to show whole.
      const long = [];
      // The message's reading: an EIP-191 text whole (the page) or cut at `limit` (the
      // confirmation); an EIP-712 message's fields always whole.
      const what = (limit) => {
        let said = 'sign a ' + String(message.format) + ' message';
        if (message.format === 'eip712' && message.typedData && typeof message.typedData === 'object') {
          const typed = message.typedData;
          const domain = typed.domain && typeof typed.domain === 'object' ? typed.domain : {};
          const parts = ['name', 'version', 'chainId', 'verifyingContract', 'salt']
            .filter((k) => domain[k] !== undefined).map((k) => k + ' ' + String(domain[k]));
          // The signed message's fields in the signed text's order, a nested struct's and an
          // array's by their paths ("details[0].token"), each whole; a field the confirmation
          // would have to cut is named in `long` (readBody refuses the confirmation for it).
          const signed = typed.message && typeof typed.message === 'object' && !Array.isArray(typed.message) ? typed.message : {};
          const listed = messageFields('', signed, []);
          if (limit !== Infinity) {
            for (const [k, v] of listed) {
              if (Array.from(k).length > MESSAGE_NAME_LIMIT || Array.from(v).length > MESSAGE_VALUE_LIMIT) long.push(cut(k, MESSAGE_NAME_LIMIT));
            }
          }
          const fields = listed.map(([k, v]) => k + ' ' + v);
          said = 'sign EIP-712 typed data, primaryType ' + String(typed.primaryType) + ', domain {' + parts.join(', ') + '}, message {' + fields.join(', ') + '}';
        } else if (message.format === 'eip191' && message.text !== undefined) {
          said += ', text "' + cut(message.text, limit) + '"';
        } else if (message.hex !== undefined) {
          said += ' of ' + Math.max(0, (String(message.hex).length - 2) / 2) + ' bytes';
        }
        return said + ' with vault ' + String(body.vault);
      };
      const text = what(Infinity) + UNVERIFIED;
      const plain = what(MEMO_LIMIT);
      // Only free text (an EIP-191 text, a memo) is cut in a confirmation; a typed message with a
      // signed field that would have to be is read and signed in the CLI.
      const tooLong = long.length === 0 ? null : 'the signed EIP-712 message has ' + long.length + ' field' + (long.length === 1 ? '' : 's')
        + ' (' + visible(long.slice(0, 3).join(', ')) + (long.length > 3 ? ', …' : '') + ') longer than the browser\'s confirmation shows whole ('
        + MESSAGE_NAME_LIMIT + ' characters a name, ' + MESSAGE_VALUE_LIMIT + ' a value), and this page never cuts a signed field';
      return { text, plain, warning: NOT_VERIFIED, mismatches, verified: false, amounts: [], tooLong };
    }
    const to = body.destination !== undefined ? body.destination : body.to;
    // The vault, and of a transaction request the source address (its address label or the
    // address itself) it names (review L2 of the dialog).
    const from = (body.vault ? ' from vault ' + String(body.vault) : '') + (body.from !== undefined ? ', source address ' + String(body.from) : '');
    // A transaction request (with its source address `from`) has the rows RequestIntent writes;
    // a body in the policy's own form is shown as its canonical text, which this page does not
    // rebuild.
    const transaction = body.from !== undefined;
    const shown = tableValues(article);
    if (transaction) checkTransactionRows(body, shown, mismatches);
    const native = String(body.value === undefined ? '0' : body.value);
    // A call's value is in the chain's native asset, in whole units as signed ("1.5"), as every
    // node reads it (review L1 of the dialog).
    const amounts = body.kind === 'contract_call' && native !== '0' ? [['of the native asset (in whole units, as signed) on chain ' + String(body.chain), native]] : [];
    const rows = ['initiator', 'vault', body.kind === 'contract_call' ? 'calls' : 'transfers', 'memo', 'submitted'];
    if (body.kind === 'contract_call' && body.data !== undefined) {
      const decoded = decodeCall(body.data);
      const value = ' with value ' + native + (native === '0' ? '' : ' of the native asset (in whole units, as signed)');
      if (!decoded.call) {
        const plain = 'contract_call to ' + String(to) + value + ' on chain ' + String(body.chain) + from + ': selector ' + decoded.selector
          + ', ' + decoded.length + ' bytes of calldata';
        return {
          text: plain + '; THIS PAGE DOES NOT DECODE THIS FUNCTION: the decoded table beside it is the gateway\'s, NOT VERIFIED BY THIS PAGE',
          plain,
          warning: 'NOT VERIFIED: this page does not decode this function; the decoded table beside it is the gateway\'s',
          mismatches,
          verified: false,
          amounts,
        };
      }
      // Every argument, the amount too, in exactly one visible row (review M4): an address in
      // any case (the table shows it checksummed), an amount as the console formats it from
      // the signed calldata — in the token's smallest units, the form the signed content holds.
      for (const [name, read] of decoded.call.args) {
        checkRow(shown, name, read, 'calldata', mismatches, read.startsWith('0x') ? (a, b) => a.toLowerCase() === b : undefined);
      }
      // The function row as the console writes it: the name and the selector, nothing else.
      checkRow(shown, 'function', decoded.call.name + ' ' + decoded.selector, 'calldata', mismatches, (a, b) => a.toLowerCase() === b.toLowerCase());
      if (transaction) checkLabels(shown, rows.concat(['function'], decoded.call.args.map(([name]) => name)), mismatches);
      const units = decoded.call.args.find(([name]) => name === 'amount');
      if (units) amounts.push([decoded.call.name + ' of token ' + String(to) + ' (in its smallest units)', units[1].replace(/ \(in the token's smallest units\)$/, '')]);
      const plain = 'contract_call ' + decoded.call.name + '(' + decoded.call.args.map(([n, v]) => n + ' ' + v).join(', ') + ') on token '
        + String(to) + value + ' on chain ' + String(body.chain) + from;
      return {
        text: plain + (transaction ? '' : UNVERIFIED),
        plain,
        warning: transaction ? null : NOT_VERIFIED,
        mismatches,
        verified: transaction,
        amounts,
      };
    }
    if (transaction) checkLabels(shown, rows, mismatches);
    const plain = String(body.kind || 'transfer') + ' of ' + String(body.amount) + ' ' + String(body.asset || '') + ' to ' + String(to)
      + ' on chain ' + String(body.chain) + from;
    return {
      text: plain + (transaction ? '' : UNVERIFIED),
      plain,
      warning: transaction ? null : NOT_VERIFIED,
      mismatches,
      verified: transaction,
      amounts: [[String(body.asset || '(no asset)') + ' on chain ' + String(body.chain), String(body.amount)]],
    };
  }

  // The ids (SHA-256 digests) of the displayed signing inputs, in page order (`digests`); shows
  // each with what the browser read from it, and their first characters as the page's digest.
  // Where the gateway's decoded table names another spender, recipient or function than the
  // signed calldata, says so, takes the approve button away and throws: nothing is signed. Also
  // answers, for the confirmation (`requestConfirmation`), each request's reading in one line with a
  // long memo cut (`lines`) and what each moves or allows (`amounts`).
  async function showRequestDigests(section) {
    const genesis = document.getElementById('genesis').textContent.trim();
    const digests = [];
    const lines = [];
    const amounts = [];
    const bodies = new Set();
    const mismatches = [];
    const unverified = [];
    const warnings = [];
    const tooLong = [];
    for (const article of section.querySelectorAll('article[data-request]')) {
      // Every request signed for is on screen: a hidden one is never signed for.
      if (!displayed(article)) {
        throw new Error('the page holds a request that is not shown (' + article.dataset.request.slice(0, 16) + '…): not signing');
      }
      const text = article.querySelector('[data-signing-input]').textContent;
      const digest = await sha256(utf8(text));
      const id = hex(digest);
      let read;
      let line;
      try {
        const input = JSON.parse(text);
        const { id: _ignored, ...rest } = input.body && typeof input.body === 'object' ? input.body : { body: input.body };
        bodies.add(JSON.stringify([input.keyId, rest]));
        const body = readBody(input.body, article);
        if (!body.verified) unverified.push(article.dataset.request.slice(0, 16) + '…');
        for (const m of body.mismatches) mismatches.push('request ' + article.dataset.request.slice(0, 16) + '…: ' + m);
        const memo = input.body && typeof input.body === 'object' && input.body.memo !== undefined ? String(input.body.memo) : null;
        const hidden = hiddenCharacters(text);
        const otherCluster = input.cluster !== genesis ? 'SIGNED FOR ANOTHER CLUSTER ' + String(input.cluster).slice(0, 16) + '…' : null;
        const hiddenWarning = hidden.length > 0 ? 'THE SIGNED TEXT HOLDS INVISIBLE OR DIRECTION-CHANGING CHARACTERS: ' + hidden.join(' ') : null;
        // The reading on the page, with the memo whole and the warnings after it.
        read = visible(body.text + ', initiated by ' + String(input.keyId)
          + (body.mismatches.length > 0 ? ' (MISMATCH: ' + body.mismatches.join('; ') + ')' : '')
          + (memo === null ? '' : ', memo "' + memo + '"')
          + (otherCluster === null ? '' : ' (' + otherCluster + ')')
          + (hiddenWarning === null ? '' : ' (' + hiddenWarning + ')'));
        // The confirmation's: long texts cut, the warnings apart, said first (requestConfirmation).
        line = visible(body.plain + ', initiated by ' + String(input.keyId) + (memo === null ? '' : ', memo "' + cut(memo, MEMO_LIMIT) + '"'));
        for (const w of [body.warning, otherCluster, hiddenWarning]) if (w !== null) warnings.push([w, id]);
        amounts.push(...body.amounts);
        if (body.tooLong) tooLong.push(body.tooLong);
      } catch (error) {
        // Content the page cannot read is not approved (review M3): the table beside it may say
        // anything about it.
        read = 'content this page cannot read: ' + error.message;
        line = read;
        warnings.push([NOT_VERIFIED, id]);
        unverified.push(article.dataset.request.slice(0, 16) + '…');
        mismatches.push('request ' + article.dataset.request.slice(0, 16) + '…: ' + read);
      }
      say(article.querySelector('[data-shown="summary"]'), read);
      say(article.querySelector('[data-shown="id"]'),
        id + (id === article.dataset.request ? '' : ' (NOT the request ' + article.dataset.request.slice(0, 16) + '… the gateway names)'));
      digests.push(digest);
      lines.push(line);
    }
    if (digests.length === 0) throw new Error('the page shows no request');
    // Requests approved together are identical but for their ids (every node checks this too).
    if (bodies.size > 1) throw new Error('the requests shown are not identical: approve each on its own page');
    // Nor is one with anything unusual about it approved in a batch (review H2; every node
    // refuses it too): each such request is read and approved on its own page.
    if (section.dataset.mode === 'batch') {
      // One touch for a list covers only tables this page checked against what is signed.
      if (unverified.length > 0) {
        throw new Error('not signing a batch: this page does not verify the table of request ' + unverified.join(', ')
          + ' against what is signed; approve each on its own page');
      }
      const alone = Array.from(section.querySelectorAll('article[data-request]')).filter((a) => a.querySelector('[data-alone]'));
      if (alone.length > 0) {
        throw new Error('not signing a batch: ' + alone.map((a) => 'request ' + a.dataset.request.slice(0, 16) + '… ('
          + Array.from(a.querySelectorAll('[data-alone]'), (e) => e.textContent).join('; ') + ')').join(', ')
          + ' is approved only on its own page');
      }
    }
    const shown = digests.map((d) => hex(d).slice(0, digests.length === 1 ? 16 : 8).replace(/(.{4})/g, '$1 ').trim());
    say(document.getElementById('digest'), shown.join(' …, ') + ' …');
    if (mismatches.length > 0) {
      for (const button of document.querySelectorAll('#decide-request button[data-act="approve"]')) button.remove();
      document.body.dataset.mismatch = 'true';
      throw new Error('the gateway\'s decoded table is not what is signed, so this page approves nothing: ' + mismatches.join('; '));
    }
    return { digests, lines, amounts, warnings, tooLong };
  }

  // A memo or message longer than this is cut in a confirmation, visibly.
  const MEMO_LIMIT = 80;

  function cut(text, limit) {
    const characters = Array.from(String(text));
    return characters.length <= limit ? characters.join('')
      : characters.slice(0, limit).join('') + '… (' + (characters.length - limit) + ' MORE CHARACTERS NOT SHOWN HERE)';
  }

  // The exact sum of decimal amounts as signed ("250000", "0.5"); null when one is not a
  // decimal number (an unlimited allowance).
  function decimalSum(values) {
    let scale = 0;
    for (const value of values) {
      if (!/^[0-9]+(\.[0-9]+)?$/.test(value)) return null;
      scale = Math.max(scale, (value.split('.')[1] || '').length);
    }
    let total = 0n;
    for (const value of values) {
      const [whole, fraction = ''] = value.split('.');
      total += BigInt(whole + fraction.padEnd(scale, '0'));
    }
    const digits = total.toString().padStart(scale + 1, '0');
    return scale === 0 ? digits : digits.slice(0, -scale) + '.' + digits.slice(-scale);
  }

  // The text of the browser's own confirmation before a request decision is signed (review
  // helper-57 H2, M2): drawn by the browser, not by the page, so no stylesheet, overlay, font
  // or off-page element of the gateway's can change it; it holds only what this script read
  // from the signed texts (`read`, from showRequestDigests). So that the browser trims none of
  // it (review M1 of the dialog): the warnings first, each once with the requests it concerns;
  // the reading once (a batch's bodies are identical); for a batch the count, the total per
  // asset; and the digests' first characters. A text longer than a dialog shows whole is refused,
  // for the CLI.
  function requestConfirmation(act, read) {
    if (read.tooLong && read.tooLong.length > 0) {
      throw new Error(read.tooLong[0] + ': read and ' + act + ' it in the CLI (custos request show, custos request ' + act + ').');
    }
    const count = read.digests.length;
    const ids = read.digests.map((d) => hex(d).slice(0, count === 1 ? 16 : 8));
    const lines = [(act === 'approve' ? 'APPROVE' : 'REJECT') + (count === 1 ? ' this request?' : ' these ' + count + ' requests with one touch?')];
    const warned = new Map();
    for (const [warning, id] of read.warnings) warned.set(warning, (warned.get(warning) || []).concat([id]));
    for (const [warning, concerned] of warned) {
      lines.push('WARNING: ' + visible(warning) + (count === 1 ? '' : ' (request' + (concerned.length === 1 ? ' ' : 's ')
        + concerned.map((id) => id.slice(0, 8)).join(', ') + ')'));
    }
    lines.push(count === 1 ? 'As your browser read the signed text (not the page):'
      : 'As your browser read the signed texts (not the page), each of the ' + count + ' requests:');
    for (const line of new Set(read.lines)) lines.push(line);
    if (count > 1) {
      const totals = new Map();
      for (const [what, amount] of read.amounts) totals.set(what, (totals.get(what) || []).concat([amount]));
      for (const [what, values] of totals) {
        const sum = decimalSum(values);
        lines.push('Total: ' + visible(sum === null ? values.join(' + ') : sum) + ' ' + visible(what) + ' (' + count + ' requests)');
      }
      lines.push('Digests ' + ids.join(', ') + ' …');
    } else {
      lines.push('Digest ' + ids[0] + ' …');
    }
    lines.push('OK asks your security key; Cancel signs nothing.');
    const text = lines.join('\n');
    if (dialogRows(text) > DIALOG_ROWS) {
      throw new Error('what you would sign takes ' + dialogRows(text) + ' rows, more than the browser\'s confirmation shows whole ('
        + DIALOG_ROWS + ' of ' + DIALOG_COLUMNS + ' columns): read and ' + act + ' it in the CLI (custos request show, custos request ' + act + ').');
    }
    return text;
  }

  // Shows `text` in the browser's own dialog; throws, signing nothing, unless the person confirms.
  function confirmOrStop(text) {
    if (!window.confirm(text)) {
      const error = new Error('you cancelled in the confirmation: nothing was signed.');
      error.name = 'Cancelled';
      throw error;
    }
  }

  async function requestChallenge(mode, act, digests, genesis, signedAt, review) {
    const timing = uint64(String(signedAt)).concat([review === null ? 0 : 1], uint64(String(review === null ? 0 : review)));
    if (mode === 'batch') {
      if (act !== 'approve') throw new Error('identical requests are approved together, never rejected together');
      let encoded = lengthPrefixed(utf8('custos.request.batch-challenge.v1')).concat(lengthPrefixed(genesis), uint32(digests.length));
      for (const digest of digests) encoded = encoded.concat(lengthPrefixed(digest));
      return taggedHash('custos/request/approve-batch', new Uint8Array(encoded.concat(timing)));
    }
    if (digests.length !== 1) throw new Error('one request page shows one request');
    const encoded = lengthPrefixed(utf8('custos.request.challenge.v2')).concat(lengthPrefixed(genesis), lengthPrefixed(digests[0]), timing);
    return taggedHash('custos/request/' + act, new Uint8Array(encoded));
  }

  function setUpRequestDecision(section) {
    const form = document.getElementById('decide-request');
    if (!form) return;
    const status = document.getElementById('decide-status');
    const mode = section.dataset.mode;
    const reviewed = reviewClock();
    for (const button of form.querySelectorAll('button.act')) {
      // The label says what the button signs, whatever the page wrote on it.
      button.textContent = button.dataset.act === 'approve' ? 'Approve' : 'Reject';
      button.addEventListener('click', async () => {
        const act = button.dataset.act;
        try {
          const signedAt = Date.now();
          const review = reviewed();
          // Recomputed at the click from what is displayed now.
          const read = await showRequestDigests(section);
          const digests = read.digests;
          const genesis = Uint8Array.from(hexBytes(document.getElementById('genesis').textContent));
          if (genesis.length !== 32) throw new Error('the page shows no genesis digest of 32 bytes');
          const challenge = await requestChallenge(mode, act, digests, genesis, signedAt, review);
          confirmOrStop(requestConfirmation(act, read));
          say(status, 'Touch your security key to ' + act + (digests.length === 1 ? ' the request shown above.' : ' the ' + digests.length + ' requests shown above.'));
          await assertInto(form, challenge);
          form.elements.act.value = act;
          form.elements.signedAt.value = String(signedAt);
          form.elements.reviewMillis.value = review === null ? '' : String(review);
          say(status, 'Sending your ' + (act === 'approve' ? 'approval' : 'rejection') + '…');
          form.submit();
        } catch (error) {
          notSigned(status, error);
        }
      });
    }
  }

  // Enrolment codes never leave the browser. A code is 32 random bytes, written in hex; its key
  // is the Ed25519 key whose seed is the tagged hash "custos/governance/enrolment-code" of the
  // code (CredentialEnrolment.signingKey). The page sends the console only the key, and signs
  // the registration with the code (CredentialEnrolment.proofInput).
  const CODE_STORAGE = 'custos-enrolment-code';
  const ED25519_PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

  async function codeSigningKey(codeHex) {
    const code = new Uint8Array(hexBytes(codeHex.trim().toLowerCase()));
    if (code.length < 16 || code.length > 64) throw new Error('a code has 32 to 128 hex digits');
    const seed = await taggedHash('custos/governance/enrolment-code', code);
    const pkcs8 = new Uint8Array(ED25519_PKCS8_PREFIX.concat(Array.from(seed)));
    const key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign']);
    const jwk = await crypto.subtle.exportKey('jwk', key);
    return { key, publicKey: fromBase64url(jwk.x) };
  }

  function setUpEnrolmentCode() {
    const make = document.getElementById('make-code');
    if (make) {
      make.addEventListener('click', async () => {
        const code = hex(crypto.getRandomValues(new Uint8Array(32)));
        document.getElementById('new-code').textContent = code;
        document.getElementById('new-key').textContent = hex((await codeSigningKey(code)).publicKey);
        document.body.dataset.code = 'made';
      });
    }
    const form = document.getElementById('enrol-code-form');
    if (!form) return;
    document.getElementById('enrol-continue').addEventListener('click', async () => {
      try {
        const code = document.getElementById('code').value.trim().toLowerCase();
        form.elements.key.value = hex((await codeSigningKey(code)).publicKey);
        sessionStorage.setItem(CODE_STORAGE, code);
        form.submit();
      } catch (error) {
        say(document.getElementById('enrol-code-status'), 'Not a code: ' + String(error && error.message || error));
        document.body.dataset.enrolment = 'failed';
      }
    });
  }

  // Enrolment: the registration challenge is SHA-256 of the displayed content's canonical
  // encoding (CredentialEnrolment.registrationChallenge), so the registration counts only for
  // this cluster, the enrolment the page names, this person and their code's key; the code
  // (kept in this tab's session storage since the person entered it) signs the registration.
  function setUpEnrolment() {
    const form = document.getElementById('enrol-register');
    if (!form) return;
    const status = document.getElementById('enrol-status');
    document.getElementById('register').addEventListener('click', async () => {
      try {
        const challenge = await sha256(canonicalBytes(document.getElementById('signed')));
        const user = form.dataset.user;
        say(status, 'Touch your security key to register it.');
        const credential = await navigator.credentials.create({
          publicKey: {
            challenge,
            rp: { name: 'Custos ' + form.dataset.cluster },
            user: { id: utf8(user), name: user, displayName: user },
            pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
            authenticatorSelection: { userVerification: 'required', residentKey: 'preferred' },
            attestation: form.dataset.attestation || 'none',
            timeout: 120000,
          },
        });
        if (!credential) throw new Error('no credential');
        const code = sessionStorage.getItem(CODE_STORAGE);
        if (!code) throw new Error('this tab no longer holds your code; enter it again at /console/enrol');
        const parts = [credential.rawId, credential.response.attestationObject, credential.response.clientDataJSON];
        const hashes = [];
        for (const part of parts) hashes.push(...(await sha256(new Uint8Array(part))));
        const proofInput = await taggedHash('custos/governance/enrolment-proof', new Uint8Array(hashes));
        const { key } = await codeSigningKey(code);
        const proof = await crypto.subtle.sign({ name: 'Ed25519' }, key, proofInput);
        sessionStorage.removeItem(CODE_STORAGE);
        form.elements.credentialId.value = base64url(credential.rawId);
        form.elements.attestationObject.value = base64url(credential.response.attestationObject);
        form.elements.clientDataJSON.value = base64url(credential.response.clientDataJSON);
        form.elements.proof.value = base64url(proof);
        form.submit();
      } catch (error) {
        say(status, 'Not registered: ' + String(error && error.message || error));
        document.body.dataset.enrolment = 'failed';
      }
    });
  }

  function setUpSignIn() {
    const form = document.getElementById('sign-in');
    if (!form) return;
    const status = document.getElementById('sign-in-status');
    document.getElementById('sign-in-button').addEventListener('click', async () => {
      try {
        // Never the server's bytes as they are: the sign-in challenge is a tagged hash of the
        // cluster's genesis digest and the server's one-time nonce, so it can never be an approval.
        const genesis = Uint8Array.from(hexBytes(form.dataset.genesis));
        const nonce = fromBase64url(form.dataset.challenge);
        if (genesis.length !== 32) throw new Error('the page names no genesis digest of 32 bytes');
        const bound = new Uint8Array(genesis.length + nonce.length);
        bound.set(genesis, 0);
        bound.set(nonce, genesis.length);
        const challenge = await taggedHash('custos/console/sign-in', bound);
        say(status, 'Touch your security key.');
        const credential = await navigator.credentials.get({
          publicKey: { challenge, userVerification: 'required', timeout: 120000 },
        });
        if (!credential) throw new Error('no assertion');
        fillAssertion(form, credential);
        form.submit();
      } catch (error) {
        say(status, 'Not signed in: ' + (error && error.name === 'NotAllowedError'
          ? 'your authenticator did not verify you, or you cancelled.'
          : String(error && error.message || error)));
        document.body.dataset.signIn = 'failed';
      }
    });
  }

  // For the browser tests, nothing here reads it: the HIDDEN rule, the reading of a body, a
  // request's confirmation and the check of an operation's fields as the page applies them, and
  // a copy of the operation field table.
  const fieldTable = () => JSON.parse(JSON.stringify({ common: OPERATION_FIELDS, changes: CHANGE_FIELDS }));
  Object.defineProperty(window, 'custosConsole', { value: Object.freeze({ visible, readBody, requestConfirmation, operationFields, fieldTable }) });

  document.addEventListener('DOMContentLoaded', () => {
    setUpSignIn();
    setUpEnrolmentCode();
    setUpEnrolment();
    const section = document.getElementById('signed');
    if (section && document.getElementById('digest')) {
      showDigest(section).then(() => { document.body.dataset.digest = 'ready'; }, (error) => {
        say(document.getElementById('digest'), 'cannot encode this content: ' + error.message);
        document.body.dataset.digest = 'failed';
      });
      setUpDecision(section);
    }
    const requests = document.getElementById('signed-requests');
    if (requests) {
      showRequestDigests(requests).then(() => { document.body.dataset.digest = 'ready'; }, (error) => {
        say(document.getElementById('digest'), 'cannot read this content: ' + error.message);
        document.body.dataset.digest = 'failed';
      });
      setUpRequestDecision(requests);
    }
  });
})();
