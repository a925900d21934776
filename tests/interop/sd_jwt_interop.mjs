// Cordon report SD-JWTs through an independent implementation (@sd-jwt/core).
//
//   node sd_jwt_interop.mjs issue  < {"private_jwk", "kid", "claims"}   -> SD-JWT on stdout
//   node sd_jwt_interop.mjs verify < {"public_jwk", "token"}            -> {"header", "claims"}
//
// `issue` makes every field of a redaction class (DESIGN 2.1) its own
// disclosure, the way a partner system would. `verify` checks the Ed25519
// signature and every disclosure, and prints the disclosed claims; it exits
// non-zero when the token does not verify.
import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";

import { SDJwtInstance } from "@sd-jwt/core";
import { digest, generateSalt } from "@sd-jwt/crypto-nodejs";

const PARTY_IDENTITY = ["name", "aliases", "identifiers", "address"];

function signerFor(privateJwk) {
  const key = createPrivateKey({ key: privateJwk, format: "jwk" });
  return async (data) => sign(null, Buffer.from(data), key).toString("base64url");
}

function verifierFor(publicJwk) {
  const key = createPublicKey({ key: publicJwk, format: "jwk" });
  return async (data, signature) =>
    verify(null, Buffer.from(data), key, Buffer.from(signature, "base64url"));
}

// Which fields of the report are selectively disclosable, as a disclosure frame.
function disclosureFrame(report) {
  const frame = { _sd: [] };
  if ("narrative" in report) frame._sd.push("narrative");
  const perElement = (list, fields) => {
    const listFrame = {};
    (list || []).forEach((element, index) => {
      const present = fields.filter((field) => field in element);
      if (present.length) listFrame[index] = { _sd: present };
    });
    return listFrame;
  };
  if (report.parties) frame.parties = perElement(report.parties, PARTY_IDENTITY);
  if (report.goods) frame.goods = perElement(report.goods, ["value"]);
  if (report.documents) frame.documents = perElement(report.documents, ["reference"]);
  if (report.licence && "number" in report.licence) frame.licence = { _sd: ["number"] };
  return frame;
}

function instance(config) {
  return new SDJwtInstance({
    hasher: digest,
    hashAlg: "sha-256",
    saltGenerator: generateSalt,
    signAlg: "EdDSA",
    ...config,
  });
}

async function issue({ private_jwk: privateJwk, kid, claims }) {
  const sdjwt = instance({ signer: signerFor(privateJwk) });
  return sdjwt.issue(
    claims,
    { report: disclosureFrame(claims.report) },
    { header: { typ: "sar+sd-jwt", kid } },
  );
}

async function check({ public_jwk: publicJwk, token }) {
  const sdjwt = instance({ verifier: verifierFor(publicJwk) });
  const { payload, header } = await sdjwt.verify(token, { skewSeconds: 60 });
  return { header, claims: payload };
}

const [command] = process.argv.slice(2);
const input = JSON.parse(readFileSync(0, "utf8"));
try {
  if (command === "issue") {
    process.stdout.write(await issue(input));
  } else if (command === "verify") {
    process.stdout.write(JSON.stringify(await check(input)));
  } else {
    throw new Error(`unknown command ${command}; use issue or verify`);
  }
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
