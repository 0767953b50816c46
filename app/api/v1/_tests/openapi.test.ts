import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GET } from "../openapi.json/route";
import { openApiDocument } from "@/lib/api/openapi";
import { ORIGIN } from "./client";

const v1 = path.resolve(import.meta.dirname, "..");

describe("/api/v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document of every resource route, needing no key", async () => {
    const res = GET(new Request(`${ORIGIN}/api/v1/openapi.json`));
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: `${ORIGIN}/api/v1` }]);
    const folders = readdirSync(v1, { withFileTypes: true })
      .filter((e) => e.isDirectory() && /^[a-z][a-z_]*$/.test(e.name))
      .map((e) => e.name);
    expect(folders.length).toBeGreaterThanOrEqual(5);
    // Every resource route is documented.
    for (const folder of folders) expect(doc.paths, folder).toHaveProperty([`/${folder}`]);
    for (const folder of ["bot_users", "service_users", "api_keys", "credentials", "ssh_credentials", "reserved_domains"]) {
      expect(Object.keys(doc.paths[`/${folder}`]).sort(), folder).toEqual(["get", "post"]);
      expect(Object.keys(doc.paths[`/${folder}/{id}`]).sort(), folder).toEqual(["delete", "get", "parameters", "patch"]);
    }
  });

  it("is built once per process: every answer is the same document with the request's server in it", async () => {
    const a = openApiDocument("https://a.example/api/v1");
    const b = openApiDocument("https://b.example/api/v1");
    // The same objects, not a rebuild per call (a rebuild took as long as an authenticated list).
    expect(a.paths).toBe(b.paths);
    expect(a.components).toBe(b.components);
    const other = await GET(new Request("http://other.example:8080/api/v1/openapi.json")).json();
    const mine = await GET(new Request(`${ORIGIN}/api/v1/openapi.json`)).json();
    expect(other.servers).toEqual([{ url: "http://other.example:8080/api/v1" }]);
    expect({ ...other, servers: null }).toEqual({ ...mine, servers: null });
  });

  it("describes request bodies from the schemas the handlers validate with", async () => {
    const doc = await GET(new Request(`${ORIGIN}/api/v1/openapi.json`)).json();
    const body = (p: string, m: string) => doc.paths[p][m].requestBody.content["application/json"].schema;
    expect(body("/bot_users", "post")).toMatchObject({ type: "object", required: ["name"], properties: { name: { type: "string" }, active: { type: "boolean" } } });
    expect(body("/ssh_credentials", "post").required).toEqual(["public_key"]);
    expect(Object.keys(body("/api_keys", "post").properties).sort()).toEqual(["description", "metadata", "owner_id"]);
    expect(Object.keys(body("/credentials/{id}", "patch").properties).sort()).toEqual(["acl", "description", "metadata"]);
    expect(doc.paths["/bot_users"].get.parameters.map((p: { name: string }) => p.name)).toEqual(["before_id", "limit"]);
    expect(doc.paths["/api_keys"].get.responses["200"].content["application/json"].schema.required).toContain("keys");
    expect(doc.components.schemas.Error.required).toEqual(["error_code", "status_code", "msg", "details"]);
  });

  it("documents the read-only resources: tunnel sessions, events with the activity filters, usage", async () => {
    const doc = await GET(new Request(`${ORIGIN}/api/v1/openapi.json`)).json();
    for (const path of ["/tunnel_sessions", "/tunnel_sessions/{id}", "/endpoints", "/endpoints/{id}", "/events", "/events/{id}", "/usage"]) {
      expect(Object.keys(doc.paths[path]).filter((k) => k !== "parameters"), path).toEqual(["get"]);
    }
    expect(doc.paths["/events"].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["before_id", "limit", "principal_id", "bot_id", "credential_id", "type", "category", "source", "range", "from", "to"]),
    );
    expect(doc.components.schemas.TunnelSession.required).toEqual(
      expect.arrayContaining(["id", "uri", "agent_version", "credential", "ip", "metadata", "os", "region", "started_at", "transport"]),
    );
    expect(doc.paths["/usage"].get.parameters.map((p: { name: string }) => p.name)).toEqual(["principal_id", "limit", "after"]);
    expect(doc.components.schemas.Usage.required).toEqual(expect.arrayContaining(["principals", "next_page_uri", "total"]));
    expect(doc.components.schemas.Endpoint.required).toEqual(
      expect.arrayContaining(["id", "uri", "region", "created_at", "public_url", "proto", "hostport", "type", "tunnel_session", "principal", "domain"]),
    );
    expect(doc.paths["/endpoints"].get.responses["200"].content["application/json"].schema.required).toContain("endpoints");
  });

  it("documents reserved domains as ngrok names them: the body ngrok's clients send, the object, the conflicts", async () => {
    const doc = await GET(new Request(`${ORIGIN}/api/v1/openapi.json`)).json();
    const create = doc.paths["/reserved_domains"].post;
    const body = create.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(["domain"]);
    expect(Object.keys(body.properties).sort()).toEqual(["description", "domain", "metadata", "region"]);
    expect(body.properties.domain.type).toBe("string");
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(["201", "400", "409", "401", "403"]));
    expect(Object.keys(doc.paths["/reserved_domains/{id}"].patch.requestBody.content["application/json"].schema.properties).sort()).toEqual(["description", "metadata"]);
    expect(doc.components.schemas.ReservedDomain.required).toEqual(
      expect.arrayContaining(["id", "uri", "created_at", "description", "metadata", "domain", "region", "cname_target", "certificate", "certificate_management_policy", "certificate_management_status", "acme_challenge_cname_target"]),
    );
    expect(doc.paths["/reserved_domains"].get.responses["200"].content["application/json"].schema.required).toContain("reserved_domains");
  });
});
