// Runs the graphql-http audit suite against a running supplygraph, as a member would call it.
//
//   AUDIT_URL=http://127.0.0.1:8000/graphql AUDIT_TOKEN=<access token> node audit.mjs
//
// Every request carries `Authorization: Bearer <token>` (through a custom fetch). Prints the
// counts as one JSON line {"ok":..,"notice":..,"warn":..,"error":..,"results":[...]} with the
// name and reason of every non-ok result.
import { auditServer } from "graphql-http";

const url = process.env.AUDIT_URL;
const token = process.env.AUDIT_TOKEN;
if (!url || !token) {
  console.error("AUDIT_URL and AUDIT_TOKEN are required");
  process.exit(2);
}

const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const details = [];
for (const r of results) {
  counts[r.status] += 1;
  if (r.status !== "ok") {
    let reason = r.reason;
    try {
      const body = await r.response.text();
      reason = `${r.reason} (status ${r.response.status}: ${body.slice(0, 200)})`;
    } catch {
      // the response body may already be consumed
    }
    details.push({ status: r.status, id: r.id, name: r.name, reason });
  }
}
console.log(JSON.stringify({ ...counts, results: details }));
