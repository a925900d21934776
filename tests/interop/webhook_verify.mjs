// Standard Webhooks, asymmetric (`v1a`, Ed25519), verified from the spec with
// nothing but node:crypto — independent of the hub's Python signing code.
//
//   node webhook_verify.mjs < {"headers": {...}, "body_b64": "...", "jwks": {"keys": [...]},
//                              "tolerance_seconds": 300}
//   -> {"valid": true, "kid": "..."}  (exit 0)  or  {"valid": false, "reason": "..."}  (exit 1)
//
// The signed content is `${webhook-id}.${webhook-timestamp}.${raw body}`; the
// `webhook-signature` header holds space-separated `version,base64` entries, of
// which any `v1a` one must verify with one of the hub's published keys.
import { createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";

function check({ headers, body_b64: bodyB64, jwks, tolerance_seconds: tolerance }) {
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  const id = lower["webhook-id"];
  const timestamp = lower["webhook-timestamp"];
  const signatures = lower["webhook-signature"];
  if (!id || !timestamp || !signatures) return { valid: false, reason: "missing headers" };
  if (!/^\d+$/.test(timestamp)) return { valid: false, reason: "bad timestamp" };
  if (tolerance != null && Math.abs(Date.now() / 1000 - Number(timestamp)) > tolerance) {
    return { valid: false, reason: "timestamp outside tolerance" };
  }
  const body = Buffer.from(bodyB64, "base64");
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, "utf8"), body]);
  for (const entry of signatures.split(" ")) {
    const [version, value] = entry.split(",", 2);
    if (version !== "v1a" || !value) continue;
    const signature = Buffer.from(value, "base64");
    for (const jwk of jwks.keys) {
      if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519") continue;
      const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x }, format: "jwk" });
      if (verify(null, signed, key, signature)) return { valid: true, kid: jwk.kid };
    }
  }
  return { valid: false, reason: "no v1a signature verifies" };
}

const result = check(JSON.parse(readFileSync(0, "utf8")));
process.stdout.write(JSON.stringify(result));
process.exit(result.valid ? 0 : 1);
