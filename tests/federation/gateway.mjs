// A real Apollo gateway composing supplygraph with a tiny second subgraph ("risk").
//
//   SUPPLYGRAPH_URL=http://127.0.0.1:8000 \
//   SUPPLYGRAPH_GATEWAY_CLIENT_ID=sgc_... SUPPLYGRAPH_GATEWAY_CLIENT_SECRET=... \
//   GATEWAY_PORT=4000 RISK_PORT=4001 node gateway.mjs
//
// Authentication:
// - Composition (IntrospectAndCompose asks every subgraph for `_service { sdl }`) runs with a
//   token of the gateway's own OAuth client, fetched with client credentials from
//   supplygraph's /oauth/token. It is used for that call only (request kind LOADING_SCHEMA).
// - Every client request forwards the caller's own Authorization header to supplygraph,
//   unchanged; a request without one reaches supplygraph without one and is refused there.
//
// Prints one line "READY <gateway url> <risk url>" on stdout once both servers listen.
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from "@apollo/gateway";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";

// GraphQLDataSourceRequestKind.LOADING_SCHEMA (the enum is not exported from the package root).
const LOADING_SCHEMA = "loading schema";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
  return value;
};

const supplygraphUrl = env("SUPPLYGRAPH_URL").replace(/\/$/, "");
const gatewayPort = Number(env("GATEWAY_PORT", "4000"));
const riskPort = Number(env("RISK_PORT", "4001"));

// ----- the second subgraph: a member's own notes on production sites -----------------------
const riskTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type ProductionSite @key(fields: "id") {
    id: ID!
    "The member's own risk note for this site (kept in the member's system)."
    internalRiskNote: String
  }

  type Query {
    "Sites on the member's watch list: references resolved by supplygraph's _entities."
    watchedSites(ids: [ID!]!): [ProductionSite]
  }
`);

const riskResolvers = {
  Query: {
    watchedSites: (_, { ids }) => ids.map((id) => ({ id })),
  },
  ProductionSite: {
    __resolveReference: (ref) => ({ id: ref.id }),
    internalRiskNote: (site) => `risk note for ${site.id}`,
  },
};

const risk = new ApolloServer({
  schema: buildSubgraphSchema([{ typeDefs: riskTypeDefs, resolvers: riskResolvers }]),
});
const { url: riskUrl } = await startStandaloneServer(risk, {
  listen: { host: "127.0.0.1", port: riskPort },
});

// ----- the gateway's own token, for composition only ---------------------------------------
async function gatewayToken() {
  const id = env("SUPPLYGRAPH_GATEWAY_CLIENT_ID");
  const secret = env("SUPPLYGRAPH_GATEWAY_CLIENT_SECRET");
  const response = await fetch(`${supplygraphUrl}/oauth/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: "Basic " + Buffer.from(`${id}:${secret}`).toString("base64"),
    },
    body: "grant_type=client_credentials",
  });
  if (!response.ok) {
    throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`);
  }
  return (await response.json()).access_token;
}

class SupplygraphDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context, kind }) {
    if (kind === LOADING_SCHEMA) {
      request.http.headers.set("authorization", `Bearer ${composeToken}`);
      return;
    }
    const incoming = context?.authorization;
    if (incoming) request.http.headers.set("authorization", incoming);
  }
}

let composeToken = await gatewayToken();

const gateway = new ApolloGateway({
  supergraphSdl: new IntrospectAndCompose({
    subgraphs: [
      { name: "supplygraph", url: `${supplygraphUrl}/graphql` },
      { name: "risk", url: riskUrl },
    ],
  }),
  buildService: ({ name, url }) =>
    name === "supplygraph" ? new SupplygraphDataSource({ url }) : new RemoteGraphQLDataSource({ url }),
});

const server = new ApolloServer({ gateway });
const { url: gatewayUrl } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: gatewayPort },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});

console.log(`READY ${gatewayUrl} ${riskUrl}`);

const stop = async () => {
  await server.stop();
  await risk.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
