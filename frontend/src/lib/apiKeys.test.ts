import { describe, expect, it } from "vitest";
import { accessKey, daysLeft, DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS, scopesFor } from "./apiKeys";

describe("API keys on the account page", () => {
  it("asks for read, or read and write, never write alone", () => {
    expect(scopesFor("read")).toEqual(["read"]);
    expect(scopesFor("write")).toEqual(["read", "write"]);
    expect(accessKey({ scopes: ["read"] })).toBe("apiKeys.scopeRead");
    expect(accessKey({ scopes: ["read", "write"] })).toBe("apiKeys.scopeWrite");
  });
  it("offers expiries the server takes, and counts the days a key has left", () => {
    expect(EXPIRY_DAYS.every((d) => d >= 1 && d <= 365)).toBe(true);
    expect(EXPIRY_DAYS).toContain(DEFAULT_EXPIRY_DAYS);
    const now = new Date("2026-12-06T12:00:00Z");
    expect(daysLeft({ expires_at: "2026-12-06T12:00:01Z" }, now)).toBe(1);
    expect(daysLeft({ expires_at: "2026-12-16T11:00:00Z" }, now)).toBe(10);
    expect(daysLeft({ expires_at: "2026-12-06T12:00:00Z" }, now)).toBe(0);
    expect(daysLeft({ expires_at: "2026-12-01T00:00:00Z" }, now)).toBe(0);
  });
});
