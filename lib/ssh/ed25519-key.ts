import ssh2 from "ssh2";

/** How many keys are drawn before giving up (a bad key comes 1 time in 256: 8 in a row is 2^-64). */
const TRIES = 8;

/**
 * A new ed25519 key pair in OpenSSH's format, one ssh2 itself can read.
 * ssh2 1.17's generateKeyPairSync("ed25519") strips leading zero bytes from
 * the public key, so 1 key in 256 is one its own parser (and ssh2.Server, as a
 * host key) refuses as "Malformed OpenSSH private key" (mscdex/ssh2#1390,
 * #1513; CI met it in a test's host key). Such a key is never handed out: a
 * new one is drawn until both halves parse.
 */
export function generateEd25519Key(comment?: string): { private: string; public: string } {
  for (let i = 0; i < TRIES; i++) {
    const pair = ssh2.utils.generateKeyPairSync("ed25519", comment === undefined ? {} : { comment });
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error)) return pair;
  }
  throw new Error(`ssh2 made ${TRIES} ed25519 keys in a row that it cannot read`);
}
