import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { SHARE_REQUIRED, SHARE_ROUTES, sharedJob, shareUrl } from "./shares";

const spec = parse(readFileSync(new URL("../../../infra/api/openapi.yaml", import.meta.url), "utf8"));

describe("the share calls match the API spec", () => {
  it("call only routes the spec has, the reader's without a bearer token", () => {
    for (const [method, path] of Object.values(SHARE_ROUTES)) {
      const op = spec.paths[path]?.[method.toLowerCase()];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.security, `${method} ${path}`).toEqual(path.startsWith("/api/v1/shared/") ? undefined : [{ bearerAuth: [] }]);
    }
  });
  it("know the same required fields as the spec's schemas", () => {
    for (const [name, required] of Object.entries(SHARE_REQUIRED)) {
      expect([...required].sort(), name).toEqual([...spec.components.schemas[name].required].sort());
    }
  });
});

describe("a reader", () => {
  it("never sends a signed-in session's token with a link's requests", async () => {
    const stored = new Map([["transcribe.token", "a-session-token"]]);
    vi.stubGlobal("localStorage", { getItem: (k: string) => stored.get(k) ?? null,
      setItem: (k: string, v: string) => void stored.set(k, v), removeItem: (k: string) => void stored.delete(k) });
    const seen: RequestInit[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      seen.push(init);
      return new Response(JSON.stringify({ title: "t" }), { status: 200 });
    });
    vi.resetModules();  // the clients are built afresh, with this browser storage
    try {
      const { api } = await import("./client");
      const { sharedApi } = await import("./shares");
      expect(api.token).toBe("a-session-token");  // the app's own calls would send it
      await api.me().catch(() => undefined);
      await sharedApi.view("tok");
    } finally { vi.unstubAllGlobals(); }
    expect((seen[0].headers as Record<string, string>).Authorization).toBe("Bearer a-session-token");
    expect((seen[1].headers as Record<string, string>).Authorization).toBeUndefined();
  });
  it("sees the shared facts as the page's job, with no ids", () => {
    const job = sharedJob({ title: "a.wav", content_type: "audio/wav", size: 3, audio_duration: 1, mode: "mono",
      language: "en", expires_at: null, recording: "withheld", media: null });
    expect([job.id, job.file.id, job.file.filename, job.status]).toEqual(["", "", "a.wav", "completed"]);
    expect(shareUrl({ path: "/s/abc" }, "https://t.example")).toBe("https://t.example/s/abc");
  });
});
