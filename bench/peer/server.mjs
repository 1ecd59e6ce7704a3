// The peer of bench/peer: @neo4j/graphql 7 over supplygraph's labels, configured as a buyer's
// IT team would configure it to keep supplygraph's visibility (docs in bench/README.md).
//
//   NEO4J_URI=bolt://127.0.0.1:17787 NEO4J_USER=neo4j NEO4J_PASSWORD=... \
//   PEER_JWT_KEY=... PEER_PORT=4100 node bench/peer/server.mjs
//
// Visibility is @authorization filter rules over the JWT claims `org` (the viewer) and `peers`
// (the organisations sharing a consortium with it, itself included), one rule per case of
// graph/core/visibility.py `visible`: PUBLIC, owned by the viewer, CONSORTIUM-shared by a
// peer, RESTRICTED naming the viewer. Filter rules are OR-ed. Contract values are readable by
// the owner alone (field-level validate). @cypher fields are not reached by filter rules, so
// their statements spell the predicate over $jwt by hand, as the peer's users must.
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const RULES = `filter: [
  { where: { node: { sharing: { eq: "PUBLIC" } } } }
  { where: { node: { contributedBy: { eq: "$jwt.org" } } } }
  { where: { node: { sharing: { eq: "CONSORTIUM" }, contributedBy: { in: "$jwt.peers" } } } }
  { where: { node: { sharing: { eq: "RESTRICTED" }, sharedWith: { includes: "$jwt.org" } } } }
]`;
const VISIBLE = `@authorization(${RULES})`;
// What a member writes is its own: created records must carry the viewer as contributor.
const VISIBLE_OWN_WRITES = `@authorization(${RULES}, validate: [
  { operations: [CREATE], when: [AFTER], where: { node: { contributedBy: { eq: "$jwt.org" } } } }
])`;

// The same predicate as Cypher over $jwt, for @cypher statements (filter rules skip them).
const vis = (v) =>
  `(${v}.sharing = 'PUBLIC' OR ${v}.contributedBy = $jwt.org` +
  ` OR (${v}.sharing = 'CONSORTIUM' AND ${v}.contributedBy IN $jwt.peers)` +
  ` OR (${v}.sharing = 'RESTRICTED' AND $jwt.org IN coalesce(${v}.sharedWith, [])))`;

const OWNER_ONLY = `@authorization(validate: [
  { when: [BEFORE], where: { node: { contributedBy: { eq: "$jwt.org" } } } }
])`;

// The first page of exposure as one hand-written statement (bench/exposure.py FLOOR, over
// $jwt): the peer has no notion of tiers through contracts, so its users would write this.
const EXPOSURE = `
  MATCH (:Organisation {id: $jwt.org})-[:HOLDS]->(c:Contract)
  CALL (c) {
    MATCH (c)-[:SOURCED_FROM]->(s:ProductionSite) WHERE ${vis("s")}
    RETURN s, 1 AS tier
    UNION
    MATCH (c)-[:COVERS]->(b:Brand)-[:PRODUCED_AT]->(s:ProductionSite)
    WHERE ${vis("b")} AND ${vis("s")} RETURN s, 1 AS tier
    UNION
    MATCH (c)-[:COVERS|AWARDED_TO]->(p) WHERE (p:Brand OR p:Supplier) AND ${vis("p")}
    MATCH q = SHORTEST 1 (p) (()-[:SOURCES_FROM]->(x:Supplier WHERE ${vis("x")})){0,3}
      (o:Supplier)-[:OPERATES]->(s:ProductionSite) WHERE ${vis("s")}
    RETURN s, CASE WHEN length(q) <= 2 THEN 1 ELSE length(q) - 1 END AS tier
  }
  WITH s, min(tier) AS tier
  OPTIONAL MATCH (s)<-[:ASSESSES]-(r:AuditReport)-[:HAS_FINDING]->(f:Finding)
  WHERE ${vis("r")} AND ${vis("f")}
  WITH s, tier, f ORDER BY f.severityRank DESC, f.updatedAt DESC
  WITH s, tier, collect(f {.id, .category, .severity, .status}) AS fs,
       max(f.severityRank) AS top, max(f.updatedAt) AS latest
  ORDER BY top IS NULL, top DESC, latest IS NULL, latest DESC, tier, s.id
  WITH collect({siteId: s.id, name: s.name, countryCode: s.countryCode, tier: tier,
                findings: fs}) AS rows
  RETURN {totalCount: size(rows), rows: rows[..50]} AS page`;

const typeDefs = `#graphql
  type JWT @jwt {
    org: String!
    peers: [String!]!
  }

  type ProductionSite @node @fulltext(indexes: [{ indexName: "site_text", queryName: "siteSearch", fields: ["name", "aliasesText", "address", "city"] }]) ${VISIBLE} {
    id: ID!
    name: String!
    city: String
    address: String
    aliasesText: String
    countryCode: String!
    siteType: String
    sharing: String!
    contributedBy: String!
    sharedWith: [String!]
    makes: [ProductCategory!]! @relationship(type: "MAKES", direction: OUT)
    reports: [AuditReport!]! @relationship(type: "ASSESSES", direction: IN)
    openFindingCount: Int! @cypher(columnName: "n", statement: """
      OPTIONAL MATCH (this)<-[:ASSESSES]-(r:AuditReport)-[:HAS_FINDING]->(f:Finding)
      WHERE f.status = 'OPEN' AND ${vis("r")} AND ${vis("f")}
      RETURN count(f) AS n""")
  }

  type ProductCategory @node {
    id: ID!
    cpvCode: String!
    name: String
  }

  type AuditReport @node ${VISIBLE_OWN_WRITES} {
    id: ID!
    title: String!
    kind: String!
    summary: String
    visitDate: String
    publishedAt: String
    sharing: String!
    contributedBy: String!
    sharedWith: [String!]
    createdAt: String
    updatedAt: String
    site: [ProductionSite!]! @relationship(type: "ASSESSES", direction: OUT)
    findings: [Finding!]! @relationship(type: "HAS_FINDING", direction: OUT)
  }

  type Finding @node ${VISIBLE_OWN_WRITES} {
    id: ID!
    category: String!
    severity: String!
    severityRank: Int
    status: String!
    description: String
    sharing: String!
    contributedBy: String!
    sharedWith: [String!]
    createdAt: String
    updatedAt: String
  }

  type Brand @node ${VISIBLE} {
    id: ID!
    name: String!
    sharing: String!
    contributedBy: String!
    sharedWith: [String!]
    sourcesFrom: [Supplier!]! @relationship(type: "SOURCES_FROM", direction: OUT)
  }

  type Supplier @node ${VISIBLE} {
    id: ID!
    name: String!
    sharing: String!
    contributedBy: String!
    sharedWith: [String!]
    sourcesFrom: [Supplier!]! @relationship(type: "SOURCES_FROM", direction: OUT)
    operates: [ProductionSite!]! @relationship(type: "OPERATES", direction: OUT)
  }

  type Contract @node ${VISIBLE} {
    id: ID!
    reference: String
    title: String
    sharing: String!
    contributedBy: String!
    sharedWith: [String!]
    valueAmount: Float ${OWNER_ONLY}
    valueCurrency: String ${OWNER_ONLY}
  }

  type ExposureFinding {
    id: ID!
    category: String!
    severity: String!
    status: String!
  }

  type ExposureRow {
    siteId: ID!
    name: String
    countryCode: String
    tier: Int!
    findings: [ExposureFinding!]!
  }

  type ExposurePage {
    totalCount: Int!
    rows: [ExposureRow!]!
  }

  type Query {
    myExposure: ExposurePage! @cypher(columnName: "page", statement: """${EXPOSURE}""")
  }
`;

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`bench/peer/server.mjs: ${name} is not set`);
    process.exit(2);
  }
  return value;
};

const driver = neo4j.driver(
  env("NEO4J_URI"),
  neo4j.auth.basic(process.env.NEO4J_USER || "neo4j", env("NEO4J_PASSWORD")),
  { maxConnectionPoolSize: 100 },
);
const neoSchema = new Neo4jGraphQL({
  typeDefs,
  driver,
  features: { authorization: { key: env("PEER_JWT_KEY") } },
});
const server = new ApolloServer({ schema: await neoSchema.getSchema() });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(env("PEER_PORT")) },
  context: async ({ req }) => ({ token: req.headers.authorization }),
});
console.log(`peer listening at ${url}`);

const stop = async () => {
  await server.stop();
  await driver.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
