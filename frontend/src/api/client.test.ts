import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ApiError, Client, ROUTES } from "./client";
import { REQUIRED } from "./types";

const spec = parse(readFileSync(new URL("../../../infra/api/openapi.yaml", import.meta.url), "utf8"));

describe("the client matches the API spec", () => {
  it("calls only routes the spec has", () => {
    for (const [method, path] of Object.values(ROUTES)) {
      expect(spec.paths[path]?.[method.toLowerCase()], `${method} ${path}`).toBeDefined();
    }
  });
  it("knows the same required fields as the spec's schemas", () => {
    for (const [name, required] of Object.entries(REQUIRED)) {
      expect([...required].sort(), name).toEqual([...spec.components.schemas[name].required].sort());
    }
  });
});

function memory() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k) };
}

describe("sessions", () => {
  it("sends the token, and a 401 ends the session with a message", async () => {
    const seen: RequestInit[] = [];
    const fetcher = (async (_url: string, init: RequestInit) => {
      seen.push(init);
      return new Response(JSON.stringify({ error: { code: "token_revoked", message: "signed out" } }), { status: 401 });
    }) as unknown as typeof fetch;
    const client = new Client(fetcher, memory(), "");
    client.token = "abc";
    let notice = "";
    client.onExpired = (m) => { notice = m; };
    await expect(client.listJobs()).rejects.toBeInstanceOf(ApiError);
    expect((seen[0].headers as Record<string, string>).Authorization).toBe("Bearer abc");
    expect(client.token).toBeNull();
    expect(notice).toMatch(/session expired/);
  });
  it("a wrong current password (422) keeps the session; the gateway's 401 or 403 ends it; a function's code decides", async () => {
    const answers: [number, string][] = [];
    const fetcher = (async () => {
      const [status, body] = answers.shift()!;
      return new Response(body, { status });
    }) as unknown as typeof fetch;
    const client = new Client(fetcher, memory(), "");
    let ended = 0;
    client.onExpired = () => { ended += 1; };
    const json = (code: string) => JSON.stringify({ error: { code, message: code } });
    client.token = "abc";
    answers.push([422, json("wrong_password")]);
    await expect(client.changePassword("nope", "a new passphrase")).rejects.toThrow("wrong_password");
    answers.push([422, json("wrong_password")]);
    await expect(client.deleteAccount("nope")).rejects.toThrow("wrong_password");
    answers.push([401, json("invalid_credentials")], [404, json("job_not_found")]);
    await expect(client.listJobs()).rejects.toBeInstanceOf(ApiError);
    await expect(client.getJob("x")).rejects.toBeInstanceOf(ApiError);
    expect([client.token, ended]).toEqual(["abc", 0]);
    for (const [status, body] of [[403, "Forbidden"], [401, "<html>401</html>"], [401, json("invalid_token")]] as const) {
      client.token = "abc";
      answers.push([status, body]);
      await expect(client.listJobs()).rejects.toBeInstanceOf(ApiError);
      expect(client.token, `${status} ${body}`).toBeNull();
    }
    expect(ended).toBe(3);
  });
  it("a wrong password is an error, not an expired session", async () => {
    const fetcher = (async () => new Response(JSON.stringify({ error: { code: "invalid_credentials",
      message: "email or password is wrong" } }), { status: 401 })) as unknown as typeof fetch;
    const client = new Client(fetcher, memory(), "");
    let expired = false;
    client.onExpired = () => { expired = true; };
    await expect(client.login("a@b.co", "x")).rejects.toThrow("email or password is wrong");
    expect(expired).toBe(false);
  });
});
