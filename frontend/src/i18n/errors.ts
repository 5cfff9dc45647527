// An error in the user's language: an API error from its `code` (the catalogue's `errors.<code>`), with the server's
// own sentence where the catalogue has no word for the code; anything else is the network.
import { ApiError } from "../api/client";
import { i18n, t } from "./i18n";

export function errorText(err: unknown, otherwise = "app.offline"): string {
  if (err instanceof ApiError) {
    const key = `errors.${err.code}`;
    return i18n.exists(key) ? t(key, { detail: err.message }) : err.message;
  }
  return t(otherwise);
}
