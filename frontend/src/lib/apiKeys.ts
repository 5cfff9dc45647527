// What the account page shows of a personal API key, and what it asks for one (the server keeps the rules:
// accounts/api_keys.py; these are its choices and words).
import type { ApiKey, ApiScope } from "../api/types";

export const EXPIRY_DAYS = [7, 30, 90, 365] as const;  // the server takes 1 to 365
export const DEFAULT_EXPIRY_DAYS = 90;
export type Access = "read" | "write";

// "write" brings "read" with it (as the server stores it): a key that may change things may see them.
export function scopesFor(access: Access): ApiScope[] {
  return access === "write" ? ["read", "write"] : ["read"];
}

// The catalogue key naming a key's access.
export function accessKey(key: Pick<ApiKey, "scopes">): string {
  return key.scopes.includes("write") ? "apiKeys.scopeWrite" : "apiKeys.scopeRead";
}

// Whole days until the key expires, counting a part day as a day; 0 once it has expired (its exchange is refused).
export function daysLeft(key: Pick<ApiKey, "expires_at">, now: Date = new Date()): number {
  const ms = new Date(key.expires_at).getTime() - now.getTime();
  return ms <= 0 ? 0 : Math.ceil(ms / 86_400_000);
}
