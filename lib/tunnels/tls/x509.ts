// @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect
// metadata API installed first: this module is the only way in, so the order holds.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";

// Node's own WebCrypto does the key generation and signing.
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };
