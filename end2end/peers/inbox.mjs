// Real receivers for Hale's notification channels, on 127.0.0.1, for tests:
// - an SMTP server (npm smtp-server) that parses each message (mailparser);
// - Web Push endpoints: GET /subscription makes a browser-like subscription
//   (a P-256 key pair and an auth secret); POST /push/<id> checks the VAPID
//   token (RFC 8292, with jose) and decrypts the payload with an independent
//   implementation of RFC 8291/8188 (npm http_ece); /subscription?gone=1 makes
//   one whose endpoint answers 410 Gone;
// - an SMS provider: POST /sms checks `Authorization: Bearer $SMS_TOKEN` and
//   the JSON body; the first $SMS_FAIL_FIRST requests answer 503.
// GET /messages lists what arrived. The first line on stdout is
// {"smtp_port": …, "http_port": …}.
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";
import http from "node:http";
import crypto from "node:crypto";
import ece from "http_ece";
import * as jose from "jose";

const received = [];
const subscriptions = new Map();
const smsToken = process.env.SMS_TOKEN || "";
let smsFailures = Number(process.env.SMS_FAIL_FIRST || "0");
const b64url = (buf) => Buffer.from(buf).toString("base64url");

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  logger: false,
  onData(stream, _session, callback) {
    simpleParser(stream)
      .then((mail) => {
        received.push({
          channel: "email",
          to: mail.to ? mail.to.text : "",
          from: mail.from ? mail.from.text : "",
          subject: mail.subject || "",
          text: mail.text || "",
          html: mail.html || "",
        });
        callback();
      })
      .catch(callback);
  },
});

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function checkVapid(header, endpoint) {
  const match = /^vapid t=([^,]+),\s*k=(.+)$/.exec(header || "");
  if (!match) return { ok: false, reason: "no vapid authorization" };
  const raw = Buffer.from(match[2], "base64url");
  if (raw.length !== 65 || raw[0] !== 4) return { ok: false, reason: "bad vapid key" };
  const key = await jose.importJWK(
    { kty: "EC", crv: "P-256", x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33)) },
    "ES256",
  );
  const audience = new URL(endpoint).origin;
  try {
    const { payload } = await jose.jwtVerify(match[1], key, { audience });
    return { ok: true, aud: payload.aud, sub: payload.sub, public_key: match[2] };
  } catch (err) {
    return { ok: false, reason: String(err.code || err.message) };
  }
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  const reply = (status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  try {
    if (req.method === "GET" && url.pathname === "/messages") return reply(200, received);
    if (req.method === "GET" && url.pathname === "/subscription") {
      const ecdh = crypto.createECDH("prime256v1");
      ecdh.generateKeys();
      const auth = crypto.randomBytes(16);
      const id = crypto.randomUUID();
      subscriptions.set(id, { ecdh, auth, gone: url.searchParams.has("gone") });
      return reply(200, {
        endpoint: `http://127.0.0.1:${server.address().port}/push/${id}`,
        keys: { p256dh: b64url(ecdh.getPublicKey()), auth: b64url(auth) },
      });
    }
    if (req.method === "POST" && url.pathname.startsWith("/push/")) {
      const id = url.pathname.slice("/push/".length);
      const sub = subscriptions.get(id);
      const body = await readBody(req);
      if (!sub) return reply(404, { error: "unknown subscription" });
      if (sub.gone) return reply(410, { error: "gone" });
      const endpoint = `http://127.0.0.1:${server.address().port}${url.pathname}`;
      const vapid = await checkVapid(req.headers.authorization, endpoint);
      let payload = null;
      let error = null;
      try {
        if (req.headers["content-encoding"] !== "aes128gcm") throw new Error("content-encoding");
        const plain = ece.decrypt(body, {
          version: "aes128gcm",
          privateKey: sub.ecdh,
          authSecret: b64url(sub.auth),
        });
        payload = JSON.parse(plain.toString("utf8"));
      } catch (err) {
        error = String(err.message || err);
      }
      received.push({ channel: "push", id, payload, error, vapid, ttl: req.headers.ttl || null });
      return reply(error || !vapid.ok ? 400 : 201, {});
    }
    if (req.method === "POST" && url.pathname === "/sms") {
      const body = await readBody(req);
      if (smsFailures > 0) {
        smsFailures -= 1;
        received.push({ channel: "sms-refused", status: 503 });
        return reply(503, { error: "try later" });
      }
      const authorized = req.headers.authorization === `Bearer ${smsToken}`;
      const json = req.headers["content-type"] === "application/json";
      let message = {};
      try {
        message = JSON.parse(body.toString("utf8"));
      } catch (_) {
        message = {};
      }
      received.push({ channel: "sms", authorized, json, to: message.to, text: message.text });
      return reply(authorized && json ? 200 : 401, { id: received.length });
    }
    reply(404, { error: "not found" });
  } catch (err) {
    reply(500, { error: String(err) });
  }
});

smtp.listen(0, "127.0.0.1", () => {
  server.listen(0, "127.0.0.1", () => {
    console.log(JSON.stringify({ smtp_port: smtp.server.address().port, http_port: server.address().port }));
  });
});
